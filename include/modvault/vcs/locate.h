/*
 * locate.h: which repository holds a module path (spec vcs.md VC-2), as
 * far as the path alone tells: the go command's static host table and
 * VCS-qualified paths ("example.test/r1.git/sub").  Anything else needs
 * go-import discovery (goimport.h, VC-3).
 */
#ifndef MODVAULT_VCS_LOCATE_H
#define MODVAULT_VCS_LOCATE_H

#include <stdbool.h>

#include "modvault/base/err.h"
#include "modvault/base/limits.h"
#include "modvault/vcs/repo.h"

struct mv_vcsloc {
	char	root[MV_MODPATH_MAX_BYTES + 1];	/* import path of the root */
	char	vcs[16];			/* "git", "hg", ..., "mod" */
	/*
	 * The remote as the go command names it.  For a VCS-qualified path
	 * (probe set) it is "https://" + the address: the scheme is probed
	 * (https, then ssh) by whoever runs git.
	 */
	char	url[MV_VCS_URL_MAX_BYTES];
	char	address[MV_VCS_URL_MAX_BYTES];	/* probe: host/path, no scheme */
	bool	probe;
};

/*
 * VC-2.1, VC-2.3: *matched true when the path alone decides (loc is
 * filled); false when discovery must be asked.  A path a static entry
 * claims but whose form it refuses fails with MV_ENOTFOUND and the go
 * command's message ("invalid github.com import path ...").
 */
int	 mv_vcs_locate_static(const char *module, struct mv_vcsloc *loc,
	    bool *matched, struct mv_err *err);

#endif
