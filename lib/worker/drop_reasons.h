/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every reason the data path drops a packet. Each reason is a graph node named
 * "mpgw_drop_<name>" and a per-worker counter; telemetry (/mpgw/drops) sums the counters.
 * The first entries mirror enum pkt_status so that a parser verdict is its drop reason.
 */
#ifndef MPGW_DROP_REASONS_H
#define MPGW_DROP_REASONS_H

#include "pkt_parse.h"

#define MPGW_DROP_REASONS(X)                                                                       \
	X(l2_trunc, "Ethernet or VLAN header truncated")                                           \
	X(vlan_depth, "more than 2 VLAN tags")                                                     \
	X(ip4_trunc, "IPv4 header truncated")                                                      \
	X(ip4_version, "IPv4 version field is not 4")                                              \
	X(ip4_ihl, "IPv4 IHL below 5")                                                             \
	X(ip4_totlen, "IPv4 total length below the header or beyond the data")                     \
	X(ip6_trunc, "IPv6 header truncated")                                                      \
	X(ip6_version, "IPv6 version field is not 6")                                              \
	X(ip6_paylen, "IPv6 payload length beyond the data, or a jumbogram")                       \
	X(ip6_ext_trunc, "IPv6 extension header runs past the datagram")                           \
	X(ip6_ext_chain, "IPv6 extension-header chain longer than the cap")                        \
	X(tcp_trunc, "TCP header truncated")                                                       \
	X(tcp_doff, "TCP data offset below 5 or beyond the segment")                               \
	X(udp_trunc, "UDP header truncated")                                                       \
	X(udp_len, "UDP length below 8 or beyond the IP payload")                                  \
	X(icmp_trunc, "ICMP header truncated")                                                     \
	X(icmp6_trunc, "ICMPv6 header truncated")                                                  \
	X(not_ip, "not IPv4 or IPv6 (ARP, LLDP, ...), and no kernel twin to punt it to")           \
	X(not_for_us, "unicast frame for another MAC address")                                     \
	X(ip4_cksum, "bad IPv4 header checksum")                                                   \
	X(hdr_split, "Ethernet and IP headers not in the first mbuf segment")                      \
	X(multicast, "multicast or broadcast destination: not routed")                             \
	X(martian, "source or destination address that is never routed (loopback, 0/8, ...)")      \
	X(l2_broadcast, "received as a link-layer broadcast or multicast: not forwarded")          \
	X(no_route, "no route to the destination")                                                 \
	X(no_neighbour, "route found but no neighbour (MAC) for the nexthop")                      \
	X(local, "addressed to mpgw itself, not an echo request or probe answer, and no kernel "   \
		 "twin to punt it to")                                                             \
	X(probe_ring_full, "a health probe's answer, and the control thread's ring was full")      \
	X(punt_ring_full, "for the kernel twin, and the ring to the control thread was full")      \
	X(blackhole, "blackhole route")                                                            \
	X(ttl_exceeded, "TTL or hop limit would reach 0")                                          \
	X(mtu_exceeded, "larger than the egress MTU, and no ICMP error may be sent for it (it is " \
			"one, an IPv4 non-first fragment, from ::, or mpgw's own)")                \
	X(icmp_rate_limited, "larger than the egress MTU; its ICMP error was over the rate limit") \
	X(icmp_no_source, "larger than the egress MTU; the ingress port has no address of the "    \
			  "family to send the ICMP error from")                                    \
	X(frag_failed, "IPv4 without DF larger than the egress MTU: too many fragments or no "     \
		       "mbufs")                                                                    \
	X(nombuf, "no mbuf left to build an ICMP error")                                           \
	X(tunnel_down, "gateway: to be tunnelled, but no uplink has a usable path to the VPS")     \
	X(relay_unavailable, "gateway: relay class while the relay is unusable (no proxy "         \
			     "listening, or the VPS unreachable), and [relay] fallback = drop")    \
	X(policy_drop, "gateway: the class's action is drop")                                      \
	X(leak_v4, "gateway: IPv4 that is not a tunnel packet, not bypassed and not from the "     \
		   "uplink's own addresses, kept off the uplink")                                  \
	X(leak_v6, "gateway: IPv6 that is not a tunnel packet, not bypassed and not from the "     \
		   "uplink's own addresses (of the kernel's, only what goes to the VPS and "       \
		   "neighbour discovery, ICMPv6 errors, echo replies), kept off the uplink")       \
	X(leak_ethertype, "gateway: a frame from an uplink's twin that is not untagged ARP, "      \
			  "IPv4 or IPv6 (VLAN, PPPoE, MPLS, ...), kept off the uplink")            \
	X(inbound_denied, "WAN edge: from the WAN unasked (no flow the LAN opened, no [inbound] "  \
			  "rule), and not out of a tunnel")                                        \
	X(decap_unknown_peer, "tunnel packet (protocol 4 or 41) from a source that is no "         \
			      "configured peer")                                                   \
	X(decap_family, "tunnel packet whose inner header is not of the protocol's family")        \
	X(decap_fragment, "fragmented tunnel packet (no reassembly)")                              \
	X(decap_spoofed, "tunnel packet whose inner source the peer may not send: on a vps, "      \
			 "outside the gateway's LAN prefixes; on a gateway, inside its own LAN "   \
			 "prefixes or one of its addresses")                                       \
	X(decap_wrong_port, "tunnel packet that came in by a port tunnels do not end on (not an "  \
			    "uplink of a gateway, not the port of a vps's tunnel address)")        \
	X(decap_ecn, "tunnel packet with outer CE and a Not-ECT inner packet (RFC 6040)")          \
	X(encap_headroom, "no room in the mbuf for the tunnel header")                             \
	X(tx_full, "egress TX queue full")

enum mpgw_drop {
	DROP_NONE = 0,
#define DROP_ENUM(name, desc) DROP_##name,
	MPGW_DROP_REASONS(DROP_ENUM)
#undef DROP_ENUM
		DROP_MAX
};

_Static_assert((int)DROP_l2_trunc == (int)PKT_ERR_L2_TRUNC &&
		       (int)DROP_icmp6_trunc == (int)PKT_ERR_ICMP6_TRUNC &&
		       (int)DROP_not_ip == (int)PKT_STATUS_MAX,
	"drop reasons must mirror enum pkt_status");

/* Name and description of a reason, e.g. "no_route". */
const char *drop_reason_name(enum mpgw_drop r);
const char *drop_reason_desc(enum mpgw_drop r);

#endif
