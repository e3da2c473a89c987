/*
 * text.h: text from outside made safe to show.
 *
 * Module paths, versions, file names inside zips and upstream answers
 * reach messages, logs, HTTP bodies and the CLI's output.  Shown raw, a
 * control byte could forge a log line or drive a terminal, and a byte
 * that is not UTF-8 makes a body no client can read.  Everything shown
 * goes through mv_printable.
 */
#ifndef MODVAULT_TEXT_H
#define MODVAULT_TEXT_H

#include <stddef.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"

/*
 * Copies s into out (outsz bytes, NUL-terminated, cut short when it does
 * not fit) with every byte outside printable ASCII, and the backslash,
 * written as \xNN.  Returns out.
 */
char	*mv_printable(const char *s, char *out, size_t outsz);

/*
 * Appends s to out as HTML text, safe both between tags and inside a
 * quoted attribute: & < > " ' become character references.  Bytes that
 * have no business in a page are shown as mv_printable shows them (\xNN):
 * control bytes other than tab and newline, DEL, and bytes that are not
 * part of well-formed UTF-8 (the page is declared UTF-8).  Everything a
 * page shows that came from a request or an upstream goes through here.
 * Fails only when out is full (MV_ELIMIT) or memory runs out.
 */
int	 mv_html_escape(struct mv_buf *out, const char *s, struct mv_err *err);

#endif
