/* test_semver.c: Go semver, canonical versions, pseudo-versions, majors. */
#include <time.h>

#include "mvtest.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The V-4.7 time, 2006-01-02 15:04:05 UTC. */
#define T_2006 ((time_t)1136214245)

typedef int (*vfn)(const char *, char *, size_t, struct mv_err *);

/* Asserts that fn(v) writes want (into a full-size buffer). */
static void
check_out(vfn fn, const char *v, const char *want)
{
	char out[MV_VERSION_MAX_BYTES];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(fn(v, out, sizeof(out), &err), &err);
	if (strcmp(out, want) != 0)
		fail_msg("input \"%s\": got \"%s\", want \"%s\"", v, out, want);
}

/* V-1.1 (and the IsValid vectors of V-2.6) */
static void
v1_1_validity(void **state)
{
	static const char *const good[] = {
		"v1.0", "v1.0.0-0a", "v1", "v0", "v1.2.3", "v0.0.0",
		"v1.2.3-pre+meta", "v1.0.0+build.01", "v1.0.0-rc.1",
		"v1.0.0--", "v1.0.0-x-y.z", "v10.20.30",
		"v1.2.99999999999999999", "v2.0.0+incompatible",
	};
	static const char *const bad[] = {
		"v1.0-pre", "v1.0.0-", "v1.0.0+", "v1.0.0-a..b", "v1.0.0-00",
		"v01.0.0", "1.0.0", "V1.0.0", "v1.2-pre", "v1+meta",
		"v1.0.0-rc.01", "", "v", "v1.", "v1.2.", "v1.2.3.4",
		"v1.0.0+a..b", "v1.0.0-a_b", "v1.01.0", "v1.0.01", "v1.0.0 ",
		"v1.0.0-.a", "v1.0.0-a.", "v1.0.0+a.", "bad", "v-1",
		"v1.0.0-é",
	};
	size_t i;

	for (i = 0; i < NELEM(good); i++)
		if (!mv_semver_is_valid(good[i]))
			fail_msg("\"%s\" should be valid", good[i]);
	for (i = 0; i < NELEM(bad); i++)
		if (mv_semver_is_valid(bad[i]))
			fail_msg("\"%s\" should be invalid", bad[i]);
	assert_false(mv_semver_is_valid(NULL));
}

/* V-1.2 Canonical, V-1.3 CanonicalVersion, V-1.4 accessors. */
static const struct {
	const char	*rule;
	vfn		 fn;
	const char	*in, *want;
} v1_out[] = {
	{ "V-1.2", mv_semver_canonical, "v1", "v1.0.0" },
	{ "V-1.2", mv_semver_canonical, "v1.2", "v1.2.0" },
	{ "V-1.2", mv_semver_canonical, "v1.2.3+meta", "v1.2.3" },
	{ "V-1.2", mv_semver_canonical, "v1.2.3-pre+meta", "v1.2.3-pre" },
	{ "V-1.2", mv_semver_canonical, "v1.2.3", "v1.2.3" },
	{ "V-1.2", mv_semver_canonical, "v2.0.0+incompatible", "v2.0.0" },
	{ "V-1.2", mv_semver_canonical, "bad", "" },
	{ "V-1.2", mv_semver_canonical, "v1.0-pre", "" },
	{ "V-1.2", mv_semver_canonical, "", "" },
	{ "V-1.3", mv_version_canonical, "v2.0.0+incompatible",
	    "v2.0.0+incompatible" },
	{ "V-1.3", mv_version_canonical, "v2.3.0-pre+incompatible",
	    "v2.3.0-pre+incompatible" },
	{ "V-1.3", mv_version_canonical, "v2.0.0+meta", "v2.0.0" },
	{ "V-1.3", mv_version_canonical, "v2.0.0+incompatible.x", "v2.0.0" },
	{ "V-1.3", mv_version_canonical, "v1.2", "v1.2.0" },
	{ "V-1.3", mv_version_canonical, "v1.2+incompatible", "" },
	{ "V-1.3", mv_version_canonical, "bad", "" },
	{ "V-1.4", mv_semver_major, "v2.1.0", "v2" },
	{ "V-1.4", mv_semver_major, "v2", "v2" },
	{ "V-1.4", mv_semver_major, "bad", "" },
	{ "V-1.4", mv_semver_major_minor, "v2.1.0", "v2.1" },
	{ "V-1.4", mv_semver_major_minor, "v2", "v2.0" },
	{ "V-1.4", mv_semver_major_minor, "v2.1", "v2.1" },
	{ "V-1.4", mv_semver_major_minor, "v2.1-pre", "" },
	{ "V-1.4", mv_semver_prerelease, "v2.1.0-pre+meta", "-pre" },
	{ "V-1.4", mv_semver_prerelease, "v2.1.0+meta", "" },
	{ "V-1.4", mv_semver_prerelease, "v2.1.0-", "" },
	{ "V-1.4", mv_semver_build, "v2.1.0+meta", "+meta" },
	{ "V-1.4", mv_semver_build, "v2.1.0-pre+a.b", "+a.b" },
	{ "V-1.4", mv_semver_build, "v2.1.0", "" },
	{ "V-1.4", mv_semver_build, "v2.1+meta", "" },
};

static void
v1_2_to_1_4_outputs(void **state)
{
	char out[MV_VERSION_MAX_BYTES];
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	for (i = 0; i < NELEM(v1_out); i++) {
		assert_ok(v1_out[i].fn(v1_out[i].in, out, sizeof(out), &err),
		    &err);
		if (strcmp(out, v1_out[i].want) != 0)
			fail_msg("%s: \"%s\" gave \"%s\", want \"%s\"",
			    v1_out[i].rule, v1_out[i].in, out, v1_out[i].want);
	}
}

/* V-1.3: canonical iff CanonicalVersion(v) == v */
static void
v1_3_is_canonical(void **state)
{
	assert_true(mv_version_is_canonical("v1.2.3"));
	assert_true(mv_version_is_canonical("v1.2.3-pre"));
	assert_true(mv_version_is_canonical("v2.0.0+incompatible"));
	assert_true(mv_version_is_canonical(
	    "v2.0.1-0.20200722182040-012345abcdef+incompatible"));
	assert_false(mv_version_is_canonical("v1.2"));
	assert_false(mv_version_is_canonical("v1"));
	assert_false(mv_version_is_canonical("v1.2.3+meta"));
	assert_false(mv_version_is_canonical("v1.2.3+incompatible.1"));
	assert_false(mv_version_is_canonical("bad"));
	/* "" is not canonical here (Go's CanonicalVersion("") == "") */
	assert_false(mv_version_is_canonical(""));
}

/* Outputs are bounded: too small a buffer is MV_ELIMIT and holds "". */
static void
outputs_are_bounded(void **state)
{
	struct mv_err err = MV_ERR_INIT;
	char out[16];

	assert_fails(mv_semver_canonical("v1.2.3", out, 6, &err), &err,
	    MV_ELIMIT);
	assert_string_equal(out, "");
	assert_ok(mv_semver_canonical("v1.2.3", out, 7, &err), &err);
	assert_string_equal(out, "v1.2.3");
	assert_fails(mv_semver_canonical("v1", out, 0, &err), &err,
	    MV_ELIMIT);
	/* even "" needs its NUL */
	assert_fails(mv_semver_build("v1", out, 0, &err), &err, MV_ELIMIT);
	assert_fails(mv_version_canonical("v2.0.0+incompatible", out,
	    sizeof(out), &err), &err, MV_ELIMIT);
	assert_fails(mv_semver_major_minor("v12345678.12345678", out,
	    sizeof(out), &err), &err, MV_ELIMIT);
	assert_fails(mv_semver_prerelease("v1.0.0-abcdefghijklmnop", out,
	    sizeof(out), &err), &err, MV_ELIMIT);
	assert_fails(mv_pseudo_rev("v0.0.0-20191109021931-daa7c04131f5aaaa",
	    out, sizeof(out), &err), &err, MV_ELIMIT);
	assert_fails(mv_pseudo_base("v1.2.4-0.20191109021931-x+0123456789abc",
	    out, sizeof(out), &err), &err, MV_ELIMIT);
	assert_fails(mv_pseudo_make("", "", T_2006, "hash", out, sizeof(out),
	    &err), &err, MV_ELIMIT);
	assert_string_equal(out, "");
}

/* Asserts Compare(a, b) == want and Compare(b, a) == -want. */
static void
check_cmp(const char *a, const char *b, int want)
{
	int got = mv_semver_compare(a, b), back = mv_semver_compare(b, a);

	if (got != want || back != -want)
		fail_msg("compare(\"%s\", \"%s\") = %d, reverse %d, want %d",
		    a, b, got, back, want);
}

/* V-2.1 to V-2.4 */
static void
v2_compare(void **state)
{
	/* V-2.1: invalid versions are equal and lowest */
	check_cmp("bad", "v0.0.0", -1);
	check_cmp("bad", "worse", 0);
	check_cmp("", "v0.0.0-0", -1);
	/* V-2.2: numbers as decimal strings, shorthands filled in */
	check_cmp("v1", "v1.0.0", 0);
	check_cmp("v1.2", "v1.2.0", 0);
	check_cmp("v1.2.0", "v1.10.0", -1);
	check_cmp("v2", "v10", -1);
	check_cmp("v1.2.99999999999999999", "v1.2.100000000000000000", -1);
	check_cmp("v99999999999999999999.0.0", "v99999999999999999998.9.9", 1);
	/* V-2.3: prereleases */
	check_cmp("v1.0.0-pre", "v1.0.0", -1);
	check_cmp("v1.0.0-1", "v1.0.0-a", -1);
	check_cmp("v1.0.0-2", "v1.0.0-10", -1);
	check_cmp("v1.0.0-A", "v1.0.0-a", -1);
	check_cmp("v1.0.0-alpha", "v1.0.0-alpha.1", -1);
	check_cmp("v1.0.0-alpha.1", "v1.0.0-alpha.beta", -1);
	check_cmp("v1.0.0-beta.2", "v1.0.0-beta.11", -1);
	check_cmp("v1.0.0-a", "v1.0.0-aa", -1);
	check_cmp("v1.0.0-a-b", "v1.0.0-a.b", 1);	/* "a-b" > "a" */
	check_cmp("v1.0.0-0a", "v1.0.0-1", 1);
	check_cmp("v1.0.0-x.1", "v1.0.0-x.1", 0);
	/* V-2.4: build metadata is ignored */
	check_cmp("v1.2.3+a", "v1.2.3+b", 0);
	check_cmp("v1.2.3+a", "v1.2.3", 0);
	check_cmp("v2.0.0+incompatible", "v2.0.0", 0);
}

/* V-2.6: the exact sorted order */
static const char *const v2_6_sorted[] = {
	"v0.9.9",
	"v1.0.0-0.20190101000000-abcdefabcdef",
	"v1.0.0-1",
	"v1.0.0-A",
	"v1.0.0-a",
	"v1.0.0-alpha",
	"v1.0.0-alpha.1",
	"v1.0.0-alpha.beta",
	"v1.0.0-beta",
	"v1.0.0-beta.2",
	"v1.0.0-beta.11",
	"v1.0.0-rc.1",
	"v1.0.0",
	"v1.0.0+meta",
	"v1.0.1-0",
	"v1.0.1-0.20190101000000-abcdefabcdef",
	"v1.0.1-pre",
	"v1.2.0",
	"v1.10.0",
	"v2.0.0+incompatible",
};

/* V-2.5/V-2.6: sorting shuffled copies (fixed seeds) gives the order. */
static void
v2_6_sort(void **state)
{
	const char *list[NELEM(v2_6_sorted)], *tmp;
	unsigned long seed, x;
	size_t i, j, n = NELEM(v2_6_sorted);

	for (seed = 1; seed <= 50; seed++) {
		memcpy(list, v2_6_sorted, sizeof(list));
		x = seed;
		for (i = n - 1; i > 0; i--) {	/* Fisher-Yates, LCG */
			x = (x * 1103515245UL + 12345UL) & 0x7fffffffUL;
			j = x % (i + 1);
			tmp = list[i], list[i] = list[j], list[j] = tmp;
		}
		mv_semver_sort(list, n);
		for (i = 0; i < n; i++)
			assert_string_equal(list[i], v2_6_sorted[i]);
	}
	/* reversed input too, and consecutive entries strictly ordered */
	for (i = 0; i < n; i++)
		list[i] = v2_6_sorted[n - 1 - i];
	mv_semver_sort(list, n);
	for (i = 0; i < n; i++)
		assert_string_equal(list[i], v2_6_sorted[i]);
	for (i = 0; i + 1 < n; i++)
		if (strcmp(v2_6_sorted[i], "v1.0.0") != 0)
			check_cmp(v2_6_sorted[i], v2_6_sorted[i + 1], -1);
	check_cmp("v1.0.0", "v1.0.0+meta", 0);
	mv_semver_sort(list, 0);
}

/* V-2.5: invalid strings sort first, among themselves by bytes. */
static void
v2_5_sort_invalid_and_ties(void **state)
{
	const char *list[] = {
		"v1.0.0+b", "zzz", "v1", "v1.0.0", "bad", "v1.0.0+a", "v0.1",
	};
	static const char *const want[] = {
		"bad", "zzz", "v0.1", "v1", "v1.0.0", "v1.0.0+a", "v1.0.0+b",
	};
	size_t i;

	mv_semver_sort(list, NELEM(list));
	for (i = 0; i < NELEM(list); i++)
		assert_string_equal(list[i], want[i]);
}

/* V-4.7: major, older and the PseudoVersion result. */
static const struct {
	const char	*major, *older, *result;
} v4_7_make[] = {
	{ "", "", "v0.0.0-20060102150405-hash" },
	{ "v1", "", "v1.0.0-20060102150405-hash" },
	{ "v2", "", "v2.0.0-20060102150405-hash" },
	{ "v7", "v0.0.0", "v0.0.1-0.20060102150405-hash" },
	{ "", "v1.2.3", "v1.2.4-0.20060102150405-hash" },
	{ "v1", "v1.2.99999999999999999",
	    "v1.2.100000000000000000-0.20060102150405-hash" },
	{ "v3", "v1.2.3-pre", "v1.2.3-pre.0.20060102150405-hash" },
	{ "", "v0.0.0--", "v0.0.0--.0.20060102150405-hash" },
	{ "v1", "v1.0.0+metadata", "v1.0.1-0.20060102150405-hash+metadata" },
	{ "v2", "v2.0.0+incompatible",
	    "v2.0.1-0.20060102150405-hash+incompatible" },
	{ "", "v2.3.0-pre+incompatible",
	    "v2.3.0-pre.0.20060102150405-hash+incompatible" },
};

/* V-4.5, V-4.7: construction, then parsing back (V-4.2 to V-4.4). */
static void
v4_7_pseudo_round_trip(void **state)
{
	char out[MV_VERSION_MAX_BYTES];
	struct mv_err err = MV_ERR_INIT;
	time_t t;
	size_t i;

	for (i = 0; i < NELEM(v4_7_make); i++) {
		assert_ok(mv_pseudo_make(v4_7_make[i].major, v4_7_make[i].older,
		    T_2006, "hash", out, sizeof(out), &err), &err);
		assert_string_equal(out, v4_7_make[i].result);
		assert_true(mv_version_is_pseudo(out));
		assert_ok(mv_pseudo_time(out, &t, &err), &err);
		assert_int_equal(t, T_2006);
		check_out(mv_pseudo_rev, out, "hash");
		check_out(mv_pseudo_base, out, v4_7_make[i].older);
		if (mv_version_is_pseudo(v4_7_make[i].older))
			fail_msg("\"%s\" is not a pseudo-version",
			    v4_7_make[i].older);
	}
	/* "any" major: the major only matters without an older version */
	assert_ok(mv_pseudo_make("v9", "v1.2.3", T_2006, "hash", out,
	    sizeof(out), &err), &err);
	assert_string_equal(out, "v1.2.4-0.20060102150405-hash");
	/* a shorthand older is canonicalised first */
	assert_ok(mv_pseudo_make("", "v1.2", T_2006, "abc", out, sizeof(out),
	    &err), &err);
	assert_string_equal(out, "v1.2.1-0.20060102150405-abc");
}

/* V-4.5: arguments that cannot make a pseudo-version. */
static void
v4_5_make_rejects(void **state)
{
	char out[MV_VERSION_MAX_BYTES];
	struct mv_err err = MV_ERR_INIT;

	assert_fails(mv_pseudo_make("v01", "", T_2006, "hash", out,
	    sizeof(out), &err), &err, MV_EINVAL);
	assert_fails(mv_pseudo_make("2", "", T_2006, "hash", out,
	    sizeof(out), &err), &err, MV_EINVAL);
	assert_fails(mv_pseudo_make("v2.0", "", T_2006, "hash", out,
	    sizeof(out), &err), &err, MV_EINVAL);
	assert_fails(mv_pseudo_make("", "v1.0-pre", T_2006, "hash", out,
	    sizeof(out), &err), &err, MV_EINVAL);
	assert_fails(mv_pseudo_make("", "", T_2006, "", out, sizeof(out),
	    &err), &err, MV_EINVAL);
	assert_fails(mv_pseudo_make("", "", T_2006, "ab-c", out, sizeof(out),
	    &err), &err, MV_EINVAL);
	assert_string_equal(out, "");
	/* V-4.1: the time stamp has four year digits */
	assert_fails(mv_pseudo_make("", "", (time_t)253402300800LL, "a", out,
	    sizeof(out), &err), &err, MV_EINVAL);
	assert_ok(mv_pseudo_make("", "", (time_t)0, "a", out, sizeof(out),
	    &err), &err);
	assert_string_equal(out, "v0.0.0-19700101000000-a");
}

/* V-4.2/V-4.4: the classification table of V-4.7. */
static void
v4_7_classification(void **state)
{
	static const struct {
		const char	*v, *base;	/* base NULL: not pseudo */
	} tab[] = {
		{ "v0.0.0-20191109021931-daa7c04131f5", "" },
		{ "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3" },
		{ "v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3-pre" },
		{ "v1.0.0-rc.0.20191109021931-daa7c04131f5", "v1.0.0-rc" },
		{ "v2.0.1-0.20191109021931-daa7c04131f5+incompatible",
		    "v2.0.0+incompatible" },
		{ "v1.2.4-0.20191109021931-DAA7C04131F5", "v1.2.3" },
		{ "v1.2.3-0.20191109021931", NULL },
		{ "v1.2.3-20191109021931-daa7c04131f5", NULL },
		{ "v0.0.0-2019110902193-daa7c04131f5", NULL },
		/* more edges of the V-4.2 pattern */
		{ "v1.2.10-0.20191109021931-abc", "v1.2.9" },
		{ "v1.2.1-0.20191109021931-abc", "v1.2.0" },
		{ "v1.2.100-0.20191109021931-abc", "v1.2.99" },
		{ "v1.0.0-a.b-0.0.20191109021931-abc", "v1.0.0-a.b-0" },
		{ "v0.0.0-201911090219310-abc", NULL },
		{ "v0.0.0-20191109021931-", NULL },
		{ "v0.0.0-20191109021931-ab_c", NULL },
		{ "v0.0.0-20191109021931-abc+", NULL },
		{ "v1.2.3-x0.20191109021931-abc", NULL },
		{ "v1.2.3-x-0.20191109021931-abc", NULL },
		{ "v1.2-0.20191109021931-abc", NULL },
		{ "v1.2.3-pre", NULL },
		{ "v0.0.0-20191109021931-abc-def", NULL },
	};
	struct mv_err err = MV_ERR_INIT;
	char out[MV_VERSION_MAX_BYTES];
	size_t i;

	for (i = 0; i < NELEM(tab); i++) {
		if (mv_version_is_pseudo(tab[i].v) != (tab[i].base != NULL))
			fail_msg("is_pseudo(\"%s\") wrong", tab[i].v);
		if (tab[i].base != NULL)
			check_out(mv_pseudo_base, tab[i].v, tab[i].base);
		else
			assert_fails(mv_pseudo_base(tab[i].v, out, sizeof(out),
			    &err), &err, MV_EINVAL);
	}
	check_out(mv_pseudo_rev, "v1.2.4-0.20191109021931-DAA7C04131F5",
	    "DAA7C04131F5");
	/* pseudo, but its base would have a negative patch */
	assert_true(mv_version_is_pseudo("v1.0.0-0.20191109021931-abc+a.b"));
	assert_fails(mv_pseudo_base("v1.0.0-0.20191109021931-abc+a.b", out,
	    sizeof(out), &err), &err, MV_EINVAL);
}

/* V-4.4: PseudoVersionBase must fail for these. */
static void
v4_4_base_failures(void **state)
{
	static const char *const bad[] = {
		"v0.0.0",
		"v0.0.0-",
		"v0.0.0-0.20060102150405-hash",
		"v0.1.0-0.20060102150405-hash",
		"v1.0.0-0.20060102150405-hash",
		"v0.0.0-20060102150405-hash+incompatible",
		"v0.0.0-20060102150405-hash+metadata",
	};
	char out[MV_VERSION_MAX_BYTES];
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	for (i = 0; i < NELEM(bad); i++) {
		out[0] = 'x';
		if (mv_pseudo_base(bad[i], out, sizeof(out), &err) != -1)
			fail_msg("base(\"%s\") succeeded with \"%s\"", bad[i],
			    out);
		assert_int_equal(err.code, MV_EINVAL);
	}
	assert_fails(mv_pseudo_base("v1.0.0-0.20060102150405-hash", out,
	    sizeof(out), &err), &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "negative patch number"));
	assert_fails(mv_pseudo_base("v0.0.0-20060102150405-hash+incompatible",
	    out, sizeof(out), &err), &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "lacks base version"));
}

/* V-4.3: the time must be a calendar time; rev and time of non-pseudo fail. */
static void
v4_3_time_and_rev(void **state)
{
	static const char *const bad[] = {
		"v0.0.0-20191309021931-abc",	/* month 13 */
		"v0.0.0-20190009021931-abc",	/* month 0 */
		"v0.0.0-20190100021931-abc",	/* day 0 */
		"v0.0.0-20190229021931-abc",	/* not a leap year */
		"v0.0.0-21000229021931-abc",	/* nor is 2100 */
		"v0.0.0-20190431021931-abc",	/* April 31 */
		"v0.0.0-20191109241931-abc",	/* hour 24 */
		"v0.0.0-20191109026031-abc",	/* minute 60 */
		"v0.0.0-20191109021960-abc",	/* second 60 */
		"v1.2.3",			/* not a pseudo-version */
		"bad",
	};
	struct mv_err err = MV_ERR_INIT;
	char out[MV_VERSION_MAX_BYTES];
	time_t t;
	size_t i;

	for (i = 0; i < NELEM(bad); i++)
		assert_fails(mv_pseudo_time(bad[i], &t, &err), &err, MV_EINVAL);
	assert_ok(mv_pseudo_time("v0.0.0-20200229235959-abc", &t, &err), &err);
	assert_int_equal(t, (time_t)1583020799);
	assert_ok(mv_pseudo_time("v0.0.0-20000229000000-abc", &t, &err), &err);
	assert_int_equal(t, (time_t)951782400);
	assert_ok(mv_pseudo_time("v1.2.4-0.20191109021931-daa7c04131f5", &t,
	    &err), &err);
	assert_int_equal(t, (time_t)1573265971);
	assert_fails(mv_pseudo_rev("v1.2.3", out, sizeof(out), &err), &err,
	    MV_EINVAL);
	check_out(mv_pseudo_rev,
	    "v2.0.1-0.20191109021931-daa7c04131f5+incompatible",
	    "daa7c04131f5");
}

/* GP-3.7 CheckPathMajor */
static void
gp_3_7_check_path_major(void **state)
{
	static const struct {
		const char	*v, *major;
		bool		 ok;
	} tab[] = {
		/* 4: no suffix: v0, v1, or +incompatible */
		{ "v0.1.0", "", true },
		{ "v1.2.3", "", true },
		{ "v1.2.3-pre+meta", "", true },
		{ "v2.0.0", "", false },
		{ "v2.0.0+incompatible", "", true },
		{ "v2.0.1-0.20200722182040-012345abcdef+incompatible", "",
		    true },
		{ "v2.0.0+meta", "", false },
		{ "v10.0.0", "", false },
		{ "bad", "", false },
		{ "", "", false },
		/* 5: /vN */
		{ "v2.0.0", "/v2", true },
		{ "v2.1.0-pre", "/v2", true },
		{ "v2", "/v2", true },
		{ "v2.0.0+incompatible", "/v2", true },
		{ "v3.0.0", "/v2", false },
		{ "v1.0.0", "/v2", false },
		{ "v20.0.0", "/v2", false },
		{ "v0.0.0-20191109021931-daa7c04131f5", "/v2", false },
		{ "v10.1.0", "/v10", true },
		/* 5: gopkg.in .vN, with 2: the v0.0.0- exception for .v1 */
		{ "v1.0.0", ".v1", true },
		{ "v0.0.0-20191109021931-daa7c04131f5", ".v1", true },
		{ "v0.1.0", ".v1", false },
		{ "v2.0.0", ".v1", false },
		{ "v0.3.0", ".v0", true },
		{ "v2.5.0", ".v2", true },
		{ "v0.0.0-20191109021931-daa7c04131f5", ".v2", false },
		/* 1: -unstable is dropped first */
		{ "v1.2.3", ".v1-unstable", true },
		{ "v0.0.0-20191109021931-daa7c04131f5", ".v1-unstable", true },
		{ "v2.0.0", ".v1-unstable", false },
		{ "v2.0.0", ".v2-unstable", true },
		{ "v0.0.0-20191109021931-daa7c04131f5", ".v2-unstable",
		    false },
		{ "v2.0.0", "/v2-unstable", false },
		{ "v1.0.0", "v1", false },
	};
	struct mv_err err = MV_ERR_INIT;
	size_t i;
	int rc;

	for (i = 0; i < NELEM(tab); i++) {
		rc = mv_check_path_major(tab[i].v, tab[i].major, &err);
		if (rc != (tab[i].ok ? 0 : -1))
			fail_msg("check_path_major(\"%s\", \"%s\") = %d",
			    tab[i].v, tab[i].major, rc);
		if (rc == -1)
			assert_int_equal(err.code, MV_EINVAL);
	}
	assert_int_equal(mv_check_path_major("v2.0.0", "", NULL), -1);
	assert_fails(mv_check_path_major("v3.1.0", "/v2", &err), &err,
	    MV_EINVAL);
	assert_string_equal(err.msg,
	    "invalid version \"v3.1.0\": should be v2, not v3");
	assert_fails(mv_check_path_major("v2.0.0", "", &err), &err, MV_EINVAL);
	assert_string_equal(err.msg,
	    "invalid version \"v2.0.0\": should be v0 or v1, not v2");
}

/* Messages stay one line even for hostile input. */
static void
messages_are_one_line(void **state)
{
	struct mv_err err = MV_ERR_INIT;
	time_t t;

	assert_fails(mv_pseudo_time("v1\n\x01\xff", &t, &err), &err,
	    MV_EINVAL);
	assert_null(strchr(err.msg, '\n'));
	assert_null(strchr(err.msg, '\xff'));
	assert_fails(mv_check_path_major("v1\n", "/v2", &err), &err,
	    MV_EINVAL);
	assert_null(strchr(err.msg, '\n'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v1_1_validity),
		cmocka_unit_test(v1_2_to_1_4_outputs),
		cmocka_unit_test(v1_3_is_canonical),
		cmocka_unit_test(outputs_are_bounded),
		cmocka_unit_test(v2_compare),
		cmocka_unit_test(v2_6_sort),
		cmocka_unit_test(v2_5_sort_invalid_and_ties),
		cmocka_unit_test(v4_7_pseudo_round_trip),
		cmocka_unit_test(v4_5_make_rejects),
		cmocka_unit_test(v4_7_classification),
		cmocka_unit_test(v4_4_base_failures),
		cmocka_unit_test(v4_3_time_and_rev),
		cmocka_unit_test(gp_3_7_check_path_major),
		cmocka_unit_test(messages_are_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
