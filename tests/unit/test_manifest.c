/* test_manifest.c: version manifests (manifest.h): written, read back,
 * and every malformed text refused. */
#include "mvtest.h"
#include "modvault/store/manifest.h"

static void
sample(struct mv_version *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->module, sizeof(v->module), "example.com/Some/mod");
	snprintf(v->version, sizeof(v->version), "v1.2.3-pre.1+incompatible");
	snprintf(v->time, sizeof(v->time), "2023-01-02T03:04:05Z");
	memset(v->info.digest, 0x11, MV_SHA256_LEN);
	v->info.size = 61;
	memset(v->mod.digest, 0x22, MV_SHA256_LEN);
	v->mod.size = 30;
	memset(v->zip.digest, 0xab, MV_SHA256_LEN);
	v->zip.size = 524288000;
	snprintf(v->zip_h1, sizeof(v->zip_h1),
	    "h1:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde=");
	snprintf(v->mod_h1, sizeof(v->mod_h1),
	    "h1:0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg=");
	snprintf(v->origin, sizeof(v->origin), "https://proxy.golang.org");
	v->fetched_at = 1700000000;
	v->last_served = 1700000500;
}

static void
format(const struct mv_version *v, struct mv_buf *b)
{
	struct mv_err err = MV_ERR_INIT;

	mv_buf_init(b, MV_MANIFEST_MAX_BYTES);
	assert_ok(mv_manifest_format(v, b, &err), &err);
}

static void
round_trip(void **state)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_version v, got;
	struct mv_buf b;

	(void)state;
	sample(&v);
	format(&v, &b);
	assert_true(mv_manifest_looks_like(b.data, b.len));
	assert_ok(mv_manifest_parse(b.data, b.len, &got, &err), &err);
	assert_string_equal(got.module, v.module);
	assert_string_equal(got.version, v.version);
	assert_string_equal(got.time, v.time);
	assert_memory_equal(&got.info, &v.info, sizeof(v.info));
	assert_memory_equal(&got.mod, &v.mod, sizeof(v.mod));
	assert_memory_equal(&got.zip, &v.zip, sizeof(v.zip));
	assert_string_equal(got.zip_h1, v.zip_h1);
	assert_string_equal(got.mod_h1, v.mod_h1);
	assert_string_equal(got.origin, v.origin);
	/* Not part of the manifest: it is the same whenever written. */
	assert_int_equal(got.fetched_at, 0);
	assert_int_equal(got.last_served, 0);
	mv_buf_free(&b);
}

/* Empty time and origin are allowed; other bytes are written as '?'. */
static void
empty_and_unprintable(void **state)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_version v, got;
	struct mv_buf b;

	(void)state;
	sample(&v);
	v.time[0] = '\0';
	snprintf(v.origin, sizeof(v.origin), "import:/srv/a\nb\\c\xff");
	format(&v, &b);
	assert_ok(mv_manifest_parse(b.data, b.len, &got, &err), &err);
	assert_string_equal(got.time, "");
	assert_string_equal(got.origin, "import:/srv/a?b\\c?");
	mv_buf_free(&b);
}

/* The sample's text with line `line` (0 = the magic) replaced by repl. */
static void
with_line(int line, const char *repl, struct mv_buf *out)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_version v;
	struct mv_buf b;
	const char *p, *nl;
	int i = 0;

	sample(&v);
	format(&v, &b);
	mv_buf_init(out, 2 * MV_MANIFEST_MAX_BYTES);
	for (p = b.data; p < b.data + b.len; p = nl + 1, i++) {
		nl = memchr(p, '\n', (size_t)(b.data + b.len - p));
		if (i == line)
			assert_ok(mv_buf_append(out, repl, strlen(repl), &err),
			    &err);
		else
			assert_ok(mv_buf_append(out, p, (size_t)(nl - p + 1),
			    &err), &err);
	}
	mv_buf_free(&b);
}

static void
refused(void **state)
{
	static const struct { int line; const char *text; } bad[] = {
		{ 0, "modvault manifest 2\n" },
		{ 1, "module example.com/a b\n" },	/* GP-3.8 */
		{ 1, "module \n" },
		{ 2, "version v1.2\n" },		/* not canonical */
		{ 2, "vers v1.2.3\n" },
		{ 3, "time 2023\x01\n" },
		{ 4, "info 1111 61\n" },
		{ 4, "info 1111111111111111111111111111111111111111111111111111"
		    "111111111 61\n" },			/* 63 digits */
		{ 4, "info 111111111111111111111111111111111111111111111111111"
		    "11111111111 061\n" },		/* leading zero */
		{ 4, "info 11111111111111111111111111111111111111111111111111"
		    "11111111111111 99999999999999999999999\n" },
		{ 4, "info 11111111111111111111111111111111111111111111111111"
		    "11111111111111 -1\n" },
		{ 5, "mod 2222222222222222222222222222222222222222222222222222"
		    "22222222222G 30\n" },		/* not hex */
		{ 7, "zip-h1 h1:short=\n" },
		{ 7, "zip-h1 h2:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde=\n" },
		{ 8, "mod-h1 h1:0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef!=\n" },
		{ 9, "fetched-at 1700000000\n" },	/* not in version 1 */
		{ 9, "origin x\nextra line\n" },
	};
	struct mv_err err = MV_ERR_INIT;
	struct mv_version got;
	struct mv_buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		with_line(bad[i].line, bad[i].text, &b);
		mv_err_clear(&err);
		if (mv_manifest_parse(b.data, b.len, &got, &err) != -1)
			fail_msg("case %zu (%s) was accepted", i, bad[i].text);
		assert_int_equal(err.code, MV_EINVAL);
		mv_buf_free(&b);
	}
}

/* Cut anywhere, the text is refused: no line is optional. */
static void
truncated(void **state)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_version v, got;
	struct mv_buf b;
	size_t n;

	(void)state;
	sample(&v);
	format(&v, &b);
	for (n = 0; n < b.len; n++) {
		mv_err_clear(&err);
		if (mv_manifest_parse(b.data, n, &got, &err) != -1)
			fail_msg("accepted the first %zu of %zu bytes", n, b.len);
	}
	mv_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(empty_and_unprintable),
		cmocka_unit_test(refused),
		cmocka_unit_test(truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
