/*
 * log.c: one line per event, on stderr, to syslog or in a file (log.h).
 *
 * Each line carries its own time, so that lines from a file, from
 * spawn-fcgi's stderr or from a web server that does not stamp its
 * children's stderr can be read alone.  Messages contain module paths and
 * versions taken from requests, so every byte outside printable ASCII is
 * written as \xNN: a hostile request can neither forge a log line nor send
 * terminal escapes.  A line is one write(2) on an O_APPEND descriptor, so
 * lines from several processes never interleave.
 *
 * A log file is reopened when SIGHUP arrives (the handler only sets a
 * flag: the reopen happens before the next line, outside the handler) and
 * when its name no longer leads to the open file (logrotate moved it
 * away), which is checked at most once a second with one stat.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/limits.h"
#include "modvault/base/log.h"
#include "modvault/base/text.h"

enum dest { DEST_STDERR, DEST_SYSLOG, DEST_FILE };

static enum mv_log_level log_level = MV_LOG_WARN;
static enum dest dest = DEST_STDERR;
static int log_fd = STDERR_FILENO;
static char log_path[PATH_MAX];
static bool log_create;
static time_t last_check;		/* CLOCK_MONOTONIC seconds */
static volatile sig_atomic_t hup;

void
mv_log_set_level(enum mv_log_level level)
{
	log_level = level;
}

enum mv_log_level
mv_log_get_level(void)
{
	return log_level;
}

static const char *const level_names[] = {
	[MV_LOG_ERROR] = "error",
	[MV_LOG_WARN] = "warning",
	[MV_LOG_INFO] = "info",
	[MV_LOG_DEBUG] = "debug",
};

static const int level_priorities[] = {
	[MV_LOG_ERROR] = LOG_ERR,
	[MV_LOG_WARN] = LOG_WARNING,
	[MV_LOG_INFO] = LOG_INFO,
	[MV_LOG_DEBUG] = LOG_DEBUG,
};

void
mv_log_stamp(const struct timespec *ts, char out[MV_LOG_STAMP_BYTES])
{
	int ms = (int)(ts->tv_nsec / 1000000 % 1000);
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	/* Years 0 to 9999: always 19 characters. */
	if (strftime(out, MV_LOG_STAMP_BYTES, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
		memcpy(out, "0000-00-00T00:00:00", 20);
	out[19] = '.';
	out[20] = (char)('0' + ms / 100);
	out[21] = (char)('0' + ms / 10 % 10);
	out[22] = (char)('0' + ms % 10);
	out[23] = 'Z';
	out[24] = '\0';
}

static void
on_hup(int sig)
{
	(void)sig;
	hup = 1;
}

static int
open_file(const char *path, bool create)
{
	return open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY |
	    (create ? O_CREAT : 0), 0640);
}

/* Takes fd as the log file (path), closing the previous one. */
static void
use_file(int fd, const char *path)
{
	if (dest == DEST_FILE && log_fd != fd)
		close(log_fd);
	if (dest == DEST_SYSLOG)
		closelog();
	log_fd = fd;
	if (log_path != path)
		snprintf(log_path, sizeof(log_path), "%s", path);
	dest = DEST_FILE;
}

static void
use_stderr(void)
{
	if (dest == DEST_FILE)
		close(log_fd);
	if (dest == DEST_SYSLOG)
		closelog();
	log_fd = STDERR_FILENO;
	dest = DEST_STDERR;
}

int
mv_log_open(const char *where, bool service, struct mv_err *err)
{
	struct sigaction sa;
	int fd;

	/*
	 * A service takes SIGHUP as "reopen the log" whatever the log is:
	 * systemctl reload, or logrotate's postrotate, must not kill a
	 * responder that logs to stderr or syslog.
	 */
	if (service) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_hup;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		(void)sigaction(SIGHUP, &sa, NULL);
	}
	if (where == NULL || *where == '\0' || strcmp(where, "stderr") == 0) {
		use_stderr();
		return 0;
	}
	if (strcmp(where, "syslog") == 0) {
		use_stderr();
		openlog("modvault", LOG_PID, LOG_DAEMON);
		dest = DEST_SYSLOG;
		return 0;
	}
	if (where[0] != '/' || strlen(where) >= sizeof(log_path))
		return mv_fail(err, MV_ECONFIG, "log: %s: not an absolute path "
		    "of at most %zu bytes", where, sizeof(log_path) - 1);
	if ((fd = open_file(where, service)) == -1 && !service &&
	    errno == ENOENT) {
		use_stderr();
		return 0;
	}
	if (fd == -1)
		return mv_fail(err, MV_ECONFIG, "log: cannot open %s: %s; "
		    "logging to stderr", where, strerror(errno));
	use_file(fd, where);
	log_create = service;
	return 0;
}

/* Is the open file still the one the path names (at most once a second)? */
static bool
rotated(void)
{
	struct timespec now;
	struct stat a, b;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec == last_check)
		return false;
	last_check = now.tv_sec;
	if (fstat(log_fd, &a) == -1 || stat(log_path, &b) == -1)
		return true;
	return a.st_ino != b.st_ino || a.st_dev != b.st_dev || a.st_nlink == 0;
}

/*
 * SIGHUP or rotation: the path again.  When it cannot be opened the old
 * file keeps the lines (better than losing them), and stderr says why.
 */
static void
reopen_if_due(void)
{
	char msg[PATH_MAX + 128];
	int fd, n;

	if (dest != DEST_FILE || (!hup && !rotated()))
		return;
	hup = 0;
	if ((fd = open_file(log_path, log_create)) != -1) {
		use_file(fd, log_path);
		return;
	}
	n = snprintf(msg, sizeof(msg), "modvault[%ld]: error: log: cannot "
	    "reopen %s: %s\n", (long)getpid(), log_path, strerror(errno));
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n < sizeof(msg) ?
		    (size_t)n : sizeof(msg) - 1);
}

void
mv_log(enum mv_log_level level, const char *fmt, ...)
{
	char msg[MV_LOG_MSG_MAX_BYTES], line[4 * MV_LOG_MSG_MAX_BYTES + 128];
	char stamp[MV_LOG_STAMP_BYTES];
	struct timespec ts;
	va_list ap;
	int off;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (dest == DEST_SYSLOG) {
		mv_printable(msg, line, sizeof(line));
		syslog(level_priorities[level], "%s: %s", level_names[level],
		    line);
		return;
	}
	reopen_if_due();
	clock_gettime(CLOCK_REALTIME, &ts);
	mv_log_stamp(&ts, stamp);
	off = snprintf(line, sizeof(line), "%s modvault[%ld]: %s: ", stamp,
	    (long)getpid(), level_names[level]);
	mv_printable(msg, line + off, sizeof(line) - (size_t)off - 1);
	off += (int)strlen(line + off);
	line[off++] = '\n';
	/* One write, so records from several processes do not interleave. */
	(void)!write(log_fd, line, (size_t)off);
}
