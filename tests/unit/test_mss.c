/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSS clamp (lib/mss) on hand-built SYNs: the value, every other byte, and the TCP (and
 * IPv4 header) checksum, which is checked against a full recomputation written here
 * independently of the code under test. Segmented mbufs are covered by cutting each packet
 * at every offset, which puts the MSS value and the checksum across segment boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mss_clamp.h"
#include "pkt_meta.h"
#include "pkt_parse.h"
#include "test_mbuf.h"

#define ETH 14

struct pkt {
	uint8_t b[256];
	uint32_t len;
	uint32_t l3, l4; /* offsets */
	bool v6;
};

/* Ethernet, IPv4 or IPv6 (with an 8-byte hop-by-hop header when hbh), TCP SYN with the
 * given options (a multiple of 4 bytes) and payload. */
static void build(struct pkt *p, bool v6, bool hbh, const uint8_t *opts, unsigned int optlen,
	unsigned int payload)
{
	uint8_t *b = p->b;
	unsigned int tcp_len = 20 + optlen + payload;

	memset(p, 0, sizeof(*p));
	p->v6 = v6;
	memcpy(b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
	b[12] = v6 ? 0x86 : 0x08;
	b[13] = v6 ? 0xdd : 0x00;
	p->l3 = ETH;
	if (!v6) {
		uint8_t *ip = b + ETH;
		unsigned int tot = 20 + tcp_len;
		ip[0] = 0x45;
		ip[2] = tot >> 8;
		ip[3] = tot & 0xff;
		ip[6] = 0x40; /* DF */
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, "\x0a\x00\x01\x02\xc6\x33\x64\x07", 8);
		p->l4 = ETH + 20;
	} else {
		uint8_t *ip = b + ETH;
		unsigned int plen = tcp_len + (hbh ? 8 : 0);
		ip[0] = 0x60;
		ip[4] = plen >> 8;
		ip[5] = plen & 0xff;
		ip[6] = hbh ? 0 : 6;
		ip[7] = 64;
		ip[8] = 0xfd;
		ip[23] = 2;
		ip[24] = 0x20;
		ip[25] = 0x01;
		ip[26] = 0x0d;
		ip[27] = 0xb8;
		ip[39] = 7;
		p->l4 = ETH + 40;
		if (hbh) {
			uint8_t *h = b + p->l4;
			h[0] = 6;
			h[2] = 1; /* PadN */
			h[3] = 4;
			p->l4 += 8;
		}
	}
	uint8_t *t = b + p->l4;
	t[0] = 0x9c;
	t[1] = 0x40;
	t[2] = 0x01;
	t[3] = 0xbb;
	t[7] = 1; /* seq */
	t[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	t[13] = 0x02; /* SYN */
	t[14] = 0xfa;
	t[15] = 0xf0;
	if (optlen != 0)
		memcpy(t + 20, opts, optlen);
	for (unsigned int i = 0; i < payload; i++)
		t[20 + optlen + i] = (uint8_t)(0x41 + i);
	p->len = p->l4 + tcp_len;
}

static uint32_t sum16(const uint8_t *d, unsigned int n)
{
	uint32_t s = 0;

	for (unsigned int i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(d[i] << 8 | d[i + 1]);
	if (n & 1)
		s += (uint32_t)d[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The TCP checksum a fresh computation gives (the field counted as 0). */
static uint16_t tcp_cksum(const uint8_t *f, uint32_t l3, uint32_t l4, uint32_t end, bool v6)
{
	uint8_t seg[256];
	uint32_t len = end - l4, s;

	memcpy(seg, f + l4, len);
	seg[16] = seg[17] = 0;
	s = sum16(seg, len) + len + 6;
	s += v6 ? sum16(f + l3 + 8, 32) : sum16(f + l3 + 12, 8);
	return (uint16_t)~fold(s);
}

static void set_tcp_cksum(struct pkt *p)
{
	uint16_t c = tcp_cksum(p->b, p->l3, p->l4, p->len, p->v6);

	p->b[p->l4 + 16] = c >> 8;
	p->b[p->l4 + 17] = c & 0xff;
	if (!p->v6) {
		p->b[p->l3 + 10] = p->b[p->l3 + 11] = 0;
		c = (uint16_t)~fold(sum16(p->b + p->l3, 20));
		p->b[p->l3 + 10] = c >> 8;
		p->b[p->l3 + 11] = c & 0xff;
	}
}

/* Every checksum of frame f (len bytes) is right. */
static void assert_cksums(const uint8_t *f, uint32_t len, const struct pkt *p)
{
	uint16_t got = (uint16_t)(f[p->l4 + 16] << 8 | f[p->l4 + 17]);

	assert_int_equal(got, tcp_cksum(f, p->l3, p->l4, len, p->v6));
	if (!p->v6)
		assert_int_equal(fold(sum16(f + p->l3, 20)), 0xffff);
}

static void meta_of(const struct rte_mbuf *m, struct pkt_meta *meta)
{
	struct pkt_info pi;

	assert_int_equal(pkt_parse(m, &pi), PKT_OK);
	memset(meta, 0, sizeof(*meta));
	meta->l3_off = pi.l3_off;
	meta->l3 = pi.l3;
	pkt_meta_fill(meta, &pi);
}

/* Clamp p cut at `cut` (0: one segment, with `room` bytes of tailroom); the result frame
 * goes to out. */
static enum mss_result clamp(const struct pkt *p, uint32_t cut, uint32_t room, uint16_t limit,
	uint8_t *out, uint32_t *out_len, struct pkt_meta *meta)
{
	struct rte_mbuf *m = cut ? test_mbuf_chain(p->b, p->len, &cut, 1)
				 : test_mbuf_flat_room(p->b, p->len, room);
	enum mss_result r;

	assert_non_null(m);
	meta_of(m, meta);
	r = mss_clamp(m, meta, limit);
	*out_len = m->pkt_len;
	test_mbuf_gather(m, out);
	test_mbuf_free(m);
	return r;
}

static const uint8_t opts_even[] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
/* NOP first: the MSS value sits at an odd offset from the TCP header. */
static const uint8_t opts_odd[] = {
	1, 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 3, 3, 7};

static void check_lowered(bool v6, bool hbh, const uint8_t *opts, unsigned int optlen,
	unsigned int mss_at, unsigned int payload)
{
	struct pkt p;
	uint8_t out[256];
	uint32_t len;
	struct pkt_meta meta;

	build(&p, v6, hbh, opts, optlen, payload);
	set_tcp_cksum(&p);
	for (uint32_t cut = 0; cut < p.len; cut++) {
		assert_int_equal(clamp(&p, cut, 0, 1360, out, &len, &meta), MSS_CLAMPED);
		assert_int_equal(len, p.len);
		uint32_t v = p.l4 + 20 + mss_at + 2;
		assert_int_equal(out[v] << 8 | out[v + 1], 1360);
		/* Nothing else changed but the value and the checksum. */
		for (uint32_t i = 0; i < len; i++)
			if (i != v && i != v + 1 && i != p.l4 + 16 && i != p.l4 + 17)
				assert_int_equal(out[i], p.b[i]);
		assert_cksums(out, len, &p);
	}
}

static void test_lower_even_offset(void **state)
{
	(void)state;
	check_lowered(false, false, opts_even, sizeof(opts_even), 0, 0);
	check_lowered(true, false, opts_even, sizeof(opts_even), 0, 0);
}

static void test_lower_odd_offset(void **state)
{
	(void)state;
	check_lowered(false, false, opts_odd, sizeof(opts_odd), 1, 0);
	check_lowered(true, true, opts_odd, sizeof(opts_odd), 1, 0);
}

static void test_lower_tfo_syn_with_data(void **state)
{
	/* MSS, then TCP Fast Open (kind 34) with an 8-byte cookie, then a NOP pad */
	static const uint8_t tfo[] = {2, 4, 0x05, 0xb4, 34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1};

	(void)state;
	check_lowered(false, false, tfo, sizeof(tfo), 0, 11);
	check_lowered(true, false, tfo, sizeof(tfo), 0, 11);
}

static void test_at_or_below_limit_untouched(void **state)
{
	struct pkt p;
	uint8_t out[256];
	uint32_t len;
	struct pkt_meta meta;

	(void)state;
	build(&p, false, false, opts_odd, sizeof(opts_odd), 0);
	set_tcp_cksum(&p);
	assert_int_equal(clamp(&p, 0, 0, 1460, out, &len, &meta), MSS_UNCHANGED);
	assert_memory_equal(out, p.b, p.len);
	assert_int_equal(clamp(&p, 0, 0, 1500, out, &len, &meta), MSS_UNCHANGED);
	assert_memory_equal(out, p.b, p.len);
}

static void test_bad_options_untouched(void **state)
{
	/* MSS, then an option of length 1 */
	static const uint8_t bad[] = {2, 4, 0x05, 0xb4, 8, 1, 0, 0};
	struct pkt p;
	uint8_t out[256];
	uint32_t len;
	struct pkt_meta meta;

	(void)state;
	build(&p, false, false, bad, sizeof(bad), 0);
	set_tcp_cksum(&p);
	assert_int_equal(clamp(&p, 0, 0, 1000, out, &len, &meta), MSS_BAD_OPTIONS);
	assert_memory_equal(out, p.b, p.len);
}

static void check_inserted(bool v6, bool hbh, const uint8_t *opts, unsigned int optlen)
{
	struct pkt p;
	uint8_t out[256];
	uint32_t len;
	struct pkt_meta meta;

	build(&p, v6, hbh, opts, optlen, 0);
	set_tcp_cksum(&p);
	assert_int_equal(clamp(&p, 0, 4, 500, out, &len, &meta), MSS_INSERTED);
	assert_int_equal(len, p.len + 4);
	assert_int_equal(meta.l3_len, len - p.l3);
	assert_int_equal(meta.tcp_mss_off, p.l4 + 20);
	/* The option first, the others moved behind it unchanged, data offset + 1. */
	assert_memory_equal(out + p.l4 + 20, "\x02\x04\x01\xf4", 4);
	assert_memory_equal(out + p.l4 + 24, p.b + p.l4 + 20, optlen);
	assert_int_equal(out[p.l4 + 12] >> 4, (20 + optlen + 4) / 4);
	if (v6)
		assert_int_equal(out[p.l3 + 4] << 8 | out[p.l3 + 5], len - p.l3 - 40);
	else
		assert_int_equal(out[p.l3 + 2] << 8 | out[p.l3 + 3], len - p.l3);
	assert_cksums(out, len, &p);
	/* The result parses, with the new option found. */
	struct rte_mbuf *m = test_mbuf_flat(out, len);
	struct pkt_meta again;
	meta_of(m, &again);
	assert_int_equal(again.tcp_mss_off, p.l4 + 20);
	test_mbuf_free(m);
}

static void test_insert(void **state)
{
	/* SACK permitted, timestamps, NOP, window scale: Linux's SYN without its MSS */
	static const uint8_t linux_rest[] = {4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
	/* An EOL early in the list: an option appended at the end would not count. */
	static const uint8_t eol[] = {1, 0, 0, 0};

	(void)state;
	check_inserted(false, false, NULL, 0);
	check_inserted(false, false, linux_rest, sizeof(linux_rest));
	check_inserted(false, false, eol, sizeof(eol));
	check_inserted(true, false, linux_rest, sizeof(linux_rest));
	check_inserted(true, true, NULL, 0);
}

static void test_insert_refused(void **state)
{
	static const uint8_t full[36] = {1, 1, 1, 1, 4, 2, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
	struct pkt p;
	uint8_t out[256];
	uint32_t len;
	struct pkt_meta meta;

	(void)state;
	/* Data (a TFO SYN without MSS): nothing moves. */
	build(&p, false, false, NULL, 0, 5);
	set_tcp_cksum(&p);
	assert_int_equal(clamp(&p, 0, 4, 500, out, &len, &meta), MSS_NOT_INSERTED);
	assert_memory_equal(out, p.b, p.len);
	/* 36 bytes of options: 4 more fit (60), 40 would not. */
	build(&p, false, false, full, 36, 0);
	set_tcp_cksum(&p);
	assert_int_equal(clamp(&p, 0, 4, 500, out, &len, &meta), MSS_INSERTED);
	static const uint8_t full40[40] = {1};
	build(&p, false, false, full40, 40, 0);
	set_tcp_cksum(&p);
	assert_int_equal(clamp(&p, 0, 4, 500, out, &len, &meta), MSS_NOT_INSERTED);
	assert_memory_equal(out, p.b, p.len);
	/* A first fragment (MF): the segment goes on in the next fragment. */
	build(&p, false, false, NULL, 0, 0);
	p.b[p.l3 + 6] = 0x20;
	set_tcp_cksum(&p);
	assert_int_equal(clamp(&p, 0, 4, 500, out, &len, &meta), MSS_NOT_INSERTED);
	assert_memory_equal(out, p.b, p.len);
	/* No tailroom, or two segments. */
	build(&p, false, false, NULL, 0, 0);
	set_tcp_cksum(&p);
	assert_int_equal(clamp(&p, 0, 3, 500, out, &len, &meta), MSS_NOT_INSERTED);
	assert_int_equal(clamp(&p, 20, 0, 500, out, &len, &meta), MSS_NOT_INSERTED);
	assert_memory_equal(out, p.b, p.len);
	/* At or above the default (536 for IPv4, 1220 for IPv6) nothing is needed. */
	assert_int_equal(clamp(&p, 0, 4, 536, out, &len, &meta), MSS_UNCHANGED);
	build(&p, true, false, NULL, 0, 0);
	set_tcp_cksum(&p);
	assert_int_equal(clamp(&p, 0, 4, 1220, out, &len, &meta), MSS_UNCHANGED);
	assert_int_equal(clamp(&p, 0, 4, 1219, out, &len, &meta), MSS_INSERTED);
}

static void test_checksum_offload(void **state)
{
	struct pkt p;
	struct pkt_meta meta;

	(void)state;
	build(&p, false, false, opts_even, sizeof(opts_even), 0);
	p.b[p.l4 + 16] = 0x12; /* what a stack leaves for the NIC: not checked here */
	p.b[p.l4 + 17] = 0x34;
	struct rte_mbuf *m = test_mbuf_flat_room(p.b, p.len, 4);
	m->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4;
	meta_of(m, &meta);
	assert_int_equal(mss_clamp(m, &meta, 1000), MSS_CLAMPED);
	uint8_t *t = rte_pktmbuf_mtod_offset(m, uint8_t *, p.l4);
	assert_int_equal(t[22] << 8 | t[23], 1000);
	assert_int_equal(t[16] << 8 | t[17], 0x1234);
	test_mbuf_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lower_even_offset),
		cmocka_unit_test(test_lower_odd_offset),
		cmocka_unit_test(test_lower_tfo_syn_with_data),
		cmocka_unit_test(test_at_or_below_limit_untouched),
		cmocka_unit_test(test_bad_options_untouched),
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_insert_refused),
		cmocka_unit_test(test_checksum_offload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
