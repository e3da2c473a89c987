/* fuzz_s3list.c: an S3 gateway's ListObjectsV2 page and error body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/lib/net/s3_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Whatever is accepted keeps the promises s3_xml.h makes: at most
 * MV_S3_LIST_MAX_ENTRIES entries, each key non-empty, bounded and without
 * NUL, sorted strictly or with equal neighbours (the caller refuses
 * those), a bounded token; an error Code is letters and digits only.
 */
static void
check_page(const struct mv_s3_page *pg)
{
	size_t i, n;

	if (pg->n > MV_S3_LIST_MAX_ENTRIES ||
	    strlen(pg->token) > MV_S3_TOKEN_MAX_BYTES)
		abort();
	for (i = 0; i < pg->n; i++) {
		n = strlen(pg->e[i].key);
		if (n == 0 || n > MV_S3_KEY_MAX_BYTES)
			abort();
		if (pg->e[i].is_prefix && pg->e[i].size != 0)
			abort();
		if (i > 0 && strcmp(pg->e[i - 1].key, pg->e[i].key) > 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_s3_page pg;
	char code[64], *s;
	size_t i;

	/* A copy of exactly size bytes, so reading past the end is caught. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	if (mv_s3_page_parse(s, size, &pg, NULL) == 0)
		check_page(&pg);
	mv_s3_page_free(&pg);
	mv_s3_error_code(s, size, code, sizeof(code));
	for (i = 0; code[i] != '\0'; i++)
		if (!((code[i] >= 'A' && code[i] <= 'Z') ||
		    (code[i] >= 'a' && code[i] <= 'z') ||
		    (code[i] >= '0' && code[i] <= '9')))
			abort();
	free(s);
	return 0;
}
