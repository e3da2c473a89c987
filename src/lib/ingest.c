/* ingest.c: validating a module version's three files and storing them. */
/*
 * The one way bytes from outside (an upstream fetch, an import tree) enter
 * the store.  Everything is checked before anything is written:
 *   - module path and version: GP-3.8 Check, and the version canonical
 *   - .info: bounded, valid JSON, Version equal to the requested version
 *     (GP-11.1.1, GP-5.2.4); Time kept as given
 *   - .mod: at most max_gomod_bytes (GP-11.1.2, GP-5.3.5, MZ-2.3)
 *   - .zip: mv_zip_check, which applies MZ-5 and computes H-2 (GP-11.1.3)
 *   - consistency: .mod equals the zip's root go.mod, or, when the zip has
 *     none, exactly "module <path>\n" (MZ-9.1, MZ-9.2, GP-5.3.2, GP-11.1.4)
 * Then the blobs are written (each durable before it is named) and one row
 * is committed (mv_store_insert), so a refusal stores nothing and a crash
 * leaves at most unreferenced blobs for gc.
 *
 * The caller must own the three files for the duration (the fetcher's own
 * temporary files, or an import tree nobody is changing): the zip is
 * checked in place, then copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modvault/modpath.h"
#include "modvault/semver.h"
#include "modvault/store.h"

/* A .info is a few hundred bytes; this leaves room for a large Origin. */
#define INFO_MAX	(64 * 1024)
/* Nesting allowed inside a .info (Origin is one level deep). */
#define JSON_DEPTH_MAX	16
/* How often a commit is retried after a concurrent gc took a blob. */
#define INSERT_TRIES	3

/* Reads a whole regular file of at most max bytes into b. */
static int
read_bounded(const char *path, const char *what, size_t max, struct mv_buf *b,
    struct mv_err *err)
{
	struct stat sb;
	ssize_t k;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mv_fail(err, errno == ENOENT ? MV_ENOTFOUND : MV_EIO,
		    "cannot open %s \"%s\": %s", what, path, strerror(errno));
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		mv_fail(err, MV_EIO, "%s \"%s\" is not a regular file", what,
		    path);
		goto done;
	}
	if ((uint64_t)sb.st_size > max) {
		mv_fail(err, MV_ELIMIT, "%s larger than %zu bytes", what, max);
		goto done;
	}
	mv_buf_init(b, max);
	if (mv_buf_reserve(b, (size_t)sb.st_size + 1, err) == -1)
		goto done;
	for (;;) {
		if (mv_buf_reserve(b, 4096, err) == -1) {
			mv_fail(err, MV_ELIMIT, "%s larger than %zu bytes",
			    what, max);
			goto done;
		}
		k = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			mv_fail(err, MV_EIO, "cannot read %s \"%s\": %s", what,
			    path, strerror(errno));
			goto done;
		}
		if (k == 0)
			break;
		b->len += (size_t)k;
		b->data[b->len] = '\0';
	}
	rc = 0;
done:
	close(fd);
	return rc;
}

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
	if (++j->depth > JSON_DEPTH_MAX)
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
static int
info_parse(const char *s, size_t n, struct mv_buf *version, struct mv_buf *time,
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

/* GP-11.1.1: the .info is JSON naming the requested version. */
static int
check_info(const struct mv_ingest *in, const struct mv_buf *info,
    struct mv_version *v, struct mv_err *err)
{
	struct mv_buf version, time;
	int rc = -1;

	mv_buf_init(&version, MV_VERSION_MAX);
	mv_buf_init(&time, sizeof(v->time) - 1);
	if (info_parse(info->data, info->len, &version, &time, err) == -1) {
		mv_wrap(err, "GP-11.1: .info: ");
		goto done;
	}
	if (strcmp(mv_buf_str(&version), in->version) != 0) {
		mv_fail(err, MV_EINVAL, "GP-11.1: .info Version \"%s\" is not "
		    "the requested \"%s\"", mv_buf_str(&version), in->version);
		goto done;
	}
	snprintf(v->time, sizeof(v->time), "%s", mv_buf_str(&time));
	rc = 0;
done:
	mv_buf_free(&version);
	mv_buf_free(&time);
	return rc;
}

/* MZ-9 / GP-11.1.4: the .mod agrees with the zip. */
static int
check_mod(const struct mv_ingest *in, const struct mv_buf *mod,
    const struct mv_zip_result *zr, struct mv_err *err)
{
	struct mv_buf synth;
	bool same;

	if (zr->has_gomod) {
		if (mod->len != zr->gomod.len || (mod->len > 0 &&
		    memcmp(mod->data, zr->gomod.data, mod->len) != 0))
			return mv_fail(err, MV_ECORRUPT, "MZ-9.2: .mod differs "
			    "from the zip's go.mod");
		return 0;
	}
	mv_buf_init(&synth, MV_MODPATH_MAX + 16);
	if (mv_buf_printf(&synth, err, "module %s\n", in->module) == -1)
		return -1;
	same = synth.len == mod->len &&
	    memcmp(synth.data, mod->data, mod->len) == 0;
	mv_buf_free(&synth);
	if (!same)
		return mv_fail(err, MV_ECORRUPT, "MZ-9.1: zip has no go.mod and "
		    ".mod is not \"module %s\\n\"", in->module);
	return 0;
}

/* Everything that can refuse the version, before any byte is stored. */
static int
validate(const struct mv_ingest *in, const struct mv_zip_limits *lim,
    struct mv_buf *info, struct mv_buf *mod, struct mv_zip_result *zr,
    struct mv_version *v, struct mv_err *err)
{
	if (!mv_version_is_canonical(in->version))
		return mv_fail(err, MV_EINVAL, "version \"%s\" is not "
		    "canonical", in->version);
	if (mv_modpath_check_version(in->module, in->version, err) == -1 ||
	    read_bounded(in->info_path, ".info", INFO_MAX, info, err) == -1 ||
	    check_info(in, info, v, err) == -1 ||
	    read_bounded(in->mod_path, ".mod", lim->max_gomod_bytes, mod,
	    err) == -1 ||
	    mv_zip_check(in->zip_path, in->module, in->version, lim, zr,
	    err) == -1 ||
	    check_mod(in, mod, zr, err) == -1 ||
	    mv_h1_gomod(mod->data != NULL ? mod->data : "", mod->len,
	    v->mod_h1, err) == -1)
		return -1;
	snprintf(v->module, sizeof(v->module), "%s", in->module);
	snprintf(v->version, sizeof(v->version), "%s", in->version);
	snprintf(v->zip_h1, sizeof(v->zip_h1), "%s", zr->h1);
	snprintf(v->origin, sizeof(v->origin), "%s",
	    in->origin != NULL ? in->origin : "");
	v->fetched_at = (int64_t)time(NULL);
	v->last_served = 0;
	return 0;
}

/* Blobs first (the zip, the largest, first), then the row. */
static int
store(struct mv_store *st, const struct mv_ingest *in,
    const struct mv_buf *info, const struct mv_buf *mod, struct mv_version *v,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	struct mv_blobstore *bs = mv_store_blobs(st);
	int tries;

	for (tries = 0; tries < INSERT_TRIES; tries++) {
		if (mv_blob_put_file(bs, in->zip_path, &v->zip, err) == -1 ||
		    mv_blob_put_mem(bs, mod->data != NULL ? mod->data : "",
		    mod->len, &v->mod, err) == -1 ||
		    mv_blob_put_mem(bs, info->data, info->len, &v->info,
		    err) == -1)
			return -1;
		if (mv_store_insert(st, v, outcome, err) == 0)
			return 0;
		if (err == NULL || err->code != MV_ENOTFOUND)
			return -1;
	}
	return -1;
}

int
mv_store_ingest(struct mv_store *st, const struct mv_ingest *in,
    const struct mv_zip_limits *lim, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	struct mv_buf info = MV_BUF_INIT, mod = MV_BUF_INIT;
	struct mv_zip_result zr;
	struct mv_version *v;
	struct mv_err e;
	int rc = -1;

	if (err == NULL)
		err = &e;	/* store() looks at the code to retry */
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	mv_zip_result_init(&zr);
	if (validate(in, lim, &info, &mod, &zr, v, err) == -1)
		goto done;
	/* Already stored: nothing to write (GP-11.2, never replaced). */
	if (mv_store_get(st, in->module, in->version, v, err) == 0) {
		*outcome = MV_INGEST_PRESENT;
		rc = 0;
		goto done;
	}
	if (err->code != MV_ENOTFOUND)
		goto done;
	rc = store(st, in, &info, &mod, v, outcome, err);
done:
	mv_zip_result_free(&zr);
	mv_buf_free(&info);
	mv_buf_free(&mod);
	free(v);
	return rc;
}
