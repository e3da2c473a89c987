/*
 * info.h: parsing a .info document (GP-5.2).
 */
#ifndef MODVAULT_INFO_H
#define MODVAULT_INFO_H

#include <stddef.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/base/limits.h"

/*
 * Validates s[0..n) as one JSON object and copies its string members
 * Version and Time (names matched without regard to case, as Go's decoder
 * does; the last one wins) into version and time, which are reset first
 * only when the member appears.  MV_EINVAL for anything malformed.
 */
int	 mv_info_parse(const char *s, size_t n, struct mv_buf *version,
	    struct mv_buf *time, struct mv_err *err);

/* The Origin of a .info (vcs.md VC-8.2): where a version came from. */
struct mv_info_origin {
	char	vcs[16];
	char	url[2048];
	char	subdir[MV_MODPATH_MAX_BYTES + 1];
	char	ref[1024];
	char	hash[128];
};

/*
 * Its Origin's string members (each "" when absent, all "" when there is
 * no Origin); MV_EINVAL for malformed JSON or a member too long.
 */
int	 mv_info_origin(const char *s, size_t n, struct mv_info_origin *o,
	    struct mv_err *err);

#endif
