/* share.c: filling from what the other nodes put in the bucket (see
 * fill_priv.h and shared.h). */
/*
 * A version another node stored is taken from the bucket, not upstream:
 * its manifest names the blobs, which are downloaded (each hashed against
 * its name on the way), then validated exactly as a download from
 * upstream (mv_store_restore): every zip rule, the .mod against the zip,
 * both h1 hashes equal to the manifest's, and, where the policy says so,
 * the checksum database's record the storing node shared, checked under
 * this node's own key (the database itself is asked only when there is
 * none).
 * Nothing another node wrote is trusted further than its bytes prove.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/log.h"
#include "modvault/store/shared.h"
#include "fill_priv.h"

/* How long a node waits between looks at another node's fetch (ms). */
#define LOOK_FIRST_MS	100
#define LOOK_MAX_MS	1000
/* Beyond upstream_timeout: validating and storing what it brought. */
#define WAIT_MARGIN	60

/* The checksum database's say, from the record the storing node shared. */
static int
verify_shared(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	struct mv_filler *f = ctx;

	return mv_sumdbc_verify_shared(&f->sumdb, v->module, v->version,
	    v->zip_h1, v->mod_h1, err);
}

int
mv_fill_adopt(struct mv_filler *f, const char *module, const char *version,
    const struct mv_policy_decision *pd, enum mv_ingest_outcome *outcome,
    bool *found, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;
	struct mv_version m;
	struct mv_restore r = { .want = &m, .check_hashes = true,
	    .from_bucket = true,
	    .verify = pd->verify_sumdb ? verify_shared : NULL,
	    .verify_ctx = f };

	*found = false;
	if (mv_store_shared_get(f->st, module, version, &m, &e) == -1)
		return e.code == MV_ENOTFOUND ? 0 : mv_err_pass(err, &e);
	mv_err_clear(&e);
	if (mv_store_restore(f->st, &r, &f->lim, outcome, &e) == -1) {
		/* A manifest whose blobs are gone is as good as none. */
		if (e.code == MV_ENOTFOUND) {
			mv_log_warn("%s@%s: the bucket's manifest names a blob it "
			    "does not hold: %s", module, version, e.msg);
			return 0;
		}
		mv_err_pass(err, &e);
		return mv_wrap(err, "%s@%s from the bucket: ", module, version);
	}
	*found = true;
	mv_log_info("%s@%s: from the bucket (stored there by %s)", module,
	    version, m.origin);
	return 0;
}

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Under the bucket's claim: the node that held it before may have stored
 * the version between our look and our claim, so the bucket is asked once
 * more before upstream is.
 */
static int
fetch_held(struct mv_filler *f, const char *module, const char *version,
    const struct mv_policy_decision *pd, mv_fill_fetch_fn fetch,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	bool found;

	if (mv_fill_adopt(f, module, version, pd, outcome, &found, err) == -1)
		return -1;
	return found ? 0 : fetch(f, module, version, pd, outcome, err);
}

int
mv_fill_across_nodes(struct mv_filler *f, const char *module,
    const char *version, const struct mv_policy_decision *pd,
    mv_fill_fetch_fn fetch, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	time_t end = time(NULL) + f->cfg->upstream_timeout + WAIT_MARGIN;
	long wait = LOOK_FIRST_MS;
	bool held, found;
	int rc;

	for (;;) {
		if (mv_store_shared_claim(f->st, module, version, &held,
		    err) == -1)
			return -1;
		if (held) {
			rc = fetch_held(f, module, version, pd, fetch, outcome,
			    err);
			(void)mv_store_shared_release(f->st, module, version,
			    NULL);
			return rc;
		}
		nap(wait);
		wait = wait * 2 > LOOK_MAX_MS ? LOOK_MAX_MS : wait * 2;
		if (mv_fill_adopt(f, module, version, pd, outcome, &found,
		    err) == -1)
			return -1;
		if (found)
			return 0;
		if (time(NULL) > end)
			return mv_fail(err, MV_ETIMEOUT, "another node's fetch of "
			    "%s@%s did not end within %ld s", module, version,
			    (long)(f->cfg->upstream_timeout + WAIT_MARGIN));
	}
}
