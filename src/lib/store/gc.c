/* store_gc.c: eviction and removal of unreferenced blobs (see store.h). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index_priv.h"

static int
referenced(struct mv_store *st, const unsigned char *digest, bool *ref,
    struct mv_err *err)
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
	*ref = rc == SQLITE_ROW;
	return 0;
}

/* Removes a blob no row uses any more; the caller holds the write lock. */
static int
release_blob(struct mv_store *st, const struct mv_blobref *b, uint64_t *freed,
    struct mv_err *err)
{
	struct mv_err e;
	bool used = true;

	if (referenced(st, b->digest, &used, err) == -1)
		return -1;
	if (used)
		return 0;
	if (st->blobs->ops->remove(st->blobs, b->digest, &e) == -1) {
		if (e.code == MV_ENOTFOUND)
			return 0;	/* shared by two fields of the row */
		*err = e;
		return -1;
	}
	*freed += b->size;
	return 0;
}

int
mv_store_evict(struct mv_store *st, const char *module, const char *version,
    uint64_t *freed, struct mv_err *err)
{
	struct mv_version v;
	uint64_t n = 0;

	if (mv_store_get(st, module, version, &v, err) == -1 ||
	    mv_store_remove(st, module, version, err) == -1)
		return -1;
	/*
	 * A second transaction that writes nothing: it only holds the lock
	 * while blobs go, so no insert can start using one meanwhile, and a
	 * failure here leaves orphans for gc, never a row without its blob.
	 */
	if (begin(st, err) == -1)
		return -1;
	if (release_blob(st, &v.zip, &n, err) == -1 ||
	    release_blob(st, &v.mod, &n, err) == -1 ||
	    release_blob(st, &v.info, &n, err) == -1)
		return rollback(st);
	if (commit(st, err) == -1)
		return rollback(st);
	if (freed != NULL)
		*freed = n;
	return 0;
}

struct gc {
	struct mv_store	*st;
	struct mv_err	*err;
	uint64_t	 nblobs, bytes;
};

static int
gc_one(void *ctx, const struct mv_blobref *ref)
{
	struct gc *g = ctx;
	uint64_t before = g->bytes;

	if (release_blob(g->st, ref, &g->bytes, g->err) == -1)
		return -1;
	if (g->bytes != before)
		g->nblobs++;
	return 0;
}

int
mv_store_gc_blobs(struct mv_store *st, uint64_t *nblobs, uint64_t *bytes,
    struct mv_err *err)
{
	struct gc g = { st, err, 0, 0 };

	if (begin(st, err) == -1)
		return -1;
	if (st->blobs->ops->iterate(st->blobs, gc_one, &g, err) != 0)
		return rollback(st);
	if (commit(st, err) == -1)
		return -1;
	if (nblobs != NULL)
		*nblobs = g.nblobs;
	if (bytes != NULL)
		*bytes = g.bytes;
	return 0;
}

