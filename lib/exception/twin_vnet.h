/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net header of a twin (a TAP opened with IFF_VNET_HDR and offloads on): the
 * kernel hands over TCP segments of up to 64 KB (TSO, GSO) and frames whose checksum it
 * left to the device (NEEDS_CSUM), and pays per segment rather than per 1500-byte packet.
 * A port sends frames of its MTU, so twin_vnet_split() turns each such frame into the
 * frames it stands for, as a NIC's TSO would: checksums done, a 64 KB TCP segment cut at
 * gso_size with each piece's IP length, IPv4 id and checksum, TCP sequence number, flags
 * and checksum made anew. Everything after it (the leak guard, the MSS clamp) sees only
 * those frames.
 */
#ifndef MPGW_TWIN_VNET_H
#define MPGW_TWIN_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

/* The longest header (Ethernet, one VLAN tag, IP with options or extension headers, TCP
 * with options) a segment may carry; longer is malformed. */
#define TWIN_VNET_HDR_MAX 256

/* One frame of a split: hdr (hdr_len bytes) followed by payload (payload_len bytes). The
 * callee copies both; a negative return stops the split (twin_vnet_split() returns it). */
typedef int (*twin_vnet_emit_t)(
	void *arg, const uint8_t *hdr, size_t hdr_len, const uint8_t *payload, size_t payload_len);

/*
 * The frame of len bytes at frame, as the kernel wrote it after the header vh: handed to
 * emit as the frames a port sends (frame is modified: checksums filled in). Returns the
 * number of frames emitted, or -1 if vh or the frame is malformed (an offload not asked
 * for, offsets past the frame, a TSO frame not IPv4/IPv6 TCP), nothing emitted; or emit's
 * negative return.
 */
int twin_vnet_split(const struct virtio_net_hdr *vh, uint8_t *frame, size_t len,
	twin_vnet_emit_t emit, void *arg);

/* Is vh that of a segment to be cut (TSO)? */
static inline bool twin_vnet_is_gso(const struct virtio_net_hdr *vh)
{
	return (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE;
}

#endif
