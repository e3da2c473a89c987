/*
 * sumdbstate.h: the checksum-database state the store keeps in index.db
 * (sql/003-sumdb.sql), for sumdbc.h.
 *
 * The trusted tree head of database name: its signed note and size; put
 * replaces it only with a larger tree (SD-9.3).  The response cache:
 * tiles and lookups by path, with whether a tile was authenticated against
 * a signed tree (SD-9.1.4).  The lookup a stored version was verified
 * with.  Getters append to an empty buffer and fail with MV_ENOTFOUND
 * when there is nothing.
 *
 * With storage = s3 the authenticated tiles and the records are also put
 * in the bucket (shared.h), and a record this node does not have is read
 * from there: a version another node verified can be checked here, under
 * this node's own key, without reaching the database.  What comes from the
 * bucket is only ever checked again, never trusted as it is.
 */
#ifndef MODVAULT_SUMDBSTATE_H
#define MODVAULT_SUMDBSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/store/index.h"

int	 mv_store_sumdb_tree_get(struct mv_store *st, const char *name,
	    struct mv_buf *note, int64_t *size, struct mv_err *err);
int	 mv_store_sumdb_tree_put(struct mv_store *st, const char *name,
	    int64_t size, const void *note, size_t len, struct mv_err *err);
int	 mv_store_sumdb_cache_get(struct mv_store *st, const char *name,
	    const char *path, struct mv_buf *body, bool *authenticated,
	    struct mv_err *err);
int	 mv_store_sumdb_cache_put(struct mv_store *st, const char *name,
	    const char *path, const void *body, size_t len, bool authenticated,
	    int64_t now, struct mv_err *err);
/*
 * A tile another node authenticated, from the bucket (MV_ENOTFOUND when
 * absent or nothing is shared): for proofs only, which check it against a
 * signed tree; it is not kept as this node's.
 */
int	 mv_store_sumdb_shared_tile(struct mv_store *st, const char *name,
	    const char *path, struct mv_buf *body, struct mv_err *err);
int	 mv_store_sumdb_record_get(struct mv_store *st, const char *module,
	    const char *version, const char *name, struct mv_buf *lookup,
	    int64_t *id, struct mv_err *err);
int	 mv_store_sumdb_record_put(struct mv_store *st, const char *module,
	    const char *version, const char *name, int64_t id,
	    const void *lookup, size_t len, struct mv_err *err);

/*
 * Calls fn with the path of every tile kept for database name (fn returns
 * 0 to go on and must not change the store), and drops one response.
 */
int	 mv_store_sumdb_tile_paths(struct mv_store *st, const char *name,
	    int (*fn)(void *ctx, const char *path), void *ctx,
	    struct mv_err *err);
int	 mv_store_sumdb_cache_del(struct mv_store *st, const char *name,
	    const char *path, struct mv_err *err);

#endif
