/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the MSS clamp (lib/mss) on segmented mbufs.
 *
 * Input layout: byte 0 picks the number of segments (1 + b0 % 8), byte 1 flags (FL_*),
 * bytes 2-3 the limit (big endian; 0 counts as 1), then two bytes per cut offset (one
 * fewer than the segments, modulo the frame length + 1), then the frame. Each segment is
 * an exactly-sized heap block (test_mbuf.h), so ASan sees any access past a segment.
 *
 * The frame is parsed as the graph does and clamped where the graph would clamp it (a TCP
 * SYN). Random bytes seldom carry a right checksum, so unless FL_KEEP_CKSUM is set the
 * harness writes the right TCP (and IPv4 header) checksums first. Checked: a checksum
 * right before the clamp is right after it (a wrong incremental update traps), nothing
 * but the MSS value and the checksum changes (or, on an insertion, the option, the data
 * offset and the lengths), and a segmented packet comes out as the same packet in one
 * segment does.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mss_clamp.h"
#include "pkt_meta.h"
#include "pkt_parse.h"
#include "test_mbuf.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

#define MAX_SEGS      8
#define FL_OFFLOAD    0x01 /* the mbuf asks for TCP checksum offload */
#define FL_KEEP_CKSUM 0x02 /* leave the frame's checksums as they are */
#define FL_ROOM_SHIFT 2	   /* bits 2-4: tailroom of a one-segment mbuf, 0-7 bytes */
#define MAX_FRAME     2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t sum16(const uint8_t *d, uint32_t n)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i + 1 < n; i += 2)
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

/* The one's complement sum of the TCP segment [l4, end) of frame f with its pseudo-header,
 * the checksum field included: 0xffff when the checksum is right. Written here, apart from
 * the code under test. */
static uint16_t tcp_sum(const uint8_t *f, const struct pkt_meta *meta, uint32_t end)
{
	uint32_t len = end - meta->l4_off;
	uint32_t s = sum16(f + meta->l4_off, len) + len + 6;

	if (meta->l3 == PKT_L3_IP4)
		s += sum16(f + meta->l3_off + 12, 8);
	else
		s += sum16(f + meta->l3_off + 8, 32);
	return fold(s);
}

static uint32_t ip4_hlen(const uint8_t *f, const struct pkt_meta *meta)
{
	return (uint32_t)(f[meta->l3_off] & 0x0f) * 4;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void fix_cksums(uint8_t *f, const struct pkt_meta *meta)
{
	uint32_t end = (uint32_t)meta->l3_off + meta->l3_len;

	put16(f + meta->l4_off + 16, 0);
	put16(f + meta->l4_off + 16, (uint16_t)~tcp_sum(f, meta, end));
	if (meta->l3 == PKT_L3_IP4) {
		put16(f + meta->l3_off + 10, 0);
		put16(f + meta->l3_off + 10, (uint16_t)~fold(sum16(f + meta->l3_off, ip4_hlen(f, meta))));
	}
}

/* Parse m as the graph does; true for a packet the graph would clamp. */
static bool parse(const struct rte_mbuf *m, struct pkt_meta *meta)
{
	struct pkt_info pi;

	memset(meta, 0, sizeof(*meta));
	if (pkt_parse(m, &pi) != PKT_OK || (pi.l3 != PKT_L3_IP4 && pi.l3 != PKT_L3_IP6))
		return false;
	meta->l3_off = pi.l3_off;
	meta->l3 = pi.l3;
	pkt_meta_fill(meta, &pi);
	return (meta->tcp_flags & 0x02) != 0;
}

static enum mss_result clamp(struct rte_mbuf *m, struct pkt_meta *meta, uint16_t limit,
	bool offload, uint8_t *out, uint32_t *out_len)
{
	enum mss_result r;

	if (offload)
		m->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM | (meta->l3 == PKT_L3_IP4 ? RTE_MBUF_F_TX_IPV4
										 : RTE_MBUF_F_TX_IPV6);
	r = mss_clamp(m, meta, limit);
	*out_len = m->pkt_len;
	CHECK(*out_len <= MAX_FRAME + 4);
	test_mbuf_gather(m, out);
	test_mbuf_free(m);
	return r;
}

/* The frame after the clamp: what may have changed did, nothing else. */
static void check_result(const uint8_t *in, uint32_t len, const struct pkt_meta *before,
	const struct pkt_meta *after, enum mss_result r, uint16_t limit, bool offload,
	const uint8_t *out, uint32_t out_len)
{
	uint32_t l4 = before->l4_off, ck = l4 + 16;
	uint32_t end = (uint32_t)before->l3_off + before->l3_len;
	bool tcp_ok = tcp_sum(in, before, end) == 0xffff;
	bool ip_ok = before->l3 != PKT_L3_IP4 ||
		     fold(sum16(in + before->l3_off, ip4_hlen(in, before))) == 0xffff;

	CHECK(r <= MSS_BAD_OPTIONS);
	if (r != MSS_INSERTED) {
		CHECK(out_len == len && memcmp(after, before, sizeof(*after)) == 0);
	}
	switch (r) {
	case MSS_UNCHANGED:
	case MSS_NOT_INSERTED:
	case MSS_BAD_OPTIONS:
		CHECK(memcmp(out, in, len) == 0);
		return;
	case MSS_CLAMPED: {
		uint32_t v = before->tcp_mss_off + 2u;

		CHECK(before->tcp_mss_off != 0);
		CHECK((in[v] << 8 | in[v + 1]) > limit && (out[v] << 8 | out[v + 1]) == limit);
		for (uint32_t i = 0; i < len; i++)
			if (i != v && i != v + 1 && i != ck && i != ck + 1)
				CHECK(out[i] == in[i]);
		if (offload)
			CHECK(out[ck] == in[ck] && out[ck + 1] == in[ck + 1]);
		else if (tcp_ok)
			CHECK(tcp_sum(out, after, end) == 0xffff);
		return;
	}
	case MSS_INSERTED: {
		uint32_t opt = l4 + 20, hlen = (uint32_t)(in[l4 + 12] >> 4) * 4;

		CHECK(!offload && before->tcp_mss_off == 0);
		CHECK(out_len == len + 4 && after->l3_len == before->l3_len + 4);
		CHECK(after->tcp_mss_off == opt);
		CHECK(out[opt] == 2 && out[opt + 1] == 4 && (out[opt + 2] << 8 | out[opt + 3]) == limit);
		CHECK(out[l4 + 12] >> 4 == (hlen + 4) / 4);
		/* The options moved behind it unchanged; the headers before them too, but for
		 * the lengths and checksums. */
		CHECK(memcmp(out + opt + 4, in + opt, len - opt) == 0);
		CHECK(memcmp(out, in, before->l3_off) == 0 && memcmp(out + l4, in + l4, 12) == 0);
		CHECK((out[l4 + 13]) == in[l4 + 13] && (out[l4 + 12] & 0x0f) == (in[l4 + 12] & 0x0f));
		if (tcp_ok)
			CHECK(tcp_sum(out, after, end + 4) == 0xffff);
		if (before->l3 == PKT_L3_IP4) {
			uint32_t h = ip4_hlen(in, before);

			CHECK((out[before->l3_off + 2] << 8 | out[before->l3_off + 3]) == after->l3_len);
			if (ip_ok)
				CHECK(fold(sum16(out + before->l3_off, h)) == 0xffff);
		} else {
			CHECK((out[before->l3_off + 4] << 8 | out[before->l3_off + 5]) ==
			      after->l3_len - 40);
		}
		/* Inserted only where the default is above the limit. */
		CHECK(limit < (before->l3 == PKT_L3_IP4 ? MSS_DEFAULT_IP4 : MSS_DEFAULT_IP6));
		return;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[MAX_FRAME], out[MAX_FRAME + 4], ref[MAX_FRAME + 4];
	struct pkt_meta meta, before, ref_meta;
	struct rte_mbuf *m;
	uint32_t cuts[MAX_SEGS - 1], len, out_len, ref_len;
	unsigned int ncuts, room;
	uint16_t limit;
	uint8_t flags;
	enum mss_result r;

	if (size < 4)
		return -1;
	ncuts = data[0] % MAX_SEGS;
	flags = data[1];
	limit = (uint16_t)(data[2] << 8 | data[3]);
	if (limit == 0)
		limit = 1;
	data += 4;
	size -= 4;
	if (size < 2 * ncuts || size - 2 * ncuts > MAX_FRAME)
		return -1;
	len = (uint32_t)(size - 2 * ncuts);
	for (unsigned int i = 0; i < ncuts; i++)
		cuts[i] = (uint32_t)(data[2 * i] << 8 | data[2 * i + 1]) % (len + 1);
	/* Ascending, as test_mbuf_chain wants them. */
	for (unsigned int i = 1; i < ncuts; i++)
		for (unsigned int j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
			uint32_t t = cuts[j];
			cuts[j] = cuts[j - 1];
			cuts[j - 1] = t;
		}
	memcpy(frame, data + 2 * ncuts, len);

	/* The clamp reads the frame through the parse's offsets, so parse the bytes it will see,
	 * checksums set first, once flat. */
	m = test_mbuf_flat(frame, len);
	if (m == NULL)
		return 0;
	bool syn = parse(m, &before);
	test_mbuf_free(m);
	if (!syn)
		return 0;
	if (!(flags & FL_KEEP_CKSUM))
		fix_cksums(frame, &before);

	room = (flags >> FL_ROOM_SHIFT) & 7;
	m = ncuts ? test_mbuf_chain(frame, len, cuts, ncuts) : test_mbuf_flat_room(frame, len, room);
	if (m == NULL)
		return 0;
	/* Segmentation never changes what the parser finds (fuzz_parse checks it). */
	CHECK(parse(m, &meta) && memcmp(&meta, &before, sizeof(meta)) == 0);
	r = clamp(m, &meta, limit, flags & FL_OFFLOAD, out, &out_len);
	check_result(frame, len, &before, &meta, r, limit, flags & FL_OFFLOAD, out, out_len);

	if (ncuts == 0)
		return 0;
	/* The same packet in one segment without tailroom (no insertion either way) comes out
	 * the same. */
	m = test_mbuf_flat(frame, len);
	if (m == NULL)
		return 0;
	CHECK(parse(m, &ref_meta));
	CHECK(clamp(m, &ref_meta, limit, flags & FL_OFFLOAD, ref, &ref_len) == r);
	CHECK(ref_len == out_len && memcmp(ref, out, out_len) == 0);
	CHECK(memcmp(&ref_meta, &meta, sizeof(meta)) == 0);
	return 0;
}
