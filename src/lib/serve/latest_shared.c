/*
 * latest_shared.c: @latest over the versions of a shared bucket (see
 * answer.h).
 *
 * With no upstream to ask, @latest is computed (V-6.2) from what is
 * stored; with storage = s3 that is what every node stored, not just this
 * one.  The pick runs over this node's versions and the bucket's; a
 * bucket version the rules need to look at (its go.mod, V-5.4) or pick is
 * adopted first (fill: validated as a download), so the answer comes from
 * this node's own rows as before.  Only the versions the pick touches are
 * adopted, not the whole module.
 */
#include <stdlib.h>
#include <string.h>

#include "modvault/base/log.h"
#include "modvault/proto/latest.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/store/shared.h"
#include "answer.h"

struct names {
	char		**v;
	size_t		  n, cap;
	struct mv_err	 *err;
};

static int
add_name(void *ctx, const char *module, const char *version)
{
	struct names *l = ctx;
	char **p;

	(void)module;
	if (l->n == MV_LIST_MAX_VERSIONS)
		return mv_fail(l->err, MV_EIO, "more than %d versions of one "
		    "module in the bucket", MV_LIST_MAX_VERSIONS);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((p = realloc(l->v, l->cap * sizeof(*p))) == NULL)
			return mv_fail(l->err, MV_ENOMEM, "out of memory");
		l->v = p;
	}
	if ((l->v[l->n] = strdup(version)) == NULL)
		return mv_fail(l->err, MV_ENOMEM, "out of memory");
	l->n++;
	return 0;
}

static void
names_free(struct names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int
add_stored(void *ctx, const struct mv_version *v)
{
	return add_name(ctx, v->module, v->version);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * This node's versions and the bucket's, each once, the bucket's checked
 * as a version of module (it is not trusted to name valid ones).
 */
static int
all_names(struct mv_service *svc, const char *module, struct names *l,
    struct mv_err *err)
{
	size_t i, j;

	if (mv_store_versions(svc->store, module, add_stored, l, err) == -1 ||
	    mv_store_shared_versions(svc->store, module, add_name, l,
	    err) == -1)
		return -1;
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(l->v[0]), by_name);
	for (i = j = 0; i < l->n; i++) {
		if ((j > 0 && strcmp(l->v[i], l->v[j - 1]) == 0) ||
		    !mv_version_is_canonical(l->v[i]) ||
		    mv_modpath_check_version(module, l->v[i], NULL) == -1) {
			free(l->v[i]);
			continue;
		}
		l->v[j++] = l->v[i];
	}
	l->n = j;
	return 0;
}

struct pick_ctx {
	struct mv_service	*svc;
	const char		*module;
	char			**names;
	struct mv_version	*row;
};

/* The version's row, stored here or adopted from the bucket. */
static int
row_of(struct pick_ctx *p, const char *version, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	enum mv_ingest_outcome oc;

	if (mv_store_get(p->svc->store, p->module, version, p->row, &e) == 0)
		return 0;
	if (e.code != MV_ENOTFOUND)
		return mv_err_pass(err, &e);
	if (mv_fill_version(&p->svc->filler, p->module, version, &oc,
	    err) == -1)
		return -1;
	return mv_store_get(p->svc->store, p->module, version, p->row, err);
}

/* V-5.4: is the version's .mod a go.mod of its own, not synthesized? */
static int
real_gomod(void *ctx, size_t i, bool *real, struct mv_err *err)
{
	struct pick_ctx *p = ctx;
	struct mv_buf mod = MV_BUF_BOUNDED(MV_SMALL_BLOB_MAX_BYTES);
	int rc;

	rc = row_of(p, p->names[i], err) == -1 ||
	    mv_blob_read_verified(mv_store_blobs(p->svc->store), &p->row->mod,
	    MV_SMALL_BLOB_MAX_BYTES, &mod, err) == -1 ? -1 : 0;
	if (rc == 0)
		*real = mv_latest_gomod_is_real(p->module, mod.data, mod.len);
	mv_buf_free(&mod);
	return rc;
}

int
mv_latest_from_bucket(struct mv_service *svc, const char *module)
{
	struct mv_err e = MV_ERR_INIT;
	struct names l = { NULL, 0, 0, &e };
	struct pick_ctx p = { svc, module, NULL, NULL };
	size_t pick;
	int rc;

	if (!mv_store_shared(svc->store))
		return 0;
	if ((p.row = malloc(sizeof(*p.row))) == NULL)
		return mv_fail(&e, MV_ENOMEM, "out of memory");
	rc = all_names(svc, module, &l, &e);
	p.names = l.v;
	if (rc == 0 && l.n > 0 && (rc = mv_latest_pick((const char *const *)
	    l.v, l.n, real_gomod, &p, &pick, &e)) == 0)
		rc = row_of(&p, l.v[pick], &e);
	if (rc == -1 && e.code != MV_ENOTFOUND)
		mv_log_warn("%s@latest: the bucket's versions: %s", module,
		    e.msg);
	names_free(&l);
	free(p.row);
	return rc;
}
