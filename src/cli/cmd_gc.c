/* cmd_gc.c: `modvault gc`: free unreferenced blobs, evict old versions. */
/*
 * The collection is the library's (mv_store_gc, gc.h); this parses the
 * limits and prints what was done.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "modvault/base/size.h"
#include "modvault/store/gc.h"
#include "cli.h"

static void
evicted(void *ctx, const char *module, const char *version, uint64_t freed)
{
	(void)ctx;
	printf("evicted %s@%s (%" PRIu64 " bytes freed)\n", module, version,
	    freed);
}

int
cmd_gc(struct cli *c, int argc, char **argv)
{
	const char *older = NULL, *max = NULL, *grace = NULL;
	const struct cli_opt opts[] = {
		{ "older-than", &older, NULL },
		{ "max-bytes", &max, NULL },
		{ "grace", &grace, NULL },
		{ NULL, NULL, NULL },
	};
	struct mv_gc_opts o = { .evicted = evicted };
	struct mv_err err = MV_ERR_INIT;
	struct mv_gc_report rep;
	struct mv_store *st;
	uint64_t secs;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, opts, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	if (older != NULL && (!cli_parse_u64(older, &o.days) ||
	    o.days > INT32_MAX))
		return cli_usage(c, "--older-than: \"%s\" is not a number of "
		    "days", older);
	if (max != NULL && !mv_size_parse(max, &o.bytes))
		return cli_usage(c, "--max-bytes: \"%s\" is not a byte count "
		    "(suffixes K, M, G, T)", max);
	secs = MV_GC_SHARED_GRACE;
	if (grace != NULL && (!cli_parse_u64(grace, &secs) ||
	    secs > INT32_MAX))
		return cli_usage(c, "--grace: \"%s\" is not a number of "
		    "seconds", grace);
	o.grace = (int64_t)secs;
	o.older_than = older != NULL;
	o.max_bytes = max != NULL;
	o.now = (int64_t)time(NULL);
	if ((rc = cli_open_store(c, 0, &st)) != CLI_OK)
		return rc;
	if (mv_store_gc(st, &o, &rep, &err) == -1) {
		cli_error(c, "%s", err.msg);
		rc = CLI_FAILED;
	} else {
		printf("removed %" PRIu64 " unreferenced blobs (%" PRIu64
		    " bytes) and %" PRIu64 " stray staged files\n",
		    rep.blobs_removed, rep.blob_bytes_removed,
		    rep.staged_removed);
		printf("evicted %" PRIu64 " versions (%" PRIu64 " bytes); blobs "
		    "now hold %" PRIu64 " bytes\n", rep.evicted,
		    rep.evicted_bytes, rep.blob_bytes);
		if (rep.cache_bytes_trimmed > 0)
			printf("trimmed %" PRIu64 " bytes from this node's blob "
			    "cache\n", rep.cache_bytes_trimmed);
	}
	mv_store_close(st);
	return rc;
}
