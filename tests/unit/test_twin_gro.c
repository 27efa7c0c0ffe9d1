/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive coalescing for the twins (lib/exception/twin_gro.c): consecutive IPv4 and IPv6
 * TCP segments of a flow become one frame whose headers say what the kernel is to make of
 * it (lengths, IPv4 header checksum, the TCP pseudo-header sum that completes to a valid
 * checksum, flags, gso_size in the virtio-net header) and whose payload is theirs in
 * order; everything that must not join does not (another flow, a gap, a bad checksum,
 * other flags or options, a longer segment, another port), nothing of a flow is
 * reordered, a frame stops at 64 segments, and hostile frames pass untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "twin_gro.h"

#define THL 32 /* TCP header with 12 bytes of options (NOP, NOP, timestamps) */

static struct rte_mempool *pool;

static uint8_t pattern(uint32_t seq)
{
	return (uint8_t)(seq * 7 + 3);
}

/* A TCP segment of flow (0, 1, ...: the source port) over IPv4 (v4) or IPv6, payload bytes
 * of pattern(seq + i), flags as given, checksums valid; port 0. */
static struct rte_mbuf *seg(
	bool v4, unsigned int flow, uint32_t seq, uint16_t payload, uint8_t flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	size_t l3 = RTE_ETHER_HDR_LEN, l4 = l3 + (v4 ? 20 : 40);
	size_t len = l4 + THL + payload;

	assert_non_null(m);
	uint8_t *f = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(f);
	memset(f, 0, len);
	struct rte_ether_hdr *eth = (void *)f;
	eth->dst_addr.addr_bytes[5] = 2;
	eth->src_addr.addr_bytes[5] = 1;
	eth->ether_type = rte_cpu_to_be_16(v4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	struct rte_tcp_hdr *tcp = (void *)(f + l4);
	tcp->src_port = rte_cpu_to_be_16((uint16_t)(40000 + flow));
	tcp->dst_port = rte_cpu_to_be_16(5201);
	tcp->sent_seq = rte_cpu_to_be_32(seq);
	tcp->recv_ack = rte_cpu_to_be_32(77);
	tcp->data_off = (THL / 4) << 4;
	tcp->tcp_flags = flags;
	tcp->rx_win = rte_cpu_to_be_16(512);
	uint8_t *opt = (uint8_t *)(tcp + 1);
	opt[0] = 1;
	opt[1] = 1;
	opt[2] = 8;
	opt[3] = 10;
	opt[7] = 9; /* TSval */
	for (uint16_t i = 0; i < payload; i++)
		f[l4 + THL + i] = pattern(seq + i);
	if (v4) {
		struct rte_ipv4_hdr *ip = (void *)(f + l3);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + THL + payload));
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 1, 2));
		ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 1, 1));
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	} else {
		struct rte_ipv6_hdr *ip = (void *)(f + l3);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(THL + payload));
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = 64;
		ip->src_addr[0] = 0xfd;
		ip->src_addr[15] = 2;
		ip->dst_addr[0] = 0xfd;
		ip->dst_addr[15] = 1;
		tcp->cksum = rte_ipv6_udptcp_cksum(ip, tcp);
	}
	return m;
}

static struct rte_tcp_hdr *tcp_of(struct rte_mbuf *m)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	bool v4 = ((struct rte_ether_hdr *)f)->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4);
	return (void *)(f + RTE_ETHER_HDR_LEN + (v4 ? 20 : 40));
}

static uint8_t buf[70000];

/*
 * m is one frame of segments joined, starting at seq with `payload` bytes, `segs`
 * segments of mss: its virtio-net header, lengths, IPv4 header checksum and flags are
 * right, and the TCP checksum completed as the kernel will (NEEDS_CSUM) verifies.
 */
static void check_joined(struct rte_mbuf *m, bool v4, uint32_t seq, uint32_t payload,
	unsigned int segs, uint16_t mss, uint8_t flags)
{
	size_t l4 = RTE_ETHER_HDR_LEN + (v4 ? 20 : 40), hdr = l4 + THL;
	struct virtio_net_hdr vh;

	assert_int_equal(m->nb_segs, segs);
	assert_int_equal(twin_gro_frames(m), segs);
	assert_int_equal(m->pkt_len, hdr + payload);
	twin_gro_vnet_hdr(m, &vh);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.gso_type, v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6);
	assert_int_equal(vh.gso_size, mss);
	assert_int_equal(vh.hdr_len, hdr);
	assert_int_equal(vh.csum_start, l4);
	assert_int_equal(vh.csum_offset, 16);
	const uint8_t *f = rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	assert_non_null(f);
	if (f != buf)
		memcpy(buf, f, m->pkt_len);
	struct rte_tcp_hdr *tcp = (void *)(buf + l4);
	assert_int_equal(rte_be_to_cpu_32(tcp->sent_seq), seq);
	assert_int_equal(tcp->tcp_flags, flags);
	for (uint32_t i = 0; i < payload; i++)
		if (buf[hdr + i] != pattern(seq + i))
			fail_msg(
				"payload byte %u is %u, not %u", i, buf[hdr + i], pattern(seq + i));
	/* what the kernel does with NEEDS_CSUM: sum from csum_start on, the field included */
	uint16_t c = (uint16_t)~rte_raw_cksum(buf + l4, THL + payload);
	tcp->cksum = c == 0 ? 0xffff : c;
	if (v4) {
		struct rte_ipv4_hdr *ip = (void *)(buf + RTE_ETHER_HDR_LEN);
		assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + THL + payload);
		assert_int_equal(rte_ipv4_cksum(ip), 0);
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, tcp), 0);
	} else {
		struct rte_ipv6_hdr *ip = (void *)(buf + RTE_ETHER_HDR_LEN);
		assert_int_equal(rte_be_to_cpu_16(ip->payload_len), THL + payload);
		assert_int_equal(rte_ipv6_udptcp_cksum_verify(ip, tcp), 0);
	}
}

/* m passed as it was: one segment, no TSO mark, no GSO header. */
static void check_alone(struct rte_mbuf *m, uint32_t seq)
{
	struct virtio_net_hdr vh;

	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(twin_gro_frames(m), 1);
	twin_gro_vnet_hdr(m, &vh);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(vh.flags, 0);
	assert_int_equal(rte_be_to_cpu_32(tcp_of(m)->sent_seq), seq);
}

static void free_all(struct rte_mbuf **ms, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(ms[i]);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static void join_one_flow(bool v4)
{
	struct rte_mbuf *ms[10];

	for (unsigned int i = 0; i < 10; i++)
		ms[i] = seg(v4, 0, 0xfffff000u + i * 1000, 1000,
			RTE_TCP_ACK_FLAG | (i == 9 ? RTE_TCP_PSH_FLAG : 0));
	assert_int_equal(twin_gro_burst(ms, 10), 1);
	check_joined(ms[0], v4, 0xfffff000u, 10000, 10, 1000, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG);
	free_all(ms, 1);
}

static void test_join_ipv4(void **state)
{
	(void)state;
	join_one_flow(true);
}

static void test_join_ipv6(void **state)
{
	(void)state;
	join_one_flow(false);
}

/* A B A B A B: two frames, A's first (where its first segment was). */
static void test_interleaved_flows(void **state)
{
	struct rte_mbuf *ms[6];

	(void)state;
	for (unsigned int i = 0; i < 6; i++)
		ms[i] = seg(true, i % 2, 1000 + (i / 2) * 500, 500, RTE_TCP_ACK_FLAG);
	assert_int_equal(twin_gro_burst(ms, 6), 2);
	assert_int_equal(rte_be_to_cpu_16(tcp_of(ms[0])->src_port), 40000);
	assert_int_equal(rte_be_to_cpu_16(tcp_of(ms[1])->src_port), 40001);
	check_joined(ms[0], true, 1000, 1500, 3, 500, RTE_TCP_ACK_FLAG);
	check_joined(ms[1], true, 1000, 1500, 3, 500, RTE_TCP_ACK_FLAG);
	free_all(ms, 2);
}

/* What does not join ends the frame of its flow, so that nothing of the flow is reordered:
 * a pure ACK, a bad checksum, a gap, a FIN. */
static void test_breaks_keep_order(void **state)
{
	struct rte_mbuf *ms[10];

	(void)state;
	ms[0] = seg(true, 0, 0, 100, RTE_TCP_ACK_FLAG);
	ms[1] = seg(true, 0, 100, 100, RTE_TCP_ACK_FLAG);
	ms[2] = seg(true, 0, 200, 0, RTE_TCP_ACK_FLAG); /* pure ACK */
	ms[3] = seg(true, 0, 200, 100, RTE_TCP_ACK_FLAG);
	ms[4] = seg(true, 0, 300, 100, RTE_TCP_ACK_FLAG);
	tcp_of(ms[4])->cksum ^= 0x0101; /* corrupted on the way */
	ms[5] = seg(true, 0, 400, 100, RTE_TCP_ACK_FLAG);
	ms[6] = seg(true, 0, 600, 100, RTE_TCP_ACK_FLAG); /* a gap: 500 is lost */
	ms[7] = seg(true, 0, 700, 100, RTE_TCP_ACK_FLAG);
	ms[8] = seg(true, 0, 800, 100, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG);
	ms[9] = seg(true, 0, 900, 100, RTE_TCP_ACK_FLAG); /* after the FIN: starts anew */
	assert_int_equal(twin_gro_burst(ms, 10), 8);
	check_joined(ms[0], true, 0, 200, 2, 100, RTE_TCP_ACK_FLAG);
	check_alone(ms[1], 200); /* the pure ACK */
	check_alone(ms[2], 200);
	check_alone(ms[3], 300); /* the bad checksum, for the kernel to drop */
	check_alone(ms[4], 400);
	check_joined(ms[5], true, 600, 200, 2, 100, RTE_TCP_ACK_FLAG);
	check_alone(ms[6], 800); /* the FIN */
	check_alone(ms[7], 900);
	free_all(ms, 8);
}

/* Joining stops where the headers differ or the segment would not be one of gso_size. */
static void test_what_does_not_join(void **state)
{
	struct rte_mbuf *ms[9];

	(void)state;
	ms[0] = seg(true, 0, 0, 100, RTE_TCP_ACK_FLAG);
	ms[1] = seg(true, 0, 100, 50, RTE_TCP_ACK_FLAG); /* shorter: joins and ends it */
	ms[2] = seg(true, 0, 150, 100, RTE_TCP_ACK_FLAG);
	ms[3] = seg(true, 0, 250, 200, RTE_TCP_ACK_FLAG); /* longer than gso_size */
	ms[4] = seg(true, 0, 450, 200, RTE_TCP_ACK_FLAG);
	uint8_t *ts = (uint8_t *)(tcp_of(ms[4]) + 1) + 7; /* another TSval */
	*ts = 10;
	tcp_of(ms[4])->cksum = 0;
	tcp_of(ms[4])->cksum = rte_ipv4_udptcp_cksum(
		rte_pktmbuf_mtod_offset(ms[4], void *, RTE_ETHER_HDR_LEN), tcp_of(ms[4]));
	ms[5] = seg(true, 0, 650, 200, RTE_TCP_ACK_FLAG);
	ms[5]->port = 1; /* came in by another port: another twin */
	ms[6] = seg(true, 0, 850, 200, RTE_TCP_ACK_FLAG | RTE_TCP_URG_FLAG);
	ms[7] = seg(true, 0, 1050, 200, RTE_TCP_ACK_FLAG);
	ms[8] = seg(true, 0, 1250, 200, RTE_TCP_ACK_FLAG);
	assert_int_equal(twin_gro_burst(ms, 9), 7);
	check_joined(ms[0], true, 0, 150, 2, 100, RTE_TCP_ACK_FLAG);
	check_alone(ms[1], 150);
	check_alone(ms[2], 250);
	check_alone(ms[3], 450);
	check_alone(ms[4], 650);
	check_alone(ms[5], 850);
	check_joined(ms[6], true, 1050, 400, 2, 200, RTE_TCP_ACK_FLAG);
	free_all(ms, 7);
}

/* 70 segments: a frame of 64 (TWIN_GRO_SEGS_MAX), then one of 6. */
static void test_segment_limit(void **state)
{
	struct rte_mbuf *ms[70];

	(void)state;
	for (unsigned int i = 0; i < 70; i++)
		ms[i] = seg(false, 0, i * 900, 900, RTE_TCP_ACK_FLAG);
	assert_int_equal(twin_gro_burst(ms, 70), 2);
	check_joined(ms[0], false, 0, 64 * 900, 64, 900, RTE_TCP_ACK_FLAG);
	check_joined(ms[1], false, 64 * 900, 6 * 900, 6, 900, RTE_TCP_ACK_FLAG);
	free_all(ms, 2);
}

/* Ethernet padding after the IP length is not payload. */
static void test_padding(void **state)
{
	struct rte_mbuf *ms[2];

	(void)state;
	ms[0] = seg(true, 0, 0, 6, RTE_TCP_ACK_FLAG);
	ms[1] = seg(true, 0, 6, 6, RTE_TCP_ACK_FLAG);
	for (unsigned int i = 0; i < 2; i++)
		memset(rte_pktmbuf_append(ms[i], 4), 0xee, 4);
	assert_int_equal(twin_gro_burst(ms, 2), 1);
	check_joined(ms[0], true, 0, 12, 2, 6, RTE_TCP_ACK_FLAG);
	free_all(ms, 1);
}

/* Frames that are not what they claim pass untouched, byte for byte. */
static void test_hostile_untouched(void **state)
{
	struct rte_mbuf *ms[8];
	uint8_t before[8][2048];
	uint32_t len[8];

	(void)state;
	for (unsigned int i = 0; i < 8; i++)
		ms[i] = seg(i % 2 == 0, 0, i * 100, 100, RTE_TCP_ACK_FLAG);
	struct rte_ipv4_hdr *ip0 = rte_pktmbuf_mtod_offset(ms[0], void *, RTE_ETHER_HDR_LEN);
	ip0->total_length = rte_cpu_to_be_16(2000); /* longer than the frame */
	struct rte_ipv6_hdr *ip1 = rte_pktmbuf_mtod_offset(ms[1], void *, RTE_ETHER_HDR_LEN);
	ip1->payload_len = rte_cpu_to_be_16(10); /* shorter than the TCP header */
	tcp_of(ms[3])->data_off = 0x30;		 /* a TCP header of 12 bytes */
	struct rte_ipv6_hdr *ip5 = rte_pktmbuf_mtod_offset(ms[5], void *, RTE_ETHER_HDR_LEN);
	ip5->payload_len = rte_cpu_to_be_16(THL + 8);
	tcp_of(ms[5])->data_off = 0xf0; /* a TCP header of 60 bytes, past the IP length */
	struct rte_ipv4_hdr *ip2 = rte_pktmbuf_mtod_offset(ms[2], void *, RTE_ETHER_HDR_LEN);
	ip2->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG); /* a fragment */
	struct rte_ipv4_hdr *ip4 = rte_pktmbuf_mtod_offset(ms[4], void *, RTE_ETHER_HDR_LEN);
	ip4->version_ihl = 0x46;				   /* options */
	rte_pktmbuf_trim(ms[6], (uint16_t)(ms[6]->data_len - 20)); /* shorter than IPv4 */
	rte_pktmbuf_trim(ms[7], (uint16_t)(ms[7]->data_len - 60)); /* IPv6 header cut */
	for (unsigned int i = 0; i < 8; i++) {
		len[i] = ms[i]->data_len;
		memcpy(before[i], rte_pktmbuf_mtod(ms[i], void *), len[i]);
	}
	assert_int_equal(twin_gro_burst(ms, 8), 8);
	for (unsigned int i = 0; i < 8; i++) {
		assert_int_equal(ms[i]->data_len, len[i]);
		assert_int_equal(ms[i]->nb_segs, 1);
		assert_memory_equal(rte_pktmbuf_mtod(ms[i], void *), before[i], len[i]);
	}
	free_all(ms, 8);
}

int main(void)
{
	char *eal_args[] = {"test_twin_gro", "--no-huge", "-m", "256", "--no-pci", "-l", "0",
		"--no-shconf", "--no-telemetry", "--log-level=error", NULL};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_ipv4),
		cmocka_unit_test(test_join_ipv6),
		cmocka_unit_test(test_interleaved_flows),
		cmocka_unit_test(test_breaks_keep_order),
		cmocka_unit_test(test_what_does_not_join),
		cmocka_unit_test(test_segment_limit),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_hostile_untouched),
	};

	if (rte_eal_init(RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "test_twin_gro: rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("gro", 512, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL) {
		fprintf(stderr, "test_twin_gro: no mempool\n");
		return 1;
	}
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return rc;
}
