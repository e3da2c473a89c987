/*
 * listen.h: the listening socket modvault.fcgi serves on, when systemd
 * (or systemd-socket-activate) hands one over instead of the web server's
 * fd-0 convention.
 */
#ifndef MODVAULT_CGI_LISTEN_H
#define MODVAULT_CGI_LISTEN_H

/*
 * Adopts a socket passed by socket activation ($LISTEN_PID is this
 * process, $LISTEN_FDS is 1: the socket is fd 3) by moving it to fd 0,
 * where libfcgi looks, and unsets LISTEN_PID, LISTEN_FDS and
 * LISTEN_FDNAMES so no child inherits them.  Returns 1 when it adopted a
 * socket, 0 when none was passed (fd 0 is left alone), -1 with a one-line
 * reason in why (at least 128 bytes) when the variables are wrong.
 */
int	 mv_listen_adopt(char *why, size_t whylen);

#endif
