/*
 * answer.h: the module endpoints' answers (module.c), for serve.c's
 * dispatch (private to src/lib/serve/).  Each fills res (status 200, its
 * headers and body source) or fails with err; serve.c turns a failure
 * into the answer.
 */
#ifndef MODVAULT_ANSWER_H
#define MODVAULT_ANSWER_H

#include "modvault/serve/serve.h"

#define MV_CC_IMMUTABLE	"public, max-age=31536000, immutable"
#define MV_CC_STABLE	"public, max-age=86400"
#define MV_CC_SHORT	"public, max-age=60"
#define MV_CT_TEXT	"text/plain; charset=utf-8"
#define MV_CT_JSON	"application/json"

/* GP-5.1: $module/@v/list. */
int	 mv_answer_list(struct mv_service *svc, const struct mv_route *route,
	    struct mv_response *res, struct mv_err *err);
/* GP-5.2, GP-5.3: $module/@v/$version.info and .mod. */
int	 mv_answer_file(struct mv_service *svc, const struct mv_route *route,
	    struct mv_response *res, struct mv_err *err);
/* GP-5.4: $module/@v/$version.zip. */
int	 mv_answer_zip(struct mv_service *svc, const struct mv_route *route,
	    struct mv_response *res, struct mv_err *err);
/* GP-5.5: $module/@latest. */
int	 mv_answer_latest(struct mv_service *svc, const struct mv_route *route,
	    struct mv_response *res, struct mv_err *err);

/* metrics.c: /metrics, Prometheus text, for the addresses config allows. */
int	 mv_answer_metrics(struct mv_service *svc, const struct mv_request *req,
	    struct mv_response *res, struct mv_err *err);

/*
 * status.c: GET / for a browser (status.h): the status page, for the
 * route path (which locates the mount point in the request's URL).
 */
int	 mv_answer_status(struct mv_service *svc, const struct mv_request *req,
	    const char *path, struct mv_response *res, struct mv_err *err);

/*
 * latest_shared.c: with storage = s3, adopts the version V-6.2 picks among
 * this node's and the bucket's versions of module (and any whose go.mod
 * the pick reads), so that mv_answer_latest, computing from this node's
 * rows, sees it.  Failures are logged (the node's own rows still answer);
 * -1 only says the pick did not happen.
 */
/*
 * mode.c: a request answered from the store only got 404 (miss); its
 * download mode (d->mode, not sync) decides what it gets instead: a 302
 * to the first upstream (res), a fetch in the background, or the 404
 * (err, saying why).  path is the request's, relative to the mount.
 */
int	 mv_mode_miss(struct mv_service *svc,
	    const struct mv_policy_decision *d, const char *path,
	    const struct mv_route *route, const struct mv_err *miss,
	    struct mv_response *res, struct mv_err *err);

int	 mv_latest_from_bucket(struct mv_service *svc, const char *module);

#endif
