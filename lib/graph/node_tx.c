/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmit on this worker's TX queue of each port: runs of packets for one port are sent
 * straight from the stream, scattered packets are gathered per port and sent in one burst.
 */
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "nodes.h"
#include "port.h"

/* Send pkts[0..n) on port p; what the queue does not take is freed and counted. */
static void tx_send(struct worker *w, unsigned int p, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(ports[p].port_id, w->txq[p], pkts, n);

	w->port[p].tx_packets += sent;
	if (unlikely(sent < n)) {
		uint16_t lost = n - sent;
		w->port[p].tx_dropped += lost;
		w->drops[DROP_tx_full] += lost;
		rte_pktmbuf_free_bulk(&pkts[sent], lost);
	}
}

static void tx_flush(struct worker *w, unsigned int p)
{
	struct worker_txbuf *b = &w->tx[p];

	tx_send(w, p, b->pkts, b->n);
	b->n = 0;
}

/* A run of packets for one port at least this long is sent straight from the stream. */
#define TX_DIRECT_RUN 16

static uint16_t tx_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct worker *w = node_worker(node);
	struct rte_mbuf **pkts = (struct rte_mbuf **)objs;
	uint32_t pending = 0; /* bit per port with buffered packets */

	RTE_SET_USED(graph);
	for (uint16_t i = 0; i < cnt;) {
		unsigned int p = port_index_of[pkts[i]->port];
		uint16_t run = 1;

		while (i + run < cnt && pkts[i + run]->port == pkts[i]->port)
			run++;
		struct worker_txbuf *b = &w->tx[p];
		if (run >= TX_DIRECT_RUN) {
			/* Most bursts go to one port: no copy. What is buffered for the port
			 * goes first, to keep the order. */
			if (b->n != 0)
				tx_flush(w, p);
			tx_send(w, p, &pkts[i], run);
		} else {
			for (uint16_t k = 0; k < run; k++) {
				b->pkts[b->n++] = pkts[i + k];
				if (b->n == WORKER_TX_BURST)
					tx_flush(w, p);
			}
			pending |= 1u << p;
		}
		i += run;
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
