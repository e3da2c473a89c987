/* blob_cache.c: the directory backend as a node's cache of a shared
 * store: recency, and a bound on its size (see blob_s3.h). */
/*
 * Recency is the file's access time, set by modvault itself (mount
 * options such as noatime do not apply to an explicit utimensat), at most
 * once a minute per blob so a hot blob costs no write per request.  The
 * trim spares what was used in the last ten minutes: the web server may
 * have been handed its path (X-Sendfile) and not opened it yet.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "blob_backend.h"
#include "blob_s3.h"

#define TOUCH_EVERY_SECONDS	60
#define SPARE_SECONDS		600

bool
mv_blobdir_touch(struct mv_blobstore *bs, const unsigned char *digest)
{
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	char path[PATH_MAX];
	struct stat sb;

	mv_blobdir_path(bs, digest, path, sizeof(path));
	if (stat(path, &sb) == -1)
		return false;
	if (time(NULL) - sb.st_atime >= TOUCH_EVERY_SECONDS)
		(void)utimensat(AT_FDCWD, path, ts, 0);
	return true;
}

struct cached {
	struct mv_blobref	ref;
	time_t			used;
};

struct census {
	struct mv_blobstore	*bs;
	struct cached		*c;
	size_t			 n, cap;
	uint64_t		 total;
	struct mv_err		*err;
};

static int
count(void *ctx, const struct mv_blobref *ref)
{
	struct census *cs = ctx;
	char path[PATH_MAX];
	struct cached *p;
	struct stat sb;

	mv_blobdir_path(cs->bs, ref->digest, path, sizeof(path));
	if (stat(path, &sb) == -1)
		return 0;	/* gone meanwhile */
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 256;
		if ((p = realloc(cs->c, cs->cap * sizeof(*p))) == NULL)
			return mv_fail(cs->err, MV_ENOMEM, "out of memory");
		cs->c = p;
	}
	cs->c[cs->n].ref = *ref;
	cs->c[cs->n++].used = sb.st_atime;
	cs->total += ref->size;
	return 0;
}

static int
least_recent_first(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;

	return x->used < y->used ? -1 : x->used > y->used;
}

int
mv_blobdir_trim(struct mv_blobstore *bs, uint64_t max, uint64_t *freed,
    struct mv_err *err)
{
	struct census cs = { bs, NULL, 0, 0, 0, err };
	time_t now = time(NULL);
	uint64_t gone = 0;
	size_t i;

	if (mv_blob_iterate(bs, count, &cs, err) != 0) {
		free(cs.c);
		return -1;
	}
	if (cs.total > max && cs.n > 0)
		qsort(cs.c, cs.n, sizeof(*cs.c), least_recent_first);
	for (i = 0; i < cs.n && cs.total - gone > max; i++) {
		if (now - cs.c[i].used < SPARE_SECONDS)
			break;
		if (mv_blob_remove(bs, cs.c[i].ref.digest, NULL) == 0)
			gone += cs.c[i].ref.size;
	}
	mv_blob_reclaim(bs);
	free(cs.c);
	if (freed != NULL)
		*freed = gone;
	return 0;
}
