/*
 * test_log.c: the log line's format (RFC 3339 time, pid, level, escaped
 * message) and its destinations: a file appended to, reopened on SIGHUP
 * and after being renamed away, never created by the CLI.
 */
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvtest.h"
#include "modvault/base/log.h"

static char dir[] = "/tmp/mvtest-log-XXXXXX";

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	mv_log_set_level(MV_LOG_DEBUG);
	return 0;
}

static int
teardown(void **state)
{
	struct mv_err err = MV_ERR_INIT;

	(void)state;
	assert_ok(mv_log_open("stderr", false, &err), &err);
	return mvtest_remove_dir(dir);
}

static void
slurp(const char *path, char *out, size_t outsz)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(out, 1, outsz - 1, f);
		fclose(f);
	}
	out[n] = '\0';
}

/* RFC 3339 in UTC with milliseconds, zero-padded, whatever TZ says. */
static void
stamp(void **state)
{
	struct timespec ts = { 1796283662, 123999999 };
	char s[MV_LOG_STAMP_BYTES];

	(void)state;
	setenv("TZ", "America/New_York", 1);
	tzset();
	/* date -u -d @1796283662 +%FT%T: 2026-12-03T07:41:02 */
	mv_log_stamp(&ts, s);
	assert_string_equal(s, "2026-12-03T07:41:02.123Z");
	ts.tv_sec = 0;
	ts.tv_nsec = 7000000;
	mv_log_stamp(&ts, s);
	assert_string_equal(s, "1970-01-01T00:00:00.007Z");
	unsetenv("TZ");
}

/* The line's layout, one per call, the message's control bytes escaped. */
static void
file_lines(void **state)
{
	char path[128], text[4096], want[128];
	struct mv_err err = MV_ERR_INIT;
	const char *p;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.log", dir);
	assert_ok(mv_log_open(path, true, &err), &err);
	mv_log_info("GET /x\n%s", "forged: line\x1b[2J");
	mv_log_debug("second");
	mv_log_set_level(MV_LOG_WARN);
	mv_log_info("not at warn");
	mv_log_set_level(MV_LOG_DEBUG);
	slurp(path, text, sizeof(text));
	/* 2026-12-03T07:41:02.123Z modvault[PID]: info: GET /x\x0a... */
	assert_true(strlen(text) > 25);
	for (p = "dddd-dd-ddTdd:dd:dd.dddZ "; *p != '\0'; p++)
		assert_true(*p == 'd' ? isdigit((unsigned char)
		    text[p - "dddd-dd-ddTdd:dd:dd.dddZ "]) :
		    text[p - "dddd-dd-ddTdd:dd:dd.dddZ "] == *p);
	snprintf(want, sizeof(want), " modvault[%ld]: info: GET /x\\x0a"
	    "forged: line\\x1b[2J\n", (long)getpid());
	assert_memory_equal(text + 24, want, strlen(want));
	snprintf(want, sizeof(want), " modvault[%ld]: debug: second\n",
	    (long)getpid());
	assert_non_null(strstr(text, want));
	assert_null(strstr(text, "not at warn"));
}

static bool
has(const char *path, const char *what)
{
	char text[8192];

	slurp(path, text, sizeof(text));
	return strstr(text, what) != NULL;
}

/* SIGHUP: the next line goes to a new file of the same name. */
static void
reopen_on_sighup(void **state)
{
	char path[128], moved[128];
	struct mv_err err = MV_ERR_INIT;

	(void)state;
	snprintf(path, sizeof(path), "%s/hup.log", dir);
	snprintf(moved, sizeof(moved), "%s/hup.log.1", dir);
	assert_ok(mv_log_open(path, true, &err), &err);
	mv_log_warn("before");
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(raise(SIGHUP), 0);	/* the process lives on */
	mv_log_warn("after");
	assert_true(has(moved, "before"));
	assert_false(has(moved, "after"));
	assert_true(has(path, ": warning: after\n"));
}

/* Renamed away without a signal: noticed within a second. */
static void
reopen_after_rotation(void **state)
{
	char path[128], moved[128];
	struct mv_err err = MV_ERR_INIT;

	(void)state;
	snprintf(path, sizeof(path), "%s/rot.log", dir);
	snprintf(moved, sizeof(moved), "%s/rot.log.1", dir);
	assert_ok(mv_log_open(path, true, &err), &err);
	mv_log_warn("one");
	assert_int_equal(rename(path, moved), 0);
	usleep(1100 * 1000);
	mv_log_warn("two");
	assert_true(has(moved, "one"));
	assert_false(has(moved, "two"));
	assert_true(has(path, "two"));
	/* Removed, not renamed: the same. */
	assert_int_equal(unlink(path), 0);
	usleep(1100 * 1000);
	mv_log_warn("three");
	assert_true(has(path, "three"));
}

/* The CLI never creates the file; a bad path is an error naming it. */
static void
cli_and_bad_paths(void **state)
{
	char path[128];
	struct mv_err err = MV_ERR_INIT;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/cli.log", dir);
	assert_ok(mv_log_open(path, false, &err), &err);
	mv_log_warn("to stderr");
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/no/such/dir.log", dir);
	assert_fails(mv_log_open(path, true, &err), &err, MV_ECONFIG);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "logging to stderr"));
	mv_err_clear(&err);
	assert_fails(mv_log_open("rel.log", true, &err), &err, MV_ECONFIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stamp),
		cmocka_unit_test(file_lines),
		cmocka_unit_test(reopen_on_sighup),
		cmocka_unit_test(reopen_after_rotation),
		cmocka_unit_test(cli_and_bad_paths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
