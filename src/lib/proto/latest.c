/* latest.c: computing @latest from held versions (see latest.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/proto/latest.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"

static bool
is_incompatible(const char *v)
{
	size_t n = strlen(v);

	return n > 13 && strcmp(v + n - 13, "+incompatible") == 0;
}

static bool
is_prerelease(const char *v)
{
	char p[MV_VERSION_MAX_BYTES + 1];

	return mv_semver_prerelease(v, p, sizeof(p), NULL) == 0 && p[0] != '\0';
}

/* Indexes sorted by V-2.5 (qsort_r is not C11: a context-free sort). */
struct ix {
	const char	*v;
	size_t		 i;
};

static int
cmp_ix(const void *a, const void *b)
{
	const struct ix *x = a, *y = b;
	int c = mv_semver_compare(x->v, y->v);

	return c != 0 ? c : strcmp(x->v, y->v);
}

/* V-6.2 steps 2 to 4 on sorted s[0..n); -1 with err, else 0 (*found). */
static int
pick_tagged(const struct ix *s, size_t n, mv_real_gomod_fn real_gomod,
    void *ctx, size_t *pick, bool *found, struct mv_err *err)
{
	const struct ix *rel = NULL, *pre = NULL, *compat = NULL;
	bool checked = false, real = false;
	size_t k;

	for (k = 0; k < n; k++) {
		if (mv_version_is_pseudo(s[k].v))
			continue;
		/* V-5.4: the first +incompatible one after a compatible one
		 * decides, by that compatible version's go.mod, for all. */
		if (is_incompatible(s[k].v) && compat != NULL) {
			if (!checked && real_gomod(ctx, compat->i, &real,
			    err) == -1)
				return -1;
			checked = true;
			if (real)
				continue;
		}
		if (!is_incompatible(s[k].v))
			compat = &s[k];
		if (is_prerelease(s[k].v))
			pre = &s[k];
		else
			rel = &s[k];
	}
	if (rel == NULL)
		rel = pre;
	*found = rel != NULL;
	if (rel != NULL)
		*pick = rel->i;
	return 0;
}

/* V-6.2 step 5: the pseudo-version with the latest embedded time. */
static bool
pick_pseudo(const char *const *versions, size_t n, size_t *pick)
{
	time_t t, best = 0;
	bool found = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!mv_version_is_pseudo(versions[i]) ||
		    mv_pseudo_time(versions[i], &t, NULL) == -1)
			continue;
		if (!found || t > best) {
			best = t;
			*pick = i;
			found = true;
		}
	}
	return found;
}

int
mv_latest_pick(const char *const *versions, size_t n,
    mv_real_gomod_fn real_gomod, void *ctx, size_t *pick,
    struct mv_err *err)
{
	struct ix *s;
	bool found = false;
	size_t i;
	int rc;

	if (n == 0)
		return mv_fail(err, MV_ENOTFOUND, "no versions");
	if ((s = calloc(n, sizeof(*s))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		s[i].v = versions[i];
		s[i].i = i;
	}
	qsort(s, n, sizeof(*s), cmp_ix);
	rc = pick_tagged(s, n, real_gomod, ctx, pick, &found, err);
	free(s);
	if (rc == -1)
		return -1;
	if (found || pick_pseudo(versions, n, pick))
		return 0;
	return mv_fail(err, MV_ENOTFOUND, "no usable version");
}

bool
mv_latest_gomod_is_real(const char *module, const void *mod, size_t len)
{
	size_t n = strlen(module);

	return len != n + 8 || memcmp(mod, "module ", 7) != 0 ||
	    memcmp((const char *)mod + 7, module, n) != 0 ||
	    ((const char *)mod)[n + 7] != '\n';
}
