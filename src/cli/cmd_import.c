/* cmd_import.c: `modvault import DIR|FILE`: a module cache, GOPROXY tree or bundle. */
/*
 * The walk, the checks and the storing are the library's
 * (mv_import_tree, import.h); this prints one line per version and the
 * total.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "modvault/source/bundle.h"
#include "modvault/source/import.h"
#include "cli.h"

struct import {
	struct mv_store		*st;
	struct cli_progress	 prog;
};

static void
found(void *ctx, uint64_t versions)
{
	struct import *im = ctx;

	cli_progress_total(&im->prog, versions);
}

static void
report(void *ctx, const char *module, const char *version, int rc,
    enum mv_ingest_outcome outcome, const struct mv_err *err)
{
	struct import *im = ctx;

	cli_outcome(&im->prog, im->st, module, version, rc, outcome, err);
}

/* Ingest's last word on a tree's version: the checksum databases. */
static int
sumdb_verify(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	return mv_sumdbc_verify(ctx, v->module, v->version, v->zip_h1,
	    v->mod_h1, err);
}

/*
 * A tree carries no proof: its versions are verified against the
 * configured databases when they can be reached, and the operator told
 * when they cannot.
 */
static void
dir_verify(struct cli *c, struct mv_sumdbc *sc, struct mv_import_opts *o)
{
	struct mv_err e = MV_ERR_INIT;

	if (c->cfg.sumdb_verify == MV_SUMDB_VERIFY_OFF)
		return;
	if (mv_sumdbc_reachable(sc, &e) == 0) {
		o->verify = sumdb_verify;
		o->verify_ctx = sc;
		return;
	}
	cli_error(c, "not verified against the checksum database: %s",
	    e.msg);
}

int
cmd_import(struct cli *c, int argc, char **argv)
{
	struct mv_zip_limits lim;
	struct import im;
	struct mv_import_opts o = { &c->policy, &lim, report, &im, found,
	    NULL, NULL };
	struct mv_import_report rep;
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st, *from = NULL;
	const char *store_dir = NULL;
	const struct cli_opt opts[] = { { "from-store", &store_dir, NULL },
	    { NULL, NULL, NULL } };
	char root[PATH_MAX];
	struct mv_sumdbc sc;
	struct stat sb;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, opts, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, store_dir == NULL, store_dir ==
	    NULL)) != CLI_OK)
		return rc;
	if (store_dir == NULL && (realpath(argv[first], root) == NULL ||
	    stat(root, &sb) == -1)) {
		cli_error(c, "cannot open \"%s\"", argv[first]);
		return CLI_FAILED;
	}
	if (store_dir != NULL && mv_store_open(store_dir, MV_STORE_READONLY,
	    &from, &err) == -1) {
		cli_error(c, "--from-store: %s", err.msg);
		return CLI_FAILED;
	}
	if ((rc = cli_open_store(c, 0, &st)) != CLI_OK) {
		mv_store_close(from);
		return rc;
	}
	if (mv_sumdbc_init(&sc, st, &c->cfg, &err) == -1) {
		cli_error(c, "%s", err.msg);
		mv_store_close(st);
		mv_store_close(from);
		return CLI_USAGE;
	}
	if (from == NULL && sc.n > 0 && !S_ISREG(sb.st_mode))
		dir_verify(c, &sc, &o);
	if (from == NULL && sc.n == 0 && S_ISREG(sb.st_mode))
		cli_error(c, "no sumdb configured: the bundle's proofs are not "
		    "checked, only its manifest and each version as a fetch "
		    "is");
	cli_zip_limits(c, &lim);
	im.st = st;
	cli_progress_start(&im.prog, "import", from != NULL &&
	    cli_progress_wanted() ? cli_count_versions(from) : 0);
	if ((from != NULL ? mv_import_store(st, from, &o, &rep, &err) :
	    S_ISREG(sb.st_mode) ?
	    mv_bundle_read(st, &sc, root, &o, &rep, &err) :
	    mv_import_tree(st, root, &o, &rep, &err)) == -1) {
		cli_progress_end(&im.prog);
		cli_error(c, "%s", err.msg);
		rc = CLI_FAILED;
	} else {
		cli_progress_end(&im.prog);
		printf("%llu versions: %llu stored, %llu already present, %llu "
		    "refused\n", (unsigned long long)rep.versions,
		    (unsigned long long)rep.stored,
		    (unsigned long long)rep.present,
		    (unsigned long long)rep.refused);
		rc = rep.refused > 0 ? CLI_FAILED : CLI_OK;
	}
	mv_sumdbc_release(&sc);
	mv_store_close(st);
	mv_store_close(from);
	return rc;
}
