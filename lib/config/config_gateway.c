/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sections of the two roles: [vps] (the VPS's tunnel addresses: the far end for a
 * gateway, its own for a vps), [policy] (gateway: class actions and bypass prefixes) and
 * [gateway NAME] (vps: the gateways it serves); and the checks that tie them to the
 * ports. Documented in doc/config.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_gateway.h"
#include "config_loader.h"

static const char *const class_names[CFG_CLASS_MAX] = {
	[CFG_CLASS_TCP4] = "tcp4",
	[CFG_CLASS_OTHER4] = "other4",
	[CFG_CLASS_TCP6] = "tcp6",
	[CFG_CLASS_OTHER6] = "other6",
};

static const char *const action_names[] = {
	[CFG_ACT_DEFAULT] = "default",
	[CFG_ACT_RELAY] = "relay",
	[CFG_ACT_TUNNEL] = "tunnel",
	[CFG_ACT_DIRECT] = "direct",
	[CFG_ACT_DROP] = "drop",
};

const char *config_class_name(enum cfg_class c)
{
	return (unsigned int)c < CFG_CLASS_MAX ? class_names[c] : "?";
}

const char *config_action_name(enum cfg_action a)
{
	return (unsigned int)a < RTE_DIM(action_names) ? action_names[a] : "?";
}

const struct ipaddr *config_addr_of_family(const struct ipaddr *addrs, unsigned int n, int fam)
{
	for (unsigned int i = 0; i < n; i++)
		if (addrs[i].family == fam)
			return &addrs[i];
	return NULL;
}

/* Entries of a section, or NULL with an error written. *n gets their count. */
static struct rte_cfgfile_entry *entries(struct loader *L, const char *sec, int *n)
{
	int count = rte_cfgfile_section_num_entries(L->cf, sec);
	struct rte_cfgfile_entry *e = calloc(count > 0 ? count : 1, sizeof(*e));

	*n = 0;
	if (e == NULL) {
		fail(L, sec, NULL, 0, "out of memory");
		return NULL;
	}
	*n = rte_cfgfile_section_entries(L->cf, sec, e, count);
	return e;
}

int config_load_vps(struct loader *L, struct mpgw_config *cfg)
{
	const char *sec = "vps";
	int n, rc = 0;
	struct rte_cfgfile_entry *e = entries(L, sec, &n);

	if (e == NULL)
		return -1;
	rc = cfg_check_repeats(L, sec, e, n, "address");
	for (int i = 0; i < n && rc == 0; i++) {
		const char *k = e[i].name, *v = e[i].value;
		if (strcmp(k, "address") == 0) {
			struct ipaddr a;
			int nth = (int)cfg->n_vps;
			if (ipaddr_parse(v, &a) < 0)
				rc = fail(L, sec, k, nth, "'%s' is not an address", v);
			else if (config_addr_of_family(cfg->vps, cfg->n_vps, a.family) != NULL)
				rc = fail(L, sec, k, nth, "a second IPv%d address", a.family);
			else
				cfg->vps[cfg->n_vps++] = a;
		} else if (strcmp(k, "ttl") == 0) {
			rc = cfg_parse_uint(L, sec, k, 0, v, 1, 255, &cfg->tunnel_ttl);
		} else {
			rc = fail(L, sec, k, 0, "unknown key");
		}
	}
	free(e);
	return rc;
}

static int parse_action(struct loader *L, const char *sec, const char *key, const char *v,
	enum cfg_class c, enum cfg_action *out)
{
	for (unsigned int a = CFG_ACT_RELAY; a < RTE_DIM(action_names); a++) {
		if (strcmp(v, action_names[a]) != 0)
			continue;
		if (a == CFG_ACT_RELAY && c != CFG_CLASS_TCP4 && c != CFG_CLASS_TCP6)
			return fail(L, sec, key, 0, "relay is for TCP only (the MPTCP proxy)");
		*out = a;
		return 0;
	}
	return fail(L, sec, key, 0, "'%s' is not relay, tunnel, direct or drop", v);
}

static int load_bypass(struct loader *L, struct mpgw_config *cfg, const char *value, int nth)
{
	const char *sec = "policy", *key = "bypass";
	char buf[CFG_VALUE_LEN], *w[4];
	struct cfg_bypass b;
	int n;

	snprintf(buf, sizeof(buf), "%s", value);
	n = cfg_split_words(buf, w, 3);
	if (n != 3 || strcmp(w[1], "port") != 0)
		return fail(L, sec, key, nth, "expected 'PREFIX port NAME'");
	if (ipprefix_parse(w[0], &b.prefix) < 0)
		return fail(L, sec, key, nth, "'%s' is not a prefix", w[0]);
	ipprefix_mask(&b.prefix);
	if (cfg_parse_port_ref(L, cfg, sec, key, nth, w, n, 1, &b.port) < 0)
		return -1;
	if (!cfg->ports[b.port].uplink)
		return fail(L, sec, key, nth, "port %s is not an uplink (uplink = yes)", w[2]);
	struct cfg_bypass *nb = realloc(cfg->bypass, (cfg->n_bypass + 1) * sizeof(*nb));
	if (nb == NULL)
		return fail(L, sec, key, nth, "out of memory");
	cfg->bypass = nb;
	cfg->bypass[cfg->n_bypass++] = b;
	return 0;
}

int config_load_policy(struct loader *L, struct mpgw_config *cfg)
{
	const char *sec = "policy";
	int n, rc = 0, n_bypass = 0;
	struct rte_cfgfile_entry *e = entries(L, sec, &n);

	if (e == NULL)
		return -1;
	rc = cfg_check_repeats(L, sec, e, n, "bypass");
	for (int i = 0; i < n && rc == 0; i++) {
		const char *k = e[i].name, *v = e[i].value;
		unsigned int c;
		for (c = 0; c < CFG_CLASS_MAX; c++)
			if (strcmp(k, class_names[c]) == 0)
				break;
		if (c < CFG_CLASS_MAX)
			rc = parse_action(L, sec, k, v, c, &cfg->policy[c]);
		else if (strcmp(k, "bypass") == 0)
			rc = load_bypass(L, cfg, v, n_bypass++);
		else
			rc = fail(L, sec, k, 0, "unknown key");
	}
	free(e);
	return rc;
}

int config_load_gateway(
	struct loader *L, struct mpgw_config *cfg, const char *sec, const char *name)
{
	struct cfg_gateway g = {.line = cfg_line_of(L, sec, NULL, 0)};
	int n, rc = 0;
	struct rte_cfgfile_entry *e;

	size_t len = strlen(name);
	bool ok = len > 0 && len < sizeof(g.name);
	for (size_t i = 0; ok && i < len; i++)
		ok = isalnum((unsigned char)name[i]) || name[i] == '_';
	if (!ok)
		return fail(L, sec, NULL, 0,
			"expected [gateway NAME], NAME 1-%zu letters, digits or '_' (it names "
			"telemetry rows)",
			sizeof(g.name) - 1);
	for (unsigned int i = 0; i < cfg->n_gw; i++)
		if (strcmp(cfg->gw[i].name, name) == 0)
			return fail(L, sec, NULL, 0, "gateway %s is already defined (line %d)",
				name, cfg->gw[i].line);
	if (cfg->n_gw == MPGW_MAX_GATEWAYS)
		return fail(L, sec, NULL, 0, "more than %d gateways", MPGW_MAX_GATEWAYS);
	snprintf(g.name, sizeof(g.name), "%s", name);
	e = entries(L, sec, &n);
	if (e == NULL)
		return -1;
	rc = cfg_check_repeats(L, sec, e, n, "uplink lan");
	for (int i = 0; i < n && rc == 0; i++) {
		const char *k = e[i].name, *v = e[i].value;
		if (strcmp(k, "uplink") == 0) {
			int nth = (int)g.n_uplinks;
			if (g.n_uplinks == RTE_DIM(g.uplinks))
				rc = fail(L, sec, k, nth, "more than %zu uplinks",
					RTE_DIM(g.uplinks));
			else if (ipaddr_parse(v, &g.uplinks[g.n_uplinks]) < 0)
				rc = fail(L, sec, k, nth, "'%s' is not an address", v);
			for (unsigned int j = 0; rc == 0 && j < g.n_uplinks; j++)
				if (ipaddr_equal(&g.uplinks[j], &g.uplinks[g.n_uplinks]))
					rc = fail(L, sec, k, nth, "'%s' given twice", v);
			if (rc == 0)
				g.n_uplinks++;
		} else if (strcmp(k, "lan") == 0) {
			int nth = (int)g.n_lans;
			if (g.n_lans == RTE_DIM(g.lans))
				rc = fail(L, sec, k, nth, "more than %zu LAN prefixes",
					RTE_DIM(g.lans));
			else if (ipprefix_parse(v, &g.lans[g.n_lans]) < 0)
				rc = fail(L, sec, k, nth, "'%s' is not a prefix", v);
			else
				ipprefix_mask(&g.lans[g.n_lans++]);
		} else {
			rc = fail(L, sec, k, 0, "unknown key");
		}
	}
	free(e);
	if (rc == 0 && g.n_uplinks == 0)
		rc = fail(L, sec, NULL, 0, "no 'uplink' (the gateway's tunnel source addresses)");
	if (rc == 0 && g.n_lans == 0)
		rc = fail(L, sec, NULL, 0, "no 'lan' (the prefixes behind the gateway)");
	for (unsigned int i = 0; rc == 0 && i < cfg->n_gw; i++)
		for (unsigned int j = 0; rc == 0 && j < cfg->gw[i].n_uplinks; j++)
			for (unsigned int k = 0; rc == 0 && k < g.n_uplinks; k++)
				if (ipaddr_equal(&cfg->gw[i].uplinks[j], &g.uplinks[k]))
					rc = fail(L, sec, "uplink", (int)k,
						"already an uplink of gateway %s", cfg->gw[i].name);
	if (rc != 0)
		return rc;
	struct cfg_gateway *ng = realloc(cfg->gw, (cfg->n_gw + 1) * sizeof(*ng));
	if (ng == NULL)
		return fail(L, sec, NULL, 0, "out of memory");
	cfg->gw = ng;
	cfg->gw[cfg->n_gw++] = g;
	return 0;
}

/* Is a one of the configured port addresses (host bits included)? */
static bool is_port_address(const struct mpgw_config *cfg, const struct ipaddr *a)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		for (unsigned int j = 0; j < cfg->ports[i].n_addrs; j++)
			if (ipaddr_equal(&cfg->ports[i].addrs[j].addr, a))
				return true;
	return false;
}

/* A port address inside p, or NULL: such a prefix would take over mpgw's own address. */
static const struct ipaddr *own_address_in(const struct mpgw_config *cfg, const struct ipprefix *p)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		for (unsigned int j = 0; j < cfg->ports[i].n_addrs; j++)
			if (ipprefix_contains(p, &cfg->ports[i].addrs[j].addr))
				return &cfg->ports[i].addrs[j].addr;
	return NULL;
}

/* An address a tunnel can end on: unicast, not unspecified, not loopback. */
static bool unicast_address(const struct ipaddr *a)
{
	if (a->family == 4) {
		uint8_t first = (uint8_t)(rte_be_to_cpu_32(a->v4) >> 24);
		return first != 0 && first != 127 && first < 224;
	}
	static const uint8_t zero[16], loopback[16] = {[15] = 1};
	return a->v6[0] != 0xff && memcmp(a->v6, zero, 16) != 0 && memcmp(a->v6, loopback, 16) != 0;
}

static bool has_family(const struct ipprefix *addrs, unsigned int n, int fam)
{
	for (unsigned int i = 0; i < n; i++)
		if (addrs[i].addr.family == fam)
			return true;
	return false;
}

static int check_gateway_role(struct loader *L, struct mpgw_config *cfg)
{
	char buf[64];

	for (unsigned int i = 0; i < cfg->n_vps; i++) {
		if (!unicast_address(&cfg->vps[i]) || is_port_address(cfg, &cfg->vps[i]))
			return fail(L, "vps", "address", (int)i,
				"%s cannot be the VPS (not unicast, or one of mpgw's own)",
				ipaddr_str(&cfg->vps[i], buf, sizeof(buf)));
	}
	for (unsigned int i = 0; i < cfg->n_bypass; i++) {
		const struct cfg_bypass *by = &cfg->bypass[i];
		const struct cfg_port *p = &cfg->ports[by->port];
		const struct ipaddr *own = own_address_in(cfg, &by->prefix);
		if (own != NULL)
			return fail(L, "policy", "bypass", (int)i, "the prefix holds mpgw's own %s",
				ipaddr_str(own, buf, sizeof(buf)));
		if (!config_addr_of_family(p->gateways, p->n_gateways, by->prefix.addr.family))
			return fail(L, "policy", "bypass", (int)i,
				"port %s has no IPv%d gateway to send it to", p->name,
				by->prefix.addr.family);
	}

	if (cfg->n_gw != 0) {
		char sec[CFG_NAME_LEN];
		snprintf(sec, sizeof(sec), "gateway %s", cfg->gw[0].name);
		return fail(L, sec, NULL, 0, "only in the vps role ([mpgw] role = vps)");
	}
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];
		char sec[CFG_NAME_LEN];
		snprintf(sec, sizeof(sec), "port %s", p->name);
		static const char *const uplink_keys[] = {"multipath", "weight"};
		for (unsigned int k = 0; k < RTE_DIM(uplink_keys); k++)
			if (!p->uplink && cfg_line_of(L, sec, uplink_keys[k], 0) != 0)
				return fail(L, sec, uplink_keys[k], 0,
					"only on an uplink (uplink = yes)");
		for (unsigned int j = 0; j < p->n_gateways; j++) {
			if (!p->uplink)
				return fail(L, sec, "gateway", (int)j,
					"only on an uplink (uplink = yes)");
			/* With twins, an uplink without an address of the family takes the
			 * kernel's (DHCP): its subnet is not known before it runs. */
			bool from_kernel = cfg->twins &&
					   !has_family(p->addrs, p->n_addrs, p->gateways[j].family);
			if (!from_kernel && cfg_port_of_subnet(cfg, &p->gateways[j]) != (int)i)
				return fail(L, sec, "gateway", (int)j,
					"%s is not on this port's subnets",
					ipaddr_str(&p->gateways[j], buf, sizeof(buf)));
		}
	}
	/* The relay is the kernel's proxy, reached through the LAN port's twin. */
	bool relay = cfg->twins && cfg->relay.port != 0;
	for (unsigned int c = 0; c < CFG_CLASS_MAX; c++)
		if (cfg->policy[c] == CFG_ACT_RELAY && !relay)
			return fail(L, "policy", config_class_name(c), 0,
				"relay needs the kernel twins ([mpgw] twins = yes) and a [relay] "
				"section (the proxy's port)");
	/* The defaults of the design: TCP of both families goes to the MPTCP proxy when there
	 * is one and the VPS has an IPv4 address (the proxy's subflows are IPv4, from the
	 * uplinks' IPv4 addresses: scripts/relay-kernel.sh; the VPS's proxy reaches IPv6
	 * destinations natively), everything else through the tunnel. */
	bool relay_v4 = relay && config_addr_of_family(cfg->vps, cfg->n_vps, 4) != NULL;
	const enum cfg_action defaults[CFG_CLASS_MAX] = {
		[CFG_CLASS_TCP4] = relay_v4 ? CFG_ACT_RELAY : CFG_ACT_TUNNEL,
		[CFG_CLASS_OTHER4] = CFG_ACT_TUNNEL,
		[CFG_CLASS_TCP6] = relay_v4 ? CFG_ACT_RELAY : CFG_ACT_TUNNEL,
		[CFG_CLASS_OTHER6] = CFG_ACT_TUNNEL,
	};
	for (unsigned int c = 0; c < CFG_CLASS_MAX; c++)
		if (cfg->policy[c] == CFG_ACT_DEFAULT)
			cfg->policy[c] = defaults[c];
	return 0;
}

/* Do p and q share an address (one holds the other: prefixes nest or are apart)? */
static bool prefixes_overlap(const struct ipprefix *p, const struct ipprefix *q)
{
	return p->addr.family == q->addr.family &&
	       (ipprefix_contains(p, &q->addr) || ipprefix_contains(q, &p->addr));
}

/* The MTUs the data path relies on: a port with an IPv6 address carries IPv6, whose links
 * have at least 1280 (RFC 8200 5; an ICMPv6 error must quote the headers it is about); a
 * port that tunnels leaves room for a minimal IPv4 datagram (68) inside the largest
 * outer header (IPv6, 40). */
#define MTU_IPV6_MIN   1280
#define MTU_TUNNEL_MIN (68 + 40)

static bool holds_vps_address(const struct mpgw_config *cfg, const struct cfg_port *p)
{
	for (unsigned int i = 0; i < cfg->n_vps; i++)
		for (unsigned int j = 0; j < p->n_addrs; j++)
			if (ipaddr_equal(&p->addrs[j].addr, &cfg->vps[i]))
				return true;
	return false;
}

static int check_mtus(struct loader *L, const struct mpgw_config *cfg)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];
		char sec[CFG_NAME_LEN];
		snprintf(sec, sizeof(sec), "port %s", p->name);
		if (has_family(p->addrs, p->n_addrs, 6) && p->mtu < MTU_IPV6_MIN)
			return fail(L, sec, "mtu", 0,
				"%u is below %u, the least a port with an IPv6 address may have",
				p->mtu, MTU_IPV6_MIN);
		bool tunnels =
			cfg->role == CFG_ROLE_GATEWAY ? p->uplink : holds_vps_address(cfg, p);
		if (tunnels && p->mtu < MTU_TUNNEL_MIN)
			return fail(L, sec, "mtu", 0,
				"%u is below %u, the least a port that carries tunnels may have",
				p->mtu, MTU_TUNNEL_MIN);
	}
	return 0;
}

static int check_vps_role(struct loader *L, struct mpgw_config *cfg)
{
	char buf[64];

	if (cfg_line_of(L, "policy", NULL, 0) != 0)
		return fail(L, "policy", NULL, 0, "only in the gateway role");
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		char sec[CFG_NAME_LEN];
		snprintf(sec, sizeof(sec), "port %s", cfg->ports[i].name);
		if (cfg->ports[i].uplink)
			return fail(L, sec, "uplink", 0, "only in the gateway role");
		if (cfg->ports[i].n_gateways != 0)
			return fail(L, sec, "gateway", 0, "only in the gateway role");
		if (cfg_line_of(L, sec, "multipath", 0) != 0)
			return fail(L, sec, "multipath", 0, "only in the gateway role");
		if (cfg_line_of(L, sec, "weight", 0) != 0)
			return fail(L, sec, "weight", 0, "only in the gateway role");
	}
	if (cfg->n_vps == 0)
		return fail(L, "mpgw", "role", 0,
			"the vps role needs [vps] address (its own tunnel addresses)");
	for (unsigned int i = 0; i < cfg->n_vps; i++)
		if (!is_port_address(cfg, &cfg->vps[i]))
			return fail(L, "vps", "address", (int)i,
				"%s is not an address of any port (the tunnels end on it)",
				ipaddr_str(&cfg->vps[i], buf, sizeof(buf)));
	for (unsigned int g = 0; g < cfg->n_gw; g++) {
		char sec[CFG_NAME_LEN];
		snprintf(sec, sizeof(sec), "gateway %s", cfg->gw[g].name);
		for (unsigned int l = 0; l < cfg->gw[g].n_lans; l++) {
			const struct ipprefix *p = &cfg->gw[g].lans[l];
			const struct ipaddr *own = own_address_in(cfg, p);
			if (own != NULL)
				return fail(L, sec, "lan", (int)l, "the prefix holds mpgw's own %s",
					ipaddr_str(own, buf, sizeof(buf)));
			for (unsigned int h = 0; h < g; h++)
				for (unsigned int k = 0; k < cfg->gw[h].n_lans; k++)
					if (prefixes_overlap(&cfg->gw[h].lans[k], p))
						return fail(L, sec, "lan", (int)l,
							"overlaps %s/%u, a LAN prefix of gateway "
							"%s (one gateway could send as the other)",
							ipaddr_str(&cfg->gw[h].lans[k].addr, buf,
								sizeof(buf)),
							cfg->gw[h].lans[k].len, cfg->gw[h].name);
		}
	}
	/* Not used in this role: every class is routed as it comes. */
	for (unsigned int c = 0; c < CFG_CLASS_MAX; c++)
		cfg->policy[c] = CFG_ACT_DIRECT;
	return 0;
}

int config_check_role(struct loader *L, struct mpgw_config *cfg)
{
	if (cfg->tunnel_ttl == 0)
		cfg->tunnel_ttl = 64;
	if (config_check_relay(L, cfg) < 0 || check_mtus(L, cfg) < 0)
		return -1;
	return cfg->role == CFG_ROLE_VPS ? check_vps_role(L, cfg) : check_gateway_role(L, cfg);
}
