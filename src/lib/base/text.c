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

/*
 * The length of the well-formed UTF-8 sequence at p (Unicode 15, table
 * 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (p[i] < lo || p[i] > hi)
			return 0;	/* a NUL ends the check too */
	return n;
}

int
mv_html_escape(struct mv_buf *out, const char *s, struct mv_err *err)
{
	const unsigned char *p = (const unsigned char *)s;
	char hex[8];
	size_t n;
	int rc = 0;

	for (; rc == 0 && *p != '\0'; p += n) {
		n = 1;
		switch (*p) {
		case '&': rc = mv_buf_puts(out, "&amp;", err); continue;
		case '<': rc = mv_buf_puts(out, "&lt;", err); continue;
		case '>': rc = mv_buf_puts(out, "&gt;", err); continue;
		case '"': rc = mv_buf_puts(out, "&quot;", err); continue;
		case '\'': rc = mv_buf_puts(out, "&#39;", err); continue;
		case '\t': case '\n': break;
		default:
			if (*p >= 0x80)
				n = utf8_len(p);
			else if (*p < 0x20 || *p == 0x7f)
				n = 0;
			if (n == 0) {
				snprintf(hex, sizeof(hex), "\\x%02x", *p);
				rc = mv_buf_puts(out, hex, err);
				n = 1;
				continue;
			}
		}
		rc = mv_buf_append(out, p, n, err);
	}
	return rc;
}
