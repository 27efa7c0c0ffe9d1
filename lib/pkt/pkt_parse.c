/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>

#include "pkt_parse.h"

#define ETH_HDR_LEN  14
#define VLAN_TAG_LEN 4
#define IP4_HDR_LEN  20
#define IP6_HDR_LEN  40
#define TCP_HDR_LEN  20
#define TCP_OPT_MAX  40
#define UDP_HDR_LEN  8
#define ICMP_HDR_LEN 8

#define ETYPE_IP4      0x0800
#define ETYPE_IP6      0x86dd
#define ETYPE_8021Q    0x8100
#define ETYPE_8021AD   0x88a8
#define ETYPE_QINQ_OLD 0x9100 /* pre-standard QinQ TPID still used by some switches */

#define IPPROTO_HOPOPTS_  0
#define IPPROTO_ICMP_	  1
#define IPPROTO_TCP_	  6
#define IPPROTO_UDP_	  17
#define IPPROTO_ROUTING_  43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_	  51
#define IPPROTO_ICMPV6_	  58
#define IPPROTO_DSTOPTS_  60

#define IP4_MF		 0x2000
#define IP4_OFFMASK	 0x1fff
#define IP6_FRAG_OFFMASK 0xfff8

#define TCP_SYN 0x02

#define TCPOPT_EOL     0
#define TCPOPT_NOP     1
#define TCPOPT_MSS     2
#define TCPOPT_MSS_LEN 4

/*
 * Headers may sit anywhere in the segment (VLAN tags, IPv4 options, extension headers), so
 * multi-byte fields are assembled byte by byte rather than through possibly unaligned casts.
 */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Everything pkt_parse_l2 produces survives an L3 parse; the L3/L4 results start afresh. */
static inline void clear_l3(struct pkt_info *pi)
{
	memset(&pi->l3_len, 0, sizeof(*pi) - offsetof(struct pkt_info, l3_len));
}

enum pkt_status pkt_parse_l2(const struct rte_mbuf *m, struct pkt_info *pi)
{
	uint8_t buf[ETH_HDR_LEN];
	const uint8_t *p;
	uint16_t et;
	uint32_t off = ETH_HDR_LEN;
	unsigned int n = 0;

	memset(pi, 0, sizeof(*pi));
	p = rte_pktmbuf_read(m, 0, ETH_HDR_LEN, buf);
	if (p == NULL)
		return PKT_ERR_L2_TRUNC;
	et = rd16(p + 12);

	while (et == ETYPE_8021Q || et == ETYPE_8021AD || et == ETYPE_QINQ_OLD) {
		/* Deeper stacks are refused even if truncated: the depth is the real problem. */
		if (n == PKT_MAX_VLAN)
			return PKT_ERR_VLAN_DEPTH;
		p = rte_pktmbuf_read(m, off, VLAN_TAG_LEN, buf);
		if (p == NULL)
			return PKT_ERR_L2_TRUNC;
		et = rd16(p + 2);
		off += VLAN_TAG_LEN;
		n++;
	}

	pi->ethertype = et;
	pi->n_vlan = (uint8_t)n;
	pi->l3_off = (uint16_t)off;
	if (et == ETYPE_IP4)
		pi->l3 = PKT_L3_IP4;
	else if (et == ETYPE_IP6)
		pi->l3 = PKT_L3_IP6;
	else
		pi->l3 = PKT_L3_OTHER;
	return PKT_OK;
}

enum pkt_tcp_opts pkt_tcp_opts_walk(const uint8_t *opts, unsigned int len, int *mss_pos)
{
	unsigned int i = 0;
	int mss = -1;

	*mss_pos = -1;
	while (i < len) {
		uint8_t kind = opts[i];
		unsigned int olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return PKT_TCP_OPTS_OVERRUN;
		olen = opts[i + 1];
		/* A length below 2 would make the walk stall or go backwards. */
		if (olen < 2)
			return PKT_TCP_OPTS_BAD_LEN;
		if (olen > len - i)
			return PKT_TCP_OPTS_OVERRUN;
		if (kind == TCPOPT_MSS) {
			/* An MSS of any other size cannot be clamped in place. */
			if (olen != TCPOPT_MSS_LEN)
				return PKT_TCP_OPTS_BAD_LEN;
			/* Linux and the BSDs honour the last MSS of a repeated option, so report
			 * that one: clamping an earlier copy would be ineffective. */
			mss = (int)i;
		}
		i += olen;
	}
	*mss_pos = mss;
	return PKT_TCP_OPTS_OK;
}

/* L4 header at pi->l4_off, pi->l4_len bytes long (the IP datagram's end, not pkt_len). */
static enum pkt_status parse_l4(const struct rte_mbuf *m, struct pkt_info *pi, int v6)
{
	uint8_t buf[TCP_HDR_LEN];
	uint8_t obuf[TCP_OPT_MAX];
	const uint8_t *p;
	uint32_t off = pi->l4_off;
	uint32_t len = pi->l4_len;

	switch (pi->l4_proto) {
	case IPPROTO_TCP_: {
		unsigned int hlen;

		if (len < TCP_HDR_LEN)
			return PKT_ERR_TCP_TRUNC;
		p = rte_pktmbuf_read(m, off, TCP_HDR_LEN, buf);
		if (p == NULL)
			return PKT_ERR_TCP_TRUNC;
		hlen = (unsigned int)(p[12] >> 4) * 4;
		if (hlen < TCP_HDR_LEN || hlen > len)
			return PKT_ERR_TCP_DOFF;
		pi->key.sport = rd16(p);
		pi->key.dport = rd16(p + 2);
		pi->tcp_flags = p[13];
		pi->tcp_opt_len = (uint16_t)(hlen - TCP_HDR_LEN);
		/* Only a SYN carries an MSS worth clamping; other segments pay nothing. */
		if ((pi->tcp_flags & TCP_SYN) && pi->tcp_opt_len > 0) {
			const uint8_t *o;
			int mss;

			o = rte_pktmbuf_read(m, off + TCP_HDR_LEN, pi->tcp_opt_len, obuf);
			if (o == NULL)
				return PKT_ERR_TCP_DOFF;
			if (pkt_tcp_opts_walk(o, pi->tcp_opt_len, &mss) != PKT_TCP_OPTS_OK)
				pi->flags |= PKT_F_TCP_OPT_BAD;
			else if (mss >= 0)
				pi->tcp_mss_off = (uint16_t)(off + TCP_HDR_LEN + (unsigned int)mss);
		}
		break;
	}
	case IPPROTO_UDP_: {
		uint16_t ulen;

		if (len < UDP_HDR_LEN)
			return PKT_ERR_UDP_TRUNC;
		p = rte_pktmbuf_read(m, off, UDP_HDR_LEN, buf);
		if (p == NULL)
			return PKT_ERR_UDP_TRUNC;
		ulen = rd16(p + 4);
		/* A first fragment holds only part of the datagram its UDP length covers. */
		if (ulen < UDP_HDR_LEN || (ulen > len && !(pi->flags & PKT_F_FRAGMENT)))
			return PKT_ERR_UDP_LEN;
		pi->key.sport = rd16(p);
		pi->key.dport = rd16(p + 2);
		break;
	}
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_: {
		const enum pkt_status trunc = v6 ? PKT_ERR_ICMP6_TRUNC : PKT_ERR_ICMP_TRUNC;
		const uint8_t echo_req = v6 ? 128 : 8;
		const uint8_t echo_rep = v6 ? 129 : 0;

		/* ICMP inside IPv6 or ICMPv6 inside IPv4 is not a control message of that
		 * family: treat it as an opaque protocol. */
		if ((pi->l4_proto == IPPROTO_ICMPV6_) != !!v6)
			return PKT_OK;
		if (len < ICMP_HDR_LEN)
			return trunc;
		p = rte_pktmbuf_read(m, off, ICMP_HDR_LEN, buf);
		if (p == NULL)
			return trunc;
		/* Echo identifiers in both ports make request and reply mirror-image keys. */
		if (p[0] == echo_req || p[0] == echo_rep) {
			pi->key.sport = rd16(p + 4);
			pi->key.dport = pi->key.sport;
		}
		break;
	}
	default:
		return PKT_OK;
	}
	pi->flags |= PKT_F_L4;
	return PKT_OK;
}

/* The key is only published with a successful parse; on error it stays zero. */
static inline enum pkt_status finish(struct pkt_info *pi, enum pkt_status st)
{
	if (st != PKT_OK) {
		memset(&pi->key, 0, sizeof(pi->key));
		return st;
	}
	pi->key.proto = pi->l4_proto;
	pi->hash = pkt_flow_hash(&pi->key);
	return PKT_OK;
}

enum pkt_status pkt_parse_ip4(const struct rte_mbuf *m, struct pkt_info *pi)
{
	uint8_t buf[IP4_HDR_LEN];
	const uint8_t *p;
	uint32_t l3_off = pi->l3_off;
	uint32_t avail, hlen, totlen;
	uint16_t frag;

	clear_l3(pi);
	p = rte_pktmbuf_read(m, l3_off, IP4_HDR_LEN, buf);
	if (p == NULL)
		return PKT_ERR_IP4_TRUNC;
	if ((p[0] >> 4) != 4)
		return PKT_ERR_IP4_VERSION;
	hlen = (uint32_t)(p[0] & 0x0f) * 4;
	if (hlen < IP4_HDR_LEN)
		return PKT_ERR_IP4_IHL;
	avail = rte_pktmbuf_pkt_len(m) - l3_off;
	if (hlen > avail)
		return PKT_ERR_IP4_TRUNC;
	totlen = rd16(p + 2);
	/* Bytes past totlen are Ethernet minimum-frame padding and are ignored. */
	if (totlen < hlen || totlen > avail)
		return PKT_ERR_IP4_TOTLEN;

	pi->l3_len = (uint16_t)totlen;
	pi->l4_off = (uint16_t)(l3_off + hlen);
	pi->l4_len = (uint16_t)(totlen - hlen);
	pi->l4_proto = p[9];
	if (hlen > IP4_HDR_LEN)
		pi->flags |= PKT_F_IP4_OPTIONS;
	pi->key.family = 4;
	memcpy(&pi->key.v4.src, p + 12, 4);
	memcpy(&pi->key.v4.dst, p + 16, 4);

	frag = rd16(p + 6);
	if (frag & (IP4_MF | IP4_OFFMASK))
		pi->flags |= PKT_F_FRAGMENT;
	if (frag & IP4_OFFMASK) {
		pi->flags |= PKT_F_FRAG_LATER;
		return finish(pi, PKT_OK);
	}
	return finish(pi, parse_l4(m, pi, 0));
}

static inline int ip6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_ROUTING_ || nh == IPPROTO_FRAGMENT_ ||
	       nh == IPPROTO_DSTOPTS_ || nh == IPPROTO_AH_;
}

enum pkt_status pkt_parse_ip6(const struct rte_mbuf *m, struct pkt_info *pi)
{
	uint8_t buf[IP6_HDR_LEN];
	const uint8_t *p;
	uint32_t l3_off = pi->l3_off;
	uint32_t off, end, paylen;
	unsigned int n = 0;
	uint8_t nh;

	clear_l3(pi);
	p = rte_pktmbuf_read(m, l3_off, IP6_HDR_LEN, buf);
	if (p == NULL)
		return PKT_ERR_IP6_TRUNC;
	if ((p[0] >> 4) != 6)
		return PKT_ERR_IP6_VERSION;
	paylen = rd16(p + 4);
	/* l3_len is 16 bits: the last 40 payload-length values cannot be represented, and no
	 * frame the data path handles is that large anyway. */
	if (paylen == 0 || paylen > UINT16_MAX - IP6_HDR_LEN ||
		paylen > rte_pktmbuf_pkt_len(m) - l3_off - IP6_HDR_LEN)
		return PKT_ERR_IP6_PAYLEN;

	pi->l3_len = (uint16_t)(IP6_HDR_LEN + paylen);
	pi->key.family = 6;
	memcpy(pi->key.v6.src, p + 8, 16);
	memcpy(pi->key.v6.dst, p + 24, 16);
	nh = p[6];
	off = l3_off + IP6_HDR_LEN;
	end = l3_off + IP6_HDR_LEN + paylen;

	/* ESP, no-next-header, upper layers and unknown headers end the chain. */
	while (ip6_is_ext(nh)) {
		uint32_t hlen;

		if (++n > PKT_IP6_MAX_EXT)
			return finish(pi, PKT_ERR_IP6_EXT_CHAIN);
		/* All extension headers start with next-header and length; the fragment header
		 * has a fixed size and its offset field right behind them. */
		if (end - off < (nh == IPPROTO_FRAGMENT_ ? 8u : 2u))
			return finish(pi, PKT_ERR_IP6_EXT_TRUNC);
		p = rte_pktmbuf_read(m, off, nh == IPPROTO_FRAGMENT_ ? 4 : 2, buf);
		if (p == NULL)
			return finish(pi, PKT_ERR_IP6_EXT_TRUNC);
		if (nh == IPPROTO_FRAGMENT_)
			hlen = 8;
		else if (nh == IPPROTO_AH_)
			hlen = ((uint32_t)p[1] + 2) * 4;
		else
			hlen = ((uint32_t)p[1] + 1) * 8;
		if (hlen > end - off)
			return finish(pi, PKT_ERR_IP6_EXT_TRUNC);
		if (nh == IPPROTO_FRAGMENT_) {
			pi->flags |= PKT_F_FRAGMENT;
			/* Only the first fragment carries the rest of the chain and L4. */
			if (rd16(p + 2) & IP6_FRAG_OFFMASK)
				pi->flags |= PKT_F_FRAG_LATER;
		}
		nh = p[0];
		off += hlen;
		if (pi->flags & PKT_F_FRAG_LATER)
			break;
	}

	pi->ip6_n_ext = (uint8_t)n;
	if (n > 0)
		pi->flags |= PKT_F_IP6_EXT;
	pi->l4_proto = nh;
	pi->l4_off = (uint16_t)off;
	pi->l4_len = (uint16_t)(end - off);
	if (pi->flags & PKT_F_FRAG_LATER)
		return finish(pi, PKT_OK);
	return finish(pi, parse_l4(m, pi, 1));
}

enum pkt_status pkt_parse(const struct rte_mbuf *m, struct pkt_info *pi)
{
	enum pkt_status st = pkt_parse_l2(m, pi);

	if (st != PKT_OK)
		return st;
	if (pi->l3 == PKT_L3_IP4)
		return pkt_parse_ip4(m, pi);
	if (pi->l3 == PKT_L3_IP6)
		return pkt_parse_ip6(m, pi);
	return PKT_OK;
}

/*
 * Both directions of a flow must hash alike (one worker owns a connection), so the two
 * (address, port) endpoints are put in a canonical order before hashing. Any total order
 * works; plain integer compares keep IPv4 cheap.
 */
uint32_t pkt_flow_hash(const struct pkt_flow_key *k)
{
	uint32_t h = (uint32_t)k->family << 8 | k->proto;
	uint16_t plo = k->sport, phi = k->dport;

	if (k->family == 6) {
		const uint8_t *lo = k->v6.src, *hi = k->v6.dst;
		uint64_t w;
		int c = memcmp(lo, hi, 16);

		if (c > 0 || (c == 0 && plo > phi)) {
			lo = k->v6.dst;
			hi = k->v6.src;
			plo = k->dport;
			phi = k->sport;
		}
		h = rte_hash_crc_4byte((uint32_t)plo << 16 | phi, h);
		memcpy(&w, lo, 8);
		h = rte_hash_crc_8byte(w, h);
		memcpy(&w, lo + 8, 8);
		h = rte_hash_crc_8byte(w, h);
		memcpy(&w, hi, 8);
		h = rte_hash_crc_8byte(w, h);
		memcpy(&w, hi + 8, 8);
		h = rte_hash_crc_8byte(w, h);
	} else {
		uint32_t lo = k->v4.src, hi = k->v4.dst;

		if (lo > hi || (lo == hi && plo > phi)) {
			lo = k->v4.dst;
			hi = k->v4.src;
			plo = k->dport;
			phi = k->sport;
		}
		h = rte_hash_crc_4byte((uint32_t)plo << 16 | phi, h);
		h = rte_hash_crc_8byte((uint64_t)lo << 32 | hi, h);
	}
	return h;
}

static const char *const status_names[PKT_STATUS_MAX] = {
	[PKT_OK] = "ok",
	[PKT_ERR_L2_TRUNC] = "l2_trunc",
	[PKT_ERR_VLAN_DEPTH] = "vlan_depth",
	[PKT_ERR_IP4_TRUNC] = "ip4_trunc",
	[PKT_ERR_IP4_VERSION] = "ip4_version",
	[PKT_ERR_IP4_IHL] = "ip4_ihl",
	[PKT_ERR_IP4_TOTLEN] = "ip4_totlen",
	[PKT_ERR_IP6_TRUNC] = "ip6_trunc",
	[PKT_ERR_IP6_VERSION] = "ip6_version",
	[PKT_ERR_IP6_PAYLEN] = "ip6_paylen",
	[PKT_ERR_IP6_EXT_TRUNC] = "ip6_ext_trunc",
	[PKT_ERR_IP6_EXT_CHAIN] = "ip6_ext_chain",
	[PKT_ERR_TCP_TRUNC] = "tcp_trunc",
	[PKT_ERR_TCP_DOFF] = "tcp_doff",
	[PKT_ERR_UDP_TRUNC] = "udp_trunc",
	[PKT_ERR_UDP_LEN] = "udp_len",
	[PKT_ERR_ICMP_TRUNC] = "icmp_trunc",
	[PKT_ERR_ICMP6_TRUNC] = "icmp6_trunc",
};

const char *pkt_status_name(enum pkt_status st)
{
	if ((unsigned int)st >= PKT_STATUS_MAX || status_names[st] == NULL)
		return "unknown";
	return status_names[st];
}
