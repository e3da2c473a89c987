/* import_store.c: filling a store from another store (see import.h). */
/*
 * What moves a directory store into a bucket (`modvault import
 * --from-store DIR`): each version of the old store is restored from its
 * blobs into this one (mv_store_restore: copied into staged files,
 * validated as any download, stored blobs first and its row last), so an
 * interrupted move can simply be run again.
 */
#include <stdlib.h>
#include <string.h>

#include "modvault/source/import.h"
#include "modvault/store/ingest.h"

struct move {
	struct mv_store			*st, *from;
	const struct mv_import_opts	*o;
	struct mv_import_report		*rep;
};

static int
move_one(void *ctx, const struct mv_version *v)
{
	struct move *m = ctx;
	struct mv_policy_decision pd;
	struct mv_restore r = { .want = v, .from = m->from,
	    .check_hashes = true };
	enum mv_ingest_outcome oc = MV_INGEST_PRESENT;
	struct mv_err e = MV_ERR_INIT;
	int rc;

	rc = mv_policy_check(m->o->policy, MV_POLICY_IMPORT, v->module,
	    v->version, &pd, &e);
	if (rc == 0)
		rc = mv_store_restore(m->st, &r, m->o->lim, &oc, &e);
	mv_import_count(m->o, m->rep, v->module, v->version, rc, oc, &e);
	return 0;
}

int
mv_import_store(struct mv_store *st, struct mv_store *from,
    const struct mv_import_opts *o, struct mv_import_report *rep,
    struct mv_err *err)
{
	struct move m = { st, from, o, rep };

	memset(rep, 0, sizeof(*rep));
	return mv_store_each(from, NULL, move_one, &m, err) == 0 ? 0 : -1;
}
