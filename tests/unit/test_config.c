/* test_config.c: the configuration file parser and loader. */
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvtest.h"
#include "modvault/base/config.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A value that must be refused, and the reason after "t.conf:1: KEY: ". */
struct bad_value {
	const char	*key;
	const char	*value;
	const char	*reason;
};

static int
parse(struct mv_config *cfg, const char *text, struct mv_err *err)
{
	return mv_config_parse(cfg, "t.conf", text, strlen(text), err);
}

/* Asserts that text fails with exactly the message want. */
static void
expect_error(const char *text, size_t len, const char *want)
{
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_fails(mv_config_parse(&cfg, "t.conf", text, len, &err), &err,
	    MV_ECONFIG);
	assert_string_equal(err.msg, want);
}

static void
expect_str(const char *text, const char *want)
{
	expect_error(text, strlen(text), want);
}

static void
expect_bad_values(const struct bad_value *b, size_t n)
{
	char text[256], want[512];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%s = %s\n", b[i].key, b[i].value);
		snprintf(want, sizeof(want), "t.conf:1: %s: %s", b[i].key,
		    b[i].reason);
		expect_str(text, want);
	}
}

/* Compares every field of two configs, naming the first that differs. */
static void
assert_config_equal(const struct mv_config *got, const struct mv_config *want)
{
	static const size_t strings[] = {
		offsetof(struct mv_config, path),
		offsetof(struct mv_config, data_dir),
		offsetof(struct mv_config, upstream),
		offsetof(struct mv_config, xsendfile_prefix),
		offsetof(struct mv_config, mount),
		offsetof(struct mv_config, netrc),
		offsetof(struct mv_config, log),
	};
	static const size_t seconds[] = {
		offsetof(struct mv_config, upstream_timeout),
		offsetof(struct mv_config, connect_timeout),
		offsetof(struct mv_config, stall_timeout),
		offsetof(struct mv_config, list_ttl),
		offsetof(struct mv_config, negative_ttl),
		offsetof(struct mv_config, background_fetches),
	};
	size_t i;

	for (i = 0; i < NELEM(strings); i++)
		assert_string_equal((const char *)got + strings[i],
		    (const char *)want + strings[i]);
	for (i = 0; i < NELEM(seconds); i++)
		assert_int_equal(*(const long *)(const void *)
		    ((const char *)got + seconds[i]), *(const long *)
		    (const void *)((const char *)want + seconds[i]));
	assert_int_equal(got->log_level, want->log_level);
	assert_int_equal(got->xsendfile, want->xsendfile);
	assert_int_equal(got->max_zip_bytes, want->max_zip_bytes);
}

static void
defaults_and_names(void **state)
{
	static struct mv_config want = {
		.upstream = "off",
		.log_level = MV_LOG_WARN,
		.log = "stderr",
		.xsendfile = MV_XSENDFILE_OFF,
		.xsendfile_prefix = "/_modvault_blobs/",
		.max_zip_bytes = 524288000,
		.upstream_timeout = 120,
		.connect_timeout = 10,
		.stall_timeout = 30,
		.list_ttl = 60,
		.negative_ttl = 300,
		.background_fetches = 8,
	};
	struct mv_config cfg;
	size_t n;

	mv_config_defaults(&cfg);
	/* MV_LOCALSTATEDIR "/lib/modvault", whatever the build chose. */
	n = strlen(cfg.data_dir);
	assert_true(n > 13 && cfg.data_dir[0] == '/');
	assert_string_equal(cfg.data_dir + n - 13, "/lib/modvault");
	memcpy(want.data_dir, cfg.data_dir, n + 1);
	assert_config_equal(&cfg, &want);
	n = strlen(mv_config_default_path());
	assert_true(n > 14);
	assert_string_equal(mv_config_default_path() + n - 14,
	    "/modvault.conf");
	assert_string_equal(mv_log_level_name(MV_LOG_ERROR), "error");
	assert_string_equal(mv_log_level_name(MV_LOG_WARN), "warn");
	assert_string_equal(mv_log_level_name(MV_LOG_INFO), "info");
	assert_string_equal(mv_log_level_name(MV_LOG_DEBUG), "debug");
	assert_string_equal(mv_log_level_name((enum mv_log_level)99),
	    "unknown");
}

static void
every_key_good(void **state)
{
	static const char text[] =
	    "data_dir = /srv/modvault\n"
	    "upstream = https://proxy.golang.org,http://mirror:8080/go|off\n"
	    "log_level = debug\n"
	    "log = /var/log/modvault/modvault.log\n"
	    "xsendfile = nginx\n"
	    "xsendfile_prefix = /blobs/\n"
	    "mount = /go\n"
	    "max_zip_bytes = 524288000\n"
	    "upstream_timeout = 3600\n"
	    "connect_timeout = 300\n"
	    "stall_timeout = 5\n"
	    "list_ttl = 86400\n"
	    "negative_ttl = 1\n"
	    "netrc = /etc/modvault/netrc\n"
	    "background_fetches = 3\n";
	static const struct mv_config want = {
		.data_dir = "/srv/modvault",
		.upstream =
		    "https://proxy.golang.org,http://mirror:8080/go|off",
		.log_level = MV_LOG_DEBUG,
		.log = "/var/log/modvault/modvault.log",
		.xsendfile = MV_XSENDFILE_NGINX,
		.xsendfile_prefix = "/blobs/",
		.mount = "/go",
		.max_zip_bytes = 524288000,
		.upstream_timeout = 3600,
		.connect_timeout = 300,
		.stall_timeout = 5,
		.list_ttl = 86400,
		.negative_ttl = 1,
		.netrc = "/etc/modvault/netrc",
		.background_fetches = 3,
	};
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_ok(parse(&cfg, text, &err), &err);
	assert_config_equal(&cfg, &want);
	/* mv_config_parse does not resolve relative paths; load does. */
	assert_ok(parse(&cfg, "data_dir = rel\n", &err), &err);
	assert_string_equal(cfg.data_dir, "rel");
}

/* The keys of fetching from git: direct, patterns, rewrites, git. */
static void
vcs_keys(void **state)
{
	static const char text[] =
	    "upstream = https://proxy.golang.org,direct\n"
	    "private = *.corp.example.com,github.com/corp\n"
	    "noproxy = github.com/corp\n"
	    "insecure = git.lan\n"
	    "vcs_rewrite = https://github.com/ https://mirror.lan/github/\n"
	    "vcs_rewrite  =  https://git.lan/\t ssh://git@git.lan/\n"
	    "git = /bin/sh\n";
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_ok(parse(&cfg, text, &err), &err);
	assert_string_equal(cfg.upstream, "https://proxy.golang.org,direct");
	assert_string_equal(cfg.private, "*.corp.example.com,github.com/corp");
	assert_string_equal(cfg.noproxy, "github.com/corp");
	assert_string_equal(cfg.insecure, "git.lan");
	assert_int_equal(cfg.nvcs_rewrite, 2);
	assert_string_equal(cfg.vcs_rewrite[0].from, "https://github.com/");
	assert_string_equal(cfg.vcs_rewrite[0].to,
	    "https://mirror.lan/github/");
	assert_string_equal(cfg.vcs_rewrite[1].from, "https://git.lan/");
	assert_string_equal(cfg.vcs_rewrite[1].to, "ssh://git@git.lan/");
	assert_string_equal(cfg.git, "/bin/sh");
	assert_ok(parse(&cfg, "upstream = direct\n", &err), &err);
	assert_string_equal(cfg.git, "/usr/bin/git");	/* the default */
	assert_int_equal(cfg.nvcs_rewrite, 0);
}

static void
enum_values(void **state)
{
	static const char *const levels[] = {
		"error", "warn", "info", "debug",
	};
	static const char *const xs[] = {
		"off", "lighttpd", "apache", "nginx", "caddy",
	};
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;
	char text[64];
	size_t i;

	for (i = 0; i < NELEM(levels); i++) {
		snprintf(text, sizeof(text), "log_level=%s", levels[i]);
		assert_ok(parse(&cfg, text, &err), &err);
		assert_int_equal(cfg.log_level, i);
	}
	for (i = 0; i < NELEM(xs); i++) {
		snprintf(text, sizeof(text), "xsendfile = %s", xs[i]);
		assert_ok(parse(&cfg, text, &err), &err);
		assert_int_equal(cfg.xsendfile, i);
	}
	/* The word the log lines use is a log level too. */
	assert_ok(parse(&cfg, "log_level = warning", &err), &err);
	assert_int_equal(cfg.log_level, MV_LOG_WARN);
}

/* Sizes take the suffixes gc --max-bytes takes (powers of 1024). */
static void
size_suffixes(void **state)
{
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_ok(parse(&cfg, "max_zip_bytes = 100M", &err), &err);
	assert_int_equal(cfg.max_zip_bytes, 100u << 20);
	assert_ok(parse(&cfg, "max_zip_bytes = 500M", &err), &err);
	assert_int_equal(cfg.max_zip_bytes, 500u << 20);
	assert_ok(parse(&cfg, "max_zip_bytes = 64K", &err), &err);
	assert_int_equal(cfg.max_zip_bytes, 64u << 10);
	assert_ok(parse(&cfg, "max_zip_bytes = 12345", &err), &err);
	assert_int_equal(cfg.max_zip_bytes, 12345);
}

static void
path_values(void **state)
{
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_ok(parse(&cfg, "mount = /", &err), &err);
	assert_string_equal(cfg.mount, "");
	assert_ok(parse(&cfg, "mount =", &err), &err);
	assert_string_equal(cfg.mount, "");
	assert_ok(parse(&cfg, "mount = /a/b", &err), &err);
	assert_string_equal(cfg.mount, "/a/b");
	assert_ok(parse(&cfg, "xsendfile_prefix = /", &err), &err);
	assert_string_equal(cfg.xsendfile_prefix, "/");
	assert_ok(parse(&cfg, "netrc =", &err), &err);
	assert_string_equal(cfg.netrc, "");
	assert_ok(parse(&cfg, "upstream = off", &err), &err);
	assert_string_equal(cfg.upstream, "off");
}

#define NOT_INT(v)	v, "must be a positive integer, not \"" v "\""
#define NOT_SIZE(v)	v, "must be a positive byte count (suffixes K, M, G, " \
			    "T), not \"" v "\""
#define URL_CHARS	"white space, non-ascii, '?' or '#'"
#define BAD_CHARS(v, e)	v, "entry \"" e "\" has " URL_CHARS
#define NOT_URL(v)	v, "entry \"" v "\" is not an http:// or " \
			    "https:// url, direct or off"

static void
bad_values(void **state)
{
	static const struct bad_value b[] = {
		{ "data_dir", "", "must not be empty" },
		{ "upstream", "", "must not be empty (use off)" },
		{ "upstream", "http://a,http://b,http://c,http://d,http://e,"
		    "http://f,http://g,http://h,http://i", "more than 8 entries" },
		{ "vcs_rewrite", "https://a/", "must be two URL prefixes: FROM "
		    "TO" },
		{ "vcs_rewrite", "https://a/ https://b/ x",
		    "must be two URL prefixes: FROM TO" },
		{ "vcs_rewrite", "a/ https://b/", "FROM \"a/\" is not a URL "
		    "(scheme://host/...)" },
		{ "vcs_rewrite", "https://a/ b", "TO \"b\" is not a URL "
		    "(scheme://host/...)" },
		{ "git", "git", "must be an absolute path" },
		{ "git", "/nonexistent/git", "/nonexistent/git is not an "
		    "executable file" },
		{ "upstream", NOT_URL("ftp://x") },
		{ "upstream", NOT_URL("HTTPS://x") },
		{ "upstream", "http://", "entry \"http://\" has no host" },
		{ "upstream", "https:///x",
		    "entry \"https:///x\" has no host" },
		{ "upstream", "https://a,,https://b", "empty entry in list" },
		{ "upstream", "https://a|", "empty entry in list" },
		{ "upstream", "off,https://a",
		    "entries after \"off\" would never be used" },
		{ "upstream", BAD_CHARS("https://a ,https://b", "https://a ") },
		{ "upstream", BAD_CHARS("https://a/?x", "https://a/?x") },
		{ "log_level", "verbose",
		    "must be one of error, warn, info, debug" },
		{ "log_level", "WARN",
		    "must be one of error, warn, info, debug" },
		{ "log", "", "must be stderr, syslog or a file" },
		{ "log", "/var/log/", "/var/log/ is a directory, not a file" },
		{ "xsendfile", "yes",
		    "must be one of off, lighttpd, apache, nginx, caddy" },
		{ "xsendfile_prefix", "", "must start and end with '/'" },
		{ "xsendfile_prefix", "x/", "must start and end with '/'" },
		{ "xsendfile_prefix", "/x", "must start and end with '/'" },
		{ "xsendfile_prefix", "/a b/", "must not contain " URL_CHARS },
		{ "mount", "go", "must start with '/' and not end with '/'" },
		{ "mount", "/go/", "must start with '/' and not end with '/'" },
		{ "mount", "/go#x", "must not contain " URL_CHARS },
		{ "max_zip_bytes", NOT_SIZE("0") },
		{ "max_zip_bytes", NOT_SIZE("") },
		{ "max_zip_bytes", "524288001", "must be at most 524288000" },
		{ "max_zip_bytes", "501M", "must be at most 524288000" },
		{ "max_zip_bytes", NOT_SIZE("99999999999999999999999") },
		{ "max_zip_bytes", NOT_SIZE("-1") },
		{ "max_zip_bytes", NOT_SIZE("+5") },
		{ "max_zip_bytes", NOT_SIZE("10k") },
		{ "max_zip_bytes", NOT_SIZE("10MB") },
		{ "max_zip_bytes", NOT_SIZE("1e6") },
		{ "max_zip_bytes", NOT_SIZE("1 000") },
		{ "upstream_timeout", "0", "must be a positive integer" },
		{ "upstream_timeout", "3601", "must be at most 3600" },
		{ "connect_timeout", "301", "must be at most 300" },
		{ "connect_timeout", NOT_INT("ten") },
		{ "stall_timeout", "3601", "must be at most 3600" },
		{ "stall_timeout", "0", "must be a positive integer" },
		{ "sumdb_verify", "maybe", "must be one of on, warn, off" },
		{ "sumdb", "not-a-key", "invalid verifier key: want "
		    "NAME+HASH+KEY" },
		{ "sumdb", "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+"
		    "s3Ux18htTTAD8OuAn8 ftp://x",
		    "the database URL must be http:// or https://" },
		{ "list_ttl", "86401", "must be at most 86400" },
		{ "list_ttl", "0", "must be a positive integer" },
		{ "negative_ttl", "86401", "must be at most 86400" },
		{ "negative_ttl", NOT_INT("-5") },
	};

	expect_bad_values(b, NELEM(b));
}

static void
value_too_long(void **state)
{
	static const char *const keys[] = {
		"data_dir", "netrc", "mount", "upstream", "log",
	};
	char text[8192];
	char want[128];
	size_t i, n;

	for (i = 0; i < NELEM(keys); i++) {
		n = (size_t)snprintf(text, sizeof(text), "%s = /", keys[i]);
		memset(text + n, 'a', 4200);
		if (strcmp(keys[i], "upstream") == 0)
			memcpy(text + n - 1, "http://", 7);
		text[n + 4200] = '\0';
		snprintf(want, sizeof(want), "t.conf:1: %s: longer than %d "
		    "bytes", keys[i], strcmp(keys[i], "upstream") == 0 ?
		    MV_CONFIG_VALUE_MAX_BYTES - 1 : PATH_MAX - 1);
		expect_str(text, want);
	}
}

static void
syntax_errors(void **state)
{
	static const char nul[] = "log_level = warn\nlist_ttl = 5\0\n";

	expect_str("# fine\nlog_level debug\n",
	    "t.conf:2: expected \"key = value\"");
	expect_str("= warn\n", "t.conf:1: missing key before '='");
	expect_str("\n\nlog_levels = warn\n",
	    "t.conf:3: log_levels: unknown key");
	expect_str("LOG_LEVEL = warn\n", "t.conf:1: LOG_LEVEL: unknown key");
	expect_str("list_ttl = 5\n#\nlist_ttl = 5\n",
	    "t.conf:3: list_ttl: repeated key (first set on line 1)");
	expect_error(nul, sizeof(nul) - 1,
	    "t.conf:2: control character in line");
	expect_str("list_ttl = 5\rx\n", "t.conf:1: control character in line");
	/* The example message from the brief, exactly. */
	expect_str("#\n#\n#\n#\n#\n#\nlog_level = loud\n",
	    "t.conf:7: log_level: must be one of error, warn, info, debug");
}

static void
line_length_bound(void **state)
{
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;
	char *text;

	/* Exactly 8192 bytes (a comment) is fine, also with CRLF. */
	text = malloc(8192 + 3);
	assert_non_null(text);
	memset(text, '#', 8192);
	memcpy(text + 8192, "\r\n", 3);
	assert_ok(mv_config_parse(&cfg, "t.conf", text, 8194, &err), &err);
	text[8192] = '#';
	expect_error(text, 8193, "t.conf:1: line longer than 8192 bytes");
	free(text);
}

static void
file_size_bound(void **state)
{
	size_t n = 1024 * 1024 + 1;
	char *text = malloc(n);

	assert_non_null(text);
	memset(text, '\n', n);
	expect_error(text, n, "t.conf: larger than 1048576 bytes");
	free(text);
}

/* Line numbers count every line, CRLF-ended, blank or comment. */
static void
crlf_line_numbers(void **state)
{
	static const char text[] =
	    "# a comment\r\n"
	    "\r\n"
	    "   \t\r\n"
	    "  # indented comment = with equals\r\n"
	    "\tlog_level\t=\tinfo  \r\n"
	    "upstream=https://a.example/x?=y\r\n"
	    "netrc = /n"; /* no final newline */
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_fails(parse(&cfg, text, &err), &err, MV_ECONFIG);
	assert_string_equal(err.msg, "t.conf:6: upstream: entry "
	    "\"https://a.example/x?=y\" has white space, non-ascii, '?' "
	    "or '#'");
}

static void
crlf_file_parses(void **state)
{
	static const char text[] =
	    "# a comment\r\n"
	    "\r\n"
	    "   \t\r\n"
	    "  # indented comment = with equals\r\n"
	    "\tlog_level\t=\tinfo  \r\n"
	    "mount = /a=b\r\n"
	    "netrc = /n";
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_ok(parse(&cfg, text, &err), &err);
	assert_int_equal(cfg.log_level, MV_LOG_INFO);
	assert_string_equal(cfg.mount, "/a=b");
	assert_string_equal(cfg.netrc, "/n");
	assert_ok(mv_config_parse(&cfg, "t.conf", NULL, 0, &err), &err);
	assert_int_equal(cfg.log_level, MV_LOG_WARN);
	assert_int_equal(parse(&cfg, "x", NULL), -1);
}

/* Writes text to dir/name and returns the path in out. */
static void
write_file(char *out, size_t size, const char *dir, const char *name,
    const char *text)
{
	FILE *f;

	snprintf(out, size, "%s/%s", dir, name);
	f = fopen(out, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
load_resolves_relative_paths(void **state)
{
	char tmpl[] = "/tmp/mvtest-config-XXXXXX", sub[64];
	char path[PATH_MAX], want[PATH_MAX + 64], cwd[PATH_MAX];
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_non_null(mkdtemp(tmpl));
	snprintf(sub, sizeof(sub), "%s/etc", tmpl);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(path, sizeof(path), sub, "m.conf",
	    "data_dir = ./store\nnetrc = ../netrc\nlog_level = info\n"
	    "log = modvault.log\n");
	assert_ok(mv_config_load(&cfg, path, 0, &err), &err);
	assert_string_equal(cfg.path, path);
	snprintf(want, sizeof(want), "%s/store", sub);
	assert_string_equal(cfg.data_dir, want);
	snprintf(want, sizeof(want), "%s/../netrc", sub);
	assert_string_equal(cfg.netrc, want);
	assert_int_equal(cfg.log_level, MV_LOG_INFO);
	snprintf(want, sizeof(want), "%s/modvault.log", sub);
	assert_string_equal(cfg.log, want);

	/* A relative config path is taken from the working directory. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpl), 0);
	assert_ok(mv_config_load(&cfg, "etc/m.conf", 0, &err), &err);
	assert_int_equal(chdir(cwd), 0);
	snprintf(want, sizeof(want), "%s/store", sub);
	assert_string_equal(cfg.data_dir, want);

	/* Absolute values are kept; "." is the directory itself. */
	write_file(path, sizeof(path), sub, "abs.conf",
	    "data_dir = /srv/x\nnetrc = .\nlog = syslog\n");
	assert_ok(mv_config_load(&cfg, path, 0, &err), &err);
	assert_string_equal(cfg.data_dir, "/srv/x");
	assert_string_equal(cfg.log, "syslog");
	assert_string_equal(cfg.netrc, sub);

	/* Errors name the file and line. */
	write_file(path, sizeof(path), sub, "bad.conf", "\nlist_ttl = 0\n");
	assert_fails(mv_config_load(&cfg, path, 0, &err), &err, MV_ECONFIG);
	snprintf(want, sizeof(want), "%s:2: list_ttl: must be a positive "
	    "integer", path);
	assert_string_equal(err.msg, want);
	assert_string_equal(cfg.path, "");

	/* A directory is not a config file. */
	assert_fails(mv_config_load(&cfg, sub, 0, &err), &err, MV_ECONFIG);
	snprintf(want, sizeof(want), "%s: not a regular file", sub);
	assert_string_equal(err.msg, want);

	unlink(path);
	snprintf(path, sizeof(path), "%s/m.conf", sub);
	unlink(path);
	snprintf(path, sizeof(path), "%s/abs.conf", sub);
	unlink(path);
	rmdir(sub);
	rmdir(tmpl);
}

static void
load_missing_file(void **state)
{
	const char *missing = "/nonexistent-mvtest/modvault.conf";
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;
	char want[512];

	snprintf(want, sizeof(want), "%s: cannot open: %s", missing,
	    strerror(ENOENT));
	assert_fails(mv_config_load(&cfg, missing, 0, &err), &err, MV_ECONFIG);
	assert_string_equal(err.msg, want);
	/* missing_ok only excuses the default path. */
	assert_fails(mv_config_load(&cfg, missing, 1, &err), &err, MV_ECONFIG);
	assert_string_equal(err.msg, want);
	if (access(mv_config_default_path(), F_OK) == -1 && errno == ENOENT) {
		assert_ok(mv_config_load(&cfg, NULL, 1, &err), &err);
		assert_string_equal(cfg.upstream, "off");
		assert_fails(mv_config_load(&cfg, NULL, 0, &err), &err,
		    MV_ECONFIG);
	}
}

/*
 * contrib/modvault.conf.example documents every key with its default:
 * uncommenting each "#key = value" line must parse and give the defaults.
 */
static void
example_config_documents_every_key(void **state)
{
	static char text[65536], out[65536];
	const char *src = getenv("MV_SRCDIR");
	struct mv_config cfg, def;
	struct mv_err err = MV_ERR_INIT;
	char path[PATH_MAX], *line, *nl;
	size_t n, used = 0, nkeys = 0;
	FILE *f;

	if (src == NULL || *src == '\0')
		skip();
	snprintf(path, sizeof(path), "%s/contrib/modvault.conf.example", src);
	assert_non_null(f = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_ok(mv_config_parse(&cfg, path, text, n, &err), &err);
	for (line = text; line != NULL; line = nl != NULL ? nl + 1 : NULL) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (line[0] != '#' || line[1] < 'a' || line[1] > 'z' ||
		    strstr(line, " =") == NULL)
			continue;
		used += (size_t)snprintf(out + used, sizeof(out) - used,
		    "%s\n", line + 1);
		nkeys++;
	}
	assert_int_equal(nkeys, 27);
	assert_ok(mv_config_parse(&cfg, path, out, used, &err), &err);
	mv_config_defaults(&def);
	/* The example shows /var; the build's localstatedir may differ. */
	memcpy(cfg.data_dir, def.data_dir, sizeof(def.data_dir));
	assert_config_equal(&cfg, &def);
	assert_int_equal(cfg.metrics, def.metrics);
	assert_int_equal(cfg.nmetrics_nets, def.nmetrics_nets);
	assert_memory_equal(cfg.metrics_nets, def.metrics_nets,
	    sizeof(cfg.metrics_nets));
}

/* SD-1.1, SD-4.3: "sumdb = KEY [URL]", repeatable, URL by default https. */
static void
sumdb_keys(void **state)
{
	static const char text[] =
	    "sumdb = sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+"
	    "s3Ux18htTTAD8OuAn8\n"
	    "sumdb = sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+"
	    "s3Ux18htTTAD8OuAn8 http://127.0.0.1:8080/db\n"
	    "sumdb_verify = warn\n"
	    "nosumdb = corp.example.com,*.internal\n";
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_config_parse(&cfg, "t.conf", text, sizeof(text) - 1,
	    &err), &err);
	assert_int_equal(cfg.nsumdb, 2);
	assert_string_equal(cfg.sumdb[0].name, "sum.golang.org");
	assert_string_equal(cfg.sumdb[0].url, "https://sum.golang.org");
	assert_string_equal(cfg.sumdb[1].url, "http://127.0.0.1:8080/db");
	assert_int_equal(cfg.sumdb_verify, MV_SUMDB_VERIFY_WARN);
	assert_string_equal(cfg.nosumdb, "corp.example.com,*.internal");
	mv_config_defaults(&cfg);
	assert_int_equal(cfg.nsumdb, 0);
	assert_int_equal(cfg.sumdb_verify, MV_SUMDB_VERIFY_ON);
}

/* storage = s3 and its keys (README, "Object storage"). */
static void
storage_keys(void **state)
{
	static const char text[] =
	    "storage = s3\n"
	    "s3_endpoint = http://127.0.0.1:7480/\n"
	    "s3_bucket = go-mods.1\n"
	    "s3_region = eu-west-3\n"
	    "s3_prefix = team/a\n"
	    "s3_access_key = AKIAEXAMPLE\n"
	    "s3_secret_key_file = /etc/modvault/s3.secret\n"
	    "zip_delivery = redirect\n"
	    "cache_max_bytes = 2G\n";
	static const struct bad_value bad[] = {
		{ "storage", "nfs", "must be one of dir, s3" },
		{ "s3_endpoint", "ftp://x", "must be an http:// or https:// "
		    "URL" },
		{ "s3_endpoint", "http://ak:sk@host", "must be scheme://host"
		    "[:port] with no user, path or query (the keys go in "
		    "s3_access_key and s3_secret_key_file)" },
		{ "s3_endpoint", "http://host/bucket", "must be scheme://host"
		    "[:port] with no user, path or query (the keys go in "
		    "s3_access_key and s3_secret_key_file)" },
		{ "s3_bucket", "Go_Mods", "must be 3 to 63 lower-case letters, "
		    "digits, '.' or '-', starting and ending with a letter or "
		    "digit" },
		{ "s3_bucket", "ab", "must be 3 to 63 lower-case letters, "
		    "digits, '.' or '-', starting and ending with a letter or "
		    "digit" },
		{ "s3_region", "us east", "must be a region name such as "
		    "us-east-1" },
		{ "s3_prefix", "/abs", "must be letters, digits and -._~/! with "
		    "no leading '/' or empty segment" },
		{ "s3_prefix", "a//b", "must be letters, digits and -._~/! with "
		    "no leading '/' or empty segment" },
		{ "s3_access_key", "AK:SK", "must be an access key id (letters, "
		    "digits, -_./+=)" },
		{ "zip_delivery", "proxy", "must be one of local, redirect" },
	};
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	assert_ok(parse(&cfg, text, &err), &err);
	assert_int_equal(cfg.storage, MV_STORAGE_S3);
	assert_string_equal(cfg.s3.endpoint, "http://127.0.0.1:7480");
	assert_string_equal(cfg.s3.bucket, "go-mods.1");
	assert_string_equal(cfg.s3.region, "eu-west-3");
	assert_string_equal(cfg.s3.prefix, "team/a/");
	assert_string_equal(cfg.s3.access_key, "AKIAEXAMPLE");
	assert_string_equal(cfg.s3.secret_key_file, "/etc/modvault/s3.secret");
	assert_int_equal(cfg.zip_delivery, MV_ZIP_DELIVERY_REDIRECT);
	assert_int_equal(cfg.cache_max_bytes, UINT64_C(2) << 30);
	expect_bad_values(bad, NELEM(bad));
	/* The keys must agree. */
	expect_str("storage = s3\ns3_bucket = gomods\n", "t.conf: storage = "
	    "s3 needs s3_endpoint and s3_bucket");
	expect_str("s3_bucket = gomods\n", "t.conf: s3_* keys are set but "
	    "storage is dir (add storage = s3)");
	expect_str("zip_delivery = redirect\n", "t.conf: zip_delivery = "
	    "redirect needs storage = s3");
	mv_config_defaults(&cfg);
	assert_int_equal(cfg.storage, MV_STORAGE_DIR);
	assert_string_equal(cfg.s3.region, "us-east-1");
	assert_int_equal(cfg.zip_delivery, MV_ZIP_DELIVERY_LOCAL);
	assert_int_equal(cfg.cache_max_bytes, UINT64_C(10) << 30);
}

/* metrics = off | on | CIDR list; default loopback (127.0.0.0/8, ::1). */
static void
metrics_key(void **state)
{
#define NOT_A_NET(v) "\"" v "\" is not an IPv4 or IPv6 address or CIDR " \
	    "network (want off, on or a list like 127.0.0.0/8, ::1)"
	static const struct bad_value bad[] = {
		{ "metrics", "yes", NOT_A_NET("yes") },
		{ "metrics", "10.0.0.0/33", NOT_A_NET("10.0.0.0/33") },
		{ "metrics", "10.0.0.0/", NOT_A_NET("10.0.0.0/") },
		{ "metrics", "localhost", NOT_A_NET("localhost") },
		{ "metrics", "10.0.0.1,", NOT_A_NET("") },
		{ "metrics", "10.0.0.1 10.0.0.2", "networks must be separated "
		    "by ','" },
	};
#undef NOT_A_NET
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	mv_config_defaults(&cfg);
	assert_true(mv_config_metrics_allows(&cfg, "127.0.0.1"));
	assert_true(mv_config_metrics_allows(&cfg, "127.200.0.9"));
	assert_true(mv_config_metrics_allows(&cfg, "::1"));
	assert_true(mv_config_metrics_allows(&cfg, "::ffff:127.0.0.1"));
	assert_false(mv_config_metrics_allows(&cfg, "128.0.0.1"));
	assert_false(mv_config_metrics_allows(&cfg, "::2"));
	assert_false(mv_config_metrics_allows(&cfg, NULL));
	assert_false(mv_config_metrics_allows(&cfg, "localhost"));
	assert_false(mv_config_metrics_allows(&cfg, ""));
	assert_ok(parse(&cfg, "metrics = 10.1.0.0/16, 2001:db8::/33,"
	    "192.0.2.7\n", &err), &err);
	assert_int_equal(cfg.nmetrics_nets, 3);
	assert_true(mv_config_metrics_allows(&cfg, "10.1.255.3"));
	assert_false(mv_config_metrics_allows(&cfg, "10.2.0.1"));
	assert_false(mv_config_metrics_allows(&cfg, "127.0.0.1"));
	assert_true(mv_config_metrics_allows(&cfg, "2001:db8:7fff::1"));
	assert_false(mv_config_metrics_allows(&cfg, "2001:db8:8000::1"));
	assert_true(mv_config_metrics_allows(&cfg, "192.0.2.7"));
	assert_false(mv_config_metrics_allows(&cfg, "192.0.2.8"));
	assert_ok(parse(&cfg, "metrics = 0.0.0.0/0\n", &err), &err);
	assert_true(mv_config_metrics_allows(&cfg, "203.0.113.9"));
	assert_false(mv_config_metrics_allows(&cfg, "2001:db8::1"));
	assert_ok(parse(&cfg, "metrics = off\n", &err), &err);
	assert_false(mv_config_metrics_allows(&cfg, "127.0.0.1"));
	assert_ok(parse(&cfg, "metrics = on\n", &err), &err);
	assert_true(mv_config_metrics_allows(&cfg, "203.0.113.9"));
	expect_bad_values(bad, NELEM(bad));
}

/* background_fetches = N: 1 to MV_BACKGROUND_FETCHES_MAX. */
static void
background_fetches_key(void **state)
{
	static const struct bad_value bad[] = {
		{ "background_fetches", "0", "must be a positive integer" },
		{ "background_fetches", "1025", "must be at most 1024" },
		{ "background_fetches", "-1", "must be a positive integer, not "
		    "\"-1\"" },
		{ "background_fetches", "8x", "must be a positive integer, not "
		    "\"8x\"" },
	};
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	(void)state;
	assert_ok(parse(&cfg, "background_fetches = 1\n", &err), &err);
	assert_int_equal(cfg.background_fetches, 1);
	assert_ok(parse(&cfg, "background_fetches = 1024\n", &err), &err);
	assert_int_equal(cfg.background_fetches, 1024);
	expect_bad_values(bad, NELEM(bad));
}

/* The secret: a file only its owner reads, else the environment. */
static void
s3_credentials(void **state)
{
	char dir[] = "/tmp/mvtest-s3cred-XXXXXX", path[PATH_MAX];
	char ak[256], sk[256];
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secret", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("s3cr3t/Key+x\nsecond line\n", f);
	fclose(f);
	mv_config_defaults(&cfg);
	cfg.storage = MV_STORAGE_S3;
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	assert_fails(mv_config_s3_credentials(&cfg, ak, sizeof(ak), sk,
	    sizeof(sk), &err), &err, MV_ECONFIG);
	assert_non_null(strstr(err.msg, "AWS_ACCESS_KEY_ID"));
	snprintf(cfg.s3.access_key, sizeof(cfg.s3.access_key), "AK1");
	snprintf(cfg.s3.secret_key_file, sizeof(cfg.s3.secret_key_file), "%s",
	    path);
	assert_int_equal(chmod(path, 0640), 0);
	assert_fails(mv_config_s3_credentials(&cfg, ak, sizeof(ak), sk,
	    sizeof(sk), &err), &err, MV_ECONFIG);
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_null(strstr(err.msg, "s3cr3t"));
	assert_int_equal(chmod(path, 0600), 0);
	assert_ok(mv_config_s3_credentials(&cfg, ak, sizeof(ak), sk,
	    sizeof(sk), &err), &err);
	assert_string_equal(ak, "AK1");
	assert_string_equal(sk, "s3cr3t/Key+x");
	/* Without a file: the standard environment variables. */
	cfg.s3.access_key[0] = cfg.s3.secret_key_file[0] = '\0';
	setenv("AWS_ACCESS_KEY_ID", "AK2", 1);
	assert_fails(mv_config_s3_credentials(&cfg, ak, sizeof(ak), sk,
	    sizeof(sk), &err), &err, MV_ECONFIG);
	assert_non_null(strstr(err.msg, "AWS_SECRET_ACCESS_KEY"));
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	assert_ok(mv_config_s3_credentials(&cfg, ak, sizeof(ak), sk,
	    sizeof(sk), &err), &err);
	assert_string_equal(ak, "AK2");
	assert_string_equal(sk, "envsecret");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_names),
		cmocka_unit_test(sumdb_keys),
		cmocka_unit_test(storage_keys),
		cmocka_unit_test(s3_credentials),
		cmocka_unit_test(every_key_good),
		cmocka_unit_test(enum_values),
		cmocka_unit_test(path_values),
		cmocka_unit_test(size_suffixes),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(value_too_long),
		cmocka_unit_test(syntax_errors),
		cmocka_unit_test(line_length_bound),
		cmocka_unit_test(file_size_bound),
		cmocka_unit_test(crlf_line_numbers),
		cmocka_unit_test(crlf_file_parses),
		cmocka_unit_test(load_resolves_relative_paths),
		cmocka_unit_test(load_missing_file),
		cmocka_unit_test(example_config_documents_every_key),
		cmocka_unit_test(vcs_keys),
		cmocka_unit_test(metrics_key),
		cmocka_unit_test(background_fetches_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
