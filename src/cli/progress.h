/*
 * progress.h: the progress line of `modvault fetch`, `import` and
 * `verify` on a terminal.
 *
 * When stderr is a terminal, one line there is rewritten in place with
 * '\r': versions done out of the total, the bytes they hold, the rate and
 * the time elapsed, at most every CLI_PROGRESS_MS (a monotonic clock).
 * When stdout is that terminal too, the per-version lines of versions
 * that went well are left out (the line counts them) and the others are
 * printed above it.  When stderr is not a terminal nothing here writes
 * anything, and stdout keeps its one line per version for scripts.
 */
#ifndef MODVAULT_CLI_PROGRESS_H
#define MODVAULT_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_PROGRESS_MS	250

struct cli_progress {
	const char	*what;		/* "fetch", "import", "verify" */
	bool		 on;		/* stderr is a terminal */
	bool		 quiet_ok;	/* stdout is one too: no lines for the good */
	uint64_t	 done, total, bytes;
	int64_t		 start_ms, drawn_ms;
	size_t		 width;		/* of the line on screen, 0: none */
};

/* Whether a progress line will be shown (stderr is a terminal). */
bool	 cli_progress_wanted(void);
/* Starts counting; total may grow later (cli_progress_total). */
void	 cli_progress_start(struct cli_progress *p, const char *what,
	    uint64_t total);
void	 cli_progress_total(struct cli_progress *p, uint64_t total);
/*
 * Whether the line of a version that went well is to be printed (false
 * when the progress line stands for it).
 */
bool	 cli_progress_wants_ok(const struct cli_progress *p);
/* Erases the line so that stdout can print one; the next step redraws. */
void	 cli_progress_hide(struct cli_progress *p);
/* One version done, holding bytes; redrawn when due. */
void	 cli_progress_step(struct cli_progress *p, uint64_t bytes);
/* Draws the final count and ends the line with a newline. */
void	 cli_progress_end(struct cli_progress *p);

#endif
