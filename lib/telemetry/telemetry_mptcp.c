/* SPDX-License-Identifier: BSD-3-Clause */
/* The MPTCP commands (lib/mptcp): /mpgw/mptcp, the kernel's connections and subflows with
 * the data path's counters, and /mpgw/mptcp_endpoints, its endpoints and limits. */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/mptcp.h>
#include <rte_telemetry.h>

#include "mptcp_pm.h"
#include "port.h"
#include "telemetry_internal.h"

/* Rows per reply: DPDK's telemetry reply is at most 16 KiB, and 36 of the longest rows
 * (IPv6 addresses, 31-character uplink names, 20-digit counters) take 15 KB. */
#define MPTCP_TEL_MAX_ROWS 36

static const char *port_name(int port)
{
	return port >= 0 && (unsigned int)port < n_ports ? ports[port].name : "-";
}

static void endpoint_text(
	char *buf, size_t len, const struct ipaddr *a, uint16_t port, bool with_port)
{
	char s[INET6_ADDRSTRLEN];

	ipaddr_str(a, s, sizeof(s));
	if (!with_port)
		snprintf(buf, len, "%s", s);
	else if (a->family == 6)
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
}

/* Add row as d[key]; -ENOMEM when it does not fit. */
static int add_row(struct rte_tel_data *d, const char *key, struct rte_tel_data *row)
{
	if (rte_tel_data_add_dict_container(d, key, row, 0) != 0) {
		rte_tel_data_free(row);
		return -ENOMEM;
	}
	return 0;
}

static int subflow_row(struct rte_tel_data *d, const struct mptcp_conn_info *c, unsigned int i)
{
	const struct mptcp_subflow_info *sf = &c->sf[i];
	struct rte_tel_data *r = rte_tel_data_alloc();
	char key[32], token[16], addr[64];

	if (r == NULL)
		return -ENOMEM;
	snprintf(key, sizeof(key), "%08" PRIx32 "/%u", c->token, i);
	snprintf(token, sizeof(token), "%08" PRIx32, c->token);
	rte_tel_data_start_dict(r);
	rte_tel_data_add_dict_string(r, "token", token);
	rte_tel_data_add_dict_string(r, "state", c->established ? "established" : "created");
	rte_tel_data_add_dict_string(r, "side", c->server_side ? "server" : "client");
	endpoint_text(addr, sizeof(addr), &sf->laddr, sf->lport, true);
	rte_tel_data_add_dict_string(r, "local", addr);
	endpoint_text(addr, sizeof(addr), &sf->raddr, sf->rport, true);
	rte_tel_data_add_dict_string(r, "remote", addr);
	rte_tel_data_add_dict_u64(r, "loc_id", sf->loc_id);
	rte_tel_data_add_dict_u64(r, "rem_id", sf->rem_id);
	rte_tel_data_add_dict_u64(r, "backup", sf->backup);
	rte_tel_data_add_dict_u64(r, "from_dump", sf->from_dump);
	rte_tel_data_add_dict_string(r, "uplink", port_name(sf->port));
	rte_tel_data_add_dict_u64(r, "tx_packets", sf->tx_packets);
	rte_tel_data_add_dict_u64(r, "tx_bytes", sf->tx_bytes);
	rte_tel_data_add_dict_u64(r, "rx_packets", sf->rx_packets);
	rte_tel_data_add_dict_u64(r, "rx_bytes", sf->rx_bytes);
	return add_row(d, key, r);
}

/* /mpgw/mptcp: one row per subflow, keyed TOKEN/INDEX (the initial subflow first), of the
 * first connections: a connection has one subflow at least, so MPTCP_TEL_MAX_ROWS of them
 * are enough. */
int telemetry_cmd_mptcp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static struct mptcp_conn_info conns[MPTCP_TEL_MAX_ROWS];
	unsigned int rows = 0, subflows = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	unsigned int n = mptcp_pm_connections(conns, MPTCP_TEL_MAX_ROWS, &subflows);
	n = RTE_MIN(n, (unsigned int)MPTCP_TEL_MAX_ROWS);
	rte_tel_data_start_dict(d);
	for (unsigned int c = 0; c < n; c++)
		for (unsigned int i = 0; i < conns[c].n_subflows && rows < MPTCP_TEL_MAX_ROWS;
			i++) {
			if (subflow_row(d, &conns[c], i) != 0)
				return -ENOMEM;
			rows++;
		}
	if (subflows > rows) {
		struct rte_tel_data *r = rte_tel_data_alloc();
		char more[48];
		if (r == NULL)
			return -ENOMEM;
		snprintf(more, sizeof(more), "%u more subflows not shown", subflows - rows);
		rte_tel_data_start_dict(r);
		rte_tel_data_add_dict_string(r, "token", more);
		return add_row(d, "...", r);
	}
	return 0;
}

static void flags_text(char *buf, size_t len, uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{MPTCP_PM_ADDR_FLAG_SIGNAL, "signal"},
		{MPTCP_PM_ADDR_FLAG_SUBFLOW, "subflow"},
		{MPTCP_PM_ADDR_FLAG_BACKUP, "backup"},
		{MPTCP_PM_ADDR_FLAG_FULLMESH, "fullmesh"},
		{MPTCP_PM_ADDR_FLAG_IMPLICIT, "implicit"},
	};
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < RTE_DIM(names) && off < len; i++)
		if (flags & names[i].bit)
			off += (size_t)snprintf(
				buf + off, len - off, "%s%s", off ? "," : "", names[i].name);
}

/* /mpgw/mptcp_endpoints: a row per endpoint ("id/N": DPDK 22.11 allows no spaces in names), and "limits" with the path
 * manager's limits and this table's counters. */
int telemetry_cmd_mptcp_endpoints(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct mptcp_endpoint eps[MPTCP_MAX_ENDPOINTS];
	struct mptcp_pm_stats s;
	struct rte_tel_data *r;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	mptcp_pm_get_stats(&s);
	unsigned int n = mptcp_pm_endpoints(eps, MPTCP_MAX_ENDPOINTS);
	n = RTE_MIN(n, (unsigned int)MPTCP_MAX_ENDPOINTS);
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < n && i < MPTCP_TEL_MAX_ROWS; i++) {
		char key[16], addr[64], flags[64], dev[IF_NAMESIZE] = "-";
		r = rte_tel_data_alloc();
		if (r == NULL)
			return -ENOMEM;
		snprintf(key, sizeof(key), "id/%u", eps[i].id);
		endpoint_text(addr, sizeof(addr), &eps[i].addr, 0, false);
		flags_text(flags, sizeof(flags), eps[i].flags);
		if (eps[i].ifindex > 0 && if_indextoname((unsigned int)eps[i].ifindex, dev) == NULL)
			snprintf(dev, sizeof(dev), "%d", eps[i].ifindex);
		rte_tel_data_start_dict(r);
		rte_tel_data_add_dict_string(r, "address", addr);
		rte_tel_data_add_dict_string(r, "flags", flags);
		rte_tel_data_add_dict_string(r, "dev", dev);
		rte_tel_data_add_dict_string(r, "uplink", port_name(eps[i].port));
		if (add_row(d, key, r) != 0)
			return -ENOMEM;
	}
	r = rte_tel_data_alloc();
	if (r == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(r);
	rte_tel_data_add_dict_string(r, "path_manager", s.on ? "on" : "off");
	rte_tel_data_add_dict_u64(r, "subflows", s.subflows_limit);
	rte_tel_data_add_dict_u64(r, "add_addr_accepted", s.add_addr_accepted_limit);
	rte_tel_data_add_dict_u64(r, "events", s.events);
	rte_tel_data_add_dict_u64(r, "overruns", s.overruns);
	rte_tel_data_add_dict_u64(r, "foreign", s.foreign);
	rte_tel_data_add_dict_u64(r, "truncated", s.truncated);
	rte_tel_data_add_dict_u64(r, "untracked", s.untracked);
	rte_tel_data_add_dict_u64(r, "connections_closed", s.connections_closed);
	rte_tel_data_add_dict_u64(r, "subflows_closed", s.subflows_closed);
	rte_tel_data_add_dict_u64(r, "dumps", s.dumps);
	rte_tel_data_add_dict_u64(r, "dump_errors", s.dump_errors);
	rte_tel_data_add_dict_u64(r, "reconciles", s.reconciles);
	rte_tel_data_add_dict_u64(r, "alloc_errors", s.alloc_errors);
	rte_tel_data_add_dict_string(r, "follow_uplinks", s.follow_uplinks ? "yes" : "no");
	rte_tel_data_add_dict_u64(r, "backup_set", s.backup_set);
	rte_tel_data_add_dict_u64(r, "backup_cleared", s.backup_cleared);
	rte_tel_data_add_dict_u64(r, "set_flags_errors", s.set_flags_errors);
	rte_tel_data_add_dict_u64(r, "subflows_closed_dead", s.subflows_closed_dead);
	rte_tel_data_add_dict_u64(r, "close_errors", s.close_errors);
	rte_tel_data_add_dict_u64(r, "endpoints_readded", s.endpoints_readded);
	return add_row(d, "limits", r);
}
