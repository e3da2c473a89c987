/*
 * repo.c: a bare mirror per remote, and the git commands the go command
 * runs in it (see repo.h; VC-4).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/hash.h"
#include "modvault/vcs/repo.h"

#define LOCK_POLL_MS	50

static int
run(struct mv_repo *r, const char *const *args, struct mv_buf *out,
    int *status, struct mv_err *err)
{
	return mv_git_run(r->git, r->dir, args, out, status, err);
}

/* MZ-8.2: export attributes of the commits themselves never apply. */
static int
write_attributes(const char *dir, struct mv_err *err)
{
	static const char text[] = "* -export-subst -export-ignore\n";
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/info", dir) >=
	    sizeof(path) || (mkdir(path, 0755) == -1 && errno != EEXIST))
		return mv_fail(err, mv_errno_code(errno), "%s: %s", path,
		    strerror(errno));
	if ((size_t)snprintf(path, sizeof(path), "%s/info/attributes", dir) >=
	    sizeof(path))
		return mv_fail(err, MV_ELIMIT, "repository cache path too long");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return mv_fail(err, mv_errno_code(errno), "%s: %s", path,
		    strerror(errno));
	if (write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1) {
		close(fd);
		return mv_fail(err, MV_EIO, "%s: write failed", path);
	}
	return close(fd) == 0 ? 0 : mv_fail(err, MV_EIO, "%s: %s", path,
	    strerror(errno));
}

/*
 * git init --bare under a temporary name, then renamed.  No remote is
 * configured: every transfer names the URL (after "--", and the URL was
 * checked to start with a scheme, so it is never read as an option).
 */
static int
create(struct mv_repo *r, struct mv_err *err)
{
	char tmp[PATH_MAX + 32];
	const char *init[] = { "init", "--bare", "-q", tmp, NULL };
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", r->dir, (long)getpid());
	rc = mv_git_run(r->git, NULL, init, NULL, NULL, err) == -1 ||
	    write_attributes(tmp, err) == -1 ? -1 : 0;
	if (rc == 0 && rename(tmp, r->dir) == -1)
		rc = mv_fail(err, mv_errno_code(errno), "rename %s: %s",
		    tmp, strerror(errno));
	if (rc == -1) {
		const char *rm[] = { "/bin/rm", "-rf", tmp, NULL };
		struct mv_git sh = *r->git;

		/* rm is not git, but runs under the same bounds. */
		snprintf(sh.program, sizeof(sh.program), "%s", rm[0]);
		(void)mv_git_run(&sh, NULL, rm + 1, NULL, NULL, NULL);
	}
	return rc;
}

static int
lock(struct mv_repo *r, struct mv_err *err)
{
	char path[PATH_MAX + 8];
	long waited = 0, limit = r->git->timeout * 1000;
	struct timespec nap = { 0, LOCK_POLL_MS * 1000000L };

	snprintf(path, sizeof(path), "%s.lock", r->dir);
	if ((r->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return mv_fail(err, mv_errno_code(errno), "%s: %s", path,
		    strerror(errno));
	while (flock(r->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return mv_fail(err, MV_EIO, "%s: flock: %s", path,
			    strerror(errno));
		if (waited >= limit)
			return mv_fail(err, MV_ETIMEOUT, "the mirror of %s stayed "
			    "busy for %lds", r->url, r->git->timeout);
		nanosleep(&nap, NULL);
		waited += LOCK_POLL_MS;
	}
	return 0;
}

int
mv_repo_open(const struct mv_git *git, const char *cache_dir,
    const char *url, struct mv_repo *r, struct mv_err *err)
{
	unsigned char d[MV_SHA256_LEN];
	char hex[MV_SHA256_LEN * 2 + 1];
	struct stat sb;

	memset(r, 0, sizeof(*r));
	r->lockfd = -1;
	r->git = git;
	if (strlen(url) >= sizeof(r->url))
		return mv_fail(err, MV_ELIMIT, "repository URL too long");
	snprintf(r->url, sizeof(r->url), "%s", url);
	if (mv_sha256(url, strlen(url), d, err) == -1)
		return -1;
	mv_hex(d, sizeof(d), hex);
	if ((size_t)snprintf(r->dir, sizeof(r->dir), "%s/%s.git", cache_dir,
	    hex) >= sizeof(r->dir))
		return mv_fail(err, MV_ELIMIT, "repository cache path too long");
	if (lock(r, err) == -1) {
		mv_repo_close(r);
		return -1;
	}
	if (stat(r->dir, &sb) == -1) {
		if (create(r, err) == -1) {
			mv_repo_close(r);
			return -1;
		}
		r->fresh = true;
	}
	return 0;
}

void
mv_repo_close(struct mv_repo *r)
{
	size_t i;

	for (i = 0; i < r->nrefs; i++)
		free(r->refs[i].name);
	free(r->refs);
	r->refs = NULL;
	r->nrefs = 0;
	if (r->lockfd != -1)
		close(r->lockfd);
	r->lockfd = -1;
}

static int
ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mv_ref *)a)->name,
	    ((const struct mv_ref *)b)->name);
}

/* n lowercase hex digits, n from min to 40 (git's object names). */
static bool
is_hex(const char *s, size_t n, size_t min)
{
	size_t i;

	if (n < min || n > MV_HASH_HEX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return false;
	return true;
}

static bool
is_hex40(const char *s, size_t n)
{
	return is_hex(s, n, MV_HASH_HEX);
}

static bool
kept_ref(const char *name, size_t n)
{
	return (n == 4 && memcmp(name, "HEAD", 4) == 0) ||
	    (n > 11 && memcmp(name, "refs/heads/", 11) == 0) ||
	    (n > 10 && memcmp(name, "refs/tags/", 10) == 0);
}

/* Sets name's hash (a peeled "X^{}" line replaces X's value). */
static int
ref_set(struct mv_repo *r, const char *name, size_t n, const char *hash,
    size_t *cap, struct mv_err *err)
{
	size_t i;

	for (i = r->nrefs; i-- > 0;)
		if (strlen(r->refs[i].name) == n &&
		    memcmp(r->refs[i].name, name, n) == 0) {
			memcpy(r->refs[i].hash, hash, MV_HASH_HEX);
			return 0;
		}
	if (r->nrefs == MV_REPO_MAX_REFS)
		return mv_fail(err, MV_EUPSTREAM, "%s lists more than %d refs",
		    r->url, MV_REPO_MAX_REFS);
	if (r->nrefs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct mv_ref *nr = realloc(r->refs, ncap * sizeof(*nr));

		if (nr == NULL)
			return mv_fail(err, MV_ENOMEM, "out of memory");
		r->refs = nr;
		*cap = ncap;
	}
	if ((r->refs[r->nrefs].name = strndup(name, n)) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	memcpy(r->refs[r->nrefs].hash, hash, MV_HASH_HEX);
	r->refs[r->nrefs].hash[MV_HASH_HEX] = '\0';
	r->nrefs++;
	return 0;
}

/* "<hash>\t<ref>\n" lines (VC-4.3); peeled lines come after their tag. */
static int
parse_refs(struct mv_repo *r, const char *s, size_t len, struct mv_err *err)
{
	const char *end = s + len, *nl, *tab, *name;
	size_t cap = 0, n;

	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		tab = memchr(s, '\t', (size_t)(nl - s));
		if (tab == NULL || !is_hex40(s, (size_t)(tab - s)))
			return mv_fail(err, MV_EUPSTREAM, "git ls-remote %s: "
			    "unreadable line", r->url);
		name = tab + 1;
		n = (size_t)(nl - name);
		if (n > 3 && memcmp(name + n - 3, "^{}", 3) == 0)
			n -= 3;
		if (n >= MV_REF_MAX_BYTES || !kept_ref(name, n))
			continue;
		if (ref_set(r, name, n, s, &cap, err) == -1)
			return -1;
	}
	qsort(r->refs, r->nrefs, sizeof(*r->refs), ref_cmp);
	return 0;
}

int
mv_repo_list(struct mv_repo *r, struct mv_err *err)
{
	const char *args[] = { "ls-remote", "-q", "--", r->url, NULL };
	struct mv_err e = MV_ERR_INIT;
	struct mv_buf out;
	int rc;

	if (r->listed)
		return 0;
	mv_buf_init(&out, MV_LSREMOTE_MAX_BYTES);
	rc = run(r, args, &out, NULL, &e);
	if (rc == 0)
		rc = parse_refs(r, out.data ? out.data : "", out.len, &e);
	mv_buf_free(&out);
	if (rc == -1) {
		char shown[MV_VCS_URL_MAX_BYTES];

		snprintf(shown, sizeof(shown), "%s", r->url);
		mv_git_scrub(shown);
		/* git says so for a repository that is not there. */
		if (e.code == MV_EUPSTREAM && (strstr(e.msg, "not found") ||
		    strstr(e.msg, "does not appear to be a git repository") ||
		    strstr(e.msg, "returned error: 404") ||
		    strstr(e.msg, "returned error: 410")))
			return mv_fail(err, MV_ENOTFOUND, "repository %s not "
			    "found: %s", shown, e.msg);
		if (!mv_code_is_local(e.code))
			mv_wrap(&e, "%s: ", shown);
		return mv_err_pass(err, &e);
	}
	r->listed = r->reached = true;
	return 0;
}

const char *
mv_repo_ref(const struct mv_repo *r, const char *name)
{
	struct mv_ref key = { (char *)name, { 0 } }, *f;

	f = bsearch(&key, r->refs, r->nrefs, sizeof(*r->refs), ref_cmp);
	return f != NULL ? f->hash : NULL;
}

static bool
is_shallow(const struct mv_repo *r)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/shallow", r->dir);
	return access(path, F_OK) == 0;
}

/* Is the object (a commit) in the mirror already? */
static bool
have_commit(struct mv_repo *r, const char *hash)
{
	char spec[MV_HASH_HEX + 16];
	const char *args[] = { "cat-file", "-e", spec, NULL };
	int status = 1;

	snprintf(spec, sizeof(spec), "%s^{commit}", hash);
	return run(r, args, NULL, &status, NULL) == 0 && status == 0;
}

/* git fetch -f [--depth=1] -- URL refspec (VC-4.4). */
static int
fetch_one(struct mv_repo *r, const char *refspec, int *status,
    struct mv_err *err)
{
	const char *deep[] = { "fetch", "-q", "-f", "--no-tags", "--", r->url,
	    refspec, NULL };
	const char *shal[] = { "fetch", "-q", "-f", "--no-tags", "--depth=1",
	    "--", r->url, refspec, NULL };

	/* A mirror made complete in this use stays complete. */
	if (run(r, r->complete ? deep : shal, NULL, status, err) == -1)
		return -1;
	if (*status == 0)
		r->reached = true;
	return 0;
}

/*
 * The commit a local ref (or hash) names, peeled, and its committer time,
 * in one run; *found false when there is none.  The time is kept for
 * mv_repo_commit_time.
 */
static int
local_commit(struct mv_repo *r, const char *ref, char hash[MV_HASH_HEX + 1],
    bool *found, struct mv_err *err)
{
	char spec[MV_REF_MAX_BYTES + 16];
	const char *args[] = { "log", "-n1", "--format=%H %ct", spec, "--",
	    NULL };
	struct mv_buf out;
	char *end;
	int status = 1, rc;

	*found = false;
	snprintf(spec, sizeof(spec), "%s^{commit}", ref);
	mv_buf_init(&out, 256);
	rc = run(r, args, &out, &status, err);
	if (rc == 0 && status == 0 && out.len > MV_HASH_HEX + 1 &&
	    is_hex40(out.data, MV_HASH_HEX) && out.data[MV_HASH_HEX] == ' ') {
		memcpy(hash, out.data, MV_HASH_HEX);
		hash[MV_HASH_HEX] = '\0';
		r->known_time = strtoll(out.data + MV_HASH_HEX + 1, &end, 10);
		memcpy(r->known_hash, hash, MV_HASH_HEX + 1);
		*found = true;
	}
	mv_buf_free(&out);
	return rc;
}

int
mv_repo_fetch_tag(struct mv_repo *r, const char *tag,
    char hash[MV_HASH_HEX + 1], bool *found, struct mv_err *err)
{
	char ref[MV_REF_MAX_BYTES], spec[2 * MV_REF_MAX_BYTES + 2];
	int status = 1;

	*found = false;
	if ((size_t)snprintf(ref, sizeof(ref), "refs/tags/%s", tag) >=
	    sizeof(ref))
		return mv_fail(err, MV_ELIMIT, "tag name too long");
	/* A mirror made just now holds nothing yet. */
	if (!r->fresh && (local_commit(r, ref, hash, found, err) == -1 ||
	    *found))
		return *found ? 0 : -1;
	snprintf(spec, sizeof(spec), "+%s:%s", ref, ref);
	if (fetch_one(r, spec, &status, err) == -1)
		return -1;
	if (status != 0)
		return 0;	/* no such tag there (or the fetch failed) */
	return local_commit(r, ref, hash, found, err);
}

int
mv_repo_fetch_all(struct mv_repo *r, struct mv_err *err)
{
	const char *full[] = { "fetch", "-q", "-f", "--no-tags", "--", r->url,
	    "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", NULL };
	const char *unsh[] = { "fetch", "-q", "-f", "--no-tags", "--unshallow",
	    "--", r->url, "+refs/heads/*:refs/heads/*",
	    "+refs/tags/*:refs/tags/*", NULL };

	if (r->complete)
		return 0;
	if (run(r, is_shallow(r) ? unsh : full, NULL, NULL, err) == -1)
		return -1;
	r->complete = r->reached = true;
	return 0;
}

/* Fetches the commit a listed ref names, when the mirror lacks it. */
static int
fetch_listed(struct mv_repo *r, const char *ref, const char *hash,
    struct mv_err *err)
{
	char spec[2 * MV_REF_MAX_BYTES + 2];
	struct mv_err e = MV_ERR_INIT;
	int status = 1;

	if (have_commit(r, hash))
		return 0;
	if (strcmp(ref, "HEAD") == 0)
		snprintf(spec, sizeof(spec), "%s:refs/dummy", hash);
	else
		snprintf(spec, sizeof(spec), "+%s:%s", ref, ref);
	if (fetch_one(r, spec, &status, &e) == 0 && status == 0 &&
	    have_commit(r, hash))
		return 0;
	if (e.code != MV_OK && mv_code_is_local(e.code))
		return mv_err_pass(err, &e);
	/* VC-4.4: when the one-ref fetch fails, everything. */
	if (mv_repo_fetch_all(r, err) == -1)
		return -1;
	if (!have_commit(r, hash))
		return mv_fail(err, MV_EUPSTREAM, "%s: %s names %s, which the "
		    "server did not send", r->url, ref, hash);
	return 0;
}

/* VC-4.4: 7 to 40 lowercase hex digits may name a commit. */
static bool
is_hexprefix(const char *s)
{
	return is_hex(s, strlen(s), 7);
}

/* VC-4.4 step 4: a hash prefix among the refs' values, else any commit. */
static int
resolve_hash(struct mv_repo *r, const char *rev, char hash[MV_HASH_HEX + 1],
    struct mv_err *err)
{
	const char *found = NULL, *ref = NULL;
	size_t i, n = strlen(rev);
	bool have;

	for (i = 0; i < r->nrefs; i++) {
		if (strncmp(r->refs[i].hash, rev, n) != 0)
			continue;
		if (found != NULL && strcmp(found, r->refs[i].hash) != 0)
			return mv_fail(err, MV_ENOTFOUND, "ambiguous revision "
			    "%s", rev);
		found = r->refs[i].hash;
		ref = r->refs[i].name;
	}
	if (found != NULL) {
		snprintf(hash, MV_HASH_HEX + 1, "%s", found);
		return fetch_listed(r, ref, found, err);
	}
	/* Only what branches and tags reach: never refs/pull/ and such. */
	if (mv_repo_fetch_all(r, err) == -1 ||
	    local_commit(r, rev, hash, &have, err) == -1)
		return -1;
	if (!have || strncmp(hash, rev, n) != 0)
		return mv_fail(err, MV_ENOTFOUND, "unknown revision %s", rev);
	return 0;
}

int
mv_repo_resolve(struct mv_repo *r, const char *rev,
    char hash[MV_HASH_HEX + 1], char *ref, size_t refsz, struct mv_err *err)
{
	char name[MV_REF_MAX_BYTES];
	const char *h;

	if (ref != NULL && refsz > 0)
		ref[0] = '\0';
	if (mv_repo_list(r, err) == -1)
		return -1;
	if (strlen(rev) + 12 >= sizeof(name))
		return mv_fail(err, MV_ENOTFOUND, "unknown revision %s", rev);
	snprintf(name, sizeof(name), "refs/tags/%s", rev);
	if ((h = mv_repo_ref(r, name)) == NULL) {
		snprintf(name, sizeof(name), "refs/heads/%s", rev);
		h = mv_repo_ref(r, name);
	}
	if (h == NULL && strcmp(rev, "HEAD") == 0) {
		snprintf(name, sizeof(name), "HEAD");
		h = mv_repo_ref(r, name);
	}
	if (h != NULL) {
		snprintf(hash, MV_HASH_HEX + 1, "%s", h);
		if (ref != NULL)
			snprintf(ref, refsz, "%s", name);
		return fetch_listed(r, name, h, err);
	}
	if (is_hexprefix(rev))
		return resolve_hash(r, rev, hash, err);
	return mv_fail(err, MV_ENOTFOUND, "unknown revision %s", rev);
}

int
mv_repo_commit_time(struct mv_repo *r, const char *hash, int64_t *t,
    struct mv_err *err)
{
	const char *args[] = { "log", "-n1", "--format=%ct", hash, "--", NULL };
	struct mv_buf out;
	char *end;
	long long v;
	int rc;

	if (strcmp(hash, r->known_hash) == 0) {
		*t = r->known_time;
		return 0;
	}
	mv_buf_init(&out, 256);
	rc = run(r, args, &out, NULL, err);
	if (rc == 0) {
		errno = 0;
		v = strtoll(mv_buf_str(&out), &end, 10);
		if (errno != 0 || end == mv_buf_str(&out) || *end != '\n')
			rc = mv_fail(err, MV_EUPSTREAM, "commit %s has an "
			    "unreadable time", hash);
		else
			*t = (int64_t)v;
	}
	mv_buf_free(&out);
	return rc;
}

int
mv_repo_read_file(struct mv_repo *r, const char *hash, const char *path,
    struct mv_buf *out, bool *found, struct mv_err *err)
{
	char spec[MV_HASH_HEX + 2 + 4096];
	const char *blob[] = { "cat-file", "blob", spec, NULL };
	int status = 1;

	*found = false;
	if ((size_t)snprintf(spec, sizeof(spec), "%s:%s", hash, path) >=
	    sizeof(spec))
		return mv_fail(err, MV_ELIMIT, "path too long");
	/*
	 * The commit is in the mirror: git fails only when there is no blob
	 * at path (nothing, or a directory), which is "not found".
	 */
	if (run(r, blob, out, &status, err) == -1)
		return -1;
	*found = status == 0;
	if (!*found)
		mv_buf_reset(out);
	return 0;
}

int
mv_repo_merged_tags(struct mv_repo *r, const char *hash, struct mv_buf *out,
    struct mv_err *err)
{
	const char *args[] = { "for-each-ref", "--format=%(refname)",
	    "--merged", hash, "refs/tags", NULL };

	return run(r, args, out, NULL, err);
}

int
mv_repo_descends(struct mv_repo *r, const char *hash, const char *tag,
    bool *yes, struct mv_err *err)
{
	char ref[MV_REF_MAX_BYTES];
	const char *args[] = { "merge-base", "--is-ancestor", "--", ref, hash,
	    NULL };
	int status = 1;

	snprintf(ref, sizeof(ref), "refs/tags/%s", tag);
	if (run(r, args, NULL, &status, err) == -1)
		return -1;
	if (status > 1)
		return mv_fail(err, MV_EUPSTREAM, "git merge-base failed (%d)",
		    status);
	*yes = status == 0;
	return 0;
}
