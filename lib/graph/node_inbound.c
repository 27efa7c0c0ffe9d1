/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The WAN edge, default deny (doc/config.md, "The WAN edge"): what crosses it inwards is
 * let in only as
 *   - an answer to a flow the LAN opened natively (the policy's direct and bypass actions
 *     note those flows in the worker's flow table, FLOW_F_NATIVE): the packet's reversed
 *     key is such a flow (inbound_answers); for ICMP only an echo reply, and never a
 *     fragment (its key has no ports, and would stand for every port);
 *   - an ICMP error (IPv4 unreachable, time exceeded, parameter problem; ICMPv6 1-4) that
 *     quotes such a flow and is addressed to the LAN host that sent it (inbound_answers);
 *   - a packet an [inbound] allow rule lets in: protocol, destination prefix and, for TCP
 *     and UDP, destination port (inbound_allowed).
 * Everything else is an inbound_denied drop. What came out of a tunnel does not pass here
 * (mpgw_decap authenticates its peer and its inner source), nor what is addressed to mpgw
 * itself (mpgw_local, the kernel twin's own firewall).
 *
 * The lookup sends here, in the gateway role, what came in by an uplink and is forwarded;
 * in the vps role, what is routed into a tunnel to a gateway's LAN, from the vps's other
 * side or from another gateway's tunnel (gateways do not trust one another). A vps also
 * sends here what came out of a tunnel and leaves natively, to note it as the LAN's own
 * flow (the gateway's policy does that on a gateway).
 *
 * A flow is noted in the table of the worker that saw it leave; its answers are looked up
 * there first, then in the other workers' tables (find_native).
 */
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fib.h"
#include "node_flow_key.h"
#include "nodes.h"
#include "pkt_meta.h"

enum {
	INBOUND_NEXT_REWRITE,
	INBOUND_NEXT_MSS,
	INBOUND_NEXT_ENCAP,
	INBOUND_NEXT_PUNT,
	INBOUND_NEXT_DROP
};
#define NODE_DROP_BASE INBOUND_NEXT_DROP

#define ICMP4_UNREACH	    3
#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_PARAM_PROBLEM 12
#define ICMP6_ERROR_LAST    4 /* types 1-4: unreachable, too big, time exceeded, parameter */
#define ICMP4_ECHO_REPLY    0
#define ICMP6_ECHO_REPLY    129

/*
 * The live native flow of key k at time now: in the worker's own table, else, with several
 * workers, in another's (read only, tolerating a stale read: RSS need not bring a flow's
 * answers to the worker that saw it leave; on a vps it cannot, as the outgoing packets came
 * inside a tunnel). *own tells which.
 */
static inline const struct flow_entry *find_native(
	struct worker *w, const struct flow_key *k, uint32_t now, bool *own)
{
	uint32_t h = flow_hash(k);
	struct flow_entry *e = flow_find(&w->flows, k, h, now);

	*own = true;
	if (e != NULL && (e->flags & FLOW_F_NATIVE))
		return e;
	*own = false;
	for (unsigned int i = 0; unlikely(n_workers > 1) && i < n_workers; i++) {
		if (&workers[i] == w)
			continue;
		e = flow_find(&workers[i].flows, k, h, now);
		if (e != NULL && (e->flags & FLOW_F_NATIVE))
			return e;
	}
	return NULL;
}

/* ICMP that answers a flow: an echo reply (errors are error_about_native's). Other types
 * (echo or timestamp requests, redirects) are no answer, whoever was pinged. */
static inline bool icmp_answer(const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	bool v4 = meta->l3 == PKT_L3_IP4;

	if (meta->l4_proto != (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return true;
	if ((meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) != PKT_F_L4 ||
		meta->l4_off + 1u > rte_pktmbuf_data_len(m))
		return false;
	return *rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l4_off) ==
	       (v4 ? ICMP4_ECHO_REPLY : ICMP6_ECHO_REPLY);
}

/* Is m an answer to a flow the LAN opened natively? Its flow's idle timer is pushed out
 * (in the worker's own table only). A fragment is none: its key has no ports. */
static inline bool answers_native(
	struct worker *w, const struct rte_mbuf *m, const struct pkt_meta *meta, uint32_t now)
{
	struct flow_key k, r;
	bool own;

	node_flow_key(&k, m, meta, rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off),
		meta->l3 == PKT_L3_IP4);
	if (node_flow_key_portless(&k) || !icmp_answer(m, meta))
		return false;
	node_flow_key_reverse(&r, &k);
	const struct flow_entry *e = find_native(w, &r, now, &own);
	if (e == NULL)
		return false;
	if (own)
		flow_touch(&w->flows, (struct flow_entry *)e, now, meta->l3_len,
			node_flow_class((struct flow_entry *)e, meta));
	return true;
}

/*
 * The key of the packet an ICMP error quotes (as the LAN host sent it), at q (the quoted
 * IP header, `len` bytes of it in the first segment); false when it cannot be keyed: short,
 * of the other family, or an IPv6 packet with extension headers (not followed: such
 * errors are denied).
 */
static inline bool quoted_key(struct flow_key *k, const uint8_t *q, uint32_t len, bool v4)
{
	uint32_t l4;
	bool frag;

	memset(k, 0, sizeof(*k));
	if (v4) {
		const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)q;
		if (len < sizeof(*h) || (q[0] >> 4) != 4 || (q[0] & 0x0f) < 5)
			return false;
		l4 = (uint32_t)(q[0] & 0x0f) * 4u;
		k->family = 4;
		k->proto = h->next_proto_id;
		memcpy(k->src, &h->src_addr, 4);
		memcpy(k->dst, &h->dst_addr, 4);
		frag = (h->fragment_offset &
			       RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
	} else {
		const struct rte_ipv6_hdr *h = (const struct rte_ipv6_hdr *)q;
		if (len < sizeof(*h) || (q[0] >> 4) != 6)
			return false;
		l4 = sizeof(*h);
		k->family = 6;
		k->proto = h->proto;
		if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP &&
			k->proto != IPPROTO_ICMPV6)
			return false;
		memcpy(k->src, h->src_addr, 16);
		memcpy(k->dst, h->dst_addr, 16);
		frag = false;
	}
	if (!frag && (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP)) {
		if (len < l4 + 4)
			return false;
		memcpy(&k->sport, q + l4, 4);
	}
	return true;
}

/* Is m an ICMP error about a flow the LAN opened natively, addressed to its LAN host? */
static inline bool error_about_native(
	struct worker *w, const struct rte_mbuf *m, const struct pkt_meta *meta, uint32_t now)
{
	bool v4 = meta->l3 == PKT_L3_IP4;
	uint32_t data = rte_pktmbuf_data_len(m);
	struct flow_key k;

	if (meta->l4_proto != (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) ||
		(meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) != PKT_F_L4 ||
		meta->l4_off + 8u > data)
		return false;
	const uint8_t *icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l4_off);
	bool error = v4 ? icmp[0] == ICMP4_UNREACH || icmp[0] == ICMP4_TIME_EXCEEDED ||
				  icmp[0] == ICMP4_PARAM_PROBLEM
			: icmp[0] >= 1 && icmp[0] <= ICMP6_ERROR_LAST;
	/* The quote ends where the datagram does, or the segment if sooner. */
	uint32_t end = RTE_MIN(data, (uint32_t)meta->l3_off + meta->l3_len);
	if (!error || meta->l4_off + 8u >= end ||
		!quoted_key(&k, icmp + 8, end - meta->l4_off - 8u, v4))
		return false;
	/* To the host that sent the quoted packet, and no other. */
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	if (memcmp(k.src,
		    v4 ? ip + offsetof(struct rte_ipv4_hdr, dst_addr)
		       : ip + offsetof(struct rte_ipv6_hdr, dst_addr),
		    v4 ? 4 : 16) != 0)
		return false;
	bool own;
	return !node_flow_key_portless(&k) && find_native(w, &k, now, &own) != NULL;
}

/* Does an [inbound] allow rule let m in? */
static inline bool rule_allows(const struct fib *f, const struct rte_mbuf *m,
	const struct pkt_meta *meta)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	bool v4 = meta->l3 == PKT_L3_IP4;
	struct ipaddr dst = {.family = v4 ? 4 : 6};
	int32_t port = -1; /* none known: a fragment, or no TCP / UDP header */

	if (f->n_inbound == 0)
		return false;
	if (v4)
		memcpy(&dst.v4, ip + offsetof(struct rte_ipv4_hdr, dst_addr), 4);
	else
		memcpy(dst.v6, ip + offsetof(struct rte_ipv6_hdr, dst_addr), 16);
	if ((meta->flags & (PKT_F_L4 | PKT_F_FRAGMENT)) == PKT_F_L4 &&
		(meta->l4_proto == IPPROTO_TCP || meta->l4_proto == IPPROTO_UDP) &&
		meta->l4_off + 4u <= rte_pktmbuf_data_len(m)) {
		uint16_t be;
		memcpy(&be, rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l4_off + 2u), 2);
		port = rte_be_to_cpu_16(be);
	}
	for (uint32_t i = 0; i < f->n_inbound; i++) {
		const struct cfg_inbound *r = &f->inbound[i];
		if (r->proto != meta->l4_proto || !ipprefix_contains(&r->prefix, &dst))
			continue;
		/* A rule of every port also lets a fragment in; one of some ports does not. */
		if (r->port_lo == 0 && r->port_hi == 65535)
			return true;
		if (port >= r->port_lo && port <= r->port_hi)
			return true;
	}
	return false;
}

/* On, to where the lookup routed m. A next hop without a MAC yet: to the kernel, which
 * forwards it and resolves the neighbour (lookup_verdict in node_lookup.c). */
static inline rte_edge_t pass_on(
	const struct worker *w, const struct fib *f, const struct pkt_meta *meta)
{
	switch (f->nexthops[meta->nexthop].type) {
	case FIB_NH_TUNNEL:
		return INBOUND_NEXT_ENCAP;
	case FIB_NH_FORWARD:
	case FIB_NH_BYPASS:
		return unlikely(meta->tcp_flags & RTE_TCP_SYN_FLAG) ? INBOUND_NEXT_MSS
								    : INBOUND_NEXT_REWRITE;
	default:
		if (w->punt != NULL && !(meta->path & PKT_PATH_DECAP))
			return INBOUND_NEXT_PUNT;
		return node_drop_edge(NODE_DROP_BASE, DROP_no_neighbour);
	}
}

struct inbound_ctx {
	struct worker *w;
	uint32_t now; /* ms, the flow tables' clock: once per node call */
};

/* Is m let in: an answer, an error about a native flow, or by a rule? Counted. */
static inline bool let_in(struct worker *w, const struct fib *f, const struct rte_mbuf *m,
	const struct pkt_meta *meta, uint32_t now)
{
	if (answers_native(w, m, meta, now) || error_about_native(w, m, meta, now)) {
		w->counters[CNT_inbound_answers]++;
		return true;
	}
	if (rule_allows(f, m, meta)) {
		w->counters[CNT_inbound_allowed]++;
		return true;
	}
	return false;
}

static inline rte_edge_t inbound_one(void *ctx, struct rte_mbuf *m)
{
	const struct inbound_ctx *c = ctx;
	struct worker *w = c->w;
	const struct fib *f = w->fib;
	const struct pkt_meta *meta = pkt_meta(m);
	bool to_tunnel = f->nexthops[meta->nexthop].type == FIB_NH_TUNNEL;

	/* vps: out of a gateway's tunnel and out natively: noted, its answers may come back. */
	if ((meta->path & PKT_PATH_DECAP) && !to_tunnel) {
		node_flow_note_native(&w->flows, m, meta, c->now);
		return pass_on(w, f, meta);
	}
	if (!let_in(w, f, m, meta, c->now))
		return node_drop_edge(NODE_DROP_BASE, DROP_inbound_denied);
	/* vps: from one gateway's LAN to another's, let in by the other's edge: noted for the
	 * answers. */
	if (meta->path & PKT_PATH_DECAP)
		node_flow_note_native(&w->flows, m, meta, c->now);
	return pass_on(w, f, meta);
}

static uint16_t inbound_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct inbound_ctx c = {.w = node_worker(node)};

	c.now = node_now_ms(c.w);
	return node_process_each(graph, node, objs, cnt, INBOUND_NEXT_REWRITE, inbound_one, &c);
}

static struct rte_node_register inbound_node = {
	.name = NODE_INBOUND,
	.process = inbound_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[INBOUND_NEXT_REWRITE] = NODE_REWRITE,
		[INBOUND_NEXT_MSS] = NODE_MSS_CLAMP,
		[INBOUND_NEXT_ENCAP] = NODE_ENCAP,
		[INBOUND_NEXT_PUNT] = NODE_PUNT,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(inbound_node);
