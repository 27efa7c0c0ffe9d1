/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: the DPDK devices named in the configuration, set up with one RX queue per worker
 * (RSS when the device has it and there is more than one) and one TX queue per worker plus
 * one for the control thread.
 */
#ifndef MPGW_PORT_H
#define MPGW_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "config.h"
#include "mpgw_limits.h"

#define PORT_NO_QUEUE UINT16_MAX

/* A port's own addresses, as the data path uses them. */
struct port_addrs {
	unsigned int n; /* echo requests to them are answered; they may leave an uplink */
	struct ipaddr a[2 * MPGW_MAX_PORT_ADDRS];
	bool has_addr4; /* the source of ICMP errors about packets received here */
	bool has_addr6;
	uint32_t addr4; /* network order */
	uint8_t addr6[16];
};

struct port {
	char name[MPGW_NAME_LEN];
	char device[128];
	uint16_t port_id;
	uint16_t mtu;
	uint16_t mss4; /* MSS clamp of IPv4 / IPv6 SYNs crossing this port; 0: off */
	uint16_t mss6;
	struct rte_ether_addr mac;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t ctl_txq; /* the control thread's TX queue, or PORT_NO_QUEUE */
	bool rss;
	bool tx_multi_seg; /* the device sends mbuf chains (RTE_ETH_TX_OFFLOAD_MULTI_SEGS) */
	bool uplink;	   /* gateway role: a WAN uplink */
	/* The port's own addresses, read with port_addrs(): the configured ones, then those
	 * the kernel has on the port's twin (lib/netlink). The control thread fills the set
	 * the workers do not read, then switches (port_set_addrs()). */
	struct port_addrs addr_sets[2];
	uint8_t addr_cur;
	bool configured; /* to close, even if start failed */
	bool started;
};

extern struct port ports[MPGW_MAX_PORTS];
extern unsigned int n_ports;
/* mpgw port index of a DPDK port id, or -1: the data path reads mbuf->port through it. */
extern int8_t port_index_of[RTE_MAX_ETHPORTS];

/*
 * Find every configured device and check it can serve n_workers (nothing is configured
 * yet, so a failure leaves nothing half-started). Errors name the config line.
 */
int ports_probe(const struct mpgw_config *cfg, unsigned int n_workers, char *err, size_t errlen);

/* Configure queues, MTU and MAC, and start every port. */
int ports_start(const struct mpgw_config *cfg, struct rte_mempool *pool, unsigned int n_workers,
	char *err, size_t errlen);

/* Port p's addresses now: load once per use (a switch may come between two loads). */
static inline const struct port_addrs *port_addrs(const struct port *p)
{
	return &p->addr_sets[__atomic_load_n(&p->addr_cur, __ATOMIC_ACQUIRE)];
}

/* Is addr (4 or 16 bytes, network order) one of port p's own addresses? */
static inline bool port_has_addr(const struct port *p, const void *addr, bool v4)
{
	const struct port_addrs *s = port_addrs(p);

	for (unsigned int i = 0; i < s->n; i++) {
		const struct ipaddr *a = &s->a[i];
		if (v4 && a->family == 4 && memcmp(&a->v4, addr, 4) == 0)
			return true;
		if (!v4 && a->family == 6 && memcmp(a->v6, addr, 16) == 0)
			return true;
	}
	return false;
}

/*
 * Control thread: make addrs (host bits kept, as in the configuration) port i's addresses
 * for the data path, if they differ from its current ones; returns whether they did. The
 * workers (rcu; NULL before any runs) are waited for before the set they read may be
 * written again.
 */
bool port_set_addrs(
	unsigned int i, const struct ipprefix *addrs, unsigned int n, struct rte_rcu_qsbr *rcu);

/* Stop and close every configured port (closing flushes pcap writers). */
void ports_stop(void);

/* mbufs the ports' queues and n_workers' bursts can hold at once, with slack. */
unsigned int ports_mbufs_needed(const struct mpgw_config *cfg, unsigned int n_workers);

/* Log one line per port: device, MAC, queues, link state. */
void ports_log_link(void);

#endif
