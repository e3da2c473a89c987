/* cmd_gc.c: `modvault gc`: free unreferenced blobs, evict old versions. */
/*
 * A version's last use is the later of its last_served and fetched_at, so
 * a version imported yesterday and never served is not "unused for years".
 * Eviction goes through mv_store_evict, which frees a blob only under the
 * index's write lock, so a concurrent fetch can never commit a row for a
 * blob being deleted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

struct victim {
	char		module[MV_MODPATH_MAX + 1];
	char		version[MV_VERSION_MAX + 1];
	int64_t		last_use;
};

struct gc {
	struct victim	*v;
	size_t		 n, cap;
	uint64_t	 blob_bytes;
	uint64_t	 evicted, freed;
};

static int
collect(void *ctx, const struct mv_version *v)
{
	struct gc *g = ctx;
	struct victim *p;

	if ((p = cli_grow(g->v, &g->cap, g->n, sizeof(*g->v))) == NULL)
		return -1;
	g->v = p;
	p = &g->v[g->n++];
	snprintf(p->module, sizeof(p->module), "%s", v->module);
	snprintf(p->version, sizeof(p->version), "%s", v->version);
	p->last_use = v->last_served > v->fetched_at ? v->last_served :
	    v->fetched_at;
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
	((struct gc *)ctx)->blob_bytes += ref->size;
	return 0;
}

static int
evict(struct cli *c, struct mv_store *st, struct gc *g, struct victim *v)
{
	struct mv_err err;
	uint64_t freed;

	if (mv_store_evict(st, v->module, v->version, &freed, &err) == -1) {
		cli_error(c, "%s@%s: %s", v->module, v->version, err.msg);
		return -1;
	}
	printf("evicted %s@%s (%" PRIu64 " bytes freed)\n", v->module,
	    v->version, freed);
	g->evicted++;
	g->freed += freed;
	g->blob_bytes -= freed <= g->blob_bytes ? freed : g->blob_bytes;
	return 0;
}

static int
run_gc(struct cli *c, struct mv_store *st, struct gc *g, const char *older,
    const char *max)
{
	struct mv_blobstore *bs = mv_store_blobs(st);
	uint64_t days = 0, limit = 0, nblobs, bytes;
	int64_t now = (int64_t)time(NULL);
	struct mv_err err;
	size_t i;

	if (mv_store_each(st, NULL, collect, g, &err) != 0 ||
	    mv_store_negative_sweep(st, now, &err) == -1 ||
	    mv_store_gc_blobs(st, &nblobs, &bytes, &err) == -1 ||
	    bs->ops->iterate(bs, sum_blob, g, &err) != 0) {
		cli_error(c, "%s", err.msg);
		return CLI_FAILED;
	}
	printf("removed %" PRIu64 " unreferenced blobs (%" PRIu64 " bytes)\n",
	    nblobs, bytes);
	if (g->n > 0)
		qsort(g->v, g->n, sizeof(*g->v), cmp_victim);
	if (older != NULL)
		cli_parse_u64(older, false, &days);
	if (max != NULL)
		cli_parse_u64(max, true, &limit);
	for (i = 0; i < g->n; i++) {
		if (!((older != NULL && now - g->v[i].last_use >
		    (int64_t)days * 86400) ||
		    (max != NULL && g->blob_bytes > limit)))
			continue;
		if (evict(c, st, g, &g->v[i]) == -1)
			return CLI_FAILED;
	}
	printf("evicted %" PRIu64 " versions (%" PRIu64 " bytes); blobs now "
	    "hold %" PRIu64 " bytes\n", g->evicted, g->freed, g->blob_bytes);
	return CLI_OK;
}

int
cmd_gc(struct cli *c, int argc, char **argv)
{
	const char *older = NULL, *max = NULL;
	const struct cli_opt opts[] = {
		{ "older-than", &older, NULL },
		{ "max-bytes", &max, NULL },
		{ NULL, NULL, NULL },
	};
	struct gc g;
	struct mv_store *st;
	uint64_t n;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, opts, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	if (older != NULL && (!cli_parse_u64(older, false, &n) ||
	    n > INT32_MAX))
		return cli_usage(c, "--older-than: \"%s\" is not a number of "
		    "days", older);
	if (max != NULL && !cli_parse_u64(max, true, &n))
		return cli_usage(c, "--max-bytes: \"%s\" is not a byte count",
		    max);
	if ((rc = cli_open_store(c, 0, &st)) != CLI_OK)
		return rc;
	memset(&g, 0, sizeof(g));
	rc = run_gc(c, st, &g, older, max);
	free(g.v);
	mv_store_close(st);
	return rc;
}
