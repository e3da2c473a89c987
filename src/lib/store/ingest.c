/* ingest.c: validating a module version's three files and storing them. */
/*
 * The one way bytes from outside (an upstream fetch, an import tree) enter
 * the store.  Everything is checked before anything is written:
 *   - module path and version: GP-3.8 Check, and the version canonical
 *   - .info: bounded, valid JSON, Version equal to the requested version
 *     (GP-11.1.1, GP-5.2.4); Time kept as given
 *   - .mod: at most max_gomod_bytes (GP-11.1.2, GP-5.3.5, MZ-2.3)
 *   - .zip: mv_zip_check, which applies MZ-5 and computes H-2 (GP-11.1.3)
 *   - consistency: .mod equals the zip's root go.mod, or, when the zip has
 *     none, exactly "module <path>\n" (MZ-9.1, MZ-9.2, GP-5.3.2, GP-11.1.4)
 * Then the blobs are written (each durable before it is named) and one row
 * is committed (mv_store_insert), so a refusal stores nothing and a crash
 * leaves at most unreferenced blobs for gc.
 *
 * The caller must own the three files for the duration (the fetcher's own
 * temporary files, or an import tree nobody is changing): the zip is
 * checked in place, then copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modvault/proto/gomod.h"
#include "modvault/proto/info.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/store/index.h"

/* A .info is a few hundred bytes; this leaves room for a large Origin. */
#define INFO_MAX	(64 * 1024)
/* How often a commit is retried after a concurrent gc took a blob. */
#define INSERT_TRIES	3

/* Reads a whole regular file of at most max bytes into b. */
static int
read_bounded(const char *path, const char *what, size_t max, struct mv_buf *b,
    struct mv_err *err)
{
	struct stat sb;
	ssize_t k;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot open %s \"%s\": %s", what, path, strerror(errno));
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		mv_fail(err, MV_EIO, "%s \"%s\" is not a regular file", what,
		    path);
		goto done;
	}
	if ((uint64_t)sb.st_size > max) {
		mv_fail(err, MV_ELIMIT, "%s larger than %zu bytes", what, max);
		goto done;
	}
	mv_buf_init(b, max);
	if (mv_buf_reserve(b, (size_t)sb.st_size + 1, err) == -1)
		goto done;
	for (;;) {
		if (mv_buf_reserve(b, 4096, err) == -1) {
			mv_fail(err, MV_ELIMIT, "%s larger than %zu bytes",
			    what, max);
			goto done;
		}
		k = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			mv_fail(err, MV_EIO, "cannot read %s \"%s\": %s", what,
			    path, strerror(errno));
			goto done;
		}
		if (k == 0)
			break;
		b->len += (size_t)k;
		b->data[b->len] = '\0';
	}
	rc = 0;
done:
	close(fd);
	return rc;
}

/* GP-11.1.1: the .info is JSON naming the requested version. */
static int
check_info(const struct mv_ingest *in, const struct mv_buf *info,
    struct mv_version *v, struct mv_err *err)
{
	struct mv_buf version, time;
	int rc = -1;

	mv_buf_init(&version, MV_VERSION_MAX);
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
	char declared[MV_MODPATH_MAX + 1];
	struct mv_err e;

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

	if (zr->has_gomod) {
		if (mod->len != zr->gomod.len || (mod->len > 0 &&
		    memcmp(mod->data, zr->gomod.data, mod->len) != 0))
			return mv_fail(err, MV_ECORRUPT, "MZ-9.2: .mod differs "
			    "from the zip's go.mod");
		return check_module_directive(in, mod, err);
	}
	mv_buf_init(&synth, MV_MODPATH_MAX + 16);
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
	    read_bounded(in->info_path, ".info", INFO_MAX, info, err) == -1 ||
	    check_info(in, info, v, err) == -1 ||
	    read_bounded(in->mod_path, ".mod", lim->max_gomod_bytes, mod,
	    err) == -1 ||
	    mv_zip_check(in->zip_path, in->module, in->version, lim,
	    in->zip_scan, zr,
	    err) == -1 ||
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

/* Blobs first (the zip, the largest, first), then the row. */
/* The zip becomes a blob: adopted when its digest is known, else copied. */
static int
put_zip(struct mv_blobstore *bs, const struct mv_ingest *in,
    struct mv_blobref *ref, struct mv_err *err)
{
	if (in->zip_digest != NULL && bs->ops->adopt != NULL)
		return bs->ops->adopt(bs, in->zip_path, in->zip_digest, ref,
		    err);
	return mv_blob_put_file(bs, in->zip_path, ref, err);
}

static int
store(struct mv_store *st, const struct mv_ingest *in,
    const struct mv_buf *info, const struct mv_buf *mod, struct mv_version *v,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	struct mv_blobstore *bs = mv_store_blobs(st);
	int tries;

	for (tries = 0; tries < INSERT_TRIES; tries++) {
		if (put_zip(bs, in, &v->zip, err) == -1 ||
		    mv_blob_put_mem(bs, mod->data != NULL ? mod->data : "",
		    mod->len, &v->mod, err) == -1 ||
		    mv_blob_put_mem(bs, info->data, info->len, &v->info,
		    err) == -1)
			return -1;
		if (mv_store_insert(st, v, outcome, err) == 0)
			return 0;
		if (err == NULL || err->code != MV_ENOTFOUND)
			return -1;
	}
	return -1;
}

int
mv_store_ingest(struct mv_store *st, const struct mv_ingest *in,
    const struct mv_zip_limits *lim, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	struct mv_buf info = MV_BUF_INIT, mod = MV_BUF_INIT;
	struct mv_zip_result zr;
	struct mv_version *v;
	struct mv_err e;
	int rc = -1;

	if (err == NULL)
		err = &e;	/* store() looks at the code to retry */
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	mv_zip_result_init(&zr);
	if (validate(in, lim, &info, &mod, &zr, v, err) == -1)
		goto done;
	/* Already stored: nothing to write (GP-11.2, never replaced). */
	if (mv_store_get(st, in->module, in->version, v, err) == 0) {
		*outcome = MV_INGEST_PRESENT;
		rc = 0;
		goto done;
	}
	if (err->code != MV_ENOTFOUND)
		goto done;
	/* The caller's last word (the checksum database), before any write. */
	if (in->verify != NULL && in->verify(in->verify_ctx, v, err) == -1)
		goto done;
	rc = store(st, in, &info, &mod, v, outcome, err);
done:
	mv_zip_result_free(&zr);
	mv_buf_free(&info);
	mv_buf_free(&mod);
	free(v);
	return rc;
}
