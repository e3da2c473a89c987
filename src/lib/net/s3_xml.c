/*
 * s3_xml.c: a ListObjectsV2 page and an S3 error body, read with expat
 * (see s3_xml.h).  The only file that includes expat.h.
 *
 * The walk keeps the depth and which element it is in; of the text, it
 * keeps only that of the few elements it reads, in one bounded buffer.
 * Any DOCTYPE stops it: S3 never sends one, and without it no entity can
 * be declared, so none is ever expanded (no "billion laughs").
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <expat.h>

#include "modvault/base/buf.h"
#include "s3_xml.h"

/* ListBucketResult/Contents/Owner/ID is as deep as S3 goes. */
#define MAX_DEPTH	8

_Static_assert(MV_S3_TOKEN_MAX_BYTES >= MV_S3_KEY_MAX_BYTES,
    "the text buffer holds a key and a token");

enum field {
	F_NONE, F_KEY, F_SIZE, F_MTIME, F_PREFIX, F_TRUNCATED, F_TOKEN, F_CODE
};

struct walk {
	XML_Parser	 p;
	struct mv_s3_page *pg;		/* NULL: reading an error body */
	int		 depth;
	bool		 root_ok;	/* the root is the one expected */
	bool		 in_contents, in_prefixes;
	enum field	 field;		/* whose text is being kept */
	struct mv_buf	 text;
	struct mv_s3_entry cur;		/* the entry being read */
	bool		 has_size;
	char		*code;		/* error body: the Code, codesz bytes */
	size_t		 codesz;
	struct mv_err	 err;		/* a handler's failure */
};

/*
 * Records a failure and stops the parser (later events are not seen);
 * returns -1.
 */
static int
stop(struct walk *w, const char *what)
{
	mv_fail(&w->err, MV_EIO, "malformed listing from the object store: %s "
	    "(line %lu)", what, (unsigned long)XML_GetCurrentLineNumber(w->p));
	XML_StopParser(w->p, XML_FALSE);
	return -1;
}

static void XMLCALL
on_doctype(void *ctx, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int internal)
{
	(void)stop(ctx, "a DOCTYPE");
}

/* The field an element at this depth and place is, for a page. */
static enum field
page_field(struct walk *w, const char *name)
{
	if (w->depth == 2 && strcmp(name, "IsTruncated") == 0)
		return F_TRUNCATED;
	if (w->depth == 2 && strcmp(name, "NextContinuationToken") == 0)
		return F_TOKEN;
	if (w->depth == 3 && w->in_contents && strcmp(name, "Key") == 0)
		return F_KEY;
	if (w->depth == 3 && w->in_contents && strcmp(name, "Size") == 0)
		return F_SIZE;
	if (w->depth == 3 && w->in_contents &&
	    strcmp(name, "LastModified") == 0)
		return F_MTIME;
	if (w->depth == 3 && w->in_prefixes && strcmp(name, "Prefix") == 0)
		return F_PREFIX;
	return F_NONE;
}

static void XMLCALL
on_start(void *ctx, const XML_Char *name, const XML_Char **attrs)
{
	struct walk *w = ctx;

	w->field = F_NONE;
	if (++w->depth > MAX_DEPTH) {
		(void)stop(w, "nested too deeply");
		return;
	}
	if (w->depth == 1)
		w->root_ok = strcmp(name, w->pg != NULL ? "ListBucketResult" :
		    "Error") == 0;
	if (!w->root_ok) {
		if (w->pg != NULL)
			(void)stop(w, "not a ListBucketResult");
		return;
	}
	if (w->pg == NULL) {
		if (w->depth == 2 && strcmp(name, "Code") == 0)
			w->field = F_CODE;
	} else if (w->depth == 2 && (strcmp(name, "Contents") == 0 ||
	    strcmp(name, "CommonPrefixes") == 0)) {
		w->in_contents = strcmp(name, "Contents") == 0;
		w->in_prefixes = !w->in_contents;
		memset(&w->cur, 0, sizeof(w->cur));
		w->has_size = false;
	} else
		w->field = page_field(w, name);
	if (w->field != F_NONE)
		mv_buf_reset(&w->text);
}

static void XMLCALL
on_text(void *ctx, const XML_Char *s, int len)
{
	struct walk *w = ctx;

	if (w->field == F_NONE || len <= 0)
		return;
	if (mv_buf_append(&w->text, s, (size_t)len, NULL) == -1)
		(void)stop(w, "an element's text is too long");
}

/* Decimal digits only, without overflow. */
static bool
parse_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (*s == '\0')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return *s == '\0';
}

/* n decimal digits at s, in [lo, hi]. */
static bool
digits(const char *s, int n, int lo, int hi, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return x >= lo && x <= hi;
}

/* S3's LastModified: "2006-01-02T15:04:05.000Z" (the fraction optional). */
static bool
parse_time(const char *s, int64_t *t)
{
	struct tm tm;
	int y, mo, d, h, mi, se;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) < 20 || !digits(s, 4, 1970, 9999, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, 1, 12, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, 1, 31, &d) || s[10] != 'T' ||
	    !digits(s + 11, 2, 0, 23, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, 0, 59, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, 0, 60, &se))
		return false;
	s += 19;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (strcmp(s, "Z") != 0)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*t = (int64_t)timegm(&tm);
	return true;
}

/* A key: not empty, within S3's bound, no NUL (XML cannot carry one). */
static int
take_key(struct walk *w)
{
	if (w->cur.key != NULL)
		return stop(w, "an entry with two keys");
	if (w->text.len == 0 || w->text.len > MV_S3_KEY_MAX_BYTES ||
	    strlen(mv_buf_str(&w->text)) != w->text.len)
		return stop(w, "an empty or overlong key");
	if ((w->cur.key = strdup(mv_buf_str(&w->text))) == NULL)
		return stop(w, "out of memory");
	return 0;
}

/* A short token of letters and digits, or nothing. */
static void
take_code(struct walk *w)
{
	const char *s = mv_buf_str(&w->text);
	size_t i;

	if (w->text.len == 0 || w->text.len >= w->codesz)
		return;
	for (i = 0; i < w->text.len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return;
	memcpy(w->code, s, w->text.len + 1);
}

static int
take_field(struct walk *w)
{
	const char *s = mv_buf_str(&w->text);

	switch (w->field) {
	case F_KEY:
	case F_PREFIX:
		return take_key(w);
	case F_SIZE:
		w->has_size = true;
		if (!parse_u64(s, &w->cur.size))
			return stop(w, "a Size that is not a number");
		return 0;
	case F_MTIME:
		if (!parse_time(s, &w->cur.mtime))
			return stop(w, "a LastModified that is not a time");
		return 0;
	case F_TRUNCATED:
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0)
			return stop(w, "an IsTruncated neither true nor false");
		w->pg->truncated = strcmp(s, "true") == 0;
		return 0;
	case F_TOKEN:
		if (w->text.len > MV_S3_TOKEN_MAX_BYTES)
			return stop(w, "an overlong continuation token");
		memcpy(w->pg->token, s, w->text.len + 1);
		return 0;
	case F_CODE:
		take_code(w);
		return 0;
	case F_NONE:
		break;
	}
	return 0;
}

/* Appends the finished entry to the page. */
static int
take_entry(struct walk *w)
{
	struct mv_s3_page *pg = w->pg;
	struct mv_s3_entry *e;

	if (w->cur.key == NULL || (w->in_contents && !w->has_size))
		return stop(w, "an entry without Key, Prefix or Size");
	if (pg->n == MV_S3_LIST_MAX_ENTRIES)
		return stop(w, "more entries than one page may hold");
	if ((e = realloc(pg->e, (pg->n + 1) * sizeof(*e))) == NULL)
		return stop(w, "out of memory");
	pg->e = e;
	w->cur.is_prefix = w->in_prefixes;
	pg->e[pg->n++] = w->cur;
	w->cur.key = NULL;
	return 0;
}

static void XMLCALL
on_end(void *ctx, const XML_Char *name)
{
	struct walk *w = ctx;

	if (w->field != F_NONE) {
		(void)take_field(w);
		w->field = F_NONE;
	} else if (w->depth == 2 && (w->in_contents || w->in_prefixes)) {
		(void)take_entry(w);
		w->in_contents = w->in_prefixes = false;
	}
	w->depth--;
}

/* Runs the walk over xml[0..len); 0, or -1 with w->err or expat's. */
static int
walk(struct walk *w, const char *xml, size_t len)
{
	enum XML_Status st;
	int rc = 0;

	mv_buf_init(&w->text, MV_S3_TOKEN_MAX_BYTES);
	if (len > MV_S3_LIST_MAX_BYTES)
		return mv_fail(&w->err, MV_EIO, "an answer of the object store "
		    "larger than %u bytes", MV_S3_LIST_MAX_BYTES);
	if ((w->p = XML_ParserCreate(NULL)) == NULL)
		return mv_fail(&w->err, MV_ENOMEM, "cannot create an XML "
		    "parser");
	XML_SetUserData(w->p, w);
	XML_SetElementHandler(w->p, on_start, on_end);
	XML_SetCharacterDataHandler(w->p, on_text);
	XML_SetStartDoctypeDeclHandler(w->p, on_doctype);
	st = XML_Parse(w->p, xml, (int)len, XML_TRUE);
	if (st != XML_STATUS_OK && w->err.code == MV_OK)
		mv_fail(&w->err, MV_EIO, "malformed listing from the object "
		    "store: %s (line %lu)",
		    XML_ErrorString(XML_GetErrorCode(w->p)),
		    (unsigned long)XML_GetCurrentLineNumber(w->p));
	if (w->err.code != MV_OK)
		rc = -1;
	XML_ParserFree(w->p);
	mv_buf_free(&w->text);
	free(w->cur.key);
	return rc;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mv_s3_entry *)a)->key,
	    ((const struct mv_s3_entry *)b)->key);
}

int
mv_s3_page_parse(const char *xml, size_t len, struct mv_s3_page *pg,
    struct mv_err *err)
{
	struct walk w;

	memset(pg, 0, sizeof(*pg));
	memset(&w, 0, sizeof(w));
	w.pg = pg;
	if (walk(&w, xml, len) == -1)
		return mv_err_pass(err, &w.err);
	/* Contents and CommonPrefixes come apart; S3 orders them as one. */
	if (pg->n > 1)
		qsort(pg->e, pg->n, sizeof(pg->e[0]), entry_cmp);
	return 0;
}

void
mv_s3_page_free(struct mv_s3_page *pg)
{
	size_t i;

	for (i = 0; i < pg->n; i++)
		free(pg->e[i].key);
	free(pg->e);
	pg->e = NULL;
	pg->n = 0;
}

void
mv_s3_error_code(const char *xml, size_t len, char *code, size_t codesz)
{
	struct walk w;

	if (codesz == 0)
		return;
	code[0] = '\0';
	memset(&w, 0, sizeof(w));
	w.code = code;
	w.codesz = codesz;
	if (len > 0)
		(void)walk(&w, xml, len);
}
