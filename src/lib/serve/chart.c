/*
 * chart.c: the status page's chart of requests per hour, as inline SVG
 * (see status.h for its geometry).
 *
 * A line over a shaded area, a dot per hour whose title a browser shows
 * on hover, and labels on both axes: readable at a glance, and nothing a
 * browser has to fetch or run.  Colours are presentation attributes, so
 * the chart looks the same whatever the page's style sheet says.
 */
#include <inttypes.h>
#include <stdio.h>

#include "modvault/serve/status.h"

static double
x_of(size_t i, size_t n)
{
	if (n < 2)
		return MV_CHART_X0;
	return MV_CHART_X0 + (double)i * (MV_CHART_X1 - MV_CHART_X0) /
	    (double)(n - 1);
}

static double
y_of(uint64_t v, uint64_t max)
{
	if (max == 0)
		return MV_CHART_Y0;
	return MV_CHART_Y0 - (double)v / (double)max *
	    (MV_CHART_Y0 - MV_CHART_Y1);
}

/* The frame: axes, a line at the largest value, and the labels. */
static int
axes(struct mv_buf *out, size_t n, uint64_t max, struct mv_err *err)
{
	return mv_buf_printf(out, err,
	    "<g stroke=\"#9aa5b1\" stroke-width=\"1\">"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke-dasharray=\"3 3\"/></g>"
	    "<g font-size=\"12\" fill=\"#52606d\" font-family=\"sans-serif\">"
	    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRIu64 "</text>"
	    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>"
	    "<text x=\"%d\" y=\"%d\">%zu h ago</text>"
	    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">now</text></g>",
	    MV_CHART_X0, MV_CHART_Y0, MV_CHART_X1, MV_CHART_Y0,
	    MV_CHART_X0, MV_CHART_Y1, MV_CHART_X0, MV_CHART_Y0,
	    MV_CHART_X0, MV_CHART_Y1, MV_CHART_X1, MV_CHART_Y1,
	    MV_CHART_X0 - 6, MV_CHART_Y1 + 4, max,
	    MV_CHART_X0 - 6, MV_CHART_Y0 + 4,
	    MV_CHART_X0, MV_CHART_H - 8, n,
	    MV_CHART_X1, MV_CHART_H - 8);
}

/* The n points "x,y x,y ...", for the line and the area under it. */
static int
points(struct mv_buf *out, const uint64_t *v, size_t n, uint64_t max,
    struct mv_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mv_buf_printf(out, err, "%s%.1f,%.1f", i ? " " : "",
		    x_of(i, n), y_of(v[i], max)) == -1)
			return -1;
	return 0;
}

/* A dot per value, titled "3 requests, 5 h ago" (a tooltip on hover). */
static int
dots(struct mv_buf *out, const uint64_t *v, size_t n, uint64_t max,
    struct mv_err *err)
{
	char when[32];
	size_t i;

	for (i = 0; i < n; i++) {
		if (i + 1 == n)
			snprintf(when, sizeof(when), " this hour");
		else
			snprintf(when, sizeof(when), ", %zu h ago", n - 1 - i);
		if (mv_buf_printf(out, err, "<circle cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"2.5\"><title>%" PRIu64 " request%s%s</title></circle>",
		    x_of(i, n), y_of(v[i], max), v[i], v[i] == 1 ? "" : "s",
		    when) == -1)
			return -1;
	}
	return 0;
}

int
mv_chart_svg(struct mv_buf *out, const uint64_t *counts, size_t n,
    struct mv_err *err)
{
	uint64_t max = 0;
	size_t i;

	for (i = 0; i < n; i++)
		max = counts[i] > max ? counts[i] : max;
	if (mv_buf_printf(out, err, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	    "role=\"img\" aria-label=\"Requests per hour\">"
	    "<title>Requests per hour, the last %zu hours</title>",
	    MV_CHART_W, MV_CHART_H, MV_CHART_W, MV_CHART_H, n) == -1 ||
	    axes(out, n, max, err) == -1)
		return -1;
	if (n > 0 && (mv_buf_printf(out, err, "<polygon fill=\"#d9e8fb\" "
	    "stroke=\"none\" points=\"%.1f,%d ", x_of(0, n),
	    MV_CHART_Y0) == -1 ||
	    points(out, counts, n, max, err) == -1 ||
	    mv_buf_printf(out, err, " %.1f,%d\"/><polyline fill=\"none\" "
	    "stroke=\"#1f6fd1\" stroke-width=\"2\" points=\"", x_of(n - 1, n),
	    MV_CHART_Y0) == -1 ||
	    points(out, counts, n, max, err) == -1 ||
	    mv_buf_puts(out, "\"/><g fill=\"#1f6fd1\">", err) == -1 ||
	    dots(out, counts, n, max, err) == -1 ||
	    mv_buf_puts(out, "</g>", err) == -1))
		return -1;
	return mv_buf_puts(out, "</svg>", err);
}
