/*
 * slots.h: a bounded number of concurrent holders across processes, on
 * one file of the store, DATA_DIR/NAME.
 *
 * Slot i is byte i of the file, held with an open-file-description lock
 * (fcntl F_OFD_SETLK).  Such a lock belongs to the open file, not to a
 * process: a descriptor handed to a child (fork, then exec) keeps the slot
 * held for as long as the child runs, and the kernel frees it when the
 * last descriptor closes, however the holder ends.  So a crash never
 * leaves a slot taken, and no count can drift.
 */
#ifndef MODVAULT_SLOTS_H
#define MODVAULT_SLOTS_H

#include "modvault/base/err.h"

#define MV_SLOTS_MAX	1024

/*
 * Takes a free one of the first n slots (n <= MV_SLOTS_MAX): returns 1
 * and *fd, which holds it until closed; 0 when all n are held; -1 when
 * the file cannot be opened or locked.
 */
int	 mv_slots_take(const char *data_dir, const char *name, unsigned n,
	    int *fd, struct mv_err *err);
/* How many of the first n slots are held now (a snapshot). */
int	 mv_slots_held(const char *data_dir, const char *name, unsigned n,
	    unsigned *held, struct mv_err *err);

#endif
