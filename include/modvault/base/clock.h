/*
 * clock.h: the monotonic clock, for deadlines and durations (never for
 * dates: it does not move with the wall clock, so a time step does not
 * cut a transfer short or make a rate negative).
 */
#ifndef MODVAULT_CLOCK_H
#define MODVAULT_CLOCK_H

#include <stdint.h>

/* Microseconds of CLOCK_MONOTONIC: durations of requests and transfers. */
uint64_t mv_mono_us(void);
/* Milliseconds of CLOCK_MONOTONIC: deadlines. */
int64_t	 mv_mono_ms(void);

#endif
