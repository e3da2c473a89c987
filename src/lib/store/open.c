/* open.c: opening the store a configuration describes (see index.h). */
/*
 * storage = dir is mv_store_open.  storage = s3 is the same index and
 * staging area in data_dir, the node's view, with blobs in the bucket and
 * a cache of them in data_dir/cache; the S3 client is the store's, shared
 * by the blob backend and the shared manifests and claims (shared.h).
 */
#include <stdio.h>
#include <string.h>

#include "modvault/net/s3.h"
#include "blob_s3.h"
#include "index_priv.h"

/* How long a presigned zip URL works: enough for one slow download. */
#define PRESIGN_SECONDS		3600
/* A claim older than this is a dead node's: taken over. */
#define MIN_CLAIM_LEASE		60

static int
open_bucket(struct mv_store *st, const struct mv_config *cfg, int flags,
    struct mv_err *err)
{
	char ak[256], sk[512];
	struct mv_s3_config c = {
		.endpoint = cfg->s3.endpoint, .bucket = cfg->s3.bucket,
		.region = cfg->s3.region, .prefix = cfg->s3.prefix,
		.access_key = ak, .secret_key = sk,
		.connect_timeout = cfg->connect_timeout,
		.timeout = cfg->upstream_timeout > 600 ? cfg->upstream_timeout :
		    600,
		.stall_timeout = cfg->stall_timeout,
	};
	struct mv_blobs3_opts o = {
		.redirect = cfg->zip_delivery == MV_ZIP_DELIVERY_REDIRECT,
		.presign_seconds = PRESIGN_SECONDS,
		.cache_max_bytes = cfg->cache_max_bytes,
	};
	int rc;

	if (mv_config_s3_credentials(cfg, ak, sizeof(ak), sk, sizeof(sk),
	    err) == -1)
		return -1;
	rc = mv_s3_open(&c, &st->s3, err);
	memset(sk, 0, sizeof(sk));
	if (rc == -1)
		return -1;
	/* init says at once what is wrong with the bucket. */
	if ((flags & MV_STORE_CREATE) && mv_s3_check(st->s3, err) == -1)
		return -1;
	snprintf(st->blobs_name, sizeof(st->blobs_name), "cache");
	st->claim_lease = cfg->upstream_timeout + MIN_CLAIM_LEASE;
	return mv_blobs3_open(st->dir, st->s3, st->stage, &o,
	    flags & MV_STORE_CREATE, &st->blobs, err);
}

int
mv_store_open_config(const struct mv_config *cfg, int flags,
    struct mv_store **stp, struct mv_err *err)
{
	struct mv_store *st;

	if (cfg->storage == MV_STORAGE_DIR) {
		if (mv_store_open(cfg->data_dir, flags, &st, err) == -1)
			return -1;
	} else if (mv_store_open_index(cfg->data_dir, flags, true, &st,
	    err) == -1)
		/* Reading a blob may mean downloading it: a staging area. */
		return -1;
	else if (open_bucket(st, cfg, flags, err) == -1)
		goto fail;
	if (mv_store_tree_attach(st, cfg, flags & MV_STORE_READONLY,
	    err) == -1)
		goto fail;
	*stp = st;
	return 0;
fail:
	mv_store_close(st);
	return -1;
}
