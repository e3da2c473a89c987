/* claim.c: per-version download claims on flock(2) (see claim.h). */
/*
 * A wait is a blocking flock() bounded by a one-shot POSIX timer that
 * sends SIGALRM to this thread alone (SIGEV_THREAD_ID), so neither
 * libcurl's resolver threads nor the zip scan's can swallow the signal,
 * and the handler is installed without SA_RESTART only for the wait.
 */
#define _GNU_SOURCE		/* SIGEV_THREAD_ID */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/clock.h"
#include "modvault/base/hash.h"
#include "modvault/store/claim.h"
#include "stage_priv.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

struct mv_claim {
	int	fd;
	char	path[PATH_MAX];
};

static void
on_alarm(int sig)
{
	(void)sig;	/* only interrupts flock() */
}

/*
 * Blocks in flock(LOCK_EX) until deadline (CLOCK_MONOTONIC ms); -1 with
 * errno ETIMEDOUT when it passes, or flock's own errno.
 */
static int
flock_until(int fd, int64_t deadline)
{
	struct sigaction sa, old;
	struct sigevent sev;
	struct itimerspec its;
	int64_t left = deadline - mv_mono_ms();
	timer_t timer;
	int rc, saved;

	if (left <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = left / 1000;
	its.it_value.tv_nsec = (left % 1000) * 1000000;
	if (sigaction(SIGALRM, &sa, &old) == -1)
		return -1;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) == -1) {
		saved = errno;
		sigaction(SIGALRM, &old, NULL);
		errno = saved;
		return -1;
	}
	timer_settime(timer, 0, &its, NULL);
	/* Another signal may interrupt too: only the deadline ends it. */
	while ((rc = flock(fd, LOCK_EX)) == -1 && errno == EINTR &&
	    mv_mono_ms() < deadline)
		;
	saved = errno;
	timer_delete(timer);
	sigaction(SIGALRM, &old, NULL);
	if (rc == -1)
		errno = saved == EINTR ? ETIMEDOUT : saved;
	return rc;
}

/* staging/claim-<hex SHA-256 of module@version>. */
static int
claim_path(struct mv_stage *sg, const char *module, const char *version,
    char *out, size_t outsz, struct mv_err *err)
{
	unsigned char digest[MV_SHA256_LEN];
	char hex[MV_SHA256_HEX + 1], key[MV_MODPATH_MAX_BYTES +
	    MV_VERSION_MAX_BYTES + 2];
	int n;

	n = snprintf(key, sizeof(key), "%s@%s", module, version);
	if (n < 0 || (size_t)n >= sizeof(key))
		return mv_fail(err, MV_EINVAL, "module or version too long");
	if (mv_sha256(key, (size_t)n, digest, err) == -1)
		return -1;
	mv_hex(digest, sizeof(digest), hex);
	if ((size_t)snprintf(out, outsz, "%s/" MV_STAGE_CLAIM_PREFIX "%s",
	    mv_stage_dir(sg), hex) >= outsz)
		return mv_fail(err, MV_EINVAL, "staging directory name too "
		    "long");
	return 0;
}

/*
 * The failure a holder left in fd ("CODE MESSAGE"), if any: 1 and err
 * filled, else 0.
 */
static int
left_failure(int fd, struct mv_err *err)
{
	char buf[MV_ERR_MSG_MAX_BYTES + 16], *sp;
	ssize_t n;
	long code;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	code = strtol(buf, &sp, 10);
	if (sp == buf || *sp != ' ' || code <= MV_OK || code >= MV_CODE__MAX)
		return 0;
	mv_fail(err, (enum mv_code)code, "%s", sp + 1);
	return 1;
}

/* Is fd still the file under path (not removed by its last holder)? */
static int
still_named(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int
mv_claim_take(struct mv_stage *sg, const char *module, const char *version,
    long timeout, struct mv_claim **cp, bool *waited, struct mv_err *err)
{
	int64_t deadline = mv_mono_ms() + (int64_t)timeout * 1000;
	struct mv_claim *c;
	int fd;

	if (waited != NULL)
		*waited = false;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	if (claim_path(sg, module, version, c->path, sizeof(c->path),
	    err) == -1)
		goto fail;
	for (;;) {
		fd = open(c->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
		if (fd == -1) {
			mv_fail(err, MV_EIO, "cannot open a claim file: %s",
			    strerror(errno));
			goto fail;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			if (errno != EWOULDBLOCK) {
				mv_fail(err, MV_EIO, "cannot lock a claim file: "
				    "%s", strerror(errno));
				close(fd);
				goto fail;
			}
			if (waited != NULL)
				*waited = true;
			if (flock_until(fd, deadline) == -1) {
				mv_fail(err, errno == ETIMEDOUT ? MV_ETIMEOUT :
				    MV_EIO, "waited %lds for another process "
				    "fetching %s@%s", timeout, module, version);
				close(fd);
				goto fail;
			}
		}
		if (still_named(fd, c->path))
			break;
		/* Its holder removed it: share its failure, or claim anew. */
		if (left_failure(fd, err)) {
			close(fd);
			goto fail;
		}
		close(fd);
	}
	c->fd = fd;
	*cp = c;
	return 0;
fail:
	free(c);
	return -1;
}

void
mv_claim_release(struct mv_claim *c)
{
	if (c == NULL)
		return;
	unlink(c->path);
	close(c->fd);
	free(c);
}

void
mv_claim_release_failed(struct mv_claim *c, const struct mv_err *why)
{
	char buf[MV_ERR_MSG_MAX_BYTES + 16];
	int n;

	if (c == NULL)
		return;
	n = snprintf(buf, sizeof(buf), "%d %s", (int)why->code, why->msg);
	if (n > 0 && ftruncate(c->fd, 0) == 0)
		(void)!pwrite(c->fd, buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf) - 1, 0);
	mv_claim_release(c);
}
