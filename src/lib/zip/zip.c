/* zip.c: module zip validation (module-zip.md MZ-1..MZ-5) and its h1 hash. */
/*
 * One pass over libarchive's seekable reader checks each entry in the
 * order of module-zip.md section 5, then streams its data through SHA-256
 * in CHUNK-sized pieces, failing as soon as the bytes exceed the declared
 * size or a limit, so a zip bomb costs at most one libarchive buffer.
 * When a scan made during the download (zipscan.c, the only other file
 * that reads with archive.h) proves it decoded exactly an entry's bytes, its
 * digest stands in for that reading.  The first offending entry stops the
 * check (MZ-3.5 needs only "invalid or not"); its message names the rule.
 * The name rules (MZ-1.1/1.2, MZ-3.1 to 3.3) are shared with creation
 * (zipmake.c) through zipmake.h, so the two cannot disagree.
 *
 * What libarchive 3.6's seekable reader does, and what follows from it:
 * - the entry list, offsets and sizes come from the central directory, and
 *   a local header whose sizes or CRC disagree with it makes
 *   archive_read_next_header() return ARCHIVE_WARN, which we reject
 *   (MZ-4.1);
 * - but the entry NAME, flags and compression method are taken from the
 *   local header, and two central records naming the same local header
 *   yield one entry.  A zip whose local names differ from its central ones
 *   hashes differently here than in the go command; the h1 then fails to
 *   match the checksum database, so such a zip is refused, never served
 *   under a checksum it does not have.
 * - names flagged UTF-8 are converted to the thread's locale (and
 *   NFC-composed); we read under C.UTF-8 so they arrive as UTF-8, and
 *   restore the caller's locale afterwards.
 * - it reads no data for directory entries, so a directory entry must
 *   declare size 0 (else Go would hash data we never see).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include <archive.h>
#include <archive_entry.h>

#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/zip/zip.h"
#include "modvault/zip/zipmake.h"
#include "zipdir.h"
#include "zipscan_priv.h"

#define CHUNK		(64 * 1024)	/* bytes hashed per read */
#define QUOTE_MAX	MV_ZIP_QUOTE_MAX	/* a quoted name in a message */
#define MIB		(1024ULL * 1024)

/* One folded path (a name or one of its parents) seen so far (MZ-3.3). */
struct fold_node {
	const char	*fold;
	size_t		 flen;
	const char	*orig;
	size_t		 olen;
	bool		 isdir;
	bool		 used;
};

/* The MZ-3.3 set (zipmake.h): folded paths, and the names they point into. */
struct mv_zipfold {
	struct fold_node	*map;	/* open addressing */
	size_t			 mapcap, mapn, mapmax;
	char			**names;	/* owned "orig\0fold" */
	size_t			 nnames, namecap;
};

struct zc {
	const struct mv_zip_limits	*lim;
	struct mv_zip_result		*res;
	struct archive			*a;
	struct mv_buf			 prefix;
	struct mv_h1			*h1;
	struct mv_sha256		*sha;
	unsigned char			*chunk;
	struct mv_zipfold		*fold;	/* MZ-3.3 */
	uint64_t			 declared;	/* MZ-2.2 total */
	struct mv_zipdir		 dir;	/* our own reading (MZ-4.1) */
	size_t				 idx;	/* next dir entry expected */
	const struct mv_zipscan		*scan;	/* optional: digests */
};

void
mv_zip_limits_default(struct mv_zip_limits *lim)
{
	lim->max_zip_bytes = 500 * MIB;		/* MZ-2.1 */
	lim->max_unzipped_bytes = 500 * MIB;	/* MZ-2.2 */
	lim->max_gomod_bytes = 16 * MIB;	/* MZ-2.3 */
	lim->max_license_bytes = 16 * MIB;	/* MZ-2.3 */
	lim->max_files = 100000;
}

void
mv_zip_result_init(struct mv_zip_result *r)
{
	memset(r, 0, sizeof(*r));
	mv_buf_init(&r->gomod, 16 * MIB);
}

void
mv_zip_result_free(struct mv_zip_result *r)
{
	mv_buf_free(&r->gomod);
	mv_zip_result_init(r);
}

/* Quotes n bytes of s for a one-line message, escaping what is odd. */
static const char *
quote(char out[QUOTE_MAX], const char *s, size_t n)
{
	size_t i, o = 0;
	unsigned char c;

	out[o++] = '"';
	for (i = 0; i < n && o < QUOTE_MAX - 8; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, 3, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (i < n)
		o += (size_t)snprintf(out + o, 4, "...");
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/*
 * What a libarchive failure means: out of memory is this machine's
 * failure (MV_ENOMEM), anything else the zip's (a broken rule).
 */
static enum mv_code
la_code(struct archive *a)
{
	return archive_errno(a) == ENOMEM ? MV_ENOMEM : MV_ECORRUPT;
}

/* libarchive's message for a, on one line (some end in a newline). */
static const char *
la_error(struct archive *a, char out[QUOTE_MAX])
{
	const char *msg = archive_error_string(a);
	size_t n;

	if (msg == NULL)
		msg = "unknown libarchive error";
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
		n--;
	quote(out, msg, n);
	out[strlen(out) - 1] = '\0';
	return out + 1;
}

/*
 * MZ-3.1: Go's path.Clean(name) == name.  Clean keeps a leading ".." of a
 * relative path and a lone "/" or ".", and removes everything else odd.
 */
static bool
path_is_clean(const char *s, size_t n)
{
	bool rooted, lead = true;
	size_t i, j, el;

	if (n == 0)
		return false;
	if ((n == 1 && (s[0] == '/' || s[0] == '.')))
		return true;
	if (s[n - 1] == '/')
		return false;
	rooted = s[0] == '/';
	for (i = rooted ? 1 : 0; i < n; i = j + 1) {
		for (j = i; j < n && s[j] != '/'; j++)
			;
		el = j - i;
		if (el == 0 || (el == 1 && s[i] == '.'))
			return false;
		if (el == 2 && s[i] == '.' && s[i + 1] == '.') {
			if (rooted || !lead)
				return false;
		} else
			lead = false;
	}
	return true;
}

/* FNV-1a: the map only needs a cheap spread of folded paths. */
static size_t
fold_hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static struct fold_node *
fold_find(struct mv_zipfold *f, const char *fold, size_t flen)
{
	size_t i = fold_hash(fold, flen) & (f->mapcap - 1);

	while (f->map[i].used) {
		if (f->map[i].flen == flen &&
		    memcmp(f->map[i].fold, fold, flen) == 0)
			return &f->map[i];
		i = (i + 1) & (f->mapcap - 1);
	}
	return &f->map[i];
}

static int
fold_grow(struct mv_zipfold *f, struct mv_err *err)
{
	struct fold_node *old = f->map, *slot;
	size_t i, oldcap = f->mapcap;

	f->mapcap = oldcap ? oldcap * 2 : 1024;
	if ((f->map = calloc(f->mapcap, sizeof(*f->map))) == NULL) {
		f->map = old;
		f->mapcap = oldcap;
		return mv_fail(err, MV_ENOMEM, "out of memory for zip names");
	}
	for (i = 0; i < oldcap; i++)
		if (old[i].used) {
			slot = fold_find(f, old[i].fold, old[i].flen);
			*slot = old[i];
		}
	free(old);
	return 0;
}

static int
fold_insert(struct mv_zipfold *f, struct fold_node *n, struct mv_err *err)
{
	/*
	 * Parents add nodes too; cap them so a hostile zip of deep, distinct
	 * paths cannot grow the map without bound (a modvault limit).
	 */
	if (f->mapn >= f->mapmax)
		return mv_fail(err, MV_ELIMIT, "MZ-3.3: more than %zu distinct "
		    "files and directories", f->mapmax);
	if ((f->mapn + 1) * 4 >= f->mapcap * 3 && fold_grow(f, err) == -1)
		return -1;
	*fold_find(f, n->fold, n->flen) = *n;
	f->mapn++;
	return 0;
}

/*
 * MZ-3.3: checks a path, then its parents as directories.  A directory
 * already present with the same spelling had its parents checked when it
 * was added, so the walk stops there (Go revisits them; same verdict).
 */
static int
fold_check(struct mv_zipfold *f, struct fold_node n, struct mv_err *err)
{
	struct fold_node *old;
	char q1[QUOTE_MAX], q2[QUOTE_MAX];

	if (f->mapcap == 0 && fold_grow(f, err) == -1)
		return -1;
	for (;;) {
		old = fold_find(f, n.fold, n.flen);
		if (!old->used) {
			if (fold_insert(f, &n, err) == -1)
				return -1;
		} else if (old->olen != n.olen ||
		    memcmp(old->orig, n.orig, n.olen) != 0)
			return mv_fail(err, MV_ECORRUPT, "MZ-3.3: case-insensitive"
			    " file name collision: %s and %s",
			    quote(q1, old->orig, old->olen),
			    quote(q2, n.orig, n.olen));
		else if (old->isdir != n.isdir)
			return mv_fail(err, MV_ECORRUPT, "MZ-3.3: entry %s is "
			    "both a file and a directory",
			    quote(q1, n.orig, n.olen));
		else if (!n.isdir)
			return mv_fail(err, MV_ECORRUPT, "MZ-3.3: multiple "
			    "entries for file %s", quote(q1, n.orig, n.olen));
		else
			return 0;
		/* '/' folds to itself, so both strings cut at the same one. */
		while (n.olen > 0 && n.orig[n.olen - 1] != '/')
			n.olen--;
		while (n.flen > 0 && n.fold[n.flen - 1] != '/')
			n.flen--;
		if (n.olen == 0)
			return 0;
		n.olen--;
		n.flen--;
		n.isdir = true;
	}
}

/*
 * Simple case folding of valid UTF-8 (MZ-3.2 ran first): towupper then
 * towlower puts each of Go's SimpleFold orbits (k, K, U+212A KELVIN SIGN;
 * s, S, U+017F LONG S) on one code point.  Needs the UTF-8 locale that
 * zc_run (or mv_zipmake_select) installs; without it a non-ASCII name
 * fails closed.
 */
static int
fold_name(const char *s, size_t n, char *out, size_t *outlen,
    struct mv_err *err)
{
	mbstate_t in, outst;
	size_t i = 0, o = 0, k;
	wchar_t wc;

	memset(&in, 0, sizeof(in));
	memset(&outst, 0, sizeof(outst));
	while (i < n) {
		k = mbrtowc(&wc, s + i, n - i, &in);
		if (k == 0 || k > n - i)
			return mv_fail(err, MV_ECORRUPT, "MZ-3.3: cannot "
			    "case-fold file name (no UTF-8 locale)");
		i += k;
		wc = (wchar_t)towlower(towupper((wint_t)wc));
		if ((k = wcrtomb(out + o, wc, &outst)) == (size_t)-1)
			return mv_fail(err, MV_ECORRUPT, "MZ-3.3: cannot "
			    "case-fold file name");
		o += k;
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

/* MZ-3.3 for one entry name: keeps "orig\0fold" for the map's pointers. */
int
mv_zipfold_check(struct mv_zipfold *f, const char *name, size_t n, bool isdir,
    struct mv_err *err)
{
	struct fold_node node;
	char **nn, *p;
	size_t flen = 0;

	if (f->nnames == f->namecap) {
		f->namecap = f->namecap ? f->namecap * 2 : 256;
		if ((nn = realloc(f->names, f->namecap * sizeof(*nn))) == NULL)
			return mv_fail(err, MV_ENOMEM, "out of memory");
		f->names = nn;
	}
	/* Each code point (1 byte or more) folds to at most MB_CUR_MAX. */
	if (n > (SIZE_MAX - 2) / (MB_CUR_MAX + 1) ||
	    (p = malloc(n + 1 + n * MB_CUR_MAX + 1)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	f->names[f->nnames++] = p;
	memcpy(p, name, n);
	p[n] = '\0';
	if (fold_name(name, n, p + n + 1, &flen, err) == -1)
		return -1;
	node.orig = p;
	node.olen = n;
	node.fold = p + n + 1;
	node.flen = flen;
	node.isdir = isdir;
	node.used = true;
	return fold_check(f, node, err);
}

struct mv_zipfold *
mv_zipfold_new(uint64_t max_files, struct mv_err *err)
{
	struct mv_zipfold *f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		mv_fail(err, MV_ENOMEM, "out of memory for zip names");
		return NULL;
	}
	f->mapmax = max_files > SIZE_MAX / 4 ? SIZE_MAX / 2 :
	    (size_t)max_files * 2 + 16;
	return f;
}

void
mv_zipfold_free(struct mv_zipfold *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nnames; i++)
		free(f->names[i]);
	free(f->names);
	free(f->map);
	free(f);
}

/*
 * MZ-3.2 via mv_filepath_check, worded as Go's CheckFilePath ("malformed
 * file path"), which the spec's messages quote.
 */
static int
check_filepath(const char *name, struct mv_err *err)
{
	static const char ours[] = "invalid file path ";
	struct mv_err e = MV_ERR_INIT;

	if (mv_filepath_check(name, &e) == 0)
		return 0;
	if (strncmp(e.msg, ours, sizeof(ours) - 1) == 0)
		return mv_fail(err, MV_ECORRUPT, "MZ-3.2: malformed file path %s",
		    e.msg + sizeof(ours) - 1);
	return mv_fail(err, MV_ECORRUPT, "MZ-3.2: %s", e.msg);
}

/* The name rules above, for creation (zipmake.h). */
const char *
mv_zip_quote(char out[MV_ZIP_QUOTE_MAX], const char *s, size_t n)
{
	return quote(out, s, n);
}

bool
mv_zip_path_is_clean(const char *s, size_t n)
{
	return path_is_clean(s, n);
}

int
mv_zip_filepath_check(const char *name, struct mv_err *err)
{
	return check_filepath(name, err);
}

/* MZ-3.4, MZ-2.2, MZ-2.3 for a non-directory entry (name after prefix). */
static int
check_file_sizes(struct zc *z, const char *name, size_t n, int64_t size,
    struct mv_err *err)
{
	const char *base = strrchr(name, '/');
	char q[QUOTE_MAX];

	base = base == NULL ? name : base + 1;
	if (strcasecmp(base, "go.mod") == 0) {
		if (base != name)
			return mv_fail(err, MV_ECORRUPT, "MZ-3.4: go.mod file "
			    "not in module root directory: %s", quote(q, name, n));
		if (strcmp(name, "go.mod") != 0)
			return mv_fail(err, MV_ECORRUPT, "MZ-3.4: go.mod files "
			    "must have lowercase names: %s", quote(q, name, n));
	}
	/* declared never exceeds the limit: the first excess fails here. */
	if (size < 0 ||
	    (uint64_t)size > z->lim->max_unzipped_bytes - z->declared)
		return mv_fail(err, MV_ELIMIT, "MZ-2.2: module source tree too "
		    "large (max size is %ju bytes)",
		    (uintmax_t)z->lim->max_unzipped_bytes);
	z->declared += (uint64_t)size;
	if (strcmp(name, "go.mod") == 0 &&
	    (uint64_t)size > z->lim->max_gomod_bytes)
		return mv_fail(err, MV_ELIMIT, "MZ-2.3: go.mod file too large "
		    "(max size is %ju bytes)", (uintmax_t)z->lim->max_gomod_bytes);
	if (strcmp(name, "LICENSE") == 0 &&
	    (uint64_t)size > z->lim->max_license_bytes)
		return mv_fail(err, MV_ELIMIT, "MZ-2.3: LICENSE file too large "
		    "(max size is %ju bytes)",
		    (uintmax_t)z->lim->max_license_bytes);
	return 0;
}

/* Section 5 step 5 for one entry name after the prefix (MZ-3.1 to 2.3). */
static int
check_name(struct zc *z, const char *rest, int64_t size, struct mv_err *err)
{
	char name[MV_FILEPATH_MAX_BYTES + 2], q[QUOTE_MAX];
	size_t n = strlen(rest);
	bool isdir;

	if (n == 0)
		return 0;	/* MZ-1.4: the top directory itself */
	if (n > MV_FILEPATH_MAX_BYTES)
		return mv_fail(err, MV_ECORRUPT, "MZ-3.2: file path longer "
		    "than %d bytes: %s", MV_FILEPATH_MAX_BYTES, quote(q, rest, n));
	isdir = rest[n - 1] == '/';
	if (isdir)
		n--;
	memcpy(name, rest, n);
	name[n] = '\0';
	if (!path_is_clean(name, n))
		return mv_fail(err, MV_ECORRUPT, "MZ-3.1: file path is not "
		    "clean: %s", quote(q, name, n));
	if (check_filepath(name, err) == -1 ||
	    mv_zipfold_check(z->fold, name, n, isdir, err) == -1)
		return -1;
	if (isdir)
		return 0;
	return check_file_sizes(z, name, n, size, err);
}

/* MZ-4.2, MZ-4.3: what Go cannot read, or this proxy refuses to serve. */
static int
check_container(struct zc *z, struct archive_entry *e, const char *full,
    bool isdir, int64_t size, struct mv_err *err)
{
	const char *fmt = archive_format_name(z->a);
	size_t fl = fmt == NULL ? 0 : strlen(fmt);
	mode_t type = archive_entry_filetype(e);
	char q[QUOTE_MAX];

	quote(q, full, strlen(full));
	if (archive_entry_is_encrypted(e))
		return mv_fail(err, MV_ECORRUPT, "MZ-4.2: encrypted entry %s",
		    q);
	/* libarchive names the method only in "ZIP 2.0 (deflation)". */
	if (!(fl > 15 && strcmp(fmt + fl - 15, " (uncompressed)") == 0) &&
	    !(fl > 12 && strcmp(fmt + fl - 12, " (deflation)") == 0))
		return mv_fail(err, MV_ECORRUPT, "MZ-4.2: unsupported "
		    "compression method in %s (%s)", q, fmt ? fmt : "?");
	if (type == AE_IFLNK)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.3: symbolic link entry "
		    "%s", q);
	if (isdir ? type != AE_IFDIR : type != AE_IFREG)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.3: entry %s is not a "
		    "regular file or directory", q);
	if (!archive_entry_size_is_set(e) || size < 0 || (isdir && size != 0))
		return mv_fail(err, MV_ECORRUPT, "MZ-2.4: entry %s has a bad "
		    "declared size", q);
	return 0;
}

/* MZ-2.4, MZ-2.2: got bytes of an entry declared as size so far. */
static int
check_growth(struct zc *z, const char *q, uint64_t got, uint64_t size,
    struct mv_err *err)
{
	if (got > size)
		return mv_fail(err, MV_ELIMIT, "MZ-2.4: %s is larger than its "
		    "declared %ju bytes", q, (uintmax_t)size);
	if (z->res->unzipped_bytes > z->lim->max_unzipped_bytes)
		return mv_fail(err, MV_ELIMIT, "MZ-2.2: module source tree too "
		    "large (max size is %ju bytes)",
		    (uintmax_t)z->lim->max_unzipped_bytes);
	return 0;
}

/* H-2.1: hashes the data through libarchive, never past the limits. */
static int
hash_data(struct zc *z, const char *q, uint64_t size, bool gomod,
    uint64_t *got, unsigned char d[MV_SHA256_LEN], struct mv_err *err)
{
	char lq[QUOTE_MAX];
	la_ssize_t n;

	while ((n = archive_read_data(z->a, z->chunk, CHUNK)) != 0) {
		if (n < 0)
			return mv_fail(err, la_code(z->a), "MZ-2.4: cannot "
			    "read %s: %s", q, la_error(z->a, lq));
		*got += (uint64_t)n;
		z->res->unzipped_bytes += (uint64_t)n;
		if (check_growth(z, q, *got, size, err) == -1 ||
		    mv_sha256_update(z->sha, z->chunk, (size_t)n, err) == -1 ||
		    (gomod && mv_buf_append(&z->res->gomod, z->chunk,
		    (size_t)n, err) == -1))
			return -1;
	}
	return mv_sha256_final(z->sha, d, err);
}

/*
 * MZ-2.4, H-2.1: the entry's digest, from the scan when it proves it saw
 * these very bytes (the root go.mod is read anyway: its bytes are kept).
 */
static int
read_entry(struct zc *z, const char *full, uint64_t size, bool gomod,
    struct mv_err *err)
{
	unsigned char d[MV_SHA256_LEN];
	char q[QUOTE_MAX];
	uint64_t got = 0;

	quote(q, full, strlen(full));
	if (!gomod && mv_zipscan_digest(z->scan, &z->dir, z->idx - 1, &got,
	    d)) {
		z->res->scanned++;
		z->res->unzipped_bytes += got;
		if (check_growth(z, q, got, size, err) == -1)
			return -1;
	} else if (hash_data(z, q, size, gomod, &got, d, err) == -1)
		return -1;
	if (got != size)
		return mv_fail(err, MV_ECORRUPT, "MZ-2.4: %s is shorter than "
		    "its declared %ju bytes", q, (uintmax_t)size);
	return mv_h1_add(z->h1, full, d, err);
}

static int
do_entry(struct zc *z, struct archive_entry *e, struct mv_err *err)
{
	const char *full = archive_entry_pathname(e), *rest;
	int64_t size = archive_entry_size(e);
	char q[QUOTE_MAX];
	bool isdir, gomod;

	if (full == NULL)
		return mv_fail(err, la_code(z->a), "MZ-4.1: unreadable entry "
		    "name: %s", la_error(z->a, q));
	/* What libarchive yields must be what the central directory says. */
	if (z->idx >= z->dir.n || strlen(full) != z->dir.e[z->idx].namelen ||
	    memcmp(full, z->dir.e[z->idx].name, z->dir.e[z->idx].namelen) != 0)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: entry %s is not the "
		    "one the central directory lists", quote(q, full,
		    strlen(full)));
	z->idx++;
	if (++z->res->nfiles > z->lim->max_files)
		return mv_fail(err, MV_ELIMIT, "MZ-2: more than %ju entries "
		    "in module zip", (uintmax_t)z->lim->max_files);
	if (strncmp(full, z->prefix.data, z->prefix.len) != 0)
		return mv_fail(err, MV_ECORRUPT, "MZ-1.3: path does not have "
		    "prefix \"%s\": %s", z->prefix.data,
		    quote(q, full, strlen(full)));
	rest = full + z->prefix.len;
	if (check_name(z, rest, size, err) == -1)
		return -1;
	isdir = *rest == '\0' || rest[strlen(rest) - 1] == '/';
	if (check_container(z, e, full, isdir, size, err) == -1)
		return -1;
	gomod = strcmp(rest, "go.mod") == 0;
	if (gomod)
		z->res->has_gomod = true;
	return read_entry(z, full, (uint64_t)size, gomod, err);
}

/* Section 5 step 4 on: every entry, in libarchive's order, then H-2. */
static int
zc_entries(struct zc *z, struct mv_err *err)
{
	struct archive_entry *e;
	char q[QUOTE_MAX];
	int r;

	while ((r = archive_read_next_header(z->a, &e)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK) {
			/* WARN: local header disagrees with the central one. */
			return mv_fail(err, la_code(z->a), "MZ-4.1: bad zip "
			    "archive: %s", la_error(z->a, q));
		}
		if (do_entry(z, e, err) == -1)
			return -1;
	}
	if (z->idx != z->dir.n)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: the central directory "
		    "lists %zu entries, the archive yields %zu", z->dir.n,
		    z->idx);
	return mv_h1_finish(z->h1, z->res->h1, err);
}

/* Runs the entry loop under a UTF-8 LC_CTYPE for this thread only. */
static int
zc_run(struct zc *z, struct mv_err *err)
{
	locale_t utf8, old = (locale_t)0;
	int rc;

	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8 != (locale_t)0)
		old = uselocale(utf8);
	rc = zc_entries(z, err);
	if (utf8 != (locale_t)0) {
		uselocale(old);
		freelocale(utf8);
	}
	if (rc == -1) {
		z->res->h1[0] = '\0';
		z->res->has_gomod = false;
		mv_buf_reset(&z->res->gomod);
	}
	return rc;
}

/* MZ-1.1 and MZ-1.2 (also MZ-6.1, zipmake.h). */
int
mv_zip_check_module_version(const char *module, const char *version,
    struct mv_err *err)
{
	char canon[MV_VERSION_MAX_BYTES];
	struct mv_err e = MV_ERR_INIT;

	if (mv_version_canonical(version, canon, sizeof(canon), &e) == -1 ||
	    strcmp(canon, version) != 0)
		return mv_fail(err, MV_EINVAL, "MZ-1.1: version \"%.*s\" is not "
		    "canonical (should be \"%s\")", MV_VERSION_MAX_BYTES, version,
		    canon);
	if (mv_modpath_check_version(module, version, &e) == -1)
		return mv_fail(err, e.code, "MZ-1.2: %s", e.msg);
	return 0;
}

/* MZ-1.1, MZ-1.2 and the working state. */
static int
zc_begin(struct zc *z, const char *module, const char *version,
    const struct mv_zip_limits *lim, struct mv_zip_result *res,
    struct mv_err *err)
{
	memset(z, 0, sizeof(*z));
	mv_buf_init(&z->prefix, MV_MODPATH_MAX_BYTES + MV_VERSION_MAX_BYTES + 2);
	z->lim = lim;
	z->res = res;
	mv_buf_free(&res->gomod);
	mv_zip_result_init(res);
	mv_buf_init(&res->gomod, lim->max_gomod_bytes > SIZE_MAX ? SIZE_MAX :
	    (size_t)lim->max_gomod_bytes);
	if (mv_zip_check_module_version(module, version, err) == -1)
		return -1;
	if (mv_buf_printf(&z->prefix, err, "%s@%s/", module, version) == -1)
		return -1;
	if ((z->fold = mv_zipfold_new(lim->max_files, err)) == NULL ||
	    (z->h1 = mv_h1_new(err)) == NULL ||
	    (z->sha = mv_sha256_new(err)) == NULL)
		return -1;
	if ((z->chunk = malloc(CHUNK)) == NULL ||
	    (z->a = archive_read_new()) == NULL ||
	    archive_read_support_format_zip_seekable(z->a) != ARCHIVE_OK)
		return mv_fail(err, MV_ENOMEM, "cannot set up the zip reader");
	return 0;
}

static void
zc_end(struct zc *z)
{
	if (z->a != NULL)
		archive_read_free(z->a);
	mv_zipdir_free(&z->dir);
	mv_zipfold_free(z->fold);
	free(z->chunk);
	mv_sha256_free(z->sha);
	mv_h1_free(z->h1);
	mv_buf_free(&z->prefix);
}

static int
too_big(const struct mv_zip_limits *lim, uint64_t size, struct mv_err *err)
{
	if (size > lim->max_zip_bytes)
		return mv_fail(err, MV_ELIMIT, "MZ-2.1: module zip too large "
		    "(max size is %ju bytes)", (uintmax_t)lim->max_zip_bytes);
	return 0;
}

/* Section 5 step 4: libarchive reads the central directory (MZ-4.1). */
static int
zc_opened(struct zc *z, int r, struct mv_err *err)
{
	char q[QUOTE_MAX];

	if (r != ARCHIVE_OK)
		return mv_fail(err, la_code(z->a), "MZ-4.1: not a zip archive: "
		    "%s", la_error(z->a, q));
	return zc_run(z, err);
}

int
mv_zip_check_mem(const void *zip, size_t len, const char *module,
    const char *version, const struct mv_zip_limits *lim,
    const struct mv_zipscan *scan, struct mv_zip_result *res,
    struct mv_err *err)
{
	struct mv_zipsrc src = { zip, NULL, len };
	struct zc z;
	int rc = -1;

	if (zc_begin(&z, module, version, lim, res, err) == 0 &&
	    too_big(lim, len, err) == 0 &&
	    mv_zipdir_read(&src, lim->max_files, &z.dir, err) == 0) {
		z.scan = scan;
		rc = zc_opened(&z, archive_read_open_memory(z.a, zip, len), err);
	}
	zc_end(&z);
	return rc;
}

/* libarchive's view of an mv_zip_input: a cursor and one read buffer. */
struct la_input {
	const struct mv_zip_input	*in;
	uint64_t			 pos;
	unsigned char			*buf;
	struct mv_err			 err;	/* why a read failed */
};

static la_ssize_t
la_read(struct archive *a, void *ctx, const void **buf)
{
	struct la_input *li = ctx;
	size_t got;

	if (li->in->pread(li->in->ctx, li->buf, CHUNK, li->pos, &got,
	    &li->err) == -1) {
		archive_set_error(a, EIO, "%s", li->err.msg);
		return -1;
	}
	li->pos += got;
	*buf = li->buf;
	return (la_ssize_t)got;
}

static la_int64_t
la_seek(struct archive *a, void *ctx, la_int64_t off, int whence)
{
	struct la_input *li = ctx;
	la_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ?
	    (la_int64_t)li->pos : (la_int64_t)li->in->size;

	(void)a;
	if (off < -base)
		return ARCHIVE_FATAL;
	li->pos = (uint64_t)(base + off);
	return (la_int64_t)li->pos;
}

static la_int64_t
la_skip(struct archive *a, void *ctx, la_int64_t request)
{
	struct la_input *li = ctx;

	(void)a;
	li->pos += (uint64_t)request;
	return request;
}

/* Hands the input to libarchive's seekable reader and runs the check. */
static int
zc_open_input(struct zc *z, struct la_input *li, struct mv_err *err)
{
	if ((li->buf = malloc(CHUNK)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	archive_read_set_read_callback(z->a, la_read);
	archive_read_set_seek_callback(z->a, la_seek);
	archive_read_set_skip_callback(z->a, la_skip);
	archive_read_set_callback_data(z->a, li);
	return zc_opened(z, archive_read_open1(z->a), err);
}

int
mv_zip_check_input(const struct mv_zip_input *in, const char *module,
    const char *version, const struct mv_zip_limits *lim,
    const struct mv_zipscan *scan, struct mv_zip_result *res,
    struct mv_err *err)
{
	struct la_input li = { in, 0, NULL, MV_ERR_INIT };
	struct mv_zipsrc src = { NULL, in, in->size };
	struct mv_err e = MV_ERR_INIT;
	struct zc z;
	int rc = -1;

	if (zc_begin(&z, module, version, lim, res, &e) == 0 &&
	    too_big(lim, in->size, &e) == 0 &&
	    mv_zipdir_read(&src, lim->max_files, &z.dir, &e) == 0) {
		z.scan = scan;
		rc = zc_open_input(&z, &li, &e);
	}
	zc_end(&z);
	free(li.buf);
	/* A read that failed under libarchive is ours, not a broken rule. */
	if (rc == -1)
		mv_err_pass(err, li.err.code != MV_OK ? &li.err : &e);
	return rc;
}

static int
fd_pread(void *ctx, void *buf, size_t n, uint64_t off, size_t *got,
    struct mv_err *err)
{
	ssize_t k;

	do
		k = pread(*(const int *)ctx, buf, n, (off_t)off);
	while (k == -1 && errno == EINTR);
	if (k == -1)
		return mv_fail(err, MV_EIO, "cannot read the zip: %s",
		    strerror(errno));
	*got = (size_t)k;
	return 0;
}

int
mv_zip_check_fd(int fd, const char *module, const char *version,
    const struct mv_zip_limits *lim, const struct mv_zipscan *scan,
    struct mv_zip_result *res, struct mv_err *err)
{
	struct mv_zip_input in = { fd_pread, &fd, 0 };
	struct stat st;

	if (fstat(fd, &st) == -1)
		return mv_fail(err, MV_EIO, "cannot stat the zip: %s",
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return mv_fail(err, MV_EIO, "the zip is not a regular file");
	in.size = (uint64_t)st.st_size;
	return mv_zip_check_input(&in, module, version, lim, scan, res, err);
}

int
mv_zip_identify(const struct mv_zip_input *in, uint64_t max_files,
    char *module, size_t modsz, char *version, size_t versz,
    struct mv_err *err)
{
	struct mv_zipsrc src = { NULL, in, in->size };
	struct mv_zipdir dir = { NULL, 0, 0 };
	const char *name, *at, *slash;
	int rc = -1;

	if (mv_zipdir_read(&src, max_files, &dir, err) == -1)
		goto done;
	if (dir.n == 0) {
		mv_fail(err, MV_ECORRUPT, "MZ-1.3: the zip has no entries");
		goto done;
	}
	name = dir.e[0].name;
	at = memchr(name, '@', dir.e[0].namelen);
	slash = at != NULL ? memchr(at, '/', dir.e[0].namelen -
	    (size_t)(at - name)) : NULL;
	if (slash == NULL || at == name || slash == at + 1 ||
	    (size_t)(at - name) >= modsz || (size_t)(slash - at - 1) >= versz) {
		mv_fail(err, MV_ECORRUPT, "MZ-1.3: the first entry has no "
		    "module@version/ prefix");
		goto done;
	}
	memcpy(module, name, (size_t)(at - name));
	module[at - name] = '\0';
	memcpy(version, at + 1, (size_t)(slash - at - 1));
	version[slash - at - 1] = '\0';
	rc = 0;
done:
	mv_zipdir_free(&dir);
	return rc;
}
