/*
 * sumdbc.c: the checksum database, proxied and verified (see sumdbc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/base/log.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/store/sumdbstate.h"
#include "modvault/sumdb/sumdbc.h"

#define TILE_HEIGHT	8		/* SD-8.7: what the go command uses */
/* A hash tile: at most 2^H hashes of 32 bytes (SD-8.1). */
#define TILE_MAX	(32 << TILE_HEIGHT)

/*
 * SD-4.3: a "sumdb" line's key, parsed; a bad one is a configuration
 * error naming the file and line it came from.
 */
static int
check_key(const struct mv_config *cfg, const struct mv_sumdb_config *sc,
    struct mv_note_verifier *key, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;

	if (mv_note_verifier_parse(sc->vkey, strlen(sc->vkey), key, &e) == 0)
		return 0;
	return mv_fail(err, MV_ECONFIG, "%s:%zu: sumdb: %s",
	    cfg->path[0] != '\0' ? cfg->path : "-", sc->line, e.msg);
}

int
mv_sumdbc_init(struct mv_sumdbc *c, struct mv_store *st,
    const struct mv_config *cfg, struct mv_err *err)
{
	const struct mv_sumdb_config *sc;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->st = st;
	c->cfg = cfg;
	for (i = 0; i < cfg->nsumdb; i++) {
		sc = &cfg->sumdb[i];
		if (check_key(cfg, sc, &c->db[i].key, err) == -1 ||
		    mv_upstream_new_list(sc->url, cfg, &c->db[i].up, err) == -1) {
			mv_sumdbc_release(c);
			return -1;
		}
		c->n++;
	}
	return 0;
}

int
mv_sumdbc_check_config(const struct mv_config *cfg, struct mv_err *err)
{
	struct mv_note_verifier key;
	size_t i;

	for (i = 0; i < cfg->nsumdb; i++)
		if (check_key(cfg, &cfg->sumdb[i], &key, err) == -1)
			return -1;
	return 0;
}

void
mv_sumdbc_release(struct mv_sumdbc *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		mv_upstream_free(c->db[i].up);
	c->n = 0;
}

struct mv_sumdb_db *
mv_sumdbc_find(struct mv_sumdbc *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->db[i].key.name, name) == 0)
			return &c->db[i];
	return NULL;
}

static int64_t
now(void)
{
	return (int64_t)time(NULL);
}

/* GETs path from the database into out (bounded by max). */
static int
db_get(struct mv_sumdb_db *db, const char *path, size_t max,
    struct mv_buf *out, struct mv_err *err)
{
	struct mv_fetch_sink s = { .buf = out, .fd = -1, .max = max };

	out->max = max;
	return mv_upstream_get(db->up, path, &s, NULL, err);
}

/* --- tiles for verification (SD-9.1) ------------------------------------ */

/*
 * Where check_one takes the lookup and tiles from: the database (tiles
 * kept here first), or only what is stored (`verify --sumdb`), or only
 * what is stored here or in the bucket the nodes share (a version another
 * node verified, adopted without the database: its record is then kept).
 */
enum { ONLINE, STORED, SHARED, BUNDLE };

struct tiles_ctx {
	struct mv_sumdbc	*c;
	struct mv_sumdb_db	*db;
	int			 offline;	/* ONLINE, STORED, SHARED */
	/* A tile a client asked for, being authenticated (or NULL). */
	const struct mv_tile	*cand;
	const struct mv_buf	*cand_data;
	/* BUNDLE: the tiles a bundle carries, after the stored ones. */
	mv_tile_reader		 bundle;
	void			*bundle_ctx;
};

/*
 * An authenticated copy of t, or of its full-width tile, from the store,
 * else from the bucket other nodes share (a proof checks it either way).
 */
static int
stored_tile(struct tiles_ctx *x, const struct mv_tile *t, struct mv_buf *out)
{
	struct mv_tile full = *t;
	char path[MV_TILE_PATH_MAX_BYTES];
	struct mv_buf b;
	bool auth = false;
	int i, rc = -1;

	full.w = 1 << t->h;
	mv_buf_init(&b, TILE_MAX);
	for (i = 0; i < 4 && rc == -1; i++) {
		mv_buf_reset(&b);
		if (mv_tile_path(i % 2 == 0 ? t : &full, path, NULL) == -1)
			continue;
		/* This node's, then one another node authenticated. */
		if (i < 2)
			auth = mv_store_sumdb_cache_get(x->c->st,
			    x->db->key.name, path, &b, &auth, NULL) == 0 && auth;
		else
			auth = mv_store_sumdb_shared_tile(x->c->st,
			    x->db->key.name, path, &b, NULL) == 0;
		if (auth && b.len >= (size_t)t->w * 32)
			rc = mv_buf_append(out, b.data, (size_t)t->w * 32, NULL);
	}
	mv_buf_free(&b);
	return rc;
}

/* SD-8.3: a partial tile may be gone once the full one exists. */
static int
read_tile(void *ctx, const struct mv_tile *t, struct mv_buf *out,
    struct mv_err *err)
{
	struct tiles_ctx *x = ctx;
	struct mv_tile full = *t;
	struct mv_err e = MV_ERR_INIT;
	char path[MV_TILE_PATH_MAX_BYTES];
	struct mv_buf b;
	int rc;

	if (x->cand != NULL && x->cand->h == t->h && x->cand->l == t->l &&
	    x->cand->n == t->n && x->cand->w >= t->w)
		return mv_buf_append(out, x->cand_data->data, (size_t)t->w * 32,
		    err);
	if (stored_tile(x, t, out) == 0)
		return 0;
	if (x->bundle != NULL && x->bundle(x->bundle_ctx, t, out, NULL) == 0)
		return 0;
	mv_buf_reset(out);
	if (x->offline)
		return mv_fail(err, MV_ENOTFOUND, "tile not stored (SD-9.1)");
	if (mv_tile_path(t, path, err) == -1)
		return -1;
	mv_buf_init(&b, TILE_MAX);
	rc = db_get(x->db, path, TILE_MAX, &b, &e);
	if (rc == -1 && e.code == MV_ENOTFOUND && t->w < (1 << t->h)) {
		mv_err_clear(&e);
		full.w = 1 << t->h;
		rc = mv_tile_path(&full, path, &e);
		if (rc == 0)
			rc = db_get(x->db, path, TILE_MAX, &b, &e);
	}
	if (rc == -1)
		mv_err_pass(err, &e);
	if (rc == 0)
		rc = mv_buf_append(out, b.data, b.len < (size_t)t->w * 32 ?
		    b.len : (size_t)t->w * 32, err);
	mv_buf_free(&b);
	return rc;
}

/* SD-9.1.4: only authenticated tiles are kept for verification. */
static int
save_tile(void *ctx, const struct mv_tile *t, const unsigned char *data,
    size_t len, struct mv_err *err)
{
	struct tiles_ctx *x = ctx;
	char path[MV_TILE_PATH_MAX_BYTES];

	if ((x->offline && x->offline != BUNDLE) ||
	    mv_tile_path(t, path, err) == -1)
		return 0;
	(void)mv_store_sumdb_cache_put(x->c->st, x->db->key.name, path, data,
	    len, true, now(), NULL);
	return 0;
}

/* The newest tree head trusted for db, or the empty tree. */
static int
trusted_tree(struct mv_sumdbc *c, struct mv_sumdb_db *db, struct mv_tree *t,
    struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf note;
	int64_t size;
	int rc;

	memset(t, 0, sizeof(*t));
	/* SD-9: the empty tree's hash is SHA256(""). */
	if (mv_sha256("", 0, t->hash, err) == -1)
		return -1;
	mv_buf_init(&note, MV_NOTE_MAX_BYTES);
	rc = mv_store_sumdb_tree_get(c->st, db->key.name, &note, &size, &e);
	if (rc == -1 && e.code == MV_ENOTFOUND)
		rc = 0;
	else if (rc == -1)
		mv_err_pass(err, &e);
	else
		rc = mv_tree_open(note.data, note.len, &db->key, 1, t, err);
	mv_buf_free(&note);
	return rc;
}

int
mv_sumdbc_lookup_path(const char *module, const char *version, struct mv_buf *out,
    struct mv_err *err)
{
	struct mv_buf esc;
	int rc;

	mv_buf_init(&esc, MV_MODPATH_MAX_BYTES * 2);
	rc = mv_buf_puts(out, "lookup/", err) == -1 ||
	    mv_escape_path(module, &esc, err) == -1 ||
	    mv_url_escape(mv_buf_str(&esc), true, out, err) == -1 ||
	    mv_buf_putc(out, '@', err) == -1 ? -1 : 0;
	mv_buf_reset(&esc);
	if (rc == 0)
		rc = mv_escape_version(version, &esc, err) == -1 ||
		    mv_url_escape(mv_buf_str(&esc), false, out, err) == -1 ?
		    -1 : 0;
	mv_buf_free(&esc);
	return rc;
}

/*
 * SD-9.2 and SD-10.1 for one lookup body: the proofs against trusted,
 * then both hashes against the module's own.
 */
static int
check_body(struct mv_sumdb_db *db, const struct mv_tlog_tiles *tt,
    const struct mv_tree *trusted, const char *module, const char *version,
    const struct mv_buf *body, const char *zip_h1, const char *mod_h1,
    struct mv_sumdb_result *res, struct mv_err *err)
{
	if (mv_sumdb_check_lookup(&db->key, tt, trusted, module, version,
	    body->data, body->len, res, err) == -1)
		return mv_wrap(err, "SD-9.2: ");
	if (strcmp(res->zip_h1, zip_h1) != 0 || strcmp(res->mod_h1, mod_h1) != 0)
		return mv_fail(err, MV_ECORRUPT, "SD-10.1: checksum mismatch "
		    "for %s@%s: %s has %s and %s/go.mod %s, the module hashes "
		    "to %s and %s", module, version, db->key.name, res->zip_h1,
		    version, res->mod_h1, zip_h1, mod_h1);
	return 0;
}

/*
 * SD-9.2 against one database: the lookup (from the database, else the
 * one stored with the version when offline), the proofs, the hashes.
 */
static int
check_one(struct mv_sumdbc *c, struct mv_sumdb_db *db, const char *module,
    const char *version, const char *zip_h1, const char *mod_h1,
    int offline, struct mv_err *err)
{
	struct tiles_ctx x = { c, db, offline, NULL, NULL, NULL, NULL };
	struct mv_tlog_tiles tt = { TILE_HEIGHT, read_tile, save_tile, &x };
	struct mv_sumdb_result res;
	struct mv_buf path, body;
	struct mv_tree trusted;
	int64_t id;
	int rc;

	mv_buf_init(&path, MV_REQUEST_PATH_MAX_BYTES);
	mv_buf_init(&body, MV_LOOKUP_MAX_BYTES);
	rc = mv_sumdbc_lookup_path(module, version, &path, err);
	if (rc == 0 && offline)
		rc = mv_store_sumdb_record_get(c->st, module, version,
		    db->key.name, &body, &id, err);
	else if (rc == 0 && (rc = db_get(db, mv_buf_str(&path), MV_LOOKUP_MAX_BYTES,
	    &body, err)) == -1)
		mv_wrap(err, "SD-10.1: cannot look up %s@%s in %s: ", module,
		    version, db->key.name);
	if (rc == 0)
		rc = trusted_tree(c, db, &trusted, err);
	if (rc == 0)
		rc = check_body(db, &tt, &trusted, module, version, &body,
		    zip_h1, mod_h1, &res, err);
	if (rc == 0 && offline == SHARED)
		rc = mv_store_sumdb_record_put(c->st, module, version,
		    db->key.name, res.id, body.data, body.len, err);
	if (rc == 0 && offline == ONLINE) {
		if (res.newer)
			(void)mv_store_sumdb_tree_put(c->st, db->key.name,
			    res.tree.n, res.note, res.notelen, NULL);
		(void)mv_store_sumdb_cache_put(c->st, db->key.name,
		    mv_buf_str(&path), body.data, body.len, false, now(), NULL);
		rc = mv_store_sumdb_record_put(c->st, module, version,
		    db->key.name, res.id, body.data, body.len, err);
	}
	mv_buf_free(&path);
	mv_buf_free(&body);
	return rc;
}

/* Both ways in: from_bucket tries the record another node shared first. */
static int
verify(struct mv_sumdbc *c, const char *module, const char *version,
    const char *zip_h1, const char *mod_h1, bool from_bucket,
    struct mv_err *err)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct mv_err e = MV_ERR_INIT;

		if (from_bucket && check_one(c, &c->db[i], module, version,
		    zip_h1, mod_h1, SHARED, &e) == 0)
			continue;
		if (from_bucket && e.code != MV_ENOTFOUND && e.code != MV_OK)
			mv_log_warn("%s@%s: the bucket's %s record: %s; asking "
			    "the database", module, version, c->db[i].key.name,
			    e.msg);
		mv_err_clear(&e);
		if (check_one(c, &c->db[i], module, version, zip_h1, mod_h1,
		    ONLINE, &e) == 0)
			continue;
		if (c->cfg->sumdb_verify == MV_SUMDB_VERIFY_WARN &&
		    !mv_code_is_local(e.code)) {
			mv_log_warn("storing anyway (sumdb_verify = warn): "
			    "%s", e.msg);
			continue;
		}
		/*
		 * Not "not found" (the version exists upstream): the fill
		 * reports it as the upstream's failure, unless it was ours.
		 */
		if (mv_code_is_local(e.code))
			return mv_err_pass(err, &e);
		return mv_fail(err, MV_ECORRUPT, "%s", e.msg);
	}
	return 0;
}

int
mv_sumdbc_verify(struct mv_sumdbc *c, const char *module, const char *version,
    const char *zip_h1, const char *mod_h1, struct mv_err *err)
{
	return verify(c, module, version, zip_h1, mod_h1, false, err);
}

int
mv_sumdbc_verify_shared(struct mv_sumdbc *c, const char *module,
    const char *version, const char *zip_h1, const char *mod_h1,
    struct mv_err *err)
{
	return verify(c, module, version, zip_h1, mod_h1, true, err);
}

int
mv_sumdbc_recheck(struct mv_sumdbc *c, const char *module,
    const char *version, const char *zip_h1, const char *mod_h1,
    struct mv_err *err)
{
	size_t i;
	int found = 0;

	for (i = 0; i < c->n; i++) {
		struct mv_err e = MV_ERR_INIT;

		if (check_one(c, &c->db[i], module, version, zip_h1, mod_h1,
		    STORED, &e) == 0) {
			found++;
			continue;
		}
		if (e.code != MV_ENOTFOUND)
			return mv_err_pass(err, &e);
	}
	if (found == 0)
		return mv_fail(err, MV_ENOTFOUND, "no checksum database record "
		    "stored for %s@%s", module, version);
	return 0;
}

int
mv_sumdbc_reachable(struct mv_sumdbc *c, struct mv_err *err)
{
	struct mv_buf b;
	size_t i;
	int rc = 0;

	mv_buf_init(&b, MV_NOTE_MAX_BYTES);
	for (i = 0; rc == 0 && i < c->n; i++) {
		mv_buf_reset(&b);
		if ((rc = db_get(&c->db[i], "latest", MV_NOTE_MAX_BYTES, &b,
		    err)) == -1)
			mv_wrap(err, "checksum database %s: ",
			    c->db[i].key.name);
	}
	mv_buf_free(&b);
	return rc;
}

/* --- bundles: proofs carried offline ------------------------------------ */

int
mv_sumdbc_adopt_head(struct mv_sumdbc *c, struct mv_sumdb_db *db,
    const char *note, size_t len, mv_tile_reader rd, void *rctx,
    struct mv_tree *tree, struct mv_err *err)
{
	struct tiles_ctx x = { c, db, BUNDLE, NULL, NULL, rd, rctx };
	struct mv_tlog_tiles tt = { TILE_HEIGHT, read_tile, save_tile, &x };
	struct mv_tree trusted;

	if (mv_tree_open(note, len, &db->key, 1, tree, err) == -1)
		return mv_wrap(err, "SD-4.2: the bundle's tree head under "
		    "%s's key: ", db->key.name);
	if (trusted_tree(c, db, &trusted, err) == -1)
		return -1;
	/* A fork first: this node's tiles would not hash to its tree. */
	if (mv_tlog_check_consistent(&tt, &trusted, tree, err) == -1)
		return mv_wrap(err, "SD-9.2.4: the bundle's tree head (%lld "
		    "records) against the one stored here (%lld): ",
		    (long long)tree->n, (long long)trusted.n);
	if (mv_tlog_check_tree(&tt, tree, err) == -1)
		return mv_wrap(err, "SD-9.1: the bundle's tiles: ");
	if (tree->n > trusted.n)
		return mv_store_sumdb_tree_put(c->st, db->key.name, tree->n,
		    note, len, err);
	return 0;
}

int
mv_sumdbc_check_bundled(struct mv_sumdbc *c, struct mv_sumdb_db *db,
    const struct mv_tree *tree, mv_tile_reader rd, void *rctx,
    const char *module, const char *version, const struct mv_buf *body,
    const char *zip_h1, const char *mod_h1, int64_t *id, struct mv_err *err)
{
	struct tiles_ctx x = { c, db, BUNDLE, NULL, NULL, rd, rctx };
	struct mv_tlog_tiles tt = { TILE_HEIGHT, read_tile, save_tile, &x };
	struct mv_sumdb_result res;

	if (check_body(db, &tt, tree, module, version, body, zip_h1, mod_h1,
	    &res, err) == -1)
		return -1;
	*id = res.id;
	return 0;
}

int
mv_sumdbc_keep_bundled(struct mv_sumdbc *c, struct mv_sumdb_db *db,
    const char *module, const char *version, int64_t id,
    const struct mv_buf *body, struct mv_err *err)
{
	struct mv_buf path;
	int rc;

	mv_buf_init(&path, MV_REQUEST_PATH_MAX_BYTES);
	rc = mv_sumdbc_lookup_path(module, version, &path, err);
	/* The response a client's lookup is answered with offline. */
	if (rc == 0)
		rc = mv_store_sumdb_cache_put(c->st, db->key.name,
		    mv_buf_str(&path), body->data, body->len, false, now(),
		    err);
	if (rc == 0)
		rc = mv_store_sumdb_record_put(c->st, module, version,
		    db->key.name, id, body->data, body->len, err);
	mv_buf_free(&path);
	return rc;
}

/* --- proxying (SD-2, SD-10.2, SD-10.3) ----------------------------------- */

/*
 * SD-1.2: "lookup/<escaped path>@<escaped version>" of a valid module
 * path and canonical version, made anew from what it names (so nothing of
 * the request but those reaches the database).  Whether it may be looked
 * up at all (nosumdb, GP-10.3) the policy decided after routing.
 */
static int
lookup_request(const char *rest, struct mv_buf *path, struct mv_err *err)
{
	char esc[MV_MODPATH_MAX_BYTES + 1];
	const char *at = strrchr(rest, '@');
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf m, v;
	int rc;

	if (at == NULL || (size_t)(at - rest) > MV_MODPATH_MAX_BYTES)
		return mv_fail(err, MV_ENOTFOUND, "not found: malformed lookup");
	snprintf(esc, sizeof(esc), "%.*s", (int)(at - rest), rest);
	mv_buf_init(&m, MV_MODPATH_MAX_BYTES);
	mv_buf_init(&v, MV_VERSION_MAX_BYTES);
	rc = mv_unescape_path(esc, &m, &e) == -1 ||
	    mv_unescape_version(at + 1, &v, &e) == -1 ? -1 : 0;
	if (rc == 0 && !mv_version_is_canonical(mv_buf_str(&v)))
		rc = mv_fail(&e, MV_EINVAL, "version \"%s\" is not canonical",
		    mv_buf_str(&v));
	if (rc == 0)
		rc = mv_sumdbc_lookup_path(mv_buf_str(&m), mv_buf_str(&v), path, &e);
	if (rc == -1)
		mv_fail(err, MV_ENOTFOUND, "not found: %s", e.msg);
	mv_buf_free(&m);
	mv_buf_free(&v);
	return rc;
}

/* Database first, the stored copy when it cannot be reached. */
static int
network_first(struct mv_sumdbc *c, struct mv_sumdb_db *db, const char *path,
    size_t max, struct mv_buf *out, struct mv_err *err)
{
	struct mv_err nerr = MV_ERR_INIT;
	bool auth;

	if (db_get(db, path, max, out, &nerr) == 0) {
		(void)mv_store_sumdb_cache_put(c->st, db->key.name, path,
		    out->data, out->len, false, now(), NULL);
		return 0;
	}
	mv_buf_reset(out);
	if (nerr.code != MV_ENOTFOUND && nerr.code != MV_EGONE &&
	    mv_store_sumdb_cache_get(c->st, db->key.name, path, out, &auth,
	    NULL) == 0)
		return 0;
	return mv_err_pass(err, &nerr);
}

/*
 * SD-9.1.4: is hash tile t (data: what the database sent a client) part of
 * the newest tree this proxy trusts?  Its last hash is read through tiles
 * authenticated up to that tree's signed root, the candidate itself first:
 * save_tile keeps what was authenticated.  A tile the client needs wider
 * than what that tree covers, or a data tile, cannot be vouched for.
 */
static bool
tile_authentic(struct mv_sumdbc *c, struct mv_sumdb_db *db,
    const struct mv_tile *t, const struct mv_buf *data, int offline)
{
	struct tiles_ctx x = { c, db, offline, t, data, NULL, NULL };
	struct mv_tlog_tiles tt = { TILE_HEIGHT, read_tile, save_tile, &x };
	unsigned char hash[MV_TLOG_HASH];
	struct mv_tile wide = *t;
	struct mv_tree trusted;
	struct mv_buf b;
	int64_t level, last;
	bool ok;

	if (t->l < 0 || t->h != TILE_HEIGHT ||
	    data->len != (size_t)t->w * 32 ||
	    trusted_tree(c, db, &trusted, NULL) == -1 || trusted.n == 0)
		return false;
	level = (int64_t)t->l * t->h;
	last = (t->n << t->h) + t->w - 1;
	if (level > 62 || last >= (trusted.n >> level) ||
	    mv_tlog_read_hash(&tt, &trusted, (int)level, last, hash,
	    NULL) == -1)
		return false;
	/* The tile the tree covers there is authenticated now: t its prefix? */
	wide.w = (int)((trusted.n >> level) - (t->n << t->h) < (1 << t->h) ?
	    (trusted.n >> level) - (t->n << t->h) : (1 << t->h));
	mv_buf_init(&b, TILE_MAX);
	x.cand = NULL;
	ok = stored_tile(&x, &wide, &b) == 0 && b.len >= data->len &&
	    memcmp(b.data, data->data, data->len) == 0;
	mv_buf_free(&b);
	return ok;
}

/*
 * A tile's content is fixed by its path: an authenticated copy in the
 * store is served as it is.  Else the database's answer is served, and
 * kept only once authenticated (SD-9.1.4), so a truncated or forged tile
 * is never cached and served to every client.
 */
static int
store_first(struct mv_sumdbc *c, struct mv_sumdb_db *db, const char *path,
    const struct mv_tile *t, struct mv_buf *out, struct mv_err *err)
{
	bool auth = false;

	if (mv_store_sumdb_cache_get(c->st, db->key.name, path, out, &auth,
	    NULL) == 0 && auth)
		return 0;
	mv_buf_reset(out);
	if (db_get(db, path, TILE_MAX * 2, out, err) == -1)
		return -1;
	if (tile_authentic(c, db, t, out, 0))
		(void)mv_store_sumdb_cache_put(c->st, db->key.name, path,
		    out->data, out->len, true, now(), NULL);
	return 0;
}

/* "latest" from the database, else the newest head verified here. */
static int
latest(struct mv_sumdbc *c, struct mv_sumdb_db *db, struct mv_buf *out,
    struct mv_err *err)
{
	struct mv_err nerr = MV_ERR_INIT;
	int64_t size;

	if (db_get(db, "latest", MV_NOTE_MAX_BYTES, out, &nerr) == 0)
		return 0;
	mv_buf_reset(out);
	if (mv_store_sumdb_tree_get(c->st, db->key.name, out, &size,
	    NULL) == 0)
		return 0;
	return mv_err_pass(err, &nerr);
}

int
mv_sumdbc_proxy(struct mv_sumdbc *c, struct mv_sumdb_db *db,
    const char *rest, struct mv_buf *out, struct mv_sumdb_answer *ans,
    struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf path;
	struct mv_tile t;
	int rc;

	ans->content_type = "text/plain; charset=utf-8";	/* GP-9.1 */
	ans->immutable = false;
	if (strcmp(rest, "latest") == 0)
		rc = latest(c, db, out, &e);
	else if (strncmp(rest, "lookup/", 7) == 0) {
		mv_buf_init(&path, MV_REQUEST_PATH_MAX_BYTES * 2);
		rc = lookup_request(rest + 7, &path, &e) == -1 ? -1 :
		    network_first(c, db, mv_buf_str(&path),
		    MV_LOOKUP_MAX_BYTES, out, &e);
		mv_buf_free(&path);
	}
	else if (mv_tile_parse(rest, strlen(rest), &t, NULL) == 0) {
		if (t.l >= 0)
			ans->content_type = "application/octet-stream";
		/* A partial tile is replaced by the full one upstream. */
		ans->immutable = t.w == 1 << t.h;
		rc = store_first(c, db, rest, &t, out, &e);
	} else
		rc = mv_fail(&e, MV_ENOTFOUND, "not found: no checksum "
		    "database path \"%.200s\"", rest);
	if (rc == 0)
		return 0;
	/* What the database did wrong is a bad gateway; ours stays ours. */
	if (e.code == MV_ENOTFOUND || e.code == MV_EGONE ||
	    mv_code_is_local(e.code))
		return mv_err_pass(err, &e);
	return mv_fail(err, MV_EUPSTREAM, "%s", e.msg);
}

/* The tile paths of one database, collected before anything changes. */
struct paths {
	char	(*p)[MV_TILE_PATH_MAX_BYTES + 1];
	size_t	 n, cap;
};

static int
add_path(void *ctx, const char *path)
{
	struct paths *ps = ctx;
	void *q;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 64;
		if ((q = realloc(ps->p, ps->cap * sizeof(*ps->p))) == NULL)
			return -1;
		ps->p = q;
	}
	snprintf(ps->p[ps->n++], sizeof(*ps->p), "%s", path);
	return 0;
}

/* One stored tile, authenticated offline: 1 good, 0 bad, -1 failure. */
static int
check_stored_tile(struct mv_sumdbc *c, struct mv_sumdb_db *db,
    const char *path, const char **why, struct mv_err *err)
{
	struct mv_tile t;
	struct mv_buf b;
	bool auth = false;
	int rc;

	mv_buf_init(&b, TILE_MAX * 2);
	if (mv_store_sumdb_cache_get(c->st, db->key.name, path, &b, &auth,
	    err) == -1) {
		mv_buf_free(&b);
		return -1;
	}
	*why = "not part of the newest trusted tree";
	if (mv_tile_parse(path, strlen(path), &t, NULL) == -1) {
		*why = "not a tile path";
		rc = 0;
	} else if (t.l < 0)
		rc = 0;		/* data tiles are never authenticated */
	else
		rc = tile_authentic(c, db, &t, &b, 1) ? 1 : 0;
	if (rc == 1 && !auth)
		(void)mv_store_sumdb_cache_put(c->st, db->key.name, path,
		    b.data, b.len, true, now(), NULL);
	mv_buf_free(&b);
	return rc;
}

int
mv_sumdbc_check_tiles(struct mv_sumdbc *c, struct mv_sumdb_db *db,
    bool dry_run, void (*report)(void *ctx, const char *db,
    const char *path, const char *why), void *ctx, uint64_t *checked,
    uint64_t *bad, struct mv_err *err)
{
	struct paths ps = { NULL, 0, 0 };
	const char *why;
	size_t i;
	int rc = 0, ok;

	*checked = *bad = 0;
	if (mv_store_sumdb_tile_paths(c->st, db->key.name, add_path, &ps,
	    err) != 0) {
		free(ps.p);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	for (i = 0; rc == 0 && i < ps.n; i++) {
		if ((ok = check_stored_tile(c, db, ps.p[i], &why, err)) == -1) {
			rc = -1;
			break;
		}
		++*checked;
		if (ok)
			continue;
		++*bad;
		if (report != NULL)
			report(ctx, db->key.name, ps.p[i], why);
		if (!dry_run)
			rc = mv_store_sumdb_cache_del(c->st, db->key.name,
			    ps.p[i], err);
	}
	free(ps.p);
	return rc;
}
