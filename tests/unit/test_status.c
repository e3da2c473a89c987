/* test_status.c: the status page's Accept decision and its chart. */
#include "mvtest.h"
#include "modvault/serve/status.h"

/* What browsers, curl and the go command send, and q-values that decide. */
static void
accept_decision(void **state)
{
	(void)state;
	/* Chromium 120 and Firefox 120 navigating to a page. */
	assert_true(mv_accept_html("text/html,application/xhtml+xml,"
	    "application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
	    "application/signed-exchange;v=b3;q=0.7"));
	assert_true(mv_accept_html("text/html,application/xhtml+xml,"
	    "application/xml;q=0.9,*/*;q=0.8"));
	assert_true(mv_accept_html("application/xhtml+xml"));
	assert_true(mv_accept_html("TEXT/HTML ; Q=0.5 , text/plain;q=0.5"));
	/* curl, the go command (no header), and empty or odd headers. */
	assert_false(mv_accept_html(NULL));
	assert_false(mv_accept_html("*/*"));
	assert_false(mv_accept_html(""));
	assert_false(mv_accept_html(",,, ;q=1"));
	assert_false(mv_accept_html("text/*"));
	assert_false(mv_accept_html("text/htmlx, text/html5"));
	/* Weights: plain text preferred, html refused, or malformed. */
	assert_false(mv_accept_html("text/plain, text/html;q=0.9"));
	assert_false(mv_accept_html("text/html;q=0.5, text/*;q=0.8"));
	assert_false(mv_accept_html("text/html;q=0.5, */*;q=0.6"));
	assert_false(mv_accept_html("text/html;q=0"));
	assert_false(mv_accept_html("text/html;q=0.000"));
	assert_false(mv_accept_html("text/html;q=2"));
	assert_false(mv_accept_html("text/html;q=0.5555"));
	assert_false(mv_accept_html("text/html;q=1.5"));
	assert_false(mv_accept_html("text/html;q=.5"));
	/* The most specific range decides text/plain's weight. */
	assert_true(mv_accept_html("text/html;q=0.5, text/plain;q=0.1, "
	    "*/*;q=0.9"));
	assert_true(mv_accept_html("text/html;level=1;q=0.7, text/*;q=0.7"));
	assert_true(mv_accept_html("text/html;q=1.000, text/plain;q=0.999"));
	assert_true(mv_accept_html("text/html;q=1., text/plain;q=0"));
	assert_false(mv_accept_html("text/html;q=0., text/plain;q=0"));
}

/* Counts the non-overlapping occurrences of needle in s. */
static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* The points attribute of the chart's polyline. */
static void
polyline_points(const char *svg, char *out, size_t outsz)
{
	const char *p = strstr(svg, "<polyline");

	assert_non_null(p);
	p = strstr(p, " points=\"");
	assert_non_null(p);
	p += strlen(" points=\"");
	snprintf(out, outsz, "%.*s", (int)strcspn(p, "\""), p);
}

/*
 * Geometry (status.h): x from 48 to 708, y from 170 (0) to 20 (the
 * largest value); 48 hours put the points 660/47 apart.
 */
static void
chart_points(void **state)
{
	struct mv_buf b = MV_BUF_BOUNDED(1u << 20);
	struct mv_err err = MV_ERR_INIT;
	uint64_t three[3] = { 0, 10, 5 }, day2[48] = { 0 };
	char pts[8192];

	(void)state;
	assert_ok(mv_chart_svg(&b, three, 3, &err), &err);
	polyline_points(mv_buf_str(&b), pts, sizeof(pts));
	assert_string_equal(pts, "48.0,170.0 378.0,20.0 708.0,95.0");
	assert_int_equal(count(mv_buf_str(&b), "<circle"), 3);
	assert_non_null(strstr(mv_buf_str(&b), "<title>10 requests, 1 h ago"
	    "</title>"));
	assert_non_null(strstr(mv_buf_str(&b), "<title>5 requests this hour"
	    "</title>"));
	/* The largest value labels the top of the y axis. */
	assert_non_null(strstr(mv_buf_str(&b), ">10</text>"));

	mv_buf_reset(&b);
	day2[0] = 1;
	day2[47] = 4;
	day2[46] = 2;
	assert_ok(mv_chart_svg(&b, day2, 48, &err), &err);
	polyline_points(mv_buf_str(&b), pts, sizeof(pts));
	assert_int_equal(count(pts, ","), 48);
	assert_int_equal(count(pts, " "), 47);
	assert_int_equal(strncmp(pts, "48.0,132.5 62.0,170.0 76.1,170.0 ", 33),
	    0);
	assert_non_null(strstr(pts, " 694.0,95.0 708.0,20.0"));
	assert_int_equal(strlen(strstr(pts, " 694.0,95.0 708.0,20.0")),
	    strlen(" 694.0,95.0 708.0,20.0"));
	assert_int_equal(count(mv_buf_str(&b), "<circle"), 48);
	assert_non_null(strstr(mv_buf_str(&b), "<title>1 request, 47 h ago"));
	assert_non_null(strstr(mv_buf_str(&b), ">48 h ago</text>"));
	assert_int_equal(count(mv_buf_str(&b), "<svg"), 1);
	assert_int_equal(count(mv_buf_str(&b), "</svg>"), 1);
	mv_buf_free(&b);
}

/* No traffic: a flat line on the axis; no values: just the frame. */
static void
chart_edges(void **state)
{
	struct mv_buf b = MV_BUF_BOUNDED(1u << 20);
	struct mv_err err = MV_ERR_INIT;
	uint64_t zero[2] = { 0, 0 }, huge[2] = { UINT64_MAX, UINT64_MAX / 2 };
	char pts[256];

	(void)state;
	assert_ok(mv_chart_svg(&b, zero, 2, &err), &err);
	polyline_points(mv_buf_str(&b), pts, sizeof(pts));
	assert_string_equal(pts, "48.0,170.0 708.0,170.0");
	mv_buf_reset(&b);
	assert_ok(mv_chart_svg(&b, huge, 2, &err), &err);
	polyline_points(mv_buf_str(&b), pts, sizeof(pts));
	assert_string_equal(pts, "48.0,20.0 708.0,95.0");
	mv_buf_reset(&b);
	assert_ok(mv_chart_svg(&b, NULL, 0, &err), &err);
	assert_null(strstr(mv_buf_str(&b), "<polyline"));
	assert_int_equal(count(mv_buf_str(&b), "<circle"), 0);
	assert_non_null(strstr(mv_buf_str(&b), "</svg>"));
	mv_buf_free(&b);
	/* A buffer too small for the chart fails whole. */
	mv_buf_init(&b, 100);
	assert_fails(mv_chart_svg(&b, zero, 2, &err), &err, MV_ELIMIT);
	mv_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accept_decision),
		cmocka_unit_test(chart_points),
		cmocka_unit_test(chart_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
