/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Uplink health probes on the wire: ICMP / ICMPv6 echo requests from an uplink's address
 * to the tunnel's far end, so any far end answers them (a vps running mpgw answers echo
 * requests to its own addresses in the data path, node_local.c; a Linux host does too).
 * The control thread sends them on each port's control TX queue; a worker that receives
 * an answer stamps its arrival time and hands it over through probe_ring. Each probe carries
 * a nonce its answer must echo (uplink_nonce.h).
 */
#ifndef MPGW_UPLINK_PROBE_H
#define MPGW_UPLINK_PROBE_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ring.h>

#define PROBE_ICMP_ID	RTE_BE16(0x6d70)     /* "mp" */
#define PROBE_MAGIC	RTE_BE32(0x6d706762) /* "mpgb" */
#define PROBE_RING_SIZE 4096

/* The echo payload. Only mpgw reads it, in host order, but for the magic. */
struct probe_payload {
	rte_be32_t magic;
	uint16_t path; /* index of the path in the FIB version gen */
	uint16_t gen;
	uint32_t seq;
	uint32_t pad;
	uint64_t nonce;	 /* unpredictable, kept with the probe: the answer must echo it */
	uint64_t tx_tsc; /* when the control thread sent it */
	uint64_t rx_tsc; /* when a worker received the answer */
} __attribute__((packed));

/* Answers from the workers to the control thread (multi-producer, single consumer). NULL
 * until the control side creates it: answers are then counted as `local` drops. */
extern struct rte_ring *probe_ring;

#endif
