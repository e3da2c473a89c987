/*
 * zipmake.h: creating module zips (spec module-zip.md MZ-6): which files
 * go in (mv_zipmake_select) and writing them (struct mv_zipwriter).
 *
 * Creation is two steps, as in the go command's zip.Create.  Selection
 * looks only at names, types and sizes, never at data, and decides for
 * each file whether it goes in, is silently left out (vendored, in a
 * nested module, a symbolic link, ...), or is invalid (which fails the
 * whole zip).  The writer then streams the data of the files that go in,
 * one bounded chunk at a time, so a module of hundreds of MiB is written
 * with a fixed few hundred KiB of memory plus its central directory.
 *
 * A zip made so passes mv_zip_check_* (zip.h) with the h1 the go command
 * computes for the same files; selection reuses the validator's own name
 * rules (the last section below) so the two cannot drift apart.
 */
#ifndef MODVAULT_ZIPMAKE_H
#define MODVAULT_ZIPMAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/err.h"

/* What lstat says a file is (MZ-6.5 steps 9 and 10). */
enum mv_zipmake_type {
	MV_ZIPMAKE_REGULAR,
	MV_ZIPMAKE_SYMLINK,
	MV_ZIPMAKE_OTHER,	/* device, fifo, socket: never a directory */
	MV_ZIPMAKE__MAX
};

/* One candidate file; the caller owns the name. */
struct mv_zipmake_file {
	const char		*name;	/* slash-separated, from the root */
	enum mv_zipmake_type	 type;
	uint64_t		 size;	/* lstat size: what the writer gets */
};

/*
 * MZ-6.1 to MZ-6.5 for module@version over files[0..n), in input order:
 * keep[i] is set true when file i goes into the zip and false when it is
 * omitted or invalid.
 *
 * gomod/gomod_len are the bytes of the root go.mod (the REGULAR file named
 * exactly "go.mod"), or NULL when there is none; they are read only for
 * the go directive that chooses MZ-6.4's vendor rules (MZ-6.2), and only
 * when files holds such a go.mod.  A go directive of 1.24 or later (read
 * leniently: "1.24", "1.24.0", "1.24rc1", "1.24.x") selects the new rules.
 *
 * In order, first match wins (MZ-6.5): not clean (MZ-3.1) or absolute:
 * invalid; vendored (MZ-6.4), in a nested module (MZ-6.3: a directory
 * holding a REGULAR file whose base is go.mod in any case), or
 * ".hg_archival.txt": omitted; not a valid file path (MZ-3.2), a root
 * "go.mod" in another case (MZ-3.4), a case-fold collision (MZ-3.3):
 * invalid; symlink or other: omitted; then the sizes (MZ-2.2 total, MZ-2.3
 * root go.mod and LICENSE).  As in Go, a name reported once (invalid or
 * omitted) is not reported again: a repeat of it is silently dropped.
 *
 * Returns 0 when the files make a valid zip.  Otherwise -1, with every
 * problem in one message, bounded by the size of err's message ("MZ-6.5:
 * 5 problems cannot go into the module zip: MZ-3.1: file path is not
 * clean: \"a/../b\"; MZ-3.3: ...; and 3 more").  The code is MV_ECORRUPT when any name
 * rule fails, MV_ELIMIT when only size rules do (MZ-2.2, MZ-2.3, and more
 * than mv_zip_limits_default's max_files files kept, a modvault bound).
 * MV_EINVAL: a bad module path or version (MZ-6.1, "MZ-1.1: ...",
 * "MZ-1.2: ..."), or a NULL name.  MV_ENOMEM, or MV_ELIMIT when the
 * collision set outgrows its bound (zip.c's), fail at once.  keep holds
 * the verdicts after a success and after a failure that lists problems
 * (invalid files false); after any other failure it is all false.
 */
int	 mv_zipmake_select(const char *module, const char *version,
	    const struct mv_zipmake_file *files, size_t n, const char *gomod,
	    size_t gomod_len, bool *keep, struct mv_err *err);

/*
 * MZ-6.2: does this go.mod select MZ-6.4's new vendor rules?  True when
 * it parses as Go's modfile.ParseLax parses it (its lexer and blocks, one
 * go directive of one argument, at most one module line of one argument)
 * and that go directive names Go 1.24 or later.  Not looked for: errors
 * inside require and retract lines or module blocks, which would also
 * make ParseLax fail (and the rules old); a go.mod with those is broken
 * for the go command anyway.
 */
bool	 mv_zipmake_gomod_is_new(const char *gomod, size_t len);

/*
 * MZ-6.4 isVendoredPackage(name) under the old (newrules false) or new
 * rules; a pure predicate on the name.
 */
bool	 mv_zipmake_is_vendored(const char *name, bool newrules);

/*
 * The writer: a module zip for module@version, written to an fd the
 * caller opened for writing (a staged file) and still owns: the writer
 * never closes, truncates or syncs it.  Each entry is written as MZ-6.6
 * says, in the order added: "module@version/name", deflate, modification
 * time zero, Unix mode 0100644, no directory entries (see zipwrite.c for
 * the bytes libarchive writes).  Memory: one data chunk, libarchive's
 * deflate and output buffers, and the central directory (about 100 bytes
 * an entry plus the names).
 *
 * Failures: a write to fd that fails is the local code of its errno
 * (mv_errno_code: MV_ENOSPACE for a full disk, else MV_EIO); a zip that
 * would outgrow MZ-2.1's 500 MiB, or entries whose sizes add up past
 * MZ-2.2's 500 MiB, MV_ELIMIT (the check would refuse either); data that
 * does not match its size is MV_ECORRUPT; out of memory MV_ENOMEM; a bad
 * name or module MV_EINVAL; a failure of the read callback is passed on
 * as it reported it.  After any failure the zip is unusable: every later
 * call fails (MV_EINVAL), and the caller frees the writer and discards
 * the file.
 */
struct mv_zipwriter;

/*
 * Starts a zip (MZ-6.1 checks module and version first); on success *w
 * is the caller's, to pass to mv_zipwriter_close or mv_zipwriter_free.
 */
int	 mv_zipwriter_open(int fd, const char *module, const char *version,
	    struct mv_zipwriter **w, struct mv_err *err);

/*
 * Supplies up to n bytes of an entry's data at buf, their count in *got
 * (0 at the end of the data, which a call must then keep reporting);
 * returns 0, or -1 with err.  n is never 0.
 */
typedef int (*mv_zipwriter_read_fn)(void *ctx, void *buf, size_t n,
	    size_t *got, struct mv_err *err);

/*
 * Adds the entry "module@version/name" of exactly size bytes, read through
 * readfn(ctx, ...) until it reports the end.  name must be a valid file path
 * (MZ-3.2, the caller's selection vouches for the rest); data longer or
 * shorter than size fails (MZ-6.6, a file that changed since selection),
 * as soon as the excess is read.
 */
int	 mv_zipwriter_add(struct mv_zipwriter *w, const char *name,
	    uint64_t size, mv_zipwriter_read_fn readfn, void *ctx,
	    struct mv_err *err);
/* The same for data in memory. */
int	 mv_zipwriter_add_mem(struct mv_zipwriter *w, const char *name,
	    const void *data, size_t len, struct mv_err *err);
/*
 * Writes the central directory and frees w, whatever happens; 0 when the
 * whole zip reached fd.  The caller then syncs and closes fd.
 */
int	 mv_zipwriter_close(struct mv_zipwriter *w, struct mv_err *err);
/* Abandons the zip (after a failure): frees w, writes nothing more. */
void	 mv_zipwriter_free(struct mv_zipwriter *w);

/*
 * --- The validator's name rules, shared with creation (zip.c) ----------
 *
 * They live in zip.c beside the check that first needed them; creation
 * calls the same code so that what it accepts the check accepts too.
 */

/* The longest quoted name in a message, quotes and NUL included. */
#define MV_ZIP_QUOTE_MAX	160

/*
 * n bytes of s as a quoted string for a one-line message ("a\x09b"),
 * escaping '"', '\\' and control bytes, shortened with "..." to fit out;
 * returns out.
 */
const char	*mv_zip_quote(char out[MV_ZIP_QUOTE_MAX], const char *s,
		    size_t n);
/* MZ-3.1: Go's path.Clean(s) == s (so "" and "a/" are not clean). */
bool		 mv_zip_path_is_clean(const char *s, size_t n);
/*
 * MZ-3.2: a valid file path (mv_filepath_check), failing with MV_ECORRUPT
 * in Go's words ("MZ-3.2: malformed file path \"bad.go'\": ...").
 */
int		 mv_zip_filepath_check(const char *name, struct mv_err *err);
/*
 * MZ-1.1 and MZ-1.2 (MZ-6.1): version canonical, module path valid and
 * its major suffix consistent with the version; MV_EINVAL otherwise.
 */
int		 mv_zip_check_module_version(const char *module,
		    const char *version, struct mv_err *err);

/*
 * MZ-3.3: the set of names (and their parent directories) seen so far,
 * under Unicode simple case folding.  mv_zipfold_new(max_files) bounds it
 * as the validator does for a zip of max_files entries (twice that many
 * files and directories, plus a few).
 *
 * mv_zipfold_check adds the n bytes at name (a file, or a directory when
 * isdir), then each parent as a directory.  A collision is MV_ECORRUPT
 * with Go's message ("MZ-3.3: case-insensitive file name collision: \"m.go\"
 * and \"M.GO\"", "... entry \"a\" is both a file and a directory",
 * "... multiple entries for file \"a\""); the name stays in the set
 * as far as it was added.  MV_ELIMIT past the bound and MV_ENOMEM are
 * failures of the set itself.  Folding needs a UTF-8 LC_CTYPE (the
 * caller installs one with uselocale); without it a non-ASCII name fails
 * as MV_ECORRUPT ("cannot case-fold file name").
 */
struct mv_zipfold;

struct mv_zipfold	*mv_zipfold_new(uint64_t max_files, struct mv_err *err);
int		 mv_zipfold_check(struct mv_zipfold *f, const char *name,
		    size_t n, bool isdir, struct mv_err *err);
void		 mv_zipfold_free(struct mv_zipfold *f);

#endif
