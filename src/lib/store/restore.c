/* restore.c: ingesting bytes that are already blobs (see ingest.h). */
/*
 * The blobs are copied into staged files and go through mv_store_ingest
 * like any download: the same validation, and the same order of writes.
 * Copying costs a read of each blob, and buys one code path: a version
 * restored from a manifest, or adopted from the bucket another node
 * filled, is checked exactly as if it had just been fetched.  (A blob
 * of an object store not yet in the node cache is downloaded straight
 * into its staged file instead: mv_blob_stage.)
 */
#include <stdlib.h>
#include <string.h>

#include "modvault/store/ingest.h"

#define CHUNK	(64 * 1024)

/* A staged copy in st of a blob of from. */
static int
stage_blob(struct mv_store *from, struct mv_store *st,
    const struct mv_blobref *ref, char *chunk, struct mv_staged **sfp,
    bool *hashed, struct mv_err *err)
{
	struct mv_blob_reader *r;
	struct mv_staged *sf;
	size_t n;
	int rc;

	/* The store's own blob, staged the cheap way if it has one. */
	*hashed = false;
	if (from == st && (mv_blob_stage(mv_store_blobs(st), ref->digest, sfp,
	    err) == -1 || *sfp != NULL))
		return *sfp != NULL ? (*hashed = true, 0) : -1;
	if (mv_blob_open(mv_store_blobs(from), ref->digest, &r, err) == -1)
		return -1;
	if (mv_stage_file(mv_store_stage(st), &sf, err) == -1) {
		mv_blob_close(r);
		return -1;
	}
	while ((rc = mv_blob_read(r, chunk, CHUNK, &n, err)) == 0 && n > 0)
		if ((rc = mv_staged_write(sf, chunk, n, err)) == -1)
			break;
	mv_blob_close(r);
	if (rc == -1) {
		mv_staged_discard(sf);
		return -1;
	}
	*sfp = sf;
	return 0;
}

/* Ingest's last word: the restore's claim, then the caller's. */
static int
agrees(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	const struct mv_restore *r = ctx;

	if (r->check_hashes && (strcmp(v->zip_h1, r->want->zip_h1) != 0 ||
	    strcmp(v->mod_h1, r->want->mod_h1) != 0))
		return mv_fail(err, MV_ECORRUPT, "its blobs do not hash as its "
		    "manifest says (zip %s, manifest %s)", v->zip_h1,
		    r->want->zip_h1);
	return r->verify != NULL ? r->verify(r->verify_ctx, v, err) : 0;
}

/* *zip_hashed: the staged zip was hashed against its name on the way. */
static int
stage_all(struct mv_store *st, const struct mv_restore *r, char *chunk,
    struct mv_staged *sf[3], bool *zip_hashed, struct mv_err *err)
{
	struct mv_store *from = r->from != NULL ? r->from : st;
	bool hashed;

	if (stage_blob(from, st, &r->want->zip, chunk, &sf[0], zip_hashed,
	    err) == -1 || stage_blob(from, st, &r->want->info, chunk, &sf[1],
	    &hashed, err) == -1)
		return -1;
	if (r->modbytes == NULL)
		return stage_blob(from, st, &r->want->mod, chunk, &sf[2],
		    &hashed, err);
	if (mv_stage_file(mv_store_stage(st), &sf[2], err) == -1)
		return -1;
	return mv_staged_write_buf(sf[2], r->modbytes, err);
}

int
mv_store_restore(struct mv_store *st, const struct mv_restore *r,
    const struct mv_zip_limits *lim, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	struct mv_staged *sf[3] = { NULL, NULL, NULL };
	struct mv_ingest in;
	bool zip_hashed = false;
	char *chunk;
	int rc = -1, i;

	if ((chunk = malloc(CHUNK)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	if (stage_all(st, r, chunk, sf, &zip_hashed, err) == 0) {
		memset(&in, 0, sizeof(in));
		in.module = r->want->module;
		in.version = r->want->version;
		in.zip = sf[0];
		in.info = sf[1];
		in.mod = sf[2];
		in.origin = r->want->origin;
		in.verify = agrees;
		in.verify_ctx = (void *)r;
		in.zip_digest = zip_hashed ? r->want->zip.digest : NULL;
		in.shared_present = r->from_bucket;
		rc = mv_store_ingest(st, &in, lim, outcome, err);
	}
	for (i = 0; i < 3; i++)
		mv_staged_discard(sf[i]);
	free(chunk);
	return rc;
}
