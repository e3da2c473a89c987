/*
 * fuzz_info.c: an upstream's .info (GP-11.1.1) on arbitrary bytes, and
 * the Origin of a stored one (`verify --origin`).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/proto/info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever parses stays within the buffers' bounds, NUL-terminated. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_buf version, time;
	struct mv_info_origin o;

	mv_buf_init(&version, 256);
	mv_buf_init(&time, 63);
	if (mv_info_parse((const char *)data, size, &version, &time,
	    NULL) == 0 && (strlen(mv_buf_str(&version)) > 256 ||
	    strlen(mv_buf_str(&time)) > 63))
		abort();
	mv_buf_free(&version);
	mv_buf_free(&time);
	/* Every member NUL-terminated within its field. */
	if (mv_info_origin((const char *)data, size, &o, NULL) == 0 &&
	    (strnlen(o.vcs, sizeof(o.vcs)) == sizeof(o.vcs) ||
	    strnlen(o.url, sizeof(o.url)) == sizeof(o.url) ||
	    strnlen(o.subdir, sizeof(o.subdir)) == sizeof(o.subdir) ||
	    strnlen(o.ref, sizeof(o.ref)) == sizeof(o.ref) ||
	    strnlen(o.hash, sizeof(o.hash)) == sizeof(o.hash)))
		abort();
	return 0;
}
