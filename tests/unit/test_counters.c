/*
 * test_counters.c: the counters file shared by every process serving a
 * store: exact sums from concurrent processes, whole events read while
 * another process writes them, hours that roll over, layouts never
 * misread.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mvtest.h"
#include "modvault/store/counters.h"

static char dir[64];

static int
setup(void **state)
{
	strcpy(dir, "/tmp/mvtest-counters-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	return mvtest_remove_dir(dir);
}

static struct mv_counters *
open_counters(void)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_counters *c;

	assert_ok(mv_counters_open(&c, dir, &err), &err);
	return c;
}

/* Every call takes NULL: a store without counters serves uncounted. */
static void
null_reads_zeros(void **state)
{
	struct mv_counters_snapshot s;
	uint64_t h[MV_HOURS_KEPT];
	struct mv_event ev[2];

	mv_counters_request(NULL, 1, 200, 0, 10, 1000);
	mv_counters_fetch(NULL, "m", "v", 1, 1000);
	mv_counters_refusal(NULL, "r", "m", "v", 1000);
	mv_counters_upstream(NULL, 5);
	mv_counters_hourly(NULL, 1000, h);
	assert_int_equal(h[MV_HOURS_KEPT - 1], 0);
	assert_int_equal(mv_counters_recent(NULL, false, ev, 2), 0);
	assert_int_equal(mv_counters_hits(NULL), 0);
	mv_counters_snapshot(NULL, &s);
	assert_int_equal(s.fetches, 0);
	mv_counters_close(NULL);
}

/* Counts survive closing, and another opener sees the same file. */
static void
counts_are_shared_and_kept(void **state)
{
	struct mv_counters *a = open_counters(), *b;
	struct mv_counters_snapshot s;

	mv_counters_request(a, 2, 200, MV_COUNTERS_HOW_HIT, 100, 7200);
	mv_counters_request(a, 2, 404, 4, 9, 7200);
	mv_counters_request(a, 5, 200, MV_COUNTERS_HOW_FETCHED, 1000, 7200);
	mv_counters_request(a, 5, 200, MV_COUNTERS_HOW_STALE, 1, 7200);
	mv_counters_request(a, 99, 999, 99, 0, 7200);	/* out of range */
	mv_counters_fetch(a, "example.com/a", "v1.0.0", 4096, 7200);
	b = open_counters();
	mv_counters_close(a);
	mv_counters_snapshot(b, &s);
	assert_int_equal(s.requests[2][2], 1);
	assert_int_equal(s.requests[2][4], 1);
	assert_int_equal(s.requests[5][2], 2);
	assert_int_equal(s.bytes_served, 1110);
	assert_int_equal(s.fetches, 1);
	assert_int_equal(s.fetch_bytes, 4096);
	assert_int_equal(mv_counters_hits(b), 1);
	assert_int_equal(mv_counters_misses(b), 2);
	mv_counters_close(b);
}

/* Fixed buckets, cumulative when read; over 30 s only in +Inf (count). */
static void
latency_histogram(void **state)
{
	struct mv_counters *c = open_counters();
	struct mv_counters_snapshot s;

	mv_counters_upstream(c, 1000);		/* <= 5 ms */
	mv_counters_upstream(c, 5000);		/* <= 5 ms: bounds are inclusive */
	mv_counters_upstream(c, 300000);	/* <= 0.5 s */
	mv_counters_upstream(c, 60000000);	/* only +Inf */
	mv_counters_snapshot(c, &s);
	assert_int_equal(s.upstream_bucket[0], 2);
	assert_int_equal(s.upstream_bucket[5], 2);	/* 0.25 s */
	assert_int_equal(s.upstream_bucket[6], 3);	/* 0.5 s */
	assert_int_equal(s.upstream_bucket[MV_LATENCY_BUCKETS - 1], 3);
	assert_int_equal(s.upstream_count, 4);
	assert_int_equal(s.upstream_sum_us, 60306000);
	mv_counters_close(c);
}

/* Rules get a slot each on first use; past the table, "other". */
static void
refusals_by_rule(void **state)
{
	struct mv_counters *c = open_counters();
	struct mv_counters_snapshot s;
	struct mv_event ev[MV_EVENTS_KEPT];
	char rule[32];
	int i;

	mv_counters_refusal(c, "MZ-3.1", "example.com/a", "v1.0.0", 100);
	mv_counters_refusal(c, "policy", "example.com/b", "v2.0.0", 101);
	mv_counters_refusal(c, "MZ-3.1", "example.com/c", "v3.0.0", 102);
	for (i = 0; i < MV_COUNTERS_RULES; i++) {
		snprintf(rule, sizeof(rule), "R-%d", i);
		mv_counters_refusal(c, rule, "m", "v", 103);
	}
	mv_counters_snapshot(c, &s);
	assert_int_equal(s.nrules, MV_COUNTERS_RULES);
	assert_string_equal(s.rules[0].rule, "MZ-3.1");
	assert_int_equal(s.rules[0].n, 2);
	assert_string_equal(s.rules[1].rule, "policy");
	assert_int_equal(s.rules[1].n, 1);
	assert_int_equal(s.rules_other, 2);	/* */
	assert_int_equal(mv_counters_recent(c, true, ev, MV_EVENTS_KEPT),
	    MV_EVENTS_KEPT);
	assert_string_equal(ev[0].rule, "R-31");
	assert_int_equal(mv_counters_recent(c, false, ev, MV_EVENTS_KEPT), 0);
	mv_counters_close(c);
}

/* Newest first, at most MV_EVENTS_KEPT, long fields cut, not overrun. */
static void
recent_fetches(void **state)
{
	struct mv_counters *c = open_counters();
	struct mv_event ev[MV_EVENTS_KEPT];
	char module[400], version[32];
	int i;

	memset(module, 'm', sizeof(module) - 1);
	module[sizeof(module) - 1] = '\0';
	mv_counters_fetch(c, module, "v0.0.1", 1, 50);
	assert_int_equal(mv_counters_recent(c, false, ev, 1), 1);
	assert_int_equal(strlen(ev[0].module), sizeof(ev[0].module) - 1);
	assert_string_equal(ev[0].rule, "");
	for (i = 0; i < 25; i++) {
		snprintf(version, sizeof(version), "v1.0.%d", i);
		mv_counters_fetch(c, "example.com/m", version, 1, 60 + i);
	}
	assert_int_equal(mv_counters_recent(c, false, ev, MV_EVENTS_KEPT),
	    MV_EVENTS_KEPT);
	assert_string_equal(ev[0].version, "v1.0.24");
	assert_int_equal(ev[0].time, 84);
	assert_string_equal(ev[MV_EVENTS_KEPT - 1].version, "v1.0.5");
	mv_counters_close(c);
}

/* The last 48 hours, oldest first; a slot 48 hours old starts again. */
static void
hourly_rolls_over(void **state)
{
	struct mv_counters *c = open_counters();
	uint64_t h[MV_HOURS_KEPT];
	time_t t0 = 1767225600;	/* 2026-01-01T00:00:00Z */

	mv_counters_request(c, 0, 200, 5, 0, t0 + 10);
	mv_counters_request(c, 0, 200, 5, 0, t0 + 3599);
	mv_counters_request(c, 0, 200, 5, 0, t0 + 3600);
	mv_counters_hourly(c, t0 + 3600, h);
	assert_int_equal(h[MV_HOURS_KEPT - 1], 1);
	assert_int_equal(h[MV_HOURS_KEPT - 2], 2);
	assert_int_equal(h[0], 0);
	mv_counters_hourly(c, t0 + 47 * 3600, h);
	assert_int_equal(h[0], 2);
	assert_int_equal(h[1], 1);
	/* 48 hours on, t0's slot is another hour's: its 2 are gone. */
	mv_counters_request(c, 0, 200, 5, 0, t0 + 48 * 3600);
	mv_counters_hourly(c, t0 + 48 * 3600, h);
	assert_int_equal(h[MV_HOURS_KEPT - 1], 1);
	assert_int_equal(h[0], 1);
	mv_counters_close(c);
}

/* A file of another layout is moved aside and a fresh one made. */
static void
other_layout_is_not_misread(void **state)
{
	struct mv_counters *c;
	char path[128], old[128];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/counters", dir);
	snprintf(old, sizeof(old), "%s/counters.old", dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0);
	assert_int_equal(write(fd, "mvcount\n\x63\0\0\0", 12), 12);
	assert_int_equal(ftruncate(fd, 65536), 0);
	close(fd);
	c = open_counters();
	assert_int_equal(stat(old, &st), 0);
	assert_int_equal(st.st_size, 65536);
	assert_int_equal(mv_counters_hits(c), 0);
	mv_counters_close(c);
}

/* A directory that cannot hold the file: a failure, not a crash. */
static void
unwritable_dir_fails(void **state)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_counters *c = (void *)1;

	assert_fails(mv_counters_open(&c, "/nonexistent/mvtest", &err), &err,
	    MV_EIO);
	assert_null(c);
	assert_non_null(strstr(err.msg, "/nonexistent/mvtest"));
}

#define PROCS	4
#define ROUNDS	50000

/* Processes counting at once lose nothing (atomics, no lock). */
static void
concurrent_processes_sum_exactly(void **state)
{
	struct mv_counters *c;
	struct mv_counters_snapshot s;
	pid_t pid[PROCS];
	int i, j, status;

	c = open_counters();	/* created before the children race */
	for (i = 0; i < PROCS; i++) {
		assert_true((pid[i] = fork()) >= 0);
		if (pid[i] == 0) {
			struct mv_counters *mine;

			if (mv_counters_open(&mine, dir, NULL) == -1)
				_exit(1);
			for (j = 0; j < ROUNDS; j++) {
				mv_counters_request(mine, 3, 200,
				    MV_COUNTERS_HOW_HIT, 2, 7200);
				mv_counters_upstream(mine, 1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	mv_counters_snapshot(c, &s);
	assert_int_equal(s.requests[3][2], PROCS * ROUNDS);
	assert_int_equal(mv_counters_hits(c), PROCS * ROUNDS);
	assert_int_equal(s.bytes_served, 2 * PROCS * ROUNDS);
	assert_int_equal(s.upstream_bucket[0], PROCS * ROUNDS);
	mv_counters_close(c);
}

/*
 * A reader never sees a torn event while another process writes: each
 * event's module and version carry the same number, so a mix of two
 * entries shows.
 */
static void
ring_read_while_written(void **state)
{
	struct mv_counters *c = open_counters();
	struct mv_event ev[MV_EVENTS_KEPT];
	char a[64], b[64];
	size_t n, k;
	unsigned seen = 0;
	pid_t pid;
	int status, i;

	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		struct mv_counters *w;

		if (mv_counters_open(&w, dir, NULL) == -1)
			_exit(1);
		for (i = 0; i < 200000; i++) {
			snprintf(a, sizeof(a), "example.com/m%d", i);
			snprintf(b, sizeof(b), "v1.0.%d", i);
			mv_counters_fetch(w, a, b, 1, i);
		}
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		n = mv_counters_recent(c, false, ev, MV_EVENTS_KEPT);
		for (k = 0; k < n; k++) {
			int m, v;

			assert_int_equal(sscanf(ev[k].module,
			    "example.com/m%d", &m), 1);
			assert_int_equal(sscanf(ev[k].version, "v1.0.%d", &v),
			    1);
			assert_int_equal(m, v);
			assert_int_equal(ev[k].time, m);
			seen++;
		}
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(seen > 0);
	n = mv_counters_recent(c, false, ev, MV_EVENTS_KEPT);
	assert_int_equal(n, MV_EVENTS_KEPT);
	assert_string_equal(ev[0].version, "v1.0.199999");
	mv_counters_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(null_reads_zeros),
		cmocka_unit_test_setup_teardown(counts_are_shared_and_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(latency_histogram, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(refusals_by_rule, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(recent_fetches, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(hourly_rolls_over, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(other_layout_is_not_misread,
		    setup, teardown),
		cmocka_unit_test(unwritable_dir_fails),
		cmocka_unit_test_setup_teardown(
		    concurrent_processes_sum_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(ring_read_while_written,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
