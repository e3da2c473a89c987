/* blob_s3.c: blobs in an S3-compatible bucket, with a node-local cache. */
/*
 * The bucket holds PREFIX/blobs/ab/cd/<64 hex>, the bytes whose SHA-256
 * is that name.  A PUT signs the payload with that SHA-256, so the gateway
 * itself refuses bytes that are not the blob, and S3 makes an object
 * visible only whole: an interrupted upload leaves nothing any node reads.
 *
 * Every node keeps the blobs it used in a cache, data_dir/cache, which is
 * a directory backend (blob_dir.c) of its own: a read, a zip check or an
 * X-Sendfile works on a local file exactly as with storage = dir.  A blob
 * enters the cache from the staged file that was uploaded, or from a
 * download that is hashed on the way in and refused unless it hashes to
 * its name (a tampered object in the bucket is never served).  The cache
 * is bounded by cache_max_bytes, least recently used first
 * (mv_blobdir_trim).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/limits.h"
#include "modvault/net/s3.h"
#include "blob_backend.h"
#include "blob_s3.h"
#include "stage_priv.h"

#define CHUNK		(64 * 1024)
/* Blobs remembered as just downloaded, and for how long (seconds). */
#define KNOWN_SLOTS	8
#define KNOWN_SECONDS	60
/* Trim the cache once this share of its bound has come in since. */
#define TRIM_EVERY(max)	((max) / 16)

struct blobs3 {
	struct mv_blobstore	 base;
	struct mv_s3		*s3;	/* not owned */
	struct mv_blobstore	*cache;
	struct mv_stage		*stage;	/* not owned */
	struct mv_blobs3_opts	 o;
	char			 data_dir[PATH_MAX];
	uint64_t		 since_trim;	/* bytes cached since a trim */
	bool			 trimmed;	/* once by this process */
	/*
	 * Blobs this process has just downloaded whole from the bucket: a
	 * put of one of them (adopting a version) needs no HEAD to know the
	 * bucket has it.  A few seconds' memory: gc spares every blob for
	 * its grace period.
	 */
	struct {
		unsigned char	 digest[MV_SHA256_LEN];
		time_t		 at;
	}			 seen[KNOWN_SLOTS];
	unsigned		 next_seen;
};

/* Remembers that the bucket holds digest, as of now. */
static void
known_put(struct blobs3 *b, const unsigned char *digest)
{
	unsigned i = b->next_seen++ % KNOWN_SLOTS;

	memcpy(b->seen[i].digest, digest, MV_SHA256_LEN);
	b->seen[i].at = time(NULL);
}

/* The bucket's copy is going: a put must not take it as there. */
static void
known_forget(struct blobs3 *b, const unsigned char *digest)
{
	unsigned i;

	for (i = 0; i < KNOWN_SLOTS; i++)
		if (memcmp(b->seen[i].digest, digest, MV_SHA256_LEN) == 0)
			b->seen[i].at = 0;
}

static bool
known(const struct blobs3 *b, const unsigned char *digest)
{
	time_t now = time(NULL);
	unsigned i;

	for (i = 0; i < KNOWN_SLOTS; i++)
		if (b->seen[i].at != 0 && now - b->seen[i].at <= KNOWN_SECONDS &&
		    memcmp(b->seen[i].digest, digest, MV_SHA256_LEN) == 0)
			return true;
	return false;
}

/* PREFIX is the client's; this is the rest of the key. */
static void
blob_key(const unsigned char *digest, char *key, size_t keysz)
{
	char hex[MV_SHA256_HEX + 1];

	mv_hex(digest, MV_SHA256_LEN, hex);
	snprintf(key, keysz, "blobs/%.2s/%.2s/%s", hex, hex + 2, hex);
}

/* After bytes came into the cache: keep it within its bound. */
static void
keep_cache_bounded(struct blobs3 *b, uint64_t added)
{
	struct mv_err e = MV_ERR_INIT;

	b->since_trim += added;
	if (b->trimmed && b->since_trim < TRIM_EVERY(b->o.cache_max_bytes))
		return;
	if (mv_blobdir_trim(b->cache, b->o.cache_max_bytes, NULL, &e) == -1)
		mv_log_warn("trimming the blob cache: %s", e.msg);
	b->since_trim = 0;
	b->trimmed = true;
}

struct upload {
	int		 fd;
	uint64_t	 off;
};

static int
upload_read(void *ctx, void *p, size_t n, size_t *got, struct mv_err *err)
{
	struct upload *u = ctx;
	ssize_t k;

	do
		k = pread(u->fd, p, n, (off_t)u->off);
	while (k == -1 && errno == EINTR);
	if (k == -1)
		return mv_fail(err, MV_EIO, "cannot read a staged file: %s",
		    strerror(errno));
	u->off += (uint64_t)k;
	*got = (size_t)k;
	return 0;
}

/*
 * Into the bucket unless it is there already (a HEAD costs less than
 * sending the bytes again), then into the cache from the same file.
 */
static int
s3_put(struct mv_blobstore *bs, struct mv_staged *sf,
    const struct mv_blobref *ref, bool *created, struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	char key[MV_S3_KEY_MAX_BYTES], hex[MV_SHA256_HEX + 1];
	struct mv_err e = MV_ERR_INIT;
	struct upload u = { mv_staged_fd(sf), 0 };
	struct mv_blobref dummy;
	bool cached;
	uint64_t size;

	blob_key(ref->digest, key, sizeof(key));
	*created = false;
	if (known(b, ref->digest))
		;	/* just downloaded from the bucket, hashed whole */
	else if (mv_s3_head(b->s3, key, &size, NULL, &e) == -1) {
		if (e.code != MV_ENOTFOUND)
			return mv_err_pass(err, &e);
		mv_hex(ref->digest, MV_SHA256_LEN, hex);
		if (mv_s3_put(b->s3, key, ref->size, hex, true, upload_read,
		    &u, created, err) == -1)
			return -1;
	} else if (size != ref->size)
		return mv_fail(err, MV_ECORRUPT, "the bucket's blob %s has %llu "
		    "bytes, not %llu", key, (unsigned long long)size,
		    (unsigned long long)ref->size);
	if (mv_blob_put_staged(b->cache, sf, ref->digest, &dummy, &cached, err) == -1)
		return -1;
	/*
	 * New to this node: the cache's copy is the staged bytes just hashed,
	 * which the caller may record as checked (so X-Sendfile need not read
	 * them again before the first send).
	 */
	if (cached) {
		*created = true;
		keep_cache_bounded(b, ref->size);
	}
	return 0;
}

struct download {
	struct mv_staged	*sf;
	struct mv_sha256	*sha;
};

static int
download_write(void *ctx, const void *p, size_t n, struct mv_err *err)
{
	struct download *d = ctx;

	if (mv_sha256_update(d->sha, p, n, err) == -1)
		return -1;
	return mv_staged_write(d->sf, p, n, err);
}

/*
 * Bytes the bucket holds under a blob's name but which are not that blob:
 * out of the bucket, so the next store of the blob uploads it again, and
 * kept on this node for a look.
 */
static void
set_aside(struct blobs3 *b, struct mv_staged *sf, const unsigned char *digest)
{
	char key[MV_S3_KEY_MAX_BYTES], qdir[PATH_MAX + 32], to[PATH_MAX + 128];
	char hex[MV_SHA256_HEX + 1];

	blob_key(digest, key, sizeof(key));
	mv_hex(digest, MV_SHA256_LEN, hex);
	snprintf(qdir, sizeof(qdir), "%s/cache/quarantine", b->data_dir);
	snprintf(to, sizeof(to), "%s/%s.%lld", qdir, hex, (long long)time(NULL));
	if ((mkdir(qdir, 0777) == 0 || errno == EEXIST) &&
	    link(mv_staged_path(sf), to) == -1)
		mv_log_warn("cannot keep a damaged blob in \"%s\": %s", qdir,
		    strerror(errno));
	known_forget(b, digest);
	mv_log_error("blob %s in the bucket does not hash to its name: taken "
	    "out of the bucket", key);
	(void)mv_s3_delete(b->s3, key, NULL);
}

/*
 * The bucket's copy, into a staged file, hashed as it comes: refused
 * (MV_ECORRUPT) unless it hashes to its name.
 */
static int
download(struct blobs3 *b, const unsigned char *digest,
    struct mv_staged **sfp, uint64_t *size, struct mv_err *err)
{
	char key[MV_S3_KEY_MAX_BYTES];
	unsigned char got[MV_SHA256_LEN];
	struct download d = { NULL, NULL };
	int rc = -1;

	blob_key(digest, key, sizeof(key));
	if ((d.sha = mv_sha256_new(err)) == NULL)
		return -1;
	if (mv_stage_file(b->stage, &d.sf, err) == -1)
		goto done;
	if (mv_s3_get(b->s3, key, 0, 0, MV_ZIP_MAX_BYTES, download_write, &d,
	    size, err) == -1 || mv_sha256_final(d.sha, got, err) == -1)
		goto done;
	if (memcmp(got, digest, MV_SHA256_LEN) != 0) {
		set_aside(b, d.sf, digest);
		mv_fail(err, MV_ECORRUPT, "the bucket's copy of blob %s does "
		    "not hash to its name: taken out of the bucket (a copy is "
		    "in the cache's quarantine/)", key);
		goto done;
	}
	known_put(b, digest);
	*sfp = d.sf;
	d.sf = NULL;
	rc = 0;
done:
	mv_staged_discard(d.sf);
	mv_sha256_free(d.sha);
	return rc;
}

/* Makes sure the cache holds the blob, downloading it when it does not. */
static int
ensure_cached(struct blobs3 *b, const unsigned char *digest,
    struct mv_err *err)
{
	struct mv_blobref ref;
	struct mv_staged *sf;
	bool created;
	int rc;

	/* A hit costs one stat (and a utimensat a minute). */
	if (mv_blobdir_touch(b->cache, digest))
		return 0;
	if (download(b, digest, &sf, &ref.size, err) == -1)
		return -1;
	memcpy(ref.digest, digest, MV_SHA256_LEN);
	rc = mv_blob_put_staged(b->cache, sf, digest, &ref, &created, err);
	mv_staged_discard(sf);
	if (rc == 0 && created)
		keep_cache_bounded(b, ref.size);
	return rc;
}

static int
s3_open(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_blob_reader **r, struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;

	if (ensure_cached(b, digest, err) == -1)
		return -1;
	return mv_blob_open(b->cache, digest, r, err);
}

static int
s3_stat(struct mv_blobstore *bs, const unsigned char *digest, uint64_t *size,
    struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	char key[MV_S3_KEY_MAX_BYTES];

	if (mv_blob_stat(b->cache, digest, size, NULL) == 0)
		return 0;
	blob_key(digest, key, sizeof(key));
	return mv_s3_head(b->s3, key, size, NULL, err);
}

static int
s3_age(struct mv_blobstore *bs, const unsigned char *digest,
    int64_t *seconds, struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	char key[MV_S3_KEY_MAX_BYTES];
	uint64_t size;
	int64_t mtime;

	blob_key(digest, key, sizeof(key));
	if (mv_s3_head(b->s3, key, &size, &mtime, err) == -1)
		return -1;
	*seconds = (int64_t)time(NULL) - mtime;
	return 0;
}

int
mv_blobs3_trim(struct mv_blobstore *bs, uint64_t *freed, struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;

	return mv_blobdir_trim(b->cache, b->o.cache_max_bytes, freed, err);
}

/* From the bucket (MV_ENOTFOUND when it was not there) and the cache. */
static int
s3_remove(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	char key[MV_S3_KEY_MAX_BYTES];
	uint64_t size;

	blob_key(digest, key, sizeof(key));
	known_forget(b, digest);
	(void)mv_blob_remove(b->cache, digest, NULL);
	if (mv_s3_head(b->s3, key, &size, NULL, err) == -1)
		return -1;
	return mv_s3_delete(b->s3, key, err);
}

static void
s3_reclaim(struct mv_blobstore *bs)
{
	struct blobs3 *b = (struct blobs3 *)bs;

	mv_blob_reclaim(b->cache);
}

struct walk {
	mv_blob_iter_fn	 fn;
	void		*ctx;
};

/* "blobs/ab/cd/<hex>" → the blob; anything else in blobs/ is ignored. */
static int
walk_key(void *ctx, const char *key, uint64_t size, int64_t mtime)
{
	struct walk *w = ctx;
	struct mv_blobref ref;
	size_t n = strlen(key);

	(void)mtime;
	if (n != 12 + MV_SHA256_HEX || strncmp(key + 6, key + 12, 2) != 0 ||
	    strncmp(key + 9, key + 14, 2) != 0 ||
	    mv_unhex_sha256(key + 12, ref.digest) == -1)
		return 0;
	ref.size = size;
	return w->fn(w->ctx, &ref);
}

static int
s3_iterate(struct mv_blobstore *bs, mv_blob_iter_fn fn, void *ctx,
    struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	struct walk w = { fn, ctx };

	return mv_s3_list(b->s3, "blobs/", NULL, walk_key, &w, err);
}

/*
 * zip_delivery = redirect: a presigned URL, so the client fetches from
 * the bucket; else the cached file (X-Sendfile or streamed).
 */
static int
s3_delivery(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_delivery *d, struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	char key[MV_S3_KEY_MAX_BYTES];

	if (b->o.redirect) {
		blob_key(digest, key, sizeof(key));
		d->kind = MV_DELIVER_URL;
		return mv_s3_presign(b->s3, key, (int64_t)time(NULL),
		    b->o.presign_seconds, d->where, sizeof(d->where), err);
	}
	if (ensure_cached(b, digest, err) == -1)
		return -1;
	return mv_blob_delivery(b->cache, digest, d, err);
}

/*
 * Out of the bucket and the cache; the bytes the node has (or can still
 * get) are kept in data_dir/quarantine for a look.
 */
static int
s3_quarantine(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	char key[MV_S3_KEY_MAX_BYTES];
	struct mv_err e = MV_ERR_INIT;
	struct mv_staged *sf;
	struct mv_blobref ref;
	bool created;

	blob_key(digest, key, sizeof(key));
	known_forget(b, digest);
	if (mv_blob_quarantine(b->cache, digest, &e) == -1 &&
	    e.code == MV_ENOTFOUND) {
		/* Not cached: keep what the bucket holds, if it reads. */
		memcpy(ref.digest, digest, MV_SHA256_LEN);
		mv_err_clear(&e);
		if (download(b, digest, &sf, &ref.size, &e) == 0) {
			(void)mv_blob_put_staged(b->cache, sf, digest, &ref,
			    &created, NULL);
			mv_staged_discard(sf);
			(void)mv_blob_quarantine(b->cache, digest, NULL);
		}
	}
	return mv_s3_delete(b->s3, key, err);
}

static int
s3_upkeep(struct mv_blobstore *bs, const unsigned char *digest,
    bool *repaired, struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	struct mv_err e = MV_ERR_INIT;

	if (mv_blob_upkeep(b->cache, digest, repaired, &e) == 0 ||
	    e.code == MV_ENOTFOUND)
		return 0;
	return mv_err_pass(err, &e);
}

static int
s3_open_origin(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_blob_reader **r, struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	struct mv_staged *sf;
	uint64_t size;

	if (download(b, digest, &sf, &size, err) == -1)
		return -1;
	return mv_staged_reader(sf, r, err);
}

/* Uncached: the download is the staged file; cached: read the cache. */
static int
s3_stage(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_staged **sf, struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	uint64_t size;

	if (mv_blob_stat(b->cache, digest, &size, NULL) == 0)
		return 0;
	return download(b, digest, sf, &size, err);
}

/* A blob reader as the source of a PUT. */
static int
reader_read(void *ctx, void *p, size_t n, size_t *got, struct mv_err *err)
{
	return mv_blob_read(ctx, p, n, got, err);
}

/*
 * The cached copy, uploaded over whatever the bucket holds: signed with
 * its digest, so the gateway itself refuses bytes that are not the blob
 * (then the cached copy is the damaged one, and goes to quarantine).
 */
static int
s3_mend(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_err *err)
{
	struct blobs3 *b = (struct blobs3 *)bs;
	char key[MV_S3_KEY_MAX_BYTES], hex[MV_SHA256_HEX + 1];
	struct mv_blob_reader *r;
	struct mv_err e = MV_ERR_INIT;
	int rc;

	if (mv_blob_open(b->cache, digest, &r, err) == -1)
		return -1;
	blob_key(digest, key, sizeof(key));
	mv_hex(digest, MV_SHA256_LEN, hex);
	rc = mv_s3_put(b->s3, key, mv_blob_reader_size(r), hex, false,
	    reader_read, r, NULL, &e);
	mv_blob_close(r);
	if (rc == -1 && e.code == MV_ECORRUPT)
		(void)mv_blob_quarantine(b->cache, digest, NULL);
	if (rc == 0)
		mv_log_warn("blob %s put back into the bucket from this node's "
		    "cache", key);
	return rc == 0 ? 0 : mv_err_pass(err, &e);
}

static void
s3_close(struct mv_blobstore *bs)
{
	struct blobs3 *b = (struct blobs3 *)bs;

	mv_blobstore_close(b->cache);
	free(b);
}

static const struct mv_blob_ops s3_ops = {
	.put = s3_put,
	.open = s3_open,
	.open_origin = s3_open_origin,
	.stat = s3_stat,
	.age = s3_age,
	.remove = s3_remove,
	.reclaim = s3_reclaim,
	.iterate = s3_iterate,
	.delivery = s3_delivery,
	.quarantine = s3_quarantine,
	.upkeep = s3_upkeep,
	.mend = s3_mend,
	.stage = s3_stage,
	.close = s3_close,
};

int
mv_blobs3_open(const char *data_dir, struct mv_s3 *s3, struct mv_stage *sg,
    const struct mv_blobs3_opts *o, int create, struct mv_blobstore **bsp,
    struct mv_err *err)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 8];
	struct blobs3 *b;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/cache", data_dir) >=
	    sizeof(dir))
		return mv_fail(err, MV_EINVAL, "data directory name too long");
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	if (create && ((mkdir(dir, 0777) == -1 && errno != EEXIST) ||
	    (mkdir(tmp, 0777) == -1 && errno != EEXIST)))
		return mv_fail(err, mv_errno_code(errno), "cannot create \"%s\": "
		    "%s", dir, strerror(errno));
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	b->base.ops = &s3_ops;
	snprintf(b->data_dir, sizeof(b->data_dir), "%s", data_dir);
	b->s3 = s3;
	b->stage = sg;
	b->o = *o;
	if (mv_blobdir_open(dir, create, &b->cache, err) == -1) {
		free(b);
		return -1;
	}
	*bsp = &b->base;
	return 0;
}
