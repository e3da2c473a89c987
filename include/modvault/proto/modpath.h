/*
 * modpath.h: module, import and file path validation and the "!" case
 * encoding (spec goproxy-protocol.md, GP-2 and GP-3).
 *
 * Every path that reaches modvault from outside (a request, an upstream
 * zip entry, an import directory) passes through these checks before it is
 * used for anything, in particular before any part of it becomes a key or
 * a file name.  Inputs are NUL-terminated; a path containing a NUL byte is
 * therefore never representable and callers that decode percent-escapes
 * must reject %00 themselves.
 *
 * Every check failure is MV_EINVAL, a length bound included, with a message
 * that quotes the input and names the rule ("invalid module path \"cache\":
 * missing dot in first path element").  The escape and unescape functions
 * append to out only on success (out's own limit may fail with MV_ELIMIT).
 * A bound below is the largest length allowed, excluding the NUL.
 */
#ifndef MODVAULT_MODPATH_H
#define MODVAULT_MODPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/base/limits.h"


enum mv_path_kind {
	MV_PATH_MODULE,	/* GP-3.3 module set */
	MV_PATH_IMPORT,	/* module set plus '+' */
	MV_PATH_FILE,	/* file set: punctuation, space, Unicode letters */
};

/* GP-3.1/3.2/3.3: the rules shared by all three kinds. */
int	 mv_path_check(const char *path, enum mv_path_kind kind,
	    struct mv_err *err);
/* GP-3.2 applied to a single element (no '/'). */
int	 mv_path_check_elem(const char *elem, size_t len, enum mv_path_kind kind,
	    struct mv_err *err);

/* GP-3.4 CheckPath: a valid module path. */
int	 mv_modpath_check(const char *path, struct mv_err *err);
/* Import and file kinds (GP-3.1 to 3.3 with the kind's set). */
int	 mv_importpath_check(const char *path, struct mv_err *err);
int	 mv_filepath_check(const char *path, struct mv_err *err);

/*
 * GP-3.5/3.6 SplitPathVersion: on success *prefix_len is the length of the
 * path without its major suffix and *major points into path at the suffix
 * ("/v2", ".v1", ".v1-unstable"; "" when there is none).
 */
int	 mv_modpath_split_major(const char *path, size_t *prefix_len,
	    const char **major, struct mv_err *err);

/* GP-3.8 Check(path, version): path valid, version valid semver, majors agree. */
int	 mv_modpath_check_version(const char *path, const char *version,
	    struct mv_err *err);

/* GP-2.1: escape a valid module path / a version; appends to out. */
int	 mv_escape_path(const char *path, struct mv_buf *out, struct mv_err *err);
int	 mv_escape_version(const char *version, struct mv_buf *out,
	    struct mv_err *err);
/* GP-2.2: unescape and validate; appends the result to out. */
int	 mv_unescape_path(const char *escaped, struct mv_buf *out,
	    struct mv_err *err);
int	 mv_unescape_version(const char *escaped, struct mv_buf *out,
	    struct mv_err *err);

#endif
