/* check.c: blob health and quarantine (see check.h). */
#include "modvault/store/blob.h"
#include "modvault/store/check.h"
#include "modvault/store/shared.h"
#include "index_priv.h"

int
mv_store_blob_checked(struct mv_store *st, const unsigned char *digest,
    int64_t at, struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];
	sqlite3_stmt *s;

	mv_hex(digest, MV_SHA256_LEN, hex);
	if ((s = stmt_text(st, ST_CHECK_PUT, hex, NULL, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 2, at);
	return run(st, s, err);
}

int
mv_store_blobs_checked(struct mv_store *st,
    const unsigned char *const *digests, size_t n, int64_t at,
    struct mv_err *err)
{
	size_t i;

	if (n == 0)
		return 0;
	if (begin(st, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (mv_store_blob_checked(st, digests[i], at, err) == -1)
			return rollback(st);
	return commit(st, err) == -1 ? rollback(st) : 0;
}

int
mv_store_blob_last_checked(struct mv_store *st, const unsigned char *digest,
    int64_t *at, struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];
	sqlite3_stmt *s;
	int rc;

	mv_hex(digest, MV_SHA256_LEN, hex);
	if ((s = stmt_text(st, ST_CHECK_GET, hex, NULL, err)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	*at = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err);
	return 0;
}

int
mv_store_quarantine_blob(struct mv_store *st, const struct mv_blobref *bad,
    struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];
	sqlite3_stmt *s;

	if (mv_blob_quarantine(st->blobs, bad->digest, err) == -1)
		return -1;
	mv_hex(bad->digest, MV_SHA256_LEN, hex);
	if ((s = stmt_text(st, ST_CHECK_DEL, hex, NULL, err)) == NULL)
		return -1;
	return run(st, s, err);
}

int
mv_store_quarantine(struct mv_store *st, const struct mv_version *v,
    const struct mv_blobref *bad, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;

	/* The web server stops sending it before it moves. */
	if (mv_store_tree_drop(st, v->module, v->version, err) == -1 ||
	    mv_store_quarantine_blob(st, bad, err) == -1 ||
	    mv_store_shared_remove(st, v->module, v->version, err) == -1)
		return -1;
	if (mv_store_remove(st, v->module, v->version, &e) == -1 &&
	    e.code != MV_ENOTFOUND)
		return mv_err_pass(err, &e);
	return 0;
}
