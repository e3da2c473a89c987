/* hash.c: SHA-256 through libcrypto's EVP, hex, Base64 and the h1 hash. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "modvault/base/hash.h"

/*
 * The only file that includes OpenSSL: everything else sees the opaque
 * streaming context and plain byte arrays.
 */
struct mv_sha256 {
	EVP_MD_CTX	*ctx;
};

struct mv_h1_file {
	char		*name;
	size_t		 len;
	unsigned char	 digest[MV_SHA256_LEN];
};

struct mv_h1 {
	struct mv_h1_file	*files;
	size_t			 n;
	size_t			 cap;
};

/*
 * OpenSSL 3 looks the algorithm up again for every EVP_sha256() use; one
 * explicit fetch kept for the process makes a small digest (every .info
 * and .mod served) several times cheaper.
 */
static const EVP_MD *
sha256_md(void)
{
	static EVP_MD *md;

	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return md != NULL ? md : EVP_sha256();
}

struct mv_sha256 *
mv_sha256_new(struct mv_err *err)
{
	struct mv_sha256 *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		mv_fail(err, MV_ENOMEM, "out of memory for a sha-256 context");
		return NULL;
	}
	if ((c->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(c->ctx, sha256_md(), NULL) != 1) {
		mv_sha256_free(c);
		mv_fail(err, MV_ENOMEM, "cannot set up sha-256 in libcrypto");
		return NULL;
	}
	return c;
}

int
mv_sha256_update(struct mv_sha256 *c, const void *p, size_t n,
    struct mv_err *err)
{
	if (n > 0 && EVP_DigestUpdate(c->ctx, p, n) != 1)
		return mv_fail(err, MV_ENOMEM, "sha-256 update failed");
	return 0;
}

int
mv_sha256_final(struct mv_sha256 *c, unsigned char out[MV_SHA256_LEN],
    struct mv_err *err)
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(c->ctx, out, &len) != 1 ||
	    len != MV_SHA256_LEN)
		return mv_fail(err, MV_ENOMEM, "sha-256 final failed");
	/* Re-initialise so one context serves many entries of a zip. */
	if (EVP_DigestInit_ex(c->ctx, sha256_md(), NULL) != 1)
		return mv_fail(err, MV_ENOMEM, "sha-256 reset failed");
	return 0;
}

void
mv_sha256_free(struct mv_sha256 *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->ctx);
	free(c);
}

int
mv_sha256(const void *p, size_t n, unsigned char out[MV_SHA256_LEN],
    struct mv_err *err)
{
	/* One call, no context to allocate: this runs on every .info/.mod. */
	if (EVP_Digest(p, n, out, NULL, sha256_md(), NULL) != 1)
		return mv_fail(err, MV_ENOMEM, "SHA-256 failed");
	return 0;
}

void
mv_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";	/* H-6.2 */
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

int
mv_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
mv_unhex_sha256(const char *hex, unsigned char out[MV_SHA256_LEN])
{
	int hi, lo;
	size_t i;

	for (i = 0; i < MV_SHA256_LEN; i++) {
		/* A NUL ends the string early; digests are lowercase (H-6.2). */
		if ((hi = mv_hex_value(hex[2 * i])) < 0 ||
		    (lo = mv_hex_value(hex[2 * i + 1])) < 0 ||
		    (hex[2 * i] >= 'A' && hex[2 * i] <= 'F') ||
		    (hex[2 * i + 1] >= 'A' && hex[2 * i + 1] <= 'F'))
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return hex[2 * MV_SHA256_LEN] == '\0' ? 0 : -1;
}

void
mv_base64(const unsigned char *p, size_t n, char *out)
{
	/*
	 * EVP_EncodeBlock takes an int length; callers only encode digests
	 * and other small blocks, so a larger n is a programming error.
	 */
	if (n > INT32_MAX / 2) {
		out[0] = '\0';
		return;
	}
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

struct mv_h1 *
mv_h1_new(struct mv_err *err)
{
	struct mv_h1 *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		mv_fail(err, MV_ENOMEM, "out of memory for an h1 hash");
	return h;
}

int
mv_h1_add(struct mv_h1 *h, const char *name,
    const unsigned char digest[MV_SHA256_LEN], struct mv_err *err)
{
	struct mv_h1_file *f;
	size_t ncap;

	if (h->n == h->cap) {
		ncap = h->cap == 0 ? 64 : h->cap * 2;
		if (ncap > SIZE_MAX / sizeof(*f))
			return mv_fail(err, MV_ENOMEM, "too many files to hash");
		if ((f = realloc(h->files, ncap * sizeof(*f))) == NULL)
			return mv_fail(err, MV_ENOMEM, "out of memory for h1");
		h->files = f;
		h->cap = ncap;
	}
	f = &h->files[h->n];
	f->len = strlen(name);
	if ((f->name = strdup(name)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory for h1");
	memcpy(f->digest, digest, MV_SHA256_LEN);
	h->n++;
	return 0;
}

int
mv_h1_add_data(struct mv_h1 *h, const char *name, const void *p, size_t n,
    struct mv_err *err)
{
	unsigned char d[MV_SHA256_LEN];

	if (mv_sha256(p, n, d, err) == -1)
		return -1;
	return mv_h1_add(h, name, d, err);
}

/* H-1.2, H-6.1: raw byte order, shorter prefix first; no locale. */
static int
file_cmp(const void *a, const void *b)
{
	const struct mv_h1_file *fa = a, *fb = b;
	size_t n = fa->len < fb->len ? fa->len : fb->len;
	int c;

	if ((c = memcmp(fa->name, fb->name, n)) != 0)
		return c;
	return (fa->len > fb->len) - (fa->len < fb->len);
}

/* H-1.4: streams "hex  name\n" lines into c without building the summary. */
static int
h1_summarise(struct mv_h1 *h, struct mv_sha256 *c, struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];
	size_t i;

	for (i = 0; i < h->n; i++) {
		mv_hex(h->files[i].digest, MV_SHA256_LEN, hex);
		if (mv_sha256_update(c, hex, MV_SHA256_HEX, err) == -1 ||
		    mv_sha256_update(c, "  ", 2, err) == -1 ||
		    mv_sha256_update(c, h->files[i].name, h->files[i].len,
		    err) == -1 ||
		    mv_sha256_update(c, "\n", 1, err) == -1)
			return -1;
	}
	return 0;
}

int
mv_h1_finish(struct mv_h1 *h, char out[MV_H1_LEN + 1], struct mv_err *err)
{
	unsigned char d[MV_SHA256_LEN];
	struct mv_sha256 *c;
	size_t i;
	int rc;

	/* H-1.3: a newline would let one name forge a summary line. */
	for (i = 0; i < h->n; i++)
		if (memchr(h->files[i].name, '\n', h->files[i].len) != NULL)
			return mv_fail(err, MV_EINVAL,
			    "H-1.3: file name contains a newline");
	if (h->n > 1)
		qsort(h->files, h->n, sizeof(h->files[0]), file_cmp);
	if ((c = mv_sha256_new(err)) == NULL)
		return -1;
	rc = h1_summarise(h, c, err);
	if (rc == 0)
		rc = mv_sha256_final(c, d, err);
	mv_sha256_free(c);
	if (rc == -1)
		return -1;
	/* H-1.5: "h1:" + 44 Base64 characters. */
	memcpy(out, "h1:", 3);
	mv_base64(d, MV_SHA256_LEN, out + 3);
	return 0;
}

void
mv_h1_free(struct mv_h1 *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		free(h->files[i].name);
	free(h->files);
	free(h);
}

int
mv_h1_gomod(const void *p, size_t n, char out[MV_H1_LEN + 1],
    struct mv_err *err)
{
	struct mv_h1 *h;
	int rc;

	/* H-3.1: one file named "go.mod", no module prefix. */
	if ((h = mv_h1_new(err)) == NULL)
		return -1;
	rc = mv_h1_add_data(h, "go.mod", p, n, err);
	if (rc == 0)
		rc = mv_h1_finish(h, out, err);
	mv_h1_free(h);
	return rc;
}
