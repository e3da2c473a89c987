/*
 * s3_priv.h: what the files of the S3 client share (s3.c, s3_http.c,
 * s3_list.c, s3_sign.c, mv_s3_encode.c); nothing outside src/lib/net/
 * includes it.
 *
 * s3.c holds the public object operations, s3_http.c the one request on
 * the kept curl handle (and the mapping of its failures), s3_list.c
 * ListObjectsV2, s3_sign.c presigned URLs, mv_s3_encode.c the encodings SigV4
 * requires of paths and queries.  The XML of listings and error bodies is
 * read by s3_xml.c (s3_xml.h), which is pure so a fuzz target can call it.
 */
#ifndef MODVAULT_S3_PRIV_H
#define MODVAULT_S3_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/net/s3.h"

/* The SHA-256 of no bytes: the payload hash of GET, HEAD and DELETE. */
#define S3_EMPTY_SHA256	\
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* An S3 error Code ("NoSuchKey") kept to explain a failure. */
#define S3_CODE_MAX	64

struct mv_s3 {
	/* Copies of the configuration (mv_s3_open checked them). */
	char	*endpoint;	/* scheme://host[:port], no trailing '/' */
	char	*host;		/* host[:port] as curl sends it in Host */
	char	*bucket;
	char	*region;
	char	*prefix;	/* "" or ending in '/' */
	char	*access_key;
	char	*secret_key;	/* never in a message */
	char	*sigv4;		/* "aws:amz:REGION:s3" for CURLOPT_AWS_SIGV4 */
	long	 connect_timeout, timeout, stall_timeout;
	void	*curl;		/* the kept CURL handle; made on first use */
};

/*
 * One request, described by the caller of mv_s3_perform and filled in by it.
 * Received bytes go to write only when the status is want (a ranged GET
 * must not hand a 200's whole object to a caller that asked for a part);
 * any other answer's body is kept, bounded, to read its error Code.
 */
struct mv_s3_req {
	const char	*method;	/* "GET", "HEAD", "PUT" or "DELETE" */
	const char	*key;		/* under the prefix; NULL: the bucket */
	const char	*query;		/* canonical (mv_s3_query) or NULL */
	const char	*sha256_hex;	/* of the payload; NULL: unsigned */
	const char	*range;		/* a Range header value, or NULL */
	bool		 create_only;	/* If-None-Match: * */
	const char	*what;		/* for messages: "GET of \"KEY\"" */
	long		 want;		/* the status whose body is data */

	mv_s3_write_fn	 write;		/* may be NULL: the body is dropped */
	void		*write_ctx;
	uint64_t	 max;		/* bytes write may be given */
	uint64_t	 got;		/* bytes write took */

	mv_s3_read_fn	 read;		/* PUT only */
	void		*read_ctx;
	int		(*rewind)(void *ctx);	/* may be NULL: cannot */
	uint64_t	 size;		/* bytes read must supply */
	uint64_t	 sent;

	/* What came back. */
	long		 status;	/* 0: no answer */
	int64_t		 length;	/* Content-Length, -1 if none */
	int64_t		 mtime;		/* Last-Modified, -1 if none */
	char		 code[S3_CODE_MAX];	/* error Code, or "" */
	bool		 over;		/* more than max bytes came */
	struct mv_err	 cb;		/* a callback's own failure */
};

/*
 * s3_http.c.  A request of method on key (NULL: the bucket): the empty
 * payload's hash, want 200, a bounded body dropped, and r->what written
 * to what ("GET of \"KEY\"", "HEAD of the bucket").
 */
void	 mv_s3_req_init(struct mv_s3_req *r, const char *method,
	    const char *key, char *what, size_t whatsz);
/*
 * Performs r on the kept handle: 0 when an answer arrived,
 * whatever its status (r->status, r->code); -1 when none did (MV_EUNAVAIL:
 * unreachable, cut or timed out), more than r->max bytes came (MV_EIO), or
 * a callback failed (its own error).
 */
int	 mv_s3_perform(struct mv_s3 *s3, struct mv_s3_req *r,
	    struct mv_err *err);
/*
 * Fails with what an unwanted status means: 403 refused credentials, 404
 * NoSuchBucket the missing bucket, 5xx, 429 and 503 SlowDown an
 * unavailable store (all MV_EUNAVAIL); anything else MV_EIO.
 */
int	 mv_s3_status_fail(const struct mv_s3 *s3, const struct mv_s3_req *r,
	    struct mv_err *err);
void	 mv_s3_curl_free(struct mv_s3 *s3);

/*
 * mv_s3_encode.c.  Appends s[0..n) to out with every byte outside
 * A-Za-z0-9-._~ (and '/' unless keep_slash) as %XX, upper-case: SigV4's
 * UriEncode, which the gateway applies to the path and query it checks.
 */
int	 mv_s3_encode(const char *s, size_t n, bool keep_slash,
	    struct mv_buf *out, struct mv_err *err);

/* One query parameter; value NULL is written "name=". */
struct mv_s3_param {
	const char	*name;
	const char	*value;
};

/*
 * Appends the canonical query of p[0..n) to out: sorted by name (p is
 * sorted in place), names and values encoded, joined by '&'.
 */
int	 mv_s3_query(struct mv_s3_param *p, size_t n, struct mv_buf *out,
	    struct mv_err *err);
/*
 * Checks a key (relative to the prefix): not empty, prefix + key at most
 * MV_S3_KEY_MAX_BYTES, no control byte, no "." or ".." element (which
 * HTTP software may fold away).  MV_EINVAL or MV_ELIMIT.
 */
int	 mv_s3_key_check(const struct mv_s3 *s3, const char *key,
	    struct mv_err *err);
/* Appends "/BUCKET" or "/BUCKET/PREFIXKEY", encoded, to out. */
int	 mv_s3_path(const struct mv_s3 *s3, const char *key, struct mv_buf *out,
	    struct mv_err *err);
/* A key made safe to quote in a message (cut to fit out). */
const char *mv_s3_shown(const char *key, char *out, size_t outsz);

#endif
