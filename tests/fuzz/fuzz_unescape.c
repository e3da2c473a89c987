/* fuzz_unescape.c: libFuzzer target for the "!" encoding and path checks. */
/*
 * The input up to its first NUL is a path (and an escaped path, and a
 * version); the bytes after that NUL are a version for Check (GP-3.8).  Any
 * property that fails calls abort(), so libFuzzer reports it:
 *  - GP-2.2: whatever unescapes is valid, and escaping it gives back the
 *    input byte for byte (the encoding is a bijection on valid inputs);
 *  - GP-2.1: whatever escapes unescapes to itself;
 *  - GP-3.3: the kinds nest, module valid => import valid => file valid;
 *  - GP-3.5: a split major suffix is a suffix of the path;
 *  - every failure is MV_EINVAL with a one-line message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/buf.h"
#include "modvault/proto/modpath.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
must(bool cond)
{
	if (!cond)
		abort();
}

/* A failed call must explain itself on one line. */
static void
failed_well(const struct mv_err *err)
{
	must(err->code == MV_EINVAL);
	must(err->msg[0] != '\0' && strchr(err->msg, '\n') == NULL);
}

typedef int (*codec)(const char *, struct mv_buf *, struct mv_err *);

/*
 * there(s) succeeds => back(there(s)) == s.  With there = unescape this is
 * the GP-2.2 property (and back = escape re-checks validity, GP-2.1); with
 * there = escape it is the GP-2.1 one.
 */
static void
round_trip(const char *s, codec there, codec back)
{
	struct mv_buf t = MV_BUF_BOUNDED(16u << 20), b = MV_BUF_BOUNDED(16u << 20);
	struct mv_err err = MV_ERR_INIT;

	if (there(s, &t, &err) == -1) {
		failed_well(&err);
		must(t.len == 0);
	} else
		must(back(mv_buf_str(&t), &b, &err) == 0 &&
		    strcmp(mv_buf_str(&b), s) == 0);
	mv_buf_free(&t);
	mv_buf_free(&b);
}

static void
check_kinds(const char *s)
{
	struct mv_err err = MV_ERR_INIT;
	const char *major;
	size_t plen;
	int m, i, f;

	m = mv_modpath_check(s, &err);
	i = mv_importpath_check(s, &err);
	f = mv_filepath_check(s, &err);
	must(m == -1 || i == 0);
	must(i == -1 || f == 0);
	must(mv_path_check(s, MV_PATH_MODULE, &err) == 0 || m == -1);
	if (f == -1)
		failed_well(&err);
	if (mv_modpath_split_major(s, &plen, &major, &err) == 0) {
		must(major == s + plen && strlen(major) == strlen(s) - plen);
		must(*major == '\0' || major[1] == 'v');
	} else {
		failed_well(&err);
		must(m == -1);
	}
}

/* The raw bytes (not NUL-terminated, may hold NULs) as one element. */
static void
check_elem(const uint8_t *data, size_t size)
{
	struct mv_err err = MV_ERR_INIT;
	int m, i, f;

	m = mv_path_check_elem((const char *)data, size, MV_PATH_MODULE, &err);
	i = mv_path_check_elem((const char *)data, size, MV_PATH_IMPORT, &err);
	f = mv_path_check_elem((const char *)data, size, MV_PATH_FILE, &err);
	must(m == -1 || i == 0);
	must(i == -1 || f == 0);
	if (f == -1)
		failed_well(&err);
	else
		must(memchr(data, '/', size) == NULL &&
		    memchr(data, '\0', size) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_err err = MV_ERR_INIT;
	const char *version;
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* After the first NUL (if any) comes the version for Check. */
	version = s + strlen(s) + (strlen(s) < size ? 1 : 0);

	round_trip(s, mv_unescape_path, mv_escape_path);
	round_trip(s, mv_unescape_version, mv_escape_version);
	round_trip(s, mv_escape_path, mv_unescape_path);
	round_trip(s, mv_escape_version, mv_unescape_version);
	check_kinds(s);
	check_elem(data, size);
	if (mv_modpath_check_version(s, version, &err) == 0)
		must(mv_modpath_check(s, &err) == 0);
	else
		must(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL);
	free(s);
	return 0;
}
