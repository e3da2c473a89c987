/* stats.c: what a store holds, counted (see verify.h). */
#include <stdlib.h>
#include <string.h>

#include "modvault/store/manifest.h"
#include "modvault/store/shared.h"
#include "modvault/store/verify.h"

struct count {
	struct mv_store_stats	*s;
	bool			 shared;	/* the bucket's versions */
	char			 last_module[MV_MODPATH_MAX_BYTES + 1];
	struct mv_blobref	*refs;
	size_t			 nrefs, cap;
	struct mv_err		*err;
};

static int
add_ref(struct count *c, const struct mv_blobref *r)
{
	struct mv_blobref *p;

	if (c->nrefs == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		if ((p = realloc(c->refs, c->cap * sizeof(*p))) == NULL)
			return mv_fail(c->err, MV_ENOMEM, "out of memory");
		c->refs = p;
	}
	c->refs[c->nrefs++] = *r;
	return 0;
}

/* The size of v's manifest blob (its text is fixed by the row). */
static int
manifest_size(const struct mv_version *v, uint64_t *size, struct mv_err *err)
{
	struct mv_buf text;
	int rc;

	mv_buf_init(&text, MV_MANIFEST_MAX_BYTES);
	rc = mv_manifest_format(v, &text, err);
	*size = text.len;
	mv_buf_free(&text);
	return rc;
}

static int
count_version(void *ctx, const struct mv_version *v)
{
	struct count *c = ctx;
	struct mv_store_stats *s = c->s;
	uint64_t size;
	int rc = 0;

	s->versions++;
	if (strcmp(c->last_module, v->module) != 0) {
		s->modules++;
		memcpy(c->last_module, v->module, sizeof(c->last_module));
	}
	s->referenced_bytes += v->info.size + v->mod.size + v->zip.size;
	if (v->manifest.size > 0) {
		s->manifests++;
		s->manifest_bytes += v->manifest.size;
	} else if (c->shared && (rc = manifest_size(v, &size, c->err)) == 0) {
		/* A bucket manifest names no manifest blob: it is its text. */
		s->manifests++;
		s->manifest_bytes += size;
	}
	if (rc == -1)
		return -1;
	if (s->oldest_fetch == 0 || v->fetched_at < s->oldest_fetch)
		s->oldest_fetch = v->fetched_at;
	if (v->fetched_at > s->newest_fetch)
		s->newest_fetch = v->fetched_at;
	return add_ref(c, &v->info) || add_ref(c, &v->mod) ||
	    add_ref(c, &v->zip) ? -1 : 0;
}

static int
count_blob(void *ctx, const struct mv_blobref *ref)
{
	struct mv_store_stats *s = ctx;

	s->blobs++;
	s->blob_bytes += ref->size;
	return 0;
}

static int
cmp_ref(const void *a, const void *b)
{
	return memcmp(((const struct mv_blobref *)a)->digest,
	    ((const struct mv_blobref *)b)->digest, MV_SHA256_LEN);
}

int
mv_store_stats(struct mv_store *st, struct mv_store_stats *s,
    struct mv_err *err)
{
	struct count c = { s, mv_store_shared(st), "", NULL, 0, 0, err };
	size_t i;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if ((c.shared ? mv_store_shared_each_version(st, NULL, count_version,
	    &c, err) : mv_store_each(st, NULL, count_version, &c, err)) == 0 &&
	    mv_blob_iterate(mv_store_blobs(st), count_blob, s, err) == 0) {
		if (c.nrefs > 0)
			qsort(c.refs, c.nrefs, sizeof(*c.refs), cmp_ref);
		/* Each version's own manifest is not a module file. */
		s->blobs -= s->manifests < s->blobs ? s->manifests : s->blobs;
		s->blob_bytes -= s->manifest_bytes < s->blob_bytes ?
		    s->manifest_bytes : s->blob_bytes;
		for (i = 0; i < c.nrefs; i++)
			if (i == 0 || cmp_ref(&c.refs[i - 1], &c.refs[i]) != 0)
				s->unique_bytes += c.refs[i].size;
		rc = 0;
	}
	free(c.refs);
	return rc;
}
