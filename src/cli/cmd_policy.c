/*
 * cmd_policy.c: `modvault policy check MODULE[@VERSION]`: which deny,
 * allow and download_mode line applies to a module, and the other
 * pattern keys' word on it, as the responder and every fill path see it.
 */
#include <stdio.h>
#include <string.h>

#include "modvault/proto/modpath.h"
#include "cli.h"

static void
print_decision(const char *what, const struct mv_policy_decision *d)
{
	if (!d->allow)
		printf("%s: denied: %s\n", what, d->reason);
	else if (d->rule[0] != '\0')
		printf("%s: allowed by %s\n", what, d->rule);
	else
		printf("%s: allowed: no deny or allow line names it\n", what);
	if (!d->allow)
		return;
	if (d->mode_rule[0] != '\0')
		printf("download_mode: %s, by %s\n",
		    mv_download_mode_name(d->mode), d->mode_rule);
	else
		printf("download_mode: sync: no download_mode line names it\n");
	printf("checksum database: %s\n", !d->lookup_sumdb ? "never asked "
	    "(nosumdb or private)" : d->verify_sumdb ? "verified before it "
	    "is stored" : "not verified (no sumdb, or sumdb_verify = off)");
	printf("fetched from: %s\n", d->direct_only ? "its repository only "
	    "(noproxy or private)" : "the upstream list");
}

static int
check(struct cli *c, const char *arg)
{
	char module[MV_MODPATH_MAX_BYTES + 1];
	struct mv_policy_decision d;
	struct mv_err err = MV_ERR_INIT;
	const char *at = strrchr(arg, '@');
	size_t n = at != NULL ? (size_t)(at - arg) : strlen(arg);

	if (n == 0 || n > MV_MODPATH_MAX_BYTES || (at != NULL && at[1] == '\0'))
		return cli_usage(c, "\"%s\" is not MODULE[@VERSION]", arg);
	snprintf(module, sizeof(module), "%.*s", (int)n, arg);
	if (mv_modpath_check(module, &err) == -1)
		return cli_usage(c, "%s", err.msg);
	/* What a fetch is told: it decides what is verified, and how. */
	if (mv_policy_decide(&c->policy, MV_POLICY_FETCH, module, at != NULL ?
	    at + 1 : "", &d, &err) == -1) {
		cli_error(c, "%s", err.msg);
		return CLI_FAILED;
	}
	print_decision(arg, &d);
	return d.allow ? CLI_OK : CLI_FAILED;
}

int
cmd_policy(struct cli *c, int argc, char **argv)
{
	int first, rc;

	if ((rc = cli_options(c, argc, argv, NULL, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 2, 2)) != CLI_OK)
		return rc;
	if (strcmp(argv[first], "check") != 0)
		return cli_usage(c, "unknown subcommand \"%s\" (check)",
		    argv[first]);
	return check(c, argv[first + 1]);
}
