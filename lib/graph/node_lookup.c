/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route lookup, IPv4 and IPv6: bulk longest-prefix match over the burst, then one branch
 * per packet on the nexthop type. TTL / hop limit expiry is decided here, where it is known
 * that the packet is forwarded rather than delivered locally.
 *
 * In the gateway role, what comes in by a LAN port (not an uplink) and would leave by an
 * uplink, or has no route, goes to mpgw_policy. What crosses the WAN edge inwards goes to
 * mpgw_inbound (edge_inwards()). Tunnel packets addressed to mpgw go to mpgw_decap, other
 * packets to mpgw's own addresses to mpgw_local, routes through a tunnel (a vps's routes
 * to its gateways' LANs) to mpgw_encap.
 */
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fib.h"
#include "nodes.h"
#include "pkt_meta.h"
#include "port.h"

enum {
	LOOKUP_NEXT_REWRITE,
	LOOKUP_NEXT_MSS,
	LOOKUP_NEXT_POLICY,
	LOOKUP_NEXT_INBOUND,
	LOOKUP_NEXT_ENCAP,
	LOOKUP_NEXT_DECAP,
	LOOKUP_NEXT_LOCAL,
	LOOKUP_NEXT_PUNT,
	LOOKUP_NEXT_DROP
};
#define NODE_DROP_BASE LOOKUP_NEXT_DROP

/* FIB bulk lookups take at most this many keys at a time (stack arrays). */
#define LOOKUP_CHUNK NODE_CHUNK

/* Did m come in by a LAN port of a gateway (where the policy applies)? */
static inline bool from_lan(const struct fib *f, const struct rte_mbuf *m)
{
	return f->gateway && !ports[port_index_of[m->port]].uplink;
}

/* Did m come in by an uplink of a gateway? */
static inline bool from_wan(const struct fib *f, const struct rte_mbuf *m)
{
	return f->gateway && ports[port_index_of[m->port]].uplink;
}

/* Does forwarded m cross the WAN edge inwards, to be let in or not by mpgw_inbound? A
 * gateway's from an uplink, not out of the tunnel (mpgw_decap checked its peer and inner
 * source); a vps's into a tunnel to a gateway's LAN, whether from the vps's other side or
 * out of another gateway's tunnel. Never mpgw's own packets. */
static inline bool edge_inwards(const struct fib *f, const struct rte_mbuf *m,
	const struct pkt_meta *meta, bool to_tunnel)
{
	if (meta->path & PKT_PATH_LOCAL)
		return false;
	if (to_tunnel)
		return f->role == CFG_ROLE_VPS;
	return !(meta->path & PKT_PATH_DECAP) && from_wan(f, m);
}

/* What may be forwarded at all: not a link-layer broadcast, TTL left. */
static inline rte_edge_t forward_checks(const struct pkt_meta *meta, uint8_t ttl)
{
	if (unlikely(meta->path & PKT_PATH_L2_MCAST))
		return node_drop_edge(NODE_DROP_BASE, DROP_l2_broadcast);
	if (unlikely(ttl <= 1))
		return node_drop_edge(NODE_DROP_BASE, DROP_ttl_exceeded);
	return LOOKUP_NEXT_REWRITE;
}

static inline bool is_tunnel_proto(const struct pkt_meta *meta)
{
	return meta->l4_proto == TUN_PROTO_IP4 || meta->l4_proto == TUN_PROTO_IP6;
}

/* The ECMP slot of m's flow: a hash of its addresses, protocol and ports (not of a
 * fragment's: all fragments of a datagram take the path of its first), as the kernel's
 * multipath hash policy 1 does. */
static inline uint32_t flow_slot(const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	bool v4 = meta->l3 == PKT_L3_IP4;
	uint32_t h = rte_hash_crc(v4 ? ip + 12 : ip + 8, v4 ? 8 : 32, meta->l4_proto);

	if ((meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) == PKT_F_L4 &&
		(meta->l4_proto == IPPROTO_TCP || meta->l4_proto == IPPROTO_UDP) &&
		meta->l4_off + 4u <= rte_pktmbuf_data_len(m)) {
		uint32_t ports;
		memcpy(&ports, rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l4_off), 4);
		h = rte_hash_crc_4byte(ports, h);
	}
	return (h ^ (h >> 16)) % FIB_ECMP_SLOTS;
}

/* punt: there are kernel twins, and a packet whose nexthop has no MAC yet goes to the
 * kernel, which forwards it and resolves the neighbour over the twin (the mirror of its
 * neighbours then gives the data path the MAC: lib/netlink). */
static inline rte_edge_t lookup_verdict(const struct fib *f, struct rte_mbuf *m,
	struct pkt_meta *meta, bool found, uint32_t nh_id, uint8_t ttl, bool punt)
{
	rte_edge_t e;

	if (unlikely(!found)) {
		meta->nexthop = FIB_NH_NONE;
		if (!from_lan(f, m) || (meta->path & PKT_PATH_LOCAL))
			return node_drop_edge(NODE_DROP_BASE, DROP_no_route);
		e = forward_checks(meta, ttl);
		return e == LOOKUP_NEXT_REWRITE ? LOOKUP_NEXT_POLICY : e;
	}
	const struct fib_nexthop *nh = &f->nexthops[nh_id];
	if (unlikely(nh->type == FIB_NH_ECMP)) {
		nh_id = f->ecmp[nh->ecmp].nh[flow_slot(m, meta)];
		nh = &f->nexthops[nh_id];
	}
	meta->nexthop = nh_id;
	switch (nh->type) {
	case FIB_NH_FORWARD:
	case FIB_NH_BYPASS:
		/* mpgw's own packets (ICMP errors) start with a full TTL and are not forwarded. */
		if (unlikely(meta->path & PKT_PATH_LOCAL))
			return LOOKUP_NEXT_REWRITE;
		e = forward_checks(meta, ttl);
		if (unlikely(e != LOOKUP_NEXT_REWRITE))
			return e;
		if (unlikely(f->gateway) && ports[nh->port].uplink && from_lan(f, m))
			return LOOKUP_NEXT_POLICY;
		if (unlikely(edge_inwards(f, m, meta, false)))
			return LOOKUP_NEXT_INBOUND;
		/* vps: a gateway's LAN traffic leaving natively, noted for its answers. */
		if (unlikely(f->role == CFG_ROLE_VPS) && (meta->path & PKT_PATH_DECAP))
			return LOOKUP_NEXT_INBOUND;
		/* The only cost of MSS clamping to other packets (tcp_flags is 0 unless TCP). */
		if (unlikely(meta->tcp_flags & RTE_TCP_SYN_FLAG))
			return LOOKUP_NEXT_MSS;
		return LOOKUP_NEXT_REWRITE;
	case FIB_NH_TUNNEL:
		/* mpgw's own ICMP errors may go into a tunnel too (a vps telling a gateway's LAN
		 * host about its path MTU). */
		if (unlikely(meta->path & PKT_PATH_LOCAL))
			return LOOKUP_NEXT_ENCAP;
		e = forward_checks(meta, ttl);
		if (unlikely(e != LOOKUP_NEXT_REWRITE))
			return e;
		return edge_inwards(f, m, meta, true) ? LOOKUP_NEXT_INBOUND : LOOKUP_NEXT_ENCAP;
	case FIB_NH_LOCAL:
		if (meta->path & PKT_PATH_LOCAL)
			return node_drop_edge(NODE_DROP_BASE, DROP_local);
		return is_tunnel_proto(meta) ? LOOKUP_NEXT_DECAP : LOOKUP_NEXT_LOCAL;
	case FIB_NH_BLACKHOLE:
		return node_drop_edge(NODE_DROP_BASE, DROP_blackhole);
	default:
		/* No MAC for the next hop yet. The gateway's LAN traffic to an uplink is the
		 * policy's all the same (tunnelled, relayed or dropped; never the kernel's), and
		 * what comes in from the WAN is the edge's to let in first. */
		if (meta->path & PKT_PATH_LOCAL)
			return node_drop_edge(NODE_DROP_BASE, DROP_no_neighbour);
		e = forward_checks(meta, ttl);
		if (unlikely(e != LOOKUP_NEXT_REWRITE))
			return e;
		if (f->gateway && ports[nh->port].uplink && from_lan(f, m))
			return LOOKUP_NEXT_POLICY;
		if (edge_inwards(f, m, meta, false))
			return LOOKUP_NEXT_INBOUND;
		/* To the kernel, which forwards it and resolves the neighbour; not a
		 * decapsulated packet (the frame still has the tunnel's headers). */
		if (punt && !(meta->path & PKT_PATH_DECAP))
			return LOOKUP_NEXT_PUNT;
		return node_drop_edge(NODE_DROP_BASE, DROP_no_neighbour);
	}
}

static uint16_t ip4_lookup_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	const struct fib *f = node_worker(node)->fib;
	bool punt = node_worker(node)->punt != NULL;
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	uint32_t dst[LOOKUP_CHUNK];
	uint64_t hop[LOOKUP_CHUNK];
	uint8_t ttl[LOOKUP_CHUNK];
	rte_edge_t nexts[LOOKUP_CHUNK];

	for (uint16_t base = 0; base < cnt; base += LOOKUP_CHUNK) {
		uint16_t n = RTE_MIN(cnt - base, LOOKUP_CHUNK);
		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[base + i];
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
				m, const struct rte_ipv4_hdr *, pkt_meta(m)->l3_off);
			dst[i] = rte_be_to_cpu_32(ip->dst_addr);
			ttl[i] = ip->time_to_live;
		}
		/* No route: the tables' default, FIB_NH_NONE. */
		rte_fib_lookup_bulk(f->fib4, dst, hop, n);
		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[base + i];
			nexts[i] = lookup_verdict(f, m, pkt_meta(m), hop[i] != FIB_NH_NONE,
				(uint32_t)hop[i], ttl[i], punt);
		}
		node_enqueue_nexts(
			graph, node, objs + base, nexts, n, LOOKUP_NEXT_REWRITE, n == cnt);
	}
	return cnt;
}

static uint16_t ip6_lookup_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	const struct fib *f = node_worker(node)->fib;
	bool punt = node_worker(node)->punt != NULL;
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	uint8_t dst[LOOKUP_CHUNK][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t hop[LOOKUP_CHUNK];
	uint8_t hlim[LOOKUP_CHUNK];
	rte_edge_t nexts[LOOKUP_CHUNK];

	for (uint16_t base = 0; base < cnt; base += LOOKUP_CHUNK) {
		uint16_t n = RTE_MIN(cnt - base, LOOKUP_CHUNK);
		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[base + i];
			const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(
				m, const struct rte_ipv6_hdr *, pkt_meta(m)->l3_off);
			memcpy(dst[i], ip->dst_addr, 16);
			hlim[i] = ip->hop_limits;
		}
		rte_fib6_lookup_bulk(f->fib6, dst, hop, n);
		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[base + i];
			uint32_t nh = (uint32_t)hop[i] & FIB_NH_ID_MASK;
			nexts[i] = lookup_verdict(
				f, m, pkt_meta(m), nh != FIB_NH_NONE, nh, hlim[i], punt);
		}
		node_enqueue_nexts(
			graph, node, objs + base, nexts, n, LOOKUP_NEXT_REWRITE, n == cnt);
	}
	return cnt;
}

/* Both lookups lead to the same nodes. */
#define LOOKUP_NEXT_NODES                                                                          \
	[LOOKUP_NEXT_REWRITE] = NODE_REWRITE, [LOOKUP_NEXT_MSS] = NODE_MSS_CLAMP,                  \
	[LOOKUP_NEXT_POLICY] = NODE_POLICY, [LOOKUP_NEXT_INBOUND] = NODE_INBOUND,                  \
	[LOOKUP_NEXT_ENCAP] = NODE_ENCAP,                                                          \
	[LOOKUP_NEXT_DECAP] = NODE_DECAP, [LOOKUP_NEXT_LOCAL] = NODE_LOCAL,                        \
	[LOOKUP_NEXT_PUNT] = NODE_PUNT, NODE_DROP_EDGES

static struct rte_node_register ip4_lookup_node = {
	.name = NODE_IP4_LOOKUP,
	.process = ip4_lookup_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {LOOKUP_NEXT_NODES},
};
RTE_NODE_REGISTER(ip4_lookup_node);

static struct rte_node_register ip6_lookup_node = {
	.name = NODE_IP6_LOOKUP,
	.process = ip6_lookup_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {LOOKUP_NEXT_NODES},
};
RTE_NODE_REGISTER(ip6_lookup_node);
