/* SPDX-License-Identifier: BSD-3-Clause */
/* Joining a burst's TCP segments into 64 KB frames for a twin (see twin_gro.h). */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "twin_gro.h"

/* The largest IPv4 total length, or IPv6 payload length, of a joined frame. */
#define GRO_IP_LEN_MAX 65535

/* One punted frame, parsed as far as TCP. */
struct seg {
	struct rte_mbuf *m;
	uint8_t *l3;
	struct rte_tcp_hdr *tcp;
	uint16_t l3_len;  /* 20 (IPv4 without options) or 40 (IPv6) */
	uint16_t l4_len;  /* TCP header and options */
	uint32_t ip_len;  /* IP header to the end of the payload */
	uint32_t payload; /* TCP payload bytes */
	bool v4;
	bool joinable; /* may start a frame or join one (twin_gro.h) */
};

/* A frame being joined: its first segment and what the next one must be. */
struct gro_flow {
	struct seg head;
	uint32_t next_seq; /* host order */
	uint32_t payload;  /* of all its segments */
	uint8_t flags;	   /* TCP flags of its segments, or-ed */
	rte_be16_t window; /* of its last segment */
};

static bool cksum_ok(const struct seg *s)
{
	const struct rte_mbuf *m = s->m;

	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		return true;
	if (!s->v4)
		return rte_ipv6_udptcp_cksum_verify((const void *)s->l3, s->tcp) == 0;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
		rte_ipv4_cksum((const void *)s->l3) != 0)
		return false;
	return rte_ipv4_udptcp_cksum_verify((const void *)s->l3, s->tcp) == 0;
}

/* Parse m into s: true if it is TCP over IPv4 or IPv6 whose headers fit the first mbuf
 * (its flow known), s->joinable if it may also be joined. */
static bool seg_parse(struct rte_mbuf *m, struct seg *s)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	s->m = m;
	s->joinable = false;
	if (len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
		return false;
	rte_be16_t type = ((const struct rte_ether_hdr *)p)->ether_type;
	s->l3 = p + RTE_ETHER_HDR_LEN;
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = (const void *)s->l3;
		if (ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_TCP ||
			(ip->fragment_offset &
				RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
			return false;
		s->v4 = true;
		s->l3_len = sizeof(struct rte_ipv4_hdr);
		s->ip_len = rte_be_to_cpu_16(ip->total_length);
	} else if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		const struct rte_ipv6_hdr *ip6 = (const void *)s->l3;
		if (len < RTE_ETHER_HDR_LEN + sizeof(*ip6) ||
			(rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6 || ip6->proto != IPPROTO_TCP)
			return false;
		s->v4 = false;
		s->l3_len = sizeof(*ip6);
		s->ip_len = sizeof(*ip6) + rte_be_to_cpu_16(ip6->payload_len);
	} else {
		return false;
	}
	if (s->ip_len < s->l3_len + sizeof(struct rte_tcp_hdr) ||
		RTE_ETHER_HDR_LEN + s->ip_len > len)
		return false;
	s->tcp = (struct rte_tcp_hdr *)(s->l3 + s->l3_len);
	s->l4_len = (uint16_t)((s->tcp->data_off >> 4) * 4);
	if (s->l4_len < sizeof(struct rte_tcp_hdr) || s->l3_len + s->l4_len > s->ip_len)
		return false;
	s->payload = s->ip_len - s->l3_len - s->l4_len;
	s->joinable = s->payload != 0 && m->nb_segs == 1 && RTE_MBUF_DIRECT(m) &&
		      rte_mbuf_refcnt_read(m) == 1 &&
		      (s->tcp->tcp_flags & ~RTE_TCP_PSH_FLAG) == RTE_TCP_ACK_FLAG && cksum_ok(s);
	return true;
}

/* Are a and b of one flow: the same port, IP version, addresses and TCP ports? */
static bool same_flow(const struct seg *a, const struct seg *b)
{
	size_t addr_off = a->v4 ? offsetof(struct rte_ipv4_hdr, src_addr)
				: offsetof(struct rte_ipv6_hdr, src_addr);
	size_t addr_len = a->v4 ? 8 : 32;

	return a->m->port == b->m->port && a->v4 == b->v4 &&
	       memcmp(a->l3 + addr_off, b->l3 + addr_off, addr_len) == 0 &&
	       a->tcp->src_port == b->tcp->src_port && a->tcp->dst_port == b->tcp->dst_port;
}

/* May s, joinable and of f's flow, join f's frame? */
static bool can_join(const struct gro_flow *f, const struct seg *s)
{
	const struct seg *h = &f->head;
	const uint8_t *l2h = rte_pktmbuf_mtod(h->m, const uint8_t *);
	const uint8_t *l2s = rte_pktmbuf_mtod(s->m, const uint8_t *);

	if (s->payload > h->payload || rte_be_to_cpu_32(s->tcp->sent_seq) != f->next_seq ||
		h->m->nb_segs >= TWIN_GRO_SEGS_MAX ||
		(h->v4 ? h->l3_len : 0) + h->l4_len + f->payload + s->payload > GRO_IP_LEN_MAX ||
		memcmp(l2h, l2s, 2 * RTE_ETHER_ADDR_LEN) != 0 ||
		s->tcp->recv_ack != h->tcp->recv_ack || s->l4_len != h->l4_len ||
		memcmp(s->tcp + 1, h->tcp + 1, h->l4_len - sizeof(struct rte_tcp_hdr)) != 0)
		return false;
	if (h->v4) {
		const struct rte_ipv4_hdr *a = (const void *)h->l3, *b = (const void *)s->l3;
		return a->type_of_service == b->type_of_service &&
		       a->time_to_live == b->time_to_live &&
		       a->fragment_offset == b->fragment_offset;
	}
	const struct rte_ipv6_hdr *a = (const void *)h->l3, *b = (const void *)s->l3;
	return a->vtc_flow == b->vtc_flow && a->hop_limits == b->hop_limits;
}

/* Chain s's payload onto f's frame. */
static void join(struct gro_flow *f, const struct seg *s)
{
	struct rte_mbuf *h = f->head.m, *m = s->m;
	uint32_t hdrs = RTE_ETHER_HDR_LEN + s->l3_len + s->l4_len;

	if (h->nb_segs == 1 && h->data_len > RTE_ETHER_HDR_LEN + f->head.ip_len)
		rte_pktmbuf_trim(h, (uint16_t)(h->data_len - RTE_ETHER_HDR_LEN - f->head.ip_len));
	if (m->data_len > hdrs + s->payload)
		rte_pktmbuf_trim(m, (uint16_t)(m->data_len - hdrs - s->payload));
	rte_pktmbuf_adj(m, (uint16_t)hdrs);
	rte_pktmbuf_chain(h, m); /* cannot fail: can_join() bounded nb_segs */
	f->next_seq += s->payload;
	f->payload += s->payload;
	f->flags |= s->tcp->tcp_flags;
	f->window = s->tcp->rx_win;
}

/* f's frame is complete: if segments joined it, its headers made anew and marked. */
static void finish(struct gro_flow *f)
{
	struct seg *h = &f->head;
	struct rte_mbuf *m = h->m;

	if (m->nb_segs == 1)
		return;
	uint32_t l4 = h->l4_len + f->payload;
	if (h->v4) {
		struct rte_ipv4_hdr *ip = (void *)h->l3;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(h->l3_len + l4));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		h->tcp->cksum = rte_ipv4_phdr_cksum(ip, 0);
		m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	} else {
		struct rte_ipv6_hdr *ip6 = (void *)h->l3;
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)l4);
		h->tcp->cksum = rte_ipv6_phdr_cksum(ip6, 0);
		m->ol_flags |= RTE_MBUF_F_TX_IPV6;
	}
	h->tcp->tcp_flags = f->flags;
	h->tcp->rx_win = f->window;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	m->tso_segsz = h->payload;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = h->l3_len;
	m->l4_len = h->l4_len;
}

uint16_t twin_gro_burst(struct rte_mbuf **ms, uint16_t n)
{
	struct gro_flow open[TWIN_GRO_FLOWS];
	unsigned int n_open = 0;
	uint16_t out = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = ms[i];
		struct seg s;
		m->ol_flags &= ~RTE_MBUF_F_TX_TCP_SEG;
		if (!seg_parse(m, &s)) {
			ms[out++] = m;
			continue;
		}
		unsigned int k = 0;
		while (k < n_open && !same_flow(&open[k].head, &s))
			k++;
		if (k < n_open) {
			struct gro_flow *f = &open[k];
			bool joined = s.joinable && can_join(f, &s);
			if (joined)
				join(f, &s);
			/* Done with the frame: something of its flow did not join it, or a
			 * segment that ends it did. */
			if (!joined || s.payload < f->head.payload ||
				(s.tcp->tcp_flags & RTE_TCP_PSH_FLAG) != 0) {
				finish(f);
				open[k] = open[--n_open];
			}
			if (joined)
				continue;
		}
		ms[out++] = m;
		if (!s.joinable || (s.tcp->tcp_flags & RTE_TCP_PSH_FLAG) != 0)
			continue;
		if (n_open == TWIN_GRO_FLOWS) { /* no room: one frame ends here */
			finish(&open[0]);
			open[0] = open[--n_open];
		}
		open[n_open++] = (struct gro_flow){
			.head = s,
			.next_seq = rte_be_to_cpu_32(s.tcp->sent_seq) + s.payload,
			.payload = s.payload,
			.flags = s.tcp->tcp_flags,
			.window = s.tcp->rx_win,
		};
	}
	for (unsigned int k = 0; k < n_open; k++)
		finish(&open[k]);
	return out;
}

void twin_gro_vnet_hdr(const struct rte_mbuf *m, struct virtio_net_hdr *vh)
{
	*vh = (struct virtio_net_hdr){0};
	if ((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) != 0) {
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->gso_type = (m->ol_flags & RTE_MBUF_F_TX_IPV6) != 0 ? VIRTIO_NET_HDR_GSO_TCPV6
								       : VIRTIO_NET_HDR_GSO_TCPV4;
		vh->hdr_len = (uint16_t)(m->l2_len + m->l3_len + m->l4_len);
		vh->gso_size = m->tso_segsz;
		vh->csum_start = (uint16_t)(m->l2_len + m->l3_len);
		vh->csum_offset = offsetof(struct rte_tcp_hdr, cksum);
	} else if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
		vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
}
