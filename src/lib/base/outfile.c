/* outfile.c: a named output file replaced atomically (see outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modvault/base/outfile.h"

static int
open_in_place(struct mv_outfile *o, struct mv_err *err)
{
	o->in_place = true;
	if ((o->fd = open(o->path, O_WRONLY | O_CLOEXEC)) == -1)
		return mv_fail(err, mv_errno_code(errno), "cannot open %s: %s",
		    o->path, strerror(errno));
	return 0;
}

int
mv_outfile_open(struct mv_outfile *o, const char *path, struct mv_err *err)
{
	struct stat sb;
	mode_t mask;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (snprintf(o->path, sizeof(o->path), "%s", path) >=
	    (int)sizeof(o->path) ||
	    snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.XXXXXX", path) >=
	    (int)sizeof(o->tmp))
		return mv_fail(err, MV_EINVAL, "output path too long: %.64s...",
		    path);
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return open_in_place(o, err);
	if ((o->fd = mkstemp(o->tmp)) == -1)
		return mv_fail(err, mv_errno_code(errno), "cannot create %s: "
		    "%s", path, strerror(errno));
	mask = umask(0);
	umask(mask);
	if (fchmod(o->fd, 0666 & ~mask) == -1) {
		mv_fail(err, mv_errno_code(errno), "%s: %s", o->tmp,
		    strerror(errno));
		mv_outfile_abort(o);
		return -1;
	}
	return 0;
}

/* Syncs the directory holding path, so the rename survives a crash. */
static int
sync_parent(const char *path, struct mv_err *err)
{
	char dir[PATH_MAX];
	int fd, rc = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || fsync(fd) == -1)
		rc = mv_fail(err, mv_errno_code(errno), "%s: syncing its "
		    "directory: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	return rc;
}

int
mv_outfile_commit(struct mv_outfile *o, struct mv_err *err)
{
	int rc = 0;

	/* A pipe or terminal cannot be synced (EINVAL): nothing to keep. */
	if (fsync(o->fd) == -1 && !(o->in_place && errno == EINVAL))
		rc = mv_fail(err, mv_errno_code(errno), "%s: %s", o->path,
		    strerror(errno));
	if (close(o->fd) == -1 && rc == 0)
		rc = mv_fail(err, mv_errno_code(errno), "%s: %s", o->path,
		    strerror(errno));
	o->fd = -1;
	if (o->in_place)
		return rc;
	if (rc == 0 && rename(o->tmp, o->path) == -1)
		rc = mv_fail(err, mv_errno_code(errno), "cannot replace %s: "
		    "%s", o->path, strerror(errno));
	if (rc == -1) {
		unlink(o->tmp);
		return -1;
	}
	return sync_parent(o->path, err);
}

void
mv_outfile_abort(struct mv_outfile *o)
{
	if (o->fd != -1)
		close(o->fd);
	o->fd = -1;
	if (!o->in_place)
		unlink(o->tmp);
}
