/*
 * tree.h: the static tree (static_tree = DIR), stored files the web
 * server sends without asking modvault.
 *
 * For every stored version the policy lets clients have, DIR holds
 * <escaped module>/@v/<escaped version>.{info,mod,zip}: exactly the path
 * after the proxy's mount in the request URL, so a web server maps
 * /MOUNT/<rest> to DIR/<rest> and passes what is not there to modvault.
 * Each name is a relative symbolic link to the blob holding the bytes
 * modvault itself sends for that URL (the directory store's
 * data_dir/blobs/ab/cd/<hex>; with storage = s3 the node's cache,
 * data_dir/cache/blobs/..., where a link to a blob not cached dangles:
 * a miss the web server passes on).  Only immutable files: never @v/list,
 * @latest, a query or /sumdb/.
 *
 * The store keeps it: a link is written after its version's row is
 * committed and removed with the row (rm, gc eviction, quarantine of a
 * damaged blob), before gc can free the blob.  A hit modvault answers for
 * a version whose links are missing writes them (an existing store
 * converges).  A denied module has no links: opening the store under a
 * policy other than the one the tree was last pruned under prunes it
 * first (tree_policy.c).
 */
#ifndef MODVAULT_TREE_H
#define MODVAULT_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/config.h"
#include "modvault/base/err.h"
#include "modvault/store/index.h"

/* The three files of a version in the tree. */
enum mv_stree_ext { MV_STREE_INFO, MV_STREE_MOD, MV_STREE_ZIP, MV_STREE__MAX };

/* "info", "mod", "zip". */
const char *mv_stree_ext_name(enum mv_stree_ext x);

/*
 * The tree-relative name of a version's file, "<escaped module>/@v/
 * <escaped version>.<ext>", built only from a valid module path and a
 * canonical version that belong together (MV_EINVAL otherwise).
 */
int	 mv_stree_name(const char *module, const char *version,
	    enum mv_stree_ext x, char *out, size_t outsz, struct mv_err *err);

/*
 * The other way: the module, version and extension a tree-relative name
 * stands for, when it is exactly what mv_stree_name makes for them
 * (MV_EINVAL for anything else: @v/list, a dot file, a non-canonical
 * version, a name escaped another way).
 */
int	 mv_stree_parse(const char *name, char module[MV_MODPATH_MAX_BYTES + 1],
	    char version[MV_VERSION_MAX_BYTES + 1], enum mv_stree_ext *x,
	    struct mv_err *err);

/*
 * The relative path from the directory from (absolute, no "." or ".."
 * elements) to the file to (the same): what a symbolic link in from
 * holds to point at to.
 */
int	 mv_stree_relpath(const char *from, const char *to, char *out,
	    size_t outsz, struct mv_err *err);

/*
 * Sets the store up to keep the tree cfg names (nothing when static_tree
 * is off).  Unless readonly, creates DIR when absent and prunes a tree
 * last pruned under other deny/allow lines.  cfg must outlive the store.
 */
int	 mv_store_tree_attach(struct mv_store *st, const struct mv_config *cfg,
	    bool readonly, struct mv_err *err);
/* Does the store keep a static tree? */
bool	 mv_store_tree_enabled(const struct mv_store *st);

/*
 * Makes v's three links point at its blobs (each written atomically;
 * those already right are left alone), or removes them when the policy
 * denies v's module.  Nothing when the tree is off.
 */
int	 mv_store_tree_put(struct mv_store *st, const struct mv_version *v,
	    struct mv_err *err);
/*
 * mv_store_tree_put for the paths that must not fail because of the tree
 * (a committed row, a hit): a failure is logged as a warning.
 */
void	 mv_store_tree_link(struct mv_store *st, const struct mv_version *v);
/*
 * mv_store_tree_link for a hit modvault answers: a version whose links
 * this process found in place within the same second is not looked at
 * again (see tree_seen.c).
 */
void	 mv_store_tree_hit(struct mv_store *st, const struct mv_version *v);
/* Removes module@version's links and the directories left empty. */
int	 mv_store_tree_drop(struct mv_store *st, const char *module,
	    const char *version, struct mv_err *err);
/*
 * When the web server last read v's zip through the tree: the blob's
 * access time where it is newer than its modification (0 when unknown
 * or the tree is off).  gc's least-recently-used order takes it.
 */
int64_t	 mv_store_tree_last_read(struct mv_store *st,
	    const struct mv_version *v);

enum mv_stree_mode {
	MV_STREE_CHECK,		/* report only */
	MV_STREE_REPAIR,		/* report, and fix what is reported */
	MV_STREE_REBUILD,	/* write every link anew, remove the rest */
};

/* One disagreement: path (absolute) and what is wrong, as one line. */
typedef void (*mv_stree_problem_fn)(void *ctx, const char *path,
    const char *problem);

struct mv_stree_report {
	uint64_t	versions;	/* stored versions looked at */
	uint64_t	links;		/* links the tree should hold */
	uint64_t	missing, extra, wrong;
	uint64_t	fixed;		/* links written or entries removed */
};

/*
 * Compares the tree with the index and the policy: every link an allowed
 * stored version should have (missing, or pointing elsewhere: wrong), and
 * every other entry (extra).  MV_ECONFIG when static_tree is off.
 */
int	 mv_store_tree_verify(struct mv_store *st, enum mv_stree_mode mode,
	    mv_stree_problem_fn fn, void *ctx, struct mv_stree_report *rep,
	    struct mv_err *err);

#endif
