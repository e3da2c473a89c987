/*
 * vcsmod.h: a module inside a git repository, answered as the go command
 * answers it with GOPROXY=direct (spec vcs.md VC-5 to VC-11).
 *
 * Byte-exactness with the go command is the goal: the same list, the
 * same Version and Time for every query, the same .mod bytes and the same
 * zip content.  Where vcs.md and module-zip.md disagree, the go command's
 * observed behaviour (vcs.md) is followed and the code says so.  Errors
 * that mean "no such version" are MV_ENOTFOUND with the go command's
 * message ("invalid version: unknown revision v1.0.1"); what the server
 * or git did wrong is MV_EUPSTREAM; local failures stay local.
 */
#ifndef MODVAULT_VCS_VCSMOD_H
#define MODVAULT_VCS_VCSMOD_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/limits.h"
#include "modvault/vcs/repo.h"

struct mv_vcsmod {
	char		 module[MV_MODPATH_MAX_BYTES + 1];	/* M */
	char		 root[MV_MODPATH_MAX_BYTES + 1];	/* repo root path */
	/* The remote as the go command names it (Origin URL, VC-8.2). */
	char		 origin_url[MV_VCS_URL_MAX_BYTES];
	char		 codedir[MV_MODPATH_MAX_BYTES + 1];	/* "" = root */
	char		 pathprefix[MV_MODPATH_MAX_BYTES + 1];
	char		 pathmajor[32];		/* "", "/v2", ".v1" */
	char		 pseudomajor[32];	/* "", "v2" */
	char		 tagprefix[MV_MODPATH_MAX_BYTES + 2];	/* "" or "sub/" */
	struct mv_repo	*repo;
	/* Retractions (VC-7.6), read once: NULL until then. */
	char		*retract;
	bool		 retract_read;
	/*
	 * Small files read at a commit (go.mod is read by findDir for the
	 * .info, the .mod and the zip alike): each costs a git run once.
	 */
	struct mv_vcs_read {
		char	 hash[MV_HASH_HEX + 1];
		char	*path;
		char	*data;		/* NULL: no file there */
		size_t	 len;
	}		 reads[8];
	size_t		 nreads;
};

/* A resolved revision (VC-7, VC-8). */
struct mv_revinfo {
	char		version[MV_VERSION_MAX_BYTES + 1];
	int64_t		time;			/* committer time, UTC */
	char		hash[MV_HASH_HEX + 1];
	char		ref[MV_REF_MAX_BYTES];	/* Origin Ref, "" for none */
};

/*
 * VC-5.1: module M in the repository rooted at root (an import path),
 * whose remote is repo (origin_url is the URL the go command would name).
 */
int	 mv_vcsmod_init(struct mv_vcsmod *m, const char *module,
	    const char *root, const char *origin_url, struct mv_repo *repo,
	    struct mv_err *err);
void	 mv_vcsmod_release(struct mv_vcsmod *m);

/* VC-6: the version list, one version per line, semver-sorted. */
int	 mv_vcs_versions(struct mv_vcsmod *m, struct mv_buf *out,
	    struct mv_err *err);
/*
 * VC-7: what query (a canonical version, a pseudo-version, a branch, a
 * tag, a commit hash prefix, "HEAD") is, as the go command's Stat says;
 * "latest" is VC-11 (the repository's HEAD).
 */
int	 mv_vcs_stat(struct mv_vcsmod *m, const char *query,
	    struct mv_revinfo *ri, struct mv_err *err);

/*
 * VC-5.3 findDir for a resolved revision: the module's directory in the
 * tree ("" = root) into dir, and its go.mod's bytes into gomod (*has
 * false when the module has none).
 */
int	 mv_vcs_find_dir(struct mv_vcsmod *m, const struct mv_revinfo *ri,
	    char *dir, size_t dirsz, struct mv_buf *gomod, bool *has,
	    struct mv_err *err);
/* VC-9: the .mod bytes of a resolved revision. */
int	 mv_vcs_gomod(struct mv_vcsmod *m, const struct mv_revinfo *ri,
	    struct mv_buf *out, struct mv_err *err);
/*
 * VC-8: the .info the go command stores for ri (VC-8.4's form: Origin
 * with VCS, URL, Subdir, Ref for tags, Hash), compact JSON, no newline.
 */
int	 mv_vcs_info_json(const struct mv_vcsmod *m,
	    const struct mv_revinfo *ri, struct mv_buf *out,
	    struct mv_err *err);

/*
 * VC-5.3's declared path of a go.mod: the first "module" line, unquoted;
 * "" when there is none or its quoting is broken.  (Shared with tests.)
 */
void	 mv_vcs_declared_path(const char *gomod, size_t len, char *out,
	    size_t outsz);

/*
 * VC-7.6: the intervals a go.mod's retract directives name (single and
 * block forms, "[lo, hi]" or one version), appended to out as "lo hi"
 * lines; anything unparsable is skipped (lenient, as V-7.2).
 */
void	 mv_vcs_retractions(const char *gomod, size_t len, struct mv_buf *out);

#endif
