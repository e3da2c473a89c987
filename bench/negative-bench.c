/* negative-bench.c: how fast a not-found @v/list is answered from the negative cache. */
/*
 * Run on demand (not by make check); see bench/README.md.  The go command
 * asks for the list of every prefix of an import path (GP-7.5), so most
 * of those questions are for modules that do not exist: after upstream
 * said 404 once, mv_fill_list must answer MV_ENOTFOUND from the store's
 * negative cache (GP-9.5) without asking again.  This times that answer
 * against one real upstream 404 round trip through the same libcurl
 * client, and checks with the upstream's request log that the cached
 * answers did not reach it.
 *
 * usage: negative-bench [UPSTREAM_URL [UPSTREAM_LOG]]
 *   without a URL (or $MV_BENCH_UPSTREAM), it starts
 *   python3 $MV_SRCDIR/tests/integration/upstream.py (MV_SRCDIR defaults
 *   to ".") on an empty directory and reads its log; with a URL but no
 *   log ($MV_BENCH_UPSTREAM_LOG), the "upstream not asked" check is skipped.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/log.h"
#include "modvault/source/fill.h"

#define CALLS		100000
#define ROUNDTRIPS	100
#define MODULE		"example.com/nosuch/pkg"

struct bench {
	char		 dir[64];
	char		 url[256];
	char		 log[128];	/* "" = not checked */
	pid_t		 upstream;	/* ours to stop, or 0 */
	struct mv_store	*st;
	struct mv_config cfg;
	struct mv_policy policy;
	struct mv_filler f;
};

/* Microseconds since *t0 (CLOCK_MONOTONIC). */
static double
elapsed_us(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e6 + (t.tv_nsec - t0->tv_nsec) / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Requests in the upstream's log (one line each), or -1. */
static long
log_lines(const struct bench *b)
{
	FILE *fp;
	long n = 0;
	int c;

	if (b->log[0] == '\0' || (fp = fopen(b->log, "r")) == NULL)
		return -1;
	while ((c = getc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

/* Forks upstream.py on an empty directory; waits for its port file. */
static int
start_upstream(struct bench *b)
{
	const char *src = getenv("MV_SRCDIR");
	char script[512], root[96], portfile[96];
	FILE *fp;
	int i, port = 0;

	snprintf(script, sizeof(script), "%s/tests/integration/upstream.py",
	    src != NULL ? src : ".");
	snprintf(root, sizeof(root), "%s/empty", b->dir);
	snprintf(portfile, sizeof(portfile), "%s/port", b->dir);
	snprintf(b->log, sizeof(b->log), "%s/upstream.log", b->dir);
	if (access(script, R_OK) == -1 || mkdir(root, 0700) == -1)
		return -1;
	if ((b->upstream = fork()) == -1)
		return -1;
	if (b->upstream == 0) {
		execlp("python3", "python3", script, root, portfile, b->log,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && port == 0; i++) {
		if ((fp = fopen(portfile, "r")) != NULL) {
			if (fscanf(fp, "%d", &port) != 1)
				port = 0;
			fclose(fp);
		}
		if (port == 0)
			usleep(100000);
	}
	if (port == 0)
		return -1;
	snprintf(b->url, sizeof(b->url), "http://127.0.0.1:%d", port);
	return 0;
}

static void
stop_upstream(struct bench *b)
{
	if (b->upstream > 0) {
		kill(b->upstream, SIGTERM);
		waitpid(b->upstream, NULL, 0);
	}
}

static int
setup(struct bench *b, int argc, char **argv)
{
	const char *url = argc > 1 ? argv[1] : getenv("MV_BENCH_UPSTREAM");
	const char *log = argc > 2 ? argv[2] : getenv("MV_BENCH_UPSTREAM_LOG");
	struct mv_err err = MV_ERR_INIT;

	snprintf(b->dir, sizeof(b->dir), "/tmp/negative-bench.XXXXXX");
	if (mkdtemp(b->dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	if (url != NULL) {
		snprintf(b->url, sizeof(b->url), "%s", url);
		snprintf(b->log, sizeof(b->log), "%s", log != NULL ? log : "");
	} else if (start_upstream(b) == -1) {
		fprintf(stderr, "cannot start tests/integration/upstream.py "
		    "(run from the source tree, or set MV_SRCDIR)\n");
		return -1;
	}
	mv_config_defaults(&b->cfg);
	snprintf(b->cfg.data_dir, sizeof(b->cfg.data_dir), "%s/data", b->dir);
	snprintf(b->cfg.upstream, sizeof(b->cfg.upstream), "%s", b->url);
	mv_log_set_level(MV_LOG_ERROR);
	mv_policy_init(&b->policy, &b->cfg);
	if (mv_store_open(b->cfg.data_dir, MV_STORE_CREATE, &b->st, &err) == -1 ||
	    mv_filler_init(&b->f, b->st, &b->cfg, &b->policy, &err) == -1) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

/* One mv_fill_list that must be a not-found; 0 when it was. */
static int
list_absent(struct bench *b, const char *module, struct mv_buf *out)
{
	struct mv_err err = MV_ERR_INIT;

	if (mv_fill_list(&b->f, module, out, &err) == 0) {
		fprintf(stderr, "%s: upstream has a list\n", module);
		return -1;
	}
	if (err.code != MV_ENOTFOUND) {
		fprintf(stderr, "%s: %s\n", module, err.msg);
		return -1;
	}
	return 0;
}

/* Median microseconds of ROUNDTRIPS upstream 404s for distinct lists. */
static double
roundtrip(struct bench *b)
{
	static double t[ROUNDTRIPS];
	struct mv_buf body = MV_BUF_BOUNDED(16u << 20);
	struct mv_fetch_sink sink = { &body, -1, 1 << 20, 0, NULL };
	struct mv_err err = MV_ERR_INIT;
	char rel[128];
	struct timespec t0;
	int i;

	for (i = 0; i < ROUNDTRIPS; i++) {
		snprintf(rel, sizeof(rel), "example.com/rt%d/@v/list", i);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (mv_upstream_get(b->f.up, rel, &sink, NULL, &err) == 0 ||
		    err.code != MV_ENOTFOUND) {
			fprintf(stderr, "%s: not a 404\n", rel);
			mv_buf_free(&body);
			return -1;
		}
		t[i] = elapsed_us(&t0);
	}
	mv_buf_free(&body);
	qsort(t, ROUNDTRIPS, sizeof(t[0]), cmp_double);
	return (t[ROUNDTRIPS / 2 - 1] + t[ROUNDTRIPS / 2]) / 2;
}

static int
bench(struct bench *b)
{
	struct mv_buf out = MV_BUF_BOUNDED(16u << 20);
	long before, after;
	struct timespec t0;
	double per, rt;
	int i, rc = -1;

	/* The miss: upstream says 404 once, the negative entry is written. */
	before = log_lines(b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (list_absent(b, MODULE, &out) == -1)
		goto out;
	printf("%-40s %10.1f us (asked upstream: %s)\n", "first miss "
	    "(upstream 404, entry written)", elapsed_us(&t0),
	    before < 0 ? "not checked" : log_lines(b) == before + 1 ? "yes" :
	    "NO");
	if ((rt = roundtrip(b)) < 0)
		goto out;
	before = log_lines(b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < CALLS; i++)
		if (list_absent(b, MODULE, &out) == -1)
			goto out;
	per = elapsed_us(&t0) / CALLS;
	after = log_lines(b);
	printf("%-40s %10.2f us/call (%d calls)\n", "negative-cache answer", per,
	    CALLS);
	printf("%-40s %10.1f us (median of %d)\n", "upstream 404 round trip",
	    rt, ROUNDTRIPS);
	/* upstream.py writes headers and body apart: Nagle + delayed ACK. */
	if (rt > 20000)
		printf("# a kept-alive round trip near 40 ms is the upstream "
		    "stalling (delayed ACK);\n# for a loopback baseline run "
		    "against lighttpd (bench/README.md)\n");
	printf("%-40s %10.4f   (%.0fx faster)\n", "negative / round trip",
	    per / rt, rt / per);
	printf("%-40s %10.2f us   target < 1000  %s\n", "negative-cache answer",
	    per, per < 1000 ? "PASS" : "MISS");
	if (before < 0)
		printf("%-40s %10s\n", "upstream asked meanwhile", "not checked");
	else
		printf("%-40s %10ld     target 0       %s\n",
		    "upstream asked meanwhile", after - before,
		    after == before ? "PASS" : "MISS");
	rc = 0;
out:
	mv_buf_free(&out);
	return rc;
}

int
main(int argc, char **argv)
{
	struct bench b;
	char cmd[128];
	int rc;

	memset(&b, 0, sizeof(b));
	rc = setup(&b, argc, argv) == 0 && bench(&b) == 0 ? 0 : 1;
	if (b.f.up != NULL)
		mv_filler_release(&b.f);
	if (b.st != NULL)
		mv_store_close(b.st);
	stop_upstream(&b);
	if (b.dir[0] != '\0' && getenv("MV_KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", b.dir);
	}
	return rc;
}
