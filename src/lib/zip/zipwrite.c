/* zipwrite.c: writing a module zip with libarchive (module-zip.md MZ-6.6). */
/*
 * Entry data goes from the caller's read callback through one CHUNK
 * buffer into libarchive's deflate stream, whose output our write
 * callback hands to write(2) in BLOCK-sized pieces: nothing holds a whole
 * file, and memory stays a few hundred KiB whatever the module's size.
 * Only the central directory, which libarchive builds as it goes, grows
 * with the number of entries.
 *
 * What libarchive 3.6 writes for each entry (none of it reaches h1, which
 * hashes names and data only, H-2):
 * - method 8 (deflate), general-purpose flag bit 3 (CRC and sizes in a
 *   data descriptor after the data, as Go's writer does);
 * - the name's bytes as given, never flagged UTF-8 (bit 11), which Go's
 *   writer sets for a non-ASCII name: the go command reads names as bytes
 *   either way, but libarchive's reader converts a flagged name and
 *   composes it to NFC, so the validator would refuse a valid name such
 *   as Hangul jamo (MZ-4.1: not the name the central directory lists).
 *   libarchive sets the flag when LC_CTYPE is UTF-8, so headers are
 *   written under the "C" locale;
 * - MS-DOS time 0x0000 and date 0x0021, 1980-01-01 00:00: we set the Unix
 *   mtime 0, and libarchive clamps every time before 1980 to the earliest
 *   MS-DOS date, so Go's all-zero date/time fields cannot be produced;
 * - extra fields "UT" (Unix mtime 0) and "ux" (uid and gid 0), in the
 *   local and the central header;
 * - "made by" Unix and external attributes 0100644 << 16 (a regular file,
 *   mode 0644), where Go writes 0; the validator (zip.c) reads the type
 *   from them and refuses anything but regular files;
 * - no ZIP64 (entries are far below 4 GiB), no directory entries, no
 *   padding after the end record (bytes_in_last_block 1).
 */
#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "modvault/base/limits.h"
#include "modvault/proto/modpath.h"
#include "modvault/zip/zip.h"
#include "modvault/zip/zipmake.h"

#define CHUNK		(64 * 1024)	/* entry data per read callback */
#define BLOCK		(64 * 1024)	/* bytes per write(2) */
#define NAME_MAX_BYTES	(MV_MODPATH_MAX_BYTES + 1 + MV_VERSION_MAX_BYTES + \
			    1 + MV_FILEPATH_MAX_BYTES)

struct mv_zipwriter {
	struct archive	*a;
	int		 fd;		/* the caller's */
	locale_t	 clocale;	/* no UTF-8 flag on names */
	unsigned char	*chunk;
	char		 full[NAME_MAX_BYTES + 1];	/* prefix, then name */
	size_t		 prefixlen;	/* "module@version/" */
	uint64_t	 max_zip;	/* MZ-2.1 */
	uint64_t	 max_unzipped;	/* MZ-2.2 */
	uint64_t	 declared;	/* sizes of the entries so far */
	uint64_t	 written;	/* bytes that reached fd */
	int		 werrno;	/* errno of the write that failed */
	bool		 toobig;	/* the zip outgrew max_zip */
	bool		 failed;	/* the zip is unusable */
	bool		 abandoned;	/* being freed: write nothing */
};

/* A memory block for mv_zipwriter_add_mem. */
struct mem_reader {
	const unsigned char	*p;
	size_t			 left;
};

/*
 * libarchive's output: every byte to fd.  A failure is remembered (for
 * zw_failed, since libarchive would keep only a message) and the bytes
 * from then on are dropped, but libarchive is told all went well: a
 * failed write would put it in its FATAL state, where freeing it leaks
 * the deflate stream of the entry being written (libarchive 3.6), and
 * the writer checks zw_broken after every call anyway.  Once abandoned,
 * nothing more reaches fd either.
 */
static la_ssize_t
zw_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct mv_zipwriter *w = ctx;
	const char *p = buf;
	size_t left = n;
	ssize_t k;

	(void)a;
	if (w->abandoned || w->werrno != 0 || w->toobig)
		return (la_ssize_t)n;
	if (n > w->max_zip - w->written) {
		w->toobig = true;
		return (la_ssize_t)n;
	}
	while (left > 0) {
		k = write(w->fd, p, left);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0) {
			w->werrno = k == 0 ? EIO : errno;
			break;
		}
		p += k;
		left -= (size_t)k;
		w->written += (uint64_t)k;
	}
	return (la_ssize_t)n;
}

/* Did a libarchive call return r fail, or a write under it? */
static bool
zw_broken(const struct mv_zipwriter *w, int r)
{
	return r != ARCHIVE_OK || w->werrno != 0 || w->toobig;
}

/* A libarchive call failed: why, in the codes zipmake.h promises. */
static int
zw_failed(struct mv_zipwriter *w, struct mv_err *err)
{
	const char *msg = archive_error_string(w->a);

	w->failed = true;
	if (w->werrno != 0)
		return mv_fail(err, mv_errno_code(w->werrno), "cannot write "
		    "the module zip: %s", strerror(w->werrno));
	if (w->toobig)
		return mv_fail(err, MV_ELIMIT, "MZ-2.1: module zip too large "
		    "(max size is %ju bytes)", (uintmax_t)w->max_zip);
	return mv_fail(err, archive_errno(w->a) == ENOMEM ? MV_ENOMEM : MV_EIO,
	    "cannot write the module zip: %s", msg ? msg : "libarchive failed");
}

/*
 * MZ-6.6: data that does not match its size (a file that changed since
 * selection).  The zip is unusable from here on.
 */
static int
zw_refuse(struct mv_zipwriter *w, struct mv_err *err, enum mv_code code,
    const char *what, uint64_t size)
{
	char q[MV_ZIP_QUOTE_MAX];

	w->failed = true;
	return mv_fail(err, code, "MZ-6.6: %s %s %ju bytes",
	    mv_zip_quote(q, w->full + w->prefixlen,
	    strlen(w->full + w->prefixlen)), what, (uintmax_t)size);
}

static void
zw_free(struct mv_zipwriter *w)
{
	if (w == NULL)
		return;
	w->abandoned = true;
	if (w->a != NULL)
		archive_write_free(w->a);
	if (w->clocale != (locale_t)0)
		freelocale(w->clocale);
	free(w->chunk);
	free(w);
}

int
mv_zipwriter_open(int fd, const char *module, const char *version,
    struct mv_zipwriter **wp, struct mv_err *err)
{
	struct mv_zip_limits lim;
	struct mv_zipwriter *w;
	int n;

	*wp = NULL;
	if (mv_zip_check_module_version(module, version, err) == -1)
		return -1;
	if (fd < 0)
		return mv_fail(err, MV_EINVAL, "no file to write the module "
		    "zip to");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	w->fd = fd;
	mv_zip_limits_default(&lim);
	w->max_zip = lim.max_zip_bytes;
	w->max_unzipped = lim.max_unzipped_bytes;
	/* Checked above: at most MV_MODPATH_MAX_BYTES, MV_VERSION_MAX_BYTES. */
	n = snprintf(w->full, sizeof(w->full), "%s@%s/", module, version);
	if (n < 0 || (size_t)n + MV_FILEPATH_MAX_BYTES >= sizeof(w->full)) {
		free(w);
		return mv_fail(err, MV_EINVAL, "module path or version too "
		    "long");
	}
	w->prefixlen = (size_t)n;
	if ((w->clocale = newlocale(LC_CTYPE_MASK, "C", (locale_t)0)) ==
	    (locale_t)0 || (w->chunk = malloc(CHUNK)) == NULL ||
	    (w->a = archive_write_new()) == NULL) {
		zw_free(w);
		return mv_fail(err, MV_ENOMEM, "cannot set up the zip writer");
	}
	if (archive_write_set_format_zip(w->a) != ARCHIVE_OK ||
	    archive_write_zip_set_compression_deflate(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->a, BLOCK) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open(w->a, w, NULL, zw_write, NULL) != ARCHIVE_OK) {
		zw_failed(w, err);
		zw_free(w);
		return -1;
	}
	*wp = w;
	return 0;
}

/* MZ-6.6: the entry's header, under the "C" locale (no UTF-8 flag). */
static int
zw_header(struct mv_zipwriter *w, const char *name, uint64_t size,
    struct mv_err *err)
{
	struct archive_entry *e;
	locale_t old;
	struct mv_err e2 = MV_ERR_INIT;
	size_t n = strlen(name);
	int r;

	if (mv_filepath_check(name, &e2) == -1) {
		w->failed = true;
		return mv_fail(err, MV_EINVAL, "MZ-6.6: %s", e2.msg);
	}
	memcpy(w->full + w->prefixlen, name, n + 1);	/* n is bounded */
	/* MZ-2.2 again, so no caller can write what the check refuses. */
	if (size > w->max_unzipped - w->declared) {
		w->failed = true;
		return mv_fail(err, MV_ELIMIT, "MZ-2.2: module source tree too "
		    "large (max size is %ju bytes)",
		    (uintmax_t)w->max_unzipped);
	}
	w->declared += size;
	if ((e = archive_entry_new()) == NULL) {
		w->failed = true;
		return mv_fail(err, MV_ENOMEM, "out of memory");
	}
	archive_entry_set_pathname(e, w->full);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	old = uselocale(w->clocale);
	r = archive_write_header(w->a, e);
	uselocale(old);
	archive_entry_free(e);
	return zw_broken(w, r) ? zw_failed(w, err) : 0;
}

int
mv_zipwriter_add(struct mv_zipwriter *w, const char *name, uint64_t size,
    mv_zipwriter_read_fn readfn, void *ctx, struct mv_err *err)
{
	char q[MV_ZIP_QUOTE_MAX];
	struct mv_err rerr;
	uint64_t total = 0;
	size_t got;

	if (w == NULL || w->failed)
		return mv_fail(err, MV_EINVAL, "the module zip writer failed "
		    "earlier");
	if (zw_header(w, name, size, err) == -1)
		return -1;
	for (;;) {
		mv_err_clear(&rerr);
		got = 0;
		if (readfn(ctx, w->chunk, CHUNK, &got, &rerr) == -1) {
			w->failed = true;
			if (rerr.code == MV_OK)
				mv_fail(&rerr, MV_EIO, "cannot read the data "
				    "of %s", mv_zip_quote(q, name,
				    strlen(name)));
			return mv_err_pass(err, &rerr);
		}
		if (got == 0)
			break;
		if (got > CHUNK) {
			w->failed = true;
			return mv_fail(err, MV_EINVAL, "module zip reader "
			    "returned more than it was asked for");
		}
		/* A file that grew since selection (Go's LimitedReader). */
		if (got > size - total)
			return zw_refuse(w, err, MV_ECORRUPT, "is larger than "
			    "its", size);
		if (zw_broken(w, archive_write_data(w->a, w->chunk, got) ==
		    (la_ssize_t)got ? ARCHIVE_OK : ARCHIVE_FATAL))
			return zw_failed(w, err);
		total += got;
	}
	if (total != size)
		return zw_refuse(w, err, MV_ECORRUPT, "is shorter than its",
		    size);
	if (zw_broken(w, archive_write_finish_entry(w->a)))
		return zw_failed(w, err);
	return 0;
}

static int
mem_read(void *ctx, void *buf, size_t n, size_t *got, struct mv_err *err)
{
	struct mem_reader *m = ctx;

	(void)err;
	*got = n < m->left ? n : m->left;
	if (*got > 0)
		memcpy(buf, m->p, *got);
	m->p += *got;
	m->left -= *got;
	return 0;
}

int
mv_zipwriter_add_mem(struct mv_zipwriter *w, const char *name,
    const void *data, size_t len, struct mv_err *err)
{
	struct mem_reader m = { data, len };

	return mv_zipwriter_add(w, name, len, mem_read, &m, err);
}

int
mv_zipwriter_close(struct mv_zipwriter *w, struct mv_err *err)
{
	int rc = 0;

	if (w == NULL)
		return mv_fail(err, MV_EINVAL, "no module zip writer");
	if (w->failed)
		rc = mv_fail(err, MV_EINVAL, "the module zip writer failed "
		    "earlier");
	else if (zw_broken(w, archive_write_close(w->a)))
		rc = zw_failed(w, err);
	zw_free(w);
	return rc;
}

void
mv_zipwriter_free(struct mv_zipwriter *w)
{
	zw_free(w);
}
