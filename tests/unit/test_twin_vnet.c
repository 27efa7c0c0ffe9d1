/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A twin's offloaded frames into the frames a port sends (lib/exception/twin_vnet.c): a
 * frame whose checksum the kernel left to the device gets it; IPv4 and IPv6 TCP segments
 * of up to 64 KB are cut at gso_size, each piece with its own lengths, IPv4 id and header
 * checksum, sequence number, flags (FIN and PSH on the last only, CWR on the first only)
 * and a TCP checksum that verifies, the payload unchanged in order; offload headers that do
 * not fit the frame are refused with nothing emitted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "twin_vnet.h"

#define MAX_OUT 64

/* What a split emitted: each frame whole. */
static struct {
	unsigned int n;
	size_t len[MAX_OUT];
	uint8_t frame[MAX_OUT][2048];
} out;

static int collect(
	void *arg, const uint8_t *hdr, size_t hdr_len, const uint8_t *payload, size_t len)
{
	(void)arg;
	assert_true(out.n < MAX_OUT);
	assert_true(hdr_len + len <= sizeof(out.frame[0]));
	memcpy(out.frame[out.n], hdr, hdr_len);
	if (len != 0)
		memcpy(out.frame[out.n] + hdr_len, payload, len);
	out.len[out.n++] = hdr_len + len;
	return 0;
}

static uint8_t frame[70000];

/* An Ethernet frame at frame: IPv4 (v4) or IPv6 carrying TCP (12 bytes of options) with
 * payload bytes of a counting pattern, flags as given. Its length. */
static size_t tcp_frame(bool v4, size_t payload, uint8_t flags)
{
	size_t l3 = RTE_ETHER_HDR_LEN, l4 = l3 + (v4 ? 20 : 40), thl = 32;

	memset(frame, 0, l4 + thl);
	struct rte_ether_hdr *eth = (void *)frame;
	eth->ether_type = rte_cpu_to_be_16(v4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	if (v4) {
		struct rte_ipv4_hdr *ip = (void *)(frame + l3);
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + thl + payload));
		ip->packet_id = rte_cpu_to_be_16(0xfffe); /* the ids wrap */
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 1, 1));
		ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 1, 2));
	} else {
		struct rte_ipv6_hdr *ip = (void *)(frame + l3);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = 0; /* as the kernel leaves it in a 64 KB segment */
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = 64;
		ip->src_addr[0] = 0xfd;
		ip->src_addr[15] = 1;
		ip->dst_addr[0] = 0xfd;
		ip->dst_addr[15] = 2;
	}
	struct rte_tcp_hdr *tcp = (void *)(frame + l4);
	tcp->src_port = rte_cpu_to_be_16(40000);
	tcp->dst_port = rte_cpu_to_be_16(5201);
	tcp->sent_seq = rte_cpu_to_be_32(0xfffffc00u); /* the sequence numbers wrap */
	tcp->recv_ack = rte_cpu_to_be_32(1);
	tcp->data_off = (uint8_t)((thl / 4) << 4);
	tcp->tcp_flags = flags;
	tcp->rx_win = rte_cpu_to_be_16(512);
	uint8_t *opt = frame + l4 + sizeof(*tcp);
	opt[0] = 1; /* NOP, NOP, timestamps */
	opt[1] = 1;
	opt[2] = 8;
	opt[3] = 10;
	for (size_t i = 0; i < payload; i++)
		frame[l4 + thl + i] = (uint8_t)(i * 7 + 3);
	return l4 + thl + payload;
}

static struct virtio_net_hdr tso_hdr(bool v4, uint16_t mss)
{
	return (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6,
		.hdr_len = (uint16_t)(RTE_ETHER_HDR_LEN + (v4 ? 20 : 40) + 32),
		.gso_size = mss,
		.csum_start = (uint16_t)(RTE_ETHER_HDR_LEN + (v4 ? 20 : 40)),
		.csum_offset = offsetof(struct rte_tcp_hdr, cksum),
	};
}

static void check_cut(bool v4)
{
	const size_t payload = 3000, mss = 1400, hdr = RTE_ETHER_HDR_LEN + (v4 ? 20 : 40) + 32;
	const uint8_t flags =
		RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG | RTE_TCP_CWR_FLAG;
	size_t len = tcp_frame(v4, payload, flags);
	uint8_t orig[4096];
	struct virtio_net_hdr vh = tso_hdr(v4, (uint16_t)mss);

	memcpy(orig, frame, len);
	out.n = 0;
	assert_int_equal(twin_vnet_split(&vh, frame, len, collect, NULL), 3);
	assert_int_equal(out.n, 3);
	size_t off = 0;
	for (unsigned int i = 0; i < 3; i++) {
		size_t n = i < 2 ? mss : payload - 2 * mss;
		uint8_t *f = out.frame[i];
		assert_int_equal(out.len[i], hdr + n);
		assert_memory_equal(f + hdr, orig + hdr + off, n);
		assert_memory_equal(f, orig, RTE_ETHER_HDR_LEN); /* the Ethernet header as it was */
		struct rte_tcp_hdr *tcp = (void *)(f + hdr - 32);
		assert_int_equal(rte_be_to_cpu_32(tcp->sent_seq), (uint32_t)(0xfffffc00u + off));
		uint8_t want = RTE_TCP_ACK_FLAG |
			       (i == 2 ? RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG : 0) |
			       (i == 0 ? RTE_TCP_CWR_FLAG : 0);
		assert_int_equal(tcp->tcp_flags, want);
		assert_memory_equal(f + hdr - 12, orig + hdr - 12, 12); /* the options */
		if (v4) {
			struct rte_ipv4_hdr *ip = (void *)(f + RTE_ETHER_HDR_LEN);
			assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + 32 + n);
			assert_int_equal(rte_be_to_cpu_16(ip->packet_id), (uint16_t)(0xfffe + i));
			assert_int_equal(
				rte_ipv4_cksum(ip), 0); /* verifies: the sum over it is 0 */
			assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, tcp), 0);
		} else {
			struct rte_ipv6_hdr *ip = (void *)(f + RTE_ETHER_HDR_LEN);
			assert_int_equal(rte_be_to_cpu_16(ip->payload_len), 32 + n);
			assert_int_equal(rte_ipv6_udptcp_cksum_verify(ip, tcp), 0);
		}
		off += n;
	}
}

static void test_cut_ipv4(void **state)
{
	(void)state;
	check_cut(true);
}

static void test_cut_ipv6(void **state)
{
	(void)state;
	check_cut(false);
}

/* A UDP frame whose checksum the kernel left to the device: filled in, the frame whole. */
static void test_checksum_only(void **state)
{
	(void)state;
	size_t l3 = RTE_ETHER_HDR_LEN, l4 = l3 + 20, len = l4 + 8 + 101;

	memset(frame, 0, len);
	((struct rte_ether_hdr *)frame)->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (void *)(frame + l3);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - l3));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 1, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 1, 2));
	struct rte_udp_hdr *udp = (void *)(frame + l4);
	udp->src_port = rte_cpu_to_be_16(53);
	udp->dst_port = rte_cpu_to_be_16(5353);
	udp->dgram_len = rte_cpu_to_be_16(8 + 101);
	for (size_t i = 0; i < 101; i++)
		frame[l4 + 8 + i] = (uint8_t)(i ^ 0x5a);
	udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, 0); /* the kernel's partial sum */
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = (uint16_t)l4,
		.csum_offset = offsetof(struct rte_udp_hdr, dgram_cksum),
	};

	out.n = 0;
	assert_int_equal(twin_vnet_split(&vh, frame, len, collect, NULL), 1);
	assert_int_equal(out.len[0], len);
	ip = (void *)(out.frame[0] + l3);
	udp = (void *)(out.frame[0] + l4);
	assert_int_not_equal(udp->dgram_cksum, 0);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, udp), 0);

	/* No offload at all: the frame as it was. */
	struct virtio_net_hdr none = {0};
	uint8_t orig[256];
	memcpy(orig, frame, len);
	out.n = 0;
	assert_int_equal(twin_vnet_split(&none, frame, len, collect, NULL), 1);
	assert_memory_equal(out.frame[0], orig, len);
}

/* Offload headers that do not fit their frame: refused, nothing emitted. */
static void test_malformed(void **state)
{
	(void)state;
	size_t len = tcp_frame(true, 3000, RTE_TCP_ACK_FLAG);
	struct virtio_net_hdr good = tso_hdr(true, 1400), vh;

	out.n = 0;
	vh = good;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_int_equal(twin_vnet_split(&vh, frame, len, collect, NULL), -1);
	vh = good;
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(twin_vnet_split(&vh, frame, len, collect, NULL), -1);
	vh = good;
	vh.gso_size = 0;
	assert_int_equal(twin_vnet_split(&vh, frame, len, collect, NULL), -1);
	vh = good;
	vh.flags = 0;
	assert_int_equal(twin_vnet_split(&vh, frame, len, collect, NULL), -1);
	vh = good;
	vh.csum_start = (uint16_t)(RTE_ETHER_HDR_LEN + 16); /* inside the IPv4 header */
	assert_int_equal(twin_vnet_split(&vh, frame, len, collect, NULL), -1);
	vh = good;
	vh.csum_offset = 6;
	assert_int_equal(twin_vnet_split(&vh, frame, len, collect, NULL), -1);
	/* the frame shorter than its headers */
	assert_int_equal(
		twin_vnet_split(&good, frame, RTE_ETHER_HDR_LEN + 20 + 24, collect, NULL), -1);
	/* a TCP header length past the header room */
	frame[RTE_ETHER_HDR_LEN + 20 + 12] = 0xf0;
	assert_int_equal(
		twin_vnet_split(&good, frame, RTE_ETHER_HDR_LEN + 20 + 50, collect, NULL), -1);
	/* a checksum place past the frame */
	vh = (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 60, .csum_offset = 6};
	assert_int_equal(twin_vnet_split(&vh, frame, 64, collect, NULL), -1);
	vh.csum_start = 70;
	vh.csum_offset = 0;
	assert_int_equal(twin_vnet_split(&vh, frame, 64, collect, NULL), -1);
	assert_int_equal(out.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_ipv4),
		cmocka_unit_test(test_cut_ipv6),
		cmocka_unit_test(test_checksum_only),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
