/*
 * vcsmod.c: placing a module in its repository (VC-5), its go.mod and
 * .info (VC-8, VC-9).  See vcsmod.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/vcs/vcsmod.h"
#include "vcs_priv.h"

/* Is path equal to prefix, or below it by whole elements? */
static bool
has_path_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || (n > 0 &&
	    prefix[n - 1] == '/');
}

int
mv_vcsmod_init(struct mv_vcsmod *m, const char *module, const char *root,
    const char *origin_url, struct mv_repo *repo, struct mv_err *err)
{
	const char *major;
	size_t pl;

	memset(m, 0, sizeof(*m));
	m->repo = repo;
	if (!has_path_prefix(module, root))
		return mv_fail(err, MV_ENOTFOUND, "mismatched repo: found %s "
		    "for %s", root, module);
	if (mv_modpath_split_major(module, &pl, &major, err) == -1)
		return -1;
	snprintf(m->module, sizeof(m->module), "%s", module);
	snprintf(m->root, sizeof(m->root), "%s", root);
	snprintf(m->origin_url, sizeof(m->origin_url), "%s", origin_url);
	snprintf(m->pathmajor, sizeof(m->pathmajor), "%s", major);
	snprintf(m->pathprefix, sizeof(m->pathprefix), "%.*s", (int)pl,
	    module);
	if (strcmp(root, module) == 0)
		snprintf(m->pathprefix, sizeof(m->pathprefix), "%s", module);
	else {
		const char *d;

		if (!has_path_prefix(m->pathprefix, root))
			return mv_fail(err, MV_ENOTFOUND, "repository rooted at "
			    "%s cannot contain module %s", root, module);
		for (d = m->pathprefix + strlen(root); *d == '/'; d++)
			;
		snprintf(m->codedir, sizeof(m->codedir), "%s", d);
		while (m->codedir[0] != '\0' &&
		    m->codedir[strlen(m->codedir) - 1] == '/')
			m->codedir[strlen(m->codedir) - 1] = '\0';
	}
	mv_vcs_major_prefix(m->pathmajor, m->pseudomajor,
	    sizeof(m->pseudomajor));
	if (m->codedir[0] != '\0')
		snprintf(m->tagprefix, sizeof(m->tagprefix), "%s/", m->codedir);
	return 0;
}

void
mv_vcsmod_release(struct mv_vcsmod *m)
{
	size_t i;

	free(m->retract);
	m->retract = NULL;
	for (i = 0; i < m->nreads; i++) {
		free(m->reads[i].path);
		free(m->reads[i].data);
	}
	m->nreads = 0;
}

/* Files kept by mv_vcs_read (go.mod files are small). */
#define READ_KEEP_MAX_BYTES	(64u * 1024u)

int
mv_vcs_read(struct mv_vcsmod *m, const char *hash, const char *path,
    struct mv_buf *out, bool *found, struct mv_err *err)
{
	struct mv_vcs_read *c;
	size_t i;

	mv_buf_reset(out);
	for (i = 0; i < m->nreads; i++) {
		c = &m->reads[i];
		if (strcmp(c->hash, hash) != 0 || strcmp(c->path, path) != 0)
			continue;
		*found = c->data != NULL;
		return *found ? mv_buf_append(out, c->data, c->len, err) : 0;
	}
	if (mv_repo_read_file(m->repo, hash, path, out, found, err) == -1)
		return -1;
	if (m->nreads == sizeof(m->reads) / sizeof(m->reads[0]) ||
	    (*found && out->len > READ_KEEP_MAX_BYTES))
		return 0;
	c = &m->reads[m->nreads];
	memset(c, 0, sizeof(*c));
	snprintf(c->hash, sizeof(c->hash), "%s", hash);
	if ((c->path = strdup(path)) == NULL || (*found &&
	    (c->data = malloc(out->len + 1)) == NULL)) {
		free(c->path);
		return 0;	/* not kept: read again next time */
	}
	if (*found) {
		if (out->len > 0)
			memcpy(c->data, out->data, out->len);
		c->len = out->len;
	}
	m->nreads++;
	return 0;
}

/* PathMajorPrefix: "/v2" -> "v2", ".v1-unstable" -> "v1", "" -> "". */
void
mv_vcs_major_prefix(const char *pathmajor, char *out, size_t outsz)
{
	size_t n;

	out[0] = '\0';
	if (pathmajor[0] == '\0')
		return;
	n = strcspn(pathmajor + 1, "-");
	snprintf(out, outsz, "%.*s", (int)n, pathmajor + 1);
}

/* isMajor (VC-5.3): does a declared path suit pathmajor? */
static bool
is_major(const char *mpath, const char *pathmajor)
{
	char pre[32];
	const char *mmajor;
	size_t pl;

	if (mpath[0] == '\0' ||
	    mv_modpath_split_major(mpath, &pl, &mmajor, NULL) == -1)
		return false;
	if (pathmajor[0] == '\0') {
		mv_vcs_major_prefix(mmajor, pre, sizeof(pre));
		return pre[0] == '\0' || strcmp(pre, "v0") == 0 ||
		    strcmp(pre, "v1") == 0;
	}
	if (mmajor[0] == '\0')
		return false;
	return strcmp(pathmajor + 1, mmajor + 1) == 0;
}

/*
 * The revision name findDir's messages use: a pseudo-version's revision,
 * else the tag (tag prefix, version without +incompatible).
 */
void
mv_vcs_rev_name(const struct mv_vcsmod *m, const char *version, char *out,
    size_t outsz)
{
	size_t n = strlen(version);

	if (mv_version_is_pseudo(version) &&
	    mv_pseudo_rev(version, out, outsz, NULL) == 0)
		return;
	if (n > 13 && strcmp(version + n - 13, "+incompatible") == 0)
		n -= 13;
	snprintf(out, outsz, "%s%.*s", m->tagprefix, (int)n, version);
}

static int
read_gomod(struct mv_vcsmod *m, const char *hash, const char *file,
    struct mv_buf *out, bool *found, struct mv_err *err)
{
	return mv_vcs_read(m, hash, file, out, found, err);
}

/* The file2 half of findDir: codedir/vN/go.mod of a /vN module. */
static int
find_dir2(struct mv_vcsmod *m, const struct mv_revinfo *ri, const char *rev,
    bool found1, char *dir, size_t dirsz, struct mv_buf *gomod, bool *has,
    bool *decided, struct mv_err *err)
{
	char dir2[MV_MODPATH_MAX_BYTES + 40], file2[sizeof(dir2) + 8];
	char mpath[MV_MODPATH_MAX_BYTES + 1];
	struct mv_buf g2;
	bool exists = false;
	int rc = 0;

	*decided = false;
	snprintf(dir2, sizeof(dir2), "%s%s%s", m->codedir,
	    m->codedir[0] ? "/" : "", m->pathmajor + 1);
	snprintf(file2, sizeof(file2), "%s/go.mod", dir2);
	mv_buf_init(&g2, MV_GOMOD_MAX_BYTES);
	if (read_gomod(m, ri->hash, file2, &g2, &exists, err) == -1) {
		mv_buf_free(&g2);
		return -1;
	}
	mv_vcs_declared_path(g2.data ? g2.data : "", g2.len, mpath,
	    sizeof(mpath));
	if (exists && is_major(mpath, m->pathmajor)) {
		*decided = true;
		if (found1)
			rc = mv_fail(err, MV_ENOTFOUND, "%s/%s%sgo.mod and ...%s/"
			    "go.mod both have ...%s module paths at revision %s",
			    m->pathprefix, m->codedir, m->codedir[0] ? "/" : "",
			    m->pathmajor, m->pathmajor, rev);
		else {
			snprintf(dir, dirsz, "%s", dir2);
			mv_buf_reset(gomod);
			rc = mv_buf_append(gomod, g2.data, g2.len, err);
			*has = true;
		}
	} else if (exists) {
		*decided = true;
		rc = mpath[0] == '\0' ?
		    mv_fail(err, MV_ENOTFOUND, "%s/%s is missing module path at "
		    "revision %s", m->pathprefix, file2, rev) :
		    mv_fail(err, MV_ENOTFOUND, "%s/%s has non-...%s module path "
		    "\"%s\" at revision %s", m->pathprefix, file2, m->pathmajor,
		    mpath, rev);
	}
	mv_buf_free(&g2);
	return rc;
}

/* findDir's verdict on file1 that exists but does not suit. */
static int
file1_refused(struct mv_vcsmod *m, const char *file1, const char *mpath,
    const char *version, const char *rev, bool tried2, struct mv_err *err)
{
	char suffix[64] = "", major[32];
	size_t pl;
	const char *mm;

	if (tried2)
		snprintf(suffix, sizeof(suffix), " (and ...%s/go.mod does not "
		    "exist)", m->pathmajor);
	if (mpath[0] == '\0')
		return mv_fail(err, MV_ENOTFOUND, "%s is missing module path%s at "
		    "revision %s", file1, suffix, rev);
	if (m->pathmajor[0] != '\0')
		return mv_fail(err, MV_ENOTFOUND, "%s has non-...%s module path "
		    "\"%s\"%s at revision %s", file1, m->pathmajor, mpath, suffix,
		    rev);
	if (mv_modpath_split_major(mpath, &pl, &mm, NULL) == -1)
		return mv_fail(err, MV_ENOTFOUND, "%s has malformed module path "
		    "\"%s\"%s at revision %s", file1, mpath, suffix, rev);
	(void)mv_semver_major(version, major, sizeof(major), NULL);
	return mv_fail(err, MV_ENOTFOUND, "%s has post-%s module path \"%s\"%s "
	    "at revision %s", file1, major, mpath, suffix, rev);
}

int
mv_vcs_find_dir(struct mv_vcsmod *m, const struct mv_revinfo *ri, char *dir,
    size_t dirsz, struct mv_buf *gomod, bool *has, struct mv_err *err)
{
	char file1[MV_MODPATH_MAX_BYTES + 16], rev[MV_REF_MAX_BYTES];
	char mpath[MV_MODPATH_MAX_BYTES + 1];
	bool exists = false, found1, decided = false, tried2 = false;

	*has = false;
	dir[0] = '\0';
	mv_vcs_rev_name(m, ri->version, rev, sizeof(rev));
	snprintf(file1, sizeof(file1), "%s%sgo.mod", m->codedir,
	    m->codedir[0] ? "/" : "");
	if (read_gomod(m, ri->hash, file1, gomod, &exists, err) == -1)
		return -1;
	mv_vcs_declared_path(gomod->data ? gomod->data : "", gomod->len,
	    mpath, sizeof(mpath));
	found1 = exists && (is_major(mpath, m->pathmajor) ||
	    (m->pathmajor[0] == '\0' && strncmp(mpath, "gopkg.in/", 9) == 0));
	if (m->pathmajor[0] != '\0' && strcmp(m->root, m->module) != 0 &&
	    m->pathmajor[0] != '.') {
		tried2 = true;
		if (find_dir2(m, ri, rev, found1, dir, dirsz, gomod, has,
		    &decided, err) == -1 || decided)
			return *has ? 0 : -1;
	}
	if (found1) {
		snprintf(dir, dirsz, "%s", m->codedir);
		*has = true;
		return 0;
	}
	if (exists)
		return file1_refused(m, file1, mpath, ri->version, rev, tried2,
		    err);
	mv_buf_reset(gomod);
	if (m->codedir[0] == '\0' && (m->pathmajor[0] == '\0' ||
	    m->pathmajor[0] == '.'))
		return 0;
	if (tried2)
		return mv_fail(err, MV_ENOTFOUND, "missing %s/go.mod and ...%s/"
		    "go.mod at revision %s", m->pathprefix, m->pathmajor, rev);
	return mv_fail(err, MV_ENOTFOUND, "missing %s/go.mod at revision %s",
	    m->pathprefix, rev);
}

int
mv_vcs_gomod(struct mv_vcsmod *m, const struct mv_revinfo *ri,
    struct mv_buf *out, struct mv_err *err)
{
	char dir[MV_MODPATH_MAX_BYTES + 40];
	bool has;

	if (mv_vcs_find_dir(m, ri, dir, sizeof(dir), out, &has, err) == -1)
		return -1;
	if (has)
		return 0;	/* VC-9.1: raw, never converted */
	/* MZ-9.1: the go command's synthesized go.mod (AutoQuote). */
	mv_buf_reset(out);
	if (strpbrk(m->module, " \t\"'`\\") != NULL)
		return mv_buf_printf(out, err, "module \"%s\"\n", m->module);
	return mv_buf_printf(out, err, "module %s\n", m->module);
}

/* A JSON string (the values here are URLs, paths, hex: no controls). */
static int
json_str(struct mv_buf *out, const char *s, struct mv_err *err)
{
	int rc = mv_buf_putc(out, '"', err);

	for (; rc == 0 && *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			rc = mv_buf_putc(out, '\\', err);
		if (rc == 0 && (unsigned char)*s < 0x20)
			rc = mv_buf_printf(out, err, "\\u%04x", (unsigned)*s);
		else if (rc == 0)
			rc = mv_buf_putc(out, *s, err);
	}
	return rc == 0 ? mv_buf_putc(out, '"', err) : -1;
}

static int
json_field(struct mv_buf *out, const char *name, const char *value,
    struct mv_err *err)
{
	if (value[0] == '\0')
		return 0;
	return mv_buf_printf(out, err, ",\"%s\":", name) == -1 ||
	    json_str(out, value, err) == -1 ? -1 : 0;
}

int
mv_vcs_info_json(const struct mv_vcsmod *m, const struct mv_revinfo *ri,
    struct mv_buf *out, struct mv_err *err)
{
	char when[32];
	time_t t = (time_t)ri->time;
	struct tm tm;
	const char *ref = mv_version_is_pseudo(ri->version) ? "" : ri->ref;

	if (gmtime_r(&t, &tm) == NULL)
		return mv_fail(err, MV_EUPSTREAM, "commit time out of range");
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return mv_buf_puts(out, "{\"Version\":", err) == -1 ||
	    json_str(out, ri->version, err) == -1 ||
	    mv_buf_printf(out, err, ",\"Time\":\"%s\",\"Origin\":{\"VCS\":"
	    "\"git\"", when) == -1 ||
	    json_field(out, "URL", m->origin_url, err) == -1 ||
	    json_field(out, "Subdir", m->codedir, err) == -1 ||
	    json_field(out, "Ref", ref, err) == -1 ||
	    json_field(out, "Hash", ri->hash, err) == -1 ||
	    mv_buf_puts(out, "}}", err) == -1 ? -1 : 0;
}
