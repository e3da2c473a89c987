/* test_hash.c: SHA-256, hex, Base64 and the h1 hash (hashes.md H-1..H-6). */
#include "mvtest.h"
#include "mvtest_fixtures.h"
#include "modvault/base/hash.h"

struct named {
	const char	*name;
	const char	*content;
};

/* Hashes a (name, content) list with H-1 and compares the h1. */
static void
check_h1(const struct named *files, size_t n, const char *want)
{
	char out[MV_H1_LEN + 1];
	struct mv_err err = MV_ERR_INIT;
	struct mv_h1 *h;
	size_t i;

	assert_non_null(h = mv_h1_new(&err));
	for (i = 0; i < n; i++)
		assert_ok(mv_h1_add_data(h, files[i].name, files[i].content,
		    strlen(files[i].content), &err), &err);
	assert_ok(mv_h1_finish(h, out, &err), &err);
	assert_int_equal(strlen(out), MV_H1_LEN);
	assert_string_equal(out, want);
	mv_h1_free(h);
}

static void
check_sha_hex(const char *content, const char *want)
{
	unsigned char d[MV_SHA256_LEN], back[MV_SHA256_LEN];
	char hex[MV_SHA256_HEX + 1];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_sha256(content, strlen(content), d, &err), &err);
	mv_hex(d, sizeof(d), hex);
	assert_string_equal(hex, want);
	assert_int_equal(mv_unhex_sha256(hex, back), 0);
	assert_memory_equal(back, d, sizeof(d));
}

static void
check_gomod(const char *content, const char *want)
{
	char out[MV_H1_LEN + 1];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_h1_gomod(content, strlen(content), out, &err), &err);
	assert_string_equal(out, want);
}

/* TV-H-1 (H-3.1, H-3.2): the empty go.mod. */
static void
tv_h_1_empty_gomod(void **state)
{
	check_sha_hex("",
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_gomod("", "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=");
}

/* TV-H-2 (H-3.1): a one-line go.mod, also through the summary digest. */
static void
tv_h_2_gomod(void **state)
{
	const char *summary = "535ed2ade678415f99d527a5f1eefafeb70243486ec430"
	    "dbd3578048cc1bacac  go.mod\n";

	check_sha_hex("module example.com/m\n",
	    "535ed2ade678415f99d527a5f1eefafeb70243486ec430dbd3578048cc1bacac");
	check_sha_hex(summary,
	    "7e54b655cb5b46b4effac044f952a0c71ea19643063d5cfd3063a6ccc6058379");
	check_gomod("module example.com/m\n",
	    "h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k=");
}

/* TV-H-3 (H-2.1): the two-file zip's (name, content) list. */
static void
tv_h_3_two_files(void **state)
{
	const struct named f[] = {
		{ "example.com/m@v1.0.0/m.go", "package m\n" },
		{ "example.com/m@v1.0.0/go.mod", "module example.com/m\n" },
	};

	check_sha_hex("package m\n",
	    "4aa8b7c674470695884aab61a414c5a11c9e2e283df176cad2013bd4a059a7b5");
	check_h1(f, 2, "h1:fCHMqo5ggHEQvwcrsN81zr5orRk5lClR36KRHpfUjKg=");
}

/* TV-H-4 (H-2.2): a directory entry (empty content) changes the hash. */
static void
tv_h_4_directory_entry(void **state)
{
	const struct named f[] = {
		{ "example.com/m@v1.0.0/sub/", "" },
		{ "example.com/m@v1.0.0/go.mod", "module example.com/m\n" },
		{ "example.com/m@v1.0.0/m.go", "package m\n" },
	};

	check_h1(f, 3, "h1:8qOrKE7XNjK42DsWKc+AJAlTSJxQ70jV8EOLMmS8E5w=");
}

/* TV-H-5 (H-1.2, H-1.3): unsorted input; a newline in a name fails. */
static void
tv_h_5_dirhash(void **state)
{
	const struct named f[] = {
		{ "xyz", "data for xyz" },
		{ "abc", "data for abc" },
	};
	const struct named bad[] = {
		{ "xyz", "data for xyz" },
		{ "a\nbc", "data for abc" },
	};
	char out[MV_H1_LEN + 1];
	struct mv_err err = MV_ERR_INIT;
	struct mv_h1 *h;

	check_sha_hex("data for abc",
	    "c807b6b431cbbfff4dcc032527d0e106e7f76e6aa20b3cab70fa00154144f351");
	check_sha_hex("data for xyz",
	    "1a163d344504db00bdf3944d1b36c771245f19cc90df3dc2e5ca78d25d19d51e");
	check_h1(f, 2, "h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8=");

	assert_non_null(h = mv_h1_new(&err));
	assert_ok(mv_h1_add_data(h, bad[0].name, bad[0].content, 12, &err),
	    &err);
	assert_ok(mv_h1_add_data(h, bad[1].name, bad[1].content, 12, &err),
	    &err);
	assert_fails(mv_h1_finish(h, out, &err), &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "H-1.3"));
	mv_h1_free(h);
}

/* TV-H-6 (H-1.2, H-6.1): byte order, not locale or case order. */
static void
tv_h_6_byte_order(void **state)
{
	const struct named f[] = {
		{ "m@v1.0.0/a/b", "" },
		{ "m@v1.0.0/a-b", "" },
		{ "m@v1.0.0/B", "" },
		{ "m@v1.0.0/a.go", "" },
	};

	check_h1(f, 4, "h1:MFXxlnuTEJUPcM2uj1tNSx2AKtHbSDyzFJTi/p0punA=");
}

/* TV-H-7 (H-2.1): x/mod testdata "simple" (files of TV-MZ-1). */
static void
tv_h_7_simple(void **state)
{
	const struct named f[] = {
		{ "example.com/m@v1.0.0/go.mod",
		    "module example.com/m\n\ngo 1.13\n" },
		{ "example.com/m@v1.0.0/m.go",
		    "package m\n\nfunc Foo() int { return 42 }\n" },
		{ "example.com/m@v1.0.0/cmd/hello/hello.go",
		    "package main\n\nimport (\n  \"fmt\"\n  \"example.com/m\"\n"
		    ")\n\nfunc main() {\n  fmt.Println(m.Foo())\n}\n" },
	};

	check_h1(f, 3, "h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=");
}

/* TV-H-8 (H-2.1, H-3.1): +incompatible module and its synthesized .mod. */
static void
tv_h_8_incompatible(void **state)
{
	const struct named f[] = {
		{ "github.com/Azure/example@v2.0.0+incompatible/example.go",
		    "package example\n" },
	};

	check_sha_hex("package example\n",
	    "e0e0431b63a883552b05817d33ba13f79262019cdefb4e5ae060c299c1de1eb8");
	check_h1(f, 1, "h1:iU41CN4nDCwUMUXyhn03/O9433nxW63Dy4JSVK33w+A=");
	check_sha_hex("module github.com/Azure/example\n",
	    "d17e9abafdc94de46f7daca800e11d51d6326203e903534f72b36cab7cb8d2c9");
	check_gomod("module github.com/Azure/example\n",
	    "h1:3ax+d2NIidWMU/7Menxs6sZy4nv4Wo5ldIEurbr6ixc=");
}

/* TV-H-9 (H-3.1): a legacy go.mod. */
static void
tv_h_9_legacy_gomod(void **state)
{
	check_sha_hex("module github.com/legacy/thing\n",
	    "6d4d6a5e624be83e869c5a77d51d1f1b12b7772b6fb1e8cbe293ee587cd226ba");
	check_gomod("module github.com/legacy/thing\n",
	    "h1:kxtJpbtST6su1a5UTlNGPtvPqRgTh1bQr7z3vOhJa70=");
}

/* H-1.4: an empty set hashes the empty summary (TV-MZ-7's value). */
static void
empty_set(void **state)
{
	check_h1(NULL, 0, "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

/* The streaming context resets after final and can be reused. */
static void
streaming_reuse(void **state)
{
	unsigned char a[MV_SHA256_LEN], b[MV_SHA256_LEN];
	char hex[MV_SHA256_HEX + 1];
	struct mv_sha256 *c;
	struct mv_err err = MV_ERR_INIT;

	assert_non_null(c = mv_sha256_new(&err));
	assert_ok(mv_sha256_update(c, "package ", 8, &err), &err);
	assert_ok(mv_sha256_update(c, "m\n", 2, &err), &err);
	assert_ok(mv_sha256_final(c, a, &err), &err);
	assert_ok(mv_sha256_update(c, "package m\n", 10, &err), &err);
	assert_ok(mv_sha256_final(c, b, &err), &err);
	assert_memory_equal(a, b, sizeof(a));
	mv_hex(a, sizeof(a), hex);
	assert_string_equal(hex,
	    "4aa8b7c674470695884aab61a414c5a11c9e2e283df176cad2013bd4a059a7b5");
	mv_sha256_free(c);
	mv_sha256_free(NULL);
	mv_h1_free(NULL);
}

/* H-6.2: only 64 lowercase hex digits parse; Base64 pads with '='. */
static void
hex_and_base64(void **state)
{
	unsigned char d[MV_SHA256_LEN];
	char b64[9];

	assert_int_equal(mv_unhex_sha256("E3B0C44298FC1C149AFBF4C8996FB924"
	    "27AE41E4649B934CA495991B7852B855", d), -1);
	assert_int_equal(mv_unhex_sha256("e3b0", d), -1);
	assert_int_equal(mv_unhex_sha256("e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b8550", d), -1);
	mv_base64((const unsigned char *)"f", 1, b64);
	assert_string_equal(b64, "Zg==");
	mv_base64((const unsigned char *)"foob", 4, b64);
	assert_string_equal(b64, "Zm9vYg==");
	mv_base64((const unsigned char *)"", 0, b64);
	assert_string_equal(b64, "");
}

static void
check_fixture_mod(const char *file, const char *module, const char *version,
    void *arg)
{
	char want[48], got[MV_H1_LEN + 1], key[300];
	unsigned char *p;
	struct mv_err err = MV_ERR_INIT;
	size_t n;

	p = mvtest_slurp(file, &n);
	snprintf(key, sizeof(key), "%s/go.mod", version);
	mvtest_gosum_h1(module, key, want);
	assert_ok(mv_h1_gomod(p, n, got, &err), &err);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got %s, go.sum has %s", file, got, want);
	free(p);
}

/* H-3.1, H-5.5: every real .mod hashes to its go.sum "/go.mod" line. */
static void
fixture_mods_match_gosum(void **state)
{
	assert_int_equal(mvtest_each_upstream(".mod", check_fixture_mod, NULL),
	    mvtest_gosum_count(1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tv_h_1_empty_gomod),
		cmocka_unit_test(tv_h_2_gomod),
		cmocka_unit_test(tv_h_3_two_files),
		cmocka_unit_test(tv_h_4_directory_entry),
		cmocka_unit_test(tv_h_5_dirhash),
		cmocka_unit_test(tv_h_6_byte_order),
		cmocka_unit_test(tv_h_7_simple),
		cmocka_unit_test(tv_h_8_incompatible),
		cmocka_unit_test(tv_h_9_legacy_gomod),
		cmocka_unit_test(empty_set),
		cmocka_unit_test(streaming_reuse),
		cmocka_unit_test(hex_and_base64),
		cmocka_unit_test(fixture_mods_match_gosum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
