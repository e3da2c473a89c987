/*
 * list.c: a module's versions from the repository's tags (VC-6) and the
 * retractions its latest go.mod declares (VC-7.6).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/proto/semver.h"
#include "modvault/vcs/vcsmod.h"
#include "vcs_priv.h"

int
mv_vcs_tags(struct mv_vcsmod *m, const char *prefix, const char ***tags,
    size_t *n, struct mv_err *err)
{
	struct mv_repo *r = m->repo;
	size_t i, pl = strlen(prefix);

	*tags = NULL;
	*n = 0;
	if (mv_repo_list(r, err) == -1)
		return -1;
	if ((*tags = calloc(r->nrefs + 1, sizeof(**tags))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	for (i = 0; i < r->nrefs; i++)
		if (strncmp(r->refs[i].name, "refs/tags/", 10) == 0 &&
		    strncmp(r->refs[i].name + 10, prefix, pl) == 0)
			(*tags)[(*n)++] = r->refs[i].name + 10;
	return 0;
}

int
mv_vcs_has_file(struct mv_vcsmod *m, const char *hash, const char *path,
    bool *has, struct mv_err *err)
{
	struct mv_buf b;
	int rc;

	mv_buf_init(&b, MV_GOMOD_MAX_BYTES);
	rc = mv_vcs_read(m, hash, path, &b, has, err);
	mv_buf_free(&b);
	return rc;
}

/* versionHasGoMod: a root go.mod at the tag named v. */
static int
tag_has_gomod(struct mv_vcsmod *m, const char *v, bool *has,
    struct mv_err *err)
{
	char hash[MV_HASH_HEX + 1];
	bool found;

	if (mv_repo_fetch_tag(m->repo, v, hash, &found, err) == -1)
		return -1;
	if (!found)
		return mv_fail(err, MV_EUPSTREAM, "tag %s vanished from %s", v,
		    m->repo->url);
	return mv_vcs_has_file(m, hash, "go.mod", has, err);
}

static bool
major_above_v1(const char *v)
{
	char major[32];

	/* Go compares semver.Major(v) > "v1" as strings. */
	if (mv_semver_major(v, major, sizeof(major), NULL) == -1)
		return false;
	return strcmp(major, "v1") > 0;
}

/* VC-6.3: which +incompatible candidates are listed. */
static int
add_incompatible(struct mv_vcsmod *m, const char **list, size_t *nlist,
    const char **inc, size_t ninc, char **owned, struct mv_err *err)
{
	char major[32], last[32] = "";
	bool has = false;
	size_t i, j;

	if (ninc == 0 || m->pathmajor[0] != '\0')
		return 0;
	if (*nlist > 0) {
		if (tag_has_gomod(m, list[*nlist - 1], &has, err) == -1)
			return -1;
		if (has)
			return 0;
	}
	for (i = 0; i < ninc; i++) {
		(void)mv_semver_major(inc[i], major, sizeof(major), NULL);
		if (strcmp(major, last) != 0) {
			char mj[32];

			/* The highest candidate of this major decides. */
			for (j = i; j + 1 < ninc; j++) {
				(void)mv_semver_major(inc[j + 1], mj, sizeof(mj),
				    NULL);
				if (strcmp(mj, major) != 0)
					break;
			}
			snprintf(last, sizeof(last), "%s", major);
			if (tag_has_gomod(m, inc[j], &has, err) == -1)
				return -1;
		}
		if (has)
			continue;
		if ((owned[i] = malloc(strlen(inc[i]) + 14)) == NULL)
			return mv_fail(err, MV_ENOMEM, "out of memory");
		sprintf(owned[i], "%s+incompatible", inc[i]);
		list[(*nlist)++] = owned[i];
	}
	return 0;
}

/* VC-6.1, VC-6.2: the tags that name versions of this module. */
static void
split_tags(struct mv_vcsmod *m, const char **tags, size_t ntags,
    const char **list, size_t *nlist, const char **inc, size_t *ninc)
{
	size_t i, pl = strlen(m->tagprefix);

	*nlist = *ninc = 0;
	for (i = 0; i < ntags; i++) {
		const char *v = tags[i] + pl;

		if (v[0] == '\0' || !mv_version_is_canonical(v) ||
		    mv_version_is_pseudo(v))
			continue;
		if (mv_check_path_major(v, m->pathmajor, NULL) == 0)
			list[(*nlist)++] = v;
		else if (m->codedir[0] == '\0' && m->pathmajor[0] == '\0' &&
		    major_above_v1(v))
			inc[(*ninc)++] = v;
	}
	mv_semver_sort(list, *nlist);
	mv_semver_sort(inc, *ninc);
}

/* The sorted version list into an array (strings owned by m or owned). */
static int
versions(struct mv_vcsmod *m, const char ***listp, size_t *nlist,
    char ***ownedp, size_t *nowned, struct mv_err *err)
{
	const char **tags = NULL, **list = NULL, **inc = NULL;
	char **owned = NULL;
	size_t ntags = 0, ninc = 0;
	size_t ml = strlen(m->module);

	*listp = NULL;
	*ownedp = NULL;
	*nlist = *nowned = 0;
	if (strncmp(m->module, "gopkg.in/", 9) == 0 && ml > 9 &&
	    strcmp(m->module + ml - 9, "-unstable") == 0)
		return 0;
	if (mv_vcs_tags(m, m->tagprefix, &tags, &ntags, err) == -1)
		return -1;
	list = calloc(ntags * 2 + 1, sizeof(*list));
	inc = calloc(ntags + 1, sizeof(*inc));
	owned = calloc(ntags + 1, sizeof(*owned));
	if (list == NULL || inc == NULL || owned == NULL) {
		free(tags);
		free(list);
		free(inc);
		free(owned);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	split_tags(m, tags, ntags, list, nlist, inc, &ninc);
	*listp = list;
	*ownedp = owned;
	*nowned = ninc;
	free(tags);
	if (add_incompatible(m, list, nlist, inc, ninc, owned, err) == -1) {
		free(inc);
		return -1;
	}
	free(inc);
	return 0;
}

static void
versions_free(const char **list, char **owned, size_t nowned)
{
	size_t i;

	for (i = 0; owned != NULL && i < nowned; i++)
		free(owned[i]);
	free(owned);
	free(list);
}

int
mv_vcs_versions(struct mv_vcsmod *m, struct mv_buf *out, struct mv_err *err)
{
	const char **list;
	char **owned;
	size_t n, nowned, i;
	int rc;

	rc = versions(m, &list, &n, &owned, &nowned, err);
	for (i = 0; rc == 0 && i < n; i++)
		rc = mv_buf_printf(out, err, "%s\n", list[i]);
	versions_free(list, owned, nowned);
	return rc;
}

/* VC-7.6: the go.mod of the highest release (else pre-release) listed. */
static void
read_retractions(struct mv_vcsmod *m)
{
	const char **list, *highest = NULL;
	char **owned, pre[MV_VERSION_MAX_BYTES + 1];
	size_t n, nowned, i;
	struct mv_revinfo ri;
	struct mv_buf gomod, out;

	m->retract_read = true;
	if (versions(m, &list, &n, &owned, &nowned, NULL) == -1) {
		versions_free(list, owned, nowned);
		return;
	}
	for (i = 0; i < n && strstr(list[i], "+incompatible") == NULL; i++)
		;
	n = i;
	for (i = n; i-- > 0 && highest == NULL;)
		if (mv_semver_prerelease(list[i], pre, sizeof(pre), NULL) == 0 &&
		    pre[0] == '\0')
			highest = list[i];
	if (highest == NULL && n > 0)
		highest = list[n - 1];
	mv_buf_init(&gomod, MV_GOMOD_MAX_BYTES);
	mv_buf_init(&out, 64 * 1024);
	if (highest != NULL && mv_vcs_stat(m, highest, &ri, NULL) == 0 &&
	    mv_vcs_gomod(m, &ri, &gomod, NULL) == 0) {
		mv_vcs_retractions(gomod.data ? gomod.data : "", gomod.len, &out);
		m->retract = mv_buf_detach(&out, NULL);
	}
	mv_buf_free(&gomod);
	mv_buf_free(&out);
	versions_free(list, owned, nowned);
}

bool
mv_vcs_retracted(struct mv_vcsmod *m, const char *v)
{
	char lo[MV_VERSION_MAX_BYTES + 1], hi[MV_VERSION_MAX_BYTES + 1];
	const char *p;
	int k;

	if (!m->retract_read)
		read_retractions(m);
	for (p = m->retract; p != NULL && *p != '\0'; p = strchr(p, '\n') + 1) {
		k = sscanf(p, "%256s %256s", lo, hi);
		if (k == 2 && mv_semver_compare(lo, v) <= 0 &&
		    mv_semver_compare(v, hi) <= 0)
			return true;
	}
	return false;
}
