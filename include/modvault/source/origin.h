/*
 * origin.h: checking stored versions against the repositories they came
 * from (`modvault verify --origin`; and a warning in the log whenever a
 * module's repository is listed): has the tag a version is named by
 * moved to another commit, or gone?  What is stored is never changed.
 */
#ifndef MODVAULT_SOURCE_ORIGIN_H
#define MODVAULT_SOURCE_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "modvault/source/fill.h"

enum mv_origin_verdict {
	MV_ORIGIN_NONE,		/* not from git (a proxy, an import) */
	MV_ORIGIN_PINNED,	/* a pseudo-version: named by its commit */
	MV_ORIGIN_SAME,		/* its tag names the commit it came from */
	MV_ORIGIN_MOVED,	/* its tag names another commit now */
	MV_ORIGIN_GONE,		/* its tag is no longer in the repository */
};

/* A walk over stored versions, listing each repository once in a row. */
struct mv_origin_check;

int	 mv_origin_new(struct mv_filler *f, struct mv_origin_check **oc,
	    struct mv_err *err);
void	 mv_origin_free(struct mv_origin_check *oc);
/*
 * The verdict on stored version v, and why in one line; -1 when the
 * stored .info cannot be read or the repository cannot be listed.
 */
int	 mv_origin_check(struct mv_origin_check *oc,
	    const struct mv_version *v, enum mv_origin_verdict *verdict,
	    char *why, size_t whysz, struct mv_err *err);

#endif
