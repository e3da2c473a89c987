/*
 * totals.c: the index's sums (see totals.h).  The statements are
 * prepared per call: a scrape every few seconds is not the hot path, and
 * the cached statement table (index_priv.h) stays the index's own.
 */
#include <stdio.h>

#include "modvault/store/totals.h"
#include "index_priv.h"

static const char versions_sql[] =
    "SELECT count(*), count(DISTINCT module), "
    "coalesce(sum(info_size + mod_size + zip_size), 0) FROM version";
static const char trees_sql[] =
    "SELECT name, size FROM sumdb_tree ORDER BY name LIMIT ?1";

int
mv_store_totals(struct mv_store *st, struct mv_store_totals *t,
    struct mv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	if (sqlite3_prepare_v2(st->db, versions_sql, -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		goto fail;
	t->versions = (uint64_t)sqlite3_column_int64(s, 0);
	t->modules = (uint64_t)sqlite3_column_int64(s, 1);
	t->bytes = (uint64_t)sqlite3_column_int64(s, 2);
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, trees_sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_bind_int(s, 1, MV_TOTALS_MAX_SUMDBS) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 0, t->sumdb[t->nsumdb].name,
		    sizeof(t->sumdb[t->nsumdb].name));
		t->sumdb[t->nsumdb++].size = sqlite3_column_int64(s, 1);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	return 0;
fail:
	db_fail(st, err);
	sqlite3_finalize(s);
	return -1;
}
