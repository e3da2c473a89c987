/* blobcache.c: the per-process cache of small immutable blobs (blobcache.h). */
#include <stdlib.h>
#include <string.h>

#include "modvault/store/blobcache.h"

const char *
mv_blobcache_get(const struct mv_blobcache *bc, const unsigned char *digest,
    size_t *len)
{
	const unsigned char i = digest[0] % MV_BLOBCACHE_SLOTS;

	if (bc->slot[i].data == NULL ||
	    memcmp(bc->slot[i].digest, digest, MV_SHA256_LEN) != 0)
		return NULL;
	*len = bc->slot[i].len;
	return bc->slot[i].data;
}

void
mv_blobcache_put(struct mv_blobcache *bc, const unsigned char *digest,
    const char *data, size_t len)
{
	const unsigned char i = digest[0] % MV_BLOBCACHE_SLOTS;
	char *copy;

	if (len > MV_BLOBCACHE_ENTRY_MAX_BYTES || (copy = malloc(len + 1)) == NULL)
		return;
	memcpy(copy, data, len);
	free(bc->slot[i].data);
	memcpy(bc->slot[i].digest, digest, MV_SHA256_LEN);
	bc->slot[i].data = copy;
	bc->slot[i].len = len;
}

void
mv_blobcache_free(struct mv_blobcache *bc)
{
	size_t i;

	for (i = 0; i < MV_BLOBCACHE_SLOTS; i++) {
		free(bc->slot[i].data);
		bc->slot[i].data = NULL;
	}
}
