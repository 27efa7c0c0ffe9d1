/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rewrite for forwarding: MTU check, a fresh untagged Ethernet header from the nexthop's
 * precomputed addresses (ingress VLAN tags are not carried over), TTL / hop limit - 1 with
 * an incremental IPv4 checksum update.
 *
 * A datagram larger than the egress MTU is never sent as is: IPv6 and IPv4 with DF go to
 * mpgw_icmp_error (Packet Too Big / fragmentation needed) untouched, so the error quotes
 * them as received; IPv4 without DF is rewritten and fragmented by mpgw_ip4_frag. mpgw's
 * own packets that do not fit are dropped (no ICMP error about an ICMP error).
 *
 * Leak guard (gateway role): on an uplink, only what the policy sent natively (bypass,
 * direct) and packets from the uplink's own addresses may leave by this node, and never
 * what came out of a tunnel; tunnel packets leave by mpgw_encap. Anything else is dropped
 * (leak_v4, leak_v6): fail closed.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "fib.h"
#include "nodes.h"
#include "pkt_cksum.h"
#include "pkt_meta.h"
#include "port.h"

enum { REWRITE_NEXT_TX, REWRITE_NEXT_ICMP, REWRITE_NEXT_FRAG, REWRITE_NEXT_DROP };
#define NODE_DROP_BASE REWRITE_NEXT_DROP

/* Is the source of the packet one of the port's own addresses? */
static inline bool from_port_address(
	const struct port *p, const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	bool v4 = meta->l3 == PKT_L3_IP4;

	return port_has_addr(p,
		v4 ? ip + offsetof(struct rte_ipv4_hdr, src_addr)
		   : ip + offsetof(struct rte_ipv6_hdr, src_addr),
		v4);
}

static inline rte_edge_t rewrite_one(void *ctx, struct rte_mbuf *m)
{
	const struct fib *f = ctx;
	struct pkt_meta *meta = pkt_meta(m);
	const struct fib_nexthop *nh = &f->nexthops[meta->nexthop];

	bool local = meta->path & PKT_PATH_LOCAL;
	bool frag = false;
	const struct port *out = &ports[nh->port];

	if (unlikely(f->gateway) && out->uplink &&
		((meta->path & PKT_PATH_DECAP) ||
			(!(meta->path & PKT_PATH_ALLOWED) && !from_port_address(out, m, meta))))
		return node_drop_edge(
			NODE_DROP_BASE, meta->l3 == PKT_L3_IP4 ? DROP_leak_v4 : DROP_leak_v6);

	if (unlikely(meta->l3_len > out->mtu)) {
		if (local)
			return node_drop_edge(NODE_DROP_BASE, DROP_mtu_exceeded);
		if (meta->l3 == PKT_L3_IP6)
			return REWRITE_NEXT_ICMP;
		const struct rte_ipv4_hdr *ip4 =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l3_off);
		if (ip4->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))
			return REWRITE_NEXT_ICMP;
		frag = true;
	}

	/* l3_off >= 14: strip VLAN tags by moving the start of the frame up to the new header. */
	uint16_t strip = meta->l3_off - RTE_ETHER_HDR_LEN;
	if (strip != 0) {
		rte_pktmbuf_adj(m, strip);
		meta->l3_off -= strip;
		meta->l4_off -= strip;
		if (meta->tcp_mss_off != 0)
			meta->tcp_mss_off -= strip;
	}
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&nh->dst, &eth->dst_addr);
	rte_ether_addr_copy(&nh->src, &eth->src_addr);

	bool v4 = meta->l3 == PKT_L3_IP4;
	if (likely(!local))
		node_ttl_decrement(eth + 1, v4);
	eth->ether_type = v4 ? RTE_BE16(RTE_ETHER_TYPE_IPV4) : RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m->port = nh->port_id;
	m->ol_flags &= ~(RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_QINQ);
	return unlikely(frag) ? REWRITE_NEXT_FRAG : REWRITE_NEXT_TX;
}

static uint16_t rewrite_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(
		graph, node, objs, cnt, REWRITE_NEXT_TX, rewrite_one, node_worker(node)->fib);
}

static struct rte_node_register rewrite_node = {
	.name = NODE_REWRITE,
	.process = rewrite_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[REWRITE_NEXT_TX] = NODE_TX,
		[REWRITE_NEXT_ICMP] = NODE_ICMP_ERROR,
		[REWRITE_NEXT_FRAG] = NODE_IP4_FRAG,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(rewrite_node);
