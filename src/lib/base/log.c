/*
 * log.c: one line per event on stderr.
 *
 * Each record is "modvault[pid]: LEVEL: message".  The web servers add
 * their own timestamp when they copy stderr into their error log, so none
 * is added here.  Messages contain module paths and versions taken from
 * requests, so every byte outside printable ASCII is written as \xNN: a
 * hostile request can neither forge a log line nor send terminal escapes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modvault/base/limits.h"
#include "modvault/base/log.h"
#include "modvault/base/text.h"

static enum mv_log_level log_level = MV_LOG_WARN;

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

void
mv_log(enum mv_log_level level, const char *fmt, ...)
{
	char msg[MV_LOG_MSG_MAX_BYTES], line[4 * MV_LOG_MSG_MAX_BYTES + 128];
	va_list ap;
	int off;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	off = snprintf(line, sizeof(line), "modvault[%ld]: %s: ",
	    (long)getpid(), level_names[level]);
	mv_printable(msg, line + off, sizeof(line) - (size_t)off - 1);
	off += (int)strlen(line + off);
	line[off++] = '\n';
	/* One write, so records from several processes do not interleave. */
	(void)!write(STDERR_FILENO, line, (size_t)off);
}
