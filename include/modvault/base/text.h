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

/*
 * Copies s into out (outsz bytes, NUL-terminated, cut short when it does
 * not fit) with every byte outside printable ASCII, and the backslash,
 * written as \xNN.  Returns out.
 */
char	*mv_printable(const char *s, char *out, size_t outsz);

#endif
