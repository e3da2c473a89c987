/* ingest.c: validating a module version's three files and storing them. */
/*
 * See ingest.h for the rules, in the order they are checked.  The three
 * files are the caller's staged files (stage.h), so the bytes checked are
 * the bytes stored: nothing outside the store can change them in between.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/proto/gomod.h"
#include "modvault/store/tree.h"
#include "modvault/proto/info.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/store/check.h"
#include "modvault/store/ingest.h"
#include "modvault/store/manifest.h"
#include "modvault/store/shared.h"

/* How often a commit is retried after a concurrent gc took a blob. */
#define INSERT_TRIES	3

/* GP-11.1.1: the .info is JSON naming the requested version. */
static int
check_info(const struct mv_ingest *in, const struct mv_buf *info,
    struct mv_version *v, struct mv_err *err)
{
	struct mv_buf version, time;
	int rc = -1;

	mv_buf_init(&version, MV_VERSION_MAX_BYTES);
	mv_buf_init(&time, sizeof(v->time) - 1);
	if (mv_info_parse(info->data, info->len, &version, &time, err) == -1) {
		mv_wrap(err, "GP-11.1: .info: ");
		goto done;
	}
	if (strcmp(mv_buf_str(&version), in->version) != 0) {
		mv_fail(err, MV_EINVAL, "GP-11.1: .info Version \"%s\" is not "
		    "the requested \"%s\"", mv_buf_str(&version), in->version);
		goto done;
	}
	snprintf(v->time, sizeof(v->time), "%s", mv_buf_str(&time));
	rc = 0;
done:
	mv_buf_free(&version);
	mv_buf_free(&time);
	return rc;
}

/* GP-11.1.2, GP-5.3.6: the go command refuses a .mod that declares
 * another path ("module declares its path as"). */
static int
check_module_directive(const struct mv_ingest *in, const struct mv_buf *mod,
    struct mv_err *err)
{
	char declared[MV_MODPATH_MAX_BYTES + 1];
	struct mv_err e = MV_ERR_INIT;

	if (mv_gomod_module(mod->data != NULL ? mod->data : "", mod->len,
	    declared, sizeof(declared), &e) == -1)
		return mv_fail(err, MV_ECORRUPT, "GP-11.1.2: .mod: %s", e.msg);
	if (strcmp(declared, in->module) != 0)
		return mv_fail(err, MV_ECORRUPT, "GP-11.1.2: .mod declares "
		    "module \"%.200s\", not \"%s\" (GP-5.3.6)", declared,
		    in->module);
	return 0;
}

/* MZ-9 / GP-11.1.4: the .mod agrees with the zip, then names the module. */
static int
check_mod(const struct mv_ingest *in, const struct mv_buf *mod,
    const struct mv_zip_result *zr, struct mv_err *err)
{
	struct mv_buf synth;
	bool same;

	if (zr->has_gomod && in->from_vcs)
		return 0;	/* ingest.h: the go command's VC-5.4, VC-10.4 */
	if (zr->has_gomod) {
		if (mod->len != zr->gomod.len || (mod->len > 0 &&
		    memcmp(mod->data, zr->gomod.data, mod->len) != 0))
			return mv_fail(err, MV_ECORRUPT, "MZ-9.2: .mod differs "
			    "from the zip's go.mod");
		return check_module_directive(in, mod, err);
	}
	mv_buf_init(&synth, MV_MODPATH_MAX_BYTES + 16);
	if (mv_buf_printf(&synth, err, "module %s\n", in->module) == -1)
		return -1;
	same = synth.len == mod->len &&
	    memcmp(synth.data, mod->data, mod->len) == 0;
	mv_buf_free(&synth);
	if (!same)
		return mv_fail(err, MV_ECORRUPT, "MZ-9.1: zip has no go.mod and "
		    ".mod is not \"module %s\\n\"", in->module);
	return 0;
}

/* Everything that can refuse the version, before any byte is stored. */
static int
validate(const struct mv_ingest *in, const struct mv_zip_limits *lim,
    struct mv_buf *info, struct mv_buf *mod, struct mv_zip_result *zr,
    struct mv_version *v, struct mv_err *err)
{
	if (!mv_version_is_canonical(in->version))
		return mv_fail(err, MV_EINVAL, "version \"%s\" is not "
		    "canonical", in->version);
	if (mv_modpath_check_version(in->module, in->version, err) == -1 ||
	    mv_staged_read(in->info, ".info", MV_INFO_MAX_BYTES, info,
	    err) == -1 ||
	    check_info(in, info, v, err) == -1 ||
	    mv_staged_read(in->mod, ".mod", (size_t)lim->max_gomod_bytes, mod,
	    err) == -1 ||
	    mv_zip_check_fd(mv_staged_fd(in->zip), in->module, in->version,
	    lim, in->zip_scan, zr, err) == -1 ||
	    check_mod(in, mod, zr, err) == -1 ||
	    mv_h1_gomod(mod->data != NULL ? mod->data : "", mod->len,
	    v->mod_h1, err) == -1)
		return -1;
	snprintf(v->module, sizeof(v->module), "%s", in->module);
	snprintf(v->version, sizeof(v->version), "%s", in->version);
	snprintf(v->zip_h1, sizeof(v->zip_h1), "%s", zr->h1);
	snprintf(v->origin, sizeof(v->origin), "%s",
	    in->origin != NULL ? in->origin : "");
	v->fetched_at = (int64_t)time(NULL);
	v->last_served = 0;
	return 0;
}

/*
 * The blobs this ingest created were checked just now, byte for byte: a
 * blob already there is not known to hold them (the scrub, verify.h, and
 * the responder check those).  One transaction for all of them: each
 * commit syncs the index, and this runs once per version stored.
 */
static void
record_checks(struct mv_store *st, const struct mv_version *v,
    const bool created[3])
{
	const struct mv_blobref *refs[3] = { &v->zip, &v->mod, &v->info };
	const unsigned char *made[3];
	size_t n = 0;
	int i;

	for (i = 0; i < 3; i++)
		if (created[i])
			made[n++] = refs[i]->digest;
	(void)mv_store_blobs_checked(st, made, n, v->fetched_at, NULL);
}

/*
 * Blobs first (the zip, the largest, first, the manifest naming the others
 * last), then, for a shared store, the manifest under the version's name
 * in the bucket, then the row.  A concurrent
 * gc may take a blob between its put and the commit (mv_store_insert then
 * says MV_ENOTFOUND): the staged files are still there, so put again.
 */
static int
store(struct mv_store *st, const struct mv_ingest *in, struct mv_version *v,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	struct mv_blobstore *bs = mv_store_blobs(st);
	bool made[3] = { false, false, false }, c[3];
	struct mv_err e = MV_ERR_INIT;
	int tries, i;

	for (tries = 0; tries < INSERT_TRIES; tries++) {
		mv_err_clear(&e);
		if (mv_blob_put_staged(bs, in->zip, in->zip_digest, &v->zip,
		    &c[0], err) == -1 ||
		    mv_blob_put_staged(bs, in->mod, NULL, &v->mod, &c[1],
		    err) == -1 ||
		    mv_blob_put_staged(bs, in->info, NULL, &v->info, &c[2],
		    err) == -1 ||
		    mv_store_put_manifest(st, v, err) == -1 ||
		    (!in->shared_present &&
		    mv_store_shared_put(st, v, err) == -1))
			return -1;
		for (i = 0; i < 3; i++)
			made[i] = made[i] || c[i];
		if (mv_store_insert(st, v, outcome, &e) == 0) {
			record_checks(st, v, made);
			return 0;
		}
		if (e.code != MV_ENOTFOUND)
			break;
	}
	return mv_err_pass(err, &e);
}

int
mv_store_ingest(struct mv_store *st, const struct mv_ingest *in,
    const struct mv_zip_limits *lim, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	struct mv_buf info, mod;
	struct mv_zip_result zr;
	struct mv_err e = MV_ERR_INIT;
	struct mv_version *v;
	int rc = -1;

	mv_buf_init(&info, MV_INFO_MAX_BYTES);
	mv_buf_init(&mod, MV_GOMOD_MAX_BYTES);
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	mv_zip_result_init(&zr);
	if (validate(in, lim, &info, &mod, &zr, v, err) == -1)
		goto done;
	/* Already stored: nothing to write (GP-11.2, never replaced). */
	if (mv_store_get(st, in->module, in->version, v, &e) == 0) {
		mv_store_tree_link(st, v);	/* a tree set up since */
		*outcome = MV_INGEST_PRESENT;
		rc = 0;
		goto done;
	}
	if (e.code != MV_ENOTFOUND) {
		mv_err_pass(err, &e);
		goto done;
	}
	/* The caller's last word (the checksum database), before any write. */
	if (in->verify != NULL && in->verify(in->verify_ctx, v, err) == -1)
		goto done;
	rc = store(st, in, v, outcome, err);
done:
	mv_zip_result_free(&zr);
	mv_buf_free(&info);
	mv_buf_free(&mod);
	free(v);
	return rc;
}
