/* fuzz_config.c: libFuzzer target for the configuration file parser. */
/*
 * Besides not crashing, checks what the rest of modvault relies on: an
 * error is MV_ECONFIG with a one-line message, and a parsed config has
 * terminated strings, in-range enums and numbers, and a normalised mount.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modvault/base/config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_string(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

static void
check_config(const struct mv_config *cfg)
{
	size_t n;

	check_string(cfg->data_dir, sizeof(cfg->data_dir));
	check_string(cfg->upstream, sizeof(cfg->upstream));
	check_string(cfg->xsendfile_prefix, sizeof(cfg->xsendfile_prefix));
	check_string(cfg->mount, sizeof(cfg->mount));
	check_string(cfg->netrc, sizeof(cfg->netrc));
	if (cfg->data_dir[0] == '\0' || cfg->upstream[0] == '\0')
		abort();
	if ((unsigned)cfg->log_level > MV_LOG_DEBUG ||
	    (unsigned)cfg->xsendfile > MV_XSENDFILE_CADDY)
		abort();
	if (strcmp(mv_log_level_name(cfg->log_level), "unknown") == 0)
		abort();
	n = strlen(cfg->mount);
	if (n > 0 && (cfg->mount[0] != '/' || cfg->mount[n - 1] == '/'))
		abort();
	n = strlen(cfg->xsendfile_prefix);
	if (n == 0 || cfg->xsendfile_prefix[0] != '/' ||
	    cfg->xsendfile_prefix[n - 1] != '/')
		abort();
	if (cfg->max_zip_bytes == 0 || cfg->max_zip_bytes > 524288000 ||
	    cfg->upstream_timeout <= 0 || cfg->connect_timeout <= 0 ||
	    cfg->list_ttl <= 0 || cfg->negative_ttl <= 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mv_config cfg;
	struct mv_err err = MV_ERR_INIT;

	if (mv_config_parse(&cfg, "fuzz.conf", (const char *)data, size,
	    &err) == 0) {
		check_config(&cfg);
		return 0;
	}
	if (err.code != MV_ECONFIG || strchr(err.msg, '\n') != NULL ||
	    strncmp(err.msg, "fuzz.conf", 9) != 0)
		abort();
	return 0;
}
