/*
 * test_goimport.c: go-import meta tags (vcs.md VC-3.3 to VC-3.5, VC-3.7).
 * The expected answers and messages are those of Go 1.19's go command
 * (checked against its parseMetaGoImports, matchGoImport and
 * validateRepoRoot); [obs] marks the facts the spec observed.
 */
#include "mvtest.h"
#include "modvault/vcs/goimport.h"

#define HEAD	"<!DOCTYPE html>\n<html><head>\n"
#define TAG(content) \
	"<meta name=\"go-import\" content=\"" content "\">\n"

static void
check_find(const char *html, const char *module, const char *prefix,
    const char *vcs, const char *root)
{
	struct mv_goimport imp;
	struct mv_err err = MV_ERR_INIT;

	if (mv_goimport_find(html, strlen(html), module, &imp, &err) == -1)
		fail_msg("%s in %s: %s", module, html, err.msg);
	assert_string_equal(imp.prefix, prefix);
	assert_string_equal(imp.vcs, vcs);
	assert_string_equal(imp.root, root);
}

/* Fails with code; the message is want exactly, or contains it ("~..."). */
static void
check_fail(const char *html, const char *module, enum mv_code code,
    const char *want)
{
	struct mv_goimport imp;
	struct mv_err err = MV_ERR_INIT;

	if (mv_goimport_find(html, strlen(html), module, &imp, &err) != -1)
		fail_msg("%s in %s: found %s %s %s, expected failure", module,
		    html, imp.prefix, imp.vcs, imp.root);
	if (err.code != code)
		fail_msg("%s in %s: %s (%s), expected %s", module, html,
		    mv_code_name(err.code), err.msg, mv_code_name(code));
	if (want != NULL && (want[0] == '~' ? strstr(err.msg, want + 1) ==
	    NULL : strcmp(err.msg, want) != 0))
		fail_msg("%s in %s: message \"%s\", expected \"%s\"", module,
		    html, err.msg, want);
}

/* The go-import tags a page holds (mv_goimport_match's count). */
static size_t
ntags(const char *html, size_t len, const char *module)
{
	struct mv_goimport imp;

	(void)mv_goimport_match(html, len, module, &imp, NULL);
	return imp.ntags;
}

/* VC-3.3: an ordinary page, as a code host serves it. */
static void
vc33_typical_page(void **state)
{
	const char *page = HEAD
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    TAG("example.test/a git https://example.test/a.git")
	    "<meta name=\"go-source\" content=\"example.test/a _ a b\">\n"
	    "<title>example.test/a</title>\n"
	    "</head>\n<body>go get example.test/a</body></html>\n";

	check_find(page, "example.test/a", "example.test/a", "git",
	    "https://example.test/a.git");
	check_find(page, "example.test/a/sub/v2", "example.test/a", "git",
	    "https://example.test/a.git");
	assert_int_equal(ntags(page, strlen(page), "example.test/a"), 1);
}

/* VC-3.3 rule 1: parsing stops at <body> or </head> [obs]. */
static void
vc33_stops_at_body_or_head_end(void **state)
{
	const char *m = "example.test/a";

	check_fail(HEAD "</head><body>" TAG("example.test/a git https://b"),
	    m, MV_ENOTFOUND, "no go-import meta tags ()");
	check_fail("<html><BODY class=x>" TAG("example.test/a git https://b"),
	    m, MV_ENOTFOUND, "no go-import meta tags ()");
	check_fail("<html><head></HEAD >" TAG("example.test/a git https://b"),
	    m, MV_ENOTFOUND, "no go-import meta tags ()");
	/* An empty element is a start and an end tag. */
	check_fail("<head/>" TAG("example.test/a git https://b"), m,
	    MV_ENOTFOUND, "no go-import meta tags ()");
	check_fail("<body/>" TAG("example.test/a git https://b"), m,
	    MV_ENOTFOUND, "no go-import meta tags ()");
	/* Only the local name counts: "x:body" is body. */
	check_fail("<x:body>" TAG("example.test/a git https://b"), m,
	    MV_ENOTFOUND, "no go-import meta tags ()");
	/* A tag after <body> does not make a second match. */
	check_find(HEAD TAG("example.test/a git https://a") "</head><body>"
	    TAG("example.test/a git https://b"), m, m, "git", "https://a");
	/* </body> or <bodyx> do not stop it; <html> need not be there. */
	check_find("</body><bodyx>" TAG("example.test/a git https://a"), m, m,
	    "git", "https://a");
}

/* VC-3.3 rule 2: the meta tag and its name attribute. */
static void
vc33_meta_and_name(void **state)
{
	const char *m = "example.test/a", *none = "no go-import meta tags ()";

	/* Tag and attribute names are case-insensitive, the value is not. */
	check_find("<META NAME=\"go-import\" Content=\"example.test/a git "
	    "https://a\">", m, m, "git", "https://a");
	check_fail("<meta name=\"Go-Import\" content=\"example.test/a git "
	    "https://a\">", m, MV_ENOTFOUND, none);		/* [obs] */
	check_fail("<meta name=\"go-import \" content=\"example.test/a git "
	    "https://a\">", m, MV_ENOTFOUND, none);
	/* A namespace prefix is not part of the local name... */
	check_find("<h:meta x:name=\"go-import\" content=\"example.test/a git "
	    "https://a\">", m, m, "git", "https://a");
	/* ...unless there are two colons. */
	check_fail("<a:b:meta name=\"go-import\" content=\"example.test/a git "
	    "https://a\">", m, MV_ENOTFOUND, none);
	check_fail("<metax name=\"go-import\" content=\"example.test/a git "
	    "https://a\">", m, MV_ENOTFOUND, none);
	/* The first attribute named name decides. */
	check_fail("<meta name=\"x\" name=\"go-import\" "
	    "content=\"example.test/a git https://a\">", m, MV_ENOTFOUND, none);
	check_find("<meta name=\"go-import\" name=\"x\" "
	    "content=\"example.test/a git https://a\">", m, m, "git",
	    "https://a");
	/* An attribute without a value has its own name as value. */
	check_fail("<meta name content=\"example.test/a git https://a\">", m,
	    MV_ENOTFOUND, none);
	/* Attribute order does not matter; the first content counts. */
	check_find("<meta content=\"example.test/a git https://a\" "
	    "name=\"go-import\">", m, m, "git", "https://a");
	check_fail("<meta name=\"go-import\" content=\"a b\" "
	    "content=\"example.test/a git https://a\">", m, MV_ENOTFOUND, none);
	/* The value is compared after entities are decoded. */
	check_find("<meta name=\"go&#45;import\" content=\"example.test/a git "
	    "https://a\">", m, m, "git", "https://a");
	/* Tags inside comments, CDATA or a DOCTYPE are not tags. */
	check_fail("<!-- " TAG("example.test/a git https://a") " -->"
	    "<![CDATA[" TAG("example.test/a git https://a") "]]>"
	    "<!DOCTYPE x [ <!ENTITY e \"" TAG("example.test/a git https://a")
	    "\"> ]>", m, MV_ENOTFOUND, none);
}

/* VC-3.3 rule 3: exactly three fields, split on white space. */
static void
vc33_three_fields(void **state)
{
	const char *m = "example.test/a", *none = "no go-import meta tags ()";

	/* Extra blanks, tabs and new lines are fine [obs]. */
	check_find(TAG("  example.test/a \t git\n\t https://a  "), m, m, "git",
	    "https://a");
	check_find(TAG("example.test/a&#9;git&#10;https://a"), m, m, "git",
	    "https://a");
	check_fail(TAG("example.test/a git"), m, MV_ENOTFOUND, none);
	check_fail(TAG("example.test/a git https://a extra"), m, MV_ENOTFOUND,
	    none);
	check_fail(TAG(""), m, MV_ENOTFOUND, none);
	check_fail("<meta name=\"go-import\">", m, MV_ENOTFOUND, none);
	/* strings.Fields splits on Unicode white space (NBSP, U+3000)... */
	check_find(TAG("example.test/a&#160;git\xe3\x80\x80https://a"), m, m,
	    "git", "https://a");
	/* ...but not on U+200B or U+180E, which are not white space. */
	check_fail(TAG("example.test/a git\xe2\x80\x8b https://a"), m,
	    MV_ENOTFOUND, "go-import meta tag for example.test/a: unknown vcs "
	    "\"git\\xe2\\x80\\x8b\"");
	/* A git ext:: command line has spaces: more than three fields. */
	check_fail(TAG("example.test/a git ext::sh -c touch% /tmp/pwned"), m,
	    MV_ENOTFOUND, none);
}

/* VC-3.3 rule 4: the tokenizer's leniency [obs]. */
static void
vc33_quoting_and_entities(void **state)
{
	const char *m = "example.test/a";

	/* Unquoted and single-quoted values [obs]. */
	check_find("<meta name=go-import content='example.test/a git "
	    "https://a'>", m, m, "git", "https://a");
	check_find("<meta name='go-import' content='example.test/a git "
	    "https://a/\"q\"'/>", m, m, "git", "https://a/\"q\"");
	/* An unquoted value is [A-Za-z0-9_:-]*: one field, ignored... */
	check_fail("<meta name=go-import content=example-test>", m,
	    MV_ENOTFOUND, "no go-import meta tags ()");
	/* ...and what follows it must be an attribute name. */
	check_fail("<meta name=go-import content=example.test/a>", m,
	    MV_ENOTFOUND, "parsing example.test/a: XML syntax error on line 1: "
	    "invalid XML name: .test");
	/* Predefined and numeric references are decoded. */
	check_find(TAG("example.test/a git https://a/?x=1&amp;y=&#x32;&#47;"
	    "&lt;&gt;&apos;&quot;"), m, m, "git", "https://a/?x=1&y=2/<>'\"");
	/* Unknown ones stay as they are [obs]; so do malformed ones. */
	check_find(TAG("example.test/a git https://a/&nbsp;&x&#;&#x;&#65&AMP;"),
	    m, m, "git", "https://a/&nbsp;&x&#;&#x;&#65&AMP;");
	/* A surrogate becomes U+FFFD, as Go's string(rune) does. */
	check_find(TAG("example.test/a git https://a/&#xD800;"), m, m, "git",
	    "https://a/\xef\xbf\xbd");
	/* A reference to a character XML forbids is an error. */
	check_fail(TAG("example.test/a git https://a/&#1;"), m, MV_ENOTFOUND,
	    "parsing example.test/a: XML syntax error on line 1: illegal "
	    "character code U+0001");
	/* "/ >" does not close an element. */
	check_fail("<meta name=go-import content='example.test/a git "
	    "https://a' / >", m, MV_ENOTFOUND, "~expected /> in element");
}

/* VC-3.3 rule 4: the XML declaration [obs]. */
static void
vc33_xml_declaration(void **state)
{
	const char *m = "example.test/a", *tag =
	    TAG("example.test/a git https://a");
	char page[512];

	snprintf(page, sizeof(page), "<?xml version=\"1.0\" "
	    "encoding=\"ISO-8859-1\"?>\n%s", tag);
	check_fail(page, m, MV_ENOTFOUND, "parsing example.test/a: xml: "
	    "opening charset \"ISO-8859-1\": can't decode XML document using "
	    "charset \"ISO-8859-1\"");
	snprintf(page, sizeof(page), "<?xml encoding='US-ASCII'?>%s", tag);
	check_fail(page, m, MV_ENOTFOUND, "~can't decode XML document using "
	    "charset \"US-ASCII\"");
	snprintf(page, sizeof(page), "<?xml version=\"1.1\"?>%s", tag);
	check_fail(page, m, MV_ENOTFOUND, "parsing example.test/a: xml: "
	    "unsupported version \"1.1\"; only version 1.0 is supported");
	snprintf(page, sizeof(page), "<?xml version='1.0' encoding=\"UTF-8\""
	    "?>%s", tag);
	check_find(page, m, m, "git", "https://a");
	snprintf(page, sizeof(page), "<?xml encoding=\"Ascii\"?>%s", tag);
	check_find(page, m, m, "git", "https://a");
	/* Go finds the value as a plain substring: no blanks around "=". */
	snprintf(page, sizeof(page), "<?xml encoding = \"latin1\"?>%s", tag);
	check_find(page, m, m, "git", "https://a");
	/* Another processing instruction is not checked. */
	snprintf(page, sizeof(page), "<?php encoding=\"latin1\" ?>%s", tag);
	check_find(page, m, m, "git", "https://a");
	/* After a tag was found, the error only ends parsing. */
	snprintf(page, sizeof(page), "%s<?xml encoding=\"latin1\"?>%s", tag,
	    TAG("example.test/a git https://second"));
	check_find(page, m, m, "git", "https://a");
}

/* VC-3.3 rule 4: a tokenizer error ends parsing, fatal before a tag. */
static void
vc33_tokenizer_errors(void **state)
{
	const char *m = "example.test/a";
	const char *script = "<script>if (a < b) {}</script>\n";
	char page[512];

	snprintf(page, sizeof(page), HEAD "%s%s", script,
	    TAG("example.test/a git https://a"));
	check_fail(page, m, MV_ENOTFOUND, "parsing example.test/a: XML syntax "
	    "error on line 3: expected element name after <");
	snprintf(page, sizeof(page), HEAD "%s%s%s",
	    TAG("example.test/a git https://a"), script,
	    TAG("example.test/a git https://b"));
	check_find(page, m, m, "git", "https://a");
	/* Text must be UTF-8 without NUL or other control bytes. */
	check_fail("<title>caf\xe9</title>" TAG("example.test/a git https://a"),
	    m, MV_ENOTFOUND, "~: invalid UTF-8");
	check_fail("<p>\x01</p>", m, MV_ENOTFOUND,
	    "~illegal character code U+0001");
	check_fail("<a>]]></a>", m, MV_ENOTFOUND,
	    "~unescaped ]]> not in CDATA section");
	check_fail("<!-- a -- b -->", m, MV_ENOTFOUND,
	    "~invalid sequence \"--\" not allowed in comments");
	check_fail("<a x=\"<\">", m, MV_ENOTFOUND,
	    "~unescaped < inside quoted string");
	check_fail("AT&T", m, MV_ENOTFOUND, "~unexpected EOF");
	check_fail("<meta name=\"go-import\" content=\"example.test/a git "
	    "https://a\"", m, MV_ENOTFOUND, "parsing example.test/a: XML "
	    "syntax error on line 1: unexpected EOF");
	check_fail("\n\n<1a>", m, MV_ENOTFOUND, "parsing example.test/a: XML "
	    "syntax error on line 3: invalid XML name: 1a");
	/* A name of XML 1.0 letters is fine; other characters are not. */
	check_find("<\xc3\xa9l\xc3\xa9ment a\xc2\xb7" "b='1'>"
	    TAG("example.test/a git https://a"), m, m, "git", "https://a");
	check_fail("<a \xc2\xb7" "b='1'>", m, MV_ENOTFOUND,
	    "~invalid XML name: \\xc2\\xb7b");
	/* An empty page is no error, and has no tags. */
	check_fail("", m, MV_ENOTFOUND, "no go-import meta tags ()");
}

/* VC-3.4: "mod" entries first; another entry with a "mod" prefix drops. */
static void
vc34_mod_entries_first(void **state)
{
	/* Document order does not matter: the mod entry wins. */
	check_find(TAG("example.test/a git https://git") TAG("example.test/a "
	    "mod https://proxy"), "example.test/a", "example.test/a", "mod",
	    "https://proxy");
	check_find(TAG("example.test git https://git") TAG("example.test/a "
	    "mod https://proxy"), "example.test/a/b", "example.test/a", "mod",
	    "https://proxy");
	/* Once a mod entry matched, later other entries are ignored [obs]. */
	check_find(TAG("example.test/a mod https://proxy")
	    TAG("example.test/a/b git https://git")
	    TAG("example.test/a/b/c hg https://hg"), "example.test/a/b/c",
	    "example.test/a", "mod", "https://proxy");
	/* The git entry with the mod entry's prefix is dropped... */
	check_fail(TAG("example.test/a git https://git")
	    TAG("example.test/a mod https://proxy")
	    TAG("example.test/b git https://b"), "other.test/x", MV_ENOTFOUND,
	    "no go-import meta tags (meta tag example.test/a did not match "
	    "import path other.test/x, meta tag example.test/b did not match "
	    "import path other.test/x)");
	/* ...and the mod entry is listed first. */
	check_fail(TAG("example.test/b git https://b")
	    TAG("example.test/a mod https://proxy"), "other.test/x",
	    MV_ENOTFOUND, "no go-import meta tags (meta tag example.test/a did "
	    "not match import path other.test/x, meta tag example.test/b did "
	    "not match import path other.test/x)");
	/* "mod" is compared exactly. */
	check_fail(TAG("example.test/a MOD https://proxy"), "example.test/a",
	    MV_ENOTFOUND, "~unknown vcs \"MOD\"");
}

/* VC-3.5: an entry matches at an element boundary. */
static void
vc35_matching(void **state)
{
	const char *page = TAG("example.test/a git https://a");

	check_find(page, "example.test/a", "example.test/a", "git",
	    "https://a");
	check_find(page, "example.test/a/b/c", "example.test/a", "git",
	    "https://a");
	check_fail(page, "example.test/ab", MV_ENOTFOUND,
	    "no go-import meta tags (meta tag example.test/a did not match "
	    "import path example.test/ab)");
	check_fail(page, "example.test", MV_ENOTFOUND, NULL);
	check_fail(page, "Example.test/a", MV_ENOTFOUND, NULL);
	/* Go's HasPathPrefix: a prefix ending in "/" matches what follows. */
	check_find(TAG("example.test/ git https://a"), "example.test/a",
	    "example.test/", "git", "https://a");
	/* Two matches [obs], duplicates included. */
	check_fail(TAG("example.test/a git https://a")
	    TAG("example.test/a/b git https://b"), "example.test/a/b",
	    MV_ENOTFOUND, "multiple meta tags match import path "
	    "\"example.test/a/b\"");
	check_fail(TAG("example.test/a git https://a")
	    TAG("example.test/a git https://a"), "example.test/a",
	    MV_ENOTFOUND, "~multiple meta tags");
	check_fail(TAG("example.test/a mod https://a")
	    TAG("example.test mod https://b"), "example.test/a",
	    MV_ENOTFOUND, "~multiple meta tags");
	/* A non-matching entry between them changes nothing. */
	check_find(TAG("other.test git https://o") TAG("example.test/a git "
	    "https://a") TAG("x.test git https://x"), "example.test/a/b",
	    "example.test/a", "git", "https://a");
}

/* VC-3.5: the mismatch message lists a few tags, in VC-3.4 order. */
static void
vc35_mismatch_message(void **state)
{
	char page[4096];
	size_t i, n = 0;
	struct mv_goimport imp;
	struct mv_err err = MV_ERR_INIT;

	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(page + n, sizeof(page) - n,
		    TAG("x%zu.test git https://x"), i);
	assert_int_equal(mv_goimport_find(page, n, "example.test/a", &imp,
	    &err), -1);
	assert_int_equal(err.code, MV_ENOTFOUND);
	assert_int_equal(imp.ntags, 20);
	assert_non_null(strstr(err.msg, "no go-import meta tags (meta tag "
	    "x0.test did not match import path example.test/a, meta tag x1.test"
	    " did not match import path example.test/a, "));
	assert_non_null(strstr(err.msg, ", ...)"));
	assert_null(strstr(err.msg, "x19.test"));
}

/* VC-3.7: repo-root must be a URL with a scheme, not file. */
static void
vc37_repo_root(void **state)
{
	const char *m = "example.test/a";

	check_fail(TAG("example.test/a git file:///srv/a"), m, MV_ENOTFOUND,
	    "go-import meta tag for example.test/a: invalid repo root "
	    "\"file:///srv/a\": file scheme disallowed");
	check_fail(TAG("example.test/a git FILE:///srv/a"), m, MV_ENOTFOUND,
	    "~file scheme disallowed");
	check_fail(TAG("example.test/a git example.test/a.git"), m,
	    MV_ENOTFOUND, "go-import meta tag for example.test/a: invalid repo "
	    "root \"example.test/a.git\": no scheme");
	check_fail(TAG("example.test/a git //example.test/a"), m, MV_ENOTFOUND,
	    "~no scheme");
	check_fail(TAG("example.test/a git git@example.test:a.git"), m,
	    MV_ENOTFOUND, "go-import meta tag for example.test/a: invalid repo "
	    "root \"git@example.test:a.git\": parse \"git@example.test:a.git\":"
	    " first path segment in URL cannot contain colon");
	check_fail(TAG("example.test/a git :a"), m, MV_ENOTFOUND,
	    "~: missing protocol scheme");
	check_fail(TAG("example.test/a git https://a/%zz"), m, MV_ENOTFOUND,
	    "~: invalid URL escape \"%zz\"");
	check_fail(TAG("example.test/a git https://a/#%2"), m, MV_ENOTFOUND,
	    "~: invalid URL escape \"%2\"");
	check_fail(TAG("example.test/a git https://a^b/"), m, MV_ENOTFOUND,
	    "~: invalid character \"^\" in host name");
	check_fail(TAG("example.test/a git https://%41/"), m, MV_ENOTFOUND,
	    "~: invalid URL escape \"%41\"");
	check_fail(TAG("example.test/a git https://a:b/"), m, MV_ENOTFOUND,
	    "~: invalid port \":b\" after host");
	check_fail(TAG("example.test/a git https://[::1/"), m, MV_ENOTFOUND,
	    "~: missing ']' in host");
	check_fail(TAG("example.test/a git https://u&quot;@a/"), m,
	    MV_ENOTFOUND, "~: net/url: invalid userinfo");
	check_fail(TAG("example.test/a git https://a/&#127;"), m, MV_ENOTFOUND,
	    "~: net/url: invalid control character in URL");
	check_find(TAG("example.test/a git ssh://git@example.test:22/a"), m, m,
	    "git", "ssh://git@example.test:22/a");
	check_find(TAG("example.test/a git https://[fe80::1%25en0]:8/a?q#f"),
	    m, m, "git", "https://[fe80::1%25en0]:8/a?q#f");
	check_find(TAG("example.test/a mod https://proxy.example.test/"), m, m,
	    "mod", "https://proxy.example.test/");
	/*
	 * Go accepts any other scheme, opaque ones included: "ext::sh"
	 * parses with scheme "ext".  The caller's transport allow-list is
	 * what refuses it (goimport.h).
	 */
	check_find(TAG("example.test/a git ext::sh%20-c%20id"), m, m, "git",
	    "ext::sh%20-c%20id");
	check_find(TAG("example.test/a git mailto:x"), m, m, "git", "mailto:x");
}

/* VC-3.7: vcs is a known name or mod, exactly. */
static void
vc37_vcs(void **state)
{
	static const char *const known[] = { "git", "hg", "svn", "bzr",
	    "fossil", "mod" };
	char page[256];
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		snprintf(page, sizeof(page), TAG("example.test/a %s https://a"),
		    known[i]);
		check_find(page, "example.test/a", "example.test/a", known[i],
		    "https://a");
	}
	check_fail(TAG("example.test/a cvs https://a"), "example.test/a",
	    MV_ENOTFOUND, "go-import meta tag for example.test/a: unknown vcs "
	    "\"cvs\"");
	check_fail(TAG("example.test/a Git https://a"), "example.test/a",
	    MV_ENOTFOUND, "~unknown vcs \"Git\"");
	/* The root is checked before the vcs, as the go command does. */
	check_fail(TAG("example.test/a cvs file:///a"), "example.test/a",
	    MV_ENOTFOUND, "~file scheme disallowed");
}

/* VC-3.6 is the caller's: the prefix's own page must agree. */
static void
vc36_agreement(void **state)
{
	const char *p1 = TAG("example.test/a git https://a");
	const char *p2 = TAG("example.test/a git https://a")
	    TAG("other.test git https://o");
	const char *p3 = TAG("example.test/a git https://evil");
	struct mv_goimport a, b;
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_goimport_match(p1, strlen(p1), "example.test/a/b", &a,
	    &err), &err);
	assert_ok(mv_goimport_match(p2, strlen(p2), "example.test/a/b", &b,
	    &err), &err);
	assert_true(mv_goimport_equal(&a, &b));
	assert_int_equal(b.ntags, 2);
	assert_ok(mv_goimport_match(p3, strlen(p3), "example.test/a/b", &b,
	    &err), &err);
	assert_false(mv_goimport_equal(&a, &b));
	/* match alone does not check the root: check does, afterwards. */
	assert_ok(mv_goimport_match(TAG("example.test/a git file:///a"),
	    strlen(TAG("example.test/a git file:///a")), "example.test/a", &a,
	    &err), &err);
	assert_fails(mv_goimport_check(&a, "example.test/a", &err), &err,
	    MV_ENOTFOUND);
}

/* Bounds: the page, the module path, each field. */
static void
limits(void **state)
{
	static char big[MV_GOIMPORT_MAX_BYTES + 2];
	const char *m = "example.test/a";
	struct mv_goimport imp;
	struct mv_err err = MV_ERR_INIT;
	char module[MV_MODPATH_MAX_BYTES + 2];
	size_t n;

	memset(big, ' ', sizeof(big));
	assert_fails(mv_goimport_find(big, MV_GOIMPORT_MAX_BYTES + 1, m, &imp,
	    &err), &err, MV_ELIMIT);
	/* A page at the bound is parsed (a huge value is only streamed). */
	n = (size_t)snprintf(big, sizeof(big), TAG("example.test/a git "
	    "https://a") "<meta name=\"x\" content=\"");
	memset(big + n, 'a', MV_GOIMPORT_MAX_BYTES - n - 2);
	memcpy(big + MV_GOIMPORT_MAX_BYTES - 2, "\">", 2);
	assert_ok(mv_goimport_find(big, MV_GOIMPORT_MAX_BYTES, m, &imp, &err),
	    &err);
	assert_string_equal(imp.root, "https://a");
	memset(module, 'a', sizeof(module) - 1);
	module[sizeof(module) - 1] = '\0';
	assert_fails(mv_goimport_find("", 0, module, &imp, &err), &err,
	    MV_EINVAL);

	/* An over-long root: an error when its tag is the one chosen. */
	n = (size_t)snprintf(big, sizeof(big), "<meta name=go-import content="
	    "'example.test/a git https://a/");
	memset(big + n, 'r', MV_GOIMPORT_ROOT_MAX_BYTES);
	n += MV_GOIMPORT_ROOT_MAX_BYTES;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "'>");
	assert_fails(mv_goimport_find(big, n, m, &imp, &err), &err, MV_ELIMIT);
	assert_non_null(strstr(err.msg, "repo root longer than"));
	assert_fails(mv_goimport_find(big, n, "other.test", &imp, &err), &err,
	    MV_ENOTFOUND);
	/* A root exactly at the bound is kept whole. */
	n = (size_t)snprintf(big, sizeof(big), "<meta name=go-import content="
	    "'example.test/a git https://");
	memset(big + n, 'r', MV_GOIMPORT_ROOT_MAX_BYTES - 8);
	n += MV_GOIMPORT_ROOT_MAX_BYTES - 8;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "'>");
	assert_ok(mv_goimport_find(big, n, m, &imp, &err), &err);
	assert_int_equal(strlen(imp.root), MV_GOIMPORT_ROOT_MAX_BYTES);

	/* An over-long prefix never matches; the message cuts it. */
	n = (size_t)snprintf(big, sizeof(big), "<meta name=go-import content="
	    "'example.test/a/");
	memset(big + n, 'p', MV_MODPATH_MAX_BYTES);
	n += MV_MODPATH_MAX_BYTES;
	n += (size_t)snprintf(big + n, sizeof(big) - n, " git https://a'>");
	assert_fails(mv_goimport_find(big, n, m, &imp, &err), &err,
	    MV_ENOTFOUND);
	assert_non_null(strstr(err.msg, "ppp..."));
	assert_true(strlen(err.msg) < sizeof(err.msg) - 1);

	/* An over-long vcs is unknown. */
	check_fail(TAG("example.test/a gitgitgitgitgitgitgit https://a"), m,
	    MV_ENOTFOUND, "~unknown vcs \"gitgitgitgitgit\"");
}

/* Hostile pages: NUL bytes, the length bound, every truncation. */
static void
hostile_pages(void **state)
{
	static const char page[] = HEAD
	    "<meta charset=utf-8><!-- <b> -->"
	    "<title>A &amp; B &#x263a;</title>\n"
	    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"<>\">]>\n"
	    "<META Name='go-import' CONTENT='example.test/a\tgit  "
	    "https://example.test/&amp;a'/>\n"
	    "<![CDATA[ <x> ]]><script>a&&b</script>\n"
	    "</head><body>\n";
	const char *m = "example.test/a/b", *tagend;
	struct mv_goimport imp;
	struct mv_err err;
	size_t len = sizeof(page) - 1, i, done;
	char *buf;
	int c;

	/* A NUL byte is a character XML forbids, not the end of the page. */
	assert_fails(mv_goimport_find("<p>\0</p>" TAG("example.test/a git "
	    "https://a"), 8, m, &imp, &err), &err, MV_ENOTFOUND);
	assert_non_null(strstr(err.msg, "illegal character code U+0000"));
	assert_ok(mv_goimport_find(TAG("example.test/a git https://a")
	    "<p>\0</p>", strlen(TAG("example.test/a git https://a")) + 8, m,
	    &imp, &err), &err);
	assert_int_equal(ntags(page, len, m), 1);

	/* Never a byte past len: the tag after it is not seen. */
	buf = malloc(len);
	assert_non_null(buf);
	memcpy(buf, page, len);
	tagend = strstr(page, "'/>") + 3;
	done = (size_t)(tagend - page);
	for (i = 0; i <= len; i++) {
		/* Each prefix in an allocation of exactly its size. */
		char *p = malloc(i > 0 ? i : 1);

		assert_non_null(p);
		memcpy(p, page, i);
		mv_err_clear(&err);
		if (i < done) {
			assert_int_equal(mv_goimport_find(p, i, m, &imp, &err),
			    -1);
			assert_int_equal(err.code, MV_ENOTFOUND);
			assert_int_equal(imp.ntags, 0);
		} else {
			if (mv_goimport_find(p, i, m, &imp, &err) != 0)
				fail_msg("prefix of %zu bytes: %s", i, err.msg);
			assert_string_equal(imp.root,
			    "https://example.test/&a");
		}
		free(p);
	}
	/* Every byte replaced by each troublesome one: a sane answer. */
	for (i = 0; i < len; i++) {
		static const char bytes[] = "\0<>\"'&/=-![]?\n\xff\xc3";

		for (c = 0; c < (int)sizeof(bytes) - 1; c++) {
			buf[i] = bytes[c];
			mv_err_clear(&err);
			if (mv_goimport_find(buf, len, m, &imp, &err) == 0) {
				assert_string_equal(imp.vcs, "git");
				assert_true(imp.ntags == 1);
			} else
				assert_true(err.code == MV_ENOTFOUND ||
				    err.code == MV_ELIMIT);
			buf[i] = page[i];
		}
	}
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vc33_typical_page),
		cmocka_unit_test(vc33_stops_at_body_or_head_end),
		cmocka_unit_test(vc33_meta_and_name),
		cmocka_unit_test(vc33_three_fields),
		cmocka_unit_test(vc33_quoting_and_entities),
		cmocka_unit_test(vc33_xml_declaration),
		cmocka_unit_test(vc33_tokenizer_errors),
		cmocka_unit_test(vc34_mod_entries_first),
		cmocka_unit_test(vc35_matching),
		cmocka_unit_test(vc35_mismatch_message),
		cmocka_unit_test(vc37_repo_root),
		cmocka_unit_test(vc37_vcs),
		cmocka_unit_test(vc36_agreement),
		cmocka_unit_test(limits),
		cmocka_unit_test(hostile_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
