/* verify.c: re-reading and re-hashing every stored version (see verify.h). */
/*
 * The walk only reads (a callback of mv_store_each must not change the
 * store): it records what it found, good blobs and bad versions, and the
 * repairs run after it.  A bad version is one whose blob is damaged or
 * missing; a version whose blobs are whole but whose zip breaks a rule or
 * whose h1 differs from the index is reported, not dropped (its bytes are
 * what was stored; the index disagrees, which is for an operator to see).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/store/check.h"
#include "modvault/store/manifest.h"
#include "modvault/store/shared.h"
#include "modvault/store/verify.h"

#define CHUNK	(64 * 1024)

/* A version to send to quarantine after the walk, and why. */
struct bad {
	struct mv_version	v;
	struct mv_blobref	blob;
};

struct verify {
	struct mv_store			*st;
	bool				 shared;	/* walking the bucket */
	/* mv_blob_open, or the shared copy itself (past the node cache). */
	int				(*open)(struct mv_blobstore *,
					    const unsigned char *,
					    struct mv_blob_reader **,
					    struct mv_err *);
	/* Versions whose manifest blob is damaged: written again. */
	struct mv_version		*remake;
	size_t				 nremake, capremake;
	const struct mv_verify_opts	*o;
	struct mv_verify_report		*rep;
	struct mv_sha256		*sha;
	char				*chunk;
	struct bad			*bad;
	size_t				 nbad, capbad;
	unsigned char			(*good)[MV_SHA256_LEN];
	size_t				 ngood, capgood;
};

static void
problem(struct verify *vf, const struct mv_version *v, const char *what,
    const char *why)
{
	vf->rep->problems++;
	if (vf->o->report != NULL)
		vf->o->report(vf->o->ctx, v, what, why);
}

/* Grows an array of elem-byte elements to hold one more; false: no memory. */
static bool
grow(void *arrayp, size_t *cap, size_t n, size_t elem)
{
	void **array = arrayp, *p;
	size_t ncap = *cap ? *cap * 2 : 64;

	if (n < *cap)
		return true;
	if ((p = realloc(*array, ncap * elem)) == NULL)
		return false;
	*array = p;
	*cap = ncap;
	return true;
}

/* Remembers a blob that read back whole (its check time is recorded). */
static void
note_good(struct verify *vf, const struct mv_blobref *ref)
{
	if (vf->o->dry_run || !grow(&vf->good, &vf->capgood, vf->ngood,
	    sizeof(*vf->good)))
		return;
	memcpy(vf->good[vf->ngood++], ref->digest, MV_SHA256_LEN);
}

/* Remembers a version whose blob is damaged or missing. */
static void
note_bad(struct verify *vf, const struct mv_version *v,
    const struct mv_blobref *blob)
{
	if (vf->o->dry_run || !grow(&vf->bad, &vf->capbad, vf->nbad,
	    sizeof(*vf->bad)))
		return;
	vf->bad[vf->nbad].v = *v;
	vf->bad[vf->nbad++].blob = *blob;
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

	if (vf->open(mv_store_blobs(vf->st), ref->digest, &r, err) == -1)
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

/* Remembers a version whose manifest must be written again. */
static void
note_remake(struct verify *vf, const struct mv_version *v)
{
	if (vf->o->dry_run || !grow(&vf->remake, &vf->capremake, vf->nremake,
	    sizeof(*vf->remake)))
		return;
	vf->remake[vf->nremake++] = *v;
}

/*
 * A blob the bucket lost or holds damaged, put back from this node's
 * cache and read again (a store with one copy has nothing to mend from).
 */
static bool
mended(struct verify *vf, const struct mv_version *v,
    const struct mv_blobref *ref, const char *what, const char *why,
    struct mv_buf *keep)
{
	struct mv_err err = MV_ERR_INIT;
	char msg[MV_ERR_MSG_MAX_BYTES + 64];

	if (!vf->shared || vf->o->dry_run ||
	    mv_blob_mend(mv_store_blobs(vf->st), ref->digest, &err) == -1)
		return false;
	if (keep != NULL)
		mv_buf_reset(keep);
	if (check_blob(vf, ref, keep, &err) == -1)
		return false;
	vf->rep->repaired++;
	if (vf->o->report != NULL) {
		snprintf(msg, sizeof(msg), "%s: put back from this node's cache",
		    why);
		vf->o->report(vf->o->ctx, v, what, msg);
	}
	note_good(vf, ref);
	return true;
}

/*
 * One blob: whole (recorded), or bad: its version goes to quarantine, or,
 * for a manifest (which the row can always write again), the manifest is
 * remade.
 */
static bool
blob_ok(struct verify *vf, const struct mv_version *v,
    const struct mv_blobref *ref, const char *what, struct mv_buf *keep)
{
	struct mv_err err = MV_ERR_INIT;
	bool repaired = false;

	if (check_blob(vf, ref, keep, &err) == -1) {
		if ((err.code == MV_ECORRUPT || err.code == MV_ENOTFOUND) &&
		    mended(vf, v, ref, what, err.msg, keep))
			return true;
		problem(vf, v, what, err.msg);
		if (err.code != MV_ECORRUPT && err.code != MV_ENOTFOUND)
			return false;
		if (ref == &v->manifest)
			note_remake(vf, v);
		else
			note_bad(vf, v, ref);
		return false;
	}
	note_good(vf, ref);
	mv_err_clear(&err);
	if (!vf->o->dry_run && mv_blob_upkeep(mv_store_blobs(vf->st),
	    ref->digest, &repaired, &err) == 0 && repaired) {
		vf->rep->repaired++;
		if (vf->o->report != NULL)
			vf->o->report(vf->o->ctx, v, what, "mode was not 0444 "
			    "(set right)");
	}
	return true;
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
	if (vf->open(mv_store_blobs(vf->st), v->zip.digest, &r, &err) == -1) {
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
	if (blob_ok(vf, v, &v->mod, "mod blob", &mod)) {
		if (mv_h1_gomod(mv_buf_str(&mod), mod.len, h1, &err) == -1)
			problem(vf, v, "mod", err.msg);
		else if (strcmp(h1, v->mod_h1) != 0)
			problem(vf, v, "mod", "h1 differs from the index");
	}
	mv_buf_free(&mod);
}

/* The manifest (manifest.h): whole, and saying what the row says. */
static void
check_manifest(struct verify *vf, const struct mv_version *v)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_version said;
	struct mv_buf text;

	if (v->manifest.size == 0) {
		problem(vf, v, "manifest", "none (written before schema 5): "
		    "run 'modvault init'");
		return;
	}
	mv_buf_init(&text, MV_MANIFEST_MAX_BYTES);
	if (blob_ok(vf, v, &v->manifest, "manifest blob", &text)) {
		if (mv_manifest_parse(text.data, text.len, &said, &err) == -1)
			problem(vf, v, "manifest", err.msg);
		else if (strcmp(said.module, v->module) != 0 ||
		    strcmp(said.version, v->version) != 0 ||
		    memcmp(&said.info, &v->info, sizeof(v->info)) != 0 ||
		    memcmp(&said.mod, &v->mod, sizeof(v->mod)) != 0 ||
		    memcmp(&said.zip, &v->zip, sizeof(v->zip)) != 0 ||
		    strcmp(said.zip_h1, v->zip_h1) != 0 ||
		    strcmp(said.mod_h1, v->mod_h1) != 0)
			problem(vf, v, "manifest", "names other blobs or "
			    "hashes than the index");
	}
	mv_buf_free(&text);
}

static int
verify_version(void *ctx, const struct mv_version *v)
{
	struct verify *vf = ctx;
	struct mv_err err = MV_ERR_INIT;
	uint64_t before = vf->rep->problems;

	vf->rep->versions++;
	(void)blob_ok(vf, v, &v->info, "info blob", NULL);
	check_mod(vf, v);
	if (blob_ok(vf, v, &v->zip, "zip blob", NULL))
		check_zip(vf, v);
	/* A bucket manifest is what was just read and parsed. */
	if (!vf->shared)
		check_manifest(vf, v);
	if (vf->rep->problems == before && vf->o->extra != NULL &&
	    vf->o->extra(vf->o->ctx, v, &err) == -1)
		problem(vf, v, vf->o->extra_what, err.msg);
	if (vf->rep->problems == before && vf->o->report != NULL)
		vf->o->report(vf->o->ctx, v, NULL, NULL);
	return 0;
}

/* After the walk: check times recorded, bad versions to quarantine. */
static int
repair(struct verify *vf, struct mv_err *err)
{
	size_t i;

	for (i = 0; i < vf->ngood; i++)
		if (mv_store_blob_checked(vf->st, vf->good[i], vf->o->now,
		    err) == -1)
			return -1;
	for (i = 0; i < vf->nremake; i++) {
		if (mv_store_quarantine_blob(vf->st, &vf->remake[i].manifest,
		    err) == -1 ||
		    mv_store_put_manifest(vf->st, &vf->remake[i], err) == -1)
			return -1;
		if (vf->o->report != NULL)
			vf->o->report(vf->o->ctx, &vf->remake[i], "store",
			    "manifest written again, the damaged one "
			    "quarantined");
	}
	for (i = 0; i < vf->nbad; i++) {
		if (mv_store_quarantine(vf->st, &vf->bad[i].v,
		    &vf->bad[i].blob, err) == -1)
			return -1;
		vf->rep->quarantined++;
		if (vf->o->report != NULL)
			vf->o->report(vf->o->ctx, &vf->bad[i].v, "store",
			    "dropped, its damaged blob quarantined: the next "
			    "request fetches it again");
	}
	return 0;
}

int
mv_store_verify(struct mv_store *st, const struct mv_verify_opts *o,
    struct mv_verify_report *rep, struct mv_err *err)
{
	bool shared = mv_store_shared(st);
	struct verify vf = { .st = st, .o = o, .rep = rep, .shared = shared,
	    .open = shared ? mv_blob_open_origin : mv_blob_open };
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	if ((vf.chunk = malloc(CHUNK)) == NULL)
		mv_fail(err, MV_ENOMEM, "out of memory");
	else if ((vf.sha = mv_sha256_new(err)) != NULL &&
	    (shared ? mv_store_shared_each_version(st, NULL, verify_version,
	    &vf, err) : mv_store_each(st, NULL, verify_version, &vf,
	    err)) == 0)
		rc = repair(&vf, err);
	mv_sha256_free(vf.sha);
	free(vf.chunk);
	free(vf.bad);
	free(vf.good);
	free(vf.remake);
	return rc;
}
