/* ingest_batch.c: storing validated versions together (ingest_batch.h). */
/*
 * Each version added becomes an entry: refused (its error kept), present
 * already, or waiting with four staged files (zip, .mod, .info and the
 * manifest naming them).  A flush puts every waiting entry's files in one
 * mv_blob_put_batch, then commits their rows in one transaction, then
 * reports every entry in order and discards the staged files.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "modvault/store/check.h"
#include "modvault/store/ingest_batch.h"
#include "modvault/store/manifest.h"
#include "modvault/store/shared.h"
#include "index_priv.h"
#include "ingest_priv.h"

/* How often a commit is retried after a concurrent gc took a blob. */
#define INSERT_TRIES	3
/* Entries (refused and present ones too) before a flush. */
#define BATCH_ENTRIES	(4 * MV_BATCH_VERSIONS)

enum { F_ZIP, F_MOD, F_INFO, F_MANIFEST, F__N };

struct entry {
	char			*module, *version;
	struct mv_version	*v;		/* NULL: refused early */
	struct mv_staged	*sf[F__N];
	bool			 own;		/* sf[0..2] are the batch's */
	bool			 waiting;	/* to be stored at the flush */
	bool			 made[F__N];	/* blobs this entry created */
	bool			 shared_present;
	int			(*with_row)(void *, const struct mv_version *,
				    struct mv_err *);
	void			*with_row_ctx;
	void			*item;
	int			 rc;
	enum mv_ingest_outcome	 outcome;
	struct mv_err		 err;
};

struct mv_ingest_batch {
	struct mv_store			*st;
	const struct mv_zip_limits	*lim;
	mv_ingest_done_fn		 done;
	void				*ctx;
	struct entry			*e;
	size_t				 n, cap, waiting;
	size_t				 max_waiting;	/* versions */
	uint64_t			 bytes;
};

/*
 * Versions a batch may hold: MV_BATCH_VERSIONS, fewer when the process
 * may not open four files for each (their staged files stay open, locked)
 * with room to spare for the rest (the archive, the index, a zip check).
 */
static size_t
waiting_bound(size_t cap)
{
	struct rlimit rl;
	size_t n = MV_BATCH_VERSIONS;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 64 + 4 * (rlim_t)n)
		n = rl.rlim_cur > 64 + 4 ? (size_t)(rl.rlim_cur - 64) / 4 : 1;
	return n < cap ? n : cap;
}

/* A batch of at most cap entries (one for mv_store_ingest). */
static int
new_batch(struct mv_store *st, const struct mv_zip_limits *lim,
    mv_ingest_done_fn donefn, void *ctx, size_t cap,
    struct mv_ingest_batch **bp, struct mv_err *err)
{
	struct mv_ingest_batch *b;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->e = calloc(cap, sizeof(*b->e))) == NULL) {
		free(b);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	b->cap = cap;
	b->max_waiting = waiting_bound(cap);
	b->st = st;
	b->lim = lim;
	b->done = donefn;
	b->ctx = ctx;
	*bp = b;
	return 0;
}

int
mv_ingest_batch_new(struct mv_store *st, const struct mv_zip_limits *lim,
    mv_ingest_done_fn donefn, void *ctx, struct mv_ingest_batch **bp,
    struct mv_err *err)
{
	return new_batch(st, lim, donefn, ctx, BATCH_ENTRIES, bp, err);
}

/* A new entry named module@version (the batch has room: see add). */
static struct entry *
new_entry(struct mv_ingest_batch *b, const char *module, const char *version,
    void *item)
{
	struct entry *e = &b->e[b->n++];

	memset(e, 0, sizeof(*e));
	e->item = item;
	e->outcome = MV_INGEST_PRESENT;
	e->module = strdup(module != NULL ? module : "");
	e->version = strdup(version != NULL ? version : "");
	if (e->module == NULL || e->version == NULL)
		e->rc = mv_fail(&e->err, MV_ENOMEM, "out of memory");
	return e;
}

/* The manifest of e->v (its three refs filled), staged as a fourth file. */
static int
stage_manifest(struct mv_ingest_batch *b, struct entry *e, struct mv_err *err)
{
	struct mv_buf text;
	int rc;

	mv_buf_init(&text, MV_MANIFEST_MAX_BYTES);
	rc = mv_manifest_format(e->v, &text, err);
	if (rc == 0)
		rc = mv_sha256(text.data, text.len, e->v->manifest.digest, err);
	if (rc == 0)
		rc = mv_stage_file(mv_store_stage(b->st), &e->sf[F_MANIFEST],
		    err);
	if (rc == 0)
		rc = mv_staged_write_buf(e->sf[F_MANIFEST], &text, err);
	e->v->manifest.size = text.len;
	mv_buf_free(&text);
	return rc;
}

/* Validates and names e's files (nothing is written outside staging). */
static int
prepare(struct mv_ingest_batch *b, struct entry *e, const struct mv_ingest *in,
    struct mv_err *err)
{
	bool present;

	if ((e->v = calloc(1, sizeof(*e->v))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	if (mv_ingest_check(b->st, in, b->lim, e->v, &present, err) == -1)
		return -1;
	if (present)
		return 0;
	if (mv_blob_ref_staged(e->sf[F_ZIP], in->zip_digest, &e->v->zip,
	    err) == -1 ||
	    mv_blob_ref_staged(e->sf[F_MOD], NULL, &e->v->mod, err) == -1 ||
	    mv_blob_ref_staged(e->sf[F_INFO], NULL, &e->v->info, err) == -1 ||
	    stage_manifest(b, e, err) == -1)
		return -1;
	e->waiting = true;
	e->shared_present = in->shared_present;
	e->with_row = in->with_row;
	e->with_row_ctx = in->with_row_ctx;
	return 0;
}

/* Discards the staged files e owns (the manifest's always). */
static void
drop_files(struct entry *e)
{
	int k;

	for (k = 0; k < F__N; k++) {
		if (e->own || k == F_MANIFEST)
			mv_staged_discard(e->sf[k]);
		e->sf[k] = NULL;
	}
}

/* Adds in; own: its staged files become the batch's. */
static void
add(struct mv_ingest_batch *b, struct mv_ingest *in, void *item, bool own)
{
	const struct mv_ingest it = *in;
	struct entry *e;

	if (b->n == b->cap)
		mv_ingest_batch_flush(b);
	e = new_entry(b, in->module, in->version, item);
	e->own = own;
	e->sf[F_ZIP] = in->zip;
	e->sf[F_MOD] = in->mod;
	e->sf[F_INFO] = in->info;
	if (own)
		in->zip = in->mod = in->info = NULL;
	if (e->rc == 0 && (e->rc = prepare(b, e, &it, &e->err)) == -1)
		e->waiting = false;
	if (!e->waiting) {
		/* Refused or present: its files are not needed any more. */
		drop_files(e);
		return;
	}
	b->waiting++;
	b->bytes += e->v->zip.size + e->v->mod.size + e->v->info.size +
	    e->v->manifest.size;
	if (b->waiting > 1)
		mv_crash_point("batch-staged");
	if (b->waiting >= b->max_waiting || b->bytes >= MV_BATCH_BYTES)
		mv_ingest_batch_flush(b);
}

void
mv_ingest_batch_add(struct mv_ingest_batch *b, struct mv_ingest *in,
    void *item)
{
	add(b, in, item, true);
}

void
mv_ingest_batch_refuse(struct mv_ingest_batch *b, const char *module,
    const char *version, const struct mv_err *why, void *item)
{
	struct entry *e;

	if (b->n == b->cap)
		mv_ingest_batch_flush(b);
	e = new_entry(b, module, version, item);
	e->rc = -1;
	if (e->err.code == MV_OK)
		mv_err_pass(&e->err, why);
}

/*
 * The rows, under the write lock: every blob still there (else
 * MV_ENOTFOUND, and the caller puts them again), each row inserted with
 * what goes with it, the check times of the blobs the batch created (it
 * read them byte for byte just now), one commit.
 */
static int
commit_rows(struct mv_ingest_batch *b, struct mv_err *err)
{
	struct mv_store *st = b->st;
	struct entry *e;
	size_t i;
	int k;

	if (begin(st, err) == -1)
		return -1;
	for (i = 0; i < b->n; i++)
		if (b->e[i].waiting &&
		    mv_store_blobs_there(st, b->e[i].v, err) == -1)
			return rollback(st);
	for (i = 0; i < b->n; i++) {
		e = &b->e[i];
		if (!e->waiting)
			continue;
		if (mv_store_insert_row(st, e->v, &e->outcome, err) == -1 ||
		    (e->outcome == MV_INGEST_STORED && e->with_row != NULL &&
		    e->with_row(e->with_row_ctx, e->v, err) == -1))
			return rollback(st);
		for (k = 0; k < F__N; k++)
			if (e->made[k] && mv_store_blob_checked(st,
			    k == F_ZIP ? e->v->zip.digest : k == F_MOD ?
			    e->v->mod.digest : k == F_INFO ? e->v->info.digest :
			    e->v->manifest.digest, e->v->fetched_at, err) == -1)
				return rollback(st);
	}
	mv_crash_point("before-commit");
	if (commit(st, err) == -1)
		return rollback(st);
	/* Only committed versions get static-tree links (tree.h). */
	for (i = 0; i < b->n; i++)
		if (b->e[i].waiting)
			mv_store_tree_link(st, b->e[i].v);
	return 0;
}

/* The waiting entries' staged files, durable under their digests. */
static int
put_blobs(struct mv_ingest_batch *b, struct mv_blob_put *p, struct mv_err *err)
{
	size_t i, n = 0;
	int k;

	for (i = 0; i < b->n; i++)
		if (b->e[i].waiting)
			for (k = 0; k < F__N; k++) {
				p[n].sf = b->e[i].sf[k];
				p[n++].ref = k == F_ZIP ? b->e[i].v->zip :
				    k == F_MOD ? b->e[i].v->mod : k == F_INFO ?
				    b->e[i].v->info : b->e[i].v->manifest;
			}
	if (mv_blob_put_batch(mv_store_blobs(b->st), p, n, err) == -1)
		return -1;
	for (i = 0, n = 0; i < b->n; i++)
		if (b->e[i].waiting)
			for (k = 0; k < F__N; k++)
				b->e[i].made[k] = b->e[i].made[k] ||
				    p[n++].created;
	/* A shared store's manifest under the version's name, then rows. */
	for (i = 0; i < b->n; i++)
		if (b->e[i].waiting && !b->e[i].shared_present &&
		    mv_store_shared_put(b->st, b->e[i].v, err) == -1)
			return -1;
	mv_crash_point("batch-durable");
	return 0;
}

/* Blobs, then rows; a concurrent gc's theft means doing it again. */
static void
store(struct mv_ingest_batch *b)
{
	struct mv_blob_put *p;
	struct mv_err e = MV_ERR_INIT;
	int tries, rc = -1;
	size_t i;

	if ((p = calloc(b->waiting * F__N, sizeof(*p))) == NULL)
		mv_fail(&e, MV_ENOMEM, "out of memory");
	for (tries = 0; p != NULL && tries < INSERT_TRIES; tries++) {
		mv_err_clear(&e);
		if (put_blobs(b, p, &e) == -1)
			break;
		if ((rc = commit_rows(b, &e)) == 0 || e.code != MV_ENOTFOUND)
			break;
	}
	free(p);
	for (i = 0; rc == -1 && i < b->n; i++)
		if (b->e[i].waiting) {
			b->e[i].rc = -1;
			mv_err_pass(&b->e[i].err, &e);
		}
}

void
mv_ingest_batch_flush(struct mv_ingest_batch *b)
{
	struct entry *e;
	size_t i;

	if (b->waiting > 0)
		store(b);
	for (i = 0; i < b->n; i++) {
		e = &b->e[i];
		b->done(b->ctx, e->item, e->module, e->version, e->rc,
		    e->outcome, &e->err);
		drop_files(e);
		free(e->module);
		free(e->version);
		free(e->v);
	}
	b->n = b->waiting = 0;
	b->bytes = 0;
}

void
mv_ingest_batch_free(struct mv_ingest_batch *b)
{
	if (b == NULL)
		return;
	mv_ingest_batch_flush(b);
	free(b->e);
	free(b);
}

/* mv_store_ingest: a batch of one, which borrows the caller's files. */
struct one {
	int			 rc;
	enum mv_ingest_outcome	*outcome;
	struct mv_err		*err;
};

static void
one_done(void *ctx, void *item, const char *module, const char *version,
    int rc, enum mv_ingest_outcome outcome, const struct mv_err *why)
{
	struct one *o = ctx;

	(void)item;
	(void)module;
	(void)version;
	o->rc = rc;
	if (rc == 0)
		*o->outcome = outcome;
	else
		mv_err_pass(o->err, why);
}

int
mv_store_ingest(struct mv_store *st, const struct mv_ingest *in,
    const struct mv_zip_limits *lim, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	struct one o = { -1, outcome, err };
	struct mv_ingest_batch *b = NULL;
	struct mv_ingest copy = *in;

	if (new_batch(st, lim, one_done, &o, 1, &b, err) == -1)
		return -1;
	add(b, &copy, NULL, false);
	mv_ingest_batch_free(b);
	return o.rc;
}
