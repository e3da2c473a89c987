/* tree_verify.c: the static tree against the index (see tree.h). */
/*
 * Two passes.  The index: each link an allowed stored version should
 * have is read back (missing, or pointing elsewhere), and a denied one's
 * links are extra.  The tree: each entry that is not the name of a file
 * of an allowed stored version is extra (a planted @v/list, a stray
 * file, a link of a version no longer stored).  Repairs write links
 * before removing anything, so a web server never misses a stored file
 * while a rebuild runs; empty directories go last, bottom up.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index_priv.h"

/* A temporary link younger than this may be a writer's, mid-rename. */
#define TMP_GRACE_SECONDS	60

struct walk {
	struct mv_store		*st;
	enum mv_stree_mode	 mode;
	mv_stree_problem_fn	 fn;
	void			*ctx;
	struct mv_stree_report	*rep;
	struct mv_err		*err;
};

static void
problem(struct walk *w, const char *path, const char *what)
{
	if (w->fn != NULL)
		w->fn(w->ctx, path, what);
}

/* One file an allowed version should have. */
static int
check_link(struct walk *w, const struct mv_version *v, enum mv_stree_ext x)
{
	char name[PATH_MAX], target[PATH_MAX], path[PATH_MAX], have[PATH_MAX];
	bool written;
	ssize_t n;

	if (mv_stree_name(v->module, v->version, x, name, sizeof(name),
	    w->err) == -1 || mv_stree_target(w->st->tree, name,
	    mv_stree_blob(v, x), target, sizeof(target), w->err) == -1 ||
	    mv_stree_path(w->st->tree, name, path, sizeof(path), w->err) == -1)
		return -1;
	w->rep->links++;
	if ((n = readlink(path, have, sizeof(have) - 1)) < 0 &&
	    errno == ENOENT) {
		w->rep->missing++;
		problem(w, path, "missing");
	} else if (n < 0 || (have[n] = '\0', strcmp(have, target) != 0)) {
		w->rep->wrong++;
		problem(w, path, "wrong target");
	} else if (w->mode != MV_STREE_REBUILD)
		return 0;
	if (w->mode == MV_STREE_CHECK)
		return 0;
	if (mv_stree_write_link(w->st->tree, name, target, true, &written,
	    w->err) == -1)
		return -1;
	w->rep->fixed += written;
	return 0;
}

static int
check_version(void *ctx, const struct mv_version *v)
{
	struct walk *w = ctx;
	bool allow;
	int x;

	w->rep->versions++;
	if (mv_stree_allowed(w->st->tree, v->module, v->version, &allow,
	    w->err) == -1)
		return -1;
	/* A denied module's links are extras: the tree pass finds them. */
	for (x = 0; allow && x < MV_STREE__MAX; x++)
		if (check_link(w, v, (enum mv_stree_ext)x) == -1)
			return -1;
	return 0;
}

/* Is the tree-relative name a file of an allowed stored version? */
static bool
belongs(struct walk *w, const char *name)
{
	char module[MV_MODPATH_MAX_BYTES + 1];
	char version[MV_VERSION_MAX_BYTES + 1];
	struct mv_version v;
	enum mv_stree_ext x;
	bool allow;

	return mv_stree_parse(name, module, version, &x, NULL) == 0 &&
	    mv_store_get(w->st, module, version, &v, NULL) == 0 &&
	    mv_stree_allowed(w->st->tree, module, version, &allow, NULL) ==
	    0 && allow;
}

/* nftw passes no context: the one walk at a time is here. */
static struct walk *cur;

static int
visit(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	struct walk *w = cur;
	const char *name = path + strlen(w->st->tree->root) + 1;

	if (f->level == 0 || (f->level == 1 &&
	    strcmp(path + f->base, MV_STREE_MARK) == 0))
		return 0;
	if (type == FTW_DP) {
		/* Empty directories are tidied, never reported. */
		if (w->mode != MV_STREE_CHECK)
			(void)rmdir(path);
		return 0;
	}
	if (strncmp(path + f->base, ".tmp.", 5) == 0 &&
	    time(NULL) - sb->st_mtime < TMP_GRACE_SECONDS)
		return 0;
	if (type == FTW_SL && belongs(w, name))
		return 0;
	w->rep->extra++;
	problem(w, path, "extra");
	if (w->mode == MV_STREE_CHECK)
		return 0;
	if (unlink(path) == -1 && errno != ENOENT) {
		mv_fail(w->err, mv_errno_code(errno), "cannot remove \"%s\": "
		    "%s", path, strerror(errno));
		return -1;
	}
	w->rep->fixed++;
	return 0;
}

int
mv_store_tree_verify(struct mv_store *st, enum mv_stree_mode mode,
    mv_stree_problem_fn fn, void *ctx, struct mv_stree_report *rep,
    struct mv_err *err)
{
	struct walk w = { st, mode, fn, ctx, rep, err };
	int rc;

	memset(rep, 0, sizeof(*rep));
	if (st->tree == NULL)
		return mv_fail(err, MV_ECONFIG, "static_tree is not set in the "
		    "configuration");
	if (mv_store_each(st, NULL, check_version, &w, err) != 0)
		return -1;
	cur = &w;
	rc = nftw(st->tree->root, visit, 16, FTW_PHYS | FTW_DEPTH);
	cur = NULL;
	if (rc == -1)
		return mv_fail(err, mv_errno_code(errno), "cannot walk \"%s\": "
		    "%s", st->tree->root, strerror(errno));
	return rc == 0 ? 0 : -1;
}
