/* cmd_stats.c: `modvault stats`: counts, bytes and dedup savings. */
#include <inttypes.h>
#include <stdio.h>

#include "modvault/serve/serve.h"
#include "modvault/store/counters.h"
#include "modvault/store/verify.h"
#include "cli.h"

/* download_mode async: what the responders fetch in the background. */
static void
print_background(struct cli *c)
{
	struct mv_counters_snapshot s;
	struct mv_counters *ctr = NULL;
	struct mv_err err = MV_ERR_INIT;
	unsigned running;

	/* Running: the slots held, exact even after a fetch was killed. */
	if (mv_counters_open(&ctr, c->cfg.data_dir, &err) == -1 ||
	    mv_background_running(&c->cfg, &running, &err) == -1) {
		printf("background fetches: unknown (%s)\n", err.msg);
		mv_counters_close(ctr);
		return;
	}
	mv_counters_snapshot(ctr, &s);
	mv_counters_close(ctr);
	printf("background fetches: %u running, %" PRIu64 " done\n",
	    running, s.background_done);
}

static void
print_stats(const struct mv_store_stats *s)
{
	char t1[32], t2[32];

	cli_time(s->oldest_fetch, t1);
	cli_time(s->newest_fetch, t2);
	printf("modules: %" PRIu64 "\n", s->modules);
	printf("versions: %" PRIu64 "\n", s->versions);
	printf("blobs: %" PRIu64 "\n", s->blobs);
	printf("bytes stored: %" PRIu64 "\n", s->blob_bytes);
	printf("bytes referenced: %" PRIu64 "\n", s->referenced_bytes);
	printf("manifests: %" PRIu64 " (%" PRIu64 " bytes)\n", s->manifests,
	    s->manifest_bytes);
	printf("bytes saved by dedup: %" PRIu64 "\n",
	    s->referenced_bytes - s->unique_bytes);
	printf("bytes unreferenced: %" PRIu64 "\n",
	    s->blob_bytes > s->unique_bytes ? s->blob_bytes - s->unique_bytes :
	    0);
	printf("oldest fetch: %s\n", t1);
	printf("newest fetch: %s\n", t2);
}

int
cmd_stats(struct cli *c, int argc, char **argv)
{
	struct mv_store_stats s;
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, NULL, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	if ((rc = cli_open_store(c, MV_STORE_READONLY, &st)) != CLI_OK)
		return rc;
	if (mv_store_stats(st, &s, &err) == -1) {
		cli_error(c, "%s", err.msg);
		rc = CLI_FAILED;
	} else {
		print_stats(&s);
		print_background(c);
	}
	mv_store_close(st);
	return rc;
}
