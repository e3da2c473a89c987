/*
 * fuzz_html.c: the status page's two readers of untrusted text, on
 * arbitrary bytes: mv_html_escape and mv_accept_html.
 * Invariants checked: the escaped text holds no < > " ' and no control
 * byte but tab and newline, every & starts one of the five references
 * it writes, and the Accept decision terminates on any header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/text.h"
#include "modvault/serve/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_escaped(const char *s)
{
	static const char *const refs[] = { "&amp;", "&lt;", "&gt;",
	    "&quot;", "&#39;" };
	size_t i;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '<' || c == '>' || c == '"' || c == '\'' ||
		    (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			abort();
		if (c != '&')
			continue;
		for (i = 0; i < 5; i++)
			if (strncmp(s, refs[i], strlen(refs[i])) == 0)
				break;
		if (i == 5)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_buf b = MV_BUF_BOUNDED(64 * 1024);
	char *in;

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	(void)mv_accept_html(in);
	if (mv_html_escape(&b, in, NULL) == 0)
		check_escaped(mv_buf_str(&b));
	mv_buf_free(&b);
	free(in);
	return 0;
}
