/*
 * mvtest_fixtures.h: walking the shared upstream fixtures and looking up
 * their go.sum lines (fixtures/README.md), for the hash and zip tests.
 * Only tests include this; it aborts the test on any I/O failure.
 */
#ifndef MVTEST_FIXTURES_H
#define MVTEST_FIXTURES_H

#include <dirent.h>
#include <sys/stat.h>

#include "mvtest.h"

#define MVTEST_PATH_MAX 1024

/* Reads a whole (small) fixture file; the caller frees it. */
static inline unsigned char *
mvtest_slurp(const char *path, size_t *lenp)
{
	unsigned char *p;
	struct stat st;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1)
		fail_msg("cannot read %s", path);
	if ((p = malloc((size_t)st.st_size + 1)) == NULL)
		fail_msg("out of memory");
	if (fread(p, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		fail_msg("short read on %s", path);
	fclose(f);
	p[st.st_size] = '\0';
	*lenp = (size_t)st.st_size;
	return p;
}

/*
 * The h1 recorded in fixtures/go.sum for "module version" (version may end
 * in "/go.mod"), found by splitting lines on white space (H-5.2).
 */
static inline void
mvtest_gosum_h1(const char *module, const char *version, char out[48])
{
	char path[MVTEST_PATH_MAX], line[1024], m[512], v[256], h[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/go.sum", mvtest_fixtures());
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%511s %255s %127s", m, v, h) != 3)
			continue;
		if (strcmp(m, module) == 0 && strcmp(v, version) == 0 &&
		    strlen(h) == 47) {
			memcpy(out, h, 48);
			fclose(f);
			return;
		}
	}
	fclose(f);
	fail_msg("no go.sum line for %s %s", module, version);
}

/* Undoes the "!" + lower-case escaping of a fixture directory name. */
static inline void
mvtest_unescape(const char *esc, char *out, size_t outsz)
{
	size_t i = 0;

	for (; *esc != '\0' && i + 1 < outsz; esc++) {
		if (*esc == '!' && esc[1] >= 'a' && esc[1] <= 'z')
			out[i++] = (char)(*++esc - 'a' + 'A');
		else
			out[i++] = *esc;
	}
	out[i] = '\0';
}

/* go.sum lines of the fixtures: zip lines, or "/go.mod" lines. */
static inline int
mvtest_gosum_count(int gomod)
{
	char path[MVTEST_PATH_MAX], line[1024], m[512], v[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/go.sum", mvtest_fixtures());
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%511s %255s", m, v) == 2 &&
		    (strstr(v, "/go.mod") != NULL) == (gomod != 0))
			n++;
	fclose(f);
	return n;
}

typedef void mvtest_fixture_fn(const char *file, const char *module,
    const char *version, void *arg);

/*
 * Calls fn for every upstream/<escaped module>/@v/<version><ext> file
 * below dir (rel is the escaped module path so far); returns the count.
 */
static inline int
mvtest_walk(const char *dir, const char *rel, const char *ext,
    mvtest_fixture_fn *fn, void *arg)
{
	char sub[MVTEST_PATH_MAX], subrel[MVTEST_PATH_MAX], mod[512], ver[256];
	size_t elen = strlen(ext), nlen;
	struct dirent *de;
	int count = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		nlen = strlen(de->d_name);
		if (strcmp(de->d_name, "@v") == 0) {
			count += mvtest_walk(sub, rel, ext, fn, arg);
		} else if (strstr(dir, "/@v") != NULL) {
			if (nlen <= elen ||
			    strcmp(de->d_name + nlen - elen, ext) != 0)
				continue;
			mvtest_unescape(rel, mod, sizeof(mod));
			snprintf(ver, sizeof(ver), "%.*s",
			    (int)(nlen - elen), de->d_name);
			fn(sub, mod, ver, arg);
			count++;
		} else if (de->d_name[0] != '@') {
			snprintf(subrel, sizeof(subrel), "%s%s%s", rel,
			    *rel != '\0' ? "/" : "", de->d_name);
			count += mvtest_walk(sub, subrel, ext, fn, arg);
		}
	}
	closedir(d);
	return count;
}

/* Walks fixtures/upstream for files ending in ext (".mod", ".zip"). */
static inline int
mvtest_each_upstream(const char *ext, mvtest_fixture_fn *fn, void *arg)
{
	char top[MVTEST_PATH_MAX];

	snprintf(top, sizeof(top), "%s/upstream", mvtest_fixtures());
	return mvtest_walk(top, "", ext, fn, arg);
}

#endif
