/*
 * fuzz_goimport.c: go-import discovery (VC-3.3 to VC-3.5, VC-3.7) on
 * arbitrary bytes.  Input: the module path, "\n", then the page.
 * Invariants checked: the page is read only within its length (it is
 * copied to an allocation of exactly that size); an accepted entry's
 * prefix is an element prefix of the module path, its vcs is known and
 * its fields are bounded and hold no white space; a failure has a known
 * code and a one-line printable message; the answer does not depend on
 * anything but the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/vcs/goimport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_ok(const struct mv_goimport *imp, const char *module)
{
	size_t pn = strlen(imp->prefix), mn = strlen(module);

	if (pn == 0 || pn > mn || memcmp(module, imp->prefix, pn) != 0 ||
	    (pn < mn && module[pn] != '/' && imp->prefix[pn - 1] != '/'))
		abort();
	if (strcmp(imp->vcs, "git") != 0 && strcmp(imp->vcs, "hg") != 0 &&
	    strcmp(imp->vcs, "svn") != 0 && strcmp(imp->vcs, "bzr") != 0 &&
	    strcmp(imp->vcs, "fossil") != 0 && strcmp(imp->vcs, "mod") != 0)
		abort();
	if (imp->root[0] == '\0' || imp->ntags == 0 ||
	    strlen(imp->root) > MV_GOIMPORT_ROOT_MAX_BYTES ||
	    strpbrk(imp->root, " \t\r\n") != NULL ||
	    strpbrk(imp->prefix, " \t\r\n") != NULL)
		abort();
}

static void
check_fail(const struct mv_err *err)
{
	const unsigned char *p;

	if (err->code != MV_ENOTFOUND && err->code != MV_ELIMIT &&
	    err->code != MV_EINVAL)
		abort();
	if (err->msg[0] == '\0')
		abort();
	for (p = (const unsigned char *)err->msg; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_goimport imp, again;
	struct mv_err err = MV_ERR_INIT, err2 = MV_ERR_INIT;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t mlen = nl != NULL ? (size_t)(nl - data) : size;
	size_t hlen = nl != NULL ? size - mlen - 1 : 0;
	char *module, *html;
	int rc;

	if ((module = malloc(mlen + 1)) == NULL)
		return 0;
	if ((html = malloc(hlen > 0 ? hlen : 1)) == NULL) {
		free(module);
		return 0;
	}
	memcpy(module, data, mlen);
	module[mlen] = '\0';
	if (hlen > 0)
		memcpy(html, nl + 1, hlen);
	rc = mv_goimport_find(html, hlen, module, &imp, &err);
	if (rc == 0)
		check_ok(&imp, module);
	else
		check_fail(&err);
	if (mv_goimport_find(html, hlen, module, &again, &err2) != rc ||
	    again.ntags != imp.ntags || strcmp(err.msg, err2.msg) != 0 ||
	    (rc == 0 && !mv_goimport_equal(&imp, &again)))
		abort();
	free(html);
	free(module);
	return 0;
}
