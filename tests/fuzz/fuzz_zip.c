/* fuzz_zip.c: libFuzzer target for module zip validation (module-zip.md). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../common/zip_twice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Any bytes must be refused or accepted without a crash, a leak or an
 * unbounded allocation; the default limits apply (MZ-2).  And the scan
 * made while a zip downloads (zipscan.h) must never change the outcome
 * (MZ-4.1): the target aborts when it does.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_zip_limits lim;
	struct mv_zip_result res;
	struct mv_err err = MV_ERR_INIT;
	uint64_t scanned;

	mv_zip_limits_default(&lim);
	mv_zip_result_init(&res);
	if (zip_check_twice(data, size, "example.com/m", "v1.0.0", &lim, &res,
	    &err, &scanned) == ZIP_TWICE_DISAGREE)
		abort();
	mv_zip_result_free(&res);
	return 0;
}
