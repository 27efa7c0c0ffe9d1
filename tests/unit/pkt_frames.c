/* SPDX-License-Identifier: BSD-3-Clause */
/* Frames for the packet parser's tests (pkt_frames.h). */
#include "pkt_frames.h"

void put8(struct frame *f, uint8_t v)
{
	assert_true(f->len < FRAME_MAX);
	f->b[f->len++] = v;
}

void put16(struct frame *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

void put32(struct frame *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

void putn(struct frame *f, const void *p, unsigned int n)
{
	assert_true(f->len + n <= FRAME_MAX);
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

void fill(struct frame *f, uint8_t v, unsigned int n)
{
	while (n--)
		put8(f, v);
}

void set16(struct frame *f, uint32_t off, uint16_t v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

uint32_t ip4_totlen_of(const struct frame *f)
{
	return (uint32_t)f->b[f->l3_off + 2] << 8 | f->b[f->l3_off + 3];
}

void build(const struct spec *s, struct frame *f)
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

enum pkt_status parse_buf(const uint8_t *b, uint32_t len, struct pkt_info *pi)
{
	struct rte_mbuf *m = test_mbuf_flat(b, len);
	enum pkt_status st;

	assert_non_null(m);
	st = pkt_parse(m, pi);
	test_mbuf_free(m);
	return st;
}

enum pkt_status parse_frame(const struct frame *f, struct pkt_info *pi)
{
	return parse_buf(f->b, f->len, pi);
}

enum pkt_status parse_spec(const struct spec *s, struct frame *f, struct pkt_info *pi)
{
	build(s, f);
	return parse_frame(f, pi);
}

/* ---- specs used by several tests ---- */

struct spec tcp4(void)
{
	return (struct spec){.family = 4,
		.proto = 6,
		.tcp_flags = 0x10,
		.sport = 40000,
		.dport = 443,
		.payload = 10};
}

struct spec tcp6(void)
{
	return (struct spec){.family = 6,
		.proto = 6,
		.tcp_flags = 0x10,
		.sport = 40000,
		.dport = 443,
		.payload = 10};
}

struct spec syn4(const void *opts, unsigned int optlen)
{
	struct spec s = tcp4();

	s.tcp_flags = 0x02;
	s.payload = 0;
	s.tcp_optlen = optlen;
	memcpy(s.tcp_opts, opts, optlen);
	return s;
}

/* ---- the table of valid packets (the exhaustive tests, the fast path's) ---- */

static const uint8_t linux_syn[] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7};
static const uint8_t odd_mss[] = {34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 4, 5, 0xb4, 0};
static const uint8_t bad_opts[] = {1, 8, 10, 1, 2, 3, 4, 5};

unsigned int valid_specs(struct spec *out)
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
