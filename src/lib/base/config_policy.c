/*
 * config_policy.c: the policy lines, deny, allow and download_mode, each
 * repeatable and kept in file order, since policy.c applies them first
 * match wins.  Their patterns go into one bounded text pool in the config.
 */
#include <stdio.h>
#include <string.h>

#include "config_priv.h"

static const char *const mode_names[] = {
	[MV_DL_SYNC] = "sync",
	[MV_DL_ASYNC] = "async",
	[MV_DL_REDIRECT] = "redirect",
	[MV_DL_ASYNC_REDIRECT] = "async_redirect",
	[MV_DL_NONE] = "none",
};

static const char *const kind_names[] = {
	[MV_RULE_DENY] = "deny",
	[MV_RULE_ALLOW] = "allow",
	[MV_RULE_MODE] = "download_mode",
};

const char *
mv_download_mode_name(enum mv_download_mode m)
{
	return (unsigned)m < NELEM(mode_names) ? mode_names[m] : "unknown";
}

const char *
mv_rule_kind_name(enum mv_rule_kind k)
{
	return (unsigned)k < NELEM(kind_names) ? kind_names[k] : "unknown";
}

const char *
mv_rule_patterns(const struct mv_config *cfg, const struct mv_policy_rule *r)
{
	return cfg->rule_text + r->off;
}

/*
 * A GOPRIVATE-style list: comma-separated globs, none empty, no white
 * space.  Whether path.Match accepts each is the policy layer's check
 * (mv_policy_check_config): the matcher lives above this layer.
 */
static int
check_patterns(const char *s, size_t n, struct mv_err *err)
{
	size_t i, start = 0;

	if (n == 0)
		return mv_fail(err, MV_ECONFIG, "must be a comma-separated list "
		    "of module path patterns");
	for (i = 0; i <= n; i++) {
		if (i < n && (unsigned char)s[i] <= ' ')
			return mv_fail(err, MV_ECONFIG, "white space in the "
			    "pattern list");
		if (i < n && s[i] != ',')
			continue;
		if (i == start)
			return mv_fail(err, MV_ECONFIG, "empty pattern in "
			    "\"%.*s\"", (int)n, s);
		start = i + 1;
	}
	return 0;
}

/* The value's last word, for download_mode = PATTERNS MODE. */
static int
split_mode(const char *v, size_t *plen, enum mv_download_mode *mode,
    struct mv_err *err)
{
	const char *sp = strrchr(v, ' '), *tab = strrchr(v, '\t'), *m;
	size_t i;

	if (tab != NULL && (sp == NULL || tab > sp))
		sp = tab;
	if (sp == NULL)
		return mv_fail(err, MV_ECONFIG, "must be PATTERNS MODE (MODE: "
		    "sync, async, redirect, async_redirect or none)");
	m = sp + 1;
	for (i = 0; i < NELEM(mode_names); i++)
		if (strcmp(m, mode_names[i]) == 0)
			break;
	if (i == NELEM(mode_names))
		return mv_fail(err, MV_ECONFIG, "\"%.64s\": mode must be one of "
		    "sync, async, redirect, async_redirect, none", m);
	*mode = (enum mv_download_mode)i;
	while (sp > v && (sp[-1] == ' ' || sp[-1] == '\t'))
		sp--;
	*plen = (size_t)(sp - v);
	return 0;
}

/* deny, allow (k->max is the kind) and download_mode lines. */
int
mv_config_set_rule(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	struct mv_policy_rule *r;
	enum mv_download_mode mode = MV_DL_SYNC;
	size_t n = strlen(v);

	if (k->max == MV_RULE_MODE && split_mode(v, &n, &mode, err) == -1)
		return -1;
	if (check_patterns(v, n, err) == -1)
		return -1;
	if (cfg->nrules == MV_POLICY_RULES_MAX)
		return mv_fail(err, MV_ECONFIG, "more than %d deny, allow and "
		    "download_mode lines", MV_POLICY_RULES_MAX);
	if (n + 1 > sizeof(cfg->rule_text) - cfg->rule_text_len)
		return mv_fail(err, MV_ECONFIG, "the patterns of all deny, "
		    "allow and download_mode lines exceed %u bytes",
		    MV_POLICY_TEXT_MAX_BYTES);
	r = &cfg->rules[cfg->nrules++];
	r->kind = (enum mv_rule_kind)k->max;
	r->mode = mode;
	r->line = 0;
	r->off = cfg->rule_text_len;
	memcpy(cfg->rule_text + r->off, v, n);
	cfg->rule_text[r->off + n] = '\0';
	cfg->rule_text_len += n + 1;
	if (r->kind == MV_RULE_ALLOW)
		cfg->nallow++;
	return 0;
}
