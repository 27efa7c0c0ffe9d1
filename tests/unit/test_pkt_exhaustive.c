/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parser tests over a table of valid packets: every truncation, every shorter
 * datagram, every split into segments, and layer by layer.
 * Frames from pkt_frames.h.
 */
#include "pkt_frames.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncate_every_byte),
		cmocka_unit_test(test_shrink_datagram),
		cmocka_unit_test(test_split_every_byte),
		cmocka_unit_test(test_layer_by_layer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
