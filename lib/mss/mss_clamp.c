/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "mss_clamp.h"
#include "pkt_cksum.h"

#define TCP_HDR_LEN    20
#define TCP_HDR_MAX    60
#define TCP_CKSUM_OFF  16
#define TCP_DOFF_OFF   12
#define TCPOPT_MSS     2
#define TCPOPT_MSS_LEN 4
#define IP4_TOTLEN_OFF 2
#define IP4_CKSUM_OFF  10
#define IP6_PAYLEN_OFF 4

/* The byte at offset off of the packet, whichever segment holds it; NULL past the data. */
static uint8_t *byte_at(struct rte_mbuf *m, uint32_t off)
{
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	return m != NULL ? rte_pktmbuf_mtod_offset(m, uint8_t *, off) : NULL;
}

/* A 16-bit field in network order, read as a number; the bytes may be in two segments. */
static bool get16(struct rte_mbuf *m, uint32_t off, uint16_t *v)
{
	const uint8_t *hi = byte_at(m, off), *lo = byte_at(m, off + 1);

	if (hi == NULL || lo == NULL)
		return false;
	*v = (uint16_t)(*hi << 8 | *lo);
	return true;
}

static void put16(struct rte_mbuf *m, uint32_t off, uint16_t v)
{
	*byte_at(m, off) = (uint8_t)(v >> 8);
	*byte_at(m, off + 1) = (uint8_t)v;
}

static bool cksum_offloaded(const struct rte_mbuf *m)
{
	return (m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM ||
	       (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
}

static enum mss_result lower(struct rte_mbuf *m, const struct pkt_meta *meta, uint16_t limit)
{
	uint32_t val_off = meta->tcp_mss_off + 2u, ck_off = meta->l4_off + TCP_CKSUM_OFF;
	uint16_t cur, ck;

	if (!get16(m, val_off, &cur) || !get16(m, ck_off, &ck))
		return MSS_UNCHANGED; /* the parser vouched for these bytes; be safe anyway */
	if (cur <= limit)
		return MSS_UNCHANGED;
	put16(m, val_off, limit);
	if (cksum_offloaded(m))
		return MSS_CLAMPED;
	/* The checksum sums 16-bit words from the TCP header's start. A value at an odd
	 * offset lies across two words, its high byte in the low half of one and its low
	 * byte in the high half of the next: it adds up as the byte-swapped value. */
	uint16_t old_w = cur, new_w = limit;
	if ((val_off - meta->l4_off) & 1) {
		old_w = rte_bswap16(old_w);
		new_w = rte_bswap16(new_w);
	}
	put16(m, ck_off, pkt_cksum_update16(ck, old_w, new_w));
	return MSS_CLAMPED;
}

static enum mss_result insert(struct rte_mbuf *m, struct pkt_meta *meta, uint16_t limit)
{
	uint32_t l4 = meta->l4_off, end = (uint32_t)meta->l3_off + meta->l3_len;

	/* In a first fragment the segment goes on in the next fragments: growing this one
	 * would overlap them and the checksum would cover a length nobody knows here. */
	if ((meta->flags & PKT_F_FRAGMENT) || m->nb_segs != 1 || m->pkt_len != end ||
		rte_pktmbuf_tailroom(m) < TCPOPT_MSS_LEN || cksum_offloaded(m) ||
		m->data_len < l4 + TCP_HDR_LEN)
		return MSS_NOT_INSERTED;
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t hlen = (uint32_t)(p[l4 + TCP_DOFF_OFF] >> 4) * 4;
	/* Data (a TFO SYN) would have to move, and a full option area has no room. */
	if (l4 + hlen != end || hlen + TCPOPT_MSS_LEN > TCP_HDR_MAX)
		return MSS_NOT_INSERTED;

	uint16_t ck = (uint16_t)(p[l4 + TCP_CKSUM_OFF] << 8 | p[l4 + TCP_CKSUM_OFF + 1]);
	uint16_t doff_old = (uint16_t)(p[l4 + TCP_DOFF_OFF] << 8 | p[l4 + TCP_DOFF_OFF + 1]);
	uint16_t doff_new = (uint16_t)((((hlen + TCPOPT_MSS_LEN) / 4) << 12) | (doff_old & 0x0fff));

	rte_pktmbuf_append(m, TCPOPT_MSS_LEN);
	uint8_t *opt = p + l4 + TCP_HDR_LEN;
	/* First in the list, as Linux puts it: after an EOL it would not count. The options
	 * move by 4 bytes, an even count, so their share of the checksum does not change. */
	memmove(opt + TCPOPT_MSS_LEN, opt, hlen - TCP_HDR_LEN);
	opt[0] = TCPOPT_MSS;
	opt[1] = TCPOPT_MSS_LEN;
	opt[2] = (uint8_t)(limit >> 8);
	opt[3] = (uint8_t)limit;
	p[l4 + TCP_DOFF_OFF] = (uint8_t)(doff_new >> 8);

	ck = pkt_cksum_update16(ck, doff_old, doff_new);
	ck = pkt_cksum_update16(ck, 0, TCPOPT_MSS << 8 | TCPOPT_MSS_LEN);
	ck = pkt_cksum_update16(ck, 0, limit);
	/* The pseudo-header's TCP length. */
	ck = pkt_cksum_update16(ck, (uint16_t)hlen, (uint16_t)(hlen + TCPOPT_MSS_LEN));
	p[l4 + TCP_CKSUM_OFF] = (uint8_t)(ck >> 8);
	p[l4 + TCP_CKSUM_OFF + 1] = (uint8_t)ck;

	uint8_t *ip = p + meta->l3_off;
	if (meta->l3 == PKT_L3_IP4) {
		uint16_t len_old = (uint16_t)(ip[IP4_TOTLEN_OFF] << 8 | ip[IP4_TOTLEN_OFF + 1]);
		uint16_t len_new = len_old + TCPOPT_MSS_LEN;
		uint16_t ipck = (uint16_t)(ip[IP4_CKSUM_OFF] << 8 | ip[IP4_CKSUM_OFF + 1]);
		ipck = pkt_cksum_update16(ipck, len_old, len_new);
		ip[IP4_TOTLEN_OFF] = (uint8_t)(len_new >> 8);
		ip[IP4_TOTLEN_OFF + 1] = (uint8_t)len_new;
		ip[IP4_CKSUM_OFF] = (uint8_t)(ipck >> 8);
		ip[IP4_CKSUM_OFF + 1] = (uint8_t)ipck;
	} else {
		uint16_t len = (uint16_t)(ip[IP6_PAYLEN_OFF] << 8 | ip[IP6_PAYLEN_OFF + 1]);
		len += TCPOPT_MSS_LEN;
		ip[IP6_PAYLEN_OFF] = (uint8_t)(len >> 8);
		ip[IP6_PAYLEN_OFF + 1] = (uint8_t)len;
	}
	meta->l3_len += TCPOPT_MSS_LEN;
	meta->tcp_mss_off = (uint16_t)(l4 + TCP_HDR_LEN);
	return MSS_INSERTED;
}

enum mss_result mss_clamp(struct rte_mbuf *m, struct pkt_meta *meta, uint16_t limit)
{
	if (meta->flags & PKT_F_TCP_OPT_BAD)
		return MSS_BAD_OPTIONS;
	if (meta->tcp_mss_off != 0)
		return lower(m, meta, limit);
	if (limit >= (meta->l3 == PKT_L3_IP4 ? MSS_DEFAULT_IP4 : MSS_DEFAULT_IP6))
		return MSS_UNCHANGED;
	return insert(m, meta, limit);
}
