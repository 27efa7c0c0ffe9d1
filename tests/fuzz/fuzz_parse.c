/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the packet parser. Input layout: byte 0 picks the number of mbuf
 * segments (1 + b0 % 3), bytes 1 and 2 the cut offsets (modulo the frame length + 1), the
 * rest is the frame. Each segment is a separate exactly-sized heap block, so ASan sees any
 * read past a segment or past pkt_len.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_fast.h"
#include "pkt_parse.h"
#include "test_flow.h"
#include "test_mbuf.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_info(
	const uint8_t *frame, uint32_t len, enum pkt_status st, const struct pkt_info *pi)
{
	static const struct pkt_flow_key zero_key;
	struct pkt_flow_key m;
	uint32_t end;

	CHECK((unsigned int)st < PKT_STATUS_MAX);
	CHECK(strcmp(pkt_status_name(st), "unknown") != 0);
	if (st != PKT_OK)
		return;
	CHECK(pi->n_vlan <= PKT_MAX_VLAN);
	CHECK(pi->l3_off == 14 + 4 * pi->n_vlan);
	CHECK(pi->l3_off <= len);
	if (pi->l3 == PKT_L3_OTHER) {
		CHECK(memcmp(&pi->key, &zero_key, sizeof(zero_key)) == 0);
		CHECK(pi->hash == 0 && pi->flags == 0);
		return;
	}
	CHECK(pi->l3 == PKT_L3_IP4 || pi->l3 == PKT_L3_IP6);
	end = (uint32_t)pi->l3_off + pi->l3_len;
	CHECK(end <= len);
	CHECK(pi->l4_off >= pi->l3_off + (pi->l3 == PKT_L3_IP4 ? 20 : 40));
	CHECK((uint32_t)pi->l4_off + pi->l4_len == end);
	CHECK(pi->ip6_n_ext <= PKT_IP6_MAX_EXT);
	CHECK(pi->key.family == (pi->l3 == PKT_L3_IP4 ? 4 : 6));
	CHECK(pi->key.proto == pi->l4_proto);
	CHECK(pi->key.pad == 0);
	if (pi->l3 == PKT_L3_IP4) {
		for (unsigned int i = 8; i < 32; i++)
			CHECK(((const uint8_t *)&pi->key.v6)[i] == 0);
	}
	if (pi->flags & PKT_F_FRAG_LATER) {
		CHECK(pi->flags & PKT_F_FRAGMENT);
		CHECK(!(pi->flags & PKT_F_L4));
		CHECK(pi->key.sport == 0 && pi->key.dport == 0);
	}
	if (pi->flags & PKT_F_L4) {
		unsigned int need = pi->l4_proto == 6 ? 20u + pi->tcp_opt_len : 8u;

		CHECK(need <= pi->l4_len);
	}
	if (pi->tcp_mss_off) {
		CHECK(pi->l4_proto == 6 && (pi->tcp_flags & 0x02));
		CHECK(pi->tcp_mss_off >= pi->l4_off + 20);
		CHECK(pi->tcp_mss_off + 4u <= pi->l4_off + 20u + pi->tcp_opt_len);
		CHECK(frame[pi->tcp_mss_off] == 2 && frame[pi->tcp_mss_off + 1] == 4);
	}
	CHECK(pi->hash == pkt_flow_hash(&pi->key));
	m = test_flow_mirror(&pi->key);
	CHECK(pi->hash == pkt_flow_hash(&m));
}

/* Whenever the data path's fast parse accepts, the full parse must agree field by field. */
static void check_fast(const struct rte_mbuf *m, enum pkt_status st, const struct pkt_info *pi)
{
	struct pkt_info l2;
	struct pkt_meta got = {0}, want;
	bool ok;

	if (pkt_parse_l2(m, &l2) != PKT_OK || (l2.l3 != PKT_L3_IP4 && l2.l3 != PKT_L3_IP6))
		return;
	got.l3_off = l2.l3_off;
	got.l3 = l2.l3;
	ok = l2.l3 == PKT_L3_IP4 ? pkt_fast_ip4(m, &got) : pkt_fast_ip6(m, &got);
	if (!ok)
		return;
	CHECK(st == PKT_OK);
	want = (struct pkt_meta){.l3_off = l2.l3_off, .l3 = l2.l3, .nexthop = got.nexthop};
	pkt_meta_fill(&want, pi);
	CHECK(memcmp(&got, &want, sizeof(got)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_info flat, seg;
	enum pkt_status st_flat, st_seg;
	struct rte_mbuf *m;
	uint32_t cuts[2], len;
	unsigned int ncuts;
	const uint8_t *frame;
	int mss;

	if (size < 3 || size - 3 > UINT16_MAX)
		return 0;
	frame = data + 3;
	len = (uint32_t)(size - 3);
	ncuts = data[0] % 3;
	cuts[0] = data[1] % (len + 1);
	cuts[1] = data[2] % (len + 1);
	if (cuts[1] < cuts[0]) {
		uint32_t t = cuts[0];

		cuts[0] = cuts[1];
		cuts[1] = t;
	}

	m = test_mbuf_flat(frame, len);
	if (m == NULL)
		return 0;
	st_flat = pkt_parse(m, &flat);
	check_fast(m, st_flat, &flat);
	test_mbuf_free(m);
	check_info(frame, len, st_flat, &flat);

	/* Segmentation must never change the outcome. */
	m = test_mbuf_chain(frame, len, cuts, ncuts);
	if (m == NULL)
		return 0;
	st_seg = pkt_parse(m, &seg);
	check_fast(m, st_seg, &seg);
	test_mbuf_free(m);
	CHECK(st_seg == st_flat);
	if (st_flat == PKT_OK)
		CHECK(memcmp(&flat, &seg, sizeof(flat)) == 0);

	/* The option walker on its own, over an exactly-sized copy. */
	if (len <= 64) {
		uint8_t *copy = malloc(len ? len : 1);

		if (copy == NULL)
			return 0;
		memcpy(copy, frame, len);
		if (pkt_tcp_opts_walk(copy, len, &mss) == PKT_TCP_OPTS_OK && mss >= 0) {
			CHECK((unsigned int)mss + 4 <= len);
			CHECK(copy[mss] == 2 && copy[mss + 1] == 4);
		}
		free(copy);
	}
	return 0;
}
