/* slots.c: bounded concurrency on OFD byte locks (see slots.h). */
#define _GNU_SOURCE		/* F_OFD_SETLK, F_OFD_GETLK */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modvault/store/slots.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/*
 * Opens DATA_DIR/NAME (name is the caller's constant, never input): to
 * take a slot, read-write and created; to count them, read-only and not
 * created, so asking changes nothing (*fd = -1 when there is no file).
 */
static int
open_slots(const char *data_dir, const char *name, unsigned n, bool take,
    int *fd, struct mv_err *err)
{
	char path[PATH_MAX];

	if (n == 0 || n > MV_SLOTS_MAX)
		return mv_fail(err, MV_EINVAL, "slots: %u is not 1 to %d", n,
		    MV_SLOTS_MAX);
	if (snprintf(path, sizeof(path), "%s/%s", data_dir, name) >=
	    (int)sizeof(path))
		return mv_fail(err, MV_EINVAL, "slots: path too long");
	*fd = open(path, (take ? O_RDWR | O_CREAT : O_RDONLY) | O_NOFOLLOW |
	    O_CLOEXEC, 0666);
	if (*fd == -1 && (take || errno != ENOENT))
		return mv_fail(err, mv_errno_code(errno), "cannot open %s: %s",
		    path, strerror(errno));
	return 0;
}

static void
byte_lock(struct flock *fl, short type, unsigned i)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)i;
	fl->l_len = 1;
}

int
mv_slots_take(const char *data_dir, const char *name, unsigned n, int *fd,
    struct mv_err *err)
{
	struct flock fl;
	unsigned i;
	int f = -1;

	if (open_slots(data_dir, name, n, true, &f, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		byte_lock(&fl, F_WRLCK, i);
		if (fcntl(f, F_OFD_SETLK, &fl) == 0) {
			*fd = f;
			return 1;
		}
		if (errno != EAGAIN && errno != EACCES) {
			mv_fail(err, mv_errno_code(errno), "cannot lock %s: "
			    "%s", name, strerror(errno));
			close(f);
			return -1;
		}
	}
	close(f);
	return 0;
}

int
mv_slots_held(const char *data_dir, const char *name, unsigned n,
    unsigned *held, struct mv_err *err)
{
	struct flock fl;
	unsigned i;
	int f = -1;

	*held = 0;
	if (open_slots(data_dir, name, n, false, &f, err) == -1)
		return -1;
	if (f == -1)
		return 0;	/* no holder has ever been */
	for (i = 0; i < n; i++) {
		byte_lock(&fl, F_WRLCK, i);
		if (fcntl(f, F_OFD_GETLK, &fl) == -1) {
			mv_fail(err, mv_errno_code(errno), "cannot query %s: "
			    "%s", name, strerror(errno));
			close(f);
			return -1;
		}
		if (fl.l_type != F_UNLCK)
			(*held)++;
	}
	close(f);
	return 0;
}
