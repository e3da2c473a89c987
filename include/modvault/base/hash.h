/*
 * hash.h: SHA-256 (libcrypto), hex and Base64, and Go's "h1:" directory
 * hash (spec hashes.md, H-1 to H-3).
 */
#ifndef MODVAULT_HASH_H
#define MODVAULT_HASH_H

#include <stddef.h>

#include "modvault/base/err.h"

#define MV_SHA256_LEN	32
#define MV_SHA256_HEX	64	/* hex digits, without NUL */
#define MV_H1_LEN	47	/* "h1:" + 44 Base64 characters, without NUL */

struct mv_sha256;	/* opaque streaming context */

struct mv_sha256 *mv_sha256_new(struct mv_err *err);
int	 mv_sha256_update(struct mv_sha256 *c, const void *p, size_t n,
	    struct mv_err *err);
/* Writes the digest and resets the context for reuse. */
int	 mv_sha256_final(struct mv_sha256 *c, unsigned char out[MV_SHA256_LEN],
	    struct mv_err *err);
void	 mv_sha256_free(struct mv_sha256 *c);
/* One-shot digest of a memory block. */
int	 mv_sha256(const void *p, size_t n, unsigned char out[MV_SHA256_LEN],
	    struct mv_err *err);

/* Lowercase hex: out holds MV_SHA256_HEX + 1 bytes (H-6.2). */
void	 mv_hex(const unsigned char *p, size_t n, char *out);
/* The value of one hex digit (either case), or -1. */
int	 mv_hex_value(char c);
/* Parses 64 lowercase hex digits; -1 on anything else. */
int	 mv_unhex_sha256(const char *hex, unsigned char out[MV_SHA256_LEN]);
/* Standard Base64 with padding; out holds 4 * ((n + 2) / 3) + 1 bytes. */
void	 mv_base64(const unsigned char *p, size_t n, char *out);

/*
 * H-1: an accumulator of (name, SHA-256 of content) pairs.  Names are
 * copied.  mv_h1_finish sorts them by bytes (H-1.2), refuses a name with a
 * newline (H-1.3) and writes "h1:..." (MV_H1_LEN + 1 bytes with NUL).
 */
struct mv_h1;

struct mv_h1	*mv_h1_new(struct mv_err *err);
int	 mv_h1_add(struct mv_h1 *h, const char *name,
	    const unsigned char digest[MV_SHA256_LEN], struct mv_err *err);
int	 mv_h1_add_data(struct mv_h1 *h, const char *name, const void *p,
	    size_t n, struct mv_err *err);
int	 mv_h1_finish(struct mv_h1 *h, char out[MV_H1_LEN + 1],
	    struct mv_err *err);
void	 mv_h1_free(struct mv_h1 *h);

/* H-3: the hash of a go.mod (one file named "go.mod"). */
int	 mv_h1_gomod(const void *p, size_t n, char out[MV_H1_LEN + 1],
	    struct mv_err *err);

#endif
