/*
 * http.c: the HTTP side of an answer: the proxy's own URL, conditional
 * requests, Range, HEAD, and writing a response description as a CGI
 * response (see serve.h and http.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/text.h"
#include "modvault/serve/serve.h"
#include "http.h"

/* Bytes copied per write when a blob is streamed through the process. */
#define STREAM_CHUNK	(64 * 1024)

void
mv_http_error(struct mv_response *res, int status, const char *reason)
{
	char shown[4 * MV_ERR_MSG_MAX_BYTES];

	mv_buf_reset(&res->body);
	if (res->blob != NULL) {
		mv_blob_close(res->blob);
		res->blob = NULL;
	}
	res->status = status;
	res->content_type = "text/plain; charset=utf-8";
	res->cache_control = "no-store";
	res->csp = NULL;	/* the body is text; Vary stays as it was */
	res->etag[0] = res->content_range[0] = res->blob_file[0] = '\0';
	res->accept_ranges = false;
	res->allow_get_head = status == 405;
	res->offload_header = NULL;
	/*
	 * One line of printable text (GP-6.5): the go command shows it to its
	 * user, and it may quote what a client or an upstream sent.
	 */
	mv_printable(reason, shown, sizeof(shown));
	if (mv_buf_puts(&res->body, shown, NULL) == -1 ||
	    mv_buf_putc(&res->body, '\n', NULL) == -1)
		mv_buf_reset(&res->body);
	res->body_kind = MV_BODY_BUF;
	res->off = 0;
	res->len = res->length = res->body.len;
}

/* Is s a plausible Host header: a name or address and a port? */
static bool
is_host(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > MV_HOST_MAX_BYTES)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]") == n;
}

int
mv_own_url(const struct mv_request *req, const char *route_path,
    struct mv_buf *out, struct mv_err *err)
{
	char full[MV_REQUEST_PATH_MAX_BYTES + 1];
	const char *uri = req->vars.request_uri;
	size_t n, r = strlen(route_path);

	if (!is_host(req->host))
		return mv_buf_puts(out, "<the URL of this page>", err);
	n = uri != NULL ? strcspn(uri, "?") : 0;
	if (uri == NULL || mv_percent_decode(uri, n, full, sizeof(full),
	    NULL) == -1)
		full[0] = '\0';
	n = strlen(full);
	/* The route is what follows the mount point ("/" at the root). */
	if (n >= r && strcmp(full + n - r, route_path) == 0)
		n -= r;
	else
		n = 0;
	return mv_buf_printf(out, err, "%s://%s%.*s/", req->https != NULL &&
	    strcmp(req->https, "on") == 0 ? "https" : "http", req->host,
	    (int)n, full);
}

/*
 * RFC 9110 13.1.2 (If-None-Match, weak comparison): "*" or a list of
 * entity tags, each quoted and optionally W/-prefixed, separated by
 * commas; matches only a whole tag equal to ours.
 */
static bool
etag_matches(const char *header, const char *etag)
{
	size_t n = strlen(etag), k;
	const char *p = header;

	if (header == NULL || n == 0)
		return false;
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return false;
		if (*p == '*')
			return p[1 + strspn(p + 1, " \t")] == '\0';
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"' || (k = strcspn(p + 1, "\"")) == strlen(p + 1))
			return false;	/* malformed: no match */
		if (k + 2 == n && strncmp(p, etag, n) == 0)
			return true;
		p += k + 2;
	}
}

/* Digits only, no sign or space; false on overflow. */
static bool
parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 19)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

enum range_result { RANGE_NONE, RANGE_OK, RANGE_UNSATISFIABLE };

/*
 * RFC 9110 14.1.2: one "bytes=first-last", "bytes=first-" or
 * "bytes=-suffix".  Anything else (several ranges, another unit, a
 * malformed spec) is ignored and the whole body sent, as RFC 9110 14.2
 * allows; a well-formed range that misses the body is unsatisfiable.
 */
static enum range_result
parse_range(const char *h, uint64_t size, uint64_t *first, uint64_t *last)
{
	const char *spec, *dash;
	uint64_t a, b;

	if (h == NULL || strncmp(h, "bytes=", 6) != 0)
		return RANGE_NONE;
	spec = h + 6;
	if ((dash = strchr(spec, '-')) == NULL || strchr(dash + 1, '-') != NULL)
		return RANGE_NONE;
	if (dash == spec) {		/* suffix: the last b bytes */
		if (!parse_u64(dash + 1, strlen(dash + 1), &b))
			return RANGE_NONE;
		if (b == 0 || size == 0)
			return RANGE_UNSATISFIABLE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return RANGE_OK;
	}
	if (!parse_u64(spec, (size_t)(dash - spec), &a))
		return RANGE_NONE;
	b = UINT64_MAX;
	if (dash[1] != '\0' && (!parse_u64(dash + 1, strlen(dash + 1), &b) ||
	    b < a))
		return RANGE_NONE;
	if (a >= size)
		return RANGE_UNSATISFIABLE;
	*first = a;
	*last = b >= size ? size - 1 : b;
	return RANGE_OK;
}

void
mv_http_finish(const struct mv_request *req, struct mv_response *res,
    bool head)
{
	uint64_t first, last, size = res->len;

	if (res->status == 200 && etag_matches(req->if_none_match,
	    res->etag)) {
		res->status = 304;
		res->content_type = NULL;
		res->offload_header = NULL;
		res->body_kind = MV_BODY_NONE;
		res->length = 0;
		return;
	}
	if (res->status == 200 && res->accept_ranges &&
	    res->offload_header == NULL) {
		switch (parse_range(req->range, size, &first, &last)) {
		case RANGE_OK:
			res->status = 206;
			res->off += first;
			res->len = last - first + 1;
			snprintf(res->content_range, sizeof(res->content_range),
			    "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first,
			    last, size);
			break;
		case RANGE_UNSATISFIABLE:
			mv_http_error(res, 416, "range not satisfiable");
			snprintf(res->content_range, sizeof(res->content_range),
			    "bytes */%" PRIu64, size);
			break;
		case RANGE_NONE:
			break;
		}
	}
	res->length = res->len;
	if (head || res->offload_header != NULL)
		res->body_kind = MV_BODY_NONE;
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 410: return "Gone";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 507: return "Insufficient Storage";
	default:  return "Error";
	}
}

/* "Name: value\r\n" into b (header values never hold CR or LF). */
static int
header(struct mv_buf *b, const char *name, const char *value)
{
	return mv_buf_printf(b, NULL, "%s: %.*s\r\n", name,
	    (int)strcspn(value, "\r\n"), value);
}

static int
headers(const struct mv_response *res, struct mv_buf *h)
{
	char v[64];

	snprintf(v, sizeof(v), "%d %s", res->status, status_text(res->status));
	if (header(h, "Status", v) == -1)
		return -1;
	if ((res->content_type && header(h, "Content-Type",
	    res->content_type) == -1) ||
	    (res->cache_control && header(h, "Cache-Control",
	    res->cache_control) == -1) ||
	    (res->vary && header(h, "Vary", res->vary) == -1) ||
	    (res->csp && header(h, "Content-Security-Policy", res->csp) == -1) ||
	    (res->etag[0] && header(h, "ETag", res->etag) == -1) ||
	    (res->accept_ranges && header(h, "Accept-Ranges", "bytes") == -1) ||
	    (res->content_range[0] && header(h, "Content-Range",
	    res->content_range) == -1) ||
	    (res->allow_get_head && header(h, "Allow", "GET, HEAD") == -1) ||
	    (res->offload_header && header(h, res->offload_header,
	    res->offload_value) == -1))
		return -1;
	/* The web server sends an offloaded file with its own length. */
	if (res->offload_header == NULL || res->status == 302) {
		snprintf(v, sizeof(v), "%" PRIu64, res->length);
		if (header(h, "Content-Length", v) == -1)
			return -1;
	}
	return mv_buf_puts(h, "\r\n", NULL);
}

/* The blob slice, by the sink's own means where it has them. */
static int
write_blob(struct mv_response *res, struct mv_sink *out)
{
	uint64_t off = res->off, left = res->len;
	struct mv_err err = MV_ERR_INIT;
	char *chunk;
	size_t n;
	int rc = 0;

	if (out->send_file != NULL && res->blob_file[0] != '\0' &&
	    out->send_file(out->ctx, res->blob_file, off, left) == 0) {
		out->written = left;
		return 0;
	}
	if ((chunk = malloc(STREAM_CHUNK)) == NULL)
		return -1;
	while (rc == 0 && left > 0) {
		rc = mv_blob_pread(res->blob, chunk, left < STREAM_CHUNK ?
		    (size_t)left : STREAM_CHUNK, off, &n, &err);
		if (rc == 0 && n == 0)
			rc = mv_fail(&err, MV_EIO, "blob ended early");
		if (rc == 0 && (rc = out->write(out->ctx, chunk, n)) == 0)
			out->written += n;
		off += n;
		left -= n;
	}
	free(chunk);
	/* Headers are gone: all that is left is to cut the answer short. */
	return rc;
}

int
mv_response_write(struct mv_response *res, struct mv_sink *out)
{
	struct mv_buf h;
	int rc;

	out->written = 0;
	mv_buf_init(&h, 2 * PATH_MAX + 4096);
	rc = headers(res, &h) == -1 ? -1 : out->write(out->ctx, h.data, h.len);
	mv_buf_free(&h);
	if (rc == -1)
		return -1;
	switch (res->body_kind) {
	case MV_BODY_BUF:
		if (res->len > 0 && out->write(out->ctx, res->body.data +
		    res->off, (size_t)res->len) == -1)
			return -1;
		out->written = res->len;
		return 0;
	case MV_BODY_BLOB:
		return write_blob(res, out);
	case MV_BODY_NONE:
	default:
		return 0;
	}
}

void
mv_response_release(struct mv_response *res)
{
	mv_blob_close(res->blob);
	res->blob = NULL;
	mv_buf_free(&res->body);
}
