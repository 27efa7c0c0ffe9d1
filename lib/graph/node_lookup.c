/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route lookup, IPv4 and IPv6: bulk longest-prefix match over the burst, then one branch
 * per packet on the nexthop type. TTL / hop limit expiry is decided here, where it is known
 * that the packet is forwarded rather than delivered locally.
 */
#include <rte_ip.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fib.h"
#include "nodes.h"
#include "pkt_meta.h"

enum { LOOKUP_NEXT_REWRITE, LOOKUP_NEXT_MSS, LOOKUP_NEXT_DROP };
#define NODE_DROP_BASE LOOKUP_NEXT_DROP

/* LPM bulk calls take at most this many keys at a time (stack arrays). */
#define LOOKUP_CHUNK NODE_CHUNK

static inline rte_edge_t lookup_verdict(
	const struct fib *f, struct pkt_meta *meta, bool found, uint32_t nh_id, uint8_t ttl)
{
	if (unlikely(!found))
		return node_drop_edge(NODE_DROP_BASE, DROP_no_route);
	switch (f->nexthops[nh_id].type) {
	case FIB_NH_FORWARD:
		meta->nexthop = nh_id;
		/* mpgw's own packets (ICMP errors) start with a full TTL and are not forwarded. */
		if (unlikely(meta->flags & PKT_META_F_LOCAL))
			return LOOKUP_NEXT_REWRITE;
		if (unlikely(meta->flags & PKT_META_F_L2_MCAST))
			return node_drop_edge(NODE_DROP_BASE, DROP_l2_broadcast);
		if (unlikely(ttl <= 1))
			return node_drop_edge(NODE_DROP_BASE, DROP_ttl_exceeded);
		/* The only cost of MSS clamping to other packets (tcp_flags is 0 unless TCP). */
		if (unlikely(meta->tcp_flags & RTE_TCP_SYN_FLAG))
			return LOOKUP_NEXT_MSS;
		return LOOKUP_NEXT_REWRITE;
	case FIB_NH_LOCAL:
		return node_drop_edge(NODE_DROP_BASE, DROP_local);
	case FIB_NH_BLACKHOLE:
		return node_drop_edge(NODE_DROP_BASE, DROP_blackhole);
	default:
		return node_drop_edge(NODE_DROP_BASE, DROP_no_neighbour);
	}
}

static uint16_t ip4_lookup_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	const struct fib *f = node_worker(node)->fib;
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	uint32_t dst[LOOKUP_CHUNK], hop[LOOKUP_CHUNK];
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
		rte_lpm_lookup_bulk(f->lpm4, dst, hop, n);
		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[base + i];
			bool found = (hop[i] & RTE_LPM_LOOKUP_SUCCESS) != 0;
			nexts[i] =
				lookup_verdict(f, pkt_meta(m), found, hop[i] & 0x00ffffff, ttl[i]);
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
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	uint8_t dst[LOOKUP_CHUNK][16];
	int32_t hop[LOOKUP_CHUNK];
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
		rte_lpm6_lookup_bulk_func(f->lpm6, dst, hop, n);
		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[base + i];
			nexts[i] = lookup_verdict(
				f, pkt_meta(m), hop[i] >= 0, (uint32_t)hop[i], hlim[i]);
		}
		node_enqueue_nexts(
			graph, node, objs + base, nexts, n, LOOKUP_NEXT_REWRITE, n == cnt);
	}
	return cnt;
}

static struct rte_node_register ip4_lookup_node = {
	.name = NODE_IP4_LOOKUP,
	.process = ip4_lookup_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[LOOKUP_NEXT_REWRITE] = NODE_REWRITE,
		[LOOKUP_NEXT_MSS] = NODE_MSS_CLAMP,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(ip4_lookup_node);

static struct rte_node_register ip6_lookup_node = {
	.name = NODE_IP6_LOOKUP,
	.process = ip6_lookup_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[LOOKUP_NEXT_REWRITE] = NODE_REWRITE,
		[LOOKUP_NEXT_MSS] = NODE_MSS_CLAMP,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(ip6_lookup_node);
