/*
 * main.c: modvault.fcgi, the module proxy responder.
 *
 * One binary, two ways to run: started by a web server as a FastCGI
 * application (stdin is a listening socket) it loops over requests with
 * libfcgi, keeping the config, the index and its prepared statements open
 * across requests; started as plain CGI it answers the one request in its
 * environment and exits.  libfcgi's FCGX_IsCGI tells which.
 *
 * The config file is $MODVAULT_CONFIG, else the default path (see
 * config.h).  A broken config or store does not stop the process: every
 * request is answered 500/503 with the reason, and the reason is logged,
 * so the operator sees it in the web server's error log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "modvault/base/log.h"
#include "modvault/serve/serve.h"

static int
stdout_write(void *ctx, const void *p, size_t n)
{
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/*
 * Plain CGI: the kernel copies a zip from the blob to stdout.  Falls back
 * (-1) before the first byte only, when stdout cannot take sendfile.
 */
static int
stdout_send_fd(void *ctx, int fd, uint64_t off, uint64_t n)
{
	off_t pos = (off_t)off;
	int first = 1;
	ssize_t k;

	if (fflush(stdout) != 0)
		return -1;
	while (n > 0) {
		k = sendfile(STDOUT_FILENO, fd, &pos, n > (1u << 30) ?
		    (size_t)1 << 30 : (size_t)n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return first ? -1 : 0;
		first = 0;
		n -= (uint64_t)k;
	}
	return 0;
}

static int
fcgx_write(void *ctx, const void *p, size_t n)
{
	FCGX_Stream *s = ctx;

	while (n > 0) {
		int chunk = n > 1 << 30 ? 1 << 30 : (int)n;

		if (FCGX_PutStr(p, chunk, s) != chunk)
			return -1;
		p = (const char *)p + chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

static void
app_init(struct mv_app *app)
{
	const char *path = getenv("MODVAULT_CONFIG");
	struct mv_err err;

	memset(app, 0, sizeof(*app));
	mv_config_defaults(&app->cfg);
	if (path == NULL || *path == '\0') {
		if (mv_config_load(&app->cfg, mv_config_default_path(), 1,
		    &err) == -1)
			goto fail;
	} else if (mv_config_load(&app->cfg, path, 0, &err) == -1)
		goto fail;
	mv_log_set_level(app->cfg.log_level);
	if (mv_store_open(app->cfg.data_dir, 0, &app->store,
	    &app->store_err) == -1) {
		app->store = NULL;
		mv_log_error("cannot open the store in %s: %s",
		    app->cfg.data_dir, app->store_err.msg);
		return;
	}
	if (mv_filler_init(&app->filler, app->store, &app->cfg, &err) == -1)
		mv_log_error("upstream disabled: %s", err.msg);
	return;
fail:
	app->store = NULL;
	app->store_err = err;
	mv_log_error("%s", err.msg);
}

static void
app_release(struct mv_app *app)
{
	mv_filler_release(&app->filler);
	mv_blobcache_free(&app->small);
	if (app->store != NULL)
		mv_store_close(app->store);
}

typedef const char *(*getparam_fn)(const char *name, void *ctx);

static void
request_from(struct mv_request *req, const struct mv_app *app,
    getparam_fn get, void *ctx)
{
	req->method = get("REQUEST_METHOD", ctx);
	if (req->method == NULL)
		req->method = "GET";
	req->if_none_match = get("HTTP_IF_NONE_MATCH", ctx);
	req->range = get("HTTP_RANGE", ctx);
	req->vars.request_uri = get("REQUEST_URI", ctx);
	req->vars.script_name = get("SCRIPT_NAME", ctx);
	req->vars.path_info = get("PATH_INFO", ctx);
	req->vars.mount = app->cfg.mount;
}

static const char *
env_get(const char *name, void *ctx)
{
	return getenv(name);
}

static const char *
fcgx_get(const char *name, void *ctx)
{
	FCGX_Request *r = ctx;

	return FCGX_GetParam(name, r->envp);
}

int
main(void)
{
	struct mv_request req;
	struct mv_sink sink;
	FCGX_Request fr;
	struct mv_app app;

	app_init(&app);
	if (FCGX_IsCGI()) {
		request_from(&req, &app, env_get, NULL);
		sink.write = stdout_write;
		sink.send_fd = stdout_send_fd;
		sink.ctx = NULL;
		mv_respond(&app, &req, &sink);
		fflush(stdout);
		app_release(&app);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		mv_log_error("cannot initialise libfcgi");
		return 1;
	}
	while (FCGX_Accept_r(&fr) >= 0) {
		request_from(&req, &app, fcgx_get, &fr);
		sink.write = fcgx_write;
		sink.send_fd = NULL;
		sink.ctx = fr.out;
		mv_respond(&app, &req, &sink);
		FCGX_Finish_r(&fr);
	}
	app_release(&app);
	return 0;
}
