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
	uint8_t flags; /* PKT_F_*: what the parser found */
	uint8_t tcp_flags;
	uint16_t tcp_mss_off; /* a SYN's MSS option, from the start of the frame; 0 if none */
	uint16_t mtu;	      /* the path's MTU where it is below the egress port's (a tunnel's
			       * inner MTU), for ICMP errors and fragmentation; 0 otherwise */
	uint8_t path;	      /* PKT_PATH_*: what the data path decided; 0 on reception */
	uint8_t pad[3];
};

/* meta->path */
#define PKT_PATH_L2_MCAST 0x01 /* the frame's destination MAC was broadcast or multicast */
#define PKT_PATH_LOCAL	  0x02 /* built by mpgw (ICMP error, tunnel header): no TTL - 1 */
#define PKT_PATH_ALLOWED  0x04 /* bypass or direct by policy: may leave an uplink natively */
#define PKT_PATH_ENCAP	  0x08 /* a tunnel packet mpgw built */
#define PKT_PATH_TTL_DONE 0x10 /* inner TTL already decremented (fragments awaiting encap) */
#define PKT_PATH_DECAP	  0x20 /* the inner packet of a tunnel mpgw terminated */

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
	meta->flags = pi->flags;
	meta->tcp_flags = pi->tcp_flags;
	meta->tcp_mss_off = pi->tcp_mss_off;
}

#endif
