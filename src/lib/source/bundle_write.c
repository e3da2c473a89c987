/* bundle_write.c: `modvault export`: writing a bundle (bundle.h). */
/*
 * The manifest comes first, so it is made before anything is written:
 * blobs are named by their SHA-256 already, and the proof's members (tree
 * head, tiles, lookups) are small and held in memory.  Then every member
 * is streamed into a tar archive compressed with zstd (libarchive).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "modvault/base/hash.h"
#include "modvault/base/outfile.h"
#include "modvault/proto/modpath.h"
#include "modvault/source/bundle.h"
#include "modvault/store/sumdbstate.h"

#define CHUNK	(256 * 1024)

/* One member: a blob, or bytes held here. */
struct member {
	char			 name[MV_BUNDLE_NAME_MAX_BYTES + 1];
	unsigned char		 digest[32];
	uint64_t		 size;
	const unsigned char	*blob;		/* a blob's digest, or NULL */
	char			*mem;		/* else these size bytes */
	size_t			 vindex;	/* the version it belongs to */
};

struct plan {
	struct member	*m;
	size_t		 n, cap;
	struct mv_buf	 manifest;
};

static int
add(struct plan *p, const char *name, const unsigned char *blob,
    uint64_t size, char *mem, size_t vindex, struct mv_err *err)
{
	struct member *m;
	void *q;

	if (p->n == MV_BUNDLE_MAX_MEMBERS || strlen(name) >
	    MV_BUNDLE_NAME_MAX_BYTES) {
		free(mem);
		return mv_fail(err, MV_ELIMIT, "more than %d bundle members",
		    MV_BUNDLE_MAX_MEMBERS);
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		if ((q = realloc(p->m, p->cap * sizeof(*p->m))) == NULL) {
			free(mem);
			return mv_fail(err, MV_ENOMEM, "out of memory");
		}
		p->m = q;
	}
	m = &p->m[p->n++];
	memset(m, 0, sizeof(*m));
	strcpy(m->name, name);
	m->size = size;
	m->blob = blob;
	m->mem = mem;
	m->vindex = vindex;
	if (blob != NULL)
		memcpy(m->digest, blob, 32);
	else if (mv_sha256(mem, size, m->digest, err) == -1)
		return -1;
	return 0;
}

/* A buffer's bytes as a member of their own. */
static int
add_buf(struct plan *p, const char *name, struct mv_buf *b, size_t vindex,
    struct mv_err *err)
{
	size_t len;
	char *mem = mv_buf_detach(b, &len);

	if (mem == NULL && (mem = strdup("")) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	return add(p, name, NULL, len, mem, vindex, err);
}

struct tiles {
	struct plan	*p;
	struct mv_store	*st;
	const char	*db;
	struct mv_err	*err;
};

/* Every tile this node authenticated (SD-9.1.4) for the database. */
static int
add_tile(void *ctx, const char *path)
{
	struct tiles *t = ctx;
	char name[MV_BUNDLE_NAME_MAX_BYTES + 1];
	struct mv_buf b;
	bool auth = false;

	mv_buf_init(&b, 2 * 32 * 256);
	if (mv_store_sumdb_cache_get(t->st, t->db, path, &b, &auth,
	    NULL) == -1 || !auth || strncmp(path, "tile/", 5) != 0) {
		mv_buf_free(&b);
		return 0;
	}
	snprintf(name, sizeof(name), "sumdb/%s/%s", t->db, path);
	return add_buf(t->p, name, &b, SIZE_MAX, t->err) == -1 ? -1 : 0;
}

/* The tree head and tiles of database db. */
static int
plan_proof(struct plan *p, struct mv_store *st, const char *db,
    struct mv_err *err)
{
	struct tiles t = { p, st, db, err };
	char name[MV_BUNDLE_NAME_MAX_BYTES + 1];
	struct mv_buf note;
	int64_t size;

	mv_buf_init(&note, MV_NOTE_MAX_BYTES);
	if (mv_store_sumdb_tree_get(st, db, &note, &size, err) == -1) {
		mv_buf_free(&note);
		return mv_wrap(err, "no tree head of %s stored: ", db);
	}
	snprintf(name, sizeof(name), "sumdb/%s/latest", db);
	if (add_buf(p, name, &note, SIZE_MAX, err) == -1)
		return -1;
	return mv_store_sumdb_tile_paths(st, db, add_tile, &t, err) == 0 ?
	    0 : -1;
}

/* A version's members: .info, .mod, .zip, and its lookup when stored. */
static int
plan_version(struct plan *p, struct mv_store *st, const char *db,
    const struct mv_version *v, size_t vi, struct mv_err *err)
{
	char name[MV_BUNDLE_NAME_MAX_BYTES + 1];
	struct mv_buf em, ev, body;
	int64_t id;
	int rc;

	mv_buf_init(&em, MV_MODPATH_MAX_BYTES * 2);
	mv_buf_init(&ev, MV_VERSION_MAX_BYTES * 2);
	rc = mv_escape_path(v->module, &em, err) == -1 ||
	    mv_escape_version(v->version, &ev, err) == -1 ? -1 : 0;
#define NAME(ext) (snprintf(name, sizeof(name), "mod/%s/@v/%s" ext, \
	    mv_buf_str(&em), mv_buf_str(&ev)), name)
	if (rc == 0)
		rc = add(p, NAME(".info"), v->info.digest, v->info.size, NULL,
		    vi, err);
	if (rc == 0)
		rc = add(p, NAME(".mod"), v->mod.digest, v->mod.size, NULL, vi,
		    err);
	if (rc == 0)
		rc = add(p, NAME(".zip"), v->zip.digest, v->zip.size, NULL, vi,
		    err);
	mv_buf_init(&body, MV_LOOKUP_MAX_BYTES);
	if (rc == 0 && db != NULL && mv_store_sumdb_record_get(st, v->module,
	    v->version, db, &body, &id, NULL) == 0)
		rc = add_buf(p, NAME(".lookup"), &body, vi, err);
#undef NAME
	mv_buf_free(&body);
	mv_buf_free(&em);
	mv_buf_free(&ev);
	return rc;
}

static int
plan_manifest(struct plan *p, const char *db, struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];
	size_t i;

	mv_buf_init(&p->manifest, MV_BUNDLE_MANIFEST_MAX_BYTES);
	if (mv_buf_printf(&p->manifest, err, "%s\n", MV_BUNDLE_MAGIC) == -1 ||
	    (db != NULL && mv_buf_printf(&p->manifest, err, "sumdb %s\n",
	    db) == -1))
		return -1;
	for (i = 0; i < p->n; i++) {
		mv_hex(p->m[i].digest, 32, hex);
		if (mv_buf_printf(&p->manifest, err, "%s %llu %s\n", hex,
		    (unsigned long long)p->m[i].size, p->m[i].name) == -1)
			return mv_wrap(err, "bundle manifest: ");
	}
	return 0;
}

static int
arc_fail(struct archive *a, const char *what, struct mv_err *err)
{
	return mv_fail(err, MV_EIO, "%s: %s", what, archive_error_string(a));
}

static int
write_header(struct archive *a, const char *name, uint64_t size,
    struct mv_err *err)
{
	struct archive_entry *e = archive_entry_new();
	int rc;

	if (e == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0444);
	rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 :
	    arc_fail(a, name, err);
	archive_entry_free(e);
	return rc;
}

static int
write_bytes(struct archive *a, const void *p, size_t n, struct mv_err *err)
{
	if (n > 0 && archive_write_data(a, p, n) != (la_ssize_t)n)
		return arc_fail(a, "bundle", err);
	return 0;
}

/* A blob's bytes, which must still be the ones the manifest names. */
static int
write_blob(struct archive *a, struct mv_store *st, const struct member *m,
    char *buf, struct mv_err *err)
{
	struct mv_blob_reader *r;
	uint64_t left = m->size;
	size_t got;
	int rc = 0;

	if (mv_blob_open(mv_store_blobs(st), m->blob, &r, err) == -1)
		return mv_wrap(err, "%s: ", m->name);
	while (rc == 0 && left > 0) {
		if ((rc = mv_blob_read(r, buf, CHUNK, &got, err)) == 0 &&
		    (got == 0 || got > left))
			rc = mv_fail(err, MV_ECORRUPT, "%s: blob changed size",
			    m->name);
		if (rc == 0)
			rc = write_bytes(a, buf, got, err);
		left -= rc == 0 ? got : 0;
	}
	mv_blob_close(r);
	return rc;
}

static int
write_all(struct archive *a, struct mv_store *st, struct plan *p,
    const struct mv_version *v,
    void (*step)(void *ctx, const struct mv_version *v), void *ctx,
    struct mv_err *err)
{
	char *buf = malloc(CHUNK);
	size_t i;
	int rc;

	if (buf == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	rc = write_header(a, "MANIFEST", p->manifest.len, err) == -1 ||
	    write_bytes(a, p->manifest.data, p->manifest.len, err) == -1 ?
	    -1 : 0;
	for (i = 0; rc == 0 && i < p->n; i++) {
		rc = write_header(a, p->m[i].name, p->m[i].size, err);
		if (rc == 0)
			rc = p->m[i].blob != NULL ?
			    write_blob(a, st, &p->m[i], buf, err) :
			    write_bytes(a, p->m[i].mem, p->m[i].size, err);
		/* A version ends with its .zip or its .lookup. */
		if (rc == 0 && step != NULL && p->m[i].vindex != SIZE_MAX &&
		    (i + 1 == p->n || p->m[i + 1].vindex != p->m[i].vindex))
			step(ctx, &v[p->m[i].vindex]);
	}
	free(buf);
	return rc;
}

/* The archive goes to a temporary file renamed over path when whole. */
static int
write_file(struct mv_store *st, struct plan *p, const char *path,
    const struct mv_version *v,
    void (*step)(void *ctx, const struct mv_version *v), void *ctx,
    struct mv_err *err)
{
	struct archive *a = archive_write_new();
	struct mv_outfile out;
	int rc;

	if (a == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	if (mv_outfile_open(&out, path, err) == -1) {
		archive_write_free(a);
		return -1;
	}
	rc = archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, out.fd) != ARCHIVE_OK ?
	    arc_fail(a, path, err) : 0;
	if (rc == 0)
		rc = write_all(a, st, p, v, step, ctx, err);
	if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = arc_fail(a, path, err);
	archive_write_free(a);
	if (rc == 0)
		return mv_outfile_commit(&out, err);
	mv_outfile_abort(&out);
	return -1;
}

int
mv_bundle_write(struct mv_store *st, struct mv_sumdbc *c, const char *path,
    const struct mv_version *v, size_t n,
    void (*step)(void *ctx, const struct mv_version *v), void *ctx,
    struct mv_err *err)
{
	const char *db = c != NULL && c->n > 0 ? c->db[0].key.name : NULL;
	struct plan p;
	size_t i;
	int rc;

	memset(&p, 0, sizeof(p));
	mv_buf_init(&p.manifest, 0);
	rc = db != NULL ? plan_proof(&p, st, db, err) : 0;
	for (i = 0; rc == 0 && i < n; i++)
		rc = plan_version(&p, st, db, &v[i], i, err);
	if (rc == 0)
		rc = plan_manifest(&p, db, err);
	if (rc == 0)
		rc = write_file(st, &p, path, v, step, ctx, err);
	for (i = 0; i < p.n; i++)
		free(p.m[i].mem);
	free(p.m);
	mv_buf_free(&p.manifest);
	return rc;
}
