/*
 * claim.h: one download per module version across processes.
 *
 * Concurrent misses of one version (in any number of FastCGI or CGI
 * processes on this node) must cause one upstream transfer.  The first
 * takes the claim and fetches; the others wait for the claim to be
 * released, then look in the store again.  A claim is an exclusive
 * flock(2) on a lock file in the staging area named by the SHA-256 of
 * "module@version": the kernel wakes a waiter the moment the holder lets
 * go, and drops the lock when the holder dies, so a killed download's
 * claim is taken over at once (no polling, no pid checks).
 *
 * The holder removes the lock file before unlocking it; a waiter that
 * wakes on a file that is no longer the one under that name takes the
 * claim again on the new one, so two holders can never overlap.  A holder
 * whose fetch failed writes the failure into the file first: the
 * processes that waited for that fetch get its answer at once instead of
 * each trying again in turn.
 */
#ifndef MODVAULT_CLAIM_H
#define MODVAULT_CLAIM_H

#include <stdbool.h>

#include "modvault/base/err.h"
#include "modvault/store/stage.h"

struct mv_claim;

/*
 * Takes the claim on module@version (version "" names the module's
 * list), waiting at most timeout seconds for another holder (MV_ETIMEOUT
 * naming the version after that).  *waited (may be NULL) says whether
 * another process held it first: the caller then looks in the store
 * before fetching.  When the holder it waited for failed, the result is
 * that failure (its code and message) and no claim.
 */
int	 mv_claim_take(struct mv_stage *sg, const char *module,
	    const char *version, long timeout, struct mv_claim **c,
	    bool *waited, struct mv_err *err);
/* Lets go (NULL is fine); a waiter wakes. */
void	 mv_claim_release(struct mv_claim *c);
/* Lets go after a failed fetch, handing why to the waiters. */
void	 mv_claim_release_failed(struct mv_claim *c, const struct mv_err *why);

#endif
