/* gc_shared.c: collecting a bucket other nodes use too (see gc.h). */
/*
 * The index-lock argument of gc.c holds on one node only: another node
 * may have uploaded blobs whose manifest it has not written yet.  So on a
 * shared bucket a blob is referenced when any manifest in the bucket (or
 * a row of this node) names it, and an unreferenced blob is removed only
 * once it is older than the grace period, longer than any fetch takes.
 */
#include <stdlib.h>
#include <string.h>

#include "modvault/store/gc.h"
#include "modvault/store/manifest.h"
#include "modvault/store/shared.h"
#include "blob_s3.h"
#include "index_priv.h"

struct refs {
	unsigned char	(*d)[MV_SHA256_LEN];
	size_t		 n, cap;
	struct mv_err	*err;
};

static int
add(struct refs *r, const unsigned char *digest)
{
	unsigned char (*p)[MV_SHA256_LEN];

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		if ((p = realloc(r->d, r->cap * sizeof(*p))) == NULL)
			return mv_fail(r->err, MV_ENOMEM, "out of memory");
		r->d = p;
	}
	memcpy(r->d[r->n++], digest, MV_SHA256_LEN);
	return 0;
}

/* A version's three blobs and its manifest blob (whose text is fixed). */
static int
add_version(void *ctx, const struct mv_version *v)
{
	struct refs *r = ctx;
	unsigned char md[MV_SHA256_LEN];
	struct mv_buf text;
	int rc;

	mv_buf_init(&text, MV_MANIFEST_MAX_BYTES);
	rc = mv_manifest_format(v, &text, r->err);
	if (rc == 0)
		rc = mv_sha256(text.data, text.len, md, r->err);
	mv_buf_free(&text);
	if (rc == -1 || add(r, v->zip.digest) == -1 ||
	    add(r, v->mod.digest) == -1 || add(r, v->info.digest) == -1 ||
	    add(r, md) == -1)
		return -1;
	return 0;
}

static int
cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, MV_SHA256_LEN);
}

struct sweep {
	struct refs		*refs;
	struct mv_blobref	*cand;	/* unreferenced: removed if old */
	size_t			 n, cap;
	uint64_t		 total;	/* bytes the bucket's blobs hold */
	struct mv_err		*err;
};

static int
look(void *ctx, const struct mv_blobref *ref)
{
	struct sweep *s = ctx;
	struct mv_blobref *p;

	s->total += ref->size;
	if (bsearch(ref->digest, s->refs->d, s->refs->n, MV_SHA256_LEN,
	    cmp_digest) != NULL)
		return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		if ((p = realloc(s->cand, s->cap * sizeof(*p))) == NULL)
			return mv_fail(s->err, MV_ENOMEM, "out of memory");
		s->cand = p;
	}
	s->cand[s->n++] = *ref;
	return 0;
}

/* The unreferenced blobs older than the grace period go. */
static int
remove_old(struct mv_store *st, struct sweep *s, int64_t grace,
    struct mv_gc_report *rep, struct mv_err *err)
{
	int64_t age;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (mv_blob_age(st->blobs, s->cand[i].digest, &age, err) == -1)
			return -1;
		if (age < grace)
			continue;
		if (mv_blob_remove(st->blobs, s->cand[i].digest, err) == -1)
			return -1;
		rep->blobs_removed++;
		rep->blob_bytes_removed += s->cand[i].size;
		s->total -= s->cand[i].size;
	}
	mv_blob_reclaim(st->blobs);
	return 0;
}

int
mv_store_gc_shared_blobs(struct mv_store *st, int64_t grace,
    struct mv_gc_report *rep, struct mv_err *err)
{
	struct refs r = { NULL, 0, 0, err };
	struct sweep s = { &r, NULL, 0, 0, 0, err };
	int rc = -1;

	if (mv_store_shared_each_version(st, NULL, add_version, &r, err) != 0 ||
	    mv_store_each(st, NULL, add_version, &r, err) != 0)
		goto done;
	if (r.n > 0)
		qsort(r.d, r.n, MV_SHA256_LEN, cmp_digest);
	if (mv_blob_iterate(st->blobs, look, &s, err) != 0 ||
	    remove_old(st, &s, grace, rep, err) == -1)
		goto done;
	rep->blob_bytes = s.total;
	rc = mv_blobs3_trim(st->blobs, &rep->cache_bytes_trimmed, err);
done:
	free(r.d);
	free(s.cand);
	return rc;
}
