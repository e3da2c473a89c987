/*
 * done.c: after a response is written, its access line (see serve.h).
 *
 * One line per request at info level, words first and then key=value
 * pairs, so that a grep or a log shipper splits it without guessing:
 *
 *   GET /example.com/m/@v/v1.0.0.zip 200 bytes=1234 ms=3 how=hit
 *   GET /example.com/m/@v/v1.1.0.zip 200 bytes=98 ms=41 how=fetched upstream=38ms
 *   GET /bad.example/m/@v/v1.0.0.zip 502 bytes=80 ms=9 how=refused upstream=7ms rule=MZ-3.1
 *
 * The method and path come from the client: a space in them is written
 * \x20 (log.c writes any other unprintable byte as \xNN), so the status
 * is always the third word.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modvault/base/log.h"
#include "modvault/net/tally.h"
#include "modvault/serve/serve.h"

#define METHOD_SHOWN_MAX	16

/* s with spaces as \x20, cut to fit out. */
static void
no_spaces(const char *s, size_t max, char *out, size_t outsz)
{
	size_t i, o = 0;

	for (i = 0; s[i] != '\0' && i < max && o + 5 < outsz; i++) {
		if (s[i] == ' ') {
			memcpy(out + o, "\\x20", 4);
			o += 4;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
}

/* The request's path as routed, else its raw URI, else "?". */
static void
shown_path(const struct mv_request *req, char *out, size_t outsz)
{
	char path[MV_REQUEST_PATH_MAX_BYTES + 1];
	const char *uri = req->vars.request_uri;

	if (mv_route_path(&req->vars, path, sizeof(path), NULL) == 0 &&
	    path[0] != '\0')
		no_spaces(path, sizeof(path), out, outsz);
	else if (uri != NULL && uri[0] != '\0')
		no_spaces(uri, MV_REQUEST_PATH_MAX_BYTES, out, outsz);
	else
		snprintf(out, outsz, "?");
}

/*
 * Counts the request in the shared counters; a refusal also goes to the
 * recent refusals with the module and version it named (the path when it
 * named none).
 */
static void
count(struct mv_service *svc, const struct mv_request *req,
    const struct mv_response *res, uint64_t body_bytes)
{
	char path[MV_REQUEST_PATH_MAX_BYTES + 1] = "";
	struct mv_route route;
	time_t now = time(NULL);

	if (svc->counters == NULL)
		return;
	mv_counters_request(svc->counters, res->route_kind, res->status,
	    res->how, body_bytes, now);
	if (res->how != MV_HOW_REFUSED)
		return;
	memset(&route, 0, sizeof(route));
	if (mv_route_path(&req->vars, path, sizeof(path), NULL) == -1 ||
	    mv_route_parse(path, &route, NULL) == -1 ||
	    route.module[0] == '\0') {
		/* As the access line shows it: a path refused unrouted too. */
		shown_path(req, path, sizeof(path));
		mv_counters_refusal(svc->counters, res->rule, path, "", now);
	} else
		mv_counters_refusal(svc->counters, res->rule, route.module,
		    route.version, now);
}

void
mv_serve_done(struct mv_service *svc, const struct mv_request *req,
    const struct mv_response *res, uint64_t body_bytes)
{
	char method[4 * METHOD_SHOWN_MAX + 1], path[MV_LOG_MSG_MAX_BYTES - 256];
	char up[48] = "", rule[80] = "";
	uint64_t now = mv_mono_us();
	bool head;

	no_spaces(req->method != NULL ? req->method : "GET", METHOD_SHOWN_MAX,
	    method, sizeof(method));
	head = strcmp(method, "HEAD") == 0;
	/* The web server sends an offloaded file (not a redirect's target). */
	if (res->offload_header != NULL && res->status == 200 && !head &&
	    strcmp(res->offload_header, "Location") != 0)
		body_bytes = res->len;
	count(svc, req, res, body_bytes);
	if (mv_log_get_level() < MV_LOG_INFO)
		return;
	shown_path(req, path, sizeof(path));
	if (res->how == MV_HOW_FETCHED || res->how == MV_HOW_STALE ||
	    res->upstream_us > 0)
		snprintf(up, sizeof(up), " upstream=%" PRIu64 "ms",
		    res->upstream_us / 1000);
	if (res->rule[0] != '\0')
		snprintf(rule, sizeof(rule), " rule=%s", res->rule);
	mv_log_info("%s %s %d bytes=%" PRIu64 " ms=%" PRIu64 " how=%s%s%s",
	    method, path, res->status, body_bytes, now > res->started_us ?
	    (now - res->started_us) / 1000 : 0, mv_how_name(res->how), up,
	    rule);
}
