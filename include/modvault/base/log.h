/*
 * log.h: one-line log records on stderr, which every web server puts in
 * its error log.  Control bytes in messages are escaped, because module
 * paths and versions in them come from requests.
 */
#ifndef MODVAULT_LOG_H
#define MODVAULT_LOG_H

enum mv_log_level { MV_LOG_ERROR, MV_LOG_WARN, MV_LOG_INFO, MV_LOG_DEBUG };

void	 mv_log_set_level(enum mv_log_level level);
enum mv_log_level mv_log_get_level(void);
void	 mv_log(enum mv_log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define mv_log_error(...)	mv_log(MV_LOG_ERROR, __VA_ARGS__)
#define mv_log_warn(...)	mv_log(MV_LOG_WARN, __VA_ARGS__)
#define mv_log_info(...)	mv_log(MV_LOG_INFO, __VA_ARGS__)
#define mv_log_debug(...)	mv_log(MV_LOG_DEBUG, __VA_ARGS__)

#endif
