/*
 * check.h: what the store knows of its blobs' health, and what it does
 * with a damaged one.
 *
 * Each blob has a last-verified time (sql/004-checks.sql): when it was
 * last read back whole and found to hash to its name.  A blob found
 * damaged or missing is quarantined (blob.h) and the version that needed
 * it dropped from the index, so the next request fetches it again from
 * upstream instead of answering 404 or damaged bytes forever.
 */
#ifndef MODVAULT_CHECK_H
#define MODVAULT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "modvault/base/err.h"
#include "modvault/store/index.h"

/* Records that the blob was verified at `at` (unix seconds). */
int	 mv_store_blob_checked(struct mv_store *st, const unsigned char *digest,
	    int64_t at, struct mv_err *err);
/*
 * The same for n blobs in one transaction: one commit, so one sync of
 * the index, instead of one each (an ingest records up to three).
 */
int	 mv_store_blobs_checked(struct mv_store *st,
	    const unsigned char *const *digests, size_t n, int64_t at,
	    struct mv_err *err);
/* When the blob was last verified: *at = 0 when never. */
int	 mv_store_blob_last_checked(struct mv_store *st,
	    const unsigned char *digest, int64_t *at, struct mv_err *err);

/*
 * v needs the blob bad, found damaged or missing: the blob goes to
 * quarantine, its check record and v's row go from the index.  Other
 * versions sharing the blob find it missing at their next read and are
 * dropped the same way.
 */
int	 mv_store_quarantine(struct mv_store *st, const struct mv_version *v,
	    const struct mv_blobref *bad, struct mv_err *err);
/* Only the blob and its check record (a manifest, which is remade). */
int	 mv_store_quarantine_blob(struct mv_store *st,
	    const struct mv_blobref *bad, struct mv_err *err);

#endif
