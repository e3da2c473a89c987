/* policy.c: what may happen to a module, and how (see policy.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "modvault/policy/policy.h"
#include "modvault/proto/pattern.h"

/* "deny = PATTERNS" (modvault.conf:7): the file's name only, no path. */
static void
describe_rule(const struct mv_config *cfg, const struct mv_policy_rule *r,
    char *out, size_t outsz)
{
	const char *base = strrchr(cfg->path, '/');

	base = base != NULL ? base + 1 : cfg->path[0] != '\0' ? cfg->path :
	    "-";
	if (r->kind == MV_RULE_MODE)
		snprintf(out, outsz, "\"download_mode = %.200s %s\" (%.64s:%zu)",
		    mv_rule_patterns(cfg, r), mv_download_mode_name(r->mode),
		    base, r->line);
	else
		snprintf(out, outsz, "\"%s = %.200s\" (%.64s:%zu)",
		    mv_rule_kind_name(r->kind), mv_rule_patterns(cfg, r), base,
		    r->line);
}

static bool
has_meta(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return true;
	return false;
}

/*
 * Can pattern p[0..n) match no element prefix of module?  path.Match
 * matches '/' only literally, so pattern and module line up element by
 * element: a literal element that differs, or "*" then a suffix the
 * module's element lacks, rules it out without the matcher.  A thousand
 * lines then cost little more than a thousand string comparisons.
 */
static bool
cannot_match(const char *p, size_t n, const char *m)
{
	size_t pe, me;

	if (n > 0 && p[n - 1] == '/')
		n--;		/* PT-2.1: one trailing '/' is dropped */
	for (;;) {
		for (pe = 0; pe < n && p[pe] != '/'; pe++)
			;
		me = strcspn(m, "/");
		if (!has_meta(p, pe)) {
			if (pe != me || memcmp(p, m, pe) != 0)
				return true;
		} else if (p[0] == '*' && !has_meta(p + 1, pe - 1)) {
			if (me < pe - 1 || memcmp(m + me - (pe - 1), p + 1,
			    pe - 1) != 0)
				return true;
		} else
			return false;
		if (pe == n)
			return false;
		if (m[me] == '\0')
			return true;
		p += pe + 1;
		n -= pe + 1;
		m += me + 1;
	}
}

/* mv_patterns_match, asked only of the patterns cannot_match leaves. */
static bool
rule_matches(const char *list, const char *module)
{
	char one[MV_CONFIG_LINE_MAX_BYTES + 1];
	const char *p, *comma;
	size_t n;

	for (p = list;; p = comma + 1) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n > 0 && n < sizeof(one) && !cannot_match(p, n, module)) {
			memcpy(one, p, n);
			one[n] = '\0';
			if (mv_patterns_match(one, module))
				return true;
		}
		if (comma == NULL)
			return false;
	}
}

/*
 * The deny, allow and download_mode lines, first match wins: the first
 * deny or allow line naming module decides whether it may be had at all
 * (none: allowed, unless an allow line exists), the first download_mode
 * line naming it how.  Indexes + 1 into cfg->rules; 0: no line.
 */
static void
walk_rules(const struct mv_config *cfg, const char *module,
    uint16_t *access, uint16_t *mode)
{
	const struct mv_policy_rule *r;
	size_t i;

	*access = *mode = 0;
	for (i = 0; i < cfg->nrules && (*access == 0 || *mode == 0); i++) {
		r = &cfg->rules[i];
		if ((r->kind == MV_RULE_MODE ? *mode : *access) != 0 ||
		    !rule_matches(mv_rule_patterns(cfg, r), module))
			continue;
		if (r->kind == MV_RULE_MODE)
			*mode = (uint16_t)(i + 1);
		else
			*access = (uint16_t)(i + 1);
	}
}

_Static_assert(MV_POLICY_RULES_MAX < UINT16_MAX, "rule index fits memo");

/* FNV-1a: which memo slot module lives in. */
static size_t
memo_slot(const char *module)
{
	uint32_t h = 2166136261u;

	for (; *module != '\0'; module++)
		h = (h ^ (unsigned char)*module) * 16777619u;
	return h % MV_POLICY_MEMO_SLOTS;
}

/* walk_rules, remembered per module (policy.h: struct mv_policy_memo). */
static void
find_rules(const struct mv_policy *p, const char *module, uint16_t *access,
    uint16_t *mode)
{
	/* The memo is a cache: no policy object is ever defined const. */
	struct mv_policy_memo *m =
	    (struct mv_policy_memo *)&p->memo[memo_slot(module)];
	size_t n = strlen(module);

	if (n == 0 || n >= sizeof(m->module)) {
		walk_rules(p->cfg, module, access, mode);
		return;
	}
	if (strcmp(m->module, module) != 0) {
		walk_rules(p->cfg, module, &m->access, &m->mode);
		memcpy(m->module, module, n + 1);
	}
	*access = m->access;
	*mode = m->mode;
}

static void
apply_rules(const struct mv_policy *p, const char *module,
    struct mv_policy_decision *d)
{
	const struct mv_config *cfg = p->cfg;
	const struct mv_policy_rule *access, *mode;
	uint16_t ai, mi;

	find_rules(p, module, &ai, &mi);
	access = ai != 0 ? &cfg->rules[ai - 1] : NULL;
	mode = mi != 0 ? &cfg->rules[mi - 1] : NULL;
	if (mode != NULL) {
		d->mode = mode->mode;
		describe_rule(cfg, mode, d->mode_rule, sizeof(d->mode_rule));
	}
	if (access != NULL)
		describe_rule(cfg, access, d->rule, sizeof(d->rule));
	if (access != NULL && access->kind == MV_RULE_DENY) {
		d->allow = false;
		snprintf(d->reason, sizeof(d->reason), "forbidden: %.150s is "
		    "denied by %.320s", module, d->rule);
	} else if (access == NULL && cfg->nallow > 0) {
		d->allow = false;
		snprintf(d->reason, sizeof(d->reason), "forbidden: %.200s is "
		    "denied: no allow line names it", module);
	}
}

/* One rule's patterns, each of which path.Match must accept (PT-4.2). */
static int
check_rule(const struct mv_config *cfg, const struct mv_policy_rule *r,
    struct mv_err *err)
{
	const char *p = mv_rule_patterns(cfg, r), *comma;
	size_t n;

	for (;; p = comma + 1) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (mv_glob_match(p, n, "", 0) == MV_GLOB_BADPATTERN)
			return mv_fail(err, MV_ECONFIG, "%s:%zu: %s: malformed "
			    "pattern \"%.*s\"", cfg->path[0] != '\0' ?
			    cfg->path : "-", r->line, mv_rule_kind_name(r->kind),
			    (int)(n > 200 ? 200 : n), p);
		if (comma == NULL)
			return 0;
	}
}

int
mv_policy_check_config(const struct mv_config *cfg, struct mv_err *err)
{
	size_t i;

	for (i = 0; i < cfg->nrules; i++)
		if (check_rule(cfg, &cfg->rules[i], err) == -1)
			return -1;
	return 0;
}

void
mv_policy_init(struct mv_policy *p, const struct mv_config *cfg)
{
	p->cfg = cfg;
	memset(p->memo, 0, sizeof(p->memo));
}

int
mv_policy_decide(const struct mv_policy *p, enum mv_policy_action action,
    const char *module, const char *version, struct mv_policy_decision *d,
    struct mv_err *err)
{
	const struct mv_config *cfg = p->cfg;

	(void)version;
	if ((unsigned)action >= MV_POLICY__MAX)
		return mv_fail(err, MV_EINVAL, "unknown policy action %d",
		    (int)action);
	memset(d, 0, sizeof(*d));
	d->allow = true;
	d->mode = MV_DL_SYNC;
	apply_rules(p, module, d);
	if (!d->allow)
		return 0;
	/* GONOSUMDB and GONOPROXY default to GOPRIVATE (PT-3). */
	d->lookup_sumdb = !mv_patterns_match(cfg->nosumdb[0] != '\0' ?
	    cfg->nosumdb : cfg->private, module);
	d->direct_only = mv_patterns_match(cfg->noproxy[0] != '\0' ?
	    cfg->noproxy : cfg->private, module);
	d->insecure = mv_patterns_match(cfg->insecure, module);
	/*
	 * Only a fetch must be verified before it is stored: an import
	 * checks a bundle's own proofs, or asks the database only when it
	 * answers (import.c, with lookup_sumdb), since imports feed
	 * air-gapped stores.
	 */
	d->verify_sumdb = action == MV_POLICY_FETCH && d->lookup_sumdb &&
	    cfg->nsumdb > 0 && cfg->sumdb_verify != MV_SUMDB_VERIFY_OFF;
	/* GP-10.3: a private module's name must not leak to a database. */
	if (action == MV_POLICY_LOOKUP && !d->lookup_sumdb) {
		d->allow = false;
		snprintf(d->reason, sizeof(d->reason), "forbidden: %.200s is "
		    "private (nosumdb): its checksums are not looked up "
		    "(GP-10.3)", module);
	}
	return 0;
}

int
mv_policy_check(const struct mv_policy *p, enum mv_policy_action action,
    const char *module, const char *version, struct mv_policy_decision *d,
    struct mv_err *err)
{
	if (mv_policy_decide(p, action, module, version, d, err) == -1)
		return -1;
	if (!d->allow)
		return mv_fail(err, MV_EFORBIDDEN, "%s", d->reason);
	return 0;
}
