/* pattern.c: Go path.Match globs and GOPRIVATE-style prefix pattern lists. */
/*
 * The glob matcher follows Go's path.Match exactly (patterns.md PT-4), not
 * fnmatch(3): '!' does not negate a class, and a malformed pattern is an
 * error even when the name already failed to match an earlier part of it,
 * so "a[" never matches anything.  The pattern is cut into chunks, each an
 * optional run of '*' followed by literal/'?'/class items up to the next
 * '*'; each chunk is matched at the leftmost place it fits, which keeps the
 * cost at O(pattern * name) with no backtracking across chunks.
 *
 * Everything here is pure: no allocation, no I/O, and inputs are taken with
 * their lengths, never relying on a terminating NUL.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "modvault/proto/pattern.h"

#define RUNE_ERROR	0xFFFDu

enum chunk_result { CHUNK_OK, CHUNK_FAIL, CHUNK_BAD };

/*
 * Decodes one UTF-8 code point the way Go's utf8.DecodeRune does: invalid
 * or overlong encodings, surrogates and values above U+10FFFF give
 * (U+FFFD, 1), so '?' consumes one byte of garbage at a time.
 */
static uint32_t
decode_rune(const unsigned char *s, size_t n, size_t *width)
{
	static const uint32_t min[4] = { 0, 0x80, 0x800, 0x10000 };
	uint32_t r;
	size_t need, i;

	*width = 1;
	if (n == 0)
		return RUNE_ERROR;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC0 && s[0] < 0xE0) {
		need = 1;
		r = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] < 0xF0) {
		need = 2;
		r = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] < 0xF8) {
		need = 3;
		r = s[0] & 0x07;
	} else
		return RUNE_ERROR;
	if (n <= need)
		return RUNE_ERROR;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return RUNE_ERROR;
		r = (r << 6) | (s[i] & 0x3F);
	}
	if (r < min[need] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		return RUNE_ERROR;
	*width = need + 1;
	return r;
}

/*
 * Reads one class member at c[*ci] (PT-4.1): a character or '\'-escaped
 * character.  An unescaped '-' or ']' here, a trailing '\', invalid UTF-8,
 * or reaching the end of the chunk (the class never closes) is malformed.
 */
static bool
class_char(const char *c, size_t clen, size_t *ci, uint32_t *r)
{
	size_t w;

	if (*ci >= clen || c[*ci] == '-' || c[*ci] == ']')
		return false;
	if (c[*ci] == '\\' && ++*ci >= clen)
		return false;
	*r = decode_rune((const unsigned char *)c + *ci, clen - *ci, &w);
	if (*r == RUNE_ERROR && w == 1)
		return false;
	*ci += w;
	return *ci < clen;
}

/*
 * Matches r against the class whose body starts at c[*ci] (just after '[')
 * and leaves *ci after the closing ']'.  Returns 1 on match, 0 on no match,
 * -1 when the class is malformed (empty, unterminated, bad range: PT-4.2).
 */
static int
class_match(const char *c, size_t clen, size_t *ci, uint32_t r)
{
	bool negated = false, match = false;
	size_t nrange = 0;
	uint32_t lo, hi;

	/* Only '^' negates; "[!a]" is the set {'!', 'a'} (PT-4.2). */
	if (*ci < clen && c[*ci] == '^') {
		negated = true;
		++*ci;
	}
	for (;;) {
		if (*ci < clen && c[*ci] == ']' && nrange > 0) {
			++*ci;
			break;
		}
		if (!class_char(c, clen, ci, &lo))
			return -1;
		hi = lo;
		if (c[*ci] == '-') {
			++*ci;
			if (!class_char(c, clen, ci, &hi))
				return -1;
		}
		if (lo <= r && r <= hi)
			match = true;
		nrange++;
	}
	return match != negated;
}

/*
 * Matches one chunk (no unescaped '*' outside classes) against a prefix of
 * s.  On CHUNK_OK *used is the number of bytes of s consumed.  After a
 * mismatch the rest of the chunk is still parsed, so a malformed chunk is
 * CHUNK_BAD whatever s is (PT-4.2).
 */
static enum chunk_result
match_chunk(const char *c, size_t clen, const char *s, size_t slen,
    size_t *used)
{
	const unsigned char *us = (const unsigned char *)s;
	size_t ci = 0, si = 0, w;
	bool failed = false;
	uint32_t r;
	int m;

	while (ci < clen) {
		if (si == slen)
			failed = true;
		switch (c[ci]) {
		case '[':
			r = 0;
			if (!failed) {
				r = decode_rune(us + si, slen - si, &w);
				si += w;
			}
			ci++;
			if ((m = class_match(c, clen, &ci, r)) < 0)
				return CHUNK_BAD;
			if (m == 0)
				failed = true;
			break;
		case '?':
			/* One code point, never a '/'. */
			if (!failed) {
				if (s[si] == '/')
					failed = true;
				decode_rune(us + si, slen - si, &w);
				si += w;
			}
			ci++;
			break;
		case '\\':
			if (++ci == clen)
				return CHUNK_BAD;
			/* FALLTHROUGH */
		default:
			if (!failed) {
				if (c[ci] != s[si])
					failed = true;
				si++;
			}
			ci++;
			break;
		}
	}
	if (failed)
		return CHUNK_FAIL;
	*used = si;
	return CHUNK_OK;
}

/*
 * Splits the next chunk off *pat: *star says whether it began with one or
 * more '*', and the chunk runs to the next '*' that is not inside a class
 * or escaped.  Malformed escapes are left for match_chunk to report.
 */
static void
scan_chunk(const char **pat, size_t *patlen, bool *star, const char **chunk,
    size_t *clen)
{
	const char *p = *pat;
	size_t n = *patlen, i;
	bool inclass = false;

	*star = false;
	while (n > 0 && *p == '*') {
		p++;
		n--;
		*star = true;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == '\\') {
			if (i + 1 < n)
				i++;
		} else if (p[i] == '[')
			inclass = true;
		else if (p[i] == ']')
			inclass = false;
		else if (p[i] == '*' && !inclass)
			break;
	}
	*chunk = p;
	*clen = i;
	*pat = p + i;
	*patlen = n - i;
}

/*
 * After a leading '*', tries the chunk at each later position of *name up
 * to the first '/'.  A chunk that ends the pattern must consume the rest of
 * the name.  On MV_GLOB_MATCH *name and *namelen are advanced past it.
 */
static enum mv_glob_result
star_skip(const char *c, size_t clen, bool last, const char **name,
    size_t *namelen)
{
	enum chunk_result r;
	size_t i, used;

	for (i = 0; i < *namelen && (*name)[i] != '/'; i++) {
		r = match_chunk(c, clen, *name + i + 1, *namelen - i - 1,
		    &used);
		if (r == CHUNK_BAD)
			return MV_GLOB_BADPATTERN;
		if (r == CHUNK_FAIL)
			continue;
		if (last && used < *namelen - i - 1)
			continue;
		*name += i + 1 + used;
		*namelen -= i + 1 + used;
		return MV_GLOB_MATCH;
	}
	return MV_GLOB_NOMATCH;
}

/* Go reports a syntax error anywhere in the pattern, even after a mismatch. */
static enum mv_glob_result
check_rest(const char *pat, size_t patlen)
{
	const char *c;
	size_t clen, used;
	bool star;

	while (patlen > 0) {
		scan_chunk(&pat, &patlen, &star, &c, &clen);
		if (match_chunk(c, clen, "", 0, &used) == CHUNK_BAD)
			return MV_GLOB_BADPATTERN;
	}
	return MV_GLOB_NOMATCH;
}

enum mv_glob_result
mv_glob_match(const char *pattern, size_t patlen, const char *name,
    size_t namelen)
{
	enum chunk_result r;
	enum mv_glob_result sr;
	const char *c;
	size_t clen, used = 0;
	bool star;

	while (patlen > 0) {
		scan_chunk(&pattern, &patlen, &star, &c, &clen);
		/* A trailing '*' takes the rest of the name if it has no '/'. */
		if (star && clen == 0)
			return namelen == 0 ||
			    memchr(name, '/', namelen) == NULL ?
			    MV_GLOB_MATCH : MV_GLOB_NOMATCH;
		r = match_chunk(c, clen, name, namelen, &used);
		if (r == CHUNK_OK && (used == namelen || patlen > 0)) {
			name += used;
			namelen -= used;
			continue;
		}
		if (r == CHUNK_BAD)
			return MV_GLOB_BADPATTERN;
		if (star) {
			sr = star_skip(c, clen, patlen == 0, &name, &namelen);
			if (sr == MV_GLOB_BADPATTERN)
				return sr;
			if (sr == MV_GLOB_MATCH)
				continue;
		}
		return check_rest(pattern, patlen);
	}
	return namelen == 0 ? MV_GLOB_MATCH : MV_GLOB_NOMATCH;
}

/*
 * PT-3.1: the prefix of target made of its first nslash+1 elements, or
 * false when target has fewer than nslash slashes.
 */
static bool
element_prefix(const char *target, size_t nslash, size_t *plen)
{
	size_t i, seen = 0;

	for (i = 0; target[i] != '\0'; i++) {
		if (target[i] != '/')
			continue;
		if (seen == nslash) {
			*plen = i;
			return true;
		}
		seen++;
	}
	*plen = i;
	return seen == nslash;
}

bool
mv_patterns_match(const char *list, const char *target)
{
	const char *p, *end;
	size_t plen, nslash, i, prefix;

	if (list == NULL || target == NULL)
		return false;
	for (p = list; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		/* PT-2.1: split on ',', drop one trailing '/', skip empties. */
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		plen = (size_t)(end - p);
		if (plen > 0 && p[plen - 1] == '/')
			plen--;
		if (plen == 0)
			continue;
		nslash = 0;
		for (i = 0; i < plen; i++)
			nslash += p[i] == '/';
		if (!element_prefix(target, nslash, &prefix))
			continue;
		/* PT-2.2: a malformed pattern is simply not a match. */
		if (mv_glob_match(p, plen, target, prefix) == MV_GLOB_MATCH)
			return true;
	}
	return false;
}
