/* err.c: recording and classifying failures (see err.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "modvault/base/err.h"

/*
 * What each code means to a client and to the shell, in one place.  The
 * HTTP statuses follow GP-6: 404/410 mean "no such module" to the go
 * command (it tries the next proxy), anything else stops it with our
 * reason.  Local failures are 500 (503 when waiting may help); what an
 * upstream did is 502, a wait that ran out 504.
 */
static const struct {
	const char	*name;
	int		 http;
	int		 exit;
	bool		 local;		/* this machine's failure */
	bool		 public;	/* its message may be shown */
} codes[MV_CODE__MAX] = {
	[MV_OK] =	  { "ok",		   200, 0, false, true },
	[MV_EINVAL] =	  { "invalid",		   400, 2, false, true },
	[MV_ENOTFOUND] =  { "not found",	   404, 1, false, true },
	[MV_EGONE] =	  { "gone",		   410, 1, false, true },
	[MV_EFORBIDDEN] = { "forbidden",	   403, 1, false, true },
	[MV_ENOMEM] =	  { "out of memory",	   503, 1, true,  false },
	[MV_EIO] =	  { "i/o error",	   500, 1, true,  false },
	[MV_ECORRUPT] =	  { "corrupt",		   500, 1, false, true },
	[MV_ELIMIT] =	  { "too large",	   414, 1, false, true },
	[MV_EUPSTREAM] =  { "upstream error",	   502, 1, false, true },
	[MV_ETIMEOUT] =	  { "timeout",		   504, 1, false, true },
	[MV_ECONFIG] =	  { "configuration error", 500, 2, true,  false },
	[MV_EUNAVAIL] =	  { "unavailable",	   503, 1, true,  true },
	[MV_ENOSPACE] =	  { "no space",		   507, 1, true,  false },
};

int
mv_vfail(struct mv_err *err, enum mv_code code, const char *fmt, va_list ap)
{
	if (err == NULL || err->code != MV_OK)
		return -1;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int
mv_fail(struct mv_err *err, enum mv_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mv_vfail(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
mv_wrap(struct mv_err *err, const char *fmt, ...)
{
	char old[MV_ERR_MSG_MAX_BYTES];
	size_t n, m;
	va_list ap;

	if (err == NULL || err->code == MV_OK)
		return -1;
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* The message is cut, not overflowed, when both do not fit. */
	n = strlen(err->msg);
	m = strlen(old);
	if (m > sizeof(err->msg) - 1 - n)
		m = sizeof(err->msg) - 1 - n;
	memcpy(err->msg + n, old, m);
	err->msg[n + m] = '\0';
	return -1;
}

int
mv_err_pass(struct mv_err *to, const struct mv_err *from)
{
	return mv_fail(to, from->code != MV_OK ? from->code : MV_EIO, "%s",
	    from->msg[0] != '\0' ? from->msg : "unexplained failure");
}

void
mv_err_clear(struct mv_err *err)
{
	if (err == NULL)
		return;
	err->code = MV_OK;
	err->msg[0] = '\0';
}

const char *
mv_code_name(enum mv_code code)
{
	if ((unsigned)code >= MV_CODE__MAX)
		return "unknown error";
	return codes[code].name;
}

int
mv_code_http_status(enum mv_code code)
{
	if ((unsigned)code >= MV_CODE__MAX || code == MV_OK)
		return 500;
	return codes[code].http;
}

int
mv_code_exit_status(enum mv_code code)
{
	if ((unsigned)code >= MV_CODE__MAX)
		return 1;
	return codes[code].exit;
}

bool
mv_code_is_local(enum mv_code code)
{
	return (unsigned)code >= MV_CODE__MAX || codes[code].local;
}

bool
mv_code_is_public(enum mv_code code)
{
	return (unsigned)code < MV_CODE__MAX && codes[code].public;
}

enum mv_code
mv_errno_code(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return MV_ENOSPACE;
	case ENOMEM:
		return MV_ENOMEM;
	default:
		return MV_EIO;
	}
}
