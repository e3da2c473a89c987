/* tally.c: this process's upstream time and bytes (see tally.h). */
#include <string.h>

#include "modvault/net/tally.h"

static struct mv_tally tally;
static void (*observer)(void *, uint64_t);
static void *observer_ctx;

void
mv_tally_reset(void)
{
	memset(&tally, 0, sizeof(tally));
}

void
mv_tally_add(uint64_t started_us, uint64_t bytes, bool answered)
{
	uint64_t now = mv_mono_us(), us = now > started_us ? now - started_us : 0;

	tally.us += us;
	if (observer != NULL)
		observer(observer_ctx, us);
	tally.bytes += bytes;
	if (answered)
		tally.answered++;
	else
		tally.failed++;
}

void
mv_tally_observe(void (*fn)(void *ctx, uint64_t us), void *ctx)
{
	observer = fn;
	observer_ctx = ctx;
}

void
mv_tally_get(struct mv_tally *out)
{
	*out = tally;
}
