/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What makes a health probe's answer believable (EAL-free, unit-tested alone).
 *
 * An answer proves that the far end saw the probe only if it carries something the probe
 * carried that nobody else could guess. Sequence numbers can be guessed: a spoofer on an
 * uplink's segment could answer probes that never reached the far end, keeping a dead
 * uplink up or faking a low RTT. So each probe carries a 64-bit nonce, SipHash-2-4 of a
 * counter under a 128-bit key drawn from getrandom() at start (a keyed PRF: knowing every
 * earlier nonce tells nothing of the next), and its slot keeps it: an answer counts only
 * if its nonce is the one of the probe of its sequence number. An on-path attacker, who
 * sees the probes, is not stopped by this (nothing short of a shared secret with the far
 * end would; the far end is any host that answers echo requests).
 */
#ifndef MPGW_UPLINK_NONCE_H
#define MPGW_UPLINK_NONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_SLOTS 16 /* probes awaiting an answer, per path */

/* SipHash-2-4 of len bytes at msg under a 16-byte key (Aumasson and Bernstein). */
uint64_t probe_siphash24(const uint8_t key[16], const void *msg, size_t len);

struct probe_nonce_gen {
	uint8_t key[16];
	uint64_t next; /* counter: the input of the next nonce */
};

/* Draw a new key from getrandom(). 0, or -1 with errno. */
int probe_nonce_seed(struct probe_nonce_gen *g);

/* The next nonce: SipHash-2-4 of the counter (8 bytes, little-endian) under the key. */
uint64_t probe_nonce_next(struct probe_nonce_gen *g);

/* A probe sent, in slot seq % PROBE_SLOTS of its path. */
struct probe_slot {
	uint64_t nonce;
	uint64_t tx_tsc;
	uint32_t seq;
	bool open; /* awaiting its answer */
	bool lost; /* counted lost, no answer yet: a late one is still an RTT sample */
};

/* What an answer is to the probes of its path. */
enum probe_verdict {
	PROBE_ANSWERED, /* to a probe awaiting it: an answer, and an RTT sample */
	PROBE_LATE,	/* to a probe already counted lost: an RTT sample, not an answer */
	PROBE_STALE,	/* to no probe awaited: answered already, or its slot reused */
	PROBE_FORGED,	/* the sequence number of a probe sent, but not its nonce */
};

/* What an answer of sequence number seq and nonce nonce is; changes nothing. */
enum probe_verdict probe_slot_check(const struct probe_slot *slots, uint32_t seq, uint64_t nonce);

/* The answer to the probe of seq came (PROBE_ANSWERED or PROBE_LATE): it is awaited no
 * more, so a second copy is PROBE_STALE. */
void probe_slot_close(struct probe_slot *slots, uint32_t seq);

#endif
