/* test_gomod.c: requirements from go.mod and go.sum text (H-5.1, H-5.2). */
#include "mvtest.h"
#include "modvault/proto/gomod.h"

struct seen {
	char	text[4096];
};

static int
record(void *ctx, const char *module, const char *version)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s@%s\n", module, version);
	return 0;
}

static void
gomod_forms(void **state)
{
	/* The fixture kr/pretty go.mod uses the old quoted form. */
	static const char mod[] =
	    "module example.com/m\n"
	    "\n"
	    "go 1.19\n"
	    "require golang.org/x/sync v0.3.0 // a comment\n"
	    "require (\n"
	    "\t\"github.com/kr/text\" v0.1.0\n"
	    "\tgithub.com/google/go-cmp v0.5.9 // indirect\n"
	    "\n"
	    ")\n"
	    "replace example.com/x => ../x\n";
	struct seen s = { "" };
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_gomod_requires(mod, sizeof(mod) - 1, record, &s, &err),
	    &err);
	assert_string_equal(s.text, "golang.org/x/sync@v0.3.0\n"
	    "github.com/kr/text@v0.1.0\ngithub.com/google/go-cmp@v0.5.9\n");
}

static void
gomod_errors(void **state)
{
	struct seen s = { "" };
	struct mv_err err = MV_ERR_INIT;
	char longline[5000];

	assert_fails(mv_gomod_requires("require (\nx.y v1.0.0\n", 21, record,
	    &s, &err), &err, MV_EINVAL);
	assert_fails(mv_gomod_requires("require x.y\n", 12, record, &s, &err),
	    &err, MV_EINVAL);
	assert_fails(mv_gomod_requires("require nodot v1.0.0\n", 21, record,
	    &s, &err), &err, MV_EINVAL);
	memset(longline, 'a', sizeof(longline));
	assert_fails(mv_gomod_requires(longline, sizeof(longline), record, &s,
	    &err), &err, MV_ELIMIT);
}

/* H-5.1/H-5.2: three fields; /go.mod lines name the same version. */
static void
gosum_lines(void **state)
{
	struct seen s = { "" };
	struct mv_err err = MV_ERR_INIT;
	char *text;
	FILE *f;
	char path[4096];
	long n;

	snprintf(path, sizeof(path), "%s/go.sum", mvtest_fixtures());
	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t)n);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_ok(mv_gosum_versions(text, (size_t)n, record, &s, &err), &err);
	free(text);
	/* Each version twice: its zip line, then its /go.mod line. */
	assert_non_null(strstr(s.text, "modvault.test/CamelCase/Pkg@v1.0.0\n"
	    "modvault.test/CamelCase/Pkg@v1.0.0\n"));
	assert_non_null(strstr(s.text, "modvault.test/incompat@v2.0.0+"
	    "incompatible\n"));
	assert_fails(mv_gosum_versions("a.b v1.0.0\n", 11, record, &s, &err),
	    &err, MV_EINVAL);
}

/* GP-5.3.6: the module directive, plain or quoted (the fixture kr/pretty). */
static void
gomod_module_directive(void **state)
{
	char out[64];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_gomod_module("// c\nmodule example.com/m // x\n", 30,
	    out, sizeof(out), &err), &err);
	assert_string_equal(out, "example.com/m");
	assert_ok(mv_gomod_module("module \"github.com/kr/pretty\"\n", 31,
	    out, sizeof(out), &err), &err);
	assert_string_equal(out, "github.com/kr/pretty");
	assert_fails(mv_gomod_module("go 1.19\n", 8, out, sizeof(out), &err),
	    &err, MV_EINVAL);
	assert_fails(mv_gomod_module("module a b\n", 11, out, sizeof(out),
	    &err), &err, MV_EINVAL);
	assert_fails(mv_gomod_module("module example.com/a/very/long/path/"
	    "that/does/not/fit/in/the/buffer\n", 68, out, 16, &err), &err,
	    MV_ELIMIT);
}

/* A comment may be as long as it likes; the text before it may not. */
static void
long_lines(void **state)
{
	static char text[12000];
	struct seen s = { "" };
	struct mv_err err = MV_ERR_INIT;
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "module example.com/m\n// ");
	memset(text + n, 'c', 9000);
	n += 9000;
	n += (size_t)snprintf(text + n, sizeof(text) - n,
	    "\nrequire example.com/x v1.0.0 // %0100d\n", 0);
	assert_ok(mv_gomod_requires(text, n, record, &s, &err), &err);
	assert_string_equal(s.text, "example.com/x@v1.0.0\n");
	n = (size_t)snprintf(text, sizeof(text), "require example.com/");
	memset(text + n, 'x', 5000);
	n += 5000;
	assert_fails(mv_gomod_requires(text, n, record, &s, &err), &err,
	    MV_ELIMIT);
}

/* H-5.2: a go.sum is known by its lines, not by its file name. */
static void
gosum_by_content(void **state)
{
	static const char sum[] = "example.com/m v1.0.0 h1:AAAA=\n"
	    "example.com/m v1.0.0/go.mod h1:BBBB=\n";
	static const char mod[] = "module example.com/m\n\nrequire "
	    "example.com/x v1.0.0\n";

	(void)state;
	assert_true(mv_gosum_is(sum, sizeof(sum) - 1));
	assert_false(mv_gosum_is(mod, sizeof(mod) - 1));
	assert_false(mv_gosum_is("", 0));
	assert_false(mv_gosum_is("a b c\n", 6));
	assert_false(mv_gosum_is("a b h:x\n", 8));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gomod_forms),
		cmocka_unit_test(gomod_errors),
		cmocka_unit_test(gosum_lines),
		cmocka_unit_test(gomod_module_directive),
		cmocka_unit_test(long_lines),
		cmocka_unit_test(gosum_by_content),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
