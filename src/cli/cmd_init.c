/* cmd_init.c: `modvault init`: create the store, or upgrade it in place. */
/*
 * An upgrade to schema 5 also writes each older version's manifest
 * (manifest.h), so every stored version can be rebuilt from the blobs.
 * A data directory that has blobs but lost its index is refused (the
 * store says so, naming reindex) unless --empty says to start over.
 */
#include <inttypes.h>
#include <stdio.h>

#include "modvault/store/manifest.h"
#include "cli.h"

int
cmd_init(struct cli *c, int argc, char **argv)
{
	bool empty = false;
	const struct cli_opt opts[] = { { "empty", NULL, &empty },
	    { NULL, NULL, NULL } };
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st;
	uint64_t written;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, opts, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	if ((rc = cli_open_store(c, MV_STORE_CREATE | (empty ?
	    MV_STORE_ADOPT : 0), &st)) != CLI_OK)
		return rc;
	if (mv_store_backfill_manifests(st, &written, &err) == -1) {
		cli_error(c, "writing manifests: %s", err.msg);
		mv_store_close(st);
		return CLI_FAILED;
	}
	mv_store_close(st);
	if (written > 0)
		printf("wrote the manifests of %" PRIu64 " versions\n", written);
	printf("store ready in %s (schema version %d)\n", c->cfg.data_dir,
	    MV_SCHEMA_VERSION);
	return CLI_OK;
}
