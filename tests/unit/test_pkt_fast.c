/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser tests: the flow hash, the fast path (pkt_fast.h) against the full parser,
 * and the status names.
 * Frames from pkt_frames.h.
 */
#include "pkt_frames.h"

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
		cmocka_unit_test(test_flow_hash),
		cmocka_unit_test(test_fast_path),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
