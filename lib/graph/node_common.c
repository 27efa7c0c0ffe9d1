/* SPDX-License-Identifier: BSD-3-Clause */
#include "nodes.h"

int node_init_worker(const struct rte_graph *graph, struct rte_node *node)
{
	RTE_SET_USED(graph);
	RTE_BUILD_BUG_ON(sizeof(struct worker *) > RTE_NODE_CTX_SZ);
	*(struct worker **)node->ctx = node_worker_building;
	return 0;
}
