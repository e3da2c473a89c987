/*
 * mv_s3_encode.c: the encodings SigV4 asks of a request's path and query.
 *
 * libcurl signs the path and the query exactly as given, and the gateway
 * checks the signature against its own canonical form of what it
 * received: the path with every byte outside A-Za-z0-9-._~ and '/'
 * percent-encoded, and the query sorted by name with names and values so
 * encoded.  A request is accepted only when the two agree, so every path
 * and query leaves here already in that form.
 */
#include <stdlib.h>
#include <string.h>

#include "modvault/base/text.h"
#include "s3_priv.h"

static bool
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

int
mv_s3_encode(const char *s, size_t n, bool keep_slash, struct mv_buf *out,
    struct mv_err *err)
{
	static const char hex[] = "0123456789ABCDEF";
	char pct[3] = { '%', 0, 0 };
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			if (mv_buf_putc(out, (char)c, err) == -1)
				return -1;
			continue;
		}
		pct[1] = hex[c >> 4];
		pct[2] = hex[c & 15];
		if (mv_buf_append(out, pct, 3, err) == -1)
			return -1;
	}
	return 0;
}

static int
param_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mv_s3_param *)a)->name,
	    ((const struct mv_s3_param *)b)->name);
}

int
mv_s3_query(struct mv_s3_param *p, size_t n, struct mv_buf *out,
    struct mv_err *err)
{
	size_t i;

	qsort(p, n, sizeof(*p), param_cmp);
	for (i = 0; i < n; i++) {
		const char *v = p[i].value != NULL ? p[i].value : "";

		if ((i > 0 && mv_buf_putc(out, '&', err) == -1) ||
		    mv_s3_encode(p[i].name, strlen(p[i].name), false, out,
		    err) == -1 || mv_buf_putc(out, '=', err) == -1 ||
		    mv_s3_encode(v, strlen(v), false, out, err) == -1)
			return -1;
	}
	return 0;
}

/* Is s[0..n) "." or ".."? */
static bool
dot_element(const char *s, size_t n)
{
	return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' &&
	    s[1] == '.');
}

int
mv_s3_key_check(const struct mv_s3 *s3, const char *key, struct mv_err *err)
{
	char shown[128];
	const char *p, *e;
	size_t n = strlen(key);

	if (n == 0)
		return mv_fail(err, MV_EINVAL, "empty object key");
	if (n > MV_S3_KEY_MAX_BYTES - strlen(s3->prefix))
		return mv_fail(err, MV_ELIMIT, "object key \"%s...\" longer "
		    "than %d bytes with its prefix", mv_s3_shown(key, shown,
		    sizeof(shown)), MV_S3_KEY_MAX_BYTES);
	mv_s3_shown(key, shown, sizeof(shown));
	for (p = key; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return mv_fail(err, MV_EINVAL, "object key \"%s\" "
			    "holds a control byte", shown);
	for (p = key;; p = e + 1) {
		e = p + strcspn(p, "/");
		if (dot_element(p, (size_t)(e - p)))
			return mv_fail(err, MV_EINVAL, "object key \"%s\" "
			    "has a \".\" or \"..\" element", shown);
		if (*e == '\0')
			return 0;
	}
}

int
mv_s3_path(const struct mv_s3 *s3, const char *key, struct mv_buf *out,
    struct mv_err *err)
{
	if (mv_buf_putc(out, '/', err) == -1 ||
	    mv_s3_encode(s3->bucket, strlen(s3->bucket), false, out, err) == -1)
		return -1;
	if (key == NULL)
		return 0;
	if (mv_s3_key_check(s3, key, err) == -1 ||
	    mv_buf_putc(out, '/', err) == -1 ||
	    mv_s3_encode(s3->prefix, strlen(s3->prefix), true, out,
	    err) == -1 || mv_s3_encode(key, strlen(key), true, out, err) == -1)
		return -1;
	return 0;
}

const char *
mv_s3_shown(const char *key, char *out, size_t outsz)
{
	return mv_printable(key, out, outsz);
}
