/* tlog.c: transparent-log hashing, tiles and proofs (sumdb.md SD-6 to SD-9.1). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/hash.h"
#include "modvault/sumdb/sumdb.h"

/*
 * A tree (N, R) is trusted only through its signed root R, so every hash
 * read out of a tile is authenticated first, the way the go command does
 * (SD-9.1): the tiles holding the tree's complete subtrees must fold to R,
 * and any other tile must hash to an entry of an authenticated parent.  A
 * tile is therefore authenticated as a whole, which is what lets the caller
 * cache it (SD-9.1.4).  Tiles are fetched through the caller's callback and
 * kept for the length of one operation in a small cache.
 */

#define MAX_LEVEL	62	/* MV_TLOG_MAX_RECORDS = 2^62 */
#define TCACHE_MAX	256	/* 2 tiles per level and the root's, even at H=1 */
#define LOG_MAX_TILE_HEIGHT 30	/* SD-8.1 */

struct tcache {
	struct mv_tile	 t;
	unsigned char	*data;	/* 32 * t.w bytes */
	bool		 auth;
};

struct reader {
	const struct mv_tlog_tiles	*tt;
	const struct mv_tree		*tree;
	struct tcache			 c[TCACHE_MAX];
	size_t				 nc;
	bool				 rooted;
};

int
mv_tlog_record_hash(const void *data, size_t len,
    unsigned char out[MV_TLOG_HASH], struct mv_err *err)
{
	static const unsigned char zero = 0x00;	/* SD-6.1 leaf prefix */
	struct mv_sha256 *c;
	int rc;

	if ((c = mv_sha256_new(err)) == NULL)
		return -1;
	rc = mv_sha256_update(c, &zero, 1, err) == -1 ||
	    mv_sha256_update(c, data, len, err) == -1 ||
	    mv_sha256_final(c, out, err) == -1 ? -1 : 0;
	mv_sha256_free(c);
	return rc;
}

int
mv_tlog_node_hash(const unsigned char l[MV_TLOG_HASH],
    const unsigned char r[MV_TLOG_HASH], unsigned char out[MV_TLOG_HASH],
    struct mv_err *err)
{
	unsigned char buf[1 + 2 * MV_TLOG_HASH];

	buf[0] = 0x01;	/* SD-6.2 node prefix */
	memcpy(buf + 1, l, MV_TLOG_HASH);
	memcpy(buf + 1 + MV_TLOG_HASH, r, MV_TLOG_HASH);
	return mv_sha256(buf, sizeof(buf), out, err);
}

int64_t
mv_tlog_stored_index(int level, int64_t n)
{
	int64_t i = 0;
	int j;

	if (level < 0 || level > MAX_LEVEL || n < 0 ||
	    n >= (MV_TLOG_MAX_RECORDS >> level))
		return -1;
	/* SD-6.6: the index of the last leaf below h(level, n), ... */
	for (j = 0; j < level; j++)
		n = 2 * n + 1;
	/* ... plus the interior nodes stored before it. */
	for (; n > 0; n >>= 1)
		i += n;
	return i + level;
}

/* --- tile paths (SD-8.4, SD-8.5) --------------------------------------- */

static bool
tile_is_valid(const struct mv_tile *t)
{
	return t->h >= 1 && t->h <= LOG_MAX_TILE_HEIGHT && t->l >= -1 &&
	    t->l <= MAX_LEVEL && t->n >= 0 && t->n <= MV_TLOG_MAX_RECORDS &&
	    t->w >= 1 && t->w <= (1 << t->h);
}

int
mv_tile_path(const struct mv_tile *t, char out[MV_TILE_PATH_MAX_BYTES],
    struct mv_err *err)
{
	char groups[8][12];
	int64_t n = t->n;
	size_t ng = 0, i, off;

	if (!tile_is_valid(t))
		return mv_fail(err, MV_EINVAL, "invalid tile (SD-8.1)");
	do {
		snprintf(groups[ng++], sizeof(groups[0]), "%03d",
		    (int)(n % 1000));
		n /= 1000;
	} while (n > 0);
	if (t->l < 0)
		off = (size_t)snprintf(out, MV_TILE_PATH_MAX_BYTES, "tile/%d/data",
		    t->h);
	else
		off = (size_t)snprintf(out, MV_TILE_PATH_MAX_BYTES, "tile/%d/%d",
		    t->h, t->l);
	/* The most significant group comes first; all but the last get 'x'. */
	for (i = ng; i > 0; i--)
		off += (size_t)snprintf(out + off, MV_TILE_PATH_MAX_BYTES - off,
		    "/%s%s", i > 1 ? "x" : "", groups[i - 1]);
	if (t->w < (1 << t->h))
		snprintf(out + off, MV_TILE_PATH_MAX_BYTES - off, ".p/%d", t->w);
	return 0;
}

/* Digits only, at most 18 of them; leading zeros are left to round-trip. */
static bool
digits_value(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (len == 0 || len > 18)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Parses the NNN elements [p, end) (SD-8.5); false if malformed. */
static bool
tile_index(const char *p, const char *end, int64_t *out)
{
	const char *slash;
	int64_t n = 0, g;
	size_t len;

	for (; p < end; p = slash + 1) {
		if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL)
			slash = end;
		len = (size_t)(slash - p);
		if (len > 0 && *p == 'x')
			p++, len--;
		if (!digits_value(p, len, &g) || g >= 1000 ||
		    n > (MV_TLOG_MAX_RECORDS - g) / 1000)
			return false;
		n = n * 1000 + g;
		if (slash == end)
			break;
	}
	*out = n;
	return true;
}

/* Fields of a tile path, loosely; mv_tile_parse then demands round-trip. */
static bool
tile_fields(const char *s, size_t len, struct mv_tile *t)
{
	const char *end = s + len, *p, *q, *dotp;
	int64_t v;

	if (len < 5 || memcmp(s, "tile/", 5) != 0)
		return false;
	p = s + 5;
	if ((q = memchr(p, '/', (size_t)(end - p))) == NULL ||
	    !digits_value(p, (size_t)(q - p), &v) || v < 1 ||
	    v > LOG_MAX_TILE_HEIGHT)
		return false;
	t->h = (int)v;
	p = q + 1;
	if ((q = memchr(p, '/', (size_t)(end - p))) == NULL)
		return false;
	if ((size_t)(q - p) == 4 && memcmp(p, "data", 4) == 0)
		t->l = -1;
	else if (digits_value(p, (size_t)(q - p), &v) && v <= MAX_LEVEL)
		t->l = (int)v;
	else
		return false;
	p = q + 1;
	t->w = 1 << t->h;
	/* ".p/W": the next-to-last element ends in ".p". */
	for (q = end; q > p && q[-1] != '/'; q--)
		continue;
	if (q - p >= 3 && memcmp(q - 3, ".p/", 3) == 0) {
		q--;
		if (!digits_value(q + 1, (size_t)(end - q - 1), &v) || v < 1 ||
		    v >= (1 << t->h))
			return false;
		t->w = (int)v;
		dotp = q - 2;
	} else
		dotp = end;
	return tile_index(p, dotp, &t->n);
}

int
mv_tile_parse(const char *s, size_t len, struct mv_tile *t,
    struct mv_err *err)
{
	char again[MV_TILE_PATH_MAX_BYTES];

	/* SD-8.5: the path must re-format to exactly itself. */
	if (len >= MV_TILE_PATH_MAX_BYTES || !tile_fields(s, len, t) ||
	    mv_tile_path(t, again, NULL) == -1 || strlen(again) != len ||
	    memcmp(again, s, len) != 0)
		return mv_fail(err, MV_EINVAL, "invalid tile path \"%.*s\" "
		    "(SD-8.5)", (int)(len < 80 ? len : 80), s);
	return 0;
}

/* --- reading hashes from tiles (SD-8.3, SD-8.8, SD-9.1) --------------- */

/* SD-8.3: the width of tile (h, l, n) in a tree of size, or 0. */
static int
tile_width(int h, int l, int64_t n, int64_t size)
{
	int64_t have;

	if ((int64_t)l * h > MAX_LEVEL)
		return 0;
	have = (size >> (l * h)) - (n << h);
	if (have <= 0)
		return 0;
	return have > (1 << h) ? 1 << h : (int)have;
}

/* The MTH of the 2^k entries at e (SD-8.8: no leaf re-hash). */
static int
entries_hash(const unsigned char *e, int k, unsigned char out[MV_TLOG_HASH],
    struct mv_err *err)
{
	unsigned char l[MV_TLOG_HASH], r[MV_TLOG_HASH];

	if (k == 0) {
		memcpy(out, e, MV_TLOG_HASH);
		return 0;
	}
	if (entries_hash(e, k - 1, l, err) == -1 ||
	    entries_hash(e + ((size_t)MV_TLOG_HASH << (k - 1)), k - 1, r,
	    err) == -1)
		return -1;
	return mv_tlog_node_hash(l, r, out, err);
}

static void
reader_init(struct reader *r, const struct mv_tlog_tiles *tt,
    const struct mv_tree *tree)
{
	memset(r, 0, sizeof(*r));
	r->tt = tt;
	r->tree = tree;
}

static void
reader_free(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->nc; i++)
		free(r->c[i].data);
	r->nc = 0;
}

static struct tcache *
cache_find(struct reader *r, const struct mv_tile *t)
{
	size_t i;

	for (i = 0; i < r->nc; i++)
		if (r->c[i].t.l == t->l && r->c[i].t.n == t->n &&
		    r->c[i].t.w == t->w)
			return &r->c[i];
	return NULL;
}

/*
 * Fetches tile t through the callback (or the cache).  Entries never move,
 * so pointers to them stay valid for the whole operation; a successful
 * operation leaves only authenticated tiles, a few per level.
 */
static struct tcache *
cache_get(struct reader *r, const struct mv_tile *t, struct mv_err *err)
{
	struct mv_buf b;
	struct tcache *c;
	char path[MV_TILE_PATH_MAX_BYTES];
	size_t want = (size_t)t->w * MV_TLOG_HASH;

	if ((c = cache_find(r, t)) != NULL)
		return c;
	if (r->nc == TCACHE_MAX) {
		mv_fail(err, MV_ELIMIT, "more than %d tiles needed",
		    TCACHE_MAX);
		return NULL;
	}
	mv_buf_init(&b, want);
	if (r->tt->read(r->tt->ctx, t, &b, err) == -1) {
		mv_buf_free(&b);
		return NULL;
	}
	if (b.len != want) {
		mv_buf_free(&b);
		if (mv_tile_path(t, path, NULL) == -1)
			path[0] = '\0';
		mv_fail(err, MV_ECORRUPT, "downloaded inconsistent tile "
		    "\"%s\": %zu bytes, want %zu (SD-8.7)", path, b.len, want);
		return NULL;
	}
	c = &r->c[r->nc++];
	c->t = *t;
	c->data = (unsigned char *)mv_buf_detach(&b, NULL);
	c->auth = false;
	return c;
}

/* Marks c authenticated and offers it to the caller's cache (SD-9.1.4). */
static int
cache_auth(struct reader *r, struct tcache *c, struct mv_err *err)
{
	if (c->auth)
		return 0;
	c->auth = true;
	if (r->tt->save == NULL)
		return 0;
	return r->tt->save(r->tt->ctx, &c->t, c->data,
	    (size_t)c->t.w * MV_TLOG_HASH, err);
}

static int
inconsistent(const struct mv_tile *t, const char *why, struct mv_err *err)
{
	char path[MV_TILE_PATH_MAX_BYTES];

	if (mv_tile_path(t, path, NULL) == -1)
		path[0] = '\0';
	return mv_fail(err, MV_ECORRUPT, "downloaded inconsistent tile "
	    "\"%s\": %s (SD-9.1)", path, why);
}

/*
 * SD-8.8: the tile holding h(level, n) in the reader's tree, widened to
 * the width it has there (SD-8.3), and the entry range [o, o + 2^k).
 */
static int
locate(const struct reader *r, int level, int64_t n, struct mv_tile *t,
    int *o, int *k, struct mv_err *err)
{
	int h = r->tt->height;
	int64_t first;

	if (level < 0 || level > MAX_LEVEL || n < 0 ||
	    n >= (r->tree->n >> level))
		return mv_fail(err, MV_EINVAL, "hash h(%d, %lld) is not in "
		    "a tree of %lld records (SD-6.4)", level, (long long)n,
		    (long long)r->tree->n);
	t->h = h;
	t->l = level / h;
	*k = level - t->l * h;
	first = n << *k;
	t->n = first >> h;
	*o = (int)(first - (t->n << h));
	t->w = tile_width(h, t->l, t->n, r->tree->n);
	return 0;
}

/* The hash of complete subtree h(level, n) from tile data, unauthenticated. */
static int
hash_in_tile(struct reader *r, int level, int64_t n,
    unsigned char out[MV_TLOG_HASH], struct tcache **cp, struct mv_err *err)
{
	struct mv_tile t;
	struct tcache *c;
	int o, k;

	if (locate(r, level, n, &t, &o, &k, err) == -1 ||
	    (c = cache_get(r, &t, err)) == NULL)
		return -1;
	*cp = c;
	return entries_hash(c->data + (size_t)o * MV_TLOG_HASH, k, out, err);
}

/* Folds subtree hashes s[0..m) right to left (SD-6.5). */
static int
fold(unsigned char s[][MV_TLOG_HASH], size_t m, unsigned char out[MV_TLOG_HASH],
    struct mv_err *err)
{
	size_t i;

	memcpy(out, s[m - 1], MV_TLOG_HASH);
	for (i = m - 1; i > 0; i--)
		if (mv_tlog_node_hash(s[i - 1], out, out, err) == -1)
			return -1;
	return 0;
}

/* SD-9.1 steps 1-2: the tiles of the root's subtrees must fold to R. */
static int
authenticate_root(struct reader *r, struct mv_err *err)
{
	unsigned char s[MAX_LEVEL + 1][MV_TLOG_HASH], root[MV_TLOG_HASH];
	struct tcache *c[MAX_LEVEL + 1];
	int64_t start = 0, size = r->tree->n;
	size_t m = 0, i;
	int l;

	if (r->rooted)
		return 0;
	if (size == 0) {
		if (mv_sha256("", 0, root, err) == -1)
			return -1;
		if (memcmp(root, r->tree->hash, MV_TLOG_HASH) != 0)
			return mv_fail(err, MV_ECORRUPT, "empty tree with a "
			    "hash other than sha256(\"\") (SD-6.3)");
		r->rooted = true;
		return 0;
	}
	for (l = MAX_LEVEL; l >= 0; l--) {
		if ((size & ((int64_t)1 << l)) == 0)
			continue;
		if (hash_in_tile(r, l, start >> l, s[m], &c[m], err) == -1)
			return -1;
		m++;
		start += (int64_t)1 << l;
	}
	if (fold(s, m, root, err) == -1)
		return -1;
	if (memcmp(root, r->tree->hash, MV_TLOG_HASH) != 0)
		return inconsistent(&c[m - 1]->t, "tiles do not hash to the "
		    "signed tree head", err);
	for (i = 0; i < m; i++)
		if (cache_auth(r, c[i], err) == -1)
			return -1;
	r->rooted = true;
	return 0;
}

/*
 * SD-9.1 step 3: authenticates the tile chain from x[0] up to its first
 * authenticated ancestor, then back down, each child tile full and hashing
 * to its entry in the parent.
 */
static int
authenticate_chain(struct reader *r, const struct mv_tile *x0,
    struct mv_err *err)
{
	struct mv_tile x[MAX_LEVEL + 2];
	struct tcache *c, *parent;
	unsigned char sum[MV_TLOG_HASH];
	int h = r->tt->height, j, top;

	x[0] = *x0;
	for (top = 0; ; top++) {
		if ((c = cache_get(r, &x[top], err)) == NULL)
			return -1;
		if (c->auth)
			break;
		if (c->t.w != 1 << h)
			return inconsistent(&c->t, "partial tile off the "
			    "right edge of the tree", err);
		if ((x[top].l + 1) * h > MAX_LEVEL)
			return inconsistent(&c->t, "no authenticated "
			    "ancestor", err);
		x[top + 1].h = h;
		x[top + 1].l = x[top].l + 1;
		x[top + 1].n = x[top].n >> h;
		x[top + 1].w = tile_width(h, x[top + 1].l, x[top + 1].n,
		    r->tree->n);
	}
	for (j = top - 1; j >= 0; j--) {
		/* The cache holds all of x[j..top]: at most 2 * 62 / H. */
		parent = cache_find(r, &x[j + 1]);
		c = cache_find(r, &x[j]);
		if (parent == NULL || c == NULL)
			return mv_fail(err, MV_ELIMIT, "tile cache too small");
		if (entries_hash(c->data, h, sum, err) == -1)
			return -1;
		if (memcmp(sum, parent->data + (size_t)(x[j].n -
		    (x[j + 1].n << h)) * MV_TLOG_HASH, MV_TLOG_HASH) != 0)
			return inconsistent(&c->t, "tile does not hash to "
			    "its parent", err);
		if (cache_auth(r, c, err) == -1)
			return -1;
	}
	return 0;
}

/* An authenticated h(level, n) of the reader's tree. */
static int
read_hash(struct reader *r, int level, int64_t n,
    unsigned char out[MV_TLOG_HASH], struct mv_err *err)
{
	struct mv_tile t;
	struct tcache *c;
	int o, k;

	if (authenticate_root(r, err) == -1 ||
	    locate(r, level, n, &t, &o, &k, err) == -1)
		return -1;
	if (((c = cache_find(r, &t)) == NULL || !c->auth) &&
	    authenticate_chain(r, &t, err) == -1)
		return -1;
	if ((c = cache_find(r, &t)) == NULL || !c->auth)
		return mv_fail(err, MV_ELIMIT, "tile cache too small");
	return entries_hash(c->data + (size_t)o * MV_TLOG_HASH, k, out, err);
}

/*
 * MTH[lo, hi) from authenticated hashes (SD-6.3, SD-6.5).  lo must be a
 * multiple of a power of two >= hi - lo, as in every proof range.
 */
static int
range_hash(struct reader *r, int64_t lo, int64_t hi,
    unsigned char out[MV_TLOG_HASH], struct mv_err *err)
{
	unsigned char s[MAX_LEVEL + 1][MV_TLOG_HASH];
	int64_t size = hi - lo, start = lo;
	size_t m = 0;
	int l;

	if (size <= 0)
		return mv_fail(err, MV_EINVAL, "empty hash range");
	for (l = MAX_LEVEL; l >= 0; l--) {
		if ((size & ((int64_t)1 << l)) == 0)
			continue;
		if ((start & (((int64_t)1 << l) - 1)) != 0)
			return mv_fail(err, MV_EINVAL, "unaligned hash range "
			    "[%lld, %lld)", (long long)lo, (long long)hi);
		if (read_hash(r, l, start >> l, s[m++], err) == -1)
			return -1;
		start += (int64_t)1 << l;
	}
	return fold(s, m, out, err);
}

int
mv_tlog_check_tree(const struct mv_tlog_tiles *tt, const struct mv_tree *tree,
    struct mv_err *err)
{
	struct reader r;
	int rc;

	if (tree->n < 0 || tree->n > MV_TLOG_MAX_RECORDS)
		return mv_fail(err, MV_EINVAL, "tree size out of range");
	reader_init(&r, tt, tree);
	rc = authenticate_root(&r, err);
	reader_free(&r);
	return rc;
}

int
mv_tlog_read_hash(const struct mv_tlog_tiles *tt, const struct mv_tree *tree,
    int level, int64_t n, unsigned char out[MV_TLOG_HASH], struct mv_err *err)
{
	struct reader r;
	int rc;

	reader_init(&r, tt, tree);
	rc = read_hash(&r, level, n, out, err);
	reader_free(&r);
	return rc;
}

int
mv_tlog_check_record(const struct mv_tlog_tiles *tt,
    const struct mv_tree *tree, int64_t id,
    const unsigned char leaf[MV_TLOG_HASH], struct mv_err *err)
{
	unsigned char h[MV_TLOG_HASH];

	if (id < 0 || id >= tree->n)
		return mv_fail(err, MV_ECORRUPT, "cannot authenticate record "
		    "data: record %lld not in a tree of %lld (SD-9.2.5)",
		    (long long)id, (long long)tree->n);
	if (mv_tlog_read_hash(tt, tree, 0, id, h, err) == -1)
		return -1;
	if (memcmp(h, leaf, MV_TLOG_HASH) != 0)
		return mv_fail(err, MV_ECORRUPT, "cannot authenticate record "
		    "data in server response: record %lld does not hash to "
		    "the log's leaf (SD-9.2.5)", (long long)id);
	return 0;
}

int
mv_tlog_check_consistent(const struct mv_tlog_tiles *tt,
    const struct mv_tree *a, const struct mv_tree *b, struct mv_err *err)
{
	const struct mv_tree *big = a->n >= b->n ? a : b;
	const struct mv_tree *small = big == a ? b : a;
	unsigned char h[MV_TLOG_HASH];
	struct reader r;
	int rc;

	if (small->n < 0 || big->n > MV_TLOG_MAX_RECORDS)
		return mv_fail(err, MV_EINVAL, "tree size out of range");
	if (small->n == 0)
		return 0;
	if (small->n == big->n)
		rc = 0, memcpy(h, big->hash, MV_TLOG_HASH);
	else {
		reader_init(&r, tt, big);
		rc = range_hash(&r, 0, small->n, h, err);
		reader_free(&r);
	}
	if (rc == 0 && memcmp(h, small->hash, MV_TLOG_HASH) != 0 &&
	    small->n == big->n)
		rc = mv_fail(err, MV_ECORRUPT, "security error: checksum "
		    "database forked: two different trees of size %lld "
		    "(SD-9.2.4)", (long long)big->n);
	else if (rc == 0 && memcmp(h, small->hash, MV_TLOG_HASH) != 0)
		rc = mv_fail(err, MV_ECORRUPT, "security error: checksum "
		    "database forked: tree %lld is not a prefix of tree %lld "
		    "(SD-9.2.4)", (long long)small->n, (long long)big->n);
	return rc;
}

/* --- RFC 6962 proofs (SD-7) ---------------------------------------------- */

/* Largest power of two strictly below size (size >= 2). */
static int64_t
split_point(int64_t size)
{
	int64_t k = 1;

	while (k < size - k)
		k <<= 1;
	return k;
}

static int
proof_add(struct reader *r, int64_t lo, int64_t hi,
    unsigned char proof[][MV_TLOG_HASH], size_t *np, struct mv_err *err)
{
	if (*np == MV_TLOG_PROOF_MAX_HASHES)
		return mv_fail(err, MV_ELIMIT, "proof too long");
	return range_hash(r, lo, hi, proof[(*np)++], err);
}

/* SD-7.1 */
static int
prove_leaf(struct reader *r, int64_t n, int64_t lo, int64_t hi,
    unsigned char proof[][MV_TLOG_HASH], size_t *np, struct mv_err *err)
{
	int64_t k;

	if (hi - lo == 1)
		return 0;
	k = split_point(hi - lo);
	if (n < lo + k)
		return prove_leaf(r, n, lo, lo + k, proof, np, err) == -1 ? -1 :
		    proof_add(r, lo + k, hi, proof, np, err);
	return prove_leaf(r, n, lo + k, hi, proof, np, err) == -1 ? -1 :
	    proof_add(r, lo, lo + k, proof, np, err);
}

/* SD-7.3 */
static int
prove_prefix(struct reader *r, int64_t m, int64_t lo, int64_t hi,
    unsigned char proof[][MV_TLOG_HASH], size_t *np, struct mv_err *err)
{
	int64_t k;

	if (m == hi)
		return lo == 0 ? 0 : proof_add(r, lo, hi, proof, np, err);
	k = split_point(hi - lo);
	if (m <= lo + k)
		return prove_prefix(r, m, lo, lo + k, proof, np, err) == -1 ?
		    -1 : proof_add(r, lo + k, hi, proof, np, err);
	return prove_prefix(r, m, lo + k, hi, proof, np, err) == -1 ? -1 :
	    proof_add(r, lo, lo + k, proof, np, err);
}

/* Runs one proof generator over a fresh reader of tree t. */
static int
prove(const struct mv_tlog_tiles *tt, const struct mv_tree *t, bool leaf,
    int64_t x, unsigned char proof[][MV_TLOG_HASH], size_t *nproof,
    struct mv_err *err)
{
	struct reader r;
	int rc;

	*nproof = 0;
	reader_init(&r, tt, t);
	rc = leaf ? prove_leaf(&r, x, 0, t->n, proof, nproof, err) :
	    prove_prefix(&r, x, 0, t->n, proof, nproof, err);
	reader_free(&r);
	return rc;
}

int
mv_tlog_prove_record(const struct mv_tlog_tiles *tt, const struct mv_tree *t,
    int64_t n, unsigned char proof[MV_TLOG_PROOF_MAX_HASHES][MV_TLOG_HASH],
    size_t *nproof, struct mv_err *err)
{
	if (n < 0 || n >= t->n || t->n > MV_TLOG_MAX_RECORDS)
		return mv_fail(err, MV_EINVAL, "record %lld not in a tree of "
		    "%lld (SD-7.1)", (long long)n, (long long)t->n);
	return prove(tt, t, true, n, proof, nproof, err);
}

int
mv_tlog_prove_tree(const struct mv_tlog_tiles *tt, const struct mv_tree *t,
    int64_t m, unsigned char proof[MV_TLOG_PROOF_MAX_HASHES][MV_TLOG_HASH],
    size_t *nproof, struct mv_err *err)
{
	if (m < 1 || m > t->n || t->n > MV_TLOG_MAX_RECORDS)
		return mv_fail(err, MV_EINVAL, "no consistency proof from %lld "
		    "to %lld (SD-7.3)", (long long)m, (long long)t->n);
	return prove(tt, t, false, m, proof, nproof, err);
}

/* SD-7.2: the root implied by proof[0..np) for leaf n of [lo, hi). */
static int
run_leaf(const unsigned char proof[][MV_TLOG_HASH], size_t np, int64_t lo,
    int64_t hi, int64_t n, const unsigned char leaf[MV_TLOG_HASH],
    unsigned char out[MV_TLOG_HASH], struct mv_err *err)
{
	unsigned char x[MV_TLOG_HASH];
	int64_t k;

	if (hi - lo == 1) {
		if (np != 0)
			return mv_fail(err, MV_ECORRUPT, "invalid inclusion "
			    "proof: extra hashes (SD-7.2)");
		memcpy(out, leaf, MV_TLOG_HASH);
		return 0;
	}
	if (np == 0)
		return mv_fail(err, MV_ECORRUPT, "invalid inclusion proof: "
		    "missing hashes (SD-7.2)");
	k = split_point(hi - lo);
	if (n < lo + k)
		return run_leaf(proof, np - 1, lo, lo + k, n, leaf, x, err) ==
		    -1 ? -1 : mv_tlog_node_hash(x, proof[np - 1], out, err);
	return run_leaf(proof, np - 1, lo + k, hi, n, leaf, x, err) == -1 ?
	    -1 : mv_tlog_node_hash(proof[np - 1], x, out, err);
}

int
mv_tlog_check_record_proof(const unsigned char proof[][MV_TLOG_HASH],
    size_t nproof, const struct mv_tree *t, int64_t n,
    const unsigned char leaf[MV_TLOG_HASH], struct mv_err *err)
{
	unsigned char root[MV_TLOG_HASH];

	if (n < 0 || n >= t->n)
		return mv_fail(err, MV_EINVAL, "record %lld not in a tree of "
		    "%lld (SD-7.2)", (long long)n, (long long)t->n);
	if (run_leaf(proof, nproof, 0, t->n, n, leaf, root, err) == -1)
		return -1;
	if (memcmp(root, t->hash, MV_TLOG_HASH) != 0)
		return mv_fail(err, MV_ECORRUPT, "invalid inclusion proof: "
		    "root mismatch (SD-7.2)");
	return 0;
}

/*
 * SD-7.4: the (old, new) roots implied by proof[0..np) for [lo, hi).  When
 * the old tree ends at hi, the subtree is the old root itself (lo = 0) or
 * the one hash the proof gives for it.
 */
static int
run_prefix(const unsigned char proof[][MV_TLOG_HASH], size_t np, int64_t lo,
    int64_t hi, int64_t m, const unsigned char old[MV_TLOG_HASH],
    unsigned char o[MV_TLOG_HASH], unsigned char t[MV_TLOG_HASH],
    struct mv_err *err)
{
	int64_t k = hi - lo > 1 ? split_point(hi - lo) : 0;

	if (m == hi && np == (lo == 0 ? 0 : 1)) {
		memcpy(o, lo == 0 ? old : proof[0], MV_TLOG_HASH);
		memcpy(t, o, MV_TLOG_HASH);
		return 0;
	}
	if (m == hi || np == 0)
		return mv_fail(err, MV_ECORRUPT, "invalid consistency proof: "
		    "wrong length (SD-7.4)");
	if (m <= lo + k)
		return run_prefix(proof, np - 1, lo, lo + k, m, old, o, t,
		    err) == -1 ? -1 : mv_tlog_node_hash(t, proof[np - 1], t,
		    err);
	if (run_prefix(proof, np - 1, lo + k, hi, m, old, o, t, err) == -1 ||
	    mv_tlog_node_hash(proof[np - 1], o, o, err) == -1)
		return -1;
	return mv_tlog_node_hash(proof[np - 1], t, t, err);
}

int
mv_tlog_check_tree_proof(const unsigned char proof[][MV_TLOG_HASH],
    size_t nproof, const struct mv_tree *t, const struct mv_tree *old,
    struct mv_err *err)
{
	unsigned char o[MV_TLOG_HASH], n[MV_TLOG_HASH];

	if (old->n < 1 || old->n > t->n)
		return mv_fail(err, MV_EINVAL, "no consistency proof from %lld "
		    "to %lld (SD-7.3)", (long long)old->n, (long long)t->n);
	if (run_prefix(proof, nproof, 0, t->n, old->n, old->hash, o, n,
	    err) == -1)
		return -1;
	if (memcmp(o, old->hash, MV_TLOG_HASH) != 0 ||
	    memcmp(n, t->hash, MV_TLOG_HASH) != 0)
		return mv_fail(err, MV_ECORRUPT, "invalid consistency proof: "
		    "root mismatch (SD-7.4)");
	return 0;
}
