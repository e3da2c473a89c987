/* tree_policy.c: a new deny or allow line prunes the static tree. */
/*
 * The web server never asks modvault about a file in the tree, so a
 * module denied after its links were written would go on being served.
 * data_dir/static-tree.state holds the SHA-256 of the deny and allow
 * lines (kind and patterns, in file order) the tree was last pruned
 * under, and the tree it names.  A process that opens the store (the
 * responder starting, any modvault command that writes) under other
 * lines takes an exclusive lock on that file, looks again, and removes
 * the links of every stored version the policy now denies before it
 * serves or does anything else; the others wait on the lock, then find
 * the file up to date.  Kept in data_dir, not in the tree, so the web
 * server never serves it.
 *
 * A process that started under the old lines (a FastCGI responder until
 * the web server restarts it) would link a version the new lines deny,
 * on a hit or a fetch, after the prune: a link nothing would remove.  So
 * it keeps the file open and writes links only while the file still
 * says what it pruned under, holding a shared lock that a prune's
 * exclusive one waits for (and links nothing while a prune holds it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "modvault/base/hash.h"
#include "modvault/base/log.h"
#include "index_priv.h"

#define STATE_FILE	"static-tree.state"

/* "<hex of the lines' SHA-256> <tree root>\n". */
static int
wanted_state(const struct mv_store *st, const struct mv_config *cfg,
    char *out, size_t outsz, struct mv_err *err)
{
	unsigned char d[MV_SHA256_LEN];
	char hex[MV_SHA256_HEX + 1];
	struct mv_sha256 *c;
	const char *kind, *pat;
	size_t i;
	int rc = 0;

	if ((c = mv_sha256_new(err)) == NULL)
		return -1;
	for (i = 0; rc == 0 && i < cfg->nrules; i++) {
		if (cfg->rules[i].kind == MV_RULE_MODE)
			continue;	/* how to fetch, not whether to serve */
		kind = mv_rule_kind_name(cfg->rules[i].kind);
		pat = mv_rule_patterns(cfg, &cfg->rules[i]);
		rc = mv_sha256_update(c, kind, strlen(kind) + 1, err) |
		    mv_sha256_update(c, pat, strlen(pat) + 1, err);
	}
	if (rc != 0 || mv_sha256_final(c, d, err) == -1) {
		mv_sha256_free(c);
		return -1;
	}
	mv_sha256_free(c);
	mv_hex(d, MV_SHA256_LEN, hex);
	if ((size_t)snprintf(out, outsz, "%s %s\n", hex, st->tree->root) >=
	    outsz)
		return mv_fail(err, MV_ELIMIT, "static_tree path too long");
	return 0;
}

/* Does the state file (open as fd) say want? */
static bool
state_is(int fd, const char *want)
{
	char have[PATH_MAX + MV_SHA256_HEX + 8];
	ssize_t n = pread(fd, have, sizeof(have) - 1, 0);

	if (n < 0)
		return false;
	have[n] = '\0';
	return strcmp(have, want) == 0;
}

struct prune {
	struct mv_store	*st;
	struct mv_err	*err;
	uint64_t	 dropped;
};

static int
prune_one(void *ctx, const struct mv_version *v)
{
	struct prune *p = ctx;
	bool allow;

	if (mv_stree_allowed(p->st->tree, v->module, v->version, &allow,
	    p->err) == -1)
		return -1;
	if (allow)
		return 0;
	p->dropped++;
	/* Only the tree changes, never the index being walked. */
	return mv_store_tree_drop(p->st, v->module, v->version, p->err);
}

static int
prune_locked(struct mv_store *st, int fd, const char *want,
    struct mv_err *err)
{
	struct prune p = { st, err, 0 };
	size_t n = strlen(want);

	if (state_is(fd, want))
		return 0;	/* another process did it meanwhile */
	if (mv_store_each(st, NULL, prune_one, &p, err) != 0)
		return -1;
	if (ftruncate(fd, 0) == -1 || pwrite(fd, want, n, 0) != (ssize_t)n)
		return mv_fail(err, mv_errno_code(errno), "cannot write %s: "
		    "%s", STATE_FILE, strerror(errno));
	if (p.dropped > 0)
		mv_log_info("static tree: removed the links of %llu versions "
		    "the policy now denies", (unsigned long long)p.dropped);
	return 0;
}

int
mv_store_tree_sync_policy(struct mv_store *st, const struct mv_config *cfg,
    struct mv_err *err)
{
	char want[PATH_MAX + MV_SHA256_HEX + 8], path[PATH_MAX + 32];
	int fd, rc;

	if (wanted_state(st, cfg, want, sizeof(want), err) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/" STATE_FILE, st->dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) == -1)
		return mv_fail(err, mv_errno_code(errno), "cannot open \"%s\": "
		    "%s", path, strerror(errno));
	if (!state_is(fd, want)) {
		mv_store_share_file(path);
		if (flock(fd, LOCK_EX) == -1)
			rc = mv_fail(err, MV_EIO, "cannot lock \"%s\": %s",
			    path, strerror(errno));
		else
			rc = prune_locked(st, fd, want, err);
		(void)flock(fd, LOCK_UN);
		if (rc == -1) {
			close(fd);
			return -1;
		}
	}
	st->tree->state_fd = fd;
	snprintf(st->tree->state, sizeof(st->tree->state), "%s", want);
	return 0;
}

int
mv_stree_policy_hold(struct mv_stree *t, bool *current, struct mv_err *err)
{
	*current = true;
	if (t->state_fd == -1)
		return 0;	/* a read-only store writes no links */
	/* A prune under way: link nothing now, rather than hold up a hit. */
	if (flock(t->state_fd, LOCK_SH | LOCK_NB) == -1) {
		*current = false;
		if (errno == EWOULDBLOCK)
			return 0;
		return mv_fail(err, MV_EIO, "cannot lock %s: %s", STATE_FILE,
		    strerror(errno));
	}
	*current = state_is(t->state_fd, t->state);
	if (!*current && !t->stale_warned) {
		t->stale_warned = true;
		mv_log_warn("static tree: the deny or allow lines changed since "
		    "this process started; it links nothing until restarted");
	}
	return 0;
}

void
mv_stree_policy_release(struct mv_stree *t)
{
	if (t->state_fd != -1)
		(void)flock(t->state_fd, LOCK_UN);
}
