/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The key of a packet in a worker's flow table (lib/flow): mpgw_encap places tunnelled
 * flows by it, mpgw_policy asks by it whether a LAN TCP connection is a tunnelled one, and
 * the WAN edge notes the flows the LAN opens natively and finds the answers to them.
 */
#ifndef MPGW_NODE_FLOW_KEY_H
#define MPGW_NODE_FLOW_KEY_H

#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

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

/* The key of the other direction of k's flow. */
static inline void node_flow_key_reverse(struct flow_key *r, const struct flow_key *k)
{
	*r = *k;
	memcpy(r->src, k->dst, sizeof(r->src));
	memcpy(r->dst, k->src, sizeof(r->dst));
	r->sport = k->dport;
	r->dport = k->sport;
}

/* The idle timeout class of a packet of e's flow; a TCP FIN or RST shortens it. */
static inline enum flow_timeout_class node_flow_class(
	struct flow_entry *e, const struct pkt_meta *meta)
{
	if (meta->l4_proto == IPPROTO_TCP) {
		if (meta->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))
			e->flags |= FLOW_F_CLOSING;
		else if ((meta->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
			 RTE_TCP_SYN_FLAG)
			e->flags &= (uint8_t)~FLOW_F_CLOSING; /* the 5-tuple is used again */
		return e->flags & FLOW_F_CLOSING ? FLOW_TO_TCP_CLOSED : FLOW_TO_TCP;
	}
	return meta->l4_proto == IPPROTO_UDP ? FLOW_TO_UDP : FLOW_TO_OTHER;
}

/* A TCP or UDP key without ports (a fragment's, first ones included): it would stand for
 * every port of the address pair. */
static inline bool node_flow_key_portless(const struct flow_key *k)
{
	return (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) && k->sport == 0 &&
	       k->dport == 0;
}

/* Note m, leaving by the WAN edge natively, as a flow whose answers may come back in. A
 * fragment is not noted: its key has no ports (its datagram's unfragmented packets are). */
static inline void node_flow_note_native(
	struct flow_table *t, const struct rte_mbuf *m, const struct pkt_meta *meta, uint32_t now)
{
	struct flow_key k;
	bool created;

	node_flow_key(&k, m, meta, rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off),
		meta->l3 == PKT_L3_IP4);
	if (unlikely(node_flow_key_portless(&k)))
		return;
	struct flow_entry *e = flow_lookup(t, &k, flow_hash(&k), now, &created);
	e->flags |= FLOW_F_NATIVE;
	flow_touch(t, e, now, meta->l3_len, node_flow_class(e, meta));
}

#endif
