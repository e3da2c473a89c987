/*
 * size.h: byte counts as people write them ("500M", "10G"), the same in
 * the configuration file and on the command line.
 */
#ifndef MODVAULT_SIZE_H
#define MODVAULT_SIZE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parses a decimal number with an optional suffix K, M, G or T (powers of
 * 1024; "k" and "KiB"-style spellings are not accepted, so "10m" is an
 * error, not 10 bytes).  False for anything else, or a value over
 * UINT64_MAX.
 */
bool	 mv_size_parse(const char *s, uint64_t *out);

#endif
