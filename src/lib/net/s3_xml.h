/*
 * s3_xml.h: the XML an S3 gateway answers (a ListObjectsV2 page, an error
 * body), read with expat.  Pure: memory in, a struct out, no I/O, so the
 * fuzz target (tests/fuzz/fuzz_s3list.c) calls it on arbitrary bytes.
 */
#ifndef MODVAULT_S3_XML_H
#define MODVAULT_S3_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/err.h"
#include "modvault/base/limits.h"

/* One <Contents> (an object) or <CommonPrefixes> (is_prefix, size 0). */
struct mv_s3_entry {
	char		*key;	/* the full key, configured prefix included */
	uint64_t	 size;
	int64_t		 mtime;	/* LastModified, unix seconds; 0 for prefixes */
	bool		 is_prefix;
};

struct mv_s3_page {
	struct mv_s3_entry	*e;	/* by key, bytewise (S3's order) */
	size_t		 n;
	bool		 truncated;	/* IsTruncated: another page follows */
	char		 token[MV_S3_TOKEN_MAX_BYTES + 1];	/* its token */
};

/*
 * Parses xml[0..len) as a ListBucketResult into pg (which the caller
 * frees with mv_s3_page_free, on failure too).  Refused, with MV_EIO: XML
 * that is not well-formed or has a DOCTYPE (no entity is ever expanded),
 * another root element, an object without Key or Size, a key empty or
 * over MV_S3_KEY_MAX_BYTES, a Size or LastModified that does not parse,
 * more than MV_S3_LIST_MAX_ENTRIES entries, a token over its bound,
 * nesting deeper than S3 uses.
 */
int	 mv_s3_page_parse(const char *xml, size_t len, struct mv_s3_page *pg,
	    struct mv_err *err);
void	 mv_s3_page_free(struct mv_s3_page *pg);

/*
 * The <Code> of an <Error> body in code (codesz bytes with NUL): "" when
 * xml is not one, or the code is not a short token of letters and digits
 * (what is shown must not be whatever a gateway sent).
 */
void	 mv_s3_error_code(const char *xml, size_t len, char *code,
	    size_t codesz);

#endif
