/* fuzz_gomod.c: go.mod and go.sum requirement parsing on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/proto/gomod.h"
#include "modvault/proto/modpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every reported module path must be valid (the parser checks it). */
static int
check(void *ctx, const char *module, const char *version)
{
	if (mv_modpath_check(module, NULL) != 0 || strlen(version) > 4096)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)mv_gomod_requires((const char *)data, size, check, NULL, NULL);
	(void)mv_gosum_versions((const char *)data, size, check, NULL, NULL);
	return 0;
}
