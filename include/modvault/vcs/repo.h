/*
 * repo.h: the bare mirror of one remote git repository (VC-4).
 *
 * One bare repository per remote URL under the cache directory the store
 * gives (named by the SHA-256 of the URL, never by the URL itself), made
 * atomically (initialised under a temporary name, then renamed), and used
 * by one process at a time: mv_repo_open takes an exclusive lock that
 * mv_repo_close releases, so two misses in any processes never fetch into
 * the same mirror at once.  Fetches ask only for what the request needs:
 * ls-remote for the refs, one shallow fetch of one ref for a tagged
 * version, the whole history only when a pseudo-version's base or an
 * ancestry check needs it.
 */
#ifndef MODVAULT_VCS_REPO_H
#define MODVAULT_VCS_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/vcs/git.h"

#define MV_VCS_URL_MAX_BYTES	2048
#define MV_REF_MAX_BYTES	1024
#define MV_HASH_HEX		40
/* Refs one ls-remote may list (a repository with more is refused). */
#define MV_REPO_MAX_REFS	100000
#define MV_LSREMOTE_MAX_BYTES	(32u * 1024u * 1024u)

struct mv_ref {
	char	*name;			/* "HEAD", "refs/tags/v1.0.0" */
	char	 hash[MV_HASH_HEX + 1];	/* the commit (tags peeled) */
};

struct mv_repo {
	const struct mv_git	*git;
	char			 dir[PATH_MAX];
	char			 url[MV_VCS_URL_MAX_BYTES];
	int			 lockfd;
	struct mv_ref		*refs;		/* sorted by name */
	size_t			 nrefs;
	bool			 listed;	/* refs holds ls-remote's answer */
	bool			 complete;	/* all heads and tags fetched */
	bool			 reached;	/* a transfer with the remote worked */
	bool			 fresh;		/* made by this open */
	/* The last commit whose time was read (spares a git run). */
	char			 known_hash[MV_HASH_HEX + 1];
	int64_t			 known_time;
};

/*
 * Opens (making it when missing) the mirror of url under cache_dir and
 * locks it, waiting at most git->timeout for another process's use.
 */
int	 mv_repo_open(const struct mv_git *git, const char *cache_dir,
	    const char *url, struct mv_repo *r, struct mv_err *err);
void	 mv_repo_close(struct mv_repo *r);

/*
 * VC-4.3: the remote's HEAD, branches and tags (annotated tags peeled),
 * listed once per open.  A remote that does not exist is MV_ENOTFOUND.
 */
int	 mv_repo_list(struct mv_repo *r, struct mv_err *err);
/* The commit a listed ref names, or NULL. */
const char *mv_repo_ref(const struct mv_repo *r, const char *name);

/*
 * VC-4.4: the commit rev names (a tag, a branch, HEAD, or 7 to 40
 * lowercase hex digits), fetched into the mirror; ref gets the ref it
 * was found as ("" for a hash).  Unknown is MV_ENOTFOUND
 * ("unknown revision REV").
 */
int	 mv_repo_resolve(struct mv_repo *r, const char *rev,
	    char hash[MV_HASH_HEX + 1], char *ref, size_t refsz,
	    struct mv_err *err);
/*
 * The fast path for a tag name: the tag fetched on its own (shallow),
 * without listing the remote; *found false when the remote has no such
 * tag (then use mv_repo_resolve).
 */
int	 mv_repo_fetch_tag(struct mv_repo *r, const char *tag,
	    char hash[MV_HASH_HEX + 1], bool *found, struct mv_err *err);
/* Every branch and tag with their whole history (VC-4.4's fallback). */
int	 mv_repo_fetch_all(struct mv_repo *r, struct mv_err *err);

/* VC-4.5: the committer time of a fetched commit, seconds UTC. */
int	 mv_repo_commit_time(struct mv_repo *r, const char *hash, int64_t *t,
	    struct mv_err *err);
/*
 * VC-4.6: the raw blob at path in commit hash into out (bounded by out's
 * limit); *found false when there is none.
 */
int	 mv_repo_read_file(struct mv_repo *r, const char *hash,
	    const char *path, struct mv_buf *out, bool *found,
	    struct mv_err *err);
/* The tags reachable from hash (VC-4.7), newline-separated names. */
int	 mv_repo_merged_tags(struct mv_repo *r, const char *hash,
	    struct mv_buf *out, struct mv_err *err);
/* VC-4.8: is commit hash a descendant of (or equal to) tag? */
int	 mv_repo_descends(struct mv_repo *r, const char *hash,
	    const char *tag, bool *yes, struct mv_err *err);

#endif
