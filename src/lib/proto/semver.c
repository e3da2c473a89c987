/* semver.c: Go semantic versions, canonical forms and pseudo-versions. */
/*
 * Numbers stay decimal strings throughout: Go puts no bound on a version's
 * MAJOR, MINOR or PATCH, so comparing, incrementing and decrementing work on
 * the digits themselves (V-2.2, V-4.4, V-4.5).  Every parse works on the
 * caller's string in place; nothing here allocates.  Outputs go to caller
 * buffers and fail with MV_ELIMIT (leaving "") when they would not fit.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/proto/semver.h"

/* A parsed version: spans of the caller's string (V-1.1). */
struct sv {
	const char	*major, *minor, *patch, *pre, *build;
	size_t		 majorlen, minorlen, patchlen, prelen, buildlen;
	bool		 shorthand;	/* vX or vX.Y */
};

/* Longest message quote; keeps one-line messages short. */
#define QUOTE_MAX 64

/* An output buffer being filled; overflow is remembered, not fatal. */
struct out {
	char	*p;
	size_t	 sz, len;
	bool	 over;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_ident_char(char c)
{
	return is_alnum(c) || c == '-';
}

/* Copies s for a message: bounded, control and non-ASCII bytes as '?'. */
static const char *
quote(char *q, size_t qsz, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < qsz && s[i] != '\0'; i++)
		q[i] = (s[i] < 0x20 || s[i] >= 0x7f) ? '?' : s[i];
	q[i] = '\0';
	return q;
}

static void
out_init(struct out *o, char *p, size_t sz)
{
	o->p = p;
	o->sz = sz;
	o->len = 0;
	o->over = sz == 0;
	if (sz > 0)
		p[0] = '\0';
}

static void
out_put(struct out *o, const char *s, size_t n)
{
	if (n == 0)
		return;		/* s may be NULL for an absent part */
	if (o->over || n >= o->sz - o->len) {
		o->over = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
out_puts(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* Ends an output: on overflow the buffer holds "" and the call fails. */
static int
out_done(struct out *o, struct mv_err *err)
{
	if (!o->over)
		return 0;
	if (o->sz > 0)
		o->p[0] = '\0';
	return mv_fail(err, MV_ELIMIT,
	    "version longer than its %zu-byte buffer", o->sz);
}

/* A MAJOR/MINOR/PATCH number: digits, no leading zero; returns its length. */
static size_t
num_len(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	if (n > 1 && s[0] == '0')
		return 0;
	return n;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* V-1.1: a prerelease identifier that is a number with a leading zero. */
static bool
bad_num(const char *s, size_t n)
{
	return n > 1 && s[0] == '0' && all_digits(s, n);
}

/*
 * Dot-separated identifiers after a '-' or '+' at s[0], ending at stop or
 * NUL; returns the length including s[0], or 0 when invalid.  Prerelease
 * identifiers must not be numbers with a leading zero (V-1.1).
 */
static size_t
idents_len(const char *s, char stop, bool pre)
{
	size_t i, start;

	for (i = start = 1; s[i] != '\0' && s[i] != stop; i++) {
		if (s[i] == '.') {
			if (i == start ||
			    (pre && bad_num(s + start, i - start)))
				return 0;
			start = i + 1;
		} else if (!is_ident_char(s[i]))
			return 0;
	}
	if (i == start || (pre && bad_num(s + start, i - start)))
		return 0;
	return i;
}

/* V-1.1: parses v; false when it is not valid Go semver. */
static bool
sv_parse(const char *v, struct sv *p)
{
	static const char zero[] = "0";
	const char *s;

	memset(p, 0, sizeof(*p));
	if (v == NULL || v[0] != 'v' || (p->majorlen = num_len(v + 1)) == 0)
		return false;
	p->major = v + 1;
	s = p->major + p->majorlen;
	p->minor = p->patch = zero;
	p->minorlen = p->patchlen = 1;
	p->shorthand = true;
	if (*s == '\0')
		return true;
	if (*s != '.' || (p->minorlen = num_len(s + 1)) == 0)
		return false;
	p->minor = s + 1;
	s = p->minor + p->minorlen;
	if (*s == '\0')
		return true;
	if (*s != '.' || (p->patchlen = num_len(s + 1)) == 0)
		return false;
	p->patch = s + 1;
	p->shorthand = false;
	s = p->patch + p->patchlen;
	if (*s == '-') {
		if ((p->prelen = idents_len(s, '+', true)) == 0)
			return false;
		p->pre = s;
		s += p->prelen;
	}
	if (*s == '+') {
		if ((p->buildlen = idents_len(s, '\0', false)) == 0)
			return false;
		p->build = s;
		s += p->buildlen;
	}
	return *s == '\0';
}

bool
mv_semver_is_valid(const char *v)
{
	struct sv p;

	return sv_parse(v, &p);
}

/* Writes "vMAJOR.MINOR" for a parsed v. */
static void
put_major_minor(struct out *o, const struct sv *p)
{
	out_put(o, "v", 1);
	out_put(o, p->major, p->majorlen);
	out_put(o, ".", 1);
	out_put(o, p->minor, p->minorlen);
}

/* Writes Canonical(v) (V-1.2) for a parsed v. */
static void
put_canonical(struct out *o, const struct sv *p)
{
	put_major_minor(o, p);
	out_put(o, ".", 1);
	out_put(o, p->patch, p->patchlen);
	out_put(o, p->pre, p->prelen);
}

static bool
build_is_incompatible(const struct sv *p)
{
	return p->buildlen == 13 && memcmp(p->build, "+incompatible", 13) == 0;
}

/* What put_part() writes: one per public V-1.2 to V-1.4 function. */
enum part {
	PART_CANONICAL,		/* V-1.2 */
	PART_VERSION,		/* V-1.3 */
	PART_MAJOR,		/* V-1.4 */
	PART_MAJOR_MINOR,
	PART_PRERELEASE,
	PART_BUILD,
};

/* Writes a part of v, or "" when v is invalid. */
static int
put_part(const char *v, enum part what, char *out, size_t outsz,
    struct mv_err *err)
{
	struct out o;
	struct sv p;

	out_init(&o, out, outsz);
	if (!sv_parse(v, &p))
		return out_done(&o, err);
	switch (what) {
	case PART_VERSION:
		put_canonical(&o, &p);
		if (build_is_incompatible(&p))
			out_puts(&o, "+incompatible");
		break;
	case PART_CANONICAL:
		put_canonical(&o, &p);
		break;
	case PART_MAJOR:
		out_put(&o, "v", 1);
		out_put(&o, p.major, p.majorlen);
		break;
	case PART_MAJOR_MINOR:
		put_major_minor(&o, &p);
		break;
	case PART_PRERELEASE:
		out_put(&o, p.pre, p.prelen);
		break;
	case PART_BUILD:
		out_put(&o, p.build, p.buildlen);
		break;
	}
	return out_done(&o, err);
}

int
mv_semver_canonical(const char *v, char *out, size_t outsz, struct mv_err *err)
{
	return put_part(v, PART_CANONICAL, out, outsz, err);
}

int
mv_version_canonical(const char *v, char *out, size_t outsz, struct mv_err *err)
{
	return put_part(v, PART_VERSION, out, outsz, err);
}

/*
 * V-1.3.  Unlike Go's CanonicalVersion(v) == v, "" is not canonical: an
 * empty version is never something the proxy may serve.
 */
bool
mv_version_is_canonical(const char *v)
{
	struct sv p;

	if (!sv_parse(v, &p) || p.shorthand)
		return false;
	return p.buildlen == 0 || build_is_incompatible(&p);
}

int
mv_semver_major(const char *v, char *out, size_t outsz, struct mv_err *err)
{
	return put_part(v, PART_MAJOR, out, outsz, err);
}

int
mv_semver_major_minor(const char *v, char *out, size_t outsz,
    struct mv_err *err)
{
	return put_part(v, PART_MAJOR_MINOR, out, outsz, err);
}

int
mv_semver_prerelease(const char *v, char *out, size_t outsz,
    struct mv_err *err)
{
	return put_part(v, PART_PRERELEASE, out, outsz, err);
}

int
mv_semver_build(const char *v, char *out, size_t outsz, struct mv_err *err)
{
	return put_part(v, PART_BUILD, out, outsz, err);
}

static int
sign(int c)
{
	return (c > 0) - (c < 0);
}

/* V-2.2: decimal strings without leading zeros: length, then bytes. */
static int
num_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return sign(memcmp(a, b, alen));
}

/* Length of the identifier at s (up to '.' or the end of n bytes). */
static size_t
ident_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != '.')
		i++;
	return i;
}

/* V-2.3: compares two prereleases, each "" or "-ident.ident...". */
static int
pre_cmp(const char *x, size_t xn, const char *y, size_t yn)
{
	size_t dx, dy;
	bool nx, ny;
	int c;

	if (xn == 0 || yn == 0)
		return xn == yn ? 0 : (xn == 0 ? 1 : -1);
	if (xn == yn && memcmp(x, y, xn) == 0)
		return 0;
	while (xn > 0 && yn > 0) {
		x++, xn--, y++, yn--;	/* the '-' or '.' before each ident */
		dx = ident_len(x, xn);
		dy = ident_len(y, yn);
		nx = all_digits(x, dx);
		ny = all_digits(y, dy);
		if (nx != ny)
			return nx ? -1 : 1;
		if (nx)
			c = num_cmp(x, dx, y, dy);
		else {
			c = sign(memcmp(x, y, dx < dy ? dx : dy));
			if (c == 0 && dx != dy)
				c = dx < dy ? -1 : 1;
		}
		if (c != 0)
			return c;
		x += dx, xn -= dx, y += dy, yn -= dy;
	}
	return xn == 0 ? (yn == 0 ? 0 : -1) : 1;
}

/* V-2.1 to V-2.4. */
int
mv_semver_compare(const char *a, const char *b)
{
	struct sv pa, pb;
	bool oka, okb;
	int c;

	oka = sv_parse(a, &pa);
	okb = sv_parse(b, &pb);
	if (!oka || !okb)
		return oka == okb ? 0 : (oka ? 1 : -1);
	if ((c = num_cmp(pa.major, pa.majorlen, pb.major, pb.majorlen)) != 0 ||
	    (c = num_cmp(pa.minor, pa.minorlen, pb.minor, pb.minorlen)) != 0 ||
	    (c = num_cmp(pa.patch, pa.patchlen, pb.patch, pb.patchlen)) != 0)
		return c;
	return pre_cmp(pa.pre, pa.prelen, pb.pre, pb.prelen);
}

static int
sort_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int c;

	if ((c = mv_semver_compare(x, y)) != 0)
		return c;
	return sign(strcmp(x, y));
}

/* V-2.5: the byte-order tie-break makes the order total, so qsort is exact. */
void
mv_semver_sort(const char **list, size_t n)
{
	if (n > 1)
		qsort(list, n, sizeof(*list), sort_cmp);
}

/*
 * The end of the V-4.2 pattern: exactly 14 digits, '-', [A-Za-z0-9]+, then
 * either the end or '+' BUILD.
 */
static bool
pseudo_tail(const char *s)
{
	size_t i, n;

	for (i = 0; i < 14; i++)
		if (!is_digit(s[i]))
			return false;
	if (s[14] != '-')
		return false;
	s += 15;
	for (n = 0; is_alnum(s[n]); n++)
		continue;
	if (n == 0)
		return false;
	s += n;
	return *s == '\0' || (*s == '+' && idents_len(s, '\0', false) > 0);
}

/*
 * V-4.2 branch "digits . digits - ([^+]*\.)? 0\." before the tail, with s
 * after "vN.".  Since the tail holds no '.' before its '+', the "0." must
 * end at the last '.' before the first '+', which makes this linear.
 */
static bool
pseudo_based(const char *s)
{
	size_t n, e, d;

	if ((n = strspn(s, "0123456789")) == 0 || s[n] != '.')
		return false;
	s += n + 1;
	if ((n = strspn(s, "0123456789")) == 0 || s[n] != '-')
		return false;
	s += n + 1;
	e = strcspn(s, "+");
	for (d = e; d > 0 && s[d - 1] != '.'; d--)
		continue;
	if (d < 2)		/* no '.', or no '0' before it */
		return false;
	d--;			/* s[d] is that '.' */
	if (s[d - 1] != '0' || (d >= 2 && s[d - 2] != '.'))
		return false;
	return pseudo_tail(s + d + 1);
}

bool
mv_version_is_pseudo(const char *v)
{
	const char *s;
	size_t n, dashes = 0;

	if (v == NULL)
		return false;
	for (s = v; *s != '\0'; s++)
		dashes += *s == '-';
	if (dashes < 2 || !mv_semver_is_valid(v))
		return false;
	if ((n = strspn(v + 1, "0123456789")) == 0 || v[1 + n] != '.')
		return false;
	s = v + 1 + n + 1;
	if (strncmp(s, "0.0-", 4) == 0 && pseudo_tail(s + 4))
		return true;
	return pseudo_based(s);
}

/* A pseudo-version split as V-4.3 says: spans of the caller's string. */
struct pseudo {
	const char	*base, *ts, *rev, *build;
	size_t		 baselen, revlen, buildlen;
};

static size_t
last_index(const char *s, size_t n, char c)
{
	while (n > 0)
		if (s[--n] == c)
			return n;
	return (size_t)-1;
}

/* V-4.3. */
static int
pseudo_split(const char *v, struct pseudo *ps, struct mv_err *err)
{
	char q[QUOTE_MAX];
	struct sv p;
	size_t n, i, j, d;

	if (!mv_version_is_pseudo(v) || !sv_parse(v, &p))
		return mv_fail(err, MV_EINVAL, "invalid pseudo-version \"%s\"",
		    quote(q, sizeof(q), v == NULL ? "" : v));
	ps->build = p.build == NULL ? "" : p.build;
	ps->buildlen = p.buildlen;
	n = strlen(v) - p.buildlen;
	j = last_index(v, n, '-');
	ps->rev = v + j + 1;
	ps->revlen = n - j - 1;
	i = last_index(v, j, '-');
	d = last_index(v, j, '.');
	/* The 14-digit stamp follows either the base's ".0" or its '-'. */
	if (d != (size_t)-1 && (i == (size_t)-1 || d > i))
		i = d;
	ps->base = v;
	ps->baselen = i;
	ps->ts = v + i + 1;
	return 0;
}

static int
ts_field(const char *s, size_t n)
{
	int x = 0;

	while (n-- > 0)
		x = x * 10 + (*s++ - '0');
	return x;
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
mv_pseudo_time(const char *v, time_t *t, struct mv_err *err)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	struct pseudo ps;
	struct tm tm;
	char q[QUOTE_MAX];
	int dim;

	if (pseudo_split(v, &ps, err) == -1)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = ts_field(ps.ts, 4) - 1900;
	tm.tm_mon = ts_field(ps.ts + 4, 2) - 1;
	tm.tm_mday = ts_field(ps.ts + 6, 2);
	tm.tm_hour = ts_field(ps.ts + 8, 2);
	tm.tm_min = ts_field(ps.ts + 10, 2);
	tm.tm_sec = ts_field(ps.ts + 12, 2);
	dim = 0;
	if (tm.tm_mon >= 0 && tm.tm_mon < 12)
		dim = mdays[tm.tm_mon] +
		    (tm.tm_mon == 1 && is_leap(tm.tm_year + 1900));
	if (tm.tm_mday < 1 || tm.tm_mday > dim || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59)
		return mv_fail(err, MV_EINVAL,
		    "invalid pseudo-version \"%s\": malformed time \"%.14s\"",
		    quote(q, sizeof(q), v), ps.ts);
	*t = timegm(&tm);
	return 0;
}

int
mv_pseudo_rev(const char *v, char *out, size_t outsz, struct mv_err *err)
{
	struct pseudo ps;
	struct out o;

	out_init(&o, out, outsz);
	if (pseudo_split(v, &ps, err) == -1)
		return -1;
	out_put(&o, ps.rev, ps.revlen);
	return out_done(&o, err);
}

/* Writes the decimal string s (no leading zeros, not "0") minus one. */
static void
put_decremented(struct out *o, const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && s[i - 1] == '0')
		i--;
	/* s[i - 1] is the digit that borrows; a leading "1" may vanish. */
	if (i - 1 > 0 || s[0] != '1' || n == 1) {
		out_put(o, s, i - 1);
		out_put(o, &"0123456789"[s[i - 1] - '0' - 1], 1);
	}
	for (; i < n; i++)
		out_put(o, "9", 1);
}

/* Writes the decimal string s plus one, carrying as far as needed. */
static void
put_incremented(struct out *o, const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && s[i - 1] == '9')
		i--;
	if (i == 0)
		out_put(o, "1", 1);
	else {
		out_put(o, s, i - 1);
		out_put(o, &"0123456789"[s[i - 1] - '0' + 1], 1);
	}
	for (; i < n; i++)
		out_put(o, "0", 1);
}

/*
 * V-4.4.  The base is a prefix of v, so its prerelease starts at its first
 * '-' (MAJOR.MINOR.PATCH hold none) and runs to its end.
 */
int
mv_pseudo_base(const char *v, char *out, size_t outsz, struct mv_err *err)
{
	char q[QUOTE_MAX];
	struct pseudo ps;
	struct out o;
	const char *pre;
	size_t pn, dot;

	out_init(&o, out, outsz);
	if (pseudo_split(v, &ps, err) == -1)
		return -1;
	pre = memchr(ps.base, '-', ps.baselen);
	if (pre == NULL) {
		if (ps.buildlen > 0)
			return mv_fail(err, MV_EINVAL, "invalid pseudo-version "
			    "\"%s\": lacks base version, but has build "
			    "metadata", quote(q, sizeof(q), v));
		return 0;
	}
	pn = ps.baselen - (size_t)(pre - ps.base);
	if (pn == 2 && pre[1] == '0') {
		/* the patch is base[dot + 1, baselen - 2) */
		dot = last_index(ps.base, ps.baselen - 2, '.');
		if (ps.baselen - 2 - dot == 2 && ps.base[dot + 1] == '0')
			return mv_fail(err, MV_EINVAL, "invalid pseudo-version "
			    "\"%s\": version before %.*s would have negative "
			    "patch number", quote(q, sizeof(q), v),
			    (int)(ps.baselen - 2), ps.base);
		out_put(&o, ps.base, dot + 1);
		put_decremented(&o, ps.base + dot + 1,
		    ps.baselen - 2 - dot - 1);
	} else
		out_put(&o, ps.base, ps.baselen - 2);	/* drop ".0" */
	out_put(&o, ps.build, ps.buildlen);
	return out_done(&o, err);
}

/* A major for V-4.5: "v" and a number ("" means v0). */
static bool
is_major(const char *m)
{
	size_t n;

	return m[0] == 'v' && (n = num_len(m + 1)) > 0 && m[1 + n] == '\0';
}

/* V-4.5: the "yyyymmddhhmmss-rev" segment. */
static int
put_segment(struct out *o, time_t t, const char *rev, struct mv_err *err)
{
	char ts[32];
	struct tm tm;
	size_t n;

	for (n = 0; is_alnum(rev[n]); n++)
		continue;
	if (n == 0 || rev[n] != '\0')
		return mv_fail(err, MV_EINVAL,
		    "invalid pseudo-version revision");
	/* V-4.1: exactly 14 digits, so only years 0000 to 9999 */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return mv_fail(err, MV_EINVAL,
		    "pseudo-version time %lld out of range", (long long)t);
	snprintf(ts, sizeof(ts), "%04d%02d%02d%02d%02d%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	out_put(o, ts, 14);
	out_put(o, "-", 1);
	out_puts(o, rev);
	return 0;
}

int
mv_pseudo_make(const char *major, const char *older, time_t t,
    const char *rev, char *out, size_t outsz, struct mv_err *err)
{
	char q[QUOTE_MAX];
	struct out o;
	struct sv p;

	out_init(&o, out, outsz);
	memset(&p, 0, sizeof(p));
	if (major[0] != '\0' && !is_major(major))
		return mv_fail(err, MV_EINVAL, "invalid major version \"%s\"",
		    quote(q, sizeof(q), major));
	if (older[0] == '\0') {
		out_puts(&o, major[0] == '\0' ? "v0" : major);
		out_puts(&o, ".0.0-");
	} else if (!sv_parse(older, &p))
		return mv_fail(err, MV_EINVAL, "invalid version \"%s\"",
		    quote(q, sizeof(q), older));
	else if (p.prelen > 0) {
		put_canonical(&o, &p);
		out_puts(&o, ".0.");
	} else {
		put_major_minor(&o, &p);
		out_put(&o, ".", 1);
		put_incremented(&o, p.patch, p.patchlen);
		out_puts(&o, "-0.");
	}
	if (put_segment(&o, t, rev, err) == -1) {
		out_init(&o, out, outsz);
		return -1;
	}
	if (older[0] != '\0')
		out_put(&o, p.build, p.buildlen);
	return out_done(&o, err);
}

/* GP-3.7 CheckPathMajor. */
int
mv_check_path_major(const char *v, const char *path_major,
    struct mv_err *err)
{
	char q[QUOTE_MAX];
	struct sv p;
	size_t n;

	n = strlen(path_major);
	/* GP-3.7 1: gopkg.in's "-unstable" does not change the major */
	if (n >= 11 && path_major[0] == '.' && path_major[1] == 'v' &&
	    strcmp(path_major + n - 9, "-unstable") == 0)
		n -= 9;
	/* GP-3.7 2: old go commands made v0.0.0- pseudo-versions for .v1 */
	if (strncmp(v, "v0.0.0-", 7) == 0 && n == 3 &&
	    strncmp(path_major, ".v1", 3) == 0)
		return 0;
	/* GP-3.7 3: M is the major of v */
	if (!sv_parse(v, &p))
		return mv_fail(err, MV_EINVAL, "invalid version \"%s\"",
		    quote(q, sizeof(q), v));
	if (n == 0) {		/* GP-3.7 4 */
		if ((p.majorlen == 1 && (p.major[0] == '0' ||
		    p.major[0] == '1')) || build_is_incompatible(&p))
			return 0;
		return mv_fail(err, MV_EINVAL, "invalid version \"%s\": should "
		    "be v0 or v1, not v%.*s", quote(q, sizeof(q), v),
		    (int)p.majorlen, p.major);
	}
	/* GP-3.7 5 */
	if ((path_major[0] == '/' || path_major[0] == '.') &&
	    path_major[1] == 'v' && n - 2 == p.majorlen &&
	    memcmp(path_major + 2, p.major, p.majorlen) == 0)
		return 0;
	return mv_fail(err, MV_EINVAL, "invalid version \"%s\": should be "
	    "%.*s, not v%.*s", quote(q, sizeof(q), v), (int)(n - 1),
	    path_major + 1, (int)p.majorlen, p.major);
}

int
mv_version_query_check(const char *q, struct mv_err *err)
{
	size_t n = strnlen(q, MV_VERSION_MAX_BYTES + 1), i;

	if (n == 0)
		return mv_fail(err, MV_EINVAL, "empty version query");
	if (n > MV_VERSION_MAX_BYTES)
		return mv_fail(err, MV_EINVAL, "version query longer than %d "
		    "bytes", MV_VERSION_MAX_BYTES);
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._+~-", q[i]) == NULL)
			return mv_fail(err, MV_EINVAL, "invalid version query "
			    "\"%.*s\": byte 0x%02x", QUOTE_MAX, q,
			    (unsigned char)q[i]);
	if (q[0] == '-' || q[0] == '.' || strstr(q, "..") != NULL)
		return mv_fail(err, MV_EINVAL, "invalid version query \"%.*s\"",
		    QUOTE_MAX, q);
	return 0;
}
