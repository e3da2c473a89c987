/* modpath.c: module, import and file path rules and the "!" case encoding. */
/*
 * Every rule is GP-2 or GP-3 of goproxy-protocol.md and follows the code of
 * golang.org/x/mod/module where its doc comment differs (GP-3.2 note).  The
 * internal checkers never build an error themselves: they take (bytes,
 * length), return 0 or -1, and on -1 leave a short reason in a caller array
 * ("invalid char '*'"), so one public wrapper can say which input failed
 * ("invalid escaped module path \"x\": ...") whatever the route to the rule.
 * All failures are MV_EINVAL, including the modvault length bounds: to a
 * client an overlong path is just an invalid one (404, GP-2.2).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "unicode_letters.h"

_Static_assert(MV_VERSION_MAX_BYTES <= MV_MODPATH_MAX_BYTES, "decode() buffer size");

#define WHY_MAX		160	/* a reason: "invalid char U+263A" etc. */
#define QUOTE_MAX	200	/* a quoted subject in a message, truncated */

static const char *const kind_name[] = {
	[MV_PATH_MODULE] = "module",
	[MV_PATH_IMPORT] = "import",
	[MV_PATH_FILE] = "file",
};

static const size_t kind_max[] = {
	[MV_PATH_MODULE] = MV_MODPATH_MAX_BYTES,
	[MV_PATH_IMPORT] = MV_FILEPATH_MAX_BYTES,
	[MV_PATH_FILE] = MV_FILEPATH_MAX_BYTES,
};

static int
reason(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
reason(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Decodes one UTF-8 sequence of s[0..len).  Returns its length (1 to 4) and
 * the code point, or 0 if the bytes are not valid UTF-8: a stray
 * continuation byte, a truncated sequence, an overlong form (C0, C1, E0 80-9F,
 * F0 80-8F), a surrogate (ED A0-BF) or a value above U+10FFFF (F4 90-, F5-).
 * This is exactly what Go's utf8.ValidString rejects (GP-3.1).
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		c = s[0] & 0x0F;
		if (s[0] == 0xE0)
			lo = 0xA0;
		else if (s[0] == 0xED)
			hi = 0x9F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		c = s[0] & 0x07;
		if (s[0] == 0xF0)
			lo = 0x90;
		else if (s[0] == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (len < n)
		return 0;
	/* Only the second byte has a narrowed range; the rest are 80-BF. */
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = c;
	return n;
}

/* Go's unicode.IsLetter, from the generated table (binary search). */
static bool
is_letter(uint32_t c)
{
	size_t lo = 0, mid;
	size_t hi = sizeof(unicode_letters) / sizeof(unicode_letters[0]);

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c > unicode_letters[mid].hi)
			lo = mid + 1;
		else if (c < unicode_letters[mid].lo)
			hi = mid;
		else
			return true;
	}
	return false;
}

static bool
is_ascii_alnum(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* GP-3.3: the character set of each kind. */
static bool
char_ok(uint32_t c, enum mv_path_kind kind)
{
	if (is_ascii_alnum(c))
		return true;
	if (c >= 0x80)
		return kind == MV_PATH_FILE && is_letter(c);
	if (c == '\0')
		return false;	/* strchr would find the terminator */
	switch (kind) {
	case MV_PATH_MODULE:
		return strchr("-._~", (int)c) != NULL;
	case MV_PATH_IMPORT:
		return strchr("-._~+", (int)c) != NULL;
	default:
		return strchr(" !#$%&()+,-.=@[]^_{}~", (int)c) != NULL;
	}
}

static int
bad_char(uint32_t c, char *why)
{
	if (c == '\'' || c == '\\')
		return reason(why, "invalid char '\\%c'", (int)c);
	if (c >= 0x20 && c < 0x7F)
		return reason(why, "invalid char '%c'", (int)c);
	if (c < 0x80)
		return reason(why, "invalid char '\\x%02x'", (unsigned)c);
	return reason(why, "invalid char U+%04X", (unsigned)c);
}

/*
 * GP-3.2.6: short names that Windows reserves.  Go compares with
 * strings.EqualFold; no non-ASCII letter folds to a letter of these names
 * (the only non-ASCII simple folds onto ASCII are U+212A to 'k' and U+017F
 * to 's'), so an ASCII comparison is the same test.
 */
static bool
is_windows_reserved(const char *s, size_t len)
{
	static const char *const names[] = { "CON", "PRN", "AUX", "NUL" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len == 3 && strncasecmp(s, names[i], 3) == 0)
			return true;
	return len == 4 && (strncasecmp(s, "COM", 3) == 0 ||
	    strncasecmp(s, "LPT", 3) == 0) && s[3] >= '1' && s[3] <= '9';
}

/* GP-3.2.7: a trailing "~" followed only by digits (EXAMPL~1). */
static bool
is_short_name(const char *s, size_t len)
{
	size_t tilde, i;

	for (tilde = len; tilde > 0 && s[tilde - 1] != '~'; tilde--)
		continue;
	if (tilde == 0 || tilde == len)
		return false;
	for (i = tilde; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * GP-3.2, in the spec's order:
 *  1. not empty;
 *  2. not only dots;
 *  3. module kind: no leading dot;
 *  4. no trailing dot;
 *  5. every character in the kind's set (GP-3.3), as valid UTF-8;
 *  6. the part before the first dot is not a Windows reserved name;
 *  7. module and import kinds: that part does not end in "~" and digits.
 */
static int
elem_why(const char *e, size_t len, enum mv_path_kind kind, char *why)
{
	const unsigned char *u = (const unsigned char *)e;
	size_t i, n, shortlen;
	uint32_t c;

	if (len == 0)
		return reason(why, "empty path element");
	for (i = 0; i < len && e[i] == '.'; i++)
		continue;
	if (i == len)
		return reason(why, "invalid path element \"%.*s\"",
		    len > 8 ? 8 : (int)len, e);
	if (kind == MV_PATH_MODULE && e[0] == '.')
		return reason(why, "leading dot in path element");
	if (e[len - 1] == '.')
		return reason(why, "trailing dot in path element");
	for (i = 0; i < len; i += n) {
		if ((n = utf8_decode(u + i, len - i, &c)) == 0)
			return reason(why, "invalid UTF-8");
		if (!char_ok(c, kind))
			return bad_char(c, why);
	}
	for (shortlen = 0; shortlen < len && e[shortlen] != '.'; shortlen++)
		continue;
	if (is_windows_reserved(e, shortlen))
		return reason(why, "\"%.*s\" disallowed as path element "
		    "component on Windows", (int)shortlen, e);
	if (kind != MV_PATH_FILE && is_short_name(e, shortlen))
		return reason(why, "trailing tilde and digits in path element");
	return 0;
}

/*
 * GP-3.1: the modvault bound, valid UTF-8, not empty, no leading '-'
 * (except file kind), no "//", no trailing '/', then each element (GP-3.2).
 */
static int
path_why(const char *p, size_t len, enum mv_path_kind kind, char *why)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i, n, start;
	uint32_t c;

	if (len > kind_max[kind])
		return reason(why, "longer than %zu bytes", kind_max[kind]);
	for (i = 0; i < len; i += n)
		if ((n = utf8_decode(u + i, len - i, &c)) == 0)
			return reason(why, "invalid UTF-8");
	if (len == 0)
		return reason(why, "empty string");
	if (p[0] == '-' && kind != MV_PATH_FILE)
		return reason(why, "leading dash");
	for (i = 1; i < len; i++)
		if (p[i - 1] == '/' && p[i] == '/')
			return reason(why, "double slash");
	if (p[len - 1] == '/')
		return reason(why, "trailing slash");
	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && p[i] != '/')
			continue;
		if (elem_why(p + start, i - start, kind, why) == -1)
			return -1;
		start = i + 1;
	}
	return 0;
}

/*
 * GP-3.5/3.6 SplitPathVersion.  Sets *prefix_len (the major suffix is the
 * rest, p[*prefix_len..len)); returns -1 if the path's suffix is invalid.
 */
static int
split_why(const char *p, size_t len, size_t *prefix_len, char *why)
{
	static const char unstable[] = "-unstable";
	const size_t ulen = sizeof(unstable) - 1;
	size_t i = len, end;
	bool dot = false;

	*prefix_len = len;
	if (len >= 9 && strncmp(p, "gopkg.in/", 9) == 0) {
		/* GP-3.6: ".vN" or ".vN-unstable", N without a leading 0. */
		if (i >= ulen && memcmp(p + i - ulen, unstable, ulen) == 0)
			i -= ulen;
		end = i;
		while (i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9')
			i--;
		if (i == end || i < 2 || p[i - 1] != 'v' || p[i - 2] != '.')
			return reason(why, "gopkg.in path must end in .vN");
		if (p[i] == '0' && !(end == i + 1 && end == len))
			return reason(why, "invalid major version suffix");
		*prefix_len = i - 2;
		return 0;
	}
	/* GP-3.5: "/vN" with N >= 2, no leading 0, no dot. */
	while (i > 0 && ((p[i - 1] >= '0' && p[i - 1] <= '9') ||
	    p[i - 1] == '.')) {
		dot = dot || p[i - 1] == '.';
		i--;
	}
	if (i == len || i < 2 || p[i - 1] != 'v' || p[i - 2] != '/')
		return 0;
	if (dot || p[i] == '0' || (len - i == 1 && p[i] == '1'))
		return reason(why, "invalid major version suffix \"%.*s\"",
		    (int)(len - i + 2 > 16 ? 16 : len - i + 2), p + i - 2);
	*prefix_len = i - 2;
	return 0;
}

/* GP-3.4 CheckPath. */
static int
modpath_why(const char *p, size_t len, char *why)
{
	size_t i, n, first, prefix_len;

	if (path_why(p, len, MV_PATH_MODULE, why) == -1)
		return -1;
	for (first = 0; first < len && p[first] != '/'; first++)
		continue;
	if (memchr(p, '.', first) == NULL)
		return reason(why, "missing dot in first path element");
	/* path_why already rejected empty and leading '-' paths. */
	for (i = 0; i < first; i++) {
		if ((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '.')
			continue;
		bad_char((unsigned char)p[i], why);
		n = strlen(why);
		snprintf(why + n, WHY_MAX - n, " in first path element");
		return -1;
	}
	return split_why(p, len, &prefix_len, why);
}

/*
 * Quotes s for a one-line message: printable ASCII and non-ASCII letters as
 * they are, '"' and '\' with a backslash, every other byte as \xNN (so no
 * control, line-separator or bidi character reaches a log); long inputs end
 * in "...".
 */
static const char *
quote(const char *s, size_t len, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, j = 0, k, n;
	uint32_t c;

	out[j++] = '"';
	for (i = 0; i < len && j < QUOTE_MAX - 24; i += n) {
		if ((n = utf8_decode(u + i, len - i, &c)) == 0) {
			n = 1;
			c = u[i];
		}
		if (n > 1 && is_letter(c)) {
			memcpy(out + j, s + i, n);
			j += n;
		} else if (c == '"' || c == '\\') {
			out[j++] = '\\';
			out[j++] = s[i];
		} else if (n == 1 && c >= 0x20 && c < 0x7F)
			out[j++] = s[i];
		else
			for (k = 0; k < n; k++)
				j += (size_t)snprintf(out + j, 5, "\\x%02x",
				    u[i + k]);
	}
	if (i < len) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j++] = '"';
	out[j] = '\0';
	return out;
}

static int
fail_why(struct mv_err *err, const char *what, const char *s, size_t len,
    const char *why)
{
	char q[QUOTE_MAX];

	return mv_fail(err, MV_EINVAL, "invalid %s %s: %s", what,
	    quote(s, len, q), why);
}

int
mv_path_check(const char *path, enum mv_path_kind kind, struct mv_err *err)
{
	char why[WHY_MAX], what[16];
	size_t len;

	if ((unsigned)kind > MV_PATH_FILE)
		return mv_fail(err, MV_EINVAL, "invalid path kind %d",
		    (int)kind);
	len = strnlen(path, kind_max[kind] + 1);
	if (path_why(path, len, kind, why) == 0)
		return 0;
	snprintf(what, sizeof(what), "%s path", kind_name[kind]);
	return fail_why(err, what, path, len, why);
}

int
mv_path_check_elem(const char *elem, size_t len, enum mv_path_kind kind,
    struct mv_err *err)
{
	char why[WHY_MAX], what[32];

	if ((unsigned)kind > MV_PATH_FILE)
		return mv_fail(err, MV_EINVAL, "invalid path kind %d",
		    (int)kind);
	if (len > kind_max[kind])
		reason(why, "longer than %zu bytes", kind_max[kind]);
	else if (elem_why(elem, len, kind, why) == 0)
		return 0;
	snprintf(what, sizeof(what), "%s path element", kind_name[kind]);
	return fail_why(err, what, elem, len, why);
}

int
mv_modpath_check(const char *path, struct mv_err *err)
{
	char why[WHY_MAX];
	size_t len = strnlen(path, MV_MODPATH_MAX_BYTES + 1);

	if (modpath_why(path, len, why) == 0)
		return 0;
	return fail_why(err, "module path", path, len, why);
}

int
mv_importpath_check(const char *path, struct mv_err *err)
{
	return mv_path_check(path, MV_PATH_IMPORT, err);
}

int
mv_filepath_check(const char *path, struct mv_err *err)
{
	return mv_path_check(path, MV_PATH_FILE, err);
}

int
mv_modpath_split_major(const char *path, size_t *prefix_len,
    const char **major, struct mv_err *err)
{
	char why[WHY_MAX];
	size_t len = strnlen(path, MV_MODPATH_MAX_BYTES + 1);

	if (len > MV_MODPATH_MAX_BYTES)
		reason(why, "longer than %d bytes", MV_MODPATH_MAX_BYTES);
	else if (split_why(path, len, prefix_len, why) == 0) {
		*major = path + *prefix_len;
		return 0;
	}
	return fail_why(err, "module path", path, len, why);
}

/* GP-3.8 Check: CheckPath, valid semver (V-1), CheckPathMajor (GP-3.7). */
int
mv_modpath_check_version(const char *path, const char *version,
    struct mv_err *err)
{
	size_t pl, vlen = strnlen(version, MV_VERSION_MAX_BYTES + 1);
	const char *major;
	char q[QUOTE_MAX];

	if (mv_modpath_check(path, err) == -1 ||
	    mv_modpath_split_major(path, &pl, &major, err) == -1)
		return -1;
	if (vlen > MV_VERSION_MAX_BYTES || !mv_semver_is_valid(version))
		return mv_fail(err, MV_EINVAL, "invalid version %s for module "
		    "\"%s\": not a semantic version", quote(version, vlen, q),
		    path);
	if (mv_check_path_major(version, major, err) == -1)
		return mv_wrap(err, "module \"%s\": ", path);
	return 0;
}

/* GP-2.1: '!' + lower case for each upper-case ASCII letter. */
static int
escape(const char *s, struct mv_buf *out, struct mv_err *err)
{
	size_t start = out->len;

	for (; *s != '\0'; s++) {
		if (*s >= 'A' && *s <= 'Z') {
			if (mv_buf_putc(out, '!', err) == -1 ||
			    mv_buf_putc(out, (char)(*s - 'A' + 'a'), err) == -1)
				goto fail;
		} else if (mv_buf_putc(out, *s, err) == -1)
			goto fail;
	}
	return 0;
fail:
	mv_buf_truncate(out, start);
	return -1;
}

int
mv_escape_path(const char *path, struct mv_buf *out, struct mv_err *err)
{
	/* The module set (GP-3.3) has neither '!' nor bytes >= 0x80. */
	if (mv_modpath_check(path, err) == -1)
		return -1;
	return escape(path, out, err);
}

/* GP-2.1: a version must be an ASCII file-path element without '!'. */
static int
version_why(const char *v, size_t len, char *why)
{
	size_t i;

	if (len > MV_VERSION_MAX_BYTES)
		return reason(why, "longer than %d bytes", MV_VERSION_MAX_BYTES);
	if (elem_why(v, len, MV_PATH_FILE, why) == -1)
		return -1;
	for (i = 0; i < len; i++)
		if (v[i] == '!' || (unsigned char)v[i] >= 0x80)
			return reason(why, "disallowed version string");
	return 0;
}

int
mv_escape_version(const char *version, struct mv_buf *out,
    struct mv_err *err)
{
	char why[WHY_MAX];
	size_t len = strnlen(version, MV_VERSION_MAX_BYTES + 1);

	if (version_why(version, len, why) == -1)
		return fail_why(err, "version", version, len, why);
	return escape(version, out, err);
}

/*
 * GP-2.2: undoes escape() into dst (dstsz bytes, NUL-terminated on success).
 * Output beyond dstsz - 1 bytes is reported as too long.
 */
static int
unescape(const char *s, char *dst, size_t dstsz, size_t *dlen, char *why)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, j = 0;
	unsigned char c;

	for (i = 0; u[i] != '\0'; i++) {
		if (j == dstsz - 1)
			return reason(why, "longer than %zu bytes", dstsz - 1);
		c = u[i];
		if (c >= 0x80)
			return reason(why, "non-ASCII byte 0x%02x", c);
		if (c >= 'A' && c <= 'Z')
			return reason(why, "bare uppercase '%c'", c);
		if (c == '!') {
			c = u[++i];
			if (c == '\0')
				return reason(why, "trailing '!'");
			if (c < 'a' || c > 'z')
				return reason(why, "'!' not followed by a "
				    "lowercase letter");
			c = (unsigned char)(c - 'a' + 'A');
		}
		dst[j++] = (char)c;
	}
	dst[j] = '\0';
	*dlen = j;
	return 0;
}

/* GP-2.2: unescape, then validate as a module path or as a version. */
static int
decode(const char *escaped, bool version, struct mv_buf *out,
    struct mv_err *err)
{
	char s[MV_MODPATH_MAX_BYTES + 1], why[WHY_MAX];
	size_t len = 0, max = version ? MV_VERSION_MAX_BYTES : MV_MODPATH_MAX_BYTES;

	if (unescape(escaped, s, max + 1, &len, why) == -1 ||
	    (version ? version_why(s, len, why) :
	    modpath_why(s, len, why)) == -1)
		return fail_why(err, version ? "escaped version" :
		    "escaped module path", escaped, strnlen(escaped, QUOTE_MAX),
		    why);
	return mv_buf_append(out, s, len, err);
}

int
mv_unescape_path(const char *escaped, struct mv_buf *out, struct mv_err *err)
{
	return decode(escaped, false, out, err);
}

int
mv_unescape_version(const char *escaped, struct mv_buf *out,
    struct mv_err *err)
{
	return decode(escaped, true, out, err);
}
