/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel's MPTCP path manager, followed over generic netlink (family `mptcp_pm`) on the
 * control thread, when mpgw runs with kernel twins:
 * - the endpoints (`ip mptcp endpoint`) and limits (`ip mptcp limits`), dumped at start and
 *   again every MPTCP_PM_DUMP_MS (the kernel sends no event when they change); each
 *   endpoint is matched to the mpgw port whose twin it names, or that has its address;
 * - the connections and their subflows, from the `mptcp_pm_events` group (CREATED,
 *   ESTABLISHED, CLOSED, ANNOUNCED, REMOVED, SUB_ESTABLISHED, SUB_CLOSED, SUB_PRIORITY):
 *   token -> subflows with addresses, ports, local and remote ids, backup flag and the port
 *   (uplink) each leaves by.
 * Each subflow gets a counter slot in the data path (mptcp_sf.h), so that telemetry shows
 * its packets and bytes each way.
 *
 * Following the uplinks (`[mpgw] mptcp_follow_uplinks`): an endpoint on an uplink that is
 * `multipath = backup`, or that mpgw's probes (or its link) say is down, is flagged backup
 * in the kernel (MPTCP_PM_CMD_SET_FLAGS), so that the kernel's scheduler moves the data to
 * the other subflows at once instead of waiting for retransmission timeouts; the flag is
 * taken back when the uplink is usable again. Only flags mpgw set are taken back, and
 * they are when mpgw stops. The kernel keeps no history to dump: connections that
 * existed before mpgw started, or whose events were lost to a socket overrun (counted),
 * are not in the table.
 */
#ifndef MPGW_MPTCP_PM_H
#define MPGW_MPTCP_PM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipaddr.h"

/* Endpoints and limits are dumped this often. */
#define MPTCP_PM_DUMP_MS 1000
/* The uplinks' states are looked at this often (mptcp_follow_uplinks). */
#define MPTCP_PM_FOLLOW_MS  10
#define MPTCP_MAX_ENDPOINTS 64
#define MPTCP_MAX_CONNS	    256
#define MPTCP_MAX_CONN_SF   8 /* subflows per connection */

struct mptcp_endpoint {
	uint8_t id;
	uint32_t flags; /* MPTCP_PM_ADDR_FLAG_* */
	struct ipaddr addr;
	int ifindex; /* 0: none given */
	int port;    /* mpgw port index, or -1 */
};

struct mptcp_subflow_info {
	struct ipaddr laddr, raddr;
	uint16_t lport, rport; /* host order */
	uint8_t loc_id, rem_id;
	bool backup; /* either end asked for backup use (the kernel's flag), or the local
		      * endpoint is a backup one */
	int port;    /* mpgw port index the subflow leaves by, or -1 */
	uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
};

struct mptcp_conn_info {
	uint32_t token;
	bool established;
	bool server_side;
	unsigned int n_subflows;
	struct mptcp_subflow_info sf[MPTCP_MAX_CONN_SF];
};

struct mptcp_pm_stats {
	bool on;
	uint32_t subflows_limit, add_addr_accepted_limit;
	uint64_t events, overruns, untracked; /* untracked: over the table's limits */
	uint64_t connections_closed, subflows_closed;
	bool follow_uplinks;
	uint64_t backup_set, backup_cleared, set_flags_errors; /* endpoints flagged by mpgw */
};

/* Resolve the family and subscribe (twins must be running). A kernel without MPTCP is not
 * an error: the table stays off, and says so. follow_uplinks: flag the endpoints of
 * unusable or backup uplinks backup. */
int mptcp_pm_start(bool follow_uplinks, char *err, size_t errlen);
/* Control thread: read the events, dump endpoints and limits when due. */
void mptcp_pm_poll(void);
void mptcp_pm_stop(void);

/* For telemetry (any thread): the counters; up to max endpoints and connections, with the
 * data path's counters summed. Each returns how many there are in all. */
void mptcp_pm_get_stats(struct mptcp_pm_stats *s);
unsigned int mptcp_pm_endpoints(struct mptcp_endpoint *out, unsigned int max);
unsigned int mptcp_pm_connections(struct mptcp_conn_info *out, unsigned int max);

#endif
