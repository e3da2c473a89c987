/*
 * blobcache.h: small blobs (.info, .mod) kept in a FastCGI process.
 *
 * A blob's name is the SHA-256 of its bytes, so a copy can never go stale:
 * once read and checked it may be served again from memory for the life of
 * the process, saving the file reads and the digest check on every hit.
 * Direct-mapped by the digest's first byte, bounded in entries and bytes.
 */
#ifndef MODVAULT_BLOBCACHE_H
#define MODVAULT_BLOBCACHE_H

#include <stddef.h>

#include "modvault/base/hash.h"
#include "modvault/base/limits.h"

#define MV_BLOBCACHE_SLOTS	64

struct mv_blobcache {
	struct {
		unsigned char	 digest[MV_SHA256_LEN];
		char		*data;		/* NULL: empty slot */
		size_t		 len;
	} slot[MV_BLOBCACHE_SLOTS];
};

/* The cached bytes of digest, or NULL. */
const char	*mv_blobcache_get(const struct mv_blobcache *bc,
		    const unsigned char *digest, size_t *len);
/* Keeps a copy of verified bytes (ignored when too large or no memory). */
void		 mv_blobcache_put(struct mv_blobcache *bc,
		    const unsigned char *digest, const char *data, size_t len);
void		 mv_blobcache_free(struct mv_blobcache *bc);

#endif
