/* bundle_manifest.c: a bundle's MANIFEST, parsed strictly (bundle.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/hash.h"
#include "modvault/source/bundle.h"

void
mv_bundle_manifest_free(struct mv_bundle_manifest *mf)
{
	size_t i;

	for (i = 0; i < mf->n; i++)
		free(mf->m[i].name);
	free(mf->m);
	memset(mf, 0, sizeof(*mf));
}

/* Printable ASCII, no "..", no leading '/', no empty element. */
static int
name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > MV_BUNDLE_NAME_MAX_BYTES || s[0] == '/' ||
	    s[len - 1] == '/')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '/')
			return 0;
		if (s[i] == '.' && i + 1 < len && s[i + 1] == '.')
			return 0;
	}
	return 1;
}

/* "SHA256HEX SIZE NAME". */
static int
member_line(const char *s, size_t len, struct mv_bundle_member *m)
{
	char hex[65];
	const char *p, *end = s + len;
	uint64_t size = 0;

	if (len < 68 || s[64] != ' ')
		return -1;
	memcpy(hex, s, 64);
	hex[64] = '\0';
	if (mv_unhex_sha256(hex, m->digest) == -1)
		return -1;
	for (p = s + 65; p < end && *p >= '0' && *p <= '9'; p++) {
		if (size > (UINT64_MAX - 9) / 10)
			return -1;
		size = size * 10 + (uint64_t)(*p - '0');
	}
	/* Digits without a leading zero, then one space. */
	if (p == s + 65 || p == end || *p != ' ' ||
	    (s[65] == '0' && p - (s + 65) > 1))
		return -1;
	p++;
	if (!name_ok(p, (size_t)(end - p)) ||
	    (m->name = strndup(p, (size_t)(end - p))) == NULL)
		return -1;
	m->size = size;
	return 0;
}

int
mv_bundle_manifest_parse(const char *text, size_t len,
    struct mv_bundle_manifest *mf, struct mv_err *err)
{
	const char *p = text, *end = text + len, *nl;
	size_t lineno = 0, cap = 0, n;
	void *q;

	memset(mf, 0, sizeof(*mf));
	if (len > MV_BUNDLE_MANIFEST_MAX_BYTES)
		return mv_fail(err, MV_ELIMIT, "bundle manifest over %u bytes",
		    MV_BUNDLE_MANIFEST_MAX_BYTES);
	for (; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		n = (size_t)(nl - p);
		if (lineno == 1) {
			if (n != strlen(MV_BUNDLE_MAGIC) ||
			    memcmp(p, MV_BUNDLE_MAGIC, n) != 0)
				break;
			continue;
		}
		if (lineno == 2 && n > 6 && n - 6 <= MV_SUMDB_NAME_MAX_BYTES &&
		    memcmp(p, "sumdb ", 6) == 0 && name_ok(p + 6, n - 6) &&
		    memchr(p + 6, '/', n - 6) == NULL) {
			memcpy(mf->sumdb, p + 6, n - 6);
			mf->sumdb[n - 6] = '\0';
			continue;
		}
		if (mf->n == MV_BUNDLE_MAX_MEMBERS)
			break;
		if (mf->n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((q = realloc(mf->m, cap * sizeof(*mf->m))) == NULL) {
				mv_bundle_manifest_free(mf);
				return mv_fail(err, MV_ENOMEM, "out of memory");
			}
			mf->m = q;
		}
		if (member_line(p, n, &mf->m[mf->n]) == -1)
			break;
		mf->n++;
	}
	if (p == end && lineno > 0)
		return 0;
	mv_bundle_manifest_free(mf);
	return mv_fail(err, MV_ECORRUPT, "not a modvault bundle: MANIFEST "
	    "line %zu is malformed", lineno);
}
