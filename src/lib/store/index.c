/* index.c: the SQLite index of stored module versions (see index.h). */
/*
 * One sqlite3 connection per store handle, with every statement prepared on
 * first use and kept until mv_store_close, so a FastCGI process answering
 * many requests never prepares on the hot path.  Writes run in BEGIN
 * IMMEDIATE transactions; the busy timeout makes concurrent writers (other
 * responder processes, the CLI) wait their turn instead of failing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "modvault/base/log.h"
#include "modvault/net/s3.h"
#include "modvault/proto/pattern.h"
#include "schema.h"
#include "index_priv.h"
#include "stage_priv.h"

/* How long a writer waits for the lock before giving up (ms). */
#define BUSY_TIMEOUT_MS	30000
#define VERSION_COLS "module, version, time, info_blob, info_size, mod_blob, " \
	"mod_size, zip_blob, zip_size, zip_h1, mod_h1, origin, fetched_at, " \
	"last_served, manifest_blob, manifest_size"

const char *const mv_store_sql[ST__MAX] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_PING] = "SELECT count(*) FROM (SELECT 1 FROM version LIMIT 1)",
	[ST_GET] = "SELECT " VERSION_COLS " FROM version "
	    "WHERE module = ?1 AND version = ?2",
	[ST_VERSIONS] = "SELECT " VERSION_COLS " FROM version WHERE module = ?1",
	[ST_EACH] = "SELECT " VERSION_COLS " FROM version "
	    "ORDER BY module, version",
	[ST_LAST_SERVED] = "SELECT last_served FROM version "
	    "WHERE module = ?1 AND version = ?2",
	[ST_TOUCH] = "UPDATE version SET last_served = ?3 "
	    "WHERE module = ?1 AND version = ?2",
	[ST_REMOVE] = "DELETE FROM version WHERE module = ?1 AND version = ?2",
	[ST_INSERT] = "INSERT OR IGNORE INTO version (" VERSION_COLS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16)",
	[ST_REFERENCED] = "SELECT 1 FROM version WHERE info_blob = ?1 "
	    "OR mod_blob = ?1 OR zip_blob = ?1 OR manifest_blob = ?1 LIMIT 1",
	[ST_SET_MANIFEST] = "UPDATE version SET manifest_blob = ?3, "
	    "manifest_size = ?4 WHERE module = ?1 AND version = ?2 "
	    "AND manifest_blob = ''",
	[ST_LIST_GET] = "SELECT versions, fetched_at FROM module_list "
	    "WHERE module = ?1",
	[ST_LIST_PUT] = "INSERT OR REPLACE INTO module_list "
	    "(module, versions, fetched_at) VALUES (?1, ?2, ?3)",
	[ST_NEG_GET] = "SELECT reason FROM negative "
	    "WHERE module = ?1 AND version = ?2 AND expires_at > ?3",
	[ST_NEG_PUT] = "INSERT OR REPLACE INTO negative "
	    "(module, version, reason, expires_at) VALUES (?1, ?2, ?3, ?4)",
	[ST_NEG_SWEEP] = "DELETE FROM negative WHERE expires_at <= ?1",
	/* The soonest to expire go first when there are too many. */
	[ST_NEG_BOUND] = "DELETE FROM negative WHERE rowid IN (SELECT rowid "
	    "FROM negative ORDER BY expires_at LIMIT max(0, (SELECT count(*) "
	    "FROM negative) - ?1))",
	[ST_TREE_GET] = "SELECT note, size FROM sumdb_tree WHERE name = ?1",
	/* Only a larger tree replaces the trusted one (SD-9.3). */
	[ST_TREE_PUT] = "INSERT INTO sumdb_tree (name, size, note) "
	    "VALUES (?1, ?3, ?4) ON CONFLICT (name) DO UPDATE SET "
	    "size = excluded.size, note = excluded.note "
	    "WHERE excluded.size > sumdb_tree.size",
	[ST_CACHE_GET] = "SELECT body, authenticated FROM sumdb_cache "
	    "WHERE name = ?1 AND path = ?2",
	/* An authenticated copy is never downgraded. */
	[ST_CACHE_PUT] = "INSERT INTO sumdb_cache (name, path, body, "
	    "authenticated, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (name, path) DO UPDATE SET body = excluded.body, "
	    "authenticated = excluded.authenticated, "
	    "fetched_at = excluded.fetched_at "
	    "WHERE excluded.authenticated >= sumdb_cache.authenticated",
	[ST_RECORD_GET] = "SELECT lookup, record_id FROM version_sumdb "
	    "WHERE module = ?1 AND version = ?2 AND name = ?3",
	[ST_CHECK_GET] = "SELECT verified_at FROM blob_check WHERE blob = ?1",
	[ST_CHECK_PUT] = "INSERT OR REPLACE INTO blob_check (blob, verified_at) "
	    "VALUES (?1, ?2)",
	[ST_CHECK_DEL] = "DELETE FROM blob_check WHERE blob = ?1",
	[ST_TILE_PATHS] = "SELECT path FROM sumdb_cache WHERE name = ?1 "
	    "AND path LIKE 'tile/%' ORDER BY path",
	[ST_CACHE_DEL] = "DELETE FROM sumdb_cache WHERE name = ?1 AND path = ?2",
	[ST_RECORD_PUT] = "INSERT OR REPLACE INTO version_sumdb "
	    "(module, version, name, record_id, lookup) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
};

static int
col_blobref(sqlite3_stmt *s, int i, struct mv_blobref *ref,
    struct mv_err *err)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	if (t == NULL || mv_unhex_sha256((const char *)t, ref->digest) == -1)
		return mv_fail(err, MV_ECORRUPT, "index: bad blob name in row");
	ref->size = (uint64_t)sqlite3_column_int64(s, i + 1);
	return 0;
}

/* The current row of a VERSION_COLS query. */
static int
row_version(sqlite3_stmt *s, struct mv_version *v, struct mv_err *err)
{
	col_text(s, 0, v->module, sizeof(v->module));
	col_text(s, 1, v->version, sizeof(v->version));
	col_text(s, 2, v->time, sizeof(v->time));
	if (col_blobref(s, 3, &v->info, err) == -1 ||
	    col_blobref(s, 5, &v->mod, err) == -1 ||
	    col_blobref(s, 7, &v->zip, err) == -1)
		return -1;
	col_text(s, 9, v->zip_h1, sizeof(v->zip_h1));
	col_text(s, 10, v->mod_h1, sizeof(v->mod_h1));
	col_text(s, 11, v->origin, sizeof(v->origin));
	v->fetched_at = sqlite3_column_int64(s, 12);
	v->last_served = sqlite3_column_int64(s, 13);
	memset(&v->manifest, 0, sizeof(v->manifest));
	if (sqlite3_column_int64(s, 15) > 0 &&
	    col_blobref(s, 14, &v->manifest, err) == -1)
		return -1;
	return 0;
}

static int
mkdir_p(const char *dir, struct mv_err *err)
{
	char path[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(path))
		return mv_fail(err, MV_ELIMIT, "data directory name too long");
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0777) == -1 && errno != EEXIST)
			return mv_fail(err, MV_EIO, "cannot create \"%s\": %s",
			    path, strerror(errno));
		path[i] = dir[i];
	}
	return 0;
}

static int
exec(struct mv_store *st, const char *sql, struct mv_err *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(st, err);
	return 0;
}

static int
stop_at_first(void *ctx, const struct mv_blobref *ref)
{
	(void)ref;
	*(bool *)ctx = true;
	return 1;
}

/* Whether dir/blobs holds a blob (the walk stops at the first). */
static bool
has_blobs(const char *dir)
{
	struct mv_err e = MV_ERR_INIT;
	struct mv_blobstore *bs;
	bool found = false;

	if (mv_blobdir_open(dir, 0, &bs, &e) == -1)
		return false;
	(void)mv_blob_iterate(bs, stop_at_first, &found, &e);
	mv_blobstore_close(bs);
	return found;
}

/*
 * An index lost (missing, or emptied: a 0-byte file) beside blobs it
 * used to name is refused by everything but reindex and init --empty
 * (MV_STORE_ADOPT): making a new, empty index there would let gc delete
 * every blob.
 */
static int
check_not_lost(struct mv_store *st, const char *path, int flags,
    struct mv_err *err)
{
	const char *lost = NULL;	/* "missing", "empty" or not lost */
	struct stat sb;

	if (stat(path, &sb) == -1)
		lost = errno == ENOENT ? "missing" : NULL;
	else if (sb.st_size == 0)
		lost = "empty";
	if (lost == NULL || (flags & MV_STORE_ADOPT))
		return 0;
	if (has_blobs(st->dir))
		return mv_fail(err, MV_ECORRUPT, "the store in \"%s\" has "
		    "blobs but its index.db is %s: 'modvault reindex' rebuilds "
		    "the index from the blobs ('modvault init --empty' starts "
		    "an empty one instead, and gc then deletes the blobs)",
		    st->dir, lost);
	if (!(flags & MV_STORE_CREATE) && strcmp(lost, "missing") == 0)
		return mv_fail(err, MV_ENOTFOUND, "no store in \"%s\" (no "
		    "index.db): run 'modvault init'", st->dir);
	return 0;
}

/*
 * Settings, then the schema version: `modvault init` (MV_STORE_CREATE)
 * migrates; everything else insists on ours, so no request ever changes
 * the schema.
 */
static int
open_index(struct mv_store *st, int flags, struct mv_err *err)
{
	char path[PATH_MAX + 16];
	int oflags;

	snprintf(path, sizeof(path), "%s/index.db", st->dir);
	if (check_not_lost(st, path, flags, err) == -1)
		return -1;
	oflags = flags & MV_STORE_READONLY ? SQLITE_OPEN_READONLY :
	    flags & MV_STORE_CREATE ? SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK)
		return mv_fail(err, MV_EIO, "cannot open \"%s\": %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
	/* Before the WAL and its shared memory exist: they copy its mode. */
	if (st->group_shared && !(flags & MV_STORE_READONLY))
		mv_store_share_file(path);
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	/*
	 * Reads through a memory map: a cache hit then costs no read()
	 * system calls for the index pages (the map is read-only; writes
	 * still go through the WAL).  FULL: a committed row survives power
	 * loss, not only kill -9.
	 */
	if (exec(st, "PRAGMA foreign_keys = ON", err) == -1 ||
	    exec(st, "PRAGMA mmap_size = 268435456", err) == -1 ||
	    (!(flags & MV_STORE_READONLY) &&
	    exec(st, "PRAGMA synchronous = FULL", err) == -1))
		return -1;
	if (!(flags & MV_STORE_CREATE))
		return mv_schema_check(st->db, MV_SCHEMA_VERSION, err);
	/* WAL is a property of the file: set once, by init. */
	if (exec(st, "PRAGMA journal_mode = WAL", err) == -1)
		return -1;
	return mv_schema_migrate(st->db, MV_SCHEMA_VERSION, err);
}

/* data_dir/tmp: the staging area, on the blob directory's file system. */
static int
open_stage(struct mv_store *st, struct mv_err *err)
{
	char dir[PATH_MAX];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/tmp", st->dir) >=
	    sizeof(dir))
		return mv_fail(err, MV_EINVAL, "data directory name too long");
	return mv_stage_open(dir, &st->stage, err);
}

int
mv_store_open_index(const char *data_dir, int flags, bool stage,
    struct mv_store **stp, struct mv_err *err)
{
	struct mv_store *st;
	int create = (flags & MV_STORE_CREATE) != 0;

	if (create && (flags & MV_STORE_READONLY))
		return mv_fail(err, MV_EINVAL, "cannot create a read-only store");
	if (create && mkdir_p(data_dir, err) == -1)
		return -1;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	snprintf(st->blobs_name, sizeof(st->blobs_name), "blobs");
	/*
	 * Absolute and resolved, so blob names work for X-Sendfile and after
	 * chdir, however data_dir was spelt.
	 */
	if (realpath(data_dir, st->dir) == NULL) {
		if (errno == ENOENT)
			mv_fail(err, MV_ENOTFOUND, "no store in \"%s\" (no such "
			    "directory): run 'modvault init'", data_dir);
		else
			mv_fail(err, MV_EIO, "cannot open the store in \"%s\": "
			    "%s", data_dir, strerror(errno));
		goto fail;
	}
	st->group_shared = mv_store_share_group(st->dir);
	if (open_index(st, flags, err) == -1 ||
	    (stage && open_stage(st, err) == -1))
		goto fail;
	*stp = st;
	return 0;
fail:
	mv_store_close(st);
	return -1;
}

int
mv_store_open(const char *data_dir, int flags, struct mv_store **stp,
    struct mv_err *err)
{
	struct mv_store *st;

	if (mv_store_open_index(data_dir, flags, !(flags & MV_STORE_READONLY),
	    &st, err) == -1)
		return -1;
	if (mv_blobdir_open(st->dir, flags & MV_STORE_CREATE, &st->blobs,
	    err) == -1) {
		mv_store_close(st);
		return -1;
	}
	*stp = st;
	return 0;
}

void
mv_store_close(struct mv_store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < ST__MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	mv_blobstore_close(st->blobs);
	mv_stage_close(st->stage);
	if (st->s3 != NULL)
		mv_s3_close(st->s3);
	mv_stree_free(st->tree);
	free(st);
}

struct mv_stage *
mv_store_stage(struct mv_store *st)
{
	return st->stage;
}

const char *
mv_store_dir(const struct mv_store *st)
{
	return st->dir;
}

struct mv_blobstore *
mv_store_blobs(struct mv_store *st)
{
	return st->blobs;
}

static int
writable(const char *dir, const char *name, struct mv_err *err)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == -1)
		return mv_fail(err, MV_EIO, "\"%s\" is not writable: %s", path,
		    strerror(errno));
	return 0;
}

int
mv_store_ping(struct mv_store *st, struct mv_err *err)
{
	sqlite3_stmt *s = stmt(st, ST_PING, err);

	if (s == NULL || run(st, s, err) == -1)
		return -1;
	/*
	 * What this process cannot write makes every miss fail: the index,
	 * the blob directory, the staging area (as this user, on this file
	 * system: a read-only mount says EROFS even to root).
	 */
	if (st->stage != NULL && (writable(st->dir, "index.db", err) == -1 ||
	    writable(st->dir, st->blobs_name, err) == -1 ||
	    writable(mv_stage_dir(st->stage), ".", err) == -1))
		return -1;
	/* A shared store is only as usable as its bucket. */
	return st->s3 != NULL ? mv_s3_check(st->s3, err) : 0;
}

int
mv_store_get(struct mv_store *st, const char *module, const char *version,
    struct mv_version *out, struct mv_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = stmt_text(st, ST_GET, module, version, err)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = row_version(s, out, err);
	else if (rc == SQLITE_DONE)
		rc = mv_fail(err, MV_ENOTFOUND, "\"%s@%s\" is not stored",
		    module, version);
	else
		rc = db_fail(st, err);
	done(s);
	return rc;
}

/* Calls fn for every row of s, which the caller has bound. */
static int
each_row(struct mv_store *st, sqlite3_stmt *s, const char *pattern,
    mv_version_fn fn, void *ctx, struct mv_err *err)
{
	struct mv_version *v;
	int rc = 0, step;

	if ((v = malloc(sizeof(*v))) == NULL) {
		done(s);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rc = row_version(s, v, err)) != 0)
			break;
		if (pattern == NULL || mv_patterns_match(pattern, v->module))
			rc = fn(ctx, v);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(st, err);
	done(s);
	free(v);
	return rc;
}

int
mv_store_versions(struct mv_store *st, const char *module, mv_version_fn fn,
    void *ctx, struct mv_err *err)
{
	sqlite3_stmt *s;

	if ((s = stmt_text(st, ST_VERSIONS, module, NULL, err)) == NULL)
		return -1;
	return each_row(st, s, NULL, fn, ctx, err);
}

int
mv_store_each(struct mv_store *st, const char *pattern, mv_version_fn fn,
    void *ctx, struct mv_err *err)
{
	sqlite3_stmt *s;

	if ((s = stmt(st, ST_EACH, err)) == NULL)
		return -1;
	return each_row(st, s, pattern, fn, ctx, err);
}

int
mv_store_touch(struct mv_store *st, const char *module, const char *version,
    int64_t now, struct mv_err *err)
{
	sqlite3_stmt *s;
	int64_t last;
	int rc;

	/* A read first: a fresh time costs no write lock and no WAL frame. */
	if ((s = stmt_text(st, ST_LAST_SERVED, module, version, err)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	last = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	done(s);
	if (rc == SQLITE_DONE)
		return mv_fail(err, MV_ENOTFOUND, "\"%s@%s\" is not stored",
		    module, version);
	if (rc != SQLITE_ROW)
		return db_fail(st, err);
	if (now - last <= MV_TOUCH_INTERVAL)
		return 0;
	if ((s = stmt_text(st, ST_TOUCH, module, version, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 3, now);
	return run(st, s, err);
}

/*
 * The static tree follows the index on a best-effort basis: a link that
 * cannot be written is a miss modvault answers, one that cannot be
 * removed dangles once gc frees its blob (and verify reports both).
 */
void
mv_store_tree_link(struct mv_store *st, const struct mv_version *v)
{
	struct mv_err e = MV_ERR_INIT;

	if (st->tree != NULL && mv_store_tree_put(st, v, &e) == -1)
		mv_log_warn("static tree: %s@%s: %s", v->module, v->version,
		    e.msg);
}

static void
tree_drop(struct mv_store *st, const char *module, const char *version)
{
	struct mv_err e = MV_ERR_INIT;

	if (st->tree != NULL && mv_store_tree_drop(st, module, version,
	    &e) == -1)
		mv_log_warn("static tree: %s@%s: %s", module, version, e.msg);
}

int
mv_store_remove(struct mv_store *st, const char *module, const char *version,
    struct mv_err *err)
{
	sqlite3_stmt *s;

	if ((s = stmt_text(st, ST_REMOVE, module, version, err)) == NULL ||
	    run(st, s, err) == -1)
		return -1;
	/* Before gc can free the blobs: at worst a link dangles (a miss). */
	tree_drop(st, module, version);
	if (sqlite3_changes(st->db) == 0)
		return mv_fail(err, MV_ENOTFOUND, "\"%s@%s\" is not stored",
		    module, version);
	return 0;
}

static int
blob_exists(struct mv_store *st, const struct mv_blobref *ref,
    struct mv_err *err)
{
	uint64_t size;

	if (mv_blob_stat(st->blobs, ref->digest, &size, err) == -1)
		return -1;
	if (size != ref->size)
		return mv_fail(err, MV_ECORRUPT, "blob has %llu bytes, not %llu",
		    (unsigned long long)size, (unsigned long long)ref->size);
	return 0;
}

static int
bind_blob(sqlite3_stmt *s, int i, const struct mv_blobref *ref)
{
	char hex[MV_SHA256_HEX + 1];

	mv_hex(ref->digest, MV_SHA256_LEN, hex);
	return sqlite3_bind_text(s, i, hex, -1, SQLITE_TRANSIENT) ||
	    sqlite3_bind_int64(s, i + 1, (sqlite3_int64)ref->size);
}

/* A manifest, or '' and 0 when there is none. */
static int
bind_manifest(sqlite3_stmt *s, int i, const struct mv_blobref *ref)
{
	if (ref->size > 0)
		return bind_blob(s, i, ref);
	return sqlite3_bind_text(s, i, "", -1, SQLITE_STATIC) ||
	    sqlite3_bind_int64(s, i + 1, 0);
}

static int
bind_version(sqlite3_stmt *s, const struct mv_version *v)
{
	return sqlite3_bind_text(s, 1, v->module, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(s, 2, v->version, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(s, 3, v->time, -1, SQLITE_STATIC) ||
	    bind_blob(s, 4, &v->info) || bind_blob(s, 6, &v->mod) ||
	    bind_blob(s, 8, &v->zip) ||
	    sqlite3_bind_text(s, 10, v->zip_h1, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(s, 11, v->mod_h1, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(s, 12, v->origin, -1, SQLITE_STATIC) ||
	    sqlite3_bind_int64(s, 13, v->fetched_at) ||
	    sqlite3_bind_int64(s, 14, v->last_served) ||
	    bind_manifest(s, 15, &v->manifest);
}

int
mv_store_blobs_there(struct mv_store *st, const struct mv_version *v,
    struct mv_err *err)
{
	if (blob_exists(st, &v->zip, err) == -1 ||
	    blob_exists(st, &v->mod, err) == -1 ||
	    blob_exists(st, &v->info, err) == -1 ||
	    (v->manifest.size > 0 && blob_exists(st, &v->manifest, err) == -1))
		return -1;
	return 0;
}

int
mv_store_insert_row(struct mv_store *st, const struct mv_version *v,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	sqlite3_stmt *s;

	if ((s = stmt(st, ST_INSERT, err)) == NULL)
		return -1;
	if (bind_version(s, v) != 0) {
		done(s);
		return db_fail(st, err);
	}
	if (run(st, s, err) == -1)
		return -1;
	*outcome = sqlite3_changes(st->db) > 0 ? MV_INGEST_STORED :
	    MV_INGEST_PRESENT;
	return 0;
}

int
mv_store_insert(struct mv_store *st, const struct mv_version *v,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	if (begin(st, err) == -1)
		return -1;
	/* Under the lock, so gc cannot remove them before the row lands. */
	if (mv_store_blobs_there(st, v, err) == -1 ||
	    mv_store_insert_row(st, v, outcome, err) == -1)
		return rollback(st);
	mv_crash_point("before-commit");
	if (commit(st, err) == -1)
		return rollback(st);
	mv_store_tree_link(st, v);
	return 0;
}

int
mv_store_blob_used(struct mv_store *st, const unsigned char *digest,
    bool *used, struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];
	sqlite3_stmt *s;
	int rc;

	mv_hex(digest, MV_SHA256_LEN, hex);
	if ((s = stmt_text(st, ST_REFERENCED, hex, NULL, err)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err);
	*used = rc == SQLITE_ROW;
	return 0;
}
