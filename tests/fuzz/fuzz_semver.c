/* fuzz_semver.c: libFuzzer target for semver.c's parsers and invariants. */
/*
 * The input is split at '\n' into up to three versions (a NUL ends the
 * input early, as a C string would).  Every public function runs on them
 * and any broken invariant aborts:
 *  - Compare is antisymmetric, reflexive and transitive (V-2.1);
 *  - Canonical output is valid, a fixed point and Compare-equal (V-1.2);
 *  - IsPseudoVersion implies valid, and a pseudo-version's parts rebuild
 *    it through PseudoVersion (V-4.2 to V-4.5);
 *  - outputs fit their buffers or fail with MV_ELIMIT leaving "".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/proto/semver.h"

#define IN_MAX	1024
#define OUT_MAX	(2 * IN_MAX + 64)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*vfn)(const char *, char *, size_t, struct mv_err *);

#define CHECK(x) do { if (!(x)) abort(); } while (0)

/* Runs fn with a big and a small buffer; returns the big result's rc. */
static int
run(vfn fn, const char *v, char *out)
{
	char small[8];
	struct mv_err err = MV_ERR_INIT;
	int rc, src;

	rc = fn(v, out, OUT_MAX, &err);
	CHECK(rc == 0 || rc == -1);
	CHECK(rc == -1 || strlen(out) < OUT_MAX);
	src = fn(v, small, sizeof(small), &err);
	if (src == -1 && rc == 0) {
		CHECK(err.code == MV_ELIMIT && small[0] == '\0');
		CHECK(strlen(out) >= sizeof(small));
	} else if (rc == 0)
		CHECK(strcmp(out, small) == 0);
	return rc;
}

static void
check_canonical(const char *v)
{
	static char c[OUT_MAX], cc[OUT_MAX];
	bool valid = mv_semver_is_valid(v);

	CHECK(run(mv_semver_canonical, v, c) == 0);
	CHECK(valid == (c[0] != '\0'));
	if (valid) {
		CHECK(mv_semver_is_valid(c));
		CHECK(mv_semver_compare(c, v) == 0);
		CHECK(run(mv_semver_canonical, c, cc) == 0);
		CHECK(strcmp(c, cc) == 0);
	}
	CHECK(run(mv_version_canonical, v, c) == 0);
	CHECK(valid == (c[0] != '\0'));
	if (valid) {
		CHECK(mv_version_is_canonical(c));
		CHECK(run(mv_version_canonical, c, cc) == 0);
		CHECK(strcmp(c, cc) == 0);
	}
	if (mv_version_is_canonical(v)) {
		CHECK(run(mv_version_canonical, v, c) == 0);
		CHECK(strcmp(c, v) == 0);
	}
}

static void
check_accessors(const char *v)
{
	static char o[OUT_MAX];
	static const vfn fns[] = {
		mv_semver_major, mv_semver_major_minor, mv_semver_prerelease,
		mv_semver_build,
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		CHECK(run(fns[i], v, o) == 0);
		if (!mv_semver_is_valid(v))
			CHECK(o[0] == '\0');
	}
	if (mv_check_path_major(v, "", NULL) == 0 ||
	    mv_check_path_major(v, "/v2", NULL) == 0)
		CHECK(mv_semver_is_valid(v));
	(void)mv_check_path_major(v, ".v1", NULL);
	(void)mv_check_path_major(v, ".v1-unstable", NULL);
	(void)mv_check_path_major(v, v, NULL);
}

/* A pseudo-version is valid and rebuilds from its parts (V-4.3 to V-4.5). */
static void
check_pseudo(const char *v)
{
	static char rev[OUT_MAX], base[OUT_MAX], major[OUT_MAX], again[OUT_MAX];
	struct mv_err err = MV_ERR_INIT;
	time_t t;
	int trc, brc;

	trc = mv_pseudo_time(v, &t, &err);
	brc = run(mv_pseudo_base, v, base);
	if (!mv_version_is_pseudo(v)) {
		CHECK(trc == -1 && brc == -1);
		CHECK(run(mv_pseudo_rev, v, rev) == -1);
		return;
	}
	CHECK(mv_semver_is_valid(v));
	CHECK(strchr(v, '-') != strrchr(v, '-'));
	CHECK(run(mv_pseudo_rev, v, rev) == 0 && rev[0] != '\0');
	if (brc == 0 && base[0] != '\0') {
		CHECK(mv_semver_is_valid(base));
		CHECK(mv_semver_compare(base, v) < 0);
	}
	if (trc == 0 && brc == 0) {
		CHECK(run(mv_semver_major, v, major) == 0);
		CHECK(mv_pseudo_make(base[0] == '\0' ? major : "", base, t,
		    rev, again, OUT_MAX, &err) == 0);
		CHECK(strcmp(again, v) == 0);
	}
}

/* V-2.1: Compare is a total preorder; Sort agrees with it (V-2.5). */
static void
check_compare(const char **vs, size_t n)
{
	const char *list[3 + 3];
	size_t i, j, k;
	int c;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			c = mv_semver_compare(vs[i], vs[j]);
			CHECK(c >= -1 && c <= 1);
			CHECK(c == -mv_semver_compare(vs[j], vs[i]));
			if (i == j)
				CHECK(c == 0);
			for (k = 0; k < n && c <= 0; k++)
				if (mv_semver_compare(vs[j], vs[k]) <= 0)
					CHECK(mv_semver_compare(vs[i],
					    vs[k]) <= 0);
		}
	for (i = 0; i < n; i++)
		list[i] = list[n + i] = vs[i];
	mv_semver_sort(list, 2 * n);
	for (i = 0; i + 1 < 2 * n; i++) {
		c = mv_semver_compare(list[i], list[i + 1]);
		CHECK(c < 0 || (c == 0 && strcmp(list[i], list[i + 1]) <= 0));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[IN_MAX + 1];
	const char *vs[3];
	char *p, *nl;
	size_t n = 0, i;

	if (size > IN_MAX)
		size = IN_MAX;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = buf; n < 3; p = nl + 1) {
		vs[n++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
	}
	for (i = 0; i < n; i++) {
		check_canonical(vs[i]);
		check_accessors(vs[i]);
		check_pseudo(vs[i]);
	}
	check_compare(vs, n);
	return 0;
}
