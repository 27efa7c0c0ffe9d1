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
 * Following the uplinks (`[mpgw] mptcp_follow_uplinks`, gateway role): an endpoint on an
 * uplink that is `multipath = backup`, or that mpgw's probes (or its link) say is down, is
 * flagged backup in the kernel (MPTCP_PM_CMD_SET_FLAGS, on the endpoint's flags as the
 * kernel has them just then), so that the kernel's scheduler gives its subflows no new
 * data while others can take it, without waiting for retransmission timeouts to find them
 * stale; the flag is taken back when the uplink is usable again. Only flags mpgw set are taken back (the endpoint of that
 * id and address), and they are when mpgw stops. The kernel sends MP_PRIO for every
 * subflow whose local address is the endpoint's, the initial one included: the primary
 * uplink needs an endpoint of its address (no flags) for this to apply to it.
 *
 * Events lost to a socket overrun (ENOBUFS, counted) are made good from the kernel's
 * sockets: the TCP sockets with the "mptcp" ULP, dumped with sock_diag (INET_DIAG_ULP_INFO:
 * token, ids, backup flags), rebuild the connection table, at start too (connections the
 * kernel had before mpgw). Subflows found so are marked `from_dump`: their counters start
 * at the dump.
 */
#ifndef MPGW_MPTCP_PM_H
#define MPGW_MPTCP_PM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ipaddr.h"

/* Endpoints and limits are dumped this often. */
#define MPTCP_PM_DUMP_MS 1000
/* The uplinks' states are looked at this often (mptcp_follow_uplinks). */
#define MPTCP_PM_FOLLOW_MS  10
#define MPTCP_MAX_ENDPOINTS 64
#define MPTCP_MAX_CONNS	    1024
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
	bool backup;	/* either end asked for backup use (the kernel's flag), or the
			 * endpoint of the local address is a backup one */
	bool from_dump; /* found by a dump of the kernel's sockets, not by its event:
			 * counted from the dump on */
	int port;	/* mpgw port index the subflow leaves by, or -1 */
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
	/* event datagrams not from the kernel, and cut short: neither read (a cut one: the
	 * table dumped again, as after an overrun) */
	uint64_t foreign, truncated;
	uint64_t connections_closed, subflows_closed;
	uint64_t dumps, dump_errors; /* the table rebuilt from sock_diag (start, overruns,
				      * and every reconcile) */
	uint64_t reconciles;	     /* of those, the checks every MPTCP_PM_RECONCILE_MS */
	uint64_t alloc_errors;	     /* data-path tables that could not be allocated */
	bool follow_uplinks;
	uint64_t backup_set, backup_cleared, set_flags_errors; /* endpoints flagged by mpgw */
	uint64_t subflows_closed_dead; /* subflows over a dead path mpgw closed (mptcp_close.h) */
	uint64_t close_errors;	       /* times they could not be listed or closed */
	uint64_t endpoints_readded;    /* gateway: endpoints added again when their uplink came
					* back, for new subflows */
};

/* Resolve the family, subscribe and dump (twins must be running). A kernel without MPTCP
 * is not an error: the table stays off, and says so. Of cfg: the role (gateway: subflows
 * counted on the uplinks only, and followed) and mptcp_follow_uplinks (flag the endpoints
 * of unusable or backup uplinks backup; gateway role only). */
int mptcp_pm_start(const struct mpgw_config *cfg, char *err, size_t errlen);
/* Control thread: read the events, dump endpoints and limits when due. */
void mptcp_pm_poll(void);
void mptcp_pm_stop(void);

/* For telemetry (any thread): the counters; up to max endpoints and connections, with the
 * data path's counters summed. Each returns how many there are in all; *subflows (if not
 * NULL): the subflows of all the connections. */
void mptcp_pm_get_stats(struct mptcp_pm_stats *s);
unsigned int mptcp_pm_endpoints(struct mptcp_endpoint *out, unsigned int max);
unsigned int mptcp_pm_connections(
	struct mptcp_conn_info *out, unsigned int max, unsigned int *subflows);

#endif
