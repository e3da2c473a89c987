/* test_pattern.c: Go path.Match globs and prefix pattern lists. */
#include "mvtest.h"
#include "modvault/proto/pattern.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct list_case {
	const char	*list;
	const char	*target;
	bool		 want;
};

struct pattern_want {
	const char	*list;
	bool		 want;
};

struct glob_case {
	const char		*pattern;
	const char		*name;
	enum mv_glob_result	 want;
};

static void
check_lists(const struct list_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mv_patterns_match(c[i].list, c[i].target) != c[i].want)
			fail_msg("patterns \"%s\" target \"%s\": want %s",
			    c[i].list, c[i].target,
			    c[i].want ? "match" : "no match");
}

static void
check_target(const char *target, const struct pattern_want *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mv_patterns_match(c[i].list, target) != c[i].want)
			fail_msg("patterns \"%s\" target \"%s\": want %s",
			    c[i].list, target, c[i].want ? "match" : "no match");
}

static void
check_globs(const struct glob_case *c, size_t n)
{
	enum mv_glob_result got;
	size_t i;

	for (i = 0; i < n; i++) {
		got = mv_glob_match(c[i].pattern, strlen(c[i].pattern),
		    c[i].name, strlen(c[i].name));
		if (got != c[i].want)
			fail_msg("glob \"%s\" name \"%s\": got %d want %d",
			    c[i].pattern, c[i].name, (int)got, (int)c[i].want);
	}
}

/* TV-PT-1: x/mod MatchPrefixPatterns tests (PT-2.1, PT-3.1). */
static void
tv_pt_1_matchprefixpatterns(void **state)
{
	static const struct pattern_want quote[] = {
		{ "", false }, { "/", false }, { "*/quote", true },
		{ "*/quo", false }, { "*/quo??", true }, { "*/quo*", true },
		{ "*quo*", false }, { "rsc.io", true }, { "*.io", true },
		{ "rsc.io/", true }, { "rsc", false }, { "rsc*", true },
		{ "*/*/*", false }, { "*/*/*/", false }, { "*/*/*,,", false },
		{ "*/*/*,,*/quote", true }, { ",,*/quote", true },
	};
	static const struct pattern_want quote_v3[] = {
		{ "rsc.io", true }, { "*/quote", true }, { "*/quote/", true },
		{ "*/quote/*", true }, { "*/quote/*/", true },
		{ "*/v3", false }, { "*/*/v3", true }, { "*/*/*", true },
		{ "*/*/*/", true },
	};

	check_target("rsc.io/quote", quote, NELEM(quote));
	check_target("rsc.io/quote/v3", quote_v3, NELEM(quote_v3));
}

/* TV-PT-2: more vectors evaluated with Go (PT-2.1, PT-2.2, PT-3.1, PT-4). */
static void
tv_pt_2_more(void **state)
{
	static const struct list_case c[] = {
		{ "*.corp.example.com", "git.corp.example.com/team/repo", true },
		{ "*.corp.example.com", "corp.example.com/repo", false },
		{ "corp.example.com", "corp.example.com/repo/v2", true },
		{ "corp.example.com", "corp.example.community/x", false },
		{ "rsc.io/private", "rsc.io/privateer", false },
		{ "rsc.io/private", "rsc.io/private/bar", true },
		{ "github.com/acme/*", "github.com/acme/widget/v3", true },
		{ "github.com/acme/*", "github.com/acme", false },
		{ "github.com/[ab]cme", "github.com/acme/x", true },
		{ "github.com/[^a]cme", "github.com/acme/x", false },
		{ "github.com/[!a]cme", "github.com/bcme/x", false },
		{ "github.com/[a-c]cme", "github.com/bcme/x", true },
		{ "github.com/acme[", "github.com/acme[/x", false },
		{ "github.com/a\\*me", "github.com/a*me/x", true },
		{ "*", "anything.example/a/b", true },
		{ "*/*", "example.com", false },
		{ "example.com/", "example.com/x", true },
		{ "EXAMPLE.com", "example.com/x", false },
		{ " example.com", "example.com/x", false },
		{ "example.com/x,other.org", "other.org/y", true },
		{ "?xample.com", "example.com/x", true },
		{ "example.com/*/v2", "example.com/a/v2/pkg", true },
		{ "example.com/*/v2", "example.com/a/b/v2", false },
	};

	check_lists(c, NELEM(c));
}

/* TV-PT-3: the sumdb client's GONOSUMDB test, list "p,*\/q" (PT-3.1). */
static void
tv_pt_3_gonosumdb(void **state)
{
	static const char *const skipped[] = { "p", "p/x", "x/q", "x/q/z" };
	static const char *const kept[] = {
		"abc", "a/p", "pq", "q", "n/o/p/q",
	};
	size_t i;

	for (i = 0; i < NELEM(skipped); i++)
		if (!mv_patterns_match("p,*/q", skipped[i]))
			fail_msg("\"%s\" should match p,*/q", skipped[i]);
	for (i = 0; i < NELEM(kept); i++)
		if (mv_patterns_match("p,*/q", kept[i]))
			fail_msg("\"%s\" should not match p,*/q", kept[i]);
}

/* TV-PT-4: malformed globs are errors (PT-4.2), and never match (PT-2.2). */
static void
tv_pt_4_glob_errors(void **state)
{
	static const char *const bad[] = {
		"[", "a[", "[a-]", "[]a]", "\\", "a\\", "[^]",
	};
	size_t i;

	for (i = 0; i < NELEM(bad); i++) {
		if (mv_glob_match(bad[i], strlen(bad[i]), "a", 1) !=
		    MV_GLOB_BADPATTERN)
			fail_msg("glob \"%s\" should be malformed", bad[i]);
		if (mv_patterns_match(bad[i], "a"))
			fail_msg("list \"%s\" should not match \"a\"", bad[i]);
	}
}

/* PT-4.2: the whole pattern is checked, even after the name mismatched. */
static void
pt_4_2_validates_after_mismatch(void **state)
{
	static const struct glob_case c[] = {
		{ "b[", "a", MV_GLOB_BADPATTERN },
		{ "a[", "ab", MV_GLOB_BADPATTERN },
		{ "a[", "x", MV_GLOB_BADPATTERN },
		{ "a/b[", "x", MV_GLOB_BADPATTERN },
		{ "x*y[", "abc", MV_GLOB_BADPATTERN },
		{ "x*[", "abc", MV_GLOB_BADPATTERN },
		{ "a*b\\", "zzz", MV_GLOB_BADPATTERN },
		{ "[^", "a", MV_GLOB_BADPATTERN },
		{ "[^bc", "a", MV_GLOB_BADPATTERN },
		{ "[-]", "-", MV_GLOB_BADPATTERN },
		{ "[x-]", "z", MV_GLOB_BADPATTERN },
		{ "[-x]", "x", MV_GLOB_BADPATTERN },
		{ "[a-b-c]", "a", MV_GLOB_BADPATTERN },
		/* A bad pattern in a list is skipped, not fatal (PT-2.2). */
		{ "zz", "a", MV_GLOB_NOMATCH },
	};

	check_globs(c, NELEM(c));
	assert_true(mv_patterns_match("a[,a", "a/b"));
	assert_false(mv_patterns_match("a[", "a[/b"));
}

/* PT-4.1: '*', '?', classes, ranges and escapes, one at a time. */
static void
pt_4_1_grammar(void **state)
{
	static const struct glob_case c[] = {
		{ "abc", "abc", MV_GLOB_MATCH },
		{ "abc", "abcd", MV_GLOB_NOMATCH },
		{ "", "", MV_GLOB_MATCH },
		{ "", "a", MV_GLOB_NOMATCH },
		{ "*", "", MV_GLOB_MATCH },
		{ "*", "abc", MV_GLOB_MATCH },
		{ "*c", "abc", MV_GLOB_MATCH },
		{ "*x", "xxx", MV_GLOB_MATCH },
		{ "a*", "a", MV_GLOB_MATCH },
		{ "a*", "ab/c", MV_GLOB_NOMATCH },
		{ "a*/b", "abc/b", MV_GLOB_MATCH },
		{ "a*/b", "a/c/b", MV_GLOB_NOMATCH },
		{ "a*b*c*d*e*/f", "axbxcxdxexxx/f", MV_GLOB_MATCH },
		{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", MV_GLOB_NOMATCH },
		{ "a*b?c*x", "abxbbxdbxebxczzx", MV_GLOB_MATCH },
		{ "a*b?c*x", "abxbbxdbxebxczzy", MV_GLOB_NOMATCH },
		{ "a?b", "a/b", MV_GLOB_NOMATCH },
		{ "a*b", "a/b", MV_GLOB_NOMATCH },
		{ "ab[c]", "abc", MV_GLOB_MATCH },
		{ "ab[b-d]", "abc", MV_GLOB_MATCH },
		{ "ab[e-g]", "abc", MV_GLOB_NOMATCH },
		{ "ab[^c]", "abc", MV_GLOB_NOMATCH },
		{ "ab[^e-g]", "abc", MV_GLOB_MATCH },
		{ "[!a]", "!", MV_GLOB_MATCH },
		{ "[!a]", "b", MV_GLOB_NOMATCH },
		{ "a\\*b", "a*b", MV_GLOB_MATCH },
		{ "a\\*b", "ab", MV_GLOB_NOMATCH },
		{ "[\\]a]", "]", MV_GLOB_MATCH },
		{ "[\\-]", "-", MV_GLOB_MATCH },
		{ "[x\\-]", "-", MV_GLOB_MATCH },
		{ "[x\\-]", "z", MV_GLOB_NOMATCH },
		{ "[a*]", "*", MV_GLOB_MATCH },
		/* Code points, not bytes. */
		{ "a?b", "a\xe2\x98\xba" "b", MV_GLOB_MATCH },
		{ "a???b", "a\xe2\x98\xba" "b", MV_GLOB_NOMATCH },
		{ "a[^a]b", "a\xe2\x98\xba" "b", MV_GLOB_MATCH },
		{ "[a-\xce\xb6]*", "\xce\xb1", MV_GLOB_MATCH },
		{ "*[a-\xce\xb6]", "A", MV_GLOB_NOMATCH },
		/* Invalid UTF-8 in a class is malformed. */
		{ "[\xff]", "a", MV_GLOB_BADPATTERN },
	};

	check_globs(c, NELEM(c));
}

/* PT-2.1 and PT-3.1 edge cases beyond the tables. */
static void
pt_3_1_edges(void **state)
{
	assert_false(mv_patterns_match(NULL, "a"));
	assert_false(mv_patterns_match("a", NULL));
	assert_false(mv_patterns_match(",,,", "a"));
	/* Only ONE trailing '/' is removed. */
	assert_false(mv_patterns_match("a//", "a/b"));
	assert_true(mv_patterns_match("a//", "a//b"));
	assert_true(mv_patterns_match("example.com", "example.com"));
	assert_false(mv_patterns_match("example.com/x", "example.com"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tv_pt_1_matchprefixpatterns),
		cmocka_unit_test(tv_pt_2_more),
		cmocka_unit_test(tv_pt_3_gonosumdb),
		cmocka_unit_test(tv_pt_4_glob_errors),
		cmocka_unit_test(pt_4_2_validates_after_mismatch),
		cmocka_unit_test(pt_4_1_grammar),
		cmocka_unit_test(pt_3_1_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
