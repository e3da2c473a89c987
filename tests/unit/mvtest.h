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

/*
 * The test modules (MV_FIXTURES, set by make check): the set tests/modgen
 * makes in the build tree, or, for the real-modules stage, another set of
 * the same layout (upstream/, go.sum, client/).
 */
static inline const char *
mvtest_fixtures(void)
{
	const char *d = getenv("MV_FIXTURES");

	if (d == NULL || *d == '\0')
		fail_msg("MV_FIXTURES is not set: run the tests with make check");
	return d;
}

/*
 * Asserts that a call returned 0, printing the error message if not.  The
 * report is cleared first: the first failure recorded wins (err.h).
 */
#define assert_ok(call, errp) do {					\
	mv_err_clear(errp);						\
	int mvt_rc_ = (call);						\
	if (mvt_rc_ != 0)						\
		fail_msg("%s failed: %s", #call, (errp)->msg);		\
} while (0)

/* Asserts that a call failed with the given code. */
#define assert_fails(call, errp, wantcode) do {				\
	mv_err_clear(errp);						\
	int mvt_rc_ = (call);						\
	if (mvt_rc_ != -1)						\
		fail_msg("%s succeeded, expected failure", #call);	\
	if ((errp)->code != (wantcode))					\
		fail_msg("%s failed with %s (%s), expected %s", #call,	\
		    mv_code_name((errp)->code), (errp)->msg,		\
		    mv_code_name(wantcode));				\
} while (0)

/* Removes a test's temporary directory and all in it: 0, else -1. */
static inline int
mvtest_remove_dir(const char *dir)
{
	char cmd[4096 + 16];

	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >= (int)sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

#endif
