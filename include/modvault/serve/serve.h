/*
 * serve.h: the module proxy as a function: a request in, the description
 * of its response out, and that description written as a CGI response.
 *
 * A front end (cgi/main.c under FastCGI or plain CGI, a unit test with an
 * in-memory sink) opens a service once, then for each request fills a
 * struct mv_request from its CGI variables, calls mv_serve, and writes
 * the result with mv_response_write to a sink.  Everything a request
 * means is decided here: the route (route.h), the policy (policy.h), the
 * endpoint's answer from the store or upstream (fill.h), conditional
 * requests, Range, the status and every header, and what is logged.
 * The front end knows nothing of module proxies.
 *
 * Failures become a status (err.h's table) and one line of reason the
 * go command shows its user (GP-6.5).  A failure of this machine (disk,
 * memory, the store, the configuration) is logged with its cause, and the
 * client gets a reason without file names or other internals.
 */
#ifndef MODVAULT_SERVE_H
#define MODVAULT_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/config.h"
#include "modvault/policy/policy.h"
#include "modvault/proto/route.h"
#include "modvault/source/fill.h"
#include "modvault/store/blob.h"
#include "modvault/store/blobcache.h"
#include "modvault/store/counters.h"
#include "modvault/store/index.h"

/* Zips this process verified (direct-mapped by the digest's first byte). */
#define MV_CHECKED_SLOTS	256

/* Process-wide state, made once and kept across requests. */
struct mv_service {
	struct mv_config	 cfg;
	struct mv_err		 cfg_err;	/* why the config failed */
	struct mv_policy	 policy;
	struct mv_store		*store;		/* NULL when it failed to open */
	struct mv_err		 store_err;	/* why */
	struct mv_filler	 filler;
	bool			 filler_ok;
	struct mv_blobcache	 small;		/* .info/.mod bytes seen */
	/* DATA_DIR/counters, shared by every process; NULL: uncounted. */
	struct mv_counters	*counters;
	struct {
		unsigned char	 digest[MV_SHA256_LEN];
		bool		 used;
	}			 checked[MV_CHECKED_SLOTS];
};

/*
 * Loads the configuration (config_path, or the default path when NULL),
 * checks it, opens the store without changing its schema and sets up
 * fetching.  Nothing here stops the service: a failure is logged and kept,
 * and every request is then answered 500/503 with the reason (so the
 * operator sees it in the web server's error log and at /healthz).
 */
void	 mv_service_open(struct mv_service *svc, const char *config_path);
void	 mv_service_close(struct mv_service *svc);
/*
 * What a long-lived process does once at start-up, never per request:
 * removes staged files that processes which died left behind.
 */
void	 mv_service_start(struct mv_service *svc);
/*
 * download_mode async's background fetch, in the process the responder
 * started for it (modvault.fcgi --fetch MODULE@VERSION): fetches and
 * stores it as a request would, counted as a background fetch.  Returns
 * the exit status: 0 stored or present, 1 failed, 2 a bad argument.
 */
int	 mv_background_fetch(struct mv_service *svc, const char *arg);
/*
 * How many background fetches run now on cfg's store (at most
 * background_fetches; a fetch that found no free slot never started).
 */
int	 mv_background_running(const struct mv_config *cfg, unsigned *n,
	    struct mv_err *err);

/* What a request brings, borrowed from the CGI environment. */
struct mv_request {
	const char		*method;	/* NULL: GET */
	const char		*if_none_match;	/* may be NULL */
	const char		*range;		/* may be NULL */
	struct mv_cgi_vars	 vars;		/* the path (route.h) */
	const char		*host;		/* HTTP_HOST, may be NULL */
	const char		*https;		/* HTTPS ("on"), may be NULL */
	const char		*accept;	/* HTTP_ACCEPT, may be NULL */
	const char		*remote_addr;	/* REMOTE_ADDR, may be NULL */
	/* HTTP_DISABLE_MODULE_FETCH: "true" answers from the store only. */
	const char		*disable_module_fetch;
};

#define MV_ETAG_MAX_BYTES	(MV_SHA256_HEX + 2)

/* How a request was answered: the access log's and the counters' word. */
enum mv_how {
	MV_HOW_HIT,		/* from the store, no upstream asked */
	MV_HOW_FETCHED,		/* an upstream (or git) answered in this request */
	MV_HOW_STALE,		/* from the store after an upstream failed */
	MV_HOW_REFUSED,		/* a policy or a rule said no (see rule) */
	MV_HOW_ERROR,		/* 5xx, an upstream's or this machine's failure */
	MV_HOW_LOCAL,		/* index, healthz, metrics, status page */
	MV_HOW_REDIRECTED,	/* a download_mode redirect: sent elsewhere */
	MV_HOW__MAX
};

/* "hit", "fetched", "stale", "refused", "error", "local". */
const char *mv_how_name(enum mv_how how);

enum mv_body_kind {
	MV_BODY_NONE,		/* headers only (HEAD, 304, offload, ...) */
	MV_BODY_BUF,		/* body, bytes [off, off + len) */
	MV_BODY_BLOB,		/* blob, bytes [off, off + len) */
};

/* An answer before it is written. */
struct mv_response {
	int			 status;
	const char		*content_type;	/* NULL: none */
	const char		*cache_control;	/* NULL: none */
	const char		*vary;		/* NULL: none */
	const char		*csp;	/* Content-Security-Policy, NULL: none */
	char			 etag[MV_ETAG_MAX_BYTES + 1];	/* or "" */
	char			 content_range[96];		/* or "" */
	bool			 accept_ranges;
	bool			 allow_get_head;	/* 405: Allow */
	/* The web server sends the body itself (X-Sendfile and kin). */
	const char		*offload_header;	/* NULL: none */
	char			 offload_value[PATH_MAX + 256];
	/* Content-Length, when not offloaded (the whole body for HEAD). */
	uint64_t		 length;
	enum mv_body_kind	 body_kind;
	struct mv_buf		 body;
	struct mv_blob_reader	*blob;
	/* The blob's local file, when it has one: a sink may send it. */
	char			 blob_file[PATH_MAX];
	uint64_t		 off, len;
	/* The outcome, for the access line and the counters (mv_serve_done). */
	enum mv_how		 how;
	enum mv_route_kind	 route_kind;	/* MV_ROUTE_INDEX when unparsed */
	char			 rule[64];	/* refused: "MZ-3.1", "policy"; else "" */
	uint64_t		 started_us;	/* mv_mono_us at mv_serve's start */
	uint64_t		 upstream_us;	/* waiting on upstreams, this request */
	uint64_t		 fetch_bytes;	/* fetched from upstreams, this request */
};

/*
 * Answers one request: res describes the whole response (status, headers,
 * body source).  Never fails: every failure is an answer.  The caller
 * releases res with mv_response_release after writing it.
 */
void	 mv_serve(struct mv_service *svc, const struct mv_request *req,
	    struct mv_response *res);
void	 mv_response_release(struct mv_response *res);

/* Where an answer goes: FCGX_PutStr, fwrite, or a test buffer. */
struct mv_sink {
	int	(*write)(void *ctx, const void *p, size_t n);
	/*
	 * Optional: sends n bytes of the local file path from off without
	 * copying them through the process (plain CGI: sendfile(2) to
	 * stdout).  -1 when it cannot, before writing anything: the body is
	 * then copied through write.
	 */
	int	(*send_file)(void *ctx, const char *path, uint64_t off,
		    uint64_t n);
	void	*ctx;
	/* Set by mv_response_write: the body bytes it wrote. */
	uint64_t written;
};

/*
 * Writes res as a CGI response: a Status header, the headers, a blank
 * line, the body.  -1 when the sink failed (the client went away).
 */
int	 mv_response_write(struct mv_response *res, struct mv_sink *out);

/*
 * Called by the front end after mv_response_write, with the body bytes it
 * wrote (out->written): writes the access line (info level) and updates
 * the shared counters.  An offloaded body (X-Sendfile and kin) counts as
 * the length the web server sends.
 */
void	 mv_serve_done(struct mv_service *svc, const struct mv_request *req,
	    const struct mv_response *res, uint64_t body_bytes);

#endif
