/* tree_seen.c: the hits whose links this process found in place lately. */
/*
 * A hit modvault answers writes the version's links when they are
 * missing (an existing store converges on the tree).  Looking costs a
 * readlink(2) per file, three path walks deep into the tree: a tenth of
 * a hit's time, paid by every hit the web server passes on while the
 * links are there (a server not set up to send from the tree, or one
 * that cannot).  So a version this process found (or made) linked is
 * not looked at again within the same second of CLOCK_MONOTONIC: a hot
 * version is looked at once a second per process, not on every hit.
 * Being wrong costs nothing but that second: a link removed from outside
 * meanwhile is a miss modvault answers, and the next hit a second later
 * writes it again.  The paths that must write or remove links (a commit,
 * rm, gc, quarantine, a policy prune) never ask here, and removing any
 * link in this process forgets them all.
 *
 * Direct-mapped on the zip's digest, which is uniform and names one
 * module@version (the zip's file names carry both); a collision only
 * makes the next hit look again.
 */
#include <string.h>
#include <time.h>

#include "index_priv.h"

static time_t
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return ts.tv_sec;
}

static struct mv_stree_seen *
slot(struct mv_stree *t, const struct mv_version *v)
{
	unsigned i = ((unsigned)v->zip.digest[0] << 8 | v->zip.digest[1]) %
	    MV_STREE_SEEN;

	return &t->seen[i];
}

bool
mv_stree_seen(struct mv_stree *t, const struct mv_version *v)
{
	const struct mv_stree_seen *s = slot(t, v);
	time_t t0 = now();

	return s->at != 0 && s->at == t0 &&
	    memcmp(s->zip, v->zip.digest, sizeof(s->zip)) == 0 &&
	    memcmp(s->info, v->info.digest, sizeof(s->info)) == 0 &&
	    memcmp(s->mod, v->mod.digest, sizeof(s->mod)) == 0;
}

void
mv_stree_saw(struct mv_stree *t, const struct mv_version *v)
{
	struct mv_stree_seen *s = slot(t, v);

	memcpy(s->zip, v->zip.digest, sizeof(s->zip));
	memcpy(s->info, v->info.digest, sizeof(s->info));
	memcpy(s->mod, v->mod.digest, sizeof(s->mod));
	s->at = now();
}

void
mv_stree_forget(struct mv_stree *t)
{
	memset(t->seen, 0, sizeof(t->seen));
}
