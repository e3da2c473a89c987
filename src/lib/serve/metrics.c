/*
 * metrics.c: GET /metrics, the Prometheus text exposition format 0.0.4.
 *
 * The counters come from the file every process of this store counts in
 * (counters.h), so any FastCGI child answers for all of them; the store's
 * size and the checksum databases' tree sizes are read from the index at
 * scrape time (totals.h).  Every family has HELP and TYPE lines, even
 * with no sample yet, so a dashboard finds it from the first scrape.
 * Who may read it is the metrics key (config.h): the default is loopback.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "modvault/base/log.h"
#include "modvault/store/counters.h"
#include "modvault/store/totals.h"
#include "answer.h"
#include "http.h"

#define MV_CT_PROMETHEUS	"text/plain; version=0.0.4; charset=utf-8"

/* The endpoint label of each route kind. */
static const char *const endpoint_names[MV_ROUTE__MAX] = {
	[MV_ROUTE_INDEX] = "index",
	[MV_ROUTE_HEALTHZ] = "healthz",
	[MV_ROUTE_LIST] = "list",
	[MV_ROUTE_INFO] = "info",
	[MV_ROUTE_MOD] = "mod",
	[MV_ROUTE_ZIP] = "zip",
	[MV_ROUTE_LATEST] = "latest",
	[MV_ROUTE_SUMDB] = "sumdb",
	[MV_ROUTE_METRICS] = "metrics",
};
_Static_assert(MV_ROUTE__MAX <= MV_COUNTERS_ROUTES,
    "every route kind has a counter");
_Static_assert(MV_HOW__MAX <= MV_COUNTERS_HOWS &&
    MV_HOW_HIT == MV_COUNTERS_HOW_HIT &&
    MV_HOW_FETCHED == MV_COUNTERS_HOW_FETCHED &&
    MV_HOW_STALE == MV_COUNTERS_HOW_STALE,
    "the counters' how slots are enum mv_how's");

static int
family(struct mv_buf *b, const char *name, const char *type,
    const char *help, struct mv_err *err)
{
	return mv_buf_printf(b, err, "# HELP %s %s\n# TYPE %s %s\n", name,
	    help, name, type);
}

/* A label value as the format wants it: \\, \" and \n escaped. */
static int
label_value(struct mv_buf *b, const char *v, struct mv_err *err)
{
	int rc = 0;

	for (; *v != '\0' && rc == 0; v++)
		rc = *v == '\\' ? mv_buf_puts(b, "\\\\", err) :
		    *v == '"' ? mv_buf_puts(b, "\\\"", err) :
		    *v == '\n' ? mv_buf_puts(b, "\\n", err) :
		    mv_buf_printf(b, err, "%c", *v);
	return rc;
}

/* name{label="value"} n */
static int
sample1(struct mv_buf *b, const char *name, const char *label,
    const char *value, uint64_t n, struct mv_err *err)
{
	if (mv_buf_printf(b, err, "%s{%s=\"", name, label) == -1 ||
	    label_value(b, value, err) == -1)
		return -1;
	return mv_buf_printf(b, err, "\"} %" PRIu64 "\n", n);
}

static int
requests(struct mv_buf *b, const struct mv_counters_snapshot *s,
    struct mv_err *err)
{
	size_t r, c;

	if (family(b, "modvault_requests_total", "counter", "Requests "
	    "answered, by endpoint and status class (code 0xx: no valid "
	    "status).", err) == -1)
		return -1;
	for (r = 0; r < MV_ROUTE__MAX; r++)
		for (c = 0; c < MV_COUNTERS_CLASSES; c++)
			if (s->requests[r][c] > 0 && mv_buf_printf(b, err,
			    "modvault_requests_total{endpoint=\"%s\","
			    "code=\"%zuxx\"} %" PRIu64 "\n", endpoint_names[r],
			    c, s->requests[r][c]) == -1)
				return -1;
	if (family(b, "modvault_answers_total", "counter", "Requests by how "
	    "they were answered: hit (from the store), fetched (an upstream "
	    "answered), stale (from the store, upstreams failing), refused, "
	    "error, local (modvault's own pages), redirected (download_mode "
	    "redirect).", err) == -1)
		return -1;
	for (r = 0; r < MV_HOW__MAX; r++)
		if (sample1(b, "modvault_answers_total", "how",
		    mv_how_name((enum mv_how)r), s->how[r], err) == -1)
			return -1;
	return 0;
}

static int
cache(struct mv_buf *b, const struct mv_counters_snapshot *s,
    struct mv_err *err)
{
	size_t i;

	if (family(b, "modvault_cache_hits_total", "counter", "Requests "
	    "answered from the store without asking an upstream.", err) == -1 ||
	    mv_buf_printf(b, err, "modvault_cache_hits_total %" PRIu64 "\n",
	    s->how[MV_HOW_HIT]) == -1 ||
	    family(b, "modvault_cache_misses_total", "counter", "Requests "
	    "that needed an upstream (fetched or stale).", err) == -1 ||
	    mv_buf_printf(b, err, "modvault_cache_misses_total %" PRIu64 "\n",
	    s->how[MV_HOW_FETCHED] + s->how[MV_HOW_STALE]) == -1 ||
	    family(b, "modvault_fetches_total", "counter", "Module versions "
	    "fetched from an upstream and stored (responder and CLI).",
	    err) == -1 ||
	    mv_buf_printf(b, err, "modvault_fetches_total %" PRIu64 "\n",
	    s->fetches) == -1 ||
	    family(b, "modvault_refusals_total", "counter", "Requests "
	    "refused, by the rule that refused them (other: past the "
	    "table's slots).", err) == -1)
		return -1;
	for (i = 0; i < s->nrules; i++)
		if (sample1(b, "modvault_refusals_total", "rule",
		    s->rules[i].rule, s->rules[i].n, err) == -1)
			return -1;
	if (s->rules_other > 0 && sample1(b, "modvault_refusals_total",
	    "rule", "other", s->rules_other, err) == -1)
		return -1;
	return 0;
}

static int
latency(struct mv_buf *b, const struct mv_counters_snapshot *s,
    struct mv_err *err)
{
	static const char name[] = "modvault_upstream_request_duration_seconds";
	size_t i;

	if (family(b, name, "histogram", "Upstream HTTP requests (proxies, "
	    "checksum databases) and git fetches, by duration.", err) == -1)
		return -1;
	for (i = 0; i < MV_LATENCY_BUCKETS; i++)
		if (mv_buf_printf(b, err, "%s_bucket{le=\"%g\"} %" PRIu64 "\n",
		    name, (double)mv_counters_bucket_us[i] / 1e6,
		    s->upstream_bucket[i]) == -1)
			return -1;
	return mv_buf_printf(b, err, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n"
	    "%s_sum %.6f\n%s_count %" PRIu64 "\n", name, s->upstream_count,
	    name, (double)s->upstream_sum_us / 1e6, name, s->upstream_count);
}

static int
bytes(struct mv_buf *b, const struct mv_counters_snapshot *s,
    struct mv_err *err)
{
	if (family(b, "modvault_served_bytes_total", "counter", "Response "
	    "body bytes sent (offloaded files counted at their length).",
	    err) == -1 ||
	    mv_buf_printf(b, err, "modvault_served_bytes_total %" PRIu64 "\n",
	    s->bytes_served) == -1 ||
	    family(b, "modvault_fetched_bytes_total", "counter", "Bytes of "
	    "the module versions fetched (.info, .mod and .zip).", err) == -1)
		return -1;
	return mv_buf_printf(b, err, "modvault_fetched_bytes_total %" PRIu64
	    "\n", s->fetch_bytes);
}

/*
 * download_mode async: the fetches started, and those running now (the
 * slots held, mode.c), which no crash can leave counted.
 */
static int
background(struct mv_service *svc, struct mv_buf *b,
    const struct mv_counters_snapshot *s, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	unsigned held = 0;
	bool ok;

	if (!(ok = mv_background_running(&svc->cfg, &held, &e) == 0))
		mv_log_warn("metrics: %s", e.msg);
	if (family(b, "modvault_background_fetches_total", "counter",
	    "Background fetches started (download_mode async).", err) == -1 ||
	    mv_buf_printf(b, err, "modvault_background_fetches_total %"
	    PRIu64 "\n", s->background_started) == -1 ||
	    family(b, "modvault_background_fetches_running", "gauge",
	    "Background fetches running now (at most background_fetches).",
	    err) == -1)
		return -1;
	return ok ? mv_buf_printf(b, err, "modvault_background_fetches_"
	    "running %u\n", held) : 0;
}

/* Read from the index now; a failure leaves the families without samples. */
static int
store(struct mv_service *svc, struct mv_buf *b, struct mv_err *err)
{
	struct mv_store_totals t;
	struct mv_err e = MV_ERR_INIT;
	bool ok;
	size_t i;

	if (!(ok = mv_store_totals(svc->store, &t, &e) == 0))
		mv_log_warn("metrics: reading the store's totals: %s", e.msg);
	if (family(b, "modvault_store_versions", "gauge", "Module versions "
	    "in the store's index.", err) == -1 || (ok && mv_buf_printf(b,
	    err, "modvault_store_versions %" PRIu64 "\n", t.versions) == -1) ||
	    family(b, "modvault_store_modules", "gauge", "Modules with a "
	    "version in the store's index.", err) == -1 || (ok &&
	    mv_buf_printf(b, err, "modvault_store_modules %" PRIu64 "\n",
	    t.modules) == -1) ||
	    family(b, "modvault_store_bytes", "gauge", "Bytes of the stored "
	    "versions' .info, .mod and .zip files.", err) == -1 || (ok &&
	    mv_buf_printf(b, err, "modvault_store_bytes %" PRIu64 "\n",
	    t.bytes) == -1) ||
	    family(b, "modvault_sumdb_tree_size", "gauge", "Records in the "
	    "latest verified tree of each checksum database.", err) == -1)
		return -1;
	for (i = 0; ok && i < t.nsumdb; i++)
		if (sample1(b, "modvault_sumdb_tree_size", "db", t.sumdb[i].name,
		    (uint64_t)(t.sumdb[i].size < 0 ? 0 : t.sumdb[i].size),
		    err) == -1)
			return -1;
	return 0;
}

int
mv_answer_metrics(struct mv_service *svc, const struct mv_request *req,
    struct mv_response *res, struct mv_err *err)
{
	struct mv_counters_snapshot s;
	struct mv_buf *b = &res->body;

	if (svc->cfg.metrics == MV_METRICS_OFF) {
		mv_http_error(res, 404, "not found: metrics are off here");
		return 0;
	}
	if (!mv_config_metrics_allows(&svc->cfg, req->remote_addr)) {
		mv_http_error(res, 403, "forbidden: this address may not read "
		    "the metrics (the metrics key in modvault.conf)");
		return 0;
	}
	mv_counters_snapshot(svc->counters, &s);
	res->content_type = MV_CT_PROMETHEUS;
	res->cache_control = "no-store";
	res->body_kind = MV_BODY_BUF;
	if (family(b, "modvault_build_info", "gauge", "modvault's version "
	    "(always 1).", err) == -1 ||
	    sample1(b, "modvault_build_info", "version", PACKAGE_VERSION, 1,
	    err) == -1 ||
	    requests(b, &s, err) == -1 || cache(b, &s, err) == -1 ||
	    latency(b, &s, err) == -1 || bytes(b, &s, err) == -1 ||
	    background(svc, b, &s, err) == -1 || store(svc, b, err) == -1)
		return -1;
	res->len = b->len;
	return 0;
}
