/* counters.c: DATA_DIR/counters, created, checked and mapped (see counters.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "counters_priv.h"

/* Lock-free on every platform Debian builds modvault for; said once here. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2,
    "the counters need lock-free 64-bit atomics");

static int
counters_path(const char *data_dir, const char *name, char *out,
    size_t outsz, struct mv_err *err)
{
	int n = snprintf(out, outsz, "%s/%s", data_dir, name);

	if (n < 0 || (size_t)n >= outsz)
		return mv_fail(err, MV_ELIMIT, "counters: data_dir too long");
	return 0;
}

/*
 * Writes a fresh file under a temporary name and links it into place: a
 * process that finds the file finds it whole.  Losing the race to another
 * creator is success (its file is as good).
 */
static int
create_file(const char *data_dir, const char *path, struct mv_err *err)
{
	struct mv_counters_file *hdr;
	char tmp[PATH_MAX];
	mode_t mask;
	int fd, rc = 0;

	if (counters_path(data_dir, "counters.tmp.XXXXXX", tmp, sizeof(tmp),
	    err) == -1)
		return -1;
	if ((fd = mkstemp(tmp)) == -1)
		return mv_fail(err, mv_errno_code(errno),
		    "counters: creating a file in %s: %s", data_dir,
		    strerror(errno));
	if ((hdr = calloc(1, sizeof(*hdr))) == NULL) {
		rc = mv_fail(err, MV_ENOMEM, "out of memory");
		goto out;
	}
	/* The mode open(2) would give (mkstemp's is 0600). */
	mask = umask(0);
	umask(mask);
	memcpy(hdr->magic, MV_COUNTERS_MAGIC, sizeof(hdr->magic));
	hdr->layout = MV_COUNTERS_LAYOUT;
	hdr->size = sizeof(*hdr);
	if (write(fd, hdr, sizeof(*hdr)) != (ssize_t)sizeof(*hdr) ||
	    fchmod(fd, 0666 & ~mask) == -1 ||
	    (link(tmp, path) == -1 && errno != EEXIST))
		rc = mv_fail(err, mv_errno_code(errno),
		    "counters: creating %s: %s", path, strerror(errno));
	free(hdr);
out:
	close(fd);
	unlink(tmp);
	return rc;
}

/* Is the open file one of this layout, whole? */
static bool
layout_ok(int fd)
{
	struct mv_counters_file hdr;
	struct stat st;

	if (fstat(fd, &st) == -1 || st.st_size != (off_t)sizeof(hdr))
		return false;
	if (pread(fd, &hdr, offsetof(struct mv_counters_file, requests), 0) !=
	    (ssize_t)offsetof(struct mv_counters_file, requests))
		return false;
	return memcmp(hdr.magic, MV_COUNTERS_MAGIC, sizeof(hdr.magic)) == 0 &&
	    hdr.layout == MV_COUNTERS_LAYOUT && hdr.size == sizeof(hdr);
}

/*
 * A file of another layout (an older modvault, a damaged file) is moved
 * aside, unless another process already replaced it (then its inode
 * differs from the one that was checked).
 */
static void
move_aside(int fd, const char *data_dir, const char *path)
{
	char old[PATH_MAX];
	struct stat a, b;

	if (fstat(fd, &a) == -1 || stat(path, &b) == -1 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		return;
	if (counters_path(data_dir, "counters.old", old, sizeof(old),
	    NULL) == 0)
		(void)rename(path, old);
}

int
mv_counters_open(struct mv_counters **cp, const char *data_dir,
    struct mv_err *err)
{
	struct mv_counters *c;
	char path[PATH_MAX];
	void *p;
	int fd = -1, tries;

	*cp = NULL;
	if (counters_path(data_dir, "counters", path, sizeof(path), err) == -1)
		return -1;
	for (tries = 0; tries < 3; tries++) {
		if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
			if (errno != ENOENT)
				break;
			if (create_file(data_dir, path, err) == -1)
				return -1;
			continue;
		}
		if (layout_ok(fd))
			break;
		move_aside(fd, data_dir, path);
		close(fd);
		fd = -1;
	}
	if (fd == -1)
		return mv_fail(err, MV_EIO, "counters: cannot open %s: %s",
		    path, errno ? strerror(errno) : "another layout");
	p = mmap(NULL, sizeof(struct mv_counters_file), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return mv_fail(err, MV_EIO, "counters: mapping %s: %s", path,
		    strerror(errno));
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		munmap(p, sizeof(struct mv_counters_file));
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	c->f = p;
	*cp = c;
	return 0;
}

void
mv_counters_close(struct mv_counters *c)
{
	if (c == NULL)
		return;
	munmap(c->f, sizeof(*c->f));
	free(c);
}
