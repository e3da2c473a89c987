/*
 * git.h: running the git program, safely (spec vcs.md VC-4.1).
 *
 * Every run is an argument vector (no shell), with stdin from /dev/null,
 * in its own process group, and bounded: a deadline after which the whole
 * group is killed, and a limit on what it may write to stdout (a hostile
 * server must not make git fill memory or disk through us).  The
 * environment is built from nothing: a private HOME (so no ~/.gitconfig,
 * and a .netrc only when the configuration names one), no system or
 * global configuration, no terminal prompts, SSH in batch mode, and
 * GIT_ALLOW_PROTOCOL naming the only transports git may use (https and
 * ssh; http only when the module matched `insecure`).  Configuration that
 * could run code or change exported bytes is pinned off (hooks,
 * fsmonitor, submodule recursion, credential helpers).  What is passed
 * through from our own environment is only what routes traffic the way
 * the host is set up to: the proxy variables, SSL_CERT_FILE/DIR and
 * SSH_AUTH_SOCK (SSH keys and ~/.ssh/config are the server user's: ssh
 * reads them from the password database's home, not from HOME).
 */
#ifndef MODVAULT_VCS_GIT_H
#define MODVAULT_VCS_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "modvault/base/buf.h"
#include "modvault/base/config.h"
#include "modvault/base/err.h"

/* What a git run writes to stderr that is kept for the message. */
#define MV_GIT_STDERR_MAX_BYTES	2048

struct mv_git {
	char	program[PATH_MAX];	/* the git to run (config: git) */
	char	home[PATH_MAX];		/* private HOME, made by the caller */
	long	timeout;		/* seconds per run */
	long	stall_timeout;		/* seconds under 1 KiB/s on http(s) */
	bool	allow_http;		/* the module matched `insecure` */
};

/* One git process whose stdout the caller reads (mv_git_start). */
struct mv_gitproc {
	pid_t	pid;
	int	out;		/* read end of its stdout */
	int	errfd;		/* read end of its stderr */
	long	deadline;	/* CLOCK_MONOTONIC seconds */
	long	started_ms;	/* CLOCK_MONOTONIC, for the debug log */
	char	what[64];	/* "git fetch", for messages */
	char	errtext[MV_GIT_STDERR_MAX_BYTES];
	size_t	errlen;
};

/*
 * Runs git with args (args[0] is the subcommand; NULL-terminated) in
 * git_dir (a bare repository, passed as GIT_DIR; NULL for none) and puts
 * its stdout into out (bounded by out's own limit: more is a failure).
 * A non-zero exit fails with MV_EUPSTREAM and what git wrote to stderr
 * (its lines joined, its advice paragraph left out, URLs' credentials
 * hidden); a deadline passed fails with MV_ETIMEOUT; failing to start git
 * is local (MV_EIO).  *status, when not NULL, gets the exit status and
 * then a non-zero exit is not a failure (callers that branch on it).
 */
int	 mv_git_run(const struct mv_git *g, const char *git_dir,
	    const char *const *args, struct mv_buf *out, int *status,
	    struct mv_err *err);

/*
 * Starts git as above with stdout to a pipe, for output too large to
 * hold (an archive): read p->out with mv_git_read, then mv_git_finish.
 */
int	 mv_git_start(const struct mv_git *g, const char *git_dir,
	    const char *const *args, struct mv_gitproc *p, struct mv_err *err);
/* Up to n bytes of its stdout (*got 0 at the end), within the deadline. */
int	 mv_git_read(struct mv_gitproc *p, void *buf, size_t n, size_t *got,
	    struct mv_err *err);
/*
 * Reaps the process (killing its group first when ok is false or the
 * deadline passed); fails as mv_git_run does for a non-zero exit.
 */
int	 mv_git_finish(struct mv_gitproc *p, bool ok, struct mv_err *err);

/* Hides the "user:password@" of every URL in s, in place (messages). */
void	 mv_git_scrub(char *s);

#endif
