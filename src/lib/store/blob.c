/*
 * blob.c: the blob functions every caller uses, over any backend (see
 * blob.h and blob_backend.h).  Arguments are checked here once, so the
 * backends only store and fetch bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob_backend.h"

/* Bytes hashed per read when a staged file's digest is not known. */
#define HASH_CHUNK	(128 * 1024)

__attribute__((weak)) void
mv_crash_point(const char *point)
{
	(void)point;
}

void
mv_blobstore_close(struct mv_blobstore *bs)
{
	if (bs != NULL)
		bs->ops->close(bs);
}

/* SHA-256 of the whole staged file, read with pread. */
static int
hash_staged(const struct mv_staged *sf, uint64_t size, unsigned char *digest,
    struct mv_err *err)
{
	unsigned char *chunk;
	struct mv_sha256 *sha;
	uint64_t off = 0;
	ssize_t k;
	int rc = -1;

	if ((sha = mv_sha256_new(err)) == NULL)
		return -1;
	if ((chunk = malloc(HASH_CHUNK)) == NULL) {
		mv_sha256_free(sha);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	while (off < size) {
		k = pread(mv_staged_fd(sf), chunk, size - off < HASH_CHUNK ?
		    (size_t)(size - off) : HASH_CHUNK, (off_t)off);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0) {
			mv_fail(err, MV_EIO, "cannot read a staged file: %s",
			    k == 0 ? "it shrank" : strerror(errno));
			goto done;
		}
		if (mv_sha256_update(sha, chunk, (size_t)k, err) == -1)
			goto done;
		off += (uint64_t)k;
	}
	rc = mv_sha256_final(sha, digest, err);
done:
	free(chunk);
	mv_sha256_free(sha);
	return rc;
}

int
mv_blob_ref_staged(const struct mv_staged *sf, const unsigned char *digest,
    struct mv_blobref *ref, struct mv_err *err)
{
	if (mv_staged_size(sf, &ref->size, err) == -1)
		return -1;
	if (digest != NULL) {
		memcpy(ref->digest, digest, MV_SHA256_LEN);
		return 0;
	}
	return hash_staged(sf, ref->size, ref->digest, err);
}

int
mv_blob_put_batch(struct mv_blobstore *bs, struct mv_blob_put *p, size_t n,
    struct mv_err *err)
{
	size_t i;

	if (bs->ops->put_batch != NULL)
		return bs->ops->put_batch(bs, p, n, err);
	for (i = 0; i < n; i++) {
		p[i].created = false;
		if (bs->ops->put(bs, p[i].sf, &p[i].ref, &p[i].created,
		    err) == -1)
			return -1;
	}
	return 0;
}

int
mv_blob_put_staged(struct mv_blobstore *bs, struct mv_staged *sf,
    const unsigned char *digest, struct mv_blobref *ref, bool *created,
    struct mv_err *err)
{
	struct mv_blob_put p = { .sf = sf };

	if (mv_blob_ref_staged(sf, digest, &p.ref, err) == -1 ||
	    mv_blob_put_batch(bs, &p, 1, err) == -1)
		return -1;
	*ref = p.ref;
	if (created != NULL)
		*created = p.created;
	return 0;
}

int
mv_blob_put_mem(struct mv_blobstore *bs, struct mv_stage *sg, const void *p,
    size_t n, struct mv_blobref *ref, struct mv_err *err)
{
	unsigned char digest[MV_SHA256_LEN];
	struct mv_staged *sf;
	int rc;

	if (mv_sha256(p, n, digest, err) == -1 ||
	    mv_stage_file(sg, &sf, err) == -1)
		return -1;
	rc = mv_staged_write(sf, p, n, err);
	if (rc == 0)
		rc = mv_blob_put_staged(bs, sf, digest, ref, NULL, err);
	mv_staged_discard(sf);
	return rc;
}

int
mv_blob_open(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_blob_reader **r, struct mv_err *err)
{
	return bs->ops->open(bs, digest, r, err);
}

int
mv_blob_open_origin(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_blob_reader **r, struct mv_err *err)
{
	return bs->ops->open_origin(bs, digest, r, err);
}

/* A staged file read as a blob: a download the scrub checks, then drops. */
struct staged_reader {
	struct mv_blob_reader	 base;
	struct mv_staged	*sf;
};

static int
staged_pread(struct mv_blob_reader *br, void *p, size_t n, uint64_t off,
    size_t *got, struct mv_err *err)
{
	struct staged_reader *r = (struct staged_reader *)br;
	ssize_t k;

	do
		k = pread(mv_staged_fd(r->sf), p, n, (off_t)off);
	while (k == -1 && errno == EINTR);
	if (k == -1)
		return mv_fail(err, MV_EIO, "cannot read a staged file: %s",
		    strerror(errno));
	*got = (size_t)k;
	return 0;
}

static void
staged_close(struct mv_blob_reader *br)
{
	struct staged_reader *r = (struct staged_reader *)br;

	mv_staged_discard(r->sf);
	free(r);
}

static const struct mv_blob_reader_ops staged_reader_ops = {
	.pread = staged_pread,
	.close = staged_close,
};

int
mv_staged_reader(struct mv_staged *sf, struct mv_blob_reader **rp,
    struct mv_err *err)
{
	struct staged_reader *r;
	uint64_t size;

	if (mv_staged_size(sf, &size, err) == -1) {
		mv_staged_discard(sf);
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		mv_staged_discard(sf);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	r->base.ops = &staged_reader_ops;
	r->base.size = size;
	r->sf = sf;
	*rp = &r->base;
	return 0;
}

uint64_t
mv_blob_reader_size(const struct mv_blob_reader *r)
{
	return r->size;
}

int
mv_blob_pread(struct mv_blob_reader *r, void *p, size_t n, uint64_t off,
    size_t *got, struct mv_err *err)
{
	*got = 0;
	if (off >= r->size || n == 0)
		return 0;
	if (n > r->size - off)
		n = (size_t)(r->size - off);
	return r->ops->pread(r, p, n, off, got, err);
}

int
mv_blob_read(struct mv_blob_reader *r, void *p, size_t n, size_t *got,
    struct mv_err *err)
{
	if (mv_blob_pread(r, p, n, r->pos, got, err) == -1)
		return -1;
	r->pos += *got;
	return 0;
}

void
mv_blob_close(struct mv_blob_reader *r)
{
	if (r != NULL)
		r->ops->close(r);
}

int
mv_blob_stat(struct mv_blobstore *bs, const unsigned char *digest,
    uint64_t *size, struct mv_err *err)
{
	return bs->ops->stat(bs, digest, size, err);
}

int
mv_blob_age(struct mv_blobstore *bs, const unsigned char *digest,
    int64_t *seconds, struct mv_err *err)
{
	return bs->ops->age(bs, digest, seconds, err);
}

int
mv_blob_remove(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_err *err)
{
	return bs->ops->remove(bs, digest, err);
}

void
mv_blob_reclaim(struct mv_blobstore *bs)
{
	bs->ops->reclaim(bs);
}

int
mv_blob_iterate(struct mv_blobstore *bs, mv_blob_iter_fn fn, void *ctx,
    struct mv_err *err)
{
	return bs->ops->iterate(bs, fn, ctx, err);
}

int
mv_blob_delivery(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_delivery *d, struct mv_err *err)
{
	return bs->ops->delivery(bs, digest, d, err);
}

int
mv_blob_verify(struct mv_blobstore *bs, const struct mv_blobref *ref,
    struct mv_err *err)
{
	unsigned char got[MV_SHA256_LEN], *chunk;
	struct mv_blob_reader *r;
	struct mv_sha256 *sha;
	uint64_t total = 0;
	size_t n;
	int rc;

	if (mv_blob_open(bs, ref->digest, &r, err) == -1)
		return -1;
	if ((chunk = malloc(HASH_CHUNK)) == NULL ||
	    (sha = mv_sha256_new(err)) == NULL) {
		free(chunk);
		mv_blob_close(r);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	while ((rc = mv_blob_read(r, chunk, HASH_CHUNK, &n, err)) == 0 &&
	    n > 0 && (rc = mv_sha256_update(sha, chunk, n, err)) == 0)
		total += n;
	if (rc == 0)
		rc = mv_sha256_final(sha, got, err);
	mv_sha256_free(sha);
	free(chunk);
	mv_blob_close(r);
	if (rc == -1)
		return -1;
	if (total != ref->size || memcmp(got, ref->digest, MV_SHA256_LEN) != 0)
		return mv_fail(err, MV_ECORRUPT, "stored blob is damaged (%llu "
		    "bytes, the index says %llu, or its bytes changed)",
		    (unsigned long long)total, (unsigned long long)ref->size);
	return 0;
}

int
mv_blob_quarantine(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;

	if (bs->ops->quarantine(bs, digest, &e) == 0 || e.code == MV_ENOTFOUND)
		return 0;
	return mv_err_pass(err, &e);
}

int
mv_blob_upkeep(struct mv_blobstore *bs, const unsigned char *digest,
    bool *repaired, struct mv_err *err)
{
	*repaired = false;
	return bs->ops->upkeep(bs, digest, repaired, err);
}

int
mv_blob_stage(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_staged **sf, struct mv_err *err)
{
	*sf = NULL;
	if (bs->ops->stage == NULL)
		return 0;
	return bs->ops->stage(bs, digest, sf, err);
}

int
mv_blob_mend(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_err *err)
{
	if (bs->ops->mend == NULL)
		return mv_fail(err, MV_ENOTFOUND, "no second copy to mend from");
	return bs->ops->mend(bs, digest, err);
}

int
mv_blob_read_verified(struct mv_blobstore *bs, const struct mv_blobref *ref,
    size_t max, struct mv_buf *out, struct mv_err *err)
{
	unsigned char got[MV_SHA256_LEN];
	struct mv_blob_reader *r;
	size_t n;
	int rc;

	if (ref->size > max)
		return mv_fail(err, MV_ECORRUPT, "blob of %llu bytes is larger "
		    "than %zu", (unsigned long long)ref->size, max);
	if (mv_blob_open(bs, ref->digest, &r, err) == -1)
		return -1;
	if (mv_blob_reader_size(r) != ref->size)
		rc = mv_fail(err, MV_ECORRUPT, "stored blob has %llu bytes, the "
		    "index says %llu (run modvault verify)", (unsigned long long)
		    mv_blob_reader_size(r), (unsigned long long)ref->size);
	else
		rc = mv_buf_reserve(out, (size_t)ref->size, err);
	while (rc == 0 && out->len < ref->size) {
		rc = mv_blob_read(r, out->data + out->len,
		    (size_t)ref->size - out->len, &n, err);
		if (rc == 0 && n == 0)
			rc = mv_fail(err, MV_ECORRUPT, "stored blob is shorter "
			    "than recorded (run modvault verify)");
		if (rc == 0) {
			out->len += n;
			out->data[out->len] = '\0';
		}
	}
	mv_blob_close(r);
	if (rc == -1)
		return -1;
	if (mv_sha256(out->data, out->len, got, err) == -1)
		return -1;
	if (memcmp(got, ref->digest, MV_SHA256_LEN) != 0)
		return mv_fail(err, MV_ECORRUPT, "stored blob is damaged "
		    "(run modvault verify)");
	return 0;
}
