/*
 * import.h: filling the store from a directory tree: a Go module download
 * cache ($GOMODCACHE/cache/download) or a static GOPROXY tree.
 *
 * The tree is walked for <escaped module>/@v/<escaped version>.zip files,
 * each with its .info and .mod beside it.  Names are unescaped and
 * checked (GP-2.2) before anything else; the policy is asked; each file
 * is copied into the store's staging area (regular files only, never
 * following a symbolic link or blocking on a FIFO) and the copies go
 * through mv_store_ingest, the validator a fetch uses.  The walk never
 * leaves the tree: directories are opened relative to their parent with
 * O_NOFOLLOW.  The checksum database is consulted through verify, which
 * the caller sets when it can reach one.
 */
#ifndef MODVAULT_IMPORT_H
#define MODVAULT_IMPORT_H

#include <stdint.h>

#include "modvault/base/err.h"
#include "modvault/policy/policy.h"
#include "modvault/store/index.h"
#include "modvault/zip/zip.h"

struct mv_import_opts {
	const struct mv_policy		*policy;
	const struct mv_zip_limits	*lim;
	/*
	 * Told each version found, in module then version order: stored,
	 * already present, or refused (err says why; module and version are
	 * then as found in the tree when they could not be unescaped).
	 */
	void	(*report)(void *ctx, const char *module, const char *version,
		    int rc, enum mv_ingest_outcome outcome,
		    const struct mv_err *err);
	void	*ctx;
	/*
	 * Optional: told how many versions the tree holds, before the first
	 * (mv_import_tree only: a store can be counted by its owner).
	 */
	void	(*found)(void *ctx, uint64_t versions);
	/*
	 * Optional (mv_import_tree): the last word on each version, as in
	 * struct mv_ingest (the checksum database, when it can be reached).
	 */
	int	(*verify)(void *ctx, const struct mv_version *v,
		    struct mv_err *err);
	void	*verify_ctx;
};

struct mv_import_report {
	uint64_t	versions, stored, present, refused;
};

/*
 * Counts one version's outcome in rep and tells o->report: what every
 * way of importing does with each version it offers.
 */
void	 mv_import_count(const struct mv_import_opts *o,
	    struct mv_import_report *rep, const char *module,
	    const char *version, int rc, enum mv_ingest_outcome outcome,
	    const struct mv_err *err);

/*
 * Imports every version under root.  Fails only when the walk itself
 * fails (root unreadable, too deep or too many versions, no memory); a
 * refused version is counted and reported, not a failure.
 */
int	 mv_import_tree(struct mv_store *st, const char *root,
	    const struct mv_import_opts *o, struct mv_import_report *rep,
	    struct mv_err *err);

/*
 * Imports every version of another store, from (`import --from-store`:
 * moving a directory store into a bucket), each restored from from's
 * blobs and validated as above; reported as above.
 */
int	 mv_import_store(struct mv_store *st, struct mv_store *from,
	    const struct mv_import_opts *o, struct mv_import_report *rep,
	    struct mv_err *err);

#endif
