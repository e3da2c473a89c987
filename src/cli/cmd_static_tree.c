/*
 * cmd_static_tree.c: `modvault static-tree rebuild | verify [--repair]`:
 * the static tree (static_tree = DIR) against the index.
 *
 * The work is the library's (mv_store_tree_verify, tree.h).  verify
 * prints one line per disagreement, "PATH: missing", "PATH: extra" or
 * "PATH: wrong target", then the totals, and exits 1 when there was
 * any; --repair also fixes each.  rebuild writes every link anew and
 * removes the rest, without a moment where a stored file is missing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "modvault/base/text.h"
#include "modvault/store/tree.h"
#include "cli.h"

static void
report(void *ctx, const char *path, const char *problem)
{
	char safe[PATH_MAX * 4];

	/* A planted file's name is shown, never obeyed by a terminal. */
	(void)ctx;
	printf("%s: %s\n", mv_printable(path, safe, sizeof(safe)), problem);
}

static int
run(struct cli *c, enum mv_stree_mode mode)
{
	struct mv_stree_report rep;
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st;
	int rc;

	if (c->cfg.static_tree[0] == '\0')
		return cli_usage(c, "static_tree is not set in the "
		    "configuration");
	if ((rc = cli_open_store(c, 0, &st)) != CLI_OK)
		return rc;
	rc = mv_store_tree_verify(st, mode, mode == MV_STREE_REBUILD ? NULL :
	    report, NULL, &rep, &err);
	mv_store_close(st);
	if (rc == -1) {
		cli_error(c, "%s", err.msg);
		return CLI_FAILED;
	}
	if (mode == MV_STREE_REBUILD) {
		printf("%" PRIu64 " versions: %" PRIu64 " links written, %"
		    PRIu64 " extra entries removed\n", rep.versions,
		    rep.fixed - rep.extra, rep.extra);
		return CLI_OK;
	}
	printf("%" PRIu64 " versions, %" PRIu64 " links: %" PRIu64 " missing, %"
	    PRIu64 " extra, %" PRIu64 " wrong target%s\n", rep.versions,
	    rep.links, rep.missing, rep.extra, rep.wrong, mode ==
	    MV_STREE_REPAIR && rep.fixed > 0 ? " (repaired)" : "");
	return rep.missing + rep.extra + rep.wrong > 0 ? CLI_FAILED : CLI_OK;
}

int
cmd_static_tree(struct cli *c, int argc, char **argv)
{
	bool repair = false;
	const struct cli_opt opts[] = {
		{ "repair", NULL, &repair },
		{ NULL, NULL, NULL },
	};
	int first, rc;

	if (argc < 2 || argv[1][0] == '-')
		return cli_usage(c, "missing subcommand (rebuild, verify)");
	/* The subcommand first, its options after it. */
	if ((rc = cli_options(c, argc - 1, argv + 1, opts, &first)) !=
	    CLI_OK || (rc = cli_operands(c, argc - 1 - first, 0, 0)) != CLI_OK)
		return rc;
	if (strcmp(argv[1], "verify") == 0)
		return run(c, repair ? MV_STREE_REPAIR : MV_STREE_CHECK);
	if (strcmp(argv[1], "rebuild") != 0)
		return cli_usage(c, "unknown subcommand \"%s\" (rebuild, "
		    "verify)", argv[1]);
	if (repair)
		return cli_usage(c, "--repair goes with verify");
	return run(c, MV_STREE_REBUILD);
}
