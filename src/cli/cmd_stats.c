/* cmd_stats.c: `modvault stats`: counts, bytes and dedup savings. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct stats {
	char			 last_module[MV_MODPATH_MAX + 1];
	uint64_t		 versions, modules, logical;
	int64_t			 oldest, newest;
	struct mv_blobref	*refs;
	size_t			 nrefs, cap;
	uint64_t		 blobs, blob_bytes;
};

static int
add_ref(struct stats *s, const struct mv_blobref *r)
{
	struct mv_blobref *p;

	if ((p = cli_grow(s->refs, &s->cap, s->nrefs, sizeof(*s->refs))) == NULL)
		return -1;
	s->refs = p;
	s->refs[s->nrefs++] = *r;
	return 0;
}

static int
count_version(void *ctx, const struct mv_version *v)
{
	struct stats *s = ctx;

	s->versions++;
	if (strcmp(s->last_module, v->module) != 0) {
		s->modules++;
		snprintf(s->last_module, sizeof(s->last_module), "%s",
		    v->module);
	}
	s->logical += v->info.size + v->mod.size + v->zip.size;
	if (s->oldest == 0 || v->fetched_at < s->oldest)
		s->oldest = v->fetched_at;
	if (v->fetched_at > s->newest)
		s->newest = v->fetched_at;
	return add_ref(s, &v->info) || add_ref(s, &v->mod) ||
	    add_ref(s, &v->zip) ? -1 : 0;
}

static int
count_blob(void *ctx, const struct mv_blobref *ref)
{
	struct stats *s = ctx;

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

/* Bytes of the distinct blobs the versions use. */
static uint64_t
unique_bytes(struct stats *s)
{
	uint64_t n = 0;
	size_t i;

	if (s->nrefs > 0)
		qsort(s->refs, s->nrefs, sizeof(*s->refs), cmp_ref);
	for (i = 0; i < s->nrefs; i++)
		if (i == 0 || cmp_ref(&s->refs[i - 1], &s->refs[i]) != 0)
			n += s->refs[i].size;
	return n;
}

static void
print_stats(struct stats *s)
{
	uint64_t unique = unique_bytes(s);
	char t1[32], t2[32];

	cli_time(s->oldest, t1);
	cli_time(s->newest, t2);
	printf("modules: %" PRIu64 "\n", s->modules);
	printf("versions: %" PRIu64 "\n", s->versions);
	printf("blobs: %" PRIu64 "\n", s->blobs);
	printf("bytes stored: %" PRIu64 "\n", s->blob_bytes);
	printf("bytes referenced: %" PRIu64 "\n", s->logical);
	printf("bytes saved by dedup: %" PRIu64 "\n", s->logical - unique);
	printf("bytes unreferenced: %" PRIu64 "\n",
	    s->blob_bytes > unique ? s->blob_bytes - unique : 0);
	printf("oldest fetch: %s\n", t1);
	printf("newest fetch: %s\n", t2);
}

int
cmd_stats(struct cli *c, int argc, char **argv)
{
	struct stats s;
	struct mv_store *st;
	struct mv_blobstore *bs;
	struct mv_err err;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, NULL, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	if ((rc = cli_open_store(c, MV_STORE_READONLY, &st)) != CLI_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	bs = mv_store_blobs(st);
	mv_err_clear(&err);
	if (mv_store_each(st, NULL, count_version, &s, &err) != 0 ||
	    bs->ops->iterate(bs, count_blob, &s, &err) != 0) {
		cli_error(c, "%s", err.code != MV_OK ? err.msg : "out of memory");
		rc = CLI_FAILED;
	} else
		print_stats(&s);
	free(s.refs);
	mv_store_close(st);
	return rc;
}
