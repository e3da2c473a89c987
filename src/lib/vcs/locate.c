/*
 * locate.c: the go command's static table of code hosts and its
 * VCS-qualified paths (VC-2.1 to VC-2.3).  The table's patterns are
 * written out as element checks rather than regular expressions: each is
 * "so many elements of these characters", which reads plainer in C.
 */
#include <stdio.h>
#include <string.h>

#include "modvault/vcs/locate.h"

static const char *const vcs_suffixes[] = { ".bzr", ".fossil", ".git",
    ".hg", ".svn", NULL };

/* C = [A-Za-z0-9_.-] (VC-2.1). */
static bool
is_c(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static bool
is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Does [s, s+n) consist of one or more characters accepted by ok? */
static bool
all(const char *s, size_t n, bool (*ok)(char))
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!ok(s[i]))
			return false;
	return true;
}

/* The VCS suffix an element ends with, or NULL. */
static const char *
vcs_suffix(const char *e, size_t n)
{
	size_t i, l;

	for (i = 0; vcs_suffixes[i] != NULL; i++) {
		l = strlen(vcs_suffixes[i]);
		if (n >= l && memcmp(e + n - l, vcs_suffixes[i], l) == 0)
			return vcs_suffixes[i];
	}
	return NULL;
}

/* Splits path into at most max elements; returns their count. */
static size_t
split(const char *path, const char **el, size_t *len, size_t max)
{
	size_t n = 0;
	const char *p = path, *s;

	while (n < max) {
		s = strchr(p, '/');
		el[n] = p;
		len[n] = s ? (size_t)(s - p) : strlen(p);
		n++;
		if (s == NULL)
			break;
		p = s + 1;
	}
	return n;
}

#define MAX_ELEMS	256

struct host_entry {
	const char	*prefix;	/* the host (and path) it applies to */
	size_t		 nroot;		/* elements in the root */
	bool		 suffix_check;	/* "a": no VCS suffix on the repo */
	const char	*vcs;
};

static const struct host_entry hosts[] = {
	{ "github.com", 3, true, "git" },
	{ "bitbucket.org", 3, true, "git" },
	{ "hub.jazz.net/git", 4, true, "git" },
	{ "git.apache.org", 2, false, "git" },
	{ "git.openstack.org", 3, false, "git" },
	{ "chiselapp.com", 0, false, "fossil" },
};

static bool
applies(const char *module, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(module, prefix, n) == 0 && (module[n] == '\0' ||
	    module[n] == '/');
}

/* Does the path fit the entry's pattern (VC-2.1's table)? */
static bool
entry_matches(const struct host_entry *h, const char **el, const size_t *len,
    size_t n)
{
	size_t i, first = h->nroot == 4 ? 2 : 1;

	if (strcmp(h->prefix, "chiselapp.com") == 0)
		return n == 5 && len[1] == 4 && memcmp(el[1], "user", 4) == 0 &&
		    all(el[2], len[2], is_c) && len[3] == 10 &&
		    memcmp(el[3], "repository", 10) == 0 &&
		    all(el[4], len[4], is_c);
	if (strcmp(h->prefix, "git.apache.org") == 0) {
		for (i = 0; n >= 2 && i < len[1]; i++)
			if (!is_lower_alnum(el[1][i]) && !strchr("_.-", el[1][i]))
				return false;
		if (n < 2 || len[1] <= 4 || memcmp(el[1] + len[1] - 4, ".git",
		    4) != 0)
			return false;
	} else if (n < h->nroot)
		return false;
	if (h->nroot == 4 && !all(el[2], len[2], is_lower_alnum))
		return false;
	for (i = first; i < n; i++)
		if (!(h->nroot == 4 && i == 2) && !all(el[i], len[i], is_c))
			return false;
	return true;
}

static int
from_entry(const struct host_entry *h, const char *module, const char **el,
    const size_t *len, size_t n, struct mv_vcsloc *loc, struct mv_err *err)
{
	size_t rootlen;

	if (!entry_matches(h, el, len, n))
		return mv_fail(err, MV_ENOTFOUND, "invalid %s import path \"%s\"",
		    h->prefix, module);
	if (h->nroot == 0) {
		snprintf(loc->root, sizeof(loc->root), "%s", module);
		snprintf(loc->vcs, sizeof(loc->vcs), "%s", h->vcs);
		return 0;
	}
	if (h->suffix_check && vcs_suffix(el[h->nroot - 1],
	    len[h->nroot - 1]) != NULL)
		return mv_fail(err, MV_ENOTFOUND, "invalid version control "
		    "suffix in %s/ path", h->prefix);
	rootlen = (size_t)(el[h->nroot - 1] - module) + len[h->nroot - 1];
	snprintf(loc->root, sizeof(loc->root), "%.*s", (int)rootlen, module);
	snprintf(loc->vcs, sizeof(loc->vcs), "%s", h->vcs);
	if ((size_t)snprintf(loc->url, sizeof(loc->url), "https://%s",
	    loc->root) >= sizeof(loc->url))
		return mv_fail(err, MV_ELIMIT, "repository URL too long");
	return 0;
}

static bool
host_char(char c)
{
	return is_lower_alnum(c) || c == '.' || c == '-';
}

/* ([a-z0-9.-]+\.)+[a-z0-9.-]+ */
static bool
is_host(const char *s, size_t n)
{
	return all(s, n, host_char) && memchr(s + 1, '.', n > 1 ? n - 1 : 0)
	    != NULL;
}

/* ~?C+ */
static bool
is_qualified_elem(const char *s, size_t n)
{
	if (n > 0 && s[0] == '~')
		s++, n--;
	return all(s, n, is_c);
}

/* VC-2.3: host/.../name.git[/...]; root ends at the last such element. */
static bool
qualified(const char *module, const char **el, const size_t *len, size_t n,
    struct mv_vcsloc *loc)
{
	const char *suf = NULL;
	size_t i, last = 0, rootlen;

	if (n < 2 || !is_host(el[0], len[0]))
		return false;
	for (i = 1; i < n; i++) {
		const char *s;

		if (!is_qualified_elem(el[i], len[i]))
			return false;
		if ((s = vcs_suffix(el[i], len[i])) != NULL &&
		    len[i] > strlen(s)) {
			suf = s;
			last = i;
		}
	}
	if (suf == NULL)
		return false;
	rootlen = (size_t)(el[last] - module) + len[last];
	snprintf(loc->root, sizeof(loc->root), "%.*s", (int)rootlen, module);
	snprintf(loc->vcs, sizeof(loc->vcs), "%s", suf + 1);
	snprintf(loc->address, sizeof(loc->address), "%.*s",
	    (int)(rootlen - strlen(suf)), module);
	loc->probe = (size_t)snprintf(loc->url, sizeof(loc->url), "https://%s",
	    loc->address) < sizeof(loc->url);
	return loc->probe;
}

int
mv_vcs_locate_static(const char *module, struct mv_vcsloc *loc,
    bool *matched, struct mv_err *err)
{
	const char *el[MAX_ELEMS];
	size_t len[MAX_ELEMS], n, i;

	memset(loc, 0, sizeof(*loc));
	*matched = false;
	if (strncmp(module, "http:", 5) == 0 || strncmp(module, "https:", 6) == 0)
		return mv_fail(err, MV_ENOTFOUND, "invalid import path \"%s\": "
		    "a module path has no scheme", module);
	n = split(module, el, len, MAX_ELEMS);
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (!applies(module, hosts[i].prefix))
			continue;
		*matched = true;
		return from_entry(&hosts[i], module, el, len, n, loc, err);
	}
	*matched = qualified(module, el, len, n, loc);
	return 0;
}
