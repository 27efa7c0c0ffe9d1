/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel termination: IPv4 or IPv6 packets of protocol 4 (IPv4 inside) or 41 (IPv6
 * inside) addressed to one of mpgw's own addresses. A tunnel must not be an open relay nor
 * a way around the WAN edge, so the packet must come in by a port tunnels end on (a
 * gateway's uplinks, a vps's port of its tunnel address), its outer source must be a
 * configured peer (gateway: the VPS; vps: an uplink address of a gateway it serves), the
 * inner header must be of the protocol's family, the inner source one the peer may send
 * (a vps: inside that gateway's LAN prefixes; a gateway: not inside its own LAN prefixes
 * nor one of its addresses), and fragmented outer packets are refused (no reassembly).
 * Each refusal is a counted drop.
 *
 * ECN follows RFC 6040 4.2 (tun_ecn_decap): the inner ECN field is updated (with the IPv4
 * checksum), and an outer CE on a Not-ECT inner packet is a drop. The outer headers are
 * then skipped (the inner header's offset becomes the packet's L3 offset; mpgw_rewrite
 * strips what lies before it) and the inner packet is validated from scratch by
 * mpgw_ip4_input / mpgw_ip6_input, as if it had just arrived: malformed inner headers are
 * their drops, and the lookup routes it. RX checksum flags are cleared: they were about
 * the outer header.
 */
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "fib.h"
#include "nodes.h"
#include "pkt_cksum.h"
#include "pkt_meta.h"
#include "port.h"

enum { DECAP_NEXT_IP4_INPUT, DECAP_NEXT_IP6_INPUT, DECAP_NEXT_DROP };
#define NODE_DROP_BASE DECAP_NEXT_DROP

/* The tunnel group of the packet's outer source, or -1 when it is no peer. */
static inline int peer_group(const struct fib *f, const uint8_t *outer, bool v4)
{
	return tun_peer_group(&f->tun,
		outer + (v4 ? offsetof(struct rte_ipv4_hdr, src_addr)
			    : offsetof(struct rte_ipv6_hdr, src_addr)),
		v4);
}

static inline bool in_prefixes(const struct ipprefix *p, uint32_t n, const struct ipaddr *a)
{
	for (uint32_t i = 0; i < n; i++)
		if (ipprefix_contains(&p[i], a))
			return true;
	return false;
}

/* May the peer send the inner source? A vps's gateway only from inside its LAN prefixes;
 * a gateway's VPS never from the gateway's own LAN prefixes or addresses (it would reach
 * the LAN as one of its own hosts, or as mpgw). */
static inline bool inner_source_ok(const struct fib *f, int group, const uint8_t *inner, bool v4)
{
	struct ipaddr src = {.family = v4 ? 4 : 6};

	if (v4)
		memcpy(&src.v4, inner + offsetof(struct rte_ipv4_hdr, src_addr), 4);
	else
		memcpy(src.v6, inner + offsetof(struct rte_ipv6_hdr, src_addr), 16);
	if (f->role == CFG_ROLE_VPS) {
		const struct tun_group *g = &f->tun.groups[group];
		return in_prefixes(g->lans, g->n_lans, &src);
	}
	if (v4) {
		for (uint32_t i = 0; i < f->tun.n_own4; i++)
			if ((src.v4 & f->tun.own4[i].mask) == f->tun.own4[i].net)
				return false;
		return true;
	}
	return !in_prefixes(f->tun.own6, f->tun.n_own6, &src);
}

static inline uint8_t ecn_of(const uint8_t *ip, bool v4)
{
	return v4 ? ip[1] & 0x03 : (ip[1] >> 4) & 0x03;
}

/* Set the ECN field of the inner header (and, for IPv4, its checksum). */
static inline void set_ecn(uint8_t *ip, bool v4, uint8_t ecn)
{
	if (v4) {
		uint16_t old = (uint16_t)(ip[0] << 8 | ip[1]);
		ip[1] = (uint8_t)((ip[1] & 0xfc) | ecn);
		uint16_t new = (uint16_t)(ip[0] << 8 | ip[1]);
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		h->hdr_checksum = pkt_cksum_update16(
			h->hdr_checksum, rte_cpu_to_be_16(old), rte_cpu_to_be_16(new));
	} else {
		ip[1] = (uint8_t)((ip[1] & 0xcf) | ecn << 4);
	}
}

static inline rte_edge_t decap_one(void *ctx, struct rte_mbuf *m)
{
	struct worker *w = ctx;
	struct pkt_meta *meta = pkt_meta(m);
	bool outer_v4 = meta->l3 == PKT_L3_IP4;
	bool inner_v4 = meta->l4_proto == TUN_PROTO_IP4;
	const uint8_t *outer = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);

	if (unlikely(!((w->fib->tun.decap_ports >> port_index_of[m->port]) & 1)))
		return node_drop_edge(NODE_DROP_BASE, DROP_decap_wrong_port);
	if (unlikely(meta->flags & PKT_F_FRAGMENT))
		return node_drop_edge(NODE_DROP_BASE, DROP_decap_fragment);
	int group = peer_group(w->fib, outer, outer_v4);
	if (unlikely(group < 0))
		return node_drop_edge(NODE_DROP_BASE, DROP_decap_unknown_peer);
	/* The inner header must be in the first segment, as every header mpgw rewrites. Its
	 * version first: a header of the other family is a mismatch, not a short one. */
	uint32_t end = (uint32_t)meta->l3_off + meta->l3_len;
	uint32_t min = inner_v4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	if (unlikely(meta->l4_off >= end))
		return node_drop_edge(NODE_DROP_BASE, inner_v4 ? DROP_ip4_trunc : DROP_ip6_trunc);
	if (unlikely(m->data_len < meta->l4_off + 1))
		return node_drop_edge(NODE_DROP_BASE, DROP_hdr_split);
	uint8_t *inner = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l4_off);
	if (unlikely((inner[0] >> 4) != (inner_v4 ? 4 : 6)))
		return node_drop_edge(NODE_DROP_BASE, DROP_decap_family);
	if (unlikely(meta->l4_off + min > end))
		return node_drop_edge(NODE_DROP_BASE, inner_v4 ? DROP_ip4_trunc : DROP_ip6_trunc);
	if (unlikely(m->data_len < meta->l4_off + min))
		return node_drop_edge(NODE_DROP_BASE, DROP_hdr_split);
	if (unlikely(!inner_source_ok(w->fib, group, inner, inner_v4)))
		return node_drop_edge(NODE_DROP_BASE, DROP_decap_spoofed);

	uint8_t in_ecn = ecn_of(inner, inner_v4);
	int ecn = tun_ecn_decap(ecn_of(outer, outer_v4), in_ecn);
	if (unlikely(ecn < 0))
		return node_drop_edge(NODE_DROP_BASE, DROP_decap_ecn);
	if (unlikely(ecn != in_ecn))
		set_ecn(inner, inner_v4, (uint8_t)ecn);

	meta->l3_off = meta->l4_off;
	meta->l3 = inner_v4 ? PKT_L3_IP4 : PKT_L3_IP6;
	meta->path = PKT_PATH_DECAP;
	meta->mtu = 0;
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
	w->counters[CNT_decap]++;
	return inner_v4 ? DECAP_NEXT_IP4_INPUT : DECAP_NEXT_IP6_INPUT;
}

static uint16_t decap_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(
		graph, node, objs, cnt, DECAP_NEXT_IP6_INPUT, decap_one, node_worker(node));
}

static struct rte_node_register decap_node = {
	.name = NODE_DECAP,
	.process = decap_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[DECAP_NEXT_IP4_INPUT] = NODE_IP4_INPUT,
		[DECAP_NEXT_IP6_INPUT] = NODE_IP6_INPUT,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(decap_node);
