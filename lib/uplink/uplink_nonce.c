/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "uplink_nonce.h"

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = ROTL(v1, 13);                                                                 \
		v1 ^= v0;                                                                          \
		v0 = ROTL(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = ROTL(v3, 16);                                                                 \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = ROTL(v3, 21);                                                                 \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = ROTL(v1, 17);                                                                 \
		v1 ^= v2;                                                                          \
		v2 = ROTL(v2, 32);                                                                 \
	} while (0)

uint64_t probe_siphash24(const uint8_t key[16], const void *msg, size_t len)
{
	const uint8_t *in = msg;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	uint64_t b = (uint64_t)len << 56;
	size_t full = len - len % 8;

	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t i = full; i < len; i++)
		b |= (uint64_t)in[i] << (8 * (i - full));
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int probe_nonce_seed(struct probe_nonce_gen *g)
{
	size_t got = 0;

	/* Blocks only until the kernel's pool is first initialised (early boot). */
	while (got < sizeof(g->key)) {
		ssize_t n = getrandom(g->key + got, sizeof(g->key) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	g->next = 0;
	return 0;
}

uint64_t probe_nonce_next(struct probe_nonce_gen *g)
{
	uint8_t ctr[8];
	uint64_t c = g->next++;

	for (int i = 0; i < 8; i++)
		ctr[i] = (uint8_t)(c >> (8 * i));
	return probe_siphash24(g->key, ctr, sizeof(ctr));
}

enum probe_verdict probe_slot_check(const struct probe_slot *slots, uint32_t seq, uint64_t nonce)
{
	const struct probe_slot *s = &slots[seq % PROBE_SLOTS];

	/* The slot holds a newer probe: this one's nonce is gone, nothing to check it by. */
	if (s->seq != seq)
		return PROBE_STALE;
	if (s->nonce != nonce)
		return PROBE_FORGED;
	if (s->open)
		return PROBE_ANSWERED;
	return s->lost ? PROBE_LATE : PROBE_STALE;
}

void probe_slot_close(struct probe_slot *slots, uint32_t seq)
{
	struct probe_slot *s = &slots[seq % PROBE_SLOTS];

	s->open = false;
	s->lost = false;
}
