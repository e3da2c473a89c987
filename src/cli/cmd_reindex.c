/* cmd_reindex.c: `modvault reindex`: rebuild the index from the blobs. */
/*
 * The work is the library's (mv_store_reindex, reindex.h).  One line per
 * version found: "restored M@V", "already present M@V" or "not recovered
 * M@V: REASON" (or "not recovered blob HEX: REASON" for a blob that names
 * no version), then the totals; exit 1 when something was not recovered.
 */
#include <inttypes.h>
#include <stdio.h>

#include "modvault/base/text.h"
#include "modvault/store/reindex.h"
#include "cli.h"

static void
report(void *ctx, const char *module, const char *version, const char *blob,
    enum mv_reindex_outcome out, const char *why)
{
	char what[MV_MODPATH_MAX_BYTES + MV_VERSION_MAX_BYTES + 96];
	char safe[MV_ERR_MSG_MAX_BYTES * 4];

	(void)ctx;
	if (module != NULL)
		snprintf(what, sizeof(what), "%s@%s", module, version);
	else
		snprintf(what, sizeof(what), "blob %s", blob);
	mv_printable(why != NULL ? why : "", safe, sizeof(safe));
	switch (out) {
	case MV_REINDEX_RESTORED:
		printf("restored %s\n", what);
		break;
	case MV_REINDEX_PRESENT:
		printf("already present %s%s%s%s\n", what, why != NULL ? " (" :
		    "", safe, why != NULL ? ")" : "");
		break;
	case MV_REINDEX_LOST:
		printf("not recovered %s: %s\n", what, safe);
		break;
	}
}

int
cmd_reindex(struct cli *c, int argc, char **argv)
{
	struct mv_zip_limits lim;
	struct mv_reindex_opts o = { &lim, report, NULL };
	struct mv_reindex_report rep;
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, NULL, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	cli_zip_limits(c, &lim);
	if ((rc = cli_open_store(c, MV_STORE_CREATE | MV_STORE_ADOPT, &st)) !=
	    CLI_OK)
		return rc;
	if (mv_store_reindex(st, &o, &rep, &err) == -1) {
		cli_error(c, "%s", err.msg);
		mv_store_close(st);
		return CLI_FAILED;
	}
	mv_store_close(st);
	printf("%" PRIu64 " blobs read: %" PRIu64 " versions restored, %"
	    PRIu64 " already present, %" PRIu64 " not recovered\n", rep.blobs,
	    rep.restored, rep.present, rep.lost);
	return rep.lost > 0 ? CLI_FAILED : CLI_OK;
}
