/* cmd_init.c: `modvault init`: create the store, or upgrade it in place. */
#include <stdio.h>

#include "cli.h"

int
cmd_init(struct cli *c, int argc, char **argv)
{
	struct mv_store *st;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, NULL, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	if ((rc = cli_open_store(c, MV_STORE_CREATE, &st)) != CLI_OK)
		return rc;
	mv_store_close(st);
	printf("store ready in %s (schema version %d)\n", c->cfg.data_dir,
	    MV_SCHEMA_VERSION);
	return CLI_OK;
}
