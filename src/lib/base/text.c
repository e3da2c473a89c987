/* text.c: text from outside made safe to show (see text.h). */
#include <stdio.h>

#include "modvault/base/text.h"

char *
mv_printable(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	unsigned char c;

	if (outsz == 0)
		return out;
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (n + 1 >= outsz)
				break;
			out[n++] = (char)c;
			continue;
		}
		if (n + 4 >= outsz)
			break;
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hex[c >> 4];
		out[n++] = hex[c & 15];
	}
	out[n] = '\0';
	return out;
}
