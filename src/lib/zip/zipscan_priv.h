/*
 * zipscan_priv.h: how zip.c asks a scan (modvault/zipscan.h) for the
 * digest of one central-directory entry.
 */
#ifndef MODVAULT_ZIPSCAN_PRIV_H
#define MODVAULT_ZIPSCAN_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/hash.h"
#include "modvault/zip/zipscan.h"
#include "zipdir.h"

/*
 * True, with the entry's decoded size and SHA-256, when the scan decoded
 * exactly the bytes the central directory gives entry i of dir; false
 * when zip.c must read the entry itself.
 */
bool	 mv_zipscan_digest(const struct mv_zipscan *scan,
	    const struct mv_zipdir *dir, size_t i, uint64_t *size,
	    unsigned char digest[MV_SHA256_LEN]);

#endif
