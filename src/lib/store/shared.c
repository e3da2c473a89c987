/* shared.c: manifests and claims in the bucket the nodes share (see
 * shared.h). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modvault/base/limits.h"
#include "modvault/base/log.h"
#include "modvault/net/s3.h"
#include "modvault/proto/modpath.h"
#include "modvault/proto/pattern.h"
#include "modvault/store/manifest.h"
#include "modvault/store/shared.h"
#include "index_priv.h"

#define MANIFESTS	"manifests/"

bool
mv_store_shared(const struct mv_store *st)
{
	return st->s3 != NULL;
}

/*
 * "manifests/ESCAPED_MODULE/@v/" into key: module paths and versions go
 * into keys escaped as the proxy protocol escapes them (GP-2.1), so no
 * two versions share a key even on a store that folds case.
 */
static int
module_prefix(const char *module, char *key, size_t keysz, struct mv_err *err)
{
	struct mv_buf b = MV_BUF_BOUNDED(MV_S3_KEY_MAX_BYTES);
	int rc;

	rc = mv_buf_puts(&b, MANIFESTS, err) == -1 ||
	    mv_escape_path(module, &b, err) == -1 ||
	    mv_buf_puts(&b, "/@v/", err) == -1 ? -1 : 0;
	if (rc == 0 && (size_t)snprintf(key, keysz, "%s", mv_buf_str(&b)) >=
	    keysz)
		rc = mv_fail(err, MV_ELIMIT, "%s: too long a name for the "
		    "bucket", module);
	mv_buf_free(&b);
	return rc;
}

static int
manifest_key(const char *module, const char *version, char *key,
    size_t keysz, struct mv_err *err)
{
	struct mv_buf b = MV_BUF_BOUNDED(MV_S3_KEY_MAX_BYTES);
	int rc;

	if (module_prefix(module, key, keysz, err) == -1)
		return -1;
	rc = mv_buf_puts(&b, key, err) == -1 ||
	    mv_escape_version(version, &b, err) == -1 ? -1 : 0;
	if (rc == 0 && (size_t)snprintf(key, keysz, "%s", mv_buf_str(&b)) >=
	    keysz)
		rc = mv_fail(err, MV_ELIMIT, "%s@%s: too long a name for the "
		    "bucket", module, version);
	mv_buf_free(&b);
	return rc;
}

struct gather {
	struct mv_buf	*b;
};

static int
gather(void *ctx, const void *p, size_t n, struct mv_err *err)
{
	return mv_buf_append(((struct gather *)ctx)->b, p, n, err);
}

int
mv_store_shared_get(struct mv_store *st, const char *module,
    const char *version, struct mv_version *v, struct mv_err *err)
{
	char key[MV_S3_KEY_MAX_BYTES];
	struct mv_buf text;
	struct gather g = { &text };
	int rc;

	if (st->s3 == NULL)
		return mv_fail(err, MV_ENOTFOUND, "nothing is shared");
	if (manifest_key(module, version, key, sizeof(key), err) == -1)
		return -1;
	mv_buf_init(&text, MV_MANIFEST_MAX_BYTES);
	rc = mv_s3_get(st->s3, key, 0, 0, MV_MANIFEST_MAX_BYTES, gather, &g,
	    NULL, err);
	if (rc == 0 && (rc = mv_manifest_parse(text.data, text.len, v,
	    err)) == -1)
		mv_wrap(err, "the bucket's manifest of %s@%s: ", module,
		    version);
	/* A manifest stored under another name is not this version's. */
	if (rc == 0 && (strcmp(v->module, module) != 0 ||
	    strcmp(v->version, version) != 0))
		rc = mv_fail(err, MV_ECORRUPT, "the bucket's manifest of %s@%s "
		    "names %s@%s", module, version, v->module, v->version);
	mv_buf_free(&text);
	return rc;
}

int
mv_store_shared_put(struct mv_store *st, const struct mv_version *v,
    struct mv_err *err)
{
	char key[MV_S3_KEY_MAX_BYTES];
	struct mv_buf text;
	bool created;
	int rc;

	if (st->s3 == NULL)
		return 0;
	if (manifest_key(v->module, v->version, key, sizeof(key), err) == -1)
		return -1;
	mv_buf_init(&text, MV_MANIFEST_MAX_BYTES);
	rc = mv_manifest_format(v, &text, err);
	if (rc == 0)
		rc = mv_s3_put_mem(st->s3, key, text.data, text.len, true,
		    &created, err);
	mv_buf_free(&text);
	return rc;
}

int
mv_store_shared_remove(struct mv_store *st, const char *module,
    const char *version, struct mv_err *err)
{
	char key[MV_S3_KEY_MAX_BYTES];

	if (st->s3 == NULL)
		return 0;
	if (manifest_key(module, version, key, sizeof(key), err) == -1)
		return -1;
	return mv_s3_delete(st->s3, key, err);
}

struct walk {
	mv_shared_fn	 fn;
	void		*ctx;
	const char	*module;	/* NULL: split each key */
};

/*
 * Unescapes a key's module (n bytes at esc_module) and version into the
 * buffers; false for a key no manifest_key makes (it is skipped: the
 * bucket may hold other things, and is not trusted to name valid ones).
 */
static bool
split_key(const char *esc_module, size_t n, const char *esc_version,
    char *module, size_t modsz, char *version, size_t versz)
{
	struct mv_buf m = MV_BUF_BOUNDED(MV_MODPATH_MAX_BYTES + 1);
	struct mv_buf v = MV_BUF_BOUNDED(MV_VERSION_MAX_BYTES + 1);
	char esc[MV_S3_KEY_MAX_BYTES];
	bool ok;

	if (n == 0 || n >= sizeof(esc))
		return false;
	memcpy(esc, esc_module, n);
	esc[n] = '\0';
	ok = mv_unescape_path(esc, &m, NULL) == 0 &&
	    mv_unescape_version(esc_version, &v, NULL) == 0 &&
	    (size_t)snprintf(module, modsz, "%s", mv_buf_str(&m)) < modsz &&
	    (size_t)snprintf(version, versz, "%s", mv_buf_str(&v)) < versz;
	if (!ok)
		mv_log_debug("bucket key skipped: not a manifest's name");
	mv_buf_free(&m);
	mv_buf_free(&v);
	return ok;
}

/* "manifests/MODULE/@v/VERSION" → module, version; others are skipped. */
static int
walk_key(void *ctx, const char *key, uint64_t size, int64_t mtime)
{
	char module[MV_MODPATH_MAX_BYTES + 1];
	char version[MV_VERSION_MAX_BYTES + 1];
	struct walk *w = ctx;
	const char *at;

	(void)size;
	(void)mtime;
	key += strlen(MANIFESTS);
	if ((at = strstr(key, "/@v/")) == NULL || strchr(at + 4, '/') != NULL ||
	    !split_key(key, (size_t)(at - key), at + 4, module,
	    sizeof(module), version, sizeof(version)))
		return 0;
	if (w->module != NULL && strcmp(module, w->module) != 0)
		return 0;
	return w->fn(w->ctx, module, version);
}

int
mv_store_shared_versions(struct mv_store *st, const char *module,
    mv_shared_fn fn, void *ctx, struct mv_err *err)
{
	char prefix[MV_S3_KEY_MAX_BYTES];
	struct walk w = { fn, ctx, module };

	if (st->s3 == NULL)
		return 0;
	if (module_prefix(module, prefix, sizeof(prefix), err) == -1)
		return -1;
	return mv_s3_list(st->s3, prefix, NULL, walk_key, &w, err);
}

int
mv_store_shared_each(struct mv_store *st, mv_shared_fn fn, void *ctx,
    struct mv_err *err)
{
	struct walk w = { fn, ctx, NULL };

	if (st->s3 == NULL)
		return 0;
	return mv_s3_list(st->s3, MANIFESTS, NULL, walk_key, &w, err);
}

struct each_version {
	struct mv_store	*st;
	const char	*pattern;
	mv_version_fn	 fn;
	void		*ctx;
	struct mv_version *v;
	struct mv_err	*err;
};

static int
read_one(void *ctx, const char *module, const char *version)
{
	struct each_version *ev = ctx;

	if (ev->pattern != NULL && !mv_patterns_match(ev->pattern, module))
		return 0;
	if (mv_store_shared_get(ev->st, module, version, ev->v, ev->err) == -1)
		return -1;
	return ev->fn(ev->ctx, ev->v);
}

int
mv_store_shared_each_version(struct mv_store *st, const char *pattern,
    mv_version_fn fn, void *ctx, struct mv_err *err)
{
	struct each_version ev = { st, pattern, fn, ctx, NULL, err };
	int rc;

	if (st->s3 == NULL)
		return 0;
	if ((ev.v = malloc(sizeof(*ev.v))) == NULL)
		return mv_fail(err, MV_ENOMEM, "out of memory");
	rc = mv_store_shared_each(st, read_one, &ev, err);
	free(ev.v);
	return rc;
}

void
mv_store_shared_version_hash(const char *module, const char *version,
    char hex[MV_SHA256_HEX + 1])
{
	char name[MV_MODPATH_MAX_BYTES + MV_VERSION_MAX_BYTES + 2];
	unsigned char d[MV_SHA256_LEN];

	snprintf(name, sizeof(name), "%s@%s", module, version);
	(void)mv_sha256(name, strlen(name), d, NULL);
	mv_hex(d, MV_SHA256_LEN, hex);
}

static void
claim_key(const char *module, const char *version, char *key, size_t keysz)
{
	char hex[MV_SHA256_HEX + 1];

	mv_store_shared_version_hash(module, version, hex);
	snprintf(key, keysz, "claims/%s", hex);
}

int
mv_store_shared_object_get(struct mv_store *st, const char *key, size_t max,
    struct mv_buf *out, struct mv_err *err)
{
	struct gather g = { out };

	if (st->s3 == NULL)
		return mv_fail(err, MV_ENOTFOUND, "nothing is shared");
	return mv_s3_get(st->s3, key, 0, 0, max, gather, &g, NULL, err);
}

int
mv_store_shared_object_put(struct mv_store *st, const char *key,
    const void *data, size_t len, struct mv_err *err)
{
	if (st->s3 == NULL)
		return 0;
	return mv_s3_put_mem(st->s3, key, data, len, true, NULL, err);
}

/*
 * This node, as its claims name it: the host and the data directory (two
 * nodes may share a host, never a data directory).
 */
static void
node_name(const struct mv_store *st, char *out, size_t outsz)
{
	char host[256] = "";

	(void)gethostname(host, sizeof(host) - 1);
	snprintf(out, outsz, "%s:%s", host, st->dir);
}

/* A claim's body: "NODE PID TIME", for an operator reading the bucket. */
static int
create_claim(struct mv_store *st, const char *key, bool *held,
    struct mv_err *err)
{
	char node[256 + PATH_MAX + 2], body[sizeof(node) + 64];

	node_name(st, node, sizeof(node));
	snprintf(body, sizeof(body), "%s %ld %lld\n", node, (long)getpid(),
	    (long long)time(NULL));
	return mv_s3_put_mem(st->s3, key, body, strlen(body), true, held, err);
}

/*
 * A claim this node left when the object store failed under it: its
 * process has gone (or is us: the node-local claim, which our caller
 * holds, lets one process of a node fill a version at a time).  A claim
 * that cannot be read is not judged here, only by its age.
 */
static bool
left_by_this_node(struct mv_store *st, const char *key)
{
	char node[256 + PATH_MAX + 2], body[sizeof(node) + 64];
	struct mv_buf b = MV_BUF_BOUNDED(sizeof(body) - 1);
	struct gather g = { &b };
	size_t n;
	long pid;
	bool ours = false;

	node_name(st, node, sizeof(node));
	n = strlen(node);
	if (mv_s3_get(st->s3, key, 0, 0, sizeof(body) - 1, gather, &g, NULL,
	    NULL) == 0 && b.len > n && memcmp(b.data, node, n) == 0 &&
	    b.data[n] == ' ' && sscanf(mv_buf_str(&b) + n, " %ld", &pid) == 1 &&
	    pid > 0)
		ours = pid == (long)getpid() || (kill((pid_t)pid, 0) == -1 &&
		    errno == ESRCH);
	mv_buf_free(&b);
	return ours;
}

int
mv_store_shared_claim(struct mv_store *st, const char *module,
    const char *version, bool *held, struct mv_err *err)
{
	char key[MV_S3_KEY_MAX_BYTES];
	struct mv_err e = MV_ERR_INIT;
	int64_t mtime, age;
	uint64_t size;

	*held = true;
	if (st->s3 == NULL)
		return 0;
	claim_key(module, version, key, sizeof(key));
	if (create_claim(st, key, held, err) == -1)
		return -1;
	if (*held)
		return 0;
	/* Someone's: a dead node's once older than the lease, or our own. */
	if (mv_s3_head(st->s3, key, &size, &mtime, &e) == -1)
		return e.code == MV_ENOTFOUND ? create_claim(st, key, held,
		    err) : mv_err_pass(err, &e);
	age = (int64_t)time(NULL) - mtime;
	if (age <= st->claim_lease && !left_by_this_node(st, key))
		return 0;
	mv_log_warn("taking over the %s claim on %s@%s (%lld s old)",
	    age <= st->claim_lease ? "left-behind" : "stale", module, version,
	    (long long)age);
	if (mv_s3_delete(st->s3, key, err) == -1)
		return -1;
	return create_claim(st, key, held, err);
}

int
mv_store_shared_release(struct mv_store *st, const char *module,
    const char *version, struct mv_err *err)
{
	char key[MV_S3_KEY_MAX_BYTES];

	if (st->s3 == NULL)
		return 0;
	claim_key(module, version, key, sizeof(key));
	return mv_s3_delete(st->s3, key, err);
}
