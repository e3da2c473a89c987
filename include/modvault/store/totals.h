/*
 * totals.h: what the index holds, summed by SQLite: cheap enough to read
 * on every /metrics scrape (mv_store_stats in verify.h walks every blob;
 * this reads only the index).
 */
#ifndef MODVAULT_TOTALS_H
#define MODVAULT_TOTALS_H

#include <stddef.h>
#include <stdint.h>

#include "modvault/store/index.h"

#define MV_TOTALS_MAX_SUMDBS	8

struct mv_store_totals {
	uint64_t	 versions, modules;
	uint64_t	 bytes;		/* .info + .mod + .zip of every version */
	/* The trusted tree size of each checksum database seen (SD-9.3). */
	struct {
		char	 name[256];
		int64_t	 size;
	}		 sumdb[MV_TOTALS_MAX_SUMDBS];
	size_t		 nsumdb;
};

int	 mv_store_totals(struct mv_store *st, struct mv_store_totals *t,
	    struct mv_err *err);

#endif
