/* import.c: storing every module version of a directory tree (import.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modvault/base/limits.h"
#include "modvault/proto/modpath.h"
#include "modvault/source/import.h"
#include "modvault/store/ingest_batch.h"
#include "modvault/store/stage.h"

/* One version found: where, and as what. */
struct item {
	char	*module;	/* unescaped, or as found when problem is set */
	char	*version;
	char	*base;		/* ROOT/.../@v/<escaped version>, no extension */
	char	*problem;	/* why it cannot be imported, or NULL */
};

struct walk {
	const char	*root;
	struct item	*items;
	size_t		 n, cap;
	struct mv_err	*err;
};

static int
add_item(struct walk *w, const char *esc_module, const char *esc_version,
    const char *base)
{
	struct mv_buf m, v;
	struct mv_err e = MV_ERR_INIT;
	struct item *it;

	if (w->n == MV_IMPORT_MAX_VERSIONS)
		return mv_fail(w->err, MV_EINVAL, "more than %d versions in "
		    "the tree", MV_IMPORT_MAX_VERSIONS);
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		if ((it = realloc(w->items, w->cap * sizeof(*it))) == NULL)
			return mv_fail(w->err, MV_ENOMEM, "out of memory");
		w->items = it;
	}
	it = &w->items[w->n++];
	memset(it, 0, sizeof(*it));
	mv_buf_init(&m, MV_MODPATH_MAX_BYTES);
	mv_buf_init(&v, MV_VERSION_MAX_BYTES);
	if (mv_unescape_path(esc_module, &m, &e) == -1 ||
	    mv_unescape_version(esc_version, &v, &e) == -1) {
		it->problem = strdup(e.msg);
		it->module = strdup(esc_module);
		it->version = strdup(esc_version);
	} else {
		it->module = mv_buf_detach(&m, NULL);
		it->version = mv_buf_detach(&v, NULL);
	}
	it->base = strdup(base);
	mv_buf_free(&m);
	mv_buf_free(&v);
	if (it->module == NULL || it->version == NULL || it->base == NULL ||
	    (e.code != MV_OK && it->problem == NULL))
		return mv_fail(w->err, MV_ENOMEM, "out of memory");
	return 0;
}

/* The .zip files of one @v directory; rel is "<escaped module>/@v". */
static int
scan_atv(struct walk *w, int fd, const char *rel)
{
	char base[PATH_MAX], *module;
	struct dirent *de;
	size_t n, rl = strlen(rel);
	DIR *d;
	int rc = 0;

	/* "@v" alone: the root itself is an @v directory. */
	if (rl < 5 || (d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	if ((module = strndup(rel, rl - 3)) == NULL) {
		closedir(d);
		return mv_fail(w->err, MV_ENOMEM, "out of memory");
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n <= 4 || strcmp(de->d_name + n - 4, ".zip") != 0)
			continue;
		de->d_name[n - 4] = '\0';
		if ((size_t)snprintf(base, sizeof(base), "%s/%s/%s", w->root,
		    rel, de->d_name) >= sizeof(base) - 8)
			rc = mv_fail(w->err, MV_EINVAL, "path too long under "
			    "\"%s\"", w->root);
		else
			rc = add_item(w, module, de->d_name, base);
	}
	free(module);
	closedir(d);
	return rc;
}

/* Walks the directory open at fd, which is rel below the root. */
static int
walk(struct walk *w, int fd, struct mv_buf *rel, int depth)
{
	size_t len = rel->len;
	struct dirent *de;
	DIR *d;
	int sub, rc = 0;

	if (depth > MV_IMPORT_MAX_DEPTH) {
		close(fd);
		return mv_fail(w->err, MV_EINVAL, "directories nested deeper "
		    "than %d under \"%s\"", MV_IMPORT_MAX_DEPTH, w->root);
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return mv_fail(w->err, MV_EIO, "cannot read \"%s/%s\": %s",
		    w->root, mv_buf_str(rel), strerror(errno));
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* Directories only, and never through a symbolic link. */
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (sub == -1)
			continue;
		if (mv_buf_printf(rel, w->err, "%s%s", len ? "/" : "",
		    de->d_name) == -1) {
			close(sub);
			rc = -1;
		} else if (strcmp(de->d_name, "@v") == 0)
			rc = scan_atv(w, sub, mv_buf_str(rel));
		else
			rc = walk(w, sub, rel, depth + 1);
		mv_buf_truncate(rel, len);
	}
	closedir(d);
	return rc;
}

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int k = strcmp(x->module, y->module);

	return k != 0 ? k : strcmp(x->version, y->version);
}

/* Stages the item's three files into in (the caller's to discard). */
static int
stage_item(struct mv_store *st, const struct mv_import_opts *o,
    const struct item *it, struct mv_ingest *in, struct mv_err *err)
{
	struct mv_stage *sg = mv_store_stage(st);
	struct mv_policy_decision pd;
	char path[PATH_MAX];

	if (it->problem != NULL)
		return mv_fail(err, MV_EINVAL, "%s", it->problem);
	if (mv_policy_check(o->policy, MV_POLICY_IMPORT, it->module,
	    it->version, &pd, err) == -1)
		return -1;
	/*
	 * A nosumdb (private) module is never looked up (the policy's
	 * verify_sumdb is a fetch's: an import asks only through o->verify).
	 */
	if (!pd.lookup_sumdb)
		in->verify = NULL;
	snprintf(path, sizeof(path), "%s.info", it->base);
	if (mv_stage_copy_file(sg, path, ".info", MV_INFO_MAX_BYTES, &in->info,
	    err) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s.mod", it->base);
	if (mv_stage_copy_file(sg, path, ".mod", o->lim->max_gomod_bytes,
	    &in->mod, err) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s.zip", it->base);
	return mv_stage_copy_file(sg, path, ".zip", o->lim->max_zip_bytes,
	    &in->zip, err);
}

/* Each version's fate, in order, as the batch decides it. */
struct tally {
	const struct mv_import_opts	*o;
	struct mv_import_report		*rep;
};

static void
tally(void *ctx, void *item, const char *module, const char *version, int rc,
    enum mv_ingest_outcome oc, const struct mv_err *why)
{
	struct tally *t = ctx;

	(void)item;
	mv_import_count(t->o, t->rep, module, version, rc, oc, why);
}

/* Stages each version and adds it to a batch (ingest_batch.h). */
static int
import_all(struct mv_store *st, const struct mv_import_opts *o,
    struct walk *w, struct mv_import_report *rep, struct mv_err *err)
{
	char origin[PATH_MAX + 8];
	struct tally t = { o, rep };
	struct mv_ingest_batch *b;
	size_t i;

	snprintf(origin, sizeof(origin), "import:%s", w->root);
	if (w->n > 0)
		qsort(w->items, w->n, sizeof(*w->items), cmp_item);
	if (mv_ingest_batch_new(st, o->lim, tally, &t, &b, err) == -1)
		return -1;
	if (o->found != NULL)
		o->found(o->ctx, w->n);
	for (i = 0; i < w->n; i++) {
		struct mv_ingest in = { .module = w->items[i].module,
		    .version = w->items[i].version, .origin = origin,
		    .verify = o->verify, .verify_ctx = o->verify_ctx };
		struct mv_err e = MV_ERR_INIT;

		if (stage_item(st, o, &w->items[i], &in, &e) == 0)
			mv_ingest_batch_add(b, &in, NULL);
		else
			mv_ingest_batch_refuse(b, w->items[i].module,
			    w->items[i].version, &e, NULL);
		mv_staged_discard(in.info);
		mv_staged_discard(in.mod);
		mv_staged_discard(in.zip);
	}
	mv_ingest_batch_free(b);
	return 0;
}

void
mv_import_count(const struct mv_import_opts *o, struct mv_import_report *rep,
    const char *module, const char *version, int rc,
    enum mv_ingest_outcome outcome, const struct mv_err *err)
{
	rep->versions++;
	if (rc == -1)
		rep->refused++;
	else if (outcome == MV_INGEST_STORED)
		rep->stored++;
	else
		rep->present++;
	if (o->report != NULL)
		o->report(o->ctx, module, version, rc, outcome, err);
}

int
mv_import_tree(struct mv_store *st, const char *root,
    const struct mv_import_opts *o, struct mv_import_report *rep,
    struct mv_err *err)
{
	struct walk w = { root, NULL, 0, 0, err };
	struct mv_buf rel;
	size_t i;
	int fd, rc;

	memset(rep, 0, sizeof(*rep));
	mv_buf_init(&rel, PATH_MAX / 2);
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		rc = mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot open \"%s\": %s", root, strerror(errno));
	else if ((rc = walk(&w, fd, &rel, 0)) == 0)
		rc = import_all(st, o, &w, rep, err);
	for (i = 0; i < w.n; i++) {
		free(w.items[i].module);
		free(w.items[i].version);
		free(w.items[i].base);
		free(w.items[i].problem);
	}
	free(w.items);
	mv_buf_free(&rel);
	return rc;
}
