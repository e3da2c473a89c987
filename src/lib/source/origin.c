/*
 * origin.c: has the tag a stored version came from moved? (see
 * origin.h)
 *
 * A version once stored never changes (GP-9.2): modvault keeps serving
 * the bytes it checked and stored.  But a tag that now names another
 * commit means the repository's owner rewrote history, which an operator
 * wants to hear about: the go command's own checksum database would
 * refuse the new bytes for a public module, and for a private one modvault
 * is the only record of what the tag used to be.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/log.h"
#include "modvault/proto/info.h"
#include "modvault/proto/semver.h"
#include "modvault/source/origin.h"
#include "modvault/store/blob.h"
#include "fill_priv.h"

/* The tag a version is named by (VC-7.1), "" for a pseudo-version. */
static void
tag_of(const struct mv_info_origin *o, const char *version, char *tag,
    size_t tagsz)
{
	size_t n = strlen(version);

	tag[0] = '\0';
	if (mv_version_is_pseudo(version))
		return;
	if (n > 13 && strcmp(version + n - 13, "+incompatible") == 0)
		n -= 13;
	if ((size_t)snprintf(tag, tagsz, "%s%s%.*s", o->subdir, o->subdir[0] ?
	    "/" : "", (int)n, version) >= tagsz)
		tag[0] = '\0';
}

static int
stored_origin(struct mv_filler *f, const struct mv_version *v,
    struct mv_info_origin *o, struct mv_err *err)
{
	struct mv_buf info;
	int rc;

	mv_buf_init(&info, MV_INFO_MAX_BYTES);
	rc = mv_blob_read_verified(mv_store_blobs(f->st), &v->info,
	    MV_INFO_MAX_BYTES, &info, err);
	if (rc == 0)
		rc = mv_info_origin(info.data ? info.data : "", info.len, o, err);
	mv_buf_free(&info);
	return rc;
}

/* The verdict on v against the refs of the repository d has listed. */
static enum mv_origin_verdict
compare(struct mv_repo *r, const struct mv_info_origin *o,
    const struct mv_version *v, char *why, size_t whysz)
{
	char tag[MV_REF_MAX_BYTES], ref[MV_REF_MAX_BYTES + 16];
	const char *now;

	tag_of(o, v->version, tag, sizeof(tag));
	if (tag[0] == '\0') {
		snprintf(why, whysz, "a pseudo-version, named by its commit %s",
		    o->hash);
		return MV_ORIGIN_PINNED;
	}
	snprintf(ref, sizeof(ref), "refs/tags/%s", tag);
	if ((now = mv_repo_ref(r, ref)) == NULL) {
		snprintf(why, whysz, "tag %s is gone from %s (stored from "
		    "commit %s)", tag, o->url, o->hash);
		return MV_ORIGIN_GONE;
	}
	if (strcmp(now, o->hash) != 0) {
		snprintf(why, whysz, "tag %s moved: it names %s in %s, the "
		    "version was stored from %s", tag, now, o->url, o->hash);
		return MV_ORIGIN_MOVED;
	}
	snprintf(why, whysz, "tag %s still names %s", tag, o->hash);
	return MV_ORIGIN_SAME;
}

struct mv_origin_check {
	struct mv_filler	*f;
	struct mv_direct	 d;	/* the repository listed last */
	bool			 open;
	char			 url[MV_VCS_URL_MAX_BYTES];
};

int
mv_origin_new(struct mv_filler *f, struct mv_origin_check **ocp,
    struct mv_err *err)
{
	if ((*ocp = calloc(1, sizeof(**ocp))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	(*ocp)->f = f;
	return 0;
}

static void
origin_close(struct mv_origin_check *oc)
{
	if (oc->open)
		mv_direct_close(&oc->d);
	oc->open = false;
}

void
mv_origin_free(struct mv_origin_check *oc)
{
	if (oc == NULL)
		return;
	origin_close(oc);
	free(oc);
}

int
mv_origin_check(struct mv_origin_check *oc, const struct mv_version *v,
    enum mv_origin_verdict *verdict, char *why, size_t whysz,
    struct mv_err *err)
{
	struct mv_policy_decision pd;
	struct mv_info_origin o;

	*verdict = MV_ORIGIN_NONE;
	why[0] = '\0';
	if (stored_origin(oc->f, v, &o, err) == -1)
		return -1;
	if (strcmp(o.vcs, "git") != 0 || o.url[0] == '\0' ||
	    strlen(o.hash) != MV_HASH_HEX)
		return 0;
	/* One listing per repository, for the versions that follow it. */
	if (!oc->open || strcmp(oc->url, o.url) != 0) {
		origin_close(oc);
		if (mv_policy_decide(oc->f->policy, MV_POLICY_FETCH, v->module,
		    v->version, &pd, err) == -1 ||
		    mv_direct_open_url(oc->f, v->module, o.url, pd.insecure,
		    &oc->d, err) == -1)
			return -1;
		oc->open = true;
		snprintf(oc->url, sizeof(oc->url), "%s", o.url);
	}
	*verdict = compare(&oc->d.repo, &o, v, why, whysz);
	return 0;
}

/* mv_store_versions callback: each stored version of a listed module. */
struct watch {
	struct mv_direct	*d;
	struct mv_filler	*f;
};

static int
watch_one(void *ctx, const struct mv_version *v)
{
	struct watch *w = ctx;
	struct mv_info_origin o;
	char why[MV_ERR_MSG_MAX_BYTES];

	if (stored_origin(w->f, v, &o, NULL) == -1 || strcmp(o.vcs, "git") ||
	    strcmp(o.url, w->d->m.origin_url) != 0)
		return 0;
	if (compare(&w->d->repo, &o, v, why, sizeof(why)) >= MV_ORIGIN_MOVED)
		mv_log_warn("%s@%s: %s; serving what was stored", v->module,
		    v->version, why);
	return 0;
}

void
mv_origin_watch(struct mv_filler *f, struct mv_direct *d)
{
	struct watch w = { d, f };

	(void)mv_store_versions(f->st, d->m.module, watch_one, &w, NULL);
}
