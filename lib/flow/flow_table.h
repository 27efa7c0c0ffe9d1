/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker flow table: the 5-tuple of a tunnelled flow -> the tunnel path (uplink) it
 * was given, with its traffic; and the flows the LAN opened natively through the WAN edge
 * (FLOW_F_NATIVE), whose answers the edge lets in (lib/graph/node_inbound.c). Only its worker reads and writes it, so it takes no lock;
 * telemetry walks it for summaries, tolerating a stale read.
 *
 * Bounded and flat by construction: a fixed array of buckets of FLOW_WAYS entries, sized
 * once at start. A bucket's signatures and expiry times share one cache line, so a lookup
 * touches that line and, on a signature match, the entry's line. An entry is live until
 * its expiry time (idle timeout per protocol, shorter once a TCP flow has seen FIN or
 * RST); an expired slot is reused in place, and when every slot of a bucket is live the
 * one closest to expiry is evicted. Nothing is ever allocated, chained or rehashed, so a
 * table full of churning flows costs what an empty one does (the degradation of
 * shared/seeds/001 cannot happen here).
 *
 * Times are milliseconds on a 32-bit clock that wraps every 49 days: compare them only
 * through flow_time_before().
 */
#ifndef MPGW_FLOW_TABLE_H
#define MPGW_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define FLOW_WAYS     8
#define FLOW_SIZE_MIN 1024
#define FLOW_SIZE_MAX (1u << 25)
#define FLOW_NO_PATH  UINT16_MAX

struct flow_key {
	uint8_t src[16]; /* IPv4: the first 4 bytes, the rest 0 */
	uint8_t dst[16];
	uint16_t sport; /* 0 where there is no port (ICMP, fragments) */
	uint16_t dport;
	uint8_t proto;
	uint8_t family; /* 4 or 6 */
	uint8_t pad[2];
};

#define FLOW_F_CLOSING 0x01 /* TCP FIN or RST seen: the short timeout applies */
#define FLOW_F_DSCP    0x02 /* placed by a DSCP rule (lowest-latency uplink) */
#define FLOW_F_NATIVE  0x04 /* sent natively out of the WAN edge: its answers may come in */

/* One cache line. */
struct flow_entry {
	struct flow_key key;
	uint64_t bytes;
	uint32_t packets;
	uint32_t last; /* ms: the last packet, for flowlet gaps */
	uint16_t path; /* tunnel path index of the paths of generation `gen`, or FLOW_NO_PATH */
	uint16_t gen;  /* low bits of that generation (fib->path_gen) */
	uint8_t flags; /* FLOW_F_* */
	uint8_t pad[3];
} __attribute__((aligned(64)));

/* One cache line: signature 0 is an empty slot. */
struct flow_bucket {
	uint32_t sig[FLOW_WAYS];
	uint32_t expire[FLOW_WAYS];
} __attribute__((aligned(64)));

enum flow_timeout_class {
	FLOW_TO_TCP,
	FLOW_TO_TCP_CLOSED,
	FLOW_TO_UDP,
	FLOW_TO_OTHER,
	FLOW_TO_MAX
};

struct flow_stats {
	uint64_t created;
	uint64_t expired; /* slots reused after their flow's idle timeout */
	uint64_t evicted; /* live flows pushed out of a full bucket */
};

struct flow_table {
	struct flow_bucket *buckets;
	struct flow_entry *entries; /* bucket b's entries are entries[b * FLOW_WAYS ...] */
	uint32_t bucket_mask;
	uint32_t timeout_ms[FLOW_TO_MAX];
	struct flow_stats stats;
};

/* Slots of a table sized for `want`: a power of two, FLOW_SIZE_MIN to FLOW_SIZE_MAX. */
uint32_t flow_table_capacity(uint32_t want);
/*
 * Slots of a table meant to keep `flows` live flows: twice as many. With flows hashed into
 * 8-way buckets, a full table leaves many buckets over-subscribed and their flows evict
 * one another (1M flows in 1M slots: 12 % of them beyond a full bucket); at half load
 * few are (0.7 %).
 */
static inline uint32_t flow_table_slots(uint32_t flows)
{
	return flow_table_capacity(flows > UINT32_MAX / 2 ? UINT32_MAX : 2 * flows);
}
/* Bytes of memory (64-byte aligned) a table of `capacity` flows needs. */
size_t flow_table_memsize(uint32_t capacity);
/* Lay a table of `capacity` flows over mem (zeroed, flow_table_memsize bytes). */
void flow_table_init(
	struct flow_table *t, void *mem, uint32_t capacity, const uint32_t timeout_ms[FLOW_TO_MAX]);

static inline uint32_t flow_table_size(const struct flow_table *t)
{
	return (t->bucket_mask + 1) * FLOW_WAYS;
}

/* Is time a before b (on the wrapping clock)? */
static inline bool flow_time_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* CRC32-C of the key, 8 bytes at a time (what rte_hash_crc(k, 40, 0) computes). The key is
 * copied into words first: rte_hash_crc() reads through uint64_t pointers, which may not
 * alias a struct, and GCC then hashes a key built just before as if it were not written. */
static inline uint32_t flow_hash(const struct flow_key *k)
{
	uint64_t w[sizeof(*k) / 8];
	uint32_t h = 0;

	memcpy(w, k, sizeof(w));
	for (unsigned int i = 0; i < RTE_DIM(w); i++)
		h = rte_hash_crc_8byte(w[i], h);
	return h;
}

/* The signature a hash is stored under: never 0, which marks an empty slot. */
static inline uint32_t flow_sig(uint32_t hash)
{
	return hash | 1;
}

/* Bit i set: way i of bk holds signature sig (live or not). */
static inline unsigned int flow_sig_match(const struct flow_bucket *bk, uint32_t sig)
{
#ifdef __SSE2__
	const __m128i *v = (const __m128i *)bk->sig;
	__m128i s = _mm_set1_epi32((int)sig);
	unsigned int lo = (unsigned int)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v[0], s)));
	unsigned int hi = (unsigned int)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(v[1], s)));
	return lo | hi << 4;
#else
	unsigned int m = 0;
	for (unsigned int i = 0; i < FLOW_WAYS; i++)
		m |= (unsigned int)(bk->sig[i] == sig) << i;
	return m;
#endif
}

/*
 * A lookup in three steps over a burst, each a pass over all its packets, so that the
 * memory latency of one packet's step hides behind the work on the others:
 * flow_prefetch() brings in the bucket, flow_prefetch_entry() (bucket now in cache) the
 * entry whose signature matches, and flow_lookup() finds both in cache.
 */
static inline void flow_prefetch(const struct flow_table *t, uint32_t hash)
{
	rte_prefetch0(&t->buckets[hash & t->bucket_mask]);
}

static inline void flow_prefetch_entry(const struct flow_table *t, uint32_t hash)
{
	uint32_t b = hash & t->bucket_mask;
	unsigned int m = flow_sig_match(&t->buckets[b], flow_sig(hash));

	/* usually one way, the flow's; none for a new flow */
	while (m != 0) {
		rte_prefetch0(&t->entries[(size_t)b * FLOW_WAYS + (unsigned int)__builtin_ctz(m)]);
		m &= m - 1;
	}
}

/* Five 8-byte compares: the key is 40 bytes, no padding left uninitialised. */
static inline bool flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
	uint64_t x[sizeof(*a) / 8], y[sizeof(*b) / 8], d = 0;

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	for (unsigned int i = 0; i < RTE_DIM(x); i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/* The live entry of key at time now, or NULL. */
static inline struct flow_entry *flow_find(
	struct flow_table *t, const struct flow_key *key, uint32_t hash, uint32_t now)
{
	uint32_t b = hash & t->bucket_mask;
	const struct flow_bucket *bk = &t->buckets[b];
	struct flow_entry *base = &t->entries[(size_t)b * FLOW_WAYS];

	for (unsigned int m = flow_sig_match(bk, flow_sig(hash)); m != 0; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(m);
		if (flow_time_before(now, bk->expire[i]) && flow_key_eq(&base[i].key, key))
			return &base[i];
	}
	return NULL;
}

/*
 * The live entry of key at time now, or a new one (path FLOW_NO_PATH, counters 0; *created
 * set) in an empty or expired slot, or in place of the bucket's live entry that expires
 * first. Never fails.
 */
static inline struct flow_entry *flow_lookup(struct flow_table *t, const struct flow_key *key,
	uint32_t hash, uint32_t now, bool *created)
{
	uint32_t b = hash & t->bucket_mask;
	struct flow_bucket *bk = &t->buckets[b];
	struct flow_entry *base = &t->entries[(size_t)b * FLOW_WAYS];
	uint32_t sig = flow_sig(hash);
	unsigned int victim = FLOW_WAYS;
	struct flow_entry *live = flow_find(t, key, hash, now);

	if (live != NULL) {
		*created = false;
		return live;
	}
	for (unsigned int i = 0; i < FLOW_WAYS; i++) {
		if (bk->sig[i] == 0 || !flow_time_before(now, bk->expire[i])) {
			victim = i;
			break;
		}
	}
	if (victim == FLOW_WAYS) {
		victim = 0;
		for (unsigned int i = 1; i < FLOW_WAYS; i++)
			if (flow_time_before(bk->expire[i], bk->expire[victim]))
				victim = i;
		t->stats.evicted++;
	} else if (bk->sig[victim] != 0) {
		t->stats.expired++;
	}
	t->stats.created++;
	bk->sig[victim] = sig;
	bk->expire[victim] = now; /* flow_touch() sets the real expiry */
	struct flow_entry *e = &base[victim];
	memset(e, 0, sizeof(*e));
	e->key = *key;
	e->path = FLOW_NO_PATH;
	e->last = now;
	*created = true;
	return e;
}

/* Account a packet of len bytes to e at time now and push its expiry out by the timeout of
 * its class. */
static inline void flow_touch(struct flow_table *t, struct flow_entry *e, uint32_t now,
	uint32_t len, enum flow_timeout_class c)
{
	size_t i = (size_t)(e - t->entries);

	e->packets++;
	e->bytes += len;
	e->last = now;
	t->buckets[i / FLOW_WAYS].expire[i % FLOW_WAYS] = now + t->timeout_ms[c];
}

/* Live flows at time now, and how many of them are on each path (paths[0..n_paths), where
 * not NULL) among those placed in FIB generation gen. Walks the whole table. */
uint32_t flow_table_count(
	const struct flow_table *t, uint32_t now, uint16_t gen, uint32_t *paths, uint32_t n_paths);

#endif
