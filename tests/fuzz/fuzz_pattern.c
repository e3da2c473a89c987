/* fuzz_pattern.c: libFuzzer target for globs and prefix pattern lists. */
/*
 * The input is split at its first NUL or newline: the part before is the
 * comma-separated pattern list (and, whole, a single glob), the part after
 * is the module path.  Besides not crashing, a glob with no special
 * characters must match exactly the name equal to it (PT-4.1).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/proto/pattern.h"

#define FUZZ_MAX_INPUT 4096

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
is_literal(const char *p, size_t n)
{
	return memchr(p, '*', n) == NULL && memchr(p, '?', n) == NULL &&
	    memchr(p, '[', n) == NULL && memchr(p, '\\', n) == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[FUZZ_MAX_INPUT + 1];
	size_t split, tlen;
	const char *target;
	enum mv_glob_result r;
	bool same;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (split = 0; split < size; split++)
		if (buf[split] == '\0' || buf[split] == '\n')
			break;
	target = split < size ? buf + split + 1 : buf + size;
	tlen = size - (size_t)(target - buf);
	buf[split] = '\0';

	r = mv_glob_match(buf, split, target, tlen);
	if (r != MV_GLOB_MATCH && r != MV_GLOB_NOMATCH &&
	    r != MV_GLOB_BADPATTERN)
		abort();
	same = split == tlen && memcmp(buf, target, tlen) == 0;
	if (is_literal(buf, split) && (r == MV_GLOB_MATCH) != same)
		abort();
	(void)mv_patterns_match(buf, target);
	return 0;
}
