/* sumdbstate.c: checksum database state in the index (see sumdbstate.h). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modvault/store/sumdbstate.h"
#include "index_priv.h"

/* Steps s, appending column 0 (a blob) to out and column 1 to *n. */
static int
get_blob_row(struct mv_store *st, sqlite3_stmt *s, struct mv_buf *out,
    int64_t *n, const char *what, struct mv_err *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		if (n != NULL)
			*n = sqlite3_column_int64(s, 1);
		rc = mv_buf_append(out, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0), err);
	} else if (rc == SQLITE_DONE)
		rc = mv_fail(err, MV_ENOTFOUND, "no %s", what);
	else
		rc = db_fail(st, err);
	done(s);
	return rc;
}

int
mv_store_sumdb_tree_get(struct mv_store *st, const char *name,
    struct mv_buf *note, int64_t *size, struct mv_err *err)
{
	sqlite3_stmt *s;

	if ((s = stmt_text(st, ST_TREE_GET, name, NULL, err)) == NULL)
		return -1;
	return get_blob_row(st, s, note, size, "trusted tree head", err);
}

int
mv_store_sumdb_tree_put(struct mv_store *st, const char *name, int64_t size,
    const void *note, size_t len, struct mv_err *err)
{
	sqlite3_stmt *s;

	if (len > INT_MAX)
		return mv_fail(err, MV_ELIMIT, "tree head note too long");
	if ((s = stmt_text(st, ST_TREE_PUT, name, NULL, err)) == NULL)
		return -1;
	if (sqlite3_bind_int64(s, 3, size) ||
	    sqlite3_bind_blob(s, 4, note, (int)len, SQLITE_STATIC)) {
		done(s);
		return db_fail(st, err);
	}
	return run(st, s, err);
}

int
mv_store_sumdb_cache_get(struct mv_store *st, const char *name,
    const char *path, struct mv_buf *body, bool *authenticated,
    struct mv_err *err)
{
	sqlite3_stmt *s;
	int64_t auth = 0;
	int rc;

	if ((s = stmt_text(st, ST_CACHE_GET, name, path, err)) == NULL)
		return -1;
	rc = get_blob_row(st, s, body, &auth, "cached response", err);
	*authenticated = auth != 0;
	return rc;
}

int
mv_store_sumdb_cache_put(struct mv_store *st, const char *name,
    const char *path, const void *body, size_t len, bool authenticated,
    int64_t now, struct mv_err *err)
{
	sqlite3_stmt *s;

	if (len > INT_MAX)
		return mv_fail(err, MV_ELIMIT, "response too long");
	if ((s = stmt_text(st, ST_CACHE_PUT, name, path, err)) == NULL)
		return -1;
	if (sqlite3_bind_blob(s, 3, body, (int)len, SQLITE_STATIC) ||
	    sqlite3_bind_int(s, 4, authenticated ? 1 : 0) ||
	    sqlite3_bind_int64(s, 5, now)) {
		done(s);
		return db_fail(st, err);
	}
	return run(st, s, err);
}

int
mv_store_sumdb_record_get(struct mv_store *st, const char *module,
    const char *version, const char *name, struct mv_buf *lookup,
    int64_t *id, struct mv_err *err)
{
	sqlite3_stmt *s;

	if ((s = stmt_text(st, ST_RECORD_GET, module, version, err)) == NULL)
		return -1;
	if (sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC)) {
		done(s);
		return db_fail(st, err);
	}
	return get_blob_row(st, s, lookup, id, "checksum database record",
	    err);
}

int
mv_store_sumdb_record_put(struct mv_store *st, const char *module,
    const char *version, const char *name, int64_t id, const void *lookup,
    size_t len, struct mv_err *err)
{
	sqlite3_stmt *s;

	if (len > INT_MAX)
		return mv_fail(err, MV_ELIMIT, "lookup too long");
	if ((s = stmt_text(st, ST_RECORD_PUT, module, version, err)) == NULL)
		return -1;
	if (sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC) ||
	    sqlite3_bind_int64(s, 4, id) ||
	    sqlite3_bind_blob(s, 5, lookup, (int)len, SQLITE_STATIC)) {
		done(s);
		return db_fail(st, err);
	}
	return run(st, s, err);
}

int
mv_store_sumdb_tile_paths(struct mv_store *st, const char *name,
    int (*fn)(void *ctx, const char *path), void *ctx, struct mv_err *err)
{
	char path[MV_TILE_PATH_MAX_BYTES + 1];
	sqlite3_stmt *s;
	int rc = 0, step;

	if ((s = stmt_text(st, ST_TILE_PATHS, name, NULL, err)) == NULL)
		return -1;
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 0, path, sizeof(path));
		rc = fn(ctx, path);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(st, err);
	done(s);
	return rc;
}

int
mv_store_sumdb_cache_del(struct mv_store *st, const char *name,
    const char *path, struct mv_err *err)
{
	sqlite3_stmt *s;

	if ((s = stmt_text(st, ST_CACHE_DEL, name, path, err)) == NULL)
		return -1;
	return run(st, s, err);
}
