/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-packet metadata carried between graph nodes in an mbuf dynamic field. It holds what
 * the parser found (offsets, protocol, flags) and what the lookup decided, so no node
 * parses a header twice. The 5-tuple key (up to 40 bytes) and its hash are not kept here:
 * they do not fit beside it in the mbuf's dynamic area, and plain forwarding never needs
 * them; consumers rebuild the key from the offsets.
 */
#ifndef MPGW_PKT_META_H
#define MPGW_PKT_META_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "pkt_parse.h"

struct pkt_meta {
	uint16_t l3_off;  /* from the start of the frame as received */
	uint16_t l4_off;  /* idem */
	uint16_t l3_len;  /* IP datagram length */
	uint16_t nexthop; /* set by the lookup nodes */
	uint8_t l3;	  /* enum pkt_l3 */
	uint8_t l4_proto;
	uint8_t flags; /* PKT_F_*, and PKT_META_F_* */
	uint8_t tcp_flags;
	uint16_t tcp_mss_off; /* a SYN's MSS option, from the start of the frame; 0 if none */
	uint16_t spare;
};

/* Flags of the data path's own, in bits the parser never uses. */
#define PKT_META_F_L2_MCAST 0x80 /* the frame's destination MAC was broadcast or multicast */
#define PKT_META_F_LOCAL    0x40 /* built by mpgw (an ICMP error): not forwarded, no TTL - 1 */
_Static_assert((PKT_F_L4 | PKT_F_FRAGMENT | PKT_F_FRAG_LATER | PKT_F_IP4_OPTIONS | PKT_F_IP6_EXT |
		       PKT_F_TCP_OPT_BAD) < PKT_META_F_LOCAL,
	"parser flags overlap the data path's");

extern int pkt_meta_offset;

/* Register the dynamic field; call once after rte_eal_init. Returns 0 or -rte_errno. */
int pkt_meta_register(void);

static inline struct pkt_meta *pkt_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, pkt_meta_offset, struct pkt_meta *);
}

/* Copy what the L3/L4 parse found into the metadata (l3_off and l3 are already there). */
static inline void pkt_meta_fill(struct pkt_meta *meta, const struct pkt_info *pi)
{
	meta->l4_off = pi->l4_off;
	meta->l3_len = pi->l3_len;
	meta->l4_proto = pi->l4_proto;
	meta->flags = pi->flags | (meta->flags & PKT_META_F_L2_MCAST);
	meta->tcp_flags = pi->tcp_flags;
	meta->tcp_mss_off = pi->tcp_mss_off;
}

#endif
