/* test_buf.c: the bounded buffer and the error convention. */
#include "mvtest.h"
#include "modvault/base/buf.h"
#include "modvault/base/text.h"

static void
append_grows_and_terminates(void **state)
{
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20);
	struct mv_err err = MV_ERR_INIT;
	int i;

	for (i = 0; i < 1000; i++)
		assert_ok(mv_buf_putc(&b, 'a' + i % 26, &err), &err);
	assert_int_equal(b.len, 1000);
	assert_int_equal(b.data[1000], '\0');
	assert_ok(mv_buf_printf(&b, &err, "%d-%s", 42, "x"), &err);
	assert_string_equal(mv_buf_str(&b) + 1000, "42-x");
	mv_buf_free(&b);
}

static void
limit_is_enforced(void **state)
{
	struct mv_buf b;
	struct mv_err err = MV_ERR_INIT;

	mv_buf_init(&b, 8);
	assert_ok(mv_buf_puts(&b, "12345678", &err), &err);
	assert_fails(mv_buf_putc(&b, '9', &err), &err, MV_ELIMIT);
	/* A failed append leaves the contents as they were. */
	assert_string_equal(mv_buf_str(&b), "12345678");
	assert_fails(mv_buf_append(&b, "x", SIZE_MAX, &err), &err, MV_ELIMIT);
	mv_buf_free(&b);
}

static void
reset_truncate_detach(void **state)
{
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20);
	struct mv_err err = MV_ERR_INIT;
	size_t n;
	char *p;

	assert_string_equal(mv_buf_str(&b), "");
	assert_ok(mv_buf_puts(&b, "hello world", &err), &err);
	mv_buf_truncate(&b, 5);
	assert_string_equal(mv_buf_str(&b), "hello");
	p = mv_buf_detach(&b, &n);
	assert_int_equal(n, 5);
	assert_string_equal(p, "hello");
	free(p);
	assert_null(b.data);
	assert_ok(mv_buf_puts(&b, "again", &err), &err);
	mv_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(mv_buf_str(&b), "");
	mv_buf_free(&b);
}

static void
errors_carry_code_and_context(void **state)
{
	struct mv_err err = MV_ERR_INIT;

	assert_int_equal(mv_fail(&err, MV_ENOTFOUND, "no %s", "thing"), -1);
	assert_int_equal(err.code, MV_ENOTFOUND);
	assert_string_equal(err.msg, "no thing");
	mv_wrap(&err, "store %d: ", 7);
	assert_string_equal(err.msg, "store 7: no thing");
	assert_string_equal(mv_code_name(MV_ENOTFOUND), "not found");
	assert_string_equal(mv_code_name((enum mv_code)999), "unknown error");
	assert_int_equal(mv_fail(NULL, MV_EIO, "ignored"), -1);
	mv_err_clear(&err);
	assert_int_equal(err.code, MV_OK);
}

/* text.h: control bytes, non-ASCII and backslashes are shown as \xNN. */
static void
printable_text(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(mv_printable("a\x1b[2Jb\xff\\c", out, sizeof(out)),
	    "a\\x1b[2Jb\\xff\\x5cc");
	assert_string_equal(mv_printable("line\nforged", out, sizeof(out)),
	    "line\\x0aforged");
	assert_string_equal(mv_printable("abcdef", out, 4), "abc");
	assert_string_equal(mv_printable("\x01\x02", out, 6), "\\x01");
}

/* text.h: HTML text safe between tags and in quoted attributes. */
static void
html_escape(void **state)
{
	struct mv_buf b = MV_BUF_BOUNDED(1024);
	struct mv_err err = MV_ERR_INIT;

	(void)state;
	assert_ok(mv_html_escape(&b, "<script>alert(\"x\")</script> & 'y'",
	    &err), &err);
	assert_string_equal(mv_buf_str(&b), "&lt;script&gt;alert(&quot;x&quot;)"
	    "&lt;/script&gt; &amp; &#39;y&#39;");
	/* Already escaped text is escaped again: it is text, not markup. */
	mv_buf_reset(&b);
	assert_ok(mv_html_escape(&b, "&amp;&#60;", &err), &err);
	assert_string_equal(mv_buf_str(&b), "&amp;amp;&amp;#60;");
	/* Tab and newline stay; other controls and DEL are shown as \xNN. */
	mv_buf_reset(&b);
	assert_ok(mv_html_escape(&b, "a\tb\nc\x01" "d\x1b[2J\x7f\r", &err),
	    &err);
	assert_string_equal(mv_buf_str(&b), "a\tb\nc\\x01d\\x1b[2J"
	    "\\x7f\\x0d");
	/* Well-formed UTF-8 passes; anything else is shown byte by byte. */
	mv_buf_reset(&b);
	assert_ok(mv_html_escape(&b, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f"
	    "\x98\x80", &err), &err);
	assert_string_equal(mv_buf_str(&b), "caf\xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x98\x80");
	mv_buf_reset(&b);
	/* Overlong "/", a surrogate, past U+10FFFF, cut short, stray. */
	assert_ok(mv_html_escape(&b, "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80"
	    "\x80|\xe2\x82|\x80", &err), &err);
	assert_string_equal(mv_buf_str(&b), "\\xc0\\xaf|\\xed\\xa0\\x80|"
	    "\\xf4\\x90\\x80\\x80|\\xe2\\x82|\\x80");
	mv_buf_free(&b);
	/* A full buffer is an error, not a page cut in the middle of "&lt;". */
	mv_buf_init(&b, 6);
	assert_fails(mv_html_escape(&b, "ab<cd", &err), &err, MV_ELIMIT);
	mv_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(append_grows_and_terminates),
		cmocka_unit_test(limit_is_enforced),
		cmocka_unit_test(reset_truncate_detach),
		cmocka_unit_test(errors_carry_code_and_context),
		cmocka_unit_test(printable_text),
		cmocka_unit_test(html_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
