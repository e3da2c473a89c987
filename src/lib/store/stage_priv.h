/*
 * stage_priv.h: what the store's own files may know of a staged file
 * (private to src/lib/store/): where it is, so the directory backend can
 * link it into place and claims can keep their lock files beside it.
 */
#ifndef MODVAULT_STAGE_PRIV_H
#define MODVAULT_STAGE_PRIV_H

#include "modvault/store/stage.h"

/* The absolute file name of a staged file. */
const char	*mv_staged_path(const struct mv_staged *sf);
/* The staging directory (absolute, no trailing '/'). */
const char	*mv_stage_dir(const struct mv_stage *sg);

/* Name prefixes of what lives in the staging directory. */
#define MV_STAGE_FILE_PREFIX	"stage-"
#define MV_STAGE_CLAIM_PREFIX	"claim-"
/* A removed blob waiting for its bytes to be freed (blob_dir.c). */
#define MV_STAGE_REMOVED_PREFIX	"removed-"

#endif
