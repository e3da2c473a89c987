/* test_zipmake.c: module zip creation (module-zip.md MZ-6) and its writer. */
/*
 * Every zip made here is checked by the validator (mv_zip_check_mem) and
 * its h1 compared twice: with the spec's vectors, which the go command's
 * own code computed, and with H-1 over the files the selection kept.
 */
#include <sys/resource.h>

#include <fcntl.h>
#include <locale.h>
#include <stdbool.h>
#include <unistd.h>

#include "mvtest.h"
#include "modvault/base/hash.h"
#include "modvault/zip/zip.h"
#include "modvault/zip/zipmake.h"

#define M	"example.com/m"
#define V	"v1.0.0"
#define P	M "@" V "/"
#define REG	MV_ZIPMAKE_REGULAR
#define LNK	MV_ZIPMAKE_SYMLINK
#define OTH	MV_ZIPMAKE_OTHER
#define MIB	(1024ULL * 1024)

/* One input file: its data is its size (a symlink's data is its target). */
struct tf {
	const char		*name;
	const char		*data;
	enum mv_zipmake_type	 type;
};

struct zbuf {
	unsigned char	*p;
	size_t		 len;
};

static const char gomod_113[] = "module example.com/m\n\ngo 1.13\n";

/* A new empty file for a zip, already unlinked. */
static int
tmp_fd(void)
{
	char path[] = "/tmp/test_zipmake.XXXXXX";
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(unlink(path), 0);
	return fd;
}

/* The whole file at fd. */
static struct zbuf
slurp_fd(int fd)
{
	struct zbuf z;
	off_t end = lseek(fd, 0, SEEK_END);
	ssize_t k;
	size_t got = 0;

	assert_true(end >= 0);
	z.len = (size_t)end;
	assert_non_null(z.p = malloc(z.len + 1));
	while (got < z.len) {
		k = pread(fd, z.p + got, z.len - got, (off_t)got);
		assert_true(k > 0);
		got += (size_t)k;
	}
	return z;
}

static void
to_files(const struct tf *tf, size_t n, struct mv_zipmake_file *f,
    const char **gomod, size_t *gomodlen)
{
	size_t i;

	*gomod = NULL;
	*gomodlen = 0;
	for (i = 0; i < n; i++) {
		f[i].name = tf[i].name;
		f[i].type = tf[i].type;
		f[i].size = tf[i].data ? strlen(tf[i].data) : 0;
		if (tf[i].type == REG && strcmp(tf[i].name, "go.mod") == 0) {
			*gomod = tf[i].data;
			*gomodlen = f[i].size;
		}
	}
}

/* mv_zipmake_select over tf, the root go.mod's bytes passed as gomod. */
static int
select_tf(const char *m, const char *v, const struct tf *tf, size_t n,
    bool *keep, struct mv_err *err)
{
	struct mv_zipmake_file f[16];
	const char *gomod;
	size_t gomodlen;

	assert_true(n <= 16);
	to_files(tf, n, f, &gomod, &gomodlen);
	mv_err_clear(err);
	return mv_zipmake_select(m, v, f, n, gomod, gomodlen, keep, err);
}

/* The kept names, comma-separated, into out. */
static const char *
kept_names(const struct tf *tf, size_t n, const bool *keep, char *out,
    size_t outsz)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (keep[i])
			o += (size_t)snprintf(out + o, outsz - o, "%s%s",
			    o ? "," : "", tf[i].name);
	return out;
}

/*
 * Writes the kept files with the writer; the zip's bytes, and in want_h1
 * H-1 of the same (name, data) pairs, computed without any zip.
 */
static struct zbuf
write_tf(const char *m, const char *v, const struct tf *tf, size_t n,
    const bool *keep, char want_h1[MV_H1_LEN + 1])
{
	struct mv_zipwriter *w;
	struct mv_h1 *h;
	struct mv_err err = MV_ERR_INIT;
	struct zbuf z;
	char full[256];
	size_t i;
	int fd = tmp_fd();

	assert_non_null(h = mv_h1_new(&err));
	assert_ok(mv_zipwriter_open(fd, m, v, &w, &err), &err);
	for (i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		assert_ok(mv_zipwriter_add_mem(w, tf[i].name, tf[i].data,
		    strlen(tf[i].data), &err), &err);
		snprintf(full, sizeof(full), "%s@%s/%s", m, v, tf[i].name);
		assert_ok(mv_h1_add_data(h, full, tf[i].data,
		    strlen(tf[i].data), &err), &err);
	}
	assert_ok(mv_zipwriter_close(w, &err), &err);
	assert_ok(mv_h1_finish(h, want_h1, &err), &err);
	mv_h1_free(h);
	z = slurp_fd(fd);
	close(fd);
	return z;
}

/* The validator's verdict on z must be "valid, with h1". */
static void
check_zip(struct zbuf z, const char *m, const char *v, const char *h1)
{
	struct mv_zip_limits lim;
	struct mv_zip_result res;
	struct mv_err err = MV_ERR_INIT;

	mv_zip_limits_default(&lim);
	mv_zip_result_init(&res);
	assert_ok(mv_zip_check_mem(z.p, z.len, m, v, &lim, NULL, &res, &err),
	    &err);
	assert_string_equal(res.h1, h1);
	mv_zip_result_free(&res);
}

/*
 * Creates the zip of tf for m@v: the selection keeps exactly want_kept
 * (comma-separated), and the zip passes the check with H-1 of the kept
 * files, which must be h1 when it is not NULL (a spec vector).
 */
static void
expect_create_mv(const char *m, const char *v, const struct tf *tf, size_t n,
    const char *want_kept, const char *h1)
{
	bool keep[16];
	char kept[1024], computed[MV_H1_LEN + 1];
	struct mv_err err = MV_ERR_INIT;
	struct zbuf z;

	assert_ok(select_tf(m, v, tf, n, keep, &err), &err);
	assert_string_equal(kept_names(tf, n, keep, kept, sizeof(kept)),
	    want_kept);
	z = write_tf(m, v, tf, n, keep, computed);
	if (h1 != NULL)
		assert_string_equal(computed, h1);
	check_zip(z, m, v, computed);
	free(z.p);
}

static void
expect_create(const struct tf *tf, size_t n, const char *want_kept,
    const char *h1)
{
	expect_create_mv(M, V, tf, n, want_kept, h1);
}

/* Selection fails with code and a message holding every want[]. */
static void
expect_select_fail(const struct tf *tf, size_t n, enum mv_code code,
    const char *const *want, size_t nwant)
{
	bool keep[16];
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	if (select_tf(M, V, tf, n, keep, &err) != -1)
		fail_msg("selection accepted, expected \"%s\"", want[0]);
	if (err.code != code)
		fail_msg("code %s (%s), expected %s", mv_code_name(err.code),
		    err.msg, mv_code_name(code));
	assert_int_equal(strncmp(err.msg, "MZ-6.5: ", 8), 0);
	for (i = 0; i < nwant; i++)
		if (strstr(err.msg, want[i]) == NULL)
			fail_msg("\"%s\" lacks \"%s\"", err.msg, want[i]);
}

static void
expect_select_fail1(const struct tf *tf, size_t n, enum mv_code code,
    const char *want)
{
	expect_select_fail(tf, n, code, &want, 1);
}

/* --- the spec's creation vectors (section 10) ------------------------- */

/* TV-MZ-1: a simple module, every file kept. */
static void
tv_mz_1_simple(void **state)
{
	const struct tf tf[] = {
		{ "go.mod", gomod_113, REG },
		{ "m.go", "package m\n\nfunc Foo() int { return 42 }\n", REG },
		{ "cmd/hello/hello.go", "package main\n\nimport (\n  \"fmt\"\n"
		    "  \"example.com/m\"\n)\n\nfunc main() {\n"
		    "  fmt.Println(m.Foo())\n}\n", REG },
	};

	expect_create(tf, 3, "go.mod,m.go,cmd/hello/hello.go",
	    "h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=");
}

/* TV-MZ-2: vendor directories under the old rules (go 1.13). */
static void
tv_mz_2_vendor_old(void **state)
{
	const struct tf tf[] = {
		{ "go.mod", gomod_113, REG },
		{ "vendor/modules.txt", "included\nsee comment in "
		    "isVendoredPackage and golang.org/issue/31562.\n", REG },
		{ "vendor/example.com/x/x.go", "excluded\n", REG },
		{ "sub/vendor/sub.txt", "excluded\n", REG },
		{ "pkg/vendor/vendor.go", "excluded\nsee comment in "
		    "isVendoredPackage and golang.org/issue/37397\n", REG },
	};

	expect_create(tf, 5, "go.mod,vendor/modules.txt",
	    "h1:5u93LDLN0Me+NGfZtRpA5mHxY8svfykHpq4CMSaBZyc=");
}

/* TV-MZ-3: the same tree under the new rules (go 1.24, MZ-6.2). */
static void
tv_mz_3_vendor_new(void **state)
{
	const struct tf tf[] = {
		{ "go.mod", "module example.com/m\n\ngo 1.24\nmodules.txt is "
		    "excluded in 1.24+. See golang.org/issue/63395\n", REG },
		{ "vendor/modules.txt", "excluded\nsee comment in "
		    "isVendoredPackage and golang.org/issue/31562.\n", REG },
		{ "vendor/example.com/x/x.go", "excluded\n", REG },
		{ "sub/vendor/sub.txt", "excluded\n", REG },
		{ "pkg/vendor/vendor.go", "included\nsee comment in "
		    "isVendoredPackage and golang.org/issue/37397\n", REG },
	};

	expect_create(tf, 5, "go.mod,sub/vendor/sub.txt,pkg/vendor/vendor.go",
	    "h1:mJR1q75yiMK6+CDw6DuhMS4v4hNoLXqkyk2Cph4VS8Q=");
}

/* TV-MZ-4: a nested module, whose invalid name is never examined. */
static void
tv_mz_4_nested(void **state)
{
	const struct tf tf[] = {
		{ "go.mod", gomod_113, REG },
		{ "sub/go.mod", "module example.com/m/sub\n", REG },
		{ "sub/x.go'", "invalid name, omitted first\n", REG },
	};

	expect_create(tf, 3, "go.mod",
	    "h1:XduFAgX/GaspZa8Jv4pfzoGEzNaU/r88PiCunijw5ok=");
}

/* TV-MZ-5: an upper-case nested go.mod makes a nested module too. */
static void
tv_mz_5_nested_upper(void **state)
{
	const struct tf tf[] = {
		{ "a.go", "package a\n", REG },
		{ "b/GO.MOD", "MODULE EXAMPLE.COM/M/B\n", REG },
		{ "b/b.go", "package b\n", REG },
	};

	expect_create(tf, 3, "a.go",
	    "h1:xctQQey8/y7IcBjFZDP/onWLSXhlqcsC3i1fgSdpMHk=");
}

/* TV-MZ-6: a directory named go.mod is an ordinary directory. */
static void
tv_mz_6_dir_named_gomod(void **state)
{
	const struct tf tf[] = { { "go.mod/a.go", "package a\n", REG } };

	expect_create(tf, 1, "go.mod/a.go",
	    "h1:Mun5l9cBlDnnV6JasTpio2aZJSbFj++h+814mnKC/OM=");
}

/*
 * TV-MZ-7: the empty module.  The writer makes the bare 22-byte end
 * record Go makes; libarchive's reader refuses to open it (test_zip.c
 * tv_mz_7_empty_zip_refused), so its h1 is H-1 of no files.
 */
static void
tv_mz_7_empty(void **state)
{
	static const unsigned char eocd[22] = { 'P', 'K', 5, 6 };
	char h1[MV_H1_LEN + 1];
	bool keep[1] = { false };
	struct mv_err err = MV_ERR_INIT;
	struct zbuf z;

	assert_ok(mv_zipmake_select(M, V, NULL, 0, NULL, 0, NULL, &err), &err);
	z = write_tf(M, V, NULL, 0, keep, h1);
	assert_string_equal(h1,
	    "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	assert_int_equal(z.len, sizeof(eocd));
	assert_memory_equal(z.p, eocd, sizeof(eocd));
	free(z.p);
}

/*
 * TV-MZ-8 is MZ-7's directory walk, which drops .git and the like before
 * MZ-6 runs; MZ-6 alone (zip.Create) keeps such files, as here.
 */
static void
tv_mz_8_vcs_dirs_are_the_walks_job(void **state)
{
	const struct tf tf[] = {
		{ ".git/exclude", "x\n", REG },
		{ ".hg/exclude", "x\n", REG },
	};
	bool keep[2];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(select_tf(M, V, tf, 2, keep, &err), &err);
	assert_true(keep[0] && keep[1]);
}

/* TV-MZ-11's files: the h1 the go command reported for its own zip. */
static void
tv_mz_11_same_files(void **state)
{
	const struct tf tf[] = {
		{ "go.mod", "module example.com/m\n", REG },
		{ "m.go", "package m\n", REG },
	};

	expect_create(tf, 2, "go.mod,m.go",
	    "h1:fCHMqo5ggHEQvwcrsN81zr5orRk5lClR36KRHpfUjKg=");
}

/* TV-H-8's module path: "+incompatible" and an upper-case path. */
static void
incompatible_prefix(void **state)
{
	const struct tf tf[] = {
		{ "example.go", "package example\n", REG },
	};

	expect_create_mv("github.com/Azure/example", "v2.0.0+incompatible",
	    tf, 1, "example.go",
	    "h1:iU41CN4nDCwUMUXyhn03/O9433nxW63Dy4JSVK33w+A=");
}

/* TV-MZ-9's rows, as creation meets them (MZ-6.1, MZ-6.5). */
static void
tv_mz_9_rows_at_creation(void **state)
{
	const struct tf r1[] = { { "bad.go'", "x\n", REG } };
	const struct tf r2[] = { { "GO.MOD", "x\n", REG } };
	const struct tf r5[] = { { "dup.go", "x\n", REG },
	    { "dup.go", "x\n", REG } };
	const struct tf r6[] = { { "a.go", "x\n", REG },
	    { "a.go/b.go", "x\n", REG } };
	const struct tf r7[] = { { "m.go", "x\n", REG },
	    { "M.GO", "x\n", REG } };
	const struct tf r12[] = { { "not/../clean", "x\n", REG } };
	const struct tf r3[] = { { "go.mod", "module example.com/m\n", REG },
	    { "sub/go.mod", "module example.com/m/sub\n", REG } };
	struct mv_zipwriter *w;
	bool keep[2];
	struct mv_err err = MV_ERR_INIT;

	expect_select_fail1(r1, 1, MV_ECORRUPT,
	    "MZ-3.2: malformed file path \"bad.go'\": invalid char '\\''");
	expect_select_fail1(r2, 1, MV_ECORRUPT,
	    "MZ-3.4: go.mod files must have lowercase names: \"GO.MOD\"");
	expect_select_fail1(r5, 2, MV_ECORRUPT,
	    "MZ-3.3: multiple entries for file \"dup.go\"");
	expect_select_fail1(r6, 2, MV_ECORRUPT,
	    "MZ-3.3: entry \"a.go\" is both a file and a directory");
	expect_select_fail1(r7, 2, MV_ECORRUPT,
	    "MZ-3.3: case-insensitive file name collision: \"m.go\" and "
	    "\"M.GO\"");
	expect_select_fail1(r12, 1, MV_ECORRUPT,
	    "MZ-3.1: file path is not clean: \"not/../clean\"");
	/* A nested go.mod is left out at creation, not refused. */
	expect_create(r3, 2, "go.mod", NULL);

	/* MZ-6.1: the module and version, before any file. */
	assert_fails(select_tf(M, "v1.0.0+bad", r1, 1, keep, &err), &err,
	    MV_EINVAL);
	assert_string_equal(err.msg, "MZ-1.1: version \"v1.0.0+bad\" is not "
	    "canonical (should be \"v1.0.0\")");
	assert_fails(select_tf(M, "v2.0.0", r1, 1, keep, &err), &err,
	    MV_EINVAL);
	assert_non_null(strstr(err.msg, "should be v0 or v1, not v2"));
	assert_fails(select_tf("cache", V, r1, 1, keep, &err), &err,
	    MV_EINVAL);
	assert_non_null(strstr(err.msg, "missing dot in first path element"));
	assert_fails(mv_zipwriter_open(1, M, "v1.0.0+bad", &w, &err), &err,
	    MV_EINVAL);
	assert_null(w);
	assert_fails(mv_zipwriter_open(1, "cache", V, &w, &err), &err,
	    MV_EINVAL);
}

/* TV-MZ-10: CheckFiles' classification, old rules, then go 1.24. */
static void
tv_mz_10_classification(void **state)
{
	const struct tf tf[] = {
		{ "valid.go", "x\n", REG },
		{ "not/../clean", "x\n", REG },
		{ "GO.MOD", "x\n", REG },
		{ "invalid.go'", "x\n", REG },
		{ "vendor/x/y", "x\n", REG },
		{ "vendor/modules.txt", "x\n", REG },
		{ "sub/go.mod", "x\n", REG },
		{ ".hg_archival.txt", "x\n", REG },
		{ "valid.go", "x\n", REG },
		{ "valid.go", "x\n", REG },
		{ "valid.go", "x\n", REG },
		{ "pkg/vendor/vendor.go", "x\n", REG },
		{ "go.mod", "module example.com/m\n\ngo 1.24\n", REG },
	};
	const char *want[] = {
		"MZ-6.5: 4 problems cannot go into the module zip: ",
		"MZ-3.1: file path is not clean: \"not/../clean\"",
		"MZ-3.4: go.mod files must have lowercase names: \"GO.MOD\"",
		"MZ-3.2: malformed file path \"invalid.go'\": invalid char",
		"MZ-3.3: multiple entries for file \"valid.go\"",
	};
	bool keep[13];
	char kept[256];
	struct mv_err err = MV_ERR_INIT;
	const char *p;
	int dups = 0;

	expect_select_fail(tf, 12, MV_ECORRUPT, want, 5);
	/* valid.go is reported once, though it repeats (Go's errPaths). */
	assert_int_equal(select_tf(M, V, tf, 12, keep, &err), -1);
	for (p = err.msg; (p = strstr(p, "entries for file")) != NULL; p++)
		dups++;
	assert_int_equal(dups, 1);
	assert_string_equal(kept_names(tf, 12, keep, kept, sizeof(kept)),
	    "valid.go,vendor/modules.txt");
	/* A root go.mod with go 1.24: the vendor verdicts flip. */
	assert_int_equal(select_tf(M, V, tf, 13, keep, &err), -1);
	assert_non_null(strstr(err.msg, "MZ-6.5: 4 problems"));
	assert_string_equal(kept_names(tf, 13, keep, kept, sizeof(kept)),
	    "valid.go,pkg/vendor/vendor.go,go.mod");
}

/* --- MZ-6.5 steps, one by one ------------------------------------------ */

/* Steps 1, 2, 6, 7, 8: each INVALID reason, all in one message. */
static void
invalid_reasons_all_reported(void **state)
{
	const struct tf tf[] = {
		{ "a/./b.go", "x\n", REG },
		{ "/abs.go", "x\n", REG },
		{ "", "x\n", REG },
		{ "aux.go", "x\n", REG },
		{ "Go.Mod", "x\n", REG },
		{ "x/A.go", "x\n", REG },
		{ "X/b.go", "x\n", REG },
		{ "ok.go", "x\n", REG },
	};
	const char *want[] = {
		"MZ-6.5: 6 problems",
		"MZ-3.1: file path is not clean: \"a/./b.go\"",
		"MZ-6.5: file path is not relative: \"/abs.go\"",
		"MZ-3.1: file path is not clean: \"\"",
		"MZ-3.2: malformed file path \"aux.go\"",
		"MZ-3.4: go.mod files must have lowercase names: \"Go.Mod\"",
		"case-insensitive file name collision: \"x\" and \"X\"",
	};

	expect_select_fail(tf, 8, MV_ECORRUPT, want, 7);
}

/* The order of MZ-6.5: an earlier step decides, later ones never run. */
static void
first_match_wins(void **state)
{
	const struct tf tf[] = {
		{ "vendor/a/b'.go", "x\n", REG },	/* 3 before 6 */
		{ "n/go.mod", "module n\n", REG },
		{ "n/aux.go", "x\n", REG },		/* 4 before 6 */
		{ ".hg_archival.txt", "x\n", REG },	/* 5 */
		{ "link.go", "/etc/passwd", LNK },	/* 9 */
		{ "fifo", "", OTH },			/* 10 */
		{ "m.go", "package m\n", REG },
	};
	const struct tf collide[] = {
		{ "m.go", "package m\n", REG },
		{ "M.go", "../m.go", LNK },		/* 8 before 9 */
	};

	expect_create(tf, 7, "m.go",
	    "h1:49omc6aY9UEJpysfGUGT2SqQlu8FryXihRUoJfmosR0=");
	expect_select_fail1(collide, 2, MV_ECORRUPT,
	    "case-insensitive file name collision: \"m.go\" and \"M.go\"");
}

/*
 * As in Go, a name already reported (here omitted as a symlink) is not
 * reported again: the regular file of the same name is silently dropped.
 */
static void
reported_name_not_reported_again(void **state)
{
	const struct tf tf[] = {
		{ "a.go", "b.go", LNK },
		{ "a.go", "package a\n", REG },
		{ "m.go", "package m\n", REG },
	};

	expect_create(tf, 3, "m.go",
	    "h1:49omc6aY9UEJpysfGUGT2SqQlu8FryXihRUoJfmosR0=");
}

/* MZ-6.3: which go.mod files make nested modules. */
static void
nested_module_rules(void **state)
{
	const struct tf deep[] = {
		{ "go.mod", "module example.com/m\n", REG },
		{ "a/x.go", "package a\n", REG },
		{ "a/b/go.mod", "module example.com/m/a/b\n", REG },
		{ "a/b/c/d.go", "package d\n", REG },
		{ "a/bc/e.go", "package bc\n", REG },
	};
	/* A symlink go.mod does not make a module (and is omitted). */
	const struct tf link[] = {
		{ "s/go.mod", "../go.mod", LNK },
		{ "s/s.go", "package s\n", REG },
	};
	/* Nor does a device or fifo called go.mod. */
	const struct tf other[] = {
		{ "o/GO.mod", "", OTH },
		{ "o/o.go", "package o\n", REG },
	};
	bool keep[5];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(select_tf(M, V, deep, 5, keep, &err), &err);
	assert_true(keep[0] && keep[1] && !keep[2] && !keep[3] && keep[4]);
	expect_create(link, 2, "s/s.go", NULL);
	assert_ok(select_tf(M, V, other, 2, keep, &err), &err);
	assert_true(!keep[0] && keep[1]);
}

/* MZ-6.4: isVendoredPackage, old and new. */
static void
vendor_rules(void **state)
{
	static const struct {
		const char	*name;
		bool		 old, new;
	} t[] = {
		{ "vendor/modules.txt", false, true },
		{ "vendor/x.go", false, false },
		{ "vendor/a/b.go", true, true },
		{ "pkg/vendor/vendor.go", true, false },
		{ "sub/vendor/sub.txt", true, false },
		{ "a/vendor/b", true, false },	/* old: "/b" after 8 bytes */
		{ "abcdefghij/vendor/x", true, false },
		{ "abcdefghij/vendor/x/y", true, true },
		{ "x/vendor/", true, false },
		{ "vendorx/a/b", false, false },
		{ "a/vendored/b/c", false, false },
		{ "modules.txt", false, false },
		{ "sub/vendor/modules.txt", true, false },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (mv_zipmake_is_vendored(t[i].name, false) != t[i].old)
			fail_msg("old rules, %s: want %d", t[i].name, t[i].old);
		if (mv_zipmake_is_vendored(t[i].name, true) != t[i].new)
			fail_msg("new rules, %s: want %d", t[i].name, t[i].new);
	}
}

/* MZ-6.2: the go directive, read as modfile.ParseLax reads it. */
static void
gomod_go_version(void **state)
{
	static const struct {
		const char	*text;
		bool		 new;
	} t[] = {
		{ "module m\n\ngo 1.24\n", true },
		{ "go 1.24.0", true },
		{ "go 1.24rc1\n", true },
		{ "go 1.24.x\n", true },	/* lax: 1.24 */
		{ "go v1.24.0\n", true },	/* lax: 1.24 */
		{ "go 1.24beta\n", true },	/* lax: 1.24 */
		{ "go 1.25\n", true },
		{ "go 1.100\n", true },
		{ "go 2.0\n", true },
		{ "go 1.24 // a comment\n", true },
		{ "\tgo\t1.24\r\n", true },
		{ "// go 1.21\ngo 1.24\nrequire (\n\tx v1.0.0\n)\n", true },
		{ "require ( )\ngo 1.24\n", true },
		{ "module m\ngo 1.24\nmodules.txt is excluded in 1.24+. See "
		    "golang.org/issue/63395\n", true },
		{ "go 1.23\n", false },
		{ "go 1.23.9\n", false },
		{ "go 1.9\n", false },
		{ "go 1.0\n", false },
		{ "module m\n", false },	/* no go line */
		{ "", false },
		{ "go 1.24\ngo 1.24\n", false },	/* repeated */
		{ "go\n", false },
		{ "go 1.24 1.25\n", false },
		{ "go \"1.24\"\n", false },
		{ "go 01.24\n", false },
		{ "go 1.024\n", false },
		{ "go 1.24.0rc1\n", false },	/* go/version: not a version */
		{ "go 1.24rc01\n", false },
		{ "go (\n\t1.24\n)\n", false },	/* a block: ignored */
		{ "/* c */\ngo 1.24\n", false },	/* syntax error */
		/* An unterminated block. */
		{ "go 1.24\nrequire (\n\tx v1.0.0\n", false },
		{ "go 1.24\nx \"unterminated\n", false },
		{ "go 1.24\nrequire (\n) x\n", false },
		{ "go 1.24\n\x01\n", false },
		{ "go 1.24rc\n", true },	/* lax: 1.24 */
		{ "go 1.24.\n", true },	/* lax: 1.24 */
		{ "go 1.23rc\n", false },
		{ "module a\nmodule b\ngo 1.24\n", false },	/* repeated */
		{ "module\ngo 1.24\n", false },
		{ "module a b\ngo 1.24\n", false },
		{ "module \"a\"\ngo 1.24\n", true },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (mv_zipmake_gomod_is_new(t[i].text, strlen(t[i].text)) !=
		    t[i].new)
			fail_msg("go.mod %zu \"%s\": want %d", i, t[i].text,
			    t[i].new);
	assert_false(mv_zipmake_gomod_is_new(NULL, 0));
}

/*
 * MZ-6.2: only a REGULAR root "go.mod" sets the rules; a symlink root
 * go.mod leaves the old ones (its bytes are not consulted).
 */
static void
gomod_gate_needs_regular_root(void **state)
{
	struct mv_zipmake_file f[] = {
		{ "go.mod", LNK, 7 },
		{ "vendor/modules.txt", REG, 2 },
	};
	static const char g[] = "go 1.24\n";
	bool keep[2];
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_zipmake_select(M, V, f, 2, g, strlen(g), keep, &err),
	    &err);
	assert_true(!keep[0] && keep[1]);
	f[0].type = REG;
	assert_ok(mv_zipmake_select(M, V, f, 2, g, strlen(g), keep, &err),
	    &err);
	assert_true(keep[0] && !keep[1]);
	/* No bytes: no version, old rules. */
	assert_ok(mv_zipmake_select(M, V, f, 2, NULL, 0, keep, &err), &err);
	assert_true(keep[0] && keep[1]);
}

/* MZ-2.2, MZ-2.3 and the file-count bound: sizes alone, no data. */
static void
size_limits(void **state)
{
	struct mv_zipmake_file f[] = {
		{ "go.mod", REG, 16 * MIB + 1 },
		{ "LICENSE", REG, 16 * MIB + 1 },
		{ "big.bin", REG, 500 * MIB },
		{ "sub/LICENSE", REG, 17 * MIB },
	};
	bool keep[4];
	struct mv_err err = MV_ERR_INIT;

	assert_fails(mv_zipmake_select(M, V, f, 4, NULL, 0, keep, &err), &err,
	    MV_ELIMIT);
	assert_non_null(strstr(err.msg, "MZ-6.5: 3 problems"));
	assert_non_null(strstr(err.msg, "MZ-2.3: go.mod file too large (max "
	    "size is 16777216 bytes)"));
	assert_non_null(strstr(err.msg, "MZ-2.3: LICENSE file too large"));
	assert_non_null(strstr(err.msg, "MZ-2.2: module source tree too "
	    "large (max size is 524288000 bytes)"));
	/* Exactly at the limits is fine. */
	f[0].size = f[1].size = 16 * MIB;
	f[2].size = 500 * MIB - 48 * MIB;
	f[3].size = 16 * MIB;
	assert_ok(mv_zipmake_select(M, V, f, 4, NULL, 0, keep, &err), &err);
	f[3].size++;
	assert_fails(mv_zipmake_select(M, V, f, 4, NULL, 0, keep, &err), &err,
	    MV_ELIMIT);
	assert_non_null(strstr(err.msg, "MZ-6.5: 1 problem cannot"));
	/* A size rule and a name rule together: the name rule's code. */
	f[3].name = "sub/LICENSE'";
	assert_fails(mv_zipmake_select(M, V, f, 4, NULL, 0, keep, &err), &err,
	    MV_ECORRUPT);
	f[3].name = "sub/LICENSE";
	f[3].size = UINT64_MAX;
	assert_fails(mv_zipmake_select(M, V, f, 4, NULL, 0, keep, &err), &err,
	    MV_ELIMIT);
}

/* More files than mv_zip_limits_default's max_files: refused. */
static void
too_many_files(void **state)
{
	struct mv_zip_limits lim;
	struct mv_zipmake_file *f;
	struct mv_err err = MV_ERR_INIT;
	char *names;
	bool *keep;
	size_t i, n;

	mv_zip_limits_default(&lim);
	n = (size_t)lim.max_files + 1;
	assert_non_null(f = calloc(n, sizeof(*f)));
	assert_non_null(keep = calloc(n, sizeof(*keep)));
	assert_non_null(names = malloc(n * 32));
	for (i = 0; i < n; i++) {
		snprintf(names + i * 32, 32, "d%zu/f%zu.go", i % 1000,
		    i / 1000);
		f[i].name = names + i * 32;
		f[i].type = REG;
		f[i].size = 1;
	}
	assert_fails(mv_zipmake_select(M, V, f, n, NULL, 0, keep, &err), &err,
	    MV_ELIMIT);
	assert_non_null(strstr(err.msg, "MZ-2: more than 100000 files"));
	/* One of them a symlink: within the bound again. */
	f[7].type = LNK;
	assert_ok(mv_zipmake_select(M, V, f, n, NULL, 0, keep, &err), &err);
	free(f);
	free(keep);
	free(names);
}

/* The message stays within its bound and says how many did not fit. */
static void
many_invalid_bounded(void **state)
{
	struct mv_zipmake_file f[200];
	char names[200][24];
	bool keep[200];
	struct mv_err err = MV_ERR_INIT;
	size_t i;

	for (i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "bad%zu.go'", i);
		f[i].name = names[i];
		f[i].type = REG;
		f[i].size = 1;
	}
	assert_fails(mv_zipmake_select(M, V, f, 200, NULL, 0, keep, &err),
	    &err, MV_ECORRUPT);
	assert_true(strlen(err.msg) < sizeof(err.msg));
	assert_non_null(strstr(err.msg, "MZ-6.5: 200 problems"));
	assert_non_null(strstr(err.msg, "bad0.go'"));
	if (strstr(err.msg, " more") == NULL)
		fail_msg("%s", err.msg);
	assert_null(strstr(err.msg, "bad199.go'"));
	/* A NULL name is the caller's mistake. */
	f[3].name = NULL;
	assert_fails(mv_zipmake_select(M, V, f, 200, NULL, 0, keep, &err),
	    &err, MV_EINVAL);
}

/*
 * MZ-3.3 with Unicode folding (KELVIN SIGN folds with k), MZ-3.2 letters.
 * Hangul jamo letters, which NFC would compose into one syllable, come
 * back from the validator as written: the writer does not flag names as
 * UTF-8, which libarchive's reader would normalize (zipwrite.c).
 */
static void
unicode_names(void **state)
{
	const struct tf ok[] = {
		{ "\xc3\xa9t\xc3\xa9/K.go", "package k\n", REG },
		{ ".gitignore", "x\n", REG },
		{ "\xe1\x84\x80\xe1\x85\xa1.go", "package h\n", REG },
	};
	const struct tf kelvin[] = {
		{ "k.go", "x\n", REG },
		{ "\xe2\x84\xaa.go", "x\n", REG },
	};

	expect_create(ok, 3, "\xc3\xa9t\xc3\xa9/K.go,.gitignore,"
	    "\xe1\x84\x80\xe1\x85\xa1.go", NULL);
	expect_select_fail1(kelvin, 2, MV_ECORRUPT,
	    "case-insensitive file name collision");
}

/* --- the writer --------------------------------------------------------- */

/* A reader that gives len bytes of 'x', in pieces of at most piece. */
struct xs {
	uint64_t	left;
	size_t		piece;
	int		fail_at;	/* calls before failing; -1: never */
};

static int
xs_read(void *ctx, void *buf, size_t n, size_t *got, struct mv_err *err)
{
	struct xs *x = ctx;

	if (x->fail_at == 0)
		return mv_fail(err, MV_EUPSTREAM, "the source went away");
	if (x->fail_at > 0)
		x->fail_at--;
	*got = n < x->piece ? n : x->piece;
	if (*got > x->left)
		*got = (size_t)x->left;
	memset(buf, 'x', *got);
	x->left -= *got;
	return 0;
}

/* A cheap PRNG stream of len bytes, with its SHA-256 taken as it goes. */
struct prng {
	uint64_t		 s, left;
	struct mv_sha256	*sha;
};

static int
prng_read(void *ctx, void *buf, size_t n, size_t *got, struct mv_err *err)
{
	struct prng *r = ctx;
	unsigned char *p = buf;
	size_t i;

	n = n < r->left ? n : (size_t)r->left;
	for (i = 0; i < n; i++) {
		if (i % 8 == 0) {
			r->s ^= r->s << 13;
			r->s ^= r->s >> 7;
			r->s ^= r->s << 17;
		}
		p[i] = (unsigned char)(r->s >> (8 * (i % 8)));
	}
	r->left -= n;
	*got = n;
	return r->sha ? mv_sha256_update(r->sha, buf, n, err) : 0;
}

/* MZ-6.6: data shorter or longer than the size selection saw fails. */
static void
size_mismatch_on_add(void **state)
{
	struct mv_zipwriter *w;
	struct mv_err err = MV_ERR_INIT;
	struct xs x;
	int fd = tmp_fd();

	assert_ok(mv_zipwriter_open(fd, M, V, &w, &err), &err);
	x = (struct xs){ 9, 4, -1 };
	assert_fails(mv_zipwriter_add(w, "short.go", 10, xs_read, &x, &err),
	    &err, MV_ECORRUPT);
	assert_string_equal(err.msg, "MZ-6.6: \"short.go\" is shorter than "
	    "its 10 bytes");
	/* The zip is unusable from then on. */
	assert_fails(mv_zipwriter_add_mem(w, "m.go", "x", 1, &err), &err,
	    MV_EINVAL);
	assert_fails(mv_zipwriter_close(w, &err), &err, MV_EINVAL);

	assert_ok(mv_zipwriter_open(fd, M, V, &w, &err), &err);
	x = (struct xs){ 100 * 1024, 1000, -1 };
	assert_fails(mv_zipwriter_add(w, "grown.go", 100 * 1024 - 1, xs_read,
	    &x, &err), &err, MV_ECORRUPT);
	assert_string_equal(err.msg, "MZ-6.6: \"grown.go\" is larger than "
	    "its 102399 bytes");
	mv_zipwriter_free(w);

	/* A failing reader's report is passed on as it is. */
	assert_ok(mv_zipwriter_open(fd, M, V, &w, &err), &err);
	x = (struct xs){ 100, 10, 3 };
	assert_fails(mv_zipwriter_add(w, "gone.go", 100, xs_read, &x, &err),
	    &err, MV_EUPSTREAM);
	assert_string_equal(err.msg, "the source went away");
	mv_zipwriter_free(w);
	close(fd);
}

/* Names the writer refuses: it never writes a directory or odd entry. */
static void
writer_refuses_bad_names(void **state)
{
	static const char *bad[] = { "", "dir/", "a//b", "../x", "./x",
	    "/abs", "a\nb" };
	struct mv_zipwriter *w;
	struct mv_err err = MV_ERR_INIT;
	size_t i;
	int fd = tmp_fd();

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_ok(mv_zipwriter_open(fd, M, V, &w, &err), &err);
		assert_fails(mv_zipwriter_add_mem(w, bad[i], "x", 1, &err),
		    &err, MV_EINVAL);
		mv_zipwriter_free(w);
	}
	assert_fails(mv_zipwriter_open(-1, M, V, &w, &err), &err, MV_EINVAL);
	assert_fails(mv_zipwriter_close(NULL, &err), &err, MV_EINVAL);
	mv_zipwriter_free(NULL);
	close(fd);
}

/* A write error on fd is this machine's failure, never MV_ECORRUPT. */
static void
write_errors_are_local(void **state)
{
	struct prng r = { 1, 1024 * 1024, NULL };
	struct mv_zipwriter *w;
	struct mv_err err = MV_ERR_INIT;
	char path[] = "/tmp/test_zipmake.XXXXXX";
	int fd;

	/* An fd open for reading only: EBADF, MV_EIO. */
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	unlink(path);
	assert_ok(mv_zipwriter_open(fd, M, V, &w, &err), &err);
	assert_ok(mv_zipwriter_add_mem(w, "m.go", "package m\n", 10, &err),
	    &err);
	assert_fails(mv_zipwriter_close(w, &err), &err, MV_EIO);
	assert_non_null(strstr(err.msg, "cannot write the module zip"));
	close(fd);

	/*
	 * A full disk: ENOSPC is MV_ENOSPACE, from add as soon as a block of
	 * incompressible data is due, or from close.
	 */
	if ((fd = open("/dev/full", O_WRONLY)) == -1)
		return;
	assert_ok(mv_zipwriter_open(fd, M, V, &w, &err), &err);
	assert_fails(mv_zipwriter_add(w, "big.bin", r.left, prng_read, &r,
	    &err), &err, MV_ENOSPACE);
	assert_non_null(strstr(err.msg, "cannot write the module zip"));
	mv_zipwriter_free(w);
	assert_ok(mv_zipwriter_open(fd, M, V, &w, &err), &err);
	assert_ok(mv_zipwriter_add_mem(w, "m.go", "package m\n", 10, &err),
	    &err);
	assert_fails(mv_zipwriter_close(w, &err), &err, MV_ENOSPACE);
	close(fd);
}

/* The entry form of MZ-6.6, in the bytes libarchive wrote. */
static void
entry_form(void **state)
{
	const struct tf tf[] = { { "m.go", "package m\n", REG } };
	const struct tf uni[] = { { "\xc3\xa9.go", "package e\n", REG } };
	const bool keep[] = { true };
	char h1[MV_H1_LEN + 1];
	struct zbuf z;
	const unsigned char *c;
	size_t i;
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = uselocale(utf8);

	/* A non-ASCII name is not flagged UTF-8, even under a UTF-8 locale. */
	z = write_tf(M, V, uni, 1, keep, h1);
	uselocale(old);
	freelocale(utf8);
	assert_int_equal(z.p[6] | z.p[7] << 8, 0x0008);
	free(z.p);

	z = write_tf(M, V, tf, 1, keep, h1);
	assert_memory_equal(z.p, "PK\003\004", 4);
	assert_int_equal(z.p[6] | z.p[7] << 8, 0x0008);	/* descriptor */
	assert_int_equal(z.p[8] | z.p[9] << 8, 8);	/* deflate */
	/* MS-DOS time 0, date 1980-01-01: libarchive's earliest. */
	assert_int_equal(z.p[10] | z.p[11] << 8, 0);
	assert_int_equal(z.p[12] | z.p[13] << 8, 0x0021);
	for (i = 0; i + 4 <= z.len; i++)
		if (memcmp(z.p + i, "PK\001\002", 4) == 0)
			break;
	assert_true(i + 46 <= z.len);
	c = z.p + i;
	assert_int_equal(c[5], 3);			/* made by Unix */
	assert_int_equal(c[10] | c[11] << 8, 8);
	assert_int_equal((uint32_t)(c[38] | c[39] << 8 | c[40] << 16 |
	    (uint32_t)c[41] << 24), 0100644u << 16);
	assert_int_equal(c[28] | c[29] << 8, strlen(P "m.go"));
	assert_memory_equal(c + 46, P "m.go", strlen(P "m.go"));
	free(z.p);
}

static long
max_rss_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/*
 * 100 MiB streamed through a read callback: the writer's peak memory is
 * a few hundred KiB, far below the data (ru_maxrss grows < 16 MiB).  Runs
 * first, while the process's peak is still low.
 */
static void
streams_100_mib(void **state)
{
	struct prng r = { 0x9e3779b97f4a7c15ULL, 100 * MIB, NULL };
	unsigned char d[MV_SHA256_LEN];
	struct mv_zip_limits lim;
	struct mv_zip_result res;
	struct mv_zipwriter *w;
	struct mv_h1 *h;
	char want[MV_H1_LEN + 1];
	struct mv_err err = MV_ERR_INIT;
	long before, after;
	int fd = tmp_fd();

	assert_non_null(r.sha = mv_sha256_new(&err));
	before = max_rss_kib();
	assert_ok(mv_zipwriter_open(fd, M, V, &w, &err), &err);
	assert_ok(mv_zipwriter_add_mem(w, "go.mod", "module example.com/m\n",
	    21, &err), &err);
	assert_ok(mv_zipwriter_add(w, "data.bin", 100 * MIB, prng_read, &r,
	    &err), &err);
	assert_ok(mv_zipwriter_close(w, &err), &err);
	after = max_rss_kib();
	if (after - before >= 16 * 1024)
		fail_msg("peak RSS grew by %ld KiB writing 100 MiB", after -
		    before);
	print_message("peak RSS grew by %ld KiB\n", after - before);

	/* And the zip holds exactly those bytes. */
	assert_ok(mv_sha256_final(r.sha, d, &err), &err);
	assert_non_null(h = mv_h1_new(&err));
	assert_ok(mv_h1_add(h, P "data.bin", d, &err), &err);
	assert_ok(mv_h1_add_data(h, P "go.mod", "module example.com/m\n", 21,
	    &err), &err);
	assert_ok(mv_h1_finish(h, want, &err), &err);
	mv_zip_limits_default(&lim);
	mv_zip_result_init(&res);
	assert_ok(mv_zip_check_fd(fd, M, V, &lim, NULL, &res, &err), &err);
	assert_string_equal(res.h1, want);
	assert_int_equal(res.unzipped_bytes, 100 * MIB + 21);
	mv_zip_result_free(&res);
	mv_h1_free(h);
	mv_sha256_free(r.sha);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(streams_100_mib),
		cmocka_unit_test(tv_mz_1_simple),
		cmocka_unit_test(tv_mz_2_vendor_old),
		cmocka_unit_test(tv_mz_3_vendor_new),
		cmocka_unit_test(tv_mz_4_nested),
		cmocka_unit_test(tv_mz_5_nested_upper),
		cmocka_unit_test(tv_mz_6_dir_named_gomod),
		cmocka_unit_test(tv_mz_7_empty),
		cmocka_unit_test(tv_mz_8_vcs_dirs_are_the_walks_job),
		cmocka_unit_test(tv_mz_11_same_files),
		cmocka_unit_test(incompatible_prefix),
		cmocka_unit_test(tv_mz_9_rows_at_creation),
		cmocka_unit_test(tv_mz_10_classification),
		cmocka_unit_test(invalid_reasons_all_reported),
		cmocka_unit_test(first_match_wins),
		cmocka_unit_test(reported_name_not_reported_again),
		cmocka_unit_test(nested_module_rules),
		cmocka_unit_test(vendor_rules),
		cmocka_unit_test(gomod_go_version),
		cmocka_unit_test(gomod_gate_needs_regular_root),
		cmocka_unit_test(size_limits),
		cmocka_unit_test(too_many_files),
		cmocka_unit_test(many_invalid_bounded),
		cmocka_unit_test(unicode_names),
		cmocka_unit_test(size_mismatch_on_add),
		cmocka_unit_test(writer_refuses_bad_names),
		cmocka_unit_test(write_errors_are_local),
		cmocka_unit_test(entry_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
