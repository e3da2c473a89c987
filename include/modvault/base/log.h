/*
 * log.h: one-line log records, on stderr (which every web server puts in
 * its error log), to syslog, or appended to a file (config key `log`).
 *
 * A line is "2026-12-03T07:41:02.123Z modvault[PID]: LEVEL: message": an
 * RFC 3339 UTC time with milliseconds, the process id and the level (to
 * syslog: "LEVEL: message", since syslog adds the time and the pid).
 * Control bytes in messages are escaped, because module paths and
 * versions in them come from requests.
 */
#ifndef MODVAULT_LOG_H
#define MODVAULT_LOG_H

#include <stdbool.h>
#include <time.h>

#include "modvault/base/err.h"

enum mv_log_level { MV_LOG_ERROR, MV_LOG_WARN, MV_LOG_INFO, MV_LOG_DEBUG };

void	 mv_log_set_level(enum mv_log_level level);
enum mv_log_level mv_log_get_level(void);
void	 mv_log(enum mv_log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define mv_log_error(...)	mv_log(MV_LOG_ERROR, __VA_ARGS__)
#define mv_log_warn(...)	mv_log(MV_LOG_WARN, __VA_ARGS__)
#define mv_log_info(...)	mv_log(MV_LOG_INFO, __VA_ARGS__)
#define mv_log_debug(...)	mv_log(MV_LOG_DEBUG, __VA_ARGS__)

/*
 * Where lines go from now on: "stderr", "syslog" (ident modvault,
 * facility daemon) or a file's absolute path, opened for append.  A
 * service (the responder) creates the file if need be and reopens it on
 * SIGHUP; the CLI only appends to a file that exists (one it created as
 * root would shut the web server's user out), else logs to stderr.  Every process reopens the
 * file at its next line when it was renamed or removed (checked at most
 * once a second).  On failure lines stay where they went and err names
 * the file.
 */
int	 mv_log_open(const char *where, bool service, struct mv_err *err);

/* "2026-12-03T07:41:02.123Z" (RFC 3339, UTC, milliseconds) and a NUL. */
#define MV_LOG_STAMP_BYTES	25
void	 mv_log_stamp(const struct timespec *ts, char out[MV_LOG_STAMP_BYTES]);

#endif
