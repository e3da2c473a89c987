/*
 * fill_priv.h: what fill.c and share.c share (private to the source
 * layer).
 */
#ifndef MODVAULT_FILL_PRIV_H
#define MODVAULT_FILL_PRIV_H

#include "modvault/source/fill.h"
#include "modvault/store/ingest.h"
#include "modvault/vcs/locate.h"
#include "modvault/vcs/vcsmod.h"

/* The mv_ingest verify hook: the checksum database's word (SD-10.1). */
int	 mv_fill_verify_sumdb(void *ctx, const struct mv_version *v,
	    struct mv_err *err);

/* One fetch from upstream; the caller holds every claim. */
typedef int (*mv_fill_fetch_fn)(struct mv_filler *f, const char *module,
	    const char *version, const struct mv_policy_decision *pd,
	    enum mv_ingest_outcome *outcome, struct mv_err *err);

/*
 * share.c: a version another node stored, from the bucket's manifest,
 * validated as a fetch; *found false (and 0) when the bucket has none, or
 * one naming a blob it no longer holds.
 */
int	 mv_fill_adopt(struct mv_filler *f, const char *module,
	    const char *version, const struct mv_policy_decision *pd,
	    enum mv_ingest_outcome *outcome, bool *found, struct mv_err *err);
/*
 * fetch, once this node holds the bucket's claim on module@version; while
 * another node holds it, waits for its manifest (then adopts it) until
 * the claim ends or upstream_timeout and a margin have passed.
 */
int	 mv_fill_across_nodes(struct mv_filler *f, const char *module,
	    const char *version, const struct mv_policy_decision *pd,
	    mv_fill_fetch_fn fetch, enum mv_ingest_outcome *outcome,
	    struct mv_err *err);

/*
 * vcs_rewrite applied to url (a repository or a go-get page): the longest
 * FROM that prefixes it wins, as with git's insteadOf; *rewritten says
 * whether one did.
 */
int	 mv_direct_rewrite(const struct mv_config *cfg, const char *url,
	    char *out, size_t outsz, bool *rewritten, struct mv_err *err);

/* direct.c: a module's repository, opened for one request. */
struct mv_direct {
	struct mv_git		git;
	struct mv_repo		repo;
	struct mv_vcsmod	m;
	bool			have_repo, have_mod;
	/*
	 * Set instead when the module's go-import tag is of kind "mod"
	 * (VC-3.7): the module proxy that serves it, rewritten and checked;
	 * nothing else is open.
	 */
	char			proxy[MV_VCS_URL_MAX_BYTES];
	/*
	 * A VCS-qualified path (VC-2.3) opened over https without probing
	 * first: if the remote cannot be reached that way, the other schemes
	 * are probed then (mv_direct_reprobe).
	 */
	bool			lazy, insecure;
	struct mv_vcsloc	loc;
};

/*
 * Finds module's repository (static table, else discovery), checks its
 * transport, opens (locks) its mirror.  Failures: MV_ENOTFOUND for a
 * path no repository serves (or one in another VCS), MV_EUPSTREAM for
 * what a server did wrong (a go-import tag naming a transport not
 * allowed included).
 */
int	 mv_direct_open(struct mv_filler *f, const char *module,
	    const struct mv_policy_decision *pd, struct mv_direct *d,
	    struct mv_err *err);
void	 mv_direct_close(struct mv_direct *d);
/*
 * After an operation on d failed: when d was opened over https unprobed
 * and never reached its remote, the next schemes are probed (VC-2.3) and
 * d reopened on the first that answers; 0 then, and the caller tries
 * again.  -1 when there is nothing else to try.
 */
int	 mv_direct_reprobe(struct mv_filler *f, struct mv_direct *d,
	    struct mv_err *err);
/* The repository at url (a stored Origin URL), opened and listed. */
int	 mv_direct_open_url(struct mv_filler *f, const char *module,
	    const char *url, bool insecure, struct mv_direct *d,
	    struct mv_err *err);
/* Logs each stored version of d's module whose tag moved (origin.h). */
void	 mv_origin_watch(struct mv_filler *f, struct mv_direct *d);
/*
 * fill.c: module@version from the module proxy a "mod" go-import tag
 * names (d->proxy), as from an upstream entry of its own.
 */
int	 mv_fill_from_tag_proxy(struct mv_filler *f, const char *url,
	    const char *module, const char *version,
	    const struct mv_policy_decision *pd,
	    enum mv_ingest_outcome *outcome, struct mv_err *err);
/* Makes and ingests the version ri names (resolved by mv_vcs_stat). */
int	 mv_direct_store(struct mv_filler *f, struct mv_direct *d,
	    const struct mv_revinfo *ri, const struct mv_policy_decision *pd,
	    enum mv_ingest_outcome *outcome, struct mv_err *err);
/* module@version (canonical) from its repository into the store. */
int	 mv_direct_fetch(struct mv_filler *f, const char *module,
	    const char *version, const struct mv_policy_decision *pd,
	    enum mv_ingest_outcome *outcome, struct mv_err *err);

/*
 * discover.c: VC-3, the go-import meta tag of https://M?go-get=1 (and of
 * its prefix's page, which must agree); loc as mv_vcs_locate_static.
 */
int	 mv_direct_discover(struct mv_filler *f, const char *module,
	    const struct mv_policy_decision *pd, struct mv_vcsloc *loc,
	    struct mv_err *err);

#endif
