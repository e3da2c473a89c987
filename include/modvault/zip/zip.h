/*
 * zip.h: reading and validating module zips with libarchive's seekable
 * (central-directory) zip reader (spec module-zip.md, hashes.md H-2).
 *
 * Nothing in a zip is trusted: every entry name is checked (MZ-1, MZ-3),
 * every entry is decompressed through a bounded reader that stops as soon
 * as the actual bytes exceed the declared size or a limit (MZ-2), and the
 * h1 hash is computed from the same bytes that were checked.  Memory use is
 * bounded by the limits, not by the zip's size: entry data is streamed
 * through SHA-256 and only the root go.mod is kept.
 */
#ifndef MODVAULT_ZIP_H
#define MODVAULT_ZIP_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/base/hash.h"

struct mv_zipscan;	/* modvault/zipscan.h */

struct mv_zip_limits {
	uint64_t	max_zip_bytes;		/* MZ-2.1: archive size */
	uint64_t	max_unzipped_bytes;	/* MZ-2.2: sum of entry sizes */
	uint64_t	max_gomod_bytes;	/* MZ-2.3: root go.mod */
	uint64_t	max_license_bytes;	/* MZ-2.3: root LICENSE */
	uint64_t	max_files;		/* entries (a modvault bound) */
};

/* The go command's limits (MZ-2) and modvault's file-count bound. */
void	 mv_zip_limits_default(struct mv_zip_limits *lim);

struct mv_zip_result {
	char		h1[MV_H1_LEN + 1];	/* H-2 hash of the zip */
	bool		has_gomod;		/* a root go.mod exists */
	struct mv_buf	gomod;			/* its bytes, when it exists */
	uint64_t	nfiles;			/* entries, directories included */
	uint64_t	unzipped_bytes;		/* actual decompressed total */
	uint64_t	scanned;		/* entries digested by a scan */
};

void	 mv_zip_result_init(struct mv_zip_result *r);
void	 mv_zip_result_free(struct mv_zip_result *r);

/*
 * Where a zip's bytes come from: size bytes read by position (a staged
 * file, a blob reader).  pread puts up to n bytes at off into buf and
 * their count in *got (0 at the end); -1 with err on a read failure.
 */
struct mv_zip_input {
	int		(*pread)(void *ctx, void *buf, size_t n, uint64_t off,
			    size_t *got, struct mv_err *err);
	void		*ctx;
	uint64_t	 size;
};

/*
 * MZ-5 CheckZip of the zip in for module@version (unescaped module path,
 * canonical version), plus MZ-2.4 and MZ-4 container rules, then the H-2
 * hash.  When the bytes break a rule, the failure (MV_ECORRUPT, or
 * MV_ELIMIT for a size bound) names the rule ("MZ-3.3: ...") and the
 * first offending entry; whose fault that is (an upstream's, the
 * store's) the caller says.  When they cannot be read, or memory runs
 * out, the failure is MV_EIO / MV_ENOMEM, never a rule.  scan, when not
 * NULL, is a scan of the same bytes made while they downloaded: it spares
 * reading the entries it provably decoded, and changes nothing else.
 */
int	 mv_zip_check_input(const struct mv_zip_input *in, const char *module,
	    const char *version, const struct mv_zip_limits *lim,
	    const struct mv_zipscan *scan, struct mv_zip_result *res,
	    struct mv_err *err);
/*
 * The module path and version a zip names itself by: the "module@version/"
 * prefix of the first name in its central directory (MZ-1.3 makes every
 * name start so).  This says nothing of the zip's validity, only which
 * module@version to check it as (`modvault reindex`); MV_ECORRUPT when the
 * name has no such prefix or a part does not fit.
 */
int	 mv_zip_identify(const struct mv_zip_input *in, uint64_t max_files,
	    char *module, size_t modsz, char *version, size_t versz,
	    struct mv_err *err);
/* The same over a regular file open at fd (read with pread). */
int	 mv_zip_check_fd(int fd, const char *module, const char *version,
	    const struct mv_zip_limits *lim, const struct mv_zipscan *scan,
	    struct mv_zip_result *res, struct mv_err *err);

/* The same over a zip held in memory (used by the fuzz target and tests). */
int	 mv_zip_check_mem(const void *zip, size_t len, const char *module,
	    const char *version, const struct mv_zip_limits *lim,
	    const struct mv_zipscan *scan, struct mv_zip_result *res,
	    struct mv_err *err);

#endif
