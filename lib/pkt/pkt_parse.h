/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser: Ethernet (802.1Q / 802.1ad), IPv4, IPv6 with its extension-header chain,
 * TCP (with its option list), UDP, ICMP and ICMPv6.
 *
 * Every read goes through rte_pktmbuf_read(), so headers that span mbuf segments are parsed
 * correctly and nothing past the packet's data is ever touched. The parser never writes to
 * the packet. A non-zero pkt_status is a drop reason: its name (pkt_status_name) is the
 * counter name used by the data path.
 */
#ifndef MPGW_PKT_PARSE_H
#define MPGW_PKT_PARSE_H

#include <stdint.h>

#include <rte_mbuf.h>

/* Hard caps on header walks: every walk is bounded. */
#define PKT_MAX_VLAN	2 /* 802.1ad outer + 802.1Q inner */
#define PKT_IP6_MAX_EXT 8 /* extension headers walked before giving up */

enum pkt_status {
	PKT_OK = 0,
	PKT_ERR_L2_TRUNC,      /* Ethernet or VLAN header truncated */
	PKT_ERR_VLAN_DEPTH,    /* more than PKT_MAX_VLAN tags */
	PKT_ERR_IP4_TRUNC,     /* fewer than 20 bytes, or fewer than IHL * 4 */
	PKT_ERR_IP4_VERSION,   /* version field is not 4 */
	PKT_ERR_IP4_IHL,       /* IHL < 5 */
	PKT_ERR_IP4_TOTLEN,    /* total length < IHL * 4, or beyond the data */
	PKT_ERR_IP6_TRUNC,     /* fewer than 40 bytes */
	PKT_ERR_IP6_VERSION,   /* version field is not 6 */
	PKT_ERR_IP6_PAYLEN,    /* payload length beyond the data (or 0: jumbograms unsupported) */
	PKT_ERR_IP6_EXT_TRUNC, /* an extension header runs past the payload */
	PKT_ERR_IP6_EXT_CHAIN, /* more than PKT_IP6_MAX_EXT extension headers */
	PKT_ERR_TCP_TRUNC,     /* fewer than 20 bytes of TCP header */
	PKT_ERR_TCP_DOFF,      /* data offset < 5, or header beyond the segment */
	PKT_ERR_UDP_TRUNC,     /* fewer than 8 bytes of UDP header */
	PKT_ERR_UDP_LEN,       /* UDP length < 8 or beyond the IP payload */
	PKT_ERR_ICMP_TRUNC,    /* fewer than 8 bytes of ICMP header */
	PKT_ERR_ICMP6_TRUNC,   /* fewer than 8 bytes of ICMPv6 header */
	PKT_STATUS_MAX
};

/* Network layer found after the Ethernet/VLAN headers. */
enum pkt_l3 {
	PKT_L3_NONE = 0, /* not parsed yet */
	PKT_L3_IP4,
	PKT_L3_IP6,
	PKT_L3_OTHER, /* ARP, LLDP, ...: not an error, the data path decides */
};

/* pkt_info.flags */
#define PKT_F_L4	  0x01 /* an L4 header was found and validated at l4_off */
#define PKT_F_FRAGMENT	  0x02 /* IPv4 MF/offset or IPv6 fragment header present */
#define PKT_F_FRAG_LATER  0x04 /* non-first fragment: there is no L4 header */
#define PKT_F_IP4_OPTIONS 0x08 /* IHL > 5 */
#define PKT_F_IP6_EXT	  0x10 /* at least one IPv6 extension header */
#define PKT_F_TCP_OPT_BAD 0x20 /* SYN whose option list is malformed (see pkt_tcp_opts_walk) */

/*
 * 5-tuple. Addresses are kept in network byte order, ports in host order.
 * For ICMP/ICMPv6 echo request/reply both ports hold the identifier (so the key of a
 * request and of its reply are mirror images); other ICMP messages have ports 0.
 * Non-first fragments have ports 0.
 */
struct pkt_flow_key {
	uint8_t family; /* 4 or 6; 0 when there is no IP header */
	uint8_t proto;	/* upper-layer protocol */
	uint16_t sport;
	uint16_t dport;
	uint16_t pad; /* always 0 so the key can be hashed/compared as bytes */
	union {
		struct {
			uint32_t src;
			uint32_t dst;
		} v4; /* the remaining 24 bytes are 0 */
		struct {
			uint8_t src[16];
			uint8_t dst[16];
		} v6;
	};
};

struct pkt_info {
	uint16_t ethertype; /* host order, after VLAN tags */
	uint8_t n_vlan;
	uint8_t l3;	  /* enum pkt_l3 */
	uint16_t l3_off;  /* IP header offset from the start of the frame */
	uint16_t l3_len;  /* IP datagram length: IPv4 total length, or 40 + IPv6 payload length */
	uint16_t l4_off;  /* upper-layer header offset (valid with PKT_F_L4, or set for
			  * unknown protocols to where their header would start) */
	uint16_t l4_len;  /* bytes from l4_off to the end of the IP datagram */
	uint8_t l4_proto; /* upper-layer protocol after extension headers */
	uint8_t flags;	  /* PKT_F_* */
	uint8_t tcp_flags;
	uint8_t ip6_n_ext;    /* extension headers walked */
	uint16_t tcp_mss_off; /* offset of the MSS option's kind byte in a SYN; 0 if none */
	uint16_t tcp_opt_len; /* bytes of TCP options (data offset * 4 - 20) */
	struct pkt_flow_key key;
	uint32_t hash; /* symmetric: the same for both directions of a flow */
};

/* Full parse: L2, then L3 and L4 when the ethertype is IPv4 or IPv6. Fills key and hash. */
enum pkt_status pkt_parse(const struct rte_mbuf *m, struct pkt_info *pi);

/* Layer by layer, for the graph nodes. pkt_parse_l2 sets ethertype, n_vlan, l3_off, l3.
 * pkt_parse_ip4/ip6 need l3_off and parse L3 and L4; they fill key and hash. */
enum pkt_status pkt_parse_l2(const struct rte_mbuf *m, struct pkt_info *pi);
enum pkt_status pkt_parse_ip4(const struct rte_mbuf *m, struct pkt_info *pi);
enum pkt_status pkt_parse_ip6(const struct rte_mbuf *m, struct pkt_info *pi);

/* TCP option list walk. Return values of pkt_tcp_opts_walk. */
enum pkt_tcp_opts {
	PKT_TCP_OPTS_OK = 0,
	PKT_TCP_OPTS_BAD_LEN, /* an option length of 0 or 1 */
	PKT_TCP_OPTS_OVERRUN, /* an option runs past the end of the option area */
};

/*
 * Walk `len` bytes of TCP options. EOL ends the list, NOP is one byte, every other kind
 * is kind/length/value. On success *mss_pos is the offset (from opts) of the MSS option's
 * kind byte, or -1 if there is none. Never reads past opts + len.
 */
enum pkt_tcp_opts pkt_tcp_opts_walk(const uint8_t *opts, unsigned int len, int *mss_pos);

/* Symmetric hash of a flow key: hash(k) == hash(mirror(k)). */
uint32_t pkt_flow_hash(const struct pkt_flow_key *k);

/* Counter name of a status, e.g. "ip4_totlen". PKT_OK is "ok". */
const char *pkt_status_name(enum pkt_status st);

#endif
