/*
 * fuzz_route.c: request path derivation and parsing on arbitrary bytes.
 * Input: REQUEST_URI, then optionally "\n" SCRIPT_NAME "\n" PATH_INFO.
 * Invariant checked: an accepted route never holds a module path that
 * fails mv_modpath_check, and an accepted path has no "..".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/proto/modpath.h"
#include "modvault/proto/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *script = NULL, *pinfo = NULL, *nl;
	char path[MV_REQUEST_PATH_MAX_BYTES + 1];
	struct mv_cgi_vars v;
	struct mv_route r;

	if (size > 3 * MV_REQUEST_PATH_MAX_BYTES)
		return 0;
	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if ((nl = strchr(in, '\n')) != NULL) {
		*nl = '\0';
		script = nl + 1;
		if ((nl = strchr(script, '\n')) != NULL) {
			*nl = '\0';
			pinfo = nl + 1;
		}
	}
	v.request_uri = in;
	v.script_name = script;
	v.path_info = pinfo;
	v.mount = "";
	if (mv_route_path(&v, path, sizeof(path), NULL) == 0 &&
	    mv_route_parse(path, &r, NULL) == 0) {
		if (strstr(path, "/../") != NULL)
			abort();
		if (r.kind >= MV_ROUTE_LIST && r.kind <= MV_ROUTE_LATEST &&
		    mv_modpath_check(r.module, NULL) != 0)
			abort();
	}
	free(in);
	return 0;
}
