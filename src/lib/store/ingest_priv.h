/*
 * ingest_priv.h: what ingest_batch.c needs of ingest.c (private to
 * src/lib/store/).
 */
#ifndef MODVAULT_INGEST_PRIV_H
#define MODVAULT_INGEST_PRIV_H

#include <stdbool.h>

#include "modvault/store/ingest.h"

/*
 * Validates in (every rule of ingest.h) into v, its blobs' refs not yet
 * filled; then *present says it is stored already (v is then the stored
 * row), else the caller's verify has accepted it.  -1: refused, err says
 * why.  Writes nothing.
 */
int	 mv_ingest_check(struct mv_store *st, const struct mv_ingest *in,
	    const struct mv_zip_limits *lim, struct mv_version *v,
	    bool *present, struct mv_err *err);

#endif
