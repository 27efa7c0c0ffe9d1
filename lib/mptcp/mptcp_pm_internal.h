/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/mptcp: the path manager's state and the functions its files share
 * (mptcp_pm.c: start, poll, stop and telemetry's getters; mptcp_pm_table.c: the
 * connection table and the data path's subflow table; mptcp_pm_events.c: the kernel's
 * events; mptcp_pm_kernel.c: requests, endpoints, dumps of the kernel's sockets;
 * mptcp_pm_follow.c: following the uplinks). The control thread only, but for what the
 * lock guards.
 */
#ifndef MPGW_MPTCP_PM_INTERNAL_H
#define MPGW_MPTCP_PM_INTERNAL_H

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/sock_diag.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "mptcp_close.h"
#include "mptcp_pm.h"
#include "mptcp_pm_test.h"
#include "mptcp_sf.h"
#include "nl_attrs.h"
#include "nl_diag.h"
#include "nl_transact.h"
#include "port.h"
#include "rcu_swap.h"
#include "twin.h"
#include "uplink_ctl.h"
#include "worker.h"

/* The event socket's receive buffer: a burst of events that overflows it is made good by a
 * dump of the kernel's sockets, but should be rare. */
#ifndef MPTCP_PM_EV_RCVBUF
#define MPTCP_PM_EV_RCVBUF (4 << 20)
#endif
/* A dump of the kernel's sockets that failed is tried again this much later. */
#define MPTCP_PM_RESYNC_RETRY_MS 1000
/* How often the table is checked against the kernel's sockets. */
#define MPTCP_PM_RECONCILE_MS 2000

/* A subflow of the table: what telemetry shows, and its counter slot. */
struct subflow {
	struct mptcp_subflow_info info;
	struct mptcp_sf_key key;
	uint16_t slot;
	bool seen;		    /* in the dump being merged */
	struct mptcp_sf_stats base; /* the slot's counters when it was handed out */
};

struct conn {
	bool established, server_side;
	bool from_dump; /* created by a dump: its side is guessed from the subflows' flags */
	unsigned int n_sf;
	struct subflow sf[MPTCP_MAX_CONN_SF];
};

/* A counter slot: free, a subflow's, or released but perhaps still mapped by a table a
 * worker holds (free after the next publish). */
enum { SLOT_FREE, SLOT_USED, SLOT_DRAINING };

struct mptcp_pm_state {
	bool on;
	bool gateway;
	struct mnl_socket *ev;	 /* the events group */
	struct mnl_socket *req;	 /* requests: the family, dumps */
	struct mnl_socket *diag; /* sock_diag dumps; NULL if the kernel has none */
	uint16_t family;
	uint32_t events_group;
	unsigned int seq;
	uint64_t next_dump;
	bool resync; /* events were lost: the connections are to be dumped */
	uint64_t next_resync;
	uint64_t next_reconcile;
	/* Read by telemetry, written by the control thread: under lock. The tokens and the
	 * used flags are apart from the connections, to be searched quickly. */
	pthread_mutex_t lock;
	bool conn_used[MPTCP_MAX_CONNS];
	uint32_t conn_token[MPTCP_MAX_CONNS];
	struct conn conns[MPTCP_MAX_CONNS];
	struct mptcp_endpoint endpoints[MPTCP_MAX_ENDPOINTS];
	unsigned int n_endpoints;
	struct mptcp_pm_stats stats;
	/* Counter slots (SLOT_*). Control thread only. */
	uint8_t slot_state[MPTCP_MAX_SUBFLOWS];
	unsigned int slot_next, n_draining;
	bool table_dirty;
	/* Following the uplinks: endpoints (by id, with their address) mpgw flagged backup,
	 * ports seen usable. */
	bool follow;
	uint64_t next_follow;
	struct {
		bool on;
		struct ipaddr addr;
	} demoted[256];
	bool seen_usable[MPGW_MAX_PORTS];
	/* Gateway: ports whose uplink died and whose subflows mpgw closed (their endpoints
	 * are added again when it is back). Vps: the far ends of its paths (gateways' uplink
	 * addresses), seen usable, and those whose subflows it closed since. */
	bool closed[MPGW_MAX_PORTS];
	unsigned int n_peers;
	struct {
		struct ipaddr addr;
		bool seen_usable, closed;
	} peers[WORKER_MAX_PATHS];
	uint8_t buf[1 << 15];
};

/* The path manager's state: the control thread's, and telemetry's under its lock. */
extern struct mptcp_pm_state pm_state;

static inline uint64_t ms_from_now(unsigned int ms)
{
	return rte_rdtsc() + rte_get_tsc_hz() / 1000 * ms;
}

/* mptcp_pm_events.c: the kernel's messages read. */
/* Attribute a's payload into v if it is exactly len bytes. */
bool pm_attr_get(const struct nlattr *a, void *v, size_t len);
/* Does attribute a validate as type? */
bool pm_attr_is(const struct nlattr *a, enum mnl_attr_data_type type);
/* One message of the events group (mnl callback). */
int pm_on_event(const struct nlmsghdr *nlh, void *data);
/* The subflow's IPv6 addresses into i, IPv4-mapped ones as IPv4. */
void pm_addrs_from6(struct mptcp_subflow_info *i, const uint8_t *local, const uint8_t *remote);

/* mptcp_pm_table.c: the connection table and the data path's subflow table. */
/* Sum of every worker's counters of a slot. */
void pm_slot_sum(uint16_t slot, struct mptcp_sf_stats *out);
/* A new data-path subflow table from the connections, published through RCU. */
void pm_publish_table(void);
/* The connection of token (a new one if create), or NULL. */
struct conn *pm_conn_find(uint32_t token, bool create);
void pm_conn_close(struct conn *c);
void pm_sf_remove(struct conn *c, unsigned int i);
/* The port whose twin is ifindex or holds local, or -1. */
int pm_port_of(int ifindex, const struct ipaddr *local);
struct subflow *pm_sf_set(struct conn *c, const struct mptcp_subflow_info *info);
void pm_sf_del(struct conn *c, const struct mptcp_subflow_info *info);

/* mptcp_pm_kernel.c: requests to the kernel, its endpoints and limits, dumps of its
 * sockets merged into the table. */
/* The endpoints of a dump, gathered before they replace the table's (pm_on_endpoint's data). */
struct endpoint_list {
	unsigned int n;
	struct mptcp_endpoint e[MPTCP_MAX_ENDPOINTS];
};
/* Generic netlink's control family asked for MPTCP's id and events group
 * (pm_put_family_name's request, pm_on_family's answers). */
void pm_put_family_name(struct nlmsghdr *nlh, const void *arg);
int pm_on_family(const struct nlmsghdr *nlh, void *data);
int pm_on_endpoint(const struct nlmsghdr *nlh, void *data);
int pm_request(uint16_t family, uint8_t cmd, bool dump,
	void (*put)(struct nlmsghdr *, const void *), const void *put_arg, mnl_cb_t cb, void *data);
bool pm_demoted(const struct mptcp_endpoint *e);
void pm_set_demoted(const struct mptcp_endpoint *e, bool on);
void pm_dump_endpoints(void);
int pm_dump_sockets(void);
void pm_merge_dump(void);
void pm_resync(void);
void pm_reconcile(void);

/* mptcp_pm_follow.c: endpoints and subflows following the uplinks' health. */
void pm_follow_uplinks(void);
void pm_follow_peers(void);
void pm_unfollow_uplinks(void);

#endif
