/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [inbound]: what may come in from the WAN unasked (doc/config.md, "The WAN edge"). Each
 * `allow = PROTO PREFIX [PORT[-PORT]]` lets packets of a protocol to destinations inside a
 * prefix, and for TCP and UDP to a destination port in a range, through the edge: the port
 * forwards and servers of the LAN. Everything else that is not an answer to the LAN's own
 * traffic is dropped there (inbound_denied).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "config.h"
#include "config_gateway.h"
#include "config_loader.h"

static const struct {
	const char *name;
	uint8_t proto;
	int family; /* 0: both */
} protocols[] = {
	{"tcp", IPPROTO_TCP, 0},
	{"udp", IPPROTO_UDP, 0},
	{"icmp", IPPROTO_ICMP, 4},
	{"icmpv6", IPPROTO_ICMPV6, 6},
	{"gre", IPPROTO_GRE, 0},
	{"esp", IPPROTO_ESP, 0},
};

/* "PORT" or "PORT-PORT", each 1-65535, the first not above the second. */
static int parse_ports(struct loader *L, int nth, const char *w, struct cfg_inbound *r)
{
	const char *sec = "inbound", *key = "allow";
	char buf[16], *dash;
	unsigned int lo, hi;

	if (strlen(w) >= sizeof(buf))
		return fail(L, sec, key, nth, "'%s' is not a port or PORT-PORT", w);
	snprintf(buf, sizeof(buf), "%s", w);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (cfg_parse_uint(L, sec, key, nth, buf, 1, 65535, &lo) < 0)
		return -1;
	hi = lo;
	if (dash != NULL && cfg_parse_uint(L, sec, key, nth, dash + 1, 1, 65535, &hi) < 0)
		return -1;
	if (hi < lo)
		return fail(L, sec, key, nth, "port range %u-%u runs backwards", lo, hi);
	r->port_lo = (uint16_t)lo;
	r->port_hi = (uint16_t)hi;
	return 0;
}

static int load_allow(struct loader *L, struct mpgw_config *cfg, const char *value, int nth)
{
	const char *sec = "inbound", *key = "allow";
	struct cfg_inbound r = {
		.port_lo = 0, .port_hi = 65535, .line = cfg_line_of(L, sec, key, nth)};
	char buf[CFG_VALUE_LEN], *w[4];
	unsigned int p;
	int n;

	snprintf(buf, sizeof(buf), "%s", value);
	n = cfg_split_words(buf, w, 3);
	if (n < 2 || n > 3)
		return fail(L, sec, key, nth, "expected 'PROTOCOL PREFIX [PORT[-PORT]]'");
	for (p = 0; p < RTE_DIM(protocols); p++)
		if (strcmp(w[0], protocols[p].name) == 0)
			break;
	if (p == RTE_DIM(protocols))
		return fail(
			L, sec, key, nth, "'%s' is not tcp, udp, icmp, icmpv6, gre or esp", w[0]);
	r.proto = protocols[p].proto;
	if (ipprefix_parse(w[1], &r.prefix) < 0)
		return fail(L, sec, key, nth, "'%s' is not a prefix", w[1]);
	ipprefix_mask(&r.prefix);
	if (protocols[p].family != 0 && protocols[p].family != r.prefix.addr.family)
		return fail(L, sec, key, nth, "%s is IPv%d only", w[0], protocols[p].family);
	if (n == 3) {
		if (r.proto != IPPROTO_TCP && r.proto != IPPROTO_UDP)
			return fail(L, sec, key, nth, "ports are for tcp and udp only");
		if (parse_ports(L, nth, w[2], &r) < 0)
			return -1;
	}
	if (cfg->n_inbound == MPGW_MAX_INBOUND)
		return fail(L, sec, key, nth, "more than %d rules", MPGW_MAX_INBOUND);
	struct cfg_inbound *nr = realloc(cfg->inbound, (cfg->n_inbound + 1) * sizeof(*nr));
	if (nr == NULL)
		return fail(L, sec, key, nth, "out of memory");
	cfg->inbound = nr;
	cfg->inbound[cfg->n_inbound++] = r;
	return 0;
}

int config_load_inbound(struct loader *L, struct mpgw_config *cfg)
{
	const char *sec = "inbound";
	int n = rte_cfgfile_section_num_entries(L->cf, sec), rc, n_allow = 0;
	struct rte_cfgfile_entry *e = calloc(n > 0 ? n : 1, sizeof(*e));

	if (e == NULL)
		return fail(L, sec, NULL, 0, "out of memory");
	n = rte_cfgfile_section_entries(L->cf, sec, e, n);
	rc = cfg_check_repeats(L, sec, e, n, "allow");
	for (int i = 0; i < n && rc == 0; i++) {
		if (strcmp(e[i].name, "allow") == 0)
			rc = load_allow(L, cfg, e[i].value, n_allow++);
		else
			rc = fail(L, sec, e[i].name, 0, "unknown key");
	}
	free(e);
	return rc;
}
