/* progress.c: the '\r'-rewritten progress line on a terminal (progress.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modvault/base/clock.h"
#include "progress.h"

/* "512 B", "3.4 MiB": one decimal from KiB up. */
static void
human(uint64_t n, char *out, size_t outsz)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(out, outsz, "%" PRIu64 " B", n);
		return;
	}
	for (v /= 1024; v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0]);
	    u++)
		v /= 1024;
	snprintf(out, outsz, "%.1f %s", v, unit[u]);
}

static void
draw(struct cli_progress *p, int64_t now)
{
	char line[160], b[32], r[32];
	int64_t ms = now - p->start_ms;
	size_t n;

	human(p->bytes, b, sizeof(b));
	human(ms > 0 ? p->bytes * 1000 / (uint64_t)ms : 0, r, sizeof(r));
	n = (size_t)snprintf(line, sizeof(line), "%s: %" PRIu64 "/%" PRIu64
	    " versions, %s, %s/s, %" PRId64 ":%02" PRId64 " elapsed", p->what,
	    p->done, p->total, b, r, ms / 60000, ms / 1000 % 60);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	/* Spaces over what a longer line before left behind. */
	fprintf(stderr, "\r%s%*s", line, p->width > n ? (int)(p->width - n) :
	    0, "");
	fflush(stderr);
	p->width = n;
	p->drawn_ms = now;
}

bool
cli_progress_wanted(void)
{
	return isatty(STDERR_FILENO) == 1;
}

void
cli_progress_start(struct cli_progress *p, const char *what, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->total = total;
	p->on = cli_progress_wanted();
	p->quiet_ok = p->on && isatty(STDOUT_FILENO) == 1;
	p->start_ms = mv_mono_ms();
	if (p->on)
		draw(p, p->start_ms);
}

void
cli_progress_total(struct cli_progress *p, uint64_t total)
{
	bool first = p->total == 0 && total > 0;

	p->total = total;
	/* The first total known (an import's walk) is shown at once. */
	if (p->on && first)
		draw(p, mv_mono_ms());
}

bool
cli_progress_wants_ok(const struct cli_progress *p)
{
	return !p->quiet_ok;
}

void
cli_progress_hide(struct cli_progress *p)
{
	/* Lines on stdout go elsewhere unless it is this terminal too. */
	if (!p->quiet_ok || p->width == 0)
		return;
	/* stdout may hold a partial line of its own: send it first. */
	fflush(stdout);
	fprintf(stderr, "\r%*s\r", (int)p->width, "");
	fflush(stderr);
	p->width = 0;
}

void
cli_progress_step(struct cli_progress *p, uint64_t bytes)
{
	int64_t now;

	p->done++;
	p->bytes += bytes;
	if (p->done > p->total)
		p->total = p->done;
	if (!p->on)
		return;
	fflush(stdout);
	now = mv_mono_ms();
	if (p->width == 0 || now - p->drawn_ms >= CLI_PROGRESS_MS)
		draw(p, now);
}

void
cli_progress_end(struct cli_progress *p)
{
	if (!p->on)
		return;
	fflush(stdout);
	draw(p, mv_mono_ms());
	fputc('\n', stderr);
	p->width = 0;
}
