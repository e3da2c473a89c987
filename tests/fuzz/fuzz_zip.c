/* fuzz_zip.c: libFuzzer target for module zip validation (module-zip.md). */
#include <stddef.h>
#include <stdint.h>

#include "modvault/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Any bytes must be refused or accepted without a crash, a leak or an
 * unbounded allocation; the default limits apply (MZ-2).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_zip_limits lim;
	struct mv_zip_result res;
	struct mv_err err;

	mv_zip_limits_default(&lim);
	mv_zip_result_init(&res);
	(void)mv_zip_check_mem(data, size, "example.com/m", "v1.0.0", &lim,
	    &res, &err);
	mv_zip_result_free(&res);
	return 0;
}
