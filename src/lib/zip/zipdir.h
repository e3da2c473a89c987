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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/err.h"
#include "modvault/zip/zip.h"

struct mv_zipdir_entry {
	char		*name;		/* NUL-terminated copy */
	size_t		 namelen;
	uint16_t	 method;
	uint16_t	 flags;
	uint32_t	 mode;		/* Unix st_mode, 0 when not recorded */
	uint64_t	 offset;	/* of the local header */
	/* The 32-bit central fields; 0xffffffff means "see ZIP64". */
	uint32_t	 crc32, csize, usize;
	uint64_t	 csize64;	/* csize, from ZIP64 when needed */
	/* From the local header: where the data starts, and what it says. */
	uint64_t	 data_offset;
	uint16_t	 lflags;
	uint32_t	 lcrc32, lcsize, lusize;
	bool		 lzip64;	/* a ZIP64 extra field is present */
	/* The data descriptor read when the central flags announce one. */
	uint8_t		 desc_len;	/* 12, 16 with PK\7\8; 0: none read */
	uint32_t	 dcsize, dusize;	/* its sizes, as 32-bit fields */
};

struct mv_zipdir {
	struct mv_zipdir_entry	*e;	/* sorted by offset, as libarchive */
	size_t			 n;
	uint64_t		 cd_offset;	/* where the directory starts */
};

/* Where the zip bytes are: memory, or positional reads (zip.h). */
struct mv_zipsrc {
	const void			*mem;	/* when not NULL */
	const struct mv_zip_input	*in;	/* else */
	uint64_t			 size;
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

/*
 * Is entry i laid out the plain way, with nothing a reader could see
 * differently?  True when it uses no ZIP64 field, a stored entry's sizes
 * agree, and its data (csize bytes at data_offset) followed by its data
 * descriptor (bit 3: the one mv_zipdir_read checked, 12 bytes, or 16 with
 * the PK\7\8 signature, whose sizes equal the central ones; else none,
 * and the local header repeats the central CRC and sizes) end exactly
 * where the next local header, or the central directory, begins.  Reads
 * nothing: zipscan.c relies on it entry by entry.
 */
bool	 mv_zipdir_plain(const struct mv_zipdir *dir, size_t i);

#endif
