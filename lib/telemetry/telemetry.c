/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry callbacks run on DPDK's telemetry thread. They only read: per-worker counters
 * (each written by its own worker, read here without a lock; a sum may lag by a burst) and
 * ethdev statistics.
 */
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "port.h"
#include "stats.h"
#include "telemetry.h"
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

static int cmd_ports(const char *cmd, const char *params, struct rte_tel_data *d)
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

static int cmd_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (int r = DROP_NONE + 1; r < DROP_MAX; r++)
		rte_tel_data_add_dict_u64(d, drop_reason_name(r), workers_drops(r));
	return 0;
}

int telemetry_register(void)
{
	int rc = rte_telemetry_register_cmd(
		"/mpgw/ports", cmd_ports, "Per-port counters and link state. Takes no parameters.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/mpgw/drops", cmd_drops,
			"Dropped packets per reason, summed over workers. Takes no parameters.");
	return rc;
}
