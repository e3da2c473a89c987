/* policy.c: what may happen to a module, and how (see policy.h). */
#include <stdio.h>
#include <string.h>

#include "modvault/policy/policy.h"
#include "modvault/proto/pattern.h"

void
mv_policy_init(struct mv_policy *p, const struct mv_config *cfg)
{
	p->cfg = cfg;
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
	/* GONOSUMDB and GONOPROXY default to GOPRIVATE (PT-3). */
	d->lookup_sumdb = !mv_patterns_match(cfg->nosumdb[0] != '\0' ?
	    cfg->nosumdb : cfg->private, module);
	d->direct_only = mv_patterns_match(cfg->noproxy[0] != '\0' ?
	    cfg->noproxy : cfg->private, module);
	d->insecure = mv_patterns_match(cfg->insecure, module);
	/* An import is for air-gapped stores: it asks no database. */
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
