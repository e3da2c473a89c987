/* tree_path.c: the names in the static tree and where they point (tree.h). */
/*
 * A name is built only through the GOPROXY protocol's own escaping of a
 * module path and version that passed mv_modpath_check_version, so no
 * request byte ever reaches the file system unchecked: the escaped forms
 * hold no "..", no empty element and no leading dot, and a name read back
 * from the tree counts only when building it again gives the same bytes.
 */
#include <stdio.h>
#include <string.h>

#include "modvault/base/buf.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/semver.h"
#include "modvault/store/tree.h"

static const char *const ext_names[MV_STREE__MAX] = { "info", "mod", "zip" };

const char *
mv_stree_ext_name(enum mv_stree_ext x)
{
	return x < MV_STREE__MAX ? ext_names[x] : "?";
}

int
mv_stree_name(const char *module, const char *version, enum mv_stree_ext x,
    char *out, size_t outsz, struct mv_err *err)
{
	struct mv_buf b;
	int rc = -1;

	if (x >= MV_STREE__MAX)
		return mv_fail(err, MV_EINVAL, "no such tree file kind");
	if (!mv_version_is_canonical(version))
		return mv_fail(err, MV_EINVAL, "\"%s\" is not a canonical "
		    "version", version);
	if (mv_modpath_check_version(module, version, err) == -1)
		return -1;
	mv_buf_init(&b, MV_REQUEST_PATH_MAX_BYTES);
	if (mv_escape_path(module, &b, err) == -1 ||
	    mv_buf_puts(&b, "/@v/", err) == -1 ||
	    mv_escape_version(version, &b, err) == -1 ||
	    mv_buf_printf(&b, err, ".%s", ext_names[x]) == -1)
		goto done;
	if (b.len >= outsz) {
		mv_fail(err, MV_ELIMIT, "tree name of %s@%s too long", module,
		    version);
		goto done;
	}
	memcpy(out, mv_buf_str(&b), b.len + 1);
	rc = 0;
done:
	mv_buf_free(&b);
	return rc;
}

/* Unescapes n bytes of an escaped path or version into out. */
static int
unescape(const char *p, size_t n, bool version, char *out, size_t outsz,
    struct mv_err *err)
{
	char tmp[MV_MODPATH_MAX_BYTES + 1];
	struct mv_buf b;
	int rc;

	if (n == 0 || n >= sizeof(tmp))
		return mv_fail(err, MV_EINVAL, "bad length");
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	mv_buf_init(&b, outsz - 1);
	rc = version ? mv_unescape_version(tmp, &b, err) :
	    mv_unescape_path(tmp, &b, err);
	if (rc == 0)
		memcpy(out, mv_buf_str(&b), b.len + 1);
	mv_buf_free(&b);
	return rc;
}

int
mv_stree_parse(const char *name, char module[MV_MODPATH_MAX_BYTES + 1],
    char version[MV_VERSION_MAX_BYTES + 1], enum mv_stree_ext *x,
    struct mv_err *err)
{
	char again[MV_REQUEST_PATH_MAX_BYTES];
	const char *at, *file, *dot;
	struct mv_err e = MV_ERR_INIT;
	int i;

	if ((at = strstr(name, "/@v/")) == NULL || strstr(at + 4, "/@v/") ||
	    strchr((file = at + 4), '/') != NULL ||
	    (dot = strrchr(file, '.')) == NULL)
		return mv_fail(err, MV_EINVAL, "not a version's file");
	for (i = 0; i < MV_STREE__MAX; i++)
		if (strcmp(dot + 1, ext_names[i]) == 0)
			break;
	if (i == MV_STREE__MAX)
		return mv_fail(err, MV_EINVAL, "not a .info, .mod or .zip");
	*x = (enum mv_stree_ext)i;
	if (unescape(name, (size_t)(at - name), false, module,
	    MV_MODPATH_MAX_BYTES + 1, &e) == -1 ||
	    unescape(file, (size_t)(dot - file), true, version,
	    MV_VERSION_MAX_BYTES + 1, &e) == -1 ||
	    mv_stree_name(module, version, *x, again, sizeof(again), &e) == -1)
		return mv_fail(err, MV_EINVAL, "not a version's file: %s",
		    e.msg);
	if (strcmp(again, name) != 0)
		return mv_fail(err, MV_EINVAL, "not the name of %s@%s", module,
		    version);
	return 0;
}

/* The length of the leading elements a and b have in common. */
static size_t
common_dirs(const char *a, const char *b)
{
	size_t i, last = 0;

	for (i = 0; a[i] != '\0' && a[i] == b[i]; i++)
		if (a[i] == '/')
			last = i;
	/* a is wholly a leading directory of b. */
	if (a[i] == '\0' && b[i] == '/')
		last = i;
	return last;
}

int
mv_stree_relpath(const char *from, const char *to, char *out, size_t outsz,
    struct mv_err *err)
{
	size_t common, len = 0;
	const char *p;
	int n;

	if (from[0] != '/' || to[0] != '/')
		return mv_fail(err, MV_EINVAL, "not absolute paths");
	common = common_dirs(from, to);
	out[0] = '\0';
	/* One ".." for each element of from below the common part. */
	for (p = from + common; *p != '\0'; p++) {
		if (*p != '/' || p[1] == '\0' || p[1] == '/')
			continue;
		if (len + 3 >= outsz)
			return mv_fail(err, MV_ELIMIT, "link target too long");
		memcpy(out + len, "../", 4);
		len += 3;
	}
	n = snprintf(out + len, outsz - len, "%s", to + common + 1);
	if (n < 0 || (size_t)n >= outsz - len)
		return mv_fail(err, MV_ELIMIT, "link target too long");
	return 0;
}
