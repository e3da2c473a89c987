/* tree.c: keeping the static tree's links (see tree.h). */
/*
 * Why relative symbolic links, not hard links: a hard link would keep a
 * blob's bytes alive after gc removed or quarantined it (the web server
 * would go on sending an evicted or damaged file, and gc would free no
 * space), and cannot cross file systems.  A symbolic link that outlives
 * its blob only dangles, which the web server treats as a miss and passes
 * to modvault.  Relative, so the tree and data_dir may move together and
 * the links read the same in a chroot.
 *
 * A link is written under a temporary name in its own directory and
 * renamed over the final one, so a web server sees the old link, the new
 * one, or none, never a partial one.  Directories are made with mode 0777
 * less the umask, as the store's own are (a group-shared data_dir has
 * cleared the group bits of the umask: groupshare.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modvault/base/log.h"
#include "modvault/store/tree.h"
#include "index_priv.h"

bool
mv_store_tree_enabled(const struct mv_store *st)
{
	return st->tree != NULL;
}

int
mv_stree_path(const struct mv_stree *t, const char *name, char *out,
    size_t outsz, struct mv_err *err)
{
	if ((size_t)snprintf(out, outsz, "%s/%s", t->root, name) >= outsz)
		return mv_fail(err, MV_ELIMIT, "tree path of %s too long",
		    name);
	return 0;
}

int
mv_stree_allowed(struct mv_stree *t, const char *module, const char *version,
    bool *allow, struct mv_err *err)
{
	struct mv_policy_decision d;

	if (mv_policy_decide(&t->policy, MV_POLICY_SERVE, module, version, &d,
	    err) == -1)
		return -1;
	*allow = d.allow;
	return 0;
}

/* Where the link at tree name for blob ref must point (relative). */
int
mv_stree_target(const struct mv_stree *t, const char *name,
    const struct mv_blobref *ref, char *out, size_t outsz,
    struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1], blob[PATH_MAX], dir[PATH_MAX];
	char *slash;

	mv_hex(ref->digest, MV_SHA256_LEN, hex);
	if ((size_t)snprintf(blob, sizeof(blob), "%s/%.2s/%.2s/%s", t->blobs,
	    hex, hex + 2, hex) >= sizeof(blob) ||
	    mv_stree_path(t, name, dir, sizeof(dir), err) == -1)
		return mv_fail(err, MV_ELIMIT, "tree path of %s too long",
		    name);
	slash = strrchr(dir, '/');
	*slash = '\0';
	return mv_stree_relpath(dir, blob, out, outsz, err);
}

/* Makes the directories of tree name (the root too) that are missing. */
static int
make_dirs(const struct mv_stree *t, const char *name, struct mv_err *err)
{
	char path[PATH_MAX];
	size_t n = strlen(t->root);
	char *p;

	if (mv_stree_path(t, name, path, sizeof(path), err) == -1)
		return -1;
	for (p = path + n; (p = strchr(p + 1, '/')) != NULL;) {
		*p = '\0';
		if (mkdir(path, 0777) == -1 && errno != EEXIST)
			return mv_fail(err, mv_errno_code(errno), "cannot "
			    "create \"%s\": %s", path, strerror(errno));
		*p = '/';
	}
	return 0;
}

/* Is the link at path already pointing at target? */
static bool
points_at(const char *path, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

int
mv_stree_write_link(const struct mv_stree *t, const char *name,
    const char *target, bool force, bool *written, struct mv_err *err)
{
	static unsigned long seq;
	char path[PATH_MAX], tmp[PATH_MAX + 64];
	char *slash;
	int tries;

	*written = false;
	if (mv_stree_path(t, name, path, sizeof(path), err) == -1)
		return -1;
	if (!force && points_at(path, target))
		return 0;
	slash = strrchr(path, '/');
	snprintf(tmp, sizeof(tmp), "%.*s/.tmp.%ld.%lu", (int)(slash - path),
	    path, (long)getpid(), ++seq);
	/* A verify --repair may remove a directory just emptied: again. */
	for (tries = 0; symlink(target, tmp) == -1; tries++) {
		if (errno != ENOENT || tries > 1)
			return mv_fail(err, mv_errno_code(errno), "cannot link "
			    "\"%s\": %s", tmp, strerror(errno));
		if (make_dirs(t, name, err) == -1)
			return -1;
	}
	if (rename(tmp, path) == -1) {
		int e = errno;

		(void)unlink(tmp);
		return mv_fail(err, mv_errno_code(e), "cannot link \"%s\": %s",
		    path, strerror(e));
	}
	*written = true;
	return 0;
}

/* Removes the directories of path up to the root while they are empty. */
void
mv_stree_prune_dirs(const struct mv_stree *t, char *path)
{
	size_t n = strlen(t->root);
	char *slash;

	while ((slash = strrchr(path, '/')) != NULL &&
	    (size_t)(slash - path) > n) {
		*slash = '\0';
		if (rmdir(path) == -1)
			break;
	}
}

int
mv_store_tree_drop(struct mv_store *st, const char *module,
    const char *version, struct mv_err *err)
{
	char name[PATH_MAX], path[PATH_MAX];
	int x;

	if (st->tree == NULL)
		return 0;
	for (x = 0; x < MV_STREE__MAX; x++) {
		if (mv_stree_name(module, version, (enum mv_stree_ext)x, name,
		    sizeof(name), err) == -1 ||
		    mv_stree_path(st->tree, name, path, sizeof(path), err) == -1)
			return -1;
		if (unlink(path) == -1 && errno != ENOENT)
			return mv_fail(err, mv_errno_code(errno), "cannot "
			    "remove \"%s\": %s", path, strerror(errno));
	}
	mv_stree_prune_dirs(st->tree, path);
	mv_stree_forget(st->tree);
	return 0;
}

/* The blob of v behind each file kind. */
const struct mv_blobref *
mv_stree_blob(const struct mv_version *v, enum mv_stree_ext x)
{
	return x == MV_STREE_INFO ? &v->info : x == MV_STREE_MOD ? &v->mod :
	    &v->zip;
}

int
mv_store_tree_put(struct mv_store *st, const struct mv_version *v,
    struct mv_err *err)
{
	char name[PATH_MAX], target[PATH_MAX];
	bool allow, current, written;
	int x, rc = 0;

	if (st->tree == NULL)
		return 0;
	if (mv_stree_allowed(st->tree, v->module, v->version, &allow,
	    err) == -1)
		return -1;
	if (!allow)
		return mv_store_tree_drop(st, v->module, v->version, err);
	if (mv_stree_policy_hold(st->tree, &current, err) == -1)
		return -1;
	for (x = 0; rc == 0 && current && x < MV_STREE__MAX; x++)
		if (mv_stree_name(v->module, v->version, (enum mv_stree_ext)x,
		    name, sizeof(name), err) == -1 ||
		    mv_stree_target(st->tree, name,
		    mv_stree_blob(v, (enum mv_stree_ext)x), target,
		    sizeof(target), err) == -1 ||
		    mv_stree_write_link(st->tree, name, target, false, &written,
		    err) == -1)
			rc = -1;
	mv_stree_policy_release(st->tree);
	return rc;
}

void
mv_stree_free(struct mv_stree *t)
{
	if (t == NULL)
		return;
	if (t->state_fd != -1)
		close(t->state_fd);
	free(t);
}

/* Looked at once a second at most (tree_seen.c), and so warned of. */
void
mv_store_tree_hit(struct mv_store *st, const struct mv_version *v)
{
	if (st->tree == NULL || mv_stree_seen(st->tree, v))
		return;
	mv_store_tree_link(st, v);
	mv_stree_saw(st->tree, v);
}

int64_t
mv_store_tree_last_read(struct mv_store *st, const struct mv_version *v)
{
	char hex[MV_SHA256_HEX + 1], blob[PATH_MAX];
	struct stat sb;

	if (st->tree == NULL)
		return 0;
	mv_hex(v->zip.digest, MV_SHA256_LEN, hex);
	if ((size_t)snprintf(blob, sizeof(blob), "%s/%.2s/%.2s/%s",
	    st->tree->blobs, hex, hex + 2, hex) >= sizeof(blob))
		return 0;
	/* relatime moves atime past mtime on the first read after a write. */
	if (stat(blob, &sb) == -1 || sb.st_atime <= sb.st_mtime)
		return 0;
	return (int64_t)sb.st_atime;
}

/*
 * The tree's mark: repairs remove what does not belong in the tree, so a
 * static_tree naming a directory that is not one (data_dir, /etc, a home
 * directory) must never be taken for one.  A directory modvault finds
 * empty becomes a tree; any other needs the mark.
 */
static int
check_mark(const struct mv_stree *t, struct mv_err *err)
{
	char path[PATH_MAX + 32];
	struct dirent *de;
	bool empty = true;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%s/" MV_STREE_MARK, t->root);
	if (access(path, F_OK) == 0)
		return 0;
	if ((d = opendir(t->root)) == NULL)
		return mv_fail(err, MV_ECONFIG, "static_tree: \"%s\": %s",
		    t->root, strerror(errno));
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0;
	closedir(d);
	if (!empty)
		return mv_fail(err, MV_ECONFIG, "static_tree: \"%s\" is not "
		    "empty and not a static tree (no %s in it): name an empty "
		    "or new directory", t->root, MV_STREE_MARK);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) == -1)
		return mv_fail(err, mv_errno_code(errno), "cannot create "
		    "\"%s\": %s", path, strerror(errno));
	close(fd);
	return 0;
}

int
mv_store_tree_attach(struct mv_store *st, const struct mv_config *cfg,
    bool readonly, struct mv_err *err)
{
	struct mv_stree *t;

	if (cfg->static_tree[0] == '\0')
		return 0;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	t->state_fd = -1;
	st->tree = t;
	mv_policy_init(&t->policy, cfg);
	if ((size_t)snprintf(t->blobs, sizeof(t->blobs), "%s/%s", st->dir,
	    st->s3 != NULL ? "cache/blobs" : "blobs") >= sizeof(t->blobs))
		return mv_fail(err, MV_ELIMIT, "data directory name too long");
	if (!readonly && mkdir(cfg->static_tree, 0777) == -1 &&
	    errno != EEXIST)
		return mv_fail(err, MV_ECONFIG, "static_tree: cannot create "
		    "\"%s\": %s", cfg->static_tree, strerror(errno));
	if (realpath(cfg->static_tree, t->root) == NULL) {
		if (!readonly)
			return mv_fail(err, MV_ECONFIG, "static_tree: \"%s\": "
			    "%s", cfg->static_tree, strerror(errno));
		snprintf(t->root, sizeof(t->root), "%s", cfg->static_tree);
	}
	if (readonly)
		return 0;
	if (check_mark(t, err) == -1)
		return -1;
	return mv_store_tree_sync_policy(st, cfg, err);
}
