/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: a burst of punted frames through the twins' receive coalescing
 * (lib/exception/twin_gro.c), as a LAN or WAN host may send them.
 *
 * Input: byte 0's bit 0 set makes the harness fill in each frame's IPv4 header and TCP
 * checksums where the frame's own lengths allow (so that the fuzzer reaches the joining
 * rather than stopping at the checksum); then frames, each a 2-byte big-endian length, a
 * byte whose bit 0 is the port it came in by, and that many bytes (at most MAX_FRAME, up to
 * MAX_BURST frames). Each frame sits at the end of its mbuf's buffer, with everything
 * after it poisoned for ASan (fuzz_mbuf.h). After the burst every frame left must be
 * whole (its segments' lengths add up, a joined one's virtio-net header within it), and
 * every mbuf must be back in the pool once they are freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fuzz_mbuf.h"
#include "twin_gro.h"

#define MAX_BURST 64
#define MAX_FRAME 1600

static struct fuzz_mbufs mbufs;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_twin_gro: %s\n", what);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal_args[] = {"fuzz_twin_gro", "--no-huge", "-m", "128", "--no-pci", "-l", "0",
		"--no-shconf", "--no-telemetry", "--log-level=error", NULL};

	(void)argc;
	(void)argv;
	if (rte_eal_init(RTE_DIM(eal_args) - 1, eal_args) < 0)
		die("rte_eal_init failed");
	if (!fuzz_mbufs_init(&mbufs, 512))
		die("no pool");
	return 0;
}

/* Where the frame's lengths allow: its IPv4 header checksum and its TCP checksum made valid. */
static void fix_checksums(uint8_t *f, size_t len)
{
	if (len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
		return;
	rte_be16_t type = ((struct rte_ether_hdr *)f)->ether_type;
	uint8_t *l3 = f + RTE_ETHER_HDR_LEN;
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		struct rte_ipv4_hdr *ip = (void *)l3;
		size_t tl = rte_be_to_cpu_16(ip->total_length);
		if (ip->version_ihl != RTE_IPV4_VHL_DEF || tl < 40 || RTE_ETHER_HDR_LEN + tl > len)
			return;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (ip->next_proto_id == IPPROTO_TCP) {
			struct rte_tcp_hdr *tcp = (void *)(ip + 1);
			tcp->cksum = 0;
			tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
		}
	} else if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6) &&
		   len >= RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr) +
				   sizeof(struct rte_tcp_hdr)) {
		struct rte_ipv6_hdr *ip6 = (void *)l3;
		size_t pl = rte_be_to_cpu_16(ip6->payload_len);
		if (ip6->proto != IPPROTO_TCP || pl < sizeof(struct rte_tcp_hdr) ||
			RTE_ETHER_HDR_LEN + sizeof(*ip6) + pl > len)
			return;
		struct rte_tcp_hdr *tcp = (void *)(ip6 + 1);
		tcp->cksum = 0;
		tcp->cksum = rte_ipv6_udptcp_cksum(ip6, tcp);
	}
}

/* A mbuf holding data[0..len) at the end of its buffer, the rest poisoned. */
static struct rte_mbuf *make_frame(const uint8_t *data, size_t len, bool fix)
{
	struct rte_mbuf *m = fuzz_mbuf(&mbufs, data, len);

	if (m == NULL)
		die("pool empty");
	if (fix)
		fix_checksums(rte_pktmbuf_mtod(m, uint8_t *), len);
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *ms[MAX_BURST];
	uint16_t n = 0;

	if (size < 1)
		return 0;
	bool fix = data[0] & 1;
	size_t at = 1;
	while (n < MAX_BURST && at + 3 <= size) {
		size_t len = (size_t)data[at] << 8 | data[at + 1];
		uint8_t port = data[at + 2] & 1;
		at += 3;
		len = RTE_MIN(len, RTE_MIN((size_t)MAX_FRAME, size - at));
		struct rte_mbuf *m = make_frame(data + at, len, fix);
		m->port = port;
		ms[n++] = m;
		at += len;
	}
	uint16_t out = twin_gro_burst(ms, n);
	if (out > n)
		die("more frames out than in");
	unsigned int frames = 0;
	for (uint16_t i = 0; i < out; i++) {
		struct rte_mbuf *m = ms[i];
		uint32_t sum = 0;
		for (struct rte_mbuf *s = m; s != NULL; s = s->next)
			sum += s->data_len;
		if (sum != m->pkt_len)
			die("segment lengths do not add up");
		struct virtio_net_hdr vh;
		twin_gro_vnet_hdr(m, &vh);
		if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
			(m->nb_segs < 2 || vh.hdr_len > m->data_len || vh.gso_size == 0 ||
				vh.csum_start + vh.csum_offset + 2u > vh.hdr_len))
			die("a joined frame's header does not fit it");
		frames += twin_gro_frames(m);
	}
	if (frames != n)
		die("frames lost or made up");
	for (uint16_t i = 0; i < out; i++)
		rte_pktmbuf_free(ms[i]);
	fuzz_mbufs_restore(&mbufs);
	if (rte_mempool_in_use_count(mbufs.pool) != 0)
		die("mbufs not returned");
	return 0;
}
