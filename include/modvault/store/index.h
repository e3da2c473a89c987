/*
 * index.h: the store's index (index.db, SQLite) and the handle that ties
 * it to the blob store and the staging area.
 *
 * A store is: index.db, which says which module versions exist and which
 * blobs hold their .info, .mod and .zip; the blobs (blob.h), which hold
 * the bytes; and a node-local staging area (stage.h) where new bytes are
 * written before they become blobs.  A row is committed only after its
 * blobs are durable, so the index never points at a missing or partial
 * blob.  Prepared statements live as long as the handle: a FastCGI process
 * opens the store once and answers many requests with it.
 *
 * The other parts of the store have their own manuals: cache.h (what the
 * store remembers of upstream: lists, negative answers), claim.h (one
 * download per version), ingest.h (the validating way in), sumdbstate.h
 * (checksum database state), gc.h (eviction and unreferenced blobs).
 */
#ifndef MODVAULT_INDEX_H
#define MODVAULT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/config.h"
#include "modvault/base/err.h"
#include "modvault/base/hash.h"
#include "modvault/base/limits.h"
#include "modvault/store/blob.h"
#include "modvault/store/stage.h"

struct mv_store;

enum mv_store_flags {
	/* Create the data directory and index if absent, and bring an older
	 * index up to date: `modvault init`, nothing else. */
	MV_STORE_CREATE = 1 << 0,
	/* Open for reading only. */
	MV_STORE_READONLY = 1 << 1,
	/* Open even when index.db is missing or empty beside blobs (a lost
	 * index, refused otherwise): `modvault reindex`, `init --empty`. */
	MV_STORE_ADOPT = 1 << 2,
};

/* The schema version this code writes (PRAGMA user_version). */
#define MV_SCHEMA_VERSION 5

/*
 * Opens the store in data_dir (relative, through a symbolic link or with
 * a trailing '/': all the same store): index.db with a busy timeout and
 * foreign keys on, the directory blob backend, and the staging area
 * data_dir/tmp.  Only MV_STORE_CREATE changes the schema (each migration
 * in one transaction); any other open of an index of another version
 * fails with MV_EUNAVAIL ("store needs upgrading: ... run 'modvault
 * init'", or written by a newer modvault), and of a file that is not a
 * modvault index with MV_ECORRUPT.  No store (no directory, no index.db)
 * is MV_ENOTFOUND naming data_dir and "run 'modvault init'"; an index
 * missing or empty beside blobs is MV_ECORRUPT naming `modvault reindex`,
 * even for MV_STORE_CREATE, unless MV_STORE_ADOPT.  Opening
 * cleans nothing: stray staged files are removed by mv_stage_clean at
 * FastCGI start-up and by gc.
 */
int	 mv_store_open(const char *data_dir, int flags, struct mv_store **st,
	    struct mv_err *err);
/*
 * The store cfg describes: storage = dir as above; storage = s3 the
 * node's index, staging area and blob cache in data_dir over the shared
 * bucket (shared.h), MV_STORE_CREATE also checking the bucket.  A bucket
 * that cannot be used is MV_EUNAVAIL or MV_ECONFIG saying why.
 */
int	 mv_store_open_config(const struct mv_config *cfg, int flags,
	    struct mv_store **st, struct mv_err *err);
void	 mv_store_close(struct mv_store *st);
struct mv_blobstore *mv_store_blobs(struct mv_store *st);
struct mv_stage *mv_store_stage(struct mv_store *st);
/* The data directory, absolute and resolved. */
const char *mv_store_dir(const struct mv_store *st);
/*
 * A cheap query proving the index is readable and the staging area
 * writable (for /healthz).
 */
int	 mv_store_ping(struct mv_store *st, struct mv_err *err);

struct mv_version {
	char			module[MV_MODPATH_MAX_BYTES + 1];	/* unescaped */
	char			version[MV_VERSION_MAX_BYTES + 1];	/* canonical */
	char			time[64];	/* .info Time, RFC 3339, or "" */
	struct mv_blobref	info;
	struct mv_blobref	mod;
	struct mv_blobref	zip;
	/* What the blobs alone say of it (manifest.h); size 0: none yet. */
	struct mv_blobref	manifest;
	char			zip_h1[MV_H1_LEN + 1];
	char			mod_h1[MV_H1_LEN + 1];
	char			origin[512];	/* where it came from */
	int64_t			fetched_at;	/* unix seconds */
	int64_t			last_served;	/* unix seconds, 0 = never */
};

enum mv_ingest_outcome { MV_INGEST_STORED, MV_INGEST_PRESENT };

/* MV_ENOTFOUND when module@version is not stored. */
int	 mv_store_get(struct mv_store *st, const char *module,
	    const char *version, struct mv_version *out, struct mv_err *err);

/*
 * Callbacks return 0 to go on; anything else stops the walk and becomes its
 * return value (the callback reports its own error).  A callback must not
 * change the store; collect first, then change.
 */
typedef int (*mv_version_fn)(void *ctx, const struct mv_version *v);
/* Every stored version of module, in no particular order. */
int	 mv_store_versions(struct mv_store *st, const char *module,
	    mv_version_fn fn, void *ctx, struct mv_err *err);
/*
 * Every stored version whose module path matches pattern (a GOPRIVATE-style
 * list, mv_patterns_match; NULL = all), ordered by module then version.
 */
int	 mv_store_each(struct mv_store *st, const char *pattern,
	    mv_version_fn fn, void *ctx, struct mv_err *err);

/*
 * Records that a version was served at now.  Cheap: it writes only when
 * the stored time is more than a day old, so a hot version costs one write
 * a day, not one per request.
 */
/* How stale last_served may get before a serve writes it (seconds). */
#define MV_TOUCH_INTERVAL	86400

int	 mv_store_touch(struct mv_store *st, const char *module,
	    const char *version, int64_t now, struct mv_err *err);

/* Drops the row (MV_ENOTFOUND if absent); gc removes the blobs later. */
int	 mv_store_remove(struct mv_store *st, const char *module,
	    const char *version, struct mv_err *err);

/*
 * Commits a row for blobs that are already stored.  Under the write lock it
 * first checks that the three blobs exist (a concurrent gc may have removed
 * an unreferenced blob between its write and this commit: MV_ENOTFOUND, and
 * the caller stores them again), then inserts unless the version is
 * present (*outcome says which).  mv_store_ingest is the validating way in.
 */
int	 mv_store_insert(struct mv_store *st, const struct mv_version *v,
	    enum mv_ingest_outcome *outcome, struct mv_err *err);

#endif
