/* buf.c: the bounded growable buffer (see buf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/buf.h"

void
mv_buf_init(struct mv_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

/* Makes room for extra more bytes plus the terminating NUL. */
int
mv_buf_reserve(struct mv_buf *b, size_t extra, struct mv_err *err)
{
	size_t need, ncap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return mv_fail(err, MV_ELIMIT,
		    "buffer would exceed its limit of %zu bytes", b->max);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory growing a buffer "
		    "to %zu bytes", ncap);
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
mv_buf_append(struct mv_buf *b, const void *p, size_t n, struct mv_err *err)
{
	if (mv_buf_reserve(b, n, err) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
mv_buf_puts(struct mv_buf *b, const char *s, struct mv_err *err)
{
	return mv_buf_append(b, s, strlen(s), err);
}

int
mv_buf_putc(struct mv_buf *b, char c, struct mv_err *err)
{
	return mv_buf_append(b, &c, 1, err);
}

int
mv_buf_printf(struct mv_buf *b, struct mv_err *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return mv_fail(err, MV_EINVAL, "bad format string");
	if (mv_buf_reserve(b, (size_t)n, err) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *
mv_buf_str(const struct mv_buf *b)
{
	return b->data != NULL ? b->data : "";
}

void
mv_buf_reset(struct mv_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
mv_buf_truncate(struct mv_buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->data[n] = '\0';
	}
}

char *
mv_buf_detach(struct mv_buf *b, size_t *lenp)
{
	char *p = b->data;

	if (lenp != NULL)
		*lenp = b->len;
	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
mv_buf_free(struct mv_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
