/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser tests, L2, IPv4 and IPv6 headers.
 * Frames from pkt_frames.h.
 */
#include "pkt_frames.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
