/*
 * test_serve.c: the whole responder (serve.h) driven through an
 * in-memory sink: every endpoint, status and header, with no web server.
 * The store is filled from the test modules (tests/modgen) by the
 * library's own import.
 */
#include "mvtest.h"
#include "mvtest_fixtures.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "modvault/base/hash.h"
#include "modvault/base/log.h"
#include "modvault/serve/serve.h"
#include "../../src/lib/serve/outcome.h"
#include "modvault/source/import.h"
#include "modvault/store/index.h"

#define BASIC	"/modvault.test/basic/@v/"

struct fx {
	char			 dir[64];
	char			 conf[128];
	struct mv_service	 svc;
	bool			 open;
	const char		*remote_addr;	/* REMOTE_ADDR, NULL: unset */
};

/* What a response looks like on the wire, split up. */
struct reply {
	struct mv_buf	 raw;
	int		 status;
	char		 headers[8192];	/* "Name: value\n" lines */
	const char	*body;
	size_t		 bodylen;
};

static int
buf_write(void *ctx, const void *p, size_t n)
{
	return mv_buf_append(ctx, p, n, NULL);
}

/* The header's value, or NULL (names compared exactly). */
static const char *
header(const struct reply *r, const char *name, char *out, size_t outsz)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "\n%s: ", name);
	if ((p = strstr(r->headers, key)) == NULL)
		return NULL;
	p += strlen(key);
	snprintf(out, outsz, "%.*s", (int)strcspn(p, "\n"), p);
	return out;
}

static void
write_config(struct fx *f, const char *extra)
{
	FILE *fp;

	assert_non_null(fp = fopen(f->conf, "w"));
	fprintf(fp, "data_dir = %s/data\nupstream = off\nlog_level = debug\n"
	    "%s", f->dir, extra);
	assert_int_equal(fclose(fp), 0);
}

static void
reopen(struct fx *f, const char *extra)
{
	if (f->open)
		mv_service_close(&f->svc);
	write_config(f, extra);
	mv_service_open(&f->svc, f->conf);
	f->open = true;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mv_zip_limits lim;
	struct mv_import_opts o = { .lim = &lim };
	struct mv_import_report rep;
	struct mv_policy pol;
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st;
	char data[128], up[512];

	snprintf(f->dir, sizeof(f->dir), "/tmp/mvtest-serve.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf, sizeof(f->conf), "%s/modvault.conf", f->dir);
	snprintf(data, sizeof(data), "%s/data", f->dir);
	snprintf(up, sizeof(up), "%s/upstream", mvtest_fixtures());
	mv_config_defaults(&cfg);
	mv_policy_init(&pol, &cfg);
	mv_zip_limits_default(&lim);
	o.policy = &pol;
	assert_ok(mv_store_open(data, MV_STORE_CREATE, &st, &err), &err);
	assert_ok(mv_import_tree(st, up, &o, &rep, &err), &err);
	assert_int_equal(rep.refused, 0);
	assert_int_equal(rep.stored, mvtest_gosum_count(0));
	mv_store_close(st);
	reopen(f, "");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	if (f->open)
		mv_service_close(&f->svc);
	assert_int_equal(mvtest_remove_dir(f->dir), 0);
	free(f);
	return 0;
}

/* Splits what was written into status, headers and body. */
static void
split(struct reply *r)
{
	const char *p = r->raw.data, *end;
	size_t n = 0;

	assert_non_null(p);
	end = strstr(p, "\r\n\r\n");
	assert_non_null(end);
	assert_int_equal(strncmp(p, "Status: ", 8), 0);
	r->status = atoi(p + 8);
	r->headers[n++] = '\n';
	for (; p < end + 2 && n + 1 < sizeof(r->headers); p++)
		if (*p != '\r')
			r->headers[n++] = *p;
	r->headers[n] = '\0';
	r->body = end + 4;
	r->bodylen = r->raw.len - (size_t)(r->body - r->raw.data);
}

/* One request: method, path (REQUEST_URI), optional headers. */
static void
request_accept(struct fx *f, const char *method, const char *uri,
    const char *inm, const char *range, const char *accept, struct reply *r)
{
	struct mv_request req = { .method = method, .if_none_match = inm,
	    .range = range, .vars = { uri, "", NULL, f->svc.cfg.mount },
	    .host = "proxy.example:8080", .accept = accept };
	struct mv_sink sink = { buf_write, NULL, &r->raw, 0 };
	struct mv_response res;

	req.remote_addr = f->remote_addr;
	memset(r, 0, sizeof(*r));
	mv_buf_init(&r->raw, 64u << 20);
	mv_serve(&f->svc, &req, &res);
	assert_int_equal(mv_response_write(&res, &sink), 0);
	mv_serve_done(&f->svc, &req, &res, sink.written);
	mv_response_release(&res);
	split(r);
}

static void
request(struct fx *f, const char *method, const char *uri, const char *inm,
    const char *range, struct reply *r)
{
	request_accept(f, method, uri, inm, range, NULL, r);
}

static void
get(struct fx *f, const char *uri, struct reply *r)
{
	request(f, "GET", uri, NULL, NULL, r);
}

static void
expect(const struct reply *r, int status, const char *name, const char *value)
{
	char got[4096];

	if (r->status != status)
		fail_msg("status %d, want %d; body: %.*s", r->status, status,
		    (int)r->bodylen, r->body);
	if (name == NULL)
		return;
	if (value == NULL) {
		if (header(r, name, got, sizeof(got)) != NULL)
			fail_msg("unexpected %s: %s", name, got);
		return;
	}
	if (header(r, name, got, sizeof(got)) == NULL)
		fail_msg("no %s header in:%s", name, r->headers);
	assert_string_equal(got, value);
}

static void
free_reply(struct reply *r)
{
	mv_buf_free(&r->raw);
}

/* A fixture file's bytes. */
static unsigned char *
fixture(const char *rel, size_t *n)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/upstream/%s", mvtest_fixtures(), rel);
	return mvtest_slurp(path, n);
}

/* "\"<sha256 hex>\"" of bytes. */
static void
etag_of(const void *p, size_t n, char out[MV_SHA256_HEX + 3])
{
	unsigned char d[MV_SHA256_LEN];
	char hex[MV_SHA256_HEX + 1];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_sha256(p, n, d, &err), &err);
	mv_hex(d, sizeof(d), hex);
	snprintf(out, MV_SHA256_HEX + 3, "\"%s\"", hex);
}

/* --- the endpoints -------------------------------------------------------- */

/* GET /: what it is, and this proxy's own URL as the client reached it. */
static void
index_page(void **state)
{
	struct fx *f = *state;
	struct reply r;

	get(f, "/", &r);
	expect(&r, 200, "Content-Type", "text/plain; charset=utf-8");
	assert_non_null(strstr(r.body, "GOPROXY=http://proxy.example:8080/\n"));
	assert_non_null(strstr(r.body, "/sumdb/"));
	free_reply(&r);
	reopen(f, "mount = /go\n");
	get(f, "/go/", &r);
	expect(&r, 200, NULL, NULL);
	assert_non_null(strstr(r.body, "GOPROXY=http://proxy.example:8080/go/\n"));
	free_reply(&r);
}

/* A database key made for the tests: SHA-256("sum.example.com\n" 01 11*32). */
#define OTHER_DB	"sum.example.com+7e9ab7ef+" \
	"ARERERERERERERERERERERERERERERERERERERERERER"
#define CHROMIUM_ACCEPT	"text/html,application/xhtml+xml,application/xml;" \
	"q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"

/*
 * GET / in a browser: the status page, which runs and loads nothing; the
 * plain text stays for everyone else, and both say they vary by Accept.
 */
static void
status_page(void **state)
{
	struct fx *f = *state;
	char want[256];
	struct reply r;

	request_accept(f, "GET", "/", NULL, NULL, CHROMIUM_ACCEPT, &r);
	expect(&r, 200, "Content-Type", "text/html; charset=utf-8");
	expect(&r, 200, "Vary", "Accept");
	expect(&r, 200, "Cache-Control", "no-store");
	expect(&r, 200, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'");
	assert_int_equal(strncmp(r.body, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(r.body, "<pre id=\"goproxy\">go env -w "
	    "GOPROXY=http://proxy.example:8080/</pre>"));
	/* The fixture store, counted from the fixtures' own list. */
	snprintf(want, sizeof(want), "<dd id=\"versions\">%d</dd>",
	    mvtest_gosum_count(0));
	assert_non_null(strstr(r.body, want));
	assert_non_null(strstr(r.body, "upstream = off"));
	assert_null(strstr(r.body, "<script"));
	/* No database proxied: the go command must reach one, or not check. */
	assert_non_null(strstr(r.body, "No checksum database is proxied"));
	assert_non_null(strstr(r.body, "GOSUMDB=off"));
	free_reply(&r);
	/*
	 * The default database through this proxy needs nothing; another
	 * needs its key (made for this test: name, hash, Ed25519 key); the
	 * private patterns, escaped, go to GONOSUMDB.
	 */
	reopen(f, "mount = /go\nprivate = corp.example/<x>\nsumdb = "
	    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
	    "\nsumdb = " OTHER_DB "\n");
	request_accept(f, "GET", "/go/", NULL, NULL, CHROMIUM_ACCEPT, &r);
	expect(&r, 200, "Content-Type", "text/html; charset=utf-8");
	assert_non_null(strstr(r.body, "<pre id=\"goproxy\">go env -w "
	    "GOPROXY=http://proxy.example:8080/go/</pre>"));
	assert_non_null(strstr(r.body, "<code>http://proxy.example:8080/go/"
	    "sumdb/sum.golang.org/</code>: it is the go command's default"));
	assert_non_null(strstr(r.body, "<pre id=\"gosumdb\">go env -w GOSUMDB="
	    OTHER_DB "</pre>"));
	assert_non_null(strstr(r.body, "<pre id=\"gonosumdb\">go env -w "
	    "GONOSUMDB=corp.example/&lt;x&gt;</pre>"));
	assert_null(strstr(r.body, "No checksum database"));
	free_reply(&r);
	reopen(f, "");
	/* HEAD: the same headers, no body. */
	request_accept(f, "HEAD", "/", NULL, NULL, "text/html", &r);
	expect(&r, 200, "Content-Type", "text/html; charset=utf-8");
	assert_int_equal(r.bodylen, 0);
	free_reply(&r);
	/* curl's Accept: the text index, which varies by Accept too. */
	request_accept(f, "GET", "/", NULL, NULL, "*/*", &r);
	expect(&r, 200, "Content-Type", "text/plain; charset=utf-8");
	expect(&r, 200, "Vary", "Accept");
	expect(&r, 200, "Content-Security-Policy", NULL);
	free_reply(&r);
	/* The page is for the root only: a module path is not HTML. */
	request_accept(f, "GET", BASIC "list", NULL, NULL, CHROMIUM_ACCEPT,
	    &r);
	expect(&r, 200, "Content-Type", "text/plain; charset=utf-8");
	expect(&r, 200, "Vary", NULL);
	free_reply(&r);
}

/* The page is answered, saying what is missing, when the store is not. */
static void
status_page_without_store(void **state)
{
	struct fx *f = *state;
	char data[128], aside[136];
	struct reply r;

	snprintf(data, sizeof(data), "%s/data", f->dir);
	snprintf(aside, sizeof(aside), "%s.aside", data);
	assert_int_equal(rename(data, aside), 0);
	reopen(f, "");
	request_accept(f, "GET", "/", NULL, NULL, CHROMIUM_ACCEPT, &r);
	expect(&r, 200, "Content-Type", "text/html; charset=utf-8");
	assert_non_null(strstr(r.body, "GOPROXY=http://proxy.example:8080/"));
	assert_non_null(strstr(r.body, "id=\"store-unavailable\""));
	assert_non_null(strstr(r.body, "id=\"counters-unavailable\""));
	/* The cause (a path) is the log's, not the page's. */
	assert_null(strstr(r.body, f->dir));
	free_reply(&r);
	/* A broken config: the page says so and gives no advice from it. */
	reopen(f, "log_level = loud\n");
	request_accept(f, "GET", "/", NULL, NULL, CHROMIUM_ACCEPT, &r);
	expect(&r, 200, "Content-Type", "text/html; charset=utf-8");
	assert_non_null(strstr(r.body, "modvault is misconfigured"));
	assert_null(strstr(r.body, "GOSUMDB"));
	free_reply(&r);
	assert_int_equal(rename(aside, data), 0);
	reopen(f, "");
}

static void
healthz(void **state)
{
	struct fx *f = *state;
	struct reply r;

	get(f, "/healthz", &r);
	expect(&r, 200, "Cache-Control", "no-store");
	assert_string_equal(r.body, "ok\n");
	free_reply(&r);
}

/* GP-5.1: sorted, prereleases in, from the store when fetching is off. */
static void
list(void **state)
{
	struct fx *f = *state;
	struct reply r;

	get(f, BASIC "list", &r);
	expect(&r, 200, "Cache-Control", "public, max-age=60");
	expect(&r, 200, "Content-Type", "text/plain; charset=utf-8");
	assert_string_equal(r.body, "v1.0.0\nv1.1.0\nv1.2.0-beta.1\n");
	free_reply(&r);
	/* GP-5.1.3: no pseudo-versions in a list. */
	get(f, "/modvault.test/pseudo/@v/list", &r);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(r.bodylen, 0);
	free_reply(&r);
}

/* GP-5.2, GP-5.3: the stored bytes, their ETag, their cache lifetime. */
static void
info_and_mod(void **state)
{
	struct fx *f = *state;
	char tag[MV_SHA256_HEX + 3];
	unsigned char *want;
	struct reply r;
	size_t n;

	want = fixture("modvault.test/basic/@v/v1.1.0.info", &n);
	etag_of(want, n, tag);
	get(f, BASIC "v1.1.0.info", &r);
	expect(&r, 200, "Content-Type", "application/json");
	expect(&r, 200, "Cache-Control", "public, max-age=86400");
	expect(&r, 200, "ETag", tag);
	assert_int_equal(r.bodylen, n);
	assert_memory_equal(r.body, want, n);
	free_reply(&r);
	free(want);
	want = fixture("modvault.test/!camel!case/!pkg/@v/v1.0.0.mod", &n);
	get(f, "/modvault.test/!camel!case/!pkg/@v/v1.0.0.mod", &r);
	expect(&r, 200, "Cache-Control", "public, max-age=31536000, immutable");
	assert_int_equal(r.bodylen, n);
	assert_memory_equal(r.body, want, n);
	free_reply(&r);
	free(want);
}

/* RFC 9110 13.1.2: If-None-Match matches whole tags, weakly. */
static void
conditional(void **state)
{
	struct fx *f = *state;
	char tag[MV_SHA256_HEX + 3], list[256], part[64];
	unsigned char *want;
	struct reply r;
	size_t n;

	want = fixture("modvault.test/basic/@v/v1.0.0.mod", &n);
	etag_of(want, n, tag);
	free(want);
	request(f, "GET", BASIC "v1.0.0.mod", tag, NULL, &r);
	expect(&r, 304, "ETag", tag);
	expect(&r, 304, "Content-Type", NULL);
	assert_int_equal(r.bodylen, 0);
	free_reply(&r);
	snprintf(list, sizeof(list), "\"x\", W/%s", tag);
	request(f, "GET", BASIC "v1.0.0.mod", list, NULL, &r);
	expect(&r, 304, NULL, NULL);
	free_reply(&r);
	request(f, "GET", BASIC "v1.0.0.mod", "*", NULL, &r);
	expect(&r, 304, NULL, NULL);
	free_reply(&r);
	/* A substring of the tag is not the tag. */
	snprintf(part, sizeof(part), "%.20s\"", tag);
	request(f, "GET", BASIC "v1.0.0.mod", part, NULL, &r);
	expect(&r, 200, NULL, NULL);
	free_reply(&r);
	snprintf(list, sizeof(list), "\"xx%s", tag + 1);
	request(f, "GET", BASIC "v1.0.0.mod", list, NULL, &r);
	expect(&r, 200, NULL, NULL);
	free_reply(&r);
}

/* GP-5.4 and RFC 9110 14: the zip, whole, in part, or not at all. */
static void
zip_and_ranges(void **state)
{
	struct fx *f = *state;
	const char *zip = "/modvault.test/big/@v/v1.0.0.zip";
	char tag[MV_SHA256_HEX + 3], v[128];
	unsigned char *want;
	struct reply r;
	size_t n;

	want = fixture("modvault.test/big/@v/v1.0.0.zip", &n);
	etag_of(want, n, tag);
	get(f, zip, &r);
	expect(&r, 200, "Content-Type", "application/zip");
	expect(&r, 200, "Accept-Ranges", "bytes");
	expect(&r, 200, "ETag", tag);
	snprintf(v, sizeof(v), "%zu", n);
	expect(&r, 200, "Content-Length", v);
	assert_int_equal(r.bodylen, n);
	assert_memory_equal(r.body, want, n);
	free_reply(&r);
	request(f, "GET", zip, NULL, "bytes=100-199", &r);
	snprintf(v, sizeof(v), "bytes 100-199/%zu", n);
	expect(&r, 206, "Content-Range", v);
	expect(&r, 206, "Content-Length", "100");
	assert_memory_equal(r.body, want + 100, 100);
	free_reply(&r);
	request(f, "GET", zip, NULL, "bytes=-10", &r);
	expect(&r, 206, "Content-Length", "10");
	assert_memory_equal(r.body, want + n - 10, 10);
	free_reply(&r);
	request(f, "GET", zip, NULL, "bytes=5000000-", &r);
	snprintf(v, sizeof(v), "%zu", n - 5000000);
	expect(&r, 206, "Content-Length", v);
	assert_memory_equal(r.body, want + 5000000, n - 5000000);
	free_reply(&r);
	snprintf(v, sizeof(v), "bytes=%zu-", n);
	request(f, "GET", zip, NULL, v, &r);
	snprintf(v, sizeof(v), "bytes */%zu", n);
	expect(&r, 416, "Content-Range", v);
	free_reply(&r);
	/* Malformed or multiple ranges are ignored: the whole zip. */
	request(f, "GET", zip, NULL, "bytes= -5-", &r);
	expect(&r, 200, NULL, NULL);
	assert_int_equal(r.bodylen, n);
	free_reply(&r);
	request(f, "GET", zip, NULL, "bytes=5--3", &r);
	expect(&r, 200, NULL, NULL);
	free_reply(&r);
	request(f, "GET", zip, NULL, "bytes=1-2,4-5", &r);
	expect(&r, 200, NULL, NULL);
	free_reply(&r);
	/* HEAD: the headers of GET, no body. */
	request(f, "HEAD", zip, NULL, NULL, &r);
	snprintf(v, sizeof(v), "%zu", n);
	expect(&r, 200, "Content-Length", v);
	assert_int_equal(r.bodylen, 0);
	free_reply(&r);
	free(want);
}

/* The web server sends the blob itself: a header, and no body. */
static void
offload(void **state)
{
	struct fx *f = *state;
	const char *zip = "/modvault.test/basic/@v/v1.0.0.zip";
	char hex[MV_SHA256_HEX + 1], want[512], got[512];
	unsigned char *bytes, d[MV_SHA256_LEN];
	struct mv_err err = MV_ERR_INIT;
	struct reply r;
	size_t n;

	bytes = fixture("modvault.test/basic/@v/v1.0.0.zip", &n);
	assert_ok(mv_sha256(bytes, n, d, &err), &err);
	mv_hex(d, sizeof(d), hex);
	free(bytes);
	reopen(f, "xsendfile = lighttpd\n");
	get(f, zip, &r);
	expect(&r, 200, "Content-Length", NULL);
	assert_non_null(header(&r, "X-LIGHTTPD-send-file", got, sizeof(got)));
	snprintf(want, sizeof(want), "/blobs/%.2s/%.2s/%s", hex, hex + 2, hex);
	assert_non_null(strstr(got, want));
	assert_int_equal(r.bodylen, 0);
	free_reply(&r);
	reopen(f, "xsendfile = nginx\n");
	get(f, zip, &r);
	snprintf(want, sizeof(want), "/_modvault_blobs/%.2s/%.2s/%s", hex,
	    hex + 2, hex);
	expect(&r, 200, "X-Accel-Redirect", want);
	free_reply(&r);
}

/* V-6.2: with no upstream, @latest is computed from the store. */
static void
latest(void **state)
{
	struct fx *f = *state;
	unsigned char *want;
	struct reply r;
	size_t n;

	want = fixture("modvault.test/basic/@v/v1.1.0.info", &n);
	get(f, "/modvault.test/basic/@latest", &r);
	expect(&r, 200, "Content-Type", "application/json");
	assert_int_equal(r.bodylen, n);
	assert_memory_equal(r.body, want, n);
	free(want);
	free_reply(&r);
}

/* --- failures ------------------------------------------------------------- */

static void
client_errors(void **state)
{
	struct fx *f = *state;
	char longpath[5000];
	struct reply r;

	get(f, BASIC "v9.9.9.info", &r);
	expect(&r, 404, "Cache-Control", "no-store");
	assert_non_null(strstr(r.body, "not found"));
	assert_non_null(strchr(r.body, '\n'));
	assert_int_equal(strchr(r.body, '\n') - r.body + 1, (long)r.bodylen);
	free_reply(&r);
	get(f, "/modvault.test/../etc/@v/list", &r);
	expect(&r, 400, NULL, NULL);
	free_reply(&r);
	get(f, "/nodot/@v/list", &r);
	expect(&r, 404, NULL, NULL);
	free_reply(&r);
	request(f, "POST", "/healthz", NULL, NULL, &r);
	expect(&r, 405, "Allow", "GET, HEAD");
	free_reply(&r);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	get(f, longpath, &r);
	expect(&r, 414, NULL, NULL);
	free_reply(&r);
	get(f, "/sumdb/sum.example.org/supported", &r);
	expect(&r, 404, NULL, NULL);
	free_reply(&r);
}

/*
 * The policy is asked once after routing: a lookup of a nosumdb module is
 * refused before anything reaches a checksum database (GP-10.3).
 */
static void
policy_refuses_private_lookup(void **state)
{
	struct fx *f = *state;
	struct reply r;

	reopen(f, "sumdb = sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+"
	    "s3Ux18htTTAD8OuAn8 http://127.0.0.1:9\nnosumdb = modvault.test\n");
	get(f, "/sumdb/sum.golang.org/supported", &r);
	expect(&r, 200, NULL, NULL);
	free_reply(&r);
	get(f, "/sumdb/sum.golang.org/lookup/modvault.test/basic@v1.0.0", &r);
	expect(&r, 403, NULL, NULL);
	assert_non_null(strstr(r.body, "nosumdb"));
	free_reply(&r);
}

/*
 * A store with an older schema: every request says so (503), /healthz
 * too, and serving never changes the schema (only `modvault init` does).
 */
static void
old_schema_is_not_migrated(void **state)
{
	struct fx *f = *state;
	char path[256];
	struct reply r;
	sqlite3 *db;
	int v = 0;

	snprintf(path, sizeof(path), "%s/data/index.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 2", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	reopen(f, "");
	get(f, "/healthz", &r);
	expect(&r, 503, NULL, NULL);
	assert_non_null(strstr(r.body, "store needs upgrading"));
	assert_non_null(strstr(r.body, "run 'modvault init'"));
	free_reply(&r);
	get(f, BASIC "v1.0.0.info", &r);
	expect(&r, 503, NULL, NULL);
	assert_non_null(strstr(r.body, "store needs upgrading"));
	free_reply(&r);
	mv_service_close(&f->svc);
	f->open = false;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	{
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version",
		    -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	assert_int_equal(v, 2);
}

/* Local failures: the client is told what kind, never a file name. */
static void
local_failures_name_no_files(void **state)
{
	struct fx *f = *state;
	char data[128], moved[128];
	struct reply r;

	/* A broken configuration. */
	reopen(f, "log_level = loud\n");
	get(f, BASIC "v1.0.0.info", &r);
	expect(&r, 500, NULL, NULL);
	assert_null(strstr(r.body, f->dir));
	assert_non_null(strstr(r.body, "misconfigured"));
	free_reply(&r);
	get(f, "/healthz", &r);
	expect(&r, 503, NULL, NULL);
	assert_null(strstr(r.body, f->dir));
	free_reply(&r);
	/* A store that is gone. */
	snprintf(data, sizeof(data), "%s/data", f->dir);
	snprintf(moved, sizeof(moved), "%s/moved", f->dir);
	assert_int_equal(rename(data, moved), 0);
	reopen(f, "");
	get(f, BASIC "v1.0.0.info", &r);
	expect(&r, 503, NULL, NULL);
	assert_non_null(strstr(r.body, "store unavailable"));
	assert_null(strstr(r.body, f->dir));
	free_reply(&r);
	get(f, "/healthz", &r);
	expect(&r, 503, NULL, NULL);
	free_reply(&r);
	assert_int_equal(rename(moved, data), 0);
	reopen(f, "");
}

/* A damaged small blob is never served (its digest is checked). */
static void
damaged_blob_is_refused(void **state)
{
	struct fx *f = *state;
	unsigned char *bytes, d[MV_SHA256_LEN];
	char hex[MV_SHA256_HEX + 1], path[512];
	struct mv_err err = MV_ERR_INIT;
	struct reply r;
	size_t n;
	int fd;

	bytes = fixture("modvault.test/nogomod/@v/v1.0.0.mod", &n);
	assert_ok(mv_sha256(bytes, n, d, &err), &err);
	free(bytes);
	mv_hex(d, sizeof(d), hex);
	snprintf(path, sizeof(path), "%s/data/blobs/%.2s/%.2s/%s", f->dir, hex,
	    hex + 2, hex);
	assert_int_equal(chmod(path, 0644), 0);
	assert_true((fd = open(path, O_WRONLY)) >= 0);
	assert_int_equal(pwrite(fd, "X", 1, 0), 1);
	close(fd);
	get(f, "/modvault.test/nogomod/@v/v1.0.0.mod", &r);
	expect(&r, 500, NULL, NULL);
	assert_non_null(strstr(r.body, "damaged"));
	assert_null(strstr(r.body, f->dir));
	free_reply(&r);
	/* Quarantined, its version dropped: with fetching off, now absent. */
	assert_int_equal(access(path, F_OK), -1);
	get(f, "/modvault.test/nogomod/@v/v1.0.0.mod", &r);
	expect(&r, 404, NULL, NULL);
	free_reply(&r);
}

/* A zip modvault sends itself is read back first: a damaged one never goes. */
static void
damaged_zip_is_not_streamed(void **state)
{
	struct fx *f = *state;
	unsigned char *bytes, d[MV_SHA256_LEN];
	char hex[MV_SHA256_HEX + 1], path[512];
	struct mv_err err = MV_ERR_INIT;
	struct reply r;
	size_t n;
	int fd;

	bytes = fixture("modvault.test/license/@v/v1.0.0.zip", &n);
	assert_ok(mv_sha256(bytes, n, d, &err), &err);
	free(bytes);
	mv_hex(d, sizeof(d), hex);
	snprintf(path, sizeof(path), "%s/data/blobs/%.2s/%.2s/%s", f->dir, hex,
	    hex + 2, hex);
	assert_int_equal(chmod(path, 0644), 0);
	assert_true((fd = open(path, O_WRONLY)) >= 0);
	assert_int_equal(pwrite(fd, "X", 1, 100), 1);
	close(fd);
	request(f, "GET", "/modvault.test/license/@v/v1.0.0.zip", NULL,
	    "bytes=0-9", &r);
	expect(&r, 500, NULL, NULL);
	assert_non_null(strstr(r.body, "damaged"));
	free_reply(&r);
	assert_int_equal(access(path, F_OK), -1);
}

/* Requests made with stderr in a file; the file's lines in out. */
static void
logged(struct fx *f, void (*run)(struct fx *), char *out, size_t outsz)
{
	char path[128];
	int saved, fd;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/stderr", f->dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	saved = dup(2);
	dup2(fd, 2);
	run(f);
	dup2(saved, 2);
	close(saved);
	close(fd);
	assert_non_null(fp = fopen(path, "r"));
	n = fread(out, 1, outsz - 1, fp);
	out[n] = '\0';
	fclose(fp);
}

static void
access_requests(struct fx *f)
{
	char etag[128];
	struct reply r;

	request(f, "GET", BASIC "v1.0.0.zip", NULL, "bytes=0-9", &r);
	expect(&r, 206, NULL, NULL);
	free_reply(&r);
	get(f, BASIC "v1.0.0.mod", &r);
	assert_non_null(header(&r, "ETag", etag, sizeof(etag)));
	free_reply(&r);
	request(f, "GET", BASIC "v1.0.0.mod", etag, NULL, &r);
	expect(&r, 304, NULL, NULL);
	free_reply(&r);
	request(f, "HEAD", BASIC "v1.0.0.zip", NULL, NULL, &r);
	free_reply(&r);
	get(f, "/healthz", &r);
	free_reply(&r);
	get(f, "/modvault.test/a/../b/@v/list", &r);
	expect(&r, 400, NULL, NULL);
	free_reply(&r);
	/* No module path lacks a dot in its first element: no route. */
	get(f, "/nodot/@v/list", &r);
	expect(&r, 404, NULL, NULL);
	free_reply(&r);
	request(f, "PUT", "/healthz", NULL, NULL, &r);
	free_reply(&r);
}

/*
 * One access line per request at info: the status sent (206, 304), the
 * body bytes written, how it was answered, the rule of a refusal.
 */
static void
access_log_has_the_real_status(void **state)
{
	struct fx *f = *state;
	char log[16384];

	logged(f, access_requests, log, sizeof(log));
	assert_non_null(strstr(log, ": info: GET /modvault.test/basic/@v/"
	    "v1.0.0.zip 206 bytes=10 ms="));
	assert_non_null(strstr(log, "GET /modvault.test/basic/@v/v1.0.0.mod "
	    "304 bytes=0 ms="));
	assert_non_null(strstr(log, "HEAD /modvault.test/basic/@v/v1.0.0.zip "
	    "200 bytes=0 ms="));
	assert_non_null(strstr(log, "GET /healthz 200 bytes=3 ms="));
	assert_non_null(strstr(log, " how=local\n"));
	assert_non_null(strstr(log, " how=hit\n"));
	assert_null(strstr(log, "upstream="));
	assert_non_null(strstr(log, "GET /modvault.test/a/../b/@v/list 400 "));
	assert_non_null(strstr(log, " how=refused rule=invalid\n"));
	/* A path that is no route is refused, not a hit of the store. */
	assert_non_null(strstr(log, "GET /nodot/@v/list 404 "));
	assert_non_null(strstr(strstr(log, "GET /nodot/@v/list 404 "),
	    " how=refused rule=invalid\n"));
	assert_non_null(strstr(log, "PUT /healthz 405 "));
	assert_non_null(strstr(log, " how=refused rule=method\n"));
	/* Below info there is none. */
	mv_log_set_level(MV_LOG_WARN);
	logged(f, access_requests, log, sizeof(log));
	mv_log_set_level(MV_LOG_DEBUG);
	assert_null(strstr(log, "GET /"));
}

/* The body has this exact line. */
static void
has_line(const struct reply *r, const char *line)
{
	const char *p = r->body;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == r->body || p[-1] == '\n') && p[n] == '\n')
			return;
		p += n;
	}
	fail_msg("no line \"%s\" in:\n%s", line, r->body);
}

/*
 * /metrics counts what this test did (each request once, by endpoint,
 * status class and how), for loopback only by default; 403 for others,
 * 404 with metrics = off.
 */
static void
metrics_endpoint(void **state)
{
	struct fx *f = *state;
	struct reply r;
	char line[128];

	get(f, BASIC "v1.0.0.info", &r);
	free_reply(&r);
	get(f, BASIC "v1.0.0.mod", &r);
	free_reply(&r);
	get(f, "/modvault.test/a/../b/@v/list", &r);
	free_reply(&r);
	f->remote_addr = "192.0.2.1";
	get(f, "/metrics", &r);
	expect(&r, 403, NULL, NULL);
	assert_non_null(strstr(r.body, "metrics key"));
	free_reply(&r);
	f->remote_addr = "::1";
	get(f, "/metrics", &r);
	expect(&r, 200, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	expect(&r, 200, "Cache-Control", "no-store");
	has_line(&r, "modvault_requests_total{endpoint=\"info\",code=\"2xx\"} 1");
	has_line(&r, "modvault_requests_total{endpoint=\"mod\",code=\"2xx\"} 1");
	has_line(&r, "modvault_requests_total{endpoint=\"index\",code=\"4xx\"} 1");
	has_line(&r, "modvault_requests_total{endpoint=\"metrics\",code=\"4xx\"} 1");
	has_line(&r, "modvault_cache_hits_total 2");
	has_line(&r, "modvault_answers_total{how=\"refused\"} 1");
	has_line(&r, "modvault_refusals_total{rule=\"invalid\"} 1");
	snprintf(line, sizeof(line), "modvault_store_versions %zu",
	    (size_t)mvtest_gosum_count(0));
	has_line(&r, line);
	has_line(&r, "# TYPE modvault_upstream_request_duration_seconds "
	    "histogram");
	has_line(&r, "modvault_upstream_request_duration_seconds_count 0");
	free_reply(&r);
	reopen(f, "metrics = off\n");
	get(f, "/metrics", &r);
	expect(&r, 404, NULL, NULL);
	free_reply(&r);
}

/* A refusal's rule: the first spec rule id of the message. */
static void
rule_ids(void **state)
{
	char id[64];

	(void)state;
	assert_true(mv_outcome_rule_id("refused m@v1.0.0 from upstream: "
	    "zip: MZ-3.1: file path \"a/../b\" is not clean", id, sizeof(id)));
	assert_string_equal(id, "MZ-3.1");
	assert_true(mv_outcome_rule_id("(SD-4.2.3) bad proof", id, sizeof(id)));
	assert_string_equal(id, "SD-4.2.3");
	/* GP-6.6 marks an upstream's failure; SHA-256, UTF-8 are no rules. */
	assert_true(mv_outcome_rule_id("GP-6.6: .info: GP-11.1: bad", id,
	    sizeof(id)));
	assert_string_equal(id, "GP-11.1");
	assert_false(mv_outcome_rule_id("GP-6.6: upstream x: status 500", id,
	    sizeof(id)));
	assert_false(mv_outcome_rule_id("SHA-256 mismatch in UTF-8 name", id,
	    sizeof(id)));
	assert_false(mv_outcome_rule_id("XMZ-3.1 GP-x MZ-", id, sizeof(id)));
	assert_true(mv_outcome_rule_id("V-5.4.", id, sizeof(id)));
	assert_string_equal(id, "V-5.4");
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(index_page),
		T(status_page),
		T(status_page_without_store),
		T(healthz),
		T(metrics_endpoint),
		T(list),
		T(info_and_mod),
		T(conditional),
		T(zip_and_ranges),
		T(offload),
		T(latest),
		T(client_errors),
		T(policy_refuses_private_lookup),
		T(old_schema_is_not_migrated),
		T(local_failures_name_no_files),
		T(damaged_blob_is_refused),
		T(damaged_zip_is_not_streamed),
		T(access_log_has_the_real_status),
		cmocka_unit_test(rule_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
