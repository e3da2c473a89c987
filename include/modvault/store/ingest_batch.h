/*
 * ingest_batch.h: many module versions stored together (`modvault
 * import` of a tree or a bundle), with the guarantees of one.
 *
 * Each version added is validated at once, exactly as mv_store_ingest
 * does (ingest.h), and its staged files (with its manifest's) wait in the
 * batch.  A flush makes every waiting blob durable in one pass (each file
 * synced, all linked, each directory synced once: mv_blob_put_batch),
 * then commits all the rows, the new blobs' check times and what each
 * version's with_row writes in one transaction, which first checks under
 * the write lock that every blob is still there (a concurrent gc may take
 * an unreferenced one: then they are all put again, as a single ingest
 * does).  A crash before that commit leaves only unreferenced blobs for
 * gc; a version is reported stored only once its row is committed.
 * Flushes happen when MV_BATCH_VERSIONS versions (fewer under a low limit
 * of open files: each waits with four open) or MV_BATCH_BYTES bytes wait,
 * and at mv_ingest_batch_flush.  mv_store_ingest is a batch of one.
 *
 * Crash points (blob.h) of a batch, for tests/integration/crash.sh:
 * "batch-staged" when a second version has been added (nothing of the
 * batch stored), "batch-durable" when all its blobs are durable and no
 * row is committed; the blob and commit points of blob.h come in between.
 */
#ifndef MODVAULT_INGEST_BATCH_H
#define MODVAULT_INGEST_BATCH_H

#include "modvault/base/limits.h"
#include "modvault/store/ingest.h"

/* A flush when this many versions, or bytes of their blobs, wait. */
#define MV_BATCH_VERSIONS	64
#define MV_BATCH_BYTES		((uint64_t)256 * MV_MIB)

struct mv_ingest_batch;

/*
 * The fate of one version added, called in the order they were added:
 * rc 0 and outcome (stored, or present already), or rc -1 and why.  item
 * is the caller's, as it was given to mv_ingest_batch_add.
 */
typedef void (*mv_ingest_done_fn)(void *ctx, void *item, const char *module,
    const char *version, int rc, enum mv_ingest_outcome outcome,
    const struct mv_err *why);

int	 mv_ingest_batch_new(struct mv_store *st,
	    const struct mv_zip_limits *lim, mv_ingest_done_fn done,
	    void *ctx, struct mv_ingest_batch **b, struct mv_err *err);
/*
 * Validates in and keeps it for the next flush (flushing first when the
 * batch is full).  The batch takes its staged files (in->info, mod and
 * zip become NULL) whatever happens.  A refused version is reported in
 * its turn, like every other.
 */
void	 mv_ingest_batch_add(struct mv_ingest_batch *b, struct mv_ingest *in,
	    void *item);
/* A version refused before it could be added: reported in its turn. */
void	 mv_ingest_batch_refuse(struct mv_ingest_batch *b, const char *module,
	    const char *version, const struct mv_err *why, void *item);
/* Stores what waits and reports every version added since the last. */
void	 mv_ingest_batch_flush(struct mv_ingest_batch *b);
/* Flushes, then frees (NULL is fine). */
void	 mv_ingest_batch_free(struct mv_ingest_batch *b);

#endif
