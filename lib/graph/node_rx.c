/* SPDX-License-Identifier: BSD-3-Clause */
/* Source node: polls every RX queue this worker owns into one stream. */
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "nodes.h"

enum { RX_NEXT_ETH_INPUT, RX_NB_EDGES };

static uint16_t rx_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct worker *w = node_worker(node);
	uint16_t n = 0;

	RTE_SET_USED(objs);
	RTE_SET_USED(cnt);
	/* Source nodes run first in a walk: every later node of this walk uses this version. */
	w->fib = fib_current();
	/* Start one queue further each walk, so that a busy queue cannot starve the ones after
	 * it when the bursts add up to more than a graph burst. */
	unsigned int first = w->rx_next;
	w->rx_next = first + 1 < w->n_rxq ? first + 1 : 0;
	for (unsigned int k = 0; k < w->n_rxq && n < RTE_GRAPH_BURST_SIZE; k++) {
		unsigned int i = first + k < w->n_rxq ? first + k : first + k - w->n_rxq;
		const struct worker_rxq *q = &w->rxq[i];
		uint16_t room = RTE_MIN(w->burst, RTE_GRAPH_BURST_SIZE - n);
		uint16_t got = rte_eth_rx_burst(
			q->port_id, q->queue, (struct rte_mbuf **)&node->objs[n], room);
		w->port[q->port].rx_packets += got;
		n += got;
	}
	w->polled = n;
	if (n == 0)
		return 0;
	w->last_rx_tsc = rte_rdtsc();
	node->idx = n;
	rte_node_next_stream_move(graph, node, RX_NEXT_ETH_INPUT);
	return n;
}

static struct rte_node_register rx_node = {
	.name = NODE_RX,
	.flags = RTE_NODE_SOURCE_F,
	.process = rx_process,
	.init = node_init_worker,
	.nb_edges = RX_NB_EDGES,
	.next_nodes = {[RX_NEXT_ETH_INPUT] = NODE_ETH_INPUT},
};
RTE_NODE_REGISTER(rx_node);
