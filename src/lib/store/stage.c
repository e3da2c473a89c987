/* stage.c: the store's node-local staging area (see stage.h). */
/*
 * On disk: DIR/stage-XXXXXX files being written (mode 0444, each under an
 * exclusive flock held by its creator) and DIR/claim-<hex> lock files of
 * claim.c.  Nothing here is ever a blob: the blob backend adopts a staged
 * file by linking it under its digest, after which the staged name is
 * removed.  File names come from mkstemp and digests, never from input.
 */
#define _GNU_SOURCE		/* mkostemp(3) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modvault/store/blob.h"
#include "modvault/store/stage.h"
#include "stage_priv.h"

#define COPY_CHUNK	(64 * 1024)

struct mv_stage {
	char	dir[PATH_MAX / 2];
};

struct mv_staged {
	int		fd;
	uint64_t	written;	/* through mv_staged_write */
	char		path[PATH_MAX];
};

int
mv_stage_open(const char *dir, struct mv_stage **sgp, struct mv_err *err)
{
	struct mv_stage *sg;
	struct stat sb;

	if (dir[0] != '/')
		return mv_fail(err, MV_EINVAL, "staging directory \"%s\" is not "
		    "absolute", dir);
	if ((sg = calloc(1, sizeof(*sg))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	if ((size_t)snprintf(sg->dir, sizeof(sg->dir), "%s", dir) >=
	    sizeof(sg->dir)) {
		free(sg);
		return mv_fail(err, MV_EINVAL, "staging directory name too "
		    "long");
	}
	if (mkdir(dir, 0777) == -1 && errno != EEXIST) {
		mv_fail(err, MV_EIO, "cannot create \"%s\": %s", dir,
		    strerror(errno));
		goto fail;
	}
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		mv_fail(err, MV_EIO, "staging area \"%s\" is not a directory",
		    dir);
		goto fail;
	}
	*sgp = sg;
	return 0;
fail:
	free(sg);
	return -1;
}

void
mv_stage_close(struct mv_stage *sg)
{
	free(sg);
}

const char *
mv_stage_dir(const struct mv_stage *sg)
{
	return sg->dir;
}

const char *
mv_staged_path(const struct mv_staged *sf)
{
	return sf->path;
}

int
mv_stage_file(struct mv_stage *sg, struct mv_staged **sfp,
    struct mv_err *err)
{
	struct mv_staged *sf;

	if ((sf = calloc(1, sizeof(*sf))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	snprintf(sf->path, sizeof(sf->path), "%s/" MV_STAGE_FILE_PREFIX
	    "XXXXXX", sg->dir);
	if ((sf->fd = mkostemp(sf->path, O_CLOEXEC)) == -1) {
		mv_fail(err, mv_errno_code(errno), "cannot create a staged "
		    "file in \"%s\": %s", sg->dir, strerror(errno));
		free(sf);
		return -1;
	}
	/*
	 * Held until discarded or the process dies: mv_stage_clean leaves a
	 * locked file alone.  Blocking, because a cleaner may hold the lock
	 * for the instant it takes to look at the file's age.
	 */
	if (flock(sf->fd, LOCK_EX) == -1 || fchmod(sf->fd, 0444) == -1) {
		mv_fail(err, MV_EIO, "cannot lock \"%s\": %s", sf->path,
		    strerror(errno));
		mv_staged_discard(sf);
		return -1;
	}
	*sfp = sf;
	return 0;
}

int
mv_staged_write(struct mv_staged *sf, const void *p, size_t n,
    struct mv_err *err)
{
	const char *s = p;
	ssize_t k;

	while (n > 0) {
		if ((k = write(sf->fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return mv_fail(err, mv_errno_code(errno), "cannot write "
			    "a staged file: %s", strerror(errno));
		}
		/* A crash test point: a large file partly written. */
		if (sf->written < MV_MIB && sf->written + (uint64_t)k >= MV_MIB)
			mv_crash_point("mid-write");
		sf->written += (uint64_t)k;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

int
mv_staged_write_buf(struct mv_staged *sf, const struct mv_buf *b,
    struct mv_err *err)
{
	return mv_staged_write(sf, b->data != NULL ? b->data : "", b->len, err);
}

int
mv_staged_fd(const struct mv_staged *sf)
{
	return sf->fd;
}

int
mv_staged_size(const struct mv_staged *sf, uint64_t *size, struct mv_err *err)
{
	struct stat sb;

	if (fstat(sf->fd, &sb) == -1)
		return mv_fail(err, MV_EIO, "cannot stat a staged file: %s",
		    strerror(errno));
	*size = (uint64_t)sb.st_size;
	return 0;
}

int
mv_staged_read(const struct mv_staged *sf, const char *what, size_t max,
    struct mv_buf *out, struct mv_err *err)
{
	uint64_t size, off = 0;
	ssize_t k;

	if (mv_staged_size(sf, &size, err) == -1)
		return -1;
	if (size > max)
		return mv_fail(err, MV_ELIMIT, "%s larger than %zu bytes", what,
		    max);
	if (mv_buf_reserve(out, (size_t)size, err) == -1)
		return -1;
	while (off < size) {
		k = pread(sf->fd, out->data + out->len, (size_t)(size - off),
		    (off_t)off);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return mv_fail(err, MV_EIO, "cannot read the staged %s: "
			    "%s", what, k == 0 ? "file shrank" :
			    strerror(errno));
		off += (uint64_t)k;
		out->len += (size_t)k;
		out->data[out->len] = '\0';
	}
	return 0;
}

void
mv_staged_discard(struct mv_staged *sf)
{
	if (sf == NULL)
		return;
	/* Unlinked before the lock goes, so no cleaner sees it unlocked. */
	unlink(sf->path);
	close(sf->fd);
	free(sf);
}

/* Opens path for a copy: regular files only, never following a link. */
static int
open_source(const char *path, const char *what, uint64_t max, int *fd,
    struct mv_err *err)
{
	struct stat sb;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (*fd == -1)
		return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND :
		    errno == ELOOP ? MV_EINVAL : MV_EIO, "%s: cannot open "
		    "\"%s\": %s", what, path, errno == ELOOP ?
		    "it is a symbolic link" : strerror(errno));
	if (fstat(*fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(*fd);
		return mv_fail(err, MV_EINVAL, "%s: \"%s\" is not a regular "
		    "file", what, path);
	}
	if ((uint64_t)sb.st_size > max) {
		close(*fd);
		return mv_fail(err, MV_ELIMIT, "%s: \"%s\" is larger than %llu "
		    "bytes", what, path, (unsigned long long)max);
	}
	return 0;
}

int
mv_stage_copy_file(struct mv_stage *sg, const char *path, const char *what,
    uint64_t max, struct mv_staged **sfp, struct mv_err *err)
{
	struct mv_staged *sf = NULL;
	uint64_t total = 0;
	char *chunk = NULL;
	int fd, rc = -1;
	ssize_t k;

	if (open_source(path, what, max, &fd, err) == -1)
		return -1;
	if ((chunk = malloc(COPY_CHUNK)) == NULL) {
		mv_fail(err, MV_ENOMEM, "out of memory");
		goto done;
	}
	if (mv_stage_file(sg, &sf, err) == -1)
		goto done;
	while ((k = read(fd, chunk, COPY_CHUNK)) != 0) {
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			mv_fail(err, MV_EIO, "%s: cannot read \"%s\": %s", what,
			    path, strerror(errno));
			goto done;
		}
		/* The file may grow while it is read: the bound holds anyway. */
		if ((total += (uint64_t)k) > max) {
			mv_fail(err, MV_ELIMIT, "%s: \"%s\" is larger than %llu "
			    "bytes", what, path, (unsigned long long)max);
			goto done;
		}
		if (mv_staged_write(sf, chunk, (size_t)k, err) == -1)
			goto done;
	}
	*sfp = sf;
	sf = NULL;
	rc = 0;
done:
	mv_staged_discard(sf);
	free(chunk);
	close(fd);
	return rc;
}

/* Removes dir/name when nobody holds its lock and it is old enough. */
static int
clean_one(int dfd, const char *name, time_t now)
{
	struct stat sb, again;
	int fd, gone = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return 0;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    now - sb.st_mtime >= MV_STAGE_GRACE_SECONDS &&
	    flock(fd, LOCK_EX | LOCK_NB) == 0) {
		/* Still the same file under that name: remove it. */
		if (fstatat(dfd, name, &again, AT_SYMLINK_NOFOLLOW) == 0 &&
		    again.st_ino == sb.st_ino && again.st_dev == sb.st_dev)
			gone = unlinkat(dfd, name, 0) == 0;
	}
	close(fd);
	return gone;
}

int
mv_stage_clean(struct mv_stage *sg, uint64_t *removed, struct mv_err *err)
{
	size_t fl = strlen(MV_STAGE_FILE_PREFIX), cl =
	    strlen(MV_STAGE_CLAIM_PREFIX), rl = strlen(MV_STAGE_REMOVED_PREFIX);
	time_t now = time(NULL);
	struct dirent *de;
	uint64_t n = 0;
	DIR *d;

	if ((d = opendir(sg->dir)) == NULL)
		return mv_fail(err, MV_EIO, "cannot read \"%s\": %s", sg->dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, MV_STAGE_FILE_PREFIX, fl) == 0 ||
		    strncmp(de->d_name, MV_STAGE_CLAIM_PREFIX, cl) == 0 ||
		    strncmp(de->d_name, MV_STAGE_REMOVED_PREFIX, rl) == 0 ||
		    strncmp(de->d_name, "blob-", 5) == 0)
			n += (uint64_t)clean_one(dirfd(d), de->d_name, now);
	closedir(d);
	if (removed != NULL)
		*removed = n;
	return 0;
}
