/*
 * s3_list.c: ListObjectsV2, page after page (see s3.h).
 *
 * Each page is one bounded GET of the bucket with a canonical query,
 * read by s3_xml.c.  What the gateway sends is held to what was asked:
 * every key inside the configured prefix, keys strictly increasing across
 * pages (so a gateway that repeats itself cannot walk the caller in
 * circles), a token whenever another page is announced.
 */
#include <stdio.h>
#include <string.h>

#include "s3_priv.h"
#include "s3_xml.h"

/* Where a page's body goes. */
static int
to_buf(void *ctx, const void *p, size_t n, struct mv_err *err)
{
	return mv_buf_append(ctx, p, n, err);
}

/* The query of one page; token "" for the first. */
static int
page_query(const char *prefix, const char *delimiter, const char *token,
    struct mv_buf *q, struct mv_err *err)
{
	char maxkeys[16];
	struct mv_s3_param p[5] = {
		{ "list-type", "2" },
		{ "max-keys", maxkeys },
		{ "prefix", prefix },
	};
	size_t n = 3;

	snprintf(maxkeys, sizeof(maxkeys), "%d", MV_S3_LIST_MAX_ENTRIES);
	if (delimiter != NULL)
		p[n++] = (struct mv_s3_param){ "delimiter", delimiter };
	if (token[0] != '\0')
		p[n++] = (struct mv_s3_param){ "continuation-token", token };
	return mv_s3_query(p, n, q, err);
}

/* GETs one page into body. */
static int
get_page(struct mv_s3 *s3, const char *query, const char *what,
    struct mv_buf *body, struct mv_err *err)
{
	struct mv_s3_req r;
	char unused[8];

	mv_s3_req_init(&r, "GET", NULL, unused, sizeof(unused));
	r.what = what;
	r.query = query;
	r.write = to_buf;
	r.write_ctx = body;
	r.max = MV_S3_LIST_MAX_BYTES;
	mv_buf_reset(body);
	if (mv_s3_perform(s3, &r, err) == -1)
		return -1;
	if (r.status != 200)
		return mv_s3_status_fail(s3, &r, err);
	return 0;
}

/*
 * Hands a page's entries to fn; last holds the last key handed over.
 * -1 with err, or fn's own non-zero result.
 */
static int
deliver(const struct mv_s3 *s3, const struct mv_s3_page *pg,
    struct mv_buf *last, mv_s3_list_fn fn, void *ctx, struct mv_err *err)
{
	size_t plen = strlen(s3->prefix), i;
	const struct mv_s3_entry *e;
	int rc;

	for (i = 0; i < pg->n; i++) {
		e = &pg->e[i];
		if (strncmp(e->key, s3->prefix, plen) != 0)
			return mv_fail(err, MV_EIO, "the object store listed a "
			    "key outside the prefix \"%s\"", s3->prefix);
		/* The prefix itself (a "folder" object): no key names it. */
		if (e->key[plen] == '\0')
			continue;
		if (last->len > 0 && strcmp(e->key, mv_buf_str(last)) <= 0)
			return mv_fail(err, MV_EIO, "the object store listed "
			    "keys out of order");
		if ((rc = fn(ctx, e->key + plen, e->size, e->mtime)) != 0)
			return rc;
		mv_buf_reset(last);
		if (mv_buf_puts(last, e->key, err) == -1)
			return -1;
	}
	return 0;
}

/* Checks the page's announcement of a next one; "" in token: none. */
static int
next_token(const struct mv_s3_page *pg, char *token, struct mv_err *err)
{
	if (!pg->truncated) {
		token[0] = '\0';
		return 0;
	}
	if (pg->token[0] == '\0' || strcmp(pg->token, token) == 0)
		return mv_fail(err, MV_EIO, "the object store announced "
		    "another page of a listing without a new token");
	memcpy(token, pg->token, strlen(pg->token) + 1);
	return 0;
}

int
mv_s3_list(struct mv_s3 *s3, const char *prefix, const char *delimiter,
    mv_s3_list_fn fn, void *ctx, struct mv_err *err)
{
	struct mv_buf full = MV_BUF_BOUNDED(MV_S3_KEY_MAX_BYTES);
	struct mv_buf q = MV_BUF_BOUNDED(MV_S3_URL_MAX_BYTES);
	struct mv_buf body = MV_BUF_BOUNDED(MV_S3_LIST_MAX_BYTES);
	struct mv_buf last = MV_BUF_BOUNDED(MV_S3_KEY_MAX_BYTES);
	char token[MV_S3_TOKEN_MAX_BYTES + 1] = "", what[200], shown[128];
	struct mv_s3_page pg;
	int rc = -1;

	snprintf(what, sizeof(what), "the listing of \"%s\"",
	    mv_s3_shown(prefix, shown, sizeof(shown)));
	if (delimiter != NULL && delimiter[0] == '\0')
		delimiter = NULL;
	if (mv_buf_puts(&full, s3->prefix, err) == -1 ||
	    mv_buf_puts(&full, prefix, err) == -1)
		goto fail;
	do {
		mv_buf_reset(&q);
		if (page_query(mv_buf_str(&full), delimiter, token, &q,
		    err) == -1 || get_page(s3, mv_buf_str(&q), what, &body,
		    err) == -1)
			goto fail;
		if (mv_s3_page_parse(mv_buf_str(&body), body.len, &pg,
		    err) == -1) {
			mv_s3_page_free(&pg);
			goto fail;
		}
		rc = deliver(s3, &pg, &last, fn, ctx, err);
		if (rc == 0)
			rc = next_token(&pg, token, err);
		mv_s3_page_free(&pg);
	} while (rc == 0 && token[0] != '\0');
fail:
	mv_buf_free(&full);
	mv_buf_free(&q);
	mv_buf_free(&body);
	mv_buf_free(&last);
	return rc;
}
