/*
 * zipdir.h: the central directory of a zip, read by modvault itself.
 *
 * libarchive's seekable reader lists entries from the central directory
 * but takes each entry's name and compression method from its local
 * header, and does not report Unix file types other than links and
 * directories faithfully.  The go command trusts the central directory
 * alone (MZ-4.1), so zip.c reads it here too and refuses a zip whose
 * local headers say something else, before anything is hashed.
 */
#ifndef MODVAULT_ZIPDIR_H
#define MODVAULT_ZIPDIR_H

#include <stddef.h>
#include <stdint.h>

#include "modvault/err.h"

struct mv_zipdir_entry {
	char		*name;		/* NUL-terminated copy */
	size_t		 namelen;
	uint16_t	 method;
	uint16_t	 flags;
	uint32_t	 mode;		/* Unix st_mode, 0 when not recorded */
	uint64_t	 offset;	/* of the local header */
};

struct mv_zipdir {
	struct mv_zipdir_entry	*e;	/* sorted by offset, as libarchive */
	size_t			 n;
};

/* Where the zip bytes are: a file descriptor, or memory. */
struct mv_zipsrc {
	int		 fd;		/* used when mem is NULL */
	const void	*mem;
	uint64_t	 size;
};

/*
 * Reads and checks the end record (ZIP64 too), every central record and
 * the local header each points at: names and methods must agree, methods
 * must be 0 or 8 and nothing encrypted (MZ-4.2), Unix types must be
 * regular files or directories (MZ-4.3), at most max_files records (MZ-2).
 */
int	 mv_zipdir_read(const struct mv_zipsrc *src, uint64_t max_files,
	    struct mv_zipdir *dir, struct mv_err *err);
void	 mv_zipdir_free(struct mv_zipdir *dir);

#endif
