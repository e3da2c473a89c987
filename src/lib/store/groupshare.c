/*
 * groupshare.c: a store shared by a group.
 *
 * A Debian install has two users writing one store: the web server's
 * (www-data: Apache's and lighttpd's FastCGI children) and modvault's own
 * (the systemd service, the gc timer, the maintainer scripts), whose
 * group is www-data.  As with git's core.sharedRepository = group, the
 * data directory's set-group-ID bit (chmod 2775) says so: new files and
 * directories then take its group (the kernel's doing) and, because
 * every process that opens such a store clears the group bits of its
 * umask, are writable by that group.  A store without the bit is left as
 * it always was: the umask of whoever runs modvault decides.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "index_priv.h"

bool
mv_store_share_group(const char *dir)
{
	struct stat sb;
	mode_t old;

	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
	    !(sb.st_mode & S_ISGID))
		return false;
	old = umask(0);
	umask(old & ~(mode_t)(S_IRWXG));
	return true;
}

void
mv_store_share_file(const char *path)
{
	struct stat sb;

	/* SQLite creates its files 0644 whatever the umask allows. */
	if (stat(path, &sb) == 0 && sb.st_uid == geteuid() &&
	    (sb.st_mode & (S_IRGRP | S_IWGRP)) != (S_IRGRP | S_IWGRP))
		(void)chmod(path, (sb.st_mode & 07777) | S_IRGRP | S_IWGRP);
}
