/* cmd_verify.c: `modvault verify`: re-read and re-hash every stored version. */
/*
 * The checks are the library's (mv_store_verify, verify.h); with
 * --sumdb each version is also re-checked, offline, against the
 * checksum-database lookup recorded with it (mv_sumdbc_recheck).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "modvault/store/verify.h"
#include "modvault/sumdb/sumdbc.h"
#include "cli.h"

struct verify {
	struct cli		*c;
	struct mv_sumdbc	 sc;
};

static void
report(void *ctx, const struct mv_version *v, const char *what,
    const char *why)
{
	(void)ctx;
	if (what == NULL)
		printf("%s@%s: ok\n", v->module, v->version);
	else
		printf("%s@%s: %s: %s\n", v->module, v->version, what, why);
}

/* SD-10.1 again, offline, where the policy has checksums looked up. */
static int
recheck(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	struct verify *vf = ctx;
	struct mv_policy_decision d;

	if (mv_policy_decide(&vf->c->policy, MV_POLICY_FETCH, v->module,
	    v->version, &d, err) == -1)
		return -1;
	if (!d.lookup_sumdb)
		return 0;
	return mv_sumdbc_recheck(&vf->sc, v->module, v->version, v->zip_h1,
	    v->mod_h1, err);
}

int
cmd_verify(struct cli *c, int argc, char **argv)
{
	bool sumdb = false;
	const struct cli_opt opts[] = { { "sumdb", NULL, &sumdb },
	    { NULL, NULL, NULL } };
	struct mv_zip_limits lim;
	struct verify vf = { c, { 0 } };
	struct mv_verify_opts o = { &lim, NULL, "sumdb", &vf, report };
	struct mv_verify_report rep;
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, opts, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	if (sumdb && c->cfg.nsumdb == 0)
		return cli_usage(c, "--sumdb: no checksum database (sumdb) in "
		    "the configuration");
	cli_zip_limits(c, &lim);
	if ((rc = cli_open_store(c, MV_STORE_READONLY, &st)) != CLI_OK)
		return rc;
	if (sumdb && mv_sumdbc_init(&vf.sc, st, &c->cfg, &err) == -1) {
		cli_error(c, "%s", err.msg);
		mv_store_close(st);
		return CLI_FAILED;
	}
	if (sumdb)
		o.extra = recheck;
	if (mv_store_verify(st, &o, &rep, &err) == -1) {
		cli_error(c, "%s", err.msg);
		rc = CLI_FAILED;
	} else {
		printf("verified %" PRIu64 " versions: %" PRIu64 " problems\n",
		    rep.versions, rep.problems);
		rc = rep.problems > 0 ? CLI_FAILED : CLI_OK;
	}
	mv_sumdbc_release(&vf.sc);
	mv_store_close(st);
	return rc;
}
