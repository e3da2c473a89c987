/*
 * config_vcs.c: the keys for fetching from version control that need more
 * than a string copy: vcs_rewrite (repeatable) and git.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_priv.h"

/* An absolute URL prefix: scheme://host..., printable, no blanks. */
static int
check_url_prefix(const char *s, size_t n, const char *what,
    struct mv_err *err)
{
	size_t i;
	const char *sep;

	if (n == 0)
		return mv_fail(err, MV_ECONFIG, "empty %s", what);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return mv_fail(err, MV_ECONFIG, "%s \"%.*s\" has white "
			    "space or non-ascii", what, (int)n, s);
	sep = strstr(s, "://");
	if (sep == NULL || sep == s || (size_t)(sep - s) + 3 >= n)
		return mv_fail(err, MV_ECONFIG, "%s \"%.*s\" is not a URL "
		    "(scheme://host/...)", what, (int)n, s);
	return 0;
}

/*
 * "FROM TO": a repository or go-get URL starting with FROM is fetched
 * from TO + the rest instead (git's url.<TO>.insteadOf = FROM).  TO may
 * be any scheme git allows here (https, ssh, http): it is the operator's
 * own mirror, so `insecure` is not asked about it.
 */
int
mv_config_set_vcs_rewrite(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	struct mv_vcs_rewrite *r;
	size_t fl, ts;
	const char *to;

	(void)k;
	if (cfg->nvcs_rewrite == MV_VCS_REWRITE_MAX)
		return mv_fail(err, MV_ECONFIG, "more than %d lines",
		    MV_VCS_REWRITE_MAX);
	r = &cfg->vcs_rewrite[cfg->nvcs_rewrite];
	fl = strcspn(v, " \t");
	for (to = v + fl; *to == ' ' || *to == '\t'; to++)
		;
	ts = strcspn(to, " \t");
	if (fl == 0 || *to == '\0' || to[ts] != '\0')
		return mv_fail(err, MV_ECONFIG, "must be two URL prefixes: FROM "
		    "TO");
	if (check_url_prefix(v, fl, "FROM", err) == -1 ||
	    check_url_prefix(to, ts, "TO", err) == -1)
		return -1;
	if (fl >= sizeof(r->from) || ts >= sizeof(r->to))
		return mv_fail(err, MV_ECONFIG, "URL prefix too long");
	snprintf(r->from, sizeof(r->from), "%.*s", (int)fl, v);
	snprintf(r->to, sizeof(r->to), "%s", to);
	cfg->nvcs_rewrite++;
	return 0;
}

/* An absolute path to an executable file. */
int
mv_config_set_git(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	struct stat sb;

	if (v[0] != '/')
		return mv_fail(err, MV_ECONFIG, "must be an absolute path");
	if (stat(v, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    access(v, X_OK) == -1)
		return mv_fail(err, MV_ECONFIG, "%s is not an executable file",
		    v);
	return mv_config_set_string(cfg, k, v, err);
}
