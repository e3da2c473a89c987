/* bundle_read.c: `modvault import FILE`: reading a bundle (bundle.h). */
/*
 * The archive is read once, in order: the manifest (which every later
 * member must follow exactly, name and size, and match by SHA-256), the
 * tree head and tiles (held in memory, bounded), then each version's
 * members, staged as they come and ingested as soon as the version's
 * last member is in.  The proof is adopted before the first version:
 * when it fails, every version is refused with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "modvault/base/hash.h"
#include "modvault/proto/modpath.h"
#include "modvault/source/bundle.h"
#include "modvault/store/ingest_batch.h"

#define CHUNK	(256 * 1024)
#define TILE_BYTES_MAX	(32 * 256)

struct tilemem {
	struct mv_tile	 t;
	char		*data;
	size_t		 len;
};

/* The version whose members are being read. */
struct pending {
	char		 key[2 * MV_BUNDLE_NAME_MAX_BYTES + 2];	/* "EM@EV" */
	char		 module[MV_MODPATH_MAX_BYTES + 1];
	char		 version[MV_VERSION_MAX_BYTES + 1];
	struct mv_staged *info, *mod, *zip;
	unsigned char	 zip_digest[MV_SHA256_LEN];	/* the manifest's */
	struct mv_buf	 lookup;
	struct mv_err	 problem;
};

struct rd {
	struct mv_store			*st;
	struct mv_sumdbc		*c;
	const struct mv_import_opts	*o;
	struct mv_import_report		*rep;
	struct archive			*a;
	struct mv_bundle_manifest	 mf;
	size_t				 next;
	struct mv_buf			 head;
	struct tilemem			*tiles;
	size_t				 ntiles, tilebytes;
	int				 adopted;	/* 0 not yet, 1 done */
	struct mv_err			 head_err;
	struct mv_sumdb_db		*db;		/* NULL: no proof */
	struct mv_tree			 tree;
	struct pending			 pv;
	struct mv_ingest_batch		*batch;
	char				*chunk;
};

/* The bundle's tiles for proofs: a wider one serves its prefix (SD-8.3). */
static int
bundle_tile(void *ctx, const struct mv_tile *t, struct mv_buf *out,
    struct mv_err *err)
{
	struct rd *r = ctx;
	size_t i, need = (size_t)t->w * 32;

	for (i = 0; i < r->ntiles; i++) {
		const struct mv_tile *x = &r->tiles[i].t;

		if (x->h == t->h && x->l == t->l && x->n == t->n &&
		    r->tiles[i].len >= need)
			return mv_buf_append(out, r->tiles[i].data, need, err);
	}
	return mv_fail(err, MV_ENOTFOUND, "tile not in the bundle (SD-9.1)");
}

/*
 * Reads the current member's data into b or sf, checking its size and
 * SHA-256 against the manifest: 0, 1 when they differ (*problem), -1 when
 * the archive cannot be read.
 */
static int
read_data(struct rd *r, const struct mv_bundle_member *m, struct mv_buf *b,
    struct mv_staged *sf, struct mv_err *problem, struct mv_err *err)
{
	unsigned char d[32];
	struct mv_sha256 *h;
	uint64_t total = 0;
	la_ssize_t got;
	int rc = 0;

	if ((h = mv_sha256_new(err)) == NULL)
		return -1;
	while (rc == 0 && (got = archive_read_data(r->a, r->chunk,
	    CHUNK)) != 0) {
		if (got < 0)
			rc = mv_fail(err, MV_ECORRUPT, "%s: %s", m->name,
			    archive_error_string(r->a));
		else if ((total += (uint64_t)got) > m->size)
			rc = mv_fail(err, MV_ECORRUPT, "%s: longer than the "
			    "manifest says", m->name);
		else if (mv_sha256_update(h, r->chunk, (size_t)got, err) == -1 ||
		    (b != NULL && mv_buf_append(b, r->chunk, (size_t)got,
		    err) == -1) || (sf != NULL && mv_staged_write(sf, r->chunk,
		    (size_t)got, err) == -1))
			rc = -1;
	}
	if (rc == 0 && mv_sha256_final(h, d, err) == -1)
		rc = -1;
	mv_sha256_free(h);
	if (rc == 0 && (total != m->size || memcmp(d, m->digest, 32) != 0)) {
		mv_fail(problem, MV_ECORRUPT, "bundle member %s: its SHA-256 "
		    "is not the manifest's", m->name);
		return 1;
	}
	return rc;
}

/* The next member's header, which must be the manifest's next line. */
static int
next_member(struct rd *r, const struct mv_bundle_member **m,
    struct mv_err *err)
{
	struct archive_entry *e;
	int rc = archive_read_next_header(r->a, &e);
	const char *name;

	*m = NULL;
	if (rc == ARCHIVE_EOF && r->next == r->mf.n)
		return 0;
	if (rc == ARCHIVE_EOF)
		return mv_fail(err, MV_ECORRUPT, "bundle ends before %s",
		    r->mf.m[r->next].name);
	if (rc != ARCHIVE_OK)
		return mv_fail(err, MV_ECORRUPT, "bundle: %s",
		    archive_error_string(r->a));
	/* A name libarchive cannot give as text is no manifest's. */
	name = archive_entry_pathname(e);
	if (r->next == r->mf.n || archive_entry_filetype(e) != AE_IFREG ||
	    name == NULL || strcmp(name, r->mf.m[r->next].name) != 0 ||
	    archive_entry_size(e) != (la_int64_t)r->mf.m[r->next].size)
		return mv_fail(err, MV_ECORRUPT, "bundle member %d is not "
		    "what the manifest lists there", (int)r->next + 1);
	*m = &r->mf.m[r->next++];
	return 0;
}

static int
read_manifest(struct rd *r, struct mv_err *err)
{
	struct archive_entry *e;
	struct mv_buf b;
	la_ssize_t got;
	int rc;

	if (archive_read_next_header(r->a, &e) != ARCHIVE_OK ||
	    archive_entry_pathname(e) == NULL ||
	    strcmp(archive_entry_pathname(e), "MANIFEST") != 0 ||
	    archive_entry_filetype(e) != AE_IFREG ||
	    archive_entry_size(e) > MV_BUNDLE_MANIFEST_MAX_BYTES)
		return mv_fail(err, MV_ECORRUPT, "not a modvault bundle: no "
		    "MANIFEST first%s%s", archive_error_string(r->a) ? ": " :
		    "", archive_error_string(r->a) ? archive_error_string(r->a) :
		    "");
	mv_buf_init(&b, MV_BUNDLE_MANIFEST_MAX_BYTES);
	rc = 0;
	while (rc == 0 && (got = archive_read_data(r->a, r->chunk,
	    CHUNK)) != 0)
		rc = got < 0 ? mv_fail(err, MV_ECORRUPT, "MANIFEST: %s",
		    archive_error_string(r->a)) :
		    mv_buf_append(&b, r->chunk, (size_t)got, err);
	if (rc == 0)
		rc = mv_bundle_manifest_parse(b.data, b.len, &r->mf, err);
	mv_buf_free(&b);
	return rc;
}

/* "sumdb/NAME/latest" or "sumdb/NAME/tile/...": kept in memory. */
static int
sumdb_member(struct rd *r, const struct mv_bundle_member *m,
    const char *rest, struct mv_err *err)
{
	struct mv_err problem = MV_ERR_INIT;
	struct tilemem *tm;
	struct mv_tile t;
	struct mv_buf b;
	void *q;
	int rc;

	if (strcmp(rest, "latest") == 0) {
		if (r->head.len > 0 || m->size > MV_NOTE_MAX_BYTES)
			return mv_fail(err, MV_ECORRUPT, "bundle: a second or "
			    "over-long tree head");
		rc = read_data(r, m, &r->head, NULL, &problem, err);
		return rc == 1 ? mv_err_pass(err, &problem) : rc;
	}
	if (mv_tile_parse(rest, strlen(rest), &t, NULL) == -1 ||
	    m->size > TILE_BYTES_MAX || (r->tilebytes += m->size) >
	    MV_BUNDLE_TILES_MAX_BYTES)
		return mv_fail(err, MV_ECORRUPT, "bundle member %s: not a "
		    "tile, or tiles over %u bytes", m->name,
		    MV_BUNDLE_TILES_MAX_BYTES);
	mv_buf_init(&b, TILE_BYTES_MAX);
	if ((rc = read_data(r, m, &b, NULL, &problem, err)) != 0 ||
	    (q = realloc(r->tiles, (r->ntiles + 1) * sizeof(*tm))) == NULL) {
		mv_buf_free(&b);
		return rc == 1 ? mv_err_pass(err, &problem) : rc == -1 ? -1 :
		    mv_fail(err, MV_ENOMEM, "out of memory");
	}
	r->tiles = q;
	tm = &r->tiles[r->ntiles++];
	tm->t = t;
	tm->data = mv_buf_detach(&b, &tm->len);
	return 0;
}

/*
 * The proof, before the first version: the bundle must carry one from a
 * configured database (when any is), whose head is adopted here.
 */
static void
adopt(struct rd *r)
{
	struct mv_err *e = &r->head_err;

	r->adopted = 1;
	if (r->c == NULL || r->c->n == 0)
		return;
	if (r->mf.sumdb[0] == '\0' ||
	    (r->db = mv_sumdbc_find(r->c, r->mf.sumdb)) == NULL)
		mv_fail(e, MV_ECORRUPT, "the bundle carries no proof from a "
		    "configured checksum database%s%s",
		    r->mf.sumdb[0] ? ": it names " : "", r->mf.sumdb);
	else if (r->head.len == 0)
		mv_fail(e, MV_ECORRUPT, "the bundle carries no tree head");
	else
		(void)mv_sumdbc_adopt_head(r->c, r->db, r->head.data,
		    r->head.len, bundle_tile, r, &r->tree, e);
}

/*
 * A version in the batch: its lookup and what checking it found, kept
 * until the batch commits its row (keep) and reports it (tally).
 */
struct check {
	struct rd	*r;
	struct mv_buf	 lookup;
	int64_t		 id;
	bool		 verified;
};

/* Ingest's last word: the lookup carried with the version. */
static int
check_lookup(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	struct check *k = ctx;
	struct rd *r = k->r;

	if (r->db == NULL)
		return 0;
	if (k->lookup.len == 0)
		return mv_fail(err, MV_ECORRUPT, "no %s lookup in the bundle",
		    r->db->key.name);
	if (mv_sumdbc_check_bundled(r->c, r->db, &r->tree, bundle_tile, r,
	    v->module, v->version, &k->lookup, v->zip_h1, v->mod_h1,
	    &k->id, err) == -1)
		return -1;
	k->verified = true;
	return 0;
}

/* In the transaction of its row: the checked lookup, for offline use. */
static int
keep(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	struct check *k = ctx;

	if (!k->verified)
		return 0;
	return mv_sumdbc_keep_bundled(k->r->c, k->r->db, v->module,
	    v->version, k->id, &k->lookup, err);
}

/* The batch's report of a version (ingest_batch.h). */
static void
tally(void *ctx, void *item, const char *module, const char *version, int rc,
    enum mv_ingest_outcome oc, const struct mv_err *why)
{
	struct rd *r = ctx;
	struct check *k = item;

	mv_import_count(r->o, r->rep, module, version, rc, oc, why);
	if (k != NULL)
		mv_buf_free(&k->lookup);
	free(k);
}

/* Why the pending version cannot be ingested at all, if it cannot. */
static int
refusal(struct rd *r, struct mv_err *err)
{
	struct pending *p = &r->pv;
	struct mv_policy_decision pd;

	if (p->problem.code != MV_OK)
		return mv_err_pass(err, &p->problem);
	if (r->head_err.code != MV_OK)
		return mv_err_pass(err, &r->head_err);
	if (p->info == NULL || p->mod == NULL || p->zip == NULL)
		return mv_fail(err, MV_ECORRUPT, "the bundle lacks its .info, "
		    ".mod or .zip");
	return mv_policy_check(r->o->policy, MV_POLICY_IMPORT, p->module,
	    p->version, &pd, err);
}

/* Hands the pending version to the batch, then forgets it. */
static void
finish(struct rd *r)
{
	struct pending *p = &r->pv;
	struct mv_err e = MV_ERR_INIT;
	struct check *k;

	if (p->key[0] == '\0')
		return;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		mv_fail(&e, MV_ENOMEM, "out of memory");
	else {
		k->r = r;
		k->lookup = p->lookup;	/* the batch's now */
		mv_buf_init(&p->lookup, MV_LOOKUP_MAX_BYTES);
	}
	if (k == NULL || refusal(r, &e) == -1)
		mv_ingest_batch_refuse(r->batch, p->module, p->version, &e, k);
	else {
		struct mv_ingest in = { .module = p->module,
		    .version = p->version, .info = p->info, .mod = p->mod,
		    .zip = p->zip, .zip_digest = p->zip_digest,
		    .origin = "bundle", .verify = check_lookup,
		    .verify_ctx = k, .with_row = keep, .with_row_ctx = k };

		p->info = p->mod = p->zip = NULL;
		mv_ingest_batch_add(r->batch, &in, k);
	}
	mv_staged_discard(p->info);
	mv_staged_discard(p->mod);
	mv_staged_discard(p->zip);
	mv_buf_free(&p->lookup);
	memset(p, 0, sizeof(*p));
}

/*
 * "mod/ESCPATH/@v/ESCVER.EXT": the escaped path and version (into em and
 * ev, each of MV_BUNDLE_NAME_MAX_BYTES + 1 bytes) and which file (0 .info,
 * 1 .mod, 2 .zip, 3 .lookup); -1 for any other name.
 */
static int
split_name(const char *name, char *em, char *ev)
{
	static const char *const ext[] = { ".info", ".mod", ".zip",
	    ".lookup" };
	const char *s = name + 4, *at = strstr(s, "/@v/");
	size_t len = strlen(name), el, k;

	if (strncmp(name, "mod/", 4) != 0 || at == NULL || at == s)
		return -1;
	for (k = 0; k < 4; k++) {
		el = strlen(ext[k]);
		if (len > el && strcmp(name + len - el, ext[k]) == 0)
			break;
	}
	if (k == 4 || name + len - el <= at + 4)
		return -1;
	snprintf(em, MV_BUNDLE_NAME_MAX_BYTES + 1, "%.*s", (int)(at - s), s);
	snprintf(ev, MV_BUNDLE_NAME_MAX_BYTES + 1, "%.*s",
	    (int)(name + len - el - (at + 4)), at + 4);
	return (int)k;
}

/*
 * A new version starts: its escaped path and version are unescaped and
 * checked (GP-2.2), or kept as they are with the problem recorded.
 */
static void
start(struct rd *r, const char *key, const char *em, const char *ev)
{
	struct pending *p = &r->pv;
	struct mv_buf m, v;

	finish(r);
	if (!r->adopted)
		adopt(r);
	snprintf(p->key, sizeof(p->key), "%s", key);
	mv_buf_init(&p->lookup, MV_LOOKUP_MAX_BYTES);
	mv_buf_init(&m, MV_MODPATH_MAX_BYTES);
	mv_buf_init(&v, MV_VERSION_MAX_BYTES);
	if (mv_unescape_path(em, &m, &p->problem) == -1 ||
	    mv_unescape_version(ev, &v, &p->problem) == -1) {
		/* As found, cut to fit: it is only ever printed. */
		snprintf(p->module, sizeof(p->module), "%.*s",
		    (int)sizeof(p->module) - 1, em);
		snprintf(p->version, sizeof(p->version), "%.*s",
		    (int)sizeof(p->version) - 1, ev);
	} else {
		snprintf(p->module, sizeof(p->module), "%s", mv_buf_str(&m));
		snprintf(p->version, sizeof(p->version), "%s", mv_buf_str(&v));
	}
	mv_buf_free(&m);
	mv_buf_free(&v);
}

/* One of a version's members, staged (.info, .mod, .zip) or held. */
static int
version_member(struct rd *r, const struct mv_bundle_member *m,
    struct mv_err *err)
{
	char em[MV_BUNDLE_NAME_MAX_BYTES + 1], ev[MV_BUNDLE_NAME_MAX_BYTES + 1];
	char key[2 * MV_BUNDLE_NAME_MAX_BYTES + 2];
	struct pending *p = &r->pv;
	struct mv_staged **sf;
	uint64_t max;
	int k;

	if ((k = split_name(m->name, em, ev)) == -1)
		return mv_fail(err, MV_ECORRUPT, "bundle member %s: not a "
		    "module file", m->name);
	snprintf(key, sizeof(key), "%s@%s", em, ev);
	if (strcmp(key, p->key) != 0)
		start(r, key, em, ev);
	if (k == 3)
		return m->size > MV_LOOKUP_MAX_BYTES || p->lookup.len > 0 ?
		    mv_fail(err, MV_ECORRUPT, "bundle member %s: over-long or "
		    "repeated", m->name) :
		    read_data(r, m, &p->lookup, NULL, &p->problem, err) == -1 ?
		    -1 : 0;
	sf = k == 0 ? &p->info : k == 1 ? &p->mod : &p->zip;
	max = k == 0 ? MV_INFO_MAX_BYTES : k == 1 ? r->o->lim->max_gomod_bytes :
	    r->o->lim->max_zip_bytes;
	if (*sf != NULL)
		return mv_fail(err, MV_ECORRUPT, "bundle member %s: repeated",
		    m->name);
	if (m->size > max) {
		mv_fail(&p->problem, MV_ELIMIT, "%s: over %llu bytes", m->name,
		    (unsigned long long)max);
		return 0;
	}
	if (mv_stage_file(mv_store_stage(r->st), sf, err) == -1)
		return -1;
	/* Read and hashed: when it matches, the zip needs no second read. */
	if (k == 2)
		memcpy(p->zip_digest, m->digest, MV_SHA256_LEN);
	return read_data(r, m, NULL, *sf, &p->problem, err) == -1 ? -1 : 0;
}

static int
read_members(struct rd *r, struct mv_err *err)
{
	const struct mv_bundle_member *m;
	size_t dl = strlen(r->mf.sumdb);

	for (;;) {
		if (next_member(r, &m, err) == -1)
			return -1;
		if (m == NULL)
			return 0;
		if (dl > 0 && strncmp(m->name, "sumdb/", 6) == 0 &&
		    strncmp(m->name + 6, r->mf.sumdb, dl) == 0 &&
		    m->name[6 + dl] == '/' && r->pv.key[0] == '\0' &&
		    !r->adopted) {
			if (sumdb_member(r, m, m->name + 7 + dl, err) == -1)
				return -1;
		} else if (version_member(r, m, err) == -1)
			return -1;
	}
}

/* How many versions the manifest lists: progress totals. */
static uint64_t
count_zips(const struct mv_bundle_manifest *mf)
{
	uint64_t n = 0;
	size_t i, len;

	for (i = 0; i < mf->n; i++)
		if ((len = strlen(mf->m[i].name)) > 4 &&
		    strcmp(mf->m[i].name + len - 4, ".zip") == 0)
			n++;
	return n;
}

int
mv_bundle_read(struct mv_store *st, struct mv_sumdbc *c, const char *path,
    const struct mv_import_opts *o, struct mv_import_report *rep,
    struct mv_err *err)
{
	struct rd r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(rep, 0, sizeof(*rep));
	r.st = st;
	r.c = c;
	r.o = o;
	r.rep = rep;
	mv_buf_init(&r.head, MV_NOTE_MAX_BYTES);
	if ((r.chunk = malloc(CHUNK)) == NULL || (r.a = archive_read_new()) ==
	    NULL) {
		free(r.chunk);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	archive_read_support_filter_zstd(r.a);
	archive_read_support_filter_gzip(r.a);
	archive_read_support_format_tar(r.a);
	rc = archive_read_open_filename(r.a, path, CHUNK) != ARCHIVE_OK ?
	    mv_fail(err, MV_EINVAL, "%s: %s", path,
	    archive_error_string(r.a)) : 0;
	if (rc == 0)
		rc = read_manifest(&r, err);
	if (rc == 0 && o->found != NULL)
		o->found(o->ctx, count_zips(&r.mf));
	if (rc == 0)
		rc = mv_ingest_batch_new(st, o->lim, tally, &r, &r.batch, err);
	if (rc == 0)
		rc = read_members(&r, err);
	if (rc == 0)
		finish(&r);
	/* What the batch holds is stored (or refused) and reported. */
	mv_ingest_batch_free(r.batch);
	mv_staged_discard(r.pv.info);
	mv_staged_discard(r.pv.mod);
	mv_staged_discard(r.pv.zip);
	mv_buf_free(&r.pv.lookup);
	archive_read_free(r.a);
	for (i = 0; i < r.ntiles; i++)
		free(r.tiles[i].data);
	free(r.tiles);
	free(r.chunk);
	mv_buf_free(&r.head);
	mv_bundle_manifest_free(&r.mf);
	return rc;
}
