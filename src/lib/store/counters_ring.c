/*
 * counters_ring.c: the last hours' request counts and the rings of recent
 * fetches and refusals in the counters file (see counters_priv.h).
 */
#include <string.h>

#include "counters_priv.h"

static uint64_t
hour_of(time_t t)
{
	return (uint64_t)(t < 0 ? 0 : t) / 3600;
}

/*
 * Counts one request in now's hour.  A slot still holding an hour 48
 * hours old is moved to the new one by whoever sees it first, in the same
 * compare-and-swap that counts, so no count is lost or misplaced.
 */
void
mv_hour_count(_Atomic uint64_t *hours, time_t now)
{
	uint64_t h = hour_of(now), tag = h & HOUR_MASK, v, nv;
	_Atomic uint64_t *slot = &hours[h % MV_HOURS_KEPT];

	v = atomic_load(slot);
	do {
		if (v >> COUNT_BITS == tag)
			nv = (v & COUNT_MASK) == COUNT_MASK ? v : v + 1;
		else
			nv = tag << COUNT_BITS | 1;
	} while (!atomic_compare_exchange_weak(slot, &v, nv));
}

void
mv_counters_hourly(const struct mv_counters *c, time_t now,
    uint64_t out[MV_HOURS_KEPT])
{
	uint64_t h = hour_of(now), v, want;
	size_t i;

	for (i = 0; i < MV_HOURS_KEPT; i++) {
		out[i] = 0;
		if (c == NULL || h + i + 1 < MV_HOURS_KEPT)
			continue;
		want = h + i + 1 - MV_HOURS_KEPT;
		v = atomic_load(&c->f->hours[want % MV_HOURS_KEPT]);
		if (v >> COUNT_BITS == (want & HOUR_MASK))
			out[i] = v & COUNT_MASK;
	}
}

static void
copy_field(char *dst, size_t dstsz, const char *src)
{
	size_t n = src == NULL ? 0 : strnlen(src, dstsz - 1);

	memcpy(dst, src == NULL ? "" : src, n);
	memset(dst + n, 0, dstsz - n);
}

/*
 * Writes one event into the next slot.  The slot's sequence goes odd
 * with a compare-and-swap; when another writer holds it (twenty events
 * raced past at once) this event is dropped rather than waited for.
 */
void
mv_ring_put(struct mv_ring *r, const char *module, const char *version,
    const char *rule, time_t now)
{
	uint64_t i = atomic_fetch_add(&r->next, 1), seq;
	struct mv_event_slot *s = &r->slot[i % MV_EVENTS_KEPT];

	seq = atomic_load(&s->seq);
	if (seq & 1 || !atomic_compare_exchange_strong(&s->seq, &seq, seq + 1))
		return;
	atomic_thread_fence(memory_order_release);
	s->ev.time = (int64_t)now;
	copy_field(s->ev.module, sizeof(s->ev.module), module);
	copy_field(s->ev.version, sizeof(s->ev.version), version);
	copy_field(s->ev.rule, sizeof(s->ev.rule), rule);
	atomic_store(&s->index, i);
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

/* Copies event i when its slot holds it whole; false if not. */
static bool
ring_get(const struct mv_ring *r, uint64_t i, struct mv_event *out)
{
	const struct mv_event_slot *s = &r->slot[i % MV_EVENTS_KEPT];
	uint64_t a, b;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		a = atomic_load_explicit(&s->seq, memory_order_acquire);
		if (a & 1)
			continue;
		if (atomic_load(&s->index) != i)
			return false;
		memcpy(out, &s->ev, sizeof(*out));
		atomic_thread_fence(memory_order_acquire);
		b = atomic_load_explicit(&s->seq, memory_order_relaxed);
		if (a == b) {
			out->module[sizeof(out->module) - 1] = '\0';
			out->version[sizeof(out->version) - 1] = '\0';
			out->rule[sizeof(out->rule) - 1] = '\0';
			return true;
		}
	}
	return false;
}

size_t
mv_counters_recent(const struct mv_counters *c, bool refusals,
    struct mv_event *out, size_t max)
{
	const struct mv_ring *r;
	uint64_t next, k;
	size_t n = 0;

	if (c == NULL)
		return 0;
	r = refusals ? &c->f->refused : &c->f->fetched;
	next = atomic_load(&r->next);
	for (k = 0; k < MV_EVENTS_KEPT && k < next && n < max; k++)
		if (ring_get(r, next - 1 - k, &out[n]))
			n++;
	return n;
}
