/*
 * tally.h: what this process spent on upstreams since the last reset.
 *
 * A responder process answers one request at a time, so a process-wide
 * tally reset as a request starts (serve.c) is that request's: the
 * access line's upstream time and the counters' fetched bytes.  Every
 * transfer from an upstream proxy or checksum database (upstream.c) and
 * every git run that talks to a repository (git.c) adds to it.
 */
#ifndef MODVAULT_TALLY_H
#define MODVAULT_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/clock.h"

struct mv_tally {
	uint64_t	us;		/* time spent waiting on upstreams */
	uint64_t	bytes;		/* body bytes received from them */
	unsigned	answered;	/* transfers with an HTTP answer (404 too) */
	unsigned	failed;		/* transfers that got none, or a 5xx */
};


void	 mv_tally_reset(void);
/* One transfer that started at started_us (mv_mono_us) and ended now. */
void	 mv_tally_add(uint64_t started_us, uint64_t bytes, bool answered);
/*
 * Has fn told each transfer's duration as mv_tally_add records it (the
 * counters' latency histogram, counters.h); fn NULL: no one is told.
 */
void	 mv_tally_observe(void (*fn)(void *ctx, uint64_t us), void *ctx);
/* The tally since the last reset. */
void	 mv_tally_get(struct mv_tally *out);

#endif
