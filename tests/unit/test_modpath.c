/* test_modpath.c: path validation (GP-3) and the "!" case encoding (GP-2). */
#include "mvtest.h"
#include "modvault/base/buf.h"
#include "modvault/proto/modpath.h"

/* One GP-3.9 row: is the path valid as a module, import and file path? */
struct kinds_vec {
	const char	*path;
	bool		 module, import, file;
};

/* GP-3.9, every row of the table, each path of a multi-path row. */
static const struct kinds_vec gp_3_9[] = {
	{ "x.y/z", true, true, true },
	{ "x.y", true, true, true },
	{ "", false, false, false },
	{ "/x.y/z", false, false, false },
	{ "x./z", false, false, false },
	{ ".x/z", false, true, true },
	{ "-x/z", false, false, true },
	{ "x..y/z", true, true, true },
	{ "x.y/z/../../w", false, false, false },
	{ "x.y//z", false, false, false },
	{ "x.y/z/", false, false, false },
	{ "x.y/z/v0", false, true, true },
	{ "x.y/z/v1", false, true, true },
	{ "x.y/z/v2.0", false, true, true },
	{ "x.y/z/v2", true, true, true },
	{ "X.y/z", false, true, true },
	{ "!x.y/z", false, false, true },
	{ "_x.y/z", false, true, true },
	{ "x.y+/z", false, true, true },
	{ "x.y-/z", true, true, true },
	{ "x.y_/z", false, true, true },
	{ "x.y~/z", false, true, true },
	{ "x.y/z++", false, true, true },
	{ "x.y/z!", false, false, true },
	{ "x.y/z#", false, false, true },
	{ "x.y/z@", false, false, true },
	{ "x.y/z[", false, false, true },
	{ "x.y/z{", false, false, true },
	{ "x.y/z=", false, false, true },
	{ "x.y/z\"", false, false, false },
	{ "x.y/z'", false, false, false },
	{ "x.y/z*", false, false, false },
	{ "x.y/z:", false, false, false },
	{ "x.y/z<", false, false, false },
	{ "x.y/z?", false, false, false },
	{ "x.y/z`", false, false, false },
	{ "x.y/z\\", false, false, false },
	{ "x.y/aux.foo", false, false, false },
	{ "x.y/prn", false, false, false },
	{ "x.y/com1", false, false, false },
	{ "x.y/com1.txt", false, false, false },
	{ "x.y/prn2", true, true, true },
	{ "x.y/com", true, true, true },
	{ "x.y/calm1", true, true, true },
	{ "x.y/x.foo", true, true, true },
	{ "x.y/z~0", false, false, true },
	{ "x.y/z~09", false, false, true },
	{ "x.y/z09~09z~09", false, false, true },
	{ "x.y/z~", true, true, true },
	{ "x.y/z09~", true, true, true },
	{ "x.y/z09~09z", true, true, true },
	{ "github.com/!123/logrus", false, false, true },
	{ "github.com/user/unicode/\xd0\xb8\xd1\x81\xd0\xbf\xd1\x8b\xd1\x82"
	    "\xd0\xb0\xd0\xbd\xd0\xb8\xd0\xb5", false, false, true },
	{ ".gitignore", false, true, true },
	{ ".github/ISSUE_TEMPLATE", false, true, true },
	{ "x\xe2\x98\xbay", false, false, false }, /* U+263A: not a letter */
	{ "../x", false, false, false },
	{ "./y", false, false, false },
	{ "x:y", false, false, false },
	{ "\\temp\\foo", false, false, false },
};

static void
check_kinds(const struct kinds_vec *v)
{
	struct mv_err err = MV_ERR_INIT;
	int got[3];

	got[0] = mv_modpath_check(v->path, &err);
	got[1] = mv_importpath_check(v->path, &err);
	got[2] = mv_filepath_check(v->path, &err);
	if (got[0] != (v->module ? 0 : -1) || got[1] != (v->import ? 0 : -1) ||
	    got[2] != (v->file ? 0 : -1))
		fail_msg("\"%s\": module/import/file gave %d/%d/%d, "
		    "want %d/%d/%d",
		    v->path, got[0], got[1], got[2], v->module ? 0 : -1,
		    v->import ? 0 : -1, v->file ? 0 : -1);
	/* The generic checker agrees with the per-kind wrappers. */
	assert_int_equal(mv_path_check(v->path, MV_PATH_IMPORT, &err), got[1]);
	assert_int_equal(mv_path_check(v->path, MV_PATH_FILE, &err), got[2]);
	if (got[1] == -1 || got[2] == -1)
		assert_int_equal(err.code, MV_EINVAL);
}

static void
gp_3_9_vectors_all_kinds(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(gp_3_9) / sizeof(gp_3_9[0]); i++)
		check_kinds(&gp_3_9[i]);
}

/* GP-3.1 to 3.4: messages name the input and the broken rule. */
static void
gp_3_messages_name_rule_and_input(void **state)
{
	struct mv_err err = MV_ERR_INIT;

	assert_fails(mv_modpath_check("cache", &err), &err, MV_EINVAL);
	assert_string_equal(err.msg, "invalid module path \"cache\": "
	    "missing dot in first path element");
	assert_fails(mv_filepath_check("bad.go'", &err), &err, MV_EINVAL);
	assert_string_equal(err.msg,
	    "invalid file path \"bad.go'\": invalid char '\\''");
	assert_fails(mv_modpath_check("x.y/../z", &err), &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "invalid path element \"..\""));
	assert_fails(mv_modpath_check("x.y/com1.txt", &err), &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "\"com1\" disallowed"));
	assert_fails(mv_modpath_check("x.Y.z/a", &err), &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "'Y' in first path element"));
	assert_fails(mv_filepath_check("a/\x01", &err), &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "\"a/\\x01\""));
	assert_null(strchr(err.msg, '\n'));
}

/* GP-3.2 element rules through mv_path_check_elem (length-delimited). */
static void
gp_3_2_single_elements(void **state)
{
	static const struct {
		const char		*elem;
		size_t			 len;
		enum mv_path_kind	 kind;
		bool			 ok;
	} v[] = {
		{ "abc", 3, MV_PATH_MODULE, true },
		{ "abc/def", 3, MV_PATH_MODULE, true },	/* only len counts */
		{ "a/b", 3, MV_PATH_FILE, false },		/* no '/' */
		{ "", 0, MV_PATH_FILE, false },		/* GP-3.2.1 */
		{ "...", 3, MV_PATH_FILE, false },		/* GP-3.2.2 */
		{ ".a", 2, MV_PATH_MODULE, false },		/* GP-3.2.3 */
		{ ".a", 2, MV_PATH_IMPORT, true },
		{ "a.", 2, MV_PATH_FILE, false },		/* GP-3.2.4 */
		{ "a\0b", 3, MV_PATH_FILE, false },	/* NUL: control */
		{ "Lpt9.x", 6, MV_PATH_FILE, false },	/* GP-3.2.6 */
		{ "LPT0", 4, MV_PATH_FILE, true },
		{ "conx", 4, MV_PATH_FILE, true },
		{ "a~1.b", 5, MV_PATH_IMPORT, false },	/* GP-3.2.7 */
		{ "a~1.b", 5, MV_PATH_FILE, true },
		{ "a.b~1", 5, MV_PATH_IMPORT, true },	/* after the dot */
	};
	struct mv_err err = MV_ERR_INIT;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		rc = mv_path_check_elem(v[i].elem, v[i].len, v[i].kind, &err);
		if (rc != (v[i].ok ? 0 : -1))
			fail_msg("element %zu (\"%s\"): got %d", i, v[i].elem,
			    rc);
		if (rc == -1)
			assert_int_equal(err.code, MV_EINVAL);
	}
}

/* GP-3.1: invalid UTF-8 (bytes >= 0x80 that do not decode) is rejected. */
static void
gp_3_1_rejects_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"a/\xff", "a/\x80", "a/\xc3", "a/\xc3x",	/* stray, cut */
		"a/\xc0\xaf", "a/\xc1\x81",			/* overlong 2 */
		"a/\xe0\x80\xaf", "a/\xf0\x80\x80\xaf",	/* overlong 3, 4 */
		"a/\xed\xa0\x80", "a/\xed\xbf\xbf",		/* surrogates */
		"a/\xf4\x90\x80\x80", "a/\xf5\x80\x80\x80",	/* > U+10FFFF */
		"a/\xe4\xb8", "a/\xf0\x9f\x98",		/* truncated */
	};
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_fails(mv_filepath_check(bad[i], &err), &err, MV_EINVAL);
		assert_non_null(strstr(err.msg, "invalid UTF-8"));
	}
	/* Valid letters of 2, 3 and 4 bytes (é, 中, U+20000) are accepted. */
	assert_ok(mv_filepath_check("a/\xc3\xa9", &err), &err);
	assert_ok(mv_filepath_check("a/\xe4\xb8\xad", &err), &err);
	assert_ok(mv_filepath_check("a/\xf0\xa0\x80\x80", &err), &err);
	/* Valid UTF-8 that is not a letter: U+00A0, U+2028, U+1F600. */
	assert_fails(mv_filepath_check("a/\xc2\xa0", &err), &err, MV_EINVAL);
	assert_fails(mv_filepath_check("a/\xe2\x80\xa8", &err), &err,
	    MV_EINVAL);
	assert_fails(mv_filepath_check("a/\xf0\x9f\x98\x80", &err), &err,
	    MV_EINVAL);
	/* Letters are only for the file kind (GP-3.3). */
	assert_fails(mv_importpath_check("a/\xc3\xa9", &err), &err, MV_EINVAL);
}

/* Fills s with n copies of c and a NUL. */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* The modvault bounds of modpath.h (Go has none). */
static void
bounds_reject_overlong(void **state)
{
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20), esc = MV_BUF_BOUNDED(16u << 20);
	struct mv_err err = MV_ERR_INIT;
	size_t i;
	char *p;

	p = repeat('a', MV_MODPATH_MAX_BYTES);
	memcpy(p, "x.y/", 4);
	assert_ok(mv_modpath_check(p, &err), &err);
	free(p);
	p = repeat('a', MV_MODPATH_MAX_BYTES + 1);
	memcpy(p, "x.y/", 4);
	assert_fails(mv_modpath_check(p, &err), &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "longer than 1024 bytes"));
	assert_non_null(strstr(err.msg, "...\""));	/* quote truncated */
	assert_ok(mv_importpath_check(p, &err), &err);
	assert_fails(mv_escape_path(p, &b, &err), &err, MV_EINVAL);
	assert_fails(mv_unescape_path(p, &b, &err), &err, MV_EINVAL);
	free(p);
	/* The bound is on the unescaped path: "!a" counts as one byte. */
	p = repeat('!', 2 * MV_MODPATH_MAX_BYTES - 4);
	memcpy(p, "x.y/", 4);
	for (i = 5; i < 2 * MV_MODPATH_MAX_BYTES - 4; i += 2)
		p[i] = 'a';
	assert_ok(mv_unescape_path(p, &b, &err), &err);
	assert_int_equal(b.len, MV_MODPATH_MAX_BYTES);	/* "x.y/" + 1020 'A' */
	assert_ok(mv_escape_path(mv_buf_str(&b), &esc, &err), &err);
	assert_string_equal(mv_buf_str(&esc), p);
	free(p);
	p = repeat('a', MV_FILEPATH_MAX_BYTES);
	assert_ok(mv_filepath_check(p, &err), &err);
	free(p);
	p = repeat('a', MV_FILEPATH_MAX_BYTES + 1);
	assert_fails(mv_filepath_check(p, &err), &err, MV_EINVAL);
	assert_fails(mv_path_check_elem(p, MV_FILEPATH_MAX_BYTES + 1, MV_PATH_FILE,
	    &err), &err, MV_EINVAL);
	free(p);
	p = repeat('v', MV_VERSION_MAX_BYTES);
	assert_ok(mv_escape_version(p, &b, &err), &err);
	mv_buf_reset(&b);
	assert_ok(mv_unescape_version(p, &b, &err), &err);
	free(p);
	p = repeat('v', MV_VERSION_MAX_BYTES + 1);
	assert_fails(mv_escape_version(p, &b, &err), &err, MV_EINVAL);
	assert_fails(mv_unescape_version(p, &b, &err), &err, MV_EINVAL);
	free(p);
	mv_buf_free(&b);
	mv_buf_free(&esc);
}

/* GP-3.5/3.6 SplitPathVersion. */
static void
split_ok(const char *path, const char *want_prefix, const char *want_major)
{
	struct mv_err err = MV_ERR_INIT;
	const char *major;
	size_t n;

	assert_ok(mv_modpath_split_major(path, &n, &major, &err), &err);
	assert_int_equal(n, strlen(want_prefix));
	assert_memory_equal(path, want_prefix, n);
	assert_string_equal(major, want_major);
	assert_ptr_equal(major, path + n);
}

static void
gp_3_5_gp_3_6_split_path_version(void **state)
{
	static const char *const bad[] = {
		"x.y/z/v0", "x.y/z/v1", "x.y/z/v02", "x.y/z/v2.0",
		"gopkg.in/yaml", "gopkg.in/yaml.v01", "gopkg.in/yaml.v",
		"gopkg.in/yaml.v-unstable", "gopkg.in/yaml.v0-unstable",
	};
	struct mv_err err = MV_ERR_INIT;
	const char *major;
	size_t i, n;

	split_ok("x.y/z/v2", "x.y/z", "/v2");	/* GP-3.5 */
	split_ok("x.y/z/v10", "x.y/z", "/v10");
	split_ok("x.y/v", "x.y/v", "");
	split_ok("x.y/z", "x.y/z", "");
	split_ok("x.y/z/2", "x.y/z/2", "");
	split_ok("x.y/zv2", "x.y/zv2", "");
	split_ok("gopkg.in/yaml.v2", "gopkg.in/yaml", ".v2");	/* GP-3.6 */
	split_ok("gopkg.in/yaml.v0", "gopkg.in/yaml", ".v0");
	split_ok("gopkg.in/yaml.v10", "gopkg.in/yaml", ".v10");
	split_ok("gopkg.in/check.v1-unstable", "gopkg.in/check",
	    ".v1-unstable");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_fails(mv_modpath_split_major(bad[i], &n, &major, &err),
		    &err, MV_EINVAL);
		/* ... and GP-3.4.2 makes them invalid module paths. */
		assert_fails(mv_modpath_check(bad[i], &err), &err, MV_EINVAL);
	}
	assert_ok(mv_modpath_check("gopkg.in/yaml.v0", &err), &err);
	assert_ok(mv_modpath_check("gopkg.in/check.v1-unstable", &err), &err);
}

/* GP-3.8 Check(path, version), the vectors of GP-3.9. */
static void
gp_3_8_check_path_version(void **state)
{
	static const struct {
		const char	*path, *version;
		bool		 ok;
	} v[] = {
		{ "github.com/go-yaml/yaml", "v1.0.0", true },
		{ "github.com/go-yaml/yaml", "v2.0.0", false },
		{ "github.com/go-yaml/yaml/v2", "v2.1.5", true },
		{ "github.com/go-yaml/yaml/v2", "v1.0.0", false },
		{ "gopkg.in/yaml.v0", "v0.8.0", true },
		{ "gopkg.in/yaml.v1", "v0.8.0", false },
		{ "gopkg.in/check.v1", "v0.0.0-20160102150405-abcdef123456",
		    true },
		{ "gopkg.in/check.v1", "v0.0.0", false },
		{ "rsc.io/quote", "v17.0.0", false },
		{ "rsc.io/quote", "v17.0.0+incompatible", true },
		{ "rsc.io/quote", "0.1.0", false },
		{ "rsc.io/Quote/v1", "v1.0.0", false },	/* CheckPath first */
	};
	struct mv_err err = MV_ERR_INIT;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		rc = mv_modpath_check_version(v[i].path, v[i].version, &err);
		if (rc != (v[i].ok ? 0 : -1))
			fail_msg("Check(%s, %s) = %d: %s", v[i].path,
			    v[i].version, rc, rc ? err.msg : "");
		if (rc == -1)
			assert_int_equal(err.code, MV_EINVAL);
	}
}

/* GP-2.3: escaping and unescaping, both ways. */
static void
gp_2_3_round_trips(void **state)
{
	/* Each row: unescaped, escaped, and whether it is a version. */
	static const struct {
		const char	*plain, *escaped;
		bool		 version;
	} v[] = {
		{ "github.com/Azure/azure-sdk-for-go",
		    "github.com/!azure/azure-sdk-for-go", false },
		{ "github.com/GoogleCloudPlatform/omega",
		    "github.com/!google!cloud!platform/omega", false },
		{ "github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml",
		    false },
		{ "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
		    "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
		    false },
		{ "v1.0.0-RC1", "v1.0.0-!r!c1", true },
		{ "HEAD", "!h!e!a!d", true },
		{ "v1.0.0+Meta", "v1.0.0+!meta", true },
	};
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20);
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		mv_buf_reset(&b);
		assert_ok(v[i].version ?
		    mv_escape_version(v[i].plain, &b, &err) :
		    mv_escape_path(v[i].plain, &b, &err), &err);
		assert_string_equal(mv_buf_str(&b), v[i].escaped);
		mv_buf_reset(&b);
		assert_ok(v[i].version ?
		    mv_unescape_version(v[i].escaped, &b, &err) :
		    mv_unescape_path(v[i].escaped, &b, &err), &err);
		assert_string_equal(mv_buf_str(&b), v[i].plain);
	}
	/* Results are appended, not substituted. */
	mv_buf_reset(&b);
	assert_ok(mv_buf_puts(&b, "x=", &err), &err);
	assert_ok(mv_escape_version("A", &b, &err), &err);
	assert_ok(mv_unescape_version("!b", &b, &err), &err);
	assert_string_equal(mv_buf_str(&b), "x=!aB");
	mv_buf_free(&b);
}

/* GP-2.1/2.3: what cannot be escaped. */
static void
gp_2_1_escape_rejects(void **state)
{
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20);
	struct mv_err err = MV_ERR_INIT;

	assert_fails(mv_escape_version("v1.0.0!", &b, &err), &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "disallowed version string"));
	assert_fails(mv_escape_version("v1.\xc3\xa9", &b, &err), &err,
	    MV_EINVAL);
	assert_fails(mv_escape_version("", &b, &err), &err, MV_EINVAL);
	assert_fails(mv_escape_version("v1/2", &b, &err), &err, MV_EINVAL);
	assert_fails(mv_escape_version("v1.", &b, &err), &err, MV_EINVAL);
	assert_fails(mv_escape_path("github.com/!x/y", &b, &err), &err,
	    MV_EINVAL);
	assert_fails(mv_escape_path("Github.com/x", &b, &err), &err,
	    MV_EINVAL);
	assert_fails(mv_escape_path("x.y/\xc3\xa9", &b, &err), &err, MV_EINVAL);
	assert_int_equal(b.len, 0);	/* nothing appended on failure */
	mv_buf_free(&b);
}

/* GP-2.2/2.3: bad escaped module paths and versions. */
static void
gp_2_2_unescape_rejects(void **state)
{
	static const char *const bad_paths[] = {
		"github.com/GoogleCloudPlatform/omega",	/* bare uppercase */
		"github.com/!google!cloud!platform!/omega",	/* ! before / */
		"github.com/!0google",			/* ! before digit */
		"github.com/!_google",
		"github.com/!!google",
		"",
		"github.com/google!",			/* trailing ! */
		"github.com/\xd0\xb8",			/* byte >= 0x80 */
		"github.com/!a/../b",			/* GP-3.4 after */
		"!github.com/x",			/* GP-3.4.1 after */
		"x.y/z/v1",				/* GP-3.5 after */
	};
	static const char *const bad_versions[] = {
		"V1.0.0", "v1!", "v1.0.0-!R", "", "v1/x", "..", "v1.",
		"v1\xc3\xa9", "!!a",
	};
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20);
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++)
		assert_fails(mv_unescape_path(bad_paths[i], &b, &err), &err,
		    MV_EINVAL);
	for (i = 0; i < sizeof(bad_versions) / sizeof(bad_versions[0]); i++)
		assert_fails(mv_unescape_version(bad_versions[i], &b, &err),
		    &err, MV_EINVAL);
	assert_int_equal(b.len, 0);
	assert_fails(mv_unescape_path("github.com/Azure/x", &b, &err), &err,
	    MV_EINVAL);
	assert_string_equal(err.msg, "invalid escaped module path "
	    "\"github.com/Azure/x\": bare uppercase 'A'");
	assert_fails(mv_unescape_path("github.com/x!", &b, &err), &err,
	    MV_EINVAL);
	assert_string_equal(err.msg, "invalid escaped module path "
	    "\"github.com/x!\": trailing '!'");
	assert_fails(mv_unescape_version("v1.0.0-!R", &b, &err), &err,
	    MV_EINVAL);
	assert_non_null(strstr(err.msg, "escaped version \"v1.0.0-!R\""));
	mv_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gp_3_9_vectors_all_kinds),
		cmocka_unit_test(gp_3_messages_name_rule_and_input),
		cmocka_unit_test(gp_3_2_single_elements),
		cmocka_unit_test(gp_3_1_rejects_invalid_utf8),
		cmocka_unit_test(bounds_reject_overlong),
		cmocka_unit_test(gp_3_5_gp_3_6_split_path_version),
		cmocka_unit_test(gp_3_8_check_path_version),
		cmocka_unit_test(gp_2_3_round_trips),
		cmocka_unit_test(gp_2_1_escape_rejects),
		cmocka_unit_test(gp_2_2_unescape_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
