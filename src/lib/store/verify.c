/* verify.c: re-reading and re-hashing every stored version (see verify.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/store/verify.h"

#define CHUNK	(64 * 1024)

struct verify {
	struct mv_store			*st;
	const struct mv_verify_opts	*o;
	struct mv_verify_report		*rep;
	struct mv_sha256		*sha;
	char				*chunk;
	uint64_t			 before;	/* problems so far */
};

static void
problem(struct verify *vf, const struct mv_version *v, const char *what,
    const char *why)
{
	vf->rep->problems++;
	if (vf->o->report != NULL)
		vf->o->report(vf->o->ctx, v, what, why);
}

/*
 * Re-reads one blob through its reader and checks its SHA-256 and size;
 * keeps the bytes in keep (when not NULL, up to its max).
 */
static int
check_blob(struct verify *vf, const struct mv_blobref *ref, struct mv_buf *keep,
    struct mv_err *err)
{
	unsigned char got[MV_SHA256_LEN];
	struct mv_blob_reader *r;
	uint64_t total = 0;
	size_t n;
	int rc;

	if (mv_blob_open(mv_store_blobs(vf->st), ref->digest, &r, err) == -1)
		return -1;
	while ((rc = mv_blob_read(r, vf->chunk, CHUNK, &n, err)) == 0 &&
	    n > 0) {
		total += n;
		if ((rc = mv_sha256_update(vf->sha, vf->chunk, n, err)) == -1 ||
		    (keep != NULL && (rc = mv_buf_append(keep, vf->chunk, n,
		    err)) == -1))
			break;
	}
	mv_blob_close(r);
	if (mv_sha256_final(vf->sha, got, rc == 0 ? err : NULL) == -1 ||
	    rc == -1)
		return -1;
	if (total != ref->size || memcmp(got, ref->digest, sizeof(got)) != 0)
		return mv_fail(err, MV_ECORRUPT, "SHA-256 or size mismatch "
		    "(%llu bytes, index says %llu)", (unsigned long long)total,
		    (unsigned long long)ref->size);
	return 0;
}

static int
blob_pread(void *ctx, void *buf, size_t n, uint64_t off, size_t *got,
    struct mv_err *err)
{
	return mv_blob_pread(ctx, buf, n, off, got, err);
}

/* H-2 and every zip rule, read through the blob's reader. */
static void
check_zip(struct verify *vf, const struct mv_version *v)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_zip_result zr;
	struct mv_zip_input in;
	struct mv_blob_reader *r;

	mv_zip_result_init(&zr);
	if (mv_blob_open(mv_store_blobs(vf->st), v->zip.digest, &r,
	    &err) == -1) {
		problem(vf, v, "zip", err.msg);
		return;
	}
	in = (struct mv_zip_input){ blob_pread, r, mv_blob_reader_size(r) };
	if (mv_zip_check_input(&in, v->module, v->version, vf->o->lim, NULL,
	    &zr, &err) == -1)
		problem(vf, v, "zip", err.msg);
	else if (strcmp(zr.h1, v->zip_h1) != 0)
		problem(vf, v, "zip", "h1 differs from the index");
	mv_blob_close(r);
	mv_zip_result_free(&zr);
}

static void
check_mod(struct verify *vf, const struct mv_version *v)
{
	struct mv_err err = MV_ERR_INIT;
	char h1[MV_H1_LEN + 1];
	struct mv_buf mod;

	mv_buf_init(&mod, vf->o->lim->max_gomod_bytes);
	if (check_blob(vf, &v->mod, &mod, &err) == -1)
		problem(vf, v, "mod blob", err.msg);
	else if (mv_h1_gomod(mv_buf_str(&mod), mod.len, h1, &err) == -1)
		problem(vf, v, "mod", err.msg);
	else if (strcmp(h1, v->mod_h1) != 0)
		problem(vf, v, "mod", "h1 differs from the index");
	mv_buf_free(&mod);
}

static int
verify_version(void *ctx, const struct mv_version *v)
{
	struct verify *vf = ctx;
	struct mv_err err = MV_ERR_INIT;
	uint64_t before = vf->rep->problems;

	vf->rep->versions++;
	if (check_blob(vf, &v->info, NULL, &err) == -1)
		problem(vf, v, "info blob", err.msg);
	check_mod(vf, v);
	mv_err_clear(&err);
	if (check_blob(vf, &v->zip, NULL, &err) == -1)
		problem(vf, v, "zip blob", err.msg);
	else
		check_zip(vf, v);
	mv_err_clear(&err);
	if (vf->rep->problems == before && vf->o->extra != NULL &&
	    vf->o->extra(vf->o->ctx, v, &err) == -1)
		problem(vf, v, vf->o->extra_what, err.msg);
	if (vf->rep->problems == before && vf->o->report != NULL)
		vf->o->report(vf->o->ctx, v, NULL, NULL);
	return 0;
}

int
mv_store_verify(struct mv_store *st, const struct mv_verify_opts *o,
    struct mv_verify_report *rep, struct mv_err *err)
{
	struct verify vf = { st, o, rep, NULL, NULL, 0 };
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	if ((vf.chunk = malloc(CHUNK)) == NULL)
		mv_fail(err, MV_ENOMEM, "out of memory");
	else if ((vf.sha = mv_sha256_new(err)) != NULL)
		rc = mv_store_each(st, NULL, verify_version, &vf, err) != 0 ?
		    -1 : 0;
	mv_sha256_free(vf.sha);
	free(vf.chunk);
	return rc;
}
