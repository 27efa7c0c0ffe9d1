/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet and VLAN headers: frames for us go to ip4/ip6 input; other frames for us (ARP,
 * ...) to the kernel twin where there are twins; the rest is dropped. */
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "nodes.h"
#include "pkt_meta.h"
#include "pkt_parse.h"
#include "port.h"

enum { ETH_IN_NEXT_IP4, ETH_IN_NEXT_IP6, ETH_IN_NEXT_PUNT, ETH_IN_NEXT_DROP };
#define NODE_DROP_BASE ETH_IN_NEXT_DROP

/* Ethertype and L3 offset of an untagged IPv4/IPv6 frame inline, of anything else through
 * the full parser (which also names the error of a malformed one). Non-IP is the not_ip
 * edge. */
static inline rte_edge_t eth_input_l3(const struct rte_mbuf *m, uint16_t *l3_off, uint8_t *l3)
{
	if (likely(m->data_len >= RTE_ETHER_HDR_LEN)) {
		uint16_t et = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type;
		*l3_off = RTE_ETHER_HDR_LEN;
		if (likely(et == RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
			*l3 = PKT_L3_IP4;
			return ETH_IN_NEXT_IP4;
		}
		if (et == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
			*l3 = PKT_L3_IP6;
			return ETH_IN_NEXT_IP6;
		}
	}
	struct pkt_info pi;
	enum pkt_status st = pkt_parse_l2(m, &pi);

	if (unlikely(st != PKT_OK))
		return node_drop_edge(NODE_DROP_BASE, (enum mpgw_drop)st);
	/* The parse succeeded, so the 14-byte Ethernet header is in the packet; the first
	 * segment of any real mbuf holds at least that much. */
	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN))
		return node_drop_edge(NODE_DROP_BASE, DROP_hdr_split);
	*l3_off = pi.l3_off;
	*l3 = pi.l3;
	if (pi.l3 == PKT_L3_IP4)
		return ETH_IN_NEXT_IP4;
	if (pi.l3 == PKT_L3_IP6)
		return ETH_IN_NEXT_IP6;
	return node_drop_edge(NODE_DROP_BASE, DROP_not_ip);
}

static inline rte_edge_t eth_input_one(void *ctx, struct rte_mbuf *m)
{
	const struct worker *w = ctx;
	uint16_t l3_off = 0;
	uint8_t l3 = PKT_L3_NONE;
	rte_edge_t next = eth_input_l3(m, &l3_off, &l3);
	const rte_edge_t not_ip = node_drop_edge(NODE_DROP_BASE, DROP_not_ip);

	/* A frame for another host is that, whatever it carries. */
	if (unlikely(next != ETH_IN_NEXT_IP4 && next != ETH_IN_NEXT_IP6 && next != not_ip))
		return next;
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	bool unicast = rte_is_unicast_ether_addr(&eth->dst_addr);
	if (unlikely(unicast &&
		     !rte_is_same_ether_addr(&eth->dst_addr, &ports[port_index_of[m->port]].mac)))
		return node_drop_edge(NODE_DROP_BASE, DROP_not_for_us);
	if (unlikely(next == not_ip))
		return w->punt != NULL ? ETH_IN_NEXT_PUNT : next;

	struct pkt_meta *meta = pkt_meta(m);
	meta->l3_off = l3_off;
	meta->l3 = l3;
	/* Routers do not forward what arrived as a link-layer broadcast (RFC 1812 5.3.4); the
	 * lookup decides, since local delivery will want such frames. */
	meta->path = unicast ? 0 : PKT_PATH_L2_MCAST;
	meta->mtu = 0;
	return next;
}

static uint16_t eth_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(
		graph, node, objs, cnt, ETH_IN_NEXT_IP4, eth_input_one, node_worker(node));
}

static struct rte_node_register eth_input_node = {
	.name = NODE_ETH_INPUT,
	.process = eth_input_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[ETH_IN_NEXT_IP4] = NODE_IP4_INPUT,
		[ETH_IN_NEXT_IP6] = NODE_IP6_INPUT,
		[ETH_IN_NEXT_PUNT] = NODE_PUNT,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(eth_input_node);
