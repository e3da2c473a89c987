/* blob_dir.c: the content-addressed blob store in a local directory. */
/*
 * On disk: dir/blobs/ab/cd/abcd...(64 hex) holds the bytes whose SHA-256 is
 * that name, and dir/tmp/ holds blob-<pid>-XXXXXX files being written.  A
 * writer writes and fsyncs its temporary file, link()s it to its final
 * name (EEXIST means the bytes are already stored), fsyncs the directory,
 * then unlinks the temporary name.  A crash therefore leaves either no
 * blob or a whole one, plus perhaps a stray temporary file that clean_tmp
 * removes later.  File names come only from digests, never from requests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modvault/store/blob.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Bytes moved per read() when copying a file into a blob. */
#define COPY_CHUNK	(64 * 1024)

struct blobdir {
	struct mv_blobstore	 base;
	/* Half of PATH_MAX, so every name built under them fits. */
	char			 root[PATH_MAX / 2];	/* dir/blobs */
	char			 tmp[PATH_MAX / 2];	/* dir/tmp */
};

struct dirwriter {
	struct mv_blob_writer	 base;
	int			 fd;
	char			 path[PATH_MAX];
};

void
mv_test_crash_at(const char *point)
{
	const char *want = getenv("MODVAULT_TEST_CRASH_AT");

	if (want != NULL && strcmp(want, point) == 0)
		raise(SIGKILL);
}

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
	if (mkdir(dir, 0755) == 0)
		return parent != NULL ? fsync_dir(parent, err) : 0;
	if (errno == EEXIST)
		return 0;
	return mv_fail(err, MV_EIO, "cannot create \"%s\": %s", dir,
	    strerror(errno));
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

static int
dir_writer_open(struct mv_blobstore *bs, struct mv_blob_writer **wp,
    struct mv_err *err)
{
	struct blobdir *bd = (struct blobdir *)bs;
	struct dirwriter *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	w->base.bs = bs;
	if ((w->base.sha = mv_sha256_new(err)) == NULL) {
		free(w);
		return -1;
	}
	/* The pid in the name lets clean_tmp tell a dead writer's file. */
	snprintf(w->path, sizeof(w->path), "%s/blob-%ld-XXXXXX", bd->tmp,
	    (long)getpid());
	if ((w->fd = mkstemp(w->path)) == -1) {
		mv_fail(err, MV_EIO, "cannot create a file in \"%s\": %s",
		    bd->tmp, strerror(errno));
		mv_sha256_free(w->base.sha);
		free(w);
		return -1;
	}
	fcntl(w->fd, F_SETFD, FD_CLOEXEC);
	/* Blobs are immutable, and the web server may read them (X-Sendfile). */
	fchmod(w->fd, 0444);
	*wp = &w->base;
	return 0;
}

static int
dir_writer_write(struct mv_blob_writer *bw, const void *p, size_t n,
    struct mv_err *err)
{
	struct dirwriter *w = (struct dirwriter *)bw;
	const char *s = p;
	ssize_t k;

	while (n > 0) {
		if ((k = write(w->fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return mv_fail(err, MV_EIO, "cannot write \"%s\": %s",
			    w->path, strerror(errno));
		}
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

static void
dir_writer_abort(struct mv_blob_writer *bw)
{
	struct dirwriter *w = (struct dirwriter *)bw;

	if (w == NULL)
		return;
	close(w->fd);
	unlink(w->path);
	mv_sha256_free(w->base.sha);
	free(w);
}

/* Puts the fsynced temporary file under its digest's name. */
static int
dir_link(struct blobdir *bd, const char *tmp, const unsigned char *digest,
    struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1], d1[PATH_MAX], d2[PATH_MAX], final[PATH_MAX];

	mv_hex(digest, MV_SHA256_LEN, hex);
	snprintf(d1, sizeof(d1), "%s/%.2s", bd->root, hex);
	blob_path(bd, digest, 0, d2, sizeof(d2));
	blob_path(bd, digest, 1, final, sizeof(final));
	if (mkdir_durable(d1, bd->root, err) == -1 ||
	    mkdir_durable(d2, d1, err) == -1)
		return -1;
	/* link, not rename: an existing blob is never replaced. */
	if (link(tmp, final) == -1 && errno != EEXIST)
		return mv_fail(err, MV_EIO, "cannot link \"%s\": %s", final,
		    strerror(errno));
	mv_test_crash_at("after-rename");
	return fsync_dir(d2, err);
}

static int
dir_writer_commit(struct mv_blob_writer *bw, struct mv_blobref *ref,
    struct mv_err *err)
{
	struct dirwriter *w = (struct dirwriter *)bw;
	int rc = -1;

	mv_test_crash_at("after-write");
	if (fsync(w->fd) == -1) {
		mv_fail(err, MV_EIO, "cannot fsync \"%s\": %s", w->path,
		    strerror(errno));
		goto done;
	}
	mv_test_crash_at("after-fsync");
	ref->size = w->base.size;
	if (mv_sha256_final(w->base.sha, ref->digest, err) == -1 ||
	    dir_link((struct blobdir *)w->base.bs, w->path, ref->digest,
	    err) == -1)
		goto done;
	rc = 0;
done:
	dir_writer_abort(bw);
	return rc;
}

/*
 * A finished file in the store's own tmp/ whose digest the caller computed
 * while writing it (a download): fsynced and linked into place as it is,
 * without a second copy.  The caller still removes its temporary name.
 */
static int
dir_adopt(struct mv_blobstore *bs, const char *path,
    const unsigned char *digest, struct mv_blobref *ref, struct mv_err *err)
{
	struct blobdir *bd = (struct blobdir *)bs;
	size_t n = strlen(bd->tmp);
	struct stat sb;
	int fd, rc;

	if (strncmp(path, bd->tmp, n) != 0 || path[n] != '/' ||
	    strchr(path + n + 1, '/') != NULL)
		return mv_fail(err, MV_EINVAL, "\"%s\" is not a temporary file "
		    "of the store", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mv_fail(err, MV_EIO, "cannot open \"%s\": %s", path,
		    strerror(errno));
	rc = fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || fsync(fd) == -1 ?
	    mv_fail(err, MV_EIO, "cannot fsync \"%s\": %s", path,
	    strerror(errno)) : 0;
	close(fd);
	if (rc == -1)
		return -1;
	ref->size = (uint64_t)sb.st_size;
	memcpy(ref->digest, digest, MV_SHA256_LEN);
	return dir_link(bd, path, digest, err);
}

static int
dir_open(struct mv_blobstore *bs, const unsigned char *digest, int *fd,
    uint64_t *size, struct mv_err *err)
{
	char path[PATH_MAX];
	struct stat sb;

	blob_path((struct blobdir *)bs, digest, 1, path, sizeof(path));
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot open blob \"%s\": %s", path, strerror(errno));
	if (fstat(*fd, &sb) == -1) {
		close(*fd);
		*fd = -1;
		return mv_fail(err, MV_EIO, "cannot stat blob \"%s\": %s",
		    path, strerror(errno));
	}
	*size = (uint64_t)sb.st_size;
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

static int
dir_remove(struct mv_blobstore *bs, const unsigned char *digest,
    struct mv_err *err)
{
	char path[PATH_MAX];

	blob_path((struct blobdir *)bs, digest, 1, path, sizeof(path));
	if (unlink(path) == -1)
		return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot remove blob \"%s\": %s", path, strerror(errno));
	return 0;
}

static int
dir_local_path(struct mv_blobstore *bs, const unsigned char *digest,
    char *out, size_t outsz, struct mv_err *err)
{
	char path[PATH_MAX];

	blob_path((struct blobdir *)bs, digest, 1, path, sizeof(path));
	if (strlen(path) >= outsz)
		return mv_fail(err, MV_ELIMIT, "blob path too long");
	memcpy(out, path, strlen(path) + 1);
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

/* Is this temporary file still wanted by a live writer? */
static int
tmp_is_live(const char *name, const struct stat *sb, time_t now)
{
	long pid;
	char *end;

	if (now - sb->st_mtime > MV_BLOB_TMP_MAX_AGE)
		return 0;
	if (strncmp(name, "blob-", 5) != 0)
		return 1;	/* not ours to judge until it is old */
	errno = 0;
	pid = strtol(name + 5, &end, 10);
	if (errno != 0 || end == name + 5 || *end != '-' || pid <= 0 ||
	    pid > INT_MAX)
		return 1;
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

static int
dir_clean_tmp(struct mv_blobstore *bs, struct mv_err *err)
{
	struct blobdir *bd = (struct blobdir *)bs;
	char path[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	time_t now = time(NULL);
	DIR *d;

	if ((d = opendir(bd->tmp)) == NULL)
		return errno == ENOENT ? 0 : mv_fail(err, MV_EIO,
		    "cannot read \"%s\": %s", bd->tmp, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", bd->tmp, de->d_name);
		if (lstat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		if (!tmp_is_live(de->d_name, &sb, now))
			unlink(path);
	}
	closedir(d);
	return 0;
}

static void
dir_close(struct mv_blobstore *bs)
{
	free(bs);
}

static const struct mv_blobstore_ops dir_ops = {
	.writer_open = dir_writer_open,
	.writer_write = dir_writer_write,
	.writer_commit = dir_writer_commit,
	.writer_abort = dir_writer_abort,
	.open = dir_open,
	.stat = dir_stat,
	.remove = dir_remove,
	.iterate = dir_iterate,
	.local_path = dir_local_path,
	.clean_tmp = dir_clean_tmp,
	.adopt = dir_adopt,
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
	    sizeof(bd->root) ||
	    (size_t)snprintf(bd->tmp, sizeof(bd->tmp), "%s/tmp", dir) >=
	    sizeof(bd->tmp)) {
		free(bd);
		return mv_fail(err, MV_ELIMIT, "data directory name too long");
	}
	if (create && (mkdir_durable(bd->root, dir, err) == -1 ||
	    mkdir_durable(bd->tmp, dir, err) == -1))
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

int
mv_blob_write(struct mv_blob_writer *w, const void *p, size_t n,
    struct mv_err *err)
{
	if (mv_sha256_update(w->sha, p, n, err) == -1 ||
	    w->bs->ops->writer_write(w, p, n, err) == -1)
		return -1;
	/* A test hook: die once a large blob is partly written. */
	if (w->size < (1u << 20) && w->size + n >= (1u << 20))
		mv_test_crash_at("mid-write");
	w->size += n;
	return 0;
}

int
mv_blob_put_mem(struct mv_blobstore *bs, const void *p, size_t n,
    struct mv_blobref *ref, struct mv_err *err)
{
	struct mv_blob_writer *w;

	if (bs->ops->writer_open(bs, &w, err) == -1)
		return -1;
	if (mv_blob_write(w, p, n, err) == -1) {
		bs->ops->writer_abort(w);
		return -1;
	}
	return bs->ops->writer_commit(w, ref, err);
}

static int
copy_fd(struct mv_blob_writer *w, int fd, const char *path, struct mv_err *err)
{
	char *chunk;
	ssize_t k;
	int rc = 0;

	if ((chunk = malloc(COPY_CHUNK)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	while (rc == 0 && (k = read(fd, chunk, COPY_CHUNK)) != 0) {
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			rc = mv_fail(err, MV_EIO, "cannot read \"%s\": %s",
			    path, strerror(errno));
		else
			rc = mv_blob_write(w, chunk, (size_t)k, err);
	}
	free(chunk);
	return rc;
}

int
mv_blob_put_file(struct mv_blobstore *bs, const char *path,
    struct mv_blobref *ref, struct mv_err *err)
{
	struct mv_blob_writer *w;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot open \"%s\": %s", path, strerror(errno));
	if (bs->ops->writer_open(bs, &w, err) == -1) {
		close(fd);
		return -1;
	}
	if (copy_fd(w, fd, path, err) == -1) {
		close(fd);
		bs->ops->writer_abort(w);
		return -1;
	}
	close(fd);
	return bs->ops->writer_commit(w, ref, err);
}
