/* size.c: byte counts with K/M/G/T suffixes (see size.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/size.h"

bool
mv_size_parse(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *u;
	uintmax_t v;
	char *end;
	int shift;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoumax(s, &end, 10);
	if (errno != 0 || v > UINT64_MAX)
		return false;
	if (*end != '\0' && (u = strchr(units, *end)) != NULL &&
	    end[1] == '\0') {
		shift = 10 * (int)(u - units + 1);
		if (v > (UINT64_MAX >> shift))
			return false;
		v <<= shift;
		end++;
	}
	if (*end != '\0')
		return false;
	*out = (uint64_t)v;
	return true;
}
