/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker flow table (lib/flow): one entry per 5-tuple, idle aging per timeout class,
 * eviction of the live entry closest to expiry when a bucket is full, a fixed footprint under
 * any churn, a wrapping 32-bit millisecond clock, and per-path counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow_table.h"

/* Timeouts (ms) by class: FLOW_TO_TCP, FLOW_TO_TCP_CLOSED, FLOW_TO_UDP, FLOW_TO_OTHER. */
static const uint32_t timeouts[FLOW_TO_MAX] = {300000, 10000, 60000, 30000};

/* A zeroed table of capacity flows in memory of our own; free the returned pointer. */
static void *table_new(struct flow_table *t, uint32_t capacity, const uint32_t to[FLOW_TO_MAX])
{
	size_t sz = flow_table_memsize(capacity);
	void *mem = aligned_alloc(64, sz);

	assert_non_null(mem);
	memset(mem, 0, sz);
	flow_table_init(t, mem, capacity, to);
	assert_int_equal(flow_table_size(t), capacity);
	return mem;
}

/* A distinct IPv4 UDP key for every n. */
static struct flow_key key_of(uint32_t n)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.src[0] = 10;
	k.src[1] = n >> 16;
	k.src[2] = n >> 8;
	k.src[3] = n;
	k.dst[0] = 192;
	k.dst[1] = 0;
	k.dst[2] = 2;
	k.dst[3] = n >> 24;
	k.sport = 40000;
	k.dport = 443;
	k.proto = 17;
	k.family = 4;
	return k;
}

/*
 * flow_hash() of a key. rte_hash_crc() reads the key through uint64_t pointers, which under
 * strict aliasing need not see a key just built by member stores in the same function: GCC 12
 * at -O2 hashes key_of(i) built in a loop as 0. The barrier makes the stores land first.
 */
static uint32_t hash_of(const struct flow_key *k)
{
	__asm__ volatile("" : : "r"(k) : "memory");
	return flow_hash(k);
}

static struct flow_entry *lookup(
	struct flow_table *t, const struct flow_key *k, uint32_t now, bool *created)
{
	return flow_lookup(t, k, hash_of(k), now, created);
}

/* Look k up expecting a new flow, and touch it as the worker does. */
static struct flow_entry *add(
	struct flow_table *t, const struct flow_key *k, uint32_t now, enum flow_timeout_class c)
{
	bool created = false;
	struct flow_entry *e = lookup(t, k, now, &created);

	assert_true(created);
	flow_touch(t, e, now, 100, c);
	return e;
}

/* Is k a live flow at now (a lookup that does not create)? A miss leaves a stale entry
 * behind (expiry == now, so already dead). */
static bool found(struct flow_table *t, const struct flow_key *k, uint32_t now)
{
	bool created = true;

	lookup(t, k, now, &created);
	return !created;
}

/* n keys, starting from key_of(*next), that all fall in bucket b. */
static void keys_in_bucket(const struct flow_table *t, uint32_t b, struct flow_key *out,
	unsigned int n, uint32_t *next)
{
	for (unsigned int i = 0; i < n; (*next)++) {
		struct flow_key k = key_of(*next);
		if ((hash_of(&k) & t->bucket_mask) == b)
			out[i++] = k;
	}
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct flow_entry), 64);
	assert_int_equal(sizeof(struct flow_bucket), 64);
	/* 128 buckets of one line plus 1024 entries of one line */
	assert_int_equal(flow_table_memsize(1024), 128 * 64 + 1024 * 64);
}

static void test_capacity(void **state)
{
	(void)state;
	assert_int_equal(flow_table_capacity(0), FLOW_SIZE_MIN);
	assert_int_equal(flow_table_capacity(1), FLOW_SIZE_MIN);
	assert_int_equal(flow_table_capacity(FLOW_SIZE_MIN - 1), FLOW_SIZE_MIN);
	assert_int_equal(flow_table_capacity(FLOW_SIZE_MIN), FLOW_SIZE_MIN);
	assert_int_equal(flow_table_capacity(FLOW_SIZE_MIN + 1), 2 * FLOW_SIZE_MIN);
	assert_int_equal(flow_table_capacity(3000), 4096);
	assert_int_equal(flow_table_capacity(65536), 65536);
	assert_int_equal(flow_table_capacity(65537), 131072);
	assert_int_equal(flow_table_capacity(FLOW_SIZE_MAX - 1), FLOW_SIZE_MAX);
	assert_int_equal(flow_table_capacity(FLOW_SIZE_MAX), FLOW_SIZE_MAX);
	assert_int_equal(flow_table_capacity(FLOW_SIZE_MAX + 1), FLOW_SIZE_MAX);
	assert_int_equal(flow_table_capacity(UINT32_MAX), FLOW_SIZE_MAX);
	/* a table meant for n flows has 2n slots */
	assert_int_equal(flow_table_slots(1), FLOW_SIZE_MIN);
	assert_int_equal(flow_table_slots(FLOW_SIZE_MIN), 2 * FLOW_SIZE_MIN);
	assert_int_equal(flow_table_slots(1u << 20), 1u << 21);
	assert_int_equal(flow_table_slots(1u << 24), 1u << 25);
	assert_int_equal(flow_table_slots(UINT32_MAX), FLOW_SIZE_MAX);
}

/* murmur3's finaliser: a bijection of 32-bit words that scatters consecutive ones. */
static uint32_t scatter(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x85ebca6b;
	x ^= x >> 13;
	x *= 0xc2b2ae35;
	x ^= x >> 16;
	return x;
}

/* How many of n distinct flows, added in turn, are still live afterwards in a table of
 * `slots` slots (the rest were evicted by flows that fell in their full bucket). The keys
 * are scattered: CRC32-C is linear, and consecutive keys would fill the buckets evenly,
 * which real traffic does not. */
static uint32_t survivors(uint32_t slots, uint32_t n)
{
	struct flow_table t;
	void *mem = table_new(&t, slots, timeouts);
	uint32_t live;

	for (uint32_t i = 0; i < n; i++) {
		struct flow_key k = key_of(scatter(i));
		add(&t, &k, 1000, FLOW_TO_UDP);
	}
	live = flow_table_count(&t, 1000, 0, NULL, 0);
	assert_int_equal(t.stats.evicted, n - live);
	free(mem);
	return live;
}

/* The reason for flow_table_slots(): at half load nearly every flow keeps its entry; a
 * table with exactly as many slots as flows loses many to over-subscribed buckets. */
static void test_holds_its_size(void **state)
{
	const uint32_t n = 1u << 17;
	uint32_t half = survivors(flow_table_slots(n), n), full = survivors(n, n);

	(void)state;
	print_message("%u flows: %u live in %u slots, %u live in %u slots\n", n, half,
		flow_table_slots(n), full, n);
	assert_true(half >= n - n / 50); /* at most 2 % evicted (0.7 % expected) */
	assert_true(full <= n - n / 20); /* at least 5 % evicted (12 % expected) */
}

static void test_same_key_same_entry(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, 1024, timeouts);
	struct flow_key k = key_of(1);
	bool created = false;

	(void)state;
	struct flow_entry *e = lookup(&t, &k, 1000, &created);
	assert_true(created);
	assert_true(flow_key_eq(&e->key, &k));
	assert_int_equal(e->path, FLOW_NO_PATH);
	assert_int_equal(e->packets, 0);
	assert_int_equal(e->bytes, 0);
	flow_touch(&t, e, 1000, 1500, FLOW_TO_UDP);
	e->path = 3;

	struct flow_key same = key_of(1); /* an equal copy, not the same object */
	assert_ptr_equal(lookup(&t, &same, 1001, &created), e);
	assert_false(created);
	assert_int_equal(e->path, 3); /* untouched by the lookup */
	flow_touch(&t, e, 1001, 500, FLOW_TO_UDP);
	assert_int_equal(e->packets, 2);
	assert_int_equal(e->bytes, 2000);
	assert_int_equal(e->last, 1001);
	assert_int_equal(t.stats.created, 1);
	assert_int_equal(flow_table_count(&t, 1001, 0, NULL, 0), 1);
	free(mem);
}

static void test_each_field_a_different_flow(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, 1024, timeouts);
	struct flow_key k[7];
	struct flow_entry *e[7];
	bool created;

	(void)state;
	for (unsigned int i = 0; i < 7; i++)
		k[i] = key_of(1);
	k[1].src[3] ^= 1;
	k[2].dst[3] ^= 1;
	k[3].sport++;
	k[4].dport++;
	k[5].proto = 6;
	k[6].family = 6;
	for (unsigned int i = 0; i < 7; i++) {
		e[i] = add(&t, &k[i], 1000, FLOW_TO_UDP);
		for (unsigned int j = 0; j < i; j++)
			assert_ptr_not_equal(e[i], e[j]);
	}
	for (unsigned int i = 0; i < 7; i++) {
		assert_ptr_equal(lookup(&t, &k[i], 1001, &created), e[i]);
		assert_false(created);
	}
	assert_int_equal(t.stats.created, 7);
	assert_int_equal(t.stats.evicted, 0);
	assert_int_equal(flow_table_count(&t, 1001, 0, NULL, 0), 7);
	free(mem);
}

/* Two different keys with the same 32-bit hash: same bucket, same signature, yet different
 * flows. A CRC is affine in its input, so flipping a set of key bits whose single-bit hash
 * changes XOR to 0 leaves the hash as it was; Gaussian elimination over 64 bit flips (in a
 * 32-bit space) finds such a set. */
static void test_full_hash_collision(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, 1024, timeouts);
	struct flow_key a = key_of(5), b;
	uint32_t basis[32] = {0};
	uint64_t combo[32] = {0}, flips = 0;
	bool created;

	(void)state;
	a.family = 6;
	for (unsigned int j = 0; j < 64 && flips == 0; j++) {
		struct flow_key k = a;
		k.src[j / 8] ^= 1u << (j % 8);
		uint32_t v = hash_of(&k) ^ hash_of(&a);
		uint64_t m = 1ull << j;
		for (int bit = 31; bit >= 0 && v != 0; bit--) {
			if (!(v >> bit & 1))
				continue;
			if (basis[bit] == 0) {
				basis[bit] = v;
				combo[bit] = m;
				v = 0;
				m = 0;
				break;
			}
			v ^= basis[bit];
			m ^= combo[bit];
		}
		if (m != 0)
			flips = m; /* these flips change nothing in the hash */
	}
	assert_true(flips != 0);
	b = a;
	for (unsigned int j = 0; j < 64; j++)
		if (flips >> j & 1)
			b.src[j / 8] ^= 1u << (j % 8);
	assert_false(flow_key_eq(&a, &b));
	assert_int_equal(hash_of(&a), hash_of(&b));

	struct flow_entry *ea = add(&t, &a, 0, FLOW_TO_UDP);
	struct flow_entry *eb = add(&t, &b, 0, FLOW_TO_UDP);
	assert_ptr_not_equal(ea, eb);
	assert_true(flow_key_eq(&ea->key, &a));
	assert_true(flow_key_eq(&eb->key, &b));
	assert_ptr_equal(lookup(&t, &a, 1, &created), ea);
	assert_false(created);
	assert_ptr_equal(lookup(&t, &b, 1, &created), eb);
	assert_false(created);
	assert_int_equal(t.stats.created, 2);
	free(mem);
}

static void test_udp_idle_timeout(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, 1024, timeouts);
	struct flow_key k = key_of(7);
	const uint32_t t0 = 5000;
	bool created;

	(void)state;
	struct flow_entry *e = add(&t, &k, t0, FLOW_TO_UDP);
	/* Lookups alone do not refresh it: only flow_touch does. */
	assert_ptr_equal(lookup(&t, &k, t0 + 59999, &created), e);
	assert_false(created);
	assert_int_equal(flow_table_count(&t, t0 + 59999, 0, NULL, 0), 1);
	assert_int_equal(flow_table_count(&t, t0 + 60000, 0, NULL, 0), 0);
	assert_int_equal(t.stats.expired, 0);
	/* Idle for the whole timeout: the same key is a new flow in the reused slot. */
	e->path = 2;
	assert_ptr_equal(lookup(&t, &k, t0 + 60000, &created), e);
	assert_true(created);
	assert_int_equal(e->path, FLOW_NO_PATH);
	assert_int_equal(e->packets, 0);
	assert_int_equal(t.stats.expired, 1);
	assert_int_equal(t.stats.evicted, 0);
	assert_int_equal(t.stats.created, 2);
	free(mem);
}

static void test_touch_extends(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, 1024, timeouts);
	struct flow_key k = key_of(8);

	(void)state;
	struct flow_entry *e = add(&t, &k, 0, FLOW_TO_OTHER);
	flow_touch(&t, e, 20000, 1, FLOW_TO_OTHER); /* live until 50000 now */
	assert_true(found(&t, &k, 49999));
	assert_false(found(&t, &k, 50000));
	free(mem);
}

static void test_tcp_closed_shorter(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, 1024, timeouts);
	struct flow_key open = key_of(1), closed = key_of(2), fin = key_of(3);
	const uint32_t t0 = 1000;

	(void)state;
	open.proto = closed.proto = fin.proto = 6;
	add(&t, &open, t0, FLOW_TO_TCP);
	add(&t, &closed, t0, FLOW_TO_TCP_CLOSED);
	/* An established flow that then sees a FIN: the short timeout runs from the FIN. */
	struct flow_entry *f = add(&t, &fin, t0, FLOW_TO_TCP);
	flow_touch(&t, f, t0 + 5, 60, FLOW_TO_TCP_CLOSED);

	assert_int_equal(flow_table_count(&t, t0 + 9999, 0, NULL, 0), 3);
	assert_int_equal(flow_table_count(&t, t0 + 10000, 0, NULL, 0), 2);
	assert_int_equal(flow_table_count(&t, t0 + 10005, 0, NULL, 0), 1);
	assert_true(found(&t, &closed, t0 + 9999));
	assert_false(found(&t, &closed, t0 + 10000));
	assert_true(found(&t, &fin, t0 + 10004));
	assert_false(found(&t, &fin, t0 + 10005));
	assert_true(found(&t, &open, t0 + 299999));
	assert_false(found(&t, &open, t0 + 300000));
	assert_int_equal(t.stats.expired, 3);
	assert_int_equal(t.stats.evicted, 0);
	free(mem);
}

static void test_evict_earliest_expiry(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, 1024, timeouts);
	struct flow_key k[FLOW_WAYS + 1];
	struct flow_entry *e[FLOW_WAYS + 1];
	uint32_t next = 0;
	const unsigned int early = 5;

	(void)state;
	keys_in_bucket(&t, 17, k, FLOW_WAYS + 1, &next);
	/* Expiries differ: the earliest is neither the first slot nor the oldest insert. */
	for (unsigned int i = 0; i < FLOW_WAYS; i++) {
		enum flow_timeout_class c = i == early ? FLOW_TO_OTHER : FLOW_TO_UDP;
		e[i] = add(&t, &k[i], 1000 + 100 * i, i == 0 ? FLOW_TO_TCP : c);
	}
	for (unsigned int i = 0; i < FLOW_WAYS; i++) /* all in bucket 17 */
		assert_true(
			e[i] >= &t.entries[17 * FLOW_WAYS] && e[i] < &t.entries[18 * FLOW_WAYS]);
	/* k[early] expires at 1500 + 30000; the rest at 1000 + 100 * i + 60000 or later. */
	assert_int_equal(flow_table_count(&t, 2000, 0, NULL, 0), FLOW_WAYS);
	assert_int_equal(t.stats.evicted, 0);

	e[FLOW_WAYS] = add(&t, &k[FLOW_WAYS], 2000, FLOW_TO_UDP);
	assert_int_equal(t.stats.evicted, 1);
	assert_int_equal(t.stats.expired, 0);
	assert_ptr_equal(e[FLOW_WAYS], e[early]); /* it took that slot */
	assert_int_equal(flow_table_count(&t, 2000, 0, NULL, 0), FLOW_WAYS);
	for (unsigned int i = 0; i <= FLOW_WAYS; i++) {
		bool created = true;
		if (i == early)
			continue;
		assert_ptr_equal(lookup(&t, &k[i], 2001, &created), e[i]);
		assert_false(created);
	}
	/* The evicted one comes back as a new flow (pushing out another). */
	assert_false(found(&t, &k[early], 2001));
	assert_int_equal(t.stats.evicted, 2);
	free(mem);
}

static void test_expired_slot_before_eviction(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, 1024, timeouts);
	struct flow_key k[FLOW_WAYS + 1];
	struct flow_entry *e[FLOW_WAYS];
	uint32_t next = 0;

	(void)state;
	keys_in_bucket(&t, 99, k, FLOW_WAYS + 1, &next);
	/* Slot 6 dies first (OTHER, 30 s); the rest are live for long after. */
	for (unsigned int i = 0; i < FLOW_WAYS; i++)
		e[i] = add(&t, &k[i], 0, i == 6 ? FLOW_TO_OTHER : FLOW_TO_TCP);
	assert_ptr_equal(add(&t, &k[FLOW_WAYS], 30000, FLOW_TO_UDP), e[6]);
	assert_int_equal(t.stats.expired, 1);
	assert_int_equal(t.stats.evicted, 0);
	for (unsigned int i = 0; i < FLOW_WAYS; i++)
		if (i != 6)
			assert_true(found(&t, &k[i], 30000));
	free(mem);
}

static void test_bounded_under_churn(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, FLOW_SIZE_MIN, timeouts);
	const uint32_t n = 2000000;
	uint32_t now = 1000, live = 0;

	(void)state;
	for (uint32_t i = 0; i < n; i++) {
		struct flow_key k = key_of(i);
		if (i % 1000 == 0)
			now++;
		add(&t, &k, now, FLOW_TO_UDP);
		if (i % 1000 == 999) {
			live = flow_table_count(&t, now, 0, NULL, 0);
			assert_true(live <= FLOW_SIZE_MIN);
		}
	}
	/* 2 s of churn against a 60 s timeout: nothing aged out; the table is full and every
	 * other flow was evicted. */
	live = flow_table_count(&t, now, 0, NULL, 0);
	print_message("created %llu, live %u, expired %llu, evicted %llu\n",
		(unsigned long long)t.stats.created, live, (unsigned long long)t.stats.expired,
		(unsigned long long)t.stats.evicted);
	assert_int_equal(live, FLOW_SIZE_MIN);
	assert_int_equal(t.stats.created, n);
	assert_int_equal(t.stats.created, live + t.stats.expired + t.stats.evicted);
	assert_int_equal(t.stats.evicted, n - FLOW_SIZE_MIN);

	/* A minute idle: all dead; new flows reuse dead slots rather than evicting. */
	now += 60000;
	assert_int_equal(flow_table_count(&t, now, 0, NULL, 0), 0);
	const uint64_t evicted = t.stats.evicted;
	for (uint32_t i = 0; i < 100; i++) {
		struct flow_key k = key_of(n + i);
		add(&t, &k, now, FLOW_TO_UDP);
	}
	assert_int_equal(t.stats.expired, 100);
	assert_int_equal(t.stats.evicted, evicted);
	assert_int_equal(flow_table_count(&t, now, 0, NULL, 0), 100);
	/* Occupied slots never outnumber the table. */
	assert_int_equal(t.stats.created - t.stats.expired - t.stats.evicted, FLOW_SIZE_MIN);
	free(mem);
}

static void test_clock_wrap(void **state)
{
	struct flow_table t;
	const uint32_t to[FLOW_TO_MAX] = {1000, 1000, 1000, 1000};
	void *mem = table_new(&t, 1024, to);
	struct flow_key k = key_of(42);
	const uint32_t t0 = 0xFFFFFF00u, end = 0xFFFFFF00u + 1000u;

	(void)state;
	assert_int_equal(end, 0x2E8);
	assert_true(flow_time_before(0xFFFFFFFFu, 0));
	assert_false(flow_time_before(0, 0xFFFFFFFFu));
	assert_false(flow_time_before(5, 5));

	add(&t, &k, t0, FLOW_TO_UDP);
	assert_int_equal(flow_table_count(&t, 0x00000100u, 0, NULL, 0), 1);
	assert_true(found(&t, &k, 0x00000100u)); /* 512 ms later, across the wrap */
	assert_true(found(&t, &k, end - 1));
	assert_int_equal(flow_table_count(&t, end, 0, NULL, 0), 0);
	assert_false(found(&t, &k, end));
	assert_int_equal(t.stats.expired, 1);
	free(mem);
}

static void test_evict_across_wrap(void **state)
{
	struct flow_table t;
	const uint32_t to[FLOW_TO_MAX] = {1000, 2000, 3000, 4000};
	void *mem = table_new(&t, 1024, to);
	struct flow_key k[FLOW_WAYS + 1];
	struct flow_entry *e[FLOW_WAYS];
	uint32_t next = 0;
	const uint32_t t0 = 0xFFFFF000u; /* 4096 ms before the wrap */

	(void)state;
	keys_in_bucket(&t, 3, k, FLOW_WAYS + 1, &next);
	/* Slot 2 expires at 0xFFFFF000 + 3500 (before the wrap), numerically the largest;
	 * the others expire after the wrap, at small numbers. */
	for (unsigned int i = 0; i < FLOW_WAYS; i++) {
		uint32_t now = i == 2 ? t0 + 500 : t0 + 3000 + i;
		e[i] = add(&t, &k[i], now, i == 2 ? FLOW_TO_UDP : FLOW_TO_OTHER);
	}
	assert_ptr_equal(add(&t, &k[FLOW_WAYS], t0 + 3010, FLOW_TO_UDP), e[2]);
	assert_int_equal(t.stats.evicted, 1);
	free(mem);
}

static void test_count_per_path(void **state)
{
	struct flow_table t;
	void *mem = table_new(&t, 1024, timeouts);
	const uint16_t gen = 7;
	struct {
		uint16_t path, gen;
		enum flow_timeout_class c;
	} f[] = {
		{0, 7, FLOW_TO_UDP}, {0, 7, FLOW_TO_TCP}, {2, 7, FLOW_TO_UDP},
		{1, 6, FLOW_TO_UDP},		/* another generation: live, not on a path */
		{FLOW_NO_PATH, 7, FLOW_TO_UDP}, /* not placed */
		{3, 7, FLOW_TO_UDP},		/* beyond n_paths: ignored */
		{1, 7, FLOW_TO_TCP_CLOSED},	/* dead by the time we count */
	};
	const unsigned int n = sizeof(f) / sizeof(f[0]);
	uint32_t paths[4];

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		struct flow_key k = key_of(100 + i);
		struct flow_entry *e = add(&t, &k, 0, f[i].c);
		e->path = f[i].path;
		e->gen = f[i].gen;
	}
	memset(paths, 0, sizeof(paths));
	paths[3] = 0xdead;
	assert_int_equal(flow_table_count(&t, 20000, gen, paths, 3), n - 1);
	assert_int_equal(paths[0], 2);
	assert_int_equal(paths[1], 0);
	assert_int_equal(paths[2], 1);
	assert_int_equal(paths[3], 0xdead); /* not written past n_paths */

	/* Generation 6 sees only its own entry. */
	memset(paths, 0, sizeof(paths));
	assert_int_equal(flow_table_count(&t, 20000, 6, paths, 3), n - 1);
	assert_int_equal(paths[0], 0);
	assert_int_equal(paths[1], 1);
	assert_int_equal(paths[2], 0);

	/* Before the closed one dies it counts on path 1. */
	memset(paths, 0, sizeof(paths));
	assert_int_equal(flow_table_count(&t, 9999, gen, paths, 3), n);
	assert_int_equal(paths[0], 2);
	assert_int_equal(paths[1], 1);
	assert_int_equal(paths[2], 1);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_holds_its_size),
		cmocka_unit_test(test_same_key_same_entry),
		cmocka_unit_test(test_each_field_a_different_flow),
		cmocka_unit_test(test_full_hash_collision),
		cmocka_unit_test(test_udp_idle_timeout),
		cmocka_unit_test(test_touch_extends),
		cmocka_unit_test(test_tcp_closed_shorter),
		cmocka_unit_test(test_evict_earliest_expiry),
		cmocka_unit_test(test_expired_slot_before_eviction),
		cmocka_unit_test(test_bounded_under_churn),
		cmocka_unit_test(test_clock_wrap),
		cmocka_unit_test(test_evict_across_wrap),
		cmocka_unit_test(test_count_per_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
