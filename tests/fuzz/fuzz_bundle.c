/* fuzz_bundle.c: bundle manifests (bundle.h) on arbitrary bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/hash.h"
#include "modvault/source/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * What parses holds only names no path can be built from unnoticed, and
 * writes back to the very same text (one spelling per manifest).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_bundle_manifest mf;
	char hex[MV_SHA256_HEX + 1];
	struct mv_buf again;
	size_t i;

	if (mv_bundle_manifest_parse((const char *)data, size, &mf,
	    NULL) == -1)
		return 0;
	mv_buf_init(&again, size + 1);
	if (mv_buf_printf(&again, NULL, "%s\n", MV_BUNDLE_MAGIC) == -1 ||
	    (mf.sumdb[0] != '\0' && mv_buf_printf(&again, NULL, "sumdb %s\n",
	    mf.sumdb) == -1))
		abort();
	for (i = 0; i < mf.n; i++) {
		const char *n = mf.m[i].name;

		if (n[0] == '/' || strstr(n, "..") != NULL ||
		    strstr(n, "//") != NULL || strlen(n) >
		    MV_BUNDLE_NAME_MAX_BYTES)
			abort();
		mv_hex(mf.m[i].digest, 32, hex);
		if (mv_buf_printf(&again, NULL, "%s %llu %s\n", hex,
		    (unsigned long long)mf.m[i].size, n) == -1)
			abort();
	}
	if (again.len != size || memcmp(again.data, data, size) != 0)
		abort();
	mv_buf_free(&again);
	mv_bundle_manifest_free(&mf);
	return 0;
}
