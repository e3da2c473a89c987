/* schema.c: bringing an index up to the schema version this code writes. */
#include <stdio.h>

#include <sqlite3.h>

#include "schema.h"

static int
pragma_int(sqlite3 *db, const char *sql, int *out, struct mv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return mv_fail(err, MV_EIO, "index: %s", sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return mv_fail(err, MV_EIO, "index: %s", sqlite3_errmsg(db));
	return 0;
}

int
mv_schema_version(sqlite3 *db, int *version, struct mv_err *err)
{
	return pragma_int(db, "PRAGMA user_version", version, err);
}

static int
exec(sqlite3 *db, const char *sql, struct mv_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	mv_fail(err, MV_EIO, "index: %s", msg != NULL ? msg : "unknown error");
	sqlite3_free(msg);
	return -1;
}

/*
 * One migration, with the version re-read under the write lock: another
 * process may have migrated while we waited for it.
 */
static int
apply_one(sqlite3 *db, size_t i, struct mv_err *err)
{
	char bump[96];
	int cur, appid;

	if (exec(db, "BEGIN IMMEDIATE", err) == -1)
		return -1;
	if (mv_schema_version(db, &cur, err) == -1 ||
	    pragma_int(db, "PRAGMA application_id", &appid, err) == -1)
		goto fail;
	if (cur >= mv_schema_versions[i])
		return exec(db, "COMMIT", err);
	if (cur > 0 && appid != MV_SCHEMA_APPLICATION_ID) {
		mv_fail(err, MV_ECORRUPT, "index: not a modvault index");
		goto fail;
	}
	snprintf(bump, sizeof(bump),
	    "PRAGMA application_id = %d; PRAGMA user_version = %d",
	    MV_SCHEMA_APPLICATION_ID, mv_schema_versions[i]);
	if (exec(db, mv_schema_sql[i], err) == -1 ||
	    exec(db, bump, err) == -1)
		goto fail;
	return exec(db, "COMMIT", err);
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
mv_schema_migrate(sqlite3 *db, int target, struct mv_err *err)
{
	size_t i;
	int cur, appid;

	if (mv_schema_version(db, &cur, err) == -1 ||
	    pragma_int(db, "PRAGMA application_id", &appid, err) == -1)
		return -1;
	if (cur > 0 && appid != MV_SCHEMA_APPLICATION_ID)
		return mv_fail(err, MV_ECORRUPT, "index: not a modvault index");
	if (cur > target)
		return mv_fail(err, MV_EINVAL, "index schema is version %d, this "
		    "modvault only knows %d: upgrade modvault", cur, target);
	for (i = 0; i < mv_schema_count && mv_schema_versions[i] <= target; i++)
		if (mv_schema_versions[i] > cur && apply_one(db, i, err) == -1)
			return -1;
	return 0;
}

int
mv_schema_check(sqlite3 *db, int target, struct mv_err *err)
{
	int cur, appid;

	if (mv_schema_version(db, &cur, err) == -1 ||
	    pragma_int(db, "PRAGMA application_id", &appid, err) == -1)
		return -1;
	if (cur == 0 && appid == 0)
		return mv_fail(err, MV_ECORRUPT, "index.db is empty, not a "
		    "modvault index (run 'modvault init' to make a new store)");
	if (appid != MV_SCHEMA_APPLICATION_ID)
		return mv_fail(err, MV_ECORRUPT, "index.db is not a modvault "
		    "index");
	if (cur < target)
		return mv_fail(err, MV_EUNAVAIL, "store needs upgrading: index "
		    "schema is version %d, this modvault needs %d: run "
		    "'modvault init'", cur, target);
	if (cur > target)
		return mv_fail(err, MV_EUNAVAIL, "store was written by a newer "
		    "modvault (index schema %d, this one knows %d): upgrade "
		    "modvault", cur, target);
	return 0;
}
