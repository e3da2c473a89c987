/*
 * page.h: fetching one small web page (a `?go-get=1` page, VC-3.1), the
 * way the go command does: redirects followed (at most 10, never from
 * https to http unless insecure), any status accepted (a 404 page may
 * carry the tags), the body bounded, the whole transfer bounded in time.
 */
#ifndef MODVAULT_NET_PAGE_H
#define MODVAULT_NET_PAGE_H

#include <stdbool.h>

#include "modvault/base/buf.h"
#include "modvault/base/config.h"

/*
 * GETs url into out (bounded by out's limit: a larger body is MV_ELIMIT)
 * and its status into *status.  insecure allows http (and redirects to
 * it) and skips certificate checks (GOINSECURE).  A transfer failure is
 * MV_EUPSTREAM naming it ("https fetch: ..."); a timeout MV_ETIMEOUT.
 */
int	 mv_page_get(const struct mv_config *cfg, const char *url,
	    bool insecure, struct mv_buf *out, long *status,
	    struct mv_err *err);

#endif
