/* clock.c: the monotonic clock (clock.h). */
#include <time.h>

#include "modvault/base/clock.h"

uint64_t
mv_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int64_t
mv_mono_ms(void)
{
	return (int64_t)(mv_mono_us() / 1000);
}
