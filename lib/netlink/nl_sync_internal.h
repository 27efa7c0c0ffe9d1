/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/netlink: the route mirror's state and the functions its files share
 * (nl_sync_mirror.c: what the kernel says, checked, its neighbours and addresses;
 * nl_sync_routes.c: its routes; nl_sync_socket.c: start and stop, the socket, dumps and
 * resyncs; nl_sync_build.c: the configuration merged with the mirror and the FIB
 * rebuilt; nl_sync.c: the poll and telemetry's getters). Each file uses only those listed
 * before it (scripts/check_layers.py).
 */
#ifndef MPGW_NL_SYNC_INTERNAL_H
#define MPGW_NL_SYNC_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>

#include "commit.h"
#include "fib.h"
#include "nl_attrs.h"
#include "nl_resolve.h"
#include "nl_sync.h"
#include "nl_sync_test.h"
#include "nl_transact.h"
#include "port.h"
#include "twin.h"
#include "uplink_ctl.h"
#include "worker.h"

#define NL_MAX_ROUTES (2u << 20) /* fewer for the tests (nl_sync_test_start) */
/* Routes shadowed by one of lower metric to the same prefix (kept to replace it when it
 * goes): one per uplink's default route on a multi-WAN gateway, so few. */
#define NL_MAX_SHADOWED 4096
/* Distinct next-hop sets of multipath routes (many routes share one). */
#define NL_MAX_ECMP	  CFG_MAX_ECMP_SETS
#define NL_MAX_NEIGHBOURS 65536
#define NL_MAX_ADDRS	  1024

struct route_key {
	uint8_t family, len;
	uint8_t pad[2];
	uint8_t addr[16];
};

/* A kernel route to a prefix the mirror has a route of lower metric to. */
struct shadowed_route {
	struct route_key k;
	uint32_t metric;
	int64_t seq; /* order of installation, for routes of equal metric */
	struct cfg_route r;
};

struct kernel_addr {
	struct ipprefix prefix; /* host bits kept */
	int port;
};

struct nl_sync_state {
	bool on;
	struct mnl_socket *ev; /* subscribed to route, neighbour and address changes */
	unsigned int rcvbuf;
	struct cfg_route *routes; /* the mirror, in no order */
	struct route_key *route_keys;
	uint32_t *route_metrics; /* of each route in routes */
	struct shadowed_route *shadowed;
	uint32_t n_shadowed;
	int64_t route_seq;
	struct cfg_ecmp *ecmp; /* next-hop sets of the multipath routes */
	uint32_t n_ecmp;
	uint32_t n_routes, max_routes;
	struct rte_hash *route_index; /* route_key -> position in routes */
	/* The neighbours, and the configured ones (a copy, for telemetry): written by the
	 * control thread under lock, read by telemetry under it; no worker reads them. */
	pthread_mutex_t lock;
	struct cfg_neighbour *neighbours;
	uint32_t n_neighbours;
	struct cfg_neighbour *conf_neighbours;
	uint32_t n_conf_neighbours;
	bool conf_copied; /* conf_neighbours are the running configuration's */
	struct kernel_addr addrs[NL_MAX_ADDRS]; /* in the order learnt */
	uint32_t n_addrs;
	bool addrs_changed; /* the ports' address sets are to be made again */
	bool dirty;
	uint64_t dirty_since;
	uint64_t last_build_end;
	uint64_t build_tsc;  /* the last build, without publishing (freeing the old version) */
	bool resync_pending; /* a resync's dump failed: try again at resync_at */
	bool redump;	     /* routes may have gone silently: dump everything again */
	bool lost;	     /* events were lost (an overrun, a datagram cut): resync */
	bool link_down[MPGW_MAX_PORTS]; /* twins seen administratively down */
	uint64_t resync_at;
	struct nl_sync_stats stats;
	uint8_t buf[1 << 16];
};

/* The mirror's state: the control thread's, and telemetry's under its lock. */
extern struct nl_sync_state nls;

/* nl_sync_mirror.c: what the kernel says, checked; neighbours and addresses */
/* An attribute the mirror reads, and the size of its payload. */
struct attr_size {
	uint16_t type;
	uint16_t len;
};
uint16_t nls_addr_size(int family);
void nls_attr_addr(struct ipaddr *a, int family, const struct nlattr *at);
bool nls_attrs_sized(const struct nlattr *const *tb, const struct attr_size *sizes, unsigned int n);
bool nls_header_fits(const struct nlmsghdr *nlh, size_t len);
bool nls_prefix_attrs(const struct nlmsghdr *nlh, size_t hdr, int family, unsigned int len,
	const struct nlattr **tb, unsigned int max);
bool nls_ip_family(int family);
/* The longest prefix of a family: 32 or 128. */
unsigned int nls_max_prefix(int family);
void nls_mark_dirty(void);
void nls_on_addr(const struct nlmsghdr *nlh);
void nls_on_link(const struct nlmsghdr *nlh);
void nls_on_neigh(const struct nlmsghdr *nlh);

/* nl_sync_routes.c: routes, shadowed ones and multipath sets */
void nls_on_route(const struct nlmsghdr *nlh);

/* nl_sync_socket.c: start and stop, the event socket, dumps and resyncs */
void nls_resync(bool lost);

/* nl_sync_build.c: the configuration merged with the mirror, and the FIB rebuilt */
bool nls_configured(
	const struct cfg_neighbour *conf, uint32_t n_conf, const struct cfg_neighbour *n);
void nls_copy_conf_neighbours(const struct mpgw_config *cfg);
void nls_publish_port_addrs(const struct mpgw_config *cfg);
void nls_rebuild(const struct mpgw_config *cfg);

#endif
