/*
 * test_route.c: deriving the request path from CGI variables as each web
 * server sends them (notes/web-servers.md), and GP-1.3/GP-12 parsing.
 */
#include "mvtest.h"
#include "modvault/proto/route.h"

static void
check_parse(const char *path, enum mv_route_kind kind, const char *module,
    const char *version)
{
	struct mv_route r;
	struct mv_err err = MV_ERR_INIT;

	if (mv_route_parse(path, &r, &err) == -1)
		fail_msg("parse \"%s\": %s", path, err.msg);
	assert_int_equal(r.kind, kind);
	assert_string_equal(r.module, module);
	assert_string_equal(r.version, version);
}

static void
check_reject(const char *path, enum mv_code code)
{
	struct mv_route r;
	struct mv_err err = MV_ERR_INIT;

	if (mv_route_parse(path, &r, &err) != -1)
		fail_msg("parse \"%s\" succeeded, expected %s", path,
		    mv_code_name(code));
	if (err.code != code)
		fail_msg("parse \"%s\": got %s (%s), expected %s", path,
		    mv_code_name(err.code), err.msg, mv_code_name(code));
}

/* GP-12: the request-parsing vectors (paths already percent-decoded). */
static void
gp12_vectors(void **state)
{
	struct mv_route r;
	struct mv_err err = MV_ERR_INIT;

	check_parse("/golang.org/x/text/@v/list", MV_ROUTE_LIST,
	    "golang.org/x/text", "");
	check_parse("/golang.org/x/text/@v/v0.3.2.mod", MV_ROUTE_MOD,
	    "golang.org/x/text", "v0.3.2");
	check_parse("/github.com/!azure/!thing/@v/v1.0.0-!r!c1.info",
	    MV_ROUTE_INFO, "github.com/Azure/Thing", "v1.0.0-RC1");
	check_parse("/github.com/!azure/example/@v/v2.0.0+incompatible.zip",
	    MV_ROUTE_ZIP, "github.com/Azure/example", "v2.0.0+incompatible");
	check_parse("/example.com/m/@latest", MV_ROUTE_LATEST,
	    "example.com/m", "");
	check_parse("/example.com/m/@v/master.info", MV_ROUTE_INFO,
	    "example.com/m", "master");
	check_parse("/gopkg.in/yaml.v2/@v/list", MV_ROUTE_LIST,
	    "gopkg.in/yaml.v2", "");
	assert_ok(mv_route_parse("/sumdb/sum.golang.org/supported", &r, &err),
	    &err);
	assert_int_equal(r.kind, MV_ROUTE_SUMDB);
	assert_string_equal(r.sumdb_name, "sum.golang.org");
	assert_string_equal(r.sumdb_rest, "supported");
	check_reject("/github.com/Azure/x/@v/list", MV_ENOTFOUND);
	check_reject("/example.com/m/@v/v1.0.0.tar", MV_ENOTFOUND);
	check_reject("/example.com/m/@v/v1.0.mod", MV_ENOTFOUND);
	check_reject("/example.com/m/v1/@v/list", MV_ENOTFOUND);
	check_reject("/cache/@v/list", MV_ENOTFOUND);
}

static void
index_and_health(void **state)
{
	check_parse("/", MV_ROUTE_INDEX, "", "");
	check_parse("/healthz", MV_ROUTE_HEALTHZ, "", "");
	check_parse("/metrics", MV_ROUTE_METRICS, "", "");
	check_reject("/metrics/", MV_EINVAL);
	check_reject("/metrics/@v/list", MV_ENOTFOUND);	/* no dot: no module */
	check_reject("/favicon.ico", MV_ENOTFOUND);
}

/* GP-4.1: .mod and .zip need canonical versions; GP-3.8 Check. */
static void
gp41_canonical_only(void **state)
{
	check_reject("/example.com/m/@v/v1.0.0+meta.zip", MV_ENOTFOUND);
	check_reject("/example.com/m/@v/master.mod", MV_ENOTFOUND);
	check_reject("/example.com/m/@v/v2.0.0.mod", MV_ENOTFOUND);
	check_parse("/example.com/m/@v/v2.0.0.info", MV_ROUTE_INFO,
	    "example.com/m", "v2.0.0");
	check_parse("/example.com/m/v2/@v/v2.0.0.zip", MV_ROUTE_ZIP,
	    "example.com/m/v2", "v2.0.0");
}

/* Hostile paths: never trust the front end to normalise (Caddy doesn't). */
/*
 * V-5.1: a non-canonical .info is a query, forwarded upstream; it must
 * look like one (a request once smuggled "%2e%2e%2f" to an upstream that
 * decoded it into another module's path).
 */
static void
v51_queries(void **state)
{
	(void)state;
	check_parse("/example.com/m/@v/v1.2.3+meta.info", MV_ROUTE_INFO,
	    "example.com/m", "v1.2.3+meta");
	check_parse("/example.com/m/@v/abcdef123456.info", MV_ROUTE_INFO,
	    "example.com/m", "abcdef123456");
	check_parse("/example.com/m/@v/release-1.x.info", MV_ROUTE_INFO,
	    "example.com/m", "release-1.x");
	check_reject("/example.com/m/@v/%2e%2e%2fother%2f@v%2fv1.1.0.info",
	    MV_ENOTFOUND);
	check_reject("/example.com/m/@v/a%23b.info", MV_ENOTFOUND);
	check_reject("/example.com/m/@v/a b.info", MV_ENOTFOUND);
	check_reject("/example.com/m/@v/a?b.info", MV_ENOTFOUND);
	check_reject("/example.com/m/@v/-rf.info", MV_ENOTFOUND);
	check_reject("/example.com/m/@v/a..b.info", MV_ENOTFOUND);
	check_reject("/example.com/m/@v/.hidden.info", MV_ENOTFOUND);
}

static void
hostile_paths(void **state)
{
	char longp[MV_REQUEST_PATH_MAX_BYTES + 64];

	check_reject("/example.com/../etc/@v/list", MV_EINVAL);
	check_reject("/example.com/./m/@v/list", MV_EINVAL);
	check_reject("//example.com/m/@v/list", MV_EINVAL);
	check_reject("/example.com//m/@v/list", MV_EINVAL);
	check_reject("/example.com/m/@v/", MV_EINVAL);
	check_reject("/example.com/m/@v/..", MV_EINVAL);
	check_reject("/example.com/m\x01/@v/list", MV_EINVAL);
	check_reject("example.com/m/@v/list", MV_EINVAL);
	check_reject("/example.com/m/@v/v1.0.0/x.zip", MV_ENOTFOUND);
	check_reject("/github.com/!/x/@v/list", MV_ENOTFOUND);
	check_reject("/github.com/x!/@v/list", MV_ENOTFOUND);
	check_reject("/github.com/!!x/@v/list", MV_ENOTFOUND);
	check_reject("/github.com/x/@v/v1.0.0-!1.info", MV_ENOTFOUND);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	check_reject(longp, MV_ELIMIT);
}

/* GP-1.4: percent-decoding; '+' is not a space; %00 and bad escapes fail. */
static void
gp14_percent_decoding(void **state)
{
	char out[64];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_percent_decode("/%21azure/v1.0.0+incompatible", 29, out,
	    sizeof(out), &err), &err);
	assert_string_equal(out, "/!azure/v1.0.0+incompatible");
	assert_ok(mv_percent_decode("%2e%2E", 6, out, sizeof(out), &err),
	    &err);
	assert_string_equal(out, "..");
	assert_fails(mv_percent_decode("a%00b", 5, out, sizeof(out), &err),
	    &err, MV_EINVAL);
	assert_fails(mv_percent_decode("a%0ab", 5, out, sizeof(out), &err),
	    &err, MV_EINVAL);
	assert_fails(mv_percent_decode("a%zz", 4, out, sizeof(out), &err),
	    &err, MV_EINVAL);
	assert_fails(mv_percent_decode("a%2", 3, out, sizeof(out), &err),
	    &err, MV_EINVAL);
	assert_fails(mv_percent_decode("a%", 2, out, sizeof(out), &err),
	    &err, MV_EINVAL);
	assert_fails(mv_percent_decode("abcdef", 6, out, 4, &err), &err,
	    MV_ELIMIT);
}

static void
check_path(const char *uri, const char *script, const char *pinfo,
    const char *mount, const char *want)
{
	struct mv_cgi_vars v = { uri, script, pinfo, mount };
	char out[MV_REQUEST_PATH_MAX_BYTES + 1];
	struct mv_err err = MV_ERR_INIT;

	if (mv_route_path(&v, out, sizeof(out), &err) == -1)
		fail_msg("path of uri=%s script=%s: %s", uri ? uri : "(null)",
		    script ? script : "(null)", err.msg);
	assert_string_equal(out, want);
}

/* The variables each server sends (notes/web-servers.md summary table). */
static void
cgi_variables_per_server(void **state)
{
	const char *zip = "/github.com/!burnt!sushi/toml/@v/v1.3.2.zip";
	const char *raw = "/gomods/github.com/%21burnt%21sushi/toml/@v/v1.3.2.zip";
	struct mv_cgi_vars v = { "/other/x/@v/list", "", NULL, "/gomods" };
	struct mv_cgi_vars merged = { "/cgi-bin/golang.org//x/sync/@v/list",
	    "/cgi-bin/modvault.cgi", "/golang.org/x/sync/@v/list", "" };
	char out[256];
	struct mv_err err = MV_ERR_INIT;

	/* lighttpd, Apache mod_fcgid/cgid, Caddy split, nginx split. */
	check_path(raw, "/gomods", zip, "", zip);
	/* The query string is not part of the path (GP-1.1). */
	check_path("/gomods/x.y/@v/list?go-get=1", "/gomods", NULL, "",
	    "/x.y/@v/list");
	/* mod_proxy_fcgi without SetEnvIf: SCRIPT_NAME = whole path. */
	check_path(raw, "/gomods/github.com/!burnt!sushi/toml/@v/v1.3.2.zip",
	    NULL, "/gomods", zip);
	/* Shared-host rewrite: SCRIPT_NAME is not a prefix of the URI. */
	check_path("/mods/github.com/%21burnt%21sushi/toml/@v/v1.3.2.zip",
	    "/mods/app.cgi", zip, "", zip);
	/* Apache merged "//" into PATH_INFO; the client's path still decides. */
	assert_fails(mv_route_path(&merged, out, sizeof(out), &err), &err,
	    MV_EINVAL);
	merged.request_uri = "/cgi-bin/a/%2e%2e/golang.org/x/sync/@v/list";
	assert_fails(mv_route_path(&merged, out, sizeof(out), &err), &err,
	    MV_EINVAL);
	/* Caddy without split / lighttpd root mount: whole path. */
	check_path("/github.com/%21burnt%21sushi/toml/@v/v1.3.2.zip", "",
	    "/github.com/!burnt!sushi/toml/@v/v1.3.2.zip", "", zip);
	/* Mount root itself, with and without a slash. */
	check_path("/gomods", "/gomods", NULL, "", "/");
	check_path("/gomods/", "/gomods", NULL, "", "/");
	/* A prefix that only matches as a string is not a mount. */
	check_path("/gomodsfoo/x", "", NULL, "", "/gomodsfoo/x");
	assert_fails(mv_route_path(&v, out, sizeof(out), &err), &err,
	    MV_ENOTFOUND);
	/* Bare CGI (no REQUEST_URI): SCRIPT_NAME + PATH_INFO. */
	check_path(NULL, "/cgi-bin/modvault.cgi", "/x.y/@v/list", "",
	    "/x.y/@v/list");
	/* Caddy keeps "%2e%2e": the decoded ".." must then be refused. */
	check_path("/gomods/a/%2e%2e/b/", "/gomods", NULL, "", "/a/../b/");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gp12_vectors),
		cmocka_unit_test(index_and_health),
		cmocka_unit_test(gp41_canonical_only),
		cmocka_unit_test(v51_queries),
		cmocka_unit_test(hostile_paths),
		cmocka_unit_test(gp14_percent_decoding),
		cmocka_unit_test(cgi_variables_per_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
