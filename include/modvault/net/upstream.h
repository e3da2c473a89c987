/*
 * upstream.h: the upstream client (libcurl), with the go command's GOPROXY
 * list semantics (GP-6.2, GP-6.3).
 *
 * The configured list is parsed once; one curl handle is kept for the
 * life of the process so connections are reused.  Every transfer is
 * bounded: a byte limit enforced while bytes arrive, a connect timeout, a
 * total timeout and a low-speed abort (a slow-loris upstream cannot hold a
 * responder forever).  TLS is verified; proxies come from the standard
 * environment variables; credentials from the netrc file when configured.
 */
#ifndef MODVAULT_FETCH_H
#define MODVAULT_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/config.h"
#include "modvault/base/err.h"
#include "modvault/base/limits.h"
#include "modvault/base/hash.h"


struct mv_upstream;

/*
 * Bounds every transfer from now on to end within seconds of now (0:
 * no bound beyond each transfer's own upstream_timeout), so that several
 * transfers made for one request together take no longer than that.
 */
void	 mv_upstream_set_deadline(struct mv_upstream *up, long seconds);

/* Parses cfg->upstream ("off" gives an upstream with no entries). */
int	 mv_upstream_new(const struct mv_config *cfg, struct mv_upstream **up,
	    struct mv_err *err);
/* The same for another list (a checksum database's URL), with cfg's bounds. */
int	 mv_upstream_new_list(const char *list, const struct mv_config *cfg,
	    struct mv_upstream **up, struct mv_err *err);
void	 mv_upstream_free(struct mv_upstream *up);
/* False for "off": an offline mirror never contacts anything. */
bool	 mv_upstream_enabled(const struct mv_upstream *up);
size_t	 mv_upstream_count(const struct mv_upstream *up);
/*
 * Is entry i "direct" (fetch from version control: the caller's job;
 * mv_upstream_get_one answers it "not found", so mv_upstream_get falls
 * through it as over any proxy without the module)?
 */
bool	 mv_upstream_is_direct(const struct mv_upstream *up, size_t i);
/*
 * GP-6.2: after entry i failed with e, is the next entry asked?  After
 * ',' only when i said not found, after '|' on any failure of i's own;
 * never after the last entry or a local failure.
 */
bool	 mv_upstream_falls_through(const struct mv_upstream *up, size_t i,
	    const struct mv_err *e);
/*
 * The base URL of entry i as it may be shown or stored: credentials in it
 * (user:password@) appear as "***".  Every message of this client shows
 * URLs that way.
 */
const char *mv_upstream_url(const struct mv_upstream *up, size_t i);

/* Why a sink stopped taking bytes (classified as the transfer ends). */
enum mv_sink_stop {
	MV_SINK_TAKING,		/* it did not */
	MV_SINK_OVER_LIMIT,	/* the body outgrew max: the upstream's doing */
	MV_SINK_LOCAL,		/* writing it here failed (stop_errno) */
};

/*
 * Appends s to out percent-encoded for a URL path (RFC 3986 pchar): every
 * byte but ALPHA / DIGIT / "-._~!$&'()*+,;=:@" becomes %XX, and '/' too
 * unless keep_slash.  Every path element modvault sends upstream goes
 * through it, whatever checks it passed before (a '%', '#' or '?' that
 * slipped through would change what the upstream reads).
 */
int	 mv_url_escape(const char *s, bool keep_slash, struct mv_buf *out,
	    struct mv_err *err);

/* Where a body goes: a bounded buffer, or a file descriptor. */
struct mv_fetch_sink {
	struct mv_buf	*buf;		/* when not NULL */
	int		 fd;		/* else: written here */
	uint64_t	 max;		/* abort beyond this many bytes */
	uint64_t	 got;		/* bytes received */
	struct mv_sha256 *sha;		/* optional: hashes what is received */
	/* Optional: told the byte count after each write to fd. */
	void		(*progress)(void *ctx, uint64_t got);
	void		*progress_ctx;
	uint64_t	 written_back;	/* file bytes whose writeback began */
	enum mv_sink_stop stop;
	int		 stop_errno;
};

/*
 * GETs relpath (already escaped, e.g. "golang.org/x/text/@v/list") from
 * entry i alone.  404 and 410 fail with MV_ENOTFOUND / MV_EGONE; a body
 * over the sink's limit with MV_EUPSTREAM naming the limit ("body larger
 * than N bytes"); a transfer that failed or stalled with MV_EUPSTREAM or
 * MV_ETIMEOUT; a local failure to keep the bytes (a full disk, no memory)
 * with MV_EIO / MV_ENOMEM, never blamed on upstream.  The sink is reset
 * before the transfer.
 */
int	 mv_upstream_get_one(struct mv_upstream *up, size_t i,
	    const char *relpath, struct mv_fetch_sink *sink,
	    struct mv_err *err);

/*
 * The same over the list with GP-6.3 fall-through: after an entry
 * followed by ",", the next one is tried only on 404/410; after "|", on
 * any error.  *used is the index of the entry that answered.  When every
 * entry said "not found" the result is MV_ENOTFOUND.
 */
int	 mv_upstream_get(struct mv_upstream *up, const char *relpath,
	    struct mv_fetch_sink *sink, size_t *used, struct mv_err *err);

#endif
