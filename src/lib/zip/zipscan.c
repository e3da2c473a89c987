/* zipscan.c: a streaming pass over a zip while it downloads (zipscan.h). */
/*
 * Why a scan's digest of an entry is the digest of what the go command
 * would read for it (mv_zipscan_digest checks each step, entry by entry):
 *  1. archive_read_header_position() of the streaming reader is where the
 *     previous entry's bytes (data, then descriptor) ended, taken before
 *     the reader skips anything.  A record is used only when that equals
 *     the central offset of its local header, where zipdir.c found a local
 *     signature: libarchive parsed that very header, so it used the
 *     central method and started the data where the go command does.
 *  2. The next record's position (for the last entry, the position where
 *     the reader met the central directory) is where libarchive finished
 *     the entry's data and descriptor.  mv_zipdir_plain() checks that the
 *     central compressed size puts the data, then a 32-bit descriptor
 *     carrying the central CRC and sizes (or no descriptor, and the same
 *     values in the local header), exactly there.  libarchive reads the
 *     descriptor that ends there too, and refuses an entry whose consumed
 *     size or CRC differ from it; 32-bit descriptors ending at the same
 *     offset hold their sizes at the same offsets, so it consumed exactly
 *     the central extent and checked the central CRC.
 *  3. The decoded size the scan counted equals the central size.
 * Anything else (a ZIP64 entry, a gap, a hidden entry, a scan stopped by
 * a limit or an error) leaves the entry to mv_zip_check's own reading.
 */
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "zipscan_priv.h"

#define READ_MAX	(128 * 1024)	/* bytes per read of the file */
#define READ_MIN	(64 * 1024)	/* wait for this much before a read */
/* Each thread's stack: libarchive and SHA-256 need little; hosts that cap
 * address space should not lose 8 MiB to each. */
#define STACK_SIZE	(512 * 1024)

enum state { RUNNING, COMPLETE, ABANDONED };

/* One entry as the streaming reader saw it. */
struct rec {
	uint64_t	pos;		/* archive_read_header_position() */
	uint64_t	size;		/* decoded bytes */
	bool		whole;		/* decoded to its end without error */
	unsigned char	digest[MV_SHA256_LEN];
};

/* One sequential reader of the growing file. */
struct reader {
	uint64_t	 pos;		/* next byte it reads */
	unsigned char	*buf;		/* READ_MAX bytes (file mode) */
	int		 read_errno;
};

/*
 * Two threads read the download as it grows, each at its own pace: one
 * hashes every byte (the blob's name), the other decodes the entries.  On
 * a machine with a core to spare each keeps up with a fast link alone.
 */
struct mv_zipscan {
	struct mv_zip_limits	 lim;
	int			 fd;
	const unsigned char	*mem;	/* instead of fd */
	pthread_t		 threads[2];
	size_t			 nthreads;
	bool			 locks;	/* mu and cv were initialised */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	uint64_t		 avail;	/* mu: bytes final in the file */
	enum state		 state;	/* mu */
	struct reader		 bytes, entries;
	struct mv_sha256	*blob;	/* of every byte, in order */
	struct rec		*rec;
	size_t			 n, cap;
	uint64_t		 decoded;	/* all entries, bounded */
	uint64_t		 end_pos;	/* where the directory was met */
	bool			 complete;	/* the reader reached it */
};

/* Waits until a worthwhile amount is final; the bytes r may now read. */
static uint64_t
wait_bytes(struct mv_zipscan *s, const struct reader *r, enum state *state)
{
	uint64_t avail;

	if (s->mem != NULL) {
		*state = COMPLETE;
		return s->avail - r->pos;
	}
	pthread_mutex_lock(&s->mu);
	while (s->state == RUNNING && s->avail - r->pos < READ_MIN)
		pthread_cond_wait(&s->cv, &s->mu);
	avail = s->avail;
	*state = s->state;
	pthread_mutex_unlock(&s->mu);
	return avail - r->pos;
}

static ssize_t
pread_all(int fd, unsigned char *p, size_t n, uint64_t off)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, p + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : (ssize_t)got;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* r's next bytes of the file; 0 at its end, -1 when abandoned or broken. */
static ssize_t
next_bytes(struct mv_zipscan *s, struct reader *r, const void **out)
{
	enum state state;
	uint64_t ready = wait_bytes(s, r, &state);
	size_t n = ready < READ_MAX ? (size_t)ready : READ_MAX;
	ssize_t k;

	if (state == ABANDONED)
		return -1;
	if (n == 0)
		return 0;
	if (s->mem != NULL)
		*out = s->mem + r->pos;
	else {
		if ((k = pread_all(s->fd, r->buf, n, r->pos)) != (ssize_t)n) {
			r->read_errno = k < 0 ? errno : EIO;
			return -1;
		}
		*out = r->buf;
	}
	r->pos += n;
	return (ssize_t)n;
}

static la_ssize_t
archive_source(struct archive *a, void *ctx, const void **out)
{
	struct mv_zipscan *s = ctx;
	ssize_t n = next_bytes(s, &s->entries, out);

	if (n < 0)
		archive_set_error(a, EIO, "download abandoned or unreadable");
	return n;
}

/* Decodes one entry's data through SHA-256 into r. */
static int
scan_data(struct mv_zipscan *s, struct archive *a, struct mv_sha256 *sha,
    struct rec *r)
{
	const void *p;
	size_t n;
	la_int64_t off;
	int rc;

	while ((rc = archive_read_data_block(a, &p, &n, &off)) == ARCHIVE_OK) {
		/* A zip entry has no holes: the blocks must be contiguous. */
		if (off < 0 || (uint64_t)off != r->size)
			return -1;
		r->size += n;
		s->decoded += n;
		if (s->decoded > s->lim.max_unzipped_bytes ||
		    mv_sha256_update(sha, p, n, NULL) == -1)
			return -1;
	}
	if (rc != ARCHIVE_EOF || mv_sha256_final(sha, r->digest, NULL) == -1)
		return -1;
	r->whole = true;
	return 0;
}

static struct rec *
add_rec(struct mv_zipscan *s, uint64_t pos)
{
	struct rec *r;
	size_t cap;

	if (s->n >= s->lim.max_files)
		return NULL;
	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 64;
		if ((r = realloc(s->rec, cap * sizeof(*r))) == NULL)
			return NULL;
		s->rec = r;
		s->cap = cap;
	}
	r = &s->rec[s->n++];
	memset(r, 0, sizeof(*r));
	r->pos = pos;
	return r;
}

/* Every entry libarchive's streaming reader yields, until one fails. */
static void
scan_entries(struct mv_zipscan *s, struct archive *a, struct mv_sha256 *sha)
{
	struct archive_entry *e;
	struct rec *r;
	int rc;

	if (archive_read_support_format_zip_streamable(a) != ARCHIVE_OK ||
	    archive_read_open(a, s, NULL, archive_source, NULL) != ARCHIVE_OK)
		return;
	for (;;) {
		rc = archive_read_next_header(a, &e);
		if (rc == ARCHIVE_EOF) {
			s->end_pos = (uint64_t)archive_read_header_position(a);
			s->complete = true;
			return;
		}
		if (rc != ARCHIVE_OK || (r = add_rec(s,
		    (uint64_t)archive_read_header_position(a))) == NULL ||
		    scan_data(s, a, sha, r) == -1)
			return;
	}
}

/* The entries, under a UTF-8 LC_CTYPE so UTF-8 names convert cleanly. */
static void
scan(struct mv_zipscan *s)
{
	locale_t utf8, old = (locale_t)0;
	struct mv_sha256 *sha;
	struct archive *a;

	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8 != (locale_t)0)
		old = uselocale(utf8);
	if ((sha = mv_sha256_new(NULL)) != NULL &&
	    (a = archive_read_new()) != NULL) {
		scan_entries(s, a, sha);
		archive_read_free(a);
	}
	mv_sha256_free(sha);
	if (utf8 != (locale_t)0) {
		uselocale(old);
		freelocale(utf8);
	}
}

static void *
scan_thread(void *arg)
{
	scan(arg);
	return NULL;
}

/* Every byte of the file, in order, through the blob's SHA-256. */
static void *
bytes_thread(void *arg)
{
	struct mv_zipscan *s = arg;
	const void *p;
	ssize_t n;

	while ((n = next_bytes(s, &s->bytes, &p)) > 0)
		if (mv_sha256_update(s->blob, p, (size_t)n, NULL) == -1) {
			s->bytes.read_errno = ENOMEM;
			break;
		}
	return NULL;
}

static struct mv_zipscan *
scan_new(const struct mv_zip_limits *lim, struct mv_err *err)
{
	struct mv_zipscan *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto nomem;
	s->lim = *lim;
	s->fd = -1;
	if ((s->blob = mv_sha256_new(err)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
nomem:
	mv_fail(err, MV_ENOMEM, "out of memory for a zip scan");
	return NULL;
}

/* Starts fn on a small stack with every signal blocked (they stay with
 * the main thread, the FastCGI loop's handlers). */
static int
spawn(struct mv_zipscan *s, void *(*fn)(void *))
{
	pthread_attr_t attr;
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if ((rc = pthread_attr_init(&attr)) == 0) {
		(void)pthread_attr_setstacksize(&attr, STACK_SIZE);
		rc = pthread_create(&s->threads[s->nthreads], &attr, fn, s);
		pthread_attr_destroy(&attr);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		s->nthreads++;
	return rc;
}

int
mv_zipscan_start(int fd, const struct mv_zip_limits *lim,
    struct mv_zipscan **scanp, struct mv_err *err)
{
	struct mv_zipscan *s;
	int rc;

	if ((s = scan_new(lim, err)) == NULL)
		return -1;
	s->fd = fd;
	if ((s->bytes.buf = malloc(READ_MAX)) == NULL ||
	    (s->entries.buf = malloc(READ_MAX)) == NULL) {
		mv_zipscan_free(s);
		return mv_fail(err, MV_ENOMEM, "out of memory for a zip scan");
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->locks = true;
	if ((rc = spawn(s, bytes_thread)) != 0 ||
	    (rc = spawn(s, scan_thread)) != 0) {
		mv_zipscan_free(s);
		return mv_fail(err, MV_EIO, "cannot start a zip scan: %s",
		    strerror(rc));
	}
	*scanp = s;
	return 0;
}

void
mv_zipscan_advance(struct mv_zipscan *s, uint64_t written)
{
	pthread_mutex_lock(&s->mu);
	s->avail = written;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

int
mv_zipscan_finish(struct mv_zipscan *s, bool complete,
    unsigned char digest[MV_SHA256_LEN], struct mv_err *err)
{
	pthread_mutex_lock(&s->mu);
	s->state = complete ? COMPLETE : ABANDONED;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	while (s->nthreads > 0)
		pthread_join(s->threads[--s->nthreads], NULL);
	if (!complete)
		return 0;
	if (s->bytes.pos != s->avail)
		return mv_fail(err, MV_EIO, "reading the download: %s",
		    strerror(s->bytes.read_errno ? s->bytes.read_errno : EIO));
	return mv_sha256_final(s->blob, digest, err);
}

int
mv_zipscan_mem(const void *zip, size_t len, const struct mv_zip_limits *lim,
    struct mv_zipscan **scanp, struct mv_err *err)
{
	struct mv_zipscan *s;

	if ((s = scan_new(lim, err)) == NULL)
		return -1;
	s->mem = zip;
	s->avail = len;
	s->state = COMPLETE;
	scan(s);
	*scanp = s;
	return 0;
}

size_t
mv_zipscan_entries(const struct mv_zipscan *s)
{
	size_t i, whole = 0;

	for (i = 0; i < s->n; i++)
		whole += s->rec[i].whole;
	return whole;
}

void
mv_zipscan_free(struct mv_zipscan *s)
{
	if (s == NULL)
		return;
	if (s->nthreads > 0)
		(void)mv_zipscan_finish(s, false, NULL, NULL);
	if (s->locks) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
	}
	mv_sha256_free(s->blob);
	free(s->bytes.buf);
	free(s->entries.buf);
	free(s->rec);
	free(s);
}

bool
mv_zipscan_digest(const struct mv_zipscan *s, const struct mv_zipdir *dir,
    size_t i, uint64_t *size, unsigned char digest[MV_SHA256_LEN])
{
	const struct rec *r;
	uint64_t next, want;

	if (s == NULL || i >= s->n || i >= dir->n)
		return false;
	r = &s->rec[i];
	if (!r->whole || r->pos != dir->e[i].offset)
		return false;
	if (i + 1 < s->n)
		next = s->rec[i + 1].pos;
	else if (s->complete)
		next = s->end_pos;
	else
		return false;
	want = i + 1 < dir->n ? dir->e[i + 1].offset : dir->cd_offset;
	if (next != want || r->size != dir->e[i].usize ||
	    !mv_zipdir_plain(dir, i))
		return false;
	*size = r->size;
	memcpy(digest, r->digest, MV_SHA256_LEN);
	return true;
}
