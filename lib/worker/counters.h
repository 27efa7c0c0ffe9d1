/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the data path does to packets besides forwarding or dropping them: MSS clamping,
 * ICMP errors sent, fragmentation. One per-worker counter each; telemetry (/mpgw/counters)
 * sums them. Drops are counted apart, per reason (drop_reasons.h).
 */
#ifndef MPGW_COUNTERS_H
#define MPGW_COUNTERS_H

#define MPGW_COUNTERS(X)                                                                           \
	X(mss_clamped, "SYN / SYN-ACK whose MSS option was lowered to the clamp")                  \
	X(mss_inserted, "SYN / SYN-ACK without an MSS option that got one (the clamp is below "    \
			"the protocol's default MSS)")                                             \
	X(mss_not_inserted, "SYN / SYN-ACK without an MSS option that needed one but had data, "   \
			    "no option space, no buffer room or checksum offload: left as is")     \
	X(mss_bad_options, "SYN / SYN-ACK with a malformed option list: left untouched")           \
	X(icmp4_frag_needed, "ICMP destination unreachable, fragmentation needed, sent")           \
	X(icmp6_packet_too_big, "ICMPv6 Packet Too Big sent")                                      \
	X(ip4_fragmented, "IPv4 datagrams without DF fragmented to fit the egress MTU")            \
	X(ip4_fragments, "fragments sent for those datagrams")                                     \
	X(encap, "packets sent into a tunnel")                                                     \
	X(decap, "tunnel packets from a peer, decapsulated")                                       \
	X(policy_bypass, "gateway: LAN packets sent natively to a bypass prefix")                  \
	X(policy_direct, "gateway: LAN packets sent natively by a class's direct action")          \
	X(flow_moved, "tunnelled flows moved off an uplink that stopped being usable")             \
	X(flowlet_moved, "tunnelled flows moved to the redirection table's uplink after an idle "  \
			 "gap longer than flowlet_gap_ms")                                         \
	X(flow_low_latency, "new tunnelled flows placed on the lowest-RTT uplink by their DSCP")   \
	X(echo_replied, "ICMP / ICMPv6 echo requests to mpgw's own addresses answered")            \
	X(probe_replies, "answers to mpgw's uplink health probes, handed to the control thread")   \
	X(relay, "gateway: LAN TCP packets of a relay class handed to the kernel's MPTCP proxy "   \
		 "(through the LAN port's twin)")                                                  \
	X(relay_bytes, "gateway: bytes of those packets")                                          \
	X(relay_fallback, "gateway: LAN TCP packets of a relay class sent by [relay] fallback "    \
			  "(tunnel or drop): connections opened while the relay was unusable")     \
	X(inbound_answers, "WAN edge: packets from the WAN let in as answers to a flow the LAN "   \
			   "opened natively (or ICMP errors about one)")                           \
	X(inbound_allowed, "WAN edge: packets from the WAN let in by an [inbound] allow rule")     \
	X(punted, "frames handed to the control thread for the kernel twins")                      \
	X(twin_sent, "frames from the kernel twins sent out of their port")

enum mpgw_counter {
#define COUNTER_ENUM(name, desc) CNT_##name,
	MPGW_COUNTERS(COUNTER_ENUM)
#undef COUNTER_ENUM
		CNT_MAX
};

/* Name and description of a counter, e.g. "mss_clamped". */
const char *counter_name(enum mpgw_counter c);
const char *counter_desc(enum mpgw_counter c);

#endif
