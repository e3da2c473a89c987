/*
 * archive.c: a module zip from a git revision (see archive.h).
 *
 * Two passes, neither holding a file's data in memory:
 *  1. `git ls-tree -r -l -z` lists the module directory's files (names,
 *     modes, sizes) for MZ-6's selection, which must see every name
 *     before it decides (nested modules, case-fold collisions);
 *  2. `git archive --format=tar` (MZ-8.2's command; tar rather than zip
 *     only because libarchive streams it from a pipe) is read entry by
 *     entry and each selected file copied into the zip writer.
 * The sizes MZ-6 bounds are ls-tree's (the blobs as stored); the entries
 * are written at archive's sizes (after conversions such as eol=crlf),
 * and the finished zip is checked again by mv_store_ingest in any case.
 */
#include <errno.h>

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/vcs/archive.h"
#include "modvault/zip/zipmake.h"
#include "vcs_priv.h"

#define LSTREE_MAX_BYTES	(64u * 1024u * 1024u)
#define PIPE_CHUNK		(64u * 1024u)

struct files {
	struct mv_zipmake_file	*f;
	size_t			 n, cap;
	bool			*keep;
	size_t			*order;		/* indexes sorted by name */
	struct mv_buf		 license;	/* MZ-8.4's added LICENSE */
};

static int
files_add(struct files *fs, const char *name, enum mv_zipmake_type type,
    uint64_t size, uint64_t max, struct mv_err *err)
{
	if (fs->n == fs->cap) {
		size_t ncap = fs->cap ? fs->cap * 2 : 256;
		struct mv_zipmake_file *nf;

		if (fs->n >= max)
			return mv_fail(err, MV_ELIMIT, "MZ-2: more than %llu "
			    "files", (unsigned long long)max);
		if ((nf = realloc(fs->f, ncap * sizeof(*nf))) == NULL)
			return mv_fail(err, MV_ENOMEM, "out of memory");
		fs->f = nf;
		fs->cap = ncap;
	}
	fs->f[fs->n++] = (struct mv_zipmake_file){ name, type, size };
	return 0;
}

/*
 * One "<mode> <type> <object> <size>\t<path>" record of ls-tree -l -z;
 * the path relative to dir.  Gitlinks (submodules) are not exported.
 */
static int
parse_record(struct files *fs, char *rec, size_t dirlen, uint64_t max,
    struct mv_err *err)
{
	char *tab = strchr(rec, '\t'), *path, *end;
	unsigned long long size;
	enum mv_zipmake_type type;

	if (tab == NULL)
		return mv_fail(err, MV_EUPSTREAM, "git ls-tree: unreadable "
		    "line");
	path = tab + 1;
	if (strncmp(rec, "160000 ", 7) == 0)
		return 0;
	if (strncmp(rec, "120000 ", 7) == 0)
		type = MV_ZIPMAKE_SYMLINK;
	else if (strncmp(rec, "100", 3) == 0)
		type = MV_ZIPMAKE_REGULAR;
	else
		type = MV_ZIPMAKE_OTHER;
	*tab = '\0';
	end = strrchr(rec, ' ');
	size = end != NULL ? strtoull(end + 1, NULL, 10) : 0;
	if (strlen(path) <= dirlen)
		return 0;
	return files_add(fs, path + dirlen, type, size, max, err);
}

/* Pass 1: the module directory's files, from ls-tree. */
static int
list_files(struct mv_vcsmod *m, const char *hash, const char *dir,
    struct mv_buf *out, struct files *fs, uint64_t max, struct mv_err *err)
{
	char spec[MV_MODPATH_MAX_BYTES + 48];
	const char *args[] = { "ls-tree", "-r", "-l", "-z", "--full-tree", hash,
	    "--", spec, NULL };
	size_t dirlen = 0, off;

	if (dir[0] != '\0') {
		snprintf(spec, sizeof(spec), "%s/", dir);
		dirlen = strlen(spec);
	} else
		args[6] = NULL;
	if (mv_git_run(m->repo->git, m->repo->dir, args, out, NULL, err) == -1)
		return -1;
	for (off = 0; off < out->len;) {
		char *rec = out->data + off;
		size_t n = strnlen(rec, out->len - off);

		if (off + n == out->len)
			return mv_fail(err, MV_EUPSTREAM, "git ls-tree: output "
			    "cut short");
		if (parse_record(fs, rec, dirlen, max, err) == -1)
			return -1;
		off += n + 1;
	}
	return 0;
}

/* MZ-8.4: a module in a subdirectory without LICENSE gets the root's. */
static int
add_license(struct mv_vcsmod *m, const char *hash, const char *dir,
    struct files *fs, uint64_t max, struct mv_err *err)
{
	bool found = false;
	size_t i;

	if (dir[0] == '\0')
		return 0;
	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i].name, "LICENSE") == 0)
			return 0;
	/* Raw, as the go command reads it (cat-file, VC-4.6). */
	if (mv_repo_read_file(m->repo, hash, "LICENSE", &fs->license, &found,
	    err) == -1)
		return -1;
	if (!found)
		return 0;
	return files_add(fs, "LICENSE", MV_ZIPMAKE_REGULAR, fs->license.len,
	    max, err);
}

static const struct files *sort_files;

static int
by_name(const void *a, const void *b)
{
	return strcmp(sort_files->f[*(const size_t *)a].name,
	    sort_files->f[*(const size_t *)b].name);
}

/* The index of the file named name, or -1. */
static long
lookup(const struct files *fs, const char *name)
{
	size_t lo = 0, hi = fs->n, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(fs->f[fs->order[mid]].name, name);
		if (c == 0)
			return (long)fs->order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
index_files(struct files *fs, struct mv_err *err)
{
	size_t i;

	if ((fs->order = calloc(fs->n + 1, sizeof(*fs->order))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	for (i = 0; i < fs->n; i++)
		fs->order[i] = i;
	sort_files = fs;
	qsort(fs->order, fs->n, sizeof(*fs->order), by_name);
	sort_files = NULL;
	return 0;
}

/* libarchive reads git's stdout through this. */
struct pipe_src {
	struct mv_gitproc	*p;
	struct mv_err		 err;
	char			 buf[PIPE_CHUNK];
};

static la_ssize_t
pipe_read(struct archive *a, void *ctx, const void **buf)
{
	struct pipe_src *s = ctx;
	size_t got = 0;

	if (mv_git_read(s->p, s->buf, sizeof(s->buf), &got, &s->err) == -1) {
		archive_set_error(a, EIO, "%s", s->err.msg);
		return -1;
	}
	*buf = s->buf;
	return (la_ssize_t)got;
}

static int
entry_read(void *ctx, void *buf, size_t n, size_t *got, struct mv_err *err)
{
	la_ssize_t r = archive_read_data(ctx, buf, n);

	if (r < 0)
		return mv_fail(err, MV_EUPSTREAM, "git archive: %s",
		    archive_error_string(ctx));
	*got = (size_t)r;
	return 0;
}

/* Pass 2: each selected file from git archive's tar into the zip. */
static int
copy_entries(struct archive *a, struct files *fs, size_t dirlen,
    struct mv_zipwriter *w, struct pipe_src *src, size_t *written,
    struct mv_err *err)
{
	struct archive_entry *ent;
	const char *name;
	long i;
	int r;

	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK ||
	    r == ARCHIVE_WARN) {
		name = archive_entry_pathname(ent);
		if (archive_entry_filetype(ent) != AE_IFREG || name == NULL ||
		    strlen(name) <= dirlen ||
		    (i = lookup(fs, name + dirlen)) == -1 || !fs->keep[i])
			continue;
		fs->keep[i] = false;	/* written: a repeat is not */
		if (mv_zipwriter_add(w, name + dirlen,
		    (uint64_t)archive_entry_size(ent), entry_read, a, err) == -1)
			return -1;
		(*written)++;
	}
	if (r != ARCHIVE_EOF) {
		if (src->err.code != MV_OK)
			return mv_err_pass(err, &src->err);
		return mv_fail(err, MV_EUPSTREAM, "git archive: %s",
		    archive_error_string(a));
	}
	return 0;
}

/* Streams `git archive` of the module directory into w. */
static int
stream(struct mv_vcsmod *m, const char *hash, const char *dir,
    struct files *fs, struct mv_zipwriter *w, size_t *written,
    struct mv_err *err)
{
	char spec[MV_MODPATH_MAX_BYTES + 48];
	const char *args[] = { "-c", "core.autocrlf=input", "-c",
	    "core.eol=lf", "archive", "--format=tar", hash, "--", spec, NULL };
	struct pipe_src *src;
	struct archive *a;
	struct mv_gitproc p;
	int rc;

	if (dir[0] != '\0')
		snprintf(spec, sizeof(spec), "%s/", dir);
	else
		args[7] = NULL;
	if ((src = calloc(1, sizeof(*src))) == NULL ||
	    (a = archive_read_new()) == NULL) {
		free(src);
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	archive_read_support_format_tar(a);
	if (mv_git_start(m->repo->git, m->repo->dir, args, &p, err) == -1) {
		archive_read_free(a);
		free(src);
		return -1;
	}
	src->p = &p;
	rc = archive_read_open(a, src, NULL, pipe_read, NULL) != ARCHIVE_OK ?
	    mv_fail(err, MV_EUPSTREAM, "git archive: %s",
	    archive_error_string(a)) : copy_entries(a, fs, dir[0] != '\0' ?
	    strlen(spec) : 0, w, src, written, err);
	archive_read_free(a);
	/* The tar ends before git does (padding): read to the end. */
	while (rc == 0 && p.out != -1) {
		size_t got;

		if (mv_git_read(&p, src->buf, sizeof(src->buf), &got, err) == -1)
			rc = -1;
		else if (got == 0)
			break;
	}
	free(src);
	if (mv_git_finish(&p, rc == 0, err) == -1)
		return -1;
	return rc;
}

static void
files_free(struct files *fs)
{
	free(fs->f);
	free(fs->keep);
	free(fs->order);
	mv_buf_free(&fs->license);
}

/* Selection (MZ-6) over the listed files; the count of those kept. */
static int
select_files(struct mv_vcsmod *m, const struct mv_revinfo *ri,
    const struct mv_buf *gomod, bool has_gomod, struct files *fs,
    size_t *nkeep, struct mv_err *err)
{
	size_t i;

	if ((fs->keep = calloc(fs->n + 1, sizeof(*fs->keep))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	/*
	 * MZ-6.2 reads the go directive of the root go.mod: findDir's raw
	 * copy here (conversions do not touch a go line that parses).
	 */
	if (mv_zipmake_select(m->module, ri->version, fs->f, fs->n,
	    has_gomod ? gomod->data : NULL, has_gomod ? gomod->len : 0,
	    fs->keep, err) == -1)
		return -1;
	for (*nkeep = 0, i = 0; i < fs->n; i++)
		*nkeep += fs->keep[i];
	return index_files(fs, err);
}

static int
write_zip(struct mv_vcsmod *m, const struct mv_revinfo *ri, const char *dir,
    struct files *fs, size_t nkeep, int fd, struct mv_err *err)
{
	struct mv_zipwriter *w;
	size_t written = 0;
	long lic = fs->license.len > 0 ? lookup(fs, "LICENSE") : -1;

	if (mv_zipwriter_open(fd, m->module, ri->version, &w, err) == -1)
		return -1;
	/* The LICENSE of MZ-8.4 is not in the archive of dir/. */
	if (lic != -1 && fs->keep[lic] && dir[0] != '\0') {
		fs->keep[lic] = false;
		if (mv_zipwriter_add_mem(w, "LICENSE", fs->license.data,
		    fs->license.len, err) == -1) {
			mv_zipwriter_free(w);
			return -1;
		}
		written++;
	}
	if (stream(m, ri->hash, dir, fs, w, &written, err) == -1) {
		mv_zipwriter_free(w);
		return -1;
	}
	if (written != nkeep) {
		mv_zipwriter_free(w);
		return mv_fail(err, MV_EUPSTREAM, "git archive of %s@%s left out "
		    "%zu of the files ls-tree listed", m->module, ri->version,
		    nkeep - written);
	}
	return mv_zipwriter_close(w, err);
}

int
mv_vcs_zip(struct mv_vcsmod *m, const struct mv_revinfo *ri, int fd,
    const struct mv_zip_limits *lim, struct mv_err *err)
{
	char dir[MV_MODPATH_MAX_BYTES + 40];
	struct mv_buf gomod, names;
	struct files fs;
	size_t nkeep = 0;
	bool has = false;
	int rc;

	memset(&fs, 0, sizeof(fs));
	mv_buf_init(&fs.license, MV_LICENSE_MAX_BYTES);
	mv_buf_init(&gomod, MV_GOMOD_MAX_BYTES);
	mv_buf_init(&names, LSTREE_MAX_BYTES);
	rc = mv_vcs_find_dir(m, ri, dir, sizeof(dir), &gomod, &has, err) == -1 ||
	    list_files(m, ri->hash, dir, &names, &fs, lim->max_files,
	    err) == -1 ||
	    add_license(m, ri->hash, dir, &fs, lim->max_files, err) == -1 ||
	    select_files(m, ri, &gomod, has, &fs, &nkeep, err) == -1 ||
	    write_zip(m, ri, dir, &fs, nkeep, fd, err) == -1 ? -1 : 0;
	files_free(&fs);
	mv_buf_free(&gomod);
	mv_buf_free(&names);
	return rc;
}
