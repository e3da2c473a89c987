/*
 * err.h: the one error convention used by every part of modvault.
 *
 * A function that can fail returns 0 on success and -1 on failure, and on
 * failure records why in the caller's struct mv_err (which may be NULL
 * when the caller does not care why).  The code classifies the failure;
 * the message is one line of text for a human ("invalid module path
 * \"x\": missing dot in first path element").  Predicates that cannot
 * fail return bool instead.
 *
 * The first failure recorded wins: mv_fail on a report that already holds
 * one changes nothing, so the cause is never overwritten by the failure
 * of a clean-up or a caller's later step.  A report must therefore start
 * empty (MV_ERR_INIT or mv_err_clear).  Code that recovers from a failure
 * (a miss that is then fetched, a fall-through to the next upstream) makes
 * the call with a report of its own, branches on that, and passes it on
 * with mv_err_pass only when it gives up; so no control flow ever depends
 * on a report the caller may have passed as NULL.
 *
 * The code decides the HTTP status the responder answers and the exit
 * status of the CLI, through the one table in err.c.  Failures are
 * classified where they happen: what an upstream did wrong is
 * MV_EUPSTREAM, never a local code, and a local failure (disk, memory,
 * a damaged store) is never MV_EUPSTREAM.  Bytes that fail a check are
 * MV_ECORRUPT (or MV_ELIMIT for a size rule) wherever they came from;
 * the code that knows where (fill.c: an upstream) says whose fault it is.
 */
#ifndef MODVAULT_ERR_H
#define MODVAULT_ERR_H

#include <stdarg.h>
#include <stdbool.h>

#include "modvault/base/limits.h"

/* Append-only: a code keeps its number. */
enum mv_code {
	MV_OK = 0,
	MV_EINVAL,	/* bad input: request, path, version, argument */
	MV_ENOTFOUND,	/* no such module, version or blob */
	MV_EGONE,	/* permanently unavailable */
	MV_EFORBIDDEN,	/* refused by policy */
	MV_ENOMEM,	/* allocation failed */
	MV_EIO,		/* the local file system or database failed */
	MV_ECORRUPT,	/* bytes fail a check; stored ones: local damage */
	MV_ELIMIT,	/* a request exceeds a size bound */
	MV_EUPSTREAM,	/* an upstream failed or sent something refused */
	MV_ETIMEOUT,	/* a bounded wait ran out */
	MV_ECONFIG,	/* the configuration is wrong */
	MV_EUNAVAIL,	/* cannot answer now; the message names no file */
	MV_ENOSPACE,	/* the store's disk (or quota, or file size) is full */
	MV_CODE__MAX
};

struct mv_err {
	enum mv_code	code;
	char		msg[MV_ERR_MSG_MAX_BYTES];
};

#define MV_ERR_INIT	{ MV_OK, { 0 } }

/*
 * Records code and a printf-style message in err, unless err is NULL or
 * already holds a failure; returns -1 either way.
 */
int		 mv_fail(struct mv_err *err, enum mv_code code, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
int		 mv_vfail(struct mv_err *err, enum mv_code code, const char *fmt,
		    va_list ap) __attribute__((format(printf, 3, 0)));
/*
 * Prefixes the recorded message with context ("store: " ...); the code
 * stays.  Returns -1.  Nothing happens when err is NULL or holds nothing.
 */
int		 mv_wrap(struct mv_err *err, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Records from (a failure) in to, as mv_fail would; returns -1. */
int		 mv_err_pass(struct mv_err *to, const struct mv_err *from);
void		 mv_err_clear(struct mv_err *err);
/*
 * The code for a failed system call's errno: a full disk, quota or file
 * size limit (ENOSPC, EDQUOT, EFBIG) is MV_ENOSPACE, no memory MV_ENOMEM,
 * anything else MV_EIO.
 */
enum mv_code	 mv_errno_code(int e);
/* A stable lower-case name for a code ("invalid", "not found", ...). */
const char	*mv_code_name(enum mv_code code);
/* The HTTP status the responder answers for a failure with code. */
int		 mv_code_http_status(enum mv_code code);
/* The exit status of the CLI: 2 for usage/configuration, else 1. */
int		 mv_code_exit_status(enum mv_code code);
/*
 * Is a failure with this code this machine's own (disk, memory, the
 * configuration, a store to upgrade), whatever bytes were being handled?
 * Such a failure is never blamed on an upstream.
 */
bool		 mv_code_is_local(enum mv_code code);
/*
 * May a message of this code be shown to a client?  Not when it may name
 * local files (I/O, memory, configuration): the responder then logs it
 * and tells the client only what kind of failure it was.
 */
bool		 mv_code_is_public(enum mv_code code);

#endif
