/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fast path of the L3/L4 parse, for the packets that make up nearly all traffic: an IPv4
 * header without options or an IPv6 header without extension headers, not a fragment,
 * carrying a TCP segment that is not a SYN, a UDP datagram or a tunnelled IP packet
 * (protocols 4 and 41, which the parser does not look into), with all of it in the first
 * mbuf segment and every length consistent.
 *
 * For such a packet these functions fill the metadata exactly as pkt_parse_ip4/ip6 followed
 * by pkt_meta_fill would, and return true. For anything else they return false without
 * touching the metadata, and the caller runs the full parser, which also names the drop
 * reason of a malformed packet. They never decide that a packet is bad, so they cannot drop
 * what the full parser would accept. fuzz_parse checks that the two agree.
 *
 * SYNs go to the full parser because their option list must be walked for MSS clamping.
 */
#ifndef MPGW_PKT_FAST_H
#define MPGW_PKT_FAST_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "pkt_meta.h"
#include "pkt_parse.h"

#define PKT_FAST_TCP_SYN 0x02

/* The L4 header at l4_off, l4_len bytes to the end of the datagram (see parse_l4). */
static __rte_always_inline bool pkt_fast_l4(const struct rte_mbuf *m, struct pkt_meta *meta,
	uint8_t proto, uint32_t l4_off, uint32_t l4_len)
{
	const uint8_t *l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, l4_off);
	uint8_t tcp_flags = 0;

	if (proto == IPPROTO_TCP) {
		if (m->data_len < l4_off + sizeof(struct rte_tcp_hdr) ||
			l4_len < sizeof(struct rte_tcp_hdr))
			return false;
		uint32_t hlen = (uint32_t)(l4[12] >> 4) * 4;
		tcp_flags = l4[13];
		if (hlen < sizeof(struct rte_tcp_hdr) || hlen > l4_len ||
			(tcp_flags & PKT_FAST_TCP_SYN))
			return false;
	} else if (proto == IPPROTO_UDP) {
		if (m->data_len < l4_off + sizeof(struct rte_udp_hdr) ||
			l4_len < sizeof(struct rte_udp_hdr))
			return false;
		uint16_t ulen = (uint16_t)(l4[4] << 8 | l4[5]);
		if (ulen < sizeof(struct rte_udp_hdr) || ulen > l4_len)
			return false;
	} else if (proto == IPPROTO_IPIP || proto == IPPROTO_IPV6) {
		/* No L4 header of its own: the tunnel nodes take it from here. */
		meta->l4_off = (uint16_t)l4_off;
		meta->l4_proto = proto;
		meta->flags = 0;
		meta->tcp_flags = 0;
		meta->tcp_mss_off = 0;
		return true;
	} else {
		return false;
	}
	meta->l4_off = (uint16_t)l4_off;
	meta->l4_proto = proto;
	meta->flags = PKT_F_L4;
	meta->tcp_flags = tcp_flags;
	meta->tcp_mss_off = 0;
	return true;
}

/* meta->l3_off must be set (by the Ethernet input). */
static __rte_always_inline bool pkt_fast_ip4(const struct rte_mbuf *m, struct pkt_meta *meta)
{
	uint32_t l3_off = meta->l3_off;

	if (unlikely(m->data_len < l3_off + sizeof(struct rte_ipv4_hdr)))
		return false;
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3_off);
	uint32_t totlen = rte_be_to_cpu_16(ip->total_length);
	/* Version 4 and IHL 5 in one byte; any MF bit or offset makes a fragment. */
	if (unlikely(ip->version_ihl != 0x45 || totlen < sizeof(*ip) ||
		     totlen > m->pkt_len - l3_off ||
		     (ip->fragment_offset &
			     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))))
		return false;
	if (unlikely(!pkt_fast_l4(
		    m, meta, ip->next_proto_id, l3_off + sizeof(*ip), totlen - sizeof(*ip))))
		return false;
	meta->l3_len = (uint16_t)totlen;
	return true;
}

static __rte_always_inline bool pkt_fast_ip6(const struct rte_mbuf *m, struct pkt_meta *meta)
{
	uint32_t l3_off = meta->l3_off;

	if (unlikely(m->data_len < l3_off + sizeof(struct rte_ipv6_hdr)))
		return false;
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l3_off);
	uint32_t paylen = rte_be_to_cpu_16(ip->payload_len);
	if (unlikely((rte_pktmbuf_mtod_offset(m, const uint8_t *, l3_off)[0] >> 4) != 6 ||
		     paylen == 0 || paylen > UINT16_MAX - sizeof(*ip) ||
		     paylen > m->pkt_len - l3_off - sizeof(*ip)))
		return false;
	/* Any extension header is not TCP or UDP here, so it takes the full parser. */
	if (unlikely(!pkt_fast_l4(m, meta, ip->proto, l3_off + sizeof(*ip), paylen)))
		return false;
	meta->l3_len = (uint16_t)(sizeof(*ip) + paylen);
	return true;
}

#endif
