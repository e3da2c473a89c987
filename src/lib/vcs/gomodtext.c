/*
 * gomodtext.c: what fetching from git reads out of go.mod text with the
 * go command's leniency: the declared module path (modfile.ModulePath,
 * VC-5.3) and the retractions (VC-7.6, read leniently: V-7.2).  Pure:
 * no I/O (also linked into the fuzz targets).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "modvault/proto/semver.h"
#include "modvault/vcs/vcsmod.h"
#include "vcs_priv.h"

/* Go's strconv.Unquote, for the two quotes a module line may use. */
static bool
unquote(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;

	if (n < 2 || s[n - 1] != s[0])
		return false;
	for (i = 1; i + 1 < n; i++) {
		char c = s[i];

		if (s[0] == '"' && c == '\\') {
			if (i + 2 >= n)
				return false;
			c = s[++i];
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c != '\\' && c != '"' && c != '\'')
				return false;	/* rare escapes: treat as broken */
		} else if (s[0] == '"' && c == '"')
			return false;
		if (o + 1 >= outsz)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

bool
mv_vcs_gomod_line(const char **p, const char *end, const char **l,
    const char **le)
{
	const char *nl, *c;

	if (*p >= end)
		return false;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		nl = end;
	*le = nl;
	for (c = *p; c + 1 < nl; c++)
		if (c[0] == '/' && c[1] == '/') {
			*le = c;
			break;
		}
	for (*l = *p; *l < *le && isspace((unsigned char)**l); (*l)++)
		;
	while (*le > *l && isspace((unsigned char)(*le)[-1]))
		(*le)--;
	*p = nl < end ? nl + 1 : end;
	return true;
}

void
mv_vcs_declared_path(const char *gomod, size_t len, char *out, size_t outsz)
{
	const char *p = gomod, *end = gomod + len, *l, *le, *c;

	out[0] = '\0';
	while (mv_vcs_gomod_line(&p, end, &l, &le)) {
		if (le - l < 6 || memcmp(l, "module", 6) != 0)
			continue;
		c = l + 6;
		if (c == le || !isspace((unsigned char)*c))
			continue;
		while (c < le && isspace((unsigned char)*c))
			c++;
		if (c == le)
			continue;
		if (*c == '"' || *c == '`') {
			if (!unquote(c, (size_t)(le - c), out, outsz))
				out[0] = '\0';
			return;
		}
		if ((size_t)(le - c) < outsz)
			snprintf(out, outsz, "%.*s", (int)(le - c), c);
		return;
	}
}

/* Appends "low high\n" for each interval of a retract directive line. */
static void
retract_line(const char *s, size_t n, struct mv_buf *out)
{
	char a[MV_VERSION_MAX_BYTES + 1], b[MV_VERSION_MAX_BYTES + 1];
	size_t i = 0, j;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '[') {
		for (j = ++i; j < n && s[j] != ','; j++)
			;
		snprintf(a, sizeof(a), "%.*s", (int)(j - i), s + i);
		for (i = j + 1; i < n && isspace((unsigned char)s[i]); i++)
			;
		for (j = i; j < n && s[j] != ']' && !isspace((unsigned char)
		    s[j]); j++)
			;
		snprintf(b, sizeof(b), "%.*s", (int)(j - i), s + i);
	} else {
		for (j = i; j < n && !isspace((unsigned char)s[j]); j++)
			;
		snprintf(a, sizeof(a), "%.*s", (int)(j - i), s + i);
		snprintf(b, sizeof(b), "%s", a);
	}
	/* Lenient (V-7.2): quotes dropped, anything unparsable ignored. */
	if (a[0] == '"' && strlen(a) > 1)
		memmove(a, a + 1, strlen(a)), a[strlen(a) - 1] = '\0';
	if (b[0] == '"' && strlen(b) > 1)
		memmove(b, b + 1, strlen(b)), b[strlen(b) - 1] = '\0';
	if (mv_semver_is_valid(a) && mv_semver_is_valid(b))
		(void)mv_buf_printf(out, NULL, "%s %s\n", a, b);
}

void
mv_vcs_retractions(const char *s, size_t len, struct mv_buf *out)
{
	const char *end = s + len, *l, *le, *c;
	bool block = false;

	while (mv_vcs_gomod_line(&s, end, &l, &le)) {
		if (block) {
			if (le - l == 1 && *l == ')')
				block = false;
			else if (le > l)
				retract_line(l, (size_t)(le - l), out);
			continue;
		}
		if (le - l < 8 || memcmp(l, "retract", 7) != 0 ||
		    !(isspace((unsigned char)l[7]) || l[7] == '('))
			continue;
		for (c = l + 7; c < le && isspace((unsigned char)*c); c++)
			;
		if (c < le && *c == '(')
			block = true;
		else
			retract_line(c, (size_t)(le - c), out);
	}
}

