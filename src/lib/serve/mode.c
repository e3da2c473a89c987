/*
 * mode.c: what a download mode does when the store lacks what a request
 * asks for (download_mode lines, policy.h).  The request has already been
 * answered from the store only and that answer was 404; here it becomes a
 * redirect to the first upstream proxy (redirect, async_redirect), and a
 * fetch starts in the background (async, async_redirect).
 *
 * A background fetch must outlive the request, even under plain CGI where
 * the web server waits for every holder of the response pipe to close it:
 * so it is a grandchild in its own session, with the standard descriptors
 * on /dev/null and nothing else inherited, that executes this very program
 * again as "modvault.fcgi --fetch MODULE@VERSION", a fresh process with its
 * own database connection (SQLite handles must not cross a fork).  The
 * fetch then takes the same claim as any request, so a version many
 * requests ask for is fetched once.  close_range is a GNU extension
 * (glibc 2.34 and later), hence _GNU_SOURCE.
 *
 * At most background_fetches run at once per store: each holds a slot of
 * DATA_DIR/background.lock (slots.h) on its descriptor 3, taken here
 * before the fork and freed by the kernel when the fetch ends, however it
 * ends.  When every slot is held no process is started: a flood of
 * requests for versions nobody has must not become a flood of processes.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "modvault/base/log.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/store/counters.h"
#include "modvault/store/slots.h"
#include "answer.h"

/* The program to run again; tests and installs both run it by path. */
#define SELF	"/proc/self/exe"

/*
 * 302 to the first entry of upstream for path (relative to the mount, as
 * requested, so already escaped).  Only a proxy URL without credentials
 * can be handed to a client; otherwise the 404 stands, saying why.
 */
static int
redirect(struct mv_service *svc, const char *path, const struct mv_err *miss,
    struct mv_response *res, struct mv_err *err)
{
	const char *base;
	size_t n;

	if (!mv_upstream_enabled(svc->filler.up) ||
	    mv_upstream_is_direct(svc->filler.up, 0)) {
		mv_err_pass(err, miss);
		return mv_wrap(err, "download_mode redirect needs a proxy as "
		    "the first upstream: ");
	}
	base = mv_upstream_url(svc->filler.up, 0);
	if (strstr(base, "***@") != NULL) {
		mv_err_pass(err, miss);
		return mv_wrap(err, "download_mode redirect cannot hand out "
		    "an upstream URL with credentials: ");
	}
	n = strlen(base);
	if (n > 0 && base[n - 1] == '/')
		n--;
	mv_buf_reset(&res->body);
	res->content_type = NULL;
	res->etag[0] = '\0';
	res->accept_ranges = false;
	res->status = 302;
	res->offload_header = "Location";
	snprintf(res->offload_value, sizeof(res->offload_value), "%.*s%s",
	    (int)n, base, path);
	res->cache_control = "no-store";
	res->body_kind = MV_BODY_NONE;
	res->len = 0;
	return 0;
}

#define SLOTS_FILE	"background.lock"
#define SLOT_FD		3

/* In the grandchild: no descriptor of the request or the server kept,
 * only the slot, moved to SLOT_FD. */
static void
detach_fds(int slot)
{
	int fd = open("/dev/null", O_RDWR);
	struct stat sb;

	if (fd == -1)
		_exit(1);
	(void)dup2(fd, 0);
	(void)dup2(fd, 1);
	/* stderr stays when it is a log file; a pipe may be waited on. */
	if (fstat(2, &sb) == -1 || !S_ISREG(sb.st_mode))
		(void)dup2(fd, 2);
	if (fd > 2 && fd != slot)
		(void)close(fd);
	/* dup2 clears close-on-exec; a slot already at SLOT_FD needs it done. */
	if (slot != SLOT_FD ? dup2(slot, SLOT_FD) == -1 :
	    fcntl(slot, F_SETFD, 0) == -1)
		_exit(1);
	(void)close_range(SLOT_FD + 1, ~0U, 0);
}

/*
 * Starts "SELF --fetch module@version", detached, holding a slot; the
 * caller goes on.  False when it did not start (all slots held, or a
 * local failure, logged).
 */
static bool
spawn_fetch(struct mv_service *svc, const char *module, const char *version)
{
	char arg[MV_MODPATH_MAX_BYTES + MV_VERSION_MAX_BYTES + 2];
	char *argv[] = { "modvault.fcgi", "--fetch", arg, NULL };
	struct mv_err err = MV_ERR_INIT;
	int slot = -1, status, took;
	pid_t pid;

	snprintf(arg, sizeof(arg), "%s@%s", module, version);
	took = mv_slots_take(svc->cfg.data_dir, SLOTS_FILE,
	    (unsigned)svc->cfg.background_fetches, &slot, &err);
	if (took != 1) {
		if (took == 0)
			mv_log_warn("%s: not fetched in the background: %ld "
			    "background fetches are running (background_"
			    "fetches)", arg, svc->cfg.background_fetches);
		else
			mv_log_error("background fetch of %s: %s", arg,
			    err.msg);
		return false;
	}
	if ((pid = fork()) == -1) {
		mv_log_error("background fetch of %s: fork: %m", arg);
		close(slot);
		return false;
	}
	if (pid == 0) {
		(void)setsid();
		(void)signal(SIGHUP, SIG_IGN);
		if (fork() != 0)
			_exit(0);
		detach_fds(slot);
		execv(SELF, argv);
		_exit(127);
	}
	close(slot);	/* the grandchild holds it now */
	(void)waitpid(pid, &status, 0);
	mv_log_info("%s: fetching in the background", arg);
	return true;
}

/* Only a named canonical version can be fetched without a query. */
static bool
has_version(const struct mv_route *route)
{
	return (route->kind == MV_ROUTE_INFO || route->kind == MV_ROUTE_MOD ||
	    route->kind == MV_ROUTE_ZIP) &&
	    mv_version_is_canonical(route->version);
}

/* "M@V" or "M", for messages. */
static void
what(const struct mv_route *route, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s", route->module,
	    has_version(route) ? "@" : "", has_version(route) ?
	    route->version : "");
}

int
mv_mode_miss(struct mv_service *svc, const struct mv_policy_decision *d,
    const char *path, const struct mv_route *route, const struct mv_err *miss,
    struct mv_response *res, struct mv_err *err)
{
	char w[MV_MODPATH_MAX_BYTES + MV_VERSION_MAX_BYTES + 2];
	bool bg = d->mode == MV_DL_ASYNC || d->mode == MV_DL_ASYNC_REDIRECT;
	bool started = false;

	what(route, w, sizeof(w));
	if (bg && has_version(route) && mv_upstream_enabled(svc->filler.up))
		started = spawn_fetch(svc, route->module, route->version);
	switch (d->mode) {
	case MV_DL_REDIRECT:
	case MV_DL_ASYNC_REDIRECT:
		return redirect(svc, path, miss, res, err);
	case MV_DL_ASYNC:
		if (!has_version(route))
			return mv_err_pass(err, miss);
		if (!started)
			return mv_fail(err, MV_ENOTFOUND, "not found: %.250s "
			    "is not stored, and no background fetch could "
			    "start now (download_mode async by %.200s): try "
			    "again later", w, d->mode_rule);
		return mv_fail(err, MV_ENOTFOUND, "not found: %.250s is not "
		    "stored yet: it is being fetched in the background "
		    "(download_mode async by %.200s)", w, d->mode_rule);
	case MV_DL_NONE:
		return mv_fail(err, MV_ENOTFOUND, "not found: %.250s is not "
		    "stored, and only what is stored is served (download_mode "
		    "none by %.200s)", w, d->mode_rule);
	default:
		return mv_err_pass(err, miss);
	}
}

int
mv_background_running(const struct mv_config *cfg, unsigned *n,
    struct mv_err *err)
{
	return mv_slots_held(cfg->data_dir, SLOTS_FILE,
	    (unsigned)cfg->background_fetches, n, err);
}

/* The grandchild's work: "modvault.fcgi --fetch MODULE@VERSION". */
int
mv_background_fetch(struct mv_service *svc, const char *arg)
{
	char module[MV_MODPATH_MAX_BYTES + 1], version[MV_VERSION_MAX_BYTES + 1];
	const char *at = strrchr(arg, '@');
	struct mv_err err = MV_ERR_INIT;
	enum mv_ingest_outcome oc;
	int rc;

	if (at == NULL || at == arg || (size_t)(at - arg) >= sizeof(module) ||
	    strlen(at + 1) >= sizeof(version)) {
		mv_log_error("--fetch: \"%.200s\" is not MODULE@VERSION", arg);
		return 2;
	}
	snprintf(module, sizeof(module), "%.*s", (int)(at - arg), arg);
	snprintf(version, sizeof(version), "%s", at + 1);
	if (mv_modpath_check(module, &err) == -1 ||
	    !mv_version_is_canonical(version) ||
	    mv_modpath_check_version(module, version, &err) == -1) {
		mv_log_error("--fetch: %.200s: %s", arg, err.msg[0] != '\0' ?
		    err.msg : "not a canonical version");
		return 2;
	}
	if (svc->store == NULL || !svc->filler_ok)
		return 1;	/* mv_service_open said why */
	mv_counters_background(svc->counters, false);
	rc = mv_fill_version(&svc->filler, module, version, &oc, &err);
	mv_counters_background(svc->counters, true);
	if (rc == -1) {
		mv_log_error("background fetch of %s@%s: %s", module, version,
		    err.msg);
		return 1;
	}
	mv_log_info("%s@%s: %s in the background", module, version,
	    oc == MV_INGEST_PRESENT ? "already present" : "stored");
	return 0;
}
