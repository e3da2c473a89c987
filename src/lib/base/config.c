/* config.c: the configuration file, parsed into a typed struct mv_config. */
/*
 * The format is deliberately small: "key = value" lines, '#' comment lines
 * and blank lines, nothing else.  Every mistake is an MV_ECONFIG error of
 * the form "FILE:LINE: KEY: reason" so an operator can go straight to it:
 * unknown keys, repeated keys and bad values are never silently ignored.
 * Every size is bounded (line, file, each value).  Parsing is pure; only
 * mv_config_load touches the file system, to read the file and to make
 * relative paths absolute against the file's own directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modvault/base/buf.h"
#include "modvault/base/config.h"
#include "modvault/base/size.h"
#include "config_priv.h"

#ifndef MV_SYSCONFDIR
#define MV_SYSCONFDIR		"/etc"
#endif
#ifndef MV_LOCALSTATEDIR
#define MV_LOCALSTATEDIR	"/var"
#endif


static const char *const log_level_names[] = {
	[MV_LOG_ERROR] = "error",
	[MV_LOG_WARN] = "warn",
	[MV_LOG_INFO] = "info",
	[MV_LOG_DEBUG] = "debug",
};

static const char *const xsendfile_names[] = {
	[MV_XSENDFILE_OFF] = "off",
	[MV_XSENDFILE_LIGHTTPD] = "lighttpd",
	[MV_XSENDFILE_APACHE] = "apache",
	[MV_XSENDFILE_NGINX] = "nginx",
	[MV_XSENDFILE_CADDY] = "caddy",
};

const char *
mv_config_default_path(void)
{
	return MV_SYSCONFDIR "/modvault.conf";
}

const char *
mv_log_level_name(enum mv_log_level l)
{
	if ((unsigned)l >= NELEM(log_level_names))
		return "unknown";
	return log_level_names[l];
}

void
mv_config_defaults(struct mv_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s",
	    MV_LOCALSTATEDIR "/lib/modvault");
	snprintf(cfg->upstream, sizeof(cfg->upstream), "off");
	cfg->log_level = MV_LOG_WARN;
	snprintf(cfg->log, sizeof(cfg->log), "stderr");
	cfg->xsendfile = MV_XSENDFILE_OFF;
	snprintf(cfg->xsendfile_prefix, sizeof(cfg->xsendfile_prefix),
	    "/_modvault_blobs/");
	cfg->max_zip_bytes = MV_ZIP_MAX_BYTES;
	cfg->upstream_timeout = 120;
	cfg->connect_timeout = 10;
	cfg->stall_timeout = 30;
	cfg->list_ttl = 60;
	cfg->negative_ttl = 300;
	cfg->storage = MV_STORAGE_DIR;
	snprintf(cfg->s3.region, sizeof(cfg->s3.region), "us-east-1");
	cfg->zip_delivery = MV_ZIP_DELIVERY_LOCAL;
	cfg->cache_max_bytes = UINT64_C(10) * 1024 * 1024 * 1024;
	snprintf(cfg->git, sizeof(cfg->git), "/usr/bin/git");
	mv_config_metrics_defaults(cfg);
}

/* Copies v into the string field k names, refusing values that do not fit. */
int
mv_config_set_string(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	char *field = (char *)cfg + k->off;
	size_t n = strlen(v);

	if (n >= k->max)
		return mv_fail(err, MV_ECONFIG, "longer than %zu bytes",
		    (size_t)k->max - 1);
	memcpy(field, v, n + 1);
	return 0;
}

static int
set_data_dir(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	if (*v == '\0')
		return mv_fail(err, MV_ECONFIG, "must not be empty");
	return mv_config_set_string(cfg, k, v, err);
}

/* log: stderr, syslog, or a file (made absolute by mv_config_load). */
static int
set_log(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	/* Lines with control characters never get here. */
	if (*v == '\0')
		return mv_fail(err, MV_ECONFIG, "must be stderr, syslog or a "
		    "file");
	if (v[strlen(v) - 1] == '/')
		return mv_fail(err, MV_ECONFIG, "%s is a directory, not a "
		    "file", v);
	return mv_config_set_string(cfg, k, v, err);
}

/*
 * One entry of the upstream list: "off" (which must come last, since the
 * go command stops there: GP-6.2) or an http:// or https:// URL with a
 * host and no white space, query or fragment, as paths get appended to it,
 * or "direct": fetching from version control (git), as the go command's
 * GOPROXY=direct does.
 */
static int
check_upstream_entry(const char *e, size_t n, bool last, struct mv_err *err)
{
	size_t i, host;

	if (n == 0)
		return mv_fail(err, MV_ECONFIG, "empty entry in list");
	if (n == 3 && memcmp(e, "off", 3) == 0)
		return last ? 0 : mv_fail(err, MV_ECONFIG,
		    "entries after \"off\" would never be used");
	if (n == 6 && memcmp(e, "direct", 6) == 0)
		return 0;
	if (n >= 7 && memcmp(e, "http://", 7) == 0)
		host = 7;
	else if (n >= 8 && memcmp(e, "https://", 8) == 0)
		host = 8;
	else
		return mv_fail(err, MV_ECONFIG, "entry \"%.*s\" is not an "
		    "http:// or https:// url, direct or off", (int)n, e);
	if (host == n || e[host] == '/')
		return mv_fail(err, MV_ECONFIG, "entry \"%.*s\" has no host",
		    (int)n, e);
	for (i = 0; i < n; i++)
		if ((unsigned char)e[i] <= ' ' ||
		    (unsigned char)e[i] >= 0x7f || e[i] == '?' || e[i] == '#')
			return mv_fail(err, MV_ECONFIG, "entry \"%.*s\" has "
			    "white space, non-ascii, '?' or '#'", (int)n, e);
	return 0;
}

/* A GOPROXY-style list (GP-6.2) separated by ',' or '|', checked strictly. */
static int
set_upstream(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	const char *p = v;
	size_t n, entries = 0;

	if (*v == '\0')
		return mv_fail(err, MV_ECONFIG, "must not be empty (use off)");
	for (;;) {
		n = strcspn(p, ",|");
		if (check_upstream_entry(p, n, p[n] == '\0', err) == -1)
			return -1;
		if (!(n == 3 && memcmp(p, "off", 3) == 0) &&
		    ++entries > MV_UPSTREAM_MAX_ENTRIES)
			return mv_fail(err, MV_ECONFIG, "more than %d entries",
			    MV_UPSTREAM_MAX_ENTRIES);
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return mv_config_set_string(cfg, k, v, err);
}

/*
 * log_level and xsendfile: v must be one of k->names (k->max of them), else
 * the error lists them all.
 */
static int
set_choice(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	char list[128];
	size_t i, used = 0;

	/* The log lines say "warning": the config accepts that word too. */
	if (k->names == log_level_names && strcmp(v, "warning") == 0)
		v = "warn";
	for (i = 0; i < k->max; i++) {
		if (strcmp(k->names[i], v) != 0)
			continue;
		if (k->names == log_level_names)
			cfg->log_level = (enum mv_log_level)i;
		else
			cfg->xsendfile = (enum mv_xsendfile)i;
		return 0;
	}
	list[0] = '\0';
	for (i = 0; i < k->max && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
		    "%s%s", i > 0 ? ", " : "", k->names[i]);
	return mv_fail(err, MV_ECONFIG, "must be one of %s", list);
}

/* URL paths go into response headers: printable ASCII, no query/fragment. */
static int
check_url_path(const char *v, struct mv_err *err)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '?' || *p == '#')
			return mv_fail(err, MV_ECONFIG, "must not contain "
			    "white space, non-ascii, '?' or '#'");
	return 0;
}

static int
set_xsendfile_prefix(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	size_t n = strlen(v);

	if (n == 0 || v[0] != '/' || v[n - 1] != '/')
		return mv_fail(err, MV_ECONFIG, "must start and end with '/'");
	if (check_url_path(v, err) == -1)
		return -1;
	return mv_config_set_string(cfg, k, v, err);
}

/*
 * static_tree: an absolute directory (the web server's configuration
 * names the same one), or off.  No ".." or "." element: the links'
 * relative targets are computed from it as written when it does not
 * exist yet.
 */
static int
set_static_tree(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	if (strcmp(v, "off") == 0)
		v = "";
	else if (v[0] != '/' || strstr(v, "/./") != NULL ||
	    strstr(v, "/../") != NULL || strcmp(v, "/") == 0 ||
	    (strlen(v) >= 2 && strcmp(v + strlen(v) - 2, "/.") == 0) ||
	    (strlen(v) >= 3 && strcmp(v + strlen(v) - 3, "/..") == 0))
		return mv_fail(err, MV_ECONFIG, "must be off or an absolute "
		    "directory without . or .. elements");
	return mv_config_set_string(cfg, k, v, err);
}

/* "" derives the mount point from SCRIPT_NAME; "/" is the root, kept as "". */
static int
set_mount(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	size_t n = strlen(v);

	if (strcmp(v, "/") == 0)
		v = "";
	else if (n > 0 && (v[0] != '/' || v[n - 1] == '/'))
		return mv_fail(err, MV_ECONFIG, "must start with '/' and not "
		    "end with '/'");
	if (check_url_path(v, err) == -1)
		return -1;
	return mv_config_set_string(cfg, k, v, err);
}

/* A plain decimal integer in 1..max: no sign, space, suffix or exponent. */
static int
parse_count(const char *v, uint64_t max, uint64_t *out, struct mv_err *err)
{
	uint64_t n = 0;
	const char *p;

	if (*v == '\0')
		return mv_fail(err, MV_ECONFIG, "must be a positive integer");
	for (p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return mv_fail(err, MV_ECONFIG, "must be a positive "
			    "integer, not \"%s\"", v);
		/* max is far below UINT64_MAX / 10, so this cannot wrap. */
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > max)
			return mv_fail(err, MV_ECONFIG, "must be at most %"
			    PRIu64, max);
	}
	if (n == 0)
		return mv_fail(err, MV_ECONFIG, "must be a positive integer");
	*out = n;
	return 0;
}

/* A byte count with an optional K, M, G or T suffix, as gc --max-bytes. */
int
mv_config_set_bytes(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	uint64_t n;

	if (!mv_size_parse(v, &n) || n == 0)
		return mv_fail(err, MV_ECONFIG, "must be a positive byte count "
		    "(suffixes K, M, G, T), not \"%s\"", v);
	if (n > k->max)
		return mv_fail(err, MV_ECONFIG, "must be at most %" PRIu64,
		    k->max);
	*(uint64_t *)(void *)((char *)cfg + k->off) = n;
	return 0;
}

static int
set_seconds(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	uint64_t n = 0;

	if (parse_count(v, k->max, &n, err) == -1)
		return -1;
	*(long *)(void *)((char *)cfg + k->off) = (long)n;
	return 0;
}

/*
 * "KEY [URL]": a verifier key (SD-4.3) and where the database is; the URL
 * defaults to https://<name> (SD-1.1).  Only the shape is checked here
 * (the name is what precedes the first '+'); the key itself is checked by
 * the checksum-database layer, mv_sumdbc_check_config, which names this
 * line.
 */
static int
set_sumdb(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	struct mv_sumdb_config *s;
	size_t klen = strcspn(v, " \t"), nlen = strcspn(v, "+ \t");
	const char *url = v + klen;

	if (cfg->nsumdb == MV_SUMDB_MAX_DATABASES)
		return mv_fail(err, MV_ECONFIG, "at most %d checksum "
		    "databases", MV_SUMDB_MAX_DATABASES);
	s = &cfg->sumdb[cfg->nsumdb];
	if (nlen == 0 || nlen == klen || nlen >= sizeof(s->name) ||
	    memchr(v, '/', nlen) != NULL)
		return mv_fail(err, MV_ECONFIG, "invalid verifier key: want "
		    "NAME+HASH+KEY");
	url += strspn(url, " \t");
	if (*url != '\0' && strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0)
		return mv_fail(err, MV_ECONFIG, "the database URL must be "
		    "http:// or https://");
	if (klen >= sizeof(s->vkey) || strlen(url) >= sizeof(s->url) ||
	    check_url_path(url, err) == -1)
		return mv_fail(err, MV_ECONFIG, "value too long or malformed");
	memcpy(s->vkey, v, klen);
	s->vkey[klen] = '\0';
	memcpy(s->name, v, nlen);
	s->name[nlen] = '\0';
	if (*url != '\0')
		snprintf(s->url, sizeof(s->url), "%s", url);
	else
		snprintf(s->url, sizeof(s->url), "https://%.*s", (int)nlen, v);
	cfg->nsumdb++;
	return 0;
}

static int
set_sumdb_verify(struct mv_config *cfg, const struct key *k, const char *v,
    struct mv_err *err)
{
	if (strcmp(v, "on") == 0)
		cfg->sumdb_verify = MV_SUMDB_VERIFY_ON;
	else if (strcmp(v, "warn") == 0)
		cfg->sumdb_verify = MV_SUMDB_VERIFY_WARN;
	else if (strcmp(v, "off") == 0)
		cfg->sumdb_verify = MV_SUMDB_VERIFY_OFF;
	else
		return mv_fail(err, MV_ECONFIG, "must be one of on, warn, off");
	return 0;
}

#define FIELD(f)	.off = offsetof(struct mv_config, f)
#define STRING(f)	FIELD(f), .max = sizeof(((struct mv_config *)0)->f)
#define CHOICE(a)	.max = NELEM(a), .names = (a)

/* Each key, with the setter that checks and stores its value. */
static const struct key keys[] = {
	{ "data_dir", set_data_dir, STRING(data_dir) },
	{ "upstream", set_upstream, STRING(upstream) },
	{ "log_level", set_choice, CHOICE(log_level_names) },
	{ "log", set_log, STRING(log) },
	{ "xsendfile", set_choice, CHOICE(xsendfile_names) },
	{ "xsendfile_prefix", set_xsendfile_prefix, STRING(xsendfile_prefix) },
	{ "mount", set_mount, STRING(mount) },
	{ "static_tree", set_static_tree, STRING(static_tree) },
	{ "max_zip_bytes", mv_config_set_bytes, FIELD(max_zip_bytes),
	    .max = MV_ZIP_MAX_BYTES },
	{ "upstream_timeout", set_seconds, FIELD(upstream_timeout),
	    .max = 3600 },
	{ "connect_timeout", set_seconds, FIELD(connect_timeout), .max = 300 },
	{ "stall_timeout", set_seconds, FIELD(stall_timeout), .max = 3600 },
	{ "list_ttl", set_seconds, FIELD(list_ttl), .max = 86400 },
	{ "negative_ttl", set_seconds, FIELD(negative_ttl), .max = 86400 },
	{ "netrc", mv_config_set_string, STRING(netrc) },
	{ "sumdb", set_sumdb, .repeat = true },
	{ "sumdb_verify", set_sumdb_verify, .off = 0 },
	{ "nosumdb", mv_config_set_string, STRING(nosumdb) },
	{ "private", mv_config_set_string, STRING(private) },
	{ "noproxy", mv_config_set_string, STRING(noproxy) },
	{ "insecure", mv_config_set_string, STRING(insecure) },
	{ "vcs_rewrite", mv_config_set_vcs_rewrite, .repeat = true },
	{ "git", mv_config_set_git, STRING(git) },
	{ "storage", mv_config_set_storage, .off = 0 },
	{ "s3_endpoint", mv_config_set_s3_endpoint, STRING(s3.endpoint) },
	{ "s3_bucket", mv_config_set_s3_bucket, STRING(s3.bucket) },
	{ "s3_region", mv_config_set_s3_region, STRING(s3.region) },
	{ "s3_prefix", mv_config_set_s3_prefix, STRING(s3.prefix) },
	{ "s3_access_key", mv_config_set_s3_access_key, STRING(s3.access_key) },
	{ "s3_secret_key_file", mv_config_set_string,
	    STRING(s3.secret_key_file) },
	{ "zip_delivery", mv_config_set_zip_delivery, .off = 0 },
	{ "cache_max_bytes", mv_config_set_bytes, FIELD(cache_max_bytes),
	    .max = UINT64_MAX / 2 },
	{ "metrics", mv_config_set_metrics, .off = 0 },
	{ "deny", mv_config_set_rule, .max = MV_RULE_DENY, .repeat = true },
	{ "allow", mv_config_set_rule, .max = MV_RULE_ALLOW, .repeat = true },
	{ "download_mode", mv_config_set_rule, .max = MV_RULE_MODE,
	    .repeat = true },
};

#undef FIELD
#undef STRING
#undef CHOICE

/* Trims spaces and tabs at both ends of s, in place. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Handles one line (without its line ending); seen[] holds first lines. */
static int
parse_line(struct mv_config *cfg, const char *name, size_t lineno,
    char *line, size_t *seen, struct mv_err *err)
{
	char *s, *eq, *key, *value;
	const unsigned char *p;
	size_t i;

	/* Also catches NUL bytes and a stray CR, so messages stay one line. */
	for (p = (const unsigned char *)line; *p != '\0'; p++)
		if ((*p < ' ' && *p != '\t') || *p == 0x7f)
			return mv_fail(err, MV_ECONFIG, "%s:%zu: control "
			    "character in line", name, lineno);
	s = trim(line);
	if (*s == '\0' || *s == '#')
		return 0;
	if ((eq = strchr(s, '=')) == NULL)
		return mv_fail(err, MV_ECONFIG, "%s:%zu: expected "
		    "\"key = value\"", name, lineno);
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (*key == '\0')
		return mv_fail(err, MV_ECONFIG, "%s:%zu: missing key before "
		    "'='", name, lineno);
	for (i = 0; i < NELEM(keys); i++)
		if (strcmp(keys[i].name, key) == 0)
			break;
	if (i == NELEM(keys))
		return mv_fail(err, MV_ECONFIG, "%s:%zu: %s: unknown key",
		    name, lineno, key);
	if (seen[i] != 0 && !keys[i].repeat)
		return mv_fail(err, MV_ECONFIG, "%s:%zu: %s: repeated key "
		    "(first set on line %zu)", name, lineno, key, seen[i]);
	seen[i] = lineno;
	if (keys[i].set(cfg, &keys[i], value, err) == -1)
		return mv_wrap(err, "%s:%zu: %s: ", name, lineno, key);
	if (keys[i].set == set_sumdb)
		cfg->sumdb[cfg->nsumdb - 1].line = lineno;
	if (keys[i].set == mv_config_set_rule)
		cfg->rules[cfg->nrules - 1].line = lineno;
	return 0;
}

int
mv_config_parse(struct mv_config *cfg, const char *name, const char *text,
    size_t len, struct mv_err *err)
{
	size_t seen[NELEM(keys)] = { 0 };
	char line[MV_CONFIG_LINE_MAX_BYTES + 1];
	size_t off = 0, lineno = 0, n, adv;
	const char *nl;

	mv_config_defaults(cfg);
	if (name == NULL)
		name = "-";
	if (len > MV_CONFIG_FILE_MAX_BYTES)
		return mv_fail(err, MV_ECONFIG, "%s: larger than %d bytes",
		    name, MV_CONFIG_FILE_MAX_BYTES);
	while (off < len) {
		lineno++;
		nl = memchr(text + off, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - (text + off)) : len - off;
		adv = nl != NULL ? n + 1 : n;
		/* CRLF files from other systems are fine. */
		if (n > 0 && text[off + n - 1] == '\r')
			n--;
		if (n > MV_CONFIG_LINE_MAX_BYTES)
			return mv_fail(err, MV_ECONFIG, "%s:%zu: line longer "
			    "than %d bytes", name, lineno, MV_CONFIG_LINE_MAX_BYTES);
		memcpy(line, text + off, n);
		line[n] = '\0';
		if (memchr(text + off, '\0', n) != NULL)
			return mv_fail(err, MV_ECONFIG, "%s:%zu: control "
			    "character in line", name, lineno);
		if (parse_line(cfg, name, lineno, line, seen, err) == -1)
			return -1;
		off += adv;
	}
	return mv_config_check_storage(cfg, name, err);
}

/* Reads the whole regular file on fd, at most MV_CONFIG_FILE_MAX_BYTES bytes. */
static int
read_file(int fd, const char *path, struct mv_buf *b, struct mv_err *err)
{
	struct mv_err berr = MV_ERR_INIT;
	struct stat st;
	char chunk[8192];
	ssize_t n;

	if (fstat(fd, &st) == -1)
		return mv_fail(err, MV_ECONFIG, "%s: cannot stat: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return mv_fail(err, MV_ECONFIG, "%s: not a regular file", path);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return mv_fail(err, MV_ECONFIG, "%s: cannot read: %s",
			    path, strerror(errno));
		if (n == 0)
			return 0;
		if (mv_buf_append(b, chunk, (size_t)n, &berr) == -1)
			return berr.code == MV_ELIMIT ? mv_fail(err,
			    MV_ECONFIG, "%s: larger than %d bytes", path,
			    MV_CONFIG_FILE_MAX_BYTES) : mv_fail(err, berr.code, "%s: %s",
			    path, berr.msg);
	}
}

/*
 * The directory holding the config file, made absolute without resolving
 * symbolic links, and without a trailing '/' ("" stands for the root).
 */
static int
config_dir(const char *path, char *dir, size_t size, struct mv_err *err)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash != NULL ? (size_t)(slash - path) : 0, used = 0;

	while (dlen > 0 && path[dlen - 1] == '/')
		dlen--;
	dir[0] = '\0';
	if (path[0] != '/') {
		if (getcwd(dir, size) == NULL)
			return mv_fail(err, MV_ECONFIG, "%s: cannot find the "
			    "current directory: %s", path, strerror(errno));
		used = strlen(dir);
		if (used > 0 && dir[used - 1] == '/')
			dir[--used] = '\0';
		if (dlen == 0)
			return 0;
		if (used + 1 >= size)
			return mv_fail(err, MV_ECONFIG, "%s: path too long",
			    path);
		dir[used++] = '/';
	}
	if (used + dlen >= size)
		return mv_fail(err, MV_ECONFIG, "%s: path too long", path);
	memcpy(dir + used, path, dlen);
	dir[used + dlen] = '\0';
	return 0;
}

/*
 * Makes a relative path value absolute against the config file's directory,
 * since the responder's working directory is whatever the web server chose.
 */
static int
resolve_relative(char *field, size_t size, const char *path, const char *key,
    struct mv_err *err)
{
	char dir[PATH_MAX], out[PATH_MAX];
	const char *rel = field;
	int n;

	if (field[0] == '\0' || field[0] == '/')
		return 0;
	if (config_dir(path, dir, sizeof(dir), err) == -1)
		return -1;
	while (rel[0] == '.' && rel[1] == '/')
		for (rel += 2; *rel == '/'; rel++)
			;
	if (strcmp(rel, ".") == 0)
		rel = "";
	if (*rel == '\0')
		n = snprintf(out, sizeof(out), "%s",
		    dir[0] != '\0' ? dir : "/");
	else
		n = snprintf(out, sizeof(out), "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof(out))
		return mv_fail(err, MV_ECONFIG, "%s: %s: path too long once "
		    "made absolute", path, key);
	memcpy(field, out, (size_t)n + 1);
	return 0;
}

int
mv_config_load(struct mv_config *cfg, const char *path, int missing_ok,
    struct mv_err *err)
{
	struct mv_buf b;
	int fd, rc = -1;

	mv_config_defaults(cfg);
	if (path == NULL)
		path = mv_config_default_path();
	if (strlen(path) >= sizeof(cfg->path))
		return mv_fail(err, MV_ECONFIG, "%s: path too long", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		if (errno == ENOENT && missing_ok &&
		    strcmp(path, mv_config_default_path()) == 0)
			return 0;
		return mv_fail(err, MV_ECONFIG, "%s: cannot open: %s", path,
		    strerror(errno));
	}
	mv_buf_init(&b, MV_CONFIG_FILE_MAX_BYTES);
	if (read_file(fd, path, &b, err) == -1 ||
	    mv_config_parse(cfg, path, mv_buf_str(&b), b.len, err) == -1 ||
	    resolve_relative(cfg->data_dir, sizeof(cfg->data_dir), path,
	    "data_dir", err) == -1 ||
	    resolve_relative(cfg->netrc, sizeof(cfg->netrc), path, "netrc",
	    err) == -1 ||
	    (strcmp(cfg->log, "stderr") != 0 && strcmp(cfg->log, "syslog") !=
	    0 && resolve_relative(cfg->log, sizeof(cfg->log), path, "log",
	    err) == -1) ||
	    resolve_relative(cfg->s3.secret_key_file,
	    sizeof(cfg->s3.secret_key_file), path, "s3_secret_key_file",
	    err) == -1)
		goto fail;
	memcpy(cfg->path, path, strlen(path) + 1);
	rc = 0;
fail:
	mv_buf_free(&b);
	close(fd);
	return rc;
}
