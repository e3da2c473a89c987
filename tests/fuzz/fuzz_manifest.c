/* fuzz_manifest.c: version manifests (manifest.h) on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/proto/modpath.h"
#include "modvault/store/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * What parses must be a valid version, and must write back to the very
 * same text (the format has one spelling of each manifest).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_version v;
	struct mv_buf again;

	if (mv_manifest_parse((const char *)data, size, &v, NULL) != 0)
		return 0;
	if (mv_modpath_check_version(v.module, v.version, NULL) != 0)
		abort();
	mv_buf_init(&again, MV_MANIFEST_MAX_BYTES);
	if (mv_manifest_format(&v, &again, NULL) != 0 || again.len != size ||
	    memcmp(again.data, data, size) != 0)
		abort();
	mv_buf_free(&again);
	return 0;
}
