/*
 * s3_http.c: one S3 request on the client's kept curl handle, and what
 * its failures mean (see s3_priv.h).
 *
 * libcurl signs every request (CURLOPT_AWS_SIGV4) over the headers given
 * here, so x-amz-content-sha256, Range and If-None-Match are all signed;
 * the path and query reach it already canonical (s3_encode.c).  Nothing
 * follows a redirect: a signature is for one host and path.  Error bodies
 * are read only for their Code, and no message ever carries the secret
 * key or a signature (curl's own messages name neither).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "modvault/base/hash.h"
#include "s3_priv.h"
#include "s3_xml.h"

/* A received error body kept, bounded, for its Code. */
struct answer {
	struct mv_s3_req	*r;
	CURL			*curl;
	struct mv_buf		 body;
};

/* The handle, made on the first request (as upstream.c does). */
static int
handle(struct mv_s3 *s3, struct mv_err *err)
{
	static bool global_done;

	if (s3->curl != NULL)
		return 0;
	if (!global_done && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return mv_fail(err, MV_ENOMEM, "cannot initialise libcurl");
	global_done = true;
	if ((s3->curl = curl_easy_init()) == NULL)
		return mv_fail(err, MV_ENOMEM, "cannot create a curl handle");
	return 0;
}

void
mv_s3_curl_free(struct mv_s3 *s3)
{
	if (s3->curl != NULL)
		curl_easy_cleanup(s3->curl);
	s3->curl = NULL;
}

/*
 * curl's write callback: the body of the wanted status goes to r->write
 * (at most r->max bytes), any other is kept for its error Code.
 */
static size_t
on_write(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct answer *a = ctx;
	struct mv_s3_req *r = a->r;
	size_t n = size * nmemb;

	if (r->status == 0)
		curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status != r->want) {
		/* Past the bound the rest is dropped: the Code comes first. */
		(void)mv_buf_append(&a->body, p, n, NULL);
		return n;
	}
	if (n > r->max - r->got) {
		r->over = true;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (r->write != NULL && r->write(r->write_ctx, p, n, &r->cb) == -1)
		return 0;
	r->got += n;
	return n;
}

/*
 * curl's read callback: what r->read supplies, never past r->size, and
 * all of r->size: a source that ends early aborts the upload, which the
 * gateway then discards.
 */
static size_t
on_read(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct mv_s3_req *r = ctx;
	size_t n = size * nmemb, got = 0;

	if (r->sent == r->size)
		return 0;
	if (n > r->size - r->sent)
		n = (size_t)(r->size - r->sent);
	if (r->read(r->read_ctx, p, n, &got, &r->cb) == -1)
		return CURL_READFUNC_ABORT;
	if (got == 0 || got > n) {
		mv_fail(&r->cb, MV_EIO, "the bytes for %s ended after %llu of "
		    "%llu", r->what, (unsigned long long)r->sent,
		    (unsigned long long)r->size);
		return CURL_READFUNC_ABORT;
	}
	r->sent += got;
	return got;
}

/*
 * curl rewinds an upload to send it again on a new connection (a kept one
 * the gateway had closed); only a source that can start over allows it.
 */
static int
on_seek(void *ctx, curl_off_t off, int origin)
{
	struct mv_s3_req *r = ctx;

	if (off != 0 || origin != SEEK_SET)
		return CURL_SEEKFUNC_CANTSEEK;
	if (r->sent == 0)
		return CURL_SEEKFUNC_OK;
	if (r->rewind == NULL || r->rewind(r->read_ctx) == -1)
		return CURL_SEEKFUNC_CANTSEEK;
	r->sent = 0;
	return CURL_SEEKFUNC_OK;
}

/* The signed headers of r; NULL when out of memory. */
static struct curl_slist *
headers(const struct mv_s3_req *r)
{
	struct curl_slist *h = NULL, *t;
	char sha[100], range[100];
	const char *v[3] = { sha, NULL, NULL };
	size_t i, n = 1;

	snprintf(sha, sizeof(sha), "x-amz-content-sha256: %s",
	    r->sha256_hex != NULL ? r->sha256_hex : "UNSIGNED-PAYLOAD");
	if (r->range != NULL) {
		snprintf(range, sizeof(range), "Range: %s", r->range);
		v[n++] = range;
	}
	if (r->create_only)
		v[n++] = "If-None-Match: *";
	for (i = 0; i < n; i++) {
		if ((t = curl_slist_append(h, v[i])) == NULL) {
			curl_slist_free_all(h);
			return NULL;
		}
		h = t;
	}
	return h;
}

#define SET(opt, val)	do {						\
	if (rc == CURLE_OK)						\
		rc = curl_easy_setopt(c, opt, val);			\
} while (0)

/* Every option of one request; curl's first refusal, or CURLE_OK. */
static CURLcode
setup(struct mv_s3 *s3, struct mv_s3_req *r, const char *url,
    struct curl_slist *h, struct answer *a, char *errbuf)
{
	CURL *c = s3->curl;
	CURLcode rc = CURLE_OK;

	curl_easy_reset(c);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PATH_AS_IS, 1L);	/* the path is signed as given */
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_USERAGENT, "modvault/" PACKAGE_VERSION);
	SET(CURLOPT_CONNECTTIMEOUT, s3->connect_timeout);
	SET(CURLOPT_TIMEOUT, s3->timeout);
	/* Under 1 KiB/s for stall_timeout: a stuck gateway is let go. */
	SET(CURLOPT_LOW_SPEED_LIMIT, 1024L);
	SET(CURLOPT_LOW_SPEED_TIME, s3->stall_timeout);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_AWS_SIGV4, s3->sigv4);
	/* Apart, not "AK:SK": a ':' in the access key splits nothing. */
	SET(CURLOPT_USERNAME, s3->access_key);
	SET(CURLOPT_PASSWORD, s3->secret_key);
	SET(CURLOPT_HTTPHEADER, h);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, a);
	SET(CURLOPT_FILETIME, 1L);
	if (strcmp(r->method, "HEAD") == 0)
		SET(CURLOPT_NOBODY, 1L);
	else if (strcmp(r->method, "DELETE") == 0)
		SET(CURLOPT_CUSTOMREQUEST, "DELETE");
	else if (strcmp(r->method, "PUT") == 0) {
		SET(CURLOPT_UPLOAD, 1L);
		SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->size);
		SET(CURLOPT_READFUNCTION, on_read);
		SET(CURLOPT_READDATA, r);
		SET(CURLOPT_SEEKFUNCTION, on_seek);
		SET(CURLOPT_SEEKDATA, r);
	}
	return rc;
}

#undef SET

/* What came back, once curl is done: status, length, time, Code. */
static void
collect(struct mv_s3_req *r, struct answer *a)
{
	curl_off_t cl = -1, ft = -1;

	curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(a->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	curl_easy_getinfo(a->curl, CURLINFO_FILETIME_T, &ft);
	r->length = cl;
	r->mtime = ft;
	if (r->status != r->want)
		mv_s3_error_code(mv_buf_str(&a->body), a->body.len, r->code,
		    sizeof(r->code));
}

/* A transfer that ended without a whole answer. */
static int
transfer_fail(const struct mv_s3 *s3, const struct mv_s3_req *r,
    CURLcode rc, const char *errbuf, struct mv_err *err)
{
	const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);

	if (r->cb.code != MV_OK)
		return mv_err_pass(err, &r->cb);
	if (r->over)
		return mv_fail(err, MV_EIO, "the object store sent more than "
		    "%llu bytes for %s", (unsigned long long)r->max, r->what);
	if (r->status == 0)
		return mv_fail(err, MV_EUNAVAIL, "the object store at %s is "
		    "unreachable: %s", s3->endpoint, why);
	return mv_fail(err, MV_EUNAVAIL, "the object store at %s failed "
	    "during %s: %s", s3->endpoint, r->what, why);
}

void
mv_s3_req_init(struct mv_s3_req *r, const char *method, const char *key,
    char *what, size_t whatsz)
{
	char shown[160];

	memset(r, 0, sizeof(*r));
	r->method = method;
	r->key = key;
	r->sha256_hex = S3_EMPTY_SHA256;
	r->want = 200;
	r->max = MV_S3_SMALL_MAX_BYTES;	/* dropped, but bounded */
	if (key != NULL)
		snprintf(what, whatsz, "%s of \"%s\"", method,
		    mv_s3_shown(key, shown, sizeof(shown)));
	else
		snprintf(what, whatsz, "%s of the bucket", method);
	r->what = what;
}

int
mv_s3_perform(struct mv_s3 *s3, struct mv_s3_req *r, struct mv_err *err)
{
	struct mv_buf url = MV_BUF_BOUNDED(MV_S3_URL_MAX_BYTES);
	struct answer a = { r, NULL, MV_BUF_BOUNDED(MV_S3_SMALL_MAX_BYTES) };
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = NULL;
	CURLcode rc;
	int ret = -1;

	r->status = 0;
	r->length = r->mtime = -1;
	r->code[0] = '\0';
	r->got = r->sent = 0;
	r->over = false;
	mv_err_clear(&r->cb);
	if (handle(s3, err) == -1 ||
	    mv_buf_puts(&url, s3->endpoint, err) == -1 ||
	    mv_s3_path(s3, r->key, &url, err) == -1 ||
	    (r->query != NULL && (mv_buf_putc(&url, '?', err) == -1 ||
	    mv_buf_puts(&url, r->query, err) == -1)))
		goto fail;
	a.curl = s3->curl;
	if ((h = headers(r)) == NULL) {
		mv_fail(err, MV_ENOMEM, "out of memory for request headers");
		goto fail;
	}
	if ((rc = setup(s3, r, mv_buf_str(&url), h, &a, errbuf)) != CURLE_OK) {
		mv_fail(err, rc == CURLE_OUT_OF_MEMORY ? MV_ENOMEM : MV_ECONFIG,
		    "libcurl cannot make an S3 request: %s",
		    curl_easy_strerror(rc));
		goto fail;
	}
	rc = curl_easy_perform(s3->curl);
	collect(r, &a);
	if (rc != CURLE_OK) {
		transfer_fail(s3, r, rc, errbuf, err);
		goto fail;
	}
	ret = 0;
fail:
	curl_slist_free_all(h);
	mv_buf_free(&a.body);
	mv_buf_free(&url);
	return ret;
}

int
mv_s3_status_fail(const struct mv_s3 *s3, const struct mv_s3_req *r,
    struct mv_err *err)
{
	char st[S3_CODE_MAX + 16];	/* "403 SignatureDoesNotMatch", "403" */

	snprintf(st, sizeof(st), "%ld%s%s", r->status, r->code[0] != '\0' ?
	    " " : "", r->code);
	if (r->status == 403)
		return mv_fail(err, MV_EUNAVAIL, "the object store refused "
		    "modvault's credentials (%s to %s)", st, r->what);
	if (r->status == 404 && (r->key == NULL ||
	    strcmp(r->code, "NoSuchBucket") == 0))
		return mv_fail(err, MV_EUNAVAIL, "the object store has no "
		    "bucket \"%s\"", s3->bucket);
	if (r->status >= 500 || r->status == 429 ||
	    strcmp(r->code, "SlowDown") == 0)
		return mv_fail(err, MV_EUNAVAIL, "the object store at %s "
		    "failed: %s to %s", s3->endpoint, st, r->what);
	return mv_fail(err, MV_EIO, "the object store answered %s to %s", st,
	    r->what);
}
