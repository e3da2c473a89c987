/*
 * verify.h: checking a whole store (the scrub), and counting what it
 * holds.
 *
 * mv_store_verify re-reads every blob each stored version uses and checks
 * it against the index: each blob's SHA-256 and size, the zip against
 * every module-zip rule with its h1, the .mod's h1.  It reports each
 * version's problems through a callback.  Unless told not to repair, it
 * also records each good blob's check time (check.h), gives every blob
 * the mode the web server needs (0444), and sends a version whose blob is
 * damaged or missing to quarantine, so the next request fetches it again.
 * mv_store_stats counts versions, modules, blobs and bytes.
 */
#ifndef MODVAULT_VERIFY_H
#define MODVAULT_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/err.h"
#include "modvault/store/index.h"
#include "modvault/zip/zip.h"

struct mv_verify_opts {
	const struct mv_zip_limits	*lim;
	/*
	 * Optional: one more check of each version that passed its own
	 * (`verify --sumdb`: the recorded checksum-database lookup).
	 * -1 with err reports a problem named what.
	 */
	int		(*extra)(void *ctx, const struct mv_version *v,
			    struct mv_err *err);
	const char	*extra_what;
	void		*ctx;
	/*
	 * Told each problem ("zip blob", why) and, when a version has none,
	 * once with what == NULL.
	 */
	void		(*report)(void *ctx, const struct mv_version *v,
			    const char *what, const char *why);
	/* Change nothing (the store was opened read-only). */
	bool		 dry_run;
	int64_t		 now;		/* unix seconds, for check records */
};

struct mv_verify_report {
	uint64_t	versions;
	uint64_t	problems;
	uint64_t	quarantined;	/* versions dropped to be fetched again */
	uint64_t	repaired;	/* blob modes set right */
};

/* Fails only when the walk itself fails (the index cannot be read). */
int	 mv_store_verify(struct mv_store *st, const struct mv_verify_opts *o,
	    struct mv_verify_report *rep, struct mv_err *err);

struct mv_store_stats {
	uint64_t	modules, versions;
	/* What the blob store holds for module files (not manifests). */
	uint64_t	blobs, blob_bytes;
	uint64_t	manifests, manifest_bytes;	/* of stored versions */
	uint64_t	referenced_bytes;	/* sum over versions' files */
	uint64_t	unique_bytes;		/* of the distinct blobs used */
	int64_t		oldest_fetch, newest_fetch;	/* unix s, 0: none */
};

int	 mv_store_stats(struct mv_store *st, struct mv_store_stats *s,
	    struct mv_err *err);

#endif
