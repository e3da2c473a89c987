/*
 * gomod.h: reading the requirements out of go.mod and go.sum text, for
 * `modvault fetch -r`.
 *
 * Only what pre-fetching needs: the module path and version of each
 * `require` (single-line or block form, quoted or not, comments removed)
 * and each go.sum line (H-5.2).  Malformed lines are reported, not
 * guessed at.
 */
#ifndef MODVAULT_GOMOD_H
#define MODVAULT_GOMOD_H

#include <stdbool.h>
#include <stddef.h>

#include "modvault/base/err.h"

/* Called per requirement; a non-zero return stops the walk. */
typedef int (*mv_require_fn)(void *ctx, const char *module,
	    const char *version);

/* Every `require` of a go.mod (GP-5.3 syntax, as the go command writes it). */
int	 mv_gomod_requires(const char *text, size_t len, mv_require_fn fn,
	    void *ctx, struct mv_err *err);

/*
 * Is text a go.sum rather than a go.mod?  True when it has at least one
 * line and every one is three fields whose last is a hash ("h1:...",
 * H-5.2); a go.mod never has such lines.  Decided by content, whatever
 * the file is called.
 */
bool	 mv_gosum_is(const char *text, size_t len);

/* Every module version of a go.sum (H-5.1/H-5.2); "/go.mod" suffixes are
 * dropped, so a version may be reported twice. */
int	 mv_gosum_versions(const char *text, size_t len, mv_require_fn fn,
	    void *ctx, struct mv_err *err);

/* The path of the module directive (quotes removed) into out. */
int	 mv_gomod_module(const char *text, size_t len, char *out,
	    size_t outsz, struct mv_err *err);

#endif
