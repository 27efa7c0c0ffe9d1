/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP-in-IP tunnels (6in4, 4in4, 4in6, 6in6) as the data path sees them: paths with a
 * precomputed outer header, grouped by far end, and the ECN rules of RFC 6040. The control
 * side builds them into each FIB version (lib/fib/fib_tunnel.c), so they are published and
 * freed with it under RCU.
 *
 * A path is one way to a far end: the outer header from one of our addresses to one of the
 * far end's, leaving by one port to one next router. A gateway has one group, the VPS,
 * with a path per usable uplink; a vps has a group per gateway it serves, with a path per
 * uplink address of that gateway.
 */
#ifndef MPGW_TUNNEL_H
#define MPGW_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_hash.h>

#include "ipaddr.h"
#include "mpgw_limits.h"

#define TUN_PROTO_IP4 4	 /* IPPROTO_IPIP: IPv4 inside */
#define TUN_PROTO_IP6 41 /* IPPROTO_IPV6: IPv6 inside */

#define TUN_FEW_PEERS 4

/* Key of the peer table: an outer source address. */
struct tun_peer_key {
	uint8_t family;
	uint8_t pad[3];
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, the rest 0 */
};

struct tun_path {
	struct rte_ether_hdr eth; /* to the next router, from the port's MAC */
	union {
		struct rte_ipv4_hdr ip4; /* length 0, checksum of the rest */
		struct rte_ipv6_hdr ip6; /* payload length 0 */
	} outer;
	uint16_t port_id;
	uint8_t port;	  /* mpgw port index */
	uint8_t family;	  /* of the outer header: 4 or 6 */
	uint8_t overhead; /* 20 or 40 */
	uint8_t pad;
	uint16_t mtu; /* the largest inner datagram: port MTU - overhead */
	uint16_t group;
	uint32_t cksum_base;	     /* IPv4: sum of the outer template's 16-bit words */
	struct ipaddr local, remote; /* for telemetry */
};

/* The usable paths of a far end are paths[first .. first + n). */
struct tun_group {
	uint16_t first;
	uint16_t n;
	char name[MPGW_NAME_LEN]; /* "vps", or the gateway's name on a vps */
	/* vps: the gateway's LAN prefixes, the only inner sources its tunnels may carry. */
	uint32_t n_lans;
	struct ipprefix lans[MPGW_MAX_PORT_ADDRS];
};

/* What the control side could not turn into a path, for telemetry. */
struct tun_unusable {
	uint16_t group;
	uint8_t port; /* 0xff: none */
	struct ipaddr remote;
	const char *why;
};

struct tunnels {
	struct tun_path *paths;
	uint32_t n_paths;
	struct tun_group *groups;
	uint32_t n_groups;
	struct tun_unusable *unusable;
	uint32_t n_unusable;
	/* Allowed tunnel sources: struct tun_peer_key -> group. A few (a gateway's VPS) are
	 * also kept in a small array, which is cheaper to scan than the hash to look up. */
	struct rte_hash *peers;
	uint32_t n_peers;
	struct tun_peer_key few_peers[TUN_FEW_PEERS];
	uint16_t few_groups[TUN_FEW_PEERS];
	/* Bit per mpgw port index: the ports tunnels may end on (a gateway's uplinks, the
	 * ports holding a vps's tunnel addresses). */
	uint32_t decap_ports;
	/* gateway: inner sources a tunnel from the VPS never carries (the LAN's prefixes and
	 * mpgw's own addresses): a packet with one is spoofed. IPv4 as network and mask, for
	 * a test of a few instructions each on the path of every packet out of the tunnel. */
	uint32_t n_own4;
	struct tun_own4 {
		uint32_t net, mask; /* network byte order */
	} *own4;
	uint32_t n_own6;
	struct ipprefix *own6;
};

/* The tunnel group whose peer addr (4 or 16 bytes, network order) is, or -1 when it is
 * none: a gateway's peers are the VPS's addresses, a vps's its gateways' uplinks. */
static inline int tun_peer_group(const struct tunnels *t, const uint8_t *addr, bool v4)
{
	struct tun_peer_key key = {.family = v4 ? 4 : 6};
	void *data;

	memcpy(key.addr, addr, v4 ? 4 : 16);
	if (t->n_peers <= TUN_FEW_PEERS) {
		for (uint32_t i = 0; i < t->n_peers; i++)
			if (memcmp(&t->few_peers[i], &key, sizeof(key)) == 0)
				return t->few_groups[i];
		return -1;
	}
	if (rte_hash_lookup_data(t->peers, &key, &data) < 0)
		return -1;
	return (int)(uintptr_t)data;
}

/* ECN codepoints (the low two bits of TOS / traffic class). */
#define ECN_NOT_ECT 0
#define ECN_ECT1    1
#define ECN_ECT0    2
#define ECN_CE	    3

/* RFC 6040 4.1, normal mode: the outer ECN is a copy of the inner, CE included (resetting
 * CE to ECT(0) is RFC 3168's older full-functionality rule). */
static inline uint8_t tun_ecn_encap(uint8_t inner)
{
	return inner;
}

/*
 * RFC 6040 4.2: the inner ECN after decapsulation, or -1 when the packet must be dropped
 * (Not-ECT inside, CE outside: the congestion mark cannot be passed on).
 *   inner \ outer  Not-ECT  ECT(0)  ECT(1)  CE
 *   Not-ECT        Not-ECT  Not-ECT Not-ECT drop
 *   ECT(0)         ECT(0)   ECT(0)  ECT(1)  CE
 *   ECT(1)         ECT(1)   ECT(1)  ECT(1)  CE
 *   CE             CE       CE      CE      CE
 */
static inline int tun_ecn_decap(uint8_t outer, uint8_t inner)
{
	if (inner == ECN_NOT_ECT)
		return outer == ECN_CE ? -1 : ECN_NOT_ECT;
	if (outer == ECN_CE || inner == ECN_CE)
		return ECN_CE;
	if (outer == ECN_ECT1)
		return ECN_ECT1;
	return inner;
}

#endif
