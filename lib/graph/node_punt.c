/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames for the kernel twins (lib/exception/twin.h): onto this worker's punt ring, which
 * the twins' service thread drains into the TAP of the port each frame came in by (rung
 * awake if it sleeps: worker/doorbell.h). The frame is whole, from its Ethernet header:
 * the nodes before only read it. A full ring is the `punt_ring_full` drop: the worker
 * never waits for the kernel.
 */
#include <rte_ring.h>

#include "nodes.h"

enum { PUNT_NEXT_DROP };
#define NODE_DROP_BASE PUNT_NEXT_DROP

static uint16_t punt_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct worker *w = node_worker(node);
	unsigned int n = rte_ring_sp_enqueue_burst(w->punt, objs, cnt, NULL);

	w->counters[CNT_punted] += n;
	if (likely(n != 0) && w->punt_bell != NULL) /* NULL: tests without the thread */
		doorbell_ring(w->punt_bell);
	if (unlikely(n < cnt))
		rte_node_enqueue(graph, node, node_drop_edge(NODE_DROP_BASE, DROP_punt_ring_full),
			objs + n, (uint16_t)(cnt - n));
	return cnt;
}

static struct rte_node_register punt_node = {
	.name = NODE_PUNT,
	.process = punt_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(punt_node);
