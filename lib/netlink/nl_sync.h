/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mirror of the kernel's routes, neighbours and addresses on the kernel twins
 * (lib/exception), over rtnetlink with libmnl, on the control thread. With twins on, mpgw
 * subscribes to route, neighbour and address changes, dumps all three at start, and keeps
 * three tables:
 * - neighbours of a twin in a usable state (reachable, stale, delay, probe, permanent,
 *   noarp): address -> MAC on that twin's port;
 * - addresses of a twin of global scope (not link-local; IPv6 neither tentative nor failed
 *   duplicate address detection): after the configured ones, the port's own addresses
 *   (local delivery, connected routes, leak guard, and on an uplink without a configured
 *   address of the family, the tunnels' outer source), as room allows;
 * - routes of the main table whose output is a twin: unicast (via a gateway, or on-link),
 *   and blackhole, unreachable and prohibit (all three a counted `blackhole` drop). Routes
 *   the kernel makes itself (connected subnets, local addresses) are left out: mpgw makes
 *   its own from the ports' addresses.
 * A change marks the mirror dirty; at most every NL_SYNC_BATCH_MS the control thread
 * builds a new FIB version from the configuration plus the mirror and publishes it through
 * RCU (workers never wait). A configured route or neighbour of the same prefix or address
 * wins over the kernel's. On a socket overrun (ENOBUFS: events were lost), or a datagram
 * cut short, the mirror is dumped again from scratch and rebuilt.
 *
 * What comes is checked before it is read: only the kernel's datagrams (sender's port id
 * 0); family headers and the attributes read of their sizes, prefixes no longer than their
 * addresses, multipath next hops within their attribute (else the message is refused,
 * `malformed`); and a route the FIB builder would refuse (fib_route_check()) is left out,
 * so that no one route stops every later FIB version.
 */
#ifndef MPGW_NL_SYNC_H
#define MPGW_NL_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Changes are gathered for this long before a new FIB version is built. */
#define NL_SYNC_BATCH_MS 10
/* A build that failed is tried again this much later. */
#define NL_SYNC_RETRY_MS 100
/* Netlink datagrams (one change each) a poll reads at most: a storm of changes does not
 * hold the control thread, which serves the twins every millisecond; the rest waits in
 * the socket for the next poll. */
#define NL_SYNC_POLL_MAX 256

struct nl_sync_stats {
	uint64_t routes4, routes6; /* in the mirror now */
	uint64_t neighbours;
	/* addresses of the twins in the mirror; of those, left out of the ports' addresses
	 * for want of room */
	uint64_t addrs4, addrs6, addrs_unused;
	uint64_t events;  /* netlink messages applied, dumps included */
	uint64_t ignored; /* routes, neighbours, addresses not on a twin, or not usable */
	uint64_t neighbour_failures; /* kernel entries gone INCOMPLETE or FAILED (MAC kept) */
	uint64_t malformed; /* messages refused: a family header or an attribute of the wrong
			     * size, a prefix longer than its address, a multipath next hop
			     * past its attribute */
	uint64_t rejected;  /* routes left out that fib_build() would refuse */
	uint64_t foreign;   /* datagrams dropped: not the kernel's (sender's port id not 0) */
	uint64_t truncated; /* datagrams longer than the buffer, cut: a new dump follows */
	uint64_t builds;    /* FIB versions published from the mirror */
	uint64_t build_errors;
	uint64_t resyncs;     /* overruns (ENOBUFS) and cut datagrams recovered by a new dump */
	uint64_t redumps;     /* new dumps after a twin lost an IPv4 address or went down
			       * (the kernel drops routes then without a message) */
	double last_sync_ms;  /* from the first change of the last batch to its publication */
	double last_build_ms; /* how long the last FIB build and publish took (the old
			       * version freed included) */
};

/* Open the sockets and dump the kernel's tables (twins must be running). rcvbuf: the event
 * socket's receive buffer in bytes, 0 for the system's default. */
int nl_sync_start(unsigned int rcvbuf, char *err, size_t errlen);
/* Control thread: apply what the kernel said since the last call; when the mirror changed
 * and the batch time is over, publish a FIB version of cfg plus the mirror. */
void nl_sync_poll(const struct mpgw_config *cfg);
/* After a reload: the next poll rebuilds from the new configuration plus the mirror. */
void nl_sync_invalidate(void);
/* Control thread: cfg plus the mirror, as the rebuilds make it, for a build of cfg
 * elsewhere (a reload), so that it keeps what the kernel gave (addresses: the tunnels'
 * sources); NULL without the mirror or memory. Free with nl_sync_merged_free(). */
struct mpgw_config *nl_sync_merged(const struct mpgw_config *cfg);
void nl_sync_merged_free(struct mpgw_config *m);
void nl_sync_stop(void);
bool nl_sync_enabled(void);
void nl_sync_get_stats(struct nl_sync_stats *s);

/* A neighbour the data path uses. */
struct nl_neighbour {
	struct ipaddr addr;
	struct rte_ether_addr mac;
	int port;
	bool kernel; /* learnt from the kernel, else configured */
};
/* Any thread (telemetry): the neighbours mpgw uses, the configured ones first, then the
 * kernel's that no configured one overrides; the first max of them into out. Returns how
 * many there are in all. */
uint32_t nl_sync_neighbours(struct nl_neighbour *out, uint32_t max);

#endif
