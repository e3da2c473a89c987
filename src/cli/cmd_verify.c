/* cmd_verify.c: `modvault verify`: re-read and re-hash every stored version. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modvault/proto/pattern.h"
#include "modvault/sumdb/sumdbc.h"
#include "cli.h"

#define CHUNK (64 * 1024)

struct verify {
	struct cli		*c;
	struct mv_store		*st;
	struct mv_zip_limits	 lim;
	struct mv_sha256	*sha;
	char			*chunk;
	uint64_t		 versions, problems;
	bool			 sumdb;		/* --sumdb */
	struct mv_sumdbc	 sc;
};

static void
problem(struct verify *vf, const struct mv_version *v, const char *what,
    const char *msg)
{
	printf("%s@%s: %s: %s\n", v->module, v->version, what, msg);
	vf->problems++;
}

/*
 * Re-reads one blob and checks its SHA-256 and size; keeps the bytes in
 * keep (when not NULL, up to its max) for the go.mod check.
 */
static int
check_blob(struct verify *vf, const struct mv_blobref *ref, struct mv_buf *keep,
    struct mv_err *err)
{
	struct mv_blobstore *bs = mv_store_blobs(vf->st);
	unsigned char got[MV_SHA256_LEN];
	uint64_t size, total = 0;
	ssize_t k;
	int fd, rc = -1;

	if (bs->ops->open(bs, ref->digest, &fd, &size, err) == -1)
		return -1;
	while ((k = read(fd, vf->chunk, CHUNK)) != 0) {
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			mv_fail(err, MV_EIO, "read: %s", strerror(errno));
			goto done;
		}
		total += (uint64_t)k;
		if (mv_sha256_update(vf->sha, vf->chunk, (size_t)k, err) == -1 ||
		    (keep != NULL && mv_buf_append(keep, vf->chunk, (size_t)k,
		    err) == -1))
			goto done;
	}
	if (mv_sha256_final(vf->sha, got, err) == -1)
		goto done;
	if (total != ref->size || memcmp(got, ref->digest, sizeof(got)) != 0) {
		mv_fail(err, MV_ECORRUPT, "SHA-256 or size mismatch (%" PRIu64
		    " bytes, index says %" PRIu64 ")", total, ref->size);
		goto done;
	}
	rc = 0;
done:
	if (rc == -1)
		mv_sha256_final(vf->sha, got, NULL);	/* reset for the next */
	close(fd);
	return rc;
}

/* H-2 of the stored zip against the index's zip_h1. */
static void
check_zip(struct verify *vf, const struct mv_version *v)
{
	struct mv_blobstore *bs = mv_store_blobs(vf->st);
	struct mv_zip_result zr;
	char path[4096];
	struct mv_err err;

	mv_zip_result_init(&zr);
	if (bs->ops->local_path(bs, v->zip.digest, path, sizeof(path),
	    &err) == -1 ||
	    mv_zip_check(path, v->module, v->version, &vf->lim, NULL, &zr,
	    &err) == -1)
		problem(vf, v, "zip", err.msg);
	else if (strcmp(zr.h1, v->zip_h1) != 0)
		problem(vf, v, "zip", "h1 differs from the index");
	mv_zip_result_free(&zr);
}

static int
verify_version(void *ctx, const struct mv_version *v)
{
	struct verify *vf = ctx;
	char h1[MV_H1_LEN + 1];
	struct mv_buf mod;
	struct mv_err err;
	uint64_t before = vf->problems;

	vf->versions++;
	mv_buf_init(&mod, vf->lim.max_gomod_bytes);
	if (check_blob(vf, &v->info, NULL, &err) == -1)
		problem(vf, v, "info blob", err.msg);
	if (check_blob(vf, &v->mod, &mod, &err) == -1)
		problem(vf, v, "mod blob", err.msg);
	else if (mv_h1_gomod(mv_buf_str(&mod), mod.len, h1, &err) == -1)
		problem(vf, v, "mod", err.msg);
	else if (strcmp(h1, v->mod_h1) != 0)
		problem(vf, v, "mod", "h1 differs from the index");
	if (check_blob(vf, &v->zip, NULL, &err) == -1)
		problem(vf, v, "zip blob", err.msg);
	else
		check_zip(vf, v);
	/* SD-10.1 again, offline: the recorded lookup, tiles and tree head. */
	if (vf->sumdb && !mv_patterns_match(vf->c->cfg.nosumdb, v->module) &&
	    mv_sumdbc_recheck(&vf->sc, v->module, v->version, v->zip_h1,
	    v->mod_h1, &err) == -1)
		problem(vf, v, "sumdb", err.msg);
	mv_buf_free(&mod);
	if (vf->problems == before)
		printf("%s@%s: ok\n", v->module, v->version);
	return 0;
}

int
cmd_verify(struct cli *c, int argc, char **argv)
{
	bool sumdb = false;
	const struct cli_opt opts[] = { { "sumdb", NULL, &sumdb },
	    { NULL, NULL, NULL } };
	struct verify vf;
	struct mv_err err;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, opts, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 0, 0)) != CLI_OK)
		return rc;
	if (sumdb && c->cfg.nsumdb == 0)
		return cli_usage(c, "--sumdb: no checksum database (sumdb) in "
		    "the configuration");
	memset(&vf, 0, sizeof(vf));
	vf.c = c;
	vf.sumdb = sumdb;
	cli_zip_limits(c, &vf.lim);
	if ((rc = cli_open_store(c, MV_STORE_READONLY, &vf.st)) != CLI_OK)
		return rc;
	if (sumdb && mv_sumdbc_init(&vf.sc, vf.st, &c->cfg, &err) == -1) {
		cli_error(c, "%s", err.msg);
		mv_store_close(vf.st);
		return CLI_FAILED;
	}
	if ((vf.chunk = malloc(CHUNK)) == NULL ||
	    (vf.sha = mv_sha256_new(&err)) == NULL ||
	    mv_store_each(vf.st, NULL, verify_version, &vf, &err) != 0) {
		cli_error(c, "%s", vf.chunk == NULL ? "out of memory" : err.msg);
		rc = CLI_FAILED;
	} else {
		printf("verified %" PRIu64 " versions: %" PRIu64 " problems\n",
		    vf.versions, vf.problems);
		rc = vf.problems > 0 ? CLI_FAILED : CLI_OK;
	}
	mv_sha256_free(vf.sha);
	free(vf.chunk);
	mv_sumdbc_release(&vf.sc);
	mv_store_close(vf.st);
	return rc;
}
