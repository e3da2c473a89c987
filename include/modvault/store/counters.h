/*
 * counters.h: what every process serving a store has done, counted in one
 * small memory-mapped file, DATA_DIR/counters.
 *
 * The CGI responder, each FastCGI child and the CLI map the same file
 * (MAP_SHARED) and update it with lock-free 64-bit atomics (<stdatomic.h>),
 * so there is no lock on the hot path and no process can leave one held.
 * The file has a fixed size and a header with a magic and a layout
 * version: a file of another layout is renamed aside (counters.old) and a
 * new one created, never misread.  It is created whole in a temporary file
 * and linked into place, so no process ever maps a half-written header.
 *
 * Counters are monotonic (Prometheus counters: they reset only when the
 * file is recreated).  The last hours' request counts and the last fetches
 * and refusals are kept for the status page.
 *
 * Every mv_counters_* call accepts c == NULL and then does nothing or
 * reads zeros: a store whose directory is not writable serves uncounted.
 */
#ifndef MODVAULT_COUNTERS_H
#define MODVAULT_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "modvault/base/err.h"

struct mv_counters;

/*
 * Opens (creating it when absent) DATA_DIR/counters.  Fails with MV_EIO
 * when the file cannot be created or mapped; the caller then serves with
 * c == NULL.
 */
int	 mv_counters_open(struct mv_counters **c, const char *data_dir,
	    struct mv_err *err);
void	 mv_counters_close(struct mv_counters *c);	/* NULL is fine */

/* --- the layout's dimensions (changing one changes the layout) -------- */

/* Endpoints: enum mv_route_kind's values (route.h) index this. */
#define MV_COUNTERS_ROUTES	16
/* Status classes: status / 100 (1xx .. 5xx); 0 counts anything else. */
#define MV_COUNTERS_CLASSES	6
/*
 * How a request was answered: enum mv_how's values (serve.h, a layer
 * above this one) index this; serve.c checks at compile time that the
 * three this layer names agree with it.
 */
#define MV_COUNTERS_HOWS	8
#define MV_COUNTERS_HOW_HIT	0
#define MV_COUNTERS_HOW_FETCHED	1
#define MV_COUNTERS_HOW_STALE	2
/* Refusal rules with a counter of their own; later ones count as other. */
#define MV_COUNTERS_RULES	32
#define MV_COUNTERS_RULE_BYTES	64
/* Upstream latency buckets (upper bounds, mv_counters_bucket_us); +Inf is the count. */
#define MV_LATENCY_BUCKETS	12
extern const uint64_t mv_counters_bucket_us[MV_LATENCY_BUCKETS];

/* --- updating (lock-free; any process) -------------------------------- */

/*
 * One answered request: its endpoint (enum mv_route_kind), HTTP status,
 * how it was answered (enum mv_how) and the body bytes sent.  Also counts
 * it in the current hour.  Out-of-range indexes are ignored.
 */
void	 mv_counters_request(struct mv_counters *c, unsigned route,
	    int status, unsigned how, uint64_t body_bytes, time_t now);
/* A version fetched from upstream (responder or CLI) with its bytes. */
void	 mv_counters_fetch(struct mv_counters *c, const char *module,
	    const char *version, uint64_t bytes, time_t now);
/* A request refused by rule ("MZ-3.1", "policy", ...). */
void	 mv_counters_refusal(struct mv_counters *c, const char *rule,
	    const char *module, const char *version, time_t now);
/* One upstream HTTP request (or git transfer) that took us microseconds. */
void	 mv_counters_upstream(struct mv_counters *c, uint64_t us);
/* A background fetch (download_mode async) begins, or ends (done). */
void	 mv_counters_background(struct mv_counters *c, bool done);
/*
 * Counts every upstream transfer this process makes from now on into c
 * (through net/tally.h, where upstream.c and git.c time them); NULL stops.
 */
void	 mv_counters_observe_upstream(struct mv_counters *c);

/* --- reading ------------------------------------------------------------ */

#define MV_HOURS_KEPT 48
/*
 * Requests per hour for the last MV_HOURS_KEPT hours, oldest first, the
 * last one the current hour.
 */
void	 mv_counters_hourly(const struct mv_counters *c, time_t now,
	    uint64_t out[MV_HOURS_KEPT]);

struct mv_event {
	int64_t	time;
	char	module[256];
	char	version[128];
	char	rule[64];	/* "" for a fetch */
};
#define MV_EVENTS_KEPT 20
/* The last fetches or refusals, newest first; returns how many were copied. */
size_t	 mv_counters_recent(const struct mv_counters *c, bool refusals,
	    struct mv_event *out, size_t max);
/* Requests answered from the store (how = hit). */
uint64_t mv_counters_hits(const struct mv_counters *c);
/* Requests that needed an upstream (how = fetched or stale). */
uint64_t mv_counters_misses(const struct mv_counters *c);

/* Everything else at once, for /metrics (each value read atomically). */
struct mv_counters_snapshot {
	uint64_t	 requests[MV_COUNTERS_ROUTES][MV_COUNTERS_CLASSES];
	uint64_t	 how[MV_COUNTERS_HOWS];
	uint64_t	 bytes_served;
	uint64_t	 fetches;
	uint64_t	 fetch_bytes;
	uint64_t	 background_started;	/* started - done: running */
	uint64_t	 background_done;
	/* Cumulative, as Prometheus wants: bucket[i] counts <= bound i. */
	uint64_t	 upstream_bucket[MV_LATENCY_BUCKETS];
	uint64_t	 upstream_count;
	uint64_t	 upstream_sum_us;
	struct {
		char	 rule[MV_COUNTERS_RULE_BYTES];
		uint64_t n;
	}		 rules[MV_COUNTERS_RULES];
	size_t		 nrules;
	uint64_t	 rules_other;
};
void	 mv_counters_snapshot(const struct mv_counters *c,
	    struct mv_counters_snapshot *s);

#endif
