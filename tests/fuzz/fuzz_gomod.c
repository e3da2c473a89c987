/*
 * fuzz_gomod.c: go.mod and go.sum requirement parsing on arbitrary bytes,
 * and what fetching from git reads of a go.mod (its declared path, its
 * retractions).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/proto/gomod.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/vcs/vcsmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every reported module path must be valid (the parser checks it). */
static int
check(void *ctx, const char *module, const char *version)
{
	if (mv_modpath_check(module, NULL) != 0 || strlen(version) > 4096)
		abort();
	return 0;
}

/* The declared path fits its buffer; each retraction is two versions. */
static void
vcs_gomod(const char *text, size_t size)
{
	char path[64], lo[300], hi[300];
	struct mv_buf out;
	const char *p;

	mv_vcs_declared_path(text, size, path, sizeof(path));
	if (strnlen(path, sizeof(path)) == sizeof(path))
		abort();
	mv_buf_init(&out, 1 << 16);
	mv_vcs_retractions(text, size, &out);
	for (p = mv_buf_str(&out); *p != '\0'; p = strchr(p, '\n') + 1)
		if (strchr(p, '\n') == NULL ||
		    sscanf(p, "%299s %299s", lo, hi) != 2 ||
		    !mv_semver_is_valid(lo) || !mv_semver_is_valid(hi))
			abort();
	mv_buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)mv_gomod_requires((const char *)data, size, check, NULL, NULL);
	(void)mv_gosum_versions((const char *)data, size, check, NULL, NULL);
	vcs_gomod((const char *)data, size);
	return 0;
}
