/* SPDX-License-Identifier: BSD-3-Clause */
/* Incremental Internet checksum update (RFC 1624, equation 3). */
#ifndef MPGW_PKT_CKSUM_H
#define MPGW_PKT_CKSUM_H

#include <stdint.h>

/* A 32-bit one's complement sum of 16-bit words, folded to 16 bits (not complemented). */
static inline uint16_t pkt_cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * New checksum after one 16-bit word of the covered data changes from old_word to
 * new_word: HC' = ~(~HC + ~m + m'). All three values in the same byte order (network order
 * as found in the packet works, since one's complement addition is byte-order independent).
 */
static inline uint16_t pkt_cksum_update16(uint16_t cksum, uint16_t old_word, uint16_t new_word)
{
	return (uint16_t)~pkt_cksum_fold(
		(uint16_t)~cksum + (uint32_t)(uint16_t)~old_word + new_word);
}

#endif
