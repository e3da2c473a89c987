/*
 * module.c: what the module endpoints answer, from the store, filling it
 * from upstream on a miss (see answer.h).
 *
 * Small blobs (.info, .mod) are read into memory and their digest
 * re-checked, so a damaged blob is never served; a checked one is kept in
 * the process (blobcache.h).  A .zip is handed to the web server when it
 * can send the blob itself (X-Sendfile, from the blob's delivery hint),
 * else opened for streaming after checking its size against the index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/base/log.h"
#include "modvault/proto/latest.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/store/check.h"
#include "modvault/store/shared.h"
#include "modvault/store/tree.h"
#include "answer.h"

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
read_small_blob(struct mv_service *svc, const struct mv_blobref *ref,
    struct mv_buf *out, struct mv_err *err)
{
	const char *p;
	size_t len;

	if ((p = mv_blobcache_get(&svc->small, ref->digest, &len)) != NULL)
		return mv_buf_append(out, p, len, err);
	if (mv_blob_read_verified(mv_store_blobs(svc->store), ref,
	    MV_SMALL_BLOB_MAX_BYTES, out, err) == -1)
		return -1;
	mv_blobcache_put(&svc->small, ref->digest, out->data, out->len);
	return 0;
}

/*
 * The stored version a route names, fetching it on a miss.  A
 * non-canonical .info query ("master") is resolved through upstream to
 * the canonical version it names (GP-5.2.4), which is what is stored.
 */
static int
get_version(struct mv_service *svc, const struct mv_route *route,
    struct mv_version *v, struct mv_err *err)
{
	char canon[MV_VERSION_MAX_BYTES + 1];
	const char *want = route->version;
	struct mv_err e = MV_ERR_INIT;
	enum mv_ingest_outcome oc;

	if (!mv_version_is_canonical(want)) {
		if (mv_fill_query(&svc->filler, route->module, want, canon,
		    sizeof(canon), err) == -1)
			return -1;
		want = canon;
	}
	if (mv_store_get(svc->store, route->module, want, v, &e) == 0)
		return 0;
	if (e.code != MV_ENOTFOUND)
		return mv_err_pass(err, &e);
	mv_err_clear(&e);
	if (mv_modpath_check_version(route->module, want, &e) == -1) {
		/*
		 * GP-5.2.4: v2.0.0 of a path without /v2 may be what its
		 * source calls v2.0.0+incompatible: an .info query resolves it.
		 */
		if (route->kind != MV_ROUTE_INFO || want != route->version)
			return mv_fail(err, MV_ENOTFOUND, "not found: %s@%s: %s",
			    route->module, want, e.msg);
		if (mv_fill_query(&svc->filler, route->module, want, canon,
		    sizeof(canon), err) == -1)
			return -1;
		return mv_store_get(svc->store, route->module, canon, v, err);
	}
	if (mv_fill_version(&svc->filler, route->module, want, &oc, err) == -1)
		return -1;
	return mv_store_get(svc->store, route->module, want, v, err);
}

/*
 * v's blob bad was found damaged or missing (why): it goes to quarantine
 * and v from the index (check.h), then v is fetched again, so a damaged
 * store heals on the next request instead of failing forever.  With
 * fetching off this request fails with why, and the next finds nothing.
 */
static int
recover(struct mv_service *svc, struct mv_version *v,
    const struct mv_blobref *bad, const struct mv_err *why, struct mv_err *err)
{
	char module[MV_MODPATH_MAX_BYTES + 1], version[MV_VERSION_MAX_BYTES + 1];
	enum mv_ingest_outcome oc;

	mv_log_error("%s@%s: %s: the blob goes to quarantine and the version "
	    "is fetched again", v->module, v->version, why->msg);
	memcpy(module, v->module, sizeof(module));
	memcpy(version, v->version, sizeof(version));
	if (mv_store_quarantine(svc->store, v, bad, err) == -1)
		return -1;
	if (!mv_upstream_enabled(svc->filler.up) &&
	    !mv_store_shared(svc->store))
		return mv_err_pass(err, why);
	if (mv_fill_version(&svc->filler, module, version, &oc, err) == -1)
		return -1;
	return mv_store_get(svc->store, module, version, v, err);
}

/* Damage and absence of a blob the index names, not other failures. */
static bool
blob_is_bad(const struct mv_err *e)
{
	return e->code == MV_ECORRUPT || e->code == MV_ENOTFOUND;
}

/*
 * Records the serve for gc's least-recently-served eviction; the row just
 * read says whether a write is due (at most daily), so a hit costs no
 * second query.
 */
static void
touch(struct mv_service *svc, const struct mv_version *v)
{
	int64_t now = (int64_t)time(NULL);

	if (now - v->last_served > MV_TOUCH_INTERVAL)
		(void)mv_store_touch(svc->store, v->module, v->version, now,
		    NULL);
}

int
mv_answer_file(struct mv_service *svc, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	const struct mv_blobref *ref;
	struct mv_version v;
	int tries;

	if (get_version(svc, route, &v, err) == -1)
		return -1;
	for (tries = 0;; tries++) {
		ref = route->kind == MV_ROUTE_INFO ? &v.info : &v.mod;
		mv_buf_reset(&res->body);
		mv_err_clear(&e);
		if (read_small_blob(svc, ref, &res->body, &e) == 0)
			break;
		if (tries > 0 || !blob_is_bad(&e) ||
		    recover(svc, &v, ref, &e, err) == -1) {
			mv_err_pass(err, &e);
			return mv_wrap(err, "%s@%s: ", v.module, v.version);
		}
	}
	set_etag(res, ref);
	res->body_kind = MV_BODY_BUF;
	res->len = res->body.len;
	res->content_type = route->kind == MV_ROUTE_INFO ? MV_CT_JSON :
	    MV_CT_TEXT;
	res->cache_control = route->kind == MV_ROUTE_INFO ? MV_CC_STABLE :
	    MV_CC_IMMUTABLE;
	touch(svc, &v);
	mv_store_tree_hit(svc->store, &v);
	return 0;
}

/*
 * The offload header of each web server (web-servers notes): lighttpd and
 * Apache take the file name, nginx and Caddy an internal URI made of
 * xsendfile_prefix and the blob's fan-out name "ab/cd/abcd...".
 */
static int
offload(struct mv_service *svc, const struct mv_delivery *d,
    struct mv_response *res)
{
	const char *name = d->where + strlen(d->where);
	int slashes = 0;

	switch (svc->cfg.xsendfile) {
	case MV_XSENDFILE_LIGHTTPD:
		res->offload_header = "X-LIGHTTPD-send-file";
		break;
	case MV_XSENDFILE_APACHE:
		res->offload_header = "X-Sendfile";
		break;
	case MV_XSENDFILE_NGINX:
	case MV_XSENDFILE_CADDY:
		while (name > d->where && !(name[-1] == '/' && ++slashes == 3))
			name--;
		if ((size_t)snprintf(res->offload_value,
		    sizeof(res->offload_value), "%s%s",
		    svc->cfg.xsendfile_prefix, name) >=
		    sizeof(res->offload_value))
			return -1;
		res->offload_header = "X-Accel-Redirect";
		return 0;
	case MV_XSENDFILE_OFF:
	default:
		return -1;
	}
	snprintf(res->offload_value, sizeof(res->offload_value), "%s",
	    d->where);
	return 0;
}

/* Was this blob verified by this process already? */
static bool
seen_checked(struct mv_service *svc, const unsigned char *digest)
{
	size_t i = digest[0] % MV_CHECKED_SLOTS;

	return svc->checked[i].used &&
	    memcmp(svc->checked[i].digest, digest, MV_SHA256_LEN) == 0;
}

static void
note_checked(struct mv_service *svc, const unsigned char *digest)
{
	size_t i = digest[0] % MV_CHECKED_SLOTS;

	memcpy(svc->checked[i].digest, digest, MV_SHA256_LEN);
	svc->checked[i].used = true;
}

/*
 * A zip is read back and hashed before modvault sends it itself (once
 * per process and blob), and before it first lets the web server send
 * it (X-Sendfile: once per blob, recorded; the scrub checks it again
 * later), so a damaged zip never goes out with its immutable ETag.
 */
static int
check_zip(struct mv_service *svc, const struct mv_version *v, bool offload,
    struct mv_err *err)
{
	int64_t at = 0;

	if (seen_checked(svc, v->zip.digest))
		return 0;
	if (offload && mv_store_blob_last_checked(svc->store, v->zip.digest,
	    &at, err) == -1)
		return -1;
	if (at == 0) {
		if (mv_blob_verify(mv_store_blobs(svc->store), &v->zip,
		    err) == -1)
			return -1;
		(void)mv_store_blob_checked(svc->store, v->zip.digest,
		    (int64_t)time(NULL), NULL);
	}
	note_checked(svc, v->zip.digest);
	return 0;
}

/* The zip's answer: the web server sends it, or it is streamed. */
static int
zip_body(struct mv_service *svc, const struct mv_version *v,
    struct mv_response *res, struct mv_err *err)
{
	struct mv_blobstore *bs = mv_store_blobs(svc->store);
	struct mv_delivery d;
	bool off;

	if (mv_blob_delivery(bs, v->zip.digest, &d, err) == -1)
		return -1;
	/*
	 * zip_delivery = redirect: the client fetches from the bucket (the
	 * go command follows redirects, GP-1.5); the blob was checked when
	 * it was stored, and the scrub checks it there.  Short-lived, like
	 * the URL.
	 */
	if (d.kind == MV_DELIVER_URL) {
		res->status = 302;
		res->offload_header = "Location";
		snprintf(res->offload_value, sizeof(res->offload_value), "%s",
		    d.where);
		res->cache_control = MV_CC_SHORT;
		return 0;
	}
	off = d.kind == MV_DELIVER_LOCAL_FILE && offload(svc, &d, res) == 0;
	if (check_zip(svc, v, off, err) == -1) {
		res->offload_header = NULL;
		return -1;
	}
	if (off)
		return 0;
	if (mv_blob_open(bs, v->zip.digest, &res->blob, err) == -1)
		return -1;
	res->body_kind = MV_BODY_BLOB;
	if (d.kind == MV_DELIVER_LOCAL_FILE)
		snprintf(res->blob_file, sizeof(res->blob_file), "%s", d.where);
	return 0;
}

int
mv_answer_zip(struct mv_service *svc, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	struct mv_version v;
	int tries;

	if (get_version(svc, route, &v, err) == -1)
		return -1;
	for (tries = 0;; tries++) {
		mv_err_clear(&e);
		if (zip_body(svc, &v, res, &e) == 0)
			break;
		if (tries > 0 || !blob_is_bad(&e) ||
		    recover(svc, &v, &v.zip, &e, err) == -1) {
			mv_err_pass(err, &e);
			return mv_wrap(err, "%s@%s: ", v.module, v.version);
		}
	}
	touch(svc, &v);
	mv_store_tree_hit(svc->store, &v);
	if (res->status == 302)
		return 0;
	res->len = v.zip.size;
	res->accept_ranges = true;
	set_etag(res, &v.zip);
	res->content_type = "application/zip";
	res->cache_control = MV_CC_IMMUTABLE;
	return 0;
}

/*
 * What list and @latest need of each stored version: a compact copy, not
 * the whole row (a struct mv_version is over 2 KiB, and a module may have
 * up to MV_LIST_MAX_VERSIONS versions).
 */
struct held {
	char			version[MV_VERSION_MAX_BYTES + 1];
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

	if (c->n == MV_LIST_MAX_VERSIONS)
		return mv_fail(c->err, MV_EIO, "more than %d versions stored "
		    "for one module", MV_LIST_MAX_VERSIONS);
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
collect_versions(struct mv_service *svc, const char *module,
    struct collect *c, struct mv_err *err)
{
	memset(c, 0, sizeof(*c));
	c->err = err;
	if (mv_store_versions(svc->store, module, collect_fn, c, err) == -1) {
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

	if (l->n == MV_LIST_MAX_VERSIONS)
		return mv_fail(err, MV_EUPSTREAM, "more than %d versions for "
		    "one module", MV_LIST_MAX_VERSIONS);
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

struct shared_lines {
	struct mv_buf	*b;
	struct mv_err	*err;
};

static int
shared_line(void *ctx, const char *module, const char *version)
{
	struct shared_lines *sl = ctx;

	(void)module;
	return mv_buf_printf(sl->b, sl->err, "%s\n", version);
}

/*
 * The versions of module other nodes stored in the shared bucket, one a
 * line: false when there are none, or the bucket cannot say (logged; the
 * node's own view still answers).
 */
static bool
shared_versions(struct mv_service *svc, const char *module, struct mv_buf *b)
{
	struct mv_err e = MV_ERR_INIT;
	struct shared_lines sl = { b, &e };

	if (!mv_store_shared(svc->store))
		return false;
	if (mv_store_shared_versions(svc->store, module, shared_line, &sl,
	    &e) == -1) {
		mv_log_warn("list of %s: the bucket: %s", module, e.msg);
		return false;
	}
	return b->len > 0;
}

/*
 * A stored +incompatible version the upstream list leaves out is one the
 * go command hides on purpose (VC-6.3: the latest compatible version has a
 * go.mod), not one that vanished: listing it would make it @latest.
 */
static bool
hidden_incompatible(const char *version, const struct mv_buf *up)
{
	size_t n = strlen(version);
	const char *p = up->data;

	if (n < 13 || strcmp(version + n - 13, "+incompatible") != 0)
		return false;
	for (; p != NULL && (p = strstr(p, version)) != NULL; p += n)
		if ((p == up->data || p[-1] == '\n') && (p[n] == '\n' ||
		    p[n] == '\0' || p[n] == ' '))
			return false;
	return true;
}

/*
 * GP-5.1: the upstream list (when fetching is on) merged with what is
 * stored here and, for a shared store, in the bucket, sorted, without
 * pseudo-versions.  Upstream unreachable: the stores alone answer.  None
 * knows the module: 404 (or upstream's error).
 */
int
mv_answer_list(struct mv_service *svc, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	struct vlist l = { NULL, 0, 0 };
	struct mv_err uerr = MV_ERR_INIT;
	struct mv_buf up, sh;
	struct collect c;
	size_t i;
	int rc = 0, have_up, fetching, have_sh;

	mv_buf_init(&up, MV_LIST_MAX_BYTES);
	mv_buf_init(&sh, MV_LIST_MAX_BYTES);
	if (collect_versions(svc, route->module, &c, err) == -1)
		return -1;
	fetching = mv_upstream_enabled(svc->filler.up);
	have_up = fetching && mv_fill_list(&svc->filler, route->module, &up,
	    &uerr) == 0;
	have_sh = shared_versions(svc, route->module, &sh);
	if (!have_up && c.n == 0 && !have_sh)
		rc = fetching ? mv_err_pass(err, &uerr) : mv_fail(err,
		    MV_ENOTFOUND, "not found: module %s: no versions in the "
		    "store", route->module);
	for (i = 0; rc == 0 && i < c.n; i++)
		if (!mv_version_is_pseudo(c.v[i].version) &&
		    !(have_up && hidden_incompatible(c.v[i].version, &up)))
			rc = vlist_add(&l, c.v[i].version, err);
	if (rc == 0 && have_up)
		rc = add_upstream_lines(&l, route->module, &up, err);
	if (rc == 0 && have_sh)
		rc = add_upstream_lines(&l, route->module, &sh, err);
	if (rc == 0)
		mv_semver_sort(l.v, l.n);
	for (i = 0; rc == 0 && i < l.n; i++)
		if (i == 0 || strcmp(l.v[i], l.v[i - 1]) != 0)
			rc = mv_buf_printf(&res->body, err, "%s\n", l.v[i]);
	free(l.v);
	free(c.v);
	mv_buf_free(&up);
	mv_buf_free(&sh);
	res->body_kind = MV_BODY_BUF;
	res->len = res->body.len;
	res->content_type = MV_CT_TEXT;
	res->cache_control = MV_CC_SHORT;
	return rc;
}

/* V-5.4, for mv_latest_pick: is a stored version's .mod a real go.mod? */
struct gomod_ctx {
	struct mv_service	*svc;
	const char		*module;
	const struct collect	*c;
};

static int
real_gomod(void *ctx, size_t i, bool *real, struct mv_err *err)
{
	struct gomod_ctx *g = ctx;
	const struct held *v = &g->c->v[i];
	struct mv_buf mod;
	int rc;

	mv_buf_init(&mod, MV_SMALL_BLOB_MAX_BYTES);
	rc = read_small_blob(g->svc, &v->mod, &mod, err);
	if (rc == 0)
		*real = mv_latest_gomod_is_real(g->module, mod.data, mod.len);
	mv_buf_free(&mod);
	return rc;
}

/* GP-5.5: upstream's @latest when it answers (V-6.1), else V-6.2. */
int
mv_answer_latest(struct mv_service *svc, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	struct gomod_ctx g = { svc, route->module, NULL };
	struct mv_err e = MV_ERR_INIT;
	const char **names = NULL;
	struct collect c;
	size_t i, pick;
	int rc;

	res->content_type = MV_CT_JSON;
	res->cache_control = MV_CC_SHORT;
	res->body_kind = MV_BODY_BUF;
	if (mv_upstream_enabled(svc->filler.up) && mv_fill_latest(&svc->filler,
	    route->module, &res->body, NULL, 0, NULL) == 0) {
		res->len = res->body.len;
		return 0;
	}
	mv_buf_reset(&res->body);
	(void)mv_latest_from_bucket(svc, route->module);
	if (collect_versions(svc, route->module, &c, err) == -1)
		return -1;
	g.c = &c;
	if (c.n > 0 && (names = calloc(c.n, sizeof(*names))) == NULL)
		rc = mv_fail(err, MV_ENOMEM, "out of memory");
	else {
		for (i = 0; i < c.n; i++)
			names[i] = c.v[i].version;
		rc = mv_latest_pick(names, c.n, real_gomod, &g, &pick, &e);
		if (rc == -1 && e.code == MV_ENOTFOUND)
			mv_fail(err, MV_ENOTFOUND, "not found: module %s: no "
			    "usable version in the store", route->module);
		else if (rc == -1)
			mv_err_pass(err, &e);
		else
			rc = read_small_blob(svc, &c.v[pick].info, &res->body,
			    err);
	}
	res->len = res->body.len;
	free(names);
	free(c.v);
	return rc;
}
