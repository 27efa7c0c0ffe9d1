/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel encapsulation (6in4, 4in4, 4in6, 6in6). The packet's nexthop names a tunnel group
 * (the VPS on a gateway, a gateway on a vps); one of the group's paths is chosen by a hash
 * of the inner addresses, so a flow stays on one path (weighted, sticky scheduling across
 * uplinks is the uplink scheduler's job).
 *
 * In order:
 * - PMTU on the inner packet, against the path's inner MTU (port MTU - overhead): IPv6 and
 *   IPv4 with DF go to mpgw_icmp_error with that MTU; IPv4 without DF has its TTL
 *   decremented and is fragmented by mpgw_ip4_frag, whose fragments come back here. The
 *   outer header is never fragmented (it has DF).
 * - MSS clamp of SYNs to the tunnel's inner MTU (and the ingress port's limit).
 * - TTL / hop limit - 1 of the inner packet.
 * - The outer header from the path's template: Ethernet, then IPv4 (DF, TTL from the
 *   config, identification 0: atomic, RFC 6864) or IPv6. Per packet only the length, the
 *   protocol (4 or 41), the DSCP and ECN copied from the inner header (RFC 6040's normal
 *   mode) and, for IPv4, the checksum (the template's sum plus those fields) change.
 * The packet then goes straight to mpgw_tx: it is a tunnel packet, which the leak guard
 * lets out.
 */
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fib.h"
#include "mss_clamp.h"
#include "nodes.h"
#include "pkt_meta.h"
#include "port.h"

enum { ENCAP_NEXT_TX, ENCAP_NEXT_ICMP, ENCAP_NEXT_FRAG, ENCAP_NEXT_DROP };
#define NODE_DROP_BASE ENCAP_NEXT_DROP

/* A hash of the inner addresses: a flow's packets all take the same path. */
static inline uint32_t inner_hash(const uint8_t *ip, bool v4)
{
	uint64_t a, b;

	if (v4) {
		memcpy(&a, ip + offsetof(struct rte_ipv4_hdr, src_addr), 8);
		return rte_hash_crc_8byte(a, 0);
	}
	memcpy(&a, ip + offsetof(struct rte_ipv6_hdr, src_addr), 8);
	memcpy(&b, ip + offsetof(struct rte_ipv6_hdr, src_addr) + 8, 8);
	uint32_t h = rte_hash_crc_8byte(a, 0);
	h = rte_hash_crc_8byte(b, h);
	memcpy(&a, ip + offsetof(struct rte_ipv6_hdr, dst_addr), 8);
	memcpy(&b, ip + offsetof(struct rte_ipv6_hdr, dst_addr) + 8, 8);
	h = rte_hash_crc_8byte(a, h);
	return rte_hash_crc_8byte(b, h);
}

static inline uint8_t inner_tos(const uint8_t *ip, bool v4)
{
	/* IPv6: the traffic class spans the low nibble of byte 0 and the high one of byte 1. */
	return v4 ? ip[1] : (uint8_t)((ip[0] << 4) | (ip[1] >> 4));
}

/* The MSS clamp of a SYN about to enter the tunnel: what fits the tunnel's inner MTU, and
 * the ingress and egress ports' limits where they are lower. */
static inline void encap_mss(struct worker *w, struct rte_mbuf *m, struct pkt_meta *meta,
	const struct tun_path *t, bool v4)
{
	const struct port *in = &ports[port_index_of[m->port]], *out = &ports[t->port];
	uint16_t limit = (uint16_t)(t->mtu - (v4 ? 40 : 60));
	uint16_t in_limit = v4 ? in->mss4 : in->mss6, out_limit = v4 ? out->mss4 : out->mss6;

	if (in_limit != 0 && in_limit < limit)
		limit = in_limit;
	if (out_limit != 0 && out_limit < limit)
		limit = out_limit;
	node_mss_clamp(w, m, meta, limit);
}

static inline rte_edge_t encap_one(void *ctx, struct rte_mbuf *m)
{
	struct worker *w = ctx;
	const struct fib *f = w->fib;
	struct pkt_meta *meta = pkt_meta(m);
	const struct tun_group *g = &f->tun.groups[f->nexthops[meta->nexthop].tun_group];
	bool v4 = meta->l3 == PKT_L3_IP4;
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l3_off);

	if (unlikely(g->n == 0))
		return node_drop_edge(NODE_DROP_BASE, DROP_tunnel_down);
	const struct tun_path *t =
		&f->tun.paths[g->first + (g->n == 1 ? 0 : inner_hash(ip, v4) % g->n)];

	if (unlikely(meta->l3_len > t->mtu)) {
		meta->mtu = t->mtu;
		if (!v4 || (((const struct rte_ipv4_hdr *)ip)->fragment_offset &
				   RTE_BE16(RTE_IPV4_HDR_DF_FLAG)))
			return ENCAP_NEXT_ICMP;
		if (!(meta->path & PKT_PATH_TTL_DONE)) {
			node_ttl_decrement(ip, true);
			meta->path |= PKT_PATH_TTL_DONE;
		}
		return ENCAP_NEXT_FRAG;
	}
	if (unlikely(meta->tcp_flags & RTE_TCP_SYN_FLAG)) {
		encap_mss(w, m, meta, t, v4);
		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l3_off);
	}
	if (likely(!(meta->path & (PKT_PATH_TTL_DONE | PKT_PATH_LOCAL))))
		node_ttl_decrement(ip, v4);

	uint8_t tos = inner_tos(ip, v4);
	uint8_t outer_tos = (uint8_t)((tos & 0xfc) | tun_ecn_encap(tos & 0x03));
	uint16_t inner_len = meta->l3_len;
	uint8_t proto = v4 ? TUN_PROTO_IP4 : TUN_PROTO_IP6;

	rte_pktmbuf_adj(m, meta->l3_off);
	uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN + t->overhead);
	if (unlikely(h == NULL))
		return node_drop_edge(NODE_DROP_BASE, DROP_encap_headroom);
	memcpy(h, &t->eth, RTE_ETHER_HDR_LEN);
	if (t->family == 4) {
		struct rte_ipv4_hdr *o = (struct rte_ipv4_hdr *)(h + RTE_ETHER_HDR_LEN);
		uint16_t total = (uint16_t)(sizeof(*o) + inner_len);
		memcpy(o, &t->outer.ip4, sizeof(*o));
		o->type_of_service = outer_tos;
		o->total_length = rte_cpu_to_be_16(total);
		o->next_proto_id = proto;
		/* The template's words sum, plus TOS (low byte of word 0), the length and the
		 * protocol (low byte of word 4). */
		o->hdr_checksum = rte_cpu_to_be_16(
			(uint16_t)~pkt_cksum_fold(t->cksum_base + outer_tos + total + proto));
	} else {
		struct rte_ipv6_hdr *o = (struct rte_ipv6_hdr *)(h + RTE_ETHER_HDR_LEN);
		memcpy(o, &t->outer.ip6, sizeof(*o));
		o->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)outer_tos << 20);
		o->payload_len = rte_cpu_to_be_16(inner_len);
		o->proto = proto;
	}
	m->port = t->port_id;
	m->ol_flags &= ~(RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_QINQ);
	meta->l3_off = RTE_ETHER_HDR_LEN;
	meta->l3 = t->family == 4 ? PKT_L3_IP4 : PKT_L3_IP6;
	meta->l3_len = (uint16_t)(t->overhead + inner_len);
	meta->path |= PKT_PATH_ENCAP | PKT_PATH_LOCAL;
	w->counters[CNT_encap]++;
	return ENCAP_NEXT_TX;
}

static uint16_t encap_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(
		graph, node, objs, cnt, ENCAP_NEXT_TX, encap_one, node_worker(node));
}

static struct rte_node_register encap_node = {
	.name = NODE_ENCAP,
	.process = encap_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[ENCAP_NEXT_TX] = NODE_TX,
		[ENCAP_NEXT_ICMP] = NODE_ICMP_ERROR,
		[ENCAP_NEXT_FRAG] = NODE_IP4_FRAG,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(encap_node);
