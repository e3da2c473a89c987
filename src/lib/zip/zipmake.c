/* zipmake.c: which files go into a module zip (module-zip.md MZ-6.1 to 6.5). */
/*
 * This is the go command's zip.checkFiles (golang.org/x/mod/zip, with the
 * Go 1.24 vendor rules), step for step, over names, types and sizes only:
 * no file is opened here.  The name rules themselves are the validator's
 * (zip.c, through zipmake.h's shared section), so a selection this file
 * accepts is a zip mv_zip_check accepts.
 *
 * Memory is proportional to the input: two name sets (directories holding
 * a nested go.mod, names already reported) that point into the caller's
 * names, and the MZ-3.3 fold set, bounded as the validator bounds it.
 * Work is linear in the total length of the names: the nested-module test
 * hashes every directory prefix of a name in one pass.
 */
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modvault/zip/zip.h"
#include "modvault/zip/zipmake.h"

#define FNV_OFFSET	14695981039346656037ULL
#define FNV_PRIME	1099511628211ULL
/* Room in the message for its head ("MZ-6.5: N problems ...: "). */
#define HEAD_ROOM	80
/* Room kept at the end of the message for "; and N more". */
#define MORE_ROOM	40

/* A set of byte strings borrowed from the caller (open addressing). */
struct nameset {
	struct nameset_slot {
		const char	*p;	/* NULL: empty slot */
		size_t		 len;
		uint64_t	 hash;
	}		*slot;
	size_t		 cap, n;
};

/* One file's fate (MZ-6.5). */
enum verdict {
	KEEP,
	OMIT,
	INVALID,	/* why in the per-file report */
};

/* The problems found so far, as one bounded message. */
struct report {
	char		 text[MV_ERR_MSG_MAX_BYTES - HEAD_ROOM];
	size_t		 len;
	uint64_t	 count;		/* problems reported */
	uint64_t	 more;		/* of which did not fit */
	bool		 names;		/* a name rule failed, not just sizes */
};

struct sel {
	const struct mv_zipmake_file	*files;
	size_t				 n;
	struct mv_zip_limits		 lim;
	bool				 newrules;	/* MZ-6.2 */
	struct nameset			 nested;	/* MZ-6.3: "dir/" */
	struct nameset			 seen;		/* Go's errPaths */
	struct mv_zipfold		*fold;		/* MZ-3.3 */
	uint64_t			 total;		/* MZ-2.2 */
	uint64_t			 kept;
	bool				 size_error, count_error;
	struct report			 rep;
};

static uint64_t
fnv_step(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

static uint64_t
fnv(const char *p, size_t len)
{
	uint64_t h = FNV_OFFSET;

	while (len-- > 0)
		h = fnv_step(h, (unsigned char)*p++);
	return h;
}

static struct nameset_slot *
nameset_slot(const struct nameset *s, const char *p, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (s->cap - 1);

	while (s->slot[i].p != NULL) {
		if (s->slot[i].hash == h && s->slot[i].len == len &&
		    memcmp(s->slot[i].p, p, len) == 0)
			break;
		i = (i + 1) & (s->cap - 1);
	}
	return &s->slot[i];
}

/* Is the string (with hash h, from fnv) in the set? */
static bool
nameset_has(const struct nameset *s, const char *p, size_t len, uint64_t h)
{
	return s->cap > 0 && nameset_slot(s, p, len, h)->p != NULL;
}

/* Adds the string (borrowed, not copied); present already is fine. */
static int
nameset_add(struct nameset *s, const char *p, size_t len, struct mv_err *err)
{
	struct nameset_slot *old = s->slot, *slot;
	uint64_t h = fnv(p, len);
	size_t i, oldcap = s->cap;

	if ((s->n + 1) * 4 >= s->cap * 3) {
		s->cap = oldcap ? oldcap * 2 : 64;
		if (s->cap > SIZE_MAX / sizeof(*s->slot) ||
		    (s->slot = calloc(s->cap, sizeof(*s->slot))) == NULL) {
			s->slot = old;
			s->cap = oldcap;
			return mv_fail(err, MV_ENOMEM, "out of memory for "
			    "module file names");
		}
		for (i = 0; i < oldcap; i++)
			if (old[i].p != NULL)
				*nameset_slot(s, old[i].p, old[i].len,
				    old[i].hash) = old[i];
		free(old);
	}
	slot = nameset_slot(s, p, len, h);
	if (slot->p == NULL) {
		slot->p = p;
		slot->len = len;
		slot->hash = h;
		s->n++;
	}
	return 0;
}

static void
nameset_free(struct nameset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* --- MZ-6.2: the go directive of the root go.mod ----------------------- */

/*
 * The tokens of Go's modfile lexer (modfile/read.go): a comment ends the
 * line; ( ) [ ] { } , are one-byte punctuation; a quoted string may not
 * hold a newline; anything else unprintable is an error.  Bytes from 0x80
 * count as identifier bytes (Go asks unicode.IsPrint of the rune).
 */
enum gm_tok {
	GM_EOF,
	GM_EOL,		/* newline or comment */
	GM_PUNCT,
	GM_WORD,	/* identifier or quoted string, quotes kept */
	GM_ERR,
};

struct gm {
	const char	*p, *end;
};

static bool
gm_punct(char c)
{
	return c == '(' || c == ')' || c == '[' || c == ']' || c == '{' ||
	    c == '}' || c == ',';
}

static bool
gm_at(const struct gm *g, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(g->end - g->p) >= n && memcmp(g->p, s, n) == 0;
}

static enum gm_tok
gm_quoted(struct gm *g)
{
	char q = *g->p++;

	for (;;) {
		if (g->p == g->end || *g->p == '\n')
			return GM_ERR;
		if (*g->p == q) {
			g->p++;
			return GM_WORD;
		}
		if (*g->p++ == '\\' && q == '"') {
			if (g->p == g->end)
				return GM_ERR;
			g->p++;
		}
	}
}

static enum gm_tok
gm_lex(struct gm *g, const char **tok, size_t *len)
{
	unsigned char c;

	while (g->p < g->end && (*g->p == ' ' || *g->p == '\t' ||
	    *g->p == '\r'))
		g->p++;
	*tok = g->p;
	*len = 0;
	if (g->p == g->end)
		return GM_EOF;
	if (gm_at(g, "//")) {
		while (g->p < g->end && *g->p++ != '\n')
			;
		return GM_EOL;
	}
	if (gm_at(g, "/*"))
		return GM_ERR;
	if (*g->p == '\n' || gm_punct(*g->p)) {
		*len = 1;
		return *g->p++ == '\n' ? GM_EOL : GM_PUNCT;
	}
	if (*g->p == '"' || *g->p == '`') {
		enum gm_tok t = gm_quoted(g);

		*len = (size_t)(g->p - *tok);
		return t;
	}
	for (; g->p < g->end; g->p++) {
		c = (unsigned char)*g->p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    gm_punct((char)c) || gm_at(g, "//"))
			break;
		if (gm_at(g, "/*") || c < 0x20 || c == 0x7f)
			return GM_ERR;
	}
	*len = (size_t)(g->p - *tok);
	return *len > 0 ? GM_WORD : GM_ERR;
}

/* The count of digits at p. */
static size_t
gm_digits(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && p[n] >= '0' && p[n] <= '9')
		n++;
	return n;
}

/* Go's "0|[1-9][0-9]*" at p, maximal: its length, 0 when none fits. */
static size_t
gm_num(const char *p, const char *end)
{
	size_t n = gm_digits(p, end);

	return n > 1 && p[0] == '0' ? 0 : n;
}

/* major.minor (digit strings without leading zeros) >= 1.24? */
static bool
gm_at_least_1_24(const char *maj, size_t majn, const char *min, size_t minn)
{
	if (majn != 1 || maj[0] != '1')
		return true;		/* 2 or more: 0 was refused */
	return minn > 2 || (minn == 2 && memcmp(min, "24", 2) >= 0);
}

/*
 * GoVersionRE, "([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?
 * ([a-z]+[0-9]+)?": the length of the major (the minor follows its dot),
 * and in *lang whether go/version accepts it too: it refuses a patch
 * with a prerelease ("1.24.0rc1") and a prerelease number with a leading
 * zero ("1.24rc01"), and its Lang is then "".  0: no match.
 */
static size_t
gm_strict(const char *v, const char *end, size_t *minn, bool *lang)
{
	const char *q;
	size_t majn, k;
	bool patch = false;

	*lang = true;
	if ((majn = gm_num(v, end)) == 0 || v[0] == '0' || v + majn == end ||
	    v[majn] != '.' || (*minn = gm_num(v + majn + 1, end)) == 0)
		return 0;
	q = v + majn + 1 + *minn;
	if (q < end && *q == '.' && (k = gm_num(q + 1, end)) > 0) {
		q += 1 + k;
		patch = true;
	}
	if (q < end && *q >= 'a' && *q <= 'z') {
		while (q < end && *q >= 'a' && *q <= 'z')
			q++;
		if ((k = gm_digits(q, end)) == 0)
			return 0;
		*lang = !patch && !(k > 1 && q[0] == '0');
		q += k;
	}
	return q == end ? majn : 0;
}

/*
 * The go directive's argument v: -1 when modfile.ParseLax refuses it,
 * else whether go/version.Lang of it is at least go1.24.  ParseLax takes
 * GoVersionRE ("1.24", "1.24.3", "1.24rc1"), else laxGoVersionRE
 * "v?(major.minor)([^0-9].*)", read as major.minor ("1.24.x": "1.24").
 */
static int
gm_version_is_new(const char *v, size_t len)
{
	const char *end = v + len, *p = v, *min;
	size_t majn, minn;
	bool lang;

	if ((majn = gm_strict(v, end, &minn, &lang)) > 0)
		return lang && gm_at_least_1_24(v, majn, v + majn + 1, minn);
	if (p < end && *p == 'v')
		p++;
	if ((majn = gm_num(p, end)) == 0 || p[0] == '0' || p + majn == end ||
	    p[majn] != '.')
		return -1;
	min = p + majn + 1;
	/* A maximal digit run: what follows, if anything, is a non-digit. */
	if ((minn = gm_num(min, end)) == 0 || min + minn == end)
		return -1;
	return gm_at_least_1_24(p, majn, min, minn);
}

/* Skips a block's lines up to its ")" line (modfile parseLineBlock). */
static int
gm_block(struct gm *g)
{
	enum gm_tok t;
	const char *tok;
	size_t len;

	for (;;) {
		t = gm_lex(g, &tok, &len);
		if (t == GM_EOF || t == GM_ERR)
			return -1;	/* unterminated block */
		if (t == GM_EOL)
			continue;
		if (t == GM_PUNCT && *tok == ')') {
			t = gm_lex(g, &tok, &len);
			return t == GM_EOL || t == GM_EOF ? 0 : -1;
		}
		while ((t = gm_lex(g, &tok, &len)) != GM_EOL && t != GM_EOF)
			if (t == GM_ERR)
				return -1;
	}
}

/* The kind of the next token, and its first byte (0 for none). */
static enum gm_tok
gm_peek(const struct gm *g, char *c)
{
	struct gm copy = *g;
	const char *tok;
	size_t len;
	enum gm_tok t = gm_lex(&copy, &tok, &len);

	*c = len > 0 ? *tok : '\0';
	return t;
}

/*
 * The rest of a statement after its first token (modfile parseStmt): its
 * argument count and first argument, and whether it was a block,
 * "verb (" up to a ")" line or "verb ( )".  -1: a syntax error.
 */
static int
gm_stmt(struct gm *g, size_t *nargs, const char **arg, size_t *arglen,
    bool *block)
{
	struct gm after;
	enum gm_tok t, next;
	const char *tok;
	size_t len;
	char c;

	*nargs = 0;
	*block = false;
	while ((t = gm_lex(g, &tok, &len)) != GM_EOL && t != GM_EOF) {
		if (t == GM_ERR)
			return -1;
		if (t == GM_PUNCT && *tok == '(') {
			next = gm_peek(g, &c);
			*block = true;
			if (next == GM_EOL || next == GM_EOF)
				return gm_block(g);
			after = *g;
			if (next == GM_PUNCT && c == ')' &&
			    gm_lex(&after, &tok, &len) == GM_PUNCT &&
			    ((next = gm_peek(&after, &c)) == GM_EOL ||
			    next == GM_EOF)) {
				gm_lex(&after, &tok, &len);
				*g = after;
				return 0;
			}
			*block = false;	/* "(" inside a line: a token */
		}
		if ((*nargs)++ == 0) {
			*arg = tok;
			*arglen = len;
		}
	}
	return 0;
}

bool
mv_zipmake_gomod_is_new(const char *gomod, size_t len)
{
	struct gm g = { gomod, gomod + len };
	const char *verb, *arg = NULL;
	size_t vlen, nargs, arglen = 0;
	enum gm_tok t;
	bool block, module = false;
	int found = -1, v;

	if (gomod == NULL)
		return false;
	while ((t = gm_lex(&g, &verb, &vlen)) != GM_EOF) {
		if (t == GM_EOL)
			continue;
		if (t == GM_ERR || gm_stmt(&g, &nargs, &arg, &arglen,
		    &block) == -1)
			return false;	/* ParseLax fails: no version */
		/*
		 * ParseLax refuses a second module line or one without its
		 * path; a go block is an unknown block type it ignores.
		 */
		if (!block && vlen == 6 && memcmp(verb, "module", 6) == 0) {
			if (module || nargs != 1)
				return false;
			module = true;
		}
		if (block || vlen != 2 || memcmp(verb, "go", 2) != 0)
			continue;
		if (found != -1 || nargs != 1)
			return false;	/* repeated or malformed directive */
		if ((v = gm_version_is_new(arg, arglen)) == -1)
			return false;
		found = v;
	}
	return found == 1;
}

/* --- MZ-6.4, MZ-6.3 ------------------------------------------------------ */

bool
mv_zipmake_is_vendored(const char *name, bool newrules)
{
	const char *rest, *j;

	if (newrules && strcmp(name, "vendor/modules.txt") == 0)
		return true;
	if (strncmp(name, "vendor/", 7) == 0)
		rest = name + 7;
	else if ((j = strstr(name, "/vendor/")) != NULL)
		/*
		 * Old rules: skip 8 bytes from the start, not from j, a bug
		 * kept so old checksums stay valid (golang.org/issue/37397).
		 */
		rest = newrules ? j + 8 : name + 8;
	else
		return false;
	return strchr(rest, '/') != NULL;
}

/*
 * MZ-6.3 inSubmodule: does a proper ancestor "dir/" of name hold a nested
 * go.mod?  FNV is computed left to right, so every prefix's hash comes
 * out of one pass.
 */
static bool
in_nested(const struct sel *s, const char *name)
{
	uint64_t h = FNV_OFFSET;
	size_t i;

	if (s->nested.n == 0)
		return false;
	for (i = 0; name[i] != '\0'; i++) {
		h = fnv_step(h, (unsigned char)name[i]);
		if (name[i] == '/' && nameset_has(&s->nested, name, i + 1, h))
			return true;
	}
	return false;
}

/*
 * First pass: every "dir/" (not the root's "") holding a REGULAR file
 * whose base name is go.mod in any case (Go: strings.EqualFold, which for
 * "go.mod" is ASCII case folding), and whether the root go.mod exists.
 */
static int
find_nested(struct sel *s, bool *root_gomod, struct mv_err *err)
{
	const char *name, *slash;
	size_t i;

	*root_gomod = false;
	for (i = 0; i < s->n; i++) {
		if ((name = s->files[i].name) == NULL)
			return mv_fail(err, MV_EINVAL, "module file %zu has no "
			    "name", i);
		if (s->files[i].type != MV_ZIPMAKE_REGULAR)
			continue;
		slash = strrchr(name, '/');
		if (strcasecmp(slash ? slash + 1 : name, "go.mod") != 0)
			continue;
		if (slash == NULL)
			*root_gomod |= strcmp(name, "go.mod") == 0;
		else if (nameset_add(&s->nested, name,
		    (size_t)(slash - name) + 1, err) == -1)
			return -1;
	}
	return 0;
}

/* --- the report -------------------------------------------------------- */

/* Adds one problem ("MZ-x.y: ...") to the message, or counts it as more. */
static void
report_add(struct report *r, const char *what, bool namerule)
{
	size_t n = strlen(what), sep = r->count > 0 ? 2 : 0;

	r->count++;
	r->names = r->names || namerule;
	if (r->more > 0 || r->len + sep + n + MORE_ROOM >= sizeof(r->text)) {
		r->more++;
		return;
	}
	if (sep > 0)
		memcpy(r->text + r->len, "; ", 2);
	memcpy(r->text + r->len + sep, what, n);
	r->len += sep + n;
	r->text[r->len] = '\0';
}

static int
report_fail(const struct report *r, struct mv_err *err)
{
	char more[MORE_ROOM];

	more[0] = '\0';
	if (r->more > 0)
		snprintf(more, sizeof(more), "%sand %ju more",
		    r->more < r->count ? "; " : "", (uintmax_t)r->more);
	return mv_fail(err, r->names ? MV_ECORRUPT : MV_ELIMIT, "MZ-6.5: "
	    "%ju %s cannot go into the module zip: %s%s",
	    (uintmax_t)r->count, r->count == 1 ? "problem" : "problems",
	    r->text, more);
}

/* --- MZ-6.5 ------------------------------------------------------------ */

/*
 * Steps 1 to 8 of MZ-6.5 for one file: the name rules.  INVALID leaves
 * the reason in why; -1 is a failure of the selection itself (memory,
 * the fold set's bound), in err.
 */
static int
decide_name(struct sel *s, const struct mv_zipmake_file *f, enum verdict *v,
    struct mv_err *why, struct mv_err *err)
{
	const char *name = f->name;
	size_t n = strlen(name);
	char q[MV_ZIP_QUOTE_MAX];

	*v = INVALID;
	if (!mv_zip_path_is_clean(name, n))
		mv_fail(why, MV_ECORRUPT, "MZ-3.1: file path is not clean: %s",
		    mv_zip_quote(q, name, n));
	else if (name[0] == '/')
		mv_fail(why, MV_ECORRUPT, "MZ-6.5: file path is not relative: "
		    "%s", mv_zip_quote(q, name, n));
	else if (mv_zipmake_is_vendored(name, s->newrules) ||
	    in_nested(s, name) || strcmp(name, ".hg_archival.txt") == 0)
		*v = OMIT;
	else if (mv_zip_filepath_check(name, why) == -1)
		;	/* MZ-3.2, in Go's words */
	else if (strcasecmp(name, "go.mod") == 0 &&
	    strcmp(name, "go.mod") != 0)
		mv_fail(why, MV_ECORRUPT, "MZ-3.4: go.mod files must have "
		    "lowercase names: %s", mv_zip_quote(q, name, n));
	/* Go passes Lstat's IsDir: never true for these types. */
	else if (mv_zipfold_check(s->fold, name, n, false, why) == -1) {
		if (why->code != MV_ECORRUPT)
			return mv_err_pass(err, why);
	} else
		*v = KEEP;
	return 0;
}

/* Steps 9 to 13: type and sizes, for a file whose name passed. */
static void
decide_rest(struct sel *s, const struct mv_zipmake_file *f, enum verdict *v,
    struct mv_err *why)
{
	if (f->type != MV_ZIPMAKE_REGULAR) {
		*v = OMIT;
		return;
	}
	if (f->size <= s->lim.max_unzipped_bytes - s->total)
		s->total += f->size;
	else if (!s->size_error) {
		s->size_error = true;
		mv_fail(why, MV_ELIMIT, "MZ-2.2: module source tree too large "
		    "(max size is %ju bytes)",
		    (uintmax_t)s->lim.max_unzipped_bytes);
		report_add(&s->rep, why->msg, false);
		mv_err_clear(why);
	}
	if (strcmp(f->name, "go.mod") == 0 && f->size > s->lim.max_gomod_bytes)
		mv_fail(why, MV_ELIMIT, "MZ-2.3: go.mod file too large (max "
		    "size is %ju bytes)", (uintmax_t)s->lim.max_gomod_bytes);
	else if (strcmp(f->name, "LICENSE") == 0 &&
	    f->size > s->lim.max_license_bytes)
		mv_fail(why, MV_ELIMIT, "MZ-2.3: LICENSE file too large (max "
		    "size is %ju bytes)", (uintmax_t)s->lim.max_license_bytes);
	*v = why->code != MV_OK ? INVALID : KEEP;
}

/* Every file in order; keep[] gets the verdicts. */
static int
select_all(struct sel *s, bool *keep, struct mv_err *err)
{
	const struct mv_zipmake_file *f;
	struct mv_err why;
	enum verdict v;
	size_t i, len;

	for (i = 0; i < s->n; i++) {
		f = &s->files[i];
		mv_err_clear(&why);
		if (decide_name(s, f, &v, &why, err) == -1)
			return -1;
		if (v == KEEP)
			decide_rest(s, f, &v, &why);
		if (v == KEEP) {
			keep[i] = true;
			if (++s->kept > s->lim.max_files && !s->count_error) {
				s->count_error = true;
				mv_fail(&why, MV_ELIMIT, "MZ-2: more than %ju "
				    "files in module zip",
				    (uintmax_t)s->lim.max_files);
				report_add(&s->rep, why.msg, false);
			}
			continue;
		}
		/* Go's addError: a name reported once is not reported again. */
		len = strlen(f->name);
		if (nameset_has(&s->seen, f->name, len, fnv(f->name, len)))
			continue;
		if (nameset_add(&s->seen, f->name, len, err) == -1)
			return -1;
		if (v == INVALID)
			report_add(&s->rep, why.msg, why.code != MV_ELIMIT);
	}
	return 0;
}

int
mv_zipmake_select(const char *module, const char *version,
    const struct mv_zipmake_file *files, size_t n, const char *gomod,
    size_t gomod_len, bool *keep, struct mv_err *err)
{
	locale_t utf8, old = (locale_t)0;
	struct sel s;
	bool root_gomod;
	int rc = -1;

	if (mv_zip_check_module_version(module, version, err) == -1)
		return -1;
	if (n > 0 && (files == NULL || keep == NULL))
		return mv_fail(err, MV_EINVAL, "no module files to select");
	memset(&s, 0, sizeof(s));
	s.files = files;
	s.n = n;
	mv_zip_limits_default(&s.lim);
	if (n > 0)
		memset(keep, 0, n * sizeof(*keep));
	if (find_nested(&s, &root_gomod, err) == -1 ||
	    (s.fold = mv_zipfold_new(s.lim.max_files, err)) == NULL)
		goto done;
	s.newrules = root_gomod && mv_zipmake_gomod_is_new(gomod, gomod_len);
	/* Case folding (MZ-3.3) reads names as UTF-8, as zip.c does. */
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8 != (locale_t)0)
		old = uselocale(utf8);
	rc = select_all(&s, keep, err);
	if (utf8 != (locale_t)0) {
		uselocale(old);
		freelocale(utf8);
	}
	if (rc == -1)
		memset(keep, 0, n * sizeof(*keep));
	else if (s.rep.count > 0)
		rc = report_fail(&s.rep, err);
done:
	mv_zipfold_free(s.fold);
	nameset_free(&s.nested);
	nameset_free(&s.seen);
	return rc;
}
