/*
 * config.h: the configuration file.
 *
 * Format: "key = value" lines; '#' starts a comment line; blank lines are
 * ignored.  Unknown keys, repeated keys and bad values are errors naming the
 * file, the line and the key.  Every key is documented, with its default, in
 * contrib/modvault.conf.example.
 */
#ifndef MODVAULT_CONFIG_H
#define MODVAULT_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/err.h"
#include "modvault/base/limits.h"
#include "modvault/base/log.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

enum mv_xsendfile {
	MV_XSENDFILE_OFF,
	MV_XSENDFILE_LIGHTTPD,	/* X-LIGHTTPD-send-file: absolute path */
	MV_XSENDFILE_APACHE,	/* X-Sendfile: absolute path (mod_xsendfile) */
	MV_XSENDFILE_NGINX,	/* X-Accel-Redirect: xsendfile_prefix + blob name */
	MV_XSENDFILE_CADDY,	/* X-Accel-Redirect, handled by handle_response */
};

enum mv_sumdb_verify {
	MV_SUMDB_VERIFY_ON,	/* refuse what the checksum database disputes */
	MV_SUMDB_VERIFY_WARN,	/* log it, store anyway */
	MV_SUMDB_VERIFY_OFF,
};

enum mv_storage {
	MV_STORAGE_DIR,		/* blobs in data_dir/blobs */
	MV_STORAGE_S3,		/* blobs in an S3-compatible bucket */
};

enum mv_zip_delivery {
	MV_ZIP_DELIVERY_LOCAL,		/* from the node: X-Sendfile or streamed */
	MV_ZIP_DELIVERY_REDIRECT,	/* 302 to a presigned bucket URL */
};

/* storage = s3: the bucket every node shares (README, "Object storage"). */
struct mv_s3_settings {
	char	endpoint[1024];		/* scheme://host[:port] */
	char	bucket[64];
	char	region[64];
	char	prefix[512];		/* "" or ending in '/' */
	char	access_key[256];	/* "": $AWS_ACCESS_KEY_ID */
	char	secret_key_file[PATH_MAX];	/* "": $AWS_SECRET_ACCESS_KEY */
};

/* One "vcs_rewrite = FROM TO" line: a URL prefix replaced, like git's
 * url.<TO>.insteadOf = FROM. */
struct mv_vcs_rewrite {
	char	from[1024];
	char	to[1024];
};

/* One "sumdb = KEY [URL]" line. */
struct mv_sumdb_config {
	char	name[256];			/* the key's name, e.g. sum.golang.org */
	char	vkey[512];			/* the verifier key */
	char	url[1024];			/* default https://<name> */
	size_t	line;				/* where it was set, 0 = not from a file */
};

/* download_mode = PATTERNS MODE: how a module the store lacks is got. */
enum mv_download_mode {
	MV_DL_SYNC,		/* fetch, then answer (the default) */
	MV_DL_ASYNC,		/* 404 now, fetch in the background */
	MV_DL_REDIRECT,		/* 302 to the first upstream, store nothing */
	MV_DL_ASYNC_REDIRECT,	/* 302 now, store in the background */
	MV_DL_NONE,		/* only what is stored; 404 otherwise */
	MV_DL__MAX
};

/* Which policy line: deny, allow or download_mode (policy.h). */
enum mv_rule_kind {
	MV_RULE_DENY,
	MV_RULE_ALLOW,
	MV_RULE_MODE,
	MV_RULE__MAX
};

/*
 * One deny, allow or download_mode line, in file order (first match
 * wins).  Its patterns are the NUL-terminated string at text + off in
 * cfg->rule_text, so a thousand lines cost no thousand 4 KiB buffers.
 */
struct mv_policy_rule {
	enum mv_rule_kind	 kind;
	enum mv_download_mode	 mode;	/* MV_RULE_MODE only */
	size_t			 line;
	size_t			 off;
};

/* metrics = off | on | CIDR list: who may read /metrics. */
enum mv_metrics_access {
	MV_METRICS_NETS,	/* the clients in metrics_nets (default: loopback) */
	MV_METRICS_OFF,		/* /metrics is 404 */
	MV_METRICS_ON,		/* anyone */
};
#define MV_METRICS_MAX_NETS	32
struct mv_cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* network byte order */
	unsigned	 bits;		/* prefix length */
};

struct mv_config {
	char			 path[PATH_MAX];	/* file it came from, or "" */
	char			 data_dir[PATH_MAX];
	char			 upstream[MV_CONFIG_VALUE_MAX_BYTES];
	enum mv_log_level	 log_level;
	char			 log[PATH_MAX];	/* stderr, syslog or a file */
	enum mv_xsendfile	 xsendfile;
	char			 xsendfile_prefix[PATH_MAX];
	char			 mount[PATH_MAX];	/* URL prefix, "" = derive */
	char			 static_tree[PATH_MAX];	/* absolute, "" = off */
	uint64_t		 max_zip_bytes;
	long			 upstream_timeout;	/* seconds */
	long			 connect_timeout;	/* seconds */
	long			 stall_timeout;		/* seconds under 1 KiB/s */
	long			 list_ttl;		/* seconds */
	long			 negative_ttl;		/* seconds */
	char			 netrc[PATH_MAX];
	struct mv_sumdb_config	 sumdb[MV_SUMDB_MAX_DATABASES];
	size_t			 nsumdb;
	enum mv_sumdb_verify	 sumdb_verify;
	char			 nosumdb[MV_CONFIG_VALUE_MAX_BYTES];	/* patterns */
	/* Fetching from version control (README, "Straight from git"). */
	char			 private[MV_CONFIG_VALUE_MAX_BYTES];	/* patterns */
	char			 noproxy[MV_CONFIG_VALUE_MAX_BYTES];	/* patterns */
	char			 insecure[MV_CONFIG_VALUE_MAX_BYTES];	/* patterns */
	struct mv_vcs_rewrite	 vcs_rewrite[MV_VCS_REWRITE_MAX];
	size_t			 nvcs_rewrite;
	char			 git[PATH_MAX];		/* the git program */
	enum mv_storage		 storage;
	struct mv_s3_settings	 s3;
	enum mv_zip_delivery	 zip_delivery;
	uint64_t		 cache_max_bytes;	/* the node's blob cache */
	enum mv_metrics_access	 metrics;
	struct mv_cidr		 metrics_nets[MV_METRICS_MAX_NETS];
	size_t			 nmetrics_nets;
	/* deny, allow, download_mode lines (policy.h applies them). */
	struct mv_policy_rule	 rules[MV_POLICY_RULES_MAX];
	size_t			 nrules;
	size_t			 nallow;	/* of which allow lines */
	char			 rule_text[MV_POLICY_TEXT_MAX_BYTES];
	size_t			 rule_text_len;
};

/* The file used when neither --config nor MODVAULT_CONFIG names one. */
const char	*mv_config_default_path(void);
void		 mv_config_defaults(struct mv_config *cfg);
/*
 * Loads path over the defaults (path NULL means the default path).  A
 * missing file is an error unless missing_ok is set and path is the default
 * path, in which case cfg holds the defaults.  Relative data_dir and netrc
 * values are made absolute against the directory holding the file.  Every
 * failure is MV_ECONFIG ("FILE: cannot open: ...", "FILE:LINE: KEY: ...")
 * except running out of memory; cfg->path is set only on success.
 */
int		 mv_config_load(struct mv_config *cfg, const char *path,
		    int missing_ok, struct mv_err *err);
/*
 * Parses a config held in memory, starting from the defaults (name is used
 * in error messages).  Fails with MV_ECONFIG; cfg is then partly filled.
 */
int		 mv_config_parse(struct mv_config *cfg, const char *name,
		    const char *text, size_t len, struct mv_err *err);
const char	*mv_log_level_name(enum mv_log_level l);
/* "sync", "async", "redirect", "async_redirect", "none". */
const char	*mv_download_mode_name(enum mv_download_mode m);
/* "deny", "allow", "download_mode". */
const char	*mv_rule_kind_name(enum mv_rule_kind k);
/* A rule's patterns, as written (comma-separated). */
const char	*mv_rule_patterns(const struct mv_config *cfg,
		    const struct mv_policy_rule *r);

/*
 * The credentials for storage = s3: s3_access_key, else $AWS_ACCESS_KEY_ID;
 * the first line of s3_secret_key_file, which only its owner may read
 * (mode 0600 or stricter, else MV_ECONFIG saying so), else
 * $AWS_SECRET_ACCESS_KEY.  MV_ECONFIG when either is missing.  Messages
 * never contain the secret.
 */
int		 mv_config_s3_credentials(const struct mv_config *cfg,
		    char *access_key, size_t aksz, char *secret, size_t sksz,
		    struct mv_err *err);

/*
 * May a client at addr (REMOTE_ADDR: an IPv4 or IPv6 address in text;
 * NULL or unparsable is refused) read /metrics?  An IPv4-mapped IPv6
 * address counts as its IPv4 address.
 */
bool		 mv_config_metrics_allows(const struct mv_config *cfg,
		    const char *addr);

#endif
