/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive coalescing for the kernel-bound direction of the twins: the twins' thread joins
 * consecutive TCP segments of one flow in a burst of punted frames into one frame of up
 * to 64 KB, written with a virtio-net header that tells the kernel it stands for segments
 * of gso_size bytes (as a NIC's LRO or the kernel's own GRO would), so the kernel's TCP
 * and the TAP pay per 64 KB rather than per 1500-byte packet.
 *
 * What is joined, and only that (Linux's GRO rules, narrowed): single-mbuf Ethernet
 * frames carrying IPv4 (no options, not a fragment) or IPv6 (TCP the first header) and
 * TCP with payload and flags ACK or ACK|PSH, whose TCP checksum verifies (or the NIC said
 * it does); a segment joins the frame of its flow when it comes right after it (sequence
 * number), with the same MACs, addresses, ports, TOS/traffic class, TTL/hop limit,
 * acknowledgement number and TCP options, and no more payload than the first segment's
 * (gso_size). A shorter segment, or one with PSH, ends the frame; so does any frame of the
 * flow that does not join, so that nothing of a flow is reordered.
 *
 * DPDK's rte_gro is not used: in 22.11 it has no TCP/IPv6, joins only segments with ACK
 * alone, and moves every frame it does not join behind those it does, reordering within a
 * flow.
 */
#ifndef MPGW_TWIN_GRO_H
#define MPGW_TWIN_GRO_H

#include <stdint.h>

#include <linux/virtio_net.h>

#include <rte_mbuf.h>

/* Mbufs (segments) in one joined frame, at most. */
#define TWIN_GRO_SEGS_MAX 64
/* Flows joined at once within one burst; a further flow's frames pass as they are. */
#define TWIN_GRO_FLOWS 8

/*
 * Join the segments of ms[0..n) as above, in place: the frames that remain keep their
 * order (within a flow, exactly) and their number is returned. A joined frame is an mbuf
 * chain, one mbuf per segment, marked as a TSO frame would be (RTE_MBUF_F_TX_TCP_SEG,
 * RTE_MBUF_F_TX_IPV4 or _IPV6, tso_segsz, l2_len, l3_len, l4_len): its IP length and IPv4
 * header checksum made anew, its TCP checksum field holding the pseudo-header sum for the
 * kernel to complete. Frames not joined are left untouched.
 */
uint16_t twin_gro_burst(struct rte_mbuf **ms, uint16_t n);

/* The virtio-net header to write m with, as twin_gro_burst() left it: a joined frame's
 * GSO header, or none but "checksum verified" if the port's NIC said so. */
void twin_gro_vnet_hdr(const struct rte_mbuf *m, struct virtio_net_hdr *vh);

/* How many punted frames m stands for: its segments if joined, else 1. */
static inline unsigned int twin_gro_frames(const struct rte_mbuf *m)
{
	return (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) != 0 ? m->nb_segs : 1;
}

#endif
