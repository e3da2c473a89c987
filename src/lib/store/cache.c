/*
 * cache.c: what the store remembers about upstream: version lists and
 * negative answers (see cache.h).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modvault/store/cache.h"
#include "index_priv.h"

int
mv_store_list_get(struct mv_store *st, const char *module,
    struct mv_buf *versions, int64_t *fetched_at, struct mv_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = stmt_text(st, ST_LIST_GET, module, NULL, err)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*fetched_at = sqlite3_column_int64(s, 1);
		rc = mv_buf_append(versions, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0), err);
	} else if (rc == SQLITE_DONE)
		rc = mv_fail(err, MV_ENOTFOUND, "no version list for \"%s\"",
		    module);
	else
		rc = db_fail(st, err);
	done(s);
	return rc;
}

int
mv_store_list_put(struct mv_store *st, const char *module,
    const char *versions, size_t len, int64_t now, struct mv_err *err)
{
	sqlite3_stmt *s;

	if (len > INT_MAX)
		return mv_fail(err, MV_ELIMIT, "version list too long");
	if ((s = stmt_text(st, ST_LIST_PUT, module, NULL, err)) == NULL)
		return -1;
	if (sqlite3_bind_text(s, 2, versions, (int)len, SQLITE_STATIC) ||
	    sqlite3_bind_int64(s, 3, now)) {
		done(s);
		return db_fail(st, err);
	}
	return run(st, s, err);
}

int
mv_store_negative_get(struct mv_store *st, const char *module,
    const char *version, int64_t now, bool *absent, char *reason,
    size_t reasonsz, struct mv_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = stmt_text(st, ST_NEG_GET, module, version, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 3, now);
	rc = sqlite3_step(s);
	*absent = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW && reasonsz > 0)
		col_text(s, 0, reason, reasonsz);
	done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err);
	return 0;
}

int
mv_store_negative_put(struct mv_store *st, const char *module,
    const char *version, const char *reason, int64_t now, int64_t expires_at,
    struct mv_err *err)
{
	sqlite3_stmt *s;

	if (begin(st, err) == -1)
		return -1;
	if ((s = stmt_text(st, ST_NEG_PUT, module, version, err)) == NULL)
		return rollback(st);
	if (sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC) ||
	    sqlite3_bind_int64(s, 4, expires_at)) {
		done(s);
		db_fail(st, err);
		return rollback(st);
	}
	if (run(st, s, err) == -1 || mv_store_negative_sweep(st, now,
	    err) == -1 || (s = stmt(st, ST_NEG_BOUND, err)) == NULL)
		return rollback(st);
	sqlite3_bind_int64(s, 1, MV_NEGATIVE_MAX_ENTRIES);
	if (run(st, s, err) == -1)
		return rollback(st);
	return commit(st, err) == -1 ? rollback(st) : 0;
}

int
mv_store_negative_sweep(struct mv_store *st, int64_t now, struct mv_err *err)
{
	sqlite3_stmt *s;

	if ((s = stmt(st, ST_NEG_SWEEP, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	return run(st, s, err);
}
