/*
 * vcs_priv.h: what the files of the vcs layer share.
 */
#ifndef MODVAULT_VCS_PRIV_H
#define MODVAULT_VCS_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "modvault/vcs/vcsmod.h"

/* PathMajorPrefix: "/v2" -> "v2", ".v1-unstable" -> "v1", "" -> "". */
void	 mv_vcs_major_prefix(const char *pathmajor, char *out, size_t outsz);
/* The revision name of a version in findDir's messages (VC-5.3). */
void	 mv_vcs_rev_name(const struct mv_vcsmod *m, const char *version,
	    char *out, size_t outsz);
/* Tags of the remote with prefix, without "refs/tags/", in name order. */
int	 mv_vcs_tags(struct mv_vcsmod *m, const char *prefix,
	    const char ***tags, size_t *n, struct mv_err *err);
/* VC-7.6: is v retracted by the highest listed version's go.mod? */
bool	 mv_vcs_retracted(struct mv_vcsmod *m, const char *v);
/*
 * The raw file at path in commit hash into out (*found false when there
 * is none), read once per module use (small files are kept).
 */
int	 mv_vcs_read(struct mv_vcsmod *m, const char *hash, const char *path,
	    struct mv_buf *out, bool *found, struct mv_err *err);
/* Is there a file at path in commit hash? */
int	 mv_vcs_has_file(struct mv_vcsmod *m, const char *hash,
	    const char *path, bool *has, struct mv_err *err);

/*
 * The next line of go.mod text at *p (before end): its "//" comment cut
 * and blanks trimmed, as [*l, *le); *p moves past it.  False at the end.
 */
bool	 mv_vcs_gomod_line(const char **p, const char *end, const char **l,
	    const char **le);

#endif
