/*
 * gomod.c: requirements of go.mod and go.sum text (see gomod.h).
 * Pure: no I/O.  Fuzzed by tests/fuzz/fuzz_gomod.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "modvault/proto/gomod.h"
#include "modvault/proto/modpath.h"

struct line {
	char	 buf[MV_GOMOD_LINE_MAX_BYTES + 1];
	char	*f[MV_GOMOD_MAX_FIELDS];
	int	 n;
};

/*
 * Reads the next non-empty line of *text into l: white-space separated
 * fields, after removing a "//" comment; a quoted field ("x") loses its
 * quotes.  Advances *text, *len and *lineno.  Returns 1 for a line, 0 at
 * the end, -1 (with err) for a line whose text before any comment is over
 * MV_GOMOD_LINE_MAX_BYTES (a comment may be as long as it likes).
 */
/* Bytes of the line s[0..n) before a "//" comment. */
static size_t
code_len(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '/' && s[i + 1] == '/')
			return i;
	return n;
}

static int
read_line(const char **text, size_t *len, struct line *l, int *lineno,
    struct mv_err *err)
{
	const char *nl;
	size_t n, code;
	char *p;
	int i;

	do {
		if (*len == 0)
			return 0;
		nl = memchr(*text, '\n', *len);
		n = nl ? (size_t)(nl - *text) : *len;
		++*lineno;
		code = code_len(*text, n);
		if (code > MV_GOMOD_LINE_MAX_BYTES)
			return mv_fail(err, MV_ELIMIT, "line %d longer than %d "
			    "bytes", *lineno, MV_GOMOD_LINE_MAX_BYTES);
		memcpy(l->buf, *text, code);
		l->buf[code] = '\0';
		*text += nl ? n + 1 : n;
		*len -= nl ? n + 1 : n;
		for (l->n = 0, p = l->buf; l->n < MV_GOMOD_MAX_FIELDS;) {
			p += strspn(p, " \t\r");
			if (*p == '\0')
				break;
			l->f[l->n++] = p;
			p += strcspn(p, " \t\r");
			if (*p != '\0')
				*p++ = '\0';
		}
	} while (l->n == 0);
	for (i = 0; i < l->n; i++) {
		size_t k = strlen(l->f[i]);

		if (k >= 2 && l->f[i][0] == '"' && l->f[i][k - 1] == '"') {
			l->f[i][k - 1] = '\0';
			l->f[i]++;
		}
	}
	return 1;
}

static int
emit(const char *module, const char *version, int lineno, mv_require_fn fn,
    void *ctx, struct mv_err *err)
{
	if (mv_modpath_check(module, NULL) == -1)
		return mv_fail(err, MV_EINVAL, "line %d: invalid module path "
		    "\"%.200s\"", lineno, module);
	return fn(ctx, module, version);
}

int
mv_gomod_requires(const char *text, size_t len, mv_require_fn fn, void *ctx,
    struct mv_err *err)
{
	struct line l;
	bool block = false;
	int lineno = 0, more, rc;

	while ((more = read_line(&text, &len, &l, &lineno, err)) > 0) {
		if (block) {
			if (l.n == 1 && strcmp(l.f[0], ")") == 0) {
				block = false;
				continue;
			}
			if (l.n != 2)
				return mv_fail(err, MV_EINVAL, "line %d: a "
				    "requirement needs a path and a version",
				    lineno);
			if ((rc = emit(l.f[0], l.f[1], lineno, fn, ctx, err)))
				return rc;
			continue;
		}
		if (strcmp(l.f[0], "require") != 0)
			continue;
		if (l.n == 2 && strcmp(l.f[1], "(") == 0) {
			block = true;
			continue;
		}
		if (l.n != 3)
			return mv_fail(err, MV_EINVAL, "line %d: malformed "
			    "require", lineno);
		if ((rc = emit(l.f[1], l.f[2], lineno, fn, ctx, err)))
			return rc;
	}
	if (more == -1)
		return -1;
	if (block)
		return mv_fail(err, MV_EINVAL, "unterminated require block");
	return 0;
}

bool
mv_gosum_is(const char *text, size_t len)
{
	struct line l;
	int lineno = 0, more, lines = 0;
	const char *colon;

	while ((more = read_line(&text, &len, &l, &lineno, NULL)) > 0) {
		/* H-5.2: "h<N>:" then the hash. */
		colon = l.n == 3 ? strchr(l.f[2], ':') : NULL;
		if (colon == NULL || l.f[2][0] != 'h' || colon == l.f[2] + 1 ||
		    strspn(l.f[2] + 1, "0123456789") != (size_t)(colon -
		    l.f[2] - 1) || colon[1] == '\0')
			return false;
		lines++;
	}
	return more == 0 && lines > 0;
}

int
mv_gosum_versions(const char *text, size_t len, mv_require_fn fn, void *ctx,
    struct mv_err *err)
{
	struct line l;
	size_t k;
	int lineno = 0, more, rc;

	while ((more = read_line(&text, &len, &l, &lineno, err)) > 0) {
		/* H-5.2: exactly three fields. */
		if (l.n != 3)
			return mv_fail(err, MV_EINVAL, "line %d: a go.sum line "
			    "has 3 fields", lineno);
		k = strlen(l.f[1]);
		if (k > 7 && strcmp(l.f[1] + k - 7, "/go.mod") == 0)
			l.f[1][k - 7] = '\0';
		if ((rc = emit(l.f[0], l.f[1], lineno, fn, ctx, err)))
			return rc;
	}
	return more;
}

int
mv_gomod_module(const char *text, size_t len, char *out, size_t outsz,
    struct mv_err *err)
{
	struct line l;
	int lineno = 0, more;

	while ((more = read_line(&text, &len, &l, &lineno, err)) > 0) {
		if (strcmp(l.f[0], "module") != 0)
			continue;
		if (l.n != 2)
			return mv_fail(err, MV_EINVAL, "line %d: malformed "
			    "module directive", lineno);
		if ((size_t)snprintf(out, outsz, "%s", l.f[1]) >= outsz)
			return mv_fail(err, MV_ELIMIT, "line %d: module path "
			    "too long", lineno);
		return 0;
	}
	if (more == -1)
		return -1;
	return mv_fail(err, MV_EINVAL, "no module directive");
}
