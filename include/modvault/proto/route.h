/*
 * route.h: from the CGI variables of a request to a validated route.
 *
 * The web servers disagree about SCRIPT_NAME and PATH_INFO (some decode,
 * some normalise "..", some merge "//", Caddy does neither), so the request
 * path is derived from REQUEST_URI, the one variable every server passes
 * raw, percent-decoded here:
 *
 *   1. path = percent-decode(REQUEST_URI without its query string);
 *   2. if the config names a mount prefix, it must prefix path and is
 *      stripped;
 *   3. else if SCRIPT_NAME prefixes path (followed by "/" or the end), it
 *      is stripped;
 *   4. else, when PATH_INFO is set (a rewrite to a script elsewhere, as on
 *      shared hosts), PATH_INFO is the path;
 *   5. without REQUEST_URI (a bare CGI call), SCRIPT_NAME + PATH_INFO is
 *      the whole path and rule 2 or 3 applies to it.
 *
 * The result then goes through mv_route_parse, which never trusts that the
 * server removed "..", "." or empty elements: any of them, a NUL, a
 * control byte or a bad escape makes the request invalid.  Nothing in a
 * route is ever used to build a file name: blobs are named by digest.
 */
#ifndef MODVAULT_ROUTE_H
#define MODVAULT_ROUTE_H

#include <stddef.h>

#include "modvault/base/err.h"
#include "modvault/base/limits.h"
#include "modvault/proto/modpath.h"


enum mv_route_kind {
	MV_ROUTE_INDEX,		/* "/" */
	MV_ROUTE_HEALTHZ,	/* "/healthz" */
	MV_ROUTE_LIST,		/* $module/@v/list */
	MV_ROUTE_INFO,		/* $module/@v/$version.info */
	MV_ROUTE_MOD,		/* $module/@v/$version.mod */
	MV_ROUTE_ZIP,		/* $module/@v/$version.zip */
	MV_ROUTE_LATEST,	/* $module/@latest */
	MV_ROUTE_SUMDB,		/* sumdb/$name/... */
	MV_ROUTE_METRICS,	/* "/metrics" (Prometheus text) */
	MV_ROUTE__MAX
};

struct mv_route {
	enum mv_route_kind	kind;
	char			module[MV_MODPATH_MAX_BYTES + 1];	/* unescaped */
	char			version[MV_VERSION_MAX_BYTES + 1];	/* unescaped */
	char			sumdb_name[MV_SUMDB_NAME_MAX_BYTES + 1];
	char			sumdb_rest[MV_SUMDB_REST_MAX_BYTES + 1];
};

struct mv_cgi_vars {
	const char	*request_uri;	/* may be NULL */
	const char	*script_name;	/* may be NULL */
	const char	*path_info;	/* may be NULL */
	const char	*mount;		/* configured prefix, "" = none */
};

/*
 * Percent-decodes src[0..len) into out (outsz bytes with NUL).  Fails with
 * MV_EINVAL on a malformed escape, an encoded or raw NUL or control byte,
 * and with MV_ELIMIT when the result does not fit.
 */
int	 mv_percent_decode(const char *src, size_t len, char *out,
	    size_t outsz, struct mv_err *err);

/* The rules above: writes the path relative to the mount ("/..."). */
int	 mv_route_path(const struct mv_cgi_vars *vars, char *out, size_t outsz,
	    struct mv_err *err);

/*
 * GP-1.3: splits a path relative to the mount into a route, unescaping
 * and validating the module path (GP-2.2, GP-3.4) and the version.  An
 * unknown shape or an invalid path or version fails with MV_ENOTFOUND (the
 * go command treats 404 as "no such module"); a path with ".", "..", "//"
 * or a control byte fails with MV_EINVAL.
 */
int	 mv_route_parse(const char *path, struct mv_route *r,
	    struct mv_err *err);

#endif
