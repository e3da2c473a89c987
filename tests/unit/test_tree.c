/*
 * test_tree.c: the static tree's names, link targets and verify, on a
 * real store.  Expected names are written out by hand from the GOPROXY
 * protocol's case-encoding, never produced by modvault.
 */
#include "mvtest.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>
#include <time.h>

#include "modvault/store/gc.h"
#include "modvault/store/index.h"
#include "modvault/store/tree.h"

static void
name_of(const char *module, const char *version, enum mv_stree_ext x,
    const char *want)
{
	char out[1024];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_stree_name(module, version, x, out, sizeof(out), &err),
	    &err);
	assert_string_equal(out, want);
}

static void
names_are_the_escaped_url(void **state)
{
	(void)state;
	name_of("example.com/m", "v1.0.0", MV_STREE_ZIP,
	    "example.com/m/@v/v1.0.0.zip");
	name_of("github.com/BurntSushi/toml", "v1.2.0-RC.1", MV_STREE_INFO,
	    "github.com/!burnt!sushi/toml/@v/v1.2.0-!r!c.1.info");
	name_of("example.com/m/v2", "v2.0.0", MV_STREE_MOD,
	    "example.com/m/v2/@v/v2.0.0.mod");
	name_of("example.com/old", "v3.0.0+incompatible", MV_STREE_ZIP,
	    "example.com/old/@v/v3.0.0+incompatible.zip");
}

static void
names_refuse_what_is_not_a_stored_version(void **state)
{
	static const char *const bad[][2] = {
		{ "example.com/m", "v1.0" },		/* not canonical */
		{ "example.com/m", "master" },		/* a query */
		{ "example.com/m", "v1.0.0+meta" },
		{ "example.com/m", "latest" },
		{ "../etc", "v1.0.0" },
		{ "example.com/../m", "v1.0.0" },
		{ "example.com//m", "v1.0.0" },
		{ "/example.com/m", "v1.0.0" },
		{ "example.com/.m", "v1.0.0" },
		{ "example.com/m/v2", "v1.0.0" },	/* major mismatch */
		{ "example.com/m", "v1.0.0/../../x" },
	};
	char out[1024];
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mv_err_clear(&err);
		assert_fails(mv_stree_name(bad[i][0], bad[i][1], MV_STREE_ZIP,
		    out, sizeof(out), &err), &err, MV_EINVAL);
	}
}

static void
parse_takes_only_exact_names(void **state)
{
	static const char *const bad[] = {
		"example.com/m/@v/list",
		"example.com/m/@latest",
		"example.com/m/@v/.tmp.1.2",
		"example.com/m/@v/v1.0.0.txt",
		"example.com/m/@v/v1.0.0",
		"example.com/M/@v/v1.0.0.zip",		/* not case-encoded */
		"example.com/m/@v/v1.0.0-RC.zip",
		"../m/@v/v1.0.0.zip",
		"example.com/./m/@v/v1.0.0.zip",
		"example.com//m/@v/v1.0.0.zip",
		"example.com/m/@v/v1.0.zip",
		"example.com/m/@v/x/v1.0.0.zip",
		"example.com/m/@v/v1.0.0.zip/@v/v1.0.0.zip",
		"static-tree.state",
	};
	char module[MV_MODPATH_MAX_BYTES + 1];
	char version[MV_VERSION_MAX_BYTES + 1];
	struct mv_err err = MV_ERR_INIT;
	enum mv_stree_ext x;
	size_t i;

	(void)state;
	assert_ok(mv_stree_parse("github.com/!burnt!sushi/toml/@v/"
	    "v1.2.0-!r!c.1.mod", module, version, &x, &err), &err);
	assert_string_equal(module, "github.com/BurntSushi/toml");
	assert_string_equal(version, "v1.2.0-RC.1");
	assert_int_equal(x, MV_STREE_MOD);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mv_err_clear(&err);
		if (mv_stree_parse(bad[i], module, version, &x, &err) == 0)
			fail_msg("\"%s\" taken as %s@%s", bad[i], module,
			    version);
		assert_int_equal(err.code, MV_EINVAL);
	}
}

static void
rel(const char *from, const char *to, const char *want)
{
	char out[1024];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_stree_relpath(from, to, out, sizeof(out), &err), &err);
	assert_string_equal(out, want);
}

static void
targets_are_relative(void **state)
{
	(void)state;
	rel("/srv/tree/example.com/m/@v", "/var/data/blobs/ab/cd/abcd",
	    "../../../../../var/data/blobs/ab/cd/abcd");
	rel("/var/data/tree/m/@v", "/var/data/blobs/ab/cd/x",
	    "../../../blobs/ab/cd/x");
	/* A shared prefix that is not a whole element is not common. */
	rel("/var/dat/m/@v", "/var/data/blobs/x", "../../../data/blobs/x");
	rel("/var/data", "/var/data/blobs/x", "blobs/x");
	rel("/", "/x/y", "x/y");
}

static void next_second(void);

/* A store with a tree, and two versions whose blobs are made up. */
struct fx {
	char		 dir[64], data[96], tree[96];
	struct mv_config cfg;
	struct mv_store	*st;
	struct mv_version v[2];
};

static void
open_store(struct fx *f, const char *policy)
{
	struct mv_err err = MV_ERR_INIT;
	char text[512];

	snprintf(text, sizeof(text), "data_dir = %s\nstatic_tree = %s\n%s",
	    f->data, f->tree, policy);
	assert_ok(mv_config_parse(&f->cfg, "test.conf", text, strlen(text),
	    &err), &err);
	assert_ok(mv_store_open_config(&f->cfg, MV_STORE_CREATE, &f->st, &err),
	    &err);
}

static void
add_version(struct fx *f, struct mv_version *v, const char *module,
    const char *version)
{
	struct mv_err err = MV_ERR_INIT;
	enum mv_ingest_outcome oc;
	char text[256];

	memset(v, 0, sizeof(*v));
	snprintf(v->module, sizeof(v->module), "%s", module);
	snprintf(v->version, sizeof(v->version), "%s", version);
	snprintf(text, sizeof(text), "{\"Version\":\"%s\"}", version);
	assert_ok(mv_blob_put_mem(mv_store_blobs(f->st),
	    mv_store_stage(f->st), text, strlen(text), &v->info, &err), &err);
	snprintf(text, sizeof(text), "module %s\n", module);
	assert_ok(mv_blob_put_mem(mv_store_blobs(f->st),
	    mv_store_stage(f->st), text, strlen(text), &v->mod, &err), &err);
	snprintf(text, sizeof(text), "zip of %s@%s", module, version);
	assert_ok(mv_blob_put_mem(mv_store_blobs(f->st),
	    mv_store_stage(f->st), text, strlen(text), &v->zip, &err), &err);
	assert_ok(mv_store_insert(f->st, v, &oc, &err), &err);
	assert_int_equal(oc, MV_INGEST_STORED);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/mvtest-tree.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->data, sizeof(f->data), "%s/data", f->dir);
	snprintf(f->tree, sizeof(f->tree), "%s/tree", f->dir);
	open_store(f, "");
	add_version(f, &f->v[0], "example.com/Up/m", "v1.0.0");
	add_version(f, &f->v[1], "example.com/other", "v0.1.0");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	mv_store_close(f->st);
	assert_int_equal(mvtest_remove_dir(f->dir), 0);
	free(f);
	return 0;
}

/* The problems verify reported, one "BASENAME: PROBLEM" line each. */
static char seen[1024];

static void
note(void *ctx, const char *path, const char *problem)
{
	const char *base = strrchr(path, '/') + 1;

	(void)ctx;
	snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s: %s\n",
	    base, problem);
}

static void
verify(struct fx *f, enum mv_stree_mode mode, struct mv_stree_report *rep)
{
	struct mv_err err = MV_ERR_INIT;

	seen[0] = '\0';
	assert_ok(mv_store_tree_verify(f->st, mode, note, NULL, rep, &err),
	    &err);
}

static void
tree_file(const struct fx *f, const char *name, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s", f->tree, name);
}

static void
insert_links_and_remove_drops(void **state)
{
	struct fx *f = *state;
	struct mv_err err = MV_ERR_INIT;
	char path[256], target[256];
	ssize_t n;

	tree_file(f, "example.com/!up/m/@v/v1.0.0.zip", path, sizeof(path));
	assert_true((n = readlink(path, target, sizeof(target) - 1)) > 0);
	target[n] = '\0';
	/* From tree/example.com/!up/m/@v up to the test directory. */
	assert_memory_equal(target, "../../../../../data/blobs/", 26);
	assert_ok(mv_store_remove(f->st, "example.com/Up/m", "v1.0.0", &err),
	    &err);
	assert_int_equal(access(path, F_OK), -1);
	/* Its directories went with it; the other module's stayed. */
	tree_file(f, "example.com/!up", path, sizeof(path));
	assert_int_equal(access(path, F_OK), -1);
	tree_file(f, "example.com/other/@v/v0.1.0.mod", path, sizeof(path));
	assert_int_equal(access(path, F_OK), 0);
}

static void
verify_reports_and_repairs(void **state)
{
	struct fx *f = *state;
	struct mv_stree_report rep;
	char path[256];

	verify(f, MV_STREE_CHECK, &rep);
	assert_string_equal(seen, "");
	assert_int_equal(rep.versions, 2);
	assert_int_equal(rep.links, 6);
	/* A removed link, a planted list, a link to another blob. */
	tree_file(f, "example.com/other/@v/v0.1.0.info", path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	tree_file(f, "example.com/other/@v/list", path, sizeof(path));
	assert_int_equal(symlink("v0.1.0.mod", path), 0);
	tree_file(f, "example.com/other/@v/v0.1.0.zip", path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("v0.1.0.mod", path), 0);
	verify(f, MV_STREE_CHECK, &rep);
	assert_int_equal(rep.missing, 1);
	assert_int_equal(rep.extra, 1);
	assert_int_equal(rep.wrong, 1);
	assert_non_null(strstr(seen, "v0.1.0.info: missing\n"));
	assert_non_null(strstr(seen, "v0.1.0.zip: wrong target\n"));
	assert_non_null(strstr(seen, "list: extra\n"));
	verify(f, MV_STREE_REPAIR, &rep);
	assert_int_equal(rep.fixed, 3);
	verify(f, MV_STREE_CHECK, &rep);
	assert_string_equal(seen, "");
	assert_int_equal(rep.missing + rep.extra + rep.wrong, 0);
}

static void
a_new_deny_line_prunes_on_open(void **state)
{
	struct fx *f = *state;
	struct mv_stree_report rep;
	char path[256];

	mv_store_close(f->st);
	open_store(f, "deny = example.com/other\n");
	tree_file(f, "example.com/other/@v/v0.1.0.zip", path, sizeof(path));
	assert_int_equal(access(path, F_OK), -1);
	tree_file(f, "example.com/!up/m/@v/v1.0.0.zip", path, sizeof(path));
	assert_int_equal(access(path, F_OK), 0);
	verify(f, MV_STREE_CHECK, &rep);
	assert_string_equal(seen, "");
	assert_int_equal(rep.links, 3);
	/* A denied version's link put back by hand is extra. */
	tree_file(f, "example.com/other", path, sizeof(path));
	assert_int_equal(mkdir(path, 0777), 0);
	strcat(path, "/@v");
	assert_int_equal(mkdir(path, 0777), 0);
	strcat(path, "/v0.1.0.mod");
	assert_int_equal(symlink("x", path), 0);
	verify(f, MV_STREE_CHECK, &rep);
	assert_int_equal(rep.extra, 1);
	assert_string_equal(seen, "v0.1.0.mod: extra\n");
}

/*
 * A process started under the old lines (a responder) links nothing once
 * another has opened the store under new ones: not the version they now
 * deny, which it still allows, and which no later prune would remove.
 */
static void
an_older_process_links_nothing_after_a_new_deny_line(void **state)
{
	struct fx *f = *state, g;
	char path[256];

	tree_file(f, "example.com/other/@v/v0.1.0.zip", path, sizeof(path));
	g = *f;
	open_store(&g, "deny = example.com/other\n");
	assert_int_equal(access(path, F_OK), -1);
	/* f->st still allows it: a hit, a second later, links nothing. */
	next_second();
	mv_store_tree_hit(f->st, &f->v[1]);
	assert_int_equal(access(path, F_OK), -1);
	/* A process under the new lines links what they allow. */
	tree_file(f, "example.com/!up/m/@v/v1.0.0.zip", path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	mv_store_tree_hit(g.st, &f->v[0]);
	assert_int_equal(access(path, F_OK), 0);
	mv_store_close(g.st);
}

static void
rebuild_writes_every_link(void **state)
{
	struct fx *f = *state;
	struct mv_stree_report rep;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", f->tree);
	assert_int_equal(system(cmd), 0);
	verify(f, MV_STREE_REBUILD, &rep);
	assert_int_equal(rep.fixed, 6);
	verify(f, MV_STREE_CHECK, &rep);
	assert_string_equal(seen, "");
	assert_int_equal(rep.links, 6);
}

/* Waits for the next second of CLOCK_MONOTONIC (tree_seen.c's unit). */
static void
next_second(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		usleep(20000);
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while (b.tv_sec == a.tv_sec);
}

static void
a_hit_writes_missing_links_once_a_second(void **state)
{
	struct fx *f = *state;
	struct mv_err err = MV_ERR_INIT;
	char info[256], zip[256];

	tree_file(f, "example.com/other/@v/v0.1.0.info", info, sizeof(info));
	tree_file(f, "example.com/other/@v/v0.1.0.zip", zip, sizeof(zip));
	/* A tree missing a file (a failed write, a hand's rm): a hit. */
	assert_int_equal(unlink(zip), 0);
	next_second();
	mv_store_tree_hit(f->st, &f->v[1]);
	assert_int_equal(access(zip, F_OK), 0);
	/* Removed again within the second: that hit's look still holds... */
	assert_int_equal(unlink(zip), 0);
	mv_store_tree_hit(f->st, &f->v[1]);
	assert_int_equal(access(zip, F_OK), -1);
	/* ...until the next second, when a hit looks and writes it. */
	next_second();
	mv_store_tree_hit(f->st, &f->v[1]);
	assert_int_equal(access(zip, F_OK), 0);
	/* Links this process removes are not remembered as there. */
	assert_ok(mv_store_tree_drop(f->st, "example.com/other", "v0.1.0",
	    &err), &err);
	assert_int_equal(access(info, F_OK), -1);
	mv_store_tree_hit(f->st, &f->v[1]);
	assert_int_equal(access(info, F_OK), 0);
	assert_int_equal(access(zip, F_OK), 0);
}

static void
a_directory_that_is_not_a_tree_is_refused(void **state)
{
	struct fx *f = *state;
	struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;
	struct mv_store *st;
	char text[512];

	/* data_dir itself: repairs would remove the index and the blobs. */
	snprintf(text, sizeof(text), "data_dir = %s\nstatic_tree = %s\n",
	    f->data, f->data);
	assert_ok(mv_config_parse(&cfg, "test.conf", text, strlen(text),
	    &err), &err);
	assert_fails(mv_store_open_config(&cfg, 0, &st, &err), &err,
	    MV_ECONFIG);
	assert_non_null(strstr(err.msg, "not a static tree"));
}

/* Sets the access and modification times of the blob behind a link. */
static void
set_times(const struct fx *f, const char *name, time_t atime, time_t mtime)
{
	struct timespec ts[2] = { { atime, 0 }, { mtime, 0 } };
	char path[256];

	tree_file(f, name, path, sizeof(path));
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static time_t
atime_of(const struct fx *f, const char *name)
{
	char path[256];
	struct stat sb;

	tree_file(f, name, path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	return sb.st_atime;
}

static void
gc_counts_a_read_through_the_tree_as_a_serve(void **state)
{
	struct fx *f = *state;
	struct mv_gc_opts o = { .max_bytes = true, .now = time(NULL) };
	struct mv_gc_report rep;
	struct mv_err err = MV_ERR_INIT;
	struct mv_version v;
	time_t now = time(NULL);
	int i;

	/* Neither was ever served by modvault; the web server read Up/m's
	 * zip (relatime moved its access time past its modification). */
	set_times(f, "example.com/!up/m/@v/v1.0.0.zip", now - 10, now - 1000);
	for (i = 0; i < 2; i++)
		o.bytes += f->v[i].info.size + f->v[i].mod.size +
		    f->v[i].zip.size;
	o.bytes--;	/* room for one version only */
	assert_ok(mv_store_gc(f->st, &o, &rep, &err), &err);
	assert_int_equal(rep.evicted, 1);
	assert_ok(mv_store_get(f->st, "example.com/Up/m", "v1.0.0", &v, &err),
	    &err);
	assert_fails(mv_store_get(f->st, "example.com/other", "v0.1.0", &v,
	    &err), &err, MV_ENOTFOUND);
}

static void
modvault_reads_leave_the_access_time(void **state)
{
	struct fx *f = *state;
	const char *zip = "example.com/!up/m/@v/v1.0.0.zip";
	struct mv_err err = MV_ERR_INIT;
	time_t old = time(NULL) - 5000;

	/* relatime would update an access time not past the modification. */
	set_times(f, zip, old, old);
	assert_ok(mv_blob_verify(mv_store_blobs(f->st), &f->v[0].zip, &err),
	    &err);
	assert_int_equal(atime_of(f, zip), old);
	assert_int_equal(mv_store_tree_last_read(f->st, &f->v[0]), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_are_the_escaped_url),
		cmocka_unit_test(names_refuse_what_is_not_a_stored_version),
		cmocka_unit_test(parse_takes_only_exact_names),
		cmocka_unit_test(targets_are_relative),
		cmocka_unit_test_setup_teardown(insert_links_and_remove_drops,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(verify_reports_and_repairs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_new_deny_line_prunes_on_open,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(rebuild_writes_every_link,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    an_older_process_links_nothing_after_a_new_deny_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    gc_counts_a_read_through_the_tree_as_a_serve, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    modvault_reads_leave_the_access_time, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_directory_that_is_not_a_tree_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_hit_writes_missing_links_once_a_second, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
