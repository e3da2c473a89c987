/*
 * blob_backend.h: what a blob backend implements (private to the store).
 *
 * blob.c holds the mv_blob_* functions everybody calls; they check their
 * arguments and call the backend through this table, which nothing
 * outside src/lib/store/ sees.  A backend keeps the contract of blob.h:
 * a blob appears whole or not at all, is never replaced, and is named by
 * its SHA-256.  blob_dir.c is the local directory backend; an object
 * store implements the same table.
 */
#ifndef MODVAULT_BLOB_BACKEND_H
#define MODVAULT_BLOB_BACKEND_H

#include <stdbool.h>

#include "modvault/store/blob.h"

struct mv_blob_ops {
	/*
	 * Makes the staged file, whose SHA-256 (digest) and size (ref) the
	 * caller established, durable under its digest.  Already stored:
	 * success, keeping the one copy (*created false).  *created says the
	 * copy this node reads is these staged bytes (an object store's
	 * node cache counts).
	 */
	int	(*put)(struct mv_blobstore *bs, struct mv_staged *sf,
		    const struct mv_blobref *ref, bool *created,
		    struct mv_err *err);
	/*
	 * Optional: put for many staged files at once (blob.h,
	 * mv_blob_put_batch), with fewer syncs; NULL: put each.
	 */
	int	(*put_batch)(struct mv_blobstore *bs, struct mv_blob_put *p,
		    size_t n, struct mv_err *err);
	/* A reader (MV_ENOTFOUND when absent). */
	int	(*open)(struct mv_blobstore *bs, const unsigned char *digest,
		    struct mv_blob_reader **r, struct mv_err *err);
	/* A reader of the shared copy itself, past any node cache. */
	int	(*open_origin)(struct mv_blobstore *bs,
		    const unsigned char *digest, struct mv_blob_reader **r,
		    struct mv_err *err);
	int	(*stat)(struct mv_blobstore *bs, const unsigned char *digest,
		    uint64_t *size, struct mv_err *err);
	/* Seconds since the blob was stored (MV_ENOTFOUND: absent). */
	int	(*age)(struct mv_blobstore *bs, const unsigned char *digest,
		    int64_t *seconds, struct mv_err *err);
	/* Out of the store's name space at once; bytes freed by reclaim. */
	int	(*remove)(struct mv_blobstore *bs, const unsigned char *digest,
		    struct mv_err *err);
	void	(*reclaim)(struct mv_blobstore *bs);
	int	(*iterate)(struct mv_blobstore *bs, mv_blob_iter_fn fn,
		    void *ctx, struct mv_err *err);
	int	(*delivery)(struct mv_blobstore *bs,
		    const unsigned char *digest, struct mv_delivery *d,
		    struct mv_err *err);
	/* Moves a blob out of the store, kept aside (MV_ENOTFOUND: gone). */
	int	(*quarantine)(struct mv_blobstore *bs,
		    const unsigned char *digest, struct mv_err *err);
	/*
	 * Makes a blob readable as the backend promises (the directory: mode
	 * 0444, for a web server running as another user); *repaired says
	 * whether it was not.
	 */
	int	(*upkeep)(struct mv_blobstore *bs, const unsigned char *digest,
		    bool *repaired, struct mv_err *err);
	/*
	 * A staged file of the blob made the cheap way (an object store: the
	 * download itself, hashed on the way), or *sf NULL when there is none
	 * (NULL op: read the blob).
	 */
	int	(*stage)(struct mv_blobstore *bs, const unsigned char *digest,
		    struct mv_staged **sf, struct mv_err *err);
	/*
	 * Puts the shared copy back from a local one (NULL: the backend has
	 * no other copy; MV_ENOTFOUND).
	 */
	int	(*mend)(struct mv_blobstore *bs, const unsigned char *digest,
		    struct mv_err *err);
	void	(*close)(struct mv_blobstore *bs);
};

struct mv_blobstore {
	const struct mv_blob_ops	*ops;
};

/* What every backend's reader starts with. */
struct mv_blob_reader_ops {
	int	(*pread)(struct mv_blob_reader *r, void *p, size_t n,
		    uint64_t off, size_t *got, struct mv_err *err);
	void	(*close)(struct mv_blob_reader *r);
};

/* A reader over a staged file, which it discards when closed. */
int	 mv_staged_reader(struct mv_staged *sf, struct mv_blob_reader **r,
	    struct mv_err *err);

struct mv_blob_reader {
	const struct mv_blob_reader_ops	*ops;
	uint64_t			 size;
	uint64_t			 pos;	/* of sequential reads */
};

#endif
