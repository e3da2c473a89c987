/*
 * fill_priv.h: what fill.c and share.c share (private to the source
 * layer).
 */
#ifndef MODVAULT_FILL_PRIV_H
#define MODVAULT_FILL_PRIV_H

#include "modvault/source/fill.h"
#include "modvault/store/ingest.h"

/* The mv_ingest verify hook: the checksum database's word (SD-10.1). */
int	 mv_fill_verify_sumdb(void *ctx, const struct mv_version *v,
	    struct mv_err *err);

/* One fetch from upstream; the caller holds every claim. */
typedef int (*mv_fill_fetch_fn)(struct mv_filler *f, const char *module,
	    const char *version, const struct mv_policy_decision *pd,
	    enum mv_ingest_outcome *outcome, struct mv_err *err);

/*
 * share.c: a version another node stored, from the bucket's manifest,
 * validated as a fetch; *found false (and 0) when the bucket has none, or
 * one naming a blob it no longer holds.
 */
int	 mv_fill_adopt(struct mv_filler *f, const char *module,
	    const char *version, const struct mv_policy_decision *pd,
	    enum mv_ingest_outcome *outcome, bool *found, struct mv_err *err);
/*
 * fetch, once this node holds the bucket's claim on module@version; while
 * another node holds it, waits for its manifest (then adopts it) until
 * the claim ends or upstream_timeout and a margin have passed.
 */
int	 mv_fill_across_nodes(struct mv_filler *f, const char *module,
	    const char *version, const struct mv_policy_decision *pd,
	    mv_fill_fetch_fn fetch, enum mv_ingest_outcome *outcome,
	    struct mv_err *err);

#endif
