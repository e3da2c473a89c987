/*
 * route.c: request path derivation and GP-1.3 splitting (see route.h).
 * Pure: no I/O, no allocation; fuzzed by tests/fuzz/fuzz_route.c.
 */
#include <stdbool.h>
#include <string.h>

#include "modvault/base/buf.h"
#include "modvault/base/hash.h"
#include "modvault/proto/route.h"
#include "modvault/proto/semver.h"

static bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

int
mv_percent_decode(const char *src, size_t len, char *out, size_t outsz,
    struct mv_err *err)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return mv_fail(err, MV_EINVAL,
				    "bad percent-escape at the end of the path");
			hi = mv_hex_value(src[i + 1]);
			lo = mv_hex_value(src[i + 2]);
			if (hi < 0 || lo < 0)
				return mv_fail(err, MV_EINVAL,
				    "bad percent-escape \"%%%c%c\" in the path",
				    is_control((unsigned char)src[i + 1]) ?
				    '?' : src[i + 1],
				    is_control((unsigned char)src[i + 2]) ?
				    '?' : src[i + 2]);
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (is_control(c))
			return mv_fail(err, MV_EINVAL,
			    "control byte 0x%02x in the path", c);
		if (n + 1 >= outsz)
			return mv_fail(err, MV_ELIMIT,
			    "request path longer than %zu bytes", outsz - 1);
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

/* Length of prefix if it prefixes path at an element boundary, else -1. */
static long
element_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 0 && prefix[n - 1] == '/')
		n--;
	if (strncmp(path, prefix, n) != 0)
		return -1;
	if (path[n] != '\0' && path[n] != '/')
		return -1;
	return (long)n;
}

static int
copy_path(const char *src, char *out, size_t outsz, struct mv_err *err)
{
	size_t n = strlen(src);

	if (n + 1 > outsz)
		return mv_fail(err, MV_ELIMIT, "request path longer than %zu "
		    "bytes", outsz - 1);
	memmove(out, src, n + 1);
	return 0;
}

/* Does a decoded path hold an empty, "." or ".." element (but a final "/")? */
static bool
dirty_segments(const char *p)
{
	const char *seg = p;

	for (;;) {
		size_t n = strcspn(seg, "/");

		if (seg != p && ((n == 0 && seg[0] == '/') ||
		    (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.')))
			return true;
		if (seg[n] == '\0')
			return false;
		seg += n + 1;
	}
}

/* Rules 2 to 4 of route.h on an already decoded full path. */
static int
strip_mount(const struct mv_cgi_vars *v, char *full, char *out, size_t outsz,
    struct mv_err *err)
{
	const char *mount = v->mount != NULL ? v->mount : "";
	const char *script = v->script_name != NULL ? v->script_name : "";
	long n;

	if (*mount != '\0') {
		if ((n = element_prefix(full, mount)) < 0)
			return mv_fail(err, MV_ENOTFOUND, "not found: path is "
			    "outside the mount prefix \"%s\"", mount);
		return copy_path(full + n, out, outsz, err);
	}
	if (*script != '\0' && (n = element_prefix(full, script)) >= 0)
		return copy_path(full + n, out, outsz, err);
	if (v->path_info != NULL && *v->path_info != '\0') {
		/* The server cleaned PATH_INFO; what the client sent decides. */
		if (dirty_segments(full))
			return mv_fail(err, MV_EINVAL, "bad request: \".\", "
			    "\"..\" or \"//\" in the path");
		return copy_path(v->path_info, out, outsz, err);
	}
	if (*script == '\0')
		return copy_path(full, out, outsz, err);
	return mv_fail(err, MV_ENOTFOUND, "not found: path is outside the "
	    "script \"%s\"", script);
}

int
mv_route_path(const struct mv_cgi_vars *v, char *out, size_t outsz,
    struct mv_err *err)
{
	char full[MV_REQUEST_PATH_MAX_BYTES + 1];
	struct mv_buf b;
	int rc;

	if (v->request_uri != NULL && *v->request_uri != '\0') {
		size_t len = strcspn(v->request_uri, "?#");

		if (mv_percent_decode(v->request_uri, len, full, sizeof(full),
		    err) == -1)
			return -1;
		rc = strip_mount(v, full, out, outsz, err);
	} else {
		mv_buf_init(&b, MV_REQUEST_PATH_MAX_BYTES);
		if (mv_buf_puts(&b, v->script_name ? v->script_name : "",
		    err) == -1 || mv_buf_puts(&b, v->path_info ?
		    v->path_info : "", err) == -1) {
			mv_buf_free(&b);
			return -1;
		}
		rc = copy_path(mv_buf_str(&b), full, sizeof(full), err);
		mv_buf_free(&b);
		if (rc == 0)
			rc = strip_mount(v, full, out, outsz, err);
	}
	if (rc == 0 && out[0] == '\0')
		rc = copy_path("/", out, outsz, err);
	return rc;
}

/* Refuses "", ".", ".." and control bytes in any element after the first '/'. */
static int
check_elements(const char *path, struct mv_err *err)
{
	const char *p = path + 1, *slash;

	for (;;) {
		size_t n;

		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0)
			return mv_fail(err, MV_EINVAL,
			    "bad request: empty path element");
		if ((n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return mv_fail(err, MV_EINVAL,
			    "bad request: \".\" or \"..\" in the path");
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	for (p = path; *p != '\0'; p++)
		if (is_control((unsigned char)*p))
			return mv_fail(err, MV_EINVAL,
			    "bad request: control byte in the path");
	return 0;
}

/* Copies n bytes of s into a NUL-terminated buffer of outsz bytes. */
static int
copy_part(const char *s, size_t n, char *out, size_t outsz, const char *what,
    struct mv_err *err)
{
	if (n + 1 > outsz)
		return mv_fail(err, MV_ENOTFOUND, "not found: %s longer than "
		    "%zu bytes", what, outsz - 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* GP-2.2, GP-6.6: an invalid module path or version is "not found". */
static int
not_found(const struct mv_err *e, struct mv_err *err)
{
	if (e->code == MV_ENOTFOUND)
		return mv_err_pass(err, e);
	return mv_fail(err, MV_ENOTFOUND, "not found: %s", e->msg);
}

/* Unescapes the module path and version parts into r (GP-2.2). */
static int
unescape_parts(const char *mod, size_t modlen, const char *ver, size_t verlen,
    struct mv_route *r, struct mv_err *err)
{
	char esc[MV_REQUEST_PATH_MAX_BYTES + 1];
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf b;
	int rc;

	mv_buf_init(&b, MV_MODPATH_MAX_BYTES);
	rc = copy_part(mod, modlen, esc, sizeof(esc), "module path", &e);
	if (rc == 0 && (rc = mv_unescape_path(esc, &b, &e)) == 0)
		rc = copy_part(b.data, b.len, r->module, sizeof(r->module),
		    "module path", &e);
	mv_buf_reset(&b);
	b.max = MV_VERSION_MAX_BYTES;
	if (rc == 0 && ver != NULL) {
		rc = copy_part(ver, verlen, esc, sizeof(esc), "version", &e);
		if (rc == 0 && (rc = mv_unescape_version(esc, &b, &e)) == 0)
			rc = copy_part(b.data, b.len, r->version,
			    sizeof(r->version), "version", &e);
	}
	mv_buf_free(&b);
	return rc == -1 ? not_found(&e, err) : 0;
}

/*
 * sumdb/<name>/<rest>; for "lookup/<escaped path>@<escaped version>"
 * (SD-1.2) the module and version are unescaped too, so the policy can
 * be asked about them.
 */
static int
parse_sumdb(const char *rest, struct mv_route *r, struct mv_err *err)
{
	const char *slash = strchr(rest, '/'), *at;

	if (slash == NULL || slash[1] == '\0')
		return mv_fail(err, MV_ENOTFOUND, "not found: incomplete "
		    "checksum database path");
	r->kind = MV_ROUTE_SUMDB;
	if (copy_part(rest, (size_t)(slash - rest), r->sumdb_name,
	    sizeof(r->sumdb_name), "checksum database name", err) == -1 ||
	    copy_part(slash + 1, strlen(slash + 1), r->sumdb_rest,
	    sizeof(r->sumdb_rest), "checksum database path", err) == -1)
		return -1;
	if (strncmp(r->sumdb_rest, "lookup/", 7) != 0)
		return 0;
	if ((at = strrchr(r->sumdb_rest, '@')) == NULL)
		return mv_fail(err, MV_ENOTFOUND, "not found: malformed lookup");
	return unescape_parts(r->sumdb_rest + 7, (size_t)(at -
	    r->sumdb_rest - 7), at + 1, strlen(at + 1), r, err);
}

/* "$module/@v/<file>": list, or $version.{info,mod,zip}. */
static int
parse_at_v(const char *rest, const char *at, struct mv_route *r,
    struct mv_err *err)
{
	const char *file = at + 4, *dot;

	if (strcmp(file, "list") == 0) {
		r->kind = MV_ROUTE_LIST;
		return unescape_parts(rest, (size_t)(at - rest), NULL, 0, r,
		    err);
	}
	if (strchr(file, '/') != NULL || (dot = strrchr(file, '.')) == NULL)
		return mv_fail(err, MV_ENOTFOUND, "not found: unknown "
		    "endpoint \"%s\"", file);
	if (strcmp(dot, ".info") == 0)
		r->kind = MV_ROUTE_INFO;
	else if (strcmp(dot, ".mod") == 0)
		r->kind = MV_ROUTE_MOD;
	else if (strcmp(dot, ".zip") == 0)
		r->kind = MV_ROUTE_ZIP;
	else
		return mv_fail(err, MV_ENOTFOUND, "not found: unknown "
		    "endpoint \"%s\"", dot);
	if (unescape_parts(rest, (size_t)(at - rest), file,
	    (size_t)(dot - file), r, err) == -1)
		return -1;
	/* V-5.1: a non-canonical .info is a query, and must look like one. */
	if (r->kind == MV_ROUTE_INFO && !mv_version_is_canonical(r->version)) {
		struct mv_err e = MV_ERR_INIT;

		if (mv_version_query_check(r->version, &e) == -1)
			return not_found(&e, err);
	}
	/* GP-4.1: .mod and .zip exist only for canonical versions. */
	if (r->kind != MV_ROUTE_INFO) {
		if (!mv_version_is_canonical(r->version))
			return mv_fail(err, MV_ENOTFOUND, "not found: version "
			    "\"%s\" is not canonical", r->version);
		struct mv_err e = MV_ERR_INIT;

		if (mv_modpath_check_version(r->module, r->version, &e) == -1)
			return not_found(&e, err);
	}
	return 0;
}

int
mv_route_parse(const char *path, struct mv_route *r, struct mv_err *err)
{
	static const char latest[] = "/@latest";
	const char *rest, *at;
	size_t len = strlen(path);

	memset(r, 0, sizeof(*r));
	if (path[0] != '/')
		return mv_fail(err, MV_EINVAL, "bad request: path does not "
		    "start with \"/\"");
	if (len > MV_REQUEST_PATH_MAX_BYTES)
		return mv_fail(err, MV_ELIMIT, "request path longer than %d "
		    "bytes", MV_REQUEST_PATH_MAX_BYTES);
	if (strcmp(path, "/") == 0) {
		r->kind = MV_ROUTE_INDEX;
		return 0;
	}
	if (check_elements(path, err) == -1)
		return -1;
	rest = path + 1;
	if (strcmp(rest, "healthz") == 0) {
		r->kind = MV_ROUTE_HEALTHZ;
		return 0;
	}
	/*
	 * Free for us: a module path's first element has a dot (GP-2.2), so
	 * no module is named "metrics", and its list is "metrics/@v/list".
	 */
	if (strcmp(rest, "metrics") == 0) {
		r->kind = MV_ROUTE_METRICS;
		return 0;
	}
	if (strncmp(rest, "sumdb/", 6) == 0)
		return parse_sumdb(rest + 6, r, err);
	if ((at = strstr(rest, "/@v/")) != NULL)
		return parse_at_v(rest, at, r, err);
	if (len > sizeof(latest) && strcmp(path + len - (sizeof(latest) - 1),
	    latest) == 0) {
		r->kind = MV_ROUTE_LATEST;
		return unescape_parts(rest, len - 1 - (sizeof(latest) - 1),
		    NULL, 0, r, err);
	}
	return mv_fail(err, MV_ENOTFOUND, "not found: not a module proxy path");
}
