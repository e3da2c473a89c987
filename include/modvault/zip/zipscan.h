/*
 * zipscan.h: reading a module zip while it downloads, so that validating
 * it afterwards costs almost nothing (issue: a cold fetch near the speed
 * of the download itself).
 *
 * A scan runs beside the transfer on two threads that read the download
 * file as it grows: one puts every byte through SHA-256 (the blob's name),
 * the other has libarchive's streaming zip reader decode each entry through
 * SHA-256 (the per-file digests of H-2), noting where each local header
 * sits.
 *
 * The scan decides nothing.  The authority stays mv_zip_check's pass over
 * the central directory; for each entry that pass takes the scan's digest
 * only when the scan provably decoded the very bytes the central directory
 * describes (same local header, data and descriptor filling exactly the
 * gap to the next header, the same size; see zipscan.c), and reads the
 * entry itself otherwise.  A scan that stopped early (a limit, a broken
 * entry, an odd layout) just means more of that reading: the verdict and
 * the h1 are the same either way.
 */
#ifndef MODVAULT_ZIPSCAN_H
#define MODVAULT_ZIPSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/err.h"
#include "modvault/base/hash.h"
#include "modvault/zip/zip.h"

struct mv_zipscan;

/*
 * Starts scanning the file open at fd (read with pread; the caller keeps
 * writing it).  Memory is bounded by lim->max_files records of 48 bytes
 * plus libarchive's buffers.  Fails only when no thread can be made (the
 * caller then hashes the download itself).
 */
int	 mv_zipscan_start(int fd, const struct mv_zip_limits *lim,
	    struct mv_zipscan **scan, struct mv_err *err);

/* The first `written` bytes of the file are final: the scan may read them. */
void	 mv_zipscan_advance(struct mv_zipscan *scan, uint64_t written);

/*
 * Ends the scan and waits for its thread.  When complete, the file is
 * whole (as last advanced) and digest receives the SHA-256 of all of it;
 * otherwise the scan is abandoned.  -1 when the file could not be read.
 */
int	 mv_zipscan_finish(struct mv_zipscan *scan, bool complete,
	    unsigned char digest[MV_SHA256_LEN], struct mv_err *err);

/* The entry scan over a zip in memory, on the calling thread (tests,
 * fuzz); no blob digest. */
int	 mv_zipscan_mem(const void *zip, size_t len,
	    const struct mv_zip_limits *lim, struct mv_zipscan **scan,
	    struct mv_err *err);

/* How many entries the scan decoded whole (what a test can look at). */
size_t	 mv_zipscan_entries(const struct mv_zipscan *scan);

void	 mv_zipscan_free(struct mv_zipscan *scan);

#endif
