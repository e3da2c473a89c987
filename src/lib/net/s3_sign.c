/*
 * s3_sign.c: presigned GET URLs, by AWS Signature V4 query signing (see
 * s3.h).  libcurl signs requests but makes no URLs, so this is the one
 * place that derives a signing key: HMAC-SHA256 from libcrypto, over the
 * canonical request SigV4 defines.  The derived keys are wiped after use;
 * the signature goes into the URL only, never into a message.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "modvault/base/hash.h"
#include "s3_priv.h"

/* SigV4's longest validity: seven days. */
#define MAX_EXPIRES	604800L

/* out = HMAC-SHA256(key, s); -1 when libcrypto fails. */
static int
hmac(const unsigned char *key, size_t keylen, const char *s,
    unsigned char out[MV_SHA256_LEN])
{
	unsigned int n = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)s,
	    strlen(s), out, &n) == NULL || n != MV_SHA256_LEN)
		return -1;
	return 0;
}

/*
 * The signature, as hex, of sts: HMAC over the key derived from the
 * secret for day (YYYYMMDD), region and the s3 service.
 */
static int
sign(const struct mv_s3 *s3, const char *day, const char *sts,
    char hex[MV_SHA256_HEX + 1], struct mv_err *err)
{
	unsigned char k[MV_SHA256_LEN], sig[MV_SHA256_LEN];
	char first[4 + 256 + 1];
	int rc;

	snprintf(first, sizeof(first), "AWS4%s", s3->secret_key);
	rc = hmac((unsigned char *)first, strlen(first), day, k) == -1 ||
	    hmac(k, sizeof(k), s3->region, k) == -1 ||
	    hmac(k, sizeof(k), "s3", k) == -1 ||
	    hmac(k, sizeof(k), "aws4_request", k) == -1 ||
	    hmac(k, sizeof(k), sts, sig) == -1 ? -1 : 0;
	OPENSSL_cleanse(first, sizeof(first));
	OPENSSL_cleanse(k, sizeof(k));
	if (rc == -1)
		return mv_fail(err, MV_ENOMEM, "libcrypto cannot compute "
		    "HMAC-SHA256");
	mv_hex(sig, sizeof(sig), hex);
	return 0;
}

/*
 * The canonical request of a presigned GET: the path and query as sent,
 * the host header alone signed, the payload not (the client fetching the
 * URL sends none).  Its SHA-256 in hex goes to hex.
 */
static int
canonical_hash(const struct mv_s3 *s3, const char *path, const char *query,
    char hex[MV_SHA256_HEX + 1], struct mv_err *err)
{
	struct mv_buf c = MV_BUF_BOUNDED(MV_S3_URL_MAX_BYTES);
	unsigned char d[MV_SHA256_LEN];
	int rc;

	rc = mv_buf_printf(&c, err, "GET\n%s\n%s\nhost:%s\n\nhost\n"
	    "UNSIGNED-PAYLOAD", path, query, s3->host) == -1 ||
	    mv_sha256(c.data, c.len, d, err) == -1 ? -1 : 0;
	mv_buf_free(&c);
	if (rc == 0)
		mv_hex(d, sizeof(d), hex);
	return rc;
}

/* The query's X-Amz-* parameters but the signature, canonical. */
static int
presign_query(const struct mv_s3 *s3, const char *day, const char *stamp,
    long expires, struct mv_buf *q, struct mv_err *err)
{
	char cred[512], exp[24];
	struct mv_s3_param p[] = {
		{ "X-Amz-Algorithm", "AWS4-HMAC-SHA256" },
		{ "X-Amz-Credential", cred },
		{ "X-Amz-Date", stamp },
		{ "X-Amz-Expires", exp },
		{ "X-Amz-SignedHeaders", "host" },
	};

	snprintf(cred, sizeof(cred), "%s/%s/%s/s3/aws4_request",
	    s3->access_key, day, s3->region);
	snprintf(exp, sizeof(exp), "%ld", expires);
	return mv_s3_query(p, sizeof(p) / sizeof(p[0]), q, err);
}

int
mv_s3_presign(struct mv_s3 *s3, const char *key, int64_t now, long expires,
    char *url, size_t urlsz, struct mv_err *err)
{
	struct mv_buf path = MV_BUF_BOUNDED(MV_S3_URL_MAX_BYTES);
	struct mv_buf q = MV_BUF_BOUNDED(MV_S3_URL_MAX_BYTES);
	char day[16], stamp[32], sts[256], creq[MV_SHA256_HEX + 1];
	char sig[MV_SHA256_HEX + 1];
	time_t t = (time_t)now;
	struct tm tm;
	int rc = -1, n;

	if (expires < 1 || expires > MAX_EXPIRES)
		return mv_fail(err, MV_EINVAL, "a presigned URL lasts 1 to %ld "
		    "seconds, not %ld", MAX_EXPIRES, expires);
	if (gmtime_r(&t, &tm) == NULL || strftime(day, sizeof(day), "%Y%m%d",
	    &tm) != 8 || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ",
	    &tm) != 16)
		return mv_fail(err, MV_EINVAL, "time %lld is out of range",
		    (long long)now);
	if (mv_s3_path(s3, key, &path, err) == -1 ||
	    presign_query(s3, day, stamp, expires, &q, err) == -1 ||
	    canonical_hash(s3, mv_buf_str(&path), mv_buf_str(&q), creq,
	    err) == -1)
		goto fail;
	snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/"
	    "aws4_request\n%s", stamp, day, s3->region, creq);
	if (sign(s3, day, sts, sig, err) == -1)
		goto fail;
	n = snprintf(url, urlsz, "%s%s?%s&X-Amz-Signature=%s", s3->endpoint,
	    mv_buf_str(&path), mv_buf_str(&q), sig);
	if (n < 0 || (size_t)n >= urlsz) {
		if (urlsz > 0)
			url[0] = '\0';
		mv_fail(err, MV_ELIMIT, "a presigned URL needs %d bytes, more "
		    "than %zu", n, urlsz);
		goto fail;
	}
	rc = 0;
fail:
	mv_buf_free(&path);
	mv_buf_free(&q);
	return rc;
}
