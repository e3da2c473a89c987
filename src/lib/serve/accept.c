/*
 * accept.c: whether a request's Accept header asks for the status page
 * (see status.h).
 *
 * RFC 9110 12.5.1: Accept is a list of media ranges separated by commas,
 * each "type/subtype", "type/" "*" or "*" "/" "*", followed by parameters,
 * of which "q" is the weight (0 to 1, three decimals at most; absent: 1).
 * A range whose weight is malformed is ignored, as if it were absent.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "modvault/serve/status.h"

#define OWS	" \t"

/*
 * RFC 9110 12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] )
 *                         / ( "1" [ "." 0*3("0") ] ),
 * in thousandths; -1 when v (n bytes) is not one.
 */
static int
qvalue(const char *v, size_t n)
{
	int q = 0, scale = 100;
	size_t i;

	if (n == 0 || (v[0] != '0' && v[0] != '1') || n > 5 ||
	    (n > 1 && v[1] != '.'))
		return -1;
	for (i = 2; i < n; i++, scale /= 10) {
		if (v[i] < '0' || v[i] > '9' || (v[0] == '1' && v[i] != '0'))
			return -1;
		q += (v[i] - '0') * scale;
	}
	return v[0] == '1' ? 1000 : q;
}

/* The weight of a range with parameters p (n bytes): 1000 unless q= says. */
static int
range_q(const char *p, size_t n)
{
	size_t k, end;

	while (n > 0 && *p == ';') {
		p++, n--;
		k = strspn(p, OWS);
		p += k, n -= k;
		end = strcspn(p, ";");
		end = end < n ? end : n;
		if (end >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			k = end;
			while (k > 2 && strchr(OWS, p[k - 1]) != NULL)
				k--;
			return qvalue(p + 2, k - 2);
		}
		p += end, n -= end;
	}
	return 1000;
}

/* How specifically range r (n bytes) matches text/plain: 3, 2, 1 or 0. */
static int
plain_match(const char *r, size_t n)
{
	if (n == 10 && strncasecmp(r, "text/plain", n) == 0)
		return 3;
	if (n == 6 && strncasecmp(r, "text/*", n) == 0)
		return 2;
	return n == 3 && strncmp(r, "*/*", n) == 0 ? 1 : 0;
}

static bool
is_html(const char *r, size_t n)
{
	return (n == 9 && strncasecmp(r, "text/html", n) == 0) ||
	    (n == 21 && strncasecmp(r, "application/xhtml+xml", n) == 0);
}

bool
mv_accept_html(const char *accept)
{
	const char *p = accept;
	int html = 0, plain = 0, plain_spec = 0, q, spec;
	size_t len, type;

	if (accept == NULL)
		return false;
	for (; *p != '\0'; p += len + (p[len] == ',')) {
		p += strspn(p, OWS);
		len = strcspn(p, ",");
		type = strcspn(p, ";," OWS);
		/* Whitespace may sit before the parameters, nowhere else. */
		q = range_q(p + type + strspn(p + type, OWS),
		    len - type - strspn(p + type, OWS));
		if (q < 0)
			continue;
		if (is_html(p, type) && q > html)
			html = q;
		spec = plain_match(p, type);
		if (spec > plain_spec || (spec == plain_spec && spec > 0 &&
		    q > plain)) {
			plain_spec = spec;
			plain = q;
		}
	}
	return html > 0 && html >= plain;
}
