/*
 * query.c: what a query names (VC-7) and the repository's latest (VC-11),
 * as the go command's Stat decides it.  The messages are the go command's
 * (Go 1.19, vcs.md §16.4) so that a client reads the same reason through
 * modvault as without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/proto/semver.h"
#include "modvault/vcs/vcsmod.h"
#include "vcs_priv.h"

#define INCOMPAT	"+incompatible"
#define INCOMPAT_LEN	13

struct query {
	struct mv_vcsmod	*m;
	const char		*q;		/* as asked ("" for latest) */
	struct mv_revinfo	*ri;		/* hash, time, ref; version out */
	int			 incompat;	/* canIncompat: -1 unknown */
};

static bool
has_incompat(const char *v)
{
	size_t n = strlen(v);

	return n > INCOMPAT_LEN && strcmp(v + n - INCOMPAT_LEN, INCOMPAT) == 0;
}

static void
strip_incompat(const char *v, char *out, size_t outsz)
{
	size_t n = strlen(v);

	if (has_incompat(v))
		n -= INCOMPAT_LEN;
	snprintf(out, outsz, "%.*s", (int)n, v);
}

/*
 * canUseIncompatible's plain form: a module at the repository root with
 * no major suffix and no root go.mod at the commit (read once).
 */
static int
no_gomod_at_root(struct query *qy, bool *ok, struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	bool has = false;

	*ok = false;
	if (m->codedir[0] != '\0' || m->pathmajor[0] != '\0')
		return 0;
	if (qy->incompat == -1) {
		if (mv_vcs_has_file(m, qy->ri->hash, "go.mod", &has, err) == -1)
			return -1;
		qy->incompat = has ? 0 : 1;
	}
	*ok = qy->incompat == 1;
	return 0;
}

/*
 * VC-7.2 canIncompat: no_gomod_at_root, and (unless the query asks for
 * +incompatible itself) no vN/go.mod for v's major either.
 */
static int
can_incompat(struct query *qy, const char *v, bool *ok, struct mv_err *err)
{
	char major[32], path[48];
	bool has = false;

	if (no_gomod_at_root(qy, ok, err) == -1)
		return -1;
	if (!*ok || has_incompat(qy->q))
		return 0;
	(void)mv_semver_major(v, major, sizeof(major), NULL);
	snprintf(path, sizeof(path), "%s/go.mod", major);
	if (mv_vcs_has_file(qy->m, qy->ri->hash, path, &has, err) == -1)
		return -1;
	*ok = !has;
	return 0;
}

static bool
fits(const struct mv_vcsmod *m, const char *v)
{
	return mv_check_path_major(v, m->pathmajor, NULL) == 0;
}

/* VC-7.3 step 3: the +incompatible verdict on version v (in place). */
static int
check_major(struct query *qy, char *v, size_t vsz, struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	char base[MV_VERSION_MAX_BYTES + 1], major[32];
	bool ok;

	strip_incompat(v, base, sizeof(base));
	(void)mv_semver_major(base, major, sizeof(major), NULL);
	if (fits(m, base)) {
		if (has_incompat(v))
			return mv_fail(err, MV_ENOTFOUND, "invalid version: "
			    "+incompatible suffix not allowed: major version %s "
			    "is compatible", major);
		return 0;
	}
	if (can_incompat(qy, base, &ok, err) == -1)
		return -1;
	if (ok) {
		if ((size_t)snprintf(v, vsz, "%s" INCOMPAT, base) >= vsz)
			return mv_fail(err, MV_ENOTFOUND, "invalid version: too "
			    "long");
		return 0;
	}
	if (m->pathmajor[0] != '\0')
		return mv_fail(err, MV_ENOTFOUND, "invalid version: module path "
		    "includes a major version suffix, so major version must "
		    "match");
	return mv_fail(err, MV_ENOTFOUND, "invalid version: module contains a "
	    "go.mod file, so module path must match major version "
	    "(\"%s/%s\")", m->pathprefix, major);
}

/* VC-7.3 finish(v): the checks every result passes. */
static int
finish(struct query *qy, const char *version, struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	char v[MV_VERSION_MAX_BYTES + 1], qbase[MV_VERSION_MAX_BYTES + 1];
	char base[MV_VERSION_MAX_BYTES + 1], dir[MV_MODPATH_MAX_BYTES + 40];
	struct mv_err e3 = MV_ERR_INIT, fe = MV_ERR_INIT;
	struct mv_buf gomod;
	bool has;
	int rc;

	snprintf(v, sizeof(v), "%s", version);
	snprintf(qy->ri->version, sizeof(qy->ri->version), "%s", v);
	mv_buf_init(&gomod, MV_GOMOD_MAX_BYTES);
	rc = mv_vcs_find_dir(m, qy->ri, dir, sizeof(dir), &gomod, &has, &fe);
	mv_buf_free(&gomod);
	if (rc == -1) {
		if (fe.code != MV_ENOTFOUND)
			return mv_err_pass(err, &fe);
		return mv_fail(err, MV_ENOTFOUND, "invalid version: %s", fe.msg);
	}
	strip_incompat(qy->q, qbase, sizeof(qbase));
	if (strcmp(qbase, v) == 0)
		snprintf(v, sizeof(v), "%s", qy->q);
	(void)check_major(qy, v, sizeof(v), &e3);
	if (e3.code != MV_OK && mv_code_is_local(e3.code))
		return mv_err_pass(err, &e3);
	strip_incompat(v, base, sizeof(base));
	if (qy->q[0] != '\0' && mv_version_is_canonical(qy->q) &&
	    strcmp(qbase, base) != 0)
		return mv_fail(err, MV_ENOTFOUND, "invalid version: resolves to "
		    "version %s (%s is not a tag)", v, qbase);
	if (e3.code != MV_OK)
		return mv_err_pass(err, &e3);
	snprintf(qy->ri->version, sizeof(qy->ri->version), "%s", v);
	return 0;
}

/*
 * VC-7.4 tagVersion: the version tag t names for this module ("" when
 * none), and whether t is canonical.  Retractions are the callers' to
 * weigh (VC-7.5: only where a tag is chosen among others).
 */
static int
tag_version(struct query *qy, const char *t, char *v, size_t vsz,
    bool *canonical, struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	size_t pl = strlen(m->tagprefix);
	const char *r;
	bool ok;

	v[0] = '\0';
	*canonical = false;
	if (strncmp(t, m->tagprefix, pl) != 0 || mv_version_is_pseudo(t))
		return 0;
	r = t + pl;
	if (mv_semver_canonical(r, v, vsz, NULL) == -1 || v[0] == '\0' ||
	    strncmp(r, v, strlen(v)) != 0) {
		v[0] = '\0';
		return 0;
	}
	*canonical = strcmp(r, v) == 0;
	if (fits(m, v))
		return 0;
	if (can_incompat(qy, v, &ok, err) == -1)
		return -1;
	if (ok)
		strncat(v, INCOMPAT, vsz - strlen(v) - 1);
	else {
		v[0] = '\0';
		*canonical = false;
	}
	return 0;
}

/* VC-4.7 RecentTag over the commit's ancestry, with major (or any). */
static int
recent_tag(struct query *qy, const char *major, char *out, size_t outsz,
    struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	struct mv_buf names;
	char c[MV_VERSION_MAX_BYTES + 1], mj[32], best[MV_VERSION_MAX_BYTES + 1];
	const char *p, *nl;
	size_t pl = strlen(m->tagprefix);
	int rc;

	out[0] = best[0] = '\0';
	mv_buf_init(&names, MV_LSREMOTE_MAX_BYTES);
	rc = mv_repo_fetch_all(m->repo, err) == -1 ||
	    mv_repo_merged_tags(m->repo, qy->ri->hash, &names, err) == -1 ?
	    -1 : 0;
	for (p = names.data; rc == 0 && p != NULL && *p != '\0'; p = nl + 1) {
		char tag[MV_REF_MAX_BYTES];
		const char *sem;

		if ((nl = strchr(p, '\n')) == NULL)
			break;
		if (nl - p <= 10 || (size_t)(nl - p) >= sizeof(tag))
			continue;
		snprintf(tag, sizeof(tag), "%.*s", (int)(nl - p - 10), p + 10);
		if (strncmp(tag, m->tagprefix, pl) != 0)
			continue;
		sem = tag + pl;
		/* Complete versions only: not "v1.2" (VC-4.7). */
		if (mv_semver_canonical(sem, c, sizeof(c), NULL) == -1 ||
		    c[0] == '\0' || strncmp(sem, c, strlen(c)) != 0)
			continue;
		(void)mv_semver_major(c, mj, sizeof(mj), NULL);
		if ((major[0] != '\0' && strcmp(mj, major) != 0) ||
		    mv_vcs_retracted(m, c))
			continue;
		if (best[0] == '\0' || mv_semver_compare(sem, best) > 0) {
			snprintf(best, sizeof(best), "%s", sem);
			snprintf(out, outsz, "%s", tag);
		}
	}
	mv_buf_free(&names);
	return rc;
}

/* VC-7.5 step 4: the pseudo-version base from the commit's history. */
static int
history_base(struct query *qy, char *base, size_t basesz, struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	char tag[MV_REF_MAX_BYTES];
	bool ok, canon;

	/* Any major when the path names one or none can hold a go.mod. */
	ok = true;
	if (m->pseudomajor[0] == '\0' && no_gomod_at_root(qy, &ok, err) == -1)
		return -1;
	if (ok) {
		if (recent_tag(qy, m->pseudomajor, tag, sizeof(tag), err) == -1)
			return -1;
	} else if (recent_tag(qy, "v1", tag, sizeof(tag), err) == -1 ||
	    (tag[0] == '\0' && recent_tag(qy, "v0", tag, sizeof(tag),
	    err) == -1))
		return -1;
	if (tag[0] == '\0') {
		base[0] = '\0';
		return 0;
	}
	return tag_version(qy, tag, base, basesz, &canon, err);
}

/* The tags on the resolved commit (VC-7.5 step 2), in name order. */
static int
commit_tags(struct query *qy, const char ***tags, size_t *n,
    struct mv_err *err)
{
	struct mv_repo *r = qy->m->repo;
	size_t i;

	*n = 0;
	if ((*tags = calloc(r->nrefs + 1, sizeof(**tags))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	for (i = 0; i < r->nrefs; i++)
		if (strncmp(r->refs[i].name, "refs/tags/", 10) == 0 &&
		    strcmp(r->refs[i].hash, qy->ri->hash) == 0)
			(*tags)[(*n)++] = r->refs[i].name + 10;
	return 0;
}

/* VC-7.5: a query that is not a canonical version. */
static int
stat_other(struct query *qy, const char *tagname, struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	char v[MV_VERSION_MAX_BYTES + 1], best[MV_VERSION_MAX_BYTES + 1] = "";
	char base[MV_VERSION_MAX_BYTES + 1] = "", pseudo[MV_VERSION_MAX_BYTES + 1];
	char shortrev[13];
	const char **tags = NULL;
	size_t n = 0, i;
	bool canon;
	int rc = 0;

	if (tagname[0] != '\0') {
		if (tag_version(qy, tagname, v, sizeof(v), &canon, err) == -1)
			return -1;
		if (canon)
			return finish(qy, v, err);
	}
	if (mv_repo_list(m->repo, err) == -1 ||
	    commit_tags(qy, &tags, &n, err) == -1)
		return -1;
	for (i = 0; rc == 0 && i < n; i++) {
		if ((rc = tag_version(qy, tags[i], v, sizeof(v), &canon,
		    err)) == -1)
			break;
		if (canon) {
			if (qy->q[0] != '\0' && mv_semver_compare(v, qy->q) == 0) {
				free(tags);
				return finish(qy, v, err);
			}
			if ((best[0] == '\0' || mv_semver_compare(best, v) < 0) &&
			    !mv_vcs_retracted(m, v))
				snprintf(best, sizeof(best), "%s", v);
		} else if (v[0] != '\0' && mv_semver_compare(v, qy->q) == 0)
			snprintf(base, sizeof(base), "%s", v);
	}
	free(tags);
	if (rc == -1)
		return -1;
	if (best[0] != '\0')
		return finish(qy, best, err);
	if (base[0] == '\0' && history_base(qy, base, sizeof(base), err) == -1)
		return -1;
	snprintf(shortrev, sizeof(shortrev), "%.12s", qy->ri->hash);
	if (mv_pseudo_make(m->pseudomajor, base, (time_t)qy->ri->time,
	    shortrev, pseudo, sizeof(pseudo), err) == -1)
		return -1;
	return finish(qy, pseudo, err);
}

/* Resolves rev to the commit (VC-4.4) and its time. */
static int
resolve(struct query *qy, const char *rev, bool as_tag, char *tagname,
    size_t tagsz, struct mv_err *err)
{
	struct mv_revinfo *ri = qy->ri;
	struct mv_err e = MV_ERR_INIT;
	bool found = false;

	tagname[0] = '\0';
	/* A tag alone, shallow, without listing the remote first. */
	if (as_tag && mv_repo_fetch_tag(qy->m->repo, rev, ri->hash, &found,
	    &e) == -1)
		return mv_err_pass(err, &e);
	if (found && (size_t)snprintf(ri->ref, sizeof(ri->ref),
	    "refs/tags/%s", rev) >= sizeof(ri->ref))
		return mv_fail(err, MV_ENOTFOUND, "invalid version: tag too "
		    "long");
	if (!found && mv_repo_resolve(qy->m->repo, rev, ri->hash, ri->ref,
	    sizeof(ri->ref), &e) == -1) {
		if (e.code == MV_ENOTFOUND)
			return mv_fail(err, MV_ENOTFOUND, "invalid version: %s",
			    e.msg);
		return mv_err_pass(err, &e);
	}
	if (strncmp(ri->ref, "refs/tags/", 10) == 0)
		snprintf(tagname, tagsz, "%s", ri->ref + 10);
	return mv_repo_commit_time(qy->m->repo, ri->hash, &ri->time, err);
}

static int	check_base_ancestor(struct query *, const char *, const char *,
		    struct mv_err *);

/* VC-7.7: a pseudo-version's claims checked against the commit. */
static int
check_pseudo(struct query *qy, struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	const char *v = qy->q;
	char rev[64], shortrev[13], stamp[32], plain[MV_VERSION_MAX_BYTES + 1];
	char base[MV_VERSION_MAX_BYTES + 1], mj[32], last[MV_REF_MAX_BYTES] = "";
	const char **tags = NULL;
	size_t n = 0, i, pl = strlen(m->tagprefix);
	time_t t, ct = (time_t)qy->ri->time;
	struct mv_err e = MV_ERR_INIT;
	struct tm tm;

	if (mv_check_path_major(v, m->pathmajor, &e) == -1)
		return mv_fail(err, MV_ENOTFOUND, "invalid version: %s", e.msg);
	(void)mv_pseudo_rev(v, rev, sizeof(rev), NULL);
	snprintf(shortrev, sizeof(shortrev), "%.12s", qy->ri->hash);
	if (strcmp(rev, shortrev) != 0)
		return mv_fail(err, MV_ENOTFOUND, "invalid pseudo-version: %s "
		    "(expected %s)", strncmp(rev, shortrev, 12) == 0 ?
		    "revision is longer than canonical" :
		    strncmp(shortrev, rev, strlen(rev)) == 0 ?
		    "revision is shorter than canonical" :
		    "does not match short name of revision", shortrev);
	if (mv_pseudo_time(v, &t, NULL) == -1 || t != ct) {
		gmtime_r(&ct, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
		return mv_fail(err, MV_ENOTFOUND, "invalid pseudo-version: does "
		    "not match version-control timestamp (expected %s)", stamp);
	}
	strip_incompat(v, plain, sizeof(plain));
	if (mv_pseudo_base(plain, base, sizeof(base), &e) == -1)
		return mv_fail(err, MV_ENOTFOUND, "invalid pseudo-version: %s",
		    e.msg);
	if (base[0] == '\0') {
		(void)mv_semver_major(v, mj, sizeof(mj), NULL);
		if (m->pseudomajor[0] == '\0' && strcmp(mj, "v1") == 0)
			return mv_fail(err, MV_ENOTFOUND, "invalid pseudo-version: "
			    "major version without preceding tag must be v0, not "
			    "v1");
		return 0;
	}
	if (mv_repo_list(m->repo, err) == -1 ||
	    commit_tags(qy, &tags, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (strncmp(tags[i], m->tagprefix, pl) == 0 &&
		    strcmp(tags[i] + pl, base) == 0) {
			snprintf(last, sizeof(last), "%s", tags[i]);
			free(tags);
			return mv_fail(err, MV_ENOTFOUND, "invalid pseudo-version: "
			    "tag (%s) found on revision %s is already canonical, "
			    "so should not be replaced with a pseudo-version "
			    "derived from that tag", last, rev);
		}
	free(tags);
	return check_base_ancestor(qy, base, rev, err);
}

/*
 * VC-7.7: some tag naming the base (semver-equal) must be an ancestor of
 * the commit.
 */
static int
check_base_ancestor(struct query *qy, const char *base, const char *rev,
    struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	char prefix[MV_REF_MAX_BYTES], last[MV_REF_MAX_BYTES] = "";
	const char **tags = NULL;
	size_t n = 0, i, pl = strlen(m->tagprefix);
	bool yes = false;
	int rc = 0;

	if ((size_t)snprintf(prefix, sizeof(prefix), "%s%s", m->tagprefix,
	    base) >= sizeof(prefix))
		return mv_fail(err, MV_ENOTFOUND, "invalid pseudo-version: "
		    "preceding tag (%s) not found", base);
	if (mv_vcs_tags(m, prefix, &tags, &n, err) == -1 ||
	    mv_repo_fetch_all(m->repo, err) == -1) {
		free(tags);
		return -1;
	}
	for (i = 0; i < n && !yes; i++) {
		if (mv_semver_compare(tags[i] + pl, base) != 0)
			continue;
		snprintf(last, sizeof(last), "%s", tags[i]);
		if ((rc = mv_repo_descends(m->repo, qy->ri->hash, tags[i], &yes,
		    err)) == -1)
			break;
	}
	free(tags);
	if (rc == -1)
		return -1;
	if (last[0] == '\0')
		return mv_fail(err, MV_ENOTFOUND, "invalid pseudo-version: "
		    "preceding tag (%s) not found", base);
	if (!yes)
		return mv_fail(err, MV_ENOTFOUND, "invalid pseudo-version: "
		    "revision %s is not a descendent of preceding tag (%s)", rev,
		    last);
	return 0;
}

/* The revision a canonical version names (VC-7.1). */
static void
version_rev(const struct mv_vcsmod *m, const char *v, char *out,
    size_t outsz)
{
	mv_vcs_rev_name(m, v, out, outsz);
}

static int
stat_query(struct query *qy, struct mv_err *err)
{
	struct mv_vcsmod *m = qy->m;
	const char *q = qy->q;
	char rev[MV_REF_MAX_BYTES], tag[MV_REF_MAX_BYTES];
	bool canonical = q[0] != '\0' && mv_version_is_canonical(q);

	if (q[0] == '\0')
		snprintf(rev, sizeof(rev), "HEAD");
	else if (mv_semver_is_valid(q))
		version_rev(m, q, rev, sizeof(rev));
	else
		snprintf(rev, sizeof(rev), "%s", q);
	if (resolve(qy, rev, mv_semver_is_valid(q) && !mv_version_is_pseudo(q),
	    tag, sizeof(tag), err) == -1)
		return -1;
	if (mv_version_is_pseudo(q))
		return check_pseudo(qy, err) == -1 ? -1 : finish(qy, q, err);
	/*
	 * Go 1.19 resolves a canonical version as any other name (VC-7.5):
	 * a branch named v1.2.3 gives its pseudo-version, which finish then
	 * refuses ("v1.2.3 is not a tag").  The go command's Origin names no
	 * Ref for a version asked by its own name (what it stores, VC-8.4).
	 */
	if (stat_other(qy, tag, err) == -1)
		return -1;
	if (canonical)
		qy->ri->ref[0] = '\0';
	return 0;
}

int
mv_vcs_stat(struct mv_vcsmod *m, const char *query, struct mv_revinfo *ri,
    struct mv_err *err)
{
	struct query qy = { m, query, ri, -1 };
	struct mv_err e = MV_ERR_INIT;

	memset(ri, 0, sizeof(*ri));
	if (strcmp(query, "latest") == 0) {
		/* VC-11: HEAD, resolved as an empty query. */
		qy.q = "";
		if (stat_query(&qy, &e) == 0)
			return 0;
		if (e.code != MV_ENOTFOUND)
			return mv_err_pass(err, &e);
		return mv_fail(err, MV_ENOTFOUND, "no matching versions for query "
		    "\"latest\"");
	}
	return stat_query(&qy, err);
}
