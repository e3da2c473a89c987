/*
 * zipdir.c: reading a zip's central directory and checking each local
 * header against it (see zipdir.h).  Record layouts are those of PKWARE's
 * APPNOTE (sections 4.3.7, 4.3.12, 4.3.14 to 4.3.16, 4.5.3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zipdir.h"

#define SIG_LOCAL	0x04034b50u
#define SIG_CENTRAL	0x02014b50u
#define SIG_END		0x06054b50u
#define SIG_END64	0x06064b50u
#define SIG_LOC64	0x07064b50u
#define END_LEN		22
#define LOC64_LEN	20
#define END64_LEN	56
#define CENTRAL_LEN	46
#define LOCAL_LEN	30
#define COMMENT_MAX	65535
#define UNIX_HOST	3
#define FLAG_ENCRYPTED	0x0001u
#define FLAG_DESCRIPTOR	0x0008u	/* sizes and CRC follow the data */
#define SIG_DESCRIPTOR	0x08074b50u

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Reads exactly n bytes at off, or fails naming what was being read. */
static int
read_at(const struct mv_zipsrc *src, void *buf, size_t n, uint64_t off,
    const char *what, struct mv_err *err)
{
	size_t got = 0, r;

	if (off > src->size || n > src->size - off)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: %s lies outside the "
		    "archive", what);
	if (src->mem != NULL) {
		memcpy(buf, (const char *)src->mem + off, n);
		return 0;
	}
	while (got < n) {
		if (src->in->pread(src->in->ctx, (char *)buf + got, n - got,
		    off + got, &r, err) == -1)
			return -1;
		if (r == 0)
			return mv_fail(err, MV_EIO, "reading the zip: "
			    "unexpected end");
		got += r;
	}
	return 0;
}

/* The end record: the last signature whose comment fits the file. */
static int
find_end(const struct mv_zipsrc *src, unsigned char *end, uint64_t *endoff,
    struct mv_err *err)
{
	size_t tail = src->size < END_LEN + COMMENT_MAX ? (size_t)src->size :
	    END_LEN + COMMENT_MAX;
	unsigned char *b;
	size_t i;

	if (tail < END_LEN)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: not a zip archive "
		    "(too short)");
	if ((b = malloc(tail)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	if (read_at(src, b, tail, src->size - tail, "the end record",
	    err) == -1) {
		free(b);
		return -1;
	}
	for (i = tail - END_LEN + 1; i-- > 0;) {
		if (le32(b + i) == SIG_END &&
		    i + END_LEN + le16(b + i + 20) <= tail) {
			memcpy(end, b + i, END_LEN);
			*endoff = src->size - tail + i;
			free(b);
			return 0;
		}
	}
	free(b);
	return mv_fail(err, MV_ECORRUPT, "MZ-4.1: not a zip archive (no end "
	    "of central directory record)");
}

/* Record count, directory offset and size, from ZIP64 when needed. */
static int
read_end(const struct mv_zipsrc *src, uint64_t *count, uint64_t *cdoff,
    uint64_t *cdsize, struct mv_err *err)
{
	unsigned char end[END_LEN] = { 0 }, loc[LOC64_LEN], e64[END64_LEN];
	uint64_t endoff = 0;

	if (find_end(src, end, &endoff, err) == -1)
		return -1;
	*count = le16(end + 10);
	*cdsize = le32(end + 12);
	*cdoff = le32(end + 16);
	if (*count != 0xffff && *cdsize != 0xffffffff && *cdoff != 0xffffffff)
		goto bounds;
	if (endoff < LOC64_LEN || read_at(src, loc, LOC64_LEN,
	    endoff - LOC64_LEN, "the ZIP64 locator", err) == -1 ||
	    le32(loc) != SIG_LOC64)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: bad ZIP64 end record "
		    "locator");
	if (read_at(src, e64, END64_LEN, le64(loc + 8), "the ZIP64 end "
	    "record", err) == -1 || le32(e64) != SIG_END64)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: bad ZIP64 end record");
	*count = le64(e64 + 32);
	*cdsize = le64(e64 + 40);
	*cdoff = le64(e64 + 48);
bounds:
	if (*cdoff > src->size || *cdsize > src->size - *cdoff)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: central directory "
		    "lies outside the archive");
	return 0;
}

/*
 * ZIP64 extended information (APPNOTE 4.5.3): the 64-bit values of the
 * central fields that hold 0xffffffff, in the order usize, csize, offset.
 * A value the extra field lacks becomes UINT64_MAX, which no check passes.
 */
static void
zip64_fields(struct mv_zipdir_entry *e, const unsigned char *extra,
    size_t len, uint32_t off)
{
	uint64_t *want[] = { NULL, &e->csize64, &e->offset };
	uint32_t raw[] = { e->usize, e->csize, off };
	size_t i = 0, k, at;

	e->csize64 = e->csize;
	e->offset = off;
	for (k = 0; k < 3; k++)
		if (raw[k] == UINT32_MAX && want[k] != NULL)
			*want[k] = UINT64_MAX;
	while (i + 4 <= len) {
		uint16_t id = le16(extra + i), sz = le16(extra + i + 2);

		if (i + 4 + sz > len)
			return;
		if (id == 0x0001) {
			for (k = 0, at = 0; k < 3; k++) {
				if (raw[k] != UINT32_MAX)
					continue;
				if (at + 8 > sz)
					return;
				if (want[k] != NULL)
					*want[k] = le64(extra + i + 4 + at);
				at += 8;
			}
			return;
		}
		i += 4 + (size_t)sz;
	}
}

/* Does a local extra field hold ZIP64 information (APPNOTE 4.5.3)? */
static bool
has_zip64(const unsigned char *extra, size_t len)
{
	size_t i = 0;

	while (i + 4 <= len) {
		if (le16(extra + i) == 0x0001)
			return true;
		i += 4 + (size_t)le16(extra + i + 2);
	}
	return false;
}

/* What the local header says besides the name, kept for mv_zipdir_plain. */
static void
keep_local(struct mv_zipdir_entry *e, const unsigned char *h,
    const unsigned char *extra, size_t xl)
{
	e->data_offset = e->offset + LOCAL_LEN + e->namelen + xl;
	e->lflags = le16(h + 6);
	e->lcrc32 = le32(h + 14);
	e->lcsize = le32(h + 18);
	e->lusize = le32(h + 22);
	e->lzip64 = has_zip64(extra, xl);
}

/* The local header at e->offset must name the same file the same way. */
static int
check_local(const struct mv_zipsrc *src, struct mv_zipdir_entry *e,
    struct mv_err *err)
{
	unsigned char h[LOCAL_LEN], *var;
	size_t xl;
	int same;

	if (read_at(src, h, LOCAL_LEN, e->offset, "a local header", err) == -1)
		return -1;
	if (le32(h) != SIG_LOCAL)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: no local header where "
		    "the central directory puts entry %.200s", e->name);
	if (le16(h + 8) != e->method ||
	    (le16(h + 6) & FLAG_ENCRYPTED) != (e->flags & FLAG_ENCRYPTED) ||
	    le16(h + 26) != e->namelen)
		goto differ;
	xl = le16(h + 28);
	if ((var = malloc(e->namelen + xl + 1)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	if (read_at(src, var, e->namelen + xl, e->offset + LOCAL_LEN,
	    "a local header", err) == -1) {
		free(var);
		return -1;
	}
	same = memcmp(var, e->name, e->namelen) == 0;
	keep_local(e, h, var + e->namelen, xl);
	free(var);
	if (same)
		return 0;
differ:
	return mv_fail(err, MV_ECORRUPT, "MZ-4.1: local header and central "
	    "directory disagree about entry %.200s", e->name);
}

/*
 * MZ-2.4: where the central flags announce a data descriptor, the go
 * command reads one right after the central compressed size of data and
 * refuses the entry unless its CRC (after an optional PK\7\8) is the
 * central CRC.  libarchive's seekable reader never looks at it.
 */
static int
check_descriptor(const struct mv_zipsrc *src, struct mv_zipdir_entry *e,
    struct mv_err *err)
{
	unsigned char d[16], *p = d;
	uint64_t at = e->data_offset + e->csize64;
	size_t n, need;

	/* One read of what can be there: 16 bytes, or to the end. */
	n = e->csize64 > src->size || at > src->size ? 0 :
	    src->size - at < sizeof(d) ? (size_t)(src->size - at) : sizeof(d);
	if (n < 4 || read_at(src, d, n, at, "a data descriptor", err) == -1)
		goto missing;
	need = le32(d) == SIG_DESCRIPTOR ? 16 : 12;
	if (need > n)
		goto missing;
	if (need == 16)
		p += 4;
	if (le32(p) != e->crc32)
		return mv_fail(err, MV_ECORRUPT, "MZ-2.4: the data descriptor of "
		    "%.200s has CRC %08x, the central directory %08x", e->name,
		    (unsigned)le32(p), (unsigned)e->crc32);
	/* Kept for mv_zipdir_plain, as 32-bit sizes. */
	e->desc_len = (uint8_t)need;
	e->dcsize = le32(p + 4);
	e->dusize = le32(p + 8);
	return 0;
missing:
	return mv_fail(err, MV_ECORRUPT, "MZ-2.4: the data descriptor of %.200s "
	    "is missing or cut short", e->name);
}

/* MZ-4.2 and MZ-4.3 on one central record. */
static int
check_kind(const struct mv_zipdir_entry *e, struct mv_err *err)
{
	uint32_t type = e->mode & 0170000;

	if (e->flags & FLAG_ENCRYPTED)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.2: encrypted entry "
		    "%.200s", e->name);
	if (e->method != 0 && e->method != 8)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.2: unsupported "
		    "compression method %u in %.200s", e->method, e->name);
	if (type == 0120000)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.3: symbolic link entry "
		    "%.200s", e->name);
	if (type != 0 && type != 0100000 && type != 0040000)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.3: entry %.200s is not "
		    "a regular file or directory", e->name);
	return 0;
}

/* One central record at *off; advances *off past it. */
static int
read_record(const struct mv_zipsrc *src, uint64_t *off, uint64_t end,
    struct mv_zipdir_entry *e, struct mv_err *err)
{
	unsigned char h[CENTRAL_LEN], *var;
	size_t nl, xl, cl;

	if (*off + CENTRAL_LEN > end || read_at(src, h, CENTRAL_LEN, *off,
	    "a central record", err) == -1 || le32(h) != SIG_CENTRAL)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: bad central "
		    "directory record");
	nl = le16(h + 28);
	xl = le16(h + 30);
	cl = le16(h + 32);
	if (*off + CENTRAL_LEN + nl + xl + cl > end)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: central directory "
		    "record runs past the directory");
	if ((var = malloc(nl + xl + 1)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	if (read_at(src, var, nl + xl, *off + CENTRAL_LEN, "a central record",
	    err) == -1) {
		free(var);
		return -1;
	}
	e->name = (char *)var;
	e->namelen = nl;
	e->method = le16(h + 10);
	e->flags = le16(h + 8);
	e->mode = (h[5] == UNIX_HOST) ? le32(h + 38) >> 16 : 0;
	e->crc32 = le32(h + 16);
	e->csize = le32(h + 20);
	e->usize = le32(h + 24);
	zip64_fields(e, var + nl, xl, le32(h + 42));
	var[nl] = '\0';		/* the extra field is no longer needed */
	if (memchr(e->name, '\0', nl) != NULL)
		return mv_fail(err, MV_ECORRUPT, "MZ-3.2: NUL byte in an entry "
		    "name");
	*off += CENTRAL_LEN + nl + xl + cl;
	return check_kind(e, err);
}

static int
by_offset(const void *a, const void *b)
{
	const struct mv_zipdir_entry *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int
mv_zipdir_read(const struct mv_zipsrc *src, uint64_t max_files,
    struct mv_zipdir *dir, struct mv_err *err)
{
	uint64_t count, cdoff, cdsize, off, i;

	dir->e = NULL;
	dir->n = 0;
	if (read_end(src, &count, &cdoff, &cdsize, err) == -1)
		return -1;
	dir->cd_offset = cdoff;
	if (count > max_files)
		return mv_fail(err, MV_ELIMIT, "MZ-2: more than %ju entries in "
		    "module zip", (uintmax_t)max_files);
	/* A record is at least CENTRAL_LEN bytes: count is bounded by size. */
	if (count > cdsize / CENTRAL_LEN + 1)
		return mv_fail(err, MV_ECORRUPT, "MZ-4.1: the end record counts "
		    "more records than the directory can hold");
	if (count > 0 && (dir->e = calloc((size_t)count,
	    sizeof(*dir->e))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	for (i = 0, off = cdoff; i < count; i++) {
		dir->n++;
		if (read_record(src, &off, cdoff + cdsize, &dir->e[i],
		    err) == -1 || check_local(src, &dir->e[i], err) == -1 ||
		    ((dir->e[i].flags & FLAG_DESCRIPTOR) &&
		    check_descriptor(src, &dir->e[i], err) == -1))
			goto fail;
	}
	if (dir->n > 1)
		qsort(dir->e, dir->n, sizeof(*dir->e), by_offset);
	for (i = 1; i < dir->n; i++)
		if (dir->e[i].offset == dir->e[i - 1].offset) {
			mv_fail(err, MV_ECORRUPT, "MZ-4.1: two central records "
			    "share the local header of %.200s", dir->e[i].name);
			goto fail;
		}
	return 0;
fail:
	mv_zipdir_free(dir);
	return -1;
}

void
mv_zipdir_free(struct mv_zipdir *dir)
{
	size_t i;

	for (i = 0; i < dir->n; i++)
		free(dir->e[i].name);
	free(dir->e);
	dir->e = NULL;
	dir->n = 0;
}

bool
mv_zipdir_plain(const struct mv_zipdir *dir, size_t i)
{
	const struct mv_zipdir_entry *e = &dir->e[i];
	uint64_t end = i + 1 < dir->n ? dir->e[i + 1].offset : dir->cd_offset;
	uint64_t data_end;

	if (e->lzip64 || e->offset > UINT32_MAX - 1 ||
	    e->csize == UINT32_MAX || e->usize == UINT32_MAX ||
	    (e->method == 0 && e->csize != e->usize))
		return false;
	data_end = e->data_offset + e->csize;
	if (data_end > end)
		return false;
	if ((e->lflags & FLAG_DESCRIPTOR) == 0)
		return data_end == end && e->lcrc32 == e->crc32 &&
		    e->lcsize == e->csize && e->lusize == e->usize;
	/* The descriptor check_descriptor read (its CRC is the central one). */
	return e->desc_len != 0 && end - data_end == e->desc_len &&
	    e->dcsize == e->csize && e->dusize == e->usize;
}
