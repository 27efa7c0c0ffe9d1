/* SPDX-License-Identifier: BSD-3-Clause */
/* The exception path's commands: /mpgw/twins (lib/exception), /mpgw/routes (the kernel
 * mirror, lib/netlink) and /mpgw/neighbours. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "port.h"
#include "fib.h"
#include "nl_resolve.h"
#include "nl_sync.h"
#include "telemetry_internal.h"
#include "twin.h"

int telemetry_cmd_twins(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (unsigned int p = 0; p < n_ports; p++) {
		char ifname[IF_NAMESIZE];
		int ifindex;
		struct twin_stats s;
		if (!twin_info(p, ifname, sizeof(ifname), &ifindex, &s))
			continue;
		struct rte_tel_data *r = rte_tel_data_alloc();
		if (r == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(r);
		rte_tel_data_add_dict_string(r, "twin", ifname);
		rte_tel_data_add_dict_u64(r, "ifindex", (uint64_t)ifindex);
		rte_tel_data_add_dict_u64(r, "to_kernel", s.to_kernel);
		rte_tel_data_add_dict_u64(r, "to_kernel_gso", s.to_kernel_gso);
		rte_tel_data_add_dict_u64(r, "to_kernel_errors", s.to_kernel_errors);
		rte_tel_data_add_dict_u64(r, "from_kernel", s.from_kernel);
		rte_tel_data_add_dict_u64(r, "from_kernel_tso", s.from_kernel_tso);
		rte_tel_data_add_dict_u64(r, "from_kernel_malformed", s.from_kernel_malformed);
		rte_tel_data_add_dict_u64(r, "from_kernel_frames", s.from_kernel_frames);
		rte_tel_data_add_dict_u64(r, "from_kernel_drops", s.from_kernel_drops);
		rte_tel_data_add_dict_u64(r, "from_kernel_queue_drops", s.from_kernel_queue_drops);
		if (rte_tel_data_add_dict_container(d, ports[p].name, r, 0) != 0) {
			rte_tel_data_free(r);
			return -ENOMEM;
		}
	}
	return 0;
}

/* /mpgw/routes: the mirror of the kernel's routes and neighbours (lib/netlink). */
int telemetry_cmd_routes(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct nl_sync_stats s;
	char ms[32];

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "mirror", nl_sync_enabled() ? "on" : "off");
	if (!nl_sync_enabled())
		return 0;
	nl_sync_get_stats(&s);
	rte_tel_data_add_dict_u64(d, "kernel_routes4", s.routes4);
	rte_tel_data_add_dict_u64(d, "kernel_routes6", s.routes6);
	rte_tel_data_add_dict_u64(d, "kernel_neighbours", s.neighbours);
	rte_tel_data_add_dict_u64(d, "kernel_addrs4", s.addrs4);
	rte_tel_data_add_dict_u64(d, "kernel_addrs6", s.addrs6);
	rte_tel_data_add_dict_u64(d, "kernel_addrs_unused", s.addrs_unused);
	rte_tel_data_add_dict_u64(d, "events", s.events);
	rte_tel_data_add_dict_u64(d, "ignored", s.ignored);
	rte_tel_data_add_dict_u64(d, "builds", s.builds);
	rte_tel_data_add_dict_u64(d, "build_errors", s.build_errors);
	rte_tel_data_add_dict_u64(d, "resyncs", s.resyncs);
	rte_tel_data_add_dict_u64(d, "redumps", s.redumps);
	rte_tel_data_add_dict_u64(d, "neighbour_failures", s.neighbour_failures);
	rte_tel_data_add_dict_u64(d, "malformed", s.malformed);
	rte_tel_data_add_dict_u64(d, "rejected", s.rejected);
	rte_tel_data_add_dict_u64(d, "foreign", s.foreign);
	rte_tel_data_add_dict_u64(d, "truncated", s.truncated);
	uint64_t requests;
	uint32_t waiting;
	nl_resolve_stats(&requests, &waiting);
	rte_tel_data_add_dict_u64(d, "resolve_requests", requests);
	rte_tel_data_add_dict_u64(d, "resolve_waiting", waiting);
	snprintf(ms, sizeof(ms), "%.3f", s.last_build_ms);
	rte_tel_data_add_dict_string(d, "last_build_ms", ms);
	snprintf(ms, sizeof(ms), "%.3f", s.last_sync_ms);
	rte_tel_data_add_dict_string(d, "last_sync_ms", ms);
	/* what the data path uses now: routes in the live FIB version's tables */
	fib_ctl_lock();
	const struct fib *f = fib_current();
	if (f != NULL) {
		rte_tel_data_add_dict_u64(d, "fib_entries4", f->n_routes4);
		rte_tel_data_add_dict_u64(d, "fib_entries6", f->n_routes6);
		rte_tel_data_add_dict_u64(d, "fib_generation", f->gen);
	}
	fib_ctl_unlock();
	return 0;
}

/* A reply is at most 16 KiB of JSON (DPDK's telemetry drops what does not fit): entries
 * are added while their text fits in this, and at most as many as a dict holds. */
#define NEIGHBOURS_JSON_BUDGET 15872
#define NEIGHBOURS_MAX	       (RTE_TEL_MAX_DICT_ENTRIES - 3)

/* /mpgw/neighbours: the neighbours the data path uses, keyed by their rank in the listing
 * (a key may hold letters, digits, '_' and '/' only), with the count of all of them and
 * whether some were left out. */
int telemetry_cmd_neighbours(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct nl_neighbour *list = malloc(NEIGHBOURS_MAX * sizeof(*list));
	size_t used = 96; /* the reply's frame and the counts below */
	uint32_t shown = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (list == NULL)
		return -ENOMEM;
	uint32_t total = nl_sync_neighbours(list, NEIGHBOURS_MAX);
	rte_tel_data_start_dict(d);
	for (uint32_t i = 0; i < RTE_MIN(total, (uint32_t)NEIGHBOURS_MAX); i++) {
		const struct nl_neighbour *n = &list[i];
		const char *port =
			n->port >= 0 && (unsigned int)n->port < n_ports ? ports[n->port].name : "-";
		const char *source = n->kernel ? "kernel" : "config";
		char addr[INET6_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE], key[16];
		ipaddr_str(&n->addr, addr, sizeof(addr));
		rte_ether_format_addr(mac, sizeof(mac), &n->mac);
		snprintf(key, sizeof(key), "%u", i);
		/* "KEY":{"address":"A","mac":"M","port":"P","source":"S"}, */
		size_t len = 49 + strlen(key) + strlen(addr) + strlen(mac) + strlen(port) +
			     strlen(source);
		if (used + len > NEIGHBOURS_JSON_BUDGET)
			break;
		struct rte_tel_data *r = rte_tel_data_alloc();
		if (r == NULL) {
			free(list);
			return -ENOMEM;
		}
		rte_tel_data_start_dict(r);
		rte_tel_data_add_dict_string(r, "address", addr);
		rte_tel_data_add_dict_string(r, "mac", mac);
		rte_tel_data_add_dict_string(r, "port", port);
		rte_tel_data_add_dict_string(r, "source", source);
		if (rte_tel_data_add_dict_container(d, key, r, 0) != 0) {
			rte_tel_data_free(r);
			free(list);
			return -ENOMEM;
		}
		used += len;
		shown++;
	}
	free(list);
	rte_tel_data_add_dict_u64(d, "count", total);
	rte_tel_data_add_dict_u64(d, "shown", shown);
	rte_tel_data_add_dict_u64(d, "truncated", shown < total);
	return 0;
}
