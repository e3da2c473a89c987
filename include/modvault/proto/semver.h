/*
 * semver.h: Go's semantic versions, module canonical versions and
 * pseudo-versions (spec versions.md, V-1 to V-4; GP-3.7).
 *
 * Versions are NUL-terminated strings.  Functions that produce a version
 * write into a caller buffer of at least MV_VERSION_MAX_BYTES bytes (modpath.h)
 * and fail with MV_ELIMIT when it would not fit.
 */
#ifndef MODVAULT_SEMVER_H
#define MODVAULT_SEMVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "modvault/base/err.h"

/* V-1.1: valid Go semver (shorthands vX and vX.Y included). */
bool	 mv_semver_is_valid(const char *v);
/* V-1.2 Canonical: "" for invalid input. */
int	 mv_semver_canonical(const char *v, char *out, size_t outsz,
	    struct mv_err *err);
/* V-1.3 module CanonicalVersion (keeps "+incompatible"). */
int	 mv_version_canonical(const char *v, char *out, size_t outsz,
	    struct mv_err *err);
/* V-1.3: CanonicalVersion(v) == v. */
bool	 mv_version_is_canonical(const char *v);
/*
 * V-5.1, GP-5.2.4: a query a proxy may resolve through .info: a
 * non-canonical semver ("v1.2.3+meta"), a semver prefix, or a revision
 * (branch, tag, commit prefix).  At most MV_VERSION_MAX_BYTES of
 * [A-Za-z0-9._+~-], not starting with '-' or '.', no "..": nothing a URL,
 * a path or a shell would read as anything but a name.  MV_EINVAL with
 * the reason otherwise.
 */
int	 mv_version_query_check(const char *q, struct mv_err *err);

/* V-1.4 accessors; each writes "" for an invalid version. */
int	 mv_semver_major(const char *v, char *out, size_t outsz,
	    struct mv_err *err);
int	 mv_semver_major_minor(const char *v, char *out, size_t outsz,
	    struct mv_err *err);
int	 mv_semver_prerelease(const char *v, char *out, size_t outsz,
	    struct mv_err *err);
int	 mv_semver_build(const char *v, char *out, size_t outsz,
	    struct mv_err *err);

/* V-2.1 to V-2.4: -1, 0 or +1. */
int	 mv_semver_compare(const char *a, const char *b);
/* V-2.5: sorts in place, ties broken by byte order. */
void	 mv_semver_sort(const char **list, size_t n);

/* V-4.2 IsPseudoVersion. */
bool	 mv_version_is_pseudo(const char *v);
/* V-4.3: the embedded time and revision of a pseudo-version. */
int	 mv_pseudo_time(const char *v, time_t *t, struct mv_err *err);
int	 mv_pseudo_rev(const char *v, char *out, size_t outsz,
	    struct mv_err *err);
/* V-4.4 PseudoVersionBase ("" when the pseudo-version has no base). */
int	 mv_pseudo_base(const char *v, char *out, size_t outsz,
	    struct mv_err *err);
/* V-4.5 PseudoVersion(major, older, t, rev). */
int	 mv_pseudo_make(const char *major, const char *older, time_t t,
	    const char *rev, char *out, size_t outsz, struct mv_err *err);

/* GP-3.7 CheckPathMajor: version v against a path's major suffix. */
int	 mv_check_path_major(const char *v, const char *path_major,
	    struct mv_err *err);

#endif
