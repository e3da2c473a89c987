/*
 * zip_twice.h: mv_zip_check_mem on the same bytes alone and with a scan
 * of them (zipscan.h), for the tests and the fuzz target that hold the
 * scan to its promise: it may spare reading entries, never change the
 * verdict, the message or the h1.
 */
#ifndef MODVAULT_ZIP_TWICE_H
#define MODVAULT_ZIP_TWICE_H

#include <stdint.h>
#include <string.h>

#include "modvault/zip/zip.h"
#include "modvault/zip/zipscan.h"

#define ZIP_TWICE_DISAGREE	2

/*
 * The result of the check alone (0 or -1, with res and err as it left
 * them), or ZIP_TWICE_DISAGREE when the check with the scan ended
 * otherwise.  *scanned: the entries the scan stood in for.
 */
static inline int
zip_check_twice(const void *zip, size_t len, const char *m, const char *v,
    const struct mv_zip_limits *lim, struct mv_zip_result *res,
    struct mv_err *err, uint64_t *scanned)
{
	struct mv_zip_result with;
	struct mv_zipscan *scan;
	struct mv_err e2;
	int rc, rc2;

	mv_err_clear(err);
	mv_err_clear(&e2);
	rc = mv_zip_check_mem(zip, len, m, v, lim, NULL, res, err);
	if (mv_zipscan_mem(zip, len, lim, &scan, &e2) == -1)
		return ZIP_TWICE_DISAGREE;
	mv_zip_result_init(&with);
	rc2 = mv_zip_check_mem(zip, len, m, v, lim, scan, &with, &e2);
	*scanned = with.scanned;
	if (rc2 != rc || strcmp(with.h1, res->h1) != 0 ||
	    (rc == -1 && (e2.code != err->code ||
	    strcmp(e2.msg, err->msg) != 0)))
		rc = ZIP_TWICE_DISAGREE;
	mv_zipscan_free(scan);
	mv_zip_result_free(&with);
	return rc;
}

#endif
