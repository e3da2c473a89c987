/* vcscache.c: the directories of the node's git mirrors (vcscache.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modvault/store/vcscache.h"

static int
make_dir(const char *path, struct mv_err *err)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return mv_fail(err, mv_errno_code(errno), "cannot make %s: %s",
		    path, strerror(errno));
	return 0;
}

/* home/.netrc -> netrc, replaced atomically when it names another file. */
static int
link_netrc(const char *home, const char *netrc, struct mv_err *err)
{
	char link[PATH_MAX], tmp[PATH_MAX], cur[PATH_MAX];
	ssize_t n;

	if ((size_t)snprintf(link, sizeof(link), "%s/.netrc", home) >=
	    sizeof(link) || (size_t)snprintf(tmp, sizeof(tmp),
	    "%s/.netrc.%ld", home, (long)getpid()) >= sizeof(tmp))
		return mv_fail(err, MV_ELIMIT, "data directory path too long");
	n = readlink(link, cur, sizeof(cur) - 1);
	if (n >= 0)
		cur[n] = '\0';
	if (netrc[0] == '\0') {
		if (n >= 0 && unlink(link) == -1 && errno != ENOENT)
			return mv_fail(err, mv_errno_code(errno), "%s: %s", link,
			    strerror(errno));
		return 0;
	}
	if (n >= 0 && strcmp(cur, netrc) == 0)
		return 0;
	(void)unlink(tmp);
	if (symlink(netrc, tmp) == -1 || rename(tmp, link) == -1) {
		int e = errno;

		(void)unlink(tmp);
		return mv_fail(err, mv_errno_code(e), "%s: %s", link,
		    strerror(e));
	}
	return 0;
}

int
mv_store_vcs_dirs(struct mv_store *st, const char *netrc, char *repos,
    size_t repossz, char *home, size_t homesz, struct mv_err *err)
{
	char top[PATH_MAX];
	const char *dir = mv_store_dir(st);

	if ((size_t)snprintf(top, sizeof(top), "%s/vcs", dir) >= sizeof(top) ||
	    (size_t)snprintf(repos, repossz, "%s/repos", top) >= repossz ||
	    (size_t)snprintf(home, homesz, "%s/home", top) >= homesz)
		return mv_fail(err, MV_ELIMIT, "data directory path too long");
	return make_dir(top, err) == -1 || make_dir(repos, err) == -1 ||
	    make_dir(home, err) == -1 || link_netrc(home, netrc, err) == -1 ?
	    -1 : 0;
}
