/*
 * status.h: the status page, what a browser gets at the proxy's root.
 *
 * `GET /` answers the go command and curl with the plain-text index; a
 * browser, which asks for HTML, gets a small page instead: how to point
 * the go command at this proxy, what the store holds, the hit ratio, the
 * last fetches and refusals, and a chart of requests per hour.  The page
 * has no JavaScript and loads nothing: its Content-Security-Policy
 * forbids both, so even a module path that slipped past escaping could
 * not run.  The parts with no service behind them are here so that the
 * unit tests can check them alone.
 */
#ifndef MODVAULT_STATUS_H
#define MODVAULT_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"

/*
 * Does an Accept header (RFC 9110 12.5.1: media ranges with q-values;
 * NULL when absent) ask for the page?  Only when it names text/html or
 * application/xhtml+xml itself, with a q above 0 and at least the q that
 * text/plain gets (from the most specific range that matches it: the
 * type itself, "text/" + "*", or the any-type range).  A wildcard alone
 * never does, so curl's any-type range and the go command's absent header
 * keep the plain text.
 */
bool	 mv_accept_html(const char *accept);

/*
 * The chart's geometry: an SVG with viewBox 0 0 MV_CHART_W MV_CHART_H;
 * value i of n is at x = MV_CHART_X0 + i * (MV_CHART_X1 - MV_CHART_X0) /
 * (n - 1), and y = MV_CHART_Y0 for 0 up to MV_CHART_Y1 for the largest
 * value (coordinates with one decimal).
 */
#define MV_CHART_W	720
#define MV_CHART_H	200
#define MV_CHART_X0	48
#define MV_CHART_X1	708
#define MV_CHART_Y0	170
#define MV_CHART_Y1	20

/*
 * Appends an inline SVG line chart of n counts (oldest first, one an
 * hour, the last one the current hour) to out: one polyline of n points,
 * a dot per point whose title gives its count, the axes and their labels.
 * n == 0 draws the empty axes.
 */
int	 mv_chart_svg(struct mv_buf *out, const uint64_t *counts, size_t n,
	    struct mv_err *err);

#endif
