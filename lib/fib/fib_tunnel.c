/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The role tables of a FIB version: the gateway's policy and bypass prefixes, the tunnel
 * paths with their precomputed outer headers, the allowed tunnel sources, and (vps) the
 * routes to the gateways' LAN prefixes through their tunnels. Built after the routes and
 * neighbours, which they use: the next router of a path is resolved here, once, and a path
 * that cannot be resolved is listed as unusable rather than used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "fib.h"
#include "fib_builder.h"

/* The first address of family fam on port i (for IPv6, not link-local), or NULL. */
static const struct ipaddr *port_addr(const struct mpgw_config *cfg, int i, int fam)
{
	const struct cfg_port *p = &cfg->ports[i];

	for (unsigned int j = 0; j < p->n_addrs; j++) {
		const struct ipaddr *a = &p->addrs[j].addr;
		if (a->family != fam)
			continue;
		if (fam == 6 && ip6_is_link_local(a->v6))
			continue;
		return a;
	}
	return NULL;
}

static uint32_t sum16(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	return s;
}

/* A path to remote from local, out of port to the next router's MAC. */
static void path_init(struct builder *b, struct tun_path *t, int port,
	const struct rte_ether_addr *next, const struct ipaddr *local, const struct ipaddr *remote,
	uint16_t group)
{
	const struct mpgw_config *cfg = b->cfg;

	memset(t, 0, sizeof(*t));
	t->eth.dst_addr = *next;
	t->eth.src_addr = b->ports[port].mac;
	t->port_id = b->ports[port].port_id;
	t->port = (uint8_t)port;
	t->family = remote->family;
	t->group = group;
	t->local = *local;
	t->remote = *remote;
	if (remote->family == 4) {
		t->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		t->overhead = sizeof(struct rte_ipv4_hdr);
		t->outer.ip4 = (struct rte_ipv4_hdr){
			.version_ihl = RTE_IPV4_VHL_DEF,
			/* DF: PMTU is handled on the inner packet before encapsulation. */
			.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG),
			.time_to_live = (uint8_t)cfg->tunnel_ttl,
			.src_addr = local->v4,
			.dst_addr = remote->v4,
		};
		/* Per packet, TOS, length and protocol are added to this sum (tun_encap.h). */
		t->cksum_base = sum16(&t->outer.ip4, sizeof(t->outer.ip4));
	} else {
		t->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		t->overhead = sizeof(struct rte_ipv6_hdr);
		t->outer.ip6 = (struct rte_ipv6_hdr){
			.vtc_flow = RTE_BE32(6u << 28),
			.hop_limits = (uint8_t)cfg->tunnel_ttl,
		};
		memcpy(t->outer.ip6.src_addr, local->v6, 16);
		memcpy(t->outer.ip6.dst_addr, remote->v6, 16);
	}
	t->mtu = cfg->ports[port].mtu - t->overhead;
}

struct paths {
	struct tun_path *v;
	uint32_t n, cap;
	struct tun_unusable *bad;
	uint32_t n_bad, cap_bad;
};

static struct tun_path *path_new(struct builder *b, struct paths *ps)
{
	if (ps->n == ps->cap) {
		uint32_t cap = ps->cap ? 2 * ps->cap : 16;
		struct tun_path *v = realloc(ps->v, cap * sizeof(*v));
		if (v == NULL) {
			snprintf(b->err, b->errlen, "out of memory for tunnel paths");
			return NULL;
		}
		ps->v = v;
		ps->cap = cap;
	}
	return &ps->v[ps->n++];
}

static int unusable(struct builder *b, struct paths *ps, uint16_t group, int port,
	const struct ipaddr *remote, const char *why)
{
	if (ps->n_bad == ps->cap_bad) {
		uint32_t cap = ps->cap_bad ? 2 * ps->cap_bad : 16;
		struct tun_unusable *v = realloc(ps->bad, cap * sizeof(*v));
		if (v == NULL) {
			snprintf(b->err, b->errlen, "out of memory for tunnel paths");
			return -1;
		}
		ps->bad = v;
		ps->cap_bad = cap;
	}
	ps->bad[ps->n_bad++] = (struct tun_unusable){
		.group = group,
		.port = port < 0 ? 0xff : (uint8_t)port,
		.remote = remote ? *remote : (struct ipaddr){0},
		.why = why,
	};
	return 0;
}

/* Gateway: one path to the VPS per uplink, IPv4 outer where the uplink and the VPS both
 * have IPv4 (20 bytes less overhead, and the common CGNAT case), else IPv6. */
static int gateway_paths(struct builder *b, struct paths *ps)
{
	const struct mpgw_config *cfg = b->cfg;

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];
		const char *why = "the VPS has no address ([vps] address)";
		const struct ipaddr *remote = NULL;
		bool made = false;
		if (!p->uplink)
			continue;
		for (int fam = 4; fam <= 6; fam += 2) {
			const struct ipaddr *vps = config_addr_of_family(cfg->vps, cfg->n_vps, fam);
			const struct ipaddr *local = port_addr(cfg, i, fam);
			const struct ipaddr *next =
				config_addr_of_family(p->gateways, p->n_gateways, fam);
			const struct cfg_neighbour *nb =
				next ? builder_neighbour(b, next, i) : NULL;
			if (vps == NULL)
				continue;
			remote = vps;
			if (local == NULL) {
				why = fam == 4 ? "no IPv4 address on the uplink"
					       : "no IPv6 address on the uplink";
				continue;
			}
			if (next == NULL) {
				why = fam == 4 ? "no IPv4 gateway on the uplink"
					       : "no IPv6 gateway on the uplink";
				continue;
			}
			if (nb == NULL) {
				why = "the uplink's gateway has no neighbour entry";
				continue;
			}
			struct tun_path *t = path_new(b, ps);
			if (t == NULL)
				return -1;
			path_init(b, t, i, &nb->mac, local, vps, 0);
			made = true;
			break;
		}
		if (!made && unusable(b, ps, 0, i, remote, why) < 0)
			return -1;
	}
	return 0;
}

/* The nexthop the routes give for a, or NULL; of an ECMP route, the member a's hash picks
 * (a path is one flow: the tunnel's). */
static const struct fib_nexthop *route_of(const struct fib *f, const struct ipaddr *a)
{
	uint32_t nh = fib_route(f, a);

	if (nh == FIB_NH_NONE)
		return NULL;
	if (f->nexthops[nh].type == FIB_NH_ECMP) {
		uint32_t h = rte_hash_crc(
			a->family == 4 ? (const void *)&a->v4 : a->v6, a->family == 4 ? 4 : 16, 0);
		nh = f->ecmp[f->nexthops[nh].ecmp].nh[h % FIB_ECMP_SLOTS];
	}
	return &f->nexthops[nh];
}

/* vps: one path per uplink address of each gateway, out of where the routes lead. */
static int vps_paths(struct builder *b, struct paths *ps, struct tun_group *groups)
{
	const struct mpgw_config *cfg = b->cfg;

	for (unsigned int g = 0; g < cfg->n_gw; g++) {
		groups[g].first = (uint16_t)ps->n;
		snprintf(groups[g].name, sizeof(groups[g].name), "%s", cfg->gw[g].name);
		groups[g].n_lans = cfg->gw[g].n_lans;
		memcpy(groups[g].lans, cfg->gw[g].lans,
			cfg->gw[g].n_lans * sizeof(groups[g].lans[0]));
		for (unsigned int u = 0; u < cfg->gw[g].n_uplinks; u++) {
			const struct ipaddr *remote = &cfg->gw[g].uplinks[u];
			const struct ipaddr *local =
				config_addr_of_family(cfg->vps, cfg->n_vps, remote->family);
			const struct fib_nexthop *nh = route_of(b->f, remote);
			const char *why = NULL;
			if (local == NULL)
				why = "the vps has no address of the uplink's family";
			else if (nh == NULL)
				why = "no route to the uplink address";
			else if (nh->type != FIB_NH_FORWARD)
				why = "no neighbour on the route to the uplink address";
			if (why != NULL) {
				if (unusable(b, ps, (uint16_t)g, -1, remote, why) < 0)
					return -1;
				continue;
			}
			struct tun_path *t = path_new(b, ps);
			if (t == NULL)
				return -1;
			path_init(b, t, nh->port, &nh->dst, local, remote, (uint16_t)g);
		}
		groups[g].n = (uint16_t)(ps->n - groups[g].first);
	}
	return 0;
}

static int add_peer(struct builder *b, const struct ipaddr *a, uint16_t group)
{
	struct tun_peer_key key = {.family = a->family};
	char buf[64];

	memcpy(key.addr, a->family == 4 ? (const void *)&a->v4 : (const void *)a->v6,
		a->family == 4 ? 4 : 16);
	int rc = rte_hash_add_key_data(b->f->tun.peers, &key, (void *)(uintptr_t)group);
	if (rc >= 0 && b->f->tun.n_peers < TUN_FEW_PEERS) {
		b->f->tun.few_peers[b->f->tun.n_peers] = key;
		b->f->tun.few_groups[b->f->tun.n_peers] = group;
	}
	if (rc >= 0)
		b->f->tun.n_peers++;
	if (rc < 0)
		snprintf(b->err, b->errlen, "cannot add tunnel peer %s: %s",
			ipaddr_str(a, buf, sizeof(buf)), rte_strerror(-rc));
	return rc;
}

/* The nexthop of tunnel group `group`: one per group. */
static int nh_tunnel(struct builder *b, uint16_t group)
{
	for (uint32_t i = 0; i < b->f->n_nexthops; i++)
		if (b->f->nexthops[i].type == FIB_NH_TUNNEL && b->f->nexthops[i].tun_group == group)
			return (int)i;
	if (b->f->n_nexthops == b->cap) {
		snprintf(b->err, b->errlen, "more than %u nexthops", b->cap);
		return -1;
	}
	b->f->nexthops[b->f->n_nexthops] =
		(struct fib_nexthop){.type = FIB_NH_TUNNEL, .tun_group = group};
	return (int)b->f->n_nexthops++;
}

/* Bypass prefixes are routes out of their uplink, to its gateway for the family, with a
 * nexthop type that lets the policy send them natively. */
static int bypass_routes(struct builder *b)
{
	const struct mpgw_config *cfg = b->cfg;

	for (unsigned int i = 0; i < cfg->n_bypass; i++) {
		const struct cfg_bypass *by = &cfg->bypass[i];
		const struct cfg_port *p = &cfg->ports[by->port];
		const struct ipaddr *next =
			config_addr_of_family(p->gateways, p->n_gateways, by->prefix.addr.family);
		const struct cfg_neighbour *nb = next ? builder_neighbour(b, next, by->port) : NULL;
		int nh = nb ? builder_nexthop(b, FIB_NH_BYPASS, by->port, &nb->mac)
			    : builder_nexthop(b, FIB_NH_UNRESOLVED, by->port, NULL);
		if (builder_add_route(b, &by->prefix, nh) < 0)
			return -1;
		b->f->n_bypass++;
	}
	return 0;
}

_Static_assert(MPGW_MAX_PORTS <= 32, "tun.decap_ports has a bit per port");

/* Where tunnels may end: a gateway's uplinks, a vps's ports that hold its tunnel
 * addresses. A tunnel packet to mpgw's address by any other port (a LAN host sending proto
 * 41 "from the VPS") is refused. */
static void decap_ports(struct builder *b)
{
	const struct mpgw_config *cfg = b->cfg;

	b->f->tun.decap_ports = 0;
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];
		bool ends = cfg->role == CFG_ROLE_GATEWAY && p->uplink;
		for (unsigned int v = 0; cfg->role == CFG_ROLE_VPS && v < cfg->n_vps; v++)
			for (unsigned int a = 0; a < p->n_addrs; a++)
				ends |= ipaddr_equal(&p->addrs[a].addr, &cfg->vps[v]);
		if (ends)
			b->f->tun.decap_ports |= 1u << i;
	}
}

/* gateway: the sources a packet out of the tunnel may not have: the prefixes of the LAN
 * ports' addresses and every address of mpgw's own (an uplink's too). */
static void own_source(struct tunnels *t, const struct ipprefix *p)
{
	if (p->addr.family == 4) {
		uint32_t mask = p->len == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - p->len));
		t->own4[t->n_own4++] = (struct tun_own4){.net = p->addr.v4 & mask, .mask = mask};
	} else {
		t->own6[t->n_own6] = *p;
		ipprefix_mask(&t->own6[t->n_own6++]);
	}
}

static int own_sources(struct builder *b)
{
	const struct mpgw_config *cfg = b->cfg;
	struct tunnels *t = &b->f->tun;
	uint32_t n = 0;

	for (unsigned int i = 0; i < cfg->n_ports; i++)
		n += 2 * cfg->ports[i].n_addrs;
	n = RTE_MAX(n, 1u);
	t->own4 = rte_zmalloc_socket("mpgw_tun_own4", n * sizeof(*t->own4), 0, b->socket);
	t->own6 = rte_zmalloc_socket("mpgw_tun_own6", n * sizeof(*t->own6), 0, b->socket);
	if (t->own4 == NULL || t->own6 == NULL) {
		snprintf(b->err, b->errlen, "cannot allocate the tunnel's source checks");
		return -1;
	}
	t->n_own4 = t->n_own6 = 0;
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];
		for (unsigned int a = 0; a < p->n_addrs; a++) {
			struct ipprefix host = {.addr = p->addrs[a].addr};
			host.len = host.addr.family == 4 ? 32 : 128;
			own_source(t, &host);
			if (!p->uplink)
				own_source(t, &p->addrs[a]);
		}
	}
	return 0;
}

int fib_build_roles(struct builder *b)
{
	const struct mpgw_config *cfg = b->cfg;
	struct fib *f = b->f;
	struct paths ps = {0};
	char name[RTE_HASH_NAMESIZE];
	uint32_t n_groups = cfg->role == CFG_ROLE_VPS ? cfg->n_gw : 1;
	int rc = -1;

	f->role = (uint8_t)cfg->role;
	/* A gateway without uplinks has nothing to guard or tunnel: it is a plain router. */
	f->gateway = false;
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		f->gateway |= cfg->role == CFG_ROLE_GATEWAY && cfg->ports[i].uplink;
	for (unsigned int c = 0; c < CFG_CLASS_MAX; c++)
		f->policy[c] = (uint8_t)cfg->policy[c];
	f->relay_fallback = (uint8_t)cfg->relay.fallback;
	f->tunnel_nh = FIB_NH_NONE;
	decap_ports(b);
	/* A copy: the version may outlive the configuration it was built from (a reload). */
	f->inbound = rte_zmalloc_socket("mpgw_inbound",
		RTE_MAX(cfg->n_inbound, 1u) * sizeof(*f->inbound), RTE_CACHE_LINE_SIZE, b->socket);
	if (f->inbound == NULL) {
		snprintf(b->err, b->errlen, "cannot allocate the inbound rules");
		return -1;
	}
	if (cfg->n_inbound != 0)
		memcpy(f->inbound, cfg->inbound, cfg->n_inbound * sizeof(*f->inbound));
	f->n_inbound = cfg->n_inbound;

	snprintf(name, sizeof(name), "mpgw_peers_%u", f->gen);
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = MPGW_MAX_GATEWAYS * MPGW_MAX_TUNNEL_PATHS,
		.key_len = sizeof(struct tun_peer_key),
		.socket_id = b->socket,
	};
	f->tun.peers = rte_hash_create(&hp);
	f->tun.groups = rte_zmalloc_socket("mpgw_tun_groups",
		RTE_MAX(n_groups, 1u) * sizeof(struct tun_group), RTE_CACHE_LINE_SIZE, b->socket);
	if (f->tun.peers == NULL || f->tun.groups == NULL) {
		snprintf(b->err, b->errlen, "cannot create the tunnel tables: %s",
			rte_strerror(rte_errno));
		return -1;
	}
	f->tun.n_groups = n_groups;

	if (f->gateway) {
		if (bypass_routes(b) < 0 || gateway_paths(b, &ps) < 0 || own_sources(b) < 0)
			goto out;
		f->tun.groups[0] =
			(struct tun_group){.first = 0, .n = (uint16_t)ps.n, .name = "vps"};
		for (unsigned int i = 0; i < cfg->n_vps; i++)
			if (add_peer(b, &cfg->vps[i], 0) < 0)
				goto out;
		int nh = nh_tunnel(b, 0);
		if (nh < 0)
			goto out;
		f->tunnel_nh = (uint16_t)nh;
	} else {
		if (vps_paths(b, &ps, f->tun.groups) < 0)
			goto out;
		for (unsigned int g = 0; g < cfg->n_gw; g++) {
			int nh = nh_tunnel(b, (uint16_t)g);
			if (nh < 0)
				goto out;
			for (unsigned int u = 0; u < cfg->gw[g].n_uplinks; u++)
				if (add_peer(b, &cfg->gw[g].uplinks[u], (uint16_t)g) < 0)
					goto out;
			for (unsigned int l = 0; l < cfg->gw[g].n_lans; l++)
				if (builder_add_route(b, &cfg->gw[g].lans[l], nh) < 0)
					goto out;
		}
	}
	f->tun.paths = rte_zmalloc_socket("mpgw_tun_paths",
		RTE_MAX(ps.n, 1u) * sizeof(struct tun_path), RTE_CACHE_LINE_SIZE, b->socket);
	f->tun.unusable = rte_zmalloc_socket("mpgw_tun_bad",
		RTE_MAX(ps.n_bad, 1u) * sizeof(struct tun_unusable), RTE_CACHE_LINE_SIZE,
		b->socket);
	if (f->tun.paths == NULL || f->tun.unusable == NULL) {
		snprintf(b->err, b->errlen, "cannot allocate the tunnel paths");
		goto out;
	}
	if (ps.n)
		memcpy(f->tun.paths, ps.v, ps.n * sizeof(*ps.v));
	if (ps.n_bad)
		memcpy(f->tun.unusable, ps.bad, ps.n_bad * sizeof(*ps.bad));
	f->tun.n_paths = ps.n;
	f->tun.n_unusable = ps.n_bad;
	rc = 0;
out:
	free(ps.v);
	free(ps.bad);
	return rc;
}

void fib_free_roles(struct fib *f)
{
	rte_hash_free(f->tun.peers);
	rte_free(f->tun.paths);
	rte_free(f->tun.groups);
	rte_free(f->tun.unusable);
	rte_free(f->tun.own4);
	rte_free(f->tun.own6);
	rte_free(f->inbound);
}

bool tun_paths_equal(const struct tunnels *a, const struct tunnels *b)
{
	if (a->n_paths != b->n_paths || a->n_groups != b->n_groups)
		return false;
	for (uint32_t i = 0; i < a->n_paths; i++) {
		const struct tun_path *p = &a->paths[i], *q = &b->paths[i];
		if (p->port != q->port || p->family != q->family || p->mtu != q->mtu ||
			p->group != q->group || memcmp(&p->eth, &q->eth, sizeof(p->eth)) != 0 ||
			memcmp(&p->outer, &q->outer, p->overhead) != 0 ||
			p->overhead != q->overhead)
			return false;
	}
	for (uint32_t g = 0; g < a->n_groups; g++)
		if (a->groups[g].first != b->groups[g].first || a->groups[g].n != b->groups[g].n)
			return false;
	return true;
}
