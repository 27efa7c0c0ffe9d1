/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP MSS clamping of a SYN or SYN-ACK, in place (EAL-free: unit tests and fuzzers link it
 * alone).
 *
 * - An MSS option above the limit is lowered to it; one at or below is left alone (a clamp
 *   never raises). The TCP checksum is updated incrementally (RFC 1624), also when the value
 *   sits at an odd offset from the TCP header, and is left to the NIC when the mbuf asks
 *   for TCP checksum offload.
 * - A SYN without an MSS option implies the protocol default (536 for IPv4, RFC 9293; 1220
 *   for IPv6, RFC 8200). When the limit is below that, an MSS option is inserted in front of
 *   the other options, as Linux's TCPMSS target does, if the segment has no data, is not
 *   a fragment, the header has 4 bytes of option space left, the mbuf is one segment with
 *   4 bytes of tailroom and no checksum offload is requested; otherwise it is left as is
 *   (MSS_NOT_INSERTED). Inserting a value at or above the default would change nothing, so
 *   it is not done.
 * - A malformed option list (the parser's PKT_F_TCP_OPT_BAD) is never touched.
 * Every other byte of the segment stays as it was: option order and contents (MPTCP, TCP
 * Fast Open cookies and data, SACK, window scale, timestamps) are not rewritten.
 *
 * Bytes are read and written through the mbuf's segments, so an option that straddles two
 * segments is handled.
 */
#ifndef MPGW_MSS_CLAMP_H
#define MPGW_MSS_CLAMP_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "pkt_meta.h"

enum mss_result {
	MSS_UNCHANGED = 0, /* at or below the limit, or no option and none needed */
	MSS_CLAMPED,
	MSS_INSERTED,
	MSS_NOT_INSERTED,
	MSS_BAD_OPTIONS,
};

#define MSS_DEFAULT_IP4 536
#define MSS_DEFAULT_IP6 1220

/*
 * Clamp the SYN described by meta (parsed: l3, l3_off, l3_len, l4_off, tcp_mss_off and
 * flags) to `limit` (> 0). On MSS_INSERTED the packet is 4 bytes longer and meta's l3_len
 * and tcp_mss_off follow.
 */
enum mss_result mss_clamp(struct rte_mbuf *m, struct pkt_meta *meta, uint16_t limit);

#endif
