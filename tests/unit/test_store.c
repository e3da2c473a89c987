/* test_store.c: blobs, the index, migrations and ingest, on real files. */
#include "mvtest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "modvault/store/index.h"
#include "../../src/lib/store/schema.h"

#define PTY	"github.com/kr/pty"
#define PRETTY	"github.com/kr/pretty"

struct fx {
	char		 dir[64];	/* the test's temporary directory */
	char		 data[96];	/* dir/data: the store */
	struct mv_store	*st;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mv_err err;

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
	char cmd[128];

	mv_store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
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
	struct mv_blobstore *bs = mv_store_blobs(st);
	struct mv_err err;
	int n = 0;

	assert_ok(bs->ops->iterate(bs, count_blob, &n, &err), &err);
	return n;
}

static int
nversions(struct mv_store *st, const char *pattern)
{
	struct mv_err err;
	int n = 0;

	assert_ok(mv_store_each(st, pattern, count_version, &n, &err), &err);
	return n;
}

static int
ingest(struct mv_store *st, const char *module, const char *version,
    const struct files *fl, enum mv_ingest_outcome *out, struct mv_err *err)
{
	struct mv_ingest in = { module, version, fl->info, fl->mod, fl->zip,
	    "test", NULL, NULL, NULL };
	struct mv_zip_limits lim;

	mv_zip_limits_default(&lim);
	return mv_store_ingest(st, &in, &lim, out, err);
}

/* --- blobs ---------------------------------------------------------------- */

static void
blob_put_dedupe_open_remove(void **state)
{
	struct fx *f = *state;
	struct mv_blobstore *bs = mv_store_blobs(f->st);
	struct mv_blobref a, b, c;
	char path[4096], buf[16];
	uint64_t size;
	struct mv_err err;
	int fd;

	assert_ok(mv_blob_put_mem(bs, "hello", 5, &a, &err), &err);
	assert_ok(mv_blob_put_mem(bs, "hello", 5, &b, &err), &err);
	assert_ok(mv_blob_put_mem(bs, "world!", 6, &c, &err), &err);
	assert_memory_equal(a.digest, b.digest, MV_SHA256_LEN);
	assert_int_equal(a.size, 5);
	assert_int_equal(nblobs(f->st), 2);	/* identical bytes once */
	/* The name is the SHA-256, fanned out as ab/cd/abcd... */
	assert_ok(bs->ops->local_path(bs, a.digest, path, sizeof(path), &err),
	    &err);
	assert_non_null(strstr(path, "/blobs/2c/f2/2cf24dba5fb0a30e26e83b2ac5b9e29e"
	    "1b161e5c1fa7425e73043362938b9824"));
	assert_ok(bs->ops->open(bs, a.digest, &fd, &size, &err), &err);
	assert_int_equal(size, 5);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	close(fd);
	assert_ok(bs->ops->remove(bs, a.digest, &err), &err);
	assert_fails(bs->ops->stat(bs, a.digest, &size, &err), &err,
	    MV_ENOTFOUND);
	assert_fails(bs->ops->open(bs, a.digest, &fd, &size, &err), &err,
	    MV_ENOTFOUND);
	assert_int_equal(nblobs(f->st), 1);
}

static void
blob_abort_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct mv_blobstore *bs = mv_store_blobs(f->st);
	struct mv_blob_writer *w;
	char tmp[160];
	struct mv_err err;

	assert_ok(bs->ops->writer_open(bs, &w, &err), &err);
	assert_ok(mv_blob_write(w, "partial", 7, &err), &err);
	bs->ops->writer_abort(w);
	assert_int_equal(nblobs(f->st), 0);
	snprintf(tmp, sizeof(tmp), "rmdir '%s/tmp'", f->data);
	assert_int_equal(system(tmp), 0);	/* empty: no temp file left */
}

/* --- open and migrations -------------------------------------------------- */

static void
open_missing_store_fails(void **state)
{
	struct fx *f = *state;
	struct mv_store *st;
	char dir[128];
	struct mv_err err;

	snprintf(dir, sizeof(dir), "%s/nothing", f->dir);
	assert_fails(mv_store_open(dir, 0, &st, &err), &err, MV_ENOTFOUND);
	assert_fails(mv_store_open(dir, MV_STORE_READONLY, &st, &err), &err,
	    MV_ENOTFOUND);
}

/* A version-1 index with one row, as the 001 migration alone leaves it. */
static void
make_v1_store(const char *dir)
{
	char path[160];
	sqlite3 *db;
	struct mv_err err;
	const char *row = "INSERT INTO version (module, version, time, "
	    "info_blob, info_size, mod_blob, mod_size, zip_blob, zip_size, "
	    "zip_h1, mod_h1, origin, fetched_at) VALUES ('example.com/m', "
	    "'v1.0.0', '2020-01-01T00:00:00Z', printf('%064d', 1), 1, "
	    "printf('%064d', 2), 2, printf('%064d', 3), 3, 'h1:z', 'h1:m', "
	    "'old', 1600000000)";

	assert_int_equal(mkdir(dir, 0755), 0);
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
	struct mv_err err;
	int v = -1;

	snprintf(path, sizeof(path), "%s/index.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_ok(mv_schema_version(db, &v, &err), &err);
	sqlite3_close(db);
	return v;
}

static void
migration_v1_to_v2_keeps_rows(void **state)
{
	struct fx *f = *state;
	struct mv_store *st;
	struct mv_version v;
	char dir[128];
	struct mv_err err;

	snprintf(dir, sizeof(dir), "%s/v1", f->dir);
	make_v1_store(dir);
	assert_int_equal(schema_version(dir), 1);
	/* The web path opens read-only and must not migrate. */
	assert_fails(mv_store_open(dir, MV_STORE_READONLY, &st, &err), &err,
	    MV_EINVAL);
	assert_non_null(strstr(err.msg, "run 'modvault init'"));
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
	/* Opening again is a no-op migration. */
	assert_ok(mv_store_open(dir, MV_STORE_READONLY, &st, &err), &err);
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
	struct mv_err err;

	snprintf(path, sizeof(path), "%s/index.db", f->data);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_fails(mv_store_open(f->data, 0, &st, &err), &err, MV_EINVAL);
}

static void
foreign_database_is_refused(void **state)
{
	struct fx *f = *state;
	struct mv_store *st;
	char dir[128], path[160];
	sqlite3 *db;
	struct mv_err err;

	snprintf(dir, sizeof(dir), "%s/other", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/index.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x); PRAGMA "
	    "user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_fails(mv_store_open(dir, 0, &st, &err), &err, MV_ECORRUPT);
}

/* --- ingest --------------------------------------------------------------- */

static void
ingest_good_then_present(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	char h1[MV_H1_LEN + 1];
	struct mv_version v;
	struct files fl;
	struct mv_err err;

	/* No go.mod in the zip: the .mod is the synthesized one (MZ-9.1). */
	fixture_files(&fl, PTY, "v1.1.1");
	assert_ok(ingest(f->st, PTY, "v1.1.1", &fl, &out, &err), &err);
	assert_int_equal(out, MV_INGEST_STORED);
	assert_ok(mv_store_get(f->st, PTY, "v1.1.1", &v, &err), &err);
	/* The hashes go.sum holds for it (H-2, H-3). */
	gosum(PTY, "v1.1.1", h1);
	assert_string_equal(v.zip_h1, h1);
	gosum(PTY, "v1.1.1/go.mod", h1);
	assert_string_equal(v.mod_h1, h1);
	assert_string_equal(v.time, "2018-01-13T18:08:13Z");
	assert_string_equal(v.origin, "test");
	assert_int_equal(v.last_served, 0);
	assert_int_equal(nblobs(f->st), 3);
	assert_ok(ingest(f->st, PTY, "v1.1.1", &fl, &out, &err), &err);
	assert_int_equal(out, MV_INGEST_PRESENT);
	assert_int_equal(nblobs(f->st), 3);
	/* A zip with a go.mod whose bytes equal the .mod (MZ-9.2). */
	fixture_files(&fl, PRETTY, "v0.1.0");
	assert_ok(ingest(f->st, PRETTY, "v0.1.0", &fl, &out, &err), &err);
	assert_int_equal(out, MV_INGEST_STORED);
	assert_int_equal(nversions(f->st, NULL), 2);
	assert_int_equal(nversions(f->st, "github.com/kr/pretty"), 1);
	assert_int_equal(nversions(f->st, "example.com"), 0);
}

/* Ingests with one file replaced by bytes; expects code, nothing stored. */
static void
refuse(struct fx *f, const char *module, const char *esc, const char *version,
    const char *which, const char *bytes, enum mv_code code, const char *rule)
{
	enum mv_ingest_outcome out;
	struct files fl;
	char path[160];
	struct mv_err err;
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
	refuse(f, PTY, PTY, "v1.1.1", "info",
	    "{\"Version\":\"v1.1.2\",\"Time\":\"2018-01-13T18:08:13Z\"}",
	    MV_EINVAL, "GP-11.1");
	/* GP-11.1.1: the .info must be valid JSON. */
	refuse(f, PTY, PTY, "v1.1.1", "info", "{\"Version\":\"v1.1.1\"",
	    MV_EINVAL, "GP-11.1");
	refuse(f, PTY, PTY, "v1.1.1", "info", "{\"Version\":\"v1.1.1\"} x",
	    MV_EINVAL, "GP-11.1");
	refuse(f, PTY, PTY, "v1.1.1", "info", "[\"v1.1.1\"]", MV_EINVAL,
	    "GP-11.1");
	refuse(f, PTY, PTY, "v1.1.1", "info", "{\"Version\":v1.1.1}", MV_EINVAL,
	    "GP-11.1");
	refuse(f, PTY, PTY, "v1.1.1", "info", "{\"Time\":\"x\"}", MV_EINVAL,
	    "GP-11.1");
	/* MZ-9.1 / GP-5.3.2: no go.mod in the zip, .mod must be synthesized. */
	refuse(f, PTY, PTY, "v1.1.1", "mod", "module github.com/kr/pty\n\n",
	    MV_ECORRUPT, "MZ-9.1");
	/* MZ-9.2 / GP-11.1.4: .mod must equal the zip's go.mod. */
	refuse(f, PRETTY, PRETTY, "v0.1.0", "mod", "module github.com/kr/pretty\n",
	    MV_ECORRUPT, "MZ-9.2");
	/* MZ-5 via mv_zip_check: not a zip at all. */
	refuse(f, PTY, PTY, "v1.1.1", "zip", "PK not really", MV_ECORRUPT, NULL);
}

static void
ingest_refuses_noncanonical_and_wrong_module(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	struct files fl;
	struct mv_err err;

	fixture_files(&fl, PTY, "v1.1.1");
	assert_fails(ingest(f->st, PTY, "v1.1", &fl, &out, &err), &err,
	    MV_EINVAL);
	assert_fails(ingest(f->st, "not a path", "v1.1.1", &fl, &out, &err),
	    &err, MV_EINVAL);
	/* The zip's entries are for kr/pty, not kr/text (MZ-3 prefix). */
	assert_int_equal(ingest(f->st, "github.com/kr/text", "v1.1.1", &fl, &out,
	    &err), -1);
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
	struct mv_err err;
	int fd;

	fixture_files(&fl, PTY, "v1.1.1");
	snprintf(path, sizeof(path), "%s/huge.mod", f->dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0644)) >= 0);
	assert_int_equal(ftruncate(fd, (16 << 20) + 1), 0);
	close(fd);
	snprintf(fl.mod, sizeof(fl.mod), "%s", path);
	assert_fails(ingest(f->st, PTY, "v1.1.1", &fl, &out, &err), &err,
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
	struct mv_err err;
	const char *info = " {\"Origin\":{\"VCS\":\"git\",\"N\":[1,-2.5e3,true,"
	    "null]},\"version\":\"v1.1.\\u0031\",\"Time\":\"2018\\/01\"}\n";

	fixture_files(&fl, PTY, "v1.1.1");
	snprintf(path, sizeof(path), "%s/x.info", f->dir);
	write_file(path, info, strlen(info));
	snprintf(fl.info, sizeof(fl.info), "%s", path);
	assert_ok(ingest(f->st, PTY, "v1.1.1", &fl, &out, &err), &err);
	assert_ok(mv_store_get(f->st, PTY, "v1.1.1", &v, &err), &err);
	assert_string_equal(v.time, "2018/01");
}

/* Two processes store the same version at once: one row, one copy. */
static void
concurrent_ingest_stores_once(void **state)
{
	struct fx *f = *state;
	enum mv_ingest_outcome out;
	struct mv_store *st;
	struct files fl;
	struct mv_err err;
	pid_t pid[2];
	int i, status, stored = 0;

	fixture_files(&fl, PRETTY, "v0.1.0");
	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) == 0) {
			if (mv_store_open(f->data, 0, &st, &err) == -1 ||
			    ingest(st, PRETTY, "v0.1.0", &fl, &out, &err) == -1)
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
	assert_int_equal(nblobs(f->st), 3);
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
	struct mv_err err;
	int64_t t = 1700000000;

	fixture_files(&fl, PTY, "v1.1.1");
	assert_ok(ingest(f->st, PTY, "v1.1.1", &fl, &out, &err), &err);
	assert_ok(mv_store_touch(f->st, PTY, "v1.1.1", t, &err), &err);
	assert_ok(mv_store_get(f->st, PTY, "v1.1.1", &v, &err), &err);
	assert_int_equal(v.last_served, t);
	assert_ok(mv_store_touch(f->st, PTY, "v1.1.1", t + 3600, &err), &err);
	assert_ok(mv_store_get(f->st, PTY, "v1.1.1", &v, &err), &err);
	assert_int_equal(v.last_served, t);
	/*
	 * Proof that a fresh touch does not write: it works on a read-only
	 * handle, while a stale one (which must write) fails there.
	 */
	assert_ok(mv_store_open(f->data, MV_STORE_READONLY, &ro, &err), &err);
	assert_ok(mv_store_touch(ro, PTY, "v1.1.1", t + 7200, &err), &err);
	assert_fails(mv_store_touch(ro, PTY, "v1.1.1", t + 90000, &err), &err,
	    MV_EIO);
	mv_store_close(ro);
	assert_ok(mv_store_touch(f->st, PTY, "v1.1.1", t + 90000, &err), &err);
	assert_ok(mv_store_get(f->st, PTY, "v1.1.1", &v, &err), &err);
	assert_int_equal(v.last_served, t + 90000);
	assert_fails(mv_store_touch(f->st, PTY, "v9.9.9", t, &err), &err,
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
	struct mv_err err;
	uint64_t n, bytes, freed;

	fixture_files(&fl, PTY, "v1.1.1");
	assert_ok(ingest(f->st, PTY, "v1.1.1", &fl, &out, &err), &err);
	fixture_files(&fl, PRETTY, "v0.1.0");
	assert_ok(ingest(f->st, PRETTY, "v0.1.0", &fl, &out, &err), &err);
	assert_ok(mv_blob_put_mem(mv_store_blobs(f->st), "orphan", 6, &orphan,
	    &err), &err);
	assert_int_equal(nblobs(f->st), 7);
	assert_ok(mv_store_gc_blobs(f->st, &n, &bytes, &err), &err);
	assert_int_equal(n, 1);
	assert_int_equal(bytes, 6);
	assert_ok(mv_store_remove(f->st, PTY, "v1.1.1", &err), &err);
	assert_fails(mv_store_remove(f->st, PTY, "v1.1.1", &err), &err,
	    MV_ENOTFOUND);
	assert_fails(mv_store_get(f->st, PTY, "v1.1.1", &v, &err), &err,
	    MV_ENOTFOUND);
	assert_int_equal(nblobs(f->st), 6);	/* rm leaves blobs to gc */
	assert_ok(mv_store_gc_blobs(f->st, &n, NULL, &err), &err);
	assert_int_equal(n, 3);
	assert_ok(mv_store_get(f->st, PRETTY, "v0.1.0", &v, &err), &err);
	assert_ok(mv_store_evict(f->st, PRETTY, "v0.1.0", &freed, &err), &err);
	assert_int_equal(freed, v.info.size + v.mod.size + v.zip.size);
	assert_int_equal(nblobs(f->st), 0);
	/* A row is never committed for a blob that is gone. */
	assert_fails(mv_store_insert(f->st, &v, &out, &err), &err,
	    MV_ENOTFOUND);
	assert_int_equal(nversions(f->st, NULL), 0);
}

/* --- list, negative cache, in-flight -------------------------------------- */

static void
list_negative_inflight(void **state)
{
	struct fx *f = *state;
	struct mv_buf b = MV_BUF_INIT;
	char reason[32];
	struct mv_err err;
	int64_t at;
	bool absent, claimed;

	assert_fails(mv_store_list_get(f->st, PTY, &b, &at, &err), &err,
	    MV_ENOTFOUND);
	assert_ok(mv_store_list_put(f->st, PTY, "v1.0.0\nv1.1.1\n", 14, 100,
	    &err), &err);
	assert_ok(mv_store_list_put(f->st, PTY, "v1.1.1\n", 7, 200, &err), &err);
	assert_ok(mv_store_list_get(f->st, PTY, &b, &at, &err), &err);
	assert_string_equal(mv_buf_str(&b), "v1.1.1\n");
	assert_int_equal(at, 200);
	mv_buf_free(&b);

	assert_ok(mv_store_negative_put(f->st, PTY, "v9.0.0", "410 gone", 1000,
	    &err), &err);
	assert_ok(mv_store_negative_get(f->st, PTY, "v9.0.0", 999, &absent,
	    reason, sizeof(reason), &err), &err);
	assert_true(absent);
	assert_string_equal(reason, "410 gone");
	assert_ok(mv_store_negative_get(f->st, PTY, "v9.0.0", 1000, &absent,
	    NULL, 0, &err), &err);
	assert_false(absent);	/* expired */
	assert_ok(mv_store_negative_sweep(f->st, 1000, &err), &err);

	assert_ok(mv_store_inflight_claim(f->st, PTY, "v1.1.1", 100, 60,
	    &claimed, &err), &err);
	assert_true(claimed);
	/* Our own live claim: a second request waits. */
	assert_ok(mv_store_inflight_claim(f->st, PTY, "v1.1.1", 110, 60,
	    &claimed, &err), &err);
	assert_false(claimed);
	/* A stale claim is taken over. */
	assert_ok(mv_store_inflight_claim(f->st, PTY, "v1.1.1", 200, 60,
	    &claimed, &err), &err);
	assert_true(claimed);
	assert_ok(mv_store_inflight_release(f->st, PTY, "v1.1.1", &err), &err);
	assert_ok(mv_store_inflight_claim(f->st, PTY, "v1.1.1", 201, 60,
	    &claimed, &err), &err);
	assert_true(claimed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(blob_put_dedupe_open_remove,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(blob_abort_leaves_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(open_missing_store_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(migration_v1_to_v2_keeps_rows,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_database_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(ingest_good_then_present,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(ingest_refusals_store_nothing,
		    setup, teardown),
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
		cmocka_unit_test_setup_teardown(list_negative_inflight,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
