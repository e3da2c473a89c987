/*
 * supervise.h: several FastCGI processes on one listening socket, for
 * servers that hand modvault.fcgi a socket but start only one process
 * (systemd socket activation, spawn-fcgi -F 1).
 */
#ifndef MODVAULT_CGI_SUPERVISE_H
#define MODVAULT_CGI_SUPERVISE_H

#define MV_CHILDREN_MAX 256

/*
 * Forks n children that share the listening socket on fd 0.  In each
 * child it returns 0 and the child goes on to serve.  The parent accepts
 * nothing: it starts a child again when one dies, passes SIGHUP on to
 * every child, and on SIGTERM or SIGINT stops them all and returns 1
 * (exit 0).  -1 when no child could
 * be started (the reason is logged).
 */
int	 mv_supervise(int n);

#endif
