/*
 * outcome.h: how a request was answered (private to src/lib/serve/):
 * serve.c fills a response's outcome fields with it once the answer is
 * final.
 */
#ifndef MODVAULT_OUTCOME_H
#define MODVAULT_OUTCOME_H

#include "modvault/net/tally.h"
#include "modvault/serve/serve.h"

/*
 * Sets res->how and res->rule from the final status, the failure that
 * made it (err, MV_OK for none), whether the path was a route at all and
 * what upstreams did in this request.
 */
void	 mv_outcome_set(struct mv_response *res, const struct mv_err *err,
	    bool routed, const struct mv_tally *t);

/*
 * The first rule id in msg ("MZ-3.1", "GP-6.5": a spec's prefix, a dash,
 * numbers and dots) into out; false when there is none.  GP-6.6, which
 * fill.c puts before an upstream's failure, is not a rule broken.
 */
bool	 mv_outcome_rule_id(const char *msg, char *out, size_t outsz);

#endif
