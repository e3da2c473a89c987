/*
 * goimport.c: go-import meta tags, VC-3.3 to VC-3.5 and VC-3.7 (see
 * goimport.h).  Pure: no I/O, no allocation.  Fuzzed by
 * tests/fuzz/fuzz_goimport.c.
 *
 * Three parts, each a transcription of Go 1.19 that keeps Go's order of
 * checks, since that order decides where parsing of a malformed page
 * stops and which error it gets:
 *
 *   - the tokenizer: encoding/xml's Decoder.RawToken with Strict false
 *     (rawToken, text, attrval, name, readName, nsname, space, getc; each
 *     function below names the one it follows).  Go reads one byte at a
 *     time with one byte of push-back; here the page is in memory, so
 *     the position and the line count do both jobs.  What Go collects in
 *     its buffer is, here, either an offset into the page (names, the
 *     data of a processing instruction) or decoded bytes streamed into
 *     a validator and a bounded capture (text, attribute values): no
 *     value is ever kept whole;
 *   - the go command's parseMetaGoImports and matchGoImport
 *     (cmd/go/internal/vcs/discovery.go, vcs.go), as one decision over
 *     the stream of entries, plus a second pass only to list the
 *     mismatches of a failure;
 *   - validateRepoRoot, with the checks net/url.Parse makes on the way.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "modvault/vcs/goimport.h"

/* Mismatching tags named in a "no go-import meta tags" message. */
#define MISMATCH_LIST	4
/* Room for outside text (a path, a name, a URL) quoted in a message. */
#define SHOW_SIZE	100

/* --- UTF-8 and the character classes of encoding/xml ------------------ */

#define U8_MORE	(-1)
#define U8_BAD	(-2)

/*
 * A UTF-8 decoder fed one byte at a time, accepting exactly what Go's
 * utf8.DecodeRune accepts (no overlong forms, no surrogates, nothing
 * above U+10FFFF).
 */
struct u8 {
	uint32_t	r;	/* the rune so far */
	int		need;	/* continuation bytes still due */
	unsigned char	lo, hi;	/* where the next byte must be */
};

/* Returns the rune b completes, U8_MORE, or U8_BAD (and starts over). */
static int32_t
u8_feed(struct u8 *u, unsigned char b)
{
	if (u->need == 0) {
		if (b < 0x80)
			return b;
		u->lo = 0x80;
		u->hi = 0xbf;
		if (b >= 0xc2 && b <= 0xdf) {
			u->need = 1;
			u->r = b & 0x1f;
		} else if (b >= 0xe0 && b <= 0xef) {
			u->need = 2;
			u->r = b & 0x0f;
			if (b == 0xe0)
				u->lo = 0xa0;		/* overlong */
			else if (b == 0xed)
				u->hi = 0x9f;		/* surrogates */
		} else if (b >= 0xf0 && b <= 0xf4) {
			u->need = 3;
			u->r = b & 0x07;
			if (b == 0xf0)
				u->lo = 0x90;		/* overlong */
			else if (b == 0xf4)
				u->hi = 0x8f;		/* over U+10FFFF */
		} else
			return U8_BAD;
		return U8_MORE;
	}
	if (b < u->lo || b > u->hi) {
		u->need = 0;
		return U8_BAD;
	}
	u->lo = 0x80;
	u->hi = 0xbf;
	u->r = u->r << 6 | (b & 0x3f);
	if (--u->need > 0)
		return U8_MORE;
	return (int32_t)u->r;
}

/* Writes r as UTF-8 into p (4 bytes); returns the length. */
static size_t
u8_encode(uint32_t r, unsigned char *p)
{
	if (r < 0x80) {
		p[0] = (unsigned char)r;
		return 1;
	}
	if (r < 0x800) {
		p[0] = (unsigned char)(0xc0 | r >> 6);
		p[1] = (unsigned char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		p[0] = (unsigned char)(0xe0 | r >> 12);
		p[1] = (unsigned char)(0x80 | (r >> 6 & 0x3f));
		p[2] = (unsigned char)(0x80 | (r & 0x3f));
		return 3;
	}
	p[0] = (unsigned char)(0xf0 | r >> 18);
	p[1] = (unsigned char)(0x80 | (r >> 12 & 0x3f));
	p[2] = (unsigned char)(0x80 | (r >> 6 & 0x3f));
	p[3] = (unsigned char)(0x80 | (r & 0x3f));
	return 4;
}

/* encoding/xml's isInCharacterRange: the Char production of XML 1.0. */
static bool
is_xml_char(uint32_t r)
{
	return r == 0x09 || r == 0x0a || r == 0x0d ||
	    (r >= 0x20 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) ||
	    (r >= 0x10000 && r <= 0x10ffff);
}

/* unicode.IsSpace, which strings.Fields splits on. */
static bool
is_space(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return true;
	}
	return r >= 0x2000 && r <= 0x200a;
}

struct range {
	uint16_t	lo, hi;
};

/*
 * encoding/xml's name tables ("first" and "second", the BaseChar,
 * Ideographic, CombiningChar, Digit and Extender classes of XML 1.0's
 * first edition) above ASCII, with runs merged: name_first holds what
 * may start a name, name_other what may only follow (second minus
 * first).  Dumped from Go 1.19 (unicode.Is(first, r), unicode.Is(second,
 * r) for every r from U+0080 on, runs merged); XML 1.0 fixed them.
 */
static const struct range name_first[] = {
	{ 0x00C0, 0x00D6 }, { 0x00D8, 0x00F6 }, { 0x00F8, 0x0131 },
	{ 0x0134, 0x013E }, { 0x0141, 0x0148 }, { 0x014A, 0x017E },
	{ 0x0180, 0x01C3 }, { 0x01CD, 0x01F0 }, { 0x01F4, 0x01F5 },
	{ 0x01FA, 0x0217 }, { 0x0250, 0x02A8 }, { 0x02BB, 0x02C1 },
	{ 0x0386, 0x0386 }, { 0x0388, 0x038A }, { 0x038C, 0x038C },
	{ 0x038E, 0x03A1 }, { 0x03A3, 0x03CE }, { 0x03D0, 0x03D6 },
	{ 0x03DA, 0x03DA }, { 0x03DC, 0x03DC }, { 0x03DE, 0x03DE },
	{ 0x03E0, 0x03E0 }, { 0x03E2, 0x03F3 }, { 0x0401, 0x040C },
	{ 0x040E, 0x044F }, { 0x0451, 0x045C }, { 0x045E, 0x0481 },
	{ 0x0490, 0x04C4 }, { 0x04C7, 0x04C8 }, { 0x04CB, 0x04CC },
	{ 0x04D0, 0x04EB }, { 0x04EE, 0x04F5 }, { 0x04F8, 0x04F9 },
	{ 0x0531, 0x0556 }, { 0x0559, 0x0559 }, { 0x0561, 0x0586 },
	{ 0x05D0, 0x05EA }, { 0x05F0, 0x05F2 }, { 0x0621, 0x063A },
	{ 0x0641, 0x064A }, { 0x0671, 0x06B7 }, { 0x06BA, 0x06BE },
	{ 0x06C0, 0x06CE }, { 0x06D0, 0x06D3 }, { 0x06D5, 0x06D5 },
	{ 0x06E5, 0x06E6 }, { 0x0905, 0x0939 }, { 0x093D, 0x093D },
	{ 0x0958, 0x0961 }, { 0x0985, 0x098C }, { 0x098F, 0x0990 },
	{ 0x0993, 0x09A8 }, { 0x09AA, 0x09B0 }, { 0x09B2, 0x09B2 },
	{ 0x09B6, 0x09B9 }, { 0x09DC, 0x09DD }, { 0x09DF, 0x09E1 },
	{ 0x09F0, 0x09F1 }, { 0x0A05, 0x0A0A }, { 0x0A0F, 0x0A10 },
	{ 0x0A13, 0x0A28 }, { 0x0A2A, 0x0A30 }, { 0x0A32, 0x0A33 },
	{ 0x0A35, 0x0A36 }, { 0x0A38, 0x0A39 }, { 0x0A59, 0x0A5C },
	{ 0x0A5E, 0x0A5E }, { 0x0A72, 0x0A74 }, { 0x0A85, 0x0A8B },
	{ 0x0A8D, 0x0A8D }, { 0x0A8F, 0x0A91 }, { 0x0A93, 0x0AA8 },
	{ 0x0AAA, 0x0AB0 }, { 0x0AB2, 0x0AB3 }, { 0x0AB5, 0x0AB9 },
	{ 0x0ABD, 0x0ABD }, { 0x0AE0, 0x0AE0 }, { 0x0B05, 0x0B0C },
	{ 0x0B0F, 0x0B10 }, { 0x0B13, 0x0B28 }, { 0x0B2A, 0x0B30 },
	{ 0x0B32, 0x0B33 }, { 0x0B36, 0x0B39 }, { 0x0B3D, 0x0B3D },
	{ 0x0B5C, 0x0B5D }, { 0x0B5F, 0x0B61 }, { 0x0B85, 0x0B8A },
	{ 0x0B8E, 0x0B90 }, { 0x0B92, 0x0B95 }, { 0x0B99, 0x0B9A },
	{ 0x0B9C, 0x0B9C }, { 0x0B9E, 0x0B9F }, { 0x0BA3, 0x0BA4 },
	{ 0x0BA8, 0x0BAA }, { 0x0BAE, 0x0BB5 }, { 0x0BB7, 0x0BB9 },
	{ 0x0C05, 0x0C0C }, { 0x0C0E, 0x0C10 }, { 0x0C12, 0x0C28 },
	{ 0x0C2A, 0x0C33 }, { 0x0C35, 0x0C39 }, { 0x0C60, 0x0C61 },
	{ 0x0C85, 0x0C8C }, { 0x0C8E, 0x0C90 }, { 0x0C92, 0x0CA8 },
	{ 0x0CAA, 0x0CB3 }, { 0x0CB5, 0x0CB9 }, { 0x0CDE, 0x0CDE },
	{ 0x0CE0, 0x0CE1 }, { 0x0D05, 0x0D0C }, { 0x0D0E, 0x0D10 },
	{ 0x0D12, 0x0D28 }, { 0x0D2A, 0x0D39 }, { 0x0D60, 0x0D61 },
	{ 0x0E01, 0x0E2E }, { 0x0E30, 0x0E30 }, { 0x0E32, 0x0E33 },
	{ 0x0E40, 0x0E45 }, { 0x0E81, 0x0E82 }, { 0x0E84, 0x0E84 },
	{ 0x0E87, 0x0E88 }, { 0x0E8A, 0x0E8A }, { 0x0E8D, 0x0E8D },
	{ 0x0E94, 0x0E97 }, { 0x0E99, 0x0E9F }, { 0x0EA1, 0x0EA3 },
	{ 0x0EA5, 0x0EA5 }, { 0x0EA7, 0x0EA7 }, { 0x0EAA, 0x0EAB },
	{ 0x0EAD, 0x0EAE }, { 0x0EB0, 0x0EB0 }, { 0x0EB2, 0x0EB3 },
	{ 0x0EBD, 0x0EBD }, { 0x0EC0, 0x0EC4 }, { 0x0F40, 0x0F47 },
	{ 0x0F49, 0x0F69 }, { 0x10A0, 0x10C5 }, { 0x10D0, 0x10F6 },
	{ 0x1100, 0x1100 }, { 0x1102, 0x1103 }, { 0x1105, 0x1107 },
	{ 0x1109, 0x1109 }, { 0x110B, 0x110C }, { 0x110E, 0x1112 },
	{ 0x113C, 0x113C }, { 0x113E, 0x113E }, { 0x1140, 0x1140 },
	{ 0x114C, 0x114C }, { 0x114E, 0x114E }, { 0x1150, 0x1150 },
	{ 0x1154, 0x1155 }, { 0x1159, 0x1159 }, { 0x115F, 0x1161 },
	{ 0x1163, 0x1163 }, { 0x1165, 0x1165 }, { 0x1167, 0x1167 },
	{ 0x1169, 0x1169 }, { 0x116D, 0x116E }, { 0x1172, 0x1173 },
	{ 0x1175, 0x1175 }, { 0x119E, 0x119E }, { 0x11A8, 0x11A8 },
	{ 0x11AB, 0x11AB }, { 0x11AE, 0x11AF }, { 0x11B7, 0x11B8 },
	{ 0x11BA, 0x11BA }, { 0x11BC, 0x11C2 }, { 0x11EB, 0x11EB },
	{ 0x11F0, 0x11F0 }, { 0x11F9, 0x11F9 }, { 0x1E00, 0x1E9B },
	{ 0x1EA0, 0x1EF9 }, { 0x1F00, 0x1F15 }, { 0x1F18, 0x1F1D },
	{ 0x1F20, 0x1F45 }, { 0x1F48, 0x1F4D }, { 0x1F50, 0x1F57 },
	{ 0x1F59, 0x1F59 }, { 0x1F5B, 0x1F5B }, { 0x1F5D, 0x1F5D },
	{ 0x1F5F, 0x1F7D }, { 0x1F80, 0x1FB4 }, { 0x1FB6, 0x1FBC },
	{ 0x1FBE, 0x1FBE }, { 0x1FC2, 0x1FC4 }, { 0x1FC6, 0x1FCC },
	{ 0x1FD0, 0x1FD3 }, { 0x1FD6, 0x1FDB }, { 0x1FE0, 0x1FEC },
	{ 0x1FF2, 0x1FF4 }, { 0x1FF6, 0x1FFC }, { 0x2126, 0x2126 },
	{ 0x212A, 0x212B }, { 0x212E, 0x212E }, { 0x2180, 0x2182 },
	{ 0x3007, 0x3007 }, { 0x3021, 0x3029 }, { 0x3041, 0x3094 },
	{ 0x30A1, 0x30FA }, { 0x3105, 0x312C }, { 0x4E00, 0x9FA5 },
	{ 0xAC00, 0xD7A3 },
};
static const struct range name_other[] = {
	{ 0x00B7, 0x00B7 }, { 0x02D0, 0x02D1 }, { 0x0300, 0x0345 },
	{ 0x0360, 0x0361 }, { 0x0387, 0x0387 }, { 0x0483, 0x0486 },
	{ 0x0591, 0x05A1 }, { 0x05A3, 0x05B9 }, { 0x05BB, 0x05BD },
	{ 0x05BF, 0x05BF }, { 0x05C1, 0x05C2 }, { 0x05C4, 0x05C4 },
	{ 0x0640, 0x0640 }, { 0x064B, 0x0652 }, { 0x0660, 0x0669 },
	{ 0x0670, 0x0670 }, { 0x06D6, 0x06E4 }, { 0x06E7, 0x06E8 },
	{ 0x06EA, 0x06ED }, { 0x06F0, 0x06F9 }, { 0x0901, 0x0903 },
	{ 0x093C, 0x093C }, { 0x093E, 0x094D }, { 0x0951, 0x0954 },
	{ 0x0962, 0x0963 }, { 0x0966, 0x096F }, { 0x0981, 0x0983 },
	{ 0x09BC, 0x09BC }, { 0x09BE, 0x09C4 }, { 0x09C7, 0x09C8 },
	{ 0x09CB, 0x09CD }, { 0x09D7, 0x09D7 }, { 0x09E2, 0x09E3 },
	{ 0x09E6, 0x09EF }, { 0x0A02, 0x0A02 }, { 0x0A3C, 0x0A3C },
	{ 0x0A3E, 0x0A42 }, { 0x0A47, 0x0A48 }, { 0x0A4B, 0x0A4D },
	{ 0x0A66, 0x0A71 }, { 0x0A81, 0x0A83 }, { 0x0ABC, 0x0ABC },
	{ 0x0ABE, 0x0AC5 }, { 0x0AC7, 0x0AC9 }, { 0x0ACB, 0x0ACD },
	{ 0x0AE6, 0x0AEF }, { 0x0B01, 0x0B03 }, { 0x0B3C, 0x0B3C },
	{ 0x0B3E, 0x0B43 }, { 0x0B47, 0x0B48 }, { 0x0B4B, 0x0B4D },
	{ 0x0B56, 0x0B57 }, { 0x0B66, 0x0B6F }, { 0x0B82, 0x0B83 },
	{ 0x0BBE, 0x0BC2 }, { 0x0BC6, 0x0BC8 }, { 0x0BCA, 0x0BCD },
	{ 0x0BD7, 0x0BD7 }, { 0x0BE7, 0x0BEF }, { 0x0C01, 0x0C03 },
	{ 0x0C3E, 0x0C44 }, { 0x0C46, 0x0C48 }, { 0x0C4A, 0x0C4D },
	{ 0x0C55, 0x0C56 }, { 0x0C66, 0x0C6F }, { 0x0C82, 0x0C83 },
	{ 0x0CBE, 0x0CC4 }, { 0x0CC6, 0x0CC8 }, { 0x0CCA, 0x0CCD },
	{ 0x0CD5, 0x0CD6 }, { 0x0CE6, 0x0CEF }, { 0x0D02, 0x0D03 },
	{ 0x0D3E, 0x0D43 }, { 0x0D46, 0x0D48 }, { 0x0D4A, 0x0D4D },
	{ 0x0D57, 0x0D57 }, { 0x0D66, 0x0D6F }, { 0x0E31, 0x0E31 },
	{ 0x0E34, 0x0E3A }, { 0x0E46, 0x0E4E }, { 0x0E50, 0x0E59 },
	{ 0x0EB1, 0x0EB1 }, { 0x0EB4, 0x0EB9 }, { 0x0EBB, 0x0EBC },
	{ 0x0EC6, 0x0EC6 }, { 0x0EC8, 0x0ECD }, { 0x0ED0, 0x0ED9 },
	{ 0x0F18, 0x0F19 }, { 0x0F20, 0x0F29 }, { 0x0F35, 0x0F35 },
	{ 0x0F37, 0x0F37 }, { 0x0F39, 0x0F39 }, { 0x0F3E, 0x0F3F },
	{ 0x0F71, 0x0F84 }, { 0x0F86, 0x0F8B }, { 0x0F90, 0x0F95 },
	{ 0x0F97, 0x0F97 }, { 0x0F99, 0x0FAD }, { 0x0FB1, 0x0FB7 },
	{ 0x0FB9, 0x0FB9 }, { 0x20D0, 0x20DC }, { 0x20E1, 0x20E1 },
	{ 0x3005, 0x3005 }, { 0x302A, 0x302F }, { 0x3031, 0x3035 },
	{ 0x3099, 0x309A }, { 0x309D, 0x309E }, { 0x30FC, 0x30FE },
};
static bool
in_table(const struct range *t, size_t n, uint32_t r)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r < t[mid].lo)
			hi = mid;
		else if (r > t[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static bool
is_name_first(uint32_t r)
{
	if (r < 0x80)
		return r == ':' || r == '_' || (r >= 'A' && r <= 'Z') ||
		    (r >= 'a' && r <= 'z');
	return in_table(name_first, NELEM(name_first), r);
}

static bool
is_name_other(uint32_t r)
{
	if (is_name_first(r))
		return true;
	if (r < 0x80)
		return r == '-' || r == '.' || (r >= '0' && r <= '9');
	return in_table(name_other, NELEM(name_other), r);
}

/* encoding/xml's isName: valid UTF-8, a first rune, then others. */
static bool
is_name(const unsigned char *s, size_t n)
{
	struct u8 u = { 0, 0, 0, 0 };
	bool first = true;
	size_t i;
	int32_t r;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if ((r = u8_feed(&u, s[i])) == U8_MORE)
			continue;
		if (r == U8_BAD)
			return false;
		if (first ? !is_name_first((uint32_t)r) :
		    !is_name_other((uint32_t)r))
			return false;
		first = false;
	}
	return u.need == 0;
}

/* encoding/xml's isNameByte: what readName collects (bytes >= 0x80 too). */
static bool
is_name_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '.' ||
	    c == '-' || c >= 0x80;
}

/* Is s[0..n) lower, ignoring ASCII case (strings.EqualFold, see below)? */
static bool
eq_fold(const unsigned char *s, size_t n, const char *lower)
{
	size_t i;

	if (strlen(lower) != n)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)lower[i])
			return false;
	}
	return true;
}
/*
 * (strings.EqualFold also folds U+212A KELVIN SIGN to k and U+017F LONG S
 * to s; no name compared here has a k or an s, so ASCII folding is exact.)
 */

/*
 * Text from outside, s[0..n), for a message: made printable as
 * mv_printable does, but NUL bytes too (which it cannot see), and with
 * '"' and '\\' escaped as Go's %q does; cut short to fit out, outsz
 * bytes ("..." marks a cut).  Returns out.
 */
static const char *
show(const void *s, size_t n, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = s;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (o + 4 + 4 > outsz) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (p[i] == '"' || p[i] == '\\') {
			out[o++] = '\\';	/* as Go's %q, for the quotes */
			out[o++] = (char)p[i];
		} else if (p[i] >= 0x20 && p[i] < 0x7f)
			out[o++] = (char)p[i];
		else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 15];
		}
	}
	out[o] = '\0';
	return out;
}

/* --- the tokenizer: encoding/xml's RawToken, Strict = false ------------- */

enum tstate {
	T_OK,		/* Go's d.err == nil */
	T_EOF,		/* io.EOF: the page ended between tokens */
	T_FAIL		/* any other error, described in msg */
};

struct tok {
	const unsigned char	*s;
	size_t			 len;
	size_t			 pos;	/* Go's offset: bytes consumed */
	unsigned long		 line;	/* Go's line: 1 + newlines consumed */
	enum tstate		 st;
	char			 msg[MV_ERR_MSG_MAX_BYTES];
	bool			 need_close;	/* an empty element ended */
	size_t			 close_at, close_n;	/* its local name */
};

/* The three fields of a go-import content attribute, each bounded. */
struct fields {
	char		 prefix[MV_MODPATH_MAX_BYTES + 1];
	char		 vcs[MV_GOIMPORT_VCS_MAX_BYTES + 1];
	char		 root[MV_GOIMPORT_ROOT_MAX_BYTES + 1];
	size_t		 len[3];
	bool		 over[3];	/* longer than its buffer */
	size_t		 n;		/* fields begun (may pass 3) */
	bool		 in;		/* inside a field */
	struct u8	 u;		/* to find multi-byte white space */
	unsigned char	 pend[4];	/* the rune being read */
	size_t		 npend;
};

/* The value of a name attribute, enough of it to compare with go-import. */
struct namecap {
	char		 b[16];
	size_t		 n;
	bool		 over;
};

/*
 * Where decoded text goes: always to the check Go makes on the whole of
 * it (valid UTF-8, XML characters only), and, for the two attributes of
 * a meta tag that matter, to a capture.
 */
struct sink {
	struct u8	 u;
	enum { SINK_OK, SINK_BADUTF8, SINK_BADCHAR } bad;	/* the first */
	uint32_t	 badr;
	struct namecap	*nc;
	struct fields	*fs;
};

#define SINK_INIT	{ { 0, 0, 0, 0 }, SINK_OK, 0, NULL, NULL }

static void tok_vfail(struct tok *, bool, const char *, va_list)
    __attribute__((format(printf, 3, 0)));
static void
tok_vfail(struct tok *t, bool is_syntax, const char *fmt, va_list ap)
{
	int n = 0;

	/* Outside text in fmt's arguments went through show() already. */
	if (is_syntax)
		n = snprintf(t->msg, sizeof(t->msg), "XML syntax error on line "
		    "%lu: ", t->line);
	if (n < 0 || (size_t)n >= sizeof(t->msg))
		n = 0;
	vsnprintf(t->msg + n, sizeof(t->msg) - (size_t)n, fmt, ap);
	t->st = T_FAIL;
}

/* Go's d.err = d.syntaxError(msg); returns false. */
static bool syntax(struct tok *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static bool
syntax(struct tok *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tok_vfail(t, true, fmt, ap);
	va_end(ap);
	return false;
}

/* Go's d.err = fmt.Errorf(...) (the XML declaration); returns false. */
static bool other(struct tok *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static bool
other(struct tok *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tok_vfail(t, false, fmt, ap);
	va_end(ap);
	return false;
}

/* Go's getc: the next byte, or false (at the end, recording io.EOF). */
static bool
tgetc(struct tok *t, unsigned char *b)
{
	if (t->st != T_OK)
		return false;
	if (t->pos >= t->len) {
		t->st = T_EOF;
		return false;
	}
	*b = t->s[t->pos++];
	if (*b == '\n')
		t->line++;
	return true;
}

/* Go's mustgetc: as tgetc, but the end of the page is an error. */
static bool
mustgetc(struct tok *t, unsigned char *b)
{
	if (tgetc(t, b))
		return true;
	if (t->st == T_EOF)
		syntax(t, "unexpected EOF");
	return false;
}

/* Go's ungetc: always of the byte just read. */
static void
tungetc(struct tok *t)
{
	t->pos--;
	if (t->s[t->pos] == '\n')
		t->line--;
}

/* Go's space: skips " \r\n\t" (the end of the page is not an error yet). */
static void
space(struct tok *t)
{
	unsigned char b;

	while (tgetc(t, &b))
		if (b != ' ' && b != '\r' && b != '\n' && b != '\t') {
			tungetc(t);
			return;
		}
}

/*
 * Go's readName: the name bytes at the position, [*at, t->pos).  False
 * when the first byte cannot start one (it is put back, no error) or the
 * page ends (an error).
 */
static bool
read_name(struct tok *t, size_t *at)
{
	unsigned char b;

	if (!mustgetc(t, &b))
		return false;
	if (!is_name_byte(b)) {
		tungetc(t);
		return false;
	}
	*at = t->pos - 1;
	for (;;) {
		if (!mustgetc(t, &b))
			return false;
		if (!is_name_byte(b)) {
			tungetc(t);
			return true;
		}
	}
}

/* Go's name: read_name, then the name must be a valid XML name. */
static bool
name(struct tok *t, size_t *at, size_t *n)
{
	char buf[SHOW_SIZE];

	if (!read_name(t, at))
		return false;
	*n = t->pos - *at;
	if (!is_name(t->s + *at, *n))
		return syntax(t, "invalid XML name: %s",
		    show(t->s + *at, *n, buf, sizeof(buf)));
	return true;
}

/*
 * Go's nsname: a name, of which only the local part is wanted: what
 * follows its colon when it has exactly one with text on both sides,
 * else all of it.
 */
static bool
nsname(struct tok *t, size_t *at, size_t *n)
{
	const unsigned char *p, *colon;

	if (!name(t, at, n))
		return false;
	p = t->s + *at;
	colon = memchr(p, ':', *n);
	if (colon == NULL || colon == p || colon == p + *n - 1 ||
	    memchr(colon + 1, ':', (size_t)(p + *n - colon - 1)) != NULL)
		return true;
	*n -= (size_t)(colon + 1 - p);
	*at += (size_t)(colon + 1 - p);
	return true;
}

/* --- fields of a content attribute: strings.Fields, bounded ------------ */

static void
fields_reset(struct fields *f)
{
	memset(f->len, 0, sizeof(f->len));
	memset(f->over, 0, sizeof(f->over));
	f->prefix[0] = f->vcs[0] = f->root[0] = '\0';
	f->n = 0;
	f->in = false;
	memset(&f->u, 0, sizeof(f->u));
	f->npend = 0;
}

static char *
field_buf(struct fields *f, size_t i, size_t *cap)
{
	switch (i) {
	case 0:
		*cap = sizeof(f->prefix) - 1;
		return f->prefix;
	case 1:
		*cap = sizeof(f->vcs) - 1;
		return f->vcs;
	default:
		*cap = sizeof(f->root) - 1;
		return f->root;
	}
}

/* One rune's bytes p[0..n): white space ends a field, else it grows. */
static void
fields_rune(struct fields *f, const unsigned char *p, size_t n, bool white)
{
	size_t i, cap;
	char *b;

	if (white) {
		f->in = false;
		return;
	}
	if (!f->in) {
		f->in = true;
		f->n++;
	}
	if (f->n > 3)
		return;
	i = f->n - 1;
	b = field_buf(f, i, &cap);
	if (f->over[i] || f->len[i] + n > cap) {
		f->over[i] = true;
		return;
	}
	memcpy(b + f->len[i], p, n);
	f->len[i] += n;
	b[f->len[i]] = '\0';
}

/*
 * One decoded byte.  Bytes that are not UTF-8 count as part of a field:
 * the page's check then refuses the whole value anyway.
 */
static void
fields_byte(struct fields *f, unsigned char c)
{
	int32_t r;

	f->pend[f->npend++] = c;
	if ((r = u8_feed(&f->u, c)) == U8_MORE)
		return;
	fields_rune(f, f->pend, f->npend, r >= 0 && is_space((uint32_t)r));
	f->npend = 0;
}

static void
fields_end(struct fields *f)
{
	if (f->npend > 0)
		fields_rune(f, f->pend, f->npend, false);
	f->npend = 0;
	memset(&f->u, 0, sizeof(f->u));
}

/* --- text: character data, attribute values, CDATA --------------------- */

/* A byte of an attribute value into the capture, if any. */
static void
capture(struct sink *o, unsigned char c)
{
	if (o->nc != NULL) {
		if (o->nc->n < sizeof(o->nc->b) - 1)
			o->nc->b[o->nc->n++] = (char)c;
		else
			o->nc->over = true;
	}
	if (o->fs != NULL)
		fields_byte(o->fs, c);
}

/* A decoded byte: checked as Go checks the whole text, and captured. */
static void
emit(struct sink *o, unsigned char c)
{
	int32_t r = u8_feed(&o->u, c);

	if (o->bad == SINK_OK) {
		if (r == U8_BAD)
			o->bad = SINK_BADUTF8;
		else if (r >= 0 && !is_xml_char((uint32_t)r)) {
			o->bad = SINK_BADCHAR;
			o->badr = (uint32_t)r;
		}
	}
	capture(o, c);
}

/* The end of a text: Go's check of the data it read. */
static bool
sink_end(struct tok *t, struct sink *o)
{
	if (o->fs != NULL)
		fields_end(o->fs);
	if (o->bad == SINK_OK && o->u.need > 0)
		o->bad = SINK_BADUTF8;
	if (o->bad == SINK_BADUTF8)
		return syntax(t, "invalid UTF-8");
	if (o->bad == SINK_BADCHAR)
		return syntax(t, "illegal character code U+%04X",
		    (unsigned)o->badr);
	return true;
}

static int
digit(unsigned char b, int base)
{
	if (b >= '0' && b <= '9')
		return b - '0';
	if (base == 16 && b >= 'a' && b <= 'f')
		return b - 'a' + 10;
	if (base == 16 && b >= 'A' && b <= 'F')
		return b - 'A' + 10;
	return -1;
}

/*
 * The '&' branch of Go's text, the '&' just read: "&#N;", "&#xH;" and
 * the five predefined entities are decoded; anything else stays as it
 * stands (Strict = false), which is the page's own bytes from the '&' to
 * where the reference ended.  False (with the error) at the end of the
 * page.
 */
static bool
reference(struct tok *t, struct sink *o)
{
	static const struct {
		const char	*name;
		unsigned char	 c;
	} ents[] = {
		{ "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "apos", '\'' },
		{ "quot", '"' },
	};
	size_t amp = t->pos - 1, at, end, i, k;
	unsigned char b, enc[4];
	uint32_t n = 0;
	bool have = false;

	if (!mustgetc(t, &b))
		return false;
	if (b == '#') {
		int base = 10, d;
		size_t ndig = 0;
		bool big = false;

		if (!mustgetc(t, &b))
			return false;
		if (b == 'x') {
			base = 16;
			if (!mustgetc(t, &b))
				return false;
		}
		while ((d = digit(b, base)) >= 0) {
			/* strconv.ParseUint, then n <= unicode.MaxRune. */
			if (n > 0x10ffff)
				big = true;
			else
				n = n * (uint32_t)base + (uint32_t)d;
			ndig++;
			if (!mustgetc(t, &b))
				return false;
		}
		if (b != ';')
			tungetc(t);
		else if (ndig > 0 && !big && n <= 0x10ffff)
			have = true;
	} else {
		tungetc(t);
		at = end = t->pos;
		if (read_name(t, &at))
			end = t->pos;
		else if (t->st != T_OK)
			return false;
		if (!mustgetc(t, &b))
			return false;
		if (b != ';')
			tungetc(t);
		else
			for (i = 0; i < NELEM(ents); i++)
				if (end - at == strlen(ents[i].name) &&
				    memcmp(t->s + at, ents[i].name,
				    end - at) == 0) {
					n = ents[i].c;
					have = true;
				}
	}
	if (have) {
		/* string(rune(n)): a surrogate becomes U+FFFD. */
		if (n >= 0xd800 && n <= 0xdfff)
			n = 0xfffd;
		k = u8_encode(n, enc);
		for (i = 0; i < k; i++)
			emit(o, enc[i]);
	} else
		for (i = amp; i < t->pos; i++)
			emit(o, t->s[i]);
	return true;
}

/*
 * Go's text: character data up to a '<' (quote < 0), an attribute value
 * up to its quote, or a CDATA section up to "]]>", into o.  '\r' and
 * "\r\n" become '\n'.  False with the error set.
 */
static bool
text(struct tok *t, int quote, bool cdata, struct sink *o)
{
	unsigned char b, b0 = 0, b1 = 0;

	for (;;) {
		if (!tgetc(t, &b)) {
			if (cdata) {
				if (t->st == T_EOF)
					syntax(t, "unexpected EOF in CDATA "
					    "section");
				return false;
			}
			break;
		}
		if (b0 == ']' && b1 == ']' && b == '>') {
			/*
			 * Go drops the two ']' it kept; they were checked
			 * here already, which changes nothing: ']' is a
			 * valid character and cuts a sequence as the end
			 * of the data would.
			 */
			if (cdata)
				break;
			return syntax(t, "unescaped ]]> not in CDATA section");
		}
		if (b == '<' && !cdata) {
			if (quote >= 0)
				return syntax(t, "unescaped < inside quoted "
				    "string");
			tungetc(t);
			break;
		}
		if (quote >= 0 && b == quote)
			break;
		if (b == '&' && !cdata) {
			if (!reference(t, o))
				return false;
			b0 = b1 = 0;
			continue;
		}
		if (b == '\r')
			emit(o, '\n');
		else if (!(b1 == '\r' && b == '\n'))
			emit(o, b);
		b0 = b1;
		b1 = b;
	}
	return sink_end(t, o);
}

/*
 * Go's attrval, after "=": a quoted value (decoded), or, unquoted, the
 * run of [A-Za-z0-9_:-] that follows (possibly empty).
 */
static bool
attrval(struct tok *t, struct sink *o)
{
	unsigned char b;

	if (!mustgetc(t, &b))
		return false;
	if (b == '"' || b == '\'')
		return text(t, b, false, o);
	tungetc(t);
	for (;;) {
		if (!mustgetc(t, &b))
			return false;
		if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
		    (b >= '0' && b <= '9') || b == '_' || b == ':' ||
		    b == '-')
			capture(o, b);
		else {
			tungetc(t);
			return true;
		}
	}
}

/* --- tokens ----------------------------------------------------------- */

enum tkind {
	TK_START,	/* a start tag (an empty element's comes first) */
	TK_END,		/* an end tag, or an empty element's end */
	TK_OTHER	/* text, comment, CDATA, directive, instruction */
};

struct token {
	enum tkind	 kind;
	size_t		 at, n;	/* a tag's local name in the page */
	bool		 entry;	/* a go-import meta tag, 3 fields */
};

struct scanner {
	struct tok	 t;
	struct namecap	 name;		/* a meta tag's first name= */
	struct fields	 content;	/* and its first content= */
};

/* Go's rawToken after "</". */
static bool
end_tag(struct tok *t, struct token *tk)
{
	char buf[SHOW_SIZE];
	unsigned char b;

	if (!nsname(t, &tk->at, &tk->n)) {
		if (t->st == T_OK)
			syntax(t, "expected element name after </");
		return false;
	}
	space(t);
	if (!mustgetc(t, &b))
		return false;
	if (b != '>')
		return syntax(t, "invalid characters between </%s and >",
		    show(t->s + tk->at, tk->n, buf, sizeof(buf)));
	tk->kind = TK_END;
	return true;
}

/*
 * Go's procInst: the value of param="..." or param='...' in s[0..n),
 * found as a plain substring (no space allowed around "="); false for
 * none, or an empty one.
 */
static bool
pi_param(const unsigned char *s, size_t n, const char *param,
    const unsigned char **val, size_t *vn)
{
	size_t pn = strlen(param), i, j;

	for (i = 0; i + pn < n; i++) {
		if (memcmp(s + i, param, pn) != 0 || s[i + pn] != '=')
			continue;
		i += pn + 1;
		if (i >= n || (s[i] != '"' && s[i] != '\''))
			return false;
		for (j = i + 1; j < n && s[j] != s[i]; j++)
			;
		if (j >= n)
			return false;
		*val = s + i + 1;
		*vn = j - i - 1;
		return *vn > 0;
	}
	return false;
}

/*
 * Does strings.ToLower make s[0..n) "ascii"?  Besides ASCII letters, Go
 * lowers U+0130 (LATIN CAPITAL LETTER I WITH DOT ABOVE) to a plain "i".
 */
static bool
is_ascii_charset(const unsigned char *s, size_t n)
{
	const char *want = "ascii";
	size_t i = 0;

	for (; *want != '\0'; want++) {
		if (i < n && (s[i] == *want || s[i] == *want - 'a' + 'A'))
			i++;
		else if (*want == 'i' && i + 1 < n && s[i] == 0xc4 &&
		    s[i + 1] == 0xb0)
			i += 2;
		else
			return false;
	}
	return i == n;
}

/*
 * Go's rawToken after "<?": a processing instruction, to "?>".  On
 * "<?xml", Go checks the version and switches to the declared encoding:
 * the go command only knows utf-8 and ascii (charsetReader).
 */
static bool
proc_inst(struct tok *t, struct token *tk)
{
	char v[SHOW_SIZE];
	const unsigned char *val;
	unsigned char b, b0 = 0;
	size_t at, n, data, vn;

	if (!name(t, &at, &n)) {
		if (t->st == T_OK)
			syntax(t, "expected target name after <?");
		return false;
	}
	space(t);
	data = t->pos;
	for (;;) {
		if (!mustgetc(t, &b))
			return false;
		if (b0 == '?' && b == '>')
			break;
		b0 = b;
	}
	tk->kind = TK_OTHER;
	if (n != 3 || memcmp(t->s + at, "xml", 3) != 0)
		return true;
	n = t->pos - 2 - data;
	if (pi_param(t->s + data, n, "version", &val, &vn) &&
	    !(vn == 3 && memcmp(val, "1.0", 3) == 0))
		return other(t, "xml: unsupported version \"%s\"; only version "
		    "1.0 is supported", show(val, vn, v, sizeof(v)));
	if (pi_param(t->s + data, n, "encoding", &val, &vn) &&
	    !eq_fold(val, vn, "utf-8") && !is_ascii_charset(val, vn))
		return other(t, "xml: opening charset \"%s\": can't decode XML "
		    "document using charset \"%s\"", show(val, vn, v,
		    sizeof(v)), v);
	return true;
}

/*
 * Go's rawToken after "<!": a comment (no "--" inside), a CDATA section
 * (checked as text) or a directive such as <!DOCTYPE>, which runs to the
 * first '>' outside quotes and nested "<...>", comments inside skipped.
 */
static bool
bang(struct tok *t, struct token *tk)
{
	static const char cdata[] = "CDATA[", open[] = "!--";
	struct sink o = SINK_INIT;
	unsigned char b, b0, b1, inquote = 0;
	size_t i, depth = 0;

	tk->kind = TK_OTHER;
	if (!mustgetc(t, &b))
		return false;
	if (b == '-') {
		if (!mustgetc(t, &b))
			return false;
		if (b != '-')
			return syntax(t, "invalid sequence <!- not part of "
			    "<!--");
		for (b0 = b1 = 0;; b0 = b1, b1 = b) {
			if (!mustgetc(t, &b))
				return false;
			if (b0 == '-' && b1 == '-') {
				if (b != '>')
					return syntax(t, "invalid sequence "
					    "\"--\" not allowed in comments");
				return true;
			}
		}
	}
	if (b == '[') {
		for (i = 0; i < 6; i++) {
			if (!mustgetc(t, &b))
				return false;
			if (b != (unsigned char)cdata[i])
				return syntax(t, "invalid <![ sequence");
		}
		return text(t, -1, true, &o);
	}
	/* The directive's first byte is taken as it is, as Go does. */
	for (;;) {
		if (!mustgetc(t, &b))
			return false;
		if (inquote == 0 && b == '>' && depth == 0)
			return true;
handle:
		if (b == inquote)
			inquote = 0;
		else if (inquote != 0)
			continue;
		else if (b == '\'' || b == '"')
			inquote = b;
		else if (b == '>')
			depth--;
		else if (b == '<') {
			for (i = 0; i < 3; i++) {
				if (!mustgetc(t, &b))
					return false;
				if (b != (unsigned char)open[i]) {
					/* Go's "goto HandleB". */
					depth++;
					goto handle;
				}
			}
			for (b0 = b1 = 0;; b0 = b1, b1 = b) {
				if (!mustgetc(t, &b))
					return false;
				if (b0 == '-' && b1 == '-' && b == '>')
					break;
			}
		}
	}
}

static bool
is_goimport(const struct namecap *nc)
{
	return !nc->over && nc->n == 9 && memcmp(nc->b, "go-import", 9) == 0;
}

/*
 * Go's rawToken for a start tag ("<" already read and put back).  For a
 * meta tag, the first attribute whose local name is "name" and the first
 * whose local name is "content" (ASCII case-insensitive, as the go
 * command's attrValue) are captured; an attribute without "=" has its
 * own local name as value (Strict = false).
 */
static bool
start_tag(struct scanner *sc, struct token *tk)
{
	struct tok *t = &sc->t;
	bool meta, seen_name = false, seen_content = false;
	size_t at, n, i;
	unsigned char b;

	if (!nsname(t, &tk->at, &tk->n)) {
		if (t->st == T_OK)
			syntax(t, "expected element name after <");
		return false;
	}
	if ((meta = eq_fold(t->s + tk->at, tk->n, "meta"))) {
		sc->name.n = 0;
		sc->name.over = false;
		fields_reset(&sc->content);
	}
	for (;;) {
		struct sink o = SINK_INIT;

		space(t);
		if (!mustgetc(t, &b))
			return false;
		if (b == '/') {
			if (!mustgetc(t, &b))
				return false;
			if (b != '>')
				return syntax(t, "expected /> in element");
			t->need_close = true;
			t->close_at = tk->at;
			t->close_n = tk->n;
			break;
		}
		if (b == '>')
			break;
		tungetc(t);
		if (!nsname(t, &at, &n)) {
			if (t->st == T_OK)
				syntax(t, "expected attribute name in element");
			return false;
		}
		if (meta && !seen_name && eq_fold(t->s + at, n, "name")) {
			seen_name = true;
			o.nc = &sc->name;
		} else if (meta && !seen_content &&
		    eq_fold(t->s + at, n, "content")) {
			seen_content = true;
			o.fs = &sc->content;
		}
		space(t);
		if (!mustgetc(t, &b))
			return false;
		if (b != '=') {
			tungetc(t);
			for (i = 0; i < n; i++)
				capture(&o, t->s[at + i]);
		} else {
			space(t);
			if (!attrval(t, &o))
				return false;
		}
		if (o.fs != NULL)
			fields_end(o.fs);
	}
	tk->kind = TK_START;
	tk->entry = meta && is_goimport(&sc->name) && sc->content.n == 3;
	return true;
}

/* Go's rawToken: the next token, or false at the end or an error. */
static bool
raw_token(struct scanner *sc, struct token *tk)
{
	struct tok *t = &sc->t;
	struct sink o = SINK_INIT;
	unsigned char b;

	tk->entry = false;
	if (t->st != T_OK)
		return false;
	if (t->need_close) {
		t->need_close = false;
		tk->kind = TK_END;
		tk->at = t->close_at;
		tk->n = t->close_n;
		return true;
	}
	if (!tgetc(t, &b))
		return false;
	if (b != '<') {
		tungetc(t);
		tk->kind = TK_OTHER;
		return text(t, -1, false, &o);
	}
	if (!mustgetc(t, &b))
		return false;
	switch (b) {
	case '/':
		return end_tag(t, tk);
	case '?':
		return proc_inst(t, tk);
	case '!':
		return bang(t, tk);
	}
	tungetc(t);
	return start_tag(sc, tk);
}

/* --- parseMetaGoImports and matchGoImport ------------------------------ */

typedef void (*entry_fn)(void *arg, const struct fields *e);

/*
 * The loop of the go command's parseMetaGoImports: each entry (a meta
 * tag with name="go-import" and three content fields) goes to fn in
 * document order, until a start tag named body, an end tag named head,
 * the end of the page or a tokenizer error; *ntags counts them.  A
 * tokenizer error before the first entry is the result (MV_ENOTFOUND).
 */
static int
scan(const char *html, size_t len, const char *module, entry_fn fn,
    void *arg, size_t *ntags, struct mv_err *err)
{
	struct scanner sc;
	struct token tk;
	char m[SHOW_SIZE];

	memset(&sc.t, 0, sizeof(sc.t));
	sc.t.s = (const unsigned char *)html;
	sc.t.len = len;
	sc.t.line = 1;
	*ntags = 0;
	for (;;) {
		if (!raw_token(&sc, &tk)) {
			if (sc.t.st != T_EOF && *ntags == 0)
				return mv_fail(err, MV_ENOTFOUND, "parsing %s: "
				    "%s", show(module, strlen(module), m,
				    sizeof(m)), sc.t.msg);
			return 0;
		}
		if (tk.kind == TK_START && eq_fold(sc.t.s + tk.at, tk.n,
		    "body"))
			return 0;
		if (tk.kind == TK_END && eq_fold(sc.t.s + tk.at, tk.n, "head"))
			return 0;
		if (tk.entry) {
			++*ntags;
			fn(arg, &sc.content);
		}
	}
}

static bool
is_mod(const struct fields *e)
{
	return !e->over[1] && strcmp(e->vcs, "mod") == 0;
}

/* The go command's str.HasPathPrefix(s, prefix). */
static bool
has_path_prefix(const char *s, size_t sn, const char *p, size_t pn)
{
	if (sn == pn)
		return memcmp(s, p, pn) == 0;
	if (pn == 0)
		return true;
	if (sn > pn && (p[pn - 1] == '/' || s[pn] == '/'))
		return memcmp(s, p, pn) == 0;
	return false;
}

/*
 * Everything matchGoImport needs, gathered in one pass.  With the "mod"
 * entries first (VC-3.4), its walk amounts to: two matching "mod"
 * entries are an error, one is the answer (later entries are not
 * looked at); with none, the same for the other entries.  A matching
 * other entry is never one a "mod" entry's prefix drops, since that
 * "mod" entry would match too.  So only the mismatch message needs the
 * drop rule, and only then the second pass (list_others).
 */
struct decision {
	const char	*module;
	size_t		 mlen;
	size_t		 nmod;		/* "mod" entries */
	size_t		 nmodmatch;	/* of which match module */
	size_t		 nothermatch;	/* other entries that match */
	struct fields	 modm;		/* the first matching "mod" one */
	struct fields	 otherm;	/* the first other matching one */
	struct {
		char	 prefix[MV_MODPATH_MAX_BYTES + 1];
		bool	 over;
	}		 mods[MISMATCH_LIST];	/* the first "mod" ones */
};

static bool
matches(const struct decision *d, const struct fields *e)
{
	/* A longer prefix than the module path cannot match, cut or not. */
	return !e->over[0] && has_path_prefix(d->module, d->mlen, e->prefix,
	    e->len[0]);
}

static void
decide(void *arg, const struct fields *e)
{
	struct decision *d = arg;

	if (is_mod(e)) {
		if (d->nmod < MISMATCH_LIST) {
			memcpy(d->mods[d->nmod].prefix, e->prefix,
			    e->len[0] + 1);
			d->mods[d->nmod].over = e->over[0];
		}
		d->nmod++;
		if (matches(d, e) && d->nmodmatch++ == 0)
			d->modm = *e;
	} else if (matches(d, e) && d->nothermatch++ == 0)
		d->otherm = *e;
}

/* The list of a "no go-import meta tags" message, as much as fits. */
struct mismatch {
	const struct decision	*d;
	char			 b[MV_ERR_MSG_MAX_BYTES];
	size_t			 n;
	size_t			 listed;
	bool			 more;	/* some were left out */
};

static void
list_add(struct mismatch *mm, const char *prefix)
{
	char item[MV_ERR_MSG_MAX_BYTES], p[200], m[200];
	size_t k;

	if (mm->listed >= MISMATCH_LIST) {
		mm->more = true;
		return;
	}
	snprintf(item, sizeof(item), "%smeta tag %s did not match import "
	    "path %s", mm->listed > 0 ? ", " : "",
	    show(prefix, strlen(prefix), p, sizeof(p)),
	    show(mm->d->module, mm->d->mlen, m, sizeof(m)));
	k = strlen(item);
	/* Room for ", ...)" and the rest of the message stays. */
	if (mm->listed > 0 && mm->n + k + 64 > sizeof(mm->b)) {
		mm->listed = MISMATCH_LIST;
		mm->more = true;
		return;
	}
	if (k > sizeof(mm->b) - 1 - mm->n)
		k = sizeof(mm->b) - 1 - mm->n;
	memcpy(mm->b + mm->n, item, k);
	mm->n += k;
	mm->b[mm->n] = '\0';
	mm->listed++;
}

/* Second pass: the other entries that no "mod" entry's prefix drops. */
static void
list_others(void *arg, const struct fields *e)
{
	struct mismatch *mm = arg;
	const struct decision *d = mm->d;
	size_t i;

	if (is_mod(e))
		return;
	/*
	 * All "mod" prefixes are at hand (nmod <= MISMATCH_LIST here).  Two
	 * over-long prefixes compare by their first MV_MODPATH_MAX_BYTES
	 * bytes, which can only change this message.
	 */
	for (i = 0; i < d->nmod; i++)
		if (d->mods[i].over == e->over[0] &&
		    strcmp(d->mods[i].prefix, e->prefix) == 0)
			return;
	list_add(mm, e->prefix);
}

int
mv_goimport_match(const char *html, size_t len, const char *module,
    struct mv_goimport *imp, struct mv_err *err)
{
	struct decision d;
	struct mismatch mm;
	const struct fields *e;
	char m[SHOW_SIZE];
	size_t i, ntags;

	imp->ntags = 0;
	if (len > MV_GOIMPORT_MAX_BYTES)
		return mv_fail(err, MV_ELIMIT, "go-import page larger than %u "
		    "bytes", (unsigned)MV_GOIMPORT_MAX_BYTES);
	d.module = module;
	d.mlen = strlen(module);
	if (d.mlen > MV_MODPATH_MAX_BYTES)
		return mv_fail(err, MV_EINVAL, "module path longer than %d "
		    "bytes", MV_MODPATH_MAX_BYTES);
	d.nmod = d.nmodmatch = d.nothermatch = 0;
	if (scan(html, len, module, decide, &d, &imp->ntags, err) == -1)
		return -1;
	if (d.nmodmatch > 1 || (d.nmodmatch == 0 && d.nothermatch > 1))
		return mv_fail(err, MV_ENOTFOUND, "multiple meta tags match "
		    "import path \"%s\"", show(module, d.mlen, m, sizeof(m)));
	e = d.nmodmatch == 1 ? &d.modm : d.nothermatch == 1 ? &d.otherm : NULL;
	if (e == NULL) {
		memset(&mm, 0, sizeof(mm));
		mm.d = &d;
		for (i = 0; i < d.nmod && i < MISMATCH_LIST; i++)
			list_add(&mm, d.mods[i].prefix);
		if (d.nmod > MISMATCH_LIST)
			mm.more = true;
		else if (imp->ntags > d.nmod)
			(void)scan(html, len, module, list_others, &mm, &ntags,
			    NULL);
		return mv_fail(err, MV_ENOTFOUND, "no go-import meta tags "
		    "(%s%s)", mm.b, mm.more ? ", ..." : "");
	}
	if (e->over[2])
		return mv_fail(err, MV_ELIMIT, "go-import meta tag for %s: "
		    "repo root longer than %d bytes", show(module, d.mlen, m,
		    sizeof(m)), MV_GOIMPORT_ROOT_MAX_BYTES);
	memcpy(imp->prefix, e->prefix, e->len[0] + 1);
	memcpy(imp->vcs, e->vcs, e->len[1] + 1);
	memcpy(imp->root, e->root, e->len[2] + 1);
	return 0;
}

/* --- validateRepoRoot and net/url.Parse -------------------------------- */

/* The sections of a URL net/url's unescape checks differently. */
enum umode {
	U_PATH, U_HOST, U_ZONE, U_USER, U_FRAG
};

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static unsigned
unhex(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	return (unsigned)(c - 'A' + 10);
}

/* net/url's shouldEscape(c, encodeHost), the same for encodeZone. */
static bool
host_escapes(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return false;
	return strchr("!$&'()*+,;=:[]<>\"-_.~", c) == NULL || c == '\0';
}

/* net/url's unescape(s, mode), for its errors only: 0, or -1 and why. */
static int
unescape_check(const char *s, size_t n, enum umode mode, char *why,
    size_t whysz)
{
	char buf[16];
	size_t i;

	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n || !is_hex(s[i + 1]) ||
			    !is_hex(s[i + 2]) ||
			    (mode == U_HOST && unhex(s[i + 1]) < 8 &&
			    memcmp(s + i, "%25", 3) != 0) ||
			    (mode == U_ZONE && memcmp(s + i, "%25", 3) != 0 &&
			    (unhex(s[i + 1]) << 4 | unhex(s[i + 2])) != ' ' &&
			    host_escapes((unsigned char)(unhex(s[i + 1]) << 4 |
			    unhex(s[i + 2]))))) {
				snprintf(why, whysz, "invalid URL escape "
				    "\"%s\"", show(s + i, n - i > 3 ? 3 : n - i,
				    buf, sizeof(buf)));
				return -1;
			}
			i += 3;
			continue;
		}
		if ((mode == U_HOST || mode == U_ZONE) && c < 0x80 &&
		    host_escapes(c)) {
			snprintf(why, whysz, "invalid character \"%s%c\" in "
			    "host name", c == '"' || c == '\\' ? "\\" : "", c);
			return -1;
		}
		i++;
	}
	return 0;
}

/* The last c in s[0..n), or NULL. */
static const char *
last_of(const char *s, size_t n, char c)
{
	while (n > 0)
		if (s[--n] == c)
			return s + n;
	return NULL;
}

/* net/url's validOptionalPort: "" or ":" and digits. */
static bool
valid_port(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return true;
	if (p[0] != ':')
		return false;
	for (i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* net/url's parseHost (host[:port], or an IP literal in brackets). */
static int
host_check(const char *h, size_t n, char *why, size_t whysz)
{
	char buf[64];
	const char *rb, *colon, *zone = NULL;
	size_t i;

	if (n > 0 && h[0] == '[') {
		if ((rb = last_of(h, n, ']')) == NULL) {
			snprintf(why, whysz, "missing ']' in host");
			return -1;
		}
		if (!valid_port(rb + 1, (size_t)(h + n - rb - 1))) {
			snprintf(why, whysz, "invalid port \"%s\" after host",
			    show(rb + 1, (size_t)(h + n - rb - 1), buf,
			    sizeof(buf)));
			return -1;
		}
		for (i = 0; i + 3 <= (size_t)(rb - h) && zone == NULL; i++)
			if (memcmp(h + i, "%25", 3) == 0)
				zone = h + i;
		if (zone != NULL)
			return unescape_check(h, (size_t)(zone - h), U_HOST,
			    why, whysz) == -1 || unescape_check(zone,
			    (size_t)(rb - zone), U_ZONE, why, whysz) == -1 ||
			    unescape_check(rb, (size_t)(h + n - rb), U_HOST,
			    why, whysz) == -1 ? -1 : 0;
	} else if ((colon = last_of(h, n, ':')) != NULL &&
	    !valid_port(colon, (size_t)(h + n - colon))) {
		snprintf(why, whysz, "invalid port \"%s\" after host",
		    show(colon, (size_t)(h + n - colon), buf, sizeof(buf)));
		return -1;
	}
	return unescape_check(h, n, U_HOST, why, whysz);
}

/* net/url's validUserinfo (RFC 3986's userinfo characters, and '@'). */
static bool
valid_userinfo(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (c == '\0' || strchr("-._:~!$&'()*+,;=%@", c) == NULL)
			return false;
	}
	return true;
}

/* net/url's parseAuthority: [userinfo@]host. */
static int
authority_check(const char *a, size_t n, char *why, size_t whysz)
{
	const char *at = last_of(a, n, '@'), *colon;
	size_t un;

	if (at == NULL)
		return host_check(a, n, why, whysz);
	if (host_check(at + 1, (size_t)(a + n - at - 1), why, whysz) == -1)
		return -1;
	un = (size_t)(at - a);
	if (!valid_userinfo(a, un)) {
		snprintf(why, whysz, "net/url: invalid userinfo");
		return -1;
	}
	if ((colon = memchr(a, ':', un)) == NULL)
		return unescape_check(a, un, U_USER, why, whysz);
	if (unescape_check(a, (size_t)(colon - a), U_USER, why, whysz) == -1)
		return -1;
	return unescape_check(colon + 1, (size_t)(a + un - colon - 1), U_USER,
	    why, whysz);
}

/*
 * net/url's parse(u, viaRequest false) on u[0..n) (the part before any
 * '#'), as far as its errors and the scheme go: 0 with *schemelen (0 for
 * none), or -1 with why.
 */
static int
url_parse(const char *u, size_t n, size_t *schemelen, char *why,
    size_t whysz)
{
	const char *rest = u, *p;
	size_t i, restn = n, seg;

	*schemelen = 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] < 0x20 || u[i] == 0x7f) {
			snprintf(why, whysz, "net/url: invalid control "
			    "character in URL");
			return -1;
		}
	if (n == 1 && u[0] == '*')
		return 0;
	/* getScheme: [A-Za-z][A-Za-z0-9+.-]* then ':'. */
	for (i = 0; i < n; i++) {
		char c = u[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if ((c >= '0' && c <= '9') || c == '+' || c == '-' ||
		    c == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (c == ':') {
			if (i == 0) {
				snprintf(why, whysz, "missing protocol scheme");
				return -1;
			}
			*schemelen = i;
			rest = u + i + 1;
			restn = n - i - 1;
		}
		break;
	}
	/* The query (RawQuery or ForceQuery) starts at the first '?'. */
	if ((p = memchr(rest, '?', restn)) != NULL)
		restn = (size_t)(p - rest);
	if (restn == 0 || rest[0] != '/') {
		if (*schemelen > 0)
			return 0;	/* opaque: "mailto:x", "ext::sh" */
		p = memchr(rest, '/', restn);
		seg = p != NULL ? (size_t)(p - rest) : restn;
		if (memchr(rest, ':', seg) != NULL) {
			snprintf(why, whysz, "first path segment in URL cannot "
			    "contain colon");
			return -1;
		}
	}
	if ((*schemelen > 0 || restn < 3 || memcmp(rest, "///", 3) != 0) &&
	    restn >= 2 && memcmp(rest, "//", 2) == 0) {
		const char *a = rest + 2;
		size_t an = restn - 2;

		if ((p = memchr(a, '/', an)) != NULL) {
			rest = p;
			restn = (size_t)(a + an - p);
			an = (size_t)(p - a);
		} else
			restn = 0;
		if (authority_check(a, an, why, whysz) == -1)
			return -1;
	}
	return unescape_check(rest, restn, U_PATH, why, whysz);
}

/*
 * The go command's validateRepoRoot: url.Parse must succeed and give a
 * scheme other than "file".  0, or -1 with why.
 */
static int
root_check(const char *root, char *why, size_t whysz)
{
	char detail[192], buf[SHOW_SIZE];	/* fit why with the root */
	size_t n = strlen(root), un, slen;
	const char *hash = memchr(root, '#', n);

	un = hash != NULL ? (size_t)(hash - root) : n;
	if (url_parse(root, un, &slen, detail, sizeof(detail)) == -1) {
		snprintf(why, whysz, "parse \"%s\": %s", show(root, un, buf,
		    sizeof(buf)), detail);
		return -1;
	}
	if (hash != NULL && unescape_check(hash + 1, n - un - 1, U_FRAG,
	    detail, sizeof(detail)) == -1) {
		snprintf(why, whysz, "parse \"%s\": %s", show(root, n, buf,
		    sizeof(buf)), detail);
		return -1;
	}
	if (slen == 0) {
		snprintf(why, whysz, "no scheme");
		return -1;
	}
	if (eq_fold((const unsigned char *)root, slen, "file")) {
		snprintf(why, whysz, "file scheme disallowed");
		return -1;
	}
	return 0;
}

int
mv_goimport_check(const struct mv_goimport *imp, const char *module,
    struct mv_err *err)
{
	/* The go command's vcsList, and "mod" (vcsMod). */
	static const char *const known[] = { "hg", "git", "svn", "bzr",
	    "fossil", "mod" };
	char why[MV_ERR_MSG_MAX_BYTES], m[SHOW_SIZE], r[SHOW_SIZE];
	size_t i;

	show(module, strlen(module), m, sizeof(m));
	if (root_check(imp->root, why, sizeof(why)) == -1)
		return mv_fail(err, MV_ENOTFOUND, "go-import meta tag for %s: "
		    "invalid repo root \"%s\": %s", m, show(imp->root,
		    strlen(imp->root), r, sizeof(r)), why);
	for (i = 0; i < NELEM(known); i++)
		if (strcmp(imp->vcs, known[i]) == 0)
			return 0;
	return mv_fail(err, MV_ENOTFOUND, "go-import meta tag for %s: unknown "
	    "vcs \"%s\"", m, show(imp->vcs, strlen(imp->vcs), r, sizeof(r)));
}

int
mv_goimport_find(const char *html, size_t len, const char *module,
    struct mv_goimport *imp, struct mv_err *err)
{
	if (mv_goimport_match(html, len, module, imp, err) == -1)
		return -1;
	return mv_goimport_check(imp, module, err);
}

bool
mv_goimport_equal(const struct mv_goimport *a, const struct mv_goimport *b)
{
	return strcmp(a->prefix, b->prefix) == 0 &&
	    strcmp(a->vcs, b->vcs) == 0 && strcmp(a->root, b->root) == 0;
}
