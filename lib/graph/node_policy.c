/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway traffic policy, for what comes in by a LAN port and would leave by an uplink (or
 * has no route): bypass prefixes go natively out of their uplink; everything else is
 * classed tcp4, other4, tcp6 or other6 and its class's action applies:
 *   tunnel  to mpgw_encap, through the tunnel to the VPS (a counted drop, tunnel_down, when
 *           no uplink has a usable path: fail closed, never native);
 *   relay   to the twin of the LAN port it came in by (mpgw_punt), where nftables hands it
 *           to the kernel's MPTCP proxy (doc/operations.md, "The relay"); while the relay
 *           is unusable (lib/relay), [relay] fallback applies instead: tunnel, or a
 *           counted drop (relay_unavailable);
 *   direct  natively out of the uplink the routes give (no route: no_route);
 *   drop    a counted drop (policy_drop).
 * Packets sent natively are marked PKT_PATH_ALLOWED for the leak guard (mpgw_rewrite).
 */
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fib.h"
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

/* Out natively, through the nexthop the lookup chose. */
static inline rte_edge_t native(struct pkt_meta *meta)
{
	meta->path |= PKT_PATH_ALLOWED;
	return unlikely(meta->tcp_flags & RTE_TCP_SYN_FLAG) ? POLICY_NEXT_MSS : POLICY_NEXT_REWRITE;
}

static inline rte_edge_t policy_one(void *ctx, struct rte_mbuf *m)
{
	struct worker *w = ctx;
	const struct fib *f = w->fib;
	struct pkt_meta *meta = pkt_meta(m);

	if (meta->nexthop != FIB_NH_NONE && f->nexthops[meta->nexthop].type == FIB_NH_BYPASS) {
		w->counters[CNT_policy_bypass]++;
		return native(meta);
	}
	uint8_t action = f->policy[policy_class(meta)];
	if (action == CFG_ACT_RELAY) {
		if (likely(__atomic_load_n(&w->relay_usable, __ATOMIC_RELAXED))) {
			w->counters[CNT_relay]++;
			w->counters[CNT_relay_bytes] += rte_pktmbuf_pkt_len(m);
			return POLICY_NEXT_PUNT;
		}
		w->counters[CNT_relay_fallback]++;
		action = f->relay_fallback;
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
		w->counters[CNT_policy_direct]++;
		return native(meta);
	default:
		return node_drop_edge(NODE_DROP_BASE, f->policy[policy_class(meta)] == CFG_ACT_RELAY
							      ? DROP_relay_unavailable
							      : DROP_policy_drop);
	}
}

static uint16_t policy_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	return node_process_each(
		graph, node, objs, cnt, POLICY_NEXT_ENCAP, policy_one, node_worker(node));
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
