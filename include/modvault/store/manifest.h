/*
 * manifest.h: the blob that says what a stored version is, so the blobs
 * alone can rebuild the index (`modvault reindex`).
 *
 * Each stored version has, beside its .info, .mod and .zip blobs, a small
 * text blob naming them: the index row and the manifest hold the same
 * facts, and the index is the fast copy.  Its text, one "key value" line
 * each, in this order and nothing else:
 *
 *   modvault manifest 1
 *   module example.com/m            unescaped module path (GP-3.8 Check)
 *   version v1.2.3                  canonical
 *   time 2023-01-02T03:04:05Z       the .info Time, possibly empty
 *   info <64 hex> <bytes>           the three blobs
 *   mod <64 hex> <bytes>
 *   zip <64 hex> <bytes>
 *   zip-h1 h1:...                   H-2 of the zip
 *   mod-h1 h1:...                   H-3 of the .mod
 *   origin https://proxy.golang.org possibly empty
 *
 * Values are printable ASCII (a byte outside it in time or origin is
 * written as '?'), so the text reads back as itself;
 * the whole text is at most MV_MANIFEST_MAX_BYTES.  A parsed manifest is
 * a claim, not a fact: reindex validates the blobs it names as a fetch
 * would before it commits a row.  It holds nothing that changes with the
 * moment it is written (no fetch time), so two writers of one version
 * write one manifest blob, not two.
 */
#ifndef MODVAULT_MANIFEST_H
#define MODVAULT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/store/index.h"

/* The first line, by which a manifest is told from other blobs. */
#define MV_MANIFEST_MAGIC	"modvault manifest 1\n"

/* The manifest of v (its times and manifest fields are not part of it). */
int	 mv_manifest_format(const struct mv_version *v, struct mv_buf *out,
	    struct mv_err *err);

/*
 * Parses n bytes at p into v (times 0, manifest unset); MV_EINVAL
 * naming the first bad line when the text is not a manifest.
 */
int	 mv_manifest_parse(const char *p, size_t n, struct mv_version *v,
	    struct mv_err *err);

/* Whether n bytes at p start like a manifest (cheap, before parsing). */
bool	 mv_manifest_looks_like(const char *p, size_t n);

/*
 * Stores v's manifest as a blob and sets v->manifest; the row that names
 * it is the caller's to commit (ingest.c).  The text depends only on the
 * row, so writing it again makes the same blob.
 */
int	 mv_store_put_manifest(struct mv_store *st, struct mv_version *v,
	    struct mv_err *err);

/*
 * Gives every row without a manifest (written before schema 5) its
 * manifest: `modvault init` after the upgrade.  *written counts them.
 */
int	 mv_store_backfill_manifests(struct mv_store *st, uint64_t *written,
	    struct mv_err *err);

#endif
