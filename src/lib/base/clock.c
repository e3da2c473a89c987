/* clock.c: the monotonic clock (clock.h). */
#include <time.h>

#include "modvault/base/clock.h"

int64_t
mv_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
