/* cmd_verify.c: `modvault verify`: re-read and re-hash every stored version. */
/*
 * The checks are the library's (mv_store_verify, verify.h); with
 * --sumdb each version is also re-checked, offline, against the
 * checksum-database lookup recorded with it (mv_sumdbc_recheck).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

static void
report_tile(void *ctx, const char *db, const char *path, const char *why)
{
	(void)ctx;
	printf("checksum database %s: %s: %s\n", db, path, why);
}

/* SD-9.1.4 again: every kept tile, authenticated offline. */
static int
check_tiles(struct verify *vf, bool dry, uint64_t *bad, struct mv_err *err)
{
	uint64_t checked, b;
	size_t i;

	*bad = 0;
	for (i = 0; i < vf->sc.n; i++) {
		if (mv_sumdbc_check_tiles(&vf->sc, &vf->sc.db[i], dry,
		    report_tile, vf, &checked, &b, err) == -1)
			return -1;
		printf("checksum database %s: %" PRIu64 " tiles checked, %"
		    PRIu64 " not part of the trusted tree%s\n",
		    vf->sc.db[i].key.name, checked, b, b > 0 && !dry ?
		    " (dropped)" : "");
		*bad += b;
	}
	return 0;
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
	bool sumdb = false, dry = false;
	const struct cli_opt opts[] = { { "sumdb", NULL, &sumdb },
	    { "dry-run", NULL, &dry }, { NULL, NULL, NULL } };
	struct mv_zip_limits lim;
	struct verify vf = { c, { 0 } };
	struct mv_verify_opts o = { &lim, NULL, "sumdb", &vf, report, false,
	    0 };
	struct mv_verify_report rep;
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st;
	uint64_t badtiles = 0;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, opts, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	if (sumdb && c->cfg.nsumdb == 0)
		return cli_usage(c, "--sumdb: no checksum database (sumdb) in "
		    "the configuration");
	cli_zip_limits(c, &lim);
	o.dry_run = dry;
	o.now = (int64_t)time(NULL);
	if ((rc = cli_open_store(c, dry ? MV_STORE_READONLY : 0, &st)) !=
	    CLI_OK)
		return rc;
	if (sumdb && mv_sumdbc_init(&vf.sc, st, &c->cfg, &err) == -1) {
		cli_error(c, "%s", err.msg);
		mv_store_close(st);
		return CLI_FAILED;
	}
	if (sumdb)
		o.extra = recheck;
	if (mv_store_verify(st, &o, &rep, &err) == -1 ||
	    (sumdb && check_tiles(&vf, dry, &badtiles, &err) == -1)) {
		cli_error(c, "%s", err.msg);
		rc = CLI_FAILED;
	} else {
		printf("verified %" PRIu64 " versions: %" PRIu64 " problems\n",
		    rep.versions, rep.problems);
		if (rep.quarantined > 0 || rep.repaired > 0)
			printf("repaired: %" PRIu64 " versions dropped to be "
			    "fetched again, %" PRIu64 " blob modes set right\n",
			    rep.quarantined, rep.repaired);
		rc = rep.problems > 0 || badtiles > 0 ? CLI_FAILED : CLI_OK;
	}
	mv_sumdbc_release(&vf.sc);
	mv_store_close(st);
	return rc;
}
