/*
 * main.c: modvault.fcgi, the module proxy responder: FastCGI and CGI
 * framing around the library's mv_serve (serve.h).
 *
 * One binary, two ways to run: started by a web server as a FastCGI
 * application (stdin is a listening socket) it loops over requests with
 * libfcgi, keeping the service (config, index, prepared statements,
 * upstream connections) open across requests; started as plain CGI it
 * answers the one request in its environment and exits.  libfcgi's
 * FCGX_IsCGI tells which.  This file only moves bytes: CGI variables in,
 * the response out.
 *
 * The listening socket is fd 0 (libfcgi's convention, what web servers
 * and spawn-fcgi hand over) or, under systemd socket activation, the one
 * LISTEN_FDS names (listen.c).  --children N forks N processes on it
 * (supervise.c), for servers that start only one.
 *
 * The config file is $MODVAULT_CONFIG, else the default path (config.h).
 * A broken config or store does not stop the process: every request is
 * answered 500/503 and the reason is logged (the web server's error log).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "modvault/base/log.h"
#include "modvault/serve/serve.h"
#include "listen.h"
#include "supervise.h"

static int
stdout_write(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	if (n == 0)
		return 0;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/*
 * Plain CGI: the kernel copies a zip from the blob's file to stdout.
 * Falls back (-1) before the first byte only, when stdout cannot take
 * sendfile or the file cannot be opened.
 */
static int
stdout_send_file(void *ctx, const char *path, uint64_t off, uint64_t n)
{
	off_t pos = (off_t)off;
	int fd, first = 1;
	ssize_t k;

	(void)ctx;
	if (fflush(stdout) != 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (n > 0) {
		k = sendfile(STDOUT_FILENO, fd, &pos, n > (1u << 30) ?
		    (size_t)1 << 30 : (size_t)n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		first = 0;
		n -= (uint64_t)k;
	}
	close(fd);
	return first && n > 0 ? -1 : 0;
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

typedef const char *(*getparam_fn)(const char *name, void *ctx);

static void
request_from(struct mv_request *req, const struct mv_service *svc,
    getparam_fn get, void *ctx)
{
	req->method = get("REQUEST_METHOD", ctx);
	req->if_none_match = get("HTTP_IF_NONE_MATCH", ctx);
	req->range = get("HTTP_RANGE", ctx);
	req->host = get("HTTP_HOST", ctx);
	req->https = get("HTTPS", ctx);
	req->accept = get("HTTP_ACCEPT", ctx);
	req->remote_addr = get("REMOTE_ADDR", ctx);
	req->disable_module_fetch = get("HTTP_DISABLE_MODULE_FETCH", ctx);
	req->vars.request_uri = get("REQUEST_URI", ctx);
	req->vars.script_name = get("SCRIPT_NAME", ctx);
	req->vars.path_info = get("PATH_INFO", ctx);
	req->vars.mount = svc->cfg.mount;
}

static const char *
env_get(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

static const char *
fcgx_get(const char *name, void *ctx)
{
	FCGX_Request *r = ctx;

	return FCGX_GetParam(name, r->envp);
}

static void
respond(struct mv_service *svc, const struct mv_request *req,
    struct mv_sink *sink)
{
	struct mv_response res;

	mv_serve(svc, req, &res);
	(void)mv_response_write(&res, sink);
	mv_serve_done(svc, req, &res, sink->written);
	mv_response_release(&res);
}

/* --children N: 0 when absent, -1 (after a message) when wrong. */
static int
children_option(int argc, char **argv)
{
	char *end;
	long n;

	if (argc < 2 || strcmp(argv[1], "--children") != 0)
		return 0;
	if (argc != 3 || (errno = 0, n = strtol(argv[2], &end, 10),
	    errno != 0 || end == argv[2] || *end != '\0' || n < 1 ||
	    n > MV_CHILDREN_MAX)) {
		fprintf(stderr, "modvault.fcgi: --children takes a number "
		    "from 1 to %d\n", MV_CHILDREN_MAX);
		return -1;
	}
	return (int)n;
}

int
main(int argc, char **argv)
{
	struct mv_service svc;
	struct mv_request req;
	struct mv_sink sink;
	FCGX_Request fr;
	char why[256];
	int children, rc;

	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("modvault.fcgi %s\n", PACKAGE_VERSION);
		return 0;
	}
	/* download_mode async: the responder runs itself for this. */
	if (argc == 3 && strcmp(argv[1], "--fetch") == 0) {
		mv_service_open(&svc, getenv("MODVAULT_CONFIG"));
		rc = mv_background_fetch(&svc, argv[2]);
		mv_service_close(&svc);
		return rc;
	}
	if ((children = children_option(argc, argv)) == -1)
		return 2;
	if (mv_listen_adopt(why, sizeof(why)) == -1) {
		mv_log_error("%s", why);
		return 1;
	}
	/* Before the service opens: each child must have its own. */
	if (children > 1 && !FCGX_IsCGI() &&
	    (rc = mv_supervise(children)) != 0)
		return rc == 1 ? 0 : 1;
	mv_service_open(&svc, getenv("MODVAULT_CONFIG"));
	memset(&req, 0, sizeof(req));
	if (FCGX_IsCGI()) {
		request_from(&req, &svc, env_get, NULL);
		sink = (struct mv_sink){ stdout_write, stdout_send_file, NULL, 0 };
		respond(&svc, &req, &sink);
		fflush(stdout);
		mv_service_close(&svc);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		mv_log_error("cannot initialise libfcgi");
		return 1;
	}
	mv_service_start(&svc);
	while (FCGX_Accept_r(&fr) >= 0) {
		request_from(&req, &svc, fcgx_get, &fr);
		sink = (struct mv_sink){ fcgx_write, NULL, fr.out, 0 };
		respond(&svc, &req, &sink);
		FCGX_Finish_r(&fr);
	}
	mv_service_close(&svc);
	return 0;
}
