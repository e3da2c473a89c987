/*
 * responder.c: one request in, one complete HTTP answer out (CGI framing:
 * a Status header, then headers, then the body).
 *
 * The flow is: derive and parse the path (route.h) -> answer (answer.c)
 * -> conditional request (If-None-Match) -> Range -> write.  Every
 * failure becomes a status with a one-line text/plain reason, which the go
 * command shows its user (GP-6.5).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modvault/base/log.h"
#include "modvault/serve/serve.h"

#define STREAM_CHUNK	(64 * 1024)

struct range {
	int		present;	/* a satisfiable single range */
	uint64_t	first, last;
};

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 410: return "Gone";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default:  return "Internal Server Error";
	}
}

static void
emit(struct mv_sink *out, const void *p, size_t n)
{
	(void)out->write(out->ctx, p, n);
}

static void
emit_header(struct mv_sink *out, const char *name, const char *value)
{
	char line[4096 + 256];
	int n;

	n = snprintf(line, sizeof(line), "%s: %s\r\n", name, value);
	if (n > 0 && (size_t)n < sizeof(line))
		emit(out, line, (size_t)n);
}

static void
emit_status(struct mv_sink *out, int status)
{
	char v[64];

	snprintf(v, sizeof(v), "%d %s", status, status_text(status));
	emit_header(out, "Status", v);
}

static void
emit_length(struct mv_sink *out, uint64_t n)
{
	char v[32];

	/* snprintf, not libfcgi's printf, which stops at %zu-style formats. */
	snprintf(v, sizeof(v), "%" PRIu64, n);
	emit_header(out, "Content-Length", v);
}

/* A failure: status plus one line of reason (GP-6.5). */
static void
send_error(struct mv_sink *out, const struct mv_request *req, int status,
    const char *reason)
{
	char body[MV_ERR_MSG_MAX + 2];
	size_t n;

	n = (size_t)snprintf(body, sizeof(body), "%s\n", reason);
	if (n >= sizeof(body))
		n = sizeof(body) - 1;
	emit_status(out, status);
	emit_header(out, "Content-Type", "text/plain; charset=utf-8");
	emit_header(out, "Cache-Control", "no-store");
	if (status == 405)
		emit_header(out, "Allow", "GET, HEAD");
	emit_length(out, n);
	emit(out, "\r\n", 2);
	if (strcmp(req->method, "HEAD") != 0)
		emit(out, body, n);
}

/* RFC 9110 13.1.2: a list of entity tags, or "*". */
static int
etag_matches(const char *header, const char *etag)
{
	if (header == NULL || etag[0] == '\0')
		return 0;
	if (strcmp(header, "*") == 0)
		return 1;
	return strstr(header, etag) != NULL;
}

/*
 * RFC 9110 14.2: one "bytes=first-last", "bytes=first-" or "bytes=-n".
 * Several ranges are answered with the whole body (allowed).  Returns -1
 * for an unsatisfiable range (416).
 */
static int
parse_range(const char *h, uint64_t size, struct range *r)
{
	unsigned long long a = 0, b = 0;
	const char *p;
	char *end;

	r->present = 0;
	if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
		return 0;
	p = h + 6;
	if (*p == '-') {
		errno = 0;
		b = strtoull(p + 1, &end, 10);
		if (errno || end == p + 1 || *end != '\0')
			return 0;
		if (b == 0 || size == 0)
			return -1;
		r->first = b >= size ? 0 : size - b;
		r->last = size - 1;
	} else {
		errno = 0;
		a = strtoull(p, &end, 10);
		if (errno || end == p || *end != '-')
			return 0;
		p = end + 1;
		b = size ? size - 1 : 0;
		if (*p != '\0') {
			b = strtoull(p, &end, 10);
			if (errno || *end != '\0' || b < a)
				return 0;
		}
		if (a >= size)
			return -1;
		r->first = a;
		r->last = b >= size ? size - 1 : b;
	}
	r->present = 1;
	return 0;
}

static void
stream_fd(struct mv_sink *out, int fd, uint64_t off, uint64_t n)
{
	static char chunk[STREAM_CHUNK];
	ssize_t got;

	if (out->send_fd != NULL && out->send_fd(out->ctx, fd, off, n) == 0)
		return;
	if (lseek(fd, (off_t)off, SEEK_SET) == (off_t)-1)
		return;
	while (n > 0) {
		got = read(fd, chunk, n < sizeof(chunk) ? (size_t)n :
		    sizeof(chunk));
		if (got <= 0)
			break;
		emit(out, chunk, (size_t)got);
		n -= (uint64_t)got;
	}
}

/* The offload header of each server (web-servers notes). */
static void
emit_sendfile(struct mv_app *app, struct mv_sink *out,
    const struct mv_response *res)
{
	char uri[PATH_MAX + sizeof(res->blob_path)];
	const char *name;

	switch (app->cfg.xsendfile) {
	case MV_XSENDFILE_LIGHTTPD:
		emit_header(out, "X-LIGHTTPD-send-file", res->blob_path);
		break;
	case MV_XSENDFILE_APACHE:
		emit_header(out, "X-Sendfile", res->blob_path);
		break;
	case MV_XSENDFILE_NGINX:
	case MV_XSENDFILE_CADDY:
		/* A URI: the prefix plus the blob's fan-out name "ab/cd/abcd...". */
		name = res->blob_path + strlen(res->blob_path);
		for (int slashes = 0; name > res->blob_path; name--)
			if (name[-1] == '/' && ++slashes == 3)
				break;
		snprintf(uri, sizeof(uri), "%s%s", app->cfg.xsendfile_prefix,
		    name);
		emit_header(out, "X-Accel-Redirect", uri);
		break;
	case MV_XSENDFILE_OFF:
		break;
	}
}

static void
send_response(struct mv_app *app, const struct mv_request *req,
    struct mv_response *res, struct mv_sink *out)
{
	int head = strcmp(req->method, "HEAD") == 0;
	uint64_t off = 0, len = res->body_fd >= 0 ? res->body_size :
	    res->body.len;
	struct range r = { 0, 0, 0 };
	char cr[128];

	if (etag_matches(req->if_none_match, res->etag)) {
		emit_status(out, 304);
		emit_header(out, "ETag", res->etag);
		emit_header(out, "Cache-Control", res->cache_control);
		emit(out, "\r\n", 2);
		return;
	}
	if (res->streamable && res->body_fd >= 0 &&
	    parse_range(req->range, len, &r) == -1) {
		snprintf(cr, sizeof(cr), "bytes */%" PRIu64, len);
		emit_status(out, 416);
		emit_header(out, "Content-Range", cr);
		emit_length(out, 0);
		emit(out, "\r\n", 2);
		return;
	}
	emit_status(out, r.present ? 206 : 200);
	emit_header(out, "Content-Type", res->content_type);
	emit_header(out, "Cache-Control", res->cache_control);
	if (res->etag[0] != '\0')
		emit_header(out, "ETag", res->etag);
	if (res->streamable)
		emit_header(out, "Accept-Ranges", "bytes");
	if (res->blob_path[0] != '\0') {
		/* The web server sends the file, with its own length/ranges. */
		emit_sendfile(app, out, res);
		emit(out, "\r\n", 2);
		return;
	}
	if (r.present) {
		off = r.first;
		len = r.last - r.first + 1;
		snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%"
		    PRIu64, r.first, r.last, res->body_size);
		emit_header(out, "Content-Range", cr);
	}
	emit_length(out, len);
	emit(out, "\r\n", 2);
	if (head)
		return;
	if (res->body_fd >= 0)
		stream_fd(out, res->body_fd, off, len);
	else
		emit(out, res->body.data, res->body.len);
}

static void
log_failure(const struct mv_route *route, int status, const struct mv_err *err)
{
	/* 4xx are the client's business; 5xx need the operator. */
	if (status >= 500)
		mv_log_error("%s (%d)", err->msg, status);
	else
		mv_log_debug("%s (%d)", err->msg, status);
	(void)route;
}

void
mv_respond(struct mv_app *app, const struct mv_request *req,
    struct mv_sink *out)
{
	char path[MV_REQUEST_PATH_MAX + 1];
	struct mv_response res;
	struct mv_route route;
	struct mv_err err;
	int status;

	memset(&res, 0, sizeof(res));
	memset(&route, 0, sizeof(route));
	res.body_fd = -1;
	mv_buf_init(&res.body, 64u << 20);
	mv_err_clear(&err);
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		send_error(out, req, 405, "method not allowed: use GET or HEAD");
		return;
	}
	if (mv_route_path(&req->vars, path, sizeof(path), &err) == -1 ||
	    mv_route_parse(path, &route, &err) == -1 ||
	    mv_answer(app, &route, &res, &err) == -1) {
		status = mv_http_status(err.code);
		if (route.kind == MV_ROUTE_HEALTHZ)
			status = 503;
		log_failure(&route, status, &err);
		send_error(out, req, status, err.msg);
	} else {
		mv_log_debug("%s %s 200", req->method, path);
		send_response(app, req, &res, out);
	}
	if (res.body_fd >= 0)
		close(res.body_fd);
	mv_buf_free(&res.body);
}
