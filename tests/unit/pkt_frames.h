/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames for the packet parser's tests (test_pkt_*.c): built byte by byte from a small
 * description (struct spec) so that every length field stays consistent; a test then
 * corrupts the bytes it needs to. No EAL: mbufs are hand-built (tests/common/test_mbuf.h).
 */
#ifndef MPGW_PKT_FRAMES_H
#define MPGW_PKT_FRAMES_H

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

void put8(struct frame *f, uint8_t v);
void put16(struct frame *f, uint16_t v);
void put32(struct frame *f, uint32_t v);
void putn(struct frame *f, const void *p, unsigned int n);
void fill(struct frame *f, uint8_t v, unsigned int n);
void set16(struct frame *f, uint32_t off, uint16_t v);
uint32_t ip4_totlen_of(const struct frame *f);
void build(const struct spec *s, struct frame *f);
enum pkt_status parse_buf(const uint8_t *b, uint32_t len, struct pkt_info *pi);
enum pkt_status parse_frame(const struct frame *f, struct pkt_info *pi);
enum pkt_status parse_spec(const struct spec *s, struct frame *f, struct pkt_info *pi);
struct spec tcp4(void);
struct spec tcp6(void);
struct spec syn4(const void *opts, unsigned int optlen);

/* The valid packets every exhaustive test walks (at most MAX_SPECS): their specs into
 * out, their number returned. */
#define MAX_SPECS 32
unsigned int valid_specs(struct spec *out);

#endif
