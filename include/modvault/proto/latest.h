/*
 * latest.h: the version @latest names when it is computed from the
 * versions a proxy holds (versions.md V-6.2, with the +incompatible rule
 * V-5.4).  Pure: the one fact it needs from storage — whether a version's
 * .mod is a real go.mod or the synthesized "module <path>\n" — comes
 * through a callback.
 */
#ifndef MODVAULT_LATEST_H
#define MODVAULT_LATEST_H

#include <stdbool.h>
#include <stddef.h>

#include "modvault/base/err.h"

/* Sets *real: does versions[i] have a go.mod of its own (V-5.4)? */
typedef int (*mv_real_gomod_fn)(void *ctx, size_t i, bool *real,
	    struct mv_err *err);

/*
 * V-6.2 over n canonical versions (any order): the highest release, else
 * the highest prerelease — dropping +incompatible ones when the highest
 * compatible version has a real go.mod (V-5.4) — else the pseudo-version
 * with the latest embedded time.  *pick is an index into versions.
 * MV_ENOTFOUND when nothing qualifies; the callback's error otherwise.
 */
/*
 * V-5.4: is mod (len bytes, a version's .mod) a go.mod of its own, not
 * the "module <path>\n" synthesized for a version without one?
 */
bool	 mv_latest_gomod_is_real(const char *module, const void *mod,
	    size_t len);

int	 mv_latest_pick(const char *const *versions, size_t n,
	    mv_real_gomod_fn real_gomod, void *ctx, size_t *pick,
	    struct mv_err *err);

#endif
