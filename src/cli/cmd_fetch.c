/* cmd_fetch.c: `modvault fetch`: fill the store from upstream ahead of use. */
/*
 * MODULE@VERSION operands, or -r FILE: a go.mod (its requirements and,
 * through each fetched version's .mod, theirs: the transitive closure) or
 * a go.sum (every module version it names, which is already a closure).
 * Each version goes through mv_fill_version, the code path of a miss in
 * the responder, and is reported as stored, already present or refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/proto/gomod.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/source/fill.h"
#include "cli.h"

struct job {
	char	*module;
	char	*version;
};

struct fetch {
	struct cli		*c;
	struct mv_filler	 f;
	struct job		*jobs;
	size_t			 n, cap;
	int			 closure;	/* follow each .mod's requires */
	struct cli_progress	 prog;
	size_t			 stored, present, refused;
};

/* Queues module@version once. */
static int
add_job(void *ctx, const char *module, const char *version)
{
	struct fetch *ft = ctx;
	struct job *j;
	size_t i;

	for (i = 0; i < ft->n; i++)
		if (strcmp(ft->jobs[i].module, module) == 0 &&
		    strcmp(ft->jobs[i].version, version) == 0)
			return 0;
	if (ft->n == MV_FETCH_MAX_VERSIONS) {
		cli_error(ft->c, "more than %d module versions", MV_FETCH_MAX_VERSIONS);
		return -1;
	}
	if ((j = cli_grow(ft->jobs, &ft->cap, ft->n, sizeof(*j))) == NULL)
		return -1;
	ft->jobs = j;
	j = &ft->jobs[ft->n];
	if ((j->module = strdup(module)) == NULL ||
	    (j->version = strdup(version)) == NULL) {
		free(j->module);
		return -1;
	}
	ft->n++;
	return 0;
}

/* "latest" through upstream's @latest; other queries through .info. */
static int
resolve(struct fetch *ft, const struct job *j, char *out, size_t outsz,
    struct mv_err *err)
{
	struct mv_buf body;
	int rc;

	if (mv_version_is_canonical(j->version)) {
		snprintf(out, outsz, "%s", j->version);
		return 0;
	}
	if (strcmp(j->version, "latest") != 0)
		return mv_fill_query(&ft->f, j->module, j->version, out, outsz,
		    err);
	mv_buf_init(&body, 64 * 1024);
	rc = mv_fill_latest(&ft->f, j->module, &body, out, outsz, err);
	mv_buf_free(&body);
	return rc;
}

/* Queues the requirements of a stored version's .mod. */
static int
follow(struct fetch *ft, const char *module, const char *version,
    struct mv_err *err)
{
	struct mv_version v;
	struct mv_buf mod;
	int rc;

	if (mv_store_get(ft->f.st, module, version, &v, err) == -1)
		return -1;
	mv_buf_init(&mod, MV_REQUIREMENTS_MAX_BYTES);
	rc = mv_blob_read_verified(mv_store_blobs(ft->f.st), &v.mod, MV_REQUIREMENTS_MAX_BYTES,
	    &mod, err);
	if (rc == 0)
		rc = mv_gomod_requires(mod.data ? mod.data : "", mod.len,
		    add_job, ft, err);
	mv_buf_free(&mod);
	return rc;
}

static void
fetch_one(struct fetch *ft, size_t i)
{
	char version[MV_VERSION_MAX_BYTES + 1], module[MV_MODPATH_MAX_BYTES + 1];
	enum mv_ingest_outcome oc = MV_INGEST_PRESENT;
	struct mv_err err = MV_ERR_INIT;

	/* jobs may move while follow() queues more: copy what we use. */
	snprintf(module, sizeof(module), "%s", ft->jobs[i].module);
	if (resolve(ft, &ft->jobs[i], version, sizeof(version), &err) == -1 ||
	    mv_fill_version(&ft->f, module, version, &oc, &err) == -1) {
		cli_outcome(&ft->prog, ft->f.st, module, ft->jobs[i].version,
		    -1, oc, &err);
		ft->refused++;
		return;
	}
	cli_outcome(&ft->prog, ft->f.st, module, version, 0, oc, &err);
	if (oc == MV_INGEST_STORED)
		ft->stored++;
	else
		ft->present++;
	mv_err_clear(&err);
	if (ft->closure && follow(ft, module, version, &err) == -1) {
		cli_progress_hide(&ft->prog);
		printf("refused requirements of %s@%s: %s\n", module, version,
		    err.msg);
		ft->refused++;
	}
}

/* Queues what a -r file names. */
static int
read_requirements(struct fetch *ft, const char *path)
{
	struct mv_buf text;
	struct mv_err err = MV_ERR_INIT;
	int rc;

	mv_buf_init(&text, MV_REQUIREMENTS_MAX_BYTES);
	rc = cli_read_file(ft->c, path, &text);
	/* A go.sum or a go.mod, by content, whatever it is called. */
	ft->closure = !mv_gosum_is(mv_buf_str(&text), text.len);
	if (rc == 0 && (rc = ft->closure ? mv_gomod_requires(mv_buf_str(&text),
	    text.len, add_job, ft, &err) : mv_gosum_versions(
	    mv_buf_str(&text), text.len, add_job, ft, &err)) == -1)
		cli_error(ft->c, "%s: %s", path, err.msg);
	mv_buf_free(&text);
	return rc;
}

static int
queue_operands(struct fetch *ft, int argc, char **argv)
{
	char module[MV_MODPATH_MAX_BYTES + 1];
	const char *at;
	int i;

	for (i = 0; i < argc; i++) {
		/* A module path never holds '@', so the last one splits. */
		if ((at = strrchr(argv[i], '@')) == NULL || at == argv[i] ||
		    at[1] == '\0' || (size_t)(at - argv[i]) > MV_MODPATH_MAX_BYTES)
			return cli_usage(ft->c, "\"%s\" is not MODULE@VERSION",
			    argv[i]);
		snprintf(module, sizeof(module), "%.*s", (int)(at - argv[i]),
		    argv[i]);
		if (mv_modpath_check(module, NULL) == -1)
			return cli_usage(ft->c, "\"%s\": invalid module path",
			    argv[i]);
		if (add_job(ft, module, at + 1) == -1)
			return CLI_FAILED;
	}
	return CLI_OK;
}

int
cmd_fetch(struct cli *c, int argc, char **argv)
{
	const char *req = NULL;
	const struct cli_opt opts[] = { { "r", &req, NULL }, { NULL, NULL, NULL } };
	struct fetch ft = { .c = c };
	struct mv_store *st;
	struct mv_err err = MV_ERR_INIT;
	size_t i;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, opts, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, req ? 0 : 1, MV_FETCH_MAX_VERSIONS)) !=
	    CLI_OK)
		return rc;
	if ((rc = queue_operands(&ft, argc - first, argv + first)) != CLI_OK)
		goto out;
	if (req != NULL && read_requirements(&ft, req) == -1) {
		rc = CLI_FAILED;
		goto out;
	}
	if ((rc = cli_open_store(c, 0, &st)) != CLI_OK)
		goto out;
	if (mv_filler_init(&ft.f, st, &c->cfg, &c->policy, &err) == -1) {
		cli_error(c, "%s", err.msg);
		rc = CLI_FAILED;
	} else if (!mv_upstream_enabled(ft.f.up)) {
		cli_error(c, "fetching is off: set upstream in %s",
		    c->cfg.path[0] ? c->cfg.path : "the configuration");
		rc = CLI_FAILED;
	} else {
		/* Counted with the responders' fetches; uncounted is fine. */
		if (mv_counters_open(&ft.f.counters, c->cfg.data_dir,
		    NULL) == 0)
			mv_counters_observe_upstream(ft.f.counters);
		cli_progress_start(&ft.prog, "fetch", ft.n);
		for (i = 0; i < ft.n; i++) {
			fetch_one(&ft, i);
			/* -r go.mod: each .mod fetched may add versions. */
			cli_progress_total(&ft.prog, ft.n);
		}
		cli_progress_end(&ft.prog);
		mv_counters_observe_upstream(NULL);
		mv_counters_close(ft.f.counters);
		printf("%zu versions: %zu stored, %zu already present, %zu "
		    "refused\n", ft.n, ft.stored, ft.present, ft.refused);
		rc = ft.refused > 0 ? CLI_FAILED : CLI_OK;
	}
	mv_filler_release(&ft.f);
	mv_store_close(st);
out:
	for (i = 0; i < ft.n; i++) {
		free(ft.jobs[i].module);
		free(ft.jobs[i].version);
	}
	free(ft.jobs);
	return rc;
}
