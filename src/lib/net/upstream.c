/*
 * upstream.c: the upstream client on libcurl (see upstream.h).  The only
 * file that includes curl/curl.h.
 */
#define _GNU_SOURCE		/* sync_file_range(2) on Linux */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "modvault/net/tally.h"
#include "modvault/net/upstream.h"

#define FILE_BUFFER	(128L * 1024)	/* curl's receive buffer for files */
#define WRITEBACK_STEP	(4u << 20)	/* start writing back every 4 MiB */

struct entry {
	char	url[1024];	/* base URL, no trailing '/' */
	/* The same, with any user:password@ shown as ***@ (GP-6: netrc is
	 * the better place for credentials, but a URL may carry them). */
	char	shown[1024 + 3];
	char	userinfo[1024];	/* what shown hides, or "" */
	char	sep;		/* separator after it: ',', '|' or 0 (last) */
	bool	direct;		/* "direct": version control, not a proxy */
};

struct mv_upstream {
	struct entry	 e[MV_UPSTREAM_MAX_ENTRIES];
	size_t		 n;
	CURL		*curl;
	long		 timeout, connect_timeout, stall_timeout;
	int64_t		 deadline_ms;	/* CLOCK_MONOTONIC, 0 = none */
	char		 netrc[PATH_MAX];
};

/* Trims white space around s[0..*len) in place (GP-6.2). */
static const char *
trim(const char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

/*
 * The URL as it may be shown (messages, logs, the origin column): the
 * userinfo of "scheme://user:password@host/..." replaced by "***".
 */
static void
hide_userinfo(struct entry *e)
{
	const char *url = e->url, *host = strstr(url, "://"), *at, *end;
	size_t pre, rest;

	memcpy(e->shown, url, strlen(url) + 1);
	e->userinfo[0] = '\0';
	if (host == NULL)
		return;
	host += 3;
	end = host + strcspn(host, "/?#");
	if ((at = memchr(host, '@', (size_t)(end - host))) == NULL)
		return;
	/* The last '@' of the authority ends the userinfo (RFC 3986). */
	while (memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
		at = memchr(at + 1, '@', (size_t)(end - at - 1));
	memcpy(e->userinfo, host, (size_t)(at - host));
	e->userinfo[at - host] = '\0';
	pre = (size_t)(host - url);
	rest = strlen(at) + 1;
	/* shown has room for "***" in place of even a 0-byte userinfo. */
	memcpy(e->shown + pre, "***", 3);
	memcpy(e->shown + pre + 3, at, rest);
}

/* Replaces every copy of secret in the string buf by "***". */
static void
scrub(char *buf, const char *secret)
{
	size_t k = strlen(secret);
	char *p;

	if (k < 3)
		return;
	while ((p = strstr(buf, secret)) != NULL) {
		memmove(p + 3, p + k, strlen(p + k) + 1);
		memcpy(p, "***", 3);
	}
}

static int
add_entry(struct mv_upstream *up, const char *s, size_t len, char sep,
    struct mv_err *err)
{
	struct entry *e;

	if (up->n == MV_UPSTREAM_MAX_ENTRIES)
		return mv_fail(err, MV_ECONFIG, "upstream: more than %d "
		    "entries", MV_UPSTREAM_MAX_ENTRIES);
	if (len == 6 && strncmp(s, "direct", 6) == 0) {
		e = &up->e[up->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->url, sizeof(e->url), "direct");
		snprintf(e->shown, sizeof(e->shown), "direct");
		e->sep = sep;
		e->direct = true;
		return 0;
	}
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return mv_fail(err, MV_ECONFIG, "upstream: \"%.*s\" is not an "
		    "http:// or https:// URL", (int)len, s);
	while (len > 0 && s[len - 1] == '/')
		len--;
	if (len >= sizeof(up->e[0].url))
		return mv_fail(err, MV_ECONFIG, "upstream: URL too long");
	e = &up->e[up->n++];
	memcpy(e->url, s, len);
	e->url[len] = '\0';
	e->sep = sep;
	hide_userinfo(e);
	return 0;
}

/* GP-6.2: entries split at ',' or '|', trimmed, empty ones skipped;
 * parsing stops at "off". */
static int
parse_list(struct mv_upstream *up, const char *list, struct mv_err *err)
{
	const char *p = list, *s;
	size_t span, len;

	for (;;) {
		span = strcspn(p, ",|");
		len = span;
		s = trim(p, &len);
		if (len == 3 && strncmp(s, "off", 3) == 0)
			break;
		if (len > 0 && add_entry(up, s, len, p[span], err) == -1)
			return -1;
		if (p[span] == '\0')
			break;
		p += span + 1;
	}
	if (up->n > 0)
		up->e[up->n - 1].sep = 0;
	return 0;
}

int
mv_url_escape(const char *s, bool keep_slash, struct mv_buf *out,
    struct mv_err *err)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char pct[3] = { '%', 0, 0 };
	int rc = 0;

	for (p = (const unsigned char *)s; rc == 0 && *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~!$&'()*+,;=:@",
		    *p) != NULL || (keep_slash && *p == '/')) {
			rc = mv_buf_putc(out, (char)*p, err);
			continue;
		}
		pct[1] = hex[*p >> 4];
		pct[2] = hex[*p & 15];
		rc = mv_buf_append(out, pct, 3, err);
	}
	return rc;
}

int
mv_upstream_new(const struct mv_config *cfg, struct mv_upstream **upp,
    struct mv_err *err)
{
	return mv_upstream_new_list(cfg->upstream, cfg, upp, err);
}

int
mv_upstream_new_list(const char *list, const struct mv_config *cfg,
    struct mv_upstream **upp, struct mv_err *err)
{
	struct mv_upstream *up;

	if ((up = calloc(1, sizeof(*up))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	up->timeout = cfg->upstream_timeout;
	up->connect_timeout = cfg->connect_timeout;
	snprintf(up->netrc, sizeof(up->netrc), "%s", cfg->netrc);
	up->stall_timeout = cfg->stall_timeout;
	if (parse_list(up, list, err) == -1) {
		free(up);
		return -1;
	}
	*upp = up;
	return 0;
}

/*
 * The curl handle, made on the first transfer: a cache hit (and a plain
 * CGI process that serves one) never pays for libcurl's and TLS set-up.
 */
static int
handle(struct mv_upstream *up, struct mv_err *err)
{
	static int global_done;

	if (up->curl != NULL)
		return 0;
	if (!global_done && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return mv_fail(err, MV_EUPSTREAM, "cannot initialise libcurl");
	global_done = 1;
	if ((up->curl = curl_easy_init()) == NULL)
		return mv_fail(err, MV_ENOMEM, "cannot create a curl handle");
	return 0;
}

void
mv_upstream_free(struct mv_upstream *up)
{
	if (up == NULL)
		return;
	if (up->curl != NULL)
		curl_easy_cleanup(up->curl);
	free(up);
}

bool
mv_upstream_is_direct(const struct mv_upstream *up, size_t i)
{
	return up != NULL && i < up->n && up->e[i].direct;
}

bool
mv_upstream_falls_through(const struct mv_upstream *up, size_t i,
    const struct mv_err *e)
{
	bool notfound = e->code == MV_ENOTFOUND || e->code == MV_EGONE;

	/* The last entry's answer, or a local failure, is the answer. */
	if (i + 1 >= up->n || mv_code_is_local(e->code))
		return false;
	return up->e[i].sep == '|' || (up->e[i].sep == ',' && notfound);
}

bool
mv_upstream_enabled(const struct mv_upstream *up)
{
	return up != NULL && up->n > 0;
}

size_t
mv_upstream_count(const struct mv_upstream *up)
{
	return up != NULL ? up->n : 0;
}

const char *
mv_upstream_url(const struct mv_upstream *up, size_t i)
{
	return i < up->n ? up->e[i].shown : "";
}

/*
 * A file sink is made durable by its owner (fsync before it is named);
 * starting the disk writes as the bytes arrive leaves that fsync little
 * to wait for.  Only a hint: where the call is missing, fsync does it all.
 */
static void
start_writeback(struct mv_fetch_sink *s)
{
#ifdef SYNC_FILE_RANGE_WRITE
	if (s->got - s->written_back >= WRITEBACK_STEP) {
		(void)sync_file_range(s->fd, (off64_t)s->written_back,
		    (off64_t)(s->got - s->written_back), SYNC_FILE_RANGE_WRITE);
		s->written_back = s->got;
	}
#else
	(void)s;
#endif
}

/* curl's write callback: bounded, to a buffer or a file. */
static size_t
sink_write(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct mv_fetch_sink *s = ctx;
	size_t n = size * nmemb, off = 0;

	if (n > s->max - s->got) {
		s->stop = MV_SINK_OVER_LIMIT;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (s->buf != NULL) {
		if (mv_buf_append(s->buf, p, n, NULL) == -1) {
			s->stop = MV_SINK_LOCAL;
			s->stop_errno = ENOMEM;
			return 0;
		}
	} else {
		while (off < n) {
			ssize_t w = write(s->fd, p + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				s->stop = MV_SINK_LOCAL;
				s->stop_errno = w < 0 ? errno : EIO;
				return 0;
			}
			off += (size_t)w;
		}
	}
	if (s->sha != NULL && mv_sha256_update(s->sha, p, n, NULL) == -1) {
		s->stop = MV_SINK_LOCAL;
		s->stop_errno = ENOMEM;
		return 0;
	}
	s->got += n;
	if (s->buf == NULL)
		start_writeback(s);
	if (s->progress != NULL)
		s->progress(s->progress_ctx, s->got);
	return n;
}

static int
sink_reset(struct mv_fetch_sink *s, struct mv_err *err)
{
	s->got = 0;
	s->written_back = 0;
	s->stop = MV_SINK_TAKING;
	s->stop_errno = 0;
	if (s->sha != NULL) {
		unsigned char discard[MV_SHA256_LEN];

		(void)mv_sha256_final(s->sha, discard, NULL);	/* resets */
	}
	if (s->buf != NULL) {
		mv_buf_reset(s->buf);
		return 0;
	}
	if (ftruncate(s->fd, 0) == -1 || lseek(s->fd, 0, SEEK_SET) == -1)
		return mv_fail(err, MV_EIO, "cannot reset a download file: %s",
		    strerror(errno));
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
mv_upstream_set_deadline(struct mv_upstream *up, long seconds)
{
	up->deadline_ms = seconds > 0 ? now_ms() + (int64_t)seconds * 1000 : 0;
}

/* What one transfer may take: upstream_timeout, or what the deadline leaves. */
static long
timeout_ms(const struct mv_upstream *up)
{
	int64_t ms = (int64_t)up->timeout * 1000, left;

	if (up->deadline_ms != 0) {
		left = up->deadline_ms - now_ms();
		if (left < ms)
			ms = left > 1 ? left : 1;
	}
	return (long)ms;
}

static void
setup_handle(struct mv_upstream *up, const char *url,
    struct mv_fetch_sink *sink, char *errbuf)
{
	CURL *c = up->curl;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);	/* GP-1.5 */
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, up->connect_timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms(up));
	/* Under 1 KiB/s for stall_timeout: a slow-loris upstream is cut off. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, up->stall_timeout);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "modvault/" PACKAGE_VERSION);
	/* A zip goes to a file: fewer, larger writes (curl's default is 16K). */
	if (sink->buf == NULL)
		curl_easy_setopt(c, CURLOPT_BUFFERSIZE, FILE_BUFFER);
	if (sink->max <= (uint64_t)INT64_MAX)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)sink->max);
	if (up->netrc[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
		curl_easy_setopt(c, CURLOPT_NETRC_FILE, up->netrc);
	}
}

/* Classifies a finished transfer into the error convention. */
static int
classify(struct mv_upstream *up, CURLcode rc, const char *url,
    const struct mv_fetch_sink *sink, const char *errbuf,
    struct mv_err *err)
{
	long status = 0;
	curl_off_t cl = -1, got = -1;

	if (sink->stop == MV_SINK_LOCAL)
		return mv_fail(err, mv_errno_code(sink->stop_errno), "cannot "
		    "keep what upstream %s sent: %s", url,
		    strerror(sink->stop_errno));
	if (sink->stop == MV_SINK_OVER_LIMIT)
		return mv_fail(err, MV_EUPSTREAM, "upstream %s: body larger than "
		    "%llu bytes (modvault's limit)", url,
		    (unsigned long long)sink->max);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return mv_fail(err, MV_ETIMEOUT, "upstream %s: %s", url,
		    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	if (rc != CURLE_OK)
		return mv_fail(err, MV_EUPSTREAM, "upstream %s: %s", url,
		    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_easy_getinfo(up->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 404)
		return mv_fail(err, MV_ENOTFOUND, "upstream %s: 404", url);
	if (status == 410)
		return mv_fail(err, MV_EGONE, "upstream %s: 410", url);
	if (status != 200)
		return mv_fail(err, MV_EUPSTREAM, "upstream %s: status %ld",
		    url, status);
	/*
	 * A body shorter than announced is a broken transfer, not data.
	 * Content-Length counts the body as sent (gzip-encoded when the
	 * upstream compressed it), so it is compared with the bytes received,
	 * not with what decoding them gave the sink.
	 */
	curl_easy_getinfo(up->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	curl_easy_getinfo(up->curl, CURLINFO_SIZE_DOWNLOAD_T, &got);
	if (cl >= 0 && cl != got)
		return mv_fail(err, MV_EUPSTREAM, "upstream %s: got %lld bytes "
		    "of %lld", url, (long long)got, (long long)cl);
	return 0;
}

int
mv_upstream_get_one(struct mv_upstream *up, size_t i, const char *relpath,
    struct mv_fetch_sink *sink, struct mv_err *err)
{
	char url[4096], shown[4096], errbuf[CURL_ERROR_SIZE] = "";
	struct mv_err e = MV_ERR_INIT;
	uint64_t started;
	CURLcode rc;
	int n;

	if (i >= up->n)
		return mv_fail(err, MV_ENOTFOUND, "no upstream configured");
	if (up->e[i].direct)
		return mv_fail(err, MV_ENOTFOUND, "not found: \"direct\" is "
		    "not a proxy");
	n = snprintf(url, sizeof(url), "%s/%s", up->e[i].url, relpath);
	if (n < 0 || (size_t)n >= sizeof(url))
		return mv_fail(err, MV_EUPSTREAM, "upstream URL too long");
	snprintf(shown, sizeof(shown), "%s/%s", up->e[i].shown, relpath);
	if (handle(up, err) == -1 || sink_reset(sink, err) == -1)
		return -1;
	setup_handle(up, url, sink, errbuf);
	started = mv_mono_us();
	rc = curl_easy_perform(up->curl);
	/* A Content-Length over the limit stops curl before any byte. */
	if (rc == CURLE_FILESIZE_EXCEEDED)
		sink->stop = MV_SINK_OVER_LIMIT;
	scrub(errbuf, up->e[i].userinfo);
	if (classify(up, rc, shown, sink, errbuf, &e) == 0) {
		mv_tally_add(started, sink->got, true);
		return 0;
	}
	/* "Not found" is an answer; an upstream's failure is not. */
	mv_tally_add(started, sink->got, e.code != MV_EUPSTREAM &&
	    e.code != MV_ETIMEOUT);
	return mv_err_pass(err, &e);
}

int
mv_upstream_get(struct mv_upstream *up, const char *relpath,
    struct mv_fetch_sink *sink, size_t *used, struct mv_err *err)
{
	size_t i;

	if (up->n == 0)
		return mv_fail(err, MV_ENOTFOUND, "not found: fetching is off "
		    "(upstream = off)");
	for (i = 0; i < up->n; i++) {
		struct mv_err e = MV_ERR_INIT;

		if (mv_upstream_get_one(up, i, relpath, sink, &e) == 0) {
			if (used != NULL)
				*used = i;
			return 0;
		}
		if (!mv_upstream_falls_through(up, i, &e))
			return mv_err_pass(err, &e);
	}
	return -1;
}
