/*
 * config_metrics.c: the metrics key (off | on | comma-separated CIDRs)
 * and the check of a client's address against it.  Addresses are parsed
 * with inet_pton only: no name is ever resolved.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config_priv.h"

/* "ADDR" or "ADDR/BITS" (no spaces) into c; false when it is neither. */
static bool
parse_cidr(const char *s, size_t n, struct mv_cidr *c)
{
	char text[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long bits;
	unsigned max;

	if (n == 0 || n >= sizeof(text))
		return false;
	memcpy(text, s, n);
	text[n] = '\0';
	if ((slash = strchr(text, '/')) != NULL)
		*slash = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, text, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, text, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else
		return false;
	c->bits = max;
	if (slash == NULL)
		return true;
	if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
		return false;
	bits = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || bits > max)
		return false;
	c->bits = (unsigned)bits;
	return true;
}

void
mv_config_metrics_defaults(struct mv_config *cfg)
{
	cfg->metrics = MV_METRICS_NETS;
	cfg->nmetrics_nets = 0;
	if (parse_cidr("127.0.0.0/8", 11, &cfg->metrics_nets[0]))
		cfg->nmetrics_nets++;
	if (parse_cidr("::1", 3, &cfg->metrics_nets[cfg->nmetrics_nets]))
		cfg->nmetrics_nets++;
}

int
mv_config_set_metrics(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	size_t n;

	(void)k;
	if (strcmp(v, "off") == 0 || strcmp(v, "on") == 0) {
		cfg->metrics = v[1] == 'f' ? MV_METRICS_OFF : MV_METRICS_ON;
		return 0;
	}
	cfg->metrics = MV_METRICS_NETS;
	cfg->nmetrics_nets = 0;
	for (;;) {
		v += strspn(v, " \t");
		n = strcspn(v, ", \t");
		if (cfg->nmetrics_nets == MV_METRICS_MAX_NETS)
			return mv_fail(err, MV_ECONFIG, "more than %d "
			    "networks", MV_METRICS_MAX_NETS);
		if (!parse_cidr(v, n, &cfg->metrics_nets[cfg->nmetrics_nets]))
			return mv_fail(err, MV_ECONFIG, "\"%.*s\" is not an "
			    "IPv4 or IPv6 address or CIDR network (want off, "
			    "on or a list like 127.0.0.0/8, ::1)",
			    (int)(n > 64 ? 64 : n), v);
		cfg->nmetrics_nets++;
		v += n;
		v += strspn(v, " \t");
		if (*v == '\0')
			return 0;
		if (*v != ',')
			return mv_fail(err, MV_ECONFIG, "networks must be "
			    "separated by ','");
		v++;
	}
}

static bool
in_net(const struct mv_cidr *net, int family, const unsigned char *a)
{
	unsigned full = net->bits / 8, rest = net->bits % 8;
	unsigned char mask;

	if (net->family != family || memcmp(net->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (a[full] & mask);
}

bool
mv_config_metrics_allows(const struct mv_config *cfg, const char *addr)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned char a[16];
	int family;
	size_t i;

	if (cfg->metrics == MV_METRICS_ON)
		return true;
	if (cfg->metrics == MV_METRICS_OFF || addr == NULL)
		return false;
	if (inet_pton(AF_INET, addr, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, addr, a) == 1) {
		family = AF_INET6;
		/* ::ffff:a.b.c.d, as a dual-stack socket reports IPv4. */
		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			memmove(a, a + 12, 4);
			family = AF_INET;
		}
	} else
		return false;
	for (i = 0; i < cfg->nmetrics_nets; i++)
		if (in_net(&cfg->metrics_nets[i], family, a))
			return true;
	return false;
}
