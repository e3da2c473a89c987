/* reindex.c: rebuilding the index from the blobs (see reindex.h). */
/*
 * Two passes.  The survey walks every blob once and reads only what can
 * tell its kind: a small blob whole (a manifest or a .info), a large one's
 * first four bytes (a zip starts "PK\3\4").  It keeps digests, not
 * contents, so memory grows with the number of blobs, not their bytes.
 * Then each manifest, and each zip no manifest or row names, is restored
 * through mv_store_ingest from staged copies of its blobs: the same checks
 * as a fetch, and a row only once its blobs (and a new manifest) are there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/limits.h"
#include "modvault/proto/info.h"
#include "modvault/store/ingest.h"
#include "modvault/store/manifest.h"
#include "modvault/store/reindex.h"
#include "index_priv.h"

#define CHUNK	(64 * 1024)

/* A stored .info and the version it names. */
struct info_blob {
	struct mv_blobref	 ref;
	char			*version;
};

struct reindex {
	struct mv_store			*st;
	const struct mv_reindex_opts	*o;
	struct mv_reindex_report	*rep;
	struct mv_blobref		*manifests, *zips;
	size_t				 nmanifests, capmanifests;
	size_t				 nzips, capzips;
	struct info_blob		*infos;
	size_t				 ninfos, capinfos;
	/* Zips some manifest names: not restored a second time. */
	unsigned char			(*named)[MV_SHA256_LEN];
	size_t				 nnamed, capnamed;
	char				*chunk;
	struct mv_err			*err;
};

static void
report(struct reindex *ri, const char *module, const char *version,
    const unsigned char *blob, enum mv_reindex_outcome out, const char *why)
{
	char hex[MV_SHA256_HEX + 1];

	if (out == MV_REINDEX_RESTORED)
		ri->rep->restored++;
	else if (out == MV_REINDEX_PRESENT)
		ri->rep->present++;
	else
		ri->rep->lost++;
	if (ri->o->report == NULL)
		return;
	if (blob != NULL)
		mv_hex(blob, MV_SHA256_LEN, hex);
	ri->o->report(ri->o->ctx, module, version, blob != NULL ? hex : NULL,
	    out, why);
}

/* Makes room for one more element in a growing array. */
static int
grow(void *arrayp, size_t *cap, size_t n, size_t elem, struct mv_err *err)
{
	void **array = arrayp, *p;
	size_t ncap = *cap ? *cap * 2 : 64;

	if (n < *cap)
		return 0;
	if ((p = realloc(*array, ncap * elem)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	*array = p;
	*cap = ncap;
	return 0;
}

/* Up to max bytes from the start of a blob into ri->chunk; *got read. */
static int
read_head(struct reindex *ri, const struct mv_blobref *ref, size_t max,
    size_t *got, struct mv_err *err)
{
	struct mv_blob_reader *r;
	size_t n;
	int rc;

	*got = 0;
	if (mv_blob_open(mv_store_blobs(ri->st), ref->digest, &r, err) == -1)
		return -1;
	while ((rc = mv_blob_read(r, ri->chunk + *got, max - *got, &n,
	    err)) == 0 && n > 0 && *got + n < max)
		*got += n;
	if (rc == 0)
		*got += n;
	mv_blob_close(r);
	return rc;
}

static int
keep_ref(struct mv_blobref **array, size_t *n, size_t *cap,
    const struct mv_blobref *ref, struct mv_err *err)
{
	if (grow(array, cap, *n, sizeof(**array), err) == -1)
		return -1;
	(*array)[(*n)++] = *ref;
	return 0;
}

/* A small blob that parses as a .info naming a version. */
static int
keep_info(struct reindex *ri, const struct mv_blobref *ref, size_t n,
    struct mv_err *err)
{
	struct mv_buf version, time;
	int rc = 0;

	mv_buf_init(&version, MV_VERSION_MAX_BYTES);
	mv_buf_init(&time, 64);
	if (mv_info_parse(ri->chunk, n, &version, &time, NULL) == 0 &&
	    version.len > 0 && (rc = grow(&ri->infos, &ri->capinfos,
	    ri->ninfos, sizeof(*ri->infos), err)) == 0) {
		if ((ri->infos[ri->ninfos].version =
		    strdup(mv_buf_str(&version))) == NULL)
			rc = mv_fail(err, MV_ENOMEM, "out of memory");
		else
			ri->infos[ri->ninfos++].ref = *ref;
	}
	mv_buf_free(&version);
	mv_buf_free(&time);
	return rc;
}

/* The survey: what kind of blob this is, by its first bytes. */
static int
survey(void *ctx, const struct mv_blobref *ref)
{
	struct reindex *ri = ctx;
	size_t max, n;

	ri->rep->blobs++;
	max = ref->size <= MV_INFO_MAX_BYTES ? (size_t)ref->size : 4;
	if (read_head(ri, ref, max, &n, ri->err) == -1)
		return -1;
	if (n >= 4 && memcmp(ri->chunk, "PK\3\4", 4) == 0)
		return keep_ref(&ri->zips, &ri->nzips, &ri->capzips, ref, ri->err);
	if (mv_manifest_looks_like(ri->chunk, n))
		return keep_ref(&ri->manifests, &ri->nmanifests,
		    &ri->capmanifests, ref, ri->err);
	if (ref->size <= MV_INFO_MAX_BYTES)
		return keep_info(ri, ref, n, ri->err);
	return 0;
}

/* Local trouble stops the whole run; anything else loses one version. */
static bool
is_local(const struct mv_err *e)
{
	return e->code == MV_EIO || e->code == MV_ENOMEM ||
	    e->code == MV_ENOSPACE;
}

/*
 * Reports what became of v (a zip that named no version: its blob): its
 * restore's outcome (rc 0), or lost for e's reason; but a local failure
 * (disk, memory) stops the whole run instead.
 */
static int
settle(struct reindex *ri, const struct mv_version *v,
    const struct mv_blobref *blob, int rc, enum mv_ingest_outcome out,
    const struct mv_err *e, const char *present_why)
{
	const char *m = v->module[0] != '\0' ? v->module : NULL;

	if (rc == 0) {
		report(ri, v->module, v->version, NULL, out == MV_INGEST_STORED ?
		    MV_REINDEX_RESTORED : MV_REINDEX_PRESENT, out ==
		    MV_INGEST_PRESENT ? present_why : NULL);
		return 0;
	}
	if (is_local(e))
		return mv_err_pass(ri->err, e);
	report(ri, m, m != NULL ? v->version : NULL, m != NULL ? NULL :
	    blob->digest, MV_REINDEX_LOST, e->msg);
	return 0;
}

static int
from_manifest(struct reindex *ri, const struct mv_blobref *ref)
{
	struct mv_err e = MV_ERR_INIT;
	enum mv_ingest_outcome out = MV_INGEST_PRESENT;
	struct mv_restore r;
	struct mv_version *m;
	size_t n;
	int rc = 0;

	if ((m = malloc(sizeof(*m))) == NULL)
		return mv_fail(ri->err, MV_ENOMEM, "out of memory");
	if (read_head(ri, ref, MV_MANIFEST_MAX_BYTES, &n, &e) == -1 ||
	    mv_manifest_parse(ri->chunk, n, m, &e) == -1) {
		report(ri, NULL, NULL, ref->digest, MV_REINDEX_LOST, e.msg);
		goto done;
	}
	if (grow(&ri->named, &ri->capnamed, ri->nnamed, sizeof(*ri->named),
	    ri->err) == -1) {
		rc = -1;
		goto done;
	}
	memcpy(ri->named[ri->nnamed++], m->zip.digest, MV_SHA256_LEN);
	r = (struct mv_restore){ .want = m, .check_hashes = true };
	/* The small blobs checked here; the zip by its h1 (check_hashes). */
	rc = mv_blob_verify(mv_store_blobs(ri->st), &m->info, &e) == -1 ||
	    mv_blob_verify(mv_store_blobs(ri->st), &m->mod, &e) == -1 ||
	    mv_store_restore(ri->st, &r, ri->o->lim, &out, &e) == -1 ? -1 : 0;
	rc = settle(ri, m, ref, rc, out, &e, NULL);
done:
	free(m);
	return rc;
}

/* The one .info blob naming version; MV_ENOTFOUND when none or several. */
static int
find_info(struct reindex *ri, const char *version, struct mv_blobref *out,
    struct mv_err *err)
{
	size_t i, found = 0;

	for (i = 0; i < ri->ninfos; i++)
		if (strcmp(ri->infos[i].version, version) == 0 && found++ == 0)
			*out = ri->infos[i].ref;
	if (found == 1)
		return 0;
	if (found == 0)
		return mv_fail(err, MV_ENOTFOUND, "no stored .info names %s",
		    version);
	return mv_fail(err, MV_ENOTFOUND, "%zu stored .info files name %s, "
	    "and which is this module's cannot be told", found, version);
}

static int
blob_pread(void *ctx, void *buf, size_t n, uint64_t off, size_t *got,
    struct mv_err *err)
{
	return mv_blob_pread(ctx, buf, n, off, got, err);
}

/*
 * Who a zip says it is, and its .mod: the zip's go.mod, or "module PATH\n"
 * when it has none (MZ-9.1, MZ-9.2).
 */
static int
identify(struct reindex *ri, const struct mv_blobref *ref,
    struct mv_version *v, struct mv_buf *mod, struct mv_err *err)
{
	struct mv_blob_reader *r;
	struct mv_zip_result zr;
	struct mv_zip_input in;
	int rc;

	if (mv_blob_open(mv_store_blobs(ri->st), ref->digest, &r, err) == -1)
		return -1;
	in = (struct mv_zip_input){ blob_pread, r, mv_blob_reader_size(r) };
	mv_zip_result_init(&zr);
	rc = mv_zip_identify(&in, ri->o->lim->max_files, v->module,
	    sizeof(v->module), v->version, sizeof(v->version), err);
	if (rc == 0)
		rc = mv_zip_check_input(&in, v->module, v->version, ri->o->lim,
		    NULL, &zr, err);
	if (rc == 0)
		rc = zr.has_gomod ? mv_buf_append(mod, zr.gomod.data,
		    zr.gomod.len, err) : mv_buf_printf(mod, err, "module %s\n",
		    v->module);
	mv_zip_result_free(&zr);
	mv_blob_close(r);
	return rc;
}

static bool
named(const struct reindex *ri, const unsigned char *digest)
{
	size_t i;

	for (i = 0; i < ri->nnamed; i++)
		if (memcmp(ri->named[i], digest, MV_SHA256_LEN) == 0)
			return true;
	return false;
}

/* A zip that neither a manifest nor a row names. */
static int
from_zip(struct reindex *ri, const struct mv_blobref *ref)
{
	struct mv_err e = MV_ERR_INIT;
	struct mv_restore r;
	enum mv_ingest_outcome out = MV_INGEST_PRESENT;
	struct mv_version *v;
	struct mv_buf mod;
	bool used = true;
	int rc = 0;

	if (named(ri, ref->digest))
		return 0;
	if (mv_store_blob_used(ri->st, ref->digest, &used, ri->err) == -1)
		return -1;
	if (used)
		return 0;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return mv_fail(ri->err, MV_ENOMEM, "out of memory");
	mv_buf_init(&mod, ri->o->lim->max_gomod_bytes);
	v->zip = *ref;
	snprintf(v->origin, sizeof(v->origin), "reindex");
	r = (struct mv_restore){ .want = v, .modbytes = &mod };
	rc = identify(ri, ref, v, &mod, &e) == -1 ||
	    find_info(ri, v->version, &v->info, &e) == -1 ||
	    mv_store_restore(ri->st, &r, ri->o->lim, &out, &e) == -1 ? -1 : 0;
	rc = settle(ri, v, ref, rc, out, &e, "the index has it with another "
	    "zip");
	mv_buf_free(&mod);
	free(v);
	return rc;
}

static void
reindex_free(struct reindex *ri)
{
	size_t i;

	for (i = 0; i < ri->ninfos; i++)
		free(ri->infos[i].version);
	free(ri->infos);
	free(ri->manifests);
	free(ri->zips);
	free(ri->named);
	free(ri->chunk);
}

int
mv_store_reindex(struct mv_store *st, const struct mv_reindex_opts *o,
    struct mv_reindex_report *rep, struct mv_err *err)
{
	struct reindex ri = { .st = st, .o = o, .rep = rep, .err = err };
	size_t i;
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	/* A chunk that holds a whole .info or manifest too. */
	if ((ri.chunk = malloc(CHUNK > MV_INFO_MAX_BYTES ? CHUNK :
	    MV_INFO_MAX_BYTES)) == NULL) {
		mv_fail(err, MV_ENOMEM, "out of memory");
		goto done;
	}
	if (mv_blob_iterate(mv_store_blobs(st), survey, &ri, err) != 0)
		goto done;
	for (i = 0; i < ri.nmanifests; i++)
		if (from_manifest(&ri, &ri.manifests[i]) == -1)
			goto done;
	for (i = 0; i < ri.nzips; i++)
		if (from_zip(&ri, &ri.zips[i]) == -1)
			goto done;
	rc = 0;
done:
	reindex_free(&ri);
	return rc;
}
