/* service.c: setting up and tearing down the responder (see serve.h). */
#include <stdio.h>
#include <string.h>

#include "modvault/base/log.h"
#include "modvault/serve/serve.h"
#include "modvault/store/shared.h"
#include "modvault/store/stage.h"
#include "modvault/sumdb/sumdbc.h"

/* The configuration, checked as a whole (sumdb keys included). */
static int
load_config(struct mv_service *svc, const char *path, struct mv_err *err)
{
	mv_config_defaults(&svc->cfg);
	if (path == NULL || *path == '\0') {
		if (mv_config_load(&svc->cfg, mv_config_default_path(), 1,
		    err) == -1)
			return -1;
	} else if (mv_config_load(&svc->cfg, path, 0, err) == -1)
		return -1;
	if (mv_policy_check_config(&svc->cfg, err) == -1)
		return -1;
	return mv_sumdbc_check_config(&svc->cfg, err);
}

void
mv_service_open(struct mv_service *svc, const char *config_path)
{
	struct mv_err err = MV_ERR_INIT;

	memset(svc, 0, sizeof(*svc));
	mv_policy_init(&svc->policy, &svc->cfg);
	if (load_config(svc, config_path, &svc->cfg_err) == -1) {
		mv_log_error("%s", svc->cfg_err.msg);
		return;
	}
	mv_log_set_level(svc->cfg.log_level);
	if (mv_log_open(svc->cfg.log, true, &err) == -1) {
		mv_log_error("%s", err.msg);
		mv_err_clear(&err);
	}
	if (mv_store_open_config(&svc->cfg, 0, &svc->store,
	    &svc->store_err) == -1) {
		svc->store = NULL;
		mv_log_error("cannot open the store in %s: %s",
		    svc->cfg.data_dir, svc->store_err.msg);
		return;
	}
	/* Counting is a convenience: without it, serving goes on. */
	if (mv_counters_open(&svc->counters, svc->cfg.data_dir, &err) == -1) {
		mv_log_warn("counters disabled (/metrics and the status page "
		    "show zeros): %s", err.msg);
		mv_err_clear(&err);
	}
	/* Said at start-up; requests still get what this node has cached. */
	if (mv_store_shared(svc->store) && mv_store_ping(svc->store,
	    &err) == -1) {
		mv_log_error("%s", err.msg);
		mv_err_clear(&err);
	}
	if (mv_filler_init(&svc->filler, svc->store, &svc->cfg, &svc->policy,
	    &err) == -1)
		mv_log_error("upstream disabled: %s", err.msg);
	else {
		svc->filler_ok = true;
		svc->filler.counters = svc->counters;
	}
	mv_counters_observe_upstream(svc->counters);
}

void
mv_service_start(struct mv_service *svc)
{
	struct mv_err err = MV_ERR_INIT;
	uint64_t n = 0;

	if (svc->store == NULL)
		return;
	if (mv_stage_clean(mv_store_stage(svc->store), &n, &err) == -1)
		mv_log_warn("cleaning the staging area: %s", err.msg);
	else if (n > 0)
		mv_log_info("removed %llu files left in the staging area by "
		    "processes that died", (unsigned long long)n);
}

void
mv_service_close(struct mv_service *svc)
{
	if (svc->filler_ok)
		mv_filler_release(&svc->filler);
	mv_blobcache_free(&svc->small);
	mv_store_close(svc->store);
	svc->store = NULL;
	mv_counters_observe_upstream(NULL);
	mv_counters_close(svc->counters);
	svc->counters = NULL;
}
