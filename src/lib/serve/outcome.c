/*
 * outcome.c: how a request was answered (see outcome.h and serve.h).
 *
 * A success is "local" for modvault's own pages, "fetched" when an
 * upstream answered during the request, "stale" when upstreams were asked
 * and all failed (the store's copy answered: a list or @latest), else a
 * "hit".  A not-found is judged the same way (it came from upstream or
 * from the store's memory of upstream).  A failure is "refused" when a
 * rule of ours said no: the policy, an invalid request, or what an
 * upstream offered failing a validation rule named in the message;
 * anything else is an "error", an upstream's failure too (GP-6.6).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "outcome.h"

static const char *const how_names[MV_HOW__MAX] = {
	[MV_HOW_HIT] = "hit",
	[MV_HOW_FETCHED] = "fetched",
	[MV_HOW_STALE] = "stale",
	[MV_HOW_REFUSED] = "refused",
	[MV_HOW_ERROR] = "error",
	[MV_HOW_LOCAL] = "local",
	[MV_HOW_REDIRECTED] = "redirected",
};

const char *
mv_how_name(enum mv_how how)
{
	return how >= 0 && how < MV_HOW__MAX ? how_names[how] : "error";
}

/* The specs' rule prefixes (tests/../shared/spec): not "SHA-256". */
static bool
is_rule_prefix(const char *p, size_t n)
{
	static const char *const prefixes[] = { "GP", "H", "MZ", "PT", "SD",
	    "V", "VC" };
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strlen(prefixes[i]) == n && strncmp(p, prefixes[i], n) == 0)
			return true;
	return false;
}

bool
mv_outcome_rule_id(const char *msg, char *out, size_t outsz)
{
	const char *p, *q;
	size_t n;

	for (p = msg; *p != '\0'; p++) {
		if (!isupper((unsigned char)*p) || (p > msg &&
		    isalnum((unsigned char)p[-1])))
			continue;
		for (q = p; isupper((unsigned char)*q); q++)
			;
		if (*q != '-' || !isdigit((unsigned char)q[1]) ||
		    !is_rule_prefix(p, (size_t)(q - p)))
			continue;
		for (q++; isdigit((unsigned char)*q) || (*q == '.' &&
		    isdigit((unsigned char)q[1])); q++)
			;
		n = (size_t)(q - p);
		/* fill.c's mark of an upstream's failure, not a broken rule. */
		if (n == 6 && strncmp(p, "GP-6.6", 6) == 0)
			continue;
		if (n >= outsz)
			return false;
		memcpy(out, p, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/*
 * The rule a refusal names: its id, "policy", "invalid" for a path that
 * is no route, or the code's name.
 */
static void
refusal_rule(const struct mv_err *err, bool routed, char *out, size_t outsz)
{
	char *s;

	if (mv_outcome_rule_id(err->msg, out, outsz))
		return;
	snprintf(out, outsz, "%s", err->code == MV_EFORBIDDEN ? "policy" :
	    !routed ? "invalid" : mv_code_name(err->code));
	for (s = out; *s != '\0'; s++)
		if (*s == ' ')
			*s = '_';
}

static enum mv_how
how_of_failure(const struct mv_response *res, const struct mv_err *err,
    const struct mv_tally *t)
{
	char id[64];

	switch (err->code) {
	case MV_ENOTFOUND:
	case MV_EGONE:
		return t->answered > 0 ? MV_HOW_FETCHED : MV_HOW_HIT;
	case MV_EFORBIDDEN:
	case MV_EINVAL:
	case MV_ELIMIT:
		return MV_HOW_REFUSED;
	case MV_EUPSTREAM:
	case MV_ECORRUPT:
		/* Bytes an upstream offered that a rule rejected. */
		if (res->route_kind != MV_ROUTE_HEALTHZ &&
		    mv_outcome_rule_id(err->msg, id, sizeof(id)))
			return MV_HOW_REFUSED;
		return MV_HOW_ERROR;
	default:
		return res->status >= 500 ? MV_HOW_ERROR : MV_HOW_REFUSED;
	}
}

void
mv_outcome_set(struct mv_response *res, const struct mv_err *err,
    bool routed, const struct mv_tally *t)
{
	res->rule[0] = '\0';
	res->upstream_us = t->us;
	res->fetch_bytes = t->bytes;
	if (res->status == 405) {
		res->how = MV_HOW_REFUSED;
		snprintf(res->rule, sizeof(res->rule), "method");
		return;
	}
	if (err->code != MV_OK) {
		/*
		 * A path that names no module endpoint (an invalid module
		 * path or version, an unknown file) is a 404 of our rules,
		 * not a cache hit: it must not lift the hit ratio.
		 */
		res->how = routed ? how_of_failure(res, err, t) :
		    MV_HOW_REFUSED;
		if (res->how == MV_HOW_REFUSED)
			refusal_rule(err, routed, res->rule, sizeof(res->rule));
		return;
	}
	if (res->route_kind == MV_ROUTE_INDEX ||
	    res->route_kind == MV_ROUTE_HEALTHZ ||
	    res->route_kind == MV_ROUTE_METRICS)
		res->how = MV_HOW_LOCAL;
	else if (res->status == 302)
		res->how = MV_HOW_REDIRECTED;	/* not served from the store */
	else if (t->answered > 0)
		res->how = MV_HOW_FETCHED;
	else if (t->failed > 0)
		res->how = MV_HOW_STALE;
	else
		res->how = MV_HOW_HIT;
}
