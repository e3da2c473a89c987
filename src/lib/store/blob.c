/*
 * blob.c: blob operations that work over any backend (see blob.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "modvault/store/blob.h"

int
mv_blob_read_verified(struct mv_blobstore *bs, const struct mv_blobref *ref,
    size_t max, struct mv_buf *out, struct mv_err *err)
{
	unsigned char got[MV_SHA256_LEN];
	char chunk[16384];
	uint64_t size;
	ssize_t n = 0;
	int fd, rc = 0;

	if (ref->size > max)
		return mv_fail(err, MV_ECORRUPT, "blob of %llu bytes is larger "
		    "than %zu", (unsigned long long)ref->size, max);
	if (bs->ops->open(bs, ref->digest, &fd, &size, err) == -1)
		return -1;
	while (rc == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = mv_fail(err, MV_EIO, "reading a blob: %s",
			    strerror(errno));
		else if (out->len + (size_t)n > ref->size)
			rc = mv_fail(err, MV_ECORRUPT, "stored blob is longer "
			    "than recorded (run modvault verify)");
		else
			rc = mv_buf_append(out, chunk, (size_t)n, err);
	}
	close(fd);
	if (rc == -1)
		return -1;
	if (out->len != ref->size || mv_sha256(out->data, out->len, got,
	    err) == -1 || memcmp(got, ref->digest, MV_SHA256_LEN) != 0)
		return mv_fail(err, MV_ECORRUPT, "stored blob is damaged "
		    "(run modvault verify)");
	return 0;
}
