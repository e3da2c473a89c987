/*
 * test_policy.c: the deny, allow and download_mode lines, as the config
 * parses them and as mv_policy_decide applies them (first match wins).
 */
#include "mvtest.h"
#include "modvault/policy/policy.h"
#include "modvault/proto/pattern.h"

/* Big: the config holds a thousand rules' worth of text. */
static struct mv_config cfg;

static void
load(const char *text)
{
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_config_parse(&cfg, "/etc/modvault/modvault.conf", text,
	    strlen(text), &err), &err);
	/* What mv_config_load sets: the reason names the file. */
	snprintf(cfg.path, sizeof(cfg.path), "/etc/modvault/modvault.conf");
}

static void
decide(enum mv_policy_action a, const char *module,
    struct mv_policy_decision *d)
{
	struct mv_policy p;
	struct mv_err err = MV_ERR_INIT;

	mv_policy_init(&p, &cfg);
	assert_ok(mv_policy_decide(&p, a, module, "v1.0.0", d, &err), &err);
}

static void
deny_names_the_line(void **state)
{
	struct mv_policy_decision d;
	struct mv_policy p;
	struct mv_err err = MV_ERR_INIT;
	enum mv_policy_action a;

	(void)state;
	load("# a comment\n"
	    "deny = github.com/evil/*,example.com/leftpad\n"
	    "deny = other.example/x\n");
	for (a = 0; a < MV_POLICY__MAX; a++) {
		decide(a, "example.com/leftpad", &d);
		assert_false(d.allow);
		assert_string_equal(d.reason, "forbidden: example.com/leftpad "
		    "is denied by \"deny = github.com/evil/*,example.com/"
		    "leftpad\" (modvault.conf:2)");
	}
	decide(MV_POLICY_SERVE, "github.com/evil/tool/v2", &d);
	assert_false(d.allow);
	decide(MV_POLICY_FETCH, "other.example/x", &d);
	assert_false(d.allow);
	assert_string_equal(d.rule, "\"deny = other.example/x\" "
	    "(modvault.conf:3)");
	decide(MV_POLICY_SERVE, "github.com/good/tool", &d);
	assert_true(d.allow);
	assert_string_equal(d.rule, "");
	/* mv_policy_check turns it into MV_EFORBIDDEN with the reason. */
	mv_policy_init(&p, &cfg);
	assert_fails(mv_policy_check(&p, MV_POLICY_IMPORT, "example.com/"
	    "leftpad", "v1.0.0", &d, &err), &err, MV_EFORBIDDEN);
	assert_string_equal(err.msg, d.reason);
}

static void
allow_denies_the_rest(void **state)
{
	struct mv_policy_decision d;

	(void)state;
	load("allow = github.com/corp/*,golang.org/x/*\n");
	decide(MV_POLICY_SERVE, "golang.org/x/mod", &d);
	assert_true(d.allow);
	assert_string_equal(d.rule, "\"allow = github.com/corp/*,golang.org/"
	    "x/*\" (modvault.conf:1)");
	decide(MV_POLICY_LOOKUP, "github.com/other/x", &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "forbidden: github.com/other/x is "
	    "denied: no allow line names it");
}

/* First match wins, across deny and allow lines alike. */
static void
first_match_wins(void **state)
{
	struct mv_policy_decision d;

	(void)state;
	load("allow = github.com/corp/public\n"
	    "deny = github.com/corp/*\n"
	    "allow = github.com/*\n");
	decide(MV_POLICY_SERVE, "github.com/corp/public", &d);
	assert_true(d.allow);
	decide(MV_POLICY_SERVE, "github.com/corp/secret", &d);
	assert_false(d.allow);
	decide(MV_POLICY_SERVE, "github.com/someone/else", &d);
	assert_true(d.allow);
	decide(MV_POLICY_SERVE, "gitlab.com/someone/else", &d);
	assert_false(d.allow);
}

static void
download_modes(void **state)
{
	static const struct {
		const char		*module;
		enum mv_download_mode	 mode;
		const char		*rule;
	} want[] = {
		{ "github.com/big/repo", MV_DL_ASYNC, "\"download_mode = "
		    "github.com/big/* async\" (modvault.conf:1)" },
		{ "github.com/big", MV_DL_REDIRECT, "\"download_mode = "
		    "github.com/* redirect\" (modvault.conf:2)" },
		{ "example.com/a", MV_DL_ASYNC_REDIRECT, "\"download_mode = "
		    "example.com/a,example.com/b async_redirect\" "
		    "(modvault.conf:3)" },
		{ "example.com/b/c", MV_DL_ASYNC_REDIRECT, NULL },
		{ "offline.example/m", MV_DL_NONE, NULL },
		{ "elsewhere.example/m", MV_DL_SYNC, "" },
	};
	struct mv_policy_decision d;
	size_t i;

	(void)state;
	load("download_mode = github.com/big/* async\n"
	    "download_mode = github.com/*\tredirect\n"
	    "download_mode =  example.com/a,example.com/b   async_redirect\n"
	    "download_mode = offline.example none\n"
	    "download_mode = offline.example sync\n");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		decide(MV_POLICY_SERVE, want[i].module, &d);
		assert_true(d.allow);
		assert_int_equal(d.mode, want[i].mode);
		if (want[i].rule != NULL)
			assert_string_equal(d.mode_rule, want[i].rule);
	}
}

static void
bad_lines(void **state)
{
	static const struct {
		const char	*text;
		const char	*msg;
	} c[] = {
		{ "deny =\n", "x:1: deny: must be a comma-separated list of "
		    "module path patterns" },
		{ "allow = a,,b\n", "x:1: allow: empty pattern in \"a,,b\"" },
		{ "deny = a b\n", "x:1: deny: white space in the pattern "
		    "list" },
		{ "download_mode = a\n", "x:1: download_mode: must be "
		    "PATTERNS MODE (MODE: sync, async, redirect, "
		    "async_redirect or none)" },
		{ "\ndownload_mode = a fast\n", "x:2: download_mode: \"fast\": "
		    "mode must be one of sync, async, redirect, "
		    "async_redirect, none" },
		{ "download_mode = a b none\n", "x:1: download_mode: white "
		    "space in the pattern list" },
	};
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_fails(mv_config_parse(&cfg, "x", c[i].text,
		    strlen(c[i].text), &err), &err, MV_ECONFIG);
		assert_string_equal(err.msg, c[i].msg);
	}
}

/* path.Match's verdict is the policy layer's: base cannot match globs. */
static void
malformed_pattern(void **state)
{
	struct mv_err err = MV_ERR_INIT;

	(void)state;
	load("deny = ok.example\nallow = good.example,a[\n");
	assert_fails(mv_policy_check_config(&cfg, &err), &err, MV_ECONFIG);
	assert_string_equal(err.msg, "/etc/modvault/modvault.conf:2: allow: "
	    "malformed pattern \"a[\"");
	load("deny = a[b]\n");
	assert_ok(mv_policy_check_config(&cfg, &err), &err);
}

/*
 * policy.c rules patterns out element by element before the matcher: it
 * must agree with mv_patterns_match (PT-2, PT-3) on every pair.
 */
static void
shortcut_agrees_with_matcher(void **state)
{
	static const char *const pats[] = { "github.com/evil/*",
	    "*.corp.example", "github.com", "github.com/", "git*.com/x",
	    "github.com/a?c", "github.com/[ab]x", "*", "*/*",
	    "example.com/a/b/c", "*.example", "\\x.com", "*hub.com/evil",
	    "example.com/a/", "x.com/*/c" };
	static const char *const targets[] = { "github.com/evil/tool",
	    "github.com/evil", "x.corp.example/m", "corp.example/m",
	    "github.com/abc", "github.com/bx", "example.com/a/b",
	    "example.com/a/b/c/d", "gitlab.com/x/y", "x.com", "x.com/b/c",
	    "hub.com/evil", "a.example", "github.com" };
	char text[256];
	struct mv_policy_decision d;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		snprintf(text, sizeof(text), "deny = %s\n", pats[i]);
		load(text);
		for (j = 0; j < sizeof(targets) / sizeof(targets[0]); j++) {
			decide(MV_POLICY_SERVE, targets[j], &d);
			if (d.allow == mv_patterns_match(pats[i], targets[j]))
				fail_msg("deny = %s, %s: the policy says %s",
				    pats[i], targets[j], d.allow ? "allowed" :
				    "denied");
		}
	}
}

/* A thousand lines fit, and the thousandth still decides. */
static void
thousand_lines(void **state)
{
	static char text[64 * 1024];
	struct mv_policy_decision d;
	size_t used = 0;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "deny = corp%d.example.com/*,*.corp%d.example\n", i, i);
	load(text);
	assert_int_equal(cfg.nrules, 1000);
	decide(MV_POLICY_SERVE, "x.corp999.example/m", &d);
	assert_false(d.allow);
	assert_string_equal(d.rule, "\"deny = corp999.example.com/*,"
	    "*.corp999.example\" (modvault.conf:1000)");
	decide(MV_POLICY_SERVE, "corp1000.example.com/m", &d);
	assert_true(d.allow);
}

/*
 * One long-lived policy (as the responder keeps) answers as a fresh one
 * does, which walks every line: over a thousand mixed lines, for many
 * modules asked in turn and again, so remembered answers are reused and
 * evicted (MV_POLICY_MEMO_SLOTS) along the way.
 */
static void
memo_agrees_with_walk(void **state)
{
	static char text[96 * 1024];
	struct mv_policy_decision kept, fresh;
	struct mv_policy p, q;
	struct mv_err err = MV_ERR_INIT;
	char module[128];
	size_t used = 0;
	unsigned i, round, x;

	(void)state;
	for (i = 0; i < 1000; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    i % 3 == 0 ? "deny = c%u.example.com/*,*.i%u.example\n" :
		    i % 3 == 1 ? "download_mode = c%u.example.com/m%u none\n" :
		    "allow = c%u.example.com/*,*.i%u.example/a\n", i % 97,
		    i % 89);
	load(text);
	assert_int_equal(cfg.nrules, 1000);
	mv_policy_init(&p, &cfg);
	for (round = 0; round < 3; round++)
		for (i = 0, x = 7; i < 400; i++) {
			x = x * 1103515245u + 12345u;
			snprintf(module, sizeof(module), (x >> 8) % 2 == 0 ?
			    "c%u.example.com/m%u" : "z.i%u.example/a/m%u",
			    (x >> 10) % 100, (x >> 17) % 90);
			assert_ok(mv_policy_decide(&p, MV_POLICY_SERVE, module,
			    "", &kept, &err), &err);
			mv_policy_init(&q, &cfg);
			assert_ok(mv_policy_decide(&q, MV_POLICY_SERVE, module,
			    "", &fresh, &err), &err);
			assert_int_equal(kept.allow, fresh.allow);
			assert_int_equal(kept.mode, fresh.mode);
			assert_string_equal(kept.rule, fresh.rule);
			assert_string_equal(kept.mode_rule, fresh.mode_rule);
			assert_string_equal(kept.reason, fresh.reason);
		}
	/* mv_policy_init forgets: a new config's lines decide. */
	load("deny = c1.example.com\n");
	mv_policy_init(&p, &cfg);
	assert_ok(mv_policy_decide(&p, MV_POLICY_SERVE, "c1.example.com", "",
	    &kept, &err), &err);
	assert_false(kept.allow);
	load("allow = c1.example.com\n");
	mv_policy_init(&p, &cfg);
	assert_ok(mv_policy_decide(&p, MV_POLICY_SERVE, "c1.example.com", "",
	    &kept, &err), &err);
	assert_true(kept.allow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deny_names_the_line),
		cmocka_unit_test(allow_denies_the_rest),
		cmocka_unit_test(first_match_wins),
		cmocka_unit_test(download_modes),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(malformed_pattern),
		cmocka_unit_test(shortcut_agrees_with_matcher),
		cmocka_unit_test(thousand_lines),
		cmocka_unit_test(memo_agrees_with_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
