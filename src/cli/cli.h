/*
 * cli.h: what the commands of the admin CLI `modvault` share.
 *
 * main.c parses the global options, loads the configuration and calls one
 * command with argv[0] = the command's name and its options after it.  A
 * command returns an exit status: CLI_OK, CLI_FAILED (it ran and something
 * failed: a refused import, a mismatch found by verify) or CLI_USAGE (bad
 * arguments or configuration).  Only this directory prints or exits.
 */
#ifndef MODVAULT_CLI_H
#define MODVAULT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/config.h"
#include "modvault/policy/policy.h"
#include "modvault/store/index.h"
#include "modvault/zip/zip.h"
#include "progress.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

struct cli {
	struct mv_config	 cfg;
	struct mv_policy	 policy;
	const char		*cmd;	/* the command's name */
};

/*
 * One option a command takes: "--name VALUE" or "--name=VALUE", or, when
 * flag is set instead of value, a plain "--name".
 */
struct cli_opt {
	const char	 *name;		/* without the leading "--" */
	const char	**value;	/* set when given */
	bool		 *flag;		/* set to true when given */
};

/*
 * Parses a command's options from argv[1..]; *first gets the index of the
 * first operand.  Prints the problem and returns CLI_USAGE on a bad option.
 */
int	 cli_options(struct cli *c, int argc, char **argv,
	    const struct cli_opt *opts, int *first);
/* Checks the operand count; prints and returns CLI_USAGE when wrong. */
int	 cli_operands(struct cli *c, int n, int min, int max);
/* "modvault: CMD: message" on stderr. */
void	 cli_error(const struct cli *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A usage error: the message, then "try 'modvault CMD --help'"; CLI_USAGE. */
int	 cli_usage(const struct cli *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Opens the configured store (reporting failures); CLI_OK or CLI_FAILED. */
int	 cli_open_store(const struct cli *c, int flags, struct mv_store **st);
/* A plain decimal number (no suffix). */
bool	 cli_parse_u64(const char *s, uint64_t *out);
/*
 * Makes room for element n of a growing array of *cap elements of elem
 * bytes; returns the (possibly moved) array, or NULL when out of memory
 * (the old array is then still valid).
 */
void	*cli_grow(void *array, size_t *cap, size_t n, size_t elem);
/*
 * The one line a fetch or an import prints for a version: "stored M@V",
 * "already present M@V" or "refused M@V: REASON" (only the refusal when
 * the progress line stands for the others), then a step of the progress
 * line with the bytes st holds for the version.
 */
void	 cli_outcome(struct cli_progress *p, struct mv_store *st,
	    const char *module, const char *version, int rc,
	    enum mv_ingest_outcome outcome, const struct mv_err *err);
/* How many versions st holds (0 when it cannot tell): progress totals. */
uint64_t cli_count_versions(struct mv_store *st);
/* The zip limits with the configured max_zip_bytes. */
void	 cli_zip_limits(const struct cli *c, struct mv_zip_limits *lim);
/* "2024-01-02T03:04:05Z" for unix seconds t ("-" for 0); out has 32 bytes. */
void	 cli_time(int64_t t, char out[32]);

/*
 * Reads the file path (at most out->max bytes) into out; prints why and
 * returns -1 when it cannot.
 */
int	 cli_read_file(const struct cli *c, const char *path,
	    struct mv_buf *out);

int	 cmd_export(struct cli *c, int argc, char **argv);
int	 cmd_init(struct cli *c, int argc, char **argv);
int	 cmd_ls(struct cli *c, int argc, char **argv);
int	 cmd_stats(struct cli *c, int argc, char **argv);
int	 cmd_verify(struct cli *c, int argc, char **argv);
int	 cmd_import(struct cli *c, int argc, char **argv);
int	 cmd_rm(struct cli *c, int argc, char **argv);
int	 cmd_gc(struct cli *c, int argc, char **argv);
int	 cmd_fetch(struct cli *c, int argc, char **argv);
int	 cmd_reindex(struct cli *c, int argc, char **argv);
int	 cmd_policy(struct cli *c, int argc, char **argv);
int	 cmd_static_tree(struct cli *c, int argc, char **argv);

#endif
