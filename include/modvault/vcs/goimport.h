/*
 * goimport.h: go-import discovery (spec vcs.md VC-3.3 to VC-3.5, VC-3.7):
 * which <meta name="go-import" content="prefix vcs repo-root"> tag of a
 * page answered to "?go-get=1" applies to a module path.
 *
 * The go command reads the page with encoding/xml in non-strict mode
 * (Decoder.RawToken, Strict = false), a lenient XML tokenizer that is
 * neither an HTML parser nor an XML parser: it accepts unquoted and
 * single-quoted attribute values and unknown entities, yet stops at the
 * first "<" that does not start a name (a "<" in a script), at invalid
 * UTF-8 and at a declared encoding other than utf-8 or ascii.  Where it
 * stops decides which tags count, so no C library can stand in for it
 * (libxml2's HTML parser recovers where Go gives up, expat gives up where
 * Go recovers).  goimport.c is therefore a hand-written transcription of
 * Go 1.19's tokenizer (encoding/xml/xml.go) and of the go command's
 * parseMetaGoImports, matchGoImport and validateRepoRoot (with the
 * net/url.Parse checks it relies on), kept in Go's order of checks,
 * because that order decides what a malformed page yields.
 *
 * The whole page is in memory (the caller bounds the download): parsing
 * is one pass over it, at most two, with no allocation; every kept field
 * has a fixed bound.  The page is hostile: NUL bytes, unterminated tags
 * and huge values are all handled, and no byte past len is read.
 *
 * What the caller still does (VC-3.1, 3.2, 3.6, and safety):
 *   - fetch https://host/path?go-get=1 (VC-3.1, 3.2).  A failure with
 *     imp->ntags == 0 (an empty page, or one that does not tokenize)
 *     should report a non-200 status instead, as the go command does;
 *   - VC-3.6: when imp->prefix differs from the module path, fetch
 *     prefix?go-get=1, call mv_goimport_match on that page with the SAME
 *     module path, and require mv_goimport_equal; anything else is the
 *     go command's "... disagree about go-import for prefix", except a
 *     failure with ntags == 0, which is that page's own failure; only
 *     then call mv_goimport_check, as the go command validates after
 *     that comparison;
 *   - messages are the go command's without the URL it puts first
 *     ("parse https://host/path?go-get=1: "): mv_wrap adds it back.
 *     Outside text in them is made printable (\xNN) and cut short;
 *   - the repo-root check is only Go's: any scheme but "file" passes,
 *     "ext::sh" (scheme "ext") included.  Whoever runs git MUST apply a
 *     transport allow-list of its own (GIT_ALLOW_PROTOCOL or
 *     protocol.allow), never trust the URL because it passed here.
 */
#ifndef MODVAULT_VCS_GOIMPORT_H
#define MODVAULT_VCS_GOIMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "modvault/base/err.h"
#include "modvault/base/limits.h"

/*
 * A page larger than this is refused before parsing (the go command has
 * no bound; the tags sit in <head>, a few KiB into any real page).
 */
#define MV_GOIMPORT_MAX_BYTES		(1u << 20)
/* A vcs field: "fossil" is the longest name the go command knows. */
#define MV_GOIMPORT_VCS_MAX_BYTES	15
/*
 * A repo-root URL (Go has no bound); with its NUL it fits a remote URL
 * of the git layer (MV_VCS_URL_MAX_BYTES, repo.h).
 */
#define MV_GOIMPORT_ROOT_MAX_BYTES	2047

struct mv_goimport {
	char	prefix[MV_MODPATH_MAX_BYTES + 1];	/* an import path */
	char	vcs[MV_GOIMPORT_VCS_MAX_BYTES + 1];	/* "git", "mod" */
	char	root[MV_GOIMPORT_ROOT_MAX_BYTES + 1];	/* verbatim */
	/*
	 * go-import tags with three fields the page held before parsing
	 * stopped (VC-3.3), set on failure as well as on success.
	 */
	size_t	ntags;
};

/*
 * VC-3.3 to VC-3.5: the go-import entry of html[0..len) that applies to
 * module (a NUL-terminated module path, already validated by the caller),
 * copied into imp.  In order:
 *
 *   1. len over MV_GOIMPORT_MAX_BYTES: MV_ELIMIT; module longer than
 *      MV_MODPATH_MAX_BYTES: MV_EINVAL;
 *   2. VC-3.3: tokens are read until a start tag named body or an end
 *      tag named head (ASCII case-insensitive, the part after a
 *      namespace colon); each start tag named meta whose first attribute
 *      named name (case-insensitive) has exactly the value "go-import"
 *      gives an entry when its first content attribute splits, on
 *      Unicode white space as Go's strings.Fields, into exactly three
 *      fields.  A tokenizer error (an XML declaration naming an
 *      encoding other than utf-8 or ascii, a version other than 1.0, a
 *      stray "<", invalid UTF-8, EOF inside a tag, ...) ends parsing;
 *      before any entry it fails with MV_ENOTFOUND, "parsing M: XML
 *      syntax error on line N: ..." (Go's text);
 *   3. VC-3.4: "mod" entries come first, then the others whose prefix is
 *      no "mod" entry's prefix;
 *   4. VC-3.5: an entry matches when module equals its prefix or starts
 *      with it at an element boundary (Go's str.HasPathPrefix: the next
 *      byte of module is "/", or the prefix itself ends in "/").  None:
 *      MV_ENOTFOUND, "no go-import meta tags (meta tag P did not match
 *      import path M, ...)" listing the first few in step 3's order
 *      (", ..." ends a list cut short), or "()" for a page with none.
 *      A second match: MV_ENOTFOUND, "multiple meta tags match import
 *      path \"M\"", unless the first was a "mod" entry and the second
 *      is not (the rest is then ignored);
 *   5. the matched entry's repo-root over MV_GOIMPORT_ROOT_MAX_BYTES:
 *      MV_ELIMIT naming the field.  (A longer prefix cannot match; a
 *      longer vcs is kept cut short and is unknown to step 3.7.)
 *
 * imp->ntags is set whatever happens (0 at step 1); the other fields
 * only on success.  Pure: no I/O, no allocation.
 */
int	 mv_goimport_match(const char *html, size_t len, const char *module,
	    struct mv_goimport *imp, struct mv_err *err);

/*
 * VC-3.7 on an entry mv_goimport_match chose for module (named in the
 * messages), in the go command's order:
 *
 *   1. repo-root must pass Go's net/url.Parse (control bytes, a bad
 *      "%" escape, a bad host or port, a colon in the first segment of
 *      a relative path, ...) and have a scheme, which must not be "file"
 *      (ASCII case-insensitive): MV_ENOTFOUND, "go-import meta tag for
 *      M: invalid repo root \"R\": file scheme disallowed" (or "no
 *      scheme", or "parse \"R\": <net/url's reason>");
 *   2. vcs must be one of git, hg, svn, bzr, fossil (exactly) or mod:
 *      MV_ENOTFOUND, "go-import meta tag for M: unknown vcs \"V\"".
 *
 * Only git is served (vcs.md, Goal): refusing the other systems is the
 * caller's, with its own message.
 */
int	 mv_goimport_check(const struct mv_goimport *imp, const char *module,
	    struct mv_err *err);

/* mv_goimport_match, then mv_goimport_check: one page, no VC-3.6. */
int	 mv_goimport_find(const char *html, size_t len, const char *module,
	    struct mv_goimport *imp, struct mv_err *err);

/* VC-3.6: do two entries agree (same prefix, vcs and repo-root)? */
bool	 mv_goimport_equal(const struct mv_goimport *a,
	    const struct mv_goimport *b);

#endif
