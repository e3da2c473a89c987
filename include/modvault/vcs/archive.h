/*
 * archive.h: a module zip made from a git revision, with the files the go
 * command would put in it (module-zip.md MZ-8, MZ-6; vcs.md VC-10).
 */
#ifndef MODVAULT_VCS_ARCHIVE_H
#define MODVAULT_VCS_ARCHIVE_H

#include "modvault/vcs/vcsmod.h"
#include "modvault/zip/zip.h"

/*
 * Writes the zip of ri (resolved, its version final) to fd: the module's
 * directory (findDir) as `git archive` exports it (checkout conversions
 * of the commit's own .gitattributes applied, export attributes not),
 * the root LICENSE added to a module in a subdirectory that has none,
 * then MZ-6's selection.  A file the rules refuse fails with MV_ECORRUPT
 * or MV_ELIMIT naming the rule; git's failures are MV_EUPSTREAM.
 */
int	 mv_vcs_zip(struct mv_vcsmod *m, const struct mv_revinfo *ri, int fd,
	    const struct mv_zip_limits *lim, struct mv_err *err);

#endif
