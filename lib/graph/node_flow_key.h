/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The key of a packet in a worker's flow table (lib/flow): mpgw_encap places tunnelled
 * flows by it, and mpgw_policy asks by it whether a LAN TCP connection is a tunnelled one.
 */
#ifndef MPGW_NODE_FLOW_KEY_H
#define MPGW_NODE_FLOW_KEY_H

#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "flow_table.h"
#include "pkt_meta.h"

/* The flow key of the inner packet at ip: addresses, protocol and, where the packet has them
 * in its first segment and is not a fragment, the ports (so fragments of a datagram and
 * its unfragmented packets share one flow). */
static inline void node_flow_key(struct flow_key *k, const struct rte_mbuf *m,
	const struct pkt_meta *meta, const uint8_t *ip, bool v4)
{
	bool frag;

	memset(k, 0, sizeof(*k));
	k->family = v4 ? 4 : 6;
	k->proto = meta->l4_proto;
	if (v4) {
		const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)ip;
		memcpy(k->src, &h->src_addr, 4);
		memcpy(k->dst, &h->dst_addr, 4);
		frag = (h->fragment_offset &
			       RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
	} else {
		const struct rte_ipv6_hdr *h = (const struct rte_ipv6_hdr *)ip;
		memcpy(k->src, h->src_addr, 16);
		memcpy(k->dst, h->dst_addr, 16);
		frag = (meta->flags & PKT_F_FRAGMENT) != 0;
	}
	if (!frag && (meta->flags & PKT_F_L4) &&
		(meta->l4_proto == IPPROTO_TCP || meta->l4_proto == IPPROTO_UDP) &&
		meta->l4_off + 4u <= rte_pktmbuf_data_len(m))
		memcpy(&k->sport, rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l4_off), 4);
}

#endif
