/*
 * ingest.h: the one way bytes from outside (an upstream fetch, an import
 * tree, later git and bundles) enter the store.
 *
 * Everything is checked before anything is written:
 *   - module path and version: GP-3.8 Check, and the version canonical
 *   - .info: bounded, valid JSON, Version equal to the requested version
 *     (GP-11.1.1, GP-5.2.4); Time kept as given
 *   - .mod: at most MV_GOMOD_MAX_BYTES (GP-11.1.2, GP-5.3.5, MZ-2.3), and
 *     its module directive names the module (GP-5.3.6)
 *   - .zip: mv_zip_check, which applies MZ-5 and computes H-2 (GP-11.1.3)
 *   - consistency: .mod equals the zip's root go.mod, or, when the zip has
 *     none, exactly "module <path>\n" (MZ-9.1, MZ-9.2, GP-5.3.2, GP-11.1.4)
 *   - the caller's last word (the checksum database), through verify
 * Then the staged files become blobs (each durable before it is named)
 * and one row is committed, so a refusal stores nothing and a crash leaves
 * at most unreferenced blobs for gc.  mv_store_ingest stores one version;
 * ingest_batch.h many, their blobs made durable together and their rows
 * committed in one transaction.
 */
#ifndef MODVAULT_INGEST_H
#define MODVAULT_INGEST_H

#include "modvault/base/err.h"
#include "modvault/store/index.h"
#include "modvault/store/stage.h"
#include "modvault/zip/zip.h"

struct mv_zipscan;

/* One module version to validate and store, from three staged files. */
struct mv_ingest {
	const char		*module;	/* unescaped module path */
	const char		*version;	/* canonical version */
	struct mv_staged	*info;
	struct mv_staged	*mod;
	struct mv_staged	*zip;
	/* Where it came from: an upstream URL, "import:DIR" (no secrets). */
	const char		*origin;
	/*
	 * Optional: called with the validated version (its h1 hashes
	 * computed) before anything is written; -1 refuses it.
	 */
	int			(*verify)(void *ctx, const struct mv_version *v,
				    struct mv_err *err);
	void			*verify_ctx;
	/*
	 * Optional: the SHA-256 of the staged zip, computed while it was
	 * written (a download), so it is not read again to be named.
	 */
	const unsigned char	*zip_digest;
	/* Optional: a scan of the staged zip made while it was written. */
	const struct mv_zipscan	*zip_scan;
	/*
	 * The version's manifest is in the shared bucket already (it was
	 * adopted from there): not written again.
	 */
	bool			 shared_present;
	/*
	 * Made here from a git repository by the go command's rules: the
	 * .mod is the go.mod at that revision, raw, which the go command
	 * serves even when it names another module (vcs.md VC-5.4) or
	 * differs from the zip's copy after .gitattributes conversions
	 * (VC-10.4, against MZ-9.2): those two checks are skipped.
	 */
	bool			 from_vcs;
	/*
	 * Optional: called inside the transaction that commits the row, once
	 * it is inserted (not when the version was present), to write what
	 * goes with it (a bundle's checksum database record); -1 fails the
	 * commit.
	 */
	int			(*with_row)(void *ctx, const struct mv_version *v,
				    struct mv_err *err);
	void			*with_row_ctx;
};

/*
 * Validates and stores in->module@in->version.  Two processes ingesting
 * the same version store it once; the second sees MV_INGEST_PRESENT.
 * Nothing is stored when validation fails: the failure is MV_EINVAL,
 * MV_ELIMIT or MV_ECORRUPT... as the check found, naming the rule; the
 * caller decides whose fault that is (fill.c: the upstream's).  The
 * staged files stay the caller's to discard.
 */
int	 mv_store_ingest(struct mv_store *st, const struct mv_ingest *in,
	    const struct mv_zip_limits *lim, enum mv_ingest_outcome *outcome,
	    struct mv_err *err);

/*
 * The way in for bytes that are blobs already (`modvault reindex`, a
 * version another node put in the shared bucket, `import --from-store`
 * from another store, r->from): staged copies of want's
 * zip and .info blobs, and of its .mod (modbytes, or else want's mod
 * blob), go through mv_store_ingest with want's origin.  With check_hashes
 * they are refused (MV_ECORRUPT) unless their h1 hashes are want's (what
 * its manifest says); then verify, as in struct mv_ingest, has its say.
 */
struct mv_restore {
	const struct mv_version	*want;
	struct mv_store		*from;	/* holds want's blobs; NULL: st */
	const struct mv_buf	*modbytes;	/* NULL: want->mod's blob */
	bool			 check_hashes;
	bool			 from_bucket;	/* want is the bucket's manifest */
	int			(*verify)(void *ctx, const struct mv_version *v,
				    struct mv_err *err);
	void			*verify_ctx;
};

int	 mv_store_restore(struct mv_store *st, const struct mv_restore *r,
	    const struct mv_zip_limits *lim, enum mv_ingest_outcome *outcome,
	    struct mv_err *err);

#endif
