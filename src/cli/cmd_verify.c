/* cmd_verify.c: `modvault verify`: re-read and re-hash every stored version. */
/*
 * The checks are the library's (mv_store_verify, verify.h); with
 * --sumdb each version is also re-checked, offline, against the
 * checksum-database lookup recorded with it (mv_sumdbc_recheck); with
 * --origin each version fetched from git is held against its repository
 * now: a tag that moved or went away is a problem (origin.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modvault/source/origin.h"
#include "modvault/store/verify.h"
#include "modvault/sumdb/sumdbc.h"
#include "cli.h"

struct verify {
	struct cli		*c;
	struct mv_sumdbc	 sc;
	bool			 sumdb;
	struct mv_filler	 f;		/* --origin */
	struct mv_origin_check	*oc;		/* --origin, else NULL */
	struct cli_progress	 prog;
	char			 last[MV_MODPATH_MAX_BYTES + MV_VERSION_MAX_BYTES + 2];
};

/* A version is told once when good, once per problem otherwise. */
static void
report(void *ctx, const struct mv_version *v, const char *what,
    const char *why)
{
	struct verify *vf = ctx;
	char mv[sizeof(vf->last)];

	snprintf(mv, sizeof(mv), "%s@%s", v->module, v->version);
	if (strcmp(mv, vf->last) != 0) {
		memcpy(vf->last, mv, sizeof(mv));
		cli_progress_step(&vf->prog, v->info.size + v->mod.size +
		    v->zip.size);
	}
	if (what == NULL) {
		if (cli_progress_wants_ok(&vf->prog))
			printf("%s: ok\n", mv);
		return;
	}
	cli_progress_hide(&vf->prog);
	printf("%s: %s: %s\n", mv, what, why);
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

/* --origin: a tag that moved or is gone is a problem; so is no answer. */
static int
check_origin(struct verify *vf, const struct mv_version *v, struct mv_err *err)
{
	enum mv_origin_verdict verdict;
	char why[MV_ERR_MSG_MAX_BYTES];

	if (mv_origin_check(vf->oc, v, &verdict, why, sizeof(why), err) == -1)
		return mv_wrap(err, "origin: ");
	if (verdict == MV_ORIGIN_MOVED || verdict == MV_ORIGIN_GONE)
		return mv_fail(err, MV_ECORRUPT, "origin: %s", why);
	return 0;
}

static int
extra(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	struct verify *vf = ctx;

	if (vf->sumdb && recheck(vf, v, err) == -1)
		return -1;
	return vf->oc != NULL ? check_origin(vf, v, err) : 0;
}

int
cmd_verify(struct cli *c, int argc, char **argv)
{
	bool sumdb = false, dry = false, origin = false;
	const struct cli_opt opts[] = { { "sumdb", NULL, &sumdb },
	    { "origin", NULL, &origin }, { "dry-run", NULL, &dry },
	    { NULL, NULL, NULL } };
	struct mv_zip_limits lim;
	struct verify vf;
	struct mv_verify_opts o = { &lim, NULL, "check", &vf, report, false,
	    0 };
	struct mv_verify_report rep;
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st;
	uint64_t badtiles = 0;
	int first, rc;

	memset(&vf, 0, sizeof(vf));
	vf.c = c;
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
	vf.sumdb = sumdb;
	if (origin && mv_filler_init(&vf.f, st, &c->cfg, &c->policy,
	    &err) == 0 && mv_origin_new(&vf.f, &vf.oc, &err) == -1)
		mv_filler_release(&vf.f);
	if (origin && vf.oc == NULL) {
		cli_error(c, "%s", err.msg);
		mv_sumdbc_release(&vf.sc);
		mv_store_close(st);
		return CLI_FAILED;
	}
	if (sumdb || origin)
		o.extra = extra;
	cli_progress_start(&vf.prog, "verify", cli_progress_wanted() ?
	    cli_count_versions(st) : 0);
	rc = mv_store_verify(st, &o, &rep, &err);
	cli_progress_end(&vf.prog);
	if (rc == -1 ||
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
	if (origin) {
		mv_origin_free(vf.oc);
		mv_filler_release(&vf.f);
	}
	mv_store_close(st);
	return rc;
}
