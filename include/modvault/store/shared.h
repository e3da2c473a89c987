/*
 * shared.h: what the nodes sharing one bucket know together (storage = s3).
 *
 * The bucket is the shared truth; each node's index is its own view of
 * it.  Beside the blobs (blob_s3.c) the bucket holds, under s3_prefix:
 *
 *   manifests/MODULE/@v/VERSION   the version's manifest (manifest.h),
 *                                 module and version escaped (GP-2.1),
 *                                 written once its blobs are there, never
 *                                 replaced (If-None-Match: *)
 *   sumdb/<name>/tile/...         checksum-database tiles a node
 *                                 authenticated, and
 *   sumdb/<name>/record/<sha256 of M@V>  the lookup that verified M@V
 *                                 (sumdbstate.c), so another node checks
 *                                 it under its own key without the database
 *   claims/<sha256 of M@V>        a fetch of M@V under way on some node,
 *                                 created with If-None-Match: * (only one
 *                                 creator wins) and deleted when it ends;
 *                                 one older than the lease is a dead
 *                                 node's, and is taken over; its body
 *                                 names "HOST:DATA_DIR PID TIME"
 *
 * A node missing a version reads its manifest before asking any upstream
 * (fill.c), so a version fetched by one node is served by every other with
 * no upstream traffic, after the usual validation of its bytes.
 *
 * With storage = dir nothing is shared: mv_store_shared() is false, get
 * answers MV_ENOTFOUND, the walks find nothing, a claim is always held,
 * and put, remove and release do nothing.
 */
#ifndef MODVAULT_SHARED_H
#define MODVAULT_SHARED_H

#include <stdbool.h>

#include "modvault/base/err.h"
#include "modvault/base/hash.h"
#include "modvault/store/index.h"

bool	 mv_store_shared(const struct mv_store *st);

/* The manifest of module@version from the bucket (MV_ENOTFOUND: none). */
int	 mv_store_shared_get(struct mv_store *st, const char *module,
	    const char *version, struct mv_version *v, struct mv_err *err);
/*
 * Publishes v's manifest (its blobs are in the bucket already); one there
 * already is kept (versions never change).
 */
int	 mv_store_shared_put(struct mv_store *st, const struct mv_version *v,
	    struct mv_err *err);
/* Withdraws module@version's manifest (`modvault rm`). */
int	 mv_store_shared_remove(struct mv_store *st, const char *module,
	    const char *version, struct mv_err *err);

/* Told each shared version; non-zero stops the walk (fn fills its error). */
typedef int (*mv_shared_fn)(void *ctx, const char *module,
	    const char *version);
/* The versions of module the bucket has manifests for. */
int	 mv_store_shared_versions(struct mv_store *st, const char *module,
	    mv_shared_fn fn, void *ctx, struct mv_err *err);
/* Every version the bucket has a manifest for, in key order. */
int	 mv_store_shared_each(struct mv_store *st, mv_shared_fn fn, void *ctx,
	    struct mv_err *err);

/*
 * Every version the bucket has a manifest for whose module matches
 * pattern (NULL: all), read and parsed (a GET each), as mv_store_each
 * gives rows; a manifest that cannot be read or parsed stops the walk
 * with its error.
 */
int	 mv_store_shared_each_version(struct mv_store *st, const char *pattern,
	    mv_version_fn fn, void *ctx, struct mv_err *err);

/*
 * The hex SHA-256 of "module@version": a bucket key element of fixed
 * shape for any version (claims, checksum-database records).
 */
void	 mv_store_shared_version_hash(const char *module, const char *version,
	    char hex[MV_SHA256_HEX + 1]);

/*
 * Other shared state, by key under the prefix (sumdbstate.c keeps the
 * checksum database's records and tiles under "sumdb/"): get appends the
 * object (at most max bytes) to out, MV_ENOTFOUND when absent or nothing
 * is shared; put writes it once (create-only: an existing object is kept,
 * as a key's content never changes), doing nothing when nothing is shared.
 */
int	 mv_store_shared_object_get(struct mv_store *st, const char *key,
	    size_t max, struct mv_buf *out, struct mv_err *err);
int	 mv_store_shared_object_put(struct mv_store *st, const char *key,
	    const void *data, size_t len, struct mv_err *err);

/*
 * Tries to claim the fetch of module@version for this node: *held says
 * whether it did.  A claim older than the lease (upstream_timeout + 60 s)
 * is taken over, and so is one this node left when the object store
 * failed under it (same host and data directory, its process gone): the
 * caller holds the node-local claim (claim.h), so no live process of this
 * node can be filling the version.
 */
int	 mv_store_shared_claim(struct mv_store *st, const char *module,
	    const char *version, bool *held, struct mv_err *err);
/* Ends this node's claim. */
int	 mv_store_shared_release(struct mv_store *st, const char *module,
	    const char *version, struct mv_err *err);

#endif
