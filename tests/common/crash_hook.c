/*
 * crash_hook.c: the crash points of tests/integration/crash.sh, linked
 * only into the test build of the CLI (tests/modvault-crash).
 *
 * The library calls mv_crash_point at each step of a write (blob.h); its
 * own definition is a weak no-op, so installed binaries carry no hook.
 * This one kills the process with SIGKILL, as a power cut or kill -9
 * would, when MODVAULT_TEST_CRASH_AT names the point.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/store/blob.h"

void
mv_crash_point(const char *point)
{
	const char *want = getenv("MODVAULT_TEST_CRASH_AT");

	if (want != NULL && strcmp(want, point) == 0)
		raise(SIGKILL);
}
