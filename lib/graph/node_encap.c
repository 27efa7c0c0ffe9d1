/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel encapsulation (6in4, 4in4, 4in6, 6in6). The packet's nexthop names a tunnel group
 * (the VPS on a gateway, a gateway on a vps); the worker's flow table gives the flow's path
 * (uplink), placed by the uplink table (lib/uplink/uplink_table.h): weighted, sticky while
 * the path is usable, moved when it is not.
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
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fib.h"
#include "flow_table.h"
#include "mss_clamp.h"
#include "node_flow_key.h"
#include "nodes.h"
#include "pkt_meta.h"
#include "port.h"

enum { ENCAP_NEXT_TX, ENCAP_NEXT_ICMP, ENCAP_NEXT_FRAG, ENCAP_NEXT_DROP };
#define NODE_DROP_BASE ENCAP_NEXT_DROP

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

/* What one packet's encapsulation needs from its node call. */
struct encap_ctx {
	struct worker *w;
	const struct fib *f;
	const struct uplink_sched *s; /* NULL: every path usable, spread by hash */
	uint32_t now;		      /* ms, the flow table's clock */
};

/*
 * The path of a packet of group gi: its flow's, while that path is usable (sticky); else,
 * and for a new flow, the lowest-RTT path if a DSCP rule says so, or the redirection
 * table's slot for the flow's hash (weighted). With a flowlet gap configured, a flow idle
 * for longer than the gap takes the table's path again. UPLINK_NO_PATH: none is usable.
 */
static inline uint16_t encap_path(const struct encap_ctx *c, const struct tun_group *g, uint16_t gi,
	const struct pkt_meta *meta, const struct flow_key *k, uint32_t hash, uint8_t tos)
{
	const struct uplink_sched *s = c->s;
	struct worker *w = c->w;

	if (s == NULL)
		return g->n == 0 ? UPLINK_NO_PATH : (uint16_t)(g->first + hash % g->n);
	const struct uplink_group_sched *gs = &s->groups[gi];
	uint16_t gen = (uint16_t)c->f->path_gen;
	bool created;
	struct flow_entry *e = flow_lookup(&w->flows, k, hash, c->now, &created);
	/* In the group too: a generation's low 16 bits may come round again. */
	bool placed = e->gen == gen && (uint16_t)(e->path - g->first) < g->n;
	uint16_t p = e->path;

	if (likely(placed && s->usable[p])) {
		if (unlikely(s->flowlet_gap_ms != 0) && !(e->flags & FLOW_F_DSCP) &&
			c->now - e->last > s->flowlet_gap_ms) {
			uint8_t off = gs->reta[uplink_reta_slot(hash)];
			if (off != UPLINK_NONE && g->first + off != p) {
				p = (uint16_t)(g->first + off);
				e->path = p;
				w->counters[CNT_flowlet_moved]++;
			}
		}
	} else {
		bool fast = ((s->low_latency_dscp >> (tos >> 2)) & 1) && gs->fast != UPLINK_NO_PATH;
		uint8_t off = gs->reta[uplink_reta_slot(hash)];
		if (fast)
			p = gs->fast;
		else
			p = off == UPLINK_NONE ? UPLINK_NO_PATH : (uint16_t)(g->first + off);
		if (p != UPLINK_NO_PATH) {
			if (placed)
				w->counters[CNT_flow_moved]++;
			else if (fast)
				w->counters[CNT_flow_low_latency]++;
			e->path = p;
			e->gen = gen;
			e->flags = (uint8_t)((e->flags & ~FLOW_F_DSCP) | (fast ? FLOW_F_DSCP : 0));
		}
	}
	flow_touch(&w->flows, e, c->now, meta->l3_len, node_flow_class(e, meta));
	return p;
}

static inline rte_edge_t encap_one(
	const struct encap_ctx *c, struct rte_mbuf *m, const struct flow_key *k, uint32_t hash)
{
	struct worker *w = c->w;
	const struct fib *f = c->f;
	struct pkt_meta *meta = pkt_meta(m);
	uint16_t gi = f->nexthops[meta->nexthop].tun_group;
	const struct tun_group *g = &f->tun.groups[gi];
	bool v4 = meta->l3 == PKT_L3_IP4;
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l3_off);
	uint16_t pi = encap_path(c, g, gi, meta, k, hash, inner_tos(ip, v4));

	if (unlikely(pi == UPLINK_NO_PATH))
		return node_drop_edge(NODE_DROP_BASE, DROP_tunnel_down);
	const struct tun_path *t = &f->tun.paths[pi];

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
	w->path_tx[pi].packets++;
	w->path_tx[pi].bytes += meta->l3_len;
	return ENCAP_NEXT_TX;
}

/* In three passes over each chunk: flow keys and hashes, with the flow table buckets
 * prefetched; then the entries whose signatures match, from the buckets now in cache;
 * then each packet, by which time its bucket and entry are in cache (flow_table.h). */
static uint16_t encap_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct worker *w = node_worker(node);
	struct encap_ctx c = {.w = w, .f = w->fib, .s = fib_sched(w->fib)};
	struct flow_key keys[NODE_CHUNK];
	uint32_t hashes[NODE_CHUNK];
	rte_edge_t nexts[NODE_CHUNK];

	c.now = node_now_ms(w);
	for (uint16_t base = 0; base < cnt; base += NODE_CHUNK) {
		uint16_t n = RTE_MIN(cnt - base, NODE_CHUNK);
		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = objs[base + i];
			const struct pkt_meta *meta = pkt_meta(m);
			node_flow_key(&keys[i], m, meta,
				rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off),
				meta->l3 == PKT_L3_IP4);
			hashes[i] = flow_hash(&keys[i]);
			if (c.s != NULL)
				flow_prefetch(&w->flows, hashes[i]);
		}
		if (c.s != NULL)
			for (uint16_t i = 0; i < n; i++)
				flow_prefetch_entry(&w->flows, hashes[i]);
		for (uint16_t i = 0; i < n; i++)
			nexts[i] = encap_one(&c, objs[base + i], &keys[i], hashes[i]);
		node_enqueue_nexts(graph, node, objs + base, nexts, n, ENCAP_NEXT_TX, n == cnt);
	}
	return cnt;
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
