/* SPDX-License-Identifier: BSD-3-Clause */
/* A twin's offloaded frames into the frames a port sends (see twin_vnet.h). */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "twin_vnet.h"

/* The checksum the kernel left to the device: over what follows start, the field at
 * start + offset holding the pseudo-header's sum. Zero is sent as 0xffff, as the kernel
 * does (for UDP, zero would mean "no checksum"). */
static int checksum_fill(uint8_t *frame, size_t len, size_t start, size_t offset)
{
	if (start >= len || offset > len - start || len - start - offset < 2)
		return -1;
	uint16_t ck =
		(uint16_t)~__rte_raw_cksum_reduce(__rte_raw_cksum(frame + start, len - start, 0));
	if (ck == 0)
		ck = 0xffff;
	memcpy(frame + start + offset, &ck, sizeof(ck));
	return 0;
}

/* Offset of the IP header in an Ethernet frame (one VLAN tag at most), and its ethertype
 * (network order) in *type; 0 if the frame is too short. */
static size_t l3_offset(const uint8_t *frame, size_t len, uint16_t *type)
{
	size_t off = offsetof(struct rte_ether_hdr, ether_type);

	if (len < RTE_ETHER_HDR_LEN)
		return 0;
	memcpy(type, frame + off, sizeof(*type));
	if (*type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || *type == RTE_BE16(RTE_ETHER_TYPE_QINQ)) {
		if (len < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
			return 0;
		memcpy(type, frame + off + RTE_VLAN_HLEN, sizeof(*type));
		return RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
	}
	return RTE_ETHER_HDR_LEN;
}

/* The layout of a TCP segment to cut: IP at l3, TCP at l4, the payload at hdr_len. */
struct tso_layout {
	size_t l3, l4, hdr_len;
	bool v4;
};

/* Is the frame an IPv4 (v4) or IPv6 TCP segment whose TCP header starts at l4 (the
 * kernel's csum_start), with no IPv6 extension header? Its layout in *t. */
static bool tso_layout(const uint8_t *frame, size_t len, bool v4, size_t l4, struct tso_layout *t)
{
	uint16_t type;
	size_t l3 = l3_offset(frame, len, &type);

	if (l3 == 0 || type != (v4 ? RTE_BE16(RTE_ETHER_TYPE_IPV4) : RTE_BE16(RTE_ETHER_TYPE_IPV6)))
		return false;
	if (l4 + sizeof(struct rte_tcp_hdr) > len || l4 < l3 + (v4 ? 20 : 40))
		return false;
	if (v4) {
		const struct rte_ipv4_hdr *ip = (const void *)(frame + l3);
		if ((ip->version_ihl >> 4) != 4 || rte_ipv4_hdr_len(ip) != l4 - l3 ||
			ip->next_proto_id != IPPROTO_TCP)
			return false;
	} else {
		const struct rte_ipv6_hdr *ip = (const void *)(frame + l3);
		if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6 || l4 != l3 + sizeof(*ip) ||
			ip->proto != IPPROTO_TCP)
			return false;
	}
	size_t thl = (size_t)(frame[l4 + 12] >> 4) * 4;
	if (thl < sizeof(struct rte_tcp_hdr) || l4 + thl > len || l4 + thl > TWIN_VNET_HDR_MAX)
		return false;
	*t = (struct tso_layout){.l3 = l3, .l4 = l4, .hdr_len = l4 + thl, .v4 = v4};
	return true;
}

/* hdr (t's layout) made the header of the segment of n payload bytes at seq, the i-th of
 * a cut (last: the final one): lengths, IPv4 id and checksum, sequence number, flags. The
 * TCP checksum is left to the caller (it covers the payload). */
static void segment_header(uint8_t *hdr, const struct tso_layout *t, size_t n, uint32_t seq,
	unsigned int i, bool last, uint16_t id0, uint8_t flags0)
{
	struct rte_tcp_hdr *tcp = (void *)(hdr + t->l4);
	uint8_t flags = flags0;

	if (!last)
		flags &= (uint8_t) ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	if (i != 0)
		flags &= (uint8_t)~RTE_TCP_CWR_FLAG;
	tcp->tcp_flags = flags;
	tcp->sent_seq = rte_cpu_to_be_32(seq);
	tcp->cksum = 0;
	if (t->v4) {
		struct rte_ipv4_hdr *ip = (void *)(hdr + t->l3);
		ip->total_length = rte_cpu_to_be_16((uint16_t)(t->hdr_len - t->l3 + n));
		ip->packet_id = rte_cpu_to_be_16((uint16_t)(id0 + i));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip = (void *)(hdr + t->l3);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(t->hdr_len - t->l4 + n));
	}
}

/* The TCP checksum of the segment: pseudo-header, TCP header in hdr, n payload bytes. */
static void segment_checksum(
	uint8_t *hdr, const struct tso_layout *t, const uint8_t *payload, size_t n)
{
	struct rte_tcp_hdr *tcp = (void *)(hdr + t->l4);
	uint32_t sum = t->v4 ? rte_ipv4_phdr_cksum((const void *)(hdr + t->l3), 0)
			     : rte_ipv6_phdr_cksum((const void *)(hdr + t->l3), 0);

	sum += __rte_raw_cksum(tcp, t->hdr_len - t->l4, 0);
	sum = __rte_raw_cksum(payload, n, sum);
	tcp->cksum = (uint16_t)~__rte_raw_cksum_reduce(sum);
}

static int tso_split(const struct virtio_net_hdr *vh, uint8_t *frame, size_t len,
	twin_vnet_emit_t emit, void *arg)
{
	uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	struct tso_layout t;
	uint8_t hdr[TWIN_VNET_HDR_MAX];

	if ((gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6) ||
		vh->gso_size == 0 || !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
		vh->csum_offset != offsetof(struct rte_tcp_hdr, cksum) ||
		!tso_layout(frame, len, gso == VIRTIO_NET_HDR_GSO_TCPV4, vh->csum_start, &t))
		return -1;
	memcpy(hdr, frame, t.hdr_len);
	const struct rte_tcp_hdr *tcp0 = (const void *)(frame + t.l4);
	const uint32_t seq0 = rte_be_to_cpu_32(tcp0->sent_seq);
	const uint16_t id0 =
		t.v4 ? rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)(frame + t.l3))->packet_id)
		     : 0;
	const size_t payload = len - t.hdr_len;
	unsigned int i = 0;
	size_t off = 0;

	do {
		size_t n = RTE_MIN((size_t)vh->gso_size, payload - off);
		bool last = off + n == payload;
		segment_header(hdr, &t, n, seq0 + (uint32_t)off, i, last, id0, tcp0->tcp_flags);
		segment_checksum(hdr, &t, frame + t.hdr_len + off, n);
		int rc = emit(arg, hdr, t.hdr_len, frame + t.hdr_len + off, n);
		if (rc < 0)
			return rc;
		off += n;
		i++;
	} while (off < payload);
	return (int)i;
}

int twin_vnet_split(const struct virtio_net_hdr *vh, uint8_t *frame, size_t len,
	twin_vnet_emit_t emit, void *arg)
{
	if (twin_vnet_is_gso(vh))
		return tso_split(vh, frame, len, emit, arg);
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		checksum_fill(frame, len, vh->csum_start, vh->csum_offset) < 0)
		return -1;
	int rc = emit(arg, frame, len, NULL, 0);
	return rc < 0 ? rc : 1;
}
