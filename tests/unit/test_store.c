/* test_store.c: staging, blobs, the index, migrations and ingest, on real files. */
#include "mvtest.h"
#include "mvtest_fixtures.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "modvault/store/blob.h"
#include "modvault/store/cache.h"
#include "modvault/store/check.h"
#include "modvault/store/claim.h"
#include "modvault/store/gc.h"
#include "modvault/store/index.h"
#include "modvault/store/ingest.h"
#include "modvault/store/ingest_batch.h"
#include "modvault/store/stage.h"
#include "../../src/lib/store/schema.h"

/* Test modules (tests/modgen): one without a go.mod, one with. */
#define NOGOMOD	"modvault.test/nogomod"
#define BASIC	"modvault.test/basic"

struct fx {
	char		 dir[64];	/* the test's temporary directory */
	char		 data[96];	/* dir/data: the store */
	struct mv_store	*st;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mv_err err = MV_ERR_INIT;

	snprintf(f->dir, sizeof(f->dir), "/tmp/mvtest-store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->data, sizeof(f->data), "%s/data", f->dir);
	assert_ok(mv_store_open(f->data, MV_STORE_CREATE, &f->st, &err), &err);
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

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

/* The fixture file of module (escaped) at version with extension ext. */
static void
fixture(char *out, size_t outsz, const char *esc, const char *v,
    const char *ext)
{
	snprintf(out, outsz, "%s/upstream/%s/@v/%s.%s", mvtest_fixtures(), esc,
	    v, ext);
}

/* The h1 go.sum records for "module version" (read, not transcribed). */
static void
gosum(const char *module, const char *version, char out[MV_H1_LEN + 1])
{
	char path[512], line[512], want[300];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/go.sum", mvtest_fixtures());
	snprintf(want, sizeof(want), "%s %s h1:", module, version);
	assert_non_null(fp = fopen(path, "r"));
	out[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, want, strlen(want)) == 0)
			snprintf(out, MV_H1_LEN + 1, "%s",
			    line + strlen(want) - 3);
	fclose(fp);
	assert_int_equal(strlen(out), MV_H1_LEN);
}

struct files {
	char	info[512], mod[512], zip[512];
};

static void
fixture_files(struct files *fl, const char *esc, const char *v)
{
	fixture(fl->info, sizeof(fl->info), esc, v, "info");
	fixture(fl->mod, sizeof(fl->mod), esc, v, "mod");
	fixture(fl->zip, sizeof(fl->zip), esc, v, "zip");
}

static int
count_blob(void *ctx, const struct mv_blobref *ref)
{
	(*(int *)ctx)++;
	return 0;
}

static int
count_version(void *ctx, const struct mv_version *v)
{
	(*(int *)ctx)++;
	return 0;
}

static int
nblobs(struct mv_store *st)
{
	struct mv_err err = MV_ERR_INIT;
	int n = 0;

	assert_ok(mv_blob_iterate(mv_store_blobs(st), count_blob, &n, &err),
	    &err);
	return n;
}

static int
nversions(struct mv_store *st, const char *pattern)
{
	struct mv_err err = MV_ERR_INIT;
	int n = 0;

	assert_ok(mv_store_each(st, pattern, count_version, &n, &err), &err);
	return n;
}

/* Files in dir whose names start with prefix. */
static int
nfiles(const char *dir, const char *prefix)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^%s' || true", dir,
	    prefix);
	assert_non_null(p = popen(cmd, "r"));
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* The three files staged (copied into the store's staging area). */
struct staged {
	struct mv_staged	*info, *mod, *zip;
};

static int
stage_files(struct mv_store *st, const struct files *fl, struct staged *s,
    struct mv_err *err)
{
	struct mv_stage *sg = mv_store_stage(st);

	memset(s, 0, sizeof(*s));
	return mv_stage_copy_file(sg, fl->info, ".info", 1 << 20, &s->info,
	    err) == -1 || mv_stage_copy_file(sg, fl->mod, ".mod", 32 << 20,
	    &s->mod, err) == -1 || mv_stage_copy_file(sg, fl->zip, ".zip",
	    600 << 20, &s->zip, err) == -1 ? -1 : 0;
}

static void
staged_discard(struct staged *s)
{
	mv_staged_discard(s->info);
	mv_staged_discard(s->mod);
	mv_staged_discard(s->zip);
}

static int
ingest_hook(struct mv_store *st, const char *module, const char *version,
    const struct files *fl, int (*verify)(void *, const struct mv_version *,
    struct mv_err *), void *ctx, enum mv_ingest_outcome *out,
    struct mv_err *err)
{
	struct mv_zip_limits lim;
	struct staged s;
	struct mv_ingest in;
	int rc;

	mv_zip_limits_default(&lim);
	if (stage_files(st, fl, &s, err) == -1) {
		staged_discard(&s);
		return -1;
	}
	in = (struct mv_ingest){ .module = module, .version = version,
	    .info = s.info, .mod = s.mod, .zip = s.zip, .origin = "test",
	    .verify = verify, .verify_ctx = ctx };
	rc = mv_store_ingest(st, &in, &lim, out, err);
	staged_discard(&s);
	return rc;
}

static int
ingest(struct mv_store *st, const char *module, const char *version,
    const struct files *fl, enum mv_ingest_outcome *out, struct mv_err *err)
{
	return ingest_hook(st, module, version, fl, NULL, NULL, out, err);
}

/* --- staging and blobs ---------------------------------------------------- */

static void
blob_put_dedupe_read_remove(void **state)
{
	struct fx *f = *state;
	struct mv_blobstore *bs = mv_store_blobs(f->st);
	struct mv_stage *sg = mv_store_stage(f->st);
	struct mv_blob_reader *r;
	struct mv_blobref a, b, c;
	struct mv_delivery d;
	struct mv_err err = MV_ERR_INIT;
	char buf[16], tmp[128];
	uint64_t size;
	size_t n;

	assert_ok(mv_blob_put_mem(bs, sg, "hello", 5, &a, &err), &err);
	assert_ok(mv_blob_put_mem(bs, sg, "hello", 5, &b, &err), &err);
	assert_ok(mv_blob_put_mem(bs, sg, "world!", 6, &c, &err), &err);
	assert_memory_equal(a.digest, b.digest, MV_SHA256_LEN);
	assert_int_equal(a.size, 5);
	assert_int_equal(nblobs(f->st), 2);	/* identical bytes once */
	/* The delivery hint: the blob's own file, named by its SHA-256. */
	assert_ok(mv_blob_delivery(bs, a.digest, &d, &err), &err);
	assert_int_equal(d.kind, MV_DELIVER_LOCAL_FILE);
	assert_non_null(strstr(d.where, "/blobs/2c/f2/2cf24dba5fb0a30e26e83b2ac5"
	    "b9e29e1b161e5c1fa7425e73043362938b9824"));
	assert_ok(mv_blob_open(bs, a.digest, &r, &err), &err);
	assert_int_equal(mv_blob_reader_size(r), 5);
	assert_ok(mv_blob_pread(r, buf, sizeof(buf), 1, &n, &err), &err);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "ello", 4);
	assert_ok(mv_blob_read(r, buf, 2, &n, &err), &err);
	assert_memory_equal(buf, "he", 2);
	assert_ok(mv_blob_read(r, buf, sizeof(buf), &n, &err), &err);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "llo", 3);
	assert_ok(mv_blob_read(r, buf, sizeof(buf), &n, &err), &err);
	assert_int_equal(n, 0);
	mv_blob_close(r);
	assert_ok(mv_blob_remove(bs, a.digest, &err), &err);
	assert_fails(mv_blob_stat(bs, a.digest, &size, &err), &err,
	    MV_ENOTFOUND);
	assert_fails(mv_blob_open(bs, a.digest, &r, &err), &err, MV_ENOTFOUND);
	assert_fails(mv_blob_remove(bs, a.digest, &err), &err, MV_ENOTFOUND);
	assert_int_equal(nblobs(f->st), 1);
	/* Removed at once; its bytes wait in the staging area for reclaim. */
	snprintf(tmp, sizeof(tmp), "%s/tmp", f->data);
	assert_int_equal(nfiles(tmp, "removed-"), 1);
	mv_blob_reclaim(bs);
	assert_int_equal(nfiles(tmp, "removed-"), 0);
	/* Nothing was left in the staging area. */
	assert_int_equal(nfiles(tmp, "stage-"), 0);
}

/* An ingest records its blobs' check times in one transaction. */
static void
blobs_checked_in_one_go(void **state)
{
	struct fx *f = *state;
	struct mv_blobstore *bs = mv_store_blobs(f->st);
	struct mv_stage *sg = mv_store_stage(f->st);
	struct mv_blobref a, b, c;
	const unsigned char *two[2];
	struct mv_err err = MV_ERR_INIT;
	int64_t at;

	assert_ok(mv_blob_put_mem(bs, sg, "one", 3, &a, &err), &err);
	assert_ok(mv_blob_put_mem(bs, sg, "two", 3, &b, &err), &err);
	assert_ok(mv_blob_put_mem(bs, sg, "three", 5, &c, &err), &err);
	two[0] = a.digest;
	two[1] = b.digest;
	assert_ok(mv_store_blobs_checked(f->st, two, 0, 99, &err), &err);
	assert_ok(mv_store_blob_last_checked(f->st, a.digest, &at, &err), &err);
	assert_int_equal(at, 0);
	assert_ok(mv_store_blobs_checked(f->st, two, 2, 1234, &err), &err);
	assert_ok(mv_store_blob_last_checked(f->st, a.digest, &at, &err), &err);
	assert_int_equal(at, 1234);
	assert_ok(mv_store_blob_last_checked(f->st, b.digest, &at, &err), &err);
	assert_int_equal(at, 1234);
	assert_ok(mv_store_blob_last_checked(f->st, c.digest, &at, &err), &err);
	assert_int_equal(at, 0);
}

/* MV-5: every blob is world-readable and read-only, whoever wrote it. */
static void
staged_files_are_blob_mode(void **state)
{
	struct fx *f = *state;
	struct mv_blobstore *bs = mv_store_blobs(f->st);
	struct mv_staged *sf;
	struct mv_blobref ref;
	struct mv_delivery d;
	struct mv_err err = MV_ERR_INIT;
	struct stat sb;
	mode_t old = umask(077);

	assert_ok(mv_stage_file(mv_store_stage(f->st), &sf, &err), &err);
	umask(old);
	assert_ok(mv_staged_write(sf, "abc", 3, &err), &err);
	assert_ok(mv_blob_put_staged(bs, sf, NULL, &ref, NULL, &err), &err);
	mv_staged_discard(sf);
	assert_ok(mv_blob_delivery(bs, ref.digest, &d, &err), &err);
	assert_int_equal(stat(d.where, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0444);
}

/* A staged file whose creator died is removed; a live one is kept. */
static void
stage_clean_removes_only_the_dead(void **state)
{
	struct fx *f = *state;
	struct mv_stage *sg = mv_store_stage(f->st);
	struct mv_staged *live;
	struct mv_err err = MV_ERR_INIT;
	struct timeval old[2] = { { 1000, 0 }, { 1000, 0 } };
	char tmp[128], cmd[256];
	uint64_t removed;
	pid_t pid;
	int status;

	snprintf(tmp, sizeof(tmp), "%s/tmp", f->data);
	if ((pid = fork()) == 0) {
		struct mv_staged *dead;

		if (mv_stage_file(sg, &dead, &err) == -1 ||
		    mv_staged_write(dead, "x", 1, &err) == -1)
			_exit(1);
		raise(SIGKILL);		/* as a crash would */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_ok(mv_stage_file(sg, &live, &err), &err);
	assert_int_equal(nfiles(tmp, "stage-"), 2);
	/* Young files are left alone (the instant before their lock). */
	assert_ok(mv_stage_clean(sg, &removed, &err), &err);
	assert_int_equal(removed, 0);
	snprintf(cmd, sizeof(cmd), "touch -d @1000 '%s'/stage-*", tmp);
	assert_int_equal(system(cmd), 0);
	(void)old;
	assert_ok(mv_stage_clean(sg, &removed, &err), &err);
	assert_int_equal(removed, 1);
	assert_int_equal(nfiles(tmp, "stage-"), 1);
	assert_ok(mv_staged_write(live, "still mine", 10, &err), &err);
	mv_staged_discard(live);
	assert_int_equal(nfiles(tmp, "stage-"), 0);
}

/* An import source is a regular file: never a link, never a FIFO. */
static void
stage_copy_refuses_links_and_fifos(void **state)
{
	struct fx *f = *state;
	struct mv_stage *sg = mv_store_stage(f->st);
	struct mv_staged *sf = NULL;
	struct mv_err err = MV_ERR_INIT;
	char reg[128], link[128], fifo[128];
	struct mv_buf b;

	snprintf(reg, sizeof(reg), "%s/reg", f->dir);
	snprintf(link, sizeof(link), "%s/link", f->dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", f->dir);
	write_file(reg, "bytes", 5);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_fails(mv_stage_copy_file(sg, link, ".zip", 100, &sf, &err),
	    &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "symbolic link"));
	/* Opened without blocking, then refused for its type. */
	assert_fails(mv_stage_copy_file(sg, fifo, ".zip", 100, &sf, &err),
	    &err, MV_EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_fails(mv_stage_copy_file(sg, reg, ".zip", 4, &sf, &err), &err,
	    MV_ELIMIT);
	assert_ok(mv_stage_copy_file(sg, reg, ".zip", 5, &sf, &err), &err);
	mv_buf_init(&b, 100);
	assert_ok(mv_staged_read(sf, ".zip", 100, &b, &err), &err);
	assert_string_equal(mv_buf_str(&b), "bytes");
	mv_buf_free(&b);
	mv_staged_discard(sf);
}

/* --- claims --------------------------------------------------------------- */

/*
 * Waits (at most 10 s) until /proc/locks shows process pid blocked in
 * flock ("N: -> FLOCK  ADVISORY  WRITE PID ..."): other tests running at
 * the same time may have blocked locks of their own.
 */
static void
wait_for_a_blocked_flock(pid_t pid)
{
	char line[256], *p;
	int i, found = 0;
	long who;
	FILE *fp;

	for (i = 0; i < 1000 && !found; i++) {
		assert_non_null(fp = fopen("/proc/locks", "r"));
		while (fgets(line, sizeof(line), fp) != NULL)
			if ((p = strstr(line, "-> FLOCK")) != NULL &&
			    sscanf(p, "-> FLOCK %*s %*s %ld", &who) == 1 &&
			    who == (long)pid)
				found = 1;
		fclose(fp);
		if (!found)
			usleep(10000);
	}
	assert_true(found);
}

/*
 * A waiter wakes when the holder releases (no polling), and a holder
 * killed with SIGKILL leaves a claim the next process takes at once.
 */
static void
claims_wait_and_survive_a_killed_holder(void **state)
{
	struct fx *f = *state;
	struct mv_stage *sg = mv_store_stage(f->st);
	struct mv_err err = MV_ERR_INIT;
	struct mv_claim *c;
	int ready[2], go[2], status;
	pid_t pid, holder;
	bool waited;
	char b;

	assert_ok(mv_claim_take(sg, BASIC, "v1.0.0", 5, &c, &waited, &err),
	    &err);
	assert_false(waited);
	/* A second process waits, and times out while we hold it. */
	if ((pid = fork()) == 0) {
		struct mv_claim *c2;

		_exit(mv_claim_take(sg, BASIC, "v1.0.0", 1, &c2, &waited,
		    &err) == -1 && err.code == MV_ETIMEOUT && waited ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Another version is not held up by it. */
	if ((pid = fork()) == 0) {
		struct mv_claim *c2;

		_exit(mv_claim_take(sg, BASIC, "v1.1.0", 1, &c2, &waited,
		    &err) == 0 && !waited ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	mv_claim_release(c);
	/*
	 * A waiter gets it once the holder lets go.  The holder is a child
	 * of its own: a lock goes with the open file, which fork shares.
	 */
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	if ((holder = fork()) == 0) {
		if (mv_claim_take(sg, BASIC, "v1.0.0", 5, &c, NULL, &err) == -1 ||
		    write(ready[1], "h", 1) != 1 || read(go[0], &b, 1) != 1)
			_exit(1);
		mv_claim_release(c);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &b, 1), 1);
	if ((pid = fork()) == 0) {
		struct mv_claim *c2;

		_exit(mv_claim_take(sg, BASIC, "v1.0.0", 30, &c2, &waited,
		    &err) == 0 && waited ? 0 : 1);
	}
	wait_for_a_blocked_flock(pid);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(holder, &status, 0), holder);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* A holder that dies holding it: taken over without waiting. */
	if ((pid = fork()) == 0) {
		struct mv_claim *c2;

		if (mv_claim_take(sg, BASIC, "v1.0.0", 5, &c2, NULL, &err) == 0)
			raise(SIGKILL);
		_exit(1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_ok(mv_claim_take(sg, BASIC, "v1.0.0", 5, &c, &waited, &err),
	    &err);
	assert_false(waited);
	mv_claim_release(c);
}

/* --- open and migrations -------------------------------------------------- */

static void
open_missing_store_fails(void **state)
{
	struct fx *f = *state;
	struct mv_store *st;
	char dir[128];
	struct mv_err err = MV_ERR_INIT;

	snprintf(dir, sizeof(dir), "%s/nothing", f->dir);
	assert_fails(mv_store_open(dir, 0, &st, &err), &err, MV_ENOTFOUND);
	assert_non_null(strstr(err.msg, "run 'modvault init'"));
	assert_fails(mv_store_open(dir, MV_STORE_READONLY, &st, &err), &err,
	    MV_ENOTFOUND);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_fails(mv_store_open(dir, 0, &st, &err), &err, MV_ENOTFOUND);
	assert_non_null(strstr(err.msg, "run 'modvault init'"));
}

/*
 * One store, however data_dir is spelt: through a symbolic link, with a
 * trailing '/', relative.  Blobs adopted from the staging area land in
 * it either way.
 */
static void
store_through_symlink_and_relative_path(void **state)
{
	struct fx *f = *state;
	const char *names[3];
	char link[128], slash[128], cwd[512];
	enum mv_ingest_outcome out;
	struct mv_store *st;
	struct files fl;
	struct mv_err err = MV_ERR_INIT;
	int i;

	snprintf(link, sizeof(link), "%s/via-link", f->dir);
	snprintf(slash, sizeof(slash), "%s/", f->data);
	assert_int_equal(symlink(f->data, link), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	names[0] = link;
	names[1] = slash;
	names[2] = "data";
	fixture_files(&fl, NOGOMOD, "v1.0.0");
	for (i = 0; i < 3; i++) {
		assert_ok(mv_store_open(names[i], 0, &st, &err), &err);
		assert_string_equal(mv_store_dir(st), mv_store_dir(f->st));
		assert_ok(ingest(st, NOGOMOD, "v1.0.0", &fl, &out, &err), &err);
		mv_store_close(st);
	}
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(nversions(f->st, NULL), 1);
	assert_int_equal(nblobs(f->st), 4);	/* 3 files, 1 manifest */
}

/* A version-1 index with one row, as the 001 migration alone leaves it. */
static void
make_v1_store(const char *dir)
{
	char path[160];
	sqlite3 *db;
	struct mv_err err = MV_ERR_INIT;
	const char *row = "INSERT INTO version (module, version, time, "
	    "info_blob, info_size, mod_blob, mod_size, zip_blob, zip_size, "
	    "zip_h1, mod_h1, origin, fetched_at) VALUES ('example.com/m', "
	    "'v1.0.0', '2020-01-01T00:00:00Z', printf('%064d', 1), 1, "
	    "printf('%064d', 2), 2, printf('%064d', 3), 3, 'h1:z', 'h1:m', "
	    "'old', 1600000000)";

	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/blobs", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/index.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_ok(mv_schema_migrate(db, 1, &err), &err);
	assert_int_equal(sqlite3_exec(db, row, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int
schema_version(const char *dir)
{
	char path[160];
	sqlite3 *db;
	struct mv_err err = MV_ERR_INIT;
	int v = -1;

	snprintf(path, sizeof(path), "%s/index.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_ok(mv_schema_version(db, &v, &err), &err);
	sqlite3_close(db);
	return v;
}

/*
 * Only init migrates: the responder's open (flags 0) and a read-only one
 * refuse an old index and leave it as it was; init then upgrades it with
 * its rows.
 */
static void
migration_only_by_init(void **state)
{
	struct fx *f = *state;
	struct mv_store *st;
	struct mv_version v;
	char dir[128];
	struct mv_err err = MV_ERR_INIT;

	snprintf(dir, sizeof(dir), "%s/v1", f->dir);
	make_v1_store(dir);
	assert_int_equal(schema_version(dir), 1);
	assert_fails(mv_store_open(dir, 0, &st, &err), &err, MV_EUNAVAIL);
	assert_non_null(strstr(err.msg, "store needs upgrading"));
	assert_non_null(strstr(err.msg, "run 'modvault init'"));
	assert_int_equal(schema_version(dir), 1);
	assert_fails(mv_store_open(dir, MV_STORE_READONLY, &st, &err), &err,
	    MV_EUNAVAIL);
	assert_int_equal(schema_version(dir), 1);
	assert_ok(mv_store_open(dir, MV_STORE_CREATE, &st, &err), &err);
	assert_int_equal(schema_version(dir), MV_SCHEMA_VERSION);
	/* The row survived, with the new column at its default. */
	assert_ok(mv_store_get(st, "example.com/m", "v1.0.0", &v, &err), &err);
	assert_string_equal(v.origin, "old");
	assert_string_equal(v.zip_h1, "h1:z");
	assert_int_equal(v.zip.size, 3);
	assert_int_equal(v.fetched_at, 1600000000);
	assert_int_equal(v.last_served, 0);
	assert_ok(mv_store_touch(st, "example.com/m", "v1.0.0", 1700000000,
	    &err), &err);
	assert_ok(mv_store_get(st, "example.com/m", "v1.0.0", &v, &err), &err);
	assert_int_equal(v.last_served, 1700000000);
	mv_store_close(st);
	assert_ok(mv_store_open(dir, 0, &st, &err), &err);
	assert_int_equal(nversions(st, NULL), 1);
	mv_store_close(st);
}

static void
newer_schema_is_refused(void **state)
{
	struct fx *f = *state;
	struct mv_store *st;
	char path[160];
	sqlite3 *db;
	struct mv_err err = MV_ERR_INIT;

	snprintf(path, sizeof(path), "%s/index.db", f->data);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_fails(mv_store_open(f->data, 0, &st, &err), &err, MV_EUNAVAIL);
	assert_non_null(strstr(err.msg, "newer modvault"));
	assert_fails(mv_store_open(f->data, MV_STORE_CREATE, &st, &err), &err,
	    MV_EINVAL);
}

static void
foreign_or_empty_database_is_refused(void **state)
{
	struct fx *f = *state;
	struct mv_store *st;
	char dir[128], path[160];
	sqlite3 *db;
	struct mv_err err = MV_ERR_INIT;

	snprintf(dir, sizeof(dir), "%s/other", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/index.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x); PRAGMA "
	    "user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_fails(mv_store_open(dir, 0, &st, &err), &err, MV_ECORRUPT);
	assert_fails(mv_store_open(dir, MV_STORE_CREATE, &st, &err), &err,
	    MV_ECORRUPT);
	/* A 0-byte index.db is not silently an empty store. */
	write_file(path, "", 0);
	assert_fails(mv_store_open(dir, 0, &st, &err), &err, MV_ECORRUPT);
	assert_non_null(strstr(err.msg, "empty"));
}

/* --- ingest --------------------------------------------------------------- */

static void
ingest_good_then_present(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	char h1[MV_H1_LEN + 1], *info;
	struct mv_version v;
	struct files fl;
	struct mv_err err = MV_ERR_INIT;
	size_t n;

	/* No go.mod in the zip: the .mod is the synthesized one (MZ-9.1). */
	fixture_files(&fl, NOGOMOD, "v1.0.0");
	assert_ok(ingest(f->st, NOGOMOD, "v1.0.0", &fl, &out, &err), &err);
	assert_int_equal(out, MV_INGEST_STORED);
	assert_ok(mv_store_get(f->st, NOGOMOD, "v1.0.0", &v, &err), &err);
	/* The hashes go.sum holds for it (H-2, H-3). */
	gosum(NOGOMOD, "v1.0.0", h1);
	assert_string_equal(v.zip_h1, h1);
	gosum(NOGOMOD, "v1.0.0/go.mod", h1);
	assert_string_equal(v.mod_h1, h1);
	/* The .info Time, kept as given. */
	info = (char *)mvtest_slurp(fl.info, &n);
	assert_non_null(strstr(info, v.time));
	assert_true(strlen(v.time) > 0);
	free(info);
	assert_string_equal(v.origin, "test");
	assert_int_equal(v.last_served, 0);
	assert_int_equal(nblobs(f->st), 4);	/* 3 files, 1 manifest */
	assert_ok(ingest(f->st, NOGOMOD, "v1.0.0", &fl, &out, &err), &err);
	assert_int_equal(out, MV_INGEST_PRESENT);
	assert_int_equal(nblobs(f->st), 4);
	/* A zip with a go.mod whose bytes equal the .mod (MZ-9.2). */
	fixture_files(&fl, BASIC, "v1.0.0");
	assert_ok(ingest(f->st, BASIC, "v1.0.0", &fl, &out, &err), &err);
	assert_int_equal(out, MV_INGEST_STORED);
	assert_int_equal(nversions(f->st, NULL), 2);
	assert_int_equal(nversions(f->st, BASIC), 1);
	assert_int_equal(nversions(f->st, "example.com"), 0);
}

/* What a batch reported, in order: "stored M", "present M", "refused M C". */
struct reports {
	char	line[8][256];
	int	n;
};

static void
note_report(void *ctx, void *item, const char *module, const char *version,
    int rc, enum mv_ingest_outcome oc, const struct mv_err *why)
{
	struct reports *r = ctx;

	assert_true(r->n < 8);
	assert_ptr_equal(item, &r->line[r->n]);
	snprintf(r->line[r->n++], sizeof(r->line[0]), rc == -1 ?
	    "refused %s@%s %d" : oc == MV_INGEST_STORED ? "stored %s@%s" :
	    "present %s@%s", module, version, (int)why->code);
}

/* Stages fl for module@version and adds it to b (item: its report). */
static void
batch_add(struct mv_store *st, struct mv_ingest_batch *b, const char *module,
    const char *version, const struct files *fl, struct reports *r, int slot)
{
	struct mv_err err = MV_ERR_INIT;
	struct staged s;
	struct mv_ingest in;

	assert_ok(stage_files(st, fl, &s, &err), &err);
	in = (struct mv_ingest){ .module = module, .version = version,
	    .info = s.info, .mod = s.mod, .zip = s.zip, .origin = "test" };
	mv_ingest_batch_add(b, &in, &r->line[slot]);
	/* The batch took the staged files. */
	assert_null(in.info);
	assert_null(in.mod);
	assert_null(in.zip);
}

static void
ingest_batch_stores_together_in_order(void **state)
{
	struct fx *f = *state;
	struct mv_zip_limits lim;
	struct mv_ingest_batch *b;
	struct reports r = { .n = 0 };
	struct mv_err err = MV_ERR_INIT, why = MV_ERR_INIT;
	struct mv_version v;
	struct files fl, fb;
	char tmp[128];
	int64_t at;

	mv_zip_limits_default(&lim);
	fixture_files(&fl, NOGOMOD, "v1.0.0");
	fixture_files(&fb, BASIC, "v1.0.0");
	assert_ok(mv_ingest_batch_new(f->st, &lim, note_report, &r, &b, &err),
	    &err);
	batch_add(f->st, b, NOGOMOD, "v1.0.0", &fl, &r, 0);
	/* nogomod's zip under basic's name: MZ-1.3, refused by name. */
	batch_add(f->st, b, BASIC, "v1.0.0", &fl, &r, 1);
	mv_fail(&why, MV_EINVAL, "denied by a policy");
	mv_ingest_batch_refuse(b, "example.com/x", "v1.0.0", &why, &r.line[2]);
	batch_add(f->st, b, BASIC, "v1.0.0", &fb, &r, 3);
	/* Nothing stored, nothing reported until the flush. */
	assert_int_equal(r.n, 0);
	assert_int_equal(nversions(f->st, NULL), 0);
	assert_int_equal(nblobs(f->st), 0);
	snprintf(tmp, sizeof(tmp), "%s/tmp", f->data);
	assert_int_equal(nfiles(tmp, "stage-"), 8);
	mv_ingest_batch_flush(b);
	assert_int_equal(r.n, 4);
	/* MV_ECORRUPT and MV_EINVAL, as err.h numbers them. */
	assert_string_equal(r.line[0], "stored " NOGOMOD "@v1.0.0");
	assert_string_equal(r.line[1], "refused " BASIC "@v1.0.0 7");
	assert_string_equal(r.line[2], "refused example.com/x@v1.0.0 1");
	assert_string_equal(r.line[3], "stored " BASIC "@v1.0.0");
	assert_int_equal(nversions(f->st, NULL), 2);
	assert_int_equal(nblobs(f->st), 8);	/* 3 files, 1 manifest each */
	assert_int_equal(nfiles(tmp, "stage-"), 0);
	/* The new blobs' check times, committed with the rows. */
	assert_ok(mv_store_get(f->st, BASIC, "v1.0.0", &v, &err), &err);
	assert_ok(mv_store_blob_last_checked(f->st, v.zip.digest, &at, &err),
	    &err);
	assert_int_equal(at, v.fetched_at);
	assert_ok(mv_store_blob_last_checked(f->st, v.manifest.digest, &at,
	    &err), &err);
	assert_int_equal(at, v.fetched_at);
	/* Stored already: present, reported at the next flush (free's). */
	r.n = 0;
	batch_add(f->st, b, NOGOMOD, "v1.0.0", &fl, &r, 0);
	mv_ingest_batch_free(b);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.line[0], "present " NOGOMOD "@v1.0.0");
	assert_int_equal(nblobs(f->st), 8);
}

/* Ingests with one file replaced by bytes; expects code, nothing stored. */
static void
refuse(struct fx *f, const char *module, const char *esc, const char *version,
    const char *which, const char *bytes, enum mv_code code, const char *rule)
{
	enum mv_ingest_outcome out;
	struct files fl;
	char path[160];
	struct mv_err err = MV_ERR_INIT;
	int blobs = nblobs(f->st), versions = nversions(f->st, NULL);

	fixture_files(&fl, esc, version);
	if (which != NULL) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, which);
		write_file(path, bytes, strlen(bytes));
		snprintf(strcmp(which, "info") == 0 ? fl.info :
		    strcmp(which, "mod") == 0 ? fl.mod : fl.zip,
		    sizeof(fl.info), "%s", path);
	}
	assert_fails(ingest(f->st, module, version, &fl, &out, &err), &err, code);
	if (rule != NULL && strstr(err.msg, rule) == NULL)
		fail_msg("message \"%s\" does not cite %s", err.msg, rule);
	assert_int_equal(nblobs(f->st), blobs);
	assert_int_equal(nversions(f->st, NULL), versions);
}

static void
ingest_refusals_store_nothing(void **state)
{
	struct fx *f = *state;

	/* GP-11.1.1: Version must equal the requested canonical version. */
	refuse(f, NOGOMOD, NOGOMOD, "v1.0.0", "info",
	    "{\"Version\":\"v1.0.1\",\"Time\":\"2018-01-13T18:08:13Z\"}",
	    MV_EINVAL, "GP-11.1");
	/* GP-11.1.1: the .info must be valid JSON. */
	refuse(f, NOGOMOD, NOGOMOD, "v1.0.0", "info", "{\"Version\":\"v1.0.0\"",
	    MV_EINVAL, "GP-11.1");
	refuse(f, NOGOMOD, NOGOMOD, "v1.0.0", "info", "{\"Version\":\"v1.0.0\"} x",
	    MV_EINVAL, "GP-11.1");
	refuse(f, NOGOMOD, NOGOMOD, "v1.0.0", "info", "[\"v1.0.0\"]", MV_EINVAL,
	    "GP-11.1");
	refuse(f, NOGOMOD, NOGOMOD, "v1.0.0", "info", "{\"Version\":v1.0.0}", MV_EINVAL,
	    "GP-11.1");
	refuse(f, NOGOMOD, NOGOMOD, "v1.0.0", "info", "{\"Time\":\"x\"}", MV_EINVAL,
	    "GP-11.1");
	/* MZ-9.1 / GP-5.3.2: no go.mod in the zip, .mod must be synthesized. */
	refuse(f, NOGOMOD, NOGOMOD, "v1.0.0", "mod", "module modvault.test/nogomod\n\n",
	    MV_ECORRUPT, "MZ-9.1");
	/* MZ-9.2 / GP-11.1.4: .mod must equal the zip's go.mod. */
	refuse(f, BASIC, BASIC, "v1.0.0", "mod", "module modvault.test/basic\n",
	    MV_ECORRUPT, "MZ-9.2");
	/* MZ-5 via mv_zip_check: not a zip at all. */
	refuse(f, NOGOMOD, NOGOMOD, "v1.0.0", "zip", "PK not really", MV_ECORRUPT, NULL);
}

static void
ingest_refuses_noncanonical_and_wrong_module(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	struct files fl;
	struct mv_err err = MV_ERR_INIT;

	fixture_files(&fl, NOGOMOD, "v1.0.0");
	assert_fails(ingest(f->st, NOGOMOD, "v1.0", &fl, &out, &err), &err,
	    MV_EINVAL);
	assert_fails(ingest(f->st, "not a path", "v1.0.0", &fl, &out, &err),
	    &err, MV_EINVAL);
	/* The zip's entries are for nogomod, not basic (MZ-1.3 prefix). */
	assert_fails(ingest(f->st, BASIC, "v1.0.0", &fl, &out, &err), &err,
	    MV_ECORRUPT);
	assert_int_equal(nblobs(f->st), 0);
}

/* GP-5.3.5: a .mod over 16 MiB is refused before it is read. */
static void
ingest_refuses_huge_mod(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	struct files fl;
	char path[160];
	struct mv_err err = MV_ERR_INIT;
	int fd;

	fixture_files(&fl, NOGOMOD, "v1.0.0");
	snprintf(path, sizeof(path), "%s/huge.mod", f->dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0644)) >= 0);
	assert_int_equal(ftruncate(fd, (16 << 20) + 1), 0);
	close(fd);
	snprintf(fl.mod, sizeof(fl.mod), "%s", path);
	assert_fails(ingest(f->st, NOGOMOD, "v1.0.0", &fl, &out, &err), &err,
	    MV_ELIMIT);
	assert_int_equal(nblobs(f->st), 0);
}

/* GP-5.2.6: names match without regard to case; escapes are decoded. */
static void
ingest_info_json_forms(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	struct mv_version v;
	struct files fl;
	char path[160];
	struct mv_err err = MV_ERR_INIT;
	const char *info = " {\"Origin\":{\"VCS\":\"git\",\"N\":[1,-2.5e3,true,"
	    "null]},\"version\":\"v1.0.\\u0030\",\"Time\":\"2018\\/01\"}\n";

	fixture_files(&fl, NOGOMOD, "v1.0.0");
	snprintf(path, sizeof(path), "%s/x.info", f->dir);
	write_file(path, info, strlen(info));
	snprintf(fl.info, sizeof(fl.info), "%s", path);
	assert_ok(ingest(f->st, NOGOMOD, "v1.0.0", &fl, &out, &err), &err);
	assert_ok(mv_store_get(f->st, NOGOMOD, "v1.0.0", &v, &err), &err);
	assert_string_equal(v.time, "2018/01");
}

/*
 * The two ends of a rendezvous: each process says it has arrived, then
 * waits for the other, so both are past ingest's "already stored?" look
 * before either writes.
 */
struct meet {
	int	mine[2], theirs[2];
};

static int
meet_in_verify(void *ctx, const struct mv_version *v, struct mv_err *err)
{
	struct meet *m = ctx;
	char b;

	(void)v;
	if (write(m->mine[1], "x", 1) != 1 || read(m->theirs[0], &b, 1) != 1)
		return mv_fail(err, MV_EIO, "rendezvous failed");
	return 0;
}

/*
 * Two processes store the same version at the same moment (both have
 * validated it and found it absent): one row, one copy of each blob, one
 * of them told it was already there.
 */
static void
concurrent_ingest_stores_once(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	struct mv_store *st;
	struct files fl;
	struct mv_err err = MV_ERR_INIT;
	int a[2], b[2], i, status, stored = 0;
	struct meet m[2];
	pid_t pid[2];

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	m[0] = (struct meet){ { a[0], a[1] }, { b[0], b[1] } };
	m[1] = (struct meet){ { b[0], b[1] }, { a[0], a[1] } };
	fixture_files(&fl, BASIC, "v1.0.0");
	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) == 0) {
			if (mv_store_open(f->data, 0, &st, &err) == -1 ||
			    ingest_hook(st, BASIC, "v1.0.0", &fl,
			    meet_in_verify, &m[i], &out, &err) == -1)
				_exit(2);
			mv_store_close(st);
			_exit(out == MV_INGEST_STORED ? 0 : 1);
		}
		assert_true(pid[i] > 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) < 2);
		stored += WEXITSTATUS(status) == 0;
	}
	assert_int_equal(stored, 1);
	assert_int_equal(nversions(f->st, NULL), 1);
	assert_int_equal(nblobs(f->st), 4);	/* 3 files, 1 manifest */
}

/* --- touch, remove, evict, gc --------------------------------------------- */

static void
touch_writes_at_most_daily(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	struct mv_version v;
	struct mv_store *ro;
	struct files fl;
	struct mv_err err = MV_ERR_INIT;
	int64_t t = 1700000000;

	fixture_files(&fl, NOGOMOD, "v1.0.0");
	assert_ok(ingest(f->st, NOGOMOD, "v1.0.0", &fl, &out, &err), &err);
	assert_ok(mv_store_touch(f->st, NOGOMOD, "v1.0.0", t, &err), &err);
	assert_ok(mv_store_get(f->st, NOGOMOD, "v1.0.0", &v, &err), &err);
	assert_int_equal(v.last_served, t);
	assert_ok(mv_store_touch(f->st, NOGOMOD, "v1.0.0", t + 3600, &err), &err);
	assert_ok(mv_store_get(f->st, NOGOMOD, "v1.0.0", &v, &err), &err);
	assert_int_equal(v.last_served, t);
	/*
	 * Proof that a fresh touch does not write: it works on a read-only
	 * handle, while a stale one (which must write) fails there.
	 */
	assert_ok(mv_store_open(f->data, MV_STORE_READONLY, &ro, &err), &err);
	assert_ok(mv_store_touch(ro, NOGOMOD, "v1.0.0", t + 7200, &err), &err);
	assert_fails(mv_store_touch(ro, NOGOMOD, "v1.0.0", t + 90000, &err), &err,
	    MV_EIO);
	mv_store_close(ro);
	assert_ok(mv_store_touch(f->st, NOGOMOD, "v1.0.0", t + 90000, &err), &err);
	assert_ok(mv_store_get(f->st, NOGOMOD, "v1.0.0", &v, &err), &err);
	assert_int_equal(v.last_served, t + 90000);
	assert_fails(mv_store_touch(f->st, NOGOMOD, "v9.9.9", t, &err), &err,
	    MV_ENOTFOUND);
	assert_ok(mv_store_ping(f->st, &err), &err);
}

static void
remove_gc_and_evict(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	struct mv_blobref orphan;
	struct mv_version v;
	struct files fl;
	struct mv_err err = MV_ERR_INIT;
	uint64_t n, bytes, freed;

	fixture_files(&fl, NOGOMOD, "v1.0.0");
	assert_ok(ingest(f->st, NOGOMOD, "v1.0.0", &fl, &out, &err), &err);
	fixture_files(&fl, BASIC, "v1.0.0");
	assert_ok(ingest(f->st, BASIC, "v1.0.0", &fl, &out, &err), &err);
	assert_ok(mv_blob_put_mem(mv_store_blobs(f->st), mv_store_stage(f->st),
	    "orphan", 6, &orphan, &err), &err);
	assert_int_equal(nblobs(f->st), 9);	/* 2 manifests */
	assert_ok(mv_store_gc_blobs(f->st, &n, &bytes, &err), &err);
	assert_int_equal(n, 1);
	assert_int_equal(bytes, 6);
	assert_ok(mv_store_remove(f->st, NOGOMOD, "v1.0.0", &err), &err);
	assert_fails(mv_store_remove(f->st, NOGOMOD, "v1.0.0", &err), &err,
	    MV_ENOTFOUND);
	assert_fails(mv_store_get(f->st, NOGOMOD, "v1.0.0", &v, &err), &err,
	    MV_ENOTFOUND);
	assert_int_equal(nblobs(f->st), 8);	/* rm leaves blobs to gc */
	assert_ok(mv_store_gc_blobs(f->st, &n, NULL, &err), &err);
	assert_int_equal(n, 4);
	assert_ok(mv_store_get(f->st, BASIC, "v1.0.0", &v, &err), &err);
	assert_ok(mv_store_evict(f->st, BASIC, "v1.0.0", &freed, &err), &err);
	assert_int_equal(freed, v.info.size + v.mod.size + v.zip.size +
	    v.manifest.size);
	assert_int_equal(nblobs(f->st), 0);
	/* A row is never committed for a blob that is gone. */
	assert_fails(mv_store_insert(f->st, &v, &out, &err), &err,
	    MV_ENOTFOUND);
	assert_int_equal(nversions(f->st, NULL), 0);
}

/* --- list and negative cache -------------------------------------------- */

static void
list_and_negative(void **state)
{
	struct fx *f = *state;
	struct mv_buf b = MV_BUF_BOUNDED(16u << 20);
	char reason[32];
	struct mv_err err = MV_ERR_INIT;
	int64_t at;
	bool absent;

	assert_fails(mv_store_list_get(f->st, NOGOMOD, &b, &at, &err), &err,
	    MV_ENOTFOUND);
	assert_ok(mv_store_list_put(f->st, NOGOMOD, "v1.0.0\nv1.1.1\n", 14,
	    100, &err), &err);
	assert_ok(mv_store_list_put(f->st, NOGOMOD, "v1.1.1\n", 7, 200, &err),
	    &err);
	assert_ok(mv_store_list_get(f->st, NOGOMOD, &b, &at, &err), &err);
	assert_string_equal(mv_buf_str(&b), "v1.1.1\n");
	assert_int_equal(at, 200);
	mv_buf_free(&b);

	assert_ok(mv_store_negative_put(f->st, NOGOMOD, "v9.0.0", "410 gone",
	    900, 1000, &err), &err);
	assert_ok(mv_store_negative_get(f->st, NOGOMOD, "v9.0.0", 999, &absent,
	    reason, sizeof(reason), &err), &err);
	assert_true(absent);
	assert_string_equal(reason, "410 gone");
	assert_ok(mv_store_negative_get(f->st, NOGOMOD, "v9.0.0", 1000,
	    &absent, NULL, 0, &err), &err);
	assert_false(absent);	/* expired */
	assert_ok(mv_store_negative_sweep(f->st, 1000, &err), &err);
}

static int64_t
count_negative(struct fx *f)
{
	char path[160];
	sqlite3_stmt *s;
	sqlite3 *db;
	int64_t n;

	snprintf(path, sizeof(path), "%s/index.db", f->data);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM negative",
	    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/*
 * Bogus names cannot grow the index without bound: each remembered "not
 * found" drops the expired ones and keeps at most MV_NEGATIVE_MAX_ENTRIES.
 */
static void
negative_cache_is_bounded(void **state)
{
	struct fx *f = *state;
	char path[160], sql[256];
	struct mv_err err = MV_ERR_INIT;
	bool absent;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/index.db", f->data);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < %d) INSERT INTO negative (module, "
	    "version, reason, expires_at) SELECT 'example.com/m' || i, '', "
	    "'x', 5000 + i FROM n", MV_NEGATIVE_MAX_ENTRIES + 10);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO negative VALUES "
	    "('example.com/old', '', 'x', 50)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(count_negative(f), MV_NEGATIVE_MAX_ENTRIES + 11);
	assert_ok(mv_store_negative_put(f->st, "example.com/new", "v1.0.0",
	    "unknown", 100, 1000000000, &err), &err);
	assert_int_equal(count_negative(f), MV_NEGATIVE_MAX_ENTRIES);
	assert_ok(mv_store_negative_get(f->st, "example.com/new", "v1.0.0", 100,
	    &absent, NULL, 0, &err), &err);
	assert_true(absent);
	/* The expired one went, and then those that expire soonest. */
	assert_ok(mv_store_negative_get(f->st, "example.com/m5", "", 1,
	    &absent, NULL, 0, &err), &err);
	assert_false(absent);
	assert_ok(mv_store_negative_get(f->st, "example.com/m100000", "", 1,
	    &absent, NULL, 0, &err), &err);
	assert_true(absent);
}

/* gc: unreferenced blobs and stray staged files go, live ones stay. */
static void
gc_collects_blobs_and_staging(void **state)
{
	struct fx *f = *state;
	struct mv_gc_opts o = { .now = 2000000000 };
	enum mv_ingest_outcome out;
	struct mv_gc_report rep;
	struct mv_blobref orphan;
	struct mv_staged *live;
	struct files fl;
	struct mv_err err = MV_ERR_INIT;
	char cmd[512];

	fixture_files(&fl, NOGOMOD, "v1.0.0");
	assert_ok(ingest(f->st, NOGOMOD, "v1.0.0", &fl, &out, &err), &err);
	assert_ok(mv_blob_put_mem(mv_store_blobs(f->st), mv_store_stage(f->st),
	    "orphan", 6, &orphan, &err), &err);
	assert_ok(mv_stage_file(mv_store_stage(f->st), &live, &err), &err);
	snprintf(cmd, sizeof(cmd), "touch -d @1000 '%s'/tmp/stage-* && "
	    "cp -p '%s'/tmp/stage-* '%s'/tmp/stage-dead", f->data, f->data,
	    f->data);
	assert_int_equal(system(cmd), 0);
	assert_ok(mv_store_gc(f->st, &o, &rep, &err), &err);
	assert_int_equal(rep.blobs_removed, 1);
	assert_int_equal(rep.blob_bytes_removed, 6);
	assert_int_equal(rep.staged_removed, 1);
	assert_int_equal(rep.evicted, 0);
	assert_int_equal(nblobs(f->st), 4);
	/* Evict down to nothing: least recently used first. */
	o.max_bytes = true;
	o.bytes = 0;
	assert_ok(mv_store_gc(f->st, &o, &rep, &err), &err);
	assert_int_equal(rep.evicted, 1);
	assert_int_equal(rep.blob_bytes, 0);
	assert_int_equal(nblobs(f->st), 0);
	mv_staged_discard(live);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(blob_put_dedupe_read_remove,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(blobs_checked_in_one_go,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(staged_files_are_blob_mode,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    stage_clean_removes_only_the_dead, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    stage_copy_refuses_links_and_fifos, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    claims_wait_and_survive_a_killed_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(open_missing_store_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    store_through_symlink_and_relative_path, setup, teardown),
		cmocka_unit_test_setup_teardown(migration_only_by_init,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    foreign_or_empty_database_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(ingest_good_then_present,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(ingest_refusals_store_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    ingest_batch_stores_together_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    ingest_refuses_noncanonical_and_wrong_module, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(ingest_refuses_huge_mod,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(ingest_info_json_forms,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_ingest_stores_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(touch_writes_at_most_daily,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(remove_gc_and_evict,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(list_and_negative,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(negative_cache_is_bounded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(gc_collects_blobs_and_staging,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
