/* err.c: filling and describing struct mv_err (see err.h). */
#include <stdio.h>
#include <string.h>

#include "modvault/base/err.h"

static const char *const code_names[MV_CODE__MAX] = {
	[MV_OK] = "ok",
	[MV_EINVAL] = "invalid",
	[MV_ENOTFOUND] = "not found",
	[MV_EGONE] = "gone",
	[MV_EFORBIDDEN] = "forbidden",
	[MV_ENOMEM] = "out of memory",
	[MV_EIO] = "i/o error",
	[MV_ECORRUPT] = "corrupt",
	[MV_ELIMIT] = "limit exceeded",
	[MV_EUPSTREAM] = "upstream error",
	[MV_ETIMEOUT] = "timeout",
	[MV_ECONFIG] = "configuration error",
};

int
mv_vfail(struct mv_err *err, enum mv_code code, const char *fmt, va_list ap)
{
	if (err == NULL)
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
	char old[MV_ERR_MSG_MAX];
	size_t n, m;
	va_list ap;

	if (err == NULL)
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
	return code_names[code];
}
