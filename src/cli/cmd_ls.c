/* cmd_ls.c: `modvault ls [PATTERN]`: the stored module versions (for
 * storage = s3, every version in the bucket). */
#include <inttypes.h>
#include <stdio.h>

#include "modvault/store/shared.h"
#include "cli.h"

/* A version a deny or allow line now refuses is stored but not served. */
static int
print_version(void *ctx, const struct mv_version *v)
{
	struct cli *c = ctx;
	struct mv_policy_decision d;
	struct mv_err err = MV_ERR_INIT;
	bool denied = mv_policy_decide(&c->policy, MV_POLICY_SERVE, v->module,
	    v->version, &d, &err) == 0 && !d.allow;

	printf("%s@%s\t%" PRIu64 "\t%s%s\n", v->module, v->version,
	    v->zip.size, v->time[0] != '\0' ? v->time : "-",
	    denied ? "\tdenied" : "");
	return 0;
}

int
cmd_ls(struct cli *c, int argc, char **argv)
{
	struct mv_store *st;
	struct mv_err err = MV_ERR_INIT;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, NULL, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 1)) != CLI_OK)
		return rc;
	if ((rc = cli_open_store(c, MV_STORE_READONLY, &st)) != CLI_OK)
		return rc;
	/* A shared store's versions are the bucket's, whoever stored them. */
	if ((mv_store_shared(st) ? mv_store_shared_each_version(st,
	    first < argc ? argv[first] : NULL, print_version, c, &err) :
	    mv_store_each(st, first < argc ? argv[first] : NULL, print_version,
	    c, &err)) != 0) {
		cli_error(c, "%s", err.msg);
		rc = CLI_FAILED;
	}
	mv_store_close(st);
	return rc;
}
