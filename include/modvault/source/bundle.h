/*
 * bundle.h: air-gapped bundles: one tar archive (zstd) that carries
 * module versions, with the checksum database's proof of each, to a node
 * that cannot reach the database.
 *
 * Members, in this order:
 *   MANIFEST                         "modvault-bundle 1", "sumdb NAME"
 *                                    (when a proof is carried), then one
 *                                    "SHA256HEX SIZE NAME" line for each
 *                                    member after it, in archive order
 *   sumdb/NAME/latest                the signed tree head (SD-5)
 *   sumdb/NAME/tile/H/L/N[.p/W]      hash tiles proving it (SD-8)
 *   mod/ESCPATH/@v/ESCVER.info|.mod|.zip|.lookup
 *                                    each version's files and lookup
 *                                    response (SD-3), contiguous
 *
 * Reading never builds a path from a member's name: names are parsed
 * into a tile or a module path and version and checked (GP-2.2); every
 * count and size is bounded (MV_BUNDLE_*).
 */
#ifndef MODVAULT_BUNDLE_H
#define MODVAULT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/source/import.h"
#include "modvault/store/index.h"
#include "modvault/sumdb/sumdbc.h"

#define MV_BUNDLE_MAGIC			"modvault-bundle 1"
#define MV_BUNDLE_MAX_MEMBERS		200000
#define MV_BUNDLE_NAME_MAX_BYTES	1024
#define MV_BUNDLE_MANIFEST_MAX_BYTES	(32u * 1024 * 1024)
#define MV_BUNDLE_TILES_MAX_BYTES	(256u * 1024 * 1024)

/* One manifest line. */
struct mv_bundle_member {
	unsigned char	 digest[32];
	uint64_t	 size;
	char		*name;
};

struct mv_bundle_manifest {
	char			 sumdb[MV_SUMDB_NAME_MAX_BYTES + 1];	/* or "" */
	struct mv_bundle_member	*m;
	size_t			 n;
};

/*
 * Parses a manifest (bounded, strict: the magic line, at most one sumdb
 * line, then members whose names are printable ASCII without "..", of at
 * most MV_BUNDLE_NAME_MAX_BYTES).  MV_ECORRUPT naming the line.
 */
int	 mv_bundle_manifest_parse(const char *text, size_t len,
	    struct mv_bundle_manifest *mf, struct mv_err *err);
void	 mv_bundle_manifest_free(struct mv_bundle_manifest *mf);

/*
 * Writes the n versions v to the bundle file path (created, 0644),
 * zstd-compressed, with the first database of c's proof of each when it
 * is configured: its stored tree head, every authenticated tile stored
 * for it and each version's stored lookup (a version without one is
 * written without and refused by a verifying import).  step, when not
 * NULL, is told of each version written.
 */
int	 mv_bundle_write(struct mv_store *st, struct mv_sumdbc *c,
	    const char *path, const struct mv_version *v, size_t n,
	    void (*step)(void *ctx, const struct mv_version *v), void *ctx,
	    struct mv_err *err);

/*
 * Imports the bundle file path.  With a database configured, the bundle
 * must carry its proof (sumdbc.h, mv_sumdbc_adopt_head): when that fails
 * every version is refused with the reason.  Each version is checked as
 * a fetch is (mv_store_ingest), against the manifest's digests, and
 * against its lookup (SD-9.2, SD-10.1), and stored only if all pass;
 * reported through o as mv_import_tree does.  Fails only when the archive
 * itself cannot be read or is not a well-formed bundle.
 */
int	 mv_bundle_read(struct mv_store *st, struct mv_sumdbc *c,
	    const char *path, const struct mv_import_opts *o,
	    struct mv_import_report *rep, struct mv_err *err);

#endif
