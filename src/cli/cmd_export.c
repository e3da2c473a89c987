/* cmd_export.c: `modvault export`: write an air-gapped bundle (bundle.h). */
/*
 * Selects stored versions (PATTERN operands, every version a go.sum
 * names, or a go.mod's requirements followed through each stored .mod
 * as `fetch -r` does), keeps those fetched since --since, and has the
 * library write them with their checksum-database proof.
 */
#define _GNU_SOURCE	/* strptime, timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/base/text.h"
#include "modvault/proto/gomod.h"
#include "modvault/source/bundle.h"
#include "cli.h"

struct export {
	struct cli		*c;
	struct mv_store		*st;
	struct mv_version	*v;
	size_t			 n, cap;
	int64_t			 since;
	bool			 follow;	/* a go.mod: its closure */
	size_t			 missing;
	struct cli_progress	 prog;
};

static int
have(const struct export *ex, const char *module, const char *version)
{
	size_t i;

	for (i = 0; i < ex->n; i++)
		if (strcmp(ex->v[i].module, module) == 0 &&
		    strcmp(ex->v[i].version, version) == 0)
			return 1;
	return 0;
}

/* Adds a stored version once (mv_version_fn). */
static int
add_version(void *ctx, const struct mv_version *v)
{
	struct export *ex = ctx;
	struct mv_version *q;

	if (have(ex, v->module, v->version))
		return 0;
	if (ex->n == MV_FETCH_MAX_VERSIONS) {
		cli_error(ex->c, "more than %d module versions",
		    MV_FETCH_MAX_VERSIONS);
		return -1;
	}
	if ((q = cli_grow(ex->v, &ex->cap, ex->n, sizeof(*q))) == NULL) {
		cli_error(ex->c, "out of memory");
		return -1;
	}
	ex->v = q;
	ex->v[ex->n++] = *v;
	return 0;
}

/* A go.sum's or go.mod's module version (mv_require_fn). */
static int
add_named(void *ctx, const char *module, const char *version)
{
	struct export *ex = ctx;
	struct mv_err err = MV_ERR_INIT;
	struct mv_version v;

	if (have(ex, module, version))
		return 0;
	if (mv_store_get(ex->st, module, version, &v, &err) == -1) {
		printf("not stored %s@%s: %s\n", module, version, err.msg);
		ex->missing++;
		return 0;
	}
	return add_version(ex, &v);
}

/* A go.mod: every requirement, then those of each version added. */
static int
select_file(struct export *ex, const char *path)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_buf text, mod;
	size_t i;
	int rc;

	mv_buf_init(&text, MV_REQUIREMENTS_MAX_BYTES);
	if ((rc = cli_read_file(ex->c, path, &text)) == 0)
		rc = ex->follow ? mv_gomod_requires(mv_buf_str(&text), text.len,
		    add_named, ex, &err) : mv_gosum_versions(mv_buf_str(&text),
		    text.len, add_named, ex, &err);
	for (i = 0; rc == 0 && ex->follow && i < ex->n; i++) {
		mv_buf_init(&mod, MV_REQUIREMENTS_MAX_BYTES);
		rc = mv_blob_read_verified(mv_store_blobs(ex->st),
		    &ex->v[i].mod, MV_REQUIREMENTS_MAX_BYTES, &mod, &err);
		if (rc == 0)
			rc = mv_gomod_requires(mod.data ? mod.data : "",
			    mod.len, add_named, ex, &err);
		mv_buf_free(&mod);
	}
	if (rc == -1 && err.code != MV_OK)
		cli_error(ex->c, "%s: %s", path, err.msg);
	mv_buf_free(&text);
	return rc;
}

/* --since: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", UTC. */
static int
parse_since(const char *s, int64_t *t)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0') {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL || *end != '\0')
			return -1;
	}
	*t = (int64_t)timegm(&tm);
	return 0;
}

static void
step(void *ctx, const struct mv_version *v)
{
	struct export *ex = ctx;

	char m[4 * MV_MODPATH_MAX_BYTES], ver[4 * MV_VERSION_MAX_BYTES];

	if (cli_progress_wants_ok(&ex->prog))
		printf("exported %s@%s\n", mv_printable(v->module, m,
		    sizeof(m)), mv_printable(v->version, ver, sizeof(ver)));
	cli_progress_step(&ex->prog, v->zip.size + v->mod.size + v->info.size);
}

/* Keeps the versions fetched at or after --since. */
static void
keep_since(struct export *ex)
{
	size_t i, k = 0;

	for (i = 0; i < ex->n; i++)
		if (ex->v[i].fetched_at >= ex->since)
			ex->v[k++] = ex->v[i];
	ex->n = k;
}

/* The selection: a go.sum or go.mod, else the patterns (none: all). */
static int
select_versions(struct export *ex, const char *gosum, const char *gomod,
    int argc, char **argv)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_buf pat;
	int i, rc = 0;

	if (gosum != NULL || gomod != NULL) {
		ex->follow = gomod != NULL;
		return select_file(ex, gomod != NULL ? gomod : gosum);
	}
	mv_buf_init(&pat, 64 * 1024);
	for (i = 0; rc == 0 && i < argc; i++)
		rc = mv_buf_printf(&pat, &err, "%s%s", i ? "," : "", argv[i]);
	if (rc == 0)
		rc = mv_store_each(ex->st, argc ? mv_buf_str(&pat) : NULL,
		    add_version, ex, &err);
	if (rc == -1 && err.code != MV_OK)
		cli_error(ex->c, "%s", err.msg);
	mv_buf_free(&pat);
	return rc;
}

int
cmd_export(struct cli *c, int argc, char **argv)
{
	const char *out = NULL, *gosum = NULL, *gomod = NULL, *since = NULL;
	const struct cli_opt opts[] = { { "o", &out, NULL },
	    { "go-sum", &gosum, NULL }, { "go-mod", &gomod, NULL },
	    { "since", &since, NULL }, { NULL, NULL, NULL } };
	struct export ex = { .c = c };
	struct mv_err err = MV_ERR_INIT;
	struct mv_sumdbc sc;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, opts, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, MV_FETCH_MAX_VERSIONS)) !=
	    CLI_OK)
		return rc;
	if (out == NULL)
		return cli_usage(c, "-o FILE is required");
	if ((gosum != NULL) + (gomod != NULL) + (argc > first) > 1)
		return cli_usage(c, "give one of --go-sum, --go-mod or "
		    "PATTERN");
	if (since != NULL && parse_since(since, &ex.since) == -1)
		return cli_usage(c, "--since \"%s\": not YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM:SSZ", since);
	if ((rc = cli_open_store(c, MV_STORE_READONLY, &ex.st)) != CLI_OK)
		return rc;
	if (mv_sumdbc_init(&sc, ex.st, &c->cfg, &err) == -1) {
		cli_error(c, "%s", err.msg);
		mv_store_close(ex.st);
		return CLI_USAGE;
	}
	rc = select_versions(&ex, gosum, gomod, argc - first, argv + first) ==
	    -1 ? CLI_FAILED : CLI_OK;
	keep_since(&ex);
	if (rc == CLI_OK) {
		cli_progress_start(&ex.prog, "export", ex.n);
		rc = mv_bundle_write(ex.st, &sc, out, ex.v, ex.n, step, &ex,
		    &err);
		cli_progress_end(&ex.prog);
		if (rc == -1)
			cli_error(c, "%s", err.msg);
		else
			printf("%zu versions exported to %s%s\n", ex.n, out,
			    sc.n > 0 ? "" : " (no checksum database "
			    "configured: without proofs)");
		rc = rc == -1 || ex.missing > 0 ? CLI_FAILED : CLI_OK;
	}
	mv_sumdbc_release(&sc);
	mv_store_close(ex.st);
	free(ex.v);
	return rc;
}
