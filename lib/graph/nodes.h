/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Graph nodes of the data path, one feature each:
 *
 *   mpgw_rx -> mpgw_eth_input -> mpgw_ip4_input -> mpgw_ip4_lookup -> mpgw_rewrite -> mpgw_tx
 *                             -> mpgw_ip6_input -> mpgw_ip6_lookup ->
 *
 * and one sink per drop reason, "mpgw_drop_<reason>" (see drop_reasons.h). Every node that
 * can drop has an edge to every drop node, after its own edges, so a node drops with
 * node_drop_edge(<its first drop edge>, reason).
 */
#ifndef MPGW_NODES_H
#define MPGW_NODES_H

#include <rte_graph.h>
#include <rte_graph_worker.h>

#include "drop_reasons.h"
#include "worker.h"

#define NODE_RX		 "mpgw_rx"
#define NODE_ETH_INPUT	 "mpgw_eth_input"
#define NODE_IP4_INPUT	 "mpgw_ip4_input"
#define NODE_IP6_INPUT	 "mpgw_ip6_input"
#define NODE_IP4_LOOKUP	 "mpgw_ip4_lookup"
#define NODE_IP6_LOOKUP	 "mpgw_ip6_lookup"
#define NODE_REWRITE	 "mpgw_rewrite"
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
 * rte_graph_create(), so the worker being built is passed through this variable.
 */
extern struct worker *node_worker_building;
int node_init_worker(const struct rte_graph *graph, struct rte_node *node);

static inline struct worker *node_worker(const struct rte_node *node)
{
	return *(struct worker *const *)node->ctx;
}

/* Node pattern of every mpgw node, for rte_graph_create(). */
#define NODE_PATTERN "mpgw_*"

#endif
