/* SPDX-License-Identifier: BSD-3-Clause */
/* Uplink scheduling logic (lib/uplink): weighted shares, minimal movement, backups,
 * probe hysteresis. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weights_1_2_3),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_remove_moves_only_its_flows),
		cmocka_unit_test(test_none_usable),
		cmocka_unit_test(test_backup_only_without_active),
		cmocka_unit_test(test_hysteresis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
