/*
 * test_fill.c: filling the store from a real local upstream
 * (tests/integration/upstream.py serving the test modules), through
 * fill.h and the libcurl client (upstream.h): what is stored, what is
 * remembered, what each failure is called, and one transfer for many
 * processes missing one version at once.
 */
#include "mvtest.h"
#include "mvtest_fixtures.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "modvault/net/upstream.h"
#include "modvault/policy/policy.h"
#include "modvault/source/fill.h"
#include "modvault/store/index.h"

struct fx {
	char			 dir[64];
	char			 data[96];
	char			 up[96];	/* the upstream tree */
	char			 log[96];	/* upstream.py's request log */
	char			 url[64];
	pid_t			 server;
	struct mv_config	 cfg;
	struct mv_policy	 policy;
	struct mv_store		*st;
	struct mv_filler	 f;
};

/* Starts upstream.py on dir/up with an option and its value (or NULL). */
static void
start_upstream(struct fx *x, const char *opt, const char *value)
{
	char port[96], script[512], buf[16];
	const char *src = getenv("MV_SRCDIR");
	FILE *fp = NULL;
	int i;

	snprintf(port, sizeof(port), "%s/port", x->dir);
	unlink(port);
	snprintf(script, sizeof(script), "%s/tests/integration/upstream.py",
	    src != NULL ? src : "..");
	if ((x->server = fork()) == 0) {
		execlp("python3", "python3", script, x->up, port, x->log, opt,
		    value, (char *)NULL);
		_exit(127);
	}
	assert_true(x->server > 0);
	for (i = 0; i < 500 && (fp = fopen(port, "r")) == NULL; i++)
		usleep(20000);
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	snprintf(x->url, sizeof(x->url), "http://127.0.0.1:%d", atoi(buf));
}

static void
stop_upstream(struct fx *x)
{
	if (x->server > 0) {
		kill(x->server, SIGTERM);
		waitpid(x->server, NULL, 0);
		x->server = 0;
	}
}

static void
open_filler(struct fx *x)
{
	struct mv_err err = MV_ERR_INIT;
	char text[256];

	snprintf(text, sizeof(text), "upstream = %s\nconnect_timeout = 2\n",
	    x->url);
	assert_ok(mv_config_parse(&x->cfg, "t.conf", text, strlen(text), &err),
	    &err);
	snprintf(x->cfg.data_dir, sizeof(x->cfg.data_dir), "%s", x->data);
	mv_policy_init(&x->policy, &x->cfg);
	assert_ok(mv_filler_init(&x->f, x->st, &x->cfg, &x->policy, &err),
	    &err);
}

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct mv_err err = MV_ERR_INIT;
	char cmd[512];

	snprintf(x->dir, sizeof(x->dir), "/tmp/mvtest-fill.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	snprintf(x->data, sizeof(x->data), "%s/data", x->dir);
	snprintf(x->up, sizeof(x->up), "%s/up", x->dir);
	snprintf(x->log, sizeof(x->log), "%s/up.log", x->dir);
	snprintf(cmd, sizeof(cmd), "cp -R '%s/upstream' '%s'",
	    mvtest_fixtures(), x->up);
	assert_int_equal(system(cmd), 0);
	assert_ok(mv_store_open(x->data, MV_STORE_CREATE, &x->st, &err), &err);
	start_upstream(x, NULL, NULL);
	open_filler(x);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	mv_filler_release(&x->f);
	mv_store_close(x->st);
	stop_upstream(x);
	assert_int_equal(mvtest_remove_dir(x->dir), 0);
	free(x);
	return 0;
}

/* Requests in upstream.py's log whose line contains what. */
static int
upstream_count(struct fx *x, const char *what)
{
	char line[1024];
	int n = 0;
	FILE *fp;

	if ((fp = fopen(x->log, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		n += strstr(line, what) != NULL;
	fclose(fp);
	return n;
}

/* The go.sum h1 of module version (the oracle, never modvault). */
static void
gosum(const char *module, const char *version, char out[48])
{
	mvtest_gosum_h1(module, version, out);
}

/* A miss is fetched, validated, hashed as go.sum says, and stored once. */
static void
fill_stores_and_remembers(void **state)
{
	struct fx *x = *state;
	enum mv_ingest_outcome oc;
	struct mv_err err = MV_ERR_INIT;
	struct mv_version v;
	char h1[48];

	assert_ok(mv_fill_version(&x->f, "modvault.test/CamelCase/Pkg",
	    "v1.0.0", &oc, &err), &err);
	assert_int_equal(oc, MV_INGEST_STORED);
	assert_ok(mv_store_get(x->st, "modvault.test/CamelCase/Pkg", "v1.0.0",
	    &v, &err), &err);
	gosum("modvault.test/CamelCase/Pkg", "v1.0.0", h1);
	assert_string_equal(v.zip_h1, h1);
	gosum("modvault.test/CamelCase/Pkg", "v1.0.0/go.mod", h1);
	assert_string_equal(v.mod_h1, h1);
	assert_string_equal(v.origin, x->url);
	/* The escaped path went upstream (GP-2.1). */
	assert_int_equal(upstream_count(x, "/modvault.test/!camel!case/!pkg/"
	    "@v/v1.0.0.zip 200"), 1);
	/* Stored: asked again, upstream is not. */
	assert_ok(mv_fill_version(&x->f, "modvault.test/CamelCase/Pkg",
	    "v1.0.0", &oc, &err), &err);
	assert_int_equal(oc, MV_INGEST_PRESENT);
	assert_int_equal(upstream_count(x, ".zip"), 1);
	/* Nothing is left in the staging area. */
	{
		char tmp[128], cmd[256];

		snprintf(tmp, sizeof(tmp), "%s/tmp", x->data);
		snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", tmp);
		assert_int_equal(system(cmd), 0);
	}
}

/* GP-9.5: "not found" upstream is remembered; the next miss asks nobody. */
static void
not_found_is_remembered(void **state)
{
	struct fx *x = *state;
	enum mv_ingest_outcome oc;
	struct mv_err err = MV_ERR_INIT;

	assert_fails(mv_fill_version(&x->f, "modvault.test/basic", "v9.9.9",
	    &oc, &err), &err, MV_ENOTFOUND);
	assert_int_equal(upstream_count(x, "v9.9.9.info"), 1);
	assert_fails(mv_fill_version(&x->f, "modvault.test/basic", "v9.9.9",
	    &oc, &err), &err, MV_ENOTFOUND);
	assert_int_equal(upstream_count(x, "v9.9.9.info"), 1);
}

/* The list: upstream's, kept for list_ttl; upstream down: the copy. */
static void
list_is_kept(void **state)
{
	struct fx *x = *state;
	struct mv_err err = MV_ERR_INIT;
	struct mv_buf b;

	mv_buf_init(&b, 1 << 20);
	assert_ok(mv_fill_list(&x->f, "modvault.test/basic", &b, &err), &err);
	assert_string_equal(mv_buf_str(&b), "v1.0.0\nv1.1.0\nv1.2.0-beta.1\n");
	mv_buf_reset(&b);
	assert_ok(mv_fill_list(&x->f, "modvault.test/basic", &b, &err), &err);
	assert_int_equal(upstream_count(x, "/@v/list"), 1);
	/* list_ttl passed and upstream gone: the stale copy answers. */
	x->cfg.list_ttl = 0;
	stop_upstream(x);
	mv_buf_reset(&b);
	assert_ok(mv_fill_list(&x->f, "modvault.test/basic", &b, &err), &err);
	assert_string_equal(mv_buf_str(&b), "v1.0.0\nv1.1.0\nv1.2.0-beta.1\n");
	mv_buf_free(&b);
}

/*
 * What upstream does wrong is upstream's (502), naming the bound: a list
 * over MV_LIST_MAX_BYTES was "414 URI Too Long" once.
 */
static void
upstream_faults_are_upstream_errors(void **state)
{
	struct fx *x = *state;
	enum mv_ingest_outcome oc;
	struct mv_err err = MV_ERR_INIT;
	char path[256];
	struct mv_buf b;
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "%s/modvault.test/basic/@v/list", x->up);
	assert_non_null(fp = fopen(path, "w"));
	for (i = 0; i < 500000; i++)
		fprintf(fp, "v1.0.%d\n", i);
	fclose(fp);
	mv_buf_init(&b, 64u << 20);
	assert_fails(mv_fill_list(&x->f, "modvault.test/basic", &b, &err),
	    &err, MV_EUPSTREAM);
	assert_non_null(strstr(err.msg, "larger than"));
	assert_int_equal(mv_code_http_status(err.code), 502);
	mv_buf_free(&b);
	/* A zip that breaks a rule (here: cut short) is refused as 502. */
	snprintf(path, sizeof(path), "%s/modvault.test/license/@v/v1.0.0.zip",
	    x->up);
	assert_int_equal(truncate(path, 100), 0);
	assert_fails(mv_fill_version(&x->f, "modvault.test/license", "v1.0.0",
	    &oc, &err), &err, MV_EUPSTREAM);
	assert_non_null(strstr(err.msg, "refused modvault.test/license@v1.0.0 "
	    "from upstream: MZ-"));
	/* Unreachable upstream: 502 naming GP-6.6, nothing remembered. */
	stop_upstream(x);
	assert_fails(mv_fill_version(&x->f, "modvault.test/nogomod", "v1.0.0",
	    &oc, &err), &err, MV_EUPSTREAM);
	assert_non_null(strstr(err.msg, "GP-6.6"));
}

/* Our own failure (no staging area) is ours, not the upstream's. */
static void
local_failures_are_local(void **state)
{
	struct fx *x = *state;
	enum mv_ingest_outcome oc;
	struct mv_err err = MV_ERR_INIT;
	char tmp[128];

	snprintf(tmp, sizeof(tmp), "%s/tmp", x->data);
	assert_int_equal(rmdir(tmp), 0);
	{
		FILE *fp = fopen(tmp, "w");	/* a file where the dir was */

		assert_non_null(fp);
		fclose(fp);
	}
	assert_fails(mv_fill_version(&x->f, "modvault.test/nogomod", "v1.0.0",
	    &oc, &err), &err, MV_EIO);
	assert_true(mv_code_is_local(err.code));
	assert_int_equal(upstream_count(x, "nogomod"), 0);
	assert_int_equal(unlink(tmp), 0);
	assert_int_equal(mkdir(tmp, 0755), 0);
}

/* What a child process that missed a version exits with: 0 for "yes". */
typedef int (*verdict_fn)(int rc, enum mv_ingest_outcome oc,
    const struct mv_err *err);

/*
 * n processes miss module@v1.0.0 at once, each with a store and a filler
 * of its own; returns how many of them verdict says yes to.
 */
static int
concurrent_misses(struct fx *x, const char *module, int n, verdict_fn verdict)
{
	enum mv_ingest_outcome oc = MV_INGEST_PRESENT;
	struct mv_err err = MV_ERR_INIT;
	int i, status, yes = 0, rc;
	pid_t pid[16];

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		if ((pid[i] = fork()) == 0) {
			struct mv_filler f;
			struct mv_store *st;

			if (mv_store_open(x->data, 0, &st, &err) == -1 ||
			    mv_filler_init(&f, st, &x->cfg, &x->policy,
			    &err) == -1)
				_exit(3);
			rc = mv_fill_version(&f, module, "v1.0.0", &oc, &err);
			_exit(verdict(rc, oc, &err));
		}
		assert_true(pid[i] > 0);
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) < 2);
		yes += WEXITSTATUS(status) == 0;
	}
	return yes;
}

static int
stored_it(int rc, enum mv_ingest_outcome oc, const struct mv_err *err)
{
	(void)err;
	return rc == 0 ? oc != MV_INGEST_STORED : 2;
}

static int
upstream_failure(int rc, enum mv_ingest_outcome oc, const struct mv_err *err)
{
	(void)oc;
	return rc == -1 && err->code == MV_EUPSTREAM &&
	    strstr(err->msg, "GP-6.6") != NULL ? 0 : 1;
}

/*
 * Many processes miss one version at once: one upstream transfer of the
 * zip (a slow one, so they all arrive while it runs), all of them get it.
 */
static void
concurrent_misses_fetch_once(void **state)
{
	struct fx *x = *state;
	enum mv_ingest_outcome oc;
	struct mv_err err = MV_ERR_INIT;

	stop_upstream(x);
	start_upstream(x, "--fault", "big/@v/v1.0.0.zip=rate=4");
	mv_filler_release(&x->f);
	open_filler(x);
	assert_int_equal(concurrent_misses(x, "modvault.test/big", 6,
	    stored_it), 1);
	assert_int_equal(upstream_count(x, "big/@v/v1.0.0.zip"), 1);
	assert_ok(mv_fill_version(&x->f, "modvault.test/big", "v1.0.0", &oc,
	    &err), &err);
	assert_int_equal(oc, MV_INGEST_PRESENT);
}

/*
 * Many processes miss one version while its upstream hangs: the one
 * fetching gives up after upstream_timeout, and those that waited for it
 * get its failure, instead of each asking the hanging upstream in turn.
 */
static void
concurrent_failure_is_shared(void **state)
{
	struct fx *x = *state;

	stop_upstream(x);
	start_upstream(x, "--fault", "license/@v/v1.0.0.zip=delay=30");
	mv_filler_release(&x->f);
	open_filler(x);
	x->cfg.upstream_timeout = 2;
	assert_int_equal(concurrent_misses(x, "modvault.test/license", 6,
	    upstream_failure), 6);
	/* One fetch began (the hanging zip is logged only once answered). */
	assert_int_equal(upstream_count(x, "license/@v/v1.0.0.info"), 1);
}

/*
 * Credentials in an upstream URL are used, and never shown: not in an
 * error, not in the origin kept with the version.
 */
static void
credentials_are_never_shown(void **state)
{
	struct fx *x = *state;
	enum mv_ingest_outcome oc;
	struct mv_err err = MV_ERR_INIT;
	struct mv_version v;
	char port[16];

	stop_upstream(x);
	start_upstream(x, "--auth", "alice:s3cret-pw");
	snprintf(port, sizeof(port), "%s", strrchr(x->url, ':') + 1);
	mv_filler_release(&x->f);
	snprintf(x->url, sizeof(x->url), "http://alice:s3cret-pw@127.0.0.1:%s",
	    port);
	open_filler(x);
	assert_ok(mv_fill_version(&x->f, "modvault.test/basic", "v1.0.0", &oc,
	    &err), &err);
	assert_ok(mv_store_get(x->st, "modvault.test/basic", "v1.0.0", &v,
	    &err), &err);
	assert_null(strstr(v.origin, "s3cret"));
	assert_non_null(strstr(v.origin, "http://***@127.0.0.1:"));
	/* A failure names the upstream without its password. */
	assert_fails(mv_fill_version(&x->f, "modvault.test/basic", "v9.0.0",
	    &oc, &err), &err, MV_ENOTFOUND);
	mv_filler_release(&x->f);
	snprintf(x->url, sizeof(x->url), "http://alice:wrong-pw@127.0.0.1:%s",
	    port);
	open_filler(x);
	assert_fails(mv_fill_version(&x->f, "modvault.test/license", "v1.0.0",
	    &oc, &err), &err, MV_EUPSTREAM);
	assert_non_null(strstr(err.msg, "401"));
	assert_null(strstr(err.msg, "wrong-pw"));
	stop_upstream(x);
	assert_fails(mv_fill_version(&x->f, "modvault.test/nogomod", "v1.0.0",
	    &oc, &err), &err, MV_EUPSTREAM);
	assert_null(strstr(err.msg, "wrong-pw"));
}

/* The policy is asked before anything is fetched. */
static void
fetch_off_is_not_found(void **state)
{
	struct fx *x = *state;
	enum mv_ingest_outcome oc;
	struct mv_err err = MV_ERR_INIT;

	mv_filler_release(&x->f);
	snprintf(x->url, sizeof(x->url), "off");
	open_filler(x);
	assert_fails(mv_fill_version(&x->f, "modvault.test/basic", "v1.0.0",
	    &oc, &err), &err, MV_ENOTFOUND);
	assert_non_null(strstr(err.msg, "fetching is off"));
	assert_int_equal(upstream_count(x, "basic"), 0);
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(fill_stores_and_remembers),
		T(not_found_is_remembered),
		T(list_is_kept),
		T(upstream_faults_are_upstream_errors),
		T(local_failures_are_local),
		T(concurrent_misses_fetch_once),
		T(concurrent_failure_is_shared),
		T(credentials_are_never_shown),
		T(fetch_off_is_not_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
