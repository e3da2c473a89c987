/*
 * counters_priv.h: the layout of DATA_DIR/counters (see counters.h).
 *
 * Every field after the header is a lock-free 64-bit atomic or is guarded
 * by one (a rule slot's state, an event's sequence).  Changing anything
 * here changes the layout: bump MV_COUNTERS_LAYOUT, and files of the old
 * layout are renamed aside instead of misread.
 */
#ifndef MODVAULT_COUNTERS_PRIV_H
#define MODVAULT_COUNTERS_PRIV_H

#include <stdatomic.h>

#include "modvault/store/counters.h"

#define MV_COUNTERS_MAGIC	"mvcount\n"
#define MV_COUNTERS_LAYOUT	2u

/* A rule slot's state: claimed with a compare-and-swap from EMPTY. */
enum { RULE_EMPTY, RULE_WRITING, RULE_READY };

struct mv_rule_slot {
	_Atomic uint64_t	 state;
	char			 id[MV_COUNTERS_RULE_BYTES];
	_Atomic uint64_t	 n;
};

/*
 * One event.  seq is odd while a writer fills it (a sequence lock: a
 * reader copies it and keeps the copy only when seq was even and
 * unchanged); index is the event's number in its ring, so a reader can
 * tell the entry it wants from an older or newer one in the same slot.
 */
struct mv_event_slot {
	_Atomic uint64_t	 seq;
	_Atomic uint64_t	 index;
	struct mv_event		 ev;
};

struct mv_ring {
	_Atomic uint64_t	 next;		/* events ever written */
	struct mv_event_slot	 slot[MV_EVENTS_KEPT];
};

/*
 * An hour's slot: the hour's number (hours since the epoch, low bits) in
 * the top HOUR_BITS and its count below, in one word, so moving a slot to
 * a new hour and counting in it is one compare-and-swap: no increment is
 * lost to a reset racing with it.
 */
#define HOUR_BITS	24
#define COUNT_BITS	(64 - HOUR_BITS)
#define COUNT_MASK	((UINT64_C(1) << COUNT_BITS) - 1)
#define HOUR_MASK	((UINT64_C(1) << HOUR_BITS) - 1)

struct mv_counters_file {
	char			 magic[8];
	uint32_t		 layout;
	uint32_t		 size;		/* sizeof(struct mv_counters_file) */
	_Atomic uint64_t	 requests[MV_COUNTERS_ROUTES][MV_COUNTERS_CLASSES];
	_Atomic uint64_t	 how[MV_COUNTERS_HOWS];
	_Atomic uint64_t	 bytes_served;
	_Atomic uint64_t	 fetches;
	_Atomic uint64_t	 fetch_bytes;
	_Atomic uint64_t	 upstream_bucket[MV_LATENCY_BUCKETS];	/* not cumulative */
	_Atomic uint64_t	 upstream_count;
	_Atomic uint64_t	 upstream_sum_us;
	struct mv_rule_slot	 rules[MV_COUNTERS_RULES];
	_Atomic uint64_t	 rules_other;
	_Atomic uint64_t	 hours[MV_HOURS_KEPT];
	struct mv_ring		 fetched;
	struct mv_ring		 refused;
	/* download_mode async: fetches begun and ended in the background. */
	_Atomic uint64_t	 background_started;
	_Atomic uint64_t	 background_done;
};

struct mv_counters {
	struct mv_counters_file	*f;
};

/* counters_ring.c */
void	 mv_ring_put(struct mv_ring *r, const char *module,
	    const char *version, const char *rule, time_t now);
void	 mv_hour_count(_Atomic uint64_t *hours, time_t now);

#endif
