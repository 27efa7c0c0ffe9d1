/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser tests. Frames are built byte by byte from a small description (struct spec)
 * so that every length field stays consistent, then individual bytes are corrupted where a
 * test needs an invalid packet. No EAL: mbufs are hand-built (tests/common/test_mbuf.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pkt_fast.h"
#include "pkt_parse.h"
#include "test_flow.h"
#include "test_mbuf.h"

#define FRAME_MAX 4096

struct spec {
	unsigned int ntags;
	uint16_t tpid[3];
	uint16_t ethertype; /* after the tags; 0: derived from family */
	int family;	    /* 4, 6, or 0 for a non-IP frame */
	unsigned int ip4_optlen;
	uint16_t ip4_frag; /* flags + fragment offset field */
	unsigned int n_ext;
	uint8_t ext[12];
	uint8_t ext_len[12]; /* the header's length byte (ignored for the fragment header) */
	uint16_t frag6;	     /* fragment header offset field, M flag in bit 0 */
	uint8_t proto;
	uint8_t tcp_flags;
	unsigned int tcp_optlen; /* multiple of 4 */
	uint8_t tcp_opts[40];
	uint8_t icmp_type;
	uint16_t icmp_id;
	uint16_t sport, dport;
	unsigned int payload; /* bytes after the L4 header */
	unsigned int pad;     /* bytes after the IP datagram */
	uint32_t src4, dst4;  /* host order */
	uint8_t src6[16], dst6[16];
};

struct frame {
	uint8_t b[FRAME_MAX];
	uint32_t len;
	uint32_t l3_off;
	uint32_t l4_off;
	uint32_t end; /* end of the IP datagram */
	uint32_t ext_off[12];
	uint32_t ext_size[12];
};

static void put8(struct frame *f, uint8_t v)
{
	assert_true(f->len < FRAME_MAX);
	f->b[f->len++] = v;
}

static void put16(struct frame *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void put32(struct frame *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void putn(struct frame *f, const void *p, unsigned int n)
{
	assert_true(f->len + n <= FRAME_MAX);
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void fill(struct frame *f, uint8_t v, unsigned int n)
{
	while (n--)
		put8(f, v);
}

static void set16(struct frame *f, uint32_t off, uint16_t v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static uint32_t ip4_totlen_of(const struct frame *f)
{
	return (uint32_t)f->b[f->l3_off + 2] << 8 | f->b[f->l3_off + 3];
}

static void build(const struct spec *s, struct frame *f)
{
	static const uint8_t def_src6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t def_dst6[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x10, [15] = 2};
	static const uint8_t zero16[16];
	uint16_t et = s->ethertype;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	putn(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	for (i = 0; i < s->ntags; i++) {
		put16(f, s->tpid[i]);
		put16(f, (uint16_t)(100 + i));
	}
	if (et == 0)
		et = s->family == 4 ? 0x0800 : s->family == 6 ? 0x86dd : 0x0806;
	put16(f, et);
	f->l3_off = f->len;

	if (s->family == 4) {
		put8(f, (uint8_t)(0x40 | (20 + s->ip4_optlen) / 4));
		put8(f, 0);
		put16(f, 0); /* total length, patched below */
		put16(f, 0x1234);
		put16(f, s->ip4_frag);
		put8(f, 64);
		put8(f, s->proto);
		put16(f, 0);
		put32(f, s->src4 ? s->src4 : 0xc0a80001);
		put32(f, s->dst4 ? s->dst4 : 0x0a000002);
		fill(f, 1, s->ip4_optlen);
	} else if (s->family == 6) {
		put32(f, 0x60000000);
		put16(f, 0); /* payload length, patched below */
		put8(f, s->n_ext ? s->ext[0] : s->proto);
		put8(f, 64);
		putn(f, memcmp(s->src6, zero16, 16) ? s->src6 : def_src6, 16);
		putn(f, memcmp(s->dst6, zero16, 16) ? s->dst6 : def_dst6, 16);
		for (i = 0; i < s->n_ext; i++) {
			uint8_t next = i + 1 < s->n_ext ? s->ext[i + 1] : s->proto;

			f->ext_off[i] = f->len;
			put8(f, next);
			if (s->ext[i] == 44) {
				put8(f, 0);
				put16(f, s->frag6);
				put32(f, 0xabcdef01);
			} else if (s->ext[i] == 51) {
				put8(f, s->ext_len[i]);
				fill(f, 0x51, (s->ext_len[i] + 2u) * 4 - 2);
			} else {
				put8(f, s->ext_len[i]);
				fill(f, 0, (s->ext_len[i] + 1u) * 8 - 2);
			}
			f->ext_size[i] = f->len - f->ext_off[i];
		}
	} else {
		/* ARP-sized filler */
		fill(f, 0xaa, 28);
		f->l4_off = f->end = f->len;
		fill(f, 0, s->pad);
		return;
	}

	f->l4_off = f->len;
	switch (s->proto) {
	case 6:
		put16(f, s->sport);
		put16(f, s->dport);
		put32(f, 1000);
		put32(f, 0);
		put8(f, (uint8_t)(((20 + s->tcp_optlen) / 4) << 4));
		put8(f, s->tcp_flags);
		put16(f, 65535);
		put16(f, 0);
		put16(f, 0);
		putn(f, s->tcp_opts, s->tcp_optlen);
		break;
	case 17:
		put16(f, s->sport);
		put16(f, s->dport);
		put16(f, (uint16_t)(8 + s->payload));
		put16(f, 0);
		break;
	case 1:
	case 58:
		put8(f, s->icmp_type);
		put8(f, 0);
		put16(f, 0);
		put16(f, s->icmp_id);
		put16(f, 7);
		break;
	default:
		break;
	}
	fill(f, 0xab, s->payload);
	f->end = f->len;
	if (s->family == 4)
		set16(f, f->l3_off + 2, (uint16_t)(f->end - f->l3_off));
	else
		set16(f, f->l3_off + 4, (uint16_t)(f->end - f->l3_off - 40));
	fill(f, 0, s->pad);
}

static enum pkt_status parse_buf(const uint8_t *b, uint32_t len, struct pkt_info *pi)
{
	struct rte_mbuf *m = test_mbuf_flat(b, len);
	enum pkt_status st;

	assert_non_null(m);
	st = pkt_parse(m, pi);
	test_mbuf_free(m);
	return st;
}

static enum pkt_status parse_frame(const struct frame *f, struct pkt_info *pi)
{
	return parse_buf(f->b, f->len, pi);
}

static enum pkt_status parse_spec(const struct spec *s, struct frame *f, struct pkt_info *pi)
{
	build(s, f);
	return parse_frame(f, pi);
}

/* ---- specs used by several tests ---- */

static struct spec tcp4(void)
{
	return (struct spec){.family = 4,
		.proto = 6,
		.tcp_flags = 0x10,
		.sport = 40000,
		.dport = 443,
		.payload = 10};
}

static struct spec tcp6(void)
{
	return (struct spec){.family = 6,
		.proto = 6,
		.tcp_flags = 0x10,
		.sport = 40000,
		.dport = 443,
		.payload = 10};
}

static struct spec syn4(const void *opts, unsigned int optlen)
{
	struct spec s = tcp4();

	s.tcp_flags = 0x02;
	s.payload = 0;
	s.tcp_optlen = optlen;
	memcpy(s.tcp_opts, opts, optlen);
	return s;
}

/* ---- L2 ---- */

static void test_l2_plain_ip4_tcp(void **state)
{
	struct spec s = tcp4();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.ethertype, 0x0800);
	assert_int_equal(pi.n_vlan, 0);
	assert_int_equal(pi.l3, PKT_L3_IP4);
	assert_int_equal(pi.l3_off, 14);
	assert_int_equal(pi.l3_len, 20 + 20 + 10);
	assert_int_equal(pi.l4_off, 34);
	assert_int_equal(pi.l4_len, 30);
	assert_int_equal(pi.l4_proto, 6);
	assert_int_equal(pi.flags, PKT_F_L4);
	assert_int_equal(pi.tcp_flags, 0x10);
	assert_int_equal(pi.tcp_opt_len, 0);
	assert_int_equal(pi.tcp_mss_off, 0);
	assert_int_equal(pi.ip6_n_ext, 0);
	assert_int_equal(pi.key.family, 4);
	assert_int_equal(pi.key.proto, 6);
	assert_int_equal(pi.key.sport, 40000);
	assert_int_equal(pi.key.dport, 443);
	assert_int_equal(pi.key.pad, 0);
	assert_int_equal(pi.key.v4.src, rte_cpu_to_be_32(0xc0a80001));
	assert_int_equal(pi.key.v4.dst, rte_cpu_to_be_32(0x0a000002));
	for (unsigned int i = 8; i < 32; i++)
		assert_int_equal(((const uint8_t *)&pi.key.v6)[i], 0);
	assert_int_equal(pi.hash, pkt_flow_hash(&pi.key));
}

static void test_l2_vlan(void **state)
{
	struct spec s = tcp4();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	s.ntags = 1;
	s.tpid[0] = 0x8100;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.n_vlan, 1);
	assert_int_equal(pi.ethertype, 0x0800);
	assert_int_equal(pi.l3_off, 18);
	assert_int_equal(pi.l4_off, 38);
	assert_int_equal(pi.key.dport, 443);
	assert_int_equal(pi.flags, PKT_F_L4);

	/* QinQ: 802.1ad outer, 802.1Q inner */
	s = tcp6();
	s.ntags = 2;
	s.tpid[0] = 0x88a8;
	s.tpid[1] = 0x8100;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.n_vlan, 2);
	assert_int_equal(pi.ethertype, 0x86dd);
	assert_int_equal(pi.l3, PKT_L3_IP6);
	assert_int_equal(pi.l3_off, 22);
	assert_int_equal(pi.l4_off, 62);
	assert_int_equal(pi.flags, PKT_F_L4);

	/* Pre-standard 0x9100 outer tag */
	s.tpid[0] = 0x9100;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.n_vlan, 2);
	assert_int_equal(pi.l3_off, 22);

	/* Three tags */
	s.ntags = 3;
	s.tpid[0] = 0x88a8;
	s.tpid[1] = 0x8100;
	s.tpid[2] = 0x8100;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_ERR_VLAN_DEPTH);
	/* ... even when the third tag itself is cut off */
	assert_int_equal(parse_buf(f.b, 22, &pi), PKT_ERR_VLAN_DEPTH);

	/* A tag cut short */
	s.ntags = 1;
	s.tpid[0] = 0x8100;
	build(&s, &f);
	assert_int_equal(parse_buf(f.b, 16, &pi), PKT_ERR_L2_TRUNC);
	assert_int_equal(parse_buf(f.b, 17, &pi), PKT_ERR_L2_TRUNC);
	assert_int_equal(parse_buf(f.b, 13, &pi), PKT_ERR_L2_TRUNC);
	assert_int_equal(parse_buf(f.b, 0, &pi), PKT_ERR_L2_TRUNC);
}

static void test_l2_other(void **state)
{
	struct spec s = {.family = 0};
	struct frame f;
	struct pkt_info pi;
	static const struct pkt_flow_key zero_key;

	(void)state;
	memset(&pi, 0x5a, sizeof(pi));
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.ethertype, 0x0806);
	assert_int_equal(pi.l3, PKT_L3_OTHER);
	assert_int_equal(pi.l3_off, 14);
	assert_int_equal(pi.flags, 0);
	assert_int_equal(pi.l4_off, 0);
	assert_int_equal(pi.hash, 0);
	assert_memory_equal(&pi.key, &zero_key, sizeof(zero_key));

	/* LLDP behind a VLAN tag */
	s.ntags = 1;
	s.tpid[0] = 0x8100;
	s.ethertype = 0x88cc;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.ethertype, 0x88cc);
	assert_int_equal(pi.l3, PKT_L3_OTHER);
	assert_int_equal(pi.l3_off, 18);

	/* Just an Ethernet header */
	assert_int_equal(parse_buf(f.b, 14, &pi), PKT_ERR_L2_TRUNC); /* tag missing */
	s.ntags = 0;
	build(&s, &f);
	assert_int_equal(parse_buf(f.b, 14, &pi), PKT_OK);
	assert_int_equal(pi.l3, PKT_L3_OTHER);
}

/* ---- IPv4 ---- */

static void test_ip4_udp_icmp(void **state)
{
	struct spec s = {.family = 4, .proto = 17, .sport = 5353, .dport = 53, .payload = 33};
	struct frame f;
	struct pkt_info pi;

	(void)state;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.l4_proto, 17);
	assert_int_equal(pi.l4_off, 34);
	assert_int_equal(pi.l4_len, 41);
	assert_int_equal(pi.flags, PKT_F_L4);
	assert_int_equal(pi.key.sport, 5353);
	assert_int_equal(pi.key.dport, 53);
	assert_int_equal(pi.key.proto, 17);

	s = (struct spec){
		.family = 4, .proto = 1, .icmp_type = 8, .icmp_id = 0x4242, .payload = 56};
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4);
	assert_int_equal(pi.l4_proto, 1);
	assert_int_equal(pi.key.sport, 0x4242);
	assert_int_equal(pi.key.dport, 0x4242);
	s.icmp_type = 0;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.key.sport, 0x4242);
	assert_int_equal(pi.key.dport, 0x4242);
	/* Destination unreachable: no identifier */
	s.icmp_type = 3;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4);
	assert_int_equal(pi.key.sport, 0);
	assert_int_equal(pi.key.dport, 0);
	/* ICMPv6 carried over IPv4 is opaque */
	s.proto = 58;
	s.icmp_type = 128;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, 0);
	assert_int_equal(pi.l4_proto, 58);
	assert_int_equal(pi.key.sport, 0);

	/* Unknown protocol (GRE): no L4, l4_off where it would start */
	s = (struct spec){.family = 4, .proto = 47, .payload = 24};
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, 0);
	assert_int_equal(pi.l4_proto, 47);
	assert_int_equal(pi.l4_off, 34);
	assert_int_equal(pi.l4_len, 24);
	assert_int_equal(pi.key.proto, 47);
	assert_int_equal(pi.key.sport, 0);
}

static void test_ip4_options(void **state)
{
	struct spec s = tcp4();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	for (unsigned int opt = 4; opt <= 40; opt += 4) {
		s.ip4_optlen = opt;
		assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
		assert_int_equal(pi.flags, PKT_F_L4 | PKT_F_IP4_OPTIONS);
		assert_int_equal(pi.l4_off, 34 + opt);
		assert_int_equal(pi.l3_len, 20 + opt + 30);
		assert_int_equal(pi.l4_len, 30);
		assert_int_equal(pi.key.dport, 443);
	}
}

static void test_ip4_header_errors(void **state)
{
	struct spec s = tcp4();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		build(&s, &f);
		f.b[14] = (uint8_t)(0x40 | ihl);
		assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP4_IHL);
	}
	build(&s, &f);
	f.b[14] = 0x65;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP4_VERSION);

	/* IHL beyond the frame */
	s = (struct spec){.family = 4, .proto = 99};
	build(&s, &f);
	assert_int_equal(f.len, 34);
	f.b[14] = 0x46;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP4_TRUNC);
	f.b[14] = 0x4f;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP4_TRUNC);
	assert_int_equal(parse_buf(f.b, 33, &pi), PKT_ERR_IP4_TRUNC);

	/* Total length beyond the data, by one */
	s = tcp4();
	build(&s, &f);
	set16(&f, 16, (uint16_t)(ip4_totlen_of(&f) + 1));
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP4_TOTLEN);
	set16(&f, 16, 0xffff);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP4_TOTLEN);
	assert_int_equal(pi.hash, 0);
	assert_int_equal(pi.key.family, 0);

	/* Total length below the header length */
	s.ip4_optlen = 8;
	build(&s, &f);
	set16(&f, 16, 27);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP4_TOTLEN);
	set16(&f, 16, 0);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP4_TOTLEN);
	/* Exactly the header: L4 is then empty */
	set16(&f, 16, 28);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_TCP_TRUNC);
}

/* A first fragment carries only part of the datagram its UDP length field covers. */
static void test_udp_first_fragment(void **state)
{
	struct spec s = {.family = 4, .proto = 17, .sport = 1, .dport = 2, .payload = 100};
	struct frame f;
	struct pkt_info pi;

	(void)state;
	s.ip4_frag = 0x2000; /* MF, offset 0 */
	build(&s, &f);
	set16(&f, 14 + 20 + 4, 1508);
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4 | PKT_F_FRAGMENT);
	assert_int_equal(pi.key.dport, 2);
	/* Still at least the header */
	set16(&f, 14 + 20 + 4, 7);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_UDP_LEN);
	/* Not a fragment: the length must fit */
	s.ip4_frag = 0;
	build(&s, &f);
	set16(&f, 14 + 20 + 4, 1508);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_UDP_LEN);

	/* IPv6 first fragment */
	s = (struct spec){.family = 6, .proto = 17, .sport = 1, .dport = 2, .payload = 100};
	s.n_ext = 1;
	s.ext[0] = 44;
	s.frag6 = 1; /* offset 0, M */
	build(&s, &f);
	set16(&f, 14 + 40 + 8 + 4, 1508);
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	assert_true(pi.flags & PKT_F_FRAGMENT);
}

static void test_ip4_padding(void **state)
{
	struct spec s = {.family = 4, .proto = 17, .sport = 1, .dport = 2, .payload = 2, .pad = 16};
	struct frame f;
	struct pkt_info pi;

	(void)state;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(f.len, 14 + 20 + 8 + 2 + 16);
	assert_int_equal(pi.l3_len, 30);
	assert_int_equal(pi.l4_len, 10);
	assert_int_equal(pi.flags, PKT_F_L4);
	/* The padding does not count as UDP payload */
	set16(&f, 38, 11);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_UDP_LEN);

	/* Nor as TCP header: a 20-byte SYN with doff 6 in a padded 60-byte frame */
	s = tcp4();
	s.payload = 0;
	s.pad = 6;
	build(&s, &f);
	f.b[46] = 0x60;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_TCP_DOFF);
}

static void test_ip4_fragments(void **state)
{
	struct spec s = tcp4();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	/* First fragment: MF, offset 0 */
	s.ip4_frag = 0x2000;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4 | PKT_F_FRAGMENT);
	assert_int_equal(pi.key.sport, 40000);
	assert_int_equal(pi.key.dport, 443);

	/* DF alone is not a fragment */
	s.ip4_frag = 0x4000;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4);

	/* Middle and last fragments: no L4, even if the bytes would not parse as TCP */
	for (int i = 0; i < 2; i++) {
		s.ip4_frag = (uint16_t)(i ? 0x2000 | 185 : 185);
		build(&s, &f);
		f.b[46] = 0x10; /* doff 1 */
		assert_int_equal(parse_frame(&f, &pi), PKT_OK);
		assert_int_equal(pi.flags, PKT_F_FRAGMENT | PKT_F_FRAG_LATER);
		assert_int_equal(pi.l4_proto, 6);
		assert_int_equal(pi.key.proto, 6);
		assert_int_equal(pi.key.sport, 0);
		assert_int_equal(pi.key.dport, 0);
		assert_int_equal(pi.tcp_flags, 0);
		assert_int_equal(pi.l4_off, 34);
		assert_int_equal(pi.l4_len, 30);
		assert_int_equal(pi.hash, pkt_flow_hash(&pi.key));
	}
	/* A non-first fragment may carry fewer bytes than an L4 header */
	s = (struct spec){.family = 4, .proto = 17, .ip4_frag = 1};
	build(&s, &f);
	set16(&f, 16, 23);
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_FRAGMENT | PKT_F_FRAG_LATER);
	assert_int_equal(pi.l4_len, 3);
}

/* ---- IPv6 ---- */

static void test_ip6_basic(void **state)
{
	struct spec s = tcp6();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.l3, PKT_L3_IP6);
	assert_int_equal(pi.l3_off, 14);
	assert_int_equal(pi.l3_len, 70);
	assert_int_equal(pi.l4_off, 54);
	assert_int_equal(pi.l4_len, 30);
	assert_int_equal(pi.flags, PKT_F_L4);
	assert_int_equal(pi.ip6_n_ext, 0);
	assert_int_equal(pi.key.family, 6);
	assert_int_equal(pi.key.proto, 6);
	assert_int_equal(pi.key.sport, 40000);
	assert_memory_equal(pi.key.v6.src, f.b + 22, 16);
	assert_memory_equal(pi.key.v6.dst, f.b + 38, 16);
	assert_int_equal(pi.key.v6.src[0], 0x20);
	assert_int_equal(pi.key.v6.dst[15], 2);
	assert_int_equal(pi.hash, pkt_flow_hash(&pi.key));

	s = (struct spec){.family = 6, .proto = 17, .sport = 546, .dport = 547, .payload = 3};
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4);
	assert_int_equal(pi.key.sport, 546);
	assert_int_equal(pi.l4_len, 11);

	s = (struct spec){.family = 6, .proto = 58, .icmp_type = 128, .icmp_id = 77, .payload = 8};
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4);
	assert_int_equal(pi.key.proto, 58);
	assert_int_equal(pi.key.sport, 77);
	assert_int_equal(pi.key.dport, 77);
	s.icmp_type = 129;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.key.sport, 77);
	s.icmp_type = 135; /* neighbour solicitation */
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4);
	assert_int_equal(pi.key.sport, 0);
	s.icmp_type = 8; /* an ICMPv4 echo type means nothing here */
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.key.sport, 0);
	/* ICMPv4 in IPv6 is opaque */
	s.proto = 1;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, 0);
}

static void test_ip6_header_errors(void **state)
{
	struct spec s = tcp6();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	build(&s, &f);
	f.b[14] = 0x40;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP6_VERSION);
	build(&s, &f);
	assert_int_equal(parse_buf(f.b, 53, &pi), PKT_ERR_IP6_TRUNC);
	set16(&f, 18, 0);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP6_PAYLEN);
	set16(&f, 18, 31);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP6_PAYLEN);
	set16(&f, 18, 0xffff);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP6_PAYLEN);
	/* Shorter payload length than the frame: the rest is padding */
	set16(&f, 18, 20);
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	assert_int_equal(pi.l3_len, 60);
	assert_int_equal(pi.l4_len, 20);
}

static void test_ip6_ext_each(void **state)
{
	static const struct {
		uint8_t type, len;
		unsigned int size;
	} ext[] = {{0, 0, 8}, {0, 2, 24}, {43, 1, 16}, {60, 0, 8}, {60, 3, 32}, {51, 4, 24},
		{51, 1, 12}, {44, 0, 8}};
	struct frame f;
	struct pkt_info pi;

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(ext); i++) {
		struct spec s = tcp6();

		s.n_ext = 1;
		s.ext[0] = ext[i].type;
		s.ext_len[0] = ext[i].len;
		assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
		assert_int_equal(f.ext_size[0], ext[i].size);
		assert_int_equal(pi.ip6_n_ext, 1);
		assert_int_equal(pi.l4_proto, 6);
		assert_int_equal(pi.l4_off, 54 + ext[i].size);
		assert_int_equal(pi.l4_len, 30);
		assert_int_equal(pi.l3_len, 40 + ext[i].size + 30);
		assert_int_equal(pi.key.dport, 443);
		assert_int_equal(pi.flags,
			PKT_F_L4 | PKT_F_IP6_EXT | (ext[i].type == 44 ? PKT_F_FRAGMENT : 0));
	}
}

static void test_ip6_fragment(void **state)
{
	struct spec s = tcp6();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	s.n_ext = 2;
	s.ext[0] = 0;
	s.ext[1] = 44;
	s.frag6 = 1; /* first fragment, M set */
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4 | PKT_F_IP6_EXT | PKT_F_FRAGMENT);
	assert_int_equal(pi.ip6_n_ext, 2);
	assert_int_equal(pi.l4_off, 54 + 16);
	assert_int_equal(pi.key.sport, 40000);

	/* Non-first fragment of a datagram with a routing header: the fragment's bytes would
	 * make a routing header far longer than the datagram, but they are not walked. */
	s.proto = 43;
	s.frag6 = 0x0008 | 1;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_IP6_EXT | PKT_F_FRAGMENT | PKT_F_FRAG_LATER);
	assert_int_equal(pi.ip6_n_ext, 2);
	assert_int_equal(pi.l4_proto, 43);
	assert_int_equal(pi.key.proto, 43);
	assert_int_equal(pi.l4_off, 54 + 16);
	assert_int_equal(pi.key.sport, 0);
	assert_int_equal(pi.key.dport, 0);

	/* Last fragment of a TCP datagram whose bytes are garbage as TCP */
	s.proto = 6;
	s.n_ext = 1;
	s.ext[0] = 44;
	s.frag6 = 0xfff8;
	build(&s, &f);
	f.b[62 + 12] = 0x00;
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_IP6_EXT | PKT_F_FRAGMENT | PKT_F_FRAG_LATER);
	assert_int_equal(pi.l4_proto, 6);
	assert_int_equal(pi.l4_off, 62);
	assert_int_equal(pi.tcp_flags, 0);

	/* Atomic fragment (offset 0, no M): still a fragment, L4 parsed */
	s.frag6 = 0;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4 | PKT_F_IP6_EXT | PKT_F_FRAGMENT);
}

static void test_ip6_ext_chain(void **state)
{
	static const uint8_t types[] = {0, 60, 43, 60, 51, 43, 60, 60, 60, 60};
	struct spec s = tcp6();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	s.n_ext = PKT_IP6_MAX_EXT;
	memcpy(s.ext, types, PKT_IP6_MAX_EXT);
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.ip6_n_ext, PKT_IP6_MAX_EXT);
	assert_int_equal(pi.flags, PKT_F_L4 | PKT_F_IP6_EXT);
	assert_int_equal(pi.l4_off, f.l4_off);
	assert_int_equal(pi.key.dport, 443);

	s.n_ext = PKT_IP6_MAX_EXT + 1;
	memcpy(s.ext, types, PKT_IP6_MAX_EXT + 1);
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_ERR_IP6_EXT_CHAIN);
	assert_int_equal(pi.key.family, 0);
	assert_int_equal(pi.hash, 0);

	/* Ending on a no-next-header at the limit is fine */
	s.n_ext = PKT_IP6_MAX_EXT;
	s.proto = 59;
	s.payload = 0;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.l4_proto, 59);
	assert_int_equal(pi.flags, PKT_F_IP6_EXT);
	assert_int_equal(pi.l4_len, 0);
	assert_int_equal(pi.l4_off, f.end);
}

static void test_ip6_ext_trunc(void **state)
{
	struct spec s = tcp6();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	s.n_ext = 2;
	s.ext[0] = 60;
	s.ext[1] = 43;
	s.payload = 12;
	build(&s, &f);
	/* Second header claims 8 bytes more than the rest of the datagram */
	f.b[f.ext_off[1] + 1] = 5;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP6_EXT_TRUNC);
	f.b[f.ext_off[1] + 1] = 4; /* exactly the rest: L4 is then empty */
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_TCP_TRUNC);
	/* AH length */
	s.n_ext = 1;
	s.ext[0] = 51;
	s.ext_len[0] = 1;
	build(&s, &f);
	f.b[f.ext_off[0] + 1] = 255;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP6_EXT_TRUNC);
	/* Payload length ends inside the fragment header */
	s.ext[0] = 44;
	build(&s, &f);
	set16(&f, 18, 7);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP6_EXT_TRUNC);
	set16(&f, 18, 1);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_IP6_EXT_TRUNC);
	/* The frame really ends inside the hop-by-hop header */
	s.ext[0] = 0;
	s.ext_len[0] = 1;
	s.proto = 59;
	s.payload = 0;
	build(&s, &f);
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	set16(&f, 18, 15);
	assert_int_equal(parse_buf(f.b, f.len - 1, &pi), PKT_ERR_IP6_EXT_TRUNC);
}

static void test_ip6_stop_headers(void **state)
{
	static const uint8_t stops[] = {50, 59, 253, 47, 4, 41};
	struct frame f;
	struct pkt_info pi;

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(stops); i++) {
		struct spec s = {.family = 6, .proto = stops[i], .payload = 20, .n_ext = 1};

		s.ext[0] = 60;
		assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
		assert_int_equal(pi.l4_proto, stops[i]);
		assert_int_equal(pi.key.proto, stops[i]);
		assert_int_equal(pi.l4_off, 62);
		assert_int_equal(pi.l4_len, 20);
		assert_int_equal(pi.flags, PKT_F_IP6_EXT);
		assert_int_equal(pi.ip6_n_ext, 1);
		assert_int_equal(pi.key.sport, 0);
	}
}

/* ---- TCP / UDP / ICMP ---- */

static void test_tcp_doff(void **state)
{
	struct spec s = tcp4();
	struct frame f;
	struct pkt_info pi;

	(void)state;
	for (uint8_t doff = 0; doff < 5; doff++) {
		build(&s, &f);
		f.b[46] = (uint8_t)(doff << 4);
		assert_int_equal(parse_frame(&f, &pi), PKT_ERR_TCP_DOFF);
	}
	/* 30 bytes of segment: doff 7 fits, doff 8 does not */
	build(&s, &f);
	f.b[46] = 0x70;
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	assert_int_equal(pi.tcp_opt_len, 8);
	f.b[46] = 0x80;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_TCP_DOFF);
	f.b[46] = 0xf0;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_TCP_DOFF);
	/* IPv6 too */
	s = tcp6();
	s.payload = 0;
	build(&s, &f);
	f.b[66] = 0x60;
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_TCP_DOFF);
}

static void check_syn(
	const uint8_t *opts, unsigned int optlen, unsigned int ntags, int mss_at, bool bad)
{
	struct spec s = syn4(opts, optlen);
	struct frame f;
	struct pkt_info pi;

	s.ntags = ntags;
	s.tpid[0] = 0x88a8;
	s.tpid[1] = 0x8100;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.tcp_opt_len, optlen);
	assert_int_equal(pi.tcp_flags, 0x02);
	if (bad) {
		assert_int_equal(pi.flags, PKT_F_L4 | PKT_F_TCP_OPT_BAD);
		assert_int_equal(pi.tcp_mss_off, 0);
	} else {
		assert_int_equal(pi.flags, PKT_F_L4);
		if (mss_at < 0) {
			assert_int_equal(pi.tcp_mss_off, 0);
		} else {
			assert_int_equal(pi.tcp_mss_off, 14 + 4 * ntags + 20 + 20 + mss_at);
			assert_int_equal(f.b[pi.tcp_mss_off], 2);
			assert_int_equal(f.b[pi.tcp_mss_off + 1], 4);
		}
	}
}

static void test_tcp_syn_options(void **state)
{
	static const struct {
		uint8_t opts[40];
		unsigned int len;
		int mss;
		bool bad;
	} c[] = {
		{{2, 4, 5, 0xb4}, 4, 0, false},
		/* Linux: MSS, SACK-permitted, timestamps, NOP, window scale */
		{{2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7}, 20, 0, false},
		/* MSS at odd offsets */
		{{1, 2, 4, 5, 0xb4, 3, 3, 7}, 8, 1, false},
		{{1, 1, 1, 2, 4, 5, 0xb4, 0}, 8, 3, false},
		{{3, 3, 7, 2, 4, 5, 0xb4, 0}, 8, 3, false},
		{{4, 2, 3, 3, 7, 2, 4, 5, 0xb4, 1, 1, 1}, 12, 5, false},
		/* MPTCP MP_CAPABLE then MSS */
		{{30, 12, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 5, 0xb4}, 16, 12, false},
		/* TFO cookie, NOP, MSS at 11 */
		{{34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 4, 5, 0xb4, 0}, 16, 11, false},
		/* TFO request (empty cookie), timestamps, MSS last */
		{{34, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 2, 4, 5, 0xb4, 0, 0}, 20, 14, false},
		/* no MSS at all */
		{{1, 3, 3, 7, 4, 2, 1, 1}, 8, -1, false},
		/* EOL hides everything after it, garbage included */
		{{3, 3, 7, 0, 2, 4, 5, 0xb4}, 8, -1, false}, {{0, 0, 9, 9}, 4, -1, false},
		{{0, 1, 0xff, 0xff}, 4, -1, false},
		/* all NOPs, 40 bytes of options */
		{{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
			 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 5, 0xb4},
			40, 36, false},
		/* malformed */
		{{8, 0, 1, 1}, 4, -1, true},		       /* length 0 */
		{{2, 4, 5, 0xb4, 3, 1, 1, 1}, 8, -1, true},    /* length 1 */
		{{1, 8, 10, 1, 2, 3, 4, 5}, 8, -1, true},      /* runs past the options */
		{{1, 1, 1, 3}, 4, -1, true},		       /* kind as the last byte */
		{{2, 3, 5, 1}, 4, -1, true},		       /* MSS of length 3 */
		{{2, 6, 5, 0xb4, 0, 0, 1, 1}, 8, -1, true},    /* MSS of length 6 */
		{{1, 1, 2, 4}, 4, -1, true},		       /* MSS cut by the header end */
		{{30, 40, 1, 1, 1, 1, 1, 1}, 8, -1, true},     /* MPTCP length too big */
		{{34, 255, 2, 4, 5, 0xb4, 1, 1}, 8, -1, true}, /* TFO length 255 */
	};

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(c); i++) {
		check_syn(c[i].opts, c[i].len, 0, c[i].mss, c[i].bad);
		check_syn(c[i].opts, c[i].len, 1, c[i].mss, c[i].bad);
		check_syn(c[i].opts, c[i].len, 2, c[i].mss, c[i].bad);
	}
}

static void test_tcp_options_not_walked(void **state)
{
	static const uint8_t garbage[] = {8, 0, 2, 3, 1, 1, 2, 4, 5, 0xb4, 0xff, 0xff};
	static const uint8_t mss[] = {2, 4, 5, 0xb4};
	struct spec s = syn4(garbage, sizeof(garbage));
	struct frame f;
	struct pkt_info pi;

	(void)state;
	s.tcp_flags = 0x10; /* ACK */
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4);
	assert_int_equal(pi.tcp_opt_len, 12);
	assert_int_equal(pi.tcp_mss_off, 0);
	s.tcp_flags = 0x18; /* PSH|ACK */
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4);
	/* Same options on a SYN are walked and rejected */
	s.tcp_flags = 0x02;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.flags, PKT_F_L4 | PKT_F_TCP_OPT_BAD);
	/* Even a valid MSS is not reported without SYN */
	s = syn4(mss, sizeof(mss));
	s.tcp_flags = 0x10;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.tcp_mss_off, 0);
	/* SYN-ACK is walked */
	s.tcp_flags = 0x12;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.tcp_mss_off, 54);
	assert_int_equal(pi.tcp_flags, 0x12);
	/* IPv6 SYN with MSS behind an extension header */
	s.family = 6;
	s.n_ext = 1;
	s.ext[0] = 60;
	s.ext_len[0] = 1;
	assert_int_equal(parse_spec(&s, &f, &pi), PKT_OK);
	assert_int_equal(pi.tcp_mss_off, 14 + 40 + 16 + 20);
}

static void test_udp_errors(void **state)
{
	struct spec s = {.family = 4, .proto = 17, .sport = 7, .dport = 9, .payload = 4};
	struct frame f;
	struct pkt_info pi;

	(void)state;
	for (uint16_t ulen = 0; ulen < 8; ulen++) {
		build(&s, &f);
		set16(&f, 38, ulen);
		assert_int_equal(parse_frame(&f, &pi), PKT_ERR_UDP_LEN);
	}
	set16(&f, 38, 13);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_UDP_LEN);
	set16(&f, 38, 0xffff);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_UDP_LEN);
	set16(&f, 38, 12);
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	/* Shorter UDP length than the IP payload is accepted (trailing bytes) */
	set16(&f, 38, 8);
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	/* Truncated header */
	set16(&f, 16, 27);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_UDP_TRUNC);

	s.family = 6;
	build(&s, &f);
	set16(&f, 58, 13);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_UDP_LEN);
	set16(&f, 18, 7);
	assert_int_equal(parse_frame(&f, &pi), PKT_ERR_UDP_TRUNC);
}

static void test_icmp_trunc(void **state)
{
	struct spec s = {.family = 4, .proto = 1, .icmp_type = 8, .icmp_id = 3};
	struct frame f;
	struct pkt_info pi;

	(void)state;
	build(&s, &f);
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	for (uint16_t l = 20; l < 28; l++) {
		set16(&f, 16, l);
		assert_int_equal(parse_frame(&f, &pi), PKT_ERR_ICMP_TRUNC);
	}
	s.family = 6;
	s.proto = 58;
	s.icmp_type = 128;
	build(&s, &f);
	assert_int_equal(parse_frame(&f, &pi), PKT_OK);
	for (uint16_t l = 1; l < 8; l++) {
		set16(&f, 18, l);
		assert_int_equal(parse_frame(&f, &pi), PKT_ERR_ICMP6_TRUNC);
	}
}

/* ---- the table of valid packets for the exhaustive tests ---- */

static const uint8_t linux_syn[] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7};
static const uint8_t odd_mss[] = {34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 4, 5, 0xb4, 0};
static const uint8_t bad_opts[] = {1, 8, 10, 1, 2, 3, 4, 5};

static unsigned int valid_specs(struct spec *out)
{
	unsigned int n = 0;
	struct spec s;

	out[n++] = tcp4();
	out[n++] = tcp6();
	out[n++] = syn4(linux_syn, sizeof(linux_syn));
	out[n++] = syn4(odd_mss, sizeof(odd_mss));
	out[n++] = syn4(bad_opts, sizeof(bad_opts));
	s = syn4(odd_mss, sizeof(odd_mss));
	s.family = 6;
	s.ntags = 2;
	s.tpid[0] = 0x88a8;
	s.tpid[1] = 0x8100;
	s.n_ext = 3;
	s.ext[0] = 0;
	s.ext[1] = 51;
	s.ext_len[1] = 1;
	s.ext[2] = 44;
	out[n++] = s;
	out[n++] = (struct spec){
		.family = 4, .proto = 17, .sport = 53, .dport = 9999, .payload = 5, .pad = 13};
	out[n++] = (struct spec){
		.family = 6, .proto = 17, .sport = 53, .dport = 9999, .ntags = 1, .tpid = {0x8100}};
	out[n++] =
		(struct spec){.family = 4, .proto = 1, .icmp_type = 8, .icmp_id = 9, .payload = 4};
	out[n++] = (struct spec){.family = 4, .proto = 1, .icmp_type = 11, .payload = 28};
	out[n++] = (struct spec){.family = 6, .proto = 58, .icmp_type = 129, .icmp_id = 9};
	s = tcp4();
	s.ip4_optlen = 12;
	s.ntags = 1;
	s.tpid[0] = 0x8100;
	out[n++] = s;
	s = tcp4();
	s.ip4_frag = 0x2000;
	out[n++] = s;
	s.ip4_frag = 0x0010;
	out[n++] = s;
	s = tcp6();
	s.n_ext = 2;
	s.ext[0] = 43;
	s.ext_len[0] = 2;
	s.ext[1] = 44;
	s.frag6 = 0x0100;
	out[n++] = s;
	s.frag6 = 1;
	out[n++] = s;
	s = (struct spec){.family = 6, .proto = 50, .payload = 16, .n_ext = 1, .ext = {60}};
	out[n++] = s;
	s = (struct spec){.family = 4, .proto = 47, .payload = 4};
	out[n++] = s;
	out[n++] = (struct spec){.family = 0, .pad = 18};
	out[n++] = (struct spec){.family = 0, .ntags = 2, .tpid = {0x88a8, 0x8100}};
	return n;
}

#define MAX_SPECS 32

/* The status a frame cut to `len` bytes must get: every check up to L3 is deterministic. */
static enum pkt_status expected_cut(const struct spec *s, const struct frame *f, uint32_t len)
{
	if (len < 14 + 4 * s->ntags)
		return PKT_ERR_L2_TRUNC;
	if (s->family == 4) {
		if (len < f->l3_off + 20 + s->ip4_optlen)
			return PKT_ERR_IP4_TRUNC;
		if (len < f->end)
			return PKT_ERR_IP4_TOTLEN;
	} else if (s->family == 6) {
		if (len < f->l3_off + 40)
			return PKT_ERR_IP6_TRUNC;
		if (len < f->end)
			return PKT_ERR_IP6_PAYLEN;
	}
	return PKT_OK;
}

static void test_truncate_every_byte(void **state)
{
	struct spec specs[MAX_SPECS];
	unsigned int n = valid_specs(specs);
	static struct frame f;

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		struct pkt_info full, pi;

		build(&specs[i], &f);
		assert_int_equal(parse_frame(&f, &full), PKT_OK);
		for (uint32_t len = 0; len <= f.len; len++) {
			enum pkt_status want = expected_cut(&specs[i], &f, len);

			assert_int_equal(parse_buf(f.b, len, &pi), want);
			if (want == PKT_OK)
				assert_memory_equal(&pi, &full, sizeof(pi));
			/* the same cut, split anywhere */
			for (uint32_t cut = 0; cut <= len; cut++) {
				struct rte_mbuf *m = test_mbuf_chain(f.b, len, &cut, 1);

				assert_non_null(m);
				assert_int_equal(pkt_parse(m, &pi), want);
				if (want == PKT_OK)
					assert_memory_equal(&pi, &full, sizeof(pi));
				test_mbuf_free(m);
			}
		}
	}
}

/*
 * Expected status when the IP datagram length field is lowered to `dlen` (the frame keeps
 * its bytes, which become padding): exercises every extension-header and L4 length check.
 */
static enum pkt_status expected_shrink(const struct spec *s, const struct frame *f, uint32_t dlen)
{
	uint32_t end = f->l3_off + dlen, l4;
	bool later = false;

	if (s->family == 4) {
		if (dlen < 20 + s->ip4_optlen)
			return PKT_ERR_IP4_TOTLEN;
		later = (s->ip4_frag & 0x1fff) != 0;
	} else {
		if (dlen <= 40)
			return PKT_ERR_IP6_PAYLEN;
		for (unsigned int i = 0; i < s->n_ext; i++) {
			uint32_t need = s->ext[i] == 44 ? 8 : 2;

			if (end < f->ext_off[i] + need || end < f->ext_off[i] + f->ext_size[i])
				return PKT_ERR_IP6_EXT_TRUNC;
			if (s->ext[i] == 44 && (s->frag6 & 0xfff8)) {
				later = true;
				break;
			}
		}
	}
	if (later)
		return PKT_OK;
	l4 = end - f->l4_off;
	switch (s->proto) {
	case 6:
		if (l4 < 20)
			return PKT_ERR_TCP_TRUNC;
		if (l4 < 20 + s->tcp_optlen)
			return PKT_ERR_TCP_DOFF;
		return PKT_OK;
	case 17:
		if (l4 < 8)
			return PKT_ERR_UDP_TRUNC;
		if (l4 < 8 + s->payload)
			return PKT_ERR_UDP_LEN;
		return PKT_OK;
	case 1:
		if (s->family == 4 && l4 < 8)
			return PKT_ERR_ICMP_TRUNC;
		return PKT_OK;
	case 58:
		if (s->family == 6 && l4 < 8)
			return PKT_ERR_ICMP6_TRUNC;
		return PKT_OK;
	default:
		return PKT_OK;
	}
}

static void test_shrink_datagram(void **state)
{
	struct spec specs[MAX_SPECS];
	unsigned int n = valid_specs(specs);
	static struct frame f;
	unsigned int checked = 0;

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t full_dlen;

		if (specs[i].family == 0)
			continue;
		build(&specs[i], &f);
		full_dlen = f.end - f.l3_off;
		for (uint32_t dlen = 0; dlen <= full_dlen; dlen++) {
			struct pkt_info pi;
			enum pkt_status want = expected_shrink(&specs[i], &f, dlen);

			if (specs[i].family == 4)
				set16(&f, f.l3_off + 2, (uint16_t)dlen);
			else
				set16(&f, f.l3_off + 4, (uint16_t)(dlen < 40 ? 0 : dlen - 40));
			if (specs[i].family == 6 && dlen < 40)
				want = PKT_ERR_IP6_PAYLEN;
			assert_int_equal(parse_frame(&f, &pi), want);
			if (want == PKT_OK) {
				assert_int_equal(pi.l3_len, dlen);
				assert_int_equal(pi.l4_off + pi.l4_len, f.l3_off + dlen);
				assert_int_equal(pi.hash, pkt_flow_hash(&pi.key));
			}
			checked++;
		}
	}
	assert_true(checked > 1000);
}

static void test_split_every_byte(void **state)
{
	struct spec specs[MAX_SPECS];
	unsigned int n = valid_specs(specs);
	static struct frame f;

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		struct pkt_info full, pi;

		build(&specs[i], &f);
		assert_int_equal(parse_frame(&f, &full), PKT_OK);
		/* three segments, every pair of cuts */
		for (uint32_t a = 0; a <= f.len; a++) {
			for (uint32_t b = a; b <= f.len; b++) {
				uint32_t cuts[2] = {a, b};
				struct rte_mbuf *m = test_mbuf_chain(f.b, f.len, cuts, 2);

				assert_non_null(m);
				memset(&pi, 0xa5, sizeof(pi));
				assert_int_equal(pkt_parse(m, &pi), PKT_OK);
				assert_memory_equal(&pi, &full, sizeof(pi));
				test_mbuf_free(m);
			}
		}
		/* one byte per segment, as far as the helper allows */
		{
			uint32_t cuts[TEST_MBUF_MAX_SEGS - 1];

			for (unsigned int k = 0; k < RTE_DIM(cuts); k++)
				cuts[k] = f.l3_off + k < f.len ? f.l3_off + k : f.len;
			struct rte_mbuf *m = test_mbuf_chain(f.b, f.len, cuts, RTE_DIM(cuts));

			assert_non_null(m);
			assert_int_equal(pkt_parse(m, &pi), PKT_OK);
			assert_memory_equal(&pi, &full, sizeof(pi));
			test_mbuf_free(m);
		}
	}
}

static void test_layer_by_layer(void **state)
{
	struct spec specs[MAX_SPECS];
	unsigned int n = valid_specs(specs);
	static struct frame f;

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		struct pkt_info full, pi;
		struct rte_mbuf *m;
		enum pkt_status st;

		build(&specs[i], &f);
		m = test_mbuf_flat(f.b, f.len);
		assert_non_null(m);
		assert_int_equal(pkt_parse(m, &full), PKT_OK);
		memset(&pi, 0xee, sizeof(pi));
		assert_int_equal(pkt_parse_l2(m, &pi), PKT_OK);
		assert_int_equal(pi.flags, 0);
		assert_int_equal(pi.l4_off, 0);
		assert_int_equal(pi.hash, 0);
		if (pi.l3 == PKT_L3_OTHER) {
			assert_memory_equal(&pi, &full, sizeof(pi));
			test_mbuf_free(m);
			continue;
		}
		/* Stale L3/L4 results from a previous packet must not leak through */
		memset(&pi.l3_len, 0xee, sizeof(pi) - offsetof(struct pkt_info, l3_len));
		if (pi.l3 == PKT_L3_IP4)
			st = pkt_parse_ip4(m, &pi);
		else
			st = pkt_parse_ip6(m, &pi);
		assert_int_equal(st, PKT_OK);
		assert_memory_equal(&pi, &full, sizeof(pi));
		test_mbuf_free(m);
	}
}

/* ---- flow hash ---- */

static void test_flow_hash(void **state)
{
	struct pkt_flow_key k, m, o;
	struct spec specs[MAX_SPECS];
	unsigned int n = valid_specs(specs);
	static struct frame f;
	uint32_t hashes[MAX_SPECS];
	unsigned int nh = 0;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.family = 4;
	k.proto = 6;
	k.sport = 1234;
	k.dport = 80;
	k.v4.src = rte_cpu_to_be_32(0x0a000001);
	k.v4.dst = rte_cpu_to_be_32(0x0a000002);
	m = test_flow_mirror(&k);
	assert_int_equal(pkt_flow_hash(&k), pkt_flow_hash(&m));
	/* swapping only the ports, or only the addresses, is another flow */
	o = k;
	o.sport = 80;
	o.dport = 1234;
	assert_int_not_equal(pkt_flow_hash(&k), pkt_flow_hash(&o));
	o = k;
	o.v4.src = k.v4.dst;
	o.v4.dst = k.v4.src;
	assert_int_not_equal(pkt_flow_hash(&k), pkt_flow_hash(&o));
	o = k;
	o.proto = 17;
	assert_int_not_equal(pkt_flow_hash(&k), pkt_flow_hash(&o));
	o = k;
	o.sport++;
	assert_int_not_equal(pkt_flow_hash(&k), pkt_flow_hash(&o));
	/* equal addresses: the ports decide the order */
	o = k;
	o.v4.dst = o.v4.src;
	m = test_flow_mirror(&o);
	assert_int_equal(pkt_flow_hash(&o), pkt_flow_hash(&m));

	memset(&k, 0, sizeof(k));
	k.family = 6;
	k.proto = 17;
	k.sport = 5;
	k.dport = 6;
	for (int i = 0; i < 16; i++) {
		k.v6.src[i] = (uint8_t)(i * 7);
		k.v6.dst[i] = (uint8_t)(i * 7);
	}
	k.v6.dst[15] ^= 1;
	m = test_flow_mirror(&k);
	assert_int_equal(pkt_flow_hash(&k), pkt_flow_hash(&m));
	o = k;
	o.v6.src[3] ^= 0x80;
	assert_int_not_equal(pkt_flow_hash(&k), pkt_flow_hash(&o));
	o = k;
	o.family = 4; /* same bytes, other family */
	assert_int_not_equal(pkt_flow_hash(&k), pkt_flow_hash(&o));
	memcpy(k.v6.dst, k.v6.src, 16);
	m = test_flow_mirror(&k);
	assert_int_equal(pkt_flow_hash(&k), pkt_flow_hash(&m));

	/* On parsed packets: the reverse packet gets the same hash, different flows differ */
	for (unsigned int i = 0; i < n; i++) {
		struct pkt_info a, b;
		struct spec r = specs[i];

		if (r.family == 0)
			continue;
		build(&specs[i], &f);
		assert_int_equal(parse_frame(&f, &a), PKT_OK);
		r.sport = specs[i].dport;
		r.dport = specs[i].sport;
		r.src4 = 0x0a000002;
		r.dst4 = 0xc0a80001;
		memcpy(r.src6, f.b + f.l3_off + 24, 16);
		memcpy(r.dst6, f.b + f.l3_off + 8, 16);
		if (r.proto == 1 && r.icmp_type == 8)
			r.icmp_type = 0;
		if (r.proto == 58 && r.icmp_type == 129)
			r.icmp_type = 128;
		build(&r, &f);
		assert_int_equal(parse_frame(&f, &b), PKT_OK);
		m = test_flow_mirror(&a.key);
		assert_memory_equal(&b.key, &m, sizeof(m));
		assert_int_equal(a.hash, b.hash);
		hashes[nh++] = a.hash;
	}
	/* Distinct keys in the table give distinct hashes (weak, but catches a constant) */
	{
		unsigned int distinct = 0;

		for (unsigned int i = 0; i < nh; i++) {
			bool seen = false;

			for (unsigned int j = 0; j < i; j++)
				seen |= hashes[j] == hashes[i];
			distinct += !seen;
		}
		assert_true(distinct >= 8);
	}
}

/* ---- pkt_tcp_opts_walk ---- */

static enum pkt_tcp_opts walk(const uint8_t *opts, unsigned int len, int *mss)
{
	/* An exactly-sized copy: ASan flags any read past len. */
	uint8_t *copy = malloc(len ? len : 1);
	enum pkt_tcp_opts r;

	assert_non_null(copy);
	if (len)
		memcpy(copy, opts, len);
	*mss = 1234;
	r = pkt_tcp_opts_walk(copy, len, mss);
	free(copy);
	return r;
}

static void test_tcp_opts_walk(void **state)
{
	static const uint8_t nops[40] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	static const uint8_t two_mss[] = {2, 4, 5, 0xb4, 1, 2, 4, 2, 0x18};
	static const uint8_t mss[] = {2, 4, 5, 0xb4};
	uint8_t buf[64];
	int pos;

	(void)state;
	assert_int_equal(walk(mss, 0, &pos), PKT_TCP_OPTS_OK);
	assert_int_equal(pos, -1);
	assert_int_equal(walk(nops, 40, &pos), PKT_TCP_OPTS_OK);
	assert_int_equal(pos, -1);
	assert_int_equal(walk(mss, 4, &pos), PKT_TCP_OPTS_OK);
	assert_int_equal(pos, 0);
	/* every prefix of an MSS option overruns */
	assert_int_equal(walk(mss, 1, &pos), PKT_TCP_OPTS_OVERRUN);
	assert_int_equal(pos, -1);
	assert_int_equal(walk(mss, 2, &pos), PKT_TCP_OPTS_OVERRUN);
	assert_int_equal(walk(mss, 3, &pos), PKT_TCP_OPTS_OVERRUN);
	/* the last of repeated MSS options wins */
	assert_int_equal(walk(two_mss, sizeof(two_mss), &pos), PKT_TCP_OPTS_OK);
	assert_int_equal(pos, 5);
	/* MSS at every offset after NOP runs, then EOL and garbage */
	for (unsigned int at = 0; at + 4 <= 36; at++) {
		memset(buf, 1, at);
		memcpy(buf + at, mss, 4);
		buf[at + 4] = 0;
		memset(buf + at + 5, 0xff, 8);
		assert_int_equal(walk(buf, at + 13, &pos), PKT_TCP_OPTS_OK);
		assert_int_equal(pos, (int)at);
		assert_int_equal(walk(buf, at + 4, &pos), PKT_TCP_OPTS_OK);
		assert_int_equal(pos, (int)at);
		assert_int_equal(walk(buf, at + 3, &pos), PKT_TCP_OPTS_OVERRUN);
	}
	/* lengths 0 and 1 */
	for (uint8_t kind = 2; kind < 255; kind++) {
		buf[0] = kind;
		buf[1] = 0;
		buf[2] = buf[3] = 1;
		assert_int_equal(walk(buf, 4, &pos), PKT_TCP_OPTS_BAD_LEN);
		assert_int_equal(pos, -1);
		buf[1] = 1;
		assert_int_equal(walk(buf, 4, &pos), PKT_TCP_OPTS_BAD_LEN);
		buf[1] = 5;
		assert_int_equal(walk(buf, 4, &pos), PKT_TCP_OPTS_OVERRUN);
		buf[1] = 4;
		assert_int_equal(walk(buf, 4, &pos), PKT_TCP_OPTS_OK);
		assert_int_equal(pos, kind == 2 ? 0 : -1);
		buf[1] = 3;
		assert_int_equal(
			walk(buf, 4, &pos), kind == 2 ? PKT_TCP_OPTS_BAD_LEN : PKT_TCP_OPTS_OK);
		/* a kind byte alone at the end */
		buf[1] = 1;
		buf[0] = 1;
		buf[3] = kind;
		assert_int_equal(walk(buf, 4, &pos), PKT_TCP_OPTS_OVERRUN);
		buf[3] = 1;
	}
	/* MSS after a bad option is not reported */
	{
		static const uint8_t bad[] = {2, 4, 5, 0xb4, 8, 1, 0, 0};

		assert_int_equal(walk(bad, sizeof(bad), &pos), PKT_TCP_OPTS_BAD_LEN);
		assert_int_equal(pos, -1);
	}
}

/* ---- fast path (pkt_fast.h) ---- */

/*
 * Runs the fast path on m after a full parse of it gave st / full. Whenever the fast path
 * accepts, the full parse must have succeeded and the metadata must be what the full
 * parse gives. Returns whether the fast path accepted.
 */
static bool fast_agrees(const struct rte_mbuf *m, enum pkt_status st, const struct pkt_info *full)
{
	struct pkt_meta want, got;

	if (pkt_parse_l2(m, &(struct pkt_info){0}) != PKT_OK ||
		(full->l3 != PKT_L3_IP4 && full->l3 != PKT_L3_IP6))
		return false;
	memset(&got, 0xee, sizeof(got));
	got.l3_off = full->l3_off;
	got.l3 = full->l3;
	got.flags = 0x5a; /* stale bits: the fast path must overwrite them */
	want = got;
	bool ok = full->l3 == PKT_L3_IP4 ? pkt_fast_ip4(m, &got) : pkt_fast_ip6(m, &got);
	if (!ok) {
		/* untouched */
		assert_int_equal(got.l4_off, want.l4_off);
		assert_int_equal(got.l3_len, want.l3_len);
		return false;
	}
	assert_int_equal(st, PKT_OK);
	pkt_meta_fill(&want, full);
	assert_int_equal(got.l3_off, want.l3_off);
	assert_int_equal(got.l4_off, want.l4_off);
	assert_int_equal(got.l3_len, want.l3_len);
	assert_int_equal(got.l3, want.l3);
	assert_int_equal(got.l4_proto, want.l4_proto);
	assert_int_equal(got.flags, want.flags);
	assert_int_equal(got.tcp_flags, want.tcp_flags);
	assert_int_equal(got.tcp_mss_off, want.tcp_mss_off);
	return true;
}

static void test_fast_path(void **state)
{
	struct spec specs[MAX_SPECS + 2];
	unsigned int n = valid_specs(specs);
	static struct frame f;
	unsigned int accepted = 0;

	(void)state;
	/* Tunnel packets (6in4, 4in6): the parser does not look inside. */
	specs[n++] = (struct spec){.family = 4, .proto = 41, .payload = 48};
	specs[n++] = (struct spec){.family = 6, .proto = 4, .payload = 28};
	for (unsigned int i = 0; i < n; i++) {
		const struct spec *sp = &specs[i];
		struct pkt_info full;
		enum pkt_status st;
		struct rte_mbuf *m;
		bool tunnel = sp->proto == 4 || sp->proto == 41;
		bool plain =
			(sp->family == 4 || sp->family == 6) && sp->ip4_optlen == 0 &&
			sp->ip4_frag == 0 && sp->n_ext == 0 &&
			((sp->proto == 6 && !(sp->tcp_flags & 0x02)) || sp->proto == 17 || tunnel);

		build(sp, &f);
		m = test_mbuf_flat(f.b, f.len);
		assert_non_null(m);
		st = pkt_parse(m, &full);
		assert_int_equal(st, PKT_OK);
		/* Exactly the plain TCP/UDP and tunnel packets take the fast path. */
		assert_int_equal(fast_agrees(m, st, &full), plain);
		accepted += plain;
		test_mbuf_free(m);

		/* Truncated anywhere: accepted only when the full parse accepts too. */
		for (uint32_t len = 0; len < f.len; len++) {
			m = test_mbuf_flat(f.b, len);
			assert_non_null(m);
			st = pkt_parse(m, &full);
			fast_agrees(m, st, &full);
			test_mbuf_free(m);
		}
		/* Split anywhere: the fast path needs the L4 header in the first segment. */
		for (uint32_t a = 0; a <= f.len; a++) {
			uint32_t cut[1] = {a};

			m = test_mbuf_chain(f.b, f.len, cut, 1);
			assert_non_null(m);
			st = pkt_parse(m, &full);
			bool ok = fast_agrees(m, st, &full);
			uint32_t l4_hdr = sp->proto == 6 ? 20 : tunnel ? 0 : 8;
			assert_int_equal(ok, plain && a >= f.l4_off + l4_hdr);
			test_mbuf_free(m);
		}
		/* Any header byte changed by one or to a few telling values: never accepted
		 * unless the full parse accepts (lengths, versions, data offsets, flags). */
		for (uint32_t off = f.l3_off; off < f.l4_off + 20 && off < f.len; off++) {
			const uint8_t keep = f.b[off];
			const uint8_t vals[] = {0x00, 0x01, 0x02, 0x05, 0x12, 0x45, 0x50, 0x60,
				0x7f, 0x80, 0xf0, 0xff, (uint8_t)(keep + 1), (uint8_t)(keep - 1)};
			for (unsigned int v = 0; v < RTE_DIM(vals); v++) {
				f.b[off] = vals[v];
				m = test_mbuf_flat(f.b, f.len);
				assert_non_null(m);
				st = pkt_parse(m, &full);
				fast_agrees(m, st, &full);
				test_mbuf_free(m);
				f.b[off] = keep;
			}
		}
	}
	assert_int_equal(accepted, 6);
}

static void test_status_names(void **state)
{
	static const char *const want[] = {"ok", "l2_trunc", "vlan_depth", "ip4_trunc",
		"ip4_version", "ip4_ihl", "ip4_totlen", "ip6_trunc", "ip6_version", "ip6_paylen",
		"ip6_ext_trunc", "ip6_ext_chain", "tcp_trunc", "tcp_doff", "udp_trunc", "udp_len",
		"icmp_trunc", "icmp6_trunc"};

	(void)state;
	assert_int_equal(RTE_DIM(want), PKT_STATUS_MAX);
	for (int i = 0; i < PKT_STATUS_MAX; i++)
		assert_string_equal(pkt_status_name((enum pkt_status)i), want[i]);
	assert_string_equal(pkt_status_name(PKT_STATUS_MAX), "unknown");
	assert_string_equal(pkt_status_name((enum pkt_status) - 1), "unknown");
	assert_string_equal(pkt_status_name((enum pkt_status)1000), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l2_plain_ip4_tcp),
		cmocka_unit_test(test_l2_vlan),
		cmocka_unit_test(test_l2_other),
		cmocka_unit_test(test_ip4_udp_icmp),
		cmocka_unit_test(test_ip4_options),
		cmocka_unit_test(test_ip4_header_errors),
		cmocka_unit_test(test_ip4_padding),
		cmocka_unit_test(test_ip4_fragments),
		cmocka_unit_test(test_udp_first_fragment),
		cmocka_unit_test(test_ip6_basic),
		cmocka_unit_test(test_ip6_header_errors),
		cmocka_unit_test(test_ip6_ext_each),
		cmocka_unit_test(test_ip6_fragment),
		cmocka_unit_test(test_ip6_ext_chain),
		cmocka_unit_test(test_ip6_ext_trunc),
		cmocka_unit_test(test_ip6_stop_headers),
		cmocka_unit_test(test_tcp_doff),
		cmocka_unit_test(test_tcp_syn_options),
		cmocka_unit_test(test_tcp_options_not_walked),
		cmocka_unit_test(test_udp_errors),
		cmocka_unit_test(test_icmp_trunc),
		cmocka_unit_test(test_truncate_every_byte),
		cmocka_unit_test(test_shrink_datagram),
		cmocka_unit_test(test_split_every_byte),
		cmocka_unit_test(test_layer_by_layer),
		cmocka_unit_test(test_flow_hash),
		cmocka_unit_test(test_tcp_opts_walk),
		cmocka_unit_test(test_fast_path),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
