/* SPDX-License-Identifier: BSD-3-Clause */
/* Uplink scheduling logic (lib/uplink): weighted shares, minimal movement, backups,
 * probe hysteresis; the probes' nonces and the check of their answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "uplink_nonce.h"
#include "uplink_sched.h"

/* A well-mixed 64-bit hash of a flow number (splitmix64's finaliser). */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void test_weights_1_2_3(void **state)
{
	const uint32_t w[3] = {1, 2, 3};
	uint8_t reta[UPLINK_RETA_SIZE];
	unsigned int flows[3] = {0}, slots[3] = {0};
	const unsigned int n = 100000;

	(void)state;
	assert_int_equal(uplink_reta_build(w, 3, NULL, reta), 3);
	for (unsigned int s = 0; s < UPLINK_RETA_SIZE; s++) {
		assert_true(reta[s] < 3);
		slots[reta[s]]++;
	}
	/* 1024 slots by 1:2:3: 170.67, 341.33, 512 -> largest remainder 171, 341, 512 */
	assert_int_equal(slots[0], 171);
	assert_int_equal(slots[1], 341);
	assert_int_equal(slots[2], 512);
	for (unsigned int f = 0; f < n; f++)
		flows[reta[mix(f) & (UPLINK_RETA_SIZE - 1)]]++;
	for (unsigned int i = 0; i < 3; i++) {
		double share = (double)flows[i] / n, want = (i + 1) / 6.0;
		print_message("uplink %u: %.4f of new flows (weight share %.4f)\n", i, share, want);
		assert_true(share > want - 0.02 && share < want + 0.02);
	}
}

static void test_spread(void **state)
{
	const uint32_t w[2] = {1, 1};
	uint8_t reta[UPLINK_RETA_SIZE];

	(void)state;
	uplink_reta_build(w, 2, NULL, reta);
	/* Interleaved, not two halves: any stretch of the table has both uplinks. */
	for (unsigned int s = 0; s + 4 <= UPLINK_RETA_SIZE; s += 4) {
		unsigned int c = 0;
		for (unsigned int k = 0; k < 4; k++)
			c += reta[s + k];
		assert_true(c > 0 && c < 4);
	}
}

static void test_remove_moves_only_its_flows(void **state)
{
	const uint32_t before[3] = {1, 2, 3}, after[3] = {1, 0, 3};
	uint8_t a[UPLINK_RETA_SIZE], b[UPLINK_RETA_SIZE], c[UPLINK_RETA_SIZE];
	unsigned int moved = 0;

	(void)state;
	uplink_reta_build(before, 3, NULL, a);
	assert_int_equal(uplink_reta_build(after, 3, a, b), 2);
	for (unsigned int s = 0; s < UPLINK_RETA_SIZE; s++) {
		assert_int_not_equal(b[s], 1);
		if (a[s] != 1)
			assert_int_equal(b[s], a[s]); /* the others' flows stay */
		else
			moved++;
	}
	assert_int_equal(moved, 341);
	/* Back again: only slots taken for uplink 1 change, and it gets its share back. */
	uplink_reta_build(before, 3, b, c);
	unsigned int to1 = 0;
	for (unsigned int s = 0; s < UPLINK_RETA_SIZE; s++) {
		if (c[s] != b[s])
			assert_int_equal(c[s], 1);
		to1 += c[s] == 1;
	}
	assert_int_equal(to1, 341);
}

static void test_none_usable(void **state)
{
	const uint32_t w[2] = {0, 0};
	uint8_t reta[UPLINK_RETA_SIZE];

	(void)state;
	assert_int_equal(uplink_reta_build(w, 2, NULL, reta), 0);
	for (unsigned int s = 0; s < UPLINK_RETA_SIZE; s++)
		assert_int_equal(reta[s], UPLINK_NONE);
}

static void test_backup_only_without_active(void **state)
{
	const enum uplink_mode modes[4] = {
		UPLINK_MODE_MASTER, UPLINK_MODE_ON, UPLINK_MODE_BACKUP, UPLINK_MODE_OFF};
	const uint32_t weights[4] = {2, 1, 5, 9};
	bool alive[4] = {true, true, true, true};
	uint32_t out[4];

	(void)state;
	assert_int_equal(uplink_usable_weights(modes, alive, weights, 4, out), 2);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 1);
	assert_int_equal(out[2], 0); /* backup: an active one is alive */
	assert_int_equal(out[3], 0); /* off: never */
	alive[0] = false;
	assert_int_equal(uplink_usable_weights(modes, alive, weights, 4, out), 1);
	assert_int_equal(out[1], 1);
	assert_int_equal(out[2], 0);
	alive[1] = false;
	assert_int_equal(uplink_usable_weights(modes, alive, weights, 4, out), 1);
	assert_int_equal(out[2], 5); /* no active left: the backup */
	assert_int_equal(out[3], 0);
	alive[2] = false;
	assert_int_equal(uplink_usable_weights(modes, alive, weights, 4, out), 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(out[i], 0);
}

static void test_hysteresis(void **state)
{
	const struct uplink_health_params p = {.down_after = 3, .up_after = 5};
	struct uplink_health h;

	(void)state;
	uplink_health_init(&h);
	assert_false(h.alive);
	/* Up only after 5 answered in a row. */
	for (int i = 0; i < 4; i++)
		assert_false(uplink_health_probe(&h, &p, true));
	assert_true(uplink_health_probe(&h, &p, true));
	assert_true(h.alive);
	/* Two losses are not enough; a third in a row is. */
	assert_false(uplink_health_probe(&h, &p, false));
	assert_false(uplink_health_probe(&h, &p, false));
	assert_false(uplink_health_probe(&h, &p, true));
	assert_false(uplink_health_probe(&h, &p, false));
	assert_false(uplink_health_probe(&h, &p, false));
	assert_true(uplink_health_probe(&h, &p, false));
	assert_false(h.alive);
	/* Flapping (4 good, 1 lost, ...) never brings it back. */
	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < 4; i++)
			assert_false(uplink_health_probe(&h, &p, true));
		assert_false(uplink_health_probe(&h, &p, false));
	}
	assert_false(h.alive);
	for (int i = 0; i < 4; i++)
		uplink_health_probe(&h, &p, true);
	assert_true(uplink_health_probe(&h, &p, true));
}

/* The reference vectors of SipHash-2-4 (key 00..0f; the paper's appendix for 15 bytes). */
static void test_siphash_vectors(void **state)
{
	uint8_t key[16], msg[15];

	(void)state;
	for (unsigned int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (unsigned int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_true(probe_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ull);
	assert_true(probe_siphash24(key, msg, 8) == 0x93f5f5799a932462ull);
	assert_true(probe_siphash24(key, msg, 15) == 0xa129ca6149be45e5ull);
}

static void test_nonces(void **state)
{
	struct probe_nonce_gen a, b;
	uint64_t seen[64];

	(void)state;
	assert_int_equal(probe_nonce_seed(&a), 0);
	assert_int_equal(probe_nonce_seed(&b), 0);
	/* Two keys from getrandom(): two streams (equal with probability 2^-128). */
	assert_memory_not_equal(a.key, b.key, sizeof(a.key));
	assert_true(probe_nonce_next(&a) != probe_nonce_next(&b));
	/* No repeat, and not a counter: each is the PRF of the next counter value. */
	for (unsigned int i = 0; i < 64; i++) {
		uint8_t ctr[8] = {(uint8_t)a.next};
		seen[i] = probe_nonce_next(&a);
		assert_true(seen[i] == probe_siphash24(a.key, ctr, 8));
		for (unsigned int j = 0; j < i; j++)
			assert_true(seen[j] != seen[i]);
	}
	assert_true(seen[1] - seen[0] != seen[2] - seen[1]);
}

/* An answer with the right sequence number and the wrong nonce is no answer; the probe still
 * awaits the right one, which is. */
static void test_probe_wrong_nonce(void **state)
{
	struct probe_slot slots[PROBE_SLOTS];
	const uint64_t nonce = 0x0123456789abcdefull;

	(void)state;
	memset(slots, 0, sizeof(slots));
	slots[21 % PROBE_SLOTS] = (struct probe_slot){.seq = 21, .nonce = nonce, .open = true};
	assert_int_equal(probe_slot_check(slots, 21, nonce ^ 1), PROBE_FORGED);
	assert_int_equal(probe_slot_check(slots, 21, 0), PROBE_FORGED);
	assert_int_equal(probe_slot_check(slots, 21, nonce + 1), PROBE_FORGED);
	assert_true(slots[21 % PROBE_SLOTS].open);
	assert_int_equal(probe_slot_check(slots, 21, nonce), PROBE_ANSWERED);
	probe_slot_close(slots, 21);
	/* Once answered: a copy is stale, a forgery still a forgery. */
	assert_int_equal(probe_slot_check(slots, 21, nonce), PROBE_STALE);
	assert_int_equal(probe_slot_check(slots, 21, ~nonce), PROBE_FORGED);
	/* Another probe's number in the same slot (5, 37): nothing to check it by. */
	assert_int_equal(probe_slot_check(slots, 5, nonce), PROBE_STALE);
	assert_int_equal(probe_slot_check(slots, 37, nonce), PROBE_STALE);
}

/* A probe counted lost: its late answer is an RTT sample with the right nonce only. */
static void test_probe_late(void **state)
{
	struct probe_slot slots[PROBE_SLOTS];

	(void)state;
	memset(slots, 0, sizeof(slots));
	slots[3] = (struct probe_slot){.seq = 3, .nonce = 77, .lost = true};
	assert_int_equal(probe_slot_check(slots, 3, 78), PROBE_FORGED);
	assert_int_equal(probe_slot_check(slots, 3, 77), PROBE_LATE);
	probe_slot_close(slots, 3);
	assert_int_equal(probe_slot_check(slots, 3, 77), PROBE_STALE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weights_1_2_3),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_remove_moves_only_its_flows),
		cmocka_unit_test(test_none_usable),
		cmocka_unit_test(test_backup_only_without_active),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_nonces),
		cmocka_unit_test(test_probe_wrong_nonce),
		cmocka_unit_test(test_probe_late),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
