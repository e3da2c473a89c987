/*
 * git.c: running git with an argument vector, a built environment and
 * bounds on time and output (see git.h).
 *
 * posix_spawn with a "close every other descriptor" action: the responder
 * holds its FastCGI socket, the index database and transfer sockets, none
 * of which git may inherit.  That action is a GNU extension, hence
 * _GNU_SOURCE here (glibc 2.34 and later).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/log.h"
#include "modvault/net/tally.h"
#include "modvault/vcs/git.h"

extern char **environ;

/* Variables of our own environment git may see (git.h says why). */
static const char *const passed_env[] = {
	"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
	"no_proxy", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
	"SSH_AUTH_SOCK", NULL
};

/* Configuration pinned for every run (GIT_CONFIG_COUNT). */
static const char *const pinned[][2] = {
	{ "core.hooksPath", "/dev/null" },
	{ "core.fsmonitor", "false" },
	{ "core.askPass", "" },
	{ "credential.helper", "" },
	{ "submodule.recurse", "false" },
	{ "fetch.recurseSubmodules", "false" },
	{ "protocol.version", "2" },
	{ "gc.auto", "0" },
	{ "maintenance.auto", "false" },
	{ "init.defaultBranch", "master" },
	/* Keep fetched packs: unpacking a big one recompresses every object. */
	{ "transfer.unpackLimit", "1" },
	{ "advice.detachedHead", "false" },
};
#define NPINNED	(sizeof(pinned) / sizeof(pinned[0]))

#define ENV_MAX	64

struct env {
	char	*v[ENV_MAX];
	size_t	 n;
	int	 failed;
};

static void
env_add(struct env *e, const char *name, const char *value)
{
	char *s;

	if (e->n + 1 >= ENV_MAX || asprintf(&s, "%s=%s", name, value) == -1) {
		e->failed = 1;
		return;
	}
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

static void
env_free(struct env *e)
{
	while (e->n > 0)
		free(e->v[--e->n]);
}

static void
env_build(const struct mv_git *g, const char *git_dir, struct env *e)
{
	char key[32], speed[32];
	const char *v;
	size_t i;

	memset(e, 0, sizeof(*e));
	env_add(e, "PATH", "/usr/local/bin:/usr/bin:/bin");
	env_add(e, "HOME", g->home);
	env_add(e, "XDG_CONFIG_HOME", g->home);
	env_add(e, "LC_ALL", "C");
	env_add(e, "GIT_CONFIG_NOSYSTEM", "1");
	env_add(e, "GIT_CONFIG_GLOBAL", "/dev/null");
	env_add(e, "GIT_TERMINAL_PROMPT", "0");
	env_add(e, "GCM_INTERACTIVE", "never");
	env_add(e, "GIT_SSH_COMMAND", "ssh -o ControlMaster=no -o BatchMode=yes");
	env_add(e, "GIT_ALLOW_PROTOCOL", g->allow_http ? "https:ssh:http" :
	    "https:ssh");
	env_add(e, "GIT_PROTOCOL_FROM_USER", "0");
	if (git_dir != NULL)
		env_add(e, "GIT_DIR", git_dir);
	for (i = 0; passed_env[i] != NULL; i++)
		if ((v = getenv(passed_env[i])) != NULL)
			env_add(e, passed_env[i], v);
	snprintf(speed, sizeof(speed), "%ld", g->stall_timeout > 0 ?
	    g->stall_timeout : 30);
	snprintf(key, sizeof(key), "%zu", NPINNED + 2);
	env_add(e, "GIT_CONFIG_COUNT", key);
	for (i = 0; i < NPINNED + 2; i++) {
		const char *k = i < NPINNED ? pinned[i][0] :
		    i == NPINNED ? "http.lowSpeedLimit" : "http.lowSpeedTime";
		const char *val = i < NPINNED ? pinned[i][1] :
		    i == NPINNED ? "1024" : speed;

		snprintf(key, sizeof(key), "GIT_CONFIG_KEY_%zu", i);
		env_add(e, key, k);
		snprintf(key, sizeof(key), "GIT_CONFIG_VALUE_%zu", i);
		env_add(e, key, val);
	}
}

static long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whole seconds, for the deadlines. */
static long
mono_now(void)
{
	return mono_ms() / 1000;
}

static void
proc_close(struct mv_gitproc *p)
{
	if (p->out != -1)
		close(p->out);
	if (p->errfd != -1)
		close(p->errfd);
	p->out = p->errfd = -1;
}

static int
spawn(const struct mv_git *g, const char *const *argv, struct env *e,
    int outw, int errw, pid_t *pid, struct mv_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	int rc;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outw, 1);
	posix_spawn_file_actions_adddup2(&fa, errw, 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(pid, g->program, &fa, &at, (char *const *)argv,
	    e->v);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0)
		return mv_fail(err, MV_EIO, "cannot run %s: %s", g->program,
		    strerror(rc));
	return 0;
}

int
mv_git_start(const struct mv_git *g, const char *git_dir,
    const char *const *args, struct mv_gitproc *p, struct mv_err *err)
{
	const char *argv[48];
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct env e;
	size_t n;
	int rc;

	memset(p, 0, sizeof(*p));
	p->out = p->errfd = -1;
	p->pid = -1;
	argv[0] = "git";
	for (n = 0; args[n] != NULL; n++) {
		if (n + 2 >= sizeof(argv) / sizeof(argv[0]))
			return mv_fail(err, MV_ELIMIT, "git: too many arguments");
		argv[n + 1] = args[n];
	}
	argv[n + 1] = NULL;
	/* Named by its subcommand, past any "-c name=value". */
	for (n = 0; args[n] != NULL && args[n + 1] != NULL &&
	    strcmp(args[n], "-c") == 0; n += 2)
		;
	snprintf(p->what, sizeof(p->what), "git %s", args[n] ? args[n] :
	    args[0]);
	if (pipe2(outp, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1) {
		rc = mv_fail(err, mv_errno_code(errno), "pipe: %s",
		    strerror(errno));
		goto out;
	}
	env_build(g, git_dir, &e);
	rc = e.failed ? mv_fail(err, MV_ENOMEM, "git: environment") :
	    spawn(g, argv, &e, outp[1], errp[1], &p->pid, err);
	env_free(&e);
	if (rc == 0) {
		p->out = outp[0];
		p->errfd = errp[0];
		outp[0] = errp[0] = -1;
		p->deadline = mono_now() + (g->timeout > 0 ? g->timeout : 600);
		p->started_ms = mono_ms();
	}
out:
	if (outp[0] != -1)
		close(outp[0]);
	if (outp[1] != -1)
		close(outp[1]);
	if (errp[0] != -1)
		close(errp[0]);
	if (errp[1] != -1)
		close(errp[1]);
	return rc;
}

/* Keeps the tail of what git says on stderr. */
static void
take_stderr(struct mv_gitproc *p)
{
	char buf[1024];
	ssize_t r = read(p->errfd, buf, sizeof(buf));
	size_t n, keep = sizeof(p->errtext) - 1;

	if (r <= 0) {
		if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
			close(p->errfd);
			p->errfd = -1;
		}
		return;
	}
	n = (size_t)r;
	if (n > keep)
		n = keep;
	if (p->errlen + n > keep) {
		size_t drop = p->errlen + n - keep;

		memmove(p->errtext, p->errtext + drop, p->errlen - drop);
		p->errlen -= drop;
	}
	memcpy(p->errtext + p->errlen, buf + (size_t)r - n, n);
	p->errlen += n;
	p->errtext[p->errlen] = '\0';
}

int
mv_git_read(struct mv_gitproc *p, void *buf, size_t n, size_t *got,
    struct mv_err *err)
{
	struct pollfd pf[2];
	long left;
	ssize_t r;

	*got = 0;
	while (p->out != -1) {
		if ((left = p->deadline - mono_now()) <= 0)
			return mv_fail(err, MV_ETIMEOUT, "%s: no answer within "
			    "the time allowed", p->what);
		pf[0] = (struct pollfd){ .fd = p->out, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = p->errfd, .events = POLLIN };
		if (poll(pf, p->errfd != -1 ? 2 : 1, (int)(left > 60 ? 60 :
		    left) * 1000) == -1) {
			if (errno == EINTR)
				continue;
			return mv_fail(err, MV_EIO, "poll: %s", strerror(errno));
		}
		if (p->errfd != -1 && pf[1].revents != 0)
			take_stderr(p);
		if (pf[0].revents == 0)
			continue;
		r = read(p->out, buf, n);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r == -1)
			return mv_fail(err, MV_EIO, "%s: read: %s", p->what,
			    strerror(errno));
		if (r == 0) {
			close(p->out);
			p->out = -1;
			return 0;
		}
		*got = (size_t)r;
		return 0;
	}
	return 0;
}

/* git's advice after a failed transfer: it says nothing of the cause. */
static bool
is_advice(const char *l, size_t n)
{
	static const char *const advice[] = {
		"Please make sure you have the correct access rights",
		"and the repository exists.", NULL
	};
	size_t i;

	for (i = 0; advice[i] != NULL; i++)
		if (n == strlen(advice[i]) && memcmp(l, advice[i], n) == 0)
			return true;
	return false;
}

/*
 * What git said on stderr, one printable line: its lines joined with
 * "; ", blank ones and git's advice paragraph left out (the cause, such as
 * "Host key verification failed.", comes before it).
 */
static void
summary(const struct mv_gitproc *p, char *out, size_t outsz)
{
	const char *s = p->errtext, *end = s + p->errlen, *nl;
	size_t o = 0, n, i;

	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		for (n = (size_t)(nl - s); n > 0 && (s[n - 1] == '\r' ||
		    s[n - 1] == ' '); n--)
			;
		if (n == 0 || is_advice(s, n))
			continue;
		if (o > 0 && o + 2 < outsz) {
			out[o++] = ';';
			out[o++] = ' ';
		}
		for (i = 0; i < n && o + 1 < outsz; i++)
			out[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, outsz, "(no message)");
}

void
mv_git_scrub(char *s)
{
	char *p = s, *at, *end;

	while ((p = strstr(p, "://")) != NULL) {
		p += 3;
		end = p + strcspn(p, "/ '\"");
		if ((at = memchr(p, '@', (size_t)(end - p))) == NULL)
			continue;
		memmove(p + 3, at, strlen(at) + 1);
		memcpy(p, "***", 3);
	}
}

/*
 * Kills the group unless it ended cleanly, drains stderr (within the
 * deadline; a git that lingers past it is killed), reaps it into *status;
 * true when the deadline passed.
 */
static bool
reap(struct mv_gitproc *p, bool ok, int *status)
{
	bool late = mono_now() >= p->deadline;

	if (!ok || late || p->out != -1)
		(void)kill(-p->pid, SIGKILL);
	while (ok && !late && p->errfd != -1) {
		struct pollfd pf = { .fd = p->errfd, .events = POLLIN };
		long left = p->deadline - mono_now();

		if (left <= 0 || poll(&pf, 1, (int)(left > 60 ? 60 : left) *
		    1000) == 0) {
			late = mono_now() >= p->deadline;
			if (late)
				(void)kill(-p->pid, SIGKILL);
			continue;
		}
		take_stderr(p);
	}
	proc_close(p);
	while (waitpid(p->pid, status, 0) == -1 && errno == EINTR)
		;
	p->pid = -1;
	mv_log_debug("%s: %ld ms, exit %d", p->what, mono_ms() - p->started_ms,
	    WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status));
	/* The runs that talk to the repository are a request's upstream time. */
	if (strcmp(p->what, "git fetch") == 0 ||
	    strcmp(p->what, "git ls-remote") == 0)
		mv_tally_add((uint64_t)p->started_ms * 1000, 0, !late &&
		    WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
	return late;
}

int
mv_git_finish(struct mv_gitproc *p, bool ok, struct mv_err *err)
{
	char line[MV_GIT_STDERR_MAX_BYTES];
	int status = 0;

	if (p->pid == -1)
		return ok ? 0 : -1;
	if (reap(p, ok, &status))
		return mv_fail(err, MV_ETIMEOUT, "%s: no answer within the time "
		    "allowed", p->what);
	if (!ok)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	summary(p, line, sizeof(line));
	mv_git_scrub(line);
	if (WIFSIGNALED(status))
		return mv_fail(err, MV_EUPSTREAM, "%s: killed by signal %d: %s",
		    p->what, WTERMSIG(status), line);
	return mv_fail(err, MV_EUPSTREAM, "%s: %s", p->what, line);
}

int
mv_git_run(const struct mv_git *g, const char *git_dir,
    const char *const *args, struct mv_buf *out, int *status,
    struct mv_err *err)
{
	struct mv_gitproc p;
	struct mv_err e = MV_ERR_INIT;
	char buf[16384];
	size_t got;
	int rc, st = 0;

	if (mv_git_start(g, git_dir, args, &p, err) == -1)
		return -1;
	do {
		rc = mv_git_read(&p, buf, sizeof(buf), &got, &e);
		if (rc == 0 && got > 0 && out != NULL &&
		    mv_buf_append(out, buf, got, NULL) == -1)
			rc = mv_fail(&e, MV_EUPSTREAM, "%s: output over %zu "
			    "bytes", p.what, out->max);
	} while (rc == 0 && got > 0);
	if (rc == -1) {
		(void)mv_git_finish(&p, false, NULL);
		return mv_err_pass(err, &e);
	}
	if (status == NULL)
		return mv_git_finish(&p, true, err);
	/* The caller branches on the exit status. */
	if (reap(&p, true, &st))
		return mv_fail(err, MV_ETIMEOUT, "%s: no answer within the time "
		    "allowed", p.what);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}
