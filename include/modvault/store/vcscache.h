/*
 * vcscache.h: where this node keeps its git mirrors (data_dir/vcs).
 *
 * The mirrors are a cache of remote repositories, never part of what is
 * stored: each node keeps its own (with storage = s3 too), `rm -rf` of the
 * directory only costs refetching, and nothing in it is served.  The
 * directory also holds the HOME git runs with (git.h): empty but for a
 * .netrc link to the configured netrc, so git sends the same credentials
 * as modvault's own transfers.
 */
#ifndef MODVAULT_STORE_VCSCACHE_H
#define MODVAULT_STORE_VCSCACHE_H

#include <stddef.h>

#include "modvault/base/err.h"
#include "modvault/store/index.h"

/*
 * Makes (when missing) data_dir/vcs/repos and data_dir/vcs/home, with
 * home/.netrc a link to netrc ("" for none), and names them.
 */
int	 mv_store_vcs_dirs(struct mv_store *st, const char *netrc,
	    char *repos, size_t repossz, char *home, size_t homesz,
	    struct mv_err *err);

#endif
