/* SPDX-License-Identifier: BSD-3-Clause */
/* One sink node per drop reason: counts on the worker and frees. */
#include <rte_mbuf.h>

#include "nodes.h"

static inline uint16_t drop_process(
	struct rte_node *node, void **objs, uint16_t n, enum mpgw_drop reason)
{
	node_worker(node)->drops[reason] += n;
	rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, n);
	return n;
}

#define DROP_NODE(reason, desc)                                                                    \
	static uint16_t drop_##reason##_process(                                                   \
		struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)           \
	{                                                                                          \
		RTE_SET_USED(graph);                                                               \
		return drop_process(node, objs, n, DROP_##reason);                                 \
	}                                                                                          \
	static struct rte_node_register drop_##reason##_node = {                                   \
		.name = NODE_DROP_PREFIX #reason,                                                  \
		.process = drop_##reason##_process,                                                \
		.init = node_init_worker,                                                          \
	};                                                                                         \
	RTE_NODE_REGISTER(drop_##reason##_node);

MPGW_DROP_REASONS(DROP_NODE)
