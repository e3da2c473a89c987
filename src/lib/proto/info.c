/*
 * info.c: a bounded JSON reader, enough to validate a .info (GP-5.2) and
 * pick its Version and Time.  Used for every .info that arrives from
 * outside: imports, upstream fetches, upstream @latest answers.
 */
#include <string.h>
#include <strings.h>

#include "modvault/proto/info.h"

/* Nesting allowed inside a .info (Origin is one level deep). */

/* A bounded JSON reader, enough to validate a .info and pick two fields. */
struct json {
	const char	*s;
	size_t		 n, i;
	int		 depth;
};

static void
json_ws(struct json *j)
{
	while (j->i < j->n && strchr(" \t\r\n", j->s[j->i]) != NULL &&
	    j->s[j->i] != '\0')
		j->i++;
}

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		v <<= 4;
		if (p[k] >= '0' && p[k] <= '9')
			v |= (unsigned)(p[k] - '0');
		else if ((p[k] | 0x20) >= 'a' && (p[k] | 0x20) <= 'f')
			v |= (unsigned)((p[k] | 0x20) - 'a' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Appends code point c as UTF-8 (invalid surrogates become U+FFFD, as Go). */
static int
put_utf8(struct mv_buf *b, unsigned c, struct mv_err *err)
{
	unsigned char u[4];
	size_t n;

	if (c >= 0xd800 && c < 0xe000)
		c = 0xfffd;
	if (c < 0x80) {
		u[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | c >> 6);
		u[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | c >> 12);
		u[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | c >> 18);
		u[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return mv_buf_append(b, u, n, err);
}

/* A \u escape at j->i (after the backslash and 'u'), with surrogate pairs. */
static int
json_unicode(struct json *j, struct mv_buf *out, struct mv_err *err)
{
	unsigned c, lo;

	if (j->n - j->i < 4 || hex4(j->s + j->i, &c) == -1)
		return mv_fail(err, MV_EINVAL, "bad \\u escape");
	j->i += 4;
	if (c >= 0xd800 && c < 0xdc00 && j->n - j->i >= 6 &&
	    j->s[j->i] == '\\' && j->s[j->i + 1] == 'u' &&
	    hex4(j->s + j->i + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
		j->i += 6;
		c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
	}
	return out != NULL ? put_utf8(out, c, err) : 0;
}

/* A string at j->i (the opening quote); decoded into out unless NULL. */
static int
json_string(struct json *j, struct mv_buf *out, struct mv_err *err)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	const char *e;
	char c;

	j->i++;
	while (j->i < j->n) {
		if ((c = j->s[j->i++]) == '"')
			return 0;
		if ((unsigned char)c < 0x20)
			return mv_fail(err, MV_EINVAL, "control byte in string");
		if (c != '\\') {
			if (out != NULL && mv_buf_putc(out, c, err) == -1)
				return -1;
			continue;
		}
		if (j->i >= j->n)
			break;
		c = j->s[j->i++];
		if (c == 'u') {
			if (json_unicode(j, out, err) == -1)
				return -1;
		} else if (c != '\0' && (e = strchr(esc_in, c)) != NULL) {
			if (out != NULL && mv_buf_putc(out,
			    esc_out[e - esc_in], err) == -1)
				return -1;
		} else
			return mv_fail(err, MV_EINVAL, "bad escape in string");
	}
	return mv_fail(err, MV_EINVAL, "unterminated string");
}

static int
json_number(struct json *j, struct mv_err *err)
{
	size_t start;

	if (j->s[j->i] == '-')
		j->i++;
	start = j->i;
	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	if (j->i == start || (j->s[start] == '0' && j->i - start > 1))
		return mv_fail(err, MV_EINVAL, "bad number");
	if (j->i < j->n && j->s[j->i] == '.') {
		start = ++j->i;
		while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
			j->i++;
		if (j->i == start)
			return mv_fail(err, MV_EINVAL, "bad number");
	}
	if (j->i < j->n && (j->s[j->i] | 0x20) == 'e') {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		start = j->i;
		while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
			j->i++;
		if (j->i == start)
			return mv_fail(err, MV_EINVAL, "bad number");
	}
	return 0;
}

static int json_value(struct json *, struct mv_err *);

/* An object or array at j->i; members of objects are skipped. */
static int
json_container(struct json *j, char close, struct mv_err *err)
{
	if (++j->depth > MV_JSON_MAX_DEPTH)
		return mv_fail(err, MV_ELIMIT, "nested too deeply");
	j->i++;
	json_ws(j);
	if (j->i < j->n && j->s[j->i] == close) {
		j->i++;
		j->depth--;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (j->i >= j->n || j->s[j->i] != '"' ||
			    json_string(j, NULL, err) == -1)
				return mv_fail(err, MV_EINVAL, "bad member name");
			json_ws(j);
			if (j->i >= j->n || j->s[j->i++] != ':')
				return mv_fail(err, MV_EINVAL, "missing ':'");
		}
		if (json_value(j, err) == -1)
			return -1;
		json_ws(j);
		if (j->i < j->n && j->s[j->i] == ',') {
			j->i++;
			json_ws(j);
			continue;
		}
		if (j->i < j->n && j->s[j->i++] == close)
			break;
		return mv_fail(err, MV_EINVAL, "missing ',' or '%c'", close);
	}
	j->depth--;
	return 0;
}

static int
json_value(struct json *j, struct mv_err *err)
{
	static const char *const lit[] = { "true", "false", "null" };
	size_t k, len;

	json_ws(j);
	if (j->i >= j->n)
		return mv_fail(err, MV_EINVAL, "unexpected end");
	switch (j->s[j->i]) {
	case '{':
		return json_container(j, '}', err);
	case '[':
		return json_container(j, ']', err);
	case '"':
		return json_string(j, NULL, err);
	}
	for (k = 0; k < 3; k++) {
		len = strlen(lit[k]);
		if (j->n - j->i >= len && memcmp(j->s + j->i, lit[k], len) == 0) {
			j->i += len;
			return 0;
		}
	}
	return json_number(j, err);
}

/*
 * The top-level object of a .info: validates all of it and copies the
 * string members Version and Time (names matched without regard to case,
 * as Go's decoder does; the last one wins) into version and time.
 */
int
mv_info_parse(const char *s, size_t n, struct mv_buf *version, struct mv_buf *time,
    struct mv_err *err)
{
	struct json j = { s, n, 0, 1 };
	struct mv_buf name;
	struct mv_buf *dst;

	mv_buf_init(&name, 64);
	json_ws(&j);
	if (j.i >= n || s[j.i] != '{')
		return mv_fail(err, MV_EINVAL, "not a JSON object");
	j.i++;
	for (;;) {
		json_ws(&j);
		mv_buf_reset(&name);
		if (j.i >= n || s[j.i] != '"' ||
		    json_string(&j, &name, err) == -1)
			goto bad;
		json_ws(&j);
		if (j.i >= n || s[j.i++] != ':')
			goto bad;
		json_ws(&j);
		dst = strcasecmp(mv_buf_str(&name), "Version") == 0 ? version :
		    strcasecmp(mv_buf_str(&name), "Time") == 0 ? time : NULL;
		if (dst != NULL) {
			mv_buf_reset(dst);
			if (j.i >= n || s[j.i] != '"' ||
			    json_string(&j, dst, err) == -1)
				goto bad;
		} else if (json_value(&j, err) == -1)
			goto bad;
		json_ws(&j);
		if (j.i < n && s[j.i] == ',') {
			j.i++;
			continue;
		}
		if (j.i < n && s[j.i++] == '}')
			break;
		goto bad;
	}
	json_ws(&j);
	mv_buf_free(&name);
	if (j.i != n)
		return mv_fail(err, MV_EINVAL, "bytes after the JSON object");
	return 0;
bad:
	mv_buf_free(&name);
	return mv_fail(err, MV_EINVAL, "malformed JSON near byte %zu", j.i);
}


/* Calls fn for each member of the object at j->i, which it must consume. */
typedef int (*member_fn)(void *ctx, const char *name, struct json *j,
    struct mv_err *err);

static int
json_members(struct json *j, member_fn fn, void *ctx, struct mv_err *err)
{
	struct mv_buf name;
	int rc = -1;

	mv_buf_init(&name, 64);
	json_ws(j);
	if (j->i >= j->n || j->s[j->i] != '{')
		goto out;
	j->i++;
	for (;;) {
		json_ws(j);
		mv_buf_reset(&name);
		if (j->i >= j->n || j->s[j->i] != '"' ||
		    json_string(j, &name, err) == -1)
			goto out;
		json_ws(j);
		if (j->i >= j->n || j->s[j->i++] != ':')
			goto out;
		json_ws(j);
		if (fn(ctx, mv_buf_str(&name), j, err) == -1)
			goto out;
		json_ws(j);
		if (j->i < j->n && j->s[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->s[j->i++] == '}')
			break;
		goto out;
	}
	rc = 0;
out:
	mv_buf_free(&name);
	return rc == 0 ? 0 : mv_fail(err, MV_EINVAL, "malformed JSON near byte "
	    "%zu", j->i);
}

/* A string member into a fixed field (too long: malformed). */
static int
string_into(struct json *j, char *out, size_t outsz, struct mv_err *err)
{
	struct mv_buf b;
	int rc;

	mv_buf_init(&b, outsz - 1);
	rc = j->i < j->n && j->s[j->i] == '"' ? json_string(j, &b, err) :
	    mv_fail(err, MV_EINVAL, "not a string");
	if (rc == 0)
		memcpy(out, mv_buf_str(&b), b.len + 1);
	mv_buf_free(&b);
	return rc;
}

static int
origin_member(void *ctx, const char *name, struct json *j, struct mv_err *err)
{
	struct mv_info_origin *o = ctx;

	if (strcmp(name, "VCS") == 0)
		return string_into(j, o->vcs, sizeof(o->vcs), err);
	if (strcmp(name, "URL") == 0)
		return string_into(j, o->url, sizeof(o->url), err);
	if (strcmp(name, "Subdir") == 0)
		return string_into(j, o->subdir, sizeof(o->subdir), err);
	if (strcmp(name, "Ref") == 0)
		return string_into(j, o->ref, sizeof(o->ref), err);
	if (strcmp(name, "Hash") == 0)
		return string_into(j, o->hash, sizeof(o->hash), err);
	return json_value(j, err);
}

static int
top_member(void *ctx, const char *name, struct json *j, struct mv_err *err)
{
	struct mv_info_origin *o = ctx;

	if (strcasecmp(name, "Origin") != 0)
		return json_value(j, err);
	memset(o, 0, sizeof(*o));
	return json_members(j, origin_member, o, err);
}

int
mv_info_origin(const char *s, size_t n, struct mv_info_origin *o,
    struct mv_err *err)
{
	struct json j = { s, n, 0, 1 };

	memset(o, 0, sizeof(*o));
	return json_members(&j, top_member, o, err);
}
