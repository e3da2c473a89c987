/*
 * answer.c: what each protocol endpoint answers, from the store.
 *
 * It fills a struct mv_response and knows nothing of FastCGI or HTTP
 * framing; responder.c writes the result.  Small blobs (.info, .mod) are
 * read into memory and their digest re-checked, so a damaged blob is never
 * served; a .zip is handed over as an open file (or its path, for
 * X-Sendfile) after checking its size, and streamed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/hash.h"
#include "modvault/proto/latest.h"
#include "modvault/base/log.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/serve/serve.h"

#define CC_IMMUTABLE	"public, max-age=31536000, immutable"
#define CC_STABLE	"public, max-age=86400"
#define CC_SHORT	"public, max-age=60"
#define CT_TEXT		"text/plain; charset=utf-8"
#define CT_JSON		"application/json"

/* Upper bound on what is read into memory (MZ-2.3: go.mod <= 16 MiB). */
#define SMALL_BLOB_MAX	(16u << 20)
/* Upper bound on the versions one list answer may hold. */
#define LIST_MAX	100000

int
mv_http_status(enum mv_code code)
{
	switch (code) {
	case MV_OK:		return 200;
	case MV_EINVAL:		return 400;
	case MV_ENOTFOUND:	return 404;
	case MV_EGONE:		return 410;
	case MV_EFORBIDDEN:	return 403;
	case MV_ELIMIT:		return 414;
	case MV_EUPSTREAM:
	case MV_ECORRUPT:	return 502;
	case MV_ETIMEOUT:	return 504;
	default:		return 500;
	}
}

static void
set_etag(struct mv_response *res, const struct mv_blobref *ref)
{
	char hex[MV_SHA256_HEX + 1];

	mv_hex(ref->digest, MV_SHA256_LEN, hex);
	snprintf(res->etag, sizeof(res->etag), "\"%s\"", hex);
}

/*
 * Reads a small blob (.info, .mod) fully, checking its digest; a blob
 * checked once in this process comes from memory (blobcache.h).
 */
static int
read_small_blob(struct mv_app *app, const struct mv_blobref *ref,
    struct mv_buf *out, struct mv_err *err)
{
	const char *p;
	size_t len;

	if ((p = mv_blobcache_get(&app->small, ref->digest, &len)) != NULL)
		return mv_buf_append(out, p, len, err);
	if (mv_blob_read_verified(mv_store_blobs(app->store), ref,
	    SMALL_BLOB_MAX, out, err) == -1)
		return -1;
	mv_blobcache_put(&app->small, ref->digest, out->data, out->len);
	return 0;
}

/*
 * The stored version a route names, fetching it on a miss.  A
 * non-canonical .info query ("master") is resolved through upstream to
 * the canonical version it names (GP-5.2.4), which is what is stored.
 */
static int
get_version(struct mv_app *app, const struct mv_route *route,
    struct mv_version *v, struct mv_err *err)
{
	char canon[MV_VERSION_MAX + 1];
	const char *want = route->version;
	enum mv_ingest_outcome oc;

	if (!mv_version_is_canonical(want)) {
		if (mv_fill_query(&app->filler, route->module, want, canon,
		    sizeof(canon), err) == -1)
			return -1;
		want = canon;
	}
	if (mv_store_get(app->store, route->module, want, v, err) == 0)
		return 0;
	if (err->code != MV_ENOTFOUND)
		return -1;
	if (mv_modpath_check_version(route->module, want, err) == -1)
		return mv_fail(err, MV_ENOTFOUND, "not found: %s@%s: %s",
		    route->module, want, err->msg);
	if (mv_fill_version(&app->filler, route->module, want, &oc, err) == -1)
		return -1;
	return mv_store_get(app->store, route->module, want, v, err);
}

/*
 * Records the serve for gc's least-recently-served eviction; the row just
 * read says whether a write is due (at most daily), so a hit costs no
 * second query.
 */
static void
touch(struct mv_app *app, const struct mv_version *v)
{
	int64_t now = (int64_t)time(NULL);

	if (now - v->last_served > MV_TOUCH_INTERVAL)
		(void)mv_store_touch(app->store, v->module, v->version, now,
		    NULL);
}

static int
answer_small(struct mv_app *app, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	const struct mv_blobref *ref;
	struct mv_version v;

	if (get_version(app, route, &v, err) == -1)
		return -1;
	ref = route->kind == MV_ROUTE_INFO ? &v.info : &v.mod;
	if (read_small_blob(app, ref, &res->body, err) == -1)
		return mv_wrap(err, "%s@%s: ", route->module, route->version);
	set_etag(res, ref);
	res->content_type = route->kind == MV_ROUTE_INFO ? CT_JSON : CT_TEXT;
	res->cache_control = route->kind == MV_ROUTE_INFO ? CC_STABLE :
	    CC_IMMUTABLE;
	touch(app, &v);
	return 0;
}

static int
answer_zip(struct mv_app *app, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	struct mv_blobstore *bs = mv_store_blobs(app->store);
	struct mv_version v;
	uint64_t size;

	if (get_version(app, route, &v, err) == -1)
		return -1;
	if (app->cfg.xsendfile != MV_XSENDFILE_OFF) {
		if (bs->ops->local_path(bs, v.zip.digest, res->blob_path,
		    sizeof(res->blob_path), err) == -1 ||
		    bs->ops->stat(bs, v.zip.digest, &size, err) == -1)
			return mv_wrap(err, "%s@%s: ", v.module, v.version);
	} else if (bs->ops->open(bs, v.zip.digest, &res->body_fd, &size,
	    err) == -1)
		return mv_wrap(err, "%s@%s: ", v.module, v.version);
	if (size != v.zip.size)
		return mv_fail(err, MV_ECORRUPT, "%s@%s: stored zip has %llu "
		    "bytes, the index says %llu (run modvault verify)",
		    v.module, v.version, (unsigned long long)size,
		    (unsigned long long)v.zip.size);
	res->body_size = size;
	res->streamable = 1;
	set_etag(res, &v.zip);
	res->content_type = "application/zip";
	res->cache_control = CC_IMMUTABLE;
	touch(app, &v);
	return 0;
}

/*
 * What list and @latest need of each stored version: a compact copy, not
 * the whole row (a struct mv_version is over 2 KiB, and a module may have
 * up to LIST_MAX versions).
 */
struct held {
	char			version[MV_VERSION_MAX + 1];
	struct mv_blobref	info;
	struct mv_blobref	mod;
};

struct collect {
	struct held		*v;
	size_t			 n, cap;
	struct mv_err		*err;
};

static int
collect_fn(void *ctx, const struct mv_version *v)
{
	struct collect *c = ctx;
	struct held *p;

	if (c->n == LIST_MAX)
		return mv_fail(c->err, MV_ELIMIT, "more than %d versions",
		    LIST_MAX);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		if ((p = realloc(c->v, c->cap * sizeof(*p))) == NULL)
			return mv_fail(c->err, MV_ENOMEM, "out of memory");
		c->v = p;
	}
	p = &c->v[c->n++];
	memcpy(p->version, v->version, sizeof(p->version));
	p->info = v->info;
	p->mod = v->mod;
	return 0;
}

/* Every stored version of module; c->n may be 0. */
static int
collect_versions(struct mv_app *app, const char *module, struct collect *c,
    struct mv_err *err)
{
	memset(c, 0, sizeof(*c));
	c->err = err;
	if (mv_store_versions(app->store, module, collect_fn, c, err) == -1) {
		free(c->v);
		c->v = NULL;
		return -1;
	}
	return 0;
}

/* A list of version strings pointing into stored rows and a list body. */
struct vlist {
	const char	**v;
	size_t		  n, cap;
};

static int
vlist_add(struct vlist *l, const char *v, struct mv_err *err)
{
	const char **p;

	if (l->n == LIST_MAX)
		return mv_fail(err, MV_ELIMIT, "more than %d versions",
		    LIST_MAX);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		if ((p = realloc(l->v, l->cap * sizeof(*p))) == NULL)
			return mv_fail(err, MV_ENOMEM, "out of memory");
		l->v = p;
	}
	l->v[l->n++] = v;
	return 0;
}

/*
 * GP-5.1.7 as the go command reads a list: the first field of each line,
 * kept only if it is a canonical, listable version of module (GP-5.1.2/3).
 * The body is cut into NUL-terminated fields in place.
 */
static int
add_upstream_lines(struct vlist *l, const char *module, struct mv_buf *body,
    struct mv_err *err)
{
	char *line = body->data, *next, *f;

	for (; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		f = line + strspn(line, " \t\r");
		f[strcspn(f, " \t\r")] = '\0';
		if (!mv_version_is_canonical(f) || mv_version_is_pseudo(f) ||
		    mv_modpath_check_version(module, f, NULL) == -1)
			continue;
		if (vlist_add(l, f, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * GP-5.1: the upstream list (when fetching is on) merged with what is
 * stored, sorted, without pseudo-versions.  Upstream unreachable: the
 * store alone answers.  Neither knows the module: 404 (or upstream's error).
 */
static int
answer_list(struct mv_app *app, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	struct vlist l = { NULL, 0, 0 };
	struct mv_buf up;
	struct mv_err uerr;
	struct collect c;
	size_t i;
	int rc = 0, have_up;

	mv_buf_init(&up, 4u << 20);
	if (collect_versions(app, route->module, &c, err) == -1)
		return -1;
	have_up = mv_upstream_enabled(app->filler.up) &&
	    mv_fill_list(&app->filler, route->module, &up, &uerr) == 0;
	if (!have_up && c.n == 0) {
		if (mv_upstream_enabled(app->filler.up))
			*err = uerr;
		else
			mv_fail(err, MV_ENOTFOUND, "not found: module %s: no "
			    "versions in the store", route->module);
		rc = -1;
	}
	for (i = 0; rc == 0 && i < c.n; i++)
		if (!mv_version_is_pseudo(c.v[i].version))
			rc = vlist_add(&l, c.v[i].version, err);
	if (rc == 0 && have_up)
		rc = add_upstream_lines(&l, route->module, &up, err);
	if (rc == 0)
		mv_semver_sort(l.v, l.n);
	for (i = 0; rc == 0 && i < l.n; i++)
		if (i == 0 || strcmp(l.v[i], l.v[i - 1]) != 0)
			rc = mv_buf_printf(&res->body, err, "%s\n", l.v[i]);
	free(l.v);
	free(c.v);
	mv_buf_free(&up);
	res->content_type = CT_TEXT;
	res->cache_control = CC_SHORT;
	return rc;
}

/* V-5.4, for mv_latest_pick: is a stored version's .mod a real go.mod? */
struct gomod_ctx {
	struct mv_app		*app;
	const char		*module;
	const struct collect	*c;
};

static int
real_gomod(void *ctx, size_t i, bool *real, struct mv_err *err)
{
	struct gomod_ctx *g = ctx;
	const struct held *v = &g->c->v[i];
	struct mv_buf mod, synth;
	int rc;

	mv_buf_init(&mod, SMALL_BLOB_MAX);
	mv_buf_init(&synth, MV_MODPATH_MAX + 16);
	rc = read_small_blob(g->app, &v->mod, &mod, err);
	if (rc == 0)
		rc = mv_buf_printf(&synth, err, "module %s\n", g->module);
	if (rc == 0)
		*real = mod.len != synth.len ||
		    memcmp(mod.data, synth.data, mod.len) != 0;
	mv_buf_free(&mod);
	mv_buf_free(&synth);
	return rc;
}

/* GP-5.5: upstream's @latest when it answers (V-6.1), else V-6.2. */
static int
answer_latest(struct mv_app *app, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	struct gomod_ctx g = { app, route->module, NULL };
	const char **names = NULL;
	struct collect c;
	size_t i, pick;
	int rc;

	res->content_type = CT_JSON;
	res->cache_control = CC_SHORT;
	if (mv_upstream_enabled(app->filler.up) && mv_fill_latest(&app->filler,
	    route->module, &res->body, NULL, 0, NULL) == 0)
		return 0;
	mv_buf_reset(&res->body);
	if (collect_versions(app, route->module, &c, err) == -1)
		return -1;
	g.c = &c;
	if (c.n > 0 && (names = calloc(c.n, sizeof(*names))) == NULL)
		rc = mv_fail(err, MV_ENOMEM, "out of memory");
	else {
		for (i = 0; i < c.n; i++)
			names[i] = c.v[i].version;
		rc = mv_latest_pick(names, c.n, real_gomod, &g, &pick, err);
	}
	if (rc == -1 && err->code == MV_ENOTFOUND)
		mv_fail(err, MV_ENOTFOUND, "not found: module %s: no usable "
		    "version in the store", route->module);
	else if (rc == 0)
		rc = read_small_blob(app, &c.v[pick].info, &res->body, err);
	free(names);
	free(c.v);
	return rc;
}

/* GP-10, SD-2: the checksum databases named in the config, proxied. */
static int
answer_sumdb(struct mv_app *app, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	struct mv_sumdb_db *db = mv_sumdbc_find(&app->filler.sumdb,
	    route->sumdb_name);
	struct mv_sumdb_answer ans;

	/* SD-10.2: 404 for any other name, so the client goes direct. */
	if (db == NULL)
		return mv_fail(err, MV_ENOTFOUND, "not found: checksum "
		    "database \"%s\" is not proxied here", route->sumdb_name);
	res->content_type = CT_TEXT;
	res->cache_control = CC_SHORT;
	if (strcmp(route->sumdb_rest, "supported") == 0)
		return 0;
	res->body.max = MV_NOTE_MAX;
	if (mv_sumdbc_proxy(&app->filler.sumdb, db, route->sumdb_rest,
	    &res->body, &ans, err) == -1)
		return -1;
	res->content_type = ans.content_type;
	if (ans.immutable)
		res->cache_control = CC_IMMUTABLE;
	return 0;
}

static int
answer_index(struct mv_app *app, struct mv_response *res, struct mv_err *err)
{
	res->content_type = CT_TEXT;
	res->cache_control = CC_SHORT;
	return mv_buf_puts(&res->body,
	    "modvault: a Go module proxy (GOPROXY protocol).\n"
	    "\n"
	    "Use it by setting, for example:\n"
	    "  go env -w GOPROXY=<the URL of this page>\n"
	    "\n"
	    "Endpoints: $module/@v/list, $module/@v/$version.info, .mod, "
	    ".zip, $module/@latest; /healthz.\n", err);
}

static int
answer_healthz(struct mv_app *app, struct mv_response *res,
    struct mv_err *err)
{
	if (mv_store_ping(app->store, err) == -1)
		return mv_wrap(err, "store unusable: ");
	res->content_type = CT_TEXT;
	res->cache_control = "no-store";
	return mv_buf_puts(&res->body, "ok\n", err);
}

int
mv_answer(struct mv_app *app, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	if (route->kind == MV_ROUTE_INDEX)
		return answer_index(app, res, err);
	if (app->store == NULL) {
		/* Whatever the cause, to a client this is our failure (500). */
		*err = app->store_err;
		err->code = MV_EIO;
		return mv_wrap(err, "store unavailable: ");
	}
	switch (route->kind) {
	case MV_ROUTE_HEALTHZ:
		return answer_healthz(app, res, err);
	case MV_ROUTE_LIST:
		return answer_list(app, route, res, err);
	case MV_ROUTE_INFO:
	case MV_ROUTE_MOD:
		return answer_small(app, route, res, err);
	case MV_ROUTE_ZIP:
		return answer_zip(app, route, res, err);
	case MV_ROUTE_LATEST:
		return answer_latest(app, route, res, err);
	case MV_ROUTE_SUMDB:
	default:
		return answer_sumdb(app, route, res, err);
	}
}
