/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the control thread hands to this worker to send, complete with m->port set:
 * - through the inject ring, uplink health probes on a port with no control TX queue of
 *   its own (such as an af_packet port with one queue pair): straight to mpgw_tx;
 * - through the twin ring (worker 0, with kernel twins), what the kernel wrote to a port's
 *   twin: to mpgw_twin_output, the leak guard and MSS clamp, then mpgw_tx.
 * An empty ring costs one read per walk.
 */
#include <rte_ring.h>

#include "nodes.h"

enum { INJECT_NEXT_TX, INJECT_NEXT_TWIN_OUTPUT, INJECT_NB_EDGES };

/* Up to one burst from ring r, to edge next; how many. */
static uint16_t inject_ring(
	struct rte_graph *graph, struct rte_node *node, struct rte_ring *r, rte_edge_t next)
{
	if (likely(r == NULL || rte_ring_empty(r)))
		return 0;
	void **to = rte_node_next_stream_get(graph, node, next, RTE_GRAPH_BURST_SIZE);
	unsigned int n = rte_ring_sc_dequeue_burst(r, to, RTE_GRAPH_BURST_SIZE, NULL);
	rte_node_next_stream_put(graph, node, next, n);
	return (uint16_t)n;
}

static uint16_t inject_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct worker *w = node_worker(node);

	RTE_SET_USED(objs);
	RTE_SET_USED(cnt);
	return inject_ring(graph, node, w->inject, INJECT_NEXT_TX) +
	       inject_ring(graph, node, w->twin_out, INJECT_NEXT_TWIN_OUTPUT);
}

static struct rte_node_register inject_node = {
	.name = NODE_INJECT,
	.flags = RTE_NODE_SOURCE_F,
	.process = inject_process,
	.init = node_init_worker,
	.nb_edges = INJECT_NB_EDGES,
	.next_nodes = {[INJECT_NEXT_TX] = NODE_TX, [INJECT_NEXT_TWIN_OUTPUT] = NODE_TWIN_OUTPUT},
};
RTE_NODE_REGISTER(inject_node);
