/*
 * stage.h: the store's node-local staging area, where everything that
 * may become a blob is written first.
 *
 * Fetching, importing (and later git and bundle imports) never build a
 * path from data_dir themselves: they ask the store for a staged file,
 * write or download into it, have it validated, and hand it to the blob
 * store (mv_blob_put_staged), which adopts it without a copy where it can.
 * The staging area is a directory of its own on this node (the store's
 * tmp/), separate from where blobs live, which may be another machine.
 *
 * A staged file is created mode 0444 (a blob is world-readable and never
 * written again; the creator keeps writing through its open descriptor)
 * and holds an exclusive flock(2) for as long as its creator has it open.
 * A crashed creator's lock vanishes with it, so mv_stage_clean removes a
 * staged file exactly when nobody holds it and it is older than a short
 * grace period (covering the instant between creating and locking).
 */
#ifndef MODVAULT_STAGE_H
#define MODVAULT_STAGE_H

#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"

struct mv_stage;
struct mv_staged;

/* Seconds a staged file nobody holds survives before mv_stage_clean. */
#define MV_STAGE_GRACE_SECONDS	60

/*
 * Opens the staging area in dir (an absolute path), creating the
 * directory when absent.  MV_EIO when it cannot be made or is not a
 * directory.
 */
int	 mv_stage_open(const char *dir, struct mv_stage **sg,
	    struct mv_err *err);
void	 mv_stage_close(struct mv_stage *sg);

/* A new, empty staged file, open for writing and reading. */
int	 mv_stage_file(struct mv_stage *sg, struct mv_staged **sf,
	    struct mv_err *err);
/* Appends n bytes (MV_EIO naming the cause, e.g. a full disk). */
int	 mv_staged_write(struct mv_staged *sf, const void *p, size_t n,
	    struct mv_err *err);
/* Appends a whole buffer. */
int	 mv_staged_write_buf(struct mv_staged *sf, const struct mv_buf *b,
	    struct mv_err *err);
/*
 * The staged file's descriptor, for the code that fills it by other
 * means (a download writes to it, the zip scan and check read it with
 * pread).  Owned by sf: never closed by the caller.
 */
int	 mv_staged_fd(const struct mv_staged *sf);
/* The file's current size (fstat), MV_EIO on failure. */
int	 mv_staged_size(const struct mv_staged *sf, uint64_t *size,
	    struct mv_err *err);
/*
 * Reads the whole staged file (at most max bytes, else MV_ELIMIT naming
 * what) into out, which it appends to.
 */
int	 mv_staged_read(const struct mv_staged *sf, const char *what,
	    size_t max, struct mv_buf *out, struct mv_err *err);
/* Removes the file and frees sf (NULL is fine). */
void	 mv_staged_discard(struct mv_staged *sf);

/*
 * Copies the regular file path (never following a symbolic link, never
 * blocking on a FIFO or device: such a file is refused with MV_EINVAL) of
 * at most max bytes into a new staged file.  what names it in messages
 * (".zip").  The copy is what gets validated and stored, so a file that
 * changes while it is imported cannot slip unchecked bytes in.
 */
int	 mv_stage_copy_file(struct mv_stage *sg, const char *path,
	    const char *what, uint64_t max, struct mv_staged **sf,
	    struct mv_err *err);

/*
 * Removes staged files no live process holds, older than
 * MV_STAGE_GRACE_SECONDS, and stale claim files (claim.h); *removed
 * (may be NULL) counts them.  Run at FastCGI start-up and by gc, never
 * per request.
 */
int	 mv_stage_clean(struct mv_stage *sg, uint64_t *removed,
	    struct mv_err *err);

#endif
