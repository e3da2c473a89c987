/* counters_count.c: counting into the counters file and reading it back. */
#include <sched.h>
#include <string.h>

#include "modvault/net/tally.h"
#include "counters_priv.h"

/* Upper bounds in microseconds: 5 ms .. 30 s, Prometheus's default spread. */
const uint64_t mv_counters_bucket_us[MV_LATENCY_BUCKETS] = {
	5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000, 30000000,
};

void
mv_counters_request(struct mv_counters *c, unsigned route, int status,
    unsigned how, uint64_t body_bytes, time_t now)
{
	unsigned cls = status >= 100 && status < 600 ? (unsigned)status / 100 : 0;

	if (c == NULL)
		return;
	if (route < MV_COUNTERS_ROUTES)
		atomic_fetch_add(&c->f->requests[route][cls], 1);
	if (how < MV_COUNTERS_HOWS)
		atomic_fetch_add(&c->f->how[how], 1);
	atomic_fetch_add(&c->f->bytes_served, body_bytes);
	mv_hour_count(c->f->hours, now);
}

void
mv_counters_fetch(struct mv_counters *c, const char *module,
    const char *version, uint64_t bytes, time_t now)
{
	if (c == NULL)
		return;
	atomic_fetch_add(&c->f->fetches, 1);
	atomic_fetch_add(&c->f->fetch_bytes, bytes);
	mv_ring_put(&c->f->fetched, module, version, "", now);
}

void
mv_counters_background(struct mv_counters *c, bool done)
{
	if (c != NULL)
		atomic_fetch_add(done ? &c->f->background_done :
		    &c->f->background_started, 1);
}

/*
 * The slot counting rule, claimed with a compare-and-swap on first use.
 * A slot another process is naming this instant is waited for briefly
 * (two writes of at most 64 bytes); NULL when the table is full.
 */
static struct mv_rule_slot *
rule_slot(struct mv_counters_file *f, const char *rule)
{
	struct mv_rule_slot *s;
	uint64_t st;
	size_t i;
	int spins;

	for (i = 0; i < MV_COUNTERS_RULES; i++) {
		s = &f->rules[i];
		st = atomic_load(&s->state);
		if (st == RULE_EMPTY && atomic_compare_exchange_strong(
		    &s->state, &st, RULE_WRITING)) {
			strncpy(s->id, rule, sizeof(s->id) - 1);
			atomic_store(&s->state, RULE_READY);
			return s;
		}
		for (spins = 0; st == RULE_WRITING && spins < 1000; spins++) {
			sched_yield();
			st = atomic_load(&s->state);
		}
		if (st == RULE_READY && strncmp(s->id, rule,
		    sizeof(s->id) - 1) == 0)
			return s;
	}
	return NULL;
}

void
mv_counters_refusal(struct mv_counters *c, const char *rule,
    const char *module, const char *version, time_t now)
{
	struct mv_rule_slot *s;

	if (c == NULL)
		return;
	if (rule == NULL || *rule == '\0')
		rule = "other";
	if ((s = rule_slot(c->f, rule)) != NULL)
		atomic_fetch_add(&s->n, 1);
	else
		atomic_fetch_add(&c->f->rules_other, 1);
	mv_ring_put(&c->f->refused, module, version, rule, now);
}

void
mv_counters_upstream(struct mv_counters *c, uint64_t us)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < MV_LATENCY_BUCKETS; i++)
		if (us <= mv_counters_bucket_us[i]) {
			atomic_fetch_add(&c->f->upstream_bucket[i], 1);
			break;
		}
	atomic_fetch_add(&c->f->upstream_sum_us, us);
	atomic_fetch_add(&c->f->upstream_count, 1);
}

static void
observe(void *ctx, uint64_t us)
{
	mv_counters_upstream(ctx, us);
}

void
mv_counters_observe_upstream(struct mv_counters *c)
{
	mv_tally_observe(c != NULL ? observe : NULL, c);
}

uint64_t
mv_counters_hits(const struct mv_counters *c)
{
	return c == NULL ? 0 : atomic_load(&c->f->how[MV_COUNTERS_HOW_HIT]);
}

uint64_t
mv_counters_misses(const struct mv_counters *c)
{
	if (c == NULL)
		return 0;
	return atomic_load(&c->f->how[MV_COUNTERS_HOW_FETCHED]) +
	    atomic_load(&c->f->how[MV_COUNTERS_HOW_STALE]);
}

void
mv_counters_snapshot(const struct mv_counters *c,
    struct mv_counters_snapshot *s)
{
	const struct mv_counters_file *f;
	uint64_t cum = 0;
	size_t i, j;

	memset(s, 0, sizeof(*s));
	if (c == NULL)
		return;
	f = c->f;
	for (i = 0; i < MV_COUNTERS_ROUTES; i++)
		for (j = 0; j < MV_COUNTERS_CLASSES; j++)
			s->requests[i][j] = atomic_load(&f->requests[i][j]);
	for (i = 0; i < MV_COUNTERS_HOWS; i++)
		s->how[i] = atomic_load(&f->how[i]);
	s->bytes_served = atomic_load(&f->bytes_served);
	s->fetches = atomic_load(&f->fetches);
	s->fetch_bytes = atomic_load(&f->fetch_bytes);
	/* done first: started is then never below it. */
	s->background_done = atomic_load(&f->background_done);
	s->background_started = atomic_load(&f->background_started);
	/* The count first: no bucket then exceeds it (new ones only add). */
	s->upstream_count = atomic_load(&f->upstream_count);
	s->upstream_sum_us = atomic_load(&f->upstream_sum_us);
	for (i = 0; i < MV_LATENCY_BUCKETS; i++) {
		cum += atomic_load(&f->upstream_bucket[i]);
		s->upstream_bucket[i] = cum;
	}
	for (i = 0; i < MV_LATENCY_BUCKETS; i++)
		if (s->upstream_bucket[i] > s->upstream_count)
			s->upstream_bucket[i] = s->upstream_count;
	for (i = 0; i < MV_COUNTERS_RULES; i++) {
		if (atomic_load(&f->rules[i].state) != RULE_READY)
			continue;
		memcpy(s->rules[s->nrules].rule, f->rules[i].id,
		    MV_COUNTERS_RULE_BYTES);
		s->rules[s->nrules].rule[MV_COUNTERS_RULE_BYTES - 1] = '\0';
		s->rules[s->nrules++].n = atomic_load(&f->rules[i].n);
	}
	s->rules_other = atomic_load(&f->rules_other);
}
