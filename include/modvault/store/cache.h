/*
 * cache.h: what the store remembers about upstream, beside the versions
 * themselves: each module's last version list, and what upstream said
 * does not exist (the negative cache).  Both live in index.db.
 */
#ifndef MODVAULT_CACHE_H
#define MODVAULT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/store/index.h"

/*
 * The upstream version list of a module (the @v/list body) and when it was
 * fetched; MV_ENOTFOUND when none is stored.  versions should be bounded
 * by the caller (mv_buf max); put replaces what was there.
 */
int	 mv_store_list_get(struct mv_store *st, const char *module,
	    struct mv_buf *versions, int64_t *fetched_at, struct mv_err *err);
int	 mv_store_list_put(struct mv_store *st, const char *module,
	    const char *versions, size_t len, int64_t now, struct mv_err *err);

/*
 * Negative cache: module@version (version "" = the module itself) is known
 * absent until expires_at.  get sets *absent when an unexpired entry
 * exists, and copies its reason into reason (reasonsz bytes, may be 0).
 * put also drops what expired by now and, beyond MV_NEGATIVE_MAX_ENTRIES,
 * the entries that expire soonest, so a stream of bogus names cannot grow
 * the index without bound (nor wait for gc).
 */
int	 mv_store_negative_get(struct mv_store *st, const char *module,
	    const char *version, int64_t now, bool *absent, char *reason,
	    size_t reasonsz, struct mv_err *err);
int	 mv_store_negative_put(struct mv_store *st, const char *module,
	    const char *version, const char *reason, int64_t now,
	    int64_t expires_at, struct mv_err *err);
/* Drops entries that expired at or before now. */
int	 mv_store_negative_sweep(struct mv_store *st, int64_t now,
	    struct mv_err *err);

#endif
