/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry callbacks run on DPDK's telemetry thread. They only read: per-worker counters
 * (each written by its own worker, read here without a lock; a sum may lag by a burst) and
 * ethdev statistics.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_graph_worker.h>
#include <rte_telemetry.h>

#include "fib.h"
#include "port.h"
#include "stats.h"
#include "telemetry.h"

/*
 * Callbacks run on DPDK's telemetry thread, which cannot be stopped or have its commands
 * unregistered in 22.11. This lock (never taken by a worker) keeps a command from reading
 * workers, ports or tables while the main thread frees them at exit.
 */
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static bool tel_closed;
#include "worker.h"

static struct rte_tel_data *port_dict(unsigned int i)
{
	const struct port *p = &ports[i];
	struct rte_tel_data *d = rte_tel_data_alloc();
	struct port_counters c;
	struct rte_eth_link link = {0};
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	if (d == NULL)
		return NULL;
	stats_port_read(i, &c);
	rte_eth_link_get_nowait(p->port_id, &link);
	rte_ether_format_addr(mac, sizeof(mac), &p->mac);

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "port_id", p->port_id);
	rte_tel_data_add_dict_string(d, "device", p->device);
	rte_tel_data_add_dict_string(d, "link", link.link_status ? "up" : "down");
	rte_tel_data_add_dict_u64(d, "speed_mbps", link.link_speed);
	rte_tel_data_add_dict_int(d, "mtu", p->mtu);
	rte_tel_data_add_dict_string(d, "mac", mac);
	rte_tel_data_add_dict_int(d, "rx_queues", p->nb_rxq);
	rte_tel_data_add_dict_int(d, "tx_queues", p->nb_txq);
#define PORT_COUNTER_TEL(name) rte_tel_data_add_dict_u64(d, #name, c.name);
	PORT_COUNTERS(PORT_COUNTER_TEL)
#undef PORT_COUNTER_TEL
	return d;
}

static int cmd_ports_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < n_ports; i++) {
		struct rte_tel_data *pd = port_dict(i);
		if (pd == NULL || rte_tel_data_add_dict_container(d, ports[i].name, pd, 0) != 0) {
			rte_tel_data_free(pd);
			return -ENOMEM;
		}
	}
	return 0;
}

static int cmd_drops_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (int r = DROP_NONE + 1; r < DROP_MAX; r++)
		rte_tel_data_add_dict_u64(d, drop_reason_name(r), workers_drops(r));
	return 0;
}

static int cmd_counters_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (int c = 0; c < CNT_MAX; c++)
		rte_tel_data_add_dict_u64(d, counter_name(c), workers_counter(c));
	return 0;
}

/* Per-node totals from rte_graph's own statistics, summed over workers by node name. */
static int cmd_graph_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct node_sum {
		const char *name;
		uint64_t calls, objs, cycles;
	} sums[128];
	unsigned int n_sums = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	for (unsigned int w = 0; w < n_workers; w++) {
		struct rte_graph *graph = workers[w].graph;
		struct rte_node *node;
		rte_graph_off_t off;
		rte_node_t count;

		rte_graph_foreach_node(count, off, graph, node)
		{
			unsigned int i;
			for (i = 0; i < n_sums && strcmp(sums[i].name, node->name) != 0; i++)
				;
			if (i == n_sums) {
				if (n_sums == RTE_DIM(sums))
					continue;
				sums[n_sums++] = (struct node_sum){.name = node->name};
			}
			sums[i].calls += node->total_calls;
			sums[i].objs += node->total_objs;
			sums[i].cycles += node->total_cycles;
		}
	}
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < n_sums; i++) {
		struct rte_tel_data *nd = rte_tel_data_alloc();
		if (nd == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(nd);
		rte_tel_data_add_dict_u64(nd, "calls", sums[i].calls);
		rte_tel_data_add_dict_u64(nd, "objs", sums[i].objs);
		rte_tel_data_add_dict_u64(nd, "cycles", sums[i].cycles);
		if (rte_tel_data_add_dict_container(d, sums[i].name, nd, 0) != 0) {
			rte_tel_data_free(nd);
			return -ENOMEM;
		}
	}
	return 0;
}

static int cmd_info_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct fib *f = fib_current();

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", MPGW_VERSION);
	rte_tel_data_add_dict_int(d, "workers", n_workers);
	rte_tel_data_add_dict_int(d, "ports", n_ports);
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	if (f != NULL) {
		rte_tel_data_add_dict_u64(d, "fib_generation", f->gen);
		rte_tel_data_add_dict_u64(d, "routes4", f->n_routes4);
		rte_tel_data_add_dict_u64(d, "routes6", f->n_routes6);
		rte_tel_data_add_dict_u64(d, "nexthops", f->n_nexthops);
	}
	return 0;
}

/* Run a command unless mpgw is shutting down. */
static int guarded(int (*fn)(const char *, const char *, struct rte_tel_data *), const char *cmd,
	const char *params, struct rte_tel_data *d)
{
	int rc = -EAGAIN;

	pthread_mutex_lock(&tel_lock);
	if (!tel_closed)
		rc = fn(cmd, params, d);
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

#define GUARDED(name)                                                                              \
	static int name(const char *cmd, const char *params, struct rte_tel_data *d)               \
	{                                                                                          \
		return guarded(name##_locked, cmd, params, d);                                     \
	}
GUARDED(cmd_ports)
GUARDED(cmd_drops)
GUARDED(cmd_counters)
GUARDED(cmd_graph)
GUARDED(cmd_info)

void telemetry_close(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_closed = true;
	pthread_mutex_unlock(&tel_lock);
}

int telemetry_register(void)
{
	int rc = rte_telemetry_register_cmd(
		"/mpgw/ports", cmd_ports, "Per-port counters and link state. Takes no parameters.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/drops", cmd_drops,
			"Dropped packets per reason, summed over workers. Takes no parameters.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/counters", cmd_counters,
			"MSS clamps, ICMP errors sent, fragmentation, summed over workers. Takes no "
			"parameters.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/graph", cmd_graph,
			"Per graph node: calls, objects and TSC cycles, summed over workers.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/info", cmd_info,
			"Version, workers, ports, TSC frequency, route table sizes.");
	return rc;
}
