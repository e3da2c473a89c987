/* note.c: signed notes, verifier keys and tree heads (sumdb.md SD-4, SD-5). */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "modvault/base/hash.h"
#include "modvault/sumdb/sumdb.h"

/*
 * Everything here reads bytes a checksum database (or the operator) gave
 * us, so parsers take (pointer, length), never rely on a NUL, and check
 * every rule before trusting a field.  Ed25519 goes through libcrypto's
 * EVP; the key hash (SD-4.4) through hash.c.
 */

#define ED25519_SIG_LEN	64
#define KEYDATA_LEN	33	/* algorithm byte + 32-byte key */
#define ALG_ED25519	0x01
#define TREE_HEADER	"go.sum database tree\n"
#define SIG_PREFIX	"\xe2\x80\x94 "	/* U+2014 EM DASH, space (SD-4.1) */
#define B64_TOO_LONG	(-2)

/*
 * Decodes one UTF-8 sequence at s (len > 0): returns its length and sets
 * *cp, or returns 0 for an invalid, overlong or surrogate sequence (the
 * cases Go's utf8.DecodeRune reports as RuneError of size 1).
 */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t minimum[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t need, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < minimum[need] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need;
}

/* Go's unicode.IsSpace. */
static bool
is_space(uint32_t c)
{
	switch (c) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return true;
	}
	return c >= 0x2000 && c <= 0x200a;
}

bool
mv_note_name_is_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, k;
	uint32_t c;

	if (len == 0)
		return false;
	for (i = 0; i < len; i += k) {
		if ((k = utf8_next(p + i, len - i, &c)) == 0 || is_space(c) ||
		    c == '+')
			return false;
	}
	return true;
}

/*
 * Strict standard Base64 with padding: length a multiple of 4, alphabet
 * only, '=' only as the last one or two characters.  libcrypto does the
 * decoding once the shape is known good (it would skip white space and
 * count padding as zero bytes).  Returns the decoded length, -1 if s is
 * not Base64, or B64_TOO_LONG if it is but does not fit in outsize bytes.
 */
static int
b64_decode(const char *s, size_t len, unsigned char *out, size_t outsize)
{
	size_t i, pad = 0;
	int n;
	unsigned char c;

	if (len == 0 || len % 4 != 0 || len > INT_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '=' && i >= len - 2) {
			pad++;
			continue;
		}
		if (pad > 0 || !((c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '+' || c == '/'))
			return -1;
	}
	if (len / 4 * 3 > outsize)
		return B64_TOO_LONG;
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n < pad)
		return -1;
	return n - (int)pad;
}

static int
hex_u32(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;
	char c;

	if (len != 8)
		return -1;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c >= '0' && c <= '9')
			v = v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* SD-4.4: big-endian first 4 bytes of SHA256(name || '\n' || keydata). */
static int
key_hash(const char *name, size_t namelen, const unsigned char *kd,
    size_t kdlen, uint32_t *out, struct mv_err *err)
{
	unsigned char buf[MV_NOTE_NAME_MAX_BYTES + 1 + KEYDATA_LEN];
	unsigned char d[MV_SHA256_LEN];

	if (namelen > MV_NOTE_NAME_MAX_BYTES || kdlen != KEYDATA_LEN)
		return mv_fail(err, MV_EINVAL, "key name or data too long");
	memcpy(buf, name, namelen);
	buf[namelen] = '\n';
	memcpy(buf + namelen + 1, kd, kdlen);
	if (mv_sha256(buf, namelen + 1 + kdlen, d, err) == -1)
		return -1;
	*out = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	    (uint32_t)d[2] << 8 | d[3];
	return 0;
}

int
mv_note_verifier_parse(const char *s, size_t len, struct mv_note_verifier *v,
    struct mv_err *err)
{
	const char *p1, *p2, *kd;
	unsigned char raw[48];
	size_t namelen, kdlen;
	uint32_t want;
	int n;

	/* SD-4.3: split at the first '+' and the next; the rest may hold '+'. */
	if ((p1 = memchr(s, '+', len)) == NULL ||
	    (p2 = memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - s))) == NULL)
		return mv_fail(err, MV_EINVAL, "invalid verifier key: "
		    "want name+hash+keydata (SD-4.3)");
	namelen = (size_t)(p1 - s);
	kd = p2 + 1;
	kdlen = len - (size_t)(kd - s);
	if (namelen > MV_NOTE_NAME_MAX_BYTES || !mv_note_name_is_valid(s, namelen))
		return mv_fail(err, MV_EINVAL, "invalid verifier key: "
		    "bad key name (SD-4.2.3)");
	if (hex_u32(p1 + 1, (size_t)(p2 - p1 - 1), &v->hash) == -1)
		return mv_fail(err, MV_EINVAL, "invalid verifier key: "
		    "key hash is not 8 hex digits (SD-4.3)");
	if ((n = b64_decode(kd, kdlen, raw, sizeof(raw))) == -1)
		return mv_fail(err, MV_EINVAL, "invalid verifier key: "
		    "key data is not base64 (SD-4.3)");
	if (n == B64_TOO_LONG)
		return mv_fail(err, MV_EINVAL, "invalid verifier key: "
		    "key data too long (SD-4.3)");
	if (n < 1 || raw[0] != ALG_ED25519)
		return mv_fail(err, MV_EINVAL, "invalid verifier key: "
		    "unknown algorithm (SD-4.3)");
	if (n != KEYDATA_LEN)
		return mv_fail(err, MV_EINVAL, "invalid verifier key: "
		    "ed25519 key is not 32 bytes (SD-4.3)");
	if (key_hash(s, namelen, raw, KEYDATA_LEN, &want, err) == -1)
		return -1;
	if (want != v->hash)
		return mv_fail(err, MV_EINVAL, "invalid verifier key: "
		    "key hash %08x does not match the key (SD-4.4)", v->hash);
	memcpy(v->name, s, namelen);
	v->name[namelen] = '\0';
	memcpy(v->key, raw + 1, sizeof(v->key));
	return 0;
}

/* Ed25519 through EVP (one-shot DigestVerify, as Ed25519 needs). */
static bool
ed25519_ok(const unsigned char key[32], const char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen)
{
	EVP_PKEY *pk;
	EVP_MD_CTX *ctx = NULL;
	bool ok = false;

	if (siglen != ED25519_SIG_LEN)
		return false;
	if ((pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key,
	    32)) == NULL)
		return false;
	if ((ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)msg,
	    msglen) == 1)
		ok = true;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok;
}

bool
mv_note_text_is_valid(const char *msg, size_t len)
{
	const unsigned char *p = (const unsigned char *)msg;
	size_t i, k;
	uint32_t c;

	for (i = 0; i < len; i += k) {
		if ((k = utf8_next(p + i, len - i, &c)) == 0 ||
		    (c < 0x20 && c != '\n'))
			return false;
	}
	return true;
}

/* The last "\n\n" in msg, or NULL (SD-4.2.2). */
static const char *
last_blank_line(const char *msg, size_t len)
{
	size_t i;

	for (i = len; i >= 2; i--)
		if (msg[i - 2] == '\n' && msg[i - 1] == '\n')
			return msg + i - 2;
	return NULL;
}

/* One trusted key by (name, hash), or NULL (SD-4.2.5). */
static const struct mv_note_verifier *
find_key(const struct mv_note_verifier *keys, size_t nkeys, const char *name,
    size_t namelen, uint32_t hash)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (keys[i].hash == hash && strlen(keys[i].name) == namelen &&
		    memcmp(keys[i].name, name, namelen) == 0)
			return &keys[i];
	return NULL;
}

struct sigline {
	const char	*name;
	size_t		 namelen;
	uint32_t	 hash;
	unsigned char	 sig[96];
	size_t		 siglen;	/* after the key hash */
};

/* SD-4.2.3: "— <name> <b64>" into s. */
static int
sigline_parse(const char *line, size_t len, struct sigline *s, size_t lineno,
    struct mv_err *err)
{
	const char *sp, *b64;
	size_t plen = sizeof(SIG_PREFIX) - 1;
	unsigned char raw[sizeof(s->sig) + 4];
	int n;

	if (len < plen || memcmp(line, SIG_PREFIX, plen) != 0)
		return mv_fail(err, MV_ECORRUPT, "malformed note: signature "
		    "line %zu does not start with an em dash (SD-4.2.3)", lineno);
	line += plen;
	len -= plen;
	if ((sp = memchr(line, ' ', len)) == NULL)
		return mv_fail(err, MV_ECORRUPT, "malformed note: signature "
		    "line %zu has no signature (SD-4.2.3)", lineno);
	s->name = line;
	s->namelen = (size_t)(sp - line);
	b64 = sp + 1;
	if (!mv_note_name_is_valid(s->name, s->namelen))
		return mv_fail(err, MV_ECORRUPT, "malformed note: signature "
		    "line %zu has an invalid key name (SD-4.2.3)", lineno);
	n = b64_decode(b64, len - (size_t)(b64 - line), raw, sizeof(raw));
	/*
	 * A signature longer than any we check is still well-formed (SD-4.2.3
	 * asks only for 5 bytes); keep its key hash from the first 6 bytes and
	 * mark it too long, so a trusted key fails it and others ignore it.
	 */
	if (n == B64_TOO_LONG && b64_decode(b64, 8, raw, sizeof(raw)) == 6) {
		s->hash = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
		    (uint32_t)raw[2] << 8 | raw[3];
		s->siglen = SIZE_MAX;
		return 0;
	}
	if (n < 5)
		return mv_fail(err, MV_ECORRUPT, "malformed note: signature "
		    "line %zu is not base64 of 5 or more bytes (SD-4.2.3)",
		    lineno);
	s->hash = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
	    (uint32_t)raw[2] << 8 | raw[3];
	s->siglen = (size_t)n - 4;
	memcpy(s->sig, raw + 4, s->siglen);
	return 0;
}

/* Whether the key at index k was already used by an earlier line. */
static bool
seen_before(const struct mv_note_verifier **seen, size_t nseen,
    const struct mv_note_verifier *k)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (seen[i] == k)
			return true;
	return false;
}

int
mv_note_open(const char *msg, size_t len, const struct mv_note_verifier *keys,
    size_t nkeys, struct mv_note *out, struct mv_err *err)
{
	const struct mv_note_verifier *seen[MV_NOTE_MAX_SIGNATURES], *k;
	const char *split, *p, *end, *nl;
	struct sigline s;
	size_t nsigs = 0, nseen = 0;

	if (len > MV_NOTE_MAX_BYTES)
		return mv_fail(err, MV_ELIMIT, "note larger than %d bytes "
		    "(SD-5.1)", MV_NOTE_MAX_BYTES);
	if (!mv_note_text_is_valid(msg, len))
		return mv_fail(err, MV_ECORRUPT, "malformed note: invalid "
		    "utf-8 or control character (SD-4.2.1)");
	if ((split = last_blank_line(msg, len)) == NULL ||
	    split + 2 == msg + len || msg[len - 1] != '\n')
		return mv_fail(err, MV_ECORRUPT, "malformed note: no signature "
		    "block after a blank line (SD-4.2.2)");
	end = msg + len;
	for (p = split + 2; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (++nsigs > MV_NOTE_MAX_SIGNATURES)
			return mv_fail(err, MV_ECORRUPT, "malformed note: more "
			    "than %d signatures (SD-4.2.4)", MV_NOTE_MAX_SIGNATURES);
		if (sigline_parse(p, (size_t)(nl - p), &s, nsigs, err) == -1)
			return -1;
		/* SD-4.2.5: unknown keys are ignored, repeats of a key too. */
		k = find_key(keys, nkeys, s.name, s.namelen, s.hash);
		if (k == NULL || seen_before(seen, nseen, k))
			continue;
		seen[nseen++] = k;
		if (!ed25519_ok(k->key, msg, (size_t)(split + 1 - msg), s.sig,
		    s.siglen))
			return mv_fail(err, MV_ECORRUPT, "invalid signature "
			    "for key \"%s+%08x\" (SD-4.2.5)", k->name, k->hash);
	}
	if (nseen == 0)
		return mv_fail(err, MV_ECORRUPT, "unverified note: no signature "
		    "by a trusted key (SD-4.2.6)");
	out->text = msg;
	out->textlen = (size_t)(split + 1 - msg);
	out->nsigs = nsigs;
	out->nverified = nseen;
	return 0;
}

/* A canonical non-negative decimal (no sign, no leading zero). */
static int
parse_decimal(const char *s, size_t len, int64_t max, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (len == 0 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (max - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
mv_tree_parse(const char *text, size_t len, struct mv_tree *t,
    struct mv_err *err)
{
	size_t hlen = sizeof(TREE_HEADER) - 1;
	const char *p, *end = text + len, *nl1, *nl2;
	unsigned char raw[48];

	if (len > MV_NOTE_MAX_BYTES)
		return mv_fail(err, MV_ELIMIT, "tree head larger than %d bytes "
		    "(SD-5.1)", MV_NOTE_MAX_BYTES);
	if (len < hlen || memcmp(text, TREE_HEADER, hlen) != 0)
		return mv_fail(err, MV_ECORRUPT, "malformed tree head: first "
		    "line is not \"go.sum database tree\" (SD-5.1)");
	p = text + hlen;
	if ((nl1 = memchr(p, '\n', (size_t)(end - p))) == NULL ||
	    (nl2 = memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1))) == NULL)
		return mv_fail(err, MV_ECORRUPT, "malformed tree head: fewer "
		    "than 3 lines (SD-5.1)");
	if (parse_decimal(p, (size_t)(nl1 - p), MV_TLOG_MAX_RECORDS, &t->n) == -1)
		return mv_fail(err, MV_ECORRUPT, "malformed tree head: size is "
		    "not a canonical decimal up to 2^62 (SD-5.1)");
	if (b64_decode(nl1 + 1, (size_t)(nl2 - nl1 - 1), raw, sizeof(raw)) !=
	    MV_TLOG_HASH)
		return mv_fail(err, MV_ECORRUPT, "malformed tree head: hash is "
		    "not base64 of 32 bytes (SD-5.1)");
	memcpy(t->hash, raw, MV_TLOG_HASH);
	return 0;
}

int
mv_tree_open(const char *msg, size_t len, const struct mv_note_verifier *keys,
    size_t nkeys, struct mv_tree *t, struct mv_err *err)
{
	struct mv_note note;

	if (mv_note_open(msg, len, keys, nkeys, &note, err) == -1)
		return -1;
	return mv_tree_parse(note.text, note.textlen, t, err);
}
