/*
 * status.c: the status page a browser gets at the proxy's root (see
 * status.h).
 *
 * One small HTML5 document, built in the response's buffer: how to point
 * the go command here (from the URL the browser used and this proxy's
 * configuration), what the store holds, and what the shared counters saw.
 * Every part says so when what it shows is unavailable (a broken config
 * or store, no counters), and the page is still answered.  Text that came
 * from a request, an upstream or the counters goes through mv_html_escape;
 * nothing from the config that may hold a secret (upstream URLs) is shown.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modvault/base/log.h"
#include "modvault/base/text.h"
#include "modvault/store/counters.h"
#include "modvault/store/totals.h"
#include "modvault/serve/status.h"
#include "answer.h"
#include "http.h"

/* Nothing runs, nothing loads: styles inline, images only data: URLs. */
#define STATUS_CSP	"default-src 'none'; style-src 'unsafe-inline'; " \
	"img-src data:; base-uri 'none'; form-action 'none'; " \
	"frame-ancestors 'none'"

#define STATUS_STYLE \
	"body{font:15px/1.5 system-ui,sans-serif;color:#1f2933;" \
	"background:#f5f7fa;margin:0}" \
	"main{max-width:760px;margin:0 auto;padding:24px}" \
	"h1{font-size:26px;margin:0 0 4px}h1 small{font-size:15px;" \
	"color:#616e7c;font-weight:normal}" \
	"h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #cbd2d9}" \
	"pre{background:#fff;border:1px solid #cbd2d9;border-radius:4px;" \
	"padding:8px 12px;overflow-x:auto}" \
	"code,pre{font-family:ui-monospace,monospace;font-size:14px}" \
	"dl{display:grid;grid-template-columns:max-content auto;" \
	"gap:4px 24px;margin:0}dt{color:#616e7c}dd{margin:0}" \
	"table{border-collapse:collapse;width:100%;background:#fff}" \
	"th,td{text-align:left;padding:4px 8px;border-bottom:1px solid " \
	"#e4e7eb;font-size:14px;white-space:nowrap;vertical-align:top}" \
	"td.path{white-space:normal;overflow-wrap:anywhere;width:100%}" \
	"th{color:#616e7c;font-weight:normal}" \
	".note{color:#616e7c}svg.chart{width:100%;height:auto;" \
	"background:#fff;border:1px solid #cbd2d9;border-radius:4px}" \
	"figure{margin:0}figcaption{color:#616e7c;font-size:13px}" \
	"footer{margin-top:32px;color:#9aa5b1;font-size:13px}"

/* "1.5 MiB (1572864 bytes)": readable, and exact for whoever needs it. */
static int
put_size(struct mv_buf *out, uint64_t n, struct mv_err *err)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	if (n < 1024)
		return mv_buf_printf(out, err, "%" PRIu64 " bytes", n);
	for (v /= 1024; v >= 1024 && u + 1 < 4; v /= 1024)
		u++;
	return mv_buf_printf(out, err, "%.1f %s (%" PRIu64 " bytes)", v,
	    unit[u], n);
}

/* "<pre id=ID>go env -w NAME=VALUE</pre>", VALUE escaped. */
static int
put_setting(struct mv_buf *out, const char *id, const char *name,
    const char *value, struct mv_err *err)
{
	return mv_buf_printf(out, err, "<pre id=\"%s\">go env -w %s=", id,
	    name) == -1 || mv_html_escape(out, value, err) == -1 ||
	    mv_buf_puts(out, "</pre>\n", err) == -1 ? -1 : 0;
}

static int
head(struct mv_buf *out, struct mv_err *err)
{
	return mv_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\">\n<title>modvault: Go "
	    "module proxy</title>\n"
	    /* An icon of its own, so a browser asks for no /favicon.ico. */
	    "<link rel=\"icon\" href=\"data:,\">\n"
	    "<style>" STATUS_STYLE "</style>\n"
	    "</head><body><main>\n<h1>modvault <small>a Go module proxy"
	    "</small></h1>\n", err);
}

/* GONOSUMDB for the modules this proxy never looks up (policy.c's rule). */
static int
private_advice(const struct mv_config *cfg, struct mv_buf *out,
    struct mv_err *err)
{
	const char *p = cfg->nosumdb[0] != '\0' ? cfg->nosumdb : cfg->private;

	if (p[0] == '\0')
		return 0;
	return mv_buf_puts(out, "<p>Modules matching these patterns are "
	    "private here: their checksums are never looked up. Tell the go "
	    "command the same (GONOSUMDB, not GOPRIVATE, which would make it "
	    "skip this proxy for them):</p>\n", err) == -1 ||
	    put_setting(out, "gonosumdb", "GONOSUMDB", p, err) == -1 ? -1 : 0;
}

/*
 * GOSUMDB for this configuration.  The go command asks its proxies for
 * a database first (/sumdb/NAME/supported), so a database proxied here
 * needs only its key, and sum.golang.org, the default, not even that.
 */
static int
sumdb_advice(const struct mv_config *cfg, const char *base,
    struct mv_buf *out, struct mv_err *err)
{
	const struct mv_sumdb_config *db;
	size_t i, shown = 0;	/* GOSUMDB lines: the first has the id */
	int rc = 0;

	if (cfg->nsumdb == 0)
		rc = mv_buf_puts(out, "<p>No checksum database is proxied "
		    "here: the go command checks sum.golang.org itself and "
		    "must reach it. Where it cannot, list the modules it "
		    "cannot check in GONOSUMDB, or turn the check off with "
		    "<code>go env -w GOSUMDB=off</code>.</p>\n", err);
	for (i = 0; rc == 0 && i < cfg->nsumdb; i++) {
		db = &cfg->sumdb[i];
		if (mv_buf_puts(out, "<p>The checksum database <code>", err) ==
		    -1 || mv_html_escape(out, db->name, err) == -1 ||
		    mv_buf_puts(out, "</code> is proxied here, at <code>",
		    err) == -1 || mv_html_escape(out, base, err) == -1 ||
		    mv_buf_puts(out, "sumdb/", err) == -1 ||
		    mv_html_escape(out, db->name, err) == -1)
			return -1;
		if (strcmp(db->name, "sum.golang.org") == 0)
			rc = mv_buf_puts(out, "/</code>: it is the go "
			    "command's default, so there is nothing to set."
			    "</p>\n", err);
		else if ((rc = mv_buf_puts(out, shown == 0 ? "/</code>; have "
		    "the go command use it with:</p>\n" : "/</code>; GOSUMDB "
		    "names one database: to use this one instead:</p>\n",
		    err)) == 0)
			rc = put_setting(out, shown++ == 0 ? "gosumdb" :
			    "gosumdb-more", "GOSUMDB", db->vkey, err);
	}
	return rc == -1 ? -1 : private_advice(cfg, out, err);
}

/* How to use this proxy: GOPROXY as the browser reached it, then GOSUMDB. */
static int
use_section(struct mv_service *svc, const struct mv_request *req,
    const char *path, struct mv_buf *out, struct mv_err *err)
{
	struct mv_buf url = MV_BUF_BOUNDED(MV_REQUEST_PATH_MAX_BYTES + 512);
	int rc;

	rc = mv_own_url(req, path, &url, err) == -1 ||
	    mv_buf_puts(out, "<h2>Use this proxy</h2>\n", err) == -1 ||
	    put_setting(out, "goproxy", "GOPROXY", mv_buf_str(&url), err) ==
	    -1 ? -1 : 0;
	if (rc == 0 && svc->cfg_err.code != MV_OK)
		rc = mv_buf_puts(out, "<p class=\"note\">modvault is "
		    "misconfigured and answers nothing else until it is "
		    "fixed (the server's error log has the cause).</p>\n", err);
	else if (rc == 0)
		rc = sumdb_advice(&svc->cfg, mv_buf_str(&url), out, err);
	if (rc == 0 && svc->cfg_err.code == MV_OK)
		rc = mv_buf_puts(out, strcmp(svc->cfg.upstream, "off") == 0 ?
		    "<p>This proxy fetches nothing (<code>upstream = off"
		    "</code>): it serves only the versions it stores.</p>\n" :
		    "<p>A version it does not store is fetched from its "
		    "upstream, checked, stored, then served.</p>\n", err);
	mv_buf_free(&url);
	return rc;
}

/* What the index holds: a broken store says so, and the log says why. */
static int
store_section(struct mv_service *svc, struct mv_buf *out,
    struct mv_err *err)
{
	struct mv_store_totals t;
	struct mv_err why = MV_ERR_INIT;

	if (mv_buf_puts(out, "<h2>Store</h2>\n", err) == -1)
		return -1;
	if (svc->store != NULL &&
	    mv_store_totals(svc->store, &t, &why) == -1)
		mv_log_error("status page: %s", why.msg);
	if (svc->store == NULL || why.code != MV_OK)
		return mv_buf_puts(out, "<p id=\"store-unavailable\" "
		    "class=\"note\">The store is unavailable (the server's "
		    "error log has the cause).</p>\n", err);
	return mv_buf_printf(out, err, "<dl><dt>Versions</dt>"
	    "<dd id=\"versions\">%" PRIu64 "</dd><dt>Modules</dt>"
	    "<dd id=\"modules\">%" PRIu64 "</dd><dt>Bytes stored</dt>"
	    "<dd id=\"bytes\">", t.versions, t.modules) == -1 ||
	    put_size(out, t.bytes, err) == -1 ||
	    mv_buf_puts(out, "</dd></dl>\n", err) == -1 ? -1 : 0;
}

/* One row of the fetches or refusals table, every field escaped. */
static int
event_row(struct mv_buf *out, const struct mv_event *e, bool refusal,
    struct mv_err *err)
{
	char when[32] = "?";
	time_t t = (time_t)e->time;
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (mv_buf_printf(out, err, "<tr><td>%s</td><td class=\"path\">",
	    when) == -1 ||
	    mv_html_escape(out, e->module, err) == -1 ||
	    mv_buf_puts(out, "</td><td>", err) == -1 ||
	    mv_html_escape(out, e->version, err) == -1 ||
	    (refusal && (mv_buf_puts(out, "</td><td>", err) == -1 ||
	    mv_html_escape(out, e->rule, err) == -1)))
		return -1;
	return mv_buf_puts(out, "</td></tr>\n", err);
}

/* The last fetches or refusals, newest first, from the counters' rings. */
static int
events(const struct mv_counters *c, bool refusals, struct mv_buf *out,
    struct mv_err *err)
{
	struct mv_event ev[MV_EVENTS_KEPT];
	size_t i, n = mv_counters_recent(c, refusals, ev, MV_EVENTS_KEPT);
	const char *id = refusals ? "refusals" : "fetches";

	if (mv_buf_printf(out, err, "<h2>Last %s</h2>\n", id) == -1)
		return -1;
	if (n == 0)
		return mv_buf_printf(out, err, "<p id=\"%s\" class=\"note\">"
		    "None yet.</p>\n", id);
	if (mv_buf_printf(out, err, "<table id=\"%s\"><tr><th>When (UTC)"
	    "</th><th>Module</th><th>Version</th>%s</tr>\n", id, refusals ?
	    "<th>Rule</th>" : "") == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (event_row(out, &ev[i], refusals, err) == -1)
			return -1;
	return mv_buf_puts(out, "</table>\n", err);
}

/* Hit ratio, requests per hour, the last fetches and refusals. */
static int
traffic_section(const struct mv_counters *c, struct mv_buf *out,
    struct mv_err *err)
{
	uint64_t hourly[MV_HOURS_KEPT], hits, all;

	if (mv_buf_puts(out, "<h2>Traffic</h2>\n", err) == -1)
		return -1;
	if (c == NULL)
		return mv_buf_puts(out, "<p id=\"counters-unavailable\" "
		    "class=\"note\">The request counters are unavailable (the "
		    "server's error log has the cause): there is no traffic to "
		    "show.</p>\n", err);
	hits = mv_counters_hits(c);
	all = hits + mv_counters_misses(c);
	mv_counters_hourly(c, time(NULL), hourly);
	if ((all == 0 ? mv_buf_puts(out, "<p id=\"hit-ratio\">Hit ratio: no "
	    "module requests counted yet.</p>\n", err) : mv_buf_printf(out, err,
	    "<p id=\"hit-ratio\">Hit ratio: %.1f %% (%" PRIu64 " of %" PRIu64
	    " module requests answered from the store)</p>\n",
	    100.0 * (double)hits / (double)all, hits, all)) == -1 ||
	    mv_buf_puts(out, "<figure>", err) == -1 ||
	    mv_chart_svg(out, hourly, MV_HOURS_KEPT, err) == -1 ||
	    mv_buf_printf(out, err, "<figcaption>Requests per hour, the last "
	    "%d hours</figcaption></figure>\n", MV_HOURS_KEPT) == -1)
		return -1;
	return events(c, false, out, err) == -1 ||
	    events(c, true, out, err) == -1 ? -1 : 0;
}

int
mv_answer_status(struct mv_service *svc, const struct mv_request *req,
    const char *path, struct mv_response *res, struct mv_err *err)
{
	struct mv_buf *out = &res->body;

	res->content_type = "text/html; charset=utf-8";
	res->cache_control = "no-store";
	res->vary = "Accept";
	res->csp = STATUS_CSP;
	res->body_kind = MV_BODY_BUF;
	if (head(out, err) == -1 ||
	    use_section(svc, req, path, out, err) == -1 ||
	    store_section(svc, out, err) == -1 ||
	    traffic_section(svc->counters, out, err) == -1 ||
	    mv_buf_puts(out, "<footer>modvault " PACKAGE_VERSION
	    "</footer>\n</main></body></html>\n", err) == -1)
		return -1;
	res->len = out->len;
	return 0;
}
