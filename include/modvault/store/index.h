/*
 * store.h: the store = SQLite index (index.db) + blob store (blobs/).
 *
 * The index says which module versions exist and which blobs hold their
 * .info, .mod and .zip; the blobs hold the bytes.  A row is committed only
 * after its blobs are durable, so the index never points at a missing or
 * partial blob.  Prepared statements live as long as the store handle: a
 * FastCGI process opens the store once and answers many requests with it.
 */
#ifndef MODVAULT_STORE_H
#define MODVAULT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

#include "modvault/store/blob.h"
#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/base/hash.h"
#include "modvault/proto/modpath.h"
#include "modvault/zip/zip.h"

struct mv_store;

enum {
	MV_STORE_CREATE = 1 << 0,	/* create data dir and index if absent */
	MV_STORE_READONLY = 1 << 1,
};

/* The schema version this code writes (PRAGMA user_version). */
#define MV_SCHEMA_VERSION 3

/*
 * Opens the store in data_dir: index.db in WAL mode with a busy timeout and
 * foreign keys on, and the directory blob backend.  A writable open brings
 * an older index up to MV_SCHEMA_VERSION in place (each migration in one
 * transaction) and removes stray temporary files of dead writers; a
 * read-only open refuses an index of another version (MV_EINVAL, "run
 * 'modvault init'").  MV_ENOTFOUND when there is no store and
 * MV_STORE_CREATE is not given.
 */
int	 mv_store_open(const char *data_dir, int flags, struct mv_store **st,
	    struct mv_err *err);
void	 mv_store_close(struct mv_store *st);
struct mv_blobstore *mv_store_blobs(struct mv_store *st);
/* A cheap query proving the index is readable (for /healthz). */
int	 mv_store_ping(struct mv_store *st, struct mv_err *err);

struct mv_version {
	char			module[MV_MODPATH_MAX + 1];	/* unescaped */
	char			version[MV_VERSION_MAX + 1];	/* canonical */
	char			time[64];	/* .info Time, RFC 3339, or "" */
	struct mv_blobref	info;
	struct mv_blobref	mod;
	struct mv_blobref	zip;
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

/*
 * Removes module@version, then (under the write lock, as gc does) those of
 * its blobs no other version uses; *freed (may be NULL) gets the bytes
 * released.  MV_ENOTFOUND when it is not stored.
 */
int	 mv_store_evict(struct mv_store *st, const char *module,
	    const char *version, uint64_t *freed, struct mv_err *err);

/*
 * Removes every blob no version refers to, under the write lock so no
 * concurrent insert can commit a row for a blob being removed.  Counts go
 * to *nblobs and *bytes (either may be NULL).
 */
int	 mv_store_gc_blobs(struct mv_store *st, uint64_t *nblobs,
	    uint64_t *bytes, struct mv_err *err);

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
 */
int	 mv_store_negative_get(struct mv_store *st, const char *module,
	    const char *version, int64_t now, bool *absent, char *reason,
	    size_t reasonsz, struct mv_err *err);
int	 mv_store_negative_put(struct mv_store *st, const char *module,
	    const char *version, const char *reason, int64_t expires_at,
	    struct mv_err *err);
/* Drops entries that expired at or before now. */
int	 mv_store_negative_sweep(struct mv_store *st, int64_t now,
	    struct mv_err *err);

/*
 * In-flight downloads, so concurrent misses wait for one fetch.  claim sets
 * *claimed when this process now owns the download of module@version
 * (version "" = the module's list): there was no claim, or its holder's pid
 * is gone, or it is older than stale_after seconds.  Otherwise someone else
 * is fetching: poll mv_store_get (or the list) and claim again later.  The
 * owner calls release when done, whether the fetch worked or not.
 */
int	 mv_store_inflight_claim(struct mv_store *st, const char *module,
	    const char *version, int64_t now, int64_t stale_after, bool *claimed,
	    struct mv_err *err);
int	 mv_store_inflight_release(struct mv_store *st, const char *module,
	    const char *version, struct mv_err *err);

/* One module version to validate and store, from three local files. */
struct mv_ingest {
	const char	*module;	/* unescaped module path */
	const char	*version;	/* canonical version */
	const char	*info_path;
	const char	*mod_path;
	const char	*zip_path;
	const char	*origin;	/* e.g. the upstream URL or "import:DIR" */
	/*
	 * Optional: called with the validated version (its h1 hashes
	 * computed) before anything is written; -1 refuses it.
	 */
	int		(*verify)(void *ctx, const struct mv_version *v,
			    struct mv_err *err);
	void		*verify_ctx;
	/*
	 * Optional: the SHA-256 of zip_path, computed while it was written
	 * (a download into the store's tmp/); the file then becomes the blob
	 * as it is, without a copy.
	 */
	const unsigned char	*zip_digest;
	/* Optional: a scan of zip_path made while it was written. */
	const struct mv_zipscan	*zip_scan;
};

/*
 * Validates (the .info, the .mod, the zip with mv_zip_check, and that the
 * three agree), copies the bytes into blobs and commits one row.  Two
 * processes ingesting the same version store it once; the second sees
 * MV_INGEST_PRESENT.  Nothing is stored when validation fails.
 */
int	 mv_store_ingest(struct mv_store *st, const struct mv_ingest *in,
	    const struct mv_zip_limits *lim, enum mv_ingest_outcome *outcome,
	    struct mv_err *err);

/*
 * Checksum database state (sumdbc.c uses these).  The trusted tree head of
 * database name: its signed note and size; put replaces it only with a
 * larger tree (SD-9.3).  The response cache: tiles and lookups by path,
 * with whether a tile was authenticated against a signed tree (SD-9.1.4).
 * The lookup a stored version was verified with.  Getters append to an
 * empty buffer and fail with MV_ENOTFOUND when there is nothing.
 */
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
int	 mv_store_sumdb_record_get(struct mv_store *st, const char *module,
	    const char *version, const char *name, struct mv_buf *lookup,
	    int64_t *id, struct mv_err *err);
int	 mv_store_sumdb_record_put(struct mv_store *st, const char *module,
	    const char *version, const char *name, int64_t id,
	    const void *lookup, size_t len, struct mv_err *err);

#endif
