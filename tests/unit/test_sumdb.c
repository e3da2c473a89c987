/* test_sumdb.c: signed notes, tree heads, tiles, proofs and lookups (sumdb.md). */
#include "mvtest.h"

#include <stdbool.h>

#include <openssl/evp.h>

#include "modvault/base/hash.h"
#include "modvault/sumdb/sumdb.h"
#include "modvault/sumdb/sumdbc.h"

/* --- vectors from sumdb.md §11-12 ------------------------------------- */

/* TV-SD-1 */
static const char pn_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char pn_note[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIu"
    "GUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
/* TV-SD-2 */
static const char db_vkey[] =
    "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";
static const char db_skey_b64[] = "AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk";
/* SD-4.6 */
static const char go_vkey[] =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/* TV-SD-3 */
static const char *const records[5] = {
	"golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c h1:qgOY6WgZOaTkIIMiVjBQcw93ERBE4m30iBm00nkL0i8=\n"
	"golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=\n",
	"rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\n"
	"rsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\n",
	"rsc.io/sampler v1.3.0 h1:7uVkIFmeBqHfdjD+gZwtXXI+RODJ2Wc4O7MPEh/QiW4=\n"
	"rsc.io/sampler v1.3.0/go.mod h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=\n",
	"example.com/m v1.0.0 h1:fCHMqo5ggHEQvwcrsN81zr5orRk5lClR36KRHpfUjKg=\n"
	"example.com/m v1.0.0/go.mod h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k=\n",
	"github.com/Azure/example v2.0.0+incompatible h1:iU41CN4nDCwUMUXyhn03/O9433nxW63Dy4JSVK33w+A=\n"
	"github.com/Azure/example v2.0.0+incompatible/go.mod h1:3ax+d2NIidWMU/7Menxs6sZy4nv4Wo5ldIEurbr6ixc=\n",
};
/* TV-SD-4 */
static const char *const leaf_b64[5] = {
	"OVycKzbYUm+7AUZXER7fMrIWBUp702IqutYyhFQ1Hng=",
	"YIbrIfbx/MNcPidoYOgRXWdOys26yALyiA3vKAesRjw=",
	"o8m5rrlnnRXbhEBP9X8zkP2dzqefc98mKqSMf7t1ig8=",
	"kADWnXJ00GpWQ4kbw58v97BzUbkPfdksB7sTkeHYjiM=",
	"d0IwF9qV61C9cfCRrYomFUoTBV0xJ7rxfGw207zAQPY=",
};
/* TV-SD-5: tree hashes of sizes 1..5 */
static const char *const root_b64[6] = {
	NULL,
	"OVycKzbYUm+7AUZXER7fMrIWBUp702IqutYyhFQ1Hng=",
	"ZR1XarmfbWWSmoE7JvenduPie0j2e4KQWXRj/p+bIBU=",
	"qpXBh/BTmmmzgULXrEqualEaQhBYo96lfvCzQzXSTDI=",
	"nVpZ+4WROvCFOBrl+f5Pkn0RphlI7lKk/lJCFKlFlkU=",
	"5MQMtHCOG25n0Ds5s0mhl0f/s7OFREFUeGx33AAredQ=",
};
/* TV-SD-8 */
static const char tree3_note[] =
    "go.sum database tree\n3\nqpXBh/BTmmmzgULXrEqualEaQhBYo96lfvCzQzXSTDI=\n\n"
    "\xe2\x80\x94 localhost.localdev/sumdb AAAMZ/ME8+Iwo7RkmOwcOc2bQhnITZyQvhXW33J"
    "At4M8BKB/0YRdtpUdQr85z0eg6qS4xGU8EBJLz3NKGiRZayECkgY=\n";
static const char tree5_note[] =
    "go.sum database tree\n5\n5MQMtHCOG25n0Ds5s0mhl0f/s7OFREFUeGx33AAredQ=\n\n"
    "\xe2\x80\x94 localhost.localdev/sumdb AAAMZ2fo9eyt1yZkNYA+3lI+O4zeF/kbdA1uZGi"
    "fBwtiqd8IqcUN7FuFbBUSnNTso7tshrUS19fEjBOImzkF0IpuMgo=\n";

/* --- helpers --------------------------------------------------------- */

static size_t
b64(const char *s, unsigned char *out)
{
	size_t len = strlen(s);
	int n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);

	assert_true(n >= 0);
	while (len > 0 && s[len - 1] == '=')
		len--, n--;
	return (size_t)n;
}

static void
b64_hash(const char *s, unsigned char out[MV_TLOG_HASH])
{
	unsigned char tmp[64];

	assert_int_equal(b64(s, tmp), MV_TLOG_HASH);
	memcpy(out, tmp, MV_TLOG_HASH);
}

static void
assert_hash_b64(const unsigned char h[MV_TLOG_HASH], const char *want)
{
	char got[64];

	mv_base64(h, MV_TLOG_HASH, got);
	assert_string_equal(got, want);
}

static void
assert_sha256_hex(const void *p, size_t n, const char *want)
{
	unsigned char d[MV_SHA256_LEN];
	char hex[MV_SHA256_HEX + 1];

	assert_int_equal(mv_sha256(p, n, d, NULL), 0);
	mv_hex(d, sizeof(d), hex);
	assert_string_equal(hex, want);
}

static void
verifier(const char *s, struct mv_note_verifier *v)
{
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_note_verifier_parse(s, strlen(s), v, &err), &err);
}

/* Signs text with the TV-SD-2 signer key (SD-4.5) into a full note. */
static char *
sign_note(const char *text)
{
	unsigned char seed[48], sig[4 + 64];
	char b[128], *out;
	size_t siglen = 64, n;
	EVP_PKEY *pk;
	EVP_MD_CTX *ctx;

	assert_int_equal(b64(db_skey_b64, seed), 33);
	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed + 1, 32);
	ctx = EVP_MD_CTX_new();
	assert_non_null(pk);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk), 1);
	memcpy(sig, "\x00\x00\x0c\x67", 4);
	assert_int_equal(EVP_DigestSign(ctx, sig + 4, &siglen,
	    (const unsigned char *)text, strlen(text)), 1);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	mv_base64(sig, sizeof(sig), b);
	n = strlen(text) + strlen(b) + 64;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%s\n\xe2\x80\x94 localhost.localdev/sumdb %s\n", text,
	    b);
	return out;
}

/*
 * An in-memory log: every level's hashes computed bottom-up, so the tile
 * reader can serve any tile of any height for any tree size.  Faults:
 * flip one byte of one tile, count and record requests.
 */
struct log {
	int64_t		 n;
	unsigned char	(*lv[64])[MV_TLOG_HASH];	/* lv[l][i] = h(l, i) */
	int64_t		 lvn[64];
	char		 flip[MV_TILE_PATH_MAX_BYTES];	/* tile to corrupt */
	bool		 shorten;			/* drop a hash */
	int		 reads;
	char		 seen[64][MV_TILE_PATH_MAX_BYTES];
};

static void
log_build(struct log *g, const unsigned char (*leaves)[MV_TLOG_HASH],
    int64_t n)
{
	int l;
	int64_t i;

	memset(g, 0, sizeof(*g));
	g->n = n;
	g->lvn[0] = n;
	g->lv[0] = calloc((size_t)n + 1, MV_TLOG_HASH);
	memcpy(g->lv[0], leaves, (size_t)n * MV_TLOG_HASH);
	for (l = 1; g->lvn[l - 1] >= 2; l++) {
		g->lvn[l] = g->lvn[l - 1] / 2;
		g->lv[l] = calloc((size_t)g->lvn[l] + 1, MV_TLOG_HASH);
		for (i = 0; i < g->lvn[l]; i++)
			assert_int_equal(mv_tlog_node_hash(g->lv[l - 1][2 * i],
			    g->lv[l - 1][2 * i + 1], g->lv[l][i], NULL), 0);
	}
}

static void
log_free(struct log *g)
{
	int l;

	for (l = 0; l < 64; l++)
		free(g->lv[l]);
}

/* Builds a log of n synthetic records "record <i>\n". */
static void
log_synth(struct log *g, int64_t n)
{
	unsigned char (*leaves)[MV_TLOG_HASH] = calloc((size_t)n, MV_TLOG_HASH);
	char rec[64];
	int64_t i;

	for (i = 0; i < n; i++) {
		snprintf(rec, sizeof(rec), "record %lld\n", (long long)i);
		assert_int_equal(mv_tlog_record_hash(rec, strlen(rec), leaves[i],
		    NULL), 0);
	}
	log_build(g, (const unsigned char (*)[MV_TLOG_HASH])leaves, n);
	free(leaves);
}

static void
log_tv(struct log *g)
{
	unsigned char leaves[5][MV_TLOG_HASH];
	int i;

	for (i = 0; i < 5; i++)
		b64_hash(leaf_b64[i], leaves[i]);
	log_build(g, (const unsigned char (*)[MV_TLOG_HASH])leaves, 5);
}

static int
log_read(void *ctx, const struct mv_tile *t, struct mv_buf *out,
    struct mv_err *err)
{
	struct log *g = ctx;
	char path[MV_TILE_PATH_MAX_BYTES];
	int lev = t->l * t->h, i;
	int64_t first = t->n << t->h;

	assert_int_equal(mv_tile_path(t, path, NULL), 0);
	if (g->reads < 64)
		memcpy(g->seen[g->reads], path, sizeof(path));
	g->reads++;
	if (lev >= 64 || g->lv[lev] == NULL || first + t->w > g->lvn[lev])
		return mv_fail(err, MV_ENOTFOUND, "no tile %s", path);
	for (i = 0; i < t->w; i++)
		if (mv_buf_append(out, g->lv[lev][first + i], MV_TLOG_HASH,
		    err) == -1)
			return -1;
	if (strcmp(path, g->flip) == 0)
		out->data[out->len - 1] ^= 0x01;
	if (g->shorten)
		mv_buf_truncate(out, out->len - MV_TLOG_HASH);
	return 0;
}

static bool
log_saw(const struct log *g, const char *path)
{
	int i;

	for (i = 0; i < g->reads && i < 64; i++)
		if (strcmp(g->seen[i], path) == 0)
			return true;
	return false;
}

static void
log_tree(const struct log *g, int64_t n, struct mv_tree *t)
{
	struct log tmp;

	/* The root of a prefix: build it from that many leaves. */
	log_build(&tmp, (const unsigned char (*)[MV_TLOG_HASH])g->lv[0], n);
	t->n = n;
	if (n == 0)
		assert_int_equal(mv_sha256("", 0, t->hash, NULL), 0);
	else {
		/* MTH by SD-6.5 over the prefix's own complete levels. */
		unsigned char s[64][MV_TLOG_HASH];
		int64_t start = 0;
		int l, m = 0;

		for (l = 62; l >= 0; l--)
			if (n & ((int64_t)1 << l)) {
				memcpy(s[m++], tmp.lv[l][start >> l],
				    MV_TLOG_HASH);
				start += (int64_t)1 << l;
			}
		memcpy(t->hash, s[m - 1], MV_TLOG_HASH);
		for (l = m - 2; l >= 0; l--)
			assert_int_equal(mv_tlog_node_hash(s[l], t->hash,
			    t->hash, NULL), 0);
	}
	log_free(&tmp);
}

/* --- SD-4: verifier keys and notes ------------------------------------- */

static void
sd_4_3_verifier_keys(void **state)
{
	struct mv_note_verifier v;
	struct mv_err err = MV_ERR_INIT;
	char hex[80];

	verifier(pn_vkey, &v);				/* TV-SD-1 */
	assert_string_equal(v.name, "PeterNeumann");
	assert_int_equal(v.hash, 0xc74f20a3);
	mv_hex(v.key, 32, hex);
	assert_string_equal(hex, "1a5cd907143c384c41e830c5bce12aa8817ec5649aaabf2c31388b35b2d744d6");
	verifier(db_vkey, &v);				/* TV-SD-2 */
	assert_string_equal(v.name, "localhost.localdev/sumdb");
	assert_int_equal(v.hash, 0x00000c67);
	mv_hex(v.key, 32, hex);
	assert_string_equal(hex, "c4eb9e46d403e4d4e21798de1923892112fc34909e206a21e43f629a4052d2ba");
	verifier(go_vkey, &v);				/* SD-4.6, SD-4.4 */
	assert_int_equal(v.hash, 0x033de0ae);
	mv_hex(v.key, 32, hex);
	assert_string_equal(hex, "ce3372d75ad1ee5ecdaf8727293d4b111d87eb37531d7c86d4d3003f0eb809fc");
#define BAD(s) assert_fails(mv_note_verifier_parse(s, strlen(s), &v, &err), &err, MV_EINVAL)
	BAD("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==");
	assert_non_null(strstr(err.msg, "32 bytes"));
	BAD("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
	assert_non_null(strstr(err.msg, "algorithm"));
	BAD("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
	assert_non_null(strstr(err.msg, "SD-4.4"));	/* wrong key hash */
	BAD("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
	BAD("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
	BAD("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T!");
	BAD("");
#undef BAD
}

/* TV-SD-1: every substring and every single-byte change must fail. */
static void
sd_4_3_mangled_keys_fail(void **state)
{
	struct mv_note_verifier v;
	size_t len = strlen(pn_vkey), i, j;
	char bad[128];

	for (i = 0; i < len; i++)
		for (j = i + 1; j <= len; j++)
			if (j - i < len)
				assert_int_equal(mv_note_verifier_parse(pn_vkey
				    + i, j - i, &v, NULL), -1);
	for (i = 0; i < len; i++) {
		memcpy(bad, pn_vkey, len);
		bad[i]++;
		assert_int_equal(mv_note_verifier_parse(bad, len, &v, NULL), -1);
	}
}

static void
sd_4_2_open_tv1(void **state)
{
	struct mv_note_verifier k[2];
	struct mv_note n;
	struct mv_err err = MV_ERR_INIT;
	char *signed_again;

	verifier(pn_vkey, &k[0]);
	verifier(db_vkey, &k[1]);
	assert_ok(mv_note_open(pn_note, strlen(pn_note), k, 2, &n, &err), &err);
	assert_int_equal(n.textlen, strlen(pn_note) - 1 - strlen(strstr(pn_note,
	    "\xe2\x80\x94")));
	assert_memory_equal(n.text, "If you think", 12);
	assert_int_equal(n.nverified, 1);
	/* SD-4.2.6: only TV-SD-2's key trusted -> unverified. */
	assert_fails(mv_note_open(pn_note, strlen(pn_note), &k[1], 1, &n, &err),
	    &err, MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "SD-4.2.6"));
	/* SD-4.5: Ed25519 is deterministic, signing reproduces TV-SD-8. */
	signed_again = sign_note("go.sum database tree\n5\n"
	    "5MQMtHCOG25n0Ds5s0mhl0f/s7OFREFUeGx33AAredQ=\n");
	assert_string_equal(signed_again, tree5_note);
	free(signed_again);
}

static void
sd_4_2_malformed_notes(void **state)
{
	static const char *const bad[] = {
		"text\n",				/* no blank line */
		"text\n\n",				/* empty block */
		"text\n\n\xe2\x80\x94 a AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	/* no final \n */
		"te\x01xt\n\n\xe2\x80\x94 a AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
		"te\xffxt\n\n\xe2\x80\x94 a AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
		"te\xed\xa0\x80xt\n\n\xe2\x80\x94 a AAAAAAAA\n",	/* surrogate */
		"te\xc0\xafxt\n\n\xe2\x80\x94 a AAAAAAAA\n",	/* overlong */
		"text\n\n- a AAAAAAAA\n",		/* no em dash */
		"text\n\n\xe2\x80\x94 aAAAAAAAA\n",	/* no space */
		"text\n\n\xe2\x80\x94 a+b AAAAAAAA\n",	/* '+' in name */
		"text\n\n\xe2\x80\x94 a\xc2\xa0 AAAAAAAA\n",	/* U+00A0 */
		"text\n\n\xe2\x80\x94  AAAAAAAA\n",	/* empty name */
		"text\n\n\xe2\x80\x94 a AAAA\n",		/* 3 bytes < 5 */
		"text\n\n\xe2\x80\x94 a AAAAAAA\n",	/* not base64 */
		"text\n\n\xe2\x80\x94 a \n",		/* empty b64 */
	};
	struct mv_note_verifier k;
	struct mv_note n;
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	verifier(db_vkey, &k);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_fails(mv_note_open(bad[i], strlen(bad[i]), &k, 1, &n,
		    &err), &err, MV_ECORRUPT);
		assert_non_null(strstr(err.msg, "SD-4.2"));
	}
}

static void
sd_4_2_signature_lines(void **state)
{
	struct mv_note_verifier k[2];
	struct mv_note n;
	struct mv_err err = MV_ERR_INIT;
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20);
	const char *sig = strstr(tree5_note, "\xe2\x80\x94");
	char *p;
	int i;

	verifier(db_vkey, &k[0]);
	verifier(pn_vkey, &k[1]);
	/* SD-4.2.5: unknown keys ignored, repeated signatures ignored. */
	assert_ok(mv_buf_puts(&b, tree5_note, &err), &err);
	assert_ok(mv_buf_puts(&b, sig, &err), &err);
	assert_ok(mv_buf_puts(&b, "\xe2\x80\x94 other.example AAAAAAAA\n", &err),
	    &err);
	assert_ok(mv_note_open(b.data, b.len, k, 2, &n, &err), &err);
	assert_int_equal(n.nsigs, 3);
	assert_int_equal(n.nverified, 1);
	/* SD-4.2.4: at most 100 signature lines. */
	for (i = 0; i < 98; i++)
		assert_ok(mv_buf_puts(&b, "\xe2\x80\x94 other.example AAAAAAAA\n",
		    &err), &err);
	assert_fails(mv_note_open(b.data, b.len, k, 2, &n, &err), &err,
	    MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "SD-4.2.4"));
	mv_buf_reset(&b);
	/* SD-4.2.5: one byte of the hash line changed -> invalid signature. */
	assert_ok(mv_buf_puts(&b, tree5_note, &err), &err);
	p = strchr(b.data, '5');
	*p = '6';
	assert_fails(mv_note_open(b.data, b.len, k, 2, &n, &err), &err,
	    MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "invalid signature"));
	mv_buf_reset(&b);
	/* A trusted key with a short signature is invalid, not ignored. */
	assert_ok(mv_buf_puts(&b, "go.sum database tree\n\n\xe2\x80\x94 "
	    "localhost.localdev/sumdb AAAMZ2fo\n", &err), &err);
	assert_fails(mv_note_open(b.data, b.len, k, 2, &n, &err), &err,
	    MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "invalid signature"));
	mv_buf_free(&b);
}

/* --- SD-5: tree heads ---------------------------------------------------- */

static void
sd_5_1_tree_heads(void **state)
{
	static const char ex[] = "go.sum database tree\n123456789012\n"
	    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
	static const char *const bad[] = {
		"not-go.sum database tree\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0\n",
		"go.sum database tree\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40Hmuw\n",
		"go.sum database tree\n01\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n-1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n9999999999999999999\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=",
		"go.sum database tree\n",
	};
	struct mv_note_verifier k[2];
	unsigned char h[MV_TLOG_HASH];
	struct mv_tree t;
	struct mv_err err = MV_ERR_INIT;
	size_t i;
	char more[256];

	assert_ok(mv_tree_parse(ex, strlen(ex), &t, &err), &err);
	assert_int_equal(t.n, 123456789012LL);
	assert_ok(mv_tlog_record_hash("hello world", 11, h, &err), &err);
	assert_memory_equal(t.hash, h, MV_TLOG_HASH);
	/* Extra lines are ignored (forward compatibility). */
	snprintf(more, sizeof(more), "%sextra line\n", ex);
	assert_ok(mv_tree_parse(more, strlen(more), &t, &err), &err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_fails(mv_tree_parse(bad[i], strlen(bad[i]), &t, &err),
		    &err, MV_ECORRUPT);
		assert_non_null(strstr(err.msg, "SD-5.1"));
	}
	/* TV-SD-8: both signed heads open with the TV-SD-2 key. */
	verifier(db_vkey, &k[0]);
	verifier(pn_vkey, &k[1]);
	assert_ok(mv_tree_open(tree3_note, strlen(tree3_note), k, 1, &t, &err),
	    &err);
	assert_int_equal(t.n, 3);
	assert_hash_b64(t.hash, root_b64[3]);
	assert_ok(mv_tree_open(tree5_note, strlen(tree5_note), k, 2, &t, &err),
	    &err);
	assert_int_equal(t.n, 5);
	assert_hash_b64(t.hash, root_b64[5]);
	/* TV-SD-10: tree-5 note with TV-SD-1's key only. */
	assert_fails(mv_tree_open(tree5_note, strlen(tree5_note), &k[1], 1, &t,
	    &err), &err, MV_ECORRUPT);
}

/* --- SD-6: hashing -------------------------------------------------------- */

static void
sd_6_hashes(void **state)
{
	unsigned char leaf[5][MV_TLOG_HASH], h[MV_TLOG_HASH], e[MV_TLOG_HASH];
	struct mv_err err = MV_ERR_INIT;
	int i;

	for (i = 0; i < 5; i++) {			/* SD-6.1, TV-SD-4 */
		assert_ok(mv_tlog_record_hash(records[i], strlen(records[i]),
		    leaf[i], &err), &err);
		assert_hash_b64(leaf[i], leaf_b64[i]);
	}
	assert_ok(mv_tlog_node_hash(leaf[0], leaf[1], h, &err), &err);	/* SD-6.2 */
	assert_hash_b64(h, "ZR1XarmfbWWSmoE7JvenduPie0j2e4KQWXRj/p+bIBU=");
	assert_ok(mv_tlog_node_hash(leaf[2], leaf[3], e, &err), &err);
	assert_hash_b64(e, "bx0nchtG3Vosb1dnfE2CmbRBzgjWtvu8zrp5j4VS9Xs=");
	assert_ok(mv_tlog_node_hash(h, e, h, &err), &err);	/* out aliases l */
	assert_hash_b64(h, "nVpZ+4WROvCFOBrl+f5Pkn0RphlI7lKk/lJCFKlFlkU=");
	/* SD-6.6 storage order. */
	assert_int_equal(mv_tlog_stored_index(0, 0), 0);
	assert_int_equal(mv_tlog_stored_index(0, 1), 1);
	assert_int_equal(mv_tlog_stored_index(1, 0), 2);
	assert_int_equal(mv_tlog_stored_index(0, 2), 3);
	assert_int_equal(mv_tlog_stored_index(0, 3), 4);
	assert_int_equal(mv_tlog_stored_index(1, 1), 5);
	assert_int_equal(mv_tlog_stored_index(2, 0), 6);
	assert_int_equal(mv_tlog_stored_index(0, 4), 7);
	assert_int_equal(mv_tlog_stored_index(2, 125), 1000);	/* SD-8.8 */
	assert_int_equal(mv_tlog_stored_index(2, 15432), 123456);
	assert_int_equal(mv_tlog_stored_index(-1, 0), -1);
	assert_int_equal(mv_tlog_stored_index(0, -1), -1);
}

/* --- SD-8: tiles ------------------------------------------------------------ */

static void
sd_8_5_tile_paths(void **state)
{
	static const struct {
		const char	*path;
		int		 h, l;
		int64_t		 n;
		int		 w;
	} ok[] = {
		{ "tile/4/0/001", 4, 0, 1, 16 },
		{ "tile/4/0/001.p/5", 4, 0, 1, 5 },
		{ "tile/3/5/x123/x456/078", 3, 5, 123456078, 8 },
		{ "tile/3/5/x123/x456/078.p/2", 3, 5, 123456078, 2 },
		{ "tile/1/0/x003/x057/500", 1, 0, 3057500, 2 },
		{ "tile/1/data/x003/x057/500", 1, -1, 3057500, 2 },
		{ "tile/3/4/x001/x234/067.p/1", 3, 4, 1234067, 1 },
		{ "tile/8/1/x001/000", 8, 1, 1000, 256 },
		{ "tile/8/data/999.p/17", 8, -1, 999, 17 },
		{ "tile/8/0/000", 8, 0, 0, 256 },		/* SD-8.4 */
		{ "tile/8/0/999", 8, 0, 999, 256 },
		{ "tile/8/0/x001/234", 8, 0, 1234, 256 },
		{ "tile/30/0/000.p/1073741823", 30, 0, 0, 1073741823 },
	};
	static const char *const bad[] = {
		"tile/3/5/123/456/078", "tile/3/-1/123/456/078",
		"tile/2/0/000.p/4", "tile/8/0/0001", "tile/8/0/x000/001",
		"tile/0/0/000", "tile/31/0/000", "tile/08/0/000",
		"tile/8/00/000", "tile/8/0/000.p/0", "tile/8/0/000.p/",
		"tile/8/0/000.p", "tile/8/0/", "tile/8/0", "/tile/8/0/000",
		"tile/8/0/000/", "tile/8/0/1", "tile/8/0/x001/x000",
		"tile/8/0/x1000/000", "tile/8/x/000", "tile/8/0/00a",
		"tile/8/0/000.p/5/", "tile/8/0/000.p/05", "tile/8/0/000.q/5",
		"tile/8/0/x999/x999/x999/x999/x999/x999/x999/999", "",
	};
	struct mv_tile t;
	struct mv_err err = MV_ERR_INIT;
	char out[MV_TILE_PATH_MAX_BYTES];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_ok(mv_tile_parse(ok[i].path, strlen(ok[i].path), &t,
		    &err), &err);
		assert_int_equal(t.h, ok[i].h);
		assert_int_equal(t.l, ok[i].l);
		assert_int_equal(t.n, ok[i].n);
		assert_int_equal(t.w, ok[i].w);
		assert_ok(mv_tile_path(&t, out, &err), &err);
		assert_string_equal(out, ok[i].path);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_fails(mv_tile_parse(bad[i], strlen(bad[i]), &t, &err),
		    &err, MV_EINVAL);
	t.h = 8, t.l = 0, t.n = 1234067, t.w = 256;		/* SD-8.4 */
	assert_ok(mv_tile_path(&t, out, &err), &err);
	assert_string_equal(out, "tile/8/0/x001/x234/067");
	t.w = 257;
	assert_fails(mv_tile_path(&t, out, &err), &err, MV_EINVAL);
}

/* TV-SD-7: tile bodies, and tree 1..5 authenticated from tiles (SD-9.1). */
static void
sd_8_tiles_tv7(void **state)
{
	struct log g;
	struct mv_tlog_tiles t8 = { 8, log_read, NULL, &g };
	struct mv_tlog_tiles t2 = { 2, log_read, NULL, &g };
	struct mv_tree tree;
	struct mv_err err = MV_ERR_INIT;
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20);
	int n, i;

	log_tv(&g);
	assert_sha256_hex(g.lv[0], 5 * 32, "644412a9c9a80595eac6cbca3e2589fd93bbb5cdb9ce52f73339955ea305409d");
	assert_sha256_hex(g.lv[0], 4 * 32, "f86c957acf3e9a5567b117433dce6591eff7dba5ebd266267d6e786d142093dc");
	assert_sha256_hex(g.lv[0][4], 32, "51cea8b208c5beac6d232c54b1cc07716df0ead32a3ccf303c402cda956952de");
	assert_sha256_hex(g.lv[2][0], 32, "8d11f08f2c238b7917276fc58d0c349b6ba234b372b8504efbb4752d510e862f");
	for (i = 0; i < 5; i++) {			/* SD-8.6 data tiles */
		assert_ok(mv_buf_puts(&b, records[i], &err), &err);
		assert_ok(mv_buf_putc(&b, '\n', &err), &err);
		if (i == 3)
			assert_sha256_hex(b.data, b.len, "2a1cfbf6c1265d274c9cbc8cfac9e3761cb0b16c3372875f13c5a1cb3437fc85");
	}
	assert_int_equal(b.len, 842);
	assert_sha256_hex(b.data, b.len, "66d1818fc5a24611ec600842993caa35e703d9e316eb9959a99ec384742e3f68");
	assert_sha256_hex(b.data + 648, b.len - 648, "9b0f00dfda24e1e58fccc1a90be109336d782963f387dbde27bdbc54ea86db39");
	mv_buf_free(&b);
	for (n = 1; n <= 5; n++) {
		tree.n = n;
		b64_hash(root_b64[n], tree.hash);
		assert_ok(mv_tlog_check_tree(&t8, &tree, &err), &err);
		assert_ok(mv_tlog_check_tree(&t2, &tree, &err), &err);
	}
	/* H = 8 needs only tile/8/0/000.p/5; H = 2 the two named tiles. */
	g.reads = 0;
	assert_ok(mv_tlog_check_tree(&t8, &tree, &err), &err);
	assert_int_equal(g.reads, 1);
	assert_string_equal(g.seen[0], "tile/8/0/000.p/5");
	g.reads = 0;
	assert_ok(mv_tlog_check_tree(&t2, &tree, &err), &err);
	assert_int_equal(g.reads, 2);
	assert_true(log_saw(&g, "tile/2/1/000.p/1"));
	assert_true(log_saw(&g, "tile/2/0/001.p/1"));
	/* SD-6.3: the empty tree. */
	tree.n = 0;
	assert_ok(mv_sha256("", 0, tree.hash, &err), &err);
	assert_ok(mv_tlog_check_tree(&t8, &tree, &err), &err);
	tree.hash[0] ^= 1;
	assert_fails(mv_tlog_check_tree(&t8, &tree, &err), &err, MV_ECORRUPT);
	log_free(&g);
}

/* TV-SD-10: any tile byte flipped -> "downloaded inconsistent tile". */
static void
sd_9_1_tampered_tiles(void **state)
{
	static const char *const flips[] = {
		"tile/2/0/000", "tile/2/0/001.p/1", "tile/2/1/000.p/1",
	};
	struct log g;
	struct mv_tlog_tiles t8 = { 8, log_read, NULL, &g };
	struct mv_tlog_tiles t2 = { 2, log_read, NULL, &g };
	unsigned char leaf[MV_TLOG_HASH];
	struct mv_tree tree;
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	log_tv(&g);
	tree.n = 5;
	b64_hash(root_b64[5], tree.hash);
	snprintf(g.flip, sizeof(g.flip), "tile/8/0/000.p/5");
	assert_fails(mv_tlog_check_tree(&t8, &tree, &err), &err, MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "downloaded inconsistent tile"));
	for (i = 0; i < 3; i++) {
		b64_hash(leaf_b64[1], leaf);
		snprintf(g.flip, sizeof(g.flip), "%s", flips[i]);
		/* Record 1 lives in full tile 2/0/000, checked by its parent. */
		assert_fails(mv_tlog_check_record(&t2, &tree, 1, leaf, &err),
		    &err, MV_ECORRUPT);
		assert_non_null(strstr(err.msg, "downloaded inconsistent tile"));
	}
	/* A tile of the wrong length is corrupt too (SD-8.7). */
	g.flip[0] = '\0';
	g.shorten = true;
	assert_fails(mv_tlog_check_tree(&t8, &tree, &err), &err, MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "SD-8.7"));
	log_free(&g);
}

/* --- SD-7: proofs ---------------------------------------------------------- */

static void
check_proof(unsigned char p[][MV_TLOG_HASH], size_t np,
    const char *const *want, size_t nwant)
{
	size_t i;

	assert_int_equal(np, nwant);
	for (i = 0; i < np; i++)
		assert_hash_b64(p[i], want[i]);
}

static void
sd_7_proofs_tv6(void **state)
{
	static const char *const inc3_5[] = { leaf_b64[2], root_b64[2], leaf_b64[4] };
	static const char *const inc4_5[] = { root_b64[4] };
	static const char *const inc1_3[] = { leaf_b64[0], leaf_b64[2] };
	static const char *const con3_5[] = { leaf_b64[2], leaf_b64[3], root_b64[2], leaf_b64[4] };
	static const char *const con4_5[] = { leaf_b64[4] };
	static const char *const con2_4[] = { "bx0nchtG3Vosb1dnfE2CmbRBzgjWtvu8zrp5j4VS9Xs=" };
	unsigned char p[MV_TLOG_PROOF_MAX_HASHES][MV_TLOG_HASH], leaf[MV_TLOG_HASH];
	struct mv_tree t[6];
	struct log g;
	struct mv_tlog_tiles tt[2] = { { 8, log_read, NULL, &g },
	    { 2, log_read, NULL, &g } };
	struct mv_err err = MV_ERR_INIT;
	size_t np;
	int i, h;

	log_tv(&g);
	for (i = 1; i <= 5; i++) {
		t[i].n = i;
		b64_hash(root_b64[i], t[i].hash);
	}
	for (h = 0; h < 2; h++) {
		assert_ok(mv_tlog_prove_record(&tt[h], &t[5], 3, p, &np, &err), &err);
		check_proof(p, np, inc3_5, 3);
		b64_hash(leaf_b64[3], leaf);
		assert_ok(mv_tlog_check_record_proof(p, np, &t[5], 3, leaf, &err), &err);
		/* SD-7.2: extra or missing elements, a wrong leaf. */
		assert_fails(mv_tlog_check_record_proof(p, np - 1, &t[5], 3, leaf, &err), &err, MV_ECORRUPT);
		assert_fails(mv_tlog_check_record_proof(p, np + 1, &t[5], 3, leaf, &err), &err, MV_ECORRUPT);
		assert_fails(mv_tlog_check_record_proof(p, np, &t[5], 2, leaf, &err), &err, MV_ECORRUPT);
		assert_ok(mv_tlog_prove_record(&tt[h], &t[5], 4, p, &np, &err), &err);
		check_proof(p, np, inc4_5, 1);
		assert_ok(mv_tlog_prove_record(&tt[h], &t[3], 1, p, &np, &err), &err);
		check_proof(p, np, inc1_3, 2);
		b64_hash(leaf_b64[1], leaf);
		assert_ok(mv_tlog_check_record_proof(p, np, &t[3], 1, leaf, &err), &err);
		assert_ok(mv_tlog_prove_tree(&tt[h], &t[5], 3, p, &np, &err), &err);
		check_proof(p, np, con3_5, 4);
		assert_ok(mv_tlog_check_tree_proof(p, np, &t[5], &t[3], &err), &err);
		/* SD-7.4: a proof for the wrong old size, or cut short. */
		assert_fails(mv_tlog_check_tree_proof(p, np, &t[5], &t[4], &err), &err, MV_ECORRUPT);
		assert_fails(mv_tlog_check_tree_proof(p, np - 1, &t[5], &t[3], &err), &err, MV_ECORRUPT);
		assert_ok(mv_tlog_prove_tree(&tt[h], &t[5], 4, p, &np, &err), &err);
		check_proof(p, np, con4_5, 1);
		assert_ok(mv_tlog_check_tree_proof(p, np, &t[5], &t[4], &err), &err);
		assert_ok(mv_tlog_prove_tree(&tt[h], &t[4], 2, p, &np, &err), &err);
		check_proof(p, np, con2_4, 1);
		assert_ok(mv_tlog_check_tree_proof(p, np, &t[4], &t[2], &err), &err);
		assert_ok(mv_tlog_prove_tree(&tt[h], &t[5], 5, p, &np, &err), &err);
		assert_int_equal(np, 0);
		assert_ok(mv_tlog_check_tree_proof(p, np, &t[5], &t[5], &err), &err);
		assert_fails(mv_tlog_prove_tree(&tt[h], &t[5], 0, p, &np, &err), &err, MV_EINVAL);
		assert_fails(mv_tlog_prove_record(&tt[h], &t[5], 5, p, &np, &err), &err, MV_EINVAL);
	}
	log_free(&g);
}

/* SD-7, SD-9.1 on a bigger log, every height, against a naive MTH. */
static void
sd_9_1_bigger_logs(void **state)
{
	static const int64_t sizes[] = { 1, 2, 7, 8, 9, 255, 256, 257, 511, 1000, 1025 };
	unsigned char p[MV_TLOG_PROOF_MAX_HASHES][MV_TLOG_HASH];
	struct mv_tree t, old;
	struct log g;
	struct mv_tlog_tiles tt = { 1, log_read, NULL, &g };
	struct mv_err err = MV_ERR_INIT;
	size_t i, j, np;
	int64_t n;

	log_synth(&g, 1025);
	for (tt.height = 1; tt.height <= 8; tt.height++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			log_tree(&g, sizes[i], &t);
			assert_ok(mv_tlog_check_tree(&tt, &t, &err), &err);
			for (n = 0; n < t.n; n += 1 + t.n / 7) {
				assert_ok(mv_tlog_check_record(&tt, &t, n,
				    g.lv[0][n], &err), &err);
				assert_ok(mv_tlog_prove_record(&tt, &t, n, p,
				    &np, &err), &err);
				assert_ok(mv_tlog_check_record_proof(p, np, &t,
				    n, g.lv[0][n], &err), &err);
				assert_fails(mv_tlog_check_record(&tt, &t, n,
				    g.lv[0][n + 1], &err), &err, MV_ECORRUPT);
			}
			for (j = 0; j <= i; j++) {
				log_tree(&g, sizes[j], &old);
				assert_ok(mv_tlog_check_consistent(&tt, &old,
				    &t, &err), &err);
				assert_ok(mv_tlog_check_consistent(&tt, &t,
				    &old, &err), &err);
				assert_ok(mv_tlog_prove_tree(&tt, &t, old.n, p,
				    &np, &err), &err);
				assert_ok(mv_tlog_check_tree_proof(p, np, &t,
				    &old, &err), &err);
			}
		}
	/* SD-8.8 examples: index 1000 and 123456 at H = 8. */
	tt.height = 8;
	log_tree(&g, 504, &t);
	g.reads = 0;
	assert_ok(mv_tlog_read_hash(&tt, &t, 2, 125, p[0], &err), &err);
	assert_memory_equal(p[0], g.lv[2][125], MV_TLOG_HASH);
	assert_true(log_saw(&g, "tile/8/0/001.p/248"));
	log_tree(&g, 1000, &t);
	assert_fails(mv_tlog_read_hash(&tt, &t, 2, 250, p[0], &err), &err,
	    MV_EINVAL);
	/* A full tile hashing to something else than its parent's entry. */
	snprintf(g.flip, sizeof(g.flip), "tile/8/0/000");
	assert_fails(mv_tlog_check_record(&tt, &t, 3, g.lv[0][3], &err), &err,
	    MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "tile/8/0/000"));
	log_free(&g);
}

/* SD-9.2.4: inconsistent tree heads are a security error. */
static void
sd_9_2_4_forks(void **state)
{
	struct log g;
	struct mv_tlog_tiles tt = { 8, log_read, NULL, &g };
	struct mv_tree t3, t5, other;
	struct mv_err err = MV_ERR_INIT;

	log_tv(&g);
	t3.n = 3;
	b64_hash(root_b64[3], t3.hash);
	t5.n = 5;
	b64_hash(root_b64[5], t5.hash);
	assert_ok(mv_tlog_check_consistent(&tt, &t3, &t5, &err), &err);
	assert_ok(mv_tlog_check_consistent(&tt, &t5, &t3, &err), &err);
	other = t3;
	other.hash[0] ^= 1;
	assert_fails(mv_tlog_check_consistent(&tt, &other, &t5, &err), &err,
	    MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "security error"));
	assert_fails(mv_tlog_check_consistent(&tt, &t5, &other, &err), &err,
	    MV_ECORRUPT);
	other = t5;
	other.hash[31] ^= 1;				/* same size, other hash */
	assert_fails(mv_tlog_check_consistent(&tt, &other, &t5, &err), &err,
	    MV_ECORRUPT);
	other.n = 0;					/* nothing trusted yet */
	assert_ok(mv_tlog_check_consistent(&tt, &other, &t5, &err), &err);
	log_free(&g);
}

/* --- SD-3, SD-9.2: lookups ---------------------------------------------- */

static char *
lookup_body(const char *id, const char *rec, const char *note)
{
	size_t n = strlen(id) + strlen(rec) + strlen(note) + 4;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s\n%s\n%s", id, rec, note);
	return s;
}

static void
sd_3_3_lookup_parse(void **state)
{
	static const char *const bad[] = {
		"not-123\nhello world\n\n", "123\nhello\x01world\n\n",
		"123\nhello\xffworld\n\n", "123\nhello world\n",
		"0x123\nhello world\n\n", "0123\nhello world\n\n",
		"123\n\nhello world\n\n", "\nhello world\n\n", "123",
		"-1\nhello world\n\n",
	};
	static const char ex[] = "123456789012\nhello, world\n\nNOTE";
	struct mv_lookup lk;
	struct mv_err err = MV_ERR_INIT;
	char *body;
	size_t i;

	assert_ok(mv_lookup_parse(ex, strlen(ex), &lk, &err), &err);
	assert_int_equal(lk.id, 123456789012LL);
	assert_int_equal(lk.reclen, 13);
	assert_memory_equal(lk.rec, "hello, world\n", 13);
	assert_int_equal(lk.notelen, 4);
	assert_memory_equal(lk.note, "NOTE", 4);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_fails(mv_lookup_parse(bad[i], strlen(bad[i]), &lk, &err),
		    &err, MV_ECORRUPT);
	body = lookup_body("3", records[3], tree5_note);	/* TV-SD-9 */
	assert_ok(mv_lookup_parse(body, strlen(body), &lk, &err), &err);
	assert_int_equal(lk.id, 3);
	assert_int_equal(lk.reclen, strlen(records[3]));
	assert_string_equal(lk.note, tree5_note);
	free(body);
}

static void
sd_9_2_6_record_hashes(void **state)
{
	char zip[MV_SUMDB_HASH_MAX_BYTES + 1], mod[MV_SUMDB_HASH_MAX_BYTES + 1];
	const char *r = records[4];
	struct mv_err err = MV_ERR_INIT;
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20);

	assert_ok(mv_record_hashes(r, strlen(r), "github.com/Azure/example",
	    "v2.0.0+incompatible", zip, mod, &err), &err);
	assert_string_equal(zip, "h1:iU41CN4nDCwUMUXyhn03/O9433nxW63Dy4JSVK33w+A=");
	assert_string_equal(mod, "h1:3ax+d2NIidWMU/7Menxs6sZy4nv4Wo5ldIEurbr6ixc=");
	assert_fails(mv_record_hashes(r, strlen(r), "github.com/Azure/example",
	    "v2.0.0", zip, mod, &err), &err, MV_ENOTFOUND);
	assert_fails(mv_record_hashes(r, strlen(r), "github.com/Azure",
	    "v2.0.0+incompatible", zip, mod, &err), &err, MV_ENOTFOUND);
	/* Only the go.mod line: still not found. */
	r = strchr(records[3], '\n') + 1;
	assert_fails(mv_record_hashes(r, strlen(r), "example.com/m", "v1.0.0",
	    zip, mod, &err), &err, MV_ENOTFOUND);
	/* Two different h1 for one key; other hash kinds are ignored. */
	assert_ok(mv_buf_puts(&b, records[3], &err), &err);
	assert_ok(mv_buf_puts(&b, "example.com/m v1.0.0 h2:abc\n", &err), &err);
	assert_ok(mv_record_hashes(b.data, b.len, "example.com/m", "v1.0.0",
	    zip, mod, &err), &err);
	assert_ok(mv_buf_puts(&b, "example.com/m v1.0.0 h1:abc\n", &err), &err);
	assert_fails(mv_record_hashes(b.data, b.len, "example.com/m", "v1.0.0",
	    zip, mod, &err), &err, MV_ECORRUPT);
	mv_buf_reset(&b);
	assert_ok(mv_buf_puts(&b, "example.com/m v1.0.0 h1:x\n\nx\n", &err), &err);
	assert_fails(mv_record_hashes(b.data, b.len, "example.com/m", "v1.0.0",
	    zip, mod, &err), &err, MV_ECORRUPT);
	mv_buf_free(&b);
}

/* SD-9.2 end to end on TV-SD-9, and the TV-SD-10 negative checks. */
static void
sd_9_2_check_lookup(void **state)
{
	struct mv_note_verifier k, pn;
	struct log g;
	struct mv_tlog_tiles tt = { 8, log_read, NULL, &g };
	struct mv_tree trusted = { 0, { 0 } };
	struct mv_sumdb_result res;
	struct mv_err err = MV_ERR_INIT;
	char *body, *rec, *note, *p;

	verifier(db_vkey, &k);
	verifier(pn_vkey, &pn);
	log_tv(&g);
	body = lookup_body("3", records[3], tree5_note);
	assert_ok(mv_sumdb_check_lookup(&k, &tt, &trusted, "example.com/m",
	    "v1.0.0", body, strlen(body), &res, &err), &err);
	assert_int_equal(res.id, 3);
	assert_int_equal(res.tree.n, 5);
	assert_true(res.newer);
	assert_string_equal(res.zip_h1, "h1:fCHMqo5ggHEQvwcrsN81zr5orRk5lClR36KRHpfUjKg=");
	assert_string_equal(res.mod_h1, "h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k=");
	assert_string_equal(res.note, tree5_note);
	/* Trusting tree 3 (consistent), then tree 5 itself. */
	trusted.n = 3;
	b64_hash(root_b64[3], trusted.hash);
	assert_ok(mv_sumdb_check_lookup(&k, &tt, &trusted, "example.com/m",
	    "v1.0.0", body, strlen(body), &res, &err), &err);
	assert_true(res.newer);
	trusted = res.tree;
	assert_ok(mv_sumdb_check_lookup(&k, &tt, &trusted, "example.com/m",
	    "v1.0.0", body, strlen(body), &res, &err), &err);
	assert_false(res.newer);
	/* A trusted tree 3 the response's log does not extend: fork. */
	trusted.n = 3;
	b64_hash(root_b64[2], trusted.hash);
	assert_fails(mv_sumdb_check_lookup(&k, &tt, &trusted, "example.com/m",
	    "v1.0.0", body, strlen(body), &res, &err), &err, MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "security error"));
	trusted.n = 0;
	/* The wrong module for this record. */
	assert_fails(mv_sumdb_check_lookup(&k, &tt, &trusted, "example.com/m",
	    "v1.0.1", body, strlen(body), &res, &err), &err, MV_ENOTFOUND);
	/* TV-SD-10: TV-SD-1's key only. */
	assert_fails(mv_sumdb_check_lookup(&pn, &tt, &trusted, "example.com/m",
	    "v1.0.0", body, strlen(body), &res, &err), &err, MV_ECORRUPT);
	/* TV-SD-10: record 3 with v1.0.1 (leaf mismatch). */
	p = strstr(body, "v1.0.0");
	p[5] = '1';
	assert_fails(mv_sumdb_check_lookup(&k, &tt, &trusted, "example.com/m",
	    "v1.0.1", body, strlen(body), &res, &err), &err, MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "cannot authenticate record data"));
	free(body);
	/* The right record under the wrong id. */
	body = lookup_body("2", records[3], tree5_note);
	assert_fails(mv_sumdb_check_lookup(&k, &tt, &trusted, "example.com/m",
	    "v1.0.0", body, strlen(body), &res, &err), &err, MV_ECORRUPT);
	free(body);
	body = lookup_body("5", records[3], tree5_note);
	assert_fails(mv_sumdb_check_lookup(&k, &tt, &trusted, "example.com/m",
	    "v1.0.0", body, strlen(body), &res, &err), &err, MV_ECORRUPT);
	free(body);
	/* TV-SD-10: a correctly signed tree 5 with an all-zero hash. */
	note = sign_note("go.sum database tree\n5\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	body = lookup_body("3", records[3], note);
	assert_fails(mv_sumdb_check_lookup(&k, &tt, &trusted, "example.com/m",
	    "v1.0.0", body, strlen(body), &res, &err), &err, MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "downloaded inconsistent tile"));
	free(body);
	free(note);
	/* TV-SD-9 for github.com/Azure/example, with H = 2 tiles. */
	tt.height = 2;
	rec = lookup_body("4", records[4], tree5_note);
	assert_ok(mv_sumdb_check_lookup(&k, &tt, &trusted,
	    "github.com/Azure/example", "v2.0.0+incompatible", rec,
	    strlen(rec), &res, &err), &err);
	assert_string_equal(res.mod_h1, "h1:3ax+d2NIidWMU/7Menxs6sZy4nv4Wo5ldIEurbr6ixc=");
	free(rec);
	log_free(&g);
}

/*
 * SD-9.2 against x/mod's own server: captured from tests/sumdb-server with
 * "-gosum fixtures/go.sum -seed modvault-test" (deterministic: fixed key,
 * Ed25519, records in go.sum order).  GET /lookup/golang.org/x/sync@v0.3.0
 * and GET /tile/8/0/000.p/7.
 */
static const char go_vkey_test[] =
    "sum.test+5173fc2f+AUsWImXXmJXJbTpul1UWcaLj/2Nayk/RJQTZUb2bFAEt";
static const char go_lookup[] =
    "6\n"
    "golang.org/x/sync v0.3.0 h1:ftCYgMx6zT/asHUrPw8BLLscYtGznsLAnjq5RH9P66E=\n"
    "golang.org/x/sync v0.3.0/go.mod h1:FU7BRWz2tNW+3quACPkgCx/L+uEAv1htQ0V83Z9Rj+Y=\n"
    "\n"
    "go.sum database tree\n7\nFq6OHSWIDBfyU/tyzzwdvMCT7nK3/ijvt+4bVOs0E10=\n\n"
    "\xe2\x80\x94 sum.test UXP8L3lEH9llKny+zJslziUjHzucDidOYndzf1lWPxPdVxorJi/Ixvk"
    "l7yaeE0b6Yzo/YlkACa9Kl0M5/gBeADvRdA8=\n";
static const char go_tile_b64[] =
    "4x8G8vBspTRv4fOP0SrEst586SspMy31OERYoyti3HZAokyi+xwxNiHC7L1afo1oCGGybbPV"
    "aw5z4XIz0f9Gy2PWiKtw8gvBl9H+O+77UKGf228XLAhQIGJvwg+l5F0FXXrCboNA+G3oBTJ3"
    "VnD04NE8kr26KJ0+7T0VzviR93KF3+quLPnqhIPT1q5/uk+tELXCpAdjTuYBaConDhKvphht"
    "4t107dMwkm2/wRipUFkQvsBDZ1ipx0a3xG+IqhmOg8YL9AETQyP5Bw/q+yuJer0/fv1lKGtd"
    "IcZWyEoagpA=";

static int
go_tile_read(void *ctx, const struct mv_tile *t, struct mv_buf *out,
    struct mv_err *err)
{
	unsigned char data[7 * MV_TLOG_HASH + 8];
	char path[MV_TILE_PATH_MAX_BYTES];

	assert_int_equal(mv_tile_path(t, path, NULL), 0);
	assert_string_equal(path, "tile/8/0/000.p/7");
	assert_int_equal(b64(go_tile_b64, data), 7 * MV_TLOG_HASH);
	if (ctx != NULL)
		data[100] ^= 0x80;
	return mv_buf_append(out, data, 7 * MV_TLOG_HASH, err);
}

static void
sd_9_2_go_server_vectors(void **state)
{
	struct mv_note_verifier k;
	struct mv_tlog_tiles tt = { 8, go_tile_read, NULL, NULL };
	struct mv_tree trusted = { 0, { 0 } };
	struct mv_sumdb_result res;
	struct mv_err err = MV_ERR_INIT;
	int bad = 1;

	verifier(go_vkey_test, &k);
	assert_ok(mv_sumdb_check_lookup(&k, &tt, &trusted, "golang.org/x/sync",
	    "v0.3.0", go_lookup, strlen(go_lookup), &res, &err), &err);
	assert_int_equal(res.id, 6);
	assert_int_equal(res.tree.n, 7);
	assert_string_equal(res.zip_h1, "h1:ftCYgMx6zT/asHUrPw8BLLscYtGznsLAnjq5RH9P66E=");
	tt.ctx = &bad;
	assert_fails(mv_sumdb_check_lookup(&k, &tt, &trusted,
	    "golang.org/x/sync", "v0.3.0", go_lookup, strlen(go_lookup), &res,
	    &err), &err, MV_ECORRUPT);
}

/*
 * SD-4.3: a "sumdb" line whose key does not parse is a configuration
 * error naming the file and the line (checked by the checksum-database
 * layer, not by config.c, which only splits the line).
 */
static void
sd_4_3_config_keys(void **state)
{
	static const char good[] = "sumdb = sum.golang.org+033de0ae+"
	    "Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8\n";
	static const char bad[] = "log_level = info\n"
	    "sumdb = sum.golang.org+033de0ae+AAAA\n";
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	(void)state;
	assert_ok(mv_config_parse(&cfg, "g.conf", good, sizeof(good) - 1,
	    &err), &err);
	assert_ok(mv_sumdbc_check_config(&cfg, &err), &err);
	assert_ok(mv_config_parse(&cfg, "b.conf", bad, sizeof(bad) - 1, &err),
	    &err);
	memcpy(cfg.path, "b.conf", 7);
	assert_fails(mv_sumdbc_check_config(&cfg, &err), &err, MV_ECONFIG);
	assert_int_equal(strncmp(err.msg, "b.conf:2: sumdb: ", 17), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sd_4_3_verifier_keys),
		cmocka_unit_test(sd_4_3_mangled_keys_fail),
		cmocka_unit_test(sd_4_2_open_tv1),
		cmocka_unit_test(sd_4_2_malformed_notes),
		cmocka_unit_test(sd_4_2_signature_lines),
		cmocka_unit_test(sd_5_1_tree_heads),
		cmocka_unit_test(sd_6_hashes),
		cmocka_unit_test(sd_8_5_tile_paths),
		cmocka_unit_test(sd_8_tiles_tv7),
		cmocka_unit_test(sd_9_1_tampered_tiles),
		cmocka_unit_test(sd_7_proofs_tv6),
		cmocka_unit_test(sd_9_1_bigger_logs),
		cmocka_unit_test(sd_9_2_4_forks),
		cmocka_unit_test(sd_3_3_lookup_parse),
		cmocka_unit_test(sd_9_2_6_record_hashes),
		cmocka_unit_test(sd_9_2_check_lookup),
		cmocka_unit_test(sd_9_2_go_server_vectors),
		cmocka_unit_test(sd_4_3_config_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
