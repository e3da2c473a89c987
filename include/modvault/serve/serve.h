/*
 * responder.h: the request/response core of modvault.fcgi, independent of
 * FastCGI: main.c feeds it CGI variables and a sink to write to, so the
 * same code answers under FastCGI, plain CGI and the tests.
 */
#ifndef MODVAULT_RESPONDER_H
#define MODVAULT_RESPONDER_H

#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/config.h"
#include "modvault/source/fill.h"
#include "modvault/proto/route.h"
#include "modvault/store/index.h"
#include "modvault/store/blobcache.h"

/* Process-wide state, made once and kept across requests. */
struct mv_app {
	struct mv_config	 cfg;
	struct mv_store		*store;		/* NULL when it failed to open */
	struct mv_err		 store_err;	/* why it failed */
	struct mv_filler	 filler;	/* upstream fetching on a miss */
	struct mv_blobcache	 small;		/* .info/.mod bytes seen */
};

/* What a request brings, borrowed from the CGI environment. */
struct mv_request {
	const char		*method;
	const char		*if_none_match;	/* may be NULL */
	const char		*range;		/* may be NULL */
	struct mv_cgi_vars	 vars;
};

/* Where the answer goes: FCGX_PutStr, fwrite, or a test buffer. */
struct mv_sink {
	int	(*write)(void *ctx, const void *p, size_t n);
	/*
	 * Optional: sends n bytes of file fd from off without copying them
	 * through the process (plain CGI: sendfile to stdout); -1 when it
	 * cannot, and the responder then copies in chunks.
	 */
	int	(*send_fd)(void *ctx, int fd, uint64_t off, uint64_t n);
	void	*ctx;
};

#define MV_ETAG_MAX	(MV_SHA256_HEX + 3)

/* An answer before it is written. */
struct mv_response {
	int			 status;
	const char		*content_type;
	const char		*cache_control;
	char			 etag[MV_ETAG_MAX + 1];	/* quoted, or "" */
	struct mv_buf		 body;		/* used when body_fd < 0 */
	int			 body_fd;	/* a blob to stream, or -1 */
	uint64_t		 body_size;	/* bytes of body_fd */
	char			 blob_path[4096];	/* for X-Sendfile, or "" */
	int			 streamable;	/* may use Range / X-Sendfile */
};

/* Answers one request completely (status line, headers, body). */
void	 mv_respond(struct mv_app *app, const struct mv_request *req,
	    struct mv_sink *out);

/* answer.c: fills res for a parsed route; -1 with err on failure. */
int	 mv_answer(struct mv_app *app, const struct mv_route *route,
	    struct mv_response *res, struct mv_err *err);
/* answer.c: the HTTP status for an error code. */
int	 mv_http_status(enum mv_code code);

#endif
