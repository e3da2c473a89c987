/* sumdbstate.c: checksum database state in the index (see sumdbstate.h). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modvault/base/hash.h"
#include "modvault/base/limits.h"
#include "modvault/base/log.h"
#include "modvault/store/shared.h"
#include "modvault/store/sumdbstate.h"
#include "index_priv.h"

/* A hash tile: 2^8 hashes of 32 bytes (SD-8.7). */
#define SHARED_TILE_MAX	(32u << 8)

/* "sumdb/NAME/REST" into key; false when it does not fit. */
static bool
shared_key(const char *name, const char *rest, char *key, size_t keysz)
{
	return (size_t)snprintf(key, keysz, "sumdb/%s/%s", name, rest) < keysz;
}

/* "record/<sha256 of M@V>": a name of fixed shape for any module. */
static bool
record_key(const char *name, const char *module, const char *version,
    char *key, size_t keysz)
{
	char hex[MV_SHA256_HEX + 1], rest[MV_SHA256_HEX + 8];

	mv_store_shared_version_hash(module, version, hex);
	snprintf(rest, sizeof(rest), "record/%s", hex);
	return shared_key(name, rest, key, keysz);
}

/* A write to the bucket that failed costs the other nodes a lookup only. */
static void
shared_put(struct mv_store *st, const char *key, const void *p, size_t n)
{
	struct mv_err e = MV_ERR_INIT;

	if (mv_store_shared_object_put(st, key, p, n, &e) == -1)
		mv_log_warn("checksum database state not shared (%s): %s",
		    key, e.msg);
}

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
	char key[MV_S3_KEY_MAX_BYTES];
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
	if (run(st, s, err) == -1)
		return -1;
	/* Only an authenticated tile is worth another node's reading. */
	if (authenticated && mv_store_shared(st) && len <= SHARED_TILE_MAX &&
	    strncmp(path, "tile/", 5) == 0 && shared_key(name, path, key,
	    sizeof(key)))
		shared_put(st, key, body, len);
	return 0;
}

int
mv_store_sumdb_shared_tile(struct mv_store *st, const char *name,
    const char *path, struct mv_buf *body, struct mv_err *err)
{
	char key[MV_S3_KEY_MAX_BYTES];

	if (!mv_store_shared(st) || strncmp(path, "tile/", 5) != 0 ||
	    !shared_key(name, path, key, sizeof(key)))
		return mv_fail(err, MV_ENOTFOUND, "no shared tile %s", path);
	return mv_store_shared_object_get(st, key, SHARED_TILE_MAX, body, err);
}

/*
 * The record another node put in the bucket: "ID\n" then the lookup.  Its
 * bytes are checked by whoever uses it (signature, proofs, hashes).
 */
static int
shared_record(struct mv_store *st, const char *module, const char *version,
    const char *name, struct mv_buf *lookup, int64_t *id, struct mv_err *err)
{
	char key[MV_S3_KEY_MAX_BYTES], *nl, *end;
	struct mv_buf b = MV_BUF_BOUNDED(MV_LOOKUP_MAX_BYTES + 32);
	long long n;
	int rc = -1;

	if (!record_key(name, module, version, key, sizeof(key)))
		return mv_fail(err, MV_ENOTFOUND, "no shared record");
	if (mv_store_shared_object_get(st, key, MV_LOOKUP_MAX_BYTES + 32, &b,
	    err) == -1)
		goto done;
	nl = memchr(b.data, '\n', b.len);
	if (nl == NULL || (*nl = '\0', n = strtoll(b.data, &end, 10),
	    end == b.data || *end != '\0' || n < 0)) {
		rc = mv_fail(err, MV_ECORRUPT, "the bucket's checksum database "
		    "record %s is malformed", key);
		goto done;
	}
	if (id != NULL)
		*id = n;
	rc = mv_buf_append(lookup, nl + 1, b.len - (size_t)(nl + 1 - b.data),
	    err);
done:
	mv_buf_free(&b);
	return rc;
}

int
mv_store_sumdb_record_get(struct mv_store *st, const char *module,
    const char *version, const char *name, struct mv_buf *lookup,
    int64_t *id, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	sqlite3_stmt *s;

	if ((s = stmt_text(st, ST_RECORD_GET, module, version, err)) == NULL)
		return -1;
	if (sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC)) {
		done(s);
		return db_fail(st, err);
	}
	mv_err_clear(&e);
	if (get_blob_row(st, s, lookup, id, "checksum database record",
	    &e) == 0 || e.code != MV_ENOTFOUND || !mv_store_shared(st))
		return e.code == MV_OK ? 0 : mv_err_pass(err, &e);
	return shared_record(st, module, version, name, lookup, id, err);
}

/* The record, for the other nodes (written before the version's manifest). */
static void
share_record(struct mv_store *st, const char *module, const char *version,
    const char *name, int64_t id, const void *lookup, size_t len)
{
	char key[MV_S3_KEY_MAX_BYTES];
	struct mv_buf b = MV_BUF_BOUNDED(MV_LOOKUP_MAX_BYTES + 32);

	if (mv_store_shared(st) && record_key(name, module, version, key,
	    sizeof(key)) && mv_buf_printf(&b, NULL, "%lld\n", (long long)id) ==
	    0 && mv_buf_append(&b, lookup, len, NULL) == 0)
		shared_put(st, key, b.data, b.len);
	mv_buf_free(&b);
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
	if (run(st, s, err) == -1)
		return -1;
	share_record(st, module, version, name, id, lookup, len);
	return 0;
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
