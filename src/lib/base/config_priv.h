/*
 * config_priv.h: what config.c and config_s3.c share: the key table's row
 * and the setters both use.  Not a public interface.
 */
#ifndef MODVAULT_CONFIG_PRIV_H
#define MODVAULT_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/config.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct key {
	const char	*name;
	int		(*set)(struct mv_config *, const struct key *,
			    const char *, struct mv_err *);
	size_t		 off;	/* of the field in struct mv_config */
	uint64_t	 max;	/* string: its size; number: bound; choices */
	const char *const *names;	/* the choices, for set_choice */
	bool		 repeat;	/* may appear on several lines */
};

int	 mv_config_set_string(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
int	 mv_config_set_bytes(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);

/* config_s3.c: storage, s3_*, zip_delivery. */
int	 mv_config_set_storage(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
int	 mv_config_set_s3_endpoint(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
int	 mv_config_set_s3_bucket(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
int	 mv_config_set_s3_region(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
int	 mv_config_set_s3_prefix(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
int	 mv_config_set_s3_access_key(struct mv_config *cfg,
	    const struct key *k, const char *v, struct mv_err *err);
int	 mv_config_set_zip_delivery(struct mv_config *cfg,
	    const struct key *k, const char *v, struct mv_err *err);
/* config_vcs.c: vcs_rewrite, git. */
int	 mv_config_set_vcs_rewrite(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
int	 mv_config_set_git(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
/* config_metrics.c: metrics, and its default (loopback only). */
int	 mv_config_set_metrics(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
void	 mv_config_metrics_defaults(struct mv_config *cfg);
/* config_policy.c: deny, allow, download_mode (k->max: the rule kind). */
int	 mv_config_set_rule(struct mv_config *cfg, const struct key *k,
	    const char *v, struct mv_err *err);
/* After the last line: the storage keys agree with each other. */
int	 mv_config_check_storage(const struct mv_config *cfg, const char *name,
	    struct mv_err *err);

#endif
