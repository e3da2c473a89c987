/*
 * blob_s3.h: the S3 backend and the directory backend's cache duties
 * (private to the store).
 */
#ifndef MODVAULT_BLOB_S3_H
#define MODVAULT_BLOB_S3_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/log.h"
#include "modvault/store/blob.h"
#include "modvault/store/stage.h"

struct mv_s3;

struct mv_blobs3_opts {
	bool		redirect;	/* zip_delivery = redirect */
	long		presign_seconds;	/* how long such a URL works */
	uint64_t	cache_max_bytes;
};

/*
 * Blobs in the bucket s3 talks to, cached in data_dir/cache (created when
 * create is set); downloads are staged in sg.  s3 and sg stay the
 * caller's and must outlive the backend.
 */
int	 mv_blobs3_open(const char *data_dir, struct mv_s3 *s3,
	    struct mv_stage *sg, const struct mv_blobs3_opts *o, int create,
	    struct mv_blobstore **bs, struct mv_err *err);

/* Trims an S3 backend's cache to cache_max_bytes. */
int	 mv_blobs3_trim(struct mv_blobstore *bs, uint64_t *freed,
	    struct mv_err *err);

/*
 * The directory backend as a cache: a blob used now (its access time set,
 * at most once a minute), and the least recently used removed until the
 * blobs total at most max bytes, sparing those used in the last ten
 * minutes (a web server may be about to send one).  *freed may be NULL.
 */
/* Where the directory backend keeps a blob (a cache's own business). */
void	 mv_blobdir_path(struct mv_blobstore *bs, const unsigned char *digest,
	    char *out, size_t outsz);
/*
 * Whether the directory holds the blob; if so, its access time is moved
 * to now (at most once a minute): the cache's "last served".
 */
bool	 mv_blobdir_touch(struct mv_blobstore *bs, const unsigned char *digest);
int	 mv_blobdir_trim(struct mv_blobstore *bs, uint64_t max,
	    uint64_t *freed, struct mv_err *err);

#endif
