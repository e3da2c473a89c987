/*
 * index_priv.h: what the files of the index (index.c, gc.c, cache.c,
 * sumdbstate.c) share: the handle, the statement ids and the small
 * helpers that run cached statements.  Not a public interface.
 */
#ifndef MODVAULT_INDEX_PRIV_H
#define MODVAULT_INDEX_PRIV_H

#include <limits.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "modvault/policy/policy.h"
#include "modvault/store/index.h"
#include "modvault/store/stage.h"
#include "modvault/store/tree.h"

enum stmt_id {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_PING, ST_GET, ST_VERSIONS, ST_EACH,
	ST_LAST_SERVED, ST_TOUCH, ST_REMOVE, ST_INSERT, ST_REFERENCED,
	ST_LIST_GET, ST_LIST_PUT, ST_NEG_GET, ST_NEG_PUT, ST_NEG_SWEEP, ST_NEG_BOUND,
	ST_TREE_GET, ST_TREE_PUT, ST_CACHE_GET, ST_CACHE_PUT, ST_RECORD_GET,
	ST_RECORD_PUT, ST_CHECK_GET, ST_CHECK_PUT, ST_CHECK_DEL, ST_TILE_PATHS,
	ST_CACHE_DEL, ST_SET_MANIFEST,
	ST__MAX
};

/* The SQL of each statement (store.c). */
extern const char *const mv_store_sql[ST__MAX];

struct mv_store {
	sqlite3			*db;
	struct mv_blobstore	*blobs;
	struct mv_stage		*stage;
	sqlite3_stmt		*stmt[ST__MAX];
	char			 dir[PATH_MAX];
	char			 blobs_name[8];	/* "blobs", or "cache" */
	/* storage = s3: the bucket the nodes share (shared.h). */
	struct mv_s3		*s3;
	long			 claim_lease;	/* seconds */
	bool			 group_shared;	/* groupshare.c */
	/* static_tree (tree.h): NULL when off. */
	struct mv_stree		*tree;
};

/* The file that marks a directory as a static tree (tree.c). */
#define MV_STREE_MARK	".modvault-static-tree"

/* tree_seen.c: a version whose links a hit found in place, and when. */
#define MV_STREE_SEEN	512
struct mv_stree_seen {
	unsigned char		 zip[MV_SHA256_LEN];
	unsigned char		 info[8], mod[8];	/* digests' first bytes */
	time_t			 at;			/* monotonic; 0: empty */
};

/* The static tree the store keeps (tree.c). */
struct mv_stree {
	char			 root[PATH_MAX];	/* resolved */
	char			 blobs[PATH_MAX];	/* where links point */
	struct mv_policy	 policy;
	struct mv_stree_seen	 seen[MV_STREE_SEEN];
	/* tree_policy.c: the state file, and what it said when opened. */
	int			 state_fd;		/* -1: none */
	char			 state[PATH_MAX + MV_SHA256_HEX + 8];
	bool			 stale_warned;
};

/*
 * groupshare.c: when dir has the set-group-ID bit, clears the group bits
 * of the process's umask (a store shared by a group, e.g. modvault and
 * www-data) and returns true; mv_store_share_file gives such a store's
 * file, when this process owns it, group read and write.
 */
bool	 mv_store_share_group(const char *dir);
void	 mv_store_share_file(const char *path);

/* tree.c, tree_policy.c: what tree_verify.c shares of the static tree. */
int	 mv_stree_path(const struct mv_stree *t, const char *name, char *out,
	    size_t outsz, struct mv_err *err);
int	 mv_stree_allowed(struct mv_stree *t, const char *module,
	    const char *version, bool *allow, struct mv_err *err);
int	 mv_stree_target(const struct mv_stree *t, const char *name,
	    const struct mv_blobref *ref, char *out, size_t outsz,
	    struct mv_err *err);
/* force: write it even when it already points at target. */
int	 mv_stree_write_link(const struct mv_stree *t, const char *name,
	    const char *target, bool force, bool *written, struct mv_err *err);
/* The blob behind a version's file of kind x. */
const struct mv_blobref *mv_stree_blob(const struct mv_version *v,
	    enum mv_stree_ext x);
/*
 * tree_seen.c: did a hit of v find (or make) its links within this
 * second in this process; note that one did; forget them all (this
 * process removed links).
 */
bool	 mv_stree_seen(struct mv_stree *t, const struct mv_version *v);
void	 mv_stree_saw(struct mv_stree *t, const struct mv_version *v);
void	 mv_stree_forget(struct mv_stree *t);
/* Removes path's directories below the root while empty (path changes). */
void	 mv_stree_prune_dirs(const struct mv_stree *t, char *path);
/*
 * Prunes the links of denied modules when the deny and allow lines differ
 * from those the tree was last pruned under (data_dir/static-tree.state).
 */
int	 mv_store_tree_sync_policy(struct mv_store *st,
	    const struct mv_config *cfg, struct mv_err *err);
/*
 * Before writing links: takes a shared lock on the state file and says
 * whether it still names the lines this process pruned under (false when
 * another process has since opened the store under new deny or allow
 * lines: this one's are out of date, and must not link what they may
 * now deny; false too while a prune runs).  mv_stree_policy_release
 * drops the lock.
 */
int	 mv_stree_policy_hold(struct mv_stree *t, bool *current,
	    struct mv_err *err);
void	 mv_stree_policy_release(struct mv_stree *t);
/* Frees t (NULL: nothing). */
void	 mv_stree_free(struct mv_stree *t);

/* gc_shared.c: the blob sweep of a shared bucket (gc.h). */
struct mv_gc_report;
int	 mv_store_gc_shared_blobs(struct mv_store *st, int64_t grace,
	    struct mv_gc_report *rep, struct mv_err *err);

/*
 * The store without its blob backend (open.c adds one): the index, and
 * the staging area when stage is set.
 */
int	 mv_store_open_index(const char *data_dir, int flags, bool stage,
	    struct mv_store **st, struct mv_err *err);

static inline int
db_fail(struct mv_store *st, struct mv_err *err)
{
	return mv_fail(err, sqlite3_errcode(st->db) == SQLITE_FULL ?
	    MV_ENOSPACE : MV_EIO, "index: %s", sqlite3_errmsg(st->db));
}

/* The cached statement id, reset and ready for binding. */
static inline sqlite3_stmt *
stmt(struct mv_store *st, enum stmt_id id, struct mv_err *err)
{
	if (st->stmt[id] == NULL && sqlite3_prepare_v3(st->db, mv_store_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL) != SQLITE_OK) {
		db_fail(st, err);
		return NULL;
	}
	return st->stmt[id];
}

static inline void
done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Binds text parameters 1..n (NULL ends the list early). */
static inline sqlite3_stmt *
stmt_text(struct mv_store *st, enum stmt_id id, const char *a, const char *b,
    struct mv_err *err)
{
	sqlite3_stmt *s;

	if ((s = stmt(st, id, err)) == NULL)
		return NULL;
	if ((a != NULL && sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC)) ||
	    (b != NULL && sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC))) {
		done(s);
		db_fail(st, err);
		return NULL;
	}
	return s;
}

/* Runs a statement that returns no rows. */
static inline int
run(struct mv_store *st, sqlite3_stmt *s, struct mv_err *err)
{
	int rc = sqlite3_step(s);

	done(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(st, err);
	return 0;
}

static inline int
begin(struct mv_store *st, struct mv_err *err)
{
	sqlite3_stmt *s = stmt(st, ST_BEGIN, err);

	return s == NULL ? -1 : run(st, s, err);
}

static inline int
commit(struct mv_store *st, struct mv_err *err)
{
	sqlite3_stmt *s = stmt(st, ST_COMMIT, err);

	return s == NULL ? -1 : run(st, s, err);
}

/* Ends a failed transaction; returns -1 so callers can `return rollback()`. */
static inline int
rollback(struct mv_store *st)
{
	if (st->stmt[ST_ROLLBACK] != NULL ||
	    stmt(st, ST_ROLLBACK, NULL) != NULL)
		run(st, st->stmt[ST_ROLLBACK], NULL);
	return -1;
}

static inline void
col_text(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t n = t != NULL ? (size_t)sqlite3_column_bytes(s, i) : 0;

	/* memcpy, not snprintf: this runs for six columns of every hit. */
	if (n >= outsz)
		n = outsz - 1;
	if (n > 0)
		memcpy(out, t, n);
	out[n] = '\0';
}

/*
 * The two halves of mv_store_insert, for a caller holding the write lock
 * (an ingest batch, ingest_batch.h): whether v's blobs are all there
 * (MV_ENOTFOUND: gc took one; MV_ECORRUPT: wrong size), and its row
 * inserted unless present (*outcome says which).
 */
int	 mv_store_blobs_there(struct mv_store *st, const struct mv_version *v,
	    struct mv_err *err);
int	 mv_store_insert_row(struct mv_store *st, const struct mv_version *v,
	    enum mv_ingest_outcome *outcome, struct mv_err *err);

/* Whether some row names the blob (its .info, .mod, .zip or manifest). */
int	 mv_store_blob_used(struct mv_store *st, const unsigned char *digest,
	    bool *used, struct mv_err *err);

#endif
