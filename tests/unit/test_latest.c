/* test_latest.c: @latest from held versions (V-6.2, V-5.4). */
#include "mvtest.h"
#include "modvault/proto/latest.h"

/* Which versions have a real go.mod, for the V-5.4 callback. */
struct gomods {
	const char	*real[8];
	int		 calls;
	int		 fail;
};

static const char *const *cur;	/* the versions of the running case */

static int
real_gomod(void *ctx, size_t i, bool *real, struct mv_err *err)
{
	struct gomods *g = ctx;
	size_t k;

	g->calls++;
	if (g->fail)
		return mv_fail(err, MV_EIO, "cannot read the .mod");
	*real = false;
	for (k = 0; k < 8 && g->real[k] != NULL; k++)
		if (strcmp(g->real[k], cur[i]) == 0)
			*real = true;
	return 0;
}

static const char *
latest(const char *const *v, size_t n, struct gomods *g)
{
	struct mv_err err = MV_ERR_INIT;
	size_t pick;

	cur = v;
	if (mv_latest_pick(v, n, real_gomod, g, &pick, &err) == -1)
		return NULL;
	return v[pick];
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* V-6.2 step 4 and V-5.3: releases win over any prerelease. */
static void
v62_release_over_prerelease(void **state)
{
	static const char *const v[] = { "v1.1.0-pre", "v1.0.0", "v0.9.0",
	    "v1.0.1-rc.1" };
	static const char *const pre[] = { "v1.0.0-a", "v1.0.0-b.2",
	    "v1.0.0-b.10" };
	struct gomods g = { { NULL }, 0, 0 };

	assert_string_equal(latest(v, N(v), &g), "v1.0.0");
	assert_string_equal(latest(pre, N(pre), &g), "v1.0.0-b.10");
}

/* V-6.2 step 5: pseudo-versions only when nothing is tagged. */
static void
v62_pseudo_fallback(void **state)
{
	static const char *const v[] = {
	    "v0.0.0-20210101000000-bbbbbbbbbbbb",
	    "v0.0.0-20220101000000-aaaaaaaaaaaa",
	    "v0.0.0-20200101000000-cccccccccccc" };
	static const char *const mixed[] = {
	    "v1.2.4-0.20220101000000-aaaaaaaaaaaa", "v1.2.3" };
	struct gomods g = { { NULL }, 0, 0 };

	assert_string_equal(latest(v, N(v), &g),
	    "v0.0.0-20220101000000-aaaaaaaaaaaa");
	assert_string_equal(latest(mixed, N(mixed), &g), "v1.2.3");
}

/* V-5.4: +incompatible dropped when the highest compatible has a go.mod. */
static void
v54_incompatible(void **state)
{
	static const char *const v[] = { "v2.0.0+incompatible", "v1.0.0",
	    "v3.1.0+incompatible", "v0.9.0" };
	static const char *const only[] = { "v2.0.0+incompatible",
	    "v3.0.0+incompatible" };
	struct gomods real = { { "v1.0.0" }, 0, 0 };
	struct gomods synth = { { NULL }, 0, 0 };

	assert_string_equal(latest(v, N(v), &real), "v1.0.0");
	assert_int_equal(real.calls, 1);	/* checked once, for all */
	assert_string_equal(latest(v, N(v), &synth), "v3.1.0+incompatible");
	/* No compatible version: kept, and nothing to check. */
	synth.calls = 0;
	assert_string_equal(latest(only, N(only), &synth),
	    "v3.0.0+incompatible");
	assert_int_equal(synth.calls, 0);
}

static void
errors(void **state)
{
	static const char *const v[] = { "v1.0.0", "v2.0.0+incompatible" };
	static const char *const junk[] = { "v1.0.0-20200101000000" };
	struct gomods bad = { { NULL }, 0, 1 };
	struct gomods g = { { NULL }, 0, 0 };
	struct mv_err err = MV_ERR_INIT;
	size_t pick;

	assert_fails(mv_latest_pick(v, 0, real_gomod, &g, &pick, &err), &err,
	    MV_ENOTFOUND);
	cur = v;
	assert_fails(mv_latest_pick(v, N(v), real_gomod, &bad, &pick, &err),
	    &err, MV_EIO);
	/* A prerelease that only looks like a pseudo-version is tagged. */
	assert_string_equal(latest(junk, N(junk), &g), "v1.0.0-20200101000000");
}

/* V-5.4: only the exact synthesized line counts as "no go.mod". */
static void
v54_real_gomod(void **state)
{
	const char *m = "example.com/m";

	(void)state;
	assert_false(mv_latest_gomod_is_real(m, "module example.com/m\n", 21));
	assert_true(mv_latest_gomod_is_real(m, "module example.com/m\n\n", 22));
	assert_true(mv_latest_gomod_is_real(m, "module example.com/m", 20));
	assert_true(mv_latest_gomod_is_real(m, "module example.com/n\n", 21));
	assert_true(mv_latest_gomod_is_real(m, "module example.com/m\ngo 1.19\n",
	    29));
	assert_true(mv_latest_gomod_is_real(m, "", 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v62_release_over_prerelease),
		cmocka_unit_test(v62_pseudo_fallback),
		cmocka_unit_test(v54_incompatible),
		cmocka_unit_test(errors),
		cmocka_unit_test(v54_real_gomod),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
