/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser tests, TCP, UDP and ICMP, and the TCP option walk.
 * Frames from pkt_frames.h.
 */
#include "pkt_frames.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_doff),
		cmocka_unit_test(test_tcp_syn_options),
		cmocka_unit_test(test_tcp_options_not_walked),
		cmocka_unit_test(test_udp_errors),
		cmocka_unit_test(test_icmp_trunc),
		cmocka_unit_test(test_tcp_opts_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
