/*
 * reindex.h: rebuilding the index from the blobs (`modvault reindex`).
 *
 * When index.db is lost or emptied, the blobs still hold every byte.  A
 * version comes back:
 *   - from its manifest (manifest.h), which names its three blobs and
 *     its origin: exact (but for the fetch time, which becomes now);
 *   - else, for a zip no manifest names (a store written before manifests,
 *     or a lost manifest), from the zip itself: its entries name its
 *     module@version (MZ-1.3), its go.mod is the .mod (or "module PATH\n"
 *     when it has none, MZ-9), and its .info is the one stored .info blob
 *     naming that version.  When several .info blobs name the version (each
 *     module's v1.0.0 has its own time), which one is this module's cannot
 *     be known: the version is not recovered, and the next request fetches
 *     it again.
 * Each version is validated as a fetch is, through mv_store_ingest, before
 * its row is committed; a version already in the index is left alone, so
 * reindex also fills the gaps of an index that lost some rows.  It may
 * bring back a version removed (`modvault rm`) since the last gc.
 */
#ifndef MODVAULT_REINDEX_H
#define MODVAULT_REINDEX_H

#include <stdint.h>

#include "modvault/base/err.h"
#include "modvault/store/index.h"
#include "modvault/zip/zip.h"

enum mv_reindex_outcome {
	MV_REINDEX_RESTORED,	/* its row is back */
	MV_REINDEX_PRESENT,	/* the index had it */
	MV_REINDEX_LOST,	/* not recovered: why says */
};

struct mv_reindex_opts {
	const struct mv_zip_limits	*lim;
	/*
	 * Told each version found (module and version NULL for a zip that
	 * names none, blob then its hex digest) and what became of it.
	 */
	void	(*report)(void *ctx, const char *module, const char *version,
		    const char *blob, enum mv_reindex_outcome outcome,
		    const char *why);
	void	*ctx;
};

struct mv_reindex_report {
	uint64_t	blobs;		/* walked */
	uint64_t	restored, present, lost;
};

/* Fails only when the walk itself fails (the blob store cannot be read). */
int	 mv_store_reindex(struct mv_store *st, const struct mv_reindex_opts *o,
	    struct mv_reindex_report *rep, struct mv_err *err);

#endif
