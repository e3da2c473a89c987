/*
 * mvtest.h: what every unit test includes.  The tests use cmocka, whose
 * assertions report the file, the line and both values on failure.
 * Tests cite the spec rule they cover in their names or comments
 * (e.g. "GP-3.5"), so a failure points at the rule.
 */
#ifndef MVTEST_H
#define MVTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modvault/base/err.h"

/* The shared fixtures directory (MV_FIXTURES, set by make check). */
static inline const char *
mvtest_fixtures(void)
{
	const char *d = getenv("MV_FIXTURES");

	if (d == NULL || *d == '\0')
		fail_msg("MV_FIXTURES is not set: run the tests with make check");
	return d;
}

/* Asserts that a call returned 0, printing the error message if not. */
#define assert_ok(call, errp) do {					\
	int mvt_rc_ = (call);						\
	if (mvt_rc_ != 0)						\
		fail_msg("%s failed: %s", #call, (errp)->msg);		\
} while (0)

/* Asserts that a call failed with the given code. */
#define assert_fails(call, errp, wantcode) do {				\
	int mvt_rc_ = (call);						\
	if (mvt_rc_ != -1)						\
		fail_msg("%s succeeded, expected failure", #call);	\
	assert_int_equal((errp)->code, (wantcode));			\
} while (0)

#endif
