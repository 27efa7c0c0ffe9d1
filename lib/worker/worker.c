/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_graph_worker.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "nodes.h"
#include "port.h"
#include "worker.h"

_Static_assert(MPGW_MAX_PORTS <= 32, "the tx node keeps a 32-bit mask of ports");
_Static_assert((int)FLOW_TO_TCP == (int)CFG_FLOW_TCP &&
		       (int)FLOW_TO_TCP_CLOSED == (int)CFG_FLOW_TCP_CLOSED &&
		       (int)FLOW_TO_UDP == (int)CFG_FLOW_UDP &&
		       (int)FLOW_TO_OTHER == (int)CFG_FLOW_OTHER &&
		       (int)FLOW_TO_MAX == (int)CFG_FLOW_TIMEOUTS,
	"the flow table's timeouts mirror the configuration's");

struct worker *workers;
unsigned int n_workers;
struct rte_rcu_qsbr *worker_rcu;
static bool stop_requested;

unsigned int workers_count_lcores(void)
{
	unsigned int n = 0, lcore;

	RTE_LCORE_FOREACH_WORKER(lcore)
	n++;
	return n;
}

struct worker *node_worker_building;

static int create_graph(struct worker *w, char *err, size_t errlen)
{
	static const char *patterns[] = {NODE_PATTERN};
	struct rte_graph_param prm = {
		.socket_id = rte_lcore_to_socket_id(w->lcore),
		.nb_node_patterns = RTE_DIM(patterns),
		.node_patterns = patterns,
	};
	char name[RTE_GRAPH_NAMESIZE];

	snprintf(name, sizeof(name), "mpgw_worker%u", w->idx);
	node_worker_building = w;
	rte_graph_t id = rte_graph_create(name, &prm);
	node_worker_building = NULL;
	if (id == RTE_GRAPH_ID_INVALID) {
		snprintf(err, errlen, "cannot create graph %s: %s", name, rte_strerror(rte_errno));
		return -1;
	}
	w->graph_id = id;
	w->graph = rte_graph_lookup(name);
	return 0;
}

/* Create *r (SP/SC) unless it exists. */
static int worker_ring(struct rte_ring **r, const char *prefix, unsigned int idx, unsigned int size,
	unsigned int lcore, char *err, size_t errlen)
{
	char name[RTE_RING_NAMESIZE];

	if (*r != NULL)
		return 0;
	snprintf(name, sizeof(name), "%s%u", prefix, idx);
	*r = rte_ring_create(
		name, size, (int)rte_lcore_to_socket_id(lcore), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (*r == NULL) {
		snprintf(err, errlen, "cannot create ring %s: %s", name, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* Free the mbufs left in *r, then *r. */
static void ring_release(struct rte_ring **r)
{
	struct rte_mbuf *m;

	if (*r == NULL)
		return;
	while (rte_ring_dequeue(*r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(*r);
	*r = NULL;
}

int worker_setup(struct worker *w, unsigned int idx, unsigned int lcore,
	const struct mpgw_config *cfg, char *err, size_t errlen)
{
	w->lcore = lcore;
	w->idx = idx;
	w->burst = cfg->burst;
	w->idle_sleep_us = cfg->idle_sleep_us;
	w->icmp_rate = cfg->icmp_rate;
	w->icmp_burst = cfg->icmp_burst;
	/* The first error finds the bucket filled for the time since the TSC started. */
	w->icmp_last_tsc = 0;
	w->n_rxq = 0;
	for (unsigned int p = 0; p < n_ports; p++) {
		/* Worker i polls queue i of every port that has one for it. */
		if (idx < ports[p].nb_rxq)
			w->rxq[w->n_rxq++] = (struct worker_rxq){
				.port_id = ports[p].port_id,
				.queue = idx,
				.port = p,
			};
		w->txq[p] = idx;
	}
	w->tsc_per_ms = rte_get_tsc_hz() / 1000;
	if (w->flows_mem == NULL) {
		uint32_t cap = flow_table_slots(cfg->flows);
		size_t sz = flow_table_memsize(cap);
		int socket = (int)rte_lcore_to_socket_id(lcore);
		w->flows_mem = rte_zmalloc_socket("mpgw_flows", sz, RTE_CACHE_LINE_SIZE, socket);
		w->path_tx = rte_zmalloc_socket("mpgw_path_tx",
			WORKER_MAX_PATHS * sizeof(*w->path_tx), RTE_CACHE_LINE_SIZE, socket);
		if (w->flows_mem == NULL || w->path_tx == NULL) {
			snprintf(err, errlen,
				"cannot allocate the flow table of worker %u: %u flows (%u "
				"slots) need %zu MiB (lower [flows] size, or give EAL more "
				"memory with -m)",
				idx, cfg->flows, cap, sz >> 20);
			return -1;
		}
		uint32_t to[FLOW_TO_MAX];
		for (unsigned int i = 0; i < FLOW_TO_MAX; i++)
			to[i] = cfg->flow_timeout_s[i] * 1000;
		flow_table_init(&w->flows, w->flows_mem, cap, to);
	}
	/* Single producer, single consumer: the control thread and this worker. */
	if (worker_ring(&w->inject, "mpgw_inject", idx, WORKER_INJECT_RING, lcore, err, errlen) <
			0 ||
		(cfg->twins && worker_ring(&w->punt, "mpgw_punt", idx, WORKER_PUNT_RING, lcore, err,
				       errlen) < 0) ||
		(cfg->twins && idx == 0 &&
			worker_ring(&w->twin_out, "mpgw_twin_out", idx, WORKER_INJECT_RING, lcore,
				err, errlen) < 0))
		return -1;
	if (cfg->twins) {
		w->mptcp_sf = rte_zmalloc_socket("mpgw_mptcp_sf",
			MPTCP_MAX_SUBFLOWS * sizeof(*w->mptcp_sf), RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(lcore));
		if (w->mptcp_sf == NULL) {
			snprintf(err, errlen, "cannot allocate the MPTCP counters of worker %u",
				idx);
			return -1;
		}
	}
	return create_graph(w, err, errlen);
}

void worker_release(struct worker *w)
{
	if (w->graph != NULL)
		rte_graph_destroy(w->graph_id);
	w->graph = NULL;
	ring_release(&w->inject);
	ring_release(&w->punt);
	ring_release(&w->twin_out);
	rte_free(w->flows_mem);
	rte_free(w->path_tx);
	rte_free(w->mptcp_sf);
	w->flows_mem = NULL;
	w->path_tx = NULL;
	w->mptcp_sf = NULL;
}

int workers_init(const struct mpgw_config *cfg, char *err, size_t errlen)
{
	unsigned int lcore, idx = 0;
	size_t sz;

	unsigned int n = workers_count_lcores();
	workers = rte_zmalloc("mpgw_workers", n * sizeof(*workers), RTE_CACHE_LINE_SIZE);
	sz = rte_rcu_qsbr_get_memsize(n);
	worker_rcu = rte_zmalloc("mpgw_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (workers == NULL || worker_rcu == NULL || rte_rcu_qsbr_init(worker_rcu, n) != 0) {
		snprintf(err, errlen, "cannot allocate workers");
		return -1;
	}
	n_workers = n;
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (worker_setup(&workers[idx], idx, lcore, cfg, err, errlen) < 0)
			return -1;
		idx++;
	}
	return 0;
}

static int worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int idle = 0;

	rte_rcu_qsbr_thread_register(worker_rcu, w->idx);
	rte_rcu_qsbr_thread_online(worker_rcu, w->idx);

	while (!__atomic_load_n(&stop_requested, __ATOMIC_RELAXED)) {
		rte_graph_walk(w->graph);
		rte_rcu_qsbr_quiescent(worker_rcu, w->idx);
		if (w->polled != 0) {
			idle = 0;
			continue;
		}
		if (++idle < WORKER_IDLE_POLLS || w->idle_sleep_us == 0)
			continue;
		/* Offline while asleep, so the control thread never waits for a sleeping worker. */
		rte_rcu_qsbr_thread_offline(worker_rcu, w->idx);
		rte_delay_us_sleep(w->idle_sleep_us);
		rte_rcu_qsbr_thread_online(worker_rcu, w->idx);
	}
	/* Drain: whatever the queues still hold is processed and sent, not dropped. */
	for (unsigned int i = 0; i < WORKER_DRAIN_WALKS; i++) {
		rte_graph_walk(w->graph);
		if (w->polled == 0)
			break;
	}
	rte_rcu_qsbr_thread_offline(worker_rcu, w->idx);
	rte_rcu_qsbr_thread_unregister(worker_rcu, w->idx);
	return 0;
}

int workers_launch(void)
{
	__atomic_store_n(&stop_requested, false, __ATOMIC_RELAXED);
	/* Idle time counts from the launch, not from whenever a worker first gets scheduled. */
	for (unsigned int i = 0; i < n_workers; i++)
		workers[i].last_rx_tsc = rte_rdtsc();
	for (unsigned int i = 0; i < n_workers; i++) {
		int rc = rte_eal_remote_launch(worker_main, &workers[i], workers[i].lcore);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void workers_stop(void)
{
	__atomic_store_n(&stop_requested, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
}

void workers_free(void)
{
	for (unsigned int i = 0; i < n_workers; i++)
		worker_release(&workers[i]);
	rte_free(workers);
	rte_free(worker_rcu);
	workers = NULL;
	worker_rcu = NULL;
	n_workers = 0;
}

void workers_set_relay_usable(bool usable)
{
	for (unsigned int i = 0; i < n_workers; i++)
		__atomic_store_n(&workers[i].relay_usable, usable, __ATOMIC_RELAXED);
}

uint64_t workers_last_rx_tsc(void)
{
	uint64_t last = 0;

	for (unsigned int i = 0; i < n_workers; i++)
		last = RTE_MAX(last, __atomic_load_n(&workers[i].last_rx_tsc, __ATOMIC_RELAXED));
	return last;
}

uint64_t workers_drops(enum mpgw_drop r)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < n_workers; i++)
		sum += __atomic_load_n(&workers[i].drops[r], __ATOMIC_RELAXED);
	return sum;
}

uint64_t workers_counter(enum mpgw_counter c)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < n_workers; i++)
		sum += __atomic_load_n(&workers[i].counters[c], __ATOMIC_RELAXED);
	return sum;
}

void workers_path_stats(unsigned int path, struct worker_path_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < n_workers && path < WORKER_MAX_PATHS; i++) {
		const struct worker_path_stats *s = &workers[i].path_tx[path];
		out->packets += __atomic_load_n(&s->packets, __ATOMIC_RELAXED);
		out->bytes += __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
	}
}

void workers_port_stats(unsigned int port, struct worker_port_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < n_workers; i++) {
		const struct worker_port_stats *s = &workers[i].port[port];
		out->rx_packets += __atomic_load_n(&s->rx_packets, __ATOMIC_RELAXED);
		out->tx_packets += __atomic_load_n(&s->tx_packets, __ATOMIC_RELAXED);
		out->tx_dropped += __atomic_load_n(&s->tx_dropped, __ATOMIC_RELAXED);
	}
}
