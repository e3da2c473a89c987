/*
 * test_zipscan.c: the scan made while a zip downloads (zipscan.h) may
 * spare mv_zip_check reading an entry, and never changes its verdict,
 * message or h1 (module-zip.md MZ-4.1: the central directory decides).
 *
 * The zips here are assembled byte by byte, stored entries only, so each
 * layout the go command accepts but a streaming reader may see otherwise
 * can be put exactly where a test wants it.
 */
#include <fcntl.h>
#include <unistd.h>

#include <zlib.h>

#include "mvtest.h"
#include "modvault/zip/zip.h"
#include "modvault/zip/zipscan.h"
#include "../common/zip_twice.h"

#define M	"example.com/m"
#define V	"v1.0.0"
#define P	M "@" V "/"
#define ZMAX	(64 * 1024)

/* How an entry is laid out (bits). */
#define X_DESC		0x01	/* sizes after the data, PK\7\8 first */
#define X_DESC_NOSIG	0x02	/* sizes after the data, no signature */
#define X_JUNK		0x04	/* 8 bytes no record claims, before it */
#define X_HIDDEN	0x08	/* a local entry the directory omits, before */
#define X_ZIP64		0x10	/* a ZIP64 extra field in the local header */
#define X_BADDESC	0x20	/* the descriptor's CRC is not the central one */

struct xent {
	const char	*name;		/* after the module@version/ prefix */
	const char	*data;
	unsigned	 how;
};

struct zbuf {
	unsigned char	p[ZMAX];
	size_t		len;
};

static void
put(struct zbuf *z, uint64_t v, int bytes)
{
	int i;

	assert_true(z->len + (size_t)bytes <= ZMAX);
	for (i = 0; i < bytes; i++)
		z->p[z->len++] = (unsigned char)(v >> (8 * i));
}

static void
put_bytes(struct zbuf *z, const void *p, size_t n)
{
	assert_true(z->len + n <= ZMAX);
	memcpy(z->p + z->len, p, n);
	z->len += n;
}

static uint32_t
crc_of(const char *s)
{
	return (uint32_t)crc32(0L, (const unsigned char *)s, (uInt)strlen(s));
}

/* One stored local entry (APPNOTE 4.3.7), its descriptor when asked. */
static void
put_local(struct zbuf *z, const char *full, const char *data, unsigned how)
{
	uint32_t crc = crc_of(data), n = (uint32_t)strlen(data);
	int late = (how & (X_DESC | X_DESC_NOSIG)) != 0;

	put(z, 0x04034b50, 4);
	put(z, 20, 2);
	put(z, late ? 0x0008 : 0, 2);
	put(z, 0, 2);			/* stored */
	put(z, 0, 4);			/* time, date */
	put(z, late ? 0 : crc, 4);
	put(z, late ? 0 : n, 4);
	put(z, late ? 0 : n, 4);
	put(z, strlen(full), 2);
	put(z, how & X_ZIP64 ? 20 : 0, 2);
	put_bytes(z, full, strlen(full));
	if (how & X_ZIP64) {
		put(z, 0x0001, 2);
		put(z, 16, 2);
		put(z, n, 8);
		put(z, n, 8);
	}
	put_bytes(z, data, n);
	if (how & X_DESC)
		put(z, 0x08074b50, 4);
	if (late) {
		put(z, how & X_BADDESC ? crc ^ 1 : crc, 4);
		put(z, n, 4);
		put(z, n, 4);
	}
}

/* A whole zip: prefix junk bytes, then the entries and their directory. */
static void
assemble(struct zbuf *z, const struct xent *e, size_t n, size_t prefix)
{
	uint64_t off[16], cd, cdsize;
	char full[256];
	size_t i;

	assert_true(n <= 16);
	z->len = 0;
	for (i = 0; i < prefix; i++)
		put(z, 0x5a, 1);
	for (i = 0; i < n; i++) {
		if (e[i].how & X_JUNK)
			put_bytes(z, "junkjunk", 8);
		if (e[i].how & X_HIDDEN)
			put_local(z, P "hidden.go", "package hidden\n", 0);
		off[i] = z->len;
		snprintf(full, sizeof(full), "%s%s", P, e[i].name);
		put_local(z, full, e[i].data, e[i].how);
	}
	cd = z->len;
	for (i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s%s", P, e[i].name);
		put(z, 0x02014b50, 4);
		put(z, 3 << 8 | 20, 2);		/* made on Unix */
		put(z, 20, 2);
		put(z, e[i].how & (X_DESC | X_DESC_NOSIG) ? 0x0008 : 0, 2);
		put(z, 0, 2);
		put(z, 0, 4);
		put(z, crc_of(e[i].data), 4);
		put(z, strlen(e[i].data), 4);
		put(z, strlen(e[i].data), 4);
		put(z, strlen(full), 2);
		put(z, 0, 2);
		put(z, 0, 2);
		put(z, 0, 2);
		put(z, 0, 2);
		put(z, 0100644u << 16, 4);
		put(z, off[i], 4);
		put_bytes(z, full, strlen(full));
	}
	cdsize = z->len - cd;
	put(z, 0x06054b50, 4);
	put(z, 0, 4);
	put(z, n, 2);
	put(z, n, 2);
	put(z, cdsize, 4);
	put(z, cd, 4);
	put(z, 0, 2);
}

static char last_msg[MV_ERR_MSG_MAX_BYTES];	/* check_both's last refusal */

/*
 * Checks z alone and with a scan: the same result, message and h1, and
 * the scan stood in for `scanned` entries.  Returns the result.
 */
static int
check_both(const struct zbuf *z, uint64_t scanned)
{
	struct mv_zip_limits lim;
	struct mv_zip_result res;
	struct mv_err err = MV_ERR_INIT;
	uint64_t got = 0;
	int rc;

	mv_zip_limits_default(&lim);
	mv_zip_result_init(&res);
	rc = zip_check_twice(z->p, z->len, M, V, &lim, &res, &err, &got);
	if (rc == ZIP_TWICE_DISAGREE)
		fail_msg("the scan changed the outcome (\"%s\")", err.msg);
	if (got != scanned)
		fail_msg("%ju entries from the scan, expected %ju",
		    (uintmax_t)got, (uintmax_t)scanned);
	snprintf(last_msg, sizeof(last_msg), "%s", rc == -1 ? err.msg : "");
	mv_zip_result_free(&res);
	return rc;
}

static const char gomod[] = "module example.com/m\n";

/* Local sizes, or a descriptor with its signature: every entry scanned. */
static void
plain_layouts(void **state)
{
	static struct zbuf z;
	const struct xent e[] = {
		{ "go.mod", gomod, 0 },
		{ "a.go", "package m\n", 0 },
		{ "b.go", "package m // b\n", X_DESC },
		{ "c/c.go", "package c\n", X_DESC },
		{ "empty.txt", "", 0 },
	};

	(void)state;
	assemble(&z, e, 5, 0);
	/* The root go.mod is read anyway: its bytes are kept (MZ-9). */
	assert_int_equal(check_both(&z, 4), 0);
}

/*
 * MZ-4.1: the go command reads by the central directory, so junk between
 * entries, a prefix, or an entry the directory omits change nothing for
 * it.  The streaming reader sees them, and the entries around them are
 * read again by the directory.
 */
static void
junk_between_entries(void **state)
{
	static struct zbuf z;
	const struct xent e[] = {
		{ "go.mod", gomod, 0 },
		{ "a.go", "package m\n", 0 },
		{ "b.go", "package m // b\n", X_JUNK },
		{ "c.go", "package m // c\n", 0 },
	};

	(void)state;
	assemble(&z, e, 4, 0);
	/* a.go ends where no header starts, b.go starts after the junk. */
	assert_int_equal(check_both(&z, 1), 0);
}

static void
prefix_before_first_entry(void **state)
{
	static struct zbuf z;
	const struct xent e[] = {
		{ "a.go", "package m\n", 0 },
		{ "go.mod", gomod, 0 },
		{ "b.go", "package m // b\n", 0 },
	};

	(void)state;
	assemble(&z, e, 3, 100);
	/* libarchive's streaming reader does not even recognise it. */
	assert_int_equal(check_both(&z, 0), 0);
}

static void
hidden_local_entry(void **state)
{
	static struct zbuf z;
	const struct xent e[] = {
		{ "a.go", "package m\n", 0 },
		{ "go.mod", gomod, 0 },
		{ "b.go", "package m // b\n", X_HIDDEN },
		{ "c.go", "package m // c\n", 0 },
	};

	(void)state;
	assemble(&z, e, 4, 0);
	/* Only a.go: from the hidden entry on, the two views part. */
	assert_int_equal(check_both(&z, 1), 0);
}

/* Layouts the proof does not cover are read by the directory instead. */
static void
unproven_layouts(void **state)
{
	static struct zbuf z;
	const struct xent nosig[] = {
		{ "a.go", "package m\n", 0 },
		{ "b.go", "package m // b\n", X_DESC_NOSIG },
		{ "c.go", "package m // c\n", 0 },
	};
	const struct xent zip64[] = {
		{ "a.go", "package m\n", 0 },
		{ "b.go", "package m // b\n", X_ZIP64 },
		{ "c.go", "package m // c\n", 0 },
	};

	(void)state;
	/* No go.mod: MZ-9.1 is ingest's business, the zip itself is valid. */
	assemble(&z, nosig, 3, 0);
	assert_int_equal(check_both(&z, 1), 0);
	assemble(&z, zip64, 3, 0);
	assert_int_equal(check_both(&z, 2), 0);
}

/*
 * MZ-2.4: the go command refuses an entry whose data descriptor carries
 * another CRC than the central directory, even when the data matches the
 * central one; so does modvault, with and without the scan.
 */
static void
descriptor_disagrees(void **state)
{
	static struct zbuf z;
	const struct xent e[] = {
		{ "go.mod", gomod, 0 },
		{ "a.go", "package m\n", X_DESC | X_BADDESC },
	};

	(void)state;
	assemble(&z, e, 2, 0);
	assert_int_equal(check_both(&z, 0), -1);
	assert_non_null(strstr(last_msg, "MZ-2.4: the data descriptor of"));
}

/* MZ-4.1: a zip cut anywhere is refused alike with and without a scan. */
static void
truncated_anywhere(void **state)
{
	static struct zbuf z;
	const struct xent e[] = {
		{ "go.mod", gomod, 0 },
		{ "a.go", "package m\n", X_DESC },
	};
	size_t full, i;

	(void)state;
	assemble(&z, e, 2, 0);
	full = z.len;
	for (i = 0; i < full; i++) {
		z.len = i;
		assert_int_equal(check_both(&z, 0), -1);
	}
}

/*
 * The threaded scan of a file written in pieces: the blob digest is the
 * SHA-256 of the whole file, and every entry is scanned.
 */
static void
scan_while_writing(void **state)
{
	static struct zbuf z;
	const struct xent e[] = {
		{ "go.mod", gomod, 0 },
		{ "a.go", "package m\n", X_DESC },
		{ "b.go", "package m // b\n", 0 },
	};
	unsigned char got[MV_SHA256_LEN], want[MV_SHA256_LEN];
	char path[] = "/tmp/test_zipscan.XXXXXX";
	struct mv_zip_result res;
	struct mv_zip_limits lim;
	struct mv_zipscan *scan;
	struct mv_err err = MV_ERR_INIT;
	size_t off;
	int fd;

	(void)state;
	assemble(&z, e, 3, 0);
	mv_zip_limits_default(&lim);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_ok(mv_zipscan_start(fd, &lim, &scan, &err), &err);
	for (off = 0; off < z.len; off += 7) {
		size_t n = z.len - off < 7 ? z.len - off : 7;

		assert_int_equal(write(fd, z.p + off, n), (ssize_t)n);
		mv_zipscan_advance(scan, off + n);
	}
	assert_ok(mv_zipscan_finish(scan, true, got, &err), &err);
	assert_ok(mv_sha256(z.p, z.len, want, &err), &err);
	assert_memory_equal(got, want, MV_SHA256_LEN);
	mv_zip_result_init(&res);
	assert_ok(mv_zip_check_fd(fd, M, V, &lim, scan, &res, &err), &err);
	assert_int_equal(res.scanned, 2);
	mv_zip_result_free(&res);
	mv_zipscan_free(scan);
	close(fd);
	unlink(path);
}

/* A download that fails: the scan is abandoned, and its thread ends. */
static void
scan_abandoned(void **state)
{
	struct mv_zip_limits lim;
	struct mv_zipscan *scan;
	struct mv_err err = MV_ERR_INIT;
	int fd;

	(void)state;
	mv_zip_limits_default(&lim);
	assert_true((fd = open("/dev/null", O_RDONLY)) >= 0);
	assert_ok(mv_zipscan_start(fd, &lim, &scan, &err), &err);
	mv_zipscan_advance(scan, 0);
	assert_ok(mv_zipscan_finish(scan, false, NULL, &err), &err);
	assert_int_equal(mv_zipscan_entries(scan), 0);
	mv_zipscan_free(scan);
	/* Freed without finishing: free abandons it. */
	assert_ok(mv_zipscan_start(fd, &lim, &scan, &err), &err);
	mv_zipscan_free(scan);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_layouts),
		cmocka_unit_test(junk_between_entries),
		cmocka_unit_test(prefix_before_first_entry),
		cmocka_unit_test(hidden_local_entry),
		cmocka_unit_test(unproven_layouts),
		cmocka_unit_test(descriptor_disagrees),
		cmocka_unit_test(truncated_anywhere),
		cmocka_unit_test(scan_while_writing),
		cmocka_unit_test(scan_abandoned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
