/*
 * s3.c: the S3 client's handle and its object operations (see s3.h).
 *
 * Each operation describes one request (struct mv_s3_req), has s3_http.c
 * perform it, and reads the status: the statuses an operation expects are
 * decided here, the rest by mv_s3_status_fail.  The configuration is
 * checked once, when the handle is opened, so a request never meets a
 * value that could break its URL or its signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/hash.h"
#include "s3_priv.h"

static bool
all_of(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

#define ALNUM	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/*
 * The endpoint is scheme://host[:port] and nothing else: a path, a query
 * or user:password@ would be signed and sent where nobody meant them to.
 * (The message does not repeat it: it might hold a password.)  Sets
 * s3->endpoint (no trailing '/') and s3->host.
 */
static int
take_endpoint(struct mv_s3 *s3, const char *url, struct mv_err *err)
{
	const char *host = strstr(url, "://");
	size_t n = strlen(url);

	if (n > 0 && url[n - 1] == '/')
		n--;
	if (host == NULL || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) || host + 3 >= url + n ||
	    strcspn(host + 3, "/?#@ ") < (size_t)(url + n - host - 3) ||
	    n > MV_CONFIG_VALUE_MAX_BYTES)
		return mv_fail(err, MV_ECONFIG, "s3 endpoint: not "
		    "http[s]://host[:port] (no path, query or user@)");
	if ((s3->endpoint = strndup(url, n)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	host = s3->endpoint + (host + 3 - url);
	n = strlen(host);
	/* curl leaves a scheme's default port out of Host; so must we. */
	if ((strncmp(url, "http:", 5) == 0 && n > 3 &&
	    strcmp(host + n - 3, ":80") == 0) ||
	    (strncmp(url, "https:", 6) == 0 && n > 4 &&
	    strcmp(host + n - 4, ":443") == 0))
		n = (size_t)(strrchr(host, ':') - host);
	if ((s3->host = strndup(host, n)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	return 0;
}

/* Printable ASCII, space included. */
static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/*
 * What each setting may hold: what goes into a URL, a credential scope
 * ("AK/day/region/s3/aws4_request", so no '/' in the access key) or a
 * header (no ',' there either).
 */
static int
check_config(const struct mv_s3_config *c, struct mv_err *err)
{
	size_t n;

	if (c->endpoint == NULL)
		return mv_fail(err, MV_ECONFIG, "s3 endpoint: missing");
	if (c->bucket == NULL || (n = strlen(c->bucket)) == 0 || n > 63 ||
	    !all_of(c->bucket, ALNUM "._-"))
		return mv_fail(err, MV_ECONFIG, "s3 bucket: 1 to 63 letters, "
		    "digits, '.', '_' or '-'");
	if (c->region == NULL || (n = strlen(c->region)) == 0 || n > 64 ||
	    !all_of(c->region, ALNUM "_-"))
		return mv_fail(err, MV_ECONFIG, "s3 region: 1 to 64 letters, "
		    "digits, '_' or '-'");
	if (c->prefix == NULL || ((n = strlen(c->prefix)) > 0 &&
	    (c->prefix[n - 1] != '/' || c->prefix[0] == '/')) ||
	    n >= MV_S3_KEY_MAX_BYTES)
		return mv_fail(err, MV_ECONFIG, "s3 prefix: empty, or not "
		    "starting but ending with '/'");
	if (c->access_key == NULL || c->access_key[0] == '\0' ||
	    strlen(c->access_key) > 128 || !all_of(c->access_key, ALNUM
	    "!#$%&'*+-.^_`|~=:"))
		return mv_fail(err, MV_ECONFIG, "s3 access key: missing or "
		    "not a printable token");
	if (c->secret_key == NULL || c->secret_key[0] == '\0' ||
	    strlen(c->secret_key) > 256 || !printable(c->secret_key))
		return mv_fail(err, MV_ECONFIG, "s3 secret key: missing, too "
		    "long or not printable ASCII");
	if (c->connect_timeout <= 0 || c->timeout <= 0 ||
	    c->stall_timeout <= 0)
		return mv_fail(err, MV_ECONFIG, "s3: every timeout must be "
		    "positive (every transfer is bounded)");
	return 0;
}

static char *
dup_or_null(const char *s, bool *oom)
{
	char *d = strdup(s);

	*oom |= d == NULL;
	return d;
}

int
mv_s3_open(const struct mv_s3_config *c, struct mv_s3 **s3p,
    struct mv_err *err)
{
	struct mv_s3 *s3;
	bool oom = false;
	char sigv4[100];

	if (check_config(c, err) == -1)
		return -1;
	if ((s3 = calloc(1, sizeof(*s3))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	if (take_endpoint(s3, c->endpoint, err) == -1) {
		mv_s3_close(s3);
		return -1;
	}
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", c->region);
	s3->bucket = dup_or_null(c->bucket, &oom);
	s3->region = dup_or_null(c->region, &oom);
	s3->prefix = dup_or_null(c->prefix, &oom);
	s3->access_key = dup_or_null(c->access_key, &oom);
	s3->secret_key = dup_or_null(c->secret_key, &oom);
	s3->sigv4 = dup_or_null(sigv4, &oom);
	s3->connect_timeout = c->connect_timeout;
	s3->timeout = c->timeout;
	s3->stall_timeout = c->stall_timeout;
	if (oom) {
		mv_s3_close(s3);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	*s3p = s3;
	return 0;
}

void
mv_s3_close(struct mv_s3 *s3)
{
	if (s3 == NULL)
		return;
	mv_s3_curl_free(s3);
	if (s3->secret_key != NULL)
		memset(s3->secret_key, 0, strlen(s3->secret_key));
	free(s3->endpoint);
	free(s3->host);
	free(s3->bucket);
	free(s3->region);
	free(s3->prefix);
	free(s3->access_key);
	free(s3->secret_key);
	free(s3->sigv4);
	free(s3);
}

int
mv_s3_check(struct mv_s3 *s3, struct mv_err *err)
{
	struct mv_s3_req r;
	char what[200];

	mv_s3_req_init(&r, "HEAD", NULL, what, sizeof(what));
	if (mv_s3_perform(s3, &r, err) == -1)
		return -1;
	if (r.status != 200)
		return mv_s3_status_fail(s3, &r, err);
	return 0;
}

/* The quoted key of r->what ("GET of \"KEY\""). */
static const char *
quoted(const struct mv_s3_req *r)
{
	return r->what + strlen(r->method) + strlen(" of ");
}

/* 404 on an object: no such key (HEAD answers carry no Code to tell). */
static int
absent(const struct mv_s3_req *r, struct mv_err *err)
{
	return mv_fail(err, MV_ENOTFOUND, "no object %s in the object store",
	    quoted(r));
}

int
mv_s3_head(struct mv_s3 *s3, const char *key, uint64_t *size,
    int64_t *mtime, struct mv_err *err)
{
	struct mv_s3_req r;
	char what[200];

	mv_s3_req_init(&r, "HEAD", key, what, sizeof(what));
	if (mv_s3_perform(s3, &r, err) == -1)
		return -1;
	if (r.status == 404 && strcmp(r.code, "NoSuchBucket") != 0)
		return absent(&r, err);
	if (r.status != 200)
		return mv_s3_status_fail(s3, &r, err);
	if (r.length < 0)
		return mv_fail(err, MV_EIO, "the object store gave no size "
		    "for %s", r.what);
	if (size != NULL)
		*size = (uint64_t)r.length;
	if (mtime != NULL)
		*mtime = r.mtime;
	return 0;
}

int
mv_s3_get(struct mv_s3 *s3, const char *key, uint64_t off, uint64_t len,
    uint64_t max, mv_s3_write_fn fn, void *ctx, uint64_t *got,
    struct mv_err *err)
{
	struct mv_s3_req r;
	char what[200], range[64];
	int rc = -1;

	mv_s3_req_init(&r, "GET", key, what, sizeof(what));
	r.write = fn;
	r.write_ctx = ctx;
	r.max = max;
	if (len > 0 && off > UINT64_MAX - len)
		return mv_fail(err, MV_EINVAL, "range past 2^64 for %s", what);
	if (off > 0 || len > 0) {
		if (len > 0)
			snprintf(range, sizeof(range), "bytes=%llu-%llu",
			    (unsigned long long)off,
			    (unsigned long long)(off + len - 1));
		else
			snprintf(range, sizeof(range), "bytes=%llu-",
			    (unsigned long long)off);
		r.range = range;
		r.want = 206;
	}
	if (mv_s3_perform(s3, &r, err) == 0) {
		if (r.status == 404 && strcmp(r.code, "NoSuchBucket") != 0)
			absent(&r, err);
		else if (r.status == 416)
			mv_fail(err, MV_EINVAL, "range beyond the end of %s",
			    quoted(&r));
		else if (r.status != r.want)
			mv_s3_status_fail(s3, &r, err);
		else if (r.length >= 0 && (uint64_t)r.length != r.got)
			mv_fail(err, MV_EUNAVAIL, "the object store sent %llu "
			    "of %lld bytes for %s", (unsigned long long)r.got,
			    (long long)r.length, r.what);
		else
			rc = 0;
	}
	if (got != NULL)
		*got = r.got;
	return rc;
}

/* Is s 64 lower-case hex digits? */
static bool
is_sha256_hex(const char *s)
{
	return strlen(s) == MV_SHA256_HEX && all_of(s, "0123456789abcdef");
}

/* A PUT that is performed: 200 made the object, 412 found one there. */
static int
put_status(const struct mv_s3 *s3, const struct mv_s3_req *r, bool *created,
    struct mv_err *err)
{
	if (r->status == 200) {
		*created = true;
		return 0;
	}
	if (r->status == 412 && r->create_only) {
		*created = false;
		return 0;
	}
	if (r->status == 400 && (strcmp(r->code, "XAmzContentSHA256Mismatch")
	    == 0 || strcmp(r->code, "BadDigest") == 0))
		return mv_fail(err, MV_ECORRUPT, "the object store refused %s: "
		    "the bytes do not match their SHA-256 (%s)", r->what,
		    r->code);
	return mv_s3_status_fail(s3, r, err);
}

/* mv_s3_put, with a source that may start over (NULL: it cannot). */
static int
put(struct mv_s3 *s3, const char *key, uint64_t size, const char *sha256_hex,
    bool create_only, mv_s3_read_fn fn, int (*rewind)(void *), void *ctx,
    bool *created, struct mv_err *err)
{
	struct mv_s3_req r;
	char what[200];
	bool made = false;

	mv_s3_req_init(&r, "PUT", key, what, sizeof(what));
	if (sha256_hex != NULL && !is_sha256_hex(sha256_hex))
		return mv_fail(err, MV_EINVAL, "SHA-256 for %s is not 64 "
		    "lower-case hex digits", what);
	r.sha256_hex = sha256_hex;
	r.create_only = create_only;
	r.read = fn;
	r.read_ctx = ctx;
	r.rewind = rewind;
	r.size = size;
	if (mv_s3_perform(s3, &r, err) == -1 ||
	    put_status(s3, &r, &made, err) == -1)
		return -1;
	if (created != NULL)
		*created = made;
	return 0;
}

int
mv_s3_put(struct mv_s3 *s3, const char *key, uint64_t size,
    const char *sha256_hex, bool create_only, mv_s3_read_fn fn, void *ctx,
    bool *created, struct mv_err *err)
{
	return put(s3, key, size, sha256_hex, create_only, fn, NULL, ctx,
	    created, err);
}

/* A memory block as a PUT's source. */
struct mem {
	const unsigned char	*p;
	size_t			 n, off;
};

static int
mem_read(void *ctx, void *p, size_t n, size_t *got, struct mv_err *err)
{
	struct mem *m = ctx;

	if (n > m->n - m->off)
		n = m->n - m->off;
	memcpy(p, m->p + m->off, n);
	m->off += n;
	*got = n;
	return 0;
}

static int
mem_rewind(void *ctx)
{
	((struct mem *)ctx)->off = 0;
	return 0;
}

int
mv_s3_put_mem(struct mv_s3 *s3, const char *key, const void *p, size_t n,
    bool create_only, bool *created, struct mv_err *err)
{
	unsigned char digest[MV_SHA256_LEN];
	char hex[MV_SHA256_HEX + 1];
	struct mem m = { p, n, 0 };

	if (mv_sha256(p, n, digest, err) == -1)
		return -1;
	mv_hex(digest, sizeof(digest), hex);
	return put(s3, key, n, hex, create_only, mem_read, mem_rewind, &m,
	    created, err);
}

int
mv_s3_delete(struct mv_s3 *s3, const char *key, struct mv_err *err)
{
	struct mv_s3_req r;
	char what[200];

	mv_s3_req_init(&r, "DELETE", key, what, sizeof(what));
	r.want = 204;
	if (mv_s3_perform(s3, &r, err) == -1)
		return -1;
	if (r.status == 204 || r.status == 200 ||
	    (r.status == 404 && strcmp(r.code, "NoSuchKey") == 0))
		return 0;
	return mv_s3_status_fail(s3, &r, err);
}
