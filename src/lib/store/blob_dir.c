/* blob_dir.c: the content-addressed blob store in a local directory. */
/*
 * On disk: dir/blobs/ab/cd/abcd...(64 hex) holds the bytes whose SHA-256
 * is that name, mode 0444.  A staged file (stage.h, in the store's tmp/
 * on the same file system) becomes a blob by fsync, link() under its
 * digest's name (EEXIST means the bytes are already stored; link never
 * replaces), and fsync of the directory; the staged name is removed by
 * its owner afterwards.  A crash therefore leaves no blob or a whole one.
 * File names come only from digests, never from requests.
 *
 * modvault reads a blob without touching its access time where the
 * kernel lets it (O_NOATIME: the blob's owner), so the access time says
 * when a web server last sent it through the static tree (tree.h), which
 * gc's least-recently-used order reads; modvault's own serves are in the
 * index, and its scrub and exports are no serves at all.
 */
#define _GNU_SOURCE		/* O_NOATIME */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blob_backend.h"
#include "blob_s3.h"
#include "stage_priv.h"

struct blobdir {
	struct mv_blobstore	 base;
	/* Half of PATH_MAX, so every name built under it fits. */
	char			 root[PATH_MAX / 2];	/* dir/blobs */
	char			 tmp[PATH_MAX / 2];	/* dir/tmp */
	/* Removed, their bytes not yet freed (see dir_remove). */
	unsigned char		(*removed)[MV_SHA256_LEN];
	size_t			 nremoved, capremoved;
};

struct dirreader {
	struct mv_blob_reader	 base;
	int			 fd;
};

static int
fsync_dir(const char *dir, struct mv_err *err)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return mv_fail(err, MV_EIO, "cannot open \"%s\": %s", dir,
		    strerror(errno));
	rc = fsync(fd);
	close(fd);
	if (rc == -1)
		return mv_fail(err, MV_EIO, "cannot fsync \"%s\": %s", dir,
		    strerror(errno));
	return 0;
}

/* mkdir that accepts an existing directory and makes a new one durable. */
static int
mkdir_durable(const char *dir, const char *parent, struct mv_err *err)
{
	if (mkdir(dir, 0777) == 0)
		return parent != NULL ? fsync_dir(parent, err) : 0;
	if (errno == EEXIST)
		return 0;
	return mv_fail(err, mv_errno_code(errno), "cannot create \"%s\": %s",
	    dir, strerror(errno));
}

/* dir/blobs/ab/cd/<hex>, or dir/blobs/ab/cd when name is false. */
static void
blob_path(const struct blobdir *bd, const unsigned char *digest, int name,
    char *out, size_t outsz)
{
	char hex[MV_SHA256_HEX + 1];

	mv_hex(digest, MV_SHA256_LEN, hex);
	if (name)
		snprintf(out, outsz, "%s/%.2s/%.2s/%s", bd->root, hex, hex + 2,
		    hex);
	else
		snprintf(out, outsz, "%s/%.2s/%.2s", bd->root, hex, hex + 2);
}

/* Makes the staged file durable, then names it by its digest. */
static int
dir_put(struct mv_blobstore *bs, struct mv_staged *sf,
    const struct mv_blobref *ref, bool *created, struct mv_err *err)
{
	struct blobdir *bd = (struct blobdir *)bs;
	char hex[MV_SHA256_HEX + 1], d1[PATH_MAX], d2[PATH_MAX], final[PATH_MAX];

	mv_crash_point("after-write");
	if (fsync(mv_staged_fd(sf)) == -1)
		return mv_fail(err, mv_errno_code(errno), "cannot fsync a "
		    "staged file: %s", strerror(errno));
	mv_crash_point("after-fsync");
	mv_hex(ref->digest, MV_SHA256_LEN, hex);
	snprintf(d1, sizeof(d1), "%s/%.2s", bd->root, hex);
	blob_path(bd, ref->digest, 0, d2, sizeof(d2));
	blob_path(bd, ref->digest, 1, final, sizeof(final));
	if (mkdir_durable(d1, bd->root, err) == -1 ||
	    mkdir_durable(d2, d1, err) == -1)
		return -1;
	/* link, not rename: an existing blob is never replaced. */
	*created = link(mv_staged_path(sf), final) == 0;
	if (!*created && errno != EEXIST)
		return mv_fail(err, mv_errno_code(errno), "cannot link blob "
		    "\"%s\": %s%s",
		    final, strerror(errno), errno == EXDEV ? " (the staging "
		    "area must be on the blob directory's file system)" : "");
	mv_crash_point("after-rename");
	return fsync_dir(d2, err);
}

static int
dir_reader_pread(struct mv_blob_reader *br, void *p, size_t n, uint64_t off,
    size_t *got, struct mv_err *err)
{
	struct dirreader *r = (struct dirreader *)br;
	ssize_t k;

	do
		k = pread(r->fd, p, n, (off_t)off);
	while (k == -1 && errno == EINTR);
	if (k == -1)
		return mv_fail(err, MV_EIO, "cannot read a blob: %s",
		    strerror(errno));
	*got = (size_t)k;
	return 0;
}

static void
dir_reader_close(struct mv_blob_reader *br)
{
	struct dirreader *r = (struct dirreader *)br;

	close(r->fd);
	free(r);
}

static const struct mv_blob_reader_ops dir_reader_ops = {
	.pread = dir_reader_pread,
	.close = dir_reader_close,
};

static int
dir_open(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_blob_reader **rp, struct mv_err *err)
{
	char path[PATH_MAX];
	struct dirreader *r;
	struct stat sb;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	blob_path((struct blobdir *)bs, digest, 1, path, sizeof(path));
	/* EPERM: another user's blob (a group-shared store). */
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME)) == -1 &&
	    errno == EPERM)
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd == -1) {
		mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot open blob \"%s\": %s", path, strerror(errno));
		free(r);
		return -1;
	}
	if (fstat(r->fd, &sb) == -1) {
		mv_fail(err, MV_EIO, "cannot stat blob \"%s\": %s", path,
		    strerror(errno));
		dir_reader_close(&r->base);
		return -1;
	}
	r->base.ops = &dir_reader_ops;
	r->base.size = (uint64_t)sb.st_size;
	*rp = &r->base;
	return 0;
}

static int
dir_stat(struct mv_blobstore *bs, const unsigned char *digest, uint64_t *size,
    struct mv_err *err)
{
	char path[PATH_MAX];
	struct stat sb;

	blob_path((struct blobdir *)bs, digest, 1, path, sizeof(path));
	if (stat(path, &sb) == -1)
		return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot stat blob \"%s\": %s", path, strerror(errno));
	*size = (uint64_t)sb.st_size;
	return 0;
}

/* dir/tmp/removed-<hex>.<pid>: a removed blob until reclaimed. */
static void
removed_path(const struct blobdir *bd, const unsigned char *digest,
    char *out, size_t outsz)
{
	char hex[MV_SHA256_HEX + 1];

	mv_hex(digest, MV_SHA256_LEN, hex);
	snprintf(out, outsz, "%s/" MV_STAGE_REMOVED_PREFIX "%s.%ld", bd->tmp,
	    hex, (long)getpid());
}

static int
note_removed(struct blobdir *bd, const unsigned char *digest)
{
	unsigned char (*p)[MV_SHA256_LEN];
	size_t cap;

	if (bd->nremoved == bd->capremoved) {
		cap = bd->capremoved ? bd->capremoved * 2 : 16;
		if ((p = realloc(bd->removed, cap * sizeof(*p))) == NULL)
			return -1;
		bd->removed = p;
		bd->capremoved = cap;
	}
	memcpy(bd->removed[bd->nremoved++], digest, MV_SHA256_LEN);
	return 0;
}

/*
 * A rename into tmp/ takes the blob out of the name space at once; the
 * unlink that frees its bytes (slow on a busy disk: a big file's extents)
 * waits for dir_reclaim, outside the index lock.  A crash in between
 * leaves a removed-* file that mv_stage_clean deletes.  Should the
 * rename fail, the blob is unlinked here instead.
 */
static int
dir_remove(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_err *err)
{
	struct blobdir *bd = (struct blobdir *)bs;
	char path[PATH_MAX], to[PATH_MAX];

	blob_path(bd, digest, 1, path, sizeof(path));
	removed_path(bd, digest, to, sizeof(to));
	if (rename(path, to) == 0) {
		if (note_removed(bd, digest) == 0)
			return 0;
		unlink(to);
		return 0;
	}
	/* Not there (ENOENT again), or tmp/ unusable: freed at once. */
	if (unlink(path) == 0)
		return 0;
	return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
	    "cannot remove blob \"%s\": %s", path, strerror(errno));
}

static void
dir_reclaim(struct mv_blobstore *bs)
{
	struct blobdir *bd = (struct blobdir *)bs;
	char to[PATH_MAX];
	size_t i;

	for (i = 0; i < bd->nremoved; i++) {
		removed_path(bd, bd->removed[i], to, sizeof(to));
		unlink(to);	/* gone already: removed twice */
	}
	bd->nremoved = 0;
}

/* The blob's path (PATH_MAX bytes) and stat (MV_ENOTFOUND: absent). */
static int
stat_blob(struct mv_blobstore *bs, const unsigned char *digest, char *path,
    struct stat *sb, struct mv_err *err)
{
	blob_path((struct blobdir *)bs, digest, 1, path, PATH_MAX);
	if (stat(path, sb) == -1)
		return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot stat blob \"%s\": %s", path, strerror(errno));
	return 0;
}

static int
dir_age(struct mv_blobstore *bs, const unsigned char *digest,
    int64_t *seconds, struct mv_err *err)
{
	char path[PATH_MAX];
	struct stat sb;

	if (stat_blob(bs, digest, path, &sb, err) == -1)
		return -1;
	*seconds = (int64_t)time(NULL) - (int64_t)sb.st_mtime;
	return 0;
}

void
mv_blobdir_path(struct mv_blobstore *bs, const unsigned char *digest,
    char *out, size_t outsz)
{
	blob_path((struct blobdir *)bs, digest, 1, out, outsz);
}

/* A local file the web server can send itself (X-Sendfile). */
static int
dir_delivery(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_delivery *d, struct mv_err *err)
{
	d->kind = MV_DELIVER_LOCAL_FILE;
	blob_path((struct blobdir *)bs, digest, 1, d->where, sizeof(d->where));
	return 0;
}

/* dir/quarantine/<hex>.<unix time>: out of the store, kept for a look. */
static int
dir_quarantine(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_err *err)
{
	struct blobdir *bd = (struct blobdir *)bs;
	char path[PATH_MAX], qdir[PATH_MAX], to[PATH_MAX + 96];
	char hex[MV_SHA256_HEX + 1];

	blob_path(bd, digest, 1, path, sizeof(path));
	mv_hex(digest, MV_SHA256_LEN, hex);
	snprintf(qdir, sizeof(qdir), "%.*s/quarantine",
	    (int)(strlen(bd->root) - strlen("/blobs")), bd->root);
	snprintf(to, sizeof(to), "%s/%s.%lld", qdir, hex, (long long)time(NULL));
	if (mkdir(qdir, 0777) == -1 && errno != EEXIST)
		return mv_fail(err, MV_EIO, "cannot create \"%s\": %s", qdir,
		    strerror(errno));
	if (rename(path, to) == -1)
		return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot move blob \"%s\" to quarantine: %s", path,
		    strerror(errno));
	return 0;
}

/* Blobs are world-readable and read-only, whoever wrote them. */
static int
dir_upkeep(struct mv_blobstore *bs, const unsigned char *digest,
    bool *repaired, struct mv_err *err)
{
	char path[PATH_MAX];
	struct stat sb;

	if (stat_blob(bs, digest, path, &sb, err) == -1)
		return -1;
	if ((sb.st_mode & 07777) == 0444)
		return 0;
	if (chmod(path, 0444) == -1)
		return mv_fail(err, MV_EIO, "cannot chmod blob \"%s\": %s",
		    path, strerror(errno));
	*repaired = true;
	return 0;
}

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

/*
 * Walks one level of the fan-out: calls leaf for every entry of dir whose
 * name is len hex digits.  Missing directories are empty.
 */
static int
walk_hex(const char *dir, size_t len,
    int (*leaf)(void *, const char *, const char *), void *arg,
    struct mv_err *err)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return mv_fail(err, MV_EIO, "cannot read \"%s\": %s", dir,
		    strerror(errno));
	}
	while (rc == 0 && (de = readdir(d)) != NULL)
		if (is_hex(de->d_name, len))
			rc = leaf(arg, dir, de->d_name);
	closedir(d);
	return rc;
}

struct iter {
	mv_blob_iter_fn	 fn;
	void		*ctx;
	struct mv_err	*err;
};

static int
iter_file(void *arg, const char *dir, const char *name)
{
	struct iter *it = arg;
	struct mv_blobref ref;
	char path[PATH_MAX];
	struct stat sb;

	/* The name must agree with the fan-out directories above it. */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (strncmp(dir + strlen(dir) - 5, name, 2) != 0 ||
	    strncmp(dir + strlen(dir) - 2, name + 2, 2) != 0 ||
	    mv_unhex_sha256(name, ref.digest) == -1)
		return 0;
	if (stat(path, &sb) == -1)
		return 0;	/* removed since readdir */
	ref.size = (uint64_t)sb.st_size;
	return it->fn(it->ctx, &ref);
}

static int
iter_level2(void *arg, const char *dir, const char *name)
{
	struct iter *it = arg;
	char sub[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/%s", dir, name);
	return walk_hex(sub, MV_SHA256_HEX, iter_file, it, it->err);
}

static int
iter_level1(void *arg, const char *dir, const char *name)
{
	struct iter *it = arg;
	char sub[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/%s", dir, name);
	return walk_hex(sub, 2, iter_level2, it, it->err);
}

static int
dir_iterate(struct mv_blobstore *bs, mv_blob_iter_fn fn, void *ctx,
    struct mv_err *err)
{
	struct blobdir *bd = (struct blobdir *)bs;
	struct iter it = { fn, ctx, err };

	return walk_hex(bd->root, 2, iter_level1, &it, err);
}

static void
dir_close(struct mv_blobstore *bs)
{
	struct blobdir *bd = (struct blobdir *)bs;

	dir_reclaim(bs);
	free(bd->removed);
	free(bd);
}

static const struct mv_blob_ops dir_ops = {
	.put = dir_put,
	.open = dir_open,
	.stat = dir_stat,
	.age = dir_age,
	.open_origin = dir_open,
	.remove = dir_remove,
	.reclaim = dir_reclaim,
	.iterate = dir_iterate,
	.delivery = dir_delivery,
	.quarantine = dir_quarantine,
	.upkeep = dir_upkeep,
	.close = dir_close,
};

int
mv_blobdir_open(const char *dir, int create, struct mv_blobstore **bsp,
    struct mv_err *err)
{
	struct blobdir *bd;
	struct stat sb;

	if (dir[0] != '/')
		return mv_fail(err, MV_EINVAL, "blob directory \"%s\" is not "
		    "absolute", dir);
	if ((bd = calloc(1, sizeof(*bd))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	bd->base.ops = &dir_ops;
	if ((size_t)snprintf(bd->root, sizeof(bd->root), "%s/blobs", dir) >=
	    sizeof(bd->root) || (size_t)snprintf(bd->tmp, sizeof(bd->tmp),
	    "%s/tmp", dir) >= sizeof(bd->tmp)) {
		free(bd);
		return mv_fail(err, MV_EINVAL, "data directory name too long");
	}
	if (create && mkdir_durable(bd->root, dir, err) == -1)
		goto fail;
	if (stat(bd->root, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		mv_fail(err, MV_ENOTFOUND, "no blob directory \"%s\"", bd->root);
		goto fail;
	}
	*bsp = &bd->base;
	return 0;
fail:
	free(bd);
	return -1;
}
