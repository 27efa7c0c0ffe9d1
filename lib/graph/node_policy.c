/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway traffic policy, for what comes in by a LAN port and would leave by an uplink (or
 * has no route): bypass prefixes go natively out of their uplink; everything else is
 * classed tcp4, other4, tcp6 or other6 and its class's action applies:
 *   tunnel  to mpgw_encap, through the tunnel to the VPS (a counted drop, tunnel_down, when
 *           no uplink has a usable path: fail closed, never native);
 *   relay   to the twin of the LAN port it came in by (mpgw_punt), where nftables hands it
 *           to the kernel's MPTCP proxy (doc/operations.md, "The relay"); connections
 *           opened while the relay is unusable (lib/relay) take [relay] fallback instead,
 *           tunnel or a counted drop (relay_unavailable), for their whole life;
 *   direct  natively out of the uplink the routes give (no route: no_route);
 *   drop    a counted drop (policy_drop).
 * Packets sent natively are marked PKT_PATH_ALLOWED for the leak guard (mpgw_rewrite), and
 * their flows noted in the worker's flow table for the WAN edge (mpgw_inbound).
 */
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fib.h"
#include "node_flow_key.h"
#include "nodes.h"
#include "pkt_meta.h"

enum {
	POLICY_NEXT_REWRITE,
	POLICY_NEXT_MSS,
	POLICY_NEXT_ENCAP,
	POLICY_NEXT_PUNT,
	POLICY_NEXT_DROP
};
#define NODE_DROP_BASE POLICY_NEXT_DROP

static inline enum cfg_class policy_class(const struct pkt_meta *meta)
{
	bool tcp = meta->l4_proto == IPPROTO_TCP;

	if (meta->l3 == PKT_L3_IP4)
		return tcp ? CFG_CLASS_TCP4 : CFG_CLASS_OTHER4;
	return tcp ? CFG_CLASS_TCP6 : CFG_CLASS_OTHER6;
}

/* Out natively, through the nexthop the lookup chose, its flow noted so that the WAN edge
 * lets its answers in (mpgw_inbound). A next hop without a MAC yet is a drop: the kernel
 * is already asked to resolve it (lib/netlink/nl_resolve.c), and its twin would not let
 * the LAN's packet out of an uplink. */
static inline rte_edge_t native(struct worker *w, const struct fib *f, const struct rte_mbuf *m,
	struct pkt_meta *meta, enum mpgw_counter counted_as, uint32_t now)
{
	if (unlikely(f->nexthops[meta->nexthop].type == FIB_NH_UNRESOLVED))
		return node_drop_edge(NODE_DROP_BASE, DROP_no_neighbour);
	w->counters[counted_as]++;
	node_flow_note_native(&w->flows, m, meta, now);
	meta->path |= PKT_PATH_ALLOWED;
	return unlikely(meta->tcp_flags & RTE_TCP_SYN_FLAG) ? POLICY_NEXT_MSS : POLICY_NEXT_REWRITE;
}

/* A TCP SYN without ACK: the first packet of a connection. */
static inline bool opens(const struct pkt_meta *meta)
{
	return (meta->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG;
}

/*
 * Did m's connection begin in the tunnel, by the relay's fallback? Looked up in the worker's
 * flow table only while such connections may be alive (up to the TCP idle timeout after
 * the last fallback): relayed traffic pays nothing otherwise.
 */
static inline bool in_tunnel(
	struct worker *w, const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	struct flow_key k;
	uint32_t now;

	if (likely(w->relay_tunnelled_until == 0))
		return false;
	now = node_now_ms(w);
	if (!flow_time_before(now, w->relay_tunnelled_until)) {
		w->relay_tunnelled_until = 0;
		return false;
	}
	node_flow_key(&k, m, meta, rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off),
		meta->l3 == PKT_L3_IP4);
	const struct flow_entry *e = flow_find(&w->flows, &k, flow_hash(&k), now);
	/* A flow the LAN sent natively before a reload made its class relay is not one. */
	return e != NULL && !(e->flags & FLOW_F_NATIVE);
}

/*
 * The action for a packet of a relay class, decided per connection. Its SYN goes to the
 * relay while the relay is usable, else to [relay] fallback; the connections the fallback
 * tunnelled stay in the tunnel, also once the relay is back (the proxy knows nothing of
 * them); every other packet follows its connection to the relay. So a relayed connection
 * outlives a moment without a usable uplink (the kernel's MPTCP waits it out), and one
 * whose proxy is gone is reset by the kernel, as it would be anyway.
 */
static inline uint8_t relay_action(struct worker *w, const struct fib *f, const struct rte_mbuf *m,
	const struct pkt_meta *meta)
{
	if (unlikely(opens(meta))) {
		if (likely(__atomic_load_n(&w->relay_usable, __ATOMIC_RELAXED)))
			return CFG_ACT_RELAY;
		w->counters[CNT_relay_fallback]++;
		if (f->relay_fallback == CFG_ACT_TUNNEL)
			w->relay_tunnelled_until = node_now_ms(w) + w->flows.timeout_ms[FLOW_TO_TCP];
		return f->relay_fallback;
	}
	if (unlikely(in_tunnel(w, m, meta))) {
		w->counters[CNT_relay_fallback]++;
		return CFG_ACT_TUNNEL;
	}
	return CFG_ACT_RELAY;
}

struct policy_ctx {
	struct worker *w;
	uint32_t now; /* ms, the flow tables' clock: once per node call */
};

static inline rte_edge_t policy_one(void *ctx, struct rte_mbuf *m)
{
	const struct policy_ctx *c = ctx;
	struct worker *w = c->w;
	const struct fib *f = w->fib;
	struct pkt_meta *meta = pkt_meta(m);

	if (meta->nexthop != FIB_NH_NONE && f->nexthops[meta->nexthop].type == FIB_NH_BYPASS) {
		return native(w, f, m, meta, CNT_policy_bypass, c->now);
	}
	uint8_t action = f->policy[policy_class(meta)];
	if (action == CFG_ACT_RELAY) {
		action = relay_action(w, f, m, meta);
		if (likely(action == CFG_ACT_RELAY)) {
			w->counters[CNT_relay]++;
			w->counters[CNT_relay_bytes] += rte_pktmbuf_pkt_len(m);
			return POLICY_NEXT_PUNT;
		}
	}
	switch (action) {
	case CFG_ACT_TUNNEL:
		if (unlikely(f->tun.groups[0].n == 0))
			return node_drop_edge(NODE_DROP_BASE, DROP_tunnel_down);
		meta->nexthop = f->tunnel_nh;
		return POLICY_NEXT_ENCAP;
	case CFG_ACT_DIRECT:
		if (meta->nexthop == FIB_NH_NONE)
			return node_drop_edge(NODE_DROP_BASE, DROP_no_route);
		return native(w, f, m, meta, CNT_policy_direct, c->now);
	default:
		return node_drop_edge(NODE_DROP_BASE, f->policy[policy_class(meta)] == CFG_ACT_RELAY
							      ? DROP_relay_unavailable
							      : DROP_policy_drop);
	}
}

static uint16_t policy_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct policy_ctx c = {.w = node_worker(node)};

	c.now = node_now_ms(c.w);
	return node_process_each(graph, node, objs, cnt, POLICY_NEXT_ENCAP, policy_one, &c);
}

static struct rte_node_register policy_node = {
	.name = NODE_POLICY,
	.process = policy_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[POLICY_NEXT_REWRITE] = NODE_REWRITE,
		[POLICY_NEXT_MSS] = NODE_MSS_CLAMP,
		[POLICY_NEXT_ENCAP] = NODE_ENCAP,
		[POLICY_NEXT_PUNT] = NODE_PUNT,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(policy_node);
