/* cmd_rm.c: `modvault rm MODULE@VERSION`: drop a version from the index. */
#include <stdio.h>
#include <string.h>

#include "modvault/store/shared.h"
#include "cli.h"

int
cmd_rm(struct cli *c, int argc, char **argv)
{
	char module[MV_MODPATH_MAX_BYTES + 1];
	struct mv_store *st;
	struct mv_err err = MV_ERR_INIT;
	const char *at;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, NULL, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 1, 1)) != CLI_OK)
		return rc;
	/* A module path never holds '@', so the last one splits. */
	if ((at = strrchr(argv[first], '@')) == NULL || at == argv[first] ||
	    at[1] == '\0' || (size_t)(at - argv[first]) > MV_MODPATH_MAX_BYTES)
		return cli_usage(c, "\"%s\" is not MODULE@VERSION", argv[first]);
	snprintf(module, sizeof(module), "%.*s", (int)(at - argv[first]),
	    argv[first]);
	if ((rc = cli_open_store(c, 0, &st)) != CLI_OK)
		return rc;
	/* From the bucket too: no node adopts it again. */
	if (mv_store_shared_remove(st, module, at + 1, &err) == -1 ||
	    (mv_store_remove(st, module, at + 1, &err) == -1 &&
	    (!mv_store_shared(st) || err.code != MV_ENOTFOUND))) {
		cli_error(c, "%s", err.msg);
		rc = CLI_FAILED;
	} else
		printf("removed %s (run 'modvault gc' to free its blobs)\n",
		    argv[first]);
	mv_store_close(st);
	return rc;
}
