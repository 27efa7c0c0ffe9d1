/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet and VLAN headers: frames for us go to ip4/ip6 input, the rest is dropped. */
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "nodes.h"
#include "pkt_meta.h"
#include "pkt_parse.h"
#include "port.h"

enum { ETH_IN_NEXT_IP4, ETH_IN_NEXT_IP6, ETH_IN_NEXT_DROP };
#define NODE_DROP_BASE ETH_IN_NEXT_DROP

static inline rte_edge_t eth_input_one(void *ctx, struct rte_mbuf *m)
{
	RTE_SET_USED(ctx);
	struct pkt_info pi;
	enum pkt_status st = pkt_parse_l2(m, &pi);

	if (unlikely(st != PKT_OK))
		return node_drop_edge(NODE_DROP_BASE, (enum mpgw_drop)st);
	/* pkt_parse_l2 succeeded, so the 14-byte Ethernet header is in the packet; the first
	 * segment of any real mbuf holds at least that much. */
	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN))
		return node_drop_edge(NODE_DROP_BASE, DROP_hdr_split);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(rte_is_unicast_ether_addr(&eth->dst_addr) &&
		     !rte_is_same_ether_addr(&eth->dst_addr, &ports[port_index_of[m->port]].mac)))
		return node_drop_edge(NODE_DROP_BASE, DROP_not_for_us);

	struct pkt_meta *meta = pkt_meta(m);
	meta->l3_off = pi.l3_off;
	meta->l3 = pi.l3;
	/* Routers do not forward what arrived as a link-layer broadcast (RFC 1812 5.3.4); the
	 * lookup decides, since local delivery will want such frames. */
	meta->flags = rte_is_unicast_ether_addr(&eth->dst_addr) ? 0 : PKT_META_F_L2_MCAST;
	if (likely(pi.l3 == PKT_L3_IP4))
		return ETH_IN_NEXT_IP4;
	if (pi.l3 == PKT_L3_IP6)
		return ETH_IN_NEXT_IP6;
	return node_drop_edge(NODE_DROP_BASE, DROP_not_ip);
}

static uint16_t eth_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(graph, node, objs, cnt, ETH_IN_NEXT_IP4, eth_input_one, NULL);
}

static struct rte_node_register eth_input_node = {
	.name = NODE_ETH_INPUT,
	.process = eth_input_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[ETH_IN_NEXT_IP4] = NODE_IP4_INPUT,
		[ETH_IN_NEXT_IP6] = NODE_IP6_INPUT,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(eth_input_node);
