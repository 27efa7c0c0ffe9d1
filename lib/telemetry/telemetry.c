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
#include "telemetry_internal.h"

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

/* One row of /mpgw/tunnels: a path, or a far end's path that could not be made. */
static int tunnel_row(struct rte_tel_data *d, const char *key, const char *port, int family,
	const struct ipaddr *local, const struct ipaddr *remote, int mtu, const char *state)
{
	struct rte_tel_data *r = rte_tel_data_alloc();
	char buf[INET6_ADDRSTRLEN];

	if (r == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(r);
	rte_tel_data_add_dict_string(r, "port", port);
	rte_tel_data_add_dict_string(r, "outer", family == 4 ? "ipv4" : family == 6 ? "ipv6" : "-");
	rte_tel_data_add_dict_string(
		r, "local", local && local->family ? ipaddr_str(local, buf, sizeof(buf)) : "-");
	rte_tel_data_add_dict_string(
		r, "remote", remote && remote->family ? ipaddr_str(remote, buf, sizeof(buf)) : "-");
	rte_tel_data_add_dict_int(r, "mtu", mtu);
	rte_tel_data_add_dict_string(r, "state", state);
	if (rte_tel_data_add_dict_container(d, key, r, 0) != 0) {
		rte_tel_data_free(r);
		return -ENOMEM;
	}
	return 0;
}

/* Tunnel paths of the live version, keyed "FAR_END/N"; mtu is the inner MTU. */
static int cmd_tunnels_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	fib_ctl_lock();
	const struct fib *f = fib_current();
	int rc = 0;
	for (uint32_t i = 0; f != NULL && rc == 0 && i < f->tun.n_paths; i++) {
		const struct tun_path *t = &f->tun.paths[i];
		const struct tun_group *g = &f->tun.groups[t->group];
		char key[64];
		snprintf(key, sizeof(key), "%s/%u", g->name, i - g->first);
		rc = tunnel_row(d, key, ports[t->port].name, t->family, &t->local, &t->remote,
			t->mtu, "usable");
	}
	for (uint32_t i = 0; f != NULL && rc == 0 && i < f->tun.n_unusable; i++) {
		const struct tun_unusable *u = &f->tun.unusable[i];
		char key[64];
		snprintf(key, sizeof(key), "%s/unusable%u", f->tun.groups[u->group].name, i);
		rc = tunnel_row(d, key, u->port < n_ports ? ports[u->port].name : "-", 0, NULL,
			&u->remote, 0, u->why);
	}
	fib_ctl_unlock();
	return rc;
}

static int cmd_info_locked(const char *cmd, const char *params, struct rte_tel_data *d)
{
	fib_ctl_lock();
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
		/* A gateway without uplinks routes only. */
		rte_tel_data_add_dict_string(d, "role",
			f->role == CFG_ROLE_VPS ? "vps"
			: f->gateway		? "gateway"
						: "router");
		for (unsigned int c = 0; f->gateway && c < CFG_CLASS_MAX; c++)
			rte_tel_data_add_dict_string(d, config_class_name(c),
				config_action_name((enum cfg_action)f->policy[c]));
		rte_tel_data_add_dict_u64(d, "bypass_prefixes", f->n_bypass);
		rte_tel_data_add_dict_u64(d, "inbound_rules", f->n_inbound);
		rte_tel_data_add_dict_u64(d, "tunnel_paths", f->tun.n_paths);
	}
	fib_ctl_unlock();
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
GUARDED(cmd_tunnels)
GUARDED(cmd_graph)
GUARDED(cmd_info)

static int cmd_uplinks(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return guarded(telemetry_cmd_uplinks, cmd, params, d);
}

static int cmd_flows(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return guarded(telemetry_cmd_flows, cmd, params, d);
}

static int cmd_twins(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return guarded(telemetry_cmd_twins, cmd, params, d);
}

static int cmd_routes(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return guarded(telemetry_cmd_routes, cmd, params, d);
}

static int cmd_neighbours(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return guarded(telemetry_cmd_neighbours, cmd, params, d);
}

static int cmd_mptcp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return guarded(telemetry_cmd_mptcp, cmd, params, d);
}

static int cmd_mptcp_endpoints(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return guarded(telemetry_cmd_mptcp_endpoints, cmd, params, d);
}

static int cmd_relay(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return guarded(telemetry_cmd_relay, cmd, params, d);
}

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
			"MSS clamps, ICMP errors sent, fragmentation, summed over workers. Takes "
			"no "
			"parameters.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/tunnels", cmd_tunnels,
			"Tunnel paths: port, outer family, addresses, inner MTU, state.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/graph", cmd_graph,
			"Per graph node: calls, objects and TSC cycles, summed over workers.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/info", cmd_info,
			"Version, workers, ports, TSC frequency, route table sizes.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/uplinks", cmd_uplinks,
			"Uplinks (tunnel paths): mode, weight, link, probe state, RTT, jitter, "
			"loss, "
			"flows and traffic.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/flows", cmd_flows,
			"Flow tables per worker: capacity, live flows, created, expired, evicted.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/twins", cmd_twins,
			"Kernel twins (TAP) per port: frames punted to the kernel and sent by it.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/routes", cmd_routes,
			"The mirror of the kernel's routes, neighbours and addresses on the twins: "
			"sizes, events, FIB builds, resyncs.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/neighbours", cmd_neighbours,
			"The neighbours the data path uses: address, MAC, port, source (config "
			"or kernel).");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/mptcp", cmd_mptcp,
			"The kernel's MPTCP subflows: addresses, ids, backup, uplink, packets "
			"and bytes each way.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/mptcp_endpoints", cmd_mptcp_endpoints,
			"The kernel's MPTCP endpoints with their uplinks, and the path manager's "
			"limits.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/relay", cmd_relay,
			"The relay to the kernel's MPTCP proxy: state, proxy listening, VPS "
			"reachable, fallback, packets relayed and fallen back.");
	return rc;
}
