/*
 * err.h: the one error convention used by every part of modvault.
 *
 * A function that can fail returns 0 on success and -1 on failure, and on
 * failure fills the caller's struct mv_err (which may be NULL when the caller
 * does not care why).  The code classifies the failure so the responder can
 * pick an HTTP status and the CLI an exit status; the message is one line of
 * text meant for a human ("invalid module path \"x\": missing dot in first
 * path element").  Predicates that cannot fail return bool instead.
 */
#ifndef MODVAULT_ERR_H
#define MODVAULT_ERR_H

#include <stdarg.h>

enum mv_code {
	MV_OK = 0,
	MV_EINVAL,	/* bad input: request, path, version, argument */
	MV_ENOTFOUND,	/* no such module, version or blob */
	MV_EGONE,	/* permanently unavailable */
	MV_EFORBIDDEN,	/* refused by policy */
	MV_ENOMEM,	/* allocation failed */
	MV_EIO,		/* the file system or database failed */
	MV_ECORRUPT,	/* stored or received bytes fail a check */
	MV_ELIMIT,	/* a size or count bound was exceeded */
	MV_EUPSTREAM,	/* the upstream answered badly or not at all */
	MV_ETIMEOUT,	/* a bounded wait ran out */
	MV_ECONFIG,	/* the configuration is wrong */
	MV_CODE__MAX
};

#define MV_ERR_MSG_MAX 512

struct mv_err {
	enum mv_code	code;
	char		msg[MV_ERR_MSG_MAX];
};

/* Fills err (if not NULL) with code and a printf-style message; returns -1. */
int		 mv_fail(struct mv_err *err, enum mv_code code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
int		 mv_vfail(struct mv_err *err, enum mv_code code, const char *fmt,
		    va_list ap) __attribute__((format(printf, 3, 0)));
/* Prefixes an existing message with context ("store: " ...); returns -1. */
int		 mv_wrap(struct mv_err *err, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 mv_err_clear(struct mv_err *err);
/* A stable lower-case name for a code ("invalid", "not found", ...). */
const char	*mv_code_name(enum mv_code code);

#endif
