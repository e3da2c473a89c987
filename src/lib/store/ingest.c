/* ingest.c: validating a module version's three files. */
/*
 * See ingest.h for the rules, in the order they are checked; storing
 * them is ingest_batch.c's.  The three
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
#include "modvault/store/ingest.h"
#include "ingest_priv.h"

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
 * Everything mv_store_ingest decides before it writes (ingest_priv.h):
 * the checks, whether the version is stored already, and the caller's
 * last word.
 */
int
mv_ingest_check(struct mv_store *st, const struct mv_ingest *in,
    const struct mv_zip_limits *lim, struct mv_version *v, bool *present,
    struct mv_err *err)
{
	struct mv_buf info, mod;
	struct mv_zip_result zr;
	struct mv_err e = MV_ERR_INIT;
	int rc = -1;

	*present = false;
	mv_buf_init(&info, MV_INFO_MAX_BYTES);
	mv_buf_init(&mod, MV_GOMOD_MAX_BYTES);
	mv_zip_result_init(&zr);
	if (validate(in, lim, &info, &mod, &zr, v, err) == -1)
		goto done;
	/* Already stored: nothing to write (GP-11.2, never replaced). */
	if (mv_store_get(st, in->module, in->version, v, &e) == 0) {
		mv_store_tree_link(st, v);	/* a tree set up since */
		*present = true;
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
	rc = 0;
done:
	mv_zip_result_free(&zr);
	mv_buf_free(&info);
	mv_buf_free(&mod);
	return rc;
}
