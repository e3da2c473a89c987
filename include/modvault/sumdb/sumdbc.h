/*
 * sumdbc.h: modvault as a checksum-database client and proxy (spec
 * sumdb.md SD-2, SD-9, SD-10), on top of the pure logic of sumdb.h.
 *
 * For each configured database ("sumdb = KEY [URL]") it:
 *   - answers /sumdb/<name>/... for the go command: tiles from the store
 *     when it has them (their content is fixed by their path), lookups and
 *     latest from the database, falling back to the store when the
 *     database cannot be reached, so a client verifies offline what the
 *     proxy has seen;
 *   - verifies every module version fetched from upstream before it is
 *     stored: the lookup's signed tree head with the key, its consistency
 *     with the newest tree head seen before (kept in the store), the
 *     record's inclusion in the log through tiles, then both h1 hashes.
 */
#ifndef MODVAULT_SUMDBC_H
#define MODVAULT_SUMDBC_H

#include <stdbool.h>

#include "modvault/base/buf.h"
#include "modvault/base/config.h"
#include "modvault/net/upstream.h"
#include "modvault/store/index.h"
#include "modvault/sumdb/sumdb.h"

struct mv_sumdb_db {
	struct mv_note_verifier	 key;
	struct mv_upstream	*up;	/* the database's URL */
};

struct mv_sumdbc {
	struct mv_store		*st;
	const struct mv_config	*cfg;
	struct mv_sumdb_db	 db[MV_SUMDB_MAX_DATABASES];
	size_t			 n;
};

/*
 * Sets up a client for every "sumdb" line of cfg; a bad verifier key is
 * MV_ECONFIG naming the file and line.
 */
int	 mv_sumdbc_init(struct mv_sumdbc *c, struct mv_store *st,
	    const struct mv_config *cfg, struct mv_err *err);
/*
 * The same check of every key, without setting anything up: what a
 * program runs right after loading its configuration.
 */
int	 mv_sumdbc_check_config(const struct mv_config *cfg,
	    struct mv_err *err);
void	 mv_sumdbc_release(struct mv_sumdbc *c);
/* The database called name, or NULL (SD-10.2: only configured ones). */
struct mv_sumdb_db *mv_sumdbc_find(struct mv_sumdbc *c, const char *name);

/* What a proxied /sumdb/ request answers. */
struct mv_sumdb_answer {
	const char	*content_type;
	bool		 immutable;	/* a full tile: cache forever (GP-9.2) */
};

/*
 * GP-10.2, SD-2.2, SD-10.3: answers rest ("latest", "lookup/M@V",
 * "tile/...") of database db into out: MV_ENOTFOUND / MV_EUPSTREAM as the
 * database answered when nothing is stored.  Whether a lookup may be
 * made at all (nosumdb) is the policy's decision, taken before.
 */
int	 mv_sumdbc_proxy(struct mv_sumdbc *c, struct mv_sumdb_db *db,
	    const char *rest, struct mv_buf *out, struct mv_sumdb_answer *ans,
	    struct mv_err *err);

/*
 * SD-10.1: verifies module@version's hashes against every configured
 * database and records the lookup with the version (the caller asks only
 * when the policy says so).  A mismatch, a failed proof or an unreachable
 * database is MV_ECORRUPT naming the cause (both hashes, for a mismatch);
 * with sumdb_verify = warn it is logged and 0 is returned.  A local
 * failure keeps its own code.
 */
int	 mv_sumdbc_verify(struct mv_sumdbc *c, const char *module,
	    const char *version, const char *zip_h1, const char *mod_h1,
	    struct mv_err *err);

/*
 * The same for a version another node stored in the shared bucket: each
 * database's record that node put there (sumdbstate.h) is checked under
 * this node's own key, with tiles kept here or shared, and kept; only
 * when there is none, or it does not check out, is the database asked.
 */
int	 mv_sumdbc_verify_shared(struct mv_sumdbc *c, const char *module,
	    const char *version, const char *zip_h1, const char *mod_h1,
	    struct mv_err *err);
/*
 * `modvault verify --sumdb`: re-checks a stored version offline against
 * the lookup recorded with it, the stored tiles and the stored tree head.
 * MV_ENOTFOUND when no lookup was recorded.
 */
int	 mv_sumdbc_recheck(struct mv_sumdbc *c, const char *module,
	    const char *version, const char *zip_h1, const char *mod_h1,
	    struct mv_err *err);
/*
 * `modvault verify --sumdb`: authenticates every tile kept for database db
 * offline, against the stored tiles and the newest stored tree head.  A
 * tile that is not part of that tree is reported to report (with why) and,
 * unless dry_run, dropped; one kept before it was authenticated (by an
 * older modvault) is marked authenticated when it is.  *checked and *bad
 * count them.
 */
int	 mv_sumdbc_check_tiles(struct mv_sumdbc *c, struct mv_sumdb_db *db,
	    bool dry_run, void (*report)(void *ctx, const char *db,
	    const char *path, const char *why), void *ctx, uint64_t *checked,
	    uint64_t *bad, struct mv_err *err);

/*
 * Can every configured database be reached?  Asks each for its latest
 * tree head; the first that cannot answer is named in err.
 */
int	 mv_sumdbc_reachable(struct mv_sumdbc *c, struct mv_err *err);

/* "lookup/<escaped path>@<escaped version>" (SD-1.2), appended to out. */
int	 mv_sumdbc_lookup_path(const char *module, const char *version,
	    struct mv_buf *out, struct mv_err *err);

/*
 * Bundles (bundle.h) carry a database's proof to a node that cannot reach
 * it: a signed tree head, tiles (read through rd, after the ones stored
 * here) and each version's lookup response.  Everything is checked here,
 * under this node's own key, and only then kept as if the database had
 * been asked.
 *
 * adopt_head: SD-4.2 the note under db's key, SD-9.1 the tree against the
 * tiles, SD-9.2.4 its consistency with the tree head stored here (a forked
 * or shrunk log is MV_ECORRUPT "security error"); keeps it when larger.
 * check_bundled: SD-9.2 the lookup body against tree (the adopted head),
 * SD-10.1 both hashes; the tiles it authenticates are kept.
 * keep_bundled: the record with the version, and the response for
 * /sumdb/<name>/lookup/... when the database cannot be reached.
 */
int	 mv_sumdbc_adopt_head(struct mv_sumdbc *c, struct mv_sumdb_db *db,
	    const char *note, size_t len, mv_tile_reader rd, void *rctx,
	    struct mv_tree *tree, struct mv_err *err);
int	 mv_sumdbc_check_bundled(struct mv_sumdbc *c, struct mv_sumdb_db *db,
	    const struct mv_tree *tree, mv_tile_reader rd, void *rctx,
	    const char *module, const char *version, const struct mv_buf *body,
	    const char *zip_h1, const char *mod_h1, int64_t *id,
	    struct mv_err *err);
int	 mv_sumdbc_keep_bundled(struct mv_sumdbc *c, struct mv_sumdb_db *db,
	    const char *module, const char *version, int64_t id,
	    const struct mv_buf *body, struct mv_err *err);

#endif
