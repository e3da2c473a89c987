/*
 * test_slots.c: bounded holders across processes (slots.h): n slots and
 * no more, a slot freed when its last descriptor closes, a slot handed to
 * an exec'd child held while the child runs and freed when it exits.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mvtest.h"
#include "modvault/store/slots.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/mvtest-slots-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return mvtest_remove_dir(dir);
}

static unsigned
held(unsigned n)
{
	struct mv_err err = MV_ERR_INIT;
	unsigned h;

	assert_ok(mv_slots_held(dir, "t.lock", n, &h, &err), &err);
	return h;
}

static int
take(unsigned n, int *fd)
{
	struct mv_err err = MV_ERR_INIT;
	int rc = mv_slots_take(dir, "t.lock", n, fd, &err);

	assert_int_not_equal(rc, -1);
	return rc;
}

static void
n_and_no_more(void **state)
{
	int a, b, c;

	(void)state;
	assert_int_equal(held(2), 0);	/* no file yet: none held */
	assert_int_equal(take(2, &a), 1);
	assert_int_equal(take(2, &b), 1);
	assert_int_equal(take(2, &c), 0);
	assert_int_equal(held(2), 2);
	close(a);
	assert_int_equal(held(2), 1);
	assert_int_equal(take(2, &c), 1);
	close(b);
	close(c);
	assert_int_equal(held(2), 0);
}

/* A child given the descriptor across exec holds the slot until it exits,
 * though the parent closed its own copy. */
static void
held_by_an_execd_child(void **state)
{
	int fd, status, p[2];
	pid_t pid;

	(void)state;
	assert_int_equal(take(1, &fd), 1);
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[1]);
		if (dup2(fd, 3) == -1 || dup2(p[0], 0) == -1)
			_exit(2);
		/* The slot on 3, reads stdin until the parent closes it. */
		execl("/bin/sh", "sh", "-c", "read x", (char *)NULL);
		_exit(127);
	}
	close(fd);
	close(p[0]);
	assert_int_equal(held(1), 1);
	assert_int_equal(take(1, &fd), 0);
	close(p[1]);	/* the child ends */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(held(1), 0);
	assert_int_equal(take(1, &fd), 1);
	close(fd);
}

static void
bad_counts(void **state)
{
	struct mv_err err = MV_ERR_INIT;
	unsigned h;
	int fd;

	(void)state;
	assert_fails(mv_slots_take(dir, "t.lock", 0, &fd, &err), &err,
	    MV_EINVAL);
	assert_fails(mv_slots_held(dir, "t.lock", MV_SLOTS_MAX + 1, &h, &err),
	    &err, MV_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(n_and_no_more, setup, teardown),
		cmocka_unit_test_setup_teardown(held_by_an_execd_child, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(bad_counts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
