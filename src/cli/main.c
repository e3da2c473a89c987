/* main.c: the modvault admin CLI: global options, command table, exit codes. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/base/log.h"
#include "modvault/base/size.h"
#include "modvault/base/text.h"
#include "modvault/sumdb/sumdbc.h"
#include "cli.h"

struct command {
	const char	*name;
	int		(*fn)(struct cli *, int, char **);
	const char	*args;
	const char	*help;
};

static const struct command commands[] = {
	{ "init", cmd_init, "[--empty]",
	    "Creates the store in data_dir, or upgrades an older one in place\n"
	    "(the only command that changes the index's schema, and writes\n"
	    "the manifest of each version stored before schema 5).  A\n"
	    "data_dir that holds blobs but whose index.db is missing or empty\n"
	    "is refused: run reindex, or --empty to start an empty index\n"
	    "anyway (gc then deletes the blobs)." },
	{ "ls", cmd_ls, "[PATTERN]",
	    "Lists stored module versions (module@version, zip bytes, .info\n"
	    "Time), one a line.  PATTERN is a comma-separated list of\n"
	    "GOPRIVATE-style globs matched against module path prefixes." },
	{ "stats", cmd_stats, "",
	    "Prints counts, bytes stored, bytes saved by deduplication and\n"
	    "the oldest and newest fetch times." },
	{ "verify", cmd_verify, "[--sumdb] [--origin] [--dry-run]",
	    "Re-reads every blob a version uses, recomputes its SHA-256, the\n"
	    "zip's h1 and the go.mod's h1, and reports any mismatch or missing\n"
	    "blob (exit status 1).  It repairs what it can: a version whose\n"
	    "blob is damaged or missing is dropped (the blob moved to\n"
	    "quarantine/) so that the next request fetches it again, blob modes\n"
	    "are set to 0444, and each good blob's check time is recorded (the\n"
	    "scrub: run it from the gc timer).  --dry-run only reports.\n"
	    "--sumdb also re-checks, offline, each version against the\n"
	    "checksum database lookup stored with it, the stored tiles and the\n"
	    "newest stored tree head.  --origin also lists the git repository\n"
	    "of each version fetched from one (upstream = direct) and reports\n"
	    "each whose tag has moved to another commit or is gone; what is\n"
	    "stored is kept and served as it was." },
	{ "import", cmd_import, "DIR | FILE | --from-store DATA_DIR",
	    "Stores every module version under DIR, a Go module download cache\n"
	    "($GOMODCACHE/cache/download) or a static GOPROXY tree: each\n"
	    "@v/V.zip with its V.info and V.mod.  Each is validated as a fetch\n"
	    "is (against the checksum database too, when it answers; else it\n"
	    "says so); prints stored, already present or refused: REASON per\n"
	    "version and exits 1 if any was refused.  FILE is a bundle made by\n"
	    "export: its signed tree head is checked with the configured sumdb\n"
	    "key and against the stored one (a forked or shrunk log is\n"
	    "refused), and each version's inclusion proof and both h1: hashes,\n"
	    "offline; the node then answers /sumdb/ lookups and tiles for them\n"
	    "itself.\n"
	    "--from-store copies every version of another modvault store (a\n"
	    "directory store moving to a bucket), each validated the same way." },
	{ "export", cmd_export,
	    "-o FILE [--go-sum FILE | --go-mod FILE | PATTERN...] [--since DATE]",
	    "Writes the selected stored versions to FILE, a bundle for an\n"
	    "air-gapped node (tar, zstd): a manifest of every member's size and\n"
	    "SHA-256, each version's .info, .mod and .zip, and its checksum\n"
	    "database lookup with the signed tree head and tiles proving it.\n"
	    "PATTERNs are GOPRIVATE-style globs (none: every version); --go-sum\n"
	    "takes every version a go.sum names, --go-mod a go.mod's\n"
	    "requirements and theirs (transitively, as fetch -r); --since\n"
	    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC) keeps those fetched\n"
	    "since.  Exits 1 if a named version is not stored." },
	{ "fetch", cmd_fetch, "[-r go.mod|go.sum] [MODULE@VERSION...]",
	    "Fetches module versions from the configured upstream into the\n"
	    "store, validated as on a miss: each MODULE@VERSION (VERSION may\n"
	    "be a query such as latest or a branch), every requirement of a\n"
	    "go.mod and theirs (transitively), or every version in a go.sum.\n"
	    "Prints stored, already present or refused: REASON per version\n"
	    "and exits 1 if any was refused." },
	{ "policy", cmd_policy, "check MODULE[@VERSION]",
	    "Prints which deny, allow and download_mode line applies to\n"
	    "MODULE and why: denied (with the reason a client gets, exit\n"
	    "status 1) or allowed, its download mode, whether the checksum\n"
	    "database is asked about it and where it is fetched from." },
	{ "static-tree", cmd_static_tree, "rebuild | verify [--repair]",
	    "Keeps the static tree (static_tree = DIR: the stored files a web\n"
	    "server sends itself) in step with the index.  verify prints one\n"
	    "line per disagreement, PATH: missing, extra or wrong target (a\n"
	    "link that should be there, an entry that should not, a link\n"
	    "pointing at another blob), and exits 1 when there is any;\n"
	    "--repair also fixes each.  rebuild writes every link anew and\n"
	    "then removes everything else, so a web server serving the tree\n"
	    "meanwhile never misses a stored file." },
	{ "rm", cmd_rm, "MODULE@VERSION",
	    "Removes a module version from the index; gc then frees its blobs." },
	{ "reindex", cmd_reindex, "",
	    "Rebuilds the index from the blobs after index.db was lost or\n"
	    "damaged: each version from its manifest, or from a zip no\n"
	    "manifest names (its entries name it, its go.mod is the .mod, its\n"
	    ".info the one stored .info naming that version), validated as a\n"
	    "fetch is.  Prints restored, already present or not recovered:\n"
	    "REASON per version and exits 1 if any was not recovered (the\n"
	    "next request fetches those again)." },
	{ "gc", cmd_gc, "[--older-than DAYS] [--max-bytes N] [--grace SECONDS]",
	    "Removes blobs no version uses.  --older-than evicts versions not\n"
	    "served (or fetched) for DAYS days; --max-bytes evicts the least\n"
	    "recently served versions until the blobs total at most N bytes\n"
	    "(suffixes K, M, G, T: powers of 1024).  With storage = s3 a blob\n"
	    "is in use while any manifest in the bucket names it, an unused\n"
	    "one goes only once older than --grace (3600 s: another node may\n"
	    "still be storing the version that needs it), an eviction\n"
	    "withdraws the version from the bucket for every node, and this\n"
	    "node's blob cache is trimmed to cache_max_bytes." },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: modvault [--config FILE] [--data-dir DIR] COMMAND "
	    "[ARGS]\n       modvault --version\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s%s%s\n", commands[i].name,
		    commands[i].args[0] != '\0' ? " " : "", commands[i].args);
	fprintf(f, "\nThe configuration comes from --config, else $MODVAULT_"
	    "CONFIG, else %s.\n'modvault COMMAND --help' describes a command."
	    "\nExit status: 0 ok, 1 failed, 2 usage or configuration error.\n"
	    "The manual: modvault(1), modvault.conf(5), modvault.fcgi(8).\n",
	    mv_config_default_path());
}

/* "modvault: CMD: ", or "modvault: " before a command is known. */
static void
prefix(const struct cli *c)
{
	if (c->cmd != NULL)
		fprintf(stderr, "modvault: %s: ", c->cmd);
	else
		fputs("modvault: ", stderr);
}

void
cli_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	prefix(c);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	prefix(c);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'modvault %s%s--help'\n",
	    c->cmd != NULL ? c->cmd : "", c->cmd != NULL ? " " : "");
	return CLI_USAGE;
}

int
cli_options(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
    int *first)
{
	const struct cli_opt *o;
	const char *arg, *eq;
	size_t n;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		arg = argv[i] + (argv[i][1] == '-' ? 2 : 1);
		n = (eq = strchr(arg, '=')) != NULL ? (size_t)(eq - arg) :
		    strlen(arg);
		for (o = opts; o != NULL && o->name != NULL; o++)
			if (strlen(o->name) == n && strncmp(o->name, arg, n) == 0)
				break;
		if (o == NULL || o->name == NULL)
			return cli_usage(c, "unknown option \"%s\"", argv[i]);
		if (o->flag != NULL) {
			if (eq != NULL)
				return cli_usage(c, "option \"--%s\" takes no "
				    "value", o->name);
			*o->flag = true;
		} else if (eq != NULL)
			*o->value = eq + 1;
		else if (i + 1 < argc)
			*o->value = argv[++i];
		else
			return cli_usage(c, "option \"%s\" needs a value",
			    argv[i]);
	}
	*first = i;
	return CLI_OK;
}

int
cli_operands(struct cli *c, int n, int min, int max)
{
	if (n < min)
		return cli_usage(c, "missing operand");
	if (n > max)
		return cli_usage(c, "too many operands");
	return CLI_OK;
}

int
cli_open_store(const struct cli *c, int flags, struct mv_store **st)
{
	struct mv_err err = MV_ERR_INIT;

	if (mv_store_open_config(&c->cfg, flags, st, &err) == -1) {
		cli_error(c, "%s", err.msg);
		return CLI_FAILED;
	}
	return CLI_OK;
}

bool
cli_parse_u64(const char *s, uint64_t *out)
{
	uintmax_t v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoumax(s, &end, 10);
	if (errno != 0 || v > UINT64_MAX || *end != '\0')
		return false;
	*out = (uint64_t)v;
	return true;
}

/* The bytes of module@version's three files (0 when not stored). */
static uint64_t
stored_bytes(struct mv_store *st, const char *module, const char *version)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_version v;

	if (mv_store_get(st, module, version, &v, &err) == -1)
		return 0;
	return v.info.size + v.mod.size + v.zip.size;
}

static int
count_one(void *ctx, const struct mv_version *v)
{
	(void)v;
	(*(uint64_t *)ctx)++;
	return 0;
}

uint64_t
cli_count_versions(struct mv_store *st)
{
	struct mv_err err = MV_ERR_INIT;
	uint64_t n = 0;

	return mv_store_each(st, NULL, count_one, &n, &err) == 0 ? n : 0;
}

void
cli_outcome(struct cli_progress *p, struct mv_store *st, const char *module,
    const char *version, int rc, enum mv_ingest_outcome outcome,
    const struct mv_err *err)
{
	char m[4 * MV_MODPATH_MAX_BYTES], v[4 * MV_VERSION_MAX_BYTES],
	    w[4 * MV_ERR_MSG_MAX_BYTES];
	const char *why = err->msg, *q;
	size_t n = strlen(module) + strlen(version) + 10;

	/* What a tree or an upstream named is shown, never obeyed. */
	mv_printable(module, m, sizeof(m));
	mv_printable(version, v, sizeof(v));
	if (rc == 0) {
		if (cli_progress_wants_ok(p))
			printf("%s %s@%s\n", outcome == MV_INGEST_STORED ?
			    "stored" : "already present", m, v);
		cli_progress_step(p, p->on ? stored_bytes(st, module,
		    version) : 0);
		return;
	}
	/* "refused M@V from upstream: WHY" already names the version. */
	if (strncmp(why, "refused ", 8) == 0 && strlen(why) > n &&
	    (q = strstr(why, ": ")) != NULL)
		why = q + 2;
	cli_progress_hide(p);
	printf("refused %s@%s: %s\n", m, v, mv_printable(why, w, sizeof(w)));
	cli_progress_step(p, 0);
}

int
cli_read_file(const struct cli *c, const char *path, struct mv_buf *out)
{
	struct mv_err err = MV_ERR_INIT;
	char chunk[65536];
	size_t got;
	FILE *fp;
	int rc = 0;

	if ((fp = fopen(path, "rb")) == NULL) {
		cli_error(c, "cannot open \"%s\"", path);
		return -1;
	}
	while (rc == 0 && (got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		rc = mv_buf_append(out, chunk, got, &err);
	if (rc == 0 && ferror(fp))
		rc = mv_fail(&err, MV_EIO, "read error");
	fclose(fp);
	if (rc == -1)
		cli_error(c, "%s: %s", path, err.msg);
	return rc;
}

void *
cli_grow(void *array, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return array;
	ncap = *cap > 0 ? *cap * 2 : 64;
	if (ncap > SIZE_MAX / elem || (p = realloc(array, ncap * elem)) == NULL)
		return NULL;
	*cap = ncap;
	return p;
}

void
cli_zip_limits(const struct cli *c, struct mv_zip_limits *lim)
{
	mv_zip_limits_default(lim);
	if (c->cfg.max_zip_bytes != 0)
		lim->max_zip_bytes = c->cfg.max_zip_bytes;
}

void
cli_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 32, "-");
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Is --help or -h among a command's options (before any "--")? */
static bool
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/*
 * The global options; returns the index of the command, 0 for --help, or
 * -1 after a usage error.
 */
static int
global_options(int argc, char **argv, const char **config,
    const char **data_dir)
{
	struct cli g = { .cmd = NULL };
	const struct cli_opt opts[] = {
		{ "config", config, NULL },
		{ "data-dir", data_dir, NULL },
		{ NULL, NULL, NULL },
	};
	int i;

	/* --help among the global options (skipping their values). */
	for (i = 1; i < argc && argv[i][0] == '-'; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 0;
		else if (strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "--data-dir") == 0)
			i++;
	if (cli_options(&g, argc, argv, opts, &i) != CLI_OK)
		return -1;
	return i;
}

static int
load_config(struct cli *c, const char *config, const char *data_dir)
{
	struct mv_err err = MV_ERR_INIT;
	const char *path = config;

	if (path == NULL && (path = getenv("MODVAULT_CONFIG")) != NULL &&
	    *path == '\0')
		path = NULL;
	mv_config_defaults(&c->cfg);
	mv_policy_init(&c->policy, &c->cfg);
	if (mv_config_load(&c->cfg, path != NULL ? path :
	    mv_config_default_path(), path == NULL, &err) == -1 ||
	    mv_policy_check_config(&c->cfg, &err) == -1 ||
	    mv_sumdbc_check_config(&c->cfg, &err) == -1) {
		fprintf(stderr, "modvault: %s\n", err.msg);
		return CLI_USAGE;
	}
	/* The library's log lines; the command's own messages stay here. */
	if (mv_log_open(c->cfg.log, false, &err) == -1)
		fprintf(stderr, "modvault: %s\n", err.msg);
	if (data_dir != NULL && (size_t)snprintf(c->cfg.data_dir,
	    sizeof(c->cfg.data_dir), "%s", data_dir) >= sizeof(c->cfg.data_dir)) {
		fprintf(stderr, "modvault: --data-dir: path too long\n");
		return CLI_USAGE;
	}
	return CLI_OK;
}

int
main(int argc, char **argv)
{
	const char *config = NULL, *data_dir = NULL;
	const struct command *cmd;
	struct cli c;
	int i, rc;

	memset(&c, 0, sizeof(c));
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("modvault %s\n", PACKAGE_VERSION);
		return CLI_OK;
	}
	if ((i = global_options(argc, argv, &config, &data_dir)) == -1)
		return CLI_USAGE;
	if (i == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if ((cmd = find_command(argv[i])) == NULL) {
		fprintf(stderr, "modvault: unknown command \"%s\"\n", argv[i]);
		usage(stderr);
		return CLI_USAGE;
	}
	c.cmd = cmd->name;
	if (wants_help(argc - i, argv + i)) {
		printf("usage: modvault %s %s\n\n%s\n", cmd->name, cmd->args,
		    cmd->help);
		return CLI_OK;
	}
	if ((rc = load_config(&c, config, data_dir)) != CLI_OK)
		return rc;
	rc = cmd->fn(&c, argc - i, argv + i);
	if (fflush(stdout) == EOF && rc == CLI_OK) {
		cli_error(&c, "cannot write output: %s", strerror(errno));
		rc = CLI_FAILED;
	}
	return rc;
}
