/*
 * policy.h: the one place that decides whether something may happen to a
 * module, and how.
 *
 * Every path that serves, looks up, fetches or imports a module asks
 * mv_policy_decide once, with what it is about to do: the responder right
 * after routing a request, every fill path (fetch from upstream or from
 * git, import; later bundles) before it starts.  Today the configuration
 * says it with GOPRIVATE-style patterns: private (the default of the two
 * below), nosumdb (checksums never looked up, with sumdb_verify), noproxy
 * (never asked of an upstream proxy: straight from git) and insecure;
 * and the deny, allow and download_mode lines, applied in file order,
 * first match wins: a denied module is refused for every action, and
 * when any allow line exists a module no line matches is denied.
 */
#ifndef MODVAULT_POLICY_H
#define MODVAULT_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "modvault/base/config.h"
#include "modvault/base/err.h"

enum mv_policy_action {
	MV_POLICY_SERVE,	/* a client asks for a module's files or list */
	MV_POLICY_LOOKUP,	/* a client asks the checksum database proxy */
	MV_POLICY_FETCH,	/* modvault is about to fetch it from upstream */
	MV_POLICY_IMPORT,	/* an import offers it */
	MV_POLICY__MAX
};

struct mv_policy_decision {
	bool	allow;
	/* Its checksums may be looked up in a checksum database at all. */
	bool	lookup_sumdb;
	/* What is stored must first be verified against the database. */
	bool	verify_sumdb;
	/*
	 * noproxy (default: private): fetched only from version control,
	 * never asked of an upstream proxy (GONOPROXY).
	 */
	bool	direct_only;
	/* insecure: its repository may be reached over http or bad TLS. */
	bool	insecure;
	/* download_mode: how a module the store lacks is got. */
	enum mv_download_mode mode;
	/*
	 * The deny or allow line that decided and the download_mode line
	 * that set mode, as "deny = PATTERNS" (FILE:LINE), or "" when none
	 * did (allowed; sync).
	 */
	char	rule[MV_ERR_MSG_MAX_BYTES];
	char	mode_rule[MV_ERR_MSG_MAX_BYTES];
	/* Why not, when !allow: one line, for the client and the log. */
	char	reason[MV_ERR_MSG_MAX_BYTES];
};

/*
 * The last decisions' rules, by module: a long-lived responder asks about
 * the same few modules again and again, and a thousand policy lines walked
 * on every request would cost the hit path (bench/policy.sh).  The config
 * does not change under a policy, so a remembered answer stays true.
 */
#define MV_POLICY_MEMO_SLOTS		32
#define MV_POLICY_MEMO_MODULE_BYTES	256	/* longer modules: walked */

struct mv_policy_memo {
	char		module[MV_POLICY_MEMO_MODULE_BYTES];	/* "" empty */
	uint16_t	access;		/* rule index + 1; 0: no line */
	uint16_t	mode;
};

struct mv_policy {
	const struct mv_config	*cfg;
	/* Written through a const policy by mv_policy_decide: a cache. */
	struct mv_policy_memo	 memo[MV_POLICY_MEMO_SLOTS];
};

void	 mv_policy_init(struct mv_policy *p, const struct mv_config *cfg);
/*
 * After loading: every pattern of the deny, allow and download_mode lines
 * is one path.Match accepts (a malformed one would silently never
 * match).  MV_ECONFIG "FILE:LINE: KEY: malformed pattern ..." otherwise.
 */
int	 mv_policy_check_config(const struct mv_config *cfg,
	    struct mv_err *err);

/*
 * Decides action for module (unescaped, valid) at version (may be "" or a
 * query).  Fails only when the decision cannot be made.
 */
int	 mv_policy_decide(const struct mv_policy *p,
	    enum mv_policy_action action, const char *module,
	    const char *version, struct mv_policy_decision *d,
	    struct mv_err *err);

/*
 * mv_policy_decide for callers that only go on when allowed: a denial
 * fails with MV_EFORBIDDEN and the reason.
 */
int	 mv_policy_check(const struct mv_policy *p,
	    enum mv_policy_action action, const char *module,
	    const char *version, struct mv_policy_decision *d,
	    struct mv_err *err);

#endif
