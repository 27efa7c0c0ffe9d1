/* SPDX-License-Identifier: BSD-3-Clause */
/* Transmit: gather packets per egress port, one burst per port on this worker's TX queue. */
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "nodes.h"
#include "port.h"

static void tx_flush(struct worker *w, unsigned int p)
{
	struct worker_txbuf *b = &w->tx[p];
	uint16_t sent = rte_eth_tx_burst(ports[p].port_id, w->txq[p], b->pkts, b->n);

	w->port[p].tx_packets += sent;
	if (unlikely(sent < b->n)) {
		uint16_t lost = b->n - sent;
		w->port[p].tx_dropped += lost;
		w->drops[DROP_tx_full] += lost;
		rte_pktmbuf_free_bulk(&b->pkts[sent], lost);
	}
	b->n = 0;
}

static uint16_t tx_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct worker *w = node_worker(node);
	uint32_t pending = 0; /* bit per port with buffered packets */

	RTE_SET_USED(graph);
	for (uint16_t i = 0; i < cnt; i++) {
		struct rte_mbuf *m = objs[i];
		unsigned int p = port_index_of[m->port];
		struct worker_txbuf *b = &w->tx[p];

		b->pkts[b->n++] = m;
		pending |= 1u << p;
		if (b->n == WORKER_TX_BURST)
			tx_flush(w, p);
	}
	while (pending != 0) {
		unsigned int p = __builtin_ctz(pending);
		pending &= pending - 1;
		if (w->tx[p].n != 0)
			tx_flush(w, p);
	}
	return cnt;
}

static struct rte_node_register tx_node = {
	.name = NODE_TX,
	.process = tx_process,
	.init = node_init_worker,
};
RTE_NODE_REGISTER(tx_node);
