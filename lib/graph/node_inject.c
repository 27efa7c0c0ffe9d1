/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the control thread hands to this worker to send (uplink health probes on a port
 * with no control TX queue of its own, such as an af_packet port with one queue pair),
 * through the worker's ring. They are complete frames with m->port set: straight to
 * mpgw_tx, on the worker's TX queue. An empty ring costs one read per walk.
 */
#include <rte_ring.h>

#include "nodes.h"

enum { INJECT_NEXT_TX, INJECT_NB_EDGES };

static uint16_t inject_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct worker *w = node_worker(node);

	RTE_SET_USED(objs);
	RTE_SET_USED(cnt);
	if (likely(w->inject == NULL || rte_ring_empty(w->inject)))
		return 0;
	void **to = rte_node_next_stream_get(graph, node, INJECT_NEXT_TX, RTE_GRAPH_BURST_SIZE);
	unsigned int n = rte_ring_sc_dequeue_burst(w->inject, to, RTE_GRAPH_BURST_SIZE, NULL);
	rte_node_next_stream_put(graph, node, INJECT_NEXT_TX, n);
	return (uint16_t)n;
}

static struct rte_node_register inject_node = {
	.name = NODE_INJECT,
	.flags = RTE_NODE_SOURCE_F,
	.process = inject_process,
	.init = node_init_worker,
	.nb_edges = INJECT_NB_EDGES,
	.next_nodes = {[INJECT_NEXT_TX] = NODE_TX},
};
RTE_NODE_REGISTER(inject_node);
