/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding tables: IPv4 and IPv6 longest-prefix match to a nexthop id, and the nexthop
 * array. A `struct fib` is one immutable version. The control thread builds a new version,
 * publishes it with fib_publish(), which waits for every worker to pass a quiescent state
 * (rte_rcu_qsbr) before freeing the old one. Workers load the live version once per graph
 * walk and never take a lock. DPDK 22.11's rte_fib and rte_fib6 have no RCU hook, hence
 * whole versions rather than in-place updates.
 */
#ifndef MPGW_FIB_H
#define MPGW_FIB_H

#include <pthread.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_rcu_qsbr.h>

#include "config.h"
#include "tunnel.h"
#include "uplink_table.h"

enum fib_nh_type {
	FIB_NH_FORWARD,	   /* to a resolved neighbour: MACs below are valid */
	FIB_NH_UNRESOLVED, /* on-link destination or gateway with no neighbour entry */
	FIB_NH_LOCAL,	   /* one of mpgw's own addresses */
	FIB_NH_BLACKHOLE,  /* blackhole route */
	FIB_NH_TUNNEL,	   /* through a tunnel group: tun_group says which */
	FIB_NH_BYPASS,	   /* gateway: forwarded as FORWARD, and may leave an uplink natively */
	FIB_NH_ECMP,	   /* over several nexthops: ecmp says which set; the lookup picks one
			    * by the flow's hash */
};

/* No nexthop: what the lookup leaves in the metadata when there is no route, and the
 * tables' default value (never a nexthop id). */
#define FIB_NH_NONE UINT16_MAX
/* The nexthop id in a value of the tables; the bits above mark the IPv6 table's own
 * aggregate routes (lib/fib/fib.c), which lookups mask off. */
#define FIB_NH_ID_MASK 0xffffu

/* An ECMP set: its members' nexthop ids, each in as many slots as its weight's share
 * (rounded, at least one); a flow's hash picks the slot. */
#define FIB_ECMP_SLOTS 64
struct fib_ecmp {
	uint16_t nh[FIB_ECMP_SLOTS];
};

/* 16 bytes: the Ethernet addresses are the precomputed start of the outgoing header. */
struct fib_nexthop {
	struct rte_ether_addr dst;
	struct rte_ether_addr src;
	union {
		uint16_t port_id;   /* DPDK port id */
		uint16_t tun_group; /* FIB_NH_TUNNEL: index into tun.groups */
		uint16_t ecmp;	    /* FIB_NH_ECMP: index into ecmp */
	};
	uint8_t type; /* enum fib_nh_type */
	uint8_t port; /* mpgw port index */
};

struct fib {
	struct rte_fib *fib4;  /* DIR-24-8: host-order address -> nexthop id or FIB_NH_NONE */
	struct rte_fib6 *fib6; /* trie: nexthop id under FIB_NH_ID_MASK, or FIB_NH_NONE */
	uint32_t gen;
	/* The generation of this version's tunnel paths: that of the first version with the
	 * same paths in the same order. Flows placed on a path (the flow table) and probes
	 * in flight stay valid across versions that change only routes (the kernel's route
	 * churn). */
	uint32_t path_gen;
	uint32_t n_nexthops;
	uint32_t n_routes4; /* routes added, connected and host routes included */
	uint32_t n_routes6;

	/* The roles (lib/fib/fib_tunnel.c). */
	uint8_t role; /* enum cfg_role */
	bool gateway; /* the gateway role with at least one uplink: policy and leak guard apply */
	uint8_t policy[CFG_CLASS_MAX]; /* enum cfg_action per class */
	uint8_t relay_fallback;	       /* relay classes while the relay is unusable */
	uint16_t tunnel_nh;	       /* gateway: the nexthop of the tunnel to the VPS */
	uint32_t n_bypass;	       /* bypass prefixes, routes to FIB_NH_BYPASS */
	uint32_t n_inbound;	       /* the WAN edge's [inbound] allow rules */
	struct cfg_inbound *inbound;
	struct tunnels tun;
	/* The uplink scheduling table of this version: set by the control thread before the
	 * version is published, then replaced (and the old one freed after an RCU grace
	 * period) when an uplink changes state. Read with fib_sched(). NULL: every path usable,
	 * flows spread by hash. */
	struct uplink_sched *sched;

	/* The nexthop sets of ECMP routes, by FIB_NH_ECMP nexthop's ecmp. */
	struct fib_ecmp *ecmp;
	uint32_t n_ecmp;

	struct fib_nexthop nexthops[];
};

/* What the tables need to know of each configured port once its device is up. */
struct fib_port {
	uint16_t port_id;
	struct rte_ether_addr mac;
};

/* Build a version from the configuration. NULL on error, with a message in err. */
struct fib *fib_build(const struct mpgw_config *cfg, const struct fib_port *ports, int socket,
	char *err, size_t errlen);
void fib_free(struct fib *f);
/*
 * Would fib_build() take route r, given the configuration's n_ecmp next-hop sets (ecmp) and
 * n_ports ports: a prefix of family 4 or 6 no longer than its addresses; through a gateway
 * or on-link, out of one of the ports; over an ECMP set, one that exists with 1 to
 * CFG_MAX_ECMP_HOPS next hops, each out of one of the ports. 0, or -1 with the reason in
 * err. fib_build() refuses a whole version for one route that fails: the kernel's routes
 * are checked with it as they come (lib/netlink), so that no one route of theirs can stop
 * every later version.
 */
int fib_route_check(const struct cfg_route *r, const struct cfg_ecmp *ecmp, unsigned int n_ecmp,
	unsigned int n_ports, char *err, size_t errlen);

/* Control side: the nexthop id the routes of f give for a, or FIB_NH_NONE. */
uint32_t fib_route(const struct fib *f, const struct ipaddr *a);

/* Make f the live version; frees the previous one once no worker can hold it. rcu may be
 * NULL before any worker runs. */
void fib_publish(struct fib *f, struct rte_rcu_qsbr *rcu);

/* Threads other than the workers (telemetry) read the live version between these: a
 * publish swaps it under the same lock (rcu_swap.h), so it never frees what they hold. */
void fib_ctl_lock(void);
void fib_ctl_unlock(void);

extern struct fib *fib_live;

static inline struct uplink_sched *fib_sched(const struct fib *f)
{
	return __atomic_load_n(&f->sched, __ATOMIC_ACQUIRE);
}

static inline struct fib *fib_current(void)
{
	return __atomic_load_n(&fib_live, __ATOMIC_ACQUIRE);
}

#endif
