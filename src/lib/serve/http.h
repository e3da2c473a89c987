/*
 * http.h: what serve.c uses of http.c (private to src/lib/serve/).
 */
#ifndef MODVAULT_HTTP_H
#define MODVAULT_HTTP_H

#include <stdbool.h>

#include "modvault/serve/serve.h"

/*
 * Makes res a failure: status, and reason's first line as a text/plain
 * body that is never cached.  Drops whatever body res had.
 */
void	 mv_http_error(struct mv_response *res, int status, const char *reason);

/*
 * The last steps of every answer: If-None-Match (304), Range (206, or 416
 * when the range misses the body), HEAD (no body), and Content-Length.
 */
void	 mv_http_finish(const struct mv_request *req, struct mv_response *res,
	    bool head);

/*
 * Appends this proxy's own URL, as the client reached it, to out: the
 * scheme and Host, then the mount point, which is what the request path
 * has before the route (route_path, "/" at the root); a placeholder
 * when the Host header is absent or not a plain host and port.
 */
int	 mv_own_url(const struct mv_request *req, const char *route_path,
	    struct mv_buf *out, struct mv_err *err);

#endif
