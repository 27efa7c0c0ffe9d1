/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Graph nodes of the data path, one feature each. doc/architecture.md, "The graph", draws
 * how they connect and says what each does (one copy, beside the node table, so that no
 * second one goes out of date here).
 *
 * Besides them there is one sink per drop reason, "mpgw_drop_<reason>" (drop_reasons.h).
 * Every node that can drop has an edge to every drop node, after its own edges, so a node
 * drops with node_drop_edge(<its first drop edge>, reason).
 */
#ifndef MPGW_NODES_H
#define MPGW_NODES_H

#include <rte_cycles.h>
#include <rte_graph.h>
#include <rte_graph_worker.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "drop_reasons.h"
#include "mss_clamp.h"
#include "pkt_meta.h"
#include "pkt_cksum.h"
#include "worker.h"

#define NODE_RX		 "mpgw_rx"
#define NODE_ETH_INPUT	 "mpgw_eth_input"
#define NODE_IP4_INPUT	 "mpgw_ip4_input"
#define NODE_IP6_INPUT	 "mpgw_ip6_input"
#define NODE_IP4_LOOKUP	 "mpgw_ip4_lookup"
#define NODE_IP6_LOOKUP	 "mpgw_ip6_lookup"
#define NODE_MSS_CLAMP	 "mpgw_mss_clamp"
#define NODE_REWRITE	 "mpgw_rewrite"
#define NODE_ICMP_ERROR	 "mpgw_icmp_error"
#define NODE_POLICY	 "mpgw_policy"
#define NODE_INBOUND	 "mpgw_inbound"
#define NODE_ENCAP	 "mpgw_encap"
#define NODE_DECAP	 "mpgw_decap"
#define NODE_IP4_FRAG	 "mpgw_ip4_frag"
#define NODE_LOCAL	 "mpgw_local"
#define NODE_INJECT	 "mpgw_inject"
#define NODE_PUNT	 "mpgw_punt"
#define NODE_TWIN_OUTPUT "mpgw_twin_output"
#define NODE_TX		 "mpgw_tx"
#define NODE_DROP_PREFIX "mpgw_drop_"

/* In a node file: #define NODE_DROP_BASE <first drop edge> before using these. */
#define NODE_DROP_EDGE_(name, desc) [NODE_DROP_BASE + DROP_##name - 1] = NODE_DROP_PREFIX #name,
#define NODE_DROP_EDGES		    MPGW_DROP_REASONS(NODE_DROP_EDGE_)
#define NODE_NB_EDGES		    (NODE_DROP_BASE + DROP_MAX - 1)

static inline rte_edge_t node_drop_edge(rte_edge_t base, enum mpgw_drop r)
{
	return base + r - 1;
}

/*
 * Every node's context holds the worker whose graph it belongs to. Graph instances are
 * created one at a time on the main lcore, and node init callbacks run inside
 * rte_graph_create(), so the worker being built is passed through this variable (set
 * around that call by lib/worker/worker.c, which defines it).
 */
extern struct worker *node_worker_building;
int node_init_worker(const struct rte_graph *graph, struct rte_node *node);

static inline struct worker *node_worker(const struct rte_node *node)
{
	return *(struct worker *const *)node->ctx;
}

/* The flow tables' clock (lib/flow): milliseconds, wrapping every 49 days. */
static inline uint32_t node_now_ms(const struct worker *w)
{
	return (uint32_t)(rte_rdtsc() / w->tsc_per_ms);
}

/* Packets a node classifies per step: node streams can grow past one burst. */
#define NODE_CHUNK RTE_GRAPH_BURST_SIZE

/*
 * Move objs[0..cnt) to their next nodes, nexts[i] being the edge of objs[i]. Packets that
 * follow `spec` (the node's usual next) are copied in runs into that node's stream, and
 * when all of them do and objs is the node's whole stream (`whole`), the stream is handed
 * over without a copy; the others go one by one. This keeps the per-packet cost of a
 * uniform burst to computing its edge.
 */
static __rte_always_inline void node_enqueue_nexts(struct rte_graph *graph, struct rte_node *node,
	void **objs, const rte_edge_t *nexts, uint16_t cnt, rte_edge_t spec, bool whole)
{
	void **to_next = rte_node_next_stream_get(graph, node, spec, cnt);
	uint16_t held = 0, run_start = 0;

	for (uint16_t i = 0; i < cnt; i++) {
		if (likely(nexts[i] == spec))
			continue;
		uint16_t run = i - run_start;
		rte_memcpy(to_next + held, objs + run_start, run * sizeof(void *));
		held += run;
		run_start = i + 1;
		rte_node_enqueue_x1(graph, node, nexts[i], objs[i]);
	}
	if (run_start == 0 && whole) {
		rte_node_next_stream_move(graph, node, spec);
		return;
	}
	uint16_t run = cnt - run_start;
	rte_memcpy(to_next + held, objs + run_start, run * sizeof(void *));
	held += run;
	rte_node_next_stream_put(graph, node, spec, held);
}

/*
 * The body of a node that decides each packet on its own: one(ctx, m) returns the edge of
 * m. Inlined, so `one` is a direct call the compiler folds in.
 */
typedef rte_edge_t (*node_one_fn)(void *ctx, struct rte_mbuf *m);

static __rte_always_inline uint16_t node_process_each(struct rte_graph *graph,
	struct rte_node *node, void **objs, uint16_t cnt, rte_edge_t spec, node_one_fn one,
	void *ctx)
{
	rte_edge_t nexts[NODE_CHUNK];

	for (uint16_t base = 0; base < cnt; base += NODE_CHUNK) {
		uint16_t n = RTE_MIN(cnt - base, NODE_CHUNK);
		for (uint16_t i = 0; i < n; i++) {
			if (i + 2 < n)
				rte_prefetch0(rte_pktmbuf_mtod(
					(struct rte_mbuf *)objs[base + i + 2], void *));
			nexts[i] = one(ctx, objs[base + i]);
		}
		node_enqueue_nexts(graph, node, objs + base, nexts, n, spec, n == cnt);
	}
	return cnt;
}

/*
 * TTL or hop limit - 1 of the IP header at ip, with an RFC 1624 update of the IPv4
 * checksum. The (TTL, protocol) word is changed in a register and stored once: a byte store
 * followed by a word load of the same bytes would stall on store forwarding.
 */
static __rte_always_inline void node_ttl_decrement(void *ip, bool v4)
{
	if (v4) {
		struct rte_ipv4_hdr *h = ip;
		uint16_t *ttl_proto = (uint16_t *)&h->time_to_live;
		uint16_t old = *ttl_proto;
		uint16_t new = rte_cpu_to_be_16(rte_be_to_cpu_16(old) - 0x0100);
		*ttl_proto = new;
		h->hdr_checksum = pkt_cksum_update16(h->hdr_checksum, old, new);
	} else {
		((struct rte_ipv6_hdr *)ip)->hop_limits--;
	}
}

/* Clamp a SYN's MSS to limit (mss_clamp.h) and count what was done. */
static inline void node_mss_clamp(
	struct worker *w, struct rte_mbuf *m, struct pkt_meta *meta, uint16_t limit)
{
	static const int8_t counter[] = {
		[MSS_UNCHANGED] = -1,
		[MSS_CLAMPED] = CNT_mss_clamped,
		[MSS_INSERTED] = CNT_mss_inserted,
		[MSS_NOT_INSERTED] = CNT_mss_not_inserted,
		[MSS_BAD_OPTIONS] = CNT_mss_bad_options,
	};
	int8_t c = counter[mss_clamp(m, meta, limit)];

	if (c >= 0)
		w->counters[c]++;
}

/* Node pattern of every mpgw node, for rte_graph_create(). */
#define NODE_PATTERN "mpgw_*"

#endif
