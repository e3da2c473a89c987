/*
 * pattern.h: GOPRIVATE-style glob pattern lists (spec patterns.md).
 */
#ifndef MODVAULT_PATTERN_H
#define MODVAULT_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

enum mv_glob_result {
	MV_GLOB_MATCH,
	MV_GLOB_NOMATCH,
	MV_GLOB_BADPATTERN,	/* PT-4.2: malformed, which never matches */
};

/* PT-4.1: Go's path.Match of the whole of name[0..namelen). */
enum mv_glob_result mv_glob_match(const char *pattern, size_t patlen,
	    const char *name, size_t namelen);

/* PT-2 and PT-3 MatchPrefixPatterns: does any pattern in the comma-separated
 * list match an element prefix of target? */
bool	 mv_patterns_match(const char *list, const char *target);

#endif
