/*
 * listen.c: socket activation (sd_listen_fds(3)'s protocol) for
 * modvault.fcgi.
 *
 * systemd passes listening sockets as fds 3, 4, ... and says so in
 * LISTEN_PID (the process they are meant for) and LISTEN_FDS (how many).
 * libfcgi only knows the other convention, a listening socket on fd 0,
 * so the one socket is moved there.  Done by hand rather than with
 * libsystemd: the protocol is these two variables and a dup2, and the
 * responder then runs the same under systemd, spawn-fcgi and every web
 * server without another library loaded into each FastCGI process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen.h"

#define SD_LISTEN_FDS_START 3

/* A decimal number in [1, max], nothing else. */
static int
parse_count(const char *s, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out >= 1 &&
	    *out <= max ? 0 : -1;
}

static void
unset_vars(void)
{
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

int
mv_listen_adopt(char *why, size_t whylen)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int type = 0;
	socklen_t len = sizeof(type);
	long n, p;

	if (pid == NULL || fds == NULL)
		return 0;
	/* Meant for another process (a parent that exec'd us is not us). */
	if (parse_count(pid, 0x7fffffffL, &p) == -1 || p != (long)getpid()) {
		unset_vars();
		return 0;
	}
	unset_vars();
	if (parse_count(fds, 1, &n) == -1) {
		snprintf(why, whylen, "LISTEN_FDS=\"%.32s\": modvault.fcgi "
		    "serves exactly one socket (ListenStream= once)", fds);
		return -1;
	}
	if (getsockopt(SD_LISTEN_FDS_START, SOL_SOCKET, SO_TYPE, &type,
	    &len) == -1 || type != SOCK_STREAM) {
		snprintf(why, whylen, "LISTEN_FDS: fd %d is not a stream "
		    "socket", SD_LISTEN_FDS_START);
		return -1;
	}
	if (dup2(SD_LISTEN_FDS_START, STDIN_FILENO) == -1) {
		snprintf(why, whylen, "LISTEN_FDS: cannot move fd %d to 0: %s",
		    SD_LISTEN_FDS_START, strerror(errno));
		return -1;
	}
	close(SD_LISTEN_FDS_START);
	return 1;
}
