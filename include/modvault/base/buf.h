/*
 * buf.h: a growable byte buffer with an upper bound.
 *
 * Every buffer that holds data from outside (request paths, upstream
 * bodies, config lines) has a maximum size, so hostile input fails with
 * MV_ELIMIT instead of exhausting memory.  After any successful append the
 * data is NUL-terminated (the NUL is not counted in len), so text can be
 * used as a C string; binary data may contain NULs of its own.
 */
#ifndef MODVAULT_BUF_H
#define MODVAULT_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "modvault/base/err.h"

struct mv_buf {
	char	*data;	/* NULL until the first append */
	size_t	 len;	/* bytes used, not counting the terminating NUL */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* len may never exceed this */
};

/* An empty buffer that may grow to max bytes (there is no unbounded one). */
#define MV_BUF_BOUNDED(max) { NULL, 0, 0, (max) }

void		 mv_buf_init(struct mv_buf *b, size_t max);
int		 mv_buf_reserve(struct mv_buf *b, size_t extra, struct mv_err *err);
int		 mv_buf_append(struct mv_buf *b, const void *p, size_t n,
		    struct mv_err *err);
int		 mv_buf_puts(struct mv_buf *b, const char *s, struct mv_err *err);
int		 mv_buf_putc(struct mv_buf *b, char c, struct mv_err *err);
int		 mv_buf_printf(struct mv_buf *b, struct mv_err *err,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The contents as a C string ("" for an empty, never-used buffer). */
const char	*mv_buf_str(const struct mv_buf *b);
/* Forgets the contents but keeps the memory for reuse. */
void		 mv_buf_reset(struct mv_buf *b);
/* Shortens the contents to n bytes (n <= len). */
void		 mv_buf_truncate(struct mv_buf *b, size_t n);
/* Hands the allocation to the caller (who frees it); b becomes empty. */
char		*mv_buf_detach(struct mv_buf *b, size_t *lenp);
void		 mv_buf_free(struct mv_buf *b);

#endif
