/*
 * blob.h: the content-addressed blob store, as its users see it.
 *
 * A blob is a byte string named by the SHA-256 of its bytes; identical
 * bytes are stored once, and a stored blob never changes.  Blobs enter
 * only from the store's staging area (stage.h): mv_blob_put_staged makes
 * a finished staged file a blob atomically, so a reader never sees a
 * partial blob and a crash leaves nothing that reads as one.
 *
 * The interface hands out no file descriptors and no local paths: a blob
 * is read through a reader (sequential and positional reads), and the
 * front end asks for a delivery hint, which says how the web server can
 * send it without modvault (a local file for X-Sendfile, a URL to
 * redirect to) or that modvault must stream it.  Every caller goes through
 * these functions; the backends (blob_backend.h) stay behind them.
 */
#ifndef MODVAULT_BLOB_H
#define MODVAULT_BLOB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/base/hash.h"
#include "modvault/store/stage.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

struct mv_blobstore;
struct mv_blob_reader;

struct mv_blobref {
	unsigned char	digest[MV_SHA256_LEN];
	uint64_t	size;
};

/* Called for each stored blob; non-zero stops the walk (see iterate). */
typedef int (*mv_blob_iter_fn)(void *ctx, const struct mv_blobref *ref);

/*
 * The directory backend rooted at dir (an absolute path): blobs in
 * dir/blobs/ab/cd/<64 hex>.  create makes dir/blobs when absent; else
 * MV_ENOTFOUND when it is missing.
 */
int	 mv_blobdir_open(const char *dir, int create, struct mv_blobstore **bs,
	    struct mv_err *err);
void	 mv_blobstore_close(struct mv_blobstore *bs);

/*
 * Makes the staged file a blob (ref out: its digest and size); the caller
 * still discards sf.  digest, when not NULL, is the SHA-256 the caller
 * computed while writing the file, which spares reading it again; else
 * the file is hashed here.  The backend adopts the file without copying
 * where it can (same file system).  Storing bytes already stored succeeds
 * and keeps the one copy: *created (may be NULL) says which happened.
 */
int	 mv_blob_put_staged(struct mv_blobstore *bs, struct mv_staged *sf,
	    const unsigned char *digest, struct mv_blobref *ref, bool *created,
	    struct mv_err *err);
/*
 * The size and SHA-256 of a staged file (ref out): digest, when not NULL,
 * is the SHA-256 its writer computed on the way; else the file is read.
 */
int	 mv_blob_ref_staged(const struct mv_staged *sf,
	    const unsigned char *digest, struct mv_blobref *ref,
	    struct mv_err *err);

/* One staged file of a batch (mv_blob_put_batch). */
struct mv_blob_put {
	struct mv_staged	*sf;
	struct mv_blobref	 ref;		/* its digest and size */
	bool			 created;	/* out, as in put_staged */
};

/*
 * Makes n staged files blobs, as mv_blob_put_staged does each, with
 * fewer syncs: when it returns 0, every one is durable under its name
 * (the same bytes twice in p are fine).  On failure some may be stored:
 * unreferenced, gc's to remove.  The directory backend syncs each file,
 * links them all, then syncs each directory it touched once.
 */
int	 mv_blob_put_batch(struct mv_blobstore *bs, struct mv_blob_put *p,
	    size_t n, struct mv_err *err);
/* Stores a memory block as one blob, through a staged file of sg. */
int	 mv_blob_put_mem(struct mv_blobstore *bs, struct mv_stage *sg,
	    const void *p, size_t n, struct mv_blobref *ref,
	    struct mv_err *err);

/* Opens a blob for reading (MV_ENOTFOUND when absent). */
int	 mv_blob_open(struct mv_blobstore *bs, const unsigned char *digest,
	    struct mv_blob_reader **r, struct mv_err *err);
/*
 * The same, reading the store's own copy past any node-local cache (an
 * object store's backend downloads it again): what the scrub checks.
 */
int	 mv_blob_open_origin(struct mv_blobstore *bs,
	    const unsigned char *digest, struct mv_blob_reader **r,
	    struct mv_err *err);
/* The blob's size as stored (what the reader will give). */
uint64_t mv_blob_reader_size(const struct mv_blob_reader *r);
/*
 * Reads up to n bytes at the reader's position (sequential) or at off
 * (positional; the position does not move).  *got = 0 at the end.
 */
int	 mv_blob_read(struct mv_blob_reader *r, void *p, size_t n, size_t *got,
	    struct mv_err *err);
int	 mv_blob_pread(struct mv_blob_reader *r, void *p, size_t n,
	    uint64_t off, size_t *got, struct mv_err *err);
void	 mv_blob_close(struct mv_blob_reader *r);

int	 mv_blob_stat(struct mv_blobstore *bs, const unsigned char *digest,
	    uint64_t *size, struct mv_err *err);
/* Seconds since the blob was stored (gc's grace period on a shared store). */
int	 mv_blob_age(struct mv_blobstore *bs, const unsigned char *digest,
	    int64_t *seconds, struct mv_err *err);
/*
 * Takes a blob out of the store at once (MV_ENOTFOUND: not there): quick
 * enough to do under the index's write lock, which is where gc does it.
 * The bytes themselves are freed by mv_blob_reclaim, which may be slow on
 * a busy disk, so callers call it once the lock is gone.
 */
int	 mv_blob_remove(struct mv_blobstore *bs, const unsigned char *digest,
	    struct mv_err *err);
/* Frees the bytes of every blob this handle removed; never fails. */
void	 mv_blob_reclaim(struct mv_blobstore *bs);
/*
 * Calls fn for every stored blob; a non-zero return from fn stops the
 * walk and is returned (fn fills its own error report).
 */
int	 mv_blob_iterate(struct mv_blobstore *bs, mv_blob_iter_fn fn,
	    void *ctx, struct mv_err *err);

/* How a blob can reach a client without passing through modvault. */
enum mv_delivery_kind {
	MV_DELIVER_STREAM,	/* nothing better: modvault streams it */
	MV_DELIVER_LOCAL_FILE,	/* where: an absolute file name */
	MV_DELIVER_URL,		/* where: a URL the client may fetch */
};

struct mv_delivery {
	enum mv_delivery_kind	kind;
	char			where[PATH_MAX];
};

/* The delivery hint for a stored blob. */
int	 mv_blob_delivery(struct mv_blobstore *bs, const unsigned char *digest,
	    struct mv_delivery *d, struct mv_err *err);

/*
 * Reads a whole blob back and checks its size and SHA-256 against ref:
 * MV_ECORRUPT when they differ, MV_ENOTFOUND when it is gone.
 */
int	 mv_blob_verify(struct mv_blobstore *bs, const struct mv_blobref *ref,
	    struct mv_err *err);

/*
 * Moves a damaged blob out of the store, kept aside for inspection (the
 * directory backend: quarantine/<hex>.<unix time> beside blobs/); gone
 * already is success.
 */
int	 mv_blob_quarantine(struct mv_blobstore *bs, const unsigned char *digest,
	    struct mv_err *err);

/*
 * Makes a blob readable as the backend promises (the directory backend:
 * mode 0444, whichever process wrote it); *repaired says whether it was
 * not.
 */
int	 mv_blob_upkeep(struct mv_blobstore *bs, const unsigned char *digest,
	    bool *repaired, struct mv_err *err);

/*
 * A staged file (of the store's own staging area) holding the blob, when
 * the backend has a cheaper way to make one than reading the blob into a
 * copy: an object store downloads an uncached blob straight into it,
 * hashed against its name.  *sf NULL (and 0) when there is none: the
 * caller reads the blob.
 */
int	 mv_blob_stage(struct mv_blobstore *bs, const unsigned char *digest,
	    struct mv_staged **sf, struct mv_err *err);

/*
 * Writes the store's own copy of a blob (what mv_blob_open_origin reads)
 * again from a local copy that is whole: for an object store whose copy
 * was lost or damaged while this node's cache holds the blob.  The bytes
 * are checked against digest on the way (a damaged local copy is
 * quarantined, MV_ECORRUPT).  MV_ENOTFOUND when there is no local copy,
 * or the backend keeps only the one (the directory).
 */
int	 mv_blob_mend(struct mv_blobstore *bs, const unsigned char *digest,
	    struct mv_err *err);

/*
 * Reads a whole blob of at most max bytes into out (appending to an
 * empty buffer) and checks its size and SHA-256, so a damaged blob is
 * reported (MV_ECORRUPT), never used.  For the small files: .info, .mod.
 */
int	 mv_blob_read_verified(struct mv_blobstore *bs,
	    const struct mv_blobref *ref, size_t max, struct mv_buf *out,
	    struct mv_err *err);

/*
 * Crash points for tests/integration/crash.sh: the store calls
 * mv_crash_point at each step of a write ("mid-write", "after-write",
 * "after-fsync", "after-rename", "before-commit"; ingest_batch.h names
 * the batch's own).  Installed binaries
 * link the no-op in blob.c; the test build of the CLI links
 * tests/common/crash_hook.c, which kills the process with SIGKILL at the
 * point named by MODVAULT_TEST_CRASH_AT, as a power cut or kill -9 would.
 */
void	 mv_crash_point(const char *point);

#endif
