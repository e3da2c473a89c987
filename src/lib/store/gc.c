/* gc.c: eviction and removal of unreferenced blobs (see gc.h). */
/*
 * The blob walk holds no lock: each blob found unreferenced is removed in
 * a short transaction of its own that looks again under the write lock,
 * and its bytes are freed after the commit (mv_blob_reclaim), so a slow
 * disk never makes a responder wait, and a row committed meanwhile keeps
 * its blob.  (mv_store_insert checks under
 * the same lock that its blobs exist, and stores them again if gc took
 * one first.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/store/cache.h"
#include "modvault/store/gc.h"
#include "modvault/store/shared.h"
#include "index_priv.h"

/* A removed blob's check record goes with it. */
static int
forget_check(struct mv_store *st, const unsigned char *digest,
    struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];
	sqlite3_stmt *s;

	mv_hex(digest, MV_SHA256_LEN, hex);
	if ((s = stmt_text(st, ST_CHECK_DEL, hex, NULL, err)) == NULL)
		return -1;
	return run(st, s, err);
}

/* Removes a blob no row uses any more; the caller holds the write lock. */
static int
release_blob(struct mv_store *st, const struct mv_blobref *b, uint64_t *freed,
    struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	bool used = true;

	if (mv_store_blob_used(st, b->digest, &used, err) == -1)
		return -1;
	if (used)
		return 0;
	if (mv_blob_remove(st->blobs, b->digest, &e) == -1) {
		if (e.code == MV_ENOTFOUND)
			return 0;	/* shared by two fields of the row */
		return mv_err_pass(err, &e);
	}
	*freed += b->size;
	return forget_check(st, b->digest, err);
}

int
mv_store_evict(struct mv_store *st, const char *module, const char *version,
    uint64_t *freed, struct mv_err *err)
{
	struct mv_version v;
	uint64_t n = 0;

	if (mv_store_get(st, module, version, &v, err) == -1)
		return -1;
	/* Shared: withdrawn for every node; the blobs wait for the grace. */
	if (mv_store_shared(st)) {
		if (mv_store_shared_remove(st, module, version, err) == -1 ||
		    mv_store_remove(st, module, version, err) == -1)
			return -1;
		if (freed != NULL)
			*freed = v.zip.size + v.mod.size + v.info.size;
		return 0;
	}
	if (mv_store_remove(st, module, version, err) == -1)
		return -1;
	/*
	 * A second transaction that writes nothing: it only holds the lock
	 * while blobs go, so no insert can start using one meanwhile, and a
	 * failure here leaves orphans for gc, never a row without its blob.
	 */
	if (begin(st, err) == -1)
		return -1;
	if (release_blob(st, &v.zip, &n, err) == -1 ||
	    release_blob(st, &v.mod, &n, err) == -1 ||
	    release_blob(st, &v.info, &n, err) == -1 ||
	    (v.manifest.size > 0 &&
	    release_blob(st, &v.manifest, &n, err) == -1))
		goto fail;
	if (commit(st, err) == -1)
		goto fail;
	mv_blob_reclaim(st->blobs);
	if (freed != NULL)
		*freed = n;
	return 0;
fail:
	rollback(st);
	mv_blob_reclaim(st->blobs);
	return -1;
}

struct sweep {
	struct mv_store	*st;
	struct mv_err	*err;
	uint64_t	 nblobs, bytes;
};

/* A blob the walk found: unreferenced without the lock, then with it. */
static int
sweep_one(void *ctx, const struct mv_blobref *ref)
{
	struct sweep *g = ctx;
	uint64_t before = g->bytes;
	bool used = true;

	if (mv_store_blob_used(g->st, ref->digest, &used, g->err) == -1)
		return -1;
	if (used)
		return 0;
	if (begin(g->st, g->err) == -1)
		return -1;
	if (release_blob(g->st, ref, &g->bytes, g->err) == -1 ||
	    commit(g->st, g->err) == -1) {
		rollback(g->st);
		mv_blob_reclaim(g->st->blobs);
		return -1;
	}
	mv_blob_reclaim(g->st->blobs);
	if (g->bytes != before)
		g->nblobs++;
	return 0;
}

int
mv_store_gc_blobs(struct mv_store *st, uint64_t *nblobs, uint64_t *bytes,
    struct mv_err *err)
{
	struct sweep g = { st, err, 0, 0 };

	if (mv_blob_iterate(st->blobs, sweep_one, &g, err) != 0)
		return -1;
	if (nblobs != NULL)
		*nblobs = g.nblobs;
	if (bytes != NULL)
		*bytes = g.bytes;
	return 0;
}

/* A version gc may evict, and when it was last used. */
struct victim {
	char		module[MV_MODPATH_MAX_BYTES + 1];
	char		version[MV_VERSION_MAX_BYTES + 1];
	int64_t		last_use;
};

struct victims {
	struct mv_store	*st;
	struct victim	*v;
	size_t		 n, cap;
	struct mv_err	*err;
};

static int
collect(void *ctx, const struct mv_version *v)
{
	struct victims *vs = ctx;
	struct victim *p;
	int64_t read;

	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 256;
		if ((p = realloc(vs->v, vs->cap * sizeof(*p))) == NULL)
			return mv_fail(vs->err, MV_ENOMEM, "out of memory");
		vs->v = p;
	}
	p = &vs->v[vs->n++];
	memcpy(p->module, v->module, sizeof(p->module));
	memcpy(p->version, v->version, sizeof(p->version));
	p->last_use = v->last_served > v->fetched_at ? v->last_served :
	    v->fetched_at;
	/* A hit the web server sent from the static tree (tree.h). */
	if ((read = mv_store_tree_last_read(vs->st, v)) > p->last_use)
		p->last_use = read;
	return 0;
}

/* Least recently used first. */
static int
cmp_victim(const void *a, const void *b)
{
	const struct victim *x = a, *y = b;
	int k;

	if (x->last_use != y->last_use)
		return x->last_use < y->last_use ? -1 : 1;
	k = strcmp(x->module, y->module);
	return k != 0 ? k : strcmp(x->version, y->version);
}

static int
sum_blob(void *ctx, const struct mv_blobref *ref)
{
	*(uint64_t *)ctx += ref->size;
	return 0;
}

/* Is v due for eviction, with blobs holding *bytes now? */
static bool
due(const struct mv_gc_opts *o, const struct victim *v, uint64_t bytes)
{
	return (o->older_than && o->now - v->last_use > (int64_t)o->days *
	    86400) || (o->max_bytes && bytes > o->bytes);
}

static int
evict_due(struct mv_store *st, const struct mv_gc_opts *o,
    struct mv_gc_report *rep, struct mv_err *err)
{
	struct victims vs = { st, NULL, 0, 0, err };
	uint64_t freed;
	size_t i;
	int rc = 0;

	if (mv_store_each(st, NULL, collect, &vs, err) != 0) {
		free(vs.v);
		return -1;
	}
	if (vs.n > 0)
		qsort(vs.v, vs.n, sizeof(*vs.v), cmp_victim);
	for (i = 0; rc == 0 && i < vs.n; i++) {
		if (!due(o, &vs.v[i], rep->blob_bytes))
			continue;
		if ((rc = mv_store_evict(st, vs.v[i].module, vs.v[i].version,
		    &freed, err)) == -1) {
			mv_wrap(err, "evicting %s@%s: ", vs.v[i].module,
			    vs.v[i].version);
			break;
		}
		rep->evicted++;
		rep->evicted_bytes += freed;
		rep->blob_bytes -= freed <= rep->blob_bytes ? freed :
		    rep->blob_bytes;
		if (o->evicted != NULL)
			o->evicted(o->ctx, vs.v[i].module, vs.v[i].version,
			    freed);
	}
	free(vs.v);
	return rc;
}

int
mv_store_gc(struct mv_store *st, const struct mv_gc_opts *opts,
    struct mv_gc_report *rep, struct mv_err *err)
{
	memset(rep, 0, sizeof(*rep));
	if (mv_stage_clean(st->stage, &rep->staged_removed, err) == -1 ||
	    mv_store_negative_sweep(st, opts->now, err) == -1)
		return -1;
	if (mv_store_shared(st)) {
		if (mv_store_gc_shared_blobs(st, opts->grace, rep, err) == -1)
			return -1;
	} else if (mv_store_gc_blobs(st, &rep->blobs_removed,
	    &rep->blob_bytes_removed, err) == -1 ||
	    mv_blob_iterate(st->blobs, sum_blob, &rep->blob_bytes, err) != 0)
		return -1;
	if (!opts->older_than && !opts->max_bytes)
		return 0;
	return evict_due(st, opts, rep, err);
}
