/*
 * serve.c: one request in, the description of its answer out (see
 * serve.h).
 *
 * The flow is: method -> the path (route.h) -> the policy, once, for any
 * route that names a module -> the endpoint's answer (module.c, status.c
 * for / in a browser, or here for /, /healthz and /sumdb/) -> a failure
 * becomes its status and reason -> conditional request, Range, HEAD
 * (http.c) -> how it was answered (outcome.c), which the front end's
 * mv_serve_done logs (done.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "modvault/base/log.h"
#include "modvault/serve/status.h"
#include "modvault/sumdb/sumdbc.h"
#include "answer.h"
#include "http.h"
#include "outcome.h"

/* GP-10, SD-2: the checksum databases named in the config, proxied. */
static int
answer_sumdb(struct mv_service *svc, const struct mv_route *route,
    struct mv_response *res, struct mv_err *err)
{
	struct mv_sumdb_db *db = mv_sumdbc_find(&svc->filler.sumdb,
	    route->sumdb_name);
	struct mv_sumdb_answer ans;

	/* SD-10.2: 404 for any other name, so the client goes direct. */
	if (db == NULL)
		return mv_fail(err, MV_ENOTFOUND, "not found: checksum "
		    "database \"%s\" is not proxied here", route->sumdb_name);
	res->content_type = MV_CT_TEXT;
	res->cache_control = MV_CC_SHORT;
	res->body_kind = MV_BODY_BUF;
	if (strcmp(route->sumdb_rest, "supported") != 0) {
		res->body.max = MV_NOTE_MAX_BYTES;
		if (mv_sumdbc_proxy(&svc->filler.sumdb, db, route->sumdb_rest,
		    &res->body, &ans, err) == -1)
			return -1;
		res->content_type = ans.content_type;
		if (ans.immutable)
			res->cache_control = MV_CC_IMMUTABLE;
	}
	res->len = res->body.len;
	return 0;
}

static int
answer_index(const struct mv_request *req, const char *path,
    struct mv_response *res, struct mv_err *err)
{
	res->content_type = MV_CT_TEXT;
	res->cache_control = MV_CC_SHORT;
	res->vary = "Accept";	/* a browser gets the status page */
	res->body_kind = MV_BODY_BUF;
	if (mv_buf_puts(&res->body, "modvault: a Go module proxy (GOPROXY "
	    "protocol).\n\nUse it by setting:\n  go env -w GOPROXY=", err) ==
	    -1 || mv_own_url(req, path, &res->body, err) == -1 ||
	    mv_buf_puts(&res->body, "\n\nEndpoints: $module/@v/list, "
	    "$module/@v/$version.info, .mod, .zip, $module/@latest;\n"
	    "/sumdb/<name>/... (the checksum databases it proxies); "
	    "/healthz.\n", err) == -1)
		return -1;
	res->len = res->body.len;
	return 0;
}

static int
answer_healthz(struct mv_service *svc, struct mv_response *res,
    struct mv_err *err)
{
	if (mv_store_ping(svc->store, err) == -1)
		return mv_wrap(err, "store unusable: ");
	res->content_type = MV_CT_TEXT;
	res->cache_control = "no-store";
	res->body_kind = MV_BODY_BUF;
	if (mv_buf_puts(&res->body, "ok\n", err) == -1)
		return -1;
	res->len = res->body.len;
	return 0;
}

/* Does the route name a module's files (not sumdb, index, ...)? */
static bool
module_route(const struct mv_route *route)
{
	return route->kind == MV_ROUTE_LIST || route->kind == MV_ROUTE_INFO ||
	    route->kind == MV_ROUTE_MOD || route->kind == MV_ROUTE_ZIP ||
	    route->kind == MV_ROUTE_LATEST;
}

/*
 * GP-1.3: every route that names a module goes past the policy once; d
 * is then its decision (sync for the others).
 */
static int
ask_policy(struct mv_service *svc, const struct mv_route *route,
    struct mv_policy_decision *d, struct mv_err *err)
{
	enum mv_policy_action a;

	memset(d, 0, sizeof(*d));
	d->mode = MV_DL_SYNC;
	if (route->kind == MV_ROUTE_SUMDB) {
		if (route->module[0] == '\0')
			return 0;	/* latest, tiles: no module */
		a = MV_POLICY_LOOKUP;
	} else if (!module_route(route))
		return 0;
	else
		a = MV_POLICY_SERVE;
	return mv_policy_check(&svc->policy, a, route->module, route->version,
	    d, err);
}

/* "Disable-Module-Fetch: true" (goproxy.cn's header): the store only. */
static bool
fetch_disabled(const struct mv_request *req)
{
	return req->disable_module_fetch != NULL &&
	    strcasecmp(req->disable_module_fetch, "true") == 0;
}

/*
 * Why the service cannot answer at all, if it cannot: a store that needs
 * upgrading says so to everyone; any other cause is ours to log.
 */
static int
unusable(struct mv_service *svc, struct mv_err *err)
{
	if (svc->cfg_err.code != MV_OK)
		return mv_err_pass(err, &svc->cfg_err);
	if (svc->store == NULL && svc->store_err.code == MV_EUNAVAIL)
		return mv_err_pass(err, &svc->store_err);
	if (svc->store == NULL) {
		mv_log_error("store unavailable: %s", svc->store_err.msg);
		return mv_fail(err, MV_EUNAVAIL, "store unavailable (the "
		    "server's error log has the cause)");
	}
	return 0;
}

static int
answer_route(struct mv_service *svc, const struct mv_request *req,
    const struct mv_route *route, struct mv_response *res,
    struct mv_err *err)
{
	switch (route->kind) {
	case MV_ROUTE_HEALTHZ:
		return answer_healthz(svc, res, err);
	case MV_ROUTE_METRICS:
		return mv_answer_metrics(svc, req, res, err);
	case MV_ROUTE_LIST:
		return mv_answer_list(svc, route, res, err);
	case MV_ROUTE_INFO:
	case MV_ROUTE_MOD:
		return mv_answer_file(svc, route, res, err);
	case MV_ROUTE_ZIP:
		return mv_answer_zip(svc, route, res, err);
	case MV_ROUTE_LATEST:
		return mv_answer_latest(svc, route, res, err);
	case MV_ROUTE_SUMDB:
	default:
		return answer_sumdb(svc, route, res, err);
	}
}

/*
 * A module the policy allows is answered from the store only when its
 * download mode is not sync or the client asked so; what the mode does
 * about a miss then is mode.c's.
 */
static int
answer(struct mv_service *svc, const struct mv_request *req,
    const char *path, const struct mv_route *route, struct mv_response *res,
    struct mv_err *err)
{
	struct mv_policy_decision d;
	struct mv_err miss;
	int rc;

	/* A browser gets the status page; curl and the go command text. */
	if (route->kind == MV_ROUTE_INDEX)
		return mv_accept_html(req->accept) ? mv_answer_status(svc, req,
		    path, res, err) : answer_index(req, path, res, err);
	if (unusable(svc, err) == -1 || ask_policy(svc, route, &d, err) == -1)
		return -1;
	if (fetch_disabled(req))
		d.mode = MV_DL_NONE;
	svc->filler.store_only = module_route(route) && d.mode != MV_DL_SYNC;
	rc = answer_route(svc, req, route, res, err);
	svc->filler.store_only = false;
	if (rc == -1 && err->code == MV_ENOTFOUND && module_route(route) &&
	    d.mode != MV_DL_SYNC) {
		if (fetch_disabled(req))
			return mv_wrap(err, "Disable-Module-Fetch: true: ");
		miss = *err;
		mv_err_clear(err);
		rc = mv_mode_miss(svc, &d, path, route, &miss, res, err);
	}
	return rc;
}

/*
 * What the client is told of a failure: the reason, except for failures
 * of this machine, whose messages may name files: those say what kind of
 * failure it was, and the log has the rest.
 */
static const char *
public_reason(const struct mv_err *err, char *buf, size_t bufsz)
{
	const char *what;

	if (mv_code_is_public(err->code))
		return err->msg;
	switch (err->code) {
	case MV_ECONFIG:	what = "modvault is misconfigured"; break;
	case MV_ENOMEM:		what = "modvault ran out of memory"; break;
	case MV_ENOSPACE:	what = "insufficient storage: the store has no "
				    "room (disk, quota or file size limit)";
				break;
	default:		what = "the store failed"; break;
	}
	snprintf(buf, bufsz, "internal error: %s (the server's error log "
	    "has the cause)", what);
	return buf;
}

static void
fail(const struct mv_route *route, const struct mv_err *err,
    struct mv_response *res)
{
	char buf[256];
	int status = mv_code_http_status(err->code);

	/* /healthz answers 503 for whatever makes the service unusable. */
	if (route->kind == MV_ROUTE_HEALTHZ)
		status = 503;
	/* 4xx are the client's business; 5xx need the operator. */
	if (status >= 500)
		mv_log_error("%s (%d)", err->msg, status);
	else
		mv_log_debug("%s (%d)", err->msg, status);
	mv_http_error(res, status, public_reason(err, buf, sizeof(buf)));
}

void
mv_serve(struct mv_service *svc, const struct mv_request *req,
    struct mv_response *res)
{
	char path[MV_REQUEST_PATH_MAX_BYTES + 1] = "";
	const char *method = req->method != NULL ? req->method : "GET";
	bool head = strcmp(method, "HEAD") == 0;
	struct mv_err err = MV_ERR_INIT;
	struct mv_route route;
	struct mv_tally t;
	bool routed = false;

	memset(res, 0, sizeof(*res));
	memset(&route, 0, sizeof(route));
	res->started_us = mv_mono_us();
	mv_tally_reset();
	mv_buf_init(&res->body, MV_BODY_MAX_BYTES);
	res->status = 200;
	if (!head && strcmp(method, "GET") != 0)
		mv_http_error(res, 405, "method not allowed: use GET or HEAD");
	else if (mv_route_path(&req->vars, path, sizeof(path), &err) == -1 ||
	    mv_route_parse(path, &route, &err) == -1)
		fail(&route, &err, res);
	else {
		routed = true;
		res->route_kind = route.kind;
		if (answer(svc, req, path, &route, res, &err) == -1)
			fail(&route, &err, res);
	}
	mv_http_finish(req, res, head);
	mv_tally_get(&t);
	mv_outcome_set(res, &err, routed, &t);
}
