/*
 * supervise.c: a pre-forked pool of modvault.fcgi processes.
 *
 * Each process answers one request at a time, and a cold miss holds its
 * process for as long as the fetch takes; with a single process behind a
 * systemd socket, one slow upstream would stall every cache hit.  The
 * parent forks the children before the service is opened (each child has
 * its own index connection and upstream handles: nothing that must not
 * cross a fork exists yet), and they all block in accept() on the one
 * socket; the kernel gives each connection to one of them.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/log.h"
#include "supervise.h"

/* A child that dies sooner than this after its start is restarted late. */
#define RESTART_PAUSE_S 1

struct child {
	pid_t	pid;
	time_t	started;
};

/* Starts slot i; 0 in the new child, 1 in the parent, -1 on failure. */
static int
start(struct child *c, const sigset_t *old)
{
	pid_t pid = fork();

	if (pid == -1) {
		mv_log_error("cannot start a FastCGI child: %s",
		    strerror(errno));
		return -1;
	}
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, old, NULL);
		return 0;
	}
	c->pid = pid;
	c->started = time(NULL);
	return 1;
}

static void
signal_all(const struct child *kids, int n, int sig)
{
	int i;

	for (i = 0; i < n; i++)
		if (kids[i].pid > 0)
			kill(kids[i].pid, sig);
}

/* SIGTERM to every child, then waits for them all. */
static void
stop_all(struct child *kids, int n)
{
	int i;

	signal_all(kids, n, SIGTERM);
	for (i = 0; i < n; i++)
		if (kids[i].pid > 0)
			while (waitpid(kids[i].pid, NULL, 0) == -1 &&
			    errno == EINTR)
				;
}

/* Reaps the dead and starts their slots again; 0 in a new child. */
static int
restart_dead(struct child *kids, int n, const sigset_t *old)
{
	pid_t pid;
	int i, st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < n && kids[i].pid != pid; i++)
			;
		if (i == n)
			continue;
		mv_log_warn("FastCGI child %ld %s %d; starting another",
		    (long)pid, WIFSIGNALED(st) ? "killed by signal" :
		    "exited with status", WIFSIGNALED(st) ? WTERMSIG(st) :
		    WEXITSTATUS(st));
		kids[i].pid = 0;
		/* A child that cannot start (a broken binary) must not spin. */
		if (time(NULL) - kids[i].started < RESTART_PAUSE_S)
			sleep(RESTART_PAUSE_S);
		if (start(&kids[i], old) == 0)
			return 0;
	}
	return 1;
}

int
mv_supervise(int n)
{
	static struct child kids[MV_CHILDREN_MAX];
	sigset_t set, old;
	int i, sig, started = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked, then taken with sigwait: no handler runs mid-fork. */
	sigprocmask(SIG_BLOCK, &set, &old);
	for (i = 0; i < n; i++) {
		switch (start(&kids[i], &old)) {
		case 0:
			return 0;
		case 1:
			started++;
			break;
		}
	}
	if (started == 0)
		return -1;
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			/* Each child reopens its own log (log.h). */
			signal_all(kids, n, SIGHUP);
			continue;
		}
		if (sig != SIGCHLD)
			break;
		if (restart_dead(kids, n, &old) == 0)
			return 0;
	}
	stop_all(kids, n);
	return 1;
}
