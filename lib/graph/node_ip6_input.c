/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv6 validation: header, payload length, extension-header chain, L4 header. Multicast
 * and link-local packets (neighbour discovery, ...) go to the kernel twin where there are
 * twins: they are for this link, not routed. */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ipaddr.h"
#include "nodes.h"
#include "pkt_fast.h"
#include "pkt_meta.h"
#include "pkt_parse.h"

enum { IP6_IN_NEXT_LOOKUP, IP6_IN_NEXT_PUNT, IP6_IN_NEXT_DROP };
#define NODE_DROP_BASE IP6_IN_NEXT_DROP

/*
 * Addresses never routed: a multicast, loopback or link-local source; an unspecified,
 * loopback or link-local destination (RFC 4291 2.5.6: link-local packets stay on their
 * link: with kernel twins they go to the kernel before this check, else they are dropped).
 */
static inline bool ip6_martian(const uint8_t *src, const uint8_t *dst)
{
	static const uint8_t loopback[16] = {[15] = 1}, unspecified[16];

	return src[0] == 0xff || memcmp(src, loopback, 16) == 0 || ip6_is_link_local(src) ||
	       memcmp(dst, unspecified, 16) == 0 || memcmp(dst, loopback, 16) == 0 ||
	       ip6_is_link_local(dst);
}

/* The full parse, for what pkt_fast_ip6 leaves: fills meta or returns a drop edge. */
static __rte_noinline rte_edge_t ip6_input_parse(struct rte_mbuf *m, struct pkt_meta *meta)
{
	struct pkt_info pi = {.l3_off = meta->l3_off, .l3 = PKT_L3_IP6};
	enum pkt_status st = pkt_parse_ip6(m, &pi);

	if (unlikely(st != PKT_OK))
		return node_drop_edge(NODE_DROP_BASE, (enum mpgw_drop)st);
	if (unlikely(m->data_len < pi.l3_off + sizeof(struct rte_ipv6_hdr)))
		return node_drop_edge(NODE_DROP_BASE, DROP_hdr_split);
	pkt_meta_fill(meta, &pi);
	return IP6_IN_NEXT_LOOKUP;
}

static inline rte_edge_t ip6_input_one(void *ctx, struct rte_mbuf *m)
{
	const struct worker *w = ctx;
	struct pkt_meta *meta = pkt_meta(m);

	if (unlikely(!pkt_fast_ip6(m, meta))) {
		rte_edge_t e = ip6_input_parse(m, meta);
		if (e != IP6_IN_NEXT_LOOKUP)
			return e;
	}
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, meta->l3_off);
	if (unlikely(w->punt != NULL && !(meta->path & PKT_PATH_DECAP) &&
		     (ip->dst_addr[0] == 0xff || ip6_is_link_local(ip->dst_addr) ||
			     ip6_is_link_local(ip->src_addr))))
		return IP6_IN_NEXT_PUNT;
	if (unlikely(ip->dst_addr[0] == 0xff))
		return node_drop_edge(NODE_DROP_BASE, DROP_multicast);
	if (unlikely(ip6_martian(ip->src_addr, ip->dst_addr)))
		return node_drop_edge(NODE_DROP_BASE, DROP_martian);
	uint32_t end = meta->l3_off + meta->l3_len;
	if (unlikely(m->pkt_len > end) && rte_pktmbuf_trim(m, m->pkt_len - end) < 0)
		return node_drop_edge(NODE_DROP_BASE, DROP_ip6_paylen);
	return IP6_IN_NEXT_LOOKUP;
}

static uint16_t ip6_input_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(
		graph, node, objs, cnt, IP6_IN_NEXT_LOOKUP, ip6_input_one, node_worker(node));
}

static struct rte_node_register ip6_input_node = {
	.name = NODE_IP6_INPUT,
	.process = ip6_input_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[IP6_IN_NEXT_LOOKUP] = NODE_IP6_LOOKUP,
		[IP6_IN_NEXT_PUNT] = NODE_PUNT,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(ip6_input_node);
