/* fuzz_note.c: libFuzzer target for the checksum-database parsers (sumdb.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/buf.h"
#include "modvault/sumdb/sumdb.h"

/*
 * The same bytes go to every parser that reads server or request input:
 * verifier keys, signed notes, tree heads, tile paths (which must
 * round-trip), lookup bodies and records.  Then, read as a tree size, a
 * height and tile contents, they drive the tile authentication (SD-9.1),
 * which must fail cleanly on garbage rather than crash.
 */

struct tiles {
	const uint8_t	*p;
	size_t		 n;
};

static int
read_tile(void *ctx, const struct mv_tile *t, struct mv_buf *out,
    struct mv_err *err)
{
	struct tiles *in = ctx;
	size_t want = (size_t)t->w * MV_TLOG_HASH, i;
	unsigned char c;

	if (in->n == 0)
		return mv_fail(err, MV_ENOTFOUND, "no tile");
	for (i = 0; i < want; i++) {
		c = in->p[(i + (size_t)t->n + (size_t)t->l) % in->n];
		if (mv_buf_putc(out, (char)c, err) == -1)
			return -1;
	}
	return 0;
}

static void
parse_all(const char *s, size_t len)
{
	static const char key[] = "localhost.localdev/sumdb+00000c67+"
	    "AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";
	char zip[MV_SUMDB_HASH_MAX_BYTES + 1], mod[MV_SUMDB_HASH_MAX_BYTES + 1];
	char again[MV_TILE_PATH_MAX_BYTES];
	struct mv_note_verifier v, k;
	struct mv_note note;
	struct mv_tree tree;
	struct mv_tile tile;
	struct mv_lookup lk;

	(void)mv_note_verifier_parse(s, len, &v, NULL);
	if (mv_note_verifier_parse(key, sizeof(key) - 1, &k, NULL) == -1)
		abort();
	if (mv_note_open(s, len, &k, 1, &note, NULL) == 0 &&
	    note.textlen > len)
		abort();
	(void)mv_tree_parse(s, len, &tree, NULL);
	if (mv_tile_parse(s, len, &tile, NULL) == 0 &&
	    (mv_tile_path(&tile, again, NULL) == -1 ||
	    strlen(again) != len || memcmp(again, s, len) != 0))
		abort();
	if (mv_lookup_parse(s, len, &lk, NULL) == 0) {
		if (lk.rec + lk.reclen > s + len || lk.note + lk.notelen !=
		    s + len)
			abort();
		(void)mv_record_hashes(lk.rec, lk.reclen, "golang.org/x/text",
		    "v0.3.0", zip, mod, NULL);
		(void)mv_tree_open(lk.note, lk.notelen, &k, 1, &tree, NULL);
	}
}

static void
tiles_all(const uint8_t *data, size_t size)
{
	struct tiles in;
	struct mv_tlog_tiles tt;
	struct mv_tree a, b;
	unsigned char h[MV_TLOG_HASH];

	if (size < 4 + MV_TLOG_HASH)
		return;
	in.p = data + 4;
	in.n = size - 4;
	tt.height = 1 + data[0] % 8;
	tt.read = read_tile;
	tt.save = NULL;
	tt.ctx = &in;
	a.n = (data[1] | data[2] << 8) % 4096;
	b.n = data[3] % 64;
	memcpy(a.hash, data + 4, MV_TLOG_HASH);
	memcpy(b.hash, data + 4, MV_TLOG_HASH);
	(void)mv_tlog_check_tree(&tt, &a, NULL);
	(void)mv_tlog_check_consistent(&tt, &a, &b, NULL);
	if (a.n > 0)
		(void)mv_tlog_check_record(&tt, &a, b.n % a.n, h, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	/* A copy of exactly size bytes, so reading past the end is caught. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	parse_all(s, size);
	free(s);
	tiles_all(data, size);
	return 0;
}
