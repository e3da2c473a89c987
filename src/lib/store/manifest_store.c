/* manifest_store.c: storing manifests, and writing the missing ones of an
 * index upgraded to schema 5 (see manifest.h). */
#include <stdio.h>
#include <stdlib.h>

#include "modvault/base/limits.h"
#include "modvault/store/manifest.h"
#include "index_priv.h"

int
mv_store_put_manifest(struct mv_store *st, struct mv_version *v,
    struct mv_err *err)
{
	struct mv_buf text;
	int rc;

	mv_buf_init(&text, MV_MANIFEST_MAX_BYTES);
	rc = mv_manifest_format(v, &text, err);
	if (rc == 0)
		rc = mv_blob_put_mem(st->blobs, st->stage, text.data, text.len,
		    &v->manifest, err);
	mv_buf_free(&text);
	return rc;
}

/* The rows without a manifest, collected before any is changed. */
struct unnamed {
	struct mv_version	*v;
	size_t			 n, cap;
	struct mv_err		*err;
};

static int
collect_unnamed(void *ctx, const struct mv_version *v)
{
	struct unnamed *u = ctx;
	struct mv_version *p;

	if (v->manifest.size > 0)
		return 0;
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		if ((p = realloc(u->v, u->cap * sizeof(*p))) == NULL)
			return mv_fail(u->err, MV_ENOMEM, "out of memory");
		u->v = p;
	}
	u->v[u->n++] = *v;
	return 0;
}

/* Names v's manifest in its row, the blob checked under the write lock. */
static int
set_manifest(struct mv_store *st, const struct mv_version *v,
    struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];
	sqlite3_stmt *s;
	uint64_t size;

	if (begin(st, err) == -1)
		return -1;
	if (mv_blob_stat(st->blobs, v->manifest.digest, &size, err) == -1 ||
	    (s = stmt_text(st, ST_SET_MANIFEST, v->module, v->version,
	    err)) == NULL)
		return rollback(st);
	mv_hex(v->manifest.digest, MV_SHA256_LEN, hex);
	if (sqlite3_bind_text(s, 3, hex, -1, SQLITE_TRANSIENT) ||
	    sqlite3_bind_int64(s, 4, (sqlite3_int64)v->manifest.size)) {
		done(s);
		db_fail(st, err);
		return rollback(st);
	}
	if (run(st, s, err) == -1 || commit(st, err) == -1)
		return rollback(st);
	return 0;
}

int
mv_store_backfill_manifests(struct mv_store *st, uint64_t *written,
    struct mv_err *err)
{
	struct unnamed u = { NULL, 0, 0, err };
	size_t i;
	int rc;

	*written = 0;
	rc = mv_store_each(st, NULL, collect_unnamed, &u, err);
	for (i = 0; rc == 0 && i < u.n; i++) {
		if ((rc = mv_store_put_manifest(st, &u.v[i], err)) == 0 &&
		    (rc = set_manifest(st, &u.v[i], err)) == 0)
			(*written)++;
	}
	free(u.v);
	return rc == 0 ? 0 : -1;
}
