/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker lcores: each owns an rte_graph instance, polls its RX queues, reports an RCU
 * quiescent state after every walk and sleeps when idle. Counters live in the worker's own
 * cache lines, written only by it; telemetry reads and sums them.
 */
#ifndef MPGW_WORKER_H
#define MPGW_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_graph.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "config.h"
#include "counters.h"
#include "doorbell.h"
#include "drop_reasons.h"
#include "fib.h"
#include "flow_table.h"
#include "mpgw_limits.h"
#include "mptcp_sf.h"

/* Consecutive empty polls before a worker sleeps idle_sleep_us. */
#define WORKER_IDLE_POLLS 32
/* Walks a stopping worker makes at most to drain its RX queues. */
#define WORKER_DRAIN_WALKS 64
/* Frames the control thread may have queued to a worker; frames a worker may have queued
 * for the kernel twins. */
#define WORKER_INJECT_RING 1024
#define WORKER_PUNT_RING   1024

struct worker_rxq {
	uint16_t port_id;
	uint16_t queue;
	uint8_t port; /* mpgw port index */
};

/* Packets gathered per egress port within one tx node call, sent in one burst. */
#define WORKER_TX_BURST 64

struct worker_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[WORKER_TX_BURST];
};

struct worker_port_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t tx_dropped;
};

struct worker_path_stats {
	uint64_t packets;
	uint64_t bytes;
};

/* Tunnel paths at most: a vps's gateways times their uplinks. */
#define WORKER_MAX_PATHS (MPGW_MAX_GATEWAYS * MPGW_MAX_TUNNEL_PATHS)

struct worker {
	/* Read-mostly, set up before launch. */
	unsigned int lcore;
	unsigned int idx; /* 0..n_workers-1, also the RCU thread id */
	struct rte_graph *graph;
	rte_graph_t graph_id;
	unsigned int n_rxq;
	struct worker_rxq rxq[MPGW_MAX_PORTS];
	uint16_t txq[MPGW_MAX_PORTS]; /* by mpgw port index */
	uint16_t burst;
	unsigned int idle_sleep_us;
	uint32_t icmp_rate;  /* ICMP errors per second; 0: none */
	uint32_t icmp_burst; /* and at most this many at once */

	uint64_t tsc_per_ms;
	struct flow_table flows; /* tunnelled flows -> path (node_encap.c) */
	void *flows_mem;
	/* Tunnel packets and bytes sent per path of the live FIB version, by path index. */
	struct worker_path_stats *path_tx;
	struct rte_ring *inject;    /* frames from the control thread to send (node_inject.c) */
	struct rte_ring *punt;	    /* frames for the kernel twins (node_punt.c); NULL: no twins */
	struct doorbell *punt_bell; /* rung after a punt: the twins' thread may sleep */
	struct rte_ring *twin_out;  /* worker 0: frames from the kernel twins (twin_output) */
	/* With twins: packets and bytes per MPTCP subflow of the kernel (mptcp_sf.h), by
	 * counter slot; NULL without. */
	struct mptcp_sf_stats *mptcp_sf;
	/* Gateway: may relay classes go to the kernel's proxy now? Written by the control
	 * thread (relay_ctl.c, workers_set_relay_usable()), read by mpgw_policy. */
	bool relay_usable;

	/* Written by the worker every walk. */
	struct fib *fib;      /* the version this walk uses, loaded by the rx node */
	uint32_t polled;      /* packets received in this walk */
	unsigned int rx_next; /* RX queue the next walk polls first */
	uint64_t last_rx_tsc;
	uint64_t icmp_credit; /* token bucket, TSC ticks x rate (node_icmp_error.c) */
	uint64_t icmp_last_tsc;
	/* mpgw_policy: ms until which connections the relay's fallback tunnelled may be
	 * alive (0: none), so that they stay in the tunnel. */
	uint32_t relay_tunnelled_until;

	struct worker_txbuf tx[MPGW_MAX_PORTS] __rte_cache_aligned;
	uint64_t drops[DROP_MAX] __rte_cache_aligned;
	uint64_t counters[CNT_MAX] __rte_cache_aligned;
	struct worker_port_stats port[MPGW_MAX_PORTS] __rte_cache_aligned;
} __rte_cache_aligned;

extern struct worker *workers;
extern unsigned int n_workers;
extern struct rte_rcu_qsbr *worker_rcu;

/*
 * Allocate one worker per EAL worker lcore, the RCU variable and each worker's
 * graph. Call after ports_start(). Idle sleep, burst and ICMP rate come from cfg.
 */
int workers_init(const struct mpgw_config *cfg, char *err, size_t errlen);
/* Set up one worker and create its graph: its queues are queue idx of every port. Used by
 * workers_init(), and by tests that walk a graph on the calling thread. */
int worker_setup(struct worker *w, unsigned int idx, unsigned int lcore,
	const struct mpgw_config *cfg, char *err, size_t errlen);
/* Free what worker_setup() allocated. */
void worker_release(struct worker *w);
/* Number of EAL worker lcores (all but the main one). */
unsigned int workers_count_lcores(void);
int workers_launch(void);
/* Ask every worker to stop, drain its queues and return; waits for them. */
void workers_stop(void);
void workers_free(void);

/* Tell every worker whether the relay is usable (the control thread). */
void workers_set_relay_usable(bool usable);

/* Newest last_rx_tsc over all workers. */
uint64_t workers_last_rx_tsc(void);

/* Sum of a drop counter over workers. */
uint64_t workers_drops(enum mpgw_drop r);
/* Sum of one counter over all workers. */
uint64_t workers_counter(enum mpgw_counter c);
/* Sum of a tunnel path's TX counters over workers. */
void workers_path_stats(unsigned int path, struct worker_path_stats *out);
/* Sum of a port's counters over workers. */
void workers_port_stats(unsigned int port, struct worker_port_stats *out);

#endif
