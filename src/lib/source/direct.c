/*
 * direct.c: filling from version control, the "direct" entry of upstream
 * (and every module noproxy matches), as the go command's GOPROXY=direct
 * does it, with git and no Go toolchain (spec vcs.md; see fill_priv.h).
 *
 * A module path is mapped to a repository (locate.h, else go-import
 * discovery: discover.c), its URL rewritten by vcs_rewrite and checked
 * against the transports allowed (https and ssh; http only for insecure
 * modules or a rewrite the operator wrote), mirrored (repo.h), and the
 * version resolved, its .info, .mod and zip made (vcsmod.h, archive.h)
 * into staged files that then go through mv_store_ingest like any
 * download: every zip rule checked again, and the checksum database asked
 * unless nosumdb matches.
 */
#include <stdio.h>
#include <string.h>

#include "modvault/base/log.h"
#include "modvault/store/vcscache.h"
#include "modvault/vcs/archive.h"
#include "modvault/vcs/locate.h"
#include "fill_priv.h"

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
mv_direct_rewrite(const struct mv_config *cfg, const char *url, char *out,
    size_t outsz, bool *rewritten, struct mv_err *err)
{
	const struct mv_vcs_rewrite *best = NULL;
	size_t i;

	*rewritten = false;
	for (i = 0; i < cfg->nvcs_rewrite; i++)
		if (starts(url, cfg->vcs_rewrite[i].from) && (best == NULL ||
		    strlen(cfg->vcs_rewrite[i].from) > strlen(best->from)))
			best = &cfg->vcs_rewrite[i];
	if (best == NULL) {
		if ((size_t)snprintf(out, outsz, "%s", url) >= outsz)
			return mv_fail(err, MV_ELIMIT, "repository URL too long");
		return 0;
	}
	*rewritten = true;
	if ((size_t)snprintf(out, outsz, "%s%s", best->to, url +
	    strlen(best->from)) >= outsz)
		return mv_fail(err, MV_ELIMIT, "repository URL too long");
	return 0;
}

/*
 * The transports git may use for url: https and ssh; http when the
 * module matched insecure or the operator's rewrite chose it; never file,
 * ext or anything else a go-import tag may name.  *http says whether git
 * must be allowed http.
 */
static int
transport_allowed(const char *module, const char *url, bool insecure,
    bool rewritten, bool *http, struct mv_err *err)
{
	*http = false;
	if (starts(url, "https://") || starts(url, "ssh://") ||
	    starts(url, "git+ssh://"))
		return 0;
	if (starts(url, "http://") && (insecure || rewritten)) {
		*http = true;
		return 0;
	}
	/* What a go-import tag named: the remote's doing (502). */
	if (starts(url, "http://"))
		return mv_fail(err, MV_EUPSTREAM, "VC-3.2: %s: repository %s is "
		    "plain http; list the module in insecure to allow it",
		    module, url);
	return mv_fail(err, MV_EUPSTREAM, "VC-4.1: %s: repository URL "
	    "\"%.200s\" uses a transport modvault does not allow (https, ssh, "
	    "or http for insecure modules)", module, url);
}

void
mv_direct_close(struct mv_direct *d)
{
	if (d->have_mod)
		mv_vcsmod_release(&d->m);
	if (d->have_repo)
		mv_repo_close(&d->repo);
	d->have_mod = d->have_repo = false;
}

/* Opens the mirror of url (rewritten, allowed) and lists it. */
static int
open_url(struct mv_filler *f, struct mv_direct *d, const char *module,
    const char *url, bool insecure, bool list, struct mv_err *err)
{
	char repos[PATH_MAX], real[MV_VCS_URL_MAX_BYTES];
	bool rewritten, http;

	if (mv_direct_rewrite(f->cfg, url, real, sizeof(real), &rewritten,
	    err) == -1 ||
	    transport_allowed(module, real, insecure, rewritten, &http,
	    err) == -1 ||
	    mv_store_vcs_dirs(f->st, f->cfg->netrc, repos, sizeof(repos),
	    d->git.home, sizeof(d->git.home), err) == -1)
		return -1;
	snprintf(d->git.program, sizeof(d->git.program), "%s", f->cfg->git);
	d->git.timeout = f->cfg->upstream_timeout;
	d->git.stall_timeout = f->cfg->stall_timeout;
	d->git.allow_http = http;
	if (mv_repo_open(&d->git, repos, real, &d->repo, err) == -1)
		return -1;
	d->have_repo = true;
	if (list && mv_repo_list(&d->repo, err) == -1) {
		mv_repo_close(&d->repo);
		d->have_repo = false;
		return -1;
	}
	return 0;
}

int
mv_direct_open_url(struct mv_filler *f, const char *module, const char *url,
    bool insecure, struct mv_direct *d, struct mv_err *err)
{
	memset(d, 0, sizeof(*d));
	return open_url(f, d, module, url, insecure, true, err);
}

/*
 * VC-2.3: a VCS-qualified path's scheme, probed in the go command's order
 * (https, http when insecure, then ssh); the first remote that answers.
 */
static int
probe(struct mv_filler *f, struct mv_direct *d, const char *module,
    const struct mv_vcsloc *loc, bool insecure, size_t start, char *url,
    size_t urlsz, struct mv_err *err)
{
	static const char *const schemes[] = { "https", "http", "ssh" };
	struct mv_err e = MV_ERR_INIT, first = MV_ERR_INIT;
	size_t i;

	for (i = start; i < 3; i++) {
		if (i == 1 && !insecure)
			continue;
		mv_err_clear(&e);
		if ((size_t)snprintf(url, urlsz, "%s://%s", schemes[i],
		    loc->address) >= urlsz)
			return mv_fail(err, MV_ELIMIT, "repository URL too long");
		if (open_url(f, d, module, url, insecure, true, &e) == 0)
			return 0;
		if (mv_code_is_local(e.code))
			return mv_err_pass(err, &e);
		/* The https answer says most (it is what a rewrite targets). */
		if (first.code == MV_OK)
			first = e;
	}
	return mv_err_pass(err, &first);
}

/*
 * VC-3.7: a "mod" tag names a module proxy (GOPROXY base URL) that serves
 * the module: https (http for insecure modules or a rewrite of the
 * operator's), vcs_rewrite applied like any URL a page names.
 */
static int
tag_proxy(struct mv_filler *f, const char *module,
    const struct mv_policy_decision *pd, const struct mv_vcsloc *loc,
    struct mv_direct *d, struct mv_err *err)
{
	bool rewritten;

	if (mv_direct_rewrite(f->cfg, loc->url, d->proxy, sizeof(d->proxy),
	    &rewritten, err) == -1)
		return -1;
	if (starts(d->proxy, "https://") || (starts(d->proxy, "http://") &&
	    (pd->insecure || rewritten)))
		return 0;
	d->proxy[0] = '\0';
	return mv_fail(err, MV_EUPSTREAM, "VC-3.7: %s: the go-import tag names "
	    "the module proxy \"%.200s\", which is not https (list the module "
	    "in insecure to allow http)", module, loc->url);
}

int
mv_direct_open(struct mv_filler *f, const char *module,
    const struct mv_policy_decision *pd, struct mv_direct *d,
    struct mv_err *err)
{
	struct mv_vcsloc loc;
	char url[MV_VCS_URL_MAX_BYTES];
	bool matched;
	int rc;

	memset(d, 0, sizeof(*d));
	if (mv_vcs_locate_static(module, &loc, &matched, err) == -1 ||
	    (!matched && mv_direct_discover(f, module, pd, &loc, err) == -1))
		return -1;
	if (strcmp(loc.vcs, "mod") == 0)
		return tag_proxy(f, module, pd, &loc, d, err);
	if (strcmp(loc.vcs, "git") != 0)
		return mv_fail(err, MV_ENOTFOUND, "not found: %s: its repository "
		    "%s is %s, and modvault fetches only from git", module,
		    loc.root, loc.vcs);
	/*
	 * VC-2.3 probes https first with ls-remote; https is what nearly
	 * always answers, so it is used at once, and the probe happens only
	 * if it cannot be reached (mv_direct_reprobe): one round trip less.
	 */
	snprintf(url, sizeof(url), "%s", loc.url);
	d->lazy = loc.probe;
	d->insecure = pd->insecure;
	d->loc = loc;
	rc = open_url(f, d, module, url, pd->insecure, false, err);
	if (rc == -1 || mv_vcsmod_init(&d->m, module, loc.root, url, &d->repo,
	    err) == -1) {
		mv_direct_close(d);
		return -1;
	}
	d->have_mod = true;
	return 0;
}

int
mv_direct_reprobe(struct mv_filler *f, struct mv_direct *d,
    struct mv_err *err)
{
	char url[MV_VCS_URL_MAX_BYTES], module[MV_MODPATH_MAX_BYTES + 1];
	struct mv_err e = MV_ERR_INIT;

	if (!d->lazy || (d->have_repo && d->repo.reached))
		return -1;
	d->lazy = false;
	snprintf(module, sizeof(module), "%s", d->have_mod ? d->m.module :
	    "");
	if (module[0] == '\0')
		return -1;
	mv_direct_close(d);
	if (probe(f, d, module, &d->loc, d->insecure, 1, url, sizeof(url),
	    &e) == -1 || mv_vcsmod_init(&d->m, module, d->loc.root, url,
	    &d->repo, &e) == -1) {
		mv_direct_close(d);
		return mv_err_pass(err, &e);
	}
	d->have_mod = true;
	return 0;
}

/* The three files of a version, staged and made from the repository. */
static int
make_files(struct mv_filler *f, struct mv_direct *d,
    const struct mv_revinfo *ri, struct mv_staged *info, struct mv_staged
    *mod, struct mv_staged *zip, struct mv_err *err)
{
	struct mv_buf b;
	int rc;

	mv_buf_init(&b, MV_GOMOD_MAX_BYTES);
	rc = mv_vcs_info_json(&d->m, ri, &b, err) == -1 ||
	    mv_staged_write_buf(info, &b, err) == -1 ? -1 : 0;
	mv_buf_reset(&b);
	if (rc == 0)
		rc = mv_vcs_gomod(&d->m, ri, &b, err) == -1 ||
		    mv_staged_write_buf(mod, &b, err) == -1 ? -1 : 0;
	mv_buf_free(&b);
	if (rc == 0)
		rc = mv_vcs_zip(&d->m, ri, mv_staged_fd(zip), &f->lim, err);
	return rc;
}

/*
 * What a repository did wrong is the upstream's fault (502, naming the
 * rule); not found stays not found, local failures stay local.
 */
static int
refused(const char *module, const char *version, const struct mv_err *e,
    struct mv_err *err)
{
	if (e->code == MV_ENOTFOUND || e->code == MV_EGONE ||
	    e->code == MV_EFORBIDDEN || mv_code_is_local(e->code))
		return mv_err_pass(err, e);
	return mv_fail(err, e->code == MV_ETIMEOUT ? MV_ETIMEOUT :
	    MV_EUPSTREAM, "refused %s@%s from its repository: %s", module,
	    version, e->msg);
}

int
mv_direct_store(struct mv_filler *f, struct mv_direct *d,
    const struct mv_revinfo *ri, const struct mv_policy_decision *pd,
    enum mv_ingest_outcome *outcome, struct mv_err *err)
{
	struct mv_stage *sg = mv_store_stage(f->st);
	struct mv_staged *info = NULL, *mod = NULL, *zip = NULL;
	struct mv_err e = MV_ERR_INIT;
	struct mv_ingest in;
	int rc;

	rc = mv_stage_file(sg, &info, &e) == -1 ||
	    mv_stage_file(sg, &mod, &e) == -1 ||
	    mv_stage_file(sg, &zip, &e) == -1 ||
	    make_files(f, d, ri, info, mod, zip, &e) == -1 ? -1 : 0;
	if (rc == 0) {
		in = (struct mv_ingest){ .module = d->m.module,
		    .version = ri->version, .info = info, .mod = mod,
		    .zip = zip, .origin = d->m.origin_url, .from_vcs = true,
		    .verify = pd->verify_sumdb ? mv_fill_verify_sumdb : NULL,
		    .verify_ctx = f };
		rc = mv_store_ingest(f->st, &in, &f->lim, outcome, &e);
	}
	if (rc == 0)
		mv_log_info("stored %s@%s from %s (%s)", d->m.module,
		    ri->version, d->m.origin_url, ri->hash);
	else
		mv_err_pass(err, &e);
	mv_staged_discard(info);
	mv_staged_discard(mod);
	mv_staged_discard(zip);
	return rc;
}

int
mv_direct_fetch(struct mv_filler *f, const char *module, const char *version,
    const struct mv_policy_decision *pd, enum mv_ingest_outcome *outcome,
    struct mv_err *err)
{
	struct mv_direct d;
	struct mv_revinfo ri;
	struct mv_err e = MV_ERR_INIT;
	int rc;

	if (mv_direct_open(f, module, pd, &d, &e) == -1)
		return refused(module, version, &e, err);
	if (d.proxy[0] != '\0')
		return mv_fill_from_tag_proxy(f, d.proxy, module, version, pd,
		    outcome, err);
	while ((rc = mv_vcs_stat(&d.m, version, &ri, &e)) == -1 &&
	    !mv_code_is_local(e.code) && mv_direct_reprobe(f, &d, NULL) == 0)
		mv_err_clear(&e);
	if (rc == 0 && strcmp(ri.version, version) != 0)
		rc = mv_fail(&e, MV_ENOTFOUND, "not found: %s@%s: the repository "
		    "names it %s", module, version, ri.version);
	else if (rc == -1 && e.code == MV_ENOTFOUND) {
		struct mv_err nf = MV_ERR_INIT;

		mv_fail(&nf, MV_ENOTFOUND, "not found: %s@%s: %s", module,
		    version, e.msg);
		e = nf;
	}
	if (rc == 0)
		rc = mv_direct_store(f, &d, &ri, pd, outcome, &e);
	mv_direct_close(&d);
	return rc == 0 ? 0 : refused(module, version, &e, err);
}
