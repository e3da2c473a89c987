/* manifest.c: writing and reading version manifests (see manifest.h). */
/*
 * Hand-written because the format is ten fixed lines: a strict reader of
 * exactly those keys in that order, each value checked for its kind,
 * is shorter and tighter than any general format with a library behind it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/limits.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/store/manifest.h"

static int
put_blob(struct mv_buf *out, const char *key, const struct mv_blobref *b,
    struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];

	mv_hex(b->digest, MV_SHA256_LEN, hex);
	return mv_buf_printf(out, err, "%s %s %" PRIu64 "\n", key, hex,
	    b->size);
}

/*
 * s with each byte outside printable ASCII as '?': one line, and text
 * that reads back as itself (no escapes to undo).
 */
static void
one_line(const char *s, char *out, size_t outsz)
{
	size_t n;

	for (n = 0; s[n] != '\0' && n + 1 < outsz; n++)
		out[n] = s[n] >= 0x20 && s[n] <= 0x7e ? s[n] : '?';
	out[n] = '\0';
}

int
mv_manifest_format(const struct mv_version *v, struct mv_buf *out,
    struct mv_err *err)
{
	char time[sizeof(v->time)], origin[sizeof(v->origin)];

	one_line(v->time, time, sizeof(time));
	one_line(v->origin, origin, sizeof(origin));
	if (mv_buf_printf(out, err, MV_MANIFEST_MAGIC "module %s\nversion %s\n"
	    "time %s\n", v->module, v->version, time) == -1 ||
	    put_blob(out, "info", &v->info, err) == -1 ||
	    put_blob(out, "mod", &v->mod, err) == -1 ||
	    put_blob(out, "zip", &v->zip, err) == -1 ||
	    mv_buf_printf(out, err, "zip-h1 %s\nmod-h1 %s\norigin %s\n",
	    v->zip_h1, v->mod_h1, origin) == -1)
		return -1;
	return 0;
}

bool
mv_manifest_looks_like(const char *p, size_t n)
{
	size_t m = strlen(MV_MANIFEST_MAGIC);

	return n >= m && n <= MV_MANIFEST_MAX_BYTES &&
	    memcmp(p, MV_MANIFEST_MAGIC, m) == 0;
}

/* The reader's place in the text. */
struct cursor {
	const char	*p, *end;
	int		 line;
};

/*
 * The next line's value for key, NUL-terminated in val (valsz bytes):
 * printable ASCII only, and it must fit.
 */
static int
field(struct cursor *c, const char *key, char *val, size_t valsz,
    struct mv_err *err)
{
	size_t k = strlen(key), n;
	const char *nl, *v;

	c->line++;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (nl == NULL || (size_t)(nl - c->p) < k + 1 ||
	    memcmp(c->p, key, k) != 0 || c->p[k] != ' ')
		return mv_fail(err, MV_EINVAL, "manifest line %d: want \"%s\"",
		    c->line, key);
	v = c->p + k + 1;
	n = (size_t)(nl - v);
	if (n >= valsz)
		return mv_fail(err, MV_EINVAL, "manifest line %d: %s too long",
		    c->line, key);
	memcpy(val, v, n);
	val[n] = '\0';
	for (; v < nl; v++)
		if (*v < 0x20 || *v > 0x7e)
			return mv_fail(err, MV_EINVAL, "manifest line %d: %s "
			    "is not printable ASCII", c->line, key);
	c->p = nl + 1;
	return 0;
}

/* A decimal number without sign or leading zeros, at most max. */
static int
number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || n > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*out = n;
	return 0;
}

/* "<64 hex> <bytes>" */
static int
blob_field(struct cursor *c, const char *key, struct mv_blobref *b,
    struct mv_err *err)
{
	char val[MV_SHA256_HEX + 32];

	if (field(c, key, val, sizeof(val), err) == -1)
		return -1;
	if (strlen(val) < MV_SHA256_HEX + 2 || val[MV_SHA256_HEX] != ' ')
		return mv_fail(err, MV_EINVAL, "manifest line %d: %s is not "
		    "\"DIGEST SIZE\"", c->line, key);
	val[MV_SHA256_HEX] = '\0';
	if (mv_unhex_sha256(val, b->digest) == -1 ||
	    number(val + MV_SHA256_HEX + 1, MV_ZIP_MAX_BYTES, &b->size) == -1)
		return mv_fail(err, MV_EINVAL, "manifest line %d: bad %s digest "
		    "or size", c->line, key);
	return 0;
}

/* "h1:" and 44 Base64 characters, the last '=' (H-1: a SHA-256). */
static int
h1_field(struct cursor *c, const char *key, char out[MV_H1_LEN + 1],
    struct mv_err *err)
{
	size_t i;

	if (field(c, key, out, MV_H1_LEN + 1, err) == -1)
		return -1;
	if (strlen(out) != MV_H1_LEN || memcmp(out, "h1:", 3) != 0 ||
	    out[MV_H1_LEN - 1] != '=')
		goto bad;
	for (i = 3; i < MV_H1_LEN - 1; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/", out[i]) == NULL || out[i] == '\0')
			goto bad;
	return 0;
bad:
	return mv_fail(err, MV_EINVAL, "manifest line %d: %s is not an h1 "
	    "hash", c->line, key);
}

static int
identity(struct cursor *c, struct mv_version *v, struct mv_err *err)
{
	struct mv_err e = MV_ERR_INIT;

	if (field(c, "module", v->module, sizeof(v->module), err) == -1 ||
	    field(c, "version", v->version, sizeof(v->version), err) == -1)
		return -1;
	if (!mv_version_is_canonical(v->version))
		return mv_fail(err, MV_EINVAL, "manifest: version \"%s\" is not "
		    "canonical", v->version);
	if (mv_modpath_check_version(v->module, v->version, &e) == -1)
		return mv_fail(err, MV_EINVAL, "manifest: %s", e.msg);
	return 0;
}

int
mv_manifest_parse(const char *p, size_t n, struct mv_version *v,
    struct mv_err *err)
{
	struct cursor c = { p, p + n, 1 };

	memset(v, 0, sizeof(*v));
	if (!mv_manifest_looks_like(p, n))
		return mv_fail(err, MV_EINVAL, "not a manifest (no \"%.*s\" "
		    "line, or over %u bytes)", (int)strlen(MV_MANIFEST_MAGIC) -
		    1, MV_MANIFEST_MAGIC, MV_MANIFEST_MAX_BYTES);
	c.p += strlen(MV_MANIFEST_MAGIC);
	if (identity(&c, v, err) == -1 ||
	    field(&c, "time", v->time, sizeof(v->time), err) == -1 ||
	    blob_field(&c, "info", &v->info, err) == -1 ||
	    blob_field(&c, "mod", &v->mod, err) == -1 ||
	    blob_field(&c, "zip", &v->zip, err) == -1 ||
	    h1_field(&c, "zip-h1", v->zip_h1, err) == -1 ||
	    h1_field(&c, "mod-h1", v->mod_h1, err) == -1 ||
	    field(&c, "origin", v->origin, sizeof(v->origin), err) == -1)
		return -1;
	if (c.p != c.end)
		return mv_fail(err, MV_EINVAL, "manifest: text after the "
		    "origin line");
	return 0;
}
