/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors for datagrams too big for their egress (PMTU discovery, RFC 1191 / RFC 8201):
 * IPv4 with DF gets "destination unreachable, fragmentation needed" with the next-hop MTU,
 * IPv6 gets "Packet Too Big" with the MTU. The error is built in a fresh mbuf, quoting the
 * offending datagram from its IP header, as much as fits in 576 bytes (RFC 1812 4.3.2.3) or
 * 1280 bytes (RFC 4443 2.4 (c)) and in the ingress port's MTU; it is sourced from the
 * ingress port's first address of the family (for IPv6 not link-local) and routed like
 * any packet (ip4/ip6 lookup, flagged as mpgw's own). The error normally leaves by the
 * ingress port, so its source is an address of the interface it is sent from, as RFC 1812
 * 4.3.2.4 asks; with asymmetric routes it is not. About a packet that came out of a tunnel,
 * the error is sourced from the port the packet was to leave by, and a gateway sends it
 * back through the tunnel to the VPS. The offending datagram is freed.
 *
 * No error is sent about an ICMP error, an ICMPv6 redirect, an IPv4 non-first fragment, or
 * a packet from the unspecified address (RFC 1812 4.3.2.7, RFC 4443 2.4 (e)): those are
 * counted drops
 * (mtu_exceeded), as are packets over the rate limit (icmp_rate_limited, a token bucket
 * per worker) and packets that arrived on a port without an address of their family
 * (icmp_no_source).
 */
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "fib.h"
#include "nodes.h"
#include "pkt_cksum.h"
#include "pkt_meta.h"
#include "port.h"

enum { ICMP_NEXT_IP4_LOOKUP, ICMP_NEXT_IP6_LOOKUP, ICMP_NEXT_ENCAP, ICMP_NEXT_DROP };
#define NODE_DROP_BASE ICMP_NEXT_DROP

#define ICMP4_MAX_LEN 576  /* whole error datagram, RFC 1812 4.3.2.3 */
#define ICMP6_MAX_LEN 1280 /* whole error datagram, RFC 4443 2.4 (c) */
#define ICMP_HDR_LEN  8
#define ICMP_TTL      64

#define ICMP4_DEST_UNREACH   3
#define ICMP4_FRAG_NEEDED    4
#define ICMP6_PACKET_TOO_BIG 2

/* Token bucket: credit in TSC ticks times the rate; one error costs one second's worth. */
static bool icmp_token(struct worker *w)
{
	if (w->icmp_rate == 0)
		return false;
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	uint64_t cap = (uint64_t)w->icmp_burst * hz, elapsed = now - w->icmp_last_tsc;

	w->icmp_last_tsc = now;
	if (elapsed >= cap / w->icmp_rate)
		w->icmp_credit = cap;
	else
		w->icmp_credit = RTE_MIN(cap, w->icmp_credit + elapsed * w->icmp_rate);
	if (w->icmp_credit < hz)
		return false;
	w->icmp_credit -= hz;
	return true;
}

static bool icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* RFC 1812 4.3.2.7 and RFC 4443 2.4 (e). Martian sources were dropped on input. */
static bool icmp_allowed(const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	bool v4 = meta->l3 == PKT_L3_IP4;
	uint8_t buf[16];

	if (v4 && (meta->flags & PKT_F_FRAG_LATER))
		return false;
	if (!v4) {
		static const uint8_t unspecified[16];
		const uint8_t *src = rte_pktmbuf_read(
			m, meta->l3_off + offsetof(struct rte_ipv6_hdr, src_addr), 16, buf);
		if (src == NULL || memcmp(src, unspecified, 16) == 0)
			return false;
	}
	if ((meta->flags & PKT_F_L4) && meta->l4_proto == (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6)) {
		const uint8_t *type = rte_pktmbuf_read(m, meta->l4_off, 1, buf);
		/* ICMPv6 errors are types 0-127; a redirect (137) gets none either. */
		if (type == NULL || (v4 ? icmp4_is_error(*type) : *type < 128 || *type == 137))
			return false;
	}
	return true;
}

/*
 * A fresh mbuf holding room for an Ethernet header, then IP header, ICMP header and the
 * quote of m's datagram. Returns NULL when no mbuf is left.
 */
static struct rte_mbuf *error_alloc(struct rte_mbuf *m, const struct pkt_meta *meta, uint32_t hdrs,
	uint32_t quote, uint8_t **l3)
{
	struct rte_mbuf *e = rte_pktmbuf_alloc(m->pool);

	if (e == NULL)
		return NULL;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(e, RTE_ETHER_HDR_LEN + hdrs + quote);
	if (p == NULL) {
		rte_pktmbuf_free(e);
		return NULL;
	}
	uint8_t *q = p + RTE_ETHER_HDR_LEN + hdrs;
	const uint8_t *src = rte_pktmbuf_read(m, meta->l3_off, quote, q);
	if (src != q)
		memcpy(q, src, quote);
	*l3 = p + RTE_ETHER_HDR_LEN;
	e->port = m->port;

	struct pkt_meta *em = pkt_meta(e);
	*em = (struct pkt_meta){
		.l3_off = RTE_ETHER_HDR_LEN,
		.l4_off = (uint16_t)(RTE_ETHER_HDR_LEN + hdrs - ICMP_HDR_LEN),
		.l3_len = (uint16_t)(hdrs + quote),
		.l3 = meta->l3,
		.l4_proto = meta->l3 == PKT_L3_IP4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
		.flags = PKT_F_L4,
		.path = PKT_PATH_LOCAL,
	};
	return e;
}

/*
 * Bytes of the offending datagram an error of `max` bytes at most can quote, when the
 * error goes back out of the ingress port (as it does unless routing is asymmetric): it
 * must fit that port's MTU too, or it would be dropped there.
 */
static uint32_t quote_len(
	const struct pkt_meta *meta, const struct port *in, uint32_t max, uint32_t hdrs)
{
	uint32_t limit = RTE_MIN(max, (uint32_t)in->mtu);

	return limit > hdrs ? RTE_MIN((uint32_t)meta->l3_len, limit - hdrs) : 0;
}

static struct rte_mbuf *frag_needed4(struct rte_mbuf *m, const struct pkt_meta *meta,
	const struct port *in, const struct port_addrs *src, uint16_t mtu)
{
	const uint32_t hdrs = sizeof(struct rte_ipv4_hdr) + ICMP_HDR_LEN;
	uint32_t quote = quote_len(meta, in, ICMP4_MAX_LEN, hdrs);
	uint8_t *l3;
	struct rte_mbuf *e = error_alloc(m, meta, hdrs, quote, &l3);

	if (e == NULL)
		return NULL;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	const struct rte_ipv4_hdr *orig =
		(const struct rte_ipv4_hdr *)((uint8_t *)icmp + ICMP_HDR_LEN);

	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF,
		.type_of_service = 0xc0, /* internetwork control, as Linux sends its errors */
		.total_length = rte_cpu_to_be_16(hdrs + quote),
		/* DF: an atomic datagram, whose identification may be 0 (RFC 6864). */
		.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG),
		.time_to_live = ICMP_TTL,
		.next_proto_id = IPPROTO_ICMP,
		.src_addr = src->addr4,
		.dst_addr = orig->src_addr,
	};
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	/* RFC 1191: the second word holds 16 unused bits and the next-hop MTU. */
	*icmp = (struct rte_icmp_hdr){
		.icmp_type = ICMP4_DEST_UNREACH,
		.icmp_code = ICMP4_FRAG_NEEDED,
		.icmp_seq_nb = rte_cpu_to_be_16(mtu),
	};
	icmp->icmp_cksum = (uint16_t)~pkt_cksum_fold(rte_raw_cksum(icmp, ICMP_HDR_LEN + quote));
	return e;
}

static struct rte_mbuf *packet_too_big6(struct rte_mbuf *m, const struct pkt_meta *meta,
	const struct port *in, const struct port_addrs *src, uint16_t mtu)
{
	const uint32_t hdrs = sizeof(struct rte_ipv6_hdr) + ICMP_HDR_LEN;
	uint32_t quote = quote_len(meta, in, ICMP6_MAX_LEN, hdrs);
	uint8_t *l3;
	struct rte_mbuf *e = error_alloc(m, meta, hdrs, quote, &l3);

	if (e == NULL)
		return NULL;
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;
	uint8_t *icmp = (uint8_t *)(ip + 1);
	const struct rte_ipv6_hdr *orig = (const struct rte_ipv6_hdr *)(icmp + ICMP_HDR_LEN);

	*ip = (struct rte_ipv6_hdr){
		.vtc_flow = RTE_BE32(6u << 28),
		.payload_len = rte_cpu_to_be_16(ICMP_HDR_LEN + quote),
		.proto = IPPROTO_ICMPV6,
		.hop_limits = ICMP_TTL,
	};
	memcpy(ip->src_addr, src->addr6, 16);
	memcpy(ip->dst_addr, orig->src_addr, 16);
	/* type, code, checksum, then the MTU in 32 bits */
	uint32_t mtu_be = rte_cpu_to_be_32(mtu);
	icmp[0] = ICMP6_PACKET_TOO_BIG;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	memcpy(icmp + 4, &mtu_be, 4);
	uint16_t ck = (uint16_t)~pkt_cksum_fold(
		(uint32_t)rte_ipv6_phdr_cksum(ip, 0) + rte_raw_cksum(icmp, ICMP_HDR_LEN + quote));
	memcpy(icmp + 2, &ck, 2);
	return e;
}

/* The error for m, or the drop reason (no mbuf: the caller counts it). */
static struct rte_mbuf *icmp_error_one(struct worker *w, struct rte_mbuf *m, enum mpgw_drop *why)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct fib_nexthop *nh = &w->fib->nexthops[meta->nexthop];
	/* The error leaves by the way the packet came. A packet that came out of a tunnel came
	 * by no port of its own address family: its error is sourced from the port it was to
	 * leave by, and goes back through the tunnel (icmp_error_process). */
	bool decap = (meta->path & PKT_PATH_DECAP) && nh->type != FIB_NH_TUNNEL;
	const struct port *in = decap ? &ports[nh->port] : &ports[port_index_of[m->port]];
	/* A tunnel's inner MTU where the packet was bound for one, else the egress port's. */
	uint16_t mtu = meta->mtu != 0 ? meta->mtu : ports[nh->port].mtu;
	bool v4 = meta->l3 == PKT_L3_IP4;
	struct rte_mbuf *e;

	if (!icmp_allowed(m, meta)) {
		*why = DROP_mtu_exceeded;
		return NULL;
	}
	const struct port_addrs *src = port_addrs(in);
	if (!(v4 ? src->has_addr4 : src->has_addr6)) {
		*why = DROP_icmp_no_source;
		return NULL;
	}
	if (!icmp_token(w)) {
		*why = DROP_icmp_rate_limited;
		return NULL;
	}
	e = v4 ? frag_needed4(m, meta, in, src, mtu) : packet_too_big6(m, meta, in, src, mtu);
	if (e == NULL) {
		*why = DROP_nombuf;
		return NULL;
	}
	w->counters[v4 ? CNT_icmp4_frag_needed : CNT_icmp6_packet_too_big]++;
	return e;
}

static uint16_t icmp_error_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t cnt)
{
	struct worker *w = node_worker(node);

	for (uint16_t i = 0; i < cnt; i++) {
		struct rte_mbuf *m = objs[i];
		enum mpgw_drop why = DROP_NONE;
		struct rte_mbuf *e = icmp_error_one(w, m, &why);

		if (e == NULL) {
			rte_node_enqueue_x1(graph, node, node_drop_edge(NODE_DROP_BASE, why), m);
			continue;
		}
		struct pkt_meta *em = pkt_meta(e);
		rte_edge_t next =
			em->l3 == PKT_L3_IP4 ? ICMP_NEXT_IP4_LOOKUP : ICMP_NEXT_IP6_LOOKUP;
		/* A gateway answers what the VPS tunnelled to it through the tunnel, never
		 * natively (the leak guard would stop that anyway). */
		if ((pkt_meta(m)->path & PKT_PATH_DECAP) && w->fib->gateway) {
			em->nexthop = w->fib->tunnel_nh;
			next = ICMP_NEXT_ENCAP;
		}
		rte_node_enqueue_x1(graph, node, next, e);
		rte_pktmbuf_free(m);
	}
	return cnt;
}

static struct rte_node_register icmp_error_node = {
	.name = NODE_ICMP_ERROR,
	.process = icmp_error_process,
	.init = node_init_worker,
	.nb_edges = NODE_NB_EDGES,
	.next_nodes = {[ICMP_NEXT_IP4_LOOKUP] = NODE_IP4_LOOKUP,
		[ICMP_NEXT_IP6_LOOKUP] = NODE_IP6_LOOKUP,
		[ICMP_NEXT_ENCAP] = NODE_ENCAP,
		NODE_DROP_EDGES},
};
RTE_NODE_REGISTER(icmp_error_node);
