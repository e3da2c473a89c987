/*
 * fill.h: filling the store from upstream on a miss.
 *
 * Everything the responder and `modvault fetch` need beyond the store:
 * fetch a module version (its .info, .mod and .zip from one upstream
 * entry, into files of the store's staging area), validate and store it
 * with mv_store_ingest (the same code path as `modvault import`), resolve
 * non-canonical queries, and fetch version lists, with a negative cache
 * for what upstream says does not exist and one download per version
 * however many processes miss it at once (claim.h).  The policy is asked
 * before anything is fetched.
 *
 * Failures say whose they are: MV_ENOTFOUND when upstream says the
 * version does not exist (remembered for negative_ttl); MV_EUPSTREAM,
 * naming the rule or the transfer failure, for anything an upstream did
 * wrong; MV_ETIMEOUT when the wait for another process's download ran
 * out; MV_EFORBIDDEN when the policy says no; local codes (MV_EIO,
 * MV_ENOMEM) when this machine failed.
 */
#ifndef MODVAULT_FILL_H
#define MODVAULT_FILL_H

#include "modvault/base/buf.h"
#include "modvault/base/config.h"
#include "modvault/net/upstream.h"
#include "modvault/policy/policy.h"
#include "modvault/store/counters.h"
#include "modvault/store/index.h"
#include "modvault/sumdb/sumdbc.h"
#include "modvault/zip/zip.h"

struct mv_filler {
	struct mv_store			*st;
	struct mv_upstream		*up;
	const struct mv_config		*cfg;
	const struct mv_policy		*policy;
	struct mv_zip_limits		 lim;
	struct mv_sumdbc		 sumdb;	/* verifies before storing */
	/* Where a version fetched and stored is counted (NULL: nowhere). */
	struct mv_counters		*counters;
	/* Why this process cannot fetch at all (a memory limit), or "". */
	char				 unfit[MV_ERR_MSG_MAX_BYTES];
	/*
	 * Set by the responder for one request (download_mode other than
	 * sync, Disable-Module-Fetch): every fill fails MV_ENOTFOUND, so
	 * only what is stored is answered (with storage = s3, what the
	 * bucket holds counts: a version another node stored is adopted).
	 */
	bool				 store_only;
};

/*
 * Sets up f from the config (the upstream list is parsed here).  st may
 * be NULL (a store that failed to open): every fill then fails.  A process
 * whose address space is limited below MV_FETCH_MIN_ADDRESS_SPACE_BYTES
 * cannot validate a zip safely: every fill then fails with MV_EUNAVAIL
 * saying so (and it is logged once), while what is stored is still served.
 */
int	 mv_filler_init(struct mv_filler *f, struct mv_store *st,
	    const struct mv_config *cfg, const struct mv_policy *policy,
	    struct mv_err *err);
void	 mv_filler_release(struct mv_filler *f);

/*
 * Makes module@version (canonical) present in the store; *outcome says
 * whether this call stored it.  Failures as above.
 */
int	 mv_fill_version(struct mv_filler *f, const char *module,
	    const char *version, enum mv_ingest_outcome *outcome,
	    struct mv_err *err);

/*
 * GP-5.2.4: resolves a non-canonical query ("master", "v1.2.3+meta") by
 * asking upstream for its .info, stores the resolved canonical version and
 * writes it into out (MV_VERSION_MAX_BYTES + 1 bytes).
 */
int	 mv_fill_query(struct mv_filler *f, const char *module,
	    const char *query, char *out, size_t outsz, struct mv_err *err);

/*
 * The version list upstream gives for module, from the store's copy when
 * it is younger than list_ttl, else fetched (and kept).  When upstream
 * fails, the stale copy is used if there is one.  Lines are returned as
 * upstream sent them; the caller filters them.
 */
int	 mv_fill_list(struct mv_filler *f, const char *module,
	    struct mv_buf *out, struct mv_err *err);

/*
 * Upstream's @latest .info for module into out (GP-5.5, V-6.1; not
 * cached), and the version it names into version (may be NULL).
 */
int	 mv_fill_latest(struct mv_filler *f, const char *module,
	    struct mv_buf *out, char *version, size_t versionsz,
	    struct mv_err *err);

#endif
