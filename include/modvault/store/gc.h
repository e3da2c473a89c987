/*
 * gc.h: giving space back: removing versions (eviction) and the blobs no
 * version uses any more.
 *
 * A blob is removed only under the index's write lock, after checking
 * that no row refers to it, so a concurrent fetch can never commit a row
 * for a blob being deleted.  A version's last use is the later of its
 * last_served and fetched_at, so a version imported yesterday and never
 * served is not "unused for years".
 */
#ifndef MODVAULT_GC_H
#define MODVAULT_GC_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/err.h"
#include "modvault/store/index.h"

/*
 * Removes module@version, then (under the write lock) those of its blobs
 * no other version uses; *freed (may be NULL) gets the bytes released.
 * MV_ENOTFOUND when it is not stored.
 */
int	 mv_store_evict(struct mv_store *st, const char *module,
	    const char *version, uint64_t *freed, struct mv_err *err);

/*
 * Removes every blob no version refers to.  Counts go to *nblobs and
 * *bytes (either may be NULL).
 */
int	 mv_store_gc_blobs(struct mv_store *st, uint64_t *nblobs,
	    uint64_t *bytes, struct mv_err *err);

/* What `modvault gc` asks for. */
struct mv_gc_opts {
	bool		 older_than;	/* evict versions unused for days */
	uint64_t	 days;
	bool		 max_bytes;	/* evict LRU until blobs fit */
	uint64_t	 bytes;
	int64_t		 now;		/* unix seconds */
	/*
	 * A shared bucket: an unreferenced blob younger than this (seconds)
	 * stays, as a node may still be writing the manifest that names it.
	 */
	int64_t		 grace;
	/* Optional: told each version evicted (for the CLI's output). */
	void		(*evicted)(void *ctx, const char *module,
			    const char *version, uint64_t freed);
	void		*ctx;
};

struct mv_gc_report {
	uint64_t	 staged_removed;	/* stray staged files */
	uint64_t	 blobs_removed, blob_bytes_removed;
	uint64_t	 evicted, evicted_bytes;
	uint64_t	 blob_bytes;		/* what the blobs hold after */
	uint64_t	 cache_bytes_trimmed;	/* from a node's blob cache */
};

/*
 * The whole collection: stray staged files (mv_stage_clean), expired
 * negative answers, unreferenced blobs, then evictions, least recently
 * used first, as opts asks.  On a shared bucket (shared.h) a blob is
 * referenced when any manifest in the bucket names it, an unreferenced one
 * goes only past opts->grace, this node's blob cache is trimmed to
 * cache_max_bytes, and an eviction withdraws the version's manifest (its
 * blobs go at a later gc, past the grace period).
 */
#define MV_GC_SHARED_GRACE	3600
int	 mv_store_gc(struct mv_store *st, const struct mv_gc_opts *opts,
	    struct mv_gc_report *rep, struct mv_err *err);

#endif
