/*
 * discover.c: where a module path's repository is, from go-import meta
 * tags (spec vcs.md VC-3), for paths the static table does not decide.
 *
 * https://M?go-get=1 first (vcs_rewrite applies to this URL as to
 * repositories); over http only when M matches insecure, after https
 * failed at the transport (VC-3.2).  When the tag's prefix is shorter
 * than M, the prefix's own page must say the same (VC-3.6), so a host
 * cannot claim paths its root does not.  A tag of kind "mod" names a
 * module proxy to fetch the module from (VC-3.7; direct.c).
 */
#include <stdio.h>
#include <string.h>

#include "modvault/net/page.h"
#include "modvault/vcs/goimport.h"
#include "fill_priv.h"

/* "https://host/path?go-get=1" for an import path (VC-3.1). */
static int
page_url(const char *path, const char *scheme, char *out, size_t outsz,
    struct mv_err *err)
{
	const char *slash = strchr(path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(out, outsz, "%s://%s/?go-get=1", scheme, path);
	else
		n = snprintf(out, outsz, "%s://%s?go-get=1", scheme, path);
	if (n < 0 || (size_t)n >= outsz)
		return mv_fail(err, MV_ELIMIT, "import path too long");
	return 0;
}

/* One page: fetched (https, then http under insecure) and matched. */
static int
read_page(struct mv_filler *f, const char *path, const char *module,
    bool insecure, struct mv_goimport *imp, struct mv_err *err)
{
	char url[MV_VCS_URL_MAX_BYTES], real[MV_VCS_URL_MAX_BYTES];
	struct mv_err e = MV_ERR_INIT, m = MV_ERR_INIT;
	struct mv_buf body;
	long status = 0;
	bool rw;
	int rc;

	mv_buf_init(&body, MV_GOIMPORT_MAX_BYTES);
	if (page_url(path, "https", url, sizeof(url), err) == -1)
		return -1;
	if (mv_direct_rewrite(f->cfg, url, real, sizeof(real), &rw,
	    err) == -1) {
		mv_buf_free(&body);
		return -1;
	}
	rc = mv_page_get(f->cfg, real, insecure || rw, &body, &status, &e);
	if (rc == -1 && insecure && !rw && e.code == MV_EUPSTREAM) {
		mv_err_clear(&e);
		mv_buf_reset(&body);
		if (page_url(path, "http", url, sizeof(url), err) == -1) {
			mv_buf_free(&body);
			return -1;
		}
		rc = mv_page_get(f->cfg, url, true, &body, &status, &e);
	}
	if (rc == 0 && mv_goimport_match(body.data ? body.data : "", body.len,
	    module, imp, &m) == -1) {
		rc = -1;
		/* The status matters only when no tag was found (VC-3.2). */
		if (imp->ntags == 0 && (status < 200 || status > 299))
			mv_fail(&e, MV_ENOTFOUND, "not found: unrecognized "
			    "import path \"%s\": reading %s: %ld", module, url,
			    status);
		else
			mv_fail(&e, m.code == MV_ENOTFOUND ? MV_ENOTFOUND :
			    m.code, "not found: unrecognized import path \"%s\": "
			    "%s", module, m.msg);
	}
	mv_buf_free(&body);
	if (rc == -1 && e.code != MV_ENOTFOUND && !mv_code_is_local(e.code))
		return mv_fail(err, e.code == MV_ETIMEOUT ? MV_ETIMEOUT :
		    MV_EUPSTREAM, "unrecognized import path \"%s\": %s",
		    module, e.msg);
	return rc == 0 ? 0 : mv_err_pass(err, &e);
}

int
mv_direct_discover(struct mv_filler *f, const char *module,
    const struct mv_policy_decision *pd, struct mv_vcsloc *loc,
    struct mv_err *err)
{
	struct mv_goimport imp, root;
	struct mv_err e = MV_ERR_INIT;

	memset(loc, 0, sizeof(*loc));
	if (read_page(f, module, module, pd->insecure, &imp, err) == -1)
		return -1;
	if (strcmp(imp.prefix, module) != 0) {
		/* VC-3.6: the prefix's page must agree. */
		if (read_page(f, imp.prefix, module, pd->insecure, &root,
		    err) == -1)
			return -1;
		if (!mv_goimport_equal(&imp, &root))
			return mv_fail(err, MV_EUPSTREAM, "VC-3.6: %s and %s "
			    "disagree about go-import for %s", module, imp.prefix,
			    imp.prefix);
	}
	if (mv_goimport_check(&imp, module, &e) == -1)
		return mv_fail(err, MV_EUPSTREAM, "VC-3.7: %s", e.msg);
	snprintf(loc->root, sizeof(loc->root), "%s", imp.prefix);
	snprintf(loc->vcs, sizeof(loc->vcs), "%s", imp.vcs);
	snprintf(loc->url, sizeof(loc->url), "%s", imp.root);
	return 0;
}
