/*
 * outfile.h: a file the user names on the command line (an export's -o),
 * replaced whole or not at all.
 *
 * The bytes go to a temporary file beside the target; commit syncs it,
 * renames it over the target and syncs the directory, so an interrupted
 * or failed write leaves an earlier file of that name as it was and no
 * half-written one under it.  A target that exists and is not a regular
 * file (a pipe, /dev/stdout, a terminal) is written in place: it cannot
 * be replaced by a rename, and a reader is already consuming it.
 */
#ifndef MODVAULT_OUTFILE_H
#define MODVAULT_OUTFILE_H

#include <stdbool.h>

#include "modvault/base/err.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

struct mv_outfile {
	int	 fd;		/* write here */
	bool	 in_place;	/* not a regular file: no temp, no rename */
	char	 path[PATH_MAX];
	char	 tmp[PATH_MAX];
};

/* Opens the temporary file (mode 0666 & ~umask, as open(2) would). */
int	 mv_outfile_open(struct mv_outfile *o, const char *path,
	    struct mv_err *err);
/* Makes the written bytes the file at path, durably; closes fd. */
int	 mv_outfile_commit(struct mv_outfile *o, struct mv_err *err);
/* Drops what was written (after a failure); closes fd.  Never fails. */
void	 mv_outfile_abort(struct mv_outfile *o);

#endif
