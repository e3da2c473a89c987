/*
 * blob.h: the content-addressed blob store, behind a small interface.
 *
 * A blob is a byte string named by the SHA-256 of its bytes.  Identical
 * bytes are stored once.  Writing goes through a temporary file in the
 * store's own file system: the writer hashes what it is given, fsyncs, and
 * mv_blob_commit renames it into place under its digest, so a reader never
 * sees a partial blob and a crash leaves at most a stray temporary file
 * (removed by mv_blobstore_clean_tmp at the next start).
 *
 * The directory backend (blob_dir.c) fans names out as
 * blobs/ab/cd/abcd...(64 hex); an S3-compatible backend can implement the
 * same operations.
 */
#ifndef MODVAULT_BLOB_H
#define MODVAULT_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/base/hash.h"

struct mv_blobstore;
struct mv_blob_writer;

struct mv_blobref {
	unsigned char	digest[MV_SHA256_LEN];
	uint64_t	size;
};

typedef int (*mv_blob_iter_fn)(void *ctx, const struct mv_blobref *ref);

/*
 * What every backend's writer starts with: mv_blob_write hashes here before
 * handing bytes to the backend's writer_write.
 */
struct mv_blob_writer {
	struct mv_blobstore	*bs;
	struct mv_sha256	*sha;
	uint64_t		 size;		/* bytes written so far */
};

struct mv_blobstore_ops {
	/* Starts a new blob; bytes go through mv_blob_write. */
	int	(*writer_open)(struct mv_blobstore *bs, struct mv_blob_writer **w,
		    struct mv_err *err);
	/* Stores bytes already hashed by mv_blob_write (backend private). */
	int	(*writer_write)(struct mv_blob_writer *w, const void *p, size_t n,
		    struct mv_err *err);
	/*
	 * Makes the written bytes durable under their digest (ref out) and
	 * frees the writer, whatever the outcome.  Storing bytes that are
	 * already stored succeeds and keeps the one copy.
	 */
	int	(*writer_commit)(struct mv_blob_writer *w, struct mv_blobref *ref,
		    struct mv_err *err);
	/* Throws the bytes away and frees the writer. */
	void	(*writer_abort)(struct mv_blob_writer *w);
	/*
	 * Opens a blob for reading; returns a file descriptor (the caller
	 * closes it) and its size.  MV_ENOTFOUND when absent; the same for
	 * stat and remove.
	 */
	int	(*open)(struct mv_blobstore *bs, const unsigned char *digest,
		    int *fd, uint64_t *size, struct mv_err *err);
	int	(*stat)(struct mv_blobstore *bs, const unsigned char *digest,
		    uint64_t *size, struct mv_err *err);
	int	(*remove)(struct mv_blobstore *bs, const unsigned char *digest,
		    struct mv_err *err);
	/*
	 * Calls fn for every stored blob; a non-zero return from fn stops the
	 * walk and is returned (fn fills its own error report).
	 */
	int	(*iterate)(struct mv_blobstore *bs, mv_blob_iter_fn fn, void *ctx,
		    struct mv_err *err);
	/* An absolute local file name for X-Sendfile, or -1 when not local. */
	int	(*local_path)(struct mv_blobstore *bs, const unsigned char *digest,
		    char *out, size_t outsz, struct mv_err *err);
	/*
	 * Removes temporary files left by writers that died: those whose
	 * writer pid no longer exists, or untouched for MV_BLOB_TMP_MAX_AGE
	 * seconds.  A live writer in another process keeps its file.
	 */
	int	(*clean_tmp)(struct mv_blobstore *bs, struct mv_err *err);
	/*
	 * Optional (NULL: not supported): makes a finished temporary file of
	 * this store, whose digest the caller computed while writing it, a
	 * blob without copying it.
	 */
	int	(*adopt)(struct mv_blobstore *bs, const char *path,
		    const unsigned char *digest, struct mv_blobref *ref,
		    struct mv_err *err);
	void	(*close)(struct mv_blobstore *bs);
};

struct mv_blobstore {
	const struct mv_blobstore_ops	*ops;
};

/* How long a temporary file may sit untouched before it counts as stray. */
#define MV_BLOB_TMP_MAX_AGE	(30 * 60)

/*
 * The directory backend rooted at dir (an absolute path; created when
 * create is set): blobs in dir/blobs/ab/cd/<64 hex>, temporary files in
 * dir/tmp/blob-<pid>-XXXXXX (the same file system, so link() is atomic).
 */
int	 mv_blobdir_open(const char *dir, int create, struct mv_blobstore **bs,
	    struct mv_err *err);

/* Appends bytes to a writer (backend independent: hashes, then writes). */
int	 mv_blob_write(struct mv_blob_writer *w, const void *p, size_t n,
	    struct mv_err *err);

/* Stores a memory block / a whole file as one blob (ref out). */
int	 mv_blob_put_mem(struct mv_blobstore *bs, const void *p, size_t n,
	    struct mv_blobref *ref, struct mv_err *err);
int	 mv_blob_put_file(struct mv_blobstore *bs, const char *path,
	    struct mv_blobref *ref, struct mv_err *err);

/*
 * TEST HOOK, used only by tests/integration/crash.sh: when the environment
 * variable MODVAULT_TEST_CRASH_AT equals point, the process kills itself
 * with SIGKILL, as a power cut or kill -9 would.  Points: "mid-write",
 * "after-write", "after-fsync", "after-rename" (blob_dir.c) and
 * "before-commit" (store.c, mv_store_insert).  Unset, it costs one
 * getenv.
 */
void	 mv_test_crash_at(const char *point);

/*
 * Reads a whole blob of at most max bytes into out (appending to an empty
 * buffer) and checks its size and SHA-256, so a damaged blob is reported
 * (MV_ECORRUPT), never used.  For the small files: .info, .mod, tiles.
 */
int	 mv_blob_read_verified(struct mv_blobstore *bs,
	    const struct mv_blobref *ref, size_t max, struct mv_buf *out,
	    struct mv_err *err);

#endif
