/* index-bench.c: latency of the store's hot-path lookups at 100,000 versions. */
/*
 * Run on demand (not by make check); see bench/README-store.md.  The index
 * is filled directly through SQLite in one transaction (10,000 modules x 10
 * versions, blob columns pointing at nothing), because the point is the
 * lookups the responder makes per request, through the store API with its
 * cached statements: mv_store_get (a .info/.mod/.zip hit), mv_store_versions
 * (@v/list) and mv_store_touch (a fresh touch, which must not write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "modvault/store/index.h"

#define MODULES		10000
#define VERSIONS	10
#define GETS		200000
#define LISTS		50000

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
fill(const char *dir)
{
	char path[512], sql[1024];
	sqlite3 *db;
	int m, v, rc = 0;

	snprintf(path, sizeof(path), "%s/index.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (m = 0; m < MODULES && rc == 0; m++)
		for (v = 0; v < VERSIONS && rc == 0; v++) {
			snprintf(sql, sizeof(sql), "INSERT INTO version (module, "
			    "version, info_blob, info_size, mod_blob, mod_size, "
			    "zip_blob, zip_size, zip_h1, mod_h1, fetched_at) "
			    "VALUES ('example.com/org%d/mod%d', 'v1.%d.0', "
			    "printf('%%064x', %d), 50, printf('%%064x', %d), "
			    "30, printf('%%064x', %d), 10000, 'h1:x', 'h1:y', "
			    "%ld)", m / 100, m, v, 3 * (m * VERSIONS + v),
			    3 * (m * VERSIONS + v) + 1,
			    3 * (m * VERSIONS + v) + 2, (long)time(NULL));
			if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
				rc = -1;
		}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static int
count(void *ctx, const struct mv_version *v)
{
	(*(int *)ctx)++;
	return 0;
}

static int
bench(struct mv_store *st)
{
	char module[64], version[32];
	struct mv_version v;
	struct mv_err err = MV_ERR_INIT;
	double t0;
	int i, m, n;

	srand(1);
	t0 = now_us();
	for (i = 0; i < GETS; i++) {
		m = rand() % MODULES;
		snprintf(module, sizeof(module), "example.com/org%d/mod%d",
		    m / 100, m);
		snprintf(version, sizeof(version), "v1.%d.0", rand() % VERSIONS);
		if (mv_store_get(st, module, version, &v, &err) == -1)
			goto fail;
	}
	printf("mv_store_get       %8.2f us/op (%d lookups)\n",
	    (now_us() - t0) / GETS, GETS);
	t0 = now_us();
	for (i = 0; i < LISTS; i++) {
		m = rand() % MODULES;
		snprintf(module, sizeof(module), "example.com/org%d/mod%d",
		    m / 100, m);
		n = 0;
		if (mv_store_versions(st, module, count, &n, &err) != 0 ||
		    n != VERSIONS)
			goto fail;
	}
	printf("mv_store_versions  %8.2f us/op (%d lists of %d)\n",
	    (now_us() - t0) / LISTS, LISTS, VERSIONS);
	t0 = now_us();
	for (i = 0; i < GETS; i++) {
		m = rand() % MODULES;
		snprintf(module, sizeof(module), "example.com/org%d/mod%d",
		    m / 100, m);
		/* fetched_at is now and last_served 0: the first touch writes */
		if (mv_store_touch(st, module, "v1.0.0", (int64_t)time(NULL),
		    &err) == -1)
			goto fail;
	}
	printf("mv_store_touch     %8.2f us/op (%d, mostly fresh)\n",
	    (now_us() - t0) / GETS, GETS);
	return 0;
fail:
	fprintf(stderr, "index-bench: %s\n", err.msg);
	return -1;
}

int
main(void)
{
	char dir[] = "/tmp/modvault-bench.XXXXXX", cmd[128];
	struct mv_store *st;
	struct mv_err err = MV_ERR_INIT;
	double t0;
	int rc = 1;

	mv_err_clear(&err);
	if (mkdtemp(dir) == NULL)
		return 1;
	if (mv_store_open(dir, MV_STORE_CREATE, &st, &err) == -1)
		goto fail;
	mv_store_close(st);
	t0 = now_us();
	if (fill(dir) == -1)
		goto fail;
	printf("filled %d versions in %.1f s\n", MODULES * VERSIONS,
	    (now_us() - t0) / 1e6);
	if (mv_store_open(dir, 0, &st, &err) == -1)
		goto fail;
	rc = bench(st) == 0 ? 0 : 1;
	mv_store_close(st);
	mv_err_clear(&err);
fail:
	if (rc != 0 && err.msg[0] != '\0')
		fprintf(stderr, "index-bench: %s\n", err.msg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
