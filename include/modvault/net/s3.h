/*
 * s3.h: an S3-compatible object store client (libcurl, AWS Signature V4).
 *
 * Requests are path-style (endpoint/bucket/prefix+key) and signed by
 * libcurl (CURLOPT_AWS_SIGV4), with the three things it leaves to the
 * caller done here: the x-amz-content-sha256 header (the payload's real
 * SHA-256 when known, else UNSIGNED-PAYLOAD), every byte of the key
 * outside A-Za-z0-9-._~ and '/' percent-encoded, and the query string in
 * canonical form (names sorted, values encoded, "name=" for a bare name).
 * Presigned GET URLs (SigV4 query signing) are computed here with
 * libcrypto's HMAC-SHA256: libcurl does not make them.  ListObjectsV2
 * answers are read with expat.
 *
 * One curl handle per client, kept for the life of the process, so
 * connections are reused.  Every transfer is bounded: connect and total
 * timeouts, a low-speed abort, a byte limit on what is received.
 *
 * Keys given to these functions are relative to the configured prefix
 * ("blobs/ab/cd/abcd..."); the client prepends the prefix.  A key is at
 * most MV_S3_KEY_MAX_BYTES with the prefix (else MV_ELIMIT) and never
 * empty; one holding a control byte, or a "." or ".." element (which HTTP
 * software may fold away), is refused (MV_EINVAL).
 *
 * Errors: the object store is part of modvault's store, never an
 * "upstream": absent object MV_ENOTFOUND; an unreachable or failing
 * gateway (connection, timeout, 5xx) MV_EUNAVAIL; refused credentials or a
 * missing bucket MV_EUNAVAIL naming which (so /healthz can say it); an
 * answer over a byte limit or malformed MV_EIO, as is any other status the
 * operation does not expect; bytes that do not match the SHA-256 signed
 * for them MV_ECORRUPT; local failures as usual.  Messages never contain
 * the secret key or a signature.
 */
#ifndef MODVAULT_S3_H
#define MODVAULT_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/err.h"

struct mv_s3_config {
	const char	*endpoint;	/* scheme://host[:port], no path */
	const char	*bucket;
	const char	*region;	/* e.g. "us-east-1" */
	const char	*prefix;	/* "" or ending in '/' */
	const char	*access_key;
	const char	*secret_key;
	long		 connect_timeout;	/* seconds */
	long		 timeout;		/* seconds, whole transfer */
	long		 stall_timeout;		/* seconds under 1 KiB/s */
};

struct mv_s3;

/*
 * Copies what it needs of c (strings included); checks nothing remote.
 * MV_ECONFIG for a setting that could not make a sound URL, credential
 * scope or header (the endpoint must be http[s]://host[:port], the bucket
 * 1 to 63 of [A-Za-z0-9._-], the prefix "" or "a/b/"), or a timeout that
 * is not positive: every transfer is bounded.
 */
int	 mv_s3_open(const struct mv_s3_config *c, struct mv_s3 **s3,
	    struct mv_err *err);
void	 mv_s3_close(struct mv_s3 *s3);

/*
 * HEAD of the bucket: 0 when it exists and the credentials are accepted;
 * else MV_EUNAVAIL saying which: "the object store at URL is unreachable:
 * ...", "the object store refused modvault's credentials (403 ...)", "the
 * object store has no bucket \"NAME\"".
 */
int	 mv_s3_check(struct mv_s3 *s3, struct mv_err *err);

/*
 * HEAD of an object: its size and Last-Modified (unix seconds, -1 when
 * the gateway sends none); either pointer may be NULL.  MV_ENOTFOUND when
 * absent; a HEAD answer has no body, so a missing bucket looks the same
 * here (mv_s3_check tells).
 */
int	 mv_s3_head(struct mv_s3 *s3, const char *key, uint64_t *size,
	    int64_t *mtime, struct mv_err *err);

/*
 * Receives bytes of a GET; -1 (with err) stops the transfer and becomes
 * its result.
 */
typedef int (*mv_s3_write_fn)(void *ctx, const void *p, size_t n,
	    struct mv_err *err);

/*
 * GETs len bytes at off (len 0: to the end) of an object into fn, failing
 * with MV_EIO if more than max bytes arrive.  *got (may be NULL) counts
 * what fn took.  A range that starts at or past the end is MV_EINVAL; one
 * that runs past it gets the bytes there are.  Only the bytes asked for
 * reach fn: a gateway that answers a ranged GET with the whole object
 * fails it (MV_EIO).
 */
int	 mv_s3_get(struct mv_s3 *s3, const char *key, uint64_t off,
	    uint64_t len, uint64_t max, mv_s3_write_fn fn, void *ctx,
	    uint64_t *got, struct mv_err *err);

/*
 * Supplies bytes for a PUT: up to n at p, *got of them (0 only at the
 * end); -1 (with err) aborts the upload.
 */
typedef int (*mv_s3_read_fn)(void *ctx, void *p, size_t n, size_t *got,
	    struct mv_err *err);

/*
 * PUTs size bytes from fn as key.  sha256_hex, when not NULL, is the
 * SHA-256 of those bytes, 64 lower-case hex digits (signed: the gateway
 * refuses other bytes, MV_ECORRUPT); else the payload is
 * UNSIGNED-PAYLOAD.  fn must supply all size bytes (ending early is
 * MV_EIO, and the upload is abandoned).  create_only sends
 * "If-None-Match: *": when the key exists (412) nothing is written and
 * *created is false.  created may be NULL.  An upload that fails or is
 * cut leaves no object (S3 makes an object visible only whole).
 */
int	 mv_s3_put(struct mv_s3 *s3, const char *key, uint64_t size,
	    const char *sha256_hex, bool create_only, mv_s3_read_fn fn,
	    void *ctx, bool *created, struct mv_err *err);
/* The same from memory (its SHA-256 computed and signed). */
int	 mv_s3_put_mem(struct mv_s3 *s3, const char *key, const void *p,
	    size_t n, bool create_only, bool *created, struct mv_err *err);

/* DELETE (an absent key is success: S3 answers 204 either way). */
int	 mv_s3_delete(struct mv_s3 *s3, const char *key, struct mv_err *err);

/*
 * Told each object of a listing: its key (relative to the configured
 * prefix), size and Last-Modified; a non-zero return stops the walk and
 * becomes its result (fn fills its own error).
 */
typedef int (*mv_s3_list_fn)(void *ctx, const char *key, uint64_t size,
	    int64_t mtime);

/*
 * ListObjectsV2 of every key starting with prefix (relative to the
 * configured one), in key order, following continuation tokens.  With
 * delimiter (may be NULL) the common prefixes come to fn as keys ending
 * in the delimiter, size 0.  A key equal to the configured prefix (a
 * "folder" object) is skipped: no key relative to it names it.  A page
 * that is malformed, out of order or outside the prefix is MV_EIO.
 */
int	 mv_s3_list(struct mv_s3 *s3, const char *prefix,
	    const char *delimiter, mv_s3_list_fn fn, void *ctx,
	    struct mv_err *err);

/*
 * A presigned GET URL for key (SigV4 query signing), valid for expires
 * seconds from now (unix seconds): what a client may fetch directly.
 * expires is 1 to 604800 (SigV4's seven days), else MV_EINVAL; a URL that
 * does not fit urlsz bytes is MV_ELIMIT.  Only the Host header is signed.
 */
int	 mv_s3_presign(struct mv_s3 *s3, const char *key, int64_t now,
	    long expires, char *url, size_t urlsz, struct mv_err *err);

#endif
