/*
 * fill.c: fetching what the store lacks from upstream (see fill.h).
 *
 * A miss for module@version goes: negative cache -> claim the download
 * (the inflight table; a claim by a dead process is taken over) -> .info
 * from the first upstream entry that has it (GP-6.3 fall-through) -> .mod
 * and .zip from that same entry, so the three agree (the zip scanned as
 * it arrives, zipscan.h) -> mv_store_ingest -> release.  Processes that find the claim taken poll the store until the
 * version appears, the claim dies, or upstream_timeout passes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modvault/source/fill.h"
#include "modvault/proto/info.h"
#include "modvault/base/log.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/route.h"
#include "modvault/proto/semver.h"
#include "modvault/zip/zipscan.h"

#define INFO_MAX	(64 * 1024)	/* a .info is a few hundred bytes */
#define MOD_MAX		(16u << 20)	/* MZ-2.3, GP-5.3.5 */
#define LIST_MAX	(4u << 20)	/* ~100k versions */
#define POLL_USEC	50000

int
mv_filler_init(struct mv_filler *f, struct mv_store *st,
    const struct mv_config *cfg, struct mv_err *err)
{
	memset(f, 0, sizeof(*f));
	f->st = st;
	f->cfg = cfg;
	mv_zip_limits_default(&f->lim);
	f->lim.max_zip_bytes = cfg->max_zip_bytes;
	if (mv_sumdbc_init(&f->sumdb, st, cfg, err) == -1)
		return -1;
	if (mv_upstream_new(cfg, &f->up, err) == -1) {
		mv_sumdbc_release(&f->sumdb);
		return -1;
	}
	return 0;
}

void
mv_filler_release(struct mv_filler *f)
{
	mv_upstream_free(f->up);
	f->up = NULL;
	mv_sumdbc_release(&f->sumdb);
}

/* The mv_ingest verify hook: the checksum database's word (SD-10.1). */
static int
verify_sumdb(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	struct mv_filler *f = ctx;

	return mv_sumdbc_verify(&f->sumdb, v->module, v->version, v->zip_h1,
	    v->mod_h1, err);
}

/* "<escaped module>/@v/<escaped version><suffix>", or "/@v/list" etc. */
static int
relpath(const char *module, const char *version, const char *suffix,
    struct mv_buf *out, struct mv_err *err)
{
	if (mv_escape_path(module, out, err) == -1)
		return -1;
	if (version == NULL)
		return mv_buf_puts(out, suffix, err);
	if (mv_buf_puts(out, "/@v/", err) == -1 ||
	    mv_escape_version(version, out, err) == -1)
		return -1;
	return mv_buf_puts(out, suffix, err);
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

/* GP-9.5: remembers upstream's "not found" for negative_ttl; errors never. */
static int
remember_absent(struct mv_filler *f, const char *module, const char *version,
    struct mv_err *err)
{
	if (err == NULL || (err->code != MV_ENOTFOUND && err->code != MV_EGONE))
		return -1;
	(void)mv_store_negative_put(f->st, module, version, "unknown to "
	    "upstream", now() + f->cfg->negative_ttl, NULL);
	mv_fail(err, MV_ENOTFOUND, "not found: %s%s%s: unknown to upstream",
	    module, *version ? "@" : "", version);
	return -1;
}

static int
tmpfile_in_store(struct mv_filler *f, char *path, size_t pathsz,
    struct mv_err *err)
{
	int fd;

	/* blob-<pid>- lets the store's cleaner remove it if we die. */
	if ((size_t)snprintf(path, pathsz, "%s/tmp/blob-%ld-dlXXXXXX",
	    f->cfg->data_dir, (long)getpid()) >= pathsz)
		return mv_fail(err, MV_ELIMIT, "data directory name too long");
	if ((fd = mkstemp(path)) == -1)
		return mv_fail(err, MV_EIO, "cannot create \"%s\": %s", path,
		    strerror(errno));
	return fd;
}

static int
write_all(int fd, const struct mv_buf *b, struct mv_err *err)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return mv_fail(err, MV_EIO, "writing a download: %s",
			    strerror(errno));
		off += (size_t)n;
	}
	return 0;
}

/* The three files of one version, as temporary files. */
struct download {
	char		info[4096], mod[4096], zip[4096];
	int		fd_info, fd_mod, fd_zip;
	unsigned char	zip_digest[MV_SHA256_LEN];	/* hashed as it came */
	struct mv_zipscan *scan;	/* read as it came (zipscan.h) */
};

static void
download_release(struct download *d)
{
	int *fds[] = { &d->fd_info, &d->fd_mod, &d->fd_zip };
	char *paths[] = { d->info, d->mod, d->zip };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (*fds[i] >= 0) {
			close(*fds[i]);
			unlink(paths[i]);
		}
		*fds[i] = -1;
	}
	mv_zipscan_free(d->scan);
	d->scan = NULL;
}

/* GETs base+suffix from entry i (or with fall-through when i is NULL). */
static int
get(struct mv_filler *f, const char *base, const char *suffix,
    struct mv_fetch_sink *sink, size_t *entry, int any, struct mv_err *err)
{
	char rel[MV_REQUEST_PATH_MAX * 2];

	if ((size_t)snprintf(rel, sizeof(rel), "%s%s", base, suffix) >=
	    sizeof(rel))
		return mv_fail(err, MV_ELIMIT, "upstream path too long");
	if (any)
		return mv_upstream_get(f->up, rel, sink, entry, err);
	return mv_upstream_get_one(f->up, *entry, rel, sink, err);
}

static void
scan_progress(void *ctx, uint64_t got)
{
	mv_zipscan_advance(ctx, got);
}

/*
 * The zip, from the entry that gave the .info, scanned by two threads
 * while it arrives (zipscan.h); without a thread, hashed as it arrives.
 */
static int
fetch_zip(struct mv_filler *f, const char *base, struct download *d,
    size_t *entry, struct mv_err *err)
{
	struct mv_fetch_sink s = { .fd = d->fd_zip,
	    .max = f->lim.max_zip_bytes };
	struct mv_err serr;
	int rc;

	if (mv_zipscan_start(d->fd_zip, &f->lim, &d->scan, &serr) == 0) {
		s.progress = scan_progress;
		s.progress_ctx = d->scan;
	} else {
		mv_log_warn("%s; hashing the zip inline", serr.msg);
		if ((s.sha = mv_sha256_new(err)) == NULL)
			return -1;
	}
	rc = get(f, base, ".zip", &s, entry, 0, err);
	if (rc == -1 && err != NULL && err->code == MV_ELIMIT)
		mv_wrap(err, "MZ-2.1: ");
	if (d->scan != NULL && mv_zipscan_finish(d->scan, rc == 0,
	    d->zip_digest, rc == 0 ? err : NULL) == -1)
		rc = -1;
	if (s.sha != NULL && rc == 0)
		rc = mv_sha256_final(s.sha, d->zip_digest, err);
	mv_sha256_free(s.sha);
	return rc;
}

static int
fetch_files(struct mv_filler *f, const char *base, struct download *d,
    size_t *entry, struct mv_err *err)
{
	struct mv_buf small;
	struct mv_fetch_sink s;
	int rc = -1;

	mv_buf_init(&small, MOD_MAX);
	s = (struct mv_fetch_sink){ .buf = &small, .fd = -1, .max = INFO_MAX };
	if (get(f, base, ".info", &s, entry, 1, err) == -1 ||
	    write_all(d->fd_info, &small, err) == -1)
		goto out;
	s = (struct mv_fetch_sink){ .buf = &small, .fd = -1, .max = MOD_MAX };
	if (get(f, base, ".mod", &s, entry, 0, err) == -1) {
		if (err != NULL && err->code == MV_ELIMIT)
			mv_wrap(err, "MZ-2.3: ");
		goto out;
	}
	if (write_all(d->fd_mod, &small, err) == -1)
		goto out;
	rc = fetch_zip(f, base, d, entry, err);
out:
	mv_buf_free(&small);
	return rc;
}

/*
 * Whatever upstream did wrong — bytes that fail a rule, a body over a
 * limit, a broken or slow transfer — is one thing to the client: a bad
 * gateway (502), with the reason (which names the rule) as the body.
 * Not found stays not found; our own I/O failures stay ours (500).
 */
static void
refused(const char *module, const char *version, struct mv_err *err)
{
	/* The caller reports it: the responder logs every 5xx. */
	if (err == NULL || err->code == MV_ENOTFOUND || err->code == MV_EGONE)
		return;
	if (err->code == MV_EIO || err->code == MV_ENOMEM)
		return;
	/* A transfer that failed, as opposed to bytes that broke a rule. */
	if (err->code == MV_EUPSTREAM || err->code == MV_ETIMEOUT)
		mv_wrap(err, "GP-6.6: ");
	err->code = MV_EUPSTREAM;
	mv_wrap(err, "refused %s@%s from upstream: ", module, version);
}

/* Downloads and ingests; the caller holds the claim. */
static int
fetch_and_store(struct mv_filler *f, const char *module, const char *version,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	struct download d = { .fd_info = -1, .fd_mod = -1, .fd_zip = -1 };
	struct mv_buf base;
	struct mv_ingest in;
	size_t entry = 0;
	int rc = -1;

	mv_buf_init(&base, MV_REQUEST_PATH_MAX);
	if (relpath(module, version, "", &base, err) == -1 ||
	    (d.fd_info = tmpfile_in_store(f, d.info, sizeof(d.info), err)) < 0 ||
	    (d.fd_mod = tmpfile_in_store(f, d.mod, sizeof(d.mod), err)) < 0 ||
	    (d.fd_zip = tmpfile_in_store(f, d.zip, sizeof(d.zip), err)) < 0)
		goto out;
	if (fetch_files(f, mv_buf_str(&base), &d, &entry, err) == -1) {
		remember_absent(f, module, version, err);
		goto out;
	}
	in = (struct mv_ingest){ module, version, d.info, d.mod, d.zip,
	    mv_upstream_url(f->up, entry), verify_sumdb, f, d.zip_digest,
	    d.scan };
	rc = mv_store_ingest(f->st, &in, &f->lim, outcome, err);
	if (rc == 0)
		mv_log_info("stored %s@%s from %s", module, version,
		    mv_upstream_url(f->up, entry));
out:
	if (rc == -1)
		refused(module, version, err);
	download_release(&d);
	mv_buf_free(&base);
	return rc;
}

/*
 * Waits for the right to fetch module@version: returns 1 when this
 * process holds the claim, 0 when the version appeared meanwhile.
 */
static int
claim(struct mv_filler *f, const char *module, const char *version,
    struct mv_err *err)
{
	int64_t start = now(), stale = f->cfg->upstream_timeout + 60;
	struct mv_version v;
	bool claimed;

	for (;;) {
		if (mv_store_get(f->st, module, version, &v, err) == 0)
			return 0;
		if (err != NULL && err->code != MV_ENOTFOUND)
			return -1;
		if (mv_store_inflight_claim(f->st, module, version, now(),
		    stale, &claimed, err) == -1)
			return -1;
		/*
		 * The holder may have stored the version and let go between
		 * our look and our claim: look again now that we hold it.
		 */
		if (claimed && mv_store_get(f->st, module, version, &v,
		    NULL) == 0) {
			(void)mv_store_inflight_release(f->st, module, version,
			    NULL);
			return 0;
		}
		if (claimed)
			return 1;
		if (now() - start > f->cfg->upstream_timeout)
			return mv_fail(err, MV_ETIMEOUT, "waited %lds for "
			    "another process fetching %s@%s",
			    f->cfg->upstream_timeout, module, version);
		usleep(POLL_USEC);
	}
}

int
mv_fill_version(struct mv_filler *f, const char *module, const char *version,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	int rc;

	*outcome = MV_INGEST_PRESENT;
	if (!mv_upstream_enabled(f->up))
		return mv_fail(err, MV_ENOTFOUND, "not found: %s@%s: not in "
		    "the store, and fetching is off", module, version);
	if (negative_hit(f, module, version, err) == -1 ||
	    negative_hit(f, module, "", err) == -1)
		return -1;
	if ((rc = claim(f, module, version, err)) <= 0)
		return rc;
	rc = fetch_and_store(f, module, version, outcome, err);
	(void)mv_store_inflight_release(f->st, module, version, NULL);
	return rc;
}

/*
 * GETs an .info-shaped answer (relpath) with fall-through and writes the
 * version it names into out: valid JSON, a canonical version that fits
 * module (GP-5.2, GP-5.5.1); what upstream resolves must be servable.
 */
static int
get_info_version(struct mv_filler *f, const char *module, const char *rel,
    struct mv_buf *body, char *out, size_t outsz, struct mv_err *err)
{
	struct mv_fetch_sink s = { .buf = body, .fd = -1, .max = INFO_MAX };
	struct mv_buf ver, tm;
	int rc;

	mv_buf_init(&ver, MV_VERSION_MAX);
	mv_buf_init(&tm, 64);
	if ((rc = mv_upstream_get(f->up, rel, &s, NULL, err)) == 0 &&
	    (mv_info_parse(body->data, body->len, &ver, &tm, err) == -1 ||
	    !mv_version_is_canonical(mv_buf_str(&ver)) ||
	    mv_modpath_check_version(module, mv_buf_str(&ver), err) == -1 ||
	    (size_t)snprintf(out, outsz, "%s", mv_buf_str(&ver)) >= outsz))
		rc = mv_fail(err, MV_EUPSTREAM, "upstream's %s names an invalid "
		    "version", rel);
	mv_buf_free(&ver);
	mv_buf_free(&tm);
	return rc;
}

int
mv_fill_query(struct mv_filler *f, const char *module, const char *query,
    char *out, size_t outsz, struct mv_err *err)
{
	struct mv_buf rel, body;
	enum mv_ingest_outcome oc;
	int rc;

	if (!mv_upstream_enabled(f->up))
		return mv_fail(err, MV_ENOTFOUND, "not found: %s@%s: fetching is "
		    "off", module, query);
	mv_buf_init(&rel, MV_REQUEST_PATH_MAX);
	mv_buf_init(&body, INFO_MAX);
	rc = negative_hit(f, module, query, err);
	if (rc == 0)
		rc = relpath(module, query, ".info", &rel, err);
	if (rc == 0 && (rc = get_info_version(f, module, mv_buf_str(&rel),
	    &body, out, outsz, err)) == -1)
		remember_absent(f, module, query, err);
	if (rc == 0)
		rc = mv_fill_version(f, module, out, &oc, err);
	mv_buf_free(&rel);
	mv_buf_free(&body);
	return rc;
}

/* Fetches the list from upstream and keeps it; -1 with err on failure. */
static int
fetch_list(struct mv_filler *f, const char *module, struct mv_buf *out,
    struct mv_err *err)
{
	struct mv_fetch_sink s = { .buf = out, .fd = -1, .max = LIST_MAX };
	struct mv_buf rel;
	int rc;

	mv_buf_init(&rel, MV_REQUEST_PATH_MAX);
	rc = relpath(module, NULL, "/@v/list", &rel, err);
	if (rc == 0)
		rc = mv_upstream_get(f->up, mv_buf_str(&rel), &s, NULL, err);
	mv_buf_free(&rel);
	if (rc == -1)
		return remember_absent(f, module, "", err);
	(void)mv_store_list_put(f->st, module, out->data ? out->data : "",
	    out->len, now(), NULL);
	return 0;
}

int
mv_fill_list(struct mv_filler *f, const char *module, struct mv_buf *out,
    struct mv_err *err)
{
	struct mv_err ferr;
	int64_t fetched = 0;
	int have;

	if (!mv_upstream_enabled(f->up))
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
	if (err != NULL)
		*err = ferr;
	return -1;
}

int
mv_fill_latest(struct mv_filler *f, const char *module, struct mv_buf *out,
    char *version, size_t versionsz, struct mv_err *err)
{
	char v[MV_VERSION_MAX + 1];
	struct mv_buf rel;
	int rc;

	if (!mv_upstream_enabled(f->up))
		return mv_fail(err, MV_ENOTFOUND, "fetching is off");
	mv_buf_init(&rel, MV_REQUEST_PATH_MAX);
	rc = relpath(module, NULL, "/@latest", &rel, err);
	if (rc == 0)
		rc = get_info_version(f, module, mv_buf_str(&rel), out, v,
		    sizeof(v), err);
	if (rc == 0 && version != NULL &&
	    (size_t)snprintf(version, versionsz, "%s", v) >= versionsz)
		rc = mv_fail(err, MV_ELIMIT, "version too long");
	mv_buf_free(&rel);
	return rc;
}
