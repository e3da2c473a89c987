/*
 * fill.c: fetching what the store lacks from upstream (see fill.h).
 *
 * A miss for module@version goes: policy -> negative cache -> claim the
 * download (claim.h: concurrent misses in any process wait for it, then
 * find the version stored) -> .info from the first upstream entry that
 * has it (GP-6.3 fall-through) -> .mod and .zip from that same entry, so
 * the three agree (the zip scanned as it arrives, zipscan.h), each into a
 * staged file of the store -> mv_store_ingest -> release.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "modvault/base/log.h"
#include "modvault/proto/info.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/source/fill.h"
#include "modvault/store/cache.h"
#include "modvault/store/claim.h"
#include "modvault/store/ingest.h"
#include "modvault/store/shared.h"
#include "modvault/store/stage.h"
#include "modvault/zip/zipscan.h"
#include "fill_priv.h"

/*
 * How much longer than upstream_timeout a miss waits for another process's
 * fetch of the same version: the transfers end by then, and this leaves
 * room for validating and storing what they brought.
 */
#define CLAIM_WAIT_MARGIN	60

static void check_memory(struct mv_filler *f);

int
mv_filler_init(struct mv_filler *f, struct mv_store *st,
    const struct mv_config *cfg, const struct mv_policy *policy,
    struct mv_err *err)
{
	memset(f, 0, sizeof(*f));
	f->st = st;
	f->cfg = cfg;
	f->policy = policy;
	mv_zip_limits_default(&f->lim);
	f->lim.max_zip_bytes = cfg->max_zip_bytes;
	if (mv_sumdbc_init(&f->sumdb, st, cfg, err) == -1)
		return -1;
	if (mv_upstream_new(cfg, &f->up, err) == -1) {
		mv_sumdbc_release(&f->sumdb);
		return -1;
	}
	check_memory(f);
	return 0;
}

/* A fetch needs room to validate a zip (limits.h): is there? */
static void
check_memory(struct mv_filler *f)
{
	struct rlimit rl;
	const uint64_t need = MV_FETCH_MIN_ADDRESS_SPACE_BYTES;

	if (!mv_upstream_enabled(f->up) || getrlimit(RLIMIT_AS, &rl) == -1 ||
	    rl.rlim_cur == RLIM_INFINITY || (uint64_t)rl.rlim_cur >= need)
		return;
	snprintf(f->unfit, sizeof(f->unfit), "cannot fetch: this process may "
	    "use %llu MiB of address space (ulimit -v), validating a zip needs "
	    "%llu MiB", (unsigned long long)(rl.rlim_cur >> 20),
	    (unsigned long long)(need >> 20));
	mv_log_error("%s", f->unfit);
}

/* Fails MV_ENOTFOUND while the responder answers from the store only. */
static int
fetch_allowed(const struct mv_filler *f, const char *module,
    const char *version, struct mv_err *err)
{
	if (f->store_only)
		return mv_fail(err, MV_ENOTFOUND, "not found: %s%s%s: not in the "
		    "store, and this request is answered from the store only",
		    module, *version != '\0' ? "@" : "", version);
	return 0;
}

/* Fails when this process cannot fetch at all (check_memory). */
static int
fit(const struct mv_filler *f, struct mv_err *err)
{
	if (f->unfit[0] == '\0')
		return 0;
	return mv_fail(err, MV_EUNAVAIL, "%s", f->unfit);
}

void
mv_filler_release(struct mv_filler *f)
{
	mv_upstream_free(f->up);
	f->up = NULL;
	mv_sumdbc_release(&f->sumdb);
}

int
mv_fill_verify_sumdb(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	struct mv_filler *f = ctx;

	return mv_sumdbc_verify(&f->sumdb, v->module, v->version, v->zip_h1,
	    v->mod_h1, err);
}

/*
 * "<escaped module>/@v/<escaped version><suffix>", or "/@v/list" etc.:
 * the GP-2.1 escaping, then each element percent-encoded for the URL.
 */
static int
relpath(const char *module, const char *version, const char *suffix,
    struct mv_buf *out, struct mv_err *err)
{
	struct mv_buf esc;
	int rc;

	mv_buf_init(&esc, MV_MODPATH_MAX_BYTES * 2);
	rc = mv_escape_path(module, &esc, err) == -1 ||
	    mv_url_escape(mv_buf_str(&esc), true, out, err) == -1 ? -1 : 0;
	if (rc == 0 && version != NULL) {
		mv_buf_reset(&esc);
		rc = mv_buf_puts(out, "/@v/", err) == -1 ||
		    mv_escape_version(version, &esc, err) == -1 ||
		    mv_url_escape(mv_buf_str(&esc), false, out, err) == -1 ?
		    -1 : 0;
	}
	mv_buf_free(&esc);
	return rc == 0 ? mv_buf_puts(out, suffix, err) : -1;
}

static int64_t
now(void)
{
	return (int64_t)time(NULL);
}

/* Is module@version (version "" = the module) known absent upstream? */
static int
negative_hit(struct mv_filler *f, const char *module, const char *version,
    struct mv_err *err)
{
	char reason[256];
	bool absent = false;

	if (mv_store_negative_get(f->st, module, version, now(), &absent,
	    reason, sizeof(reason), err) == -1)
		return -1;
	if (!absent)
		return 0;
	return mv_fail(err, MV_ENOTFOUND, "not found: %s%s%s: %s", module,
	    *version ? "@" : "", version, reason);
}

/*
 * GP-9.5: remembers a "not found" (in e) for negative_ttl, and reports
 * it; any other failure is passed on as it is.  Returns -1.
 */
static int
absent_or_fail(struct mv_filler *f, const char *module, const char *version,
    const struct mv_err *e, struct mv_err *err)
{
	char reason[256];

	if (e->code != MV_ENOTFOUND && e->code != MV_EGONE)
		return mv_err_pass(err, e);
	/* A repository's reason says more than "unknown to upstream". */
	if (strncmp(e->msg, "not found: ", 11) == 0 && strstr(e->msg,
	    "upstream") == NULL)
		snprintf(reason, sizeof(reason), "%s", e->msg + 11);
	else
		snprintf(reason, sizeof(reason), "unknown to upstream");
	(void)mv_store_negative_put(f->st, module, version, reason, now(),
	    now() + f->cfg->negative_ttl, NULL);
	if (strcmp(reason, "unknown to upstream") != 0)
		return mv_fail(err, MV_ENOTFOUND, "%s", e->msg);
	return mv_fail(err, MV_ENOTFOUND, "not found: %s%s%s: unknown to "
	    "upstream", module, *version ? "@" : "", version);
}

/* The three files of one version, staged. */
struct download {
	struct mv_staged	*info, *mod, *zip;
	unsigned char		 zip_digest[MV_SHA256_LEN];	/* as it came */
	struct mv_zipscan	*scan;	/* read as it came (zipscan.h) */
};

static void
download_release(struct download *d)
{
	mv_staged_discard(d->info);
	mv_staged_discard(d->mod);
	mv_staged_discard(d->zip);
	mv_zipscan_free(d->scan);
	memset(d, 0, sizeof(*d));
}

static int
download_stage(struct mv_filler *f, struct download *d, struct mv_err *err)
{
	struct mv_stage *sg = mv_store_stage(f->st);

	return mv_stage_file(sg, &d->info, err) == -1 ||
	    mv_stage_file(sg, &d->mod, err) == -1 ||
	    mv_stage_file(sg, &d->zip, err) == -1 ? -1 : 0;
}

/* GETs base+suffix from upstream entry *entry. */
static int
get(struct mv_filler *f, const char *base, const char *suffix,
    struct mv_fetch_sink *sink, size_t *entry, struct mv_err *err)
{
	char rel[MV_REQUEST_PATH_MAX_BYTES * 2];

	if ((size_t)snprintf(rel, sizeof(rel), "%s%s", base, suffix) >=
	    sizeof(rel))
		return mv_fail(err, MV_ELIMIT, "upstream path too long");
	return mv_upstream_get_one(f->up, *entry, rel, sink, err);
}

static void
scan_progress(void *ctx, uint64_t got)
{
	mv_zipscan_advance(ctx, got);
}

/*
 * A body over modvault's limit broke a size rule of the go command (rule
 * names it): a refusal like any other, not a failed transfer.
 */
static int
over_limit(const char *rule, const struct mv_err *e, struct mv_err *err)
{
	return mv_fail(err, MV_ELIMIT, "%s: %s", rule, e->msg);
}

/*
 * The zip, from the entry that gave the .info, scanned by two threads
 * while it arrives (zipscan.h); without a thread, hashed as it arrives.
 */
static int
fetch_zip(struct mv_filler *f, const char *base, struct download *d,
    size_t *entry, struct mv_err *err)
{
	struct mv_fetch_sink s = { .fd = mv_staged_fd(d->zip),
	    .max = f->lim.max_zip_bytes };
	struct mv_err serr = MV_ERR_INIT, e = MV_ERR_INIT;
	int rc;

	if (mv_zipscan_start(s.fd, &f->lim, &d->scan, &serr) == 0) {
		s.progress = scan_progress;
		s.progress_ctx = d->scan;
	} else {
		mv_log_warn("%s; hashing the zip inline", serr.msg);
		if ((s.sha = mv_sha256_new(err)) == NULL)
			return -1;
	}
	rc = get(f, base, ".zip", &s, entry, &e);
	if (d->scan != NULL && mv_zipscan_finish(d->scan, rc == 0,
	    d->zip_digest, &e) == -1)
		rc = -1;
	if (s.sha != NULL && rc == 0)
		rc = mv_sha256_final(s.sha, d->zip_digest, &e);
	mv_sha256_free(s.sha);
	if (rc == 0)
		return 0;
	if (s.stop == MV_SINK_OVER_LIMIT)
		return over_limit("MZ-2.1", &e, err);
	return mv_err_pass(err, &e);
}

static int
fetch_files(struct mv_filler *f, const char *base, struct download *d,
    size_t *entry, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf small;
	struct mv_fetch_sink s;
	int rc = -1;

	mv_buf_init(&small, MV_GOMOD_MAX_BYTES);
	s = (struct mv_fetch_sink){ .buf = &small, .fd = -1,
	    .max = MV_INFO_MAX_BYTES };
	if (get(f, base, ".info", &s, entry, err) == -1 ||
	    mv_staged_write_buf(d->info, &small, err) == -1)
		goto out;
	s = (struct mv_fetch_sink){ .buf = &small, .fd = -1,
	    .max = MV_GOMOD_MAX_BYTES };
	if (get(f, base, ".mod", &s, entry, &e) == -1) {
		if (s.stop == MV_SINK_OVER_LIMIT)
			over_limit("MZ-2.3", &e, err);
		else
			mv_err_pass(err, &e);
		goto out;
	}
	if (mv_staged_write_buf(d->mod, &small, err) == -1)
		goto out;
	rc = fetch_zip(f, base, d, entry, err);
out:
	mv_buf_free(&small);
	return rc;
}

/*
 * Whatever upstream did wrong (bytes that break a rule, a body over a
 * limit, a broken or slow transfer) is one thing to the client: a bad
 * gateway (502), with the reason (which names the rule) as the body.
 * Not found stays not found; our own failures (disk, memory, the store)
 * stay ours.  e is the failure; err gets what the client should see.
 */
static int
refused(const char *module, const char *version, const struct mv_err *e,
    struct mv_err *err)
{
	if (e->code == MV_ENOTFOUND || e->code == MV_EGONE ||
	    mv_code_is_local(e->code))
		return mv_err_pass(err, e);
	return mv_fail(err, MV_EUPSTREAM, "refused %s@%s from upstream: %s%s",
	    module, version, e->code == MV_EUPSTREAM || e->code ==
	    MV_ETIMEOUT ? "GP-6.6: " : "", e->msg);
}

/* Downloads from proxy entry `entry` and ingests; the caller holds the
 * claim. */
static int
fetch_and_store(struct mv_filler *f, const char *module, const char *version,
    const struct mv_policy_decision *pd, size_t entry,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	struct download d = { NULL, NULL, NULL, { 0 }, NULL };
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf base;
	struct mv_ingest in;
	int rc = -1;

	mv_buf_init(&base, MV_REQUEST_PATH_MAX_BYTES);
	if (relpath(module, version, "", &base, &e) == -1 ||
	    download_stage(f, &d, &e) == -1 ||
	    fetch_files(f, mv_buf_str(&base), &d, &entry, &e) == -1)
		goto out;
	in = (struct mv_ingest){ .module = module, .version = version,
	    .info = d.info, .mod = d.mod, .zip = d.zip,
	    .origin = mv_upstream_url(f->up, entry),
	    .verify = pd->verify_sumdb ? mv_fill_verify_sumdb : NULL, .verify_ctx = f,
	    .zip_digest = d.zip_digest, .zip_scan = d.scan };
	rc = mv_store_ingest(f->st, &in, &f->lim, outcome, &e);
	if (rc == 0)
		mv_log_info("stored %s@%s from %s", module, version,
		    mv_upstream_url(f->up, entry));
out:
	if (rc == -1)
		refused(module, version, &e, err);
	download_release(&d);
	mv_buf_free(&base);
	return rc;
}

/*
 * VC-3.7: while a "mod" go-import tag's proxy is asked, f's upstream is
 * that proxy alone (entry 0); tag_proxy_end puts f's own back.
 */
static int
tag_proxy_begin(struct mv_filler *f, const char *url,
    struct mv_upstream **saved, struct mv_err *err)
{
	struct mv_upstream *up;

	if (mv_upstream_new_list(url, f->cfg, &up, err) == -1)
		return -1;
	*saved = f->up;
	f->up = up;
	mv_upstream_set_deadline(f->up, f->cfg->upstream_timeout);
	return 0;
}

static void
tag_proxy_end(struct mv_filler *f, struct mv_upstream *saved)
{
	mv_upstream_free(f->up);
	f->up = saved;
}

int
mv_fill_from_tag_proxy(struct mv_filler *f, const char *url,
    const char *module, const char *version,
    const struct mv_policy_decision *pd, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	struct mv_upstream *saved;
	int rc;

	if (tag_proxy_begin(f, url, &saved, err) == -1)
		return -1;
	rc = fetch_and_store(f, module, version, pd, 0, outcome, err);
	tag_proxy_end(f, saved);
	return rc;
}

/*
 * GP-6.2 over the upstream list: each entry in turn (a proxy, or
 * "direct": the module's repository) while the last one's failure lets
 * the next be asked.  A noproxy module goes to its repository only.
 */
static int
fetch_any(struct mv_filler *f, const char *module, const char *version,
    const struct mv_policy_decision *pd, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	size_t i, n = mv_upstream_count(f->up);
	int rc = -1;

	if (pd->direct_only)
		return mv_direct_fetch(f, module, version, pd, outcome, err);
	for (i = 0; i < n; i++) {
		mv_err_clear(&e);
		rc = mv_upstream_is_direct(f->up, i) ?
		    mv_direct_fetch(f, module, version, pd, outcome, &e) :
		    fetch_and_store(f, module, version, pd, i, outcome, &e);
		if (rc == 0 || !mv_upstream_falls_through(f->up, i, &e))
			break;
	}
	return rc == 0 ? 0 : mv_err_pass(err, &e);
}

/* The whole fetch, every transfer of it, within upstream_timeout. */
static int
fetch_timed(struct mv_filler *f, const char *module, const char *version,
    const struct mv_policy_decision *pd, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	int rc;

	mv_upstream_set_deadline(f->up, f->cfg->upstream_timeout);
	rc = fetch_any(f, module, version, pd, outcome, &e);
	mv_upstream_set_deadline(f->up, 0);
	return rc == 0 ? 0 : absent_or_fail(f, module, version, &e, err);
}

/*
 * Under this node's claim: from the bucket when another node stored it
 * (shared.h), else from upstream, under the bucket's claim when shared.
 */
static int
fill_claimed(struct mv_filler *f, const char *module, const char *version,
    const struct mv_policy_decision *pd, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	bool shared = mv_store_shared(f->st), found = false;

	if (shared && mv_fill_adopt(f, module, version, pd, outcome, &found,
	    err) == -1)
		return -1;
	if (found)
		return 0;
	if (fetch_allowed(f, module, version, err) == -1)
		return -1;	/* store only: the bucket had no manifest either */
	if (!mv_upstream_enabled(f->up))
		return mv_fail(err, MV_ENOTFOUND, "not found: %s@%s: not in "
		    "the store%s, and fetching is off", module, version,
		    shared ? " or the bucket" : "");
	if (negative_hit(f, module, version, err) == -1 ||
	    negative_hit(f, module, "", err) == -1)
		return -1;
	if (shared)
		return mv_fill_across_nodes(f, module, version, pd,
		    fetch_timed, outcome, err);
	return fetch_timed(f, module, version, pd, outcome, err);
}

/* A version just stored from upstream, in the shared counters. */
static void
count_fetch(struct mv_filler *f, const char *module, const char *version)
{
	struct mv_version v;

	if (f->counters == NULL || mv_store_get(f->st, module, version, &v,
	    NULL) == -1)
		return;
	mv_counters_fetch(f->counters, module, version, v.info.size +
	    v.mod.size + v.zip.size, time(NULL));
}

int
mv_fill_version(struct mv_filler *f, const char *module, const char *version,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	struct mv_policy_decision pd;
	struct mv_err e = MV_ERR_INIT;
	struct mv_claim *c;
	struct mv_version v;
	int rc;

	*outcome = MV_INGEST_PRESENT;
	if (f->st == NULL || (!mv_upstream_enabled(f->up) &&
	    !mv_store_shared(f->st)))
		return mv_fail(err, MV_ENOTFOUND, "not found: %s@%s: not in "
		    "the store, and fetching is off", module, version);
	/* With a bucket, what another node stored is stored: adopt it. */
	if ((!mv_store_shared(f->st) &&
	    fetch_allowed(f, module, version, err) == -1) || fit(f, err) == -1 ||
	    mv_policy_check(f->policy, MV_POLICY_FETCH, module, version, &pd,
	    err) == -1 ||
	    mv_claim_take(mv_store_stage(f->st), module, version,
	    f->cfg->upstream_timeout + CLAIM_WAIT_MARGIN, &c, NULL, err) == -1)
		return -1;
	/*
	 * Whoever held the claim before may have stored it; so may a process
	 * that looked and stored between our caller's look and our claim.
	 */
	if ((rc = mv_store_get(f->st, module, version, &v, &e)) == 0) {
		mv_claim_release(c);
		return 0;
	}
	if (e.code != MV_ENOTFOUND) {
		mv_claim_release(c);
		return mv_err_pass(err, &e);
	}
	mv_err_clear(&e);
	rc = fill_claimed(f, module, version, &pd, outcome, &e);
	if (rc == 0 && *outcome == MV_INGEST_STORED)
		count_fetch(f, module, version);
	if (rc == 0)
		mv_claim_release(c);
	else {
		/* Those waiting for this fetch get its answer (claim.h). */
		mv_claim_release_failed(c, &e);
		mv_err_pass(err, &e);
	}
	return rc;
}

/*
 * GETs an .info-shaped answer (relpath) from proxy entry i and writes the
 * version it names into out: valid JSON, a canonical version that fits
 * module (GP-5.2, GP-5.5.1); what upstream resolves must be servable.
 */
static int
get_info_version(struct mv_filler *f, size_t i, const char *module,
    const char *rel, struct mv_buf *body, char *out, size_t outsz,
    struct mv_err *err)
{
	struct mv_fetch_sink s = { .buf = body, .fd = -1,
	    .max = MV_INFO_MAX_BYTES };
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf ver, tm;
	int rc;

	mv_buf_init(&ver, MV_VERSION_MAX_BYTES);
	mv_buf_init(&tm, 64);
	if ((rc = mv_upstream_get_one(f->up, i, rel, &s, err)) == 0 &&
	    (mv_info_parse(body->data, body->len, &ver, &tm, &e) == -1 ||
	    !mv_version_is_canonical(mv_buf_str(&ver)) ||
	    mv_modpath_check_version(module, mv_buf_str(&ver), &e) == -1 ||
	    (size_t)snprintf(out, outsz, "%s", mv_buf_str(&ver)) >= outsz))
		rc = mv_fail(err, MV_EUPSTREAM, "upstream's %s names an invalid "
		    "version%s%s", rel, e.msg[0] ? ": " : "", e.msg);
	mv_buf_free(&ver);
	mv_buf_free(&tm);
	return rc;
}

static int get_info_version(struct mv_filler *, size_t, const char *,
		    const char *, struct mv_buf *, char *, size_t,
		    struct mv_err *);

/*
 * What the repository says query (or "latest") is: its .info and version
 * (rel: the same asked of a proxy, for a "mod" go-import tag's).
 */
static int
direct_info(struct mv_filler *f, const char *module, const char *query,
    const char *rel, const struct mv_policy_decision *pd,
    struct mv_buf *body, char *out, size_t outsz, struct mv_err *err)
{
	struct mv_upstream *saved;
	struct mv_direct d;
	struct mv_revinfo ri;
	struct mv_err e = MV_ERR_INIT;
	int rc;

	if (mv_direct_open(f, module, pd, &d, err) == -1)
		return -1;
	if (d.proxy[0] != '\0') {
		if (tag_proxy_begin(f, d.proxy, &saved, err) == -1)
			return -1;
		rc = get_info_version(f, 0, module, rel, body, out, outsz, err);
		tag_proxy_end(f, saved);
		return rc;
	}
	while ((rc = mv_vcs_stat(&d.m, query, &ri, &e)) == -1 &&
	    !mv_code_is_local(e.code) && mv_direct_reprobe(f, &d, NULL) == 0)
		mv_err_clear(&e);
	if (rc == 0)
		rc = mv_vcs_info_json(&d.m, &ri, body, &e);
	mv_direct_close(&d);
	if (rc == 0 && (size_t)snprintf(out, outsz, "%s", ri.version) >= outsz)
		return mv_fail(err, MV_ELIMIT, "version too long");
	if (rc == -1 && e.code == MV_ENOTFOUND)
		return mv_fail(err, MV_ENOTFOUND, "not found: %s@%s: %s", module,
		    query, e.msg);
	return rc == 0 ? 0 : mv_err_pass(err, &e);
}

/*
 * The .info answer for suffix ("/@v/Q.info", "/@latest") from the first
 * entry that has it (GP-6.2): a proxy's, or the repository's (query).
 */
static int
info_any(struct mv_filler *f, const char *module, const char *query,
    const char *rel, struct mv_buf *body, char *out, size_t outsz,
    struct mv_err *err)
{
	struct mv_policy_decision pd;
	struct mv_err e = MV_ERR_INIT;
	size_t i, n = mv_upstream_count(f->up);
	int rc = -1;

	if (fetch_allowed(f, module, query, err) == -1 ||
	    mv_policy_check(f->policy, MV_POLICY_FETCH, module, query, &pd,
	    err) == -1)
		return -1;
	if (pd.direct_only)
		return direct_info(f, module, query, rel, &pd, body, out, outsz,
		    err);
	for (i = 0; i < n; i++) {
		mv_err_clear(&e);
		mv_buf_reset(body);
		rc = mv_upstream_is_direct(f->up, i) ?
		    direct_info(f, module, query, rel, &pd, body, out, outsz,
		    &e) :
		    get_info_version(f, i, module, rel, body, out, outsz, &e);
		if (rc == 0 || !mv_upstream_falls_through(f->up, i, &e))
			break;
	}
	return rc == 0 ? 0 : mv_err_pass(err, &e);
}

int
mv_fill_query(struct mv_filler *f, const char *module, const char *query,
    char *out, size_t outsz, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf rel, body;
	enum mv_ingest_outcome oc;
	int rc;

	if (f->st == NULL || !mv_upstream_enabled(f->up))
		return mv_fail(err, MV_ENOTFOUND, "not found: %s@%s: fetching is "
		    "off", module, query);
	if (fit(f, err) == -1)
		return -1;
	if (mv_version_query_check(query, &e) == -1)
		return mv_fail(err, MV_ENOTFOUND, "not found: %s@%s: %s", module,
		    query, e.msg);
	mv_buf_init(&rel, MV_REQUEST_PATH_MAX_BYTES);
	mv_buf_init(&body, MV_INFO_MAX_BYTES);
	rc = negative_hit(f, module, query, err);
	if (rc == 0)
		rc = relpath(module, query, ".info", &rel, err);
	if (rc == 0 && (rc = info_any(f, module, query, mv_buf_str(&rel),
	    &body, out, outsz, &e)) == -1)
		absent_or_fail(f, module, query, &e, err);
	if (rc == 0)
		rc = mv_fill_version(f, module, out, &oc, err);
	mv_buf_free(&rel);
	mv_buf_free(&body);
	return rc;
}

/* The repository's version list (VC-6), or its "mod" tag's proxy's. */
static int
direct_list(struct mv_filler *f, const char *module, const char *rel,
    const struct mv_policy_decision *pd, struct mv_buf *out,
    struct mv_err *err)
{
	struct mv_fetch_sink s = { .buf = out, .fd = -1,
	    .max = MV_LIST_MAX_BYTES };
	struct mv_err e = MV_ERR_INIT;
	struct mv_upstream *saved;
	struct mv_direct d;
	int rc;

	if (mv_direct_open(f, module, pd, &d, err) == -1)
		return -1;
	if (d.proxy[0] != '\0') {
		if (tag_proxy_begin(f, d.proxy, &saved, err) == -1)
			return -1;
		rc = mv_upstream_get_one(f->up, 0, rel, &s, err);
		tag_proxy_end(f, saved);
		return rc;
	}
	while ((rc = mv_vcs_versions(&d.m, out, &e)) == -1 &&
	    !mv_code_is_local(e.code) && mv_direct_reprobe(f, &d, NULL) == 0) {
		mv_err_clear(&e);
		mv_buf_reset(out);
	}
	if (rc == 0)
		mv_origin_watch(f, &d);
	else
		mv_err_pass(err, &e);
	mv_direct_close(&d);
	return rc;
}

/* The list from the first entry that has it (GP-6.2). */
static int
list_any(struct mv_filler *f, const char *module, const char *rel,
    struct mv_buf *out, struct mv_err *err)
{
	struct mv_fetch_sink s = { .buf = out, .fd = -1,
	    .max = MV_LIST_MAX_BYTES };
	struct mv_policy_decision pd;
	struct mv_err e = MV_ERR_INIT;
	size_t i, n = mv_upstream_count(f->up);
	int rc = -1;

	if (fetch_allowed(f, module, "", err) == -1 ||
	    mv_policy_check(f->policy, MV_POLICY_FETCH, module, "", &pd,
	    err) == -1)
		return -1;
	if (pd.direct_only)
		return direct_list(f, module, rel, &pd, out, err);
	for (i = 0; i < n; i++) {
		mv_err_clear(&e);
		mv_buf_reset(out);
		rc = mv_upstream_is_direct(f->up, i) ?
		    direct_list(f, module, rel, &pd, out, &e) :
		    mv_upstream_get_one(f->up, i, rel, &s, &e);
		if (rc == 0 || !mv_upstream_falls_through(f->up, i, &e))
			break;
	}
	return rc == 0 ? 0 : mv_err_pass(err, &e);
}

/* Fetches the list from upstream and keeps it; -1 with err on failure. */
static int
fetch_list(struct mv_filler *f, const char *module, struct mv_buf *out,
    struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf rel;
	int rc;

	mv_buf_init(&rel, MV_REQUEST_PATH_MAX_BYTES);
	rc = relpath(module, NULL, "/@v/list", &rel, &e);
	if (rc == 0)
		rc = list_any(f, module, mv_buf_str(&rel), out, &e);
	mv_buf_free(&rel);
	if (rc == -1)
		return absent_or_fail(f, module, "", &e, err);
	(void)mv_store_list_put(f->st, module, out->data ? out->data : "",
	    out->len, now(), NULL);
	return 0;
}

int
mv_fill_list(struct mv_filler *f, const char *module, struct mv_buf *out,
    struct mv_err *err)
{
	struct mv_err ferr = MV_ERR_INIT;
	int64_t fetched = 0;
	int have;

	if (f->st == NULL || !mv_upstream_enabled(f->up))
		return mv_fail(err, MV_ENOTFOUND, "fetching is off");
	if (negative_hit(f, module, "", err) == -1)
		return -1;
	have = mv_store_list_get(f->st, module, out, &fetched, NULL) == 0;
	if (have && now() - fetched < f->cfg->list_ttl)
		return 0;
	mv_buf_reset(out);
	if (fetch_list(f, module, out, &ferr) == 0)
		return 0;
	/* Upstream down: the last list it gave is better than nothing. */
	mv_buf_reset(out);
	if (ferr.code != MV_ENOTFOUND && have &&
	    mv_store_list_get(f->st, module, out, &fetched, NULL) == 0) {
		mv_log_warn("list of %s: %s; answering from the copy of %lds "
		    "ago", module, ferr.msg, (long)(now() - fetched));
		return 0;
	}
	return mv_err_pass(err, &ferr);
}

int
mv_fill_latest(struct mv_filler *f, const char *module, struct mv_buf *out,
    char *version, size_t versionsz, struct mv_err *err)
{
	char v[MV_VERSION_MAX_BYTES + 1];
	struct mv_buf rel;
	int rc;

	if (f->st == NULL || !mv_upstream_enabled(f->up))
		return mv_fail(err, MV_ENOTFOUND, "fetching is off");
	mv_buf_init(&rel, MV_REQUEST_PATH_MAX_BYTES);
	rc = relpath(module, NULL, "/@latest", &rel, err);
	if (rc == 0)
		rc = info_any(f, module, "latest", mv_buf_str(&rel), out, v,
		    sizeof(v), err);
	if (rc == 0 && version != NULL &&
	    (size_t)snprintf(version, versionsz, "%s", v) >= versionsz)
		rc = mv_fail(err, MV_ELIMIT, "version too long");
	mv_buf_free(&rel);
	return rc;
}
