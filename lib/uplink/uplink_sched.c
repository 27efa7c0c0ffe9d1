/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "uplink_sched.h"

unsigned int uplink_usable_weights(const enum uplink_mode *modes, const bool *alive,
	const uint32_t *weights, unsigned int n, uint32_t *out)
{
	unsigned int active = 0, backup = 0;

	for (unsigned int i = 0; i < n; i++) {
		bool up = alive[i] && weights[i] > 0;
		active += up && (modes[i] == UPLINK_MODE_ON || modes[i] == UPLINK_MODE_MASTER);
		backup += up && modes[i] == UPLINK_MODE_BACKUP;
	}
	for (unsigned int i = 0; i < n; i++) {
		bool want = active ? modes[i] == UPLINK_MODE_ON || modes[i] == UPLINK_MODE_MASTER
				   : modes[i] == UPLINK_MODE_BACKUP;
		out[i] = want && alive[i] ? weights[i] : 0;
	}
	return active ? active : backup;
}

/* Slots per uplink, in proportion to w, summing to UPLINK_RETA_SIZE (largest remainder;
 * ties to the lower index). */
static void quotas(const uint32_t *w, unsigned int n, uint64_t total, uint32_t *quota)
{
	uint64_t rem[UPLINK_MAX];
	uint32_t given = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t share = (uint64_t)UPLINK_RETA_SIZE * w[i];
		quota[i] = (uint32_t)(share / total);
		rem[i] = share % total;
		given += quota[i];
	}
	while (given < UPLINK_RETA_SIZE) {
		unsigned int best = n;
		for (unsigned int i = 0; i < n; i++)
			if (w[i] > 0 && (best == n || rem[i] > rem[best]))
				best = i;
		quota[best]++;
		rem[best] = 0;
		given++;
	}
}

unsigned int uplink_reta_build(
	const uint32_t *w, unsigned int n, const uint8_t *prev, uint8_t *reta)
{
	uint32_t quota[UPLINK_MAX], count[UPLINK_MAX] = {0};
	uint64_t total = 0;
	unsigned int usable = 0;

	if (n > UPLINK_MAX)
		n = UPLINK_MAX;
	for (unsigned int i = 0; i < n; i++) {
		total += w[i];
		usable += w[i] > 0;
	}
	memset(reta, UPLINK_NONE, UPLINK_RETA_SIZE);
	if (usable == 0)
		return 0;
	quotas(w, n, total, quota);

	/* Keep what can stay. */
	if (prev != NULL)
		for (unsigned int s = 0; s < UPLINK_RETA_SIZE; s++) {
			uint8_t u = prev[s];
			if (u < n && count[u] < quota[u]) {
				reta[s] = u;
				count[u]++;
			}
		}
	/* Hand out the rest in turn, so that each uplink's slots are spread over the table. */
	unsigned int next = 0;
	for (unsigned int s = 0; s < UPLINK_RETA_SIZE; s++) {
		if (reta[s] != UPLINK_NONE)
			continue;
		while (count[next] >= quota[next])
			next = (next + 1) % n;
		reta[s] = (uint8_t)next;
		count[next]++;
		next = (next + 1) % n;
	}
	return usable;
}

void uplink_health_init(struct uplink_health *h)
{
	memset(h, 0, sizeof(*h));
}

bool uplink_health_probe(
	struct uplink_health *h, const struct uplink_health_params *p, bool answered)
{
	bool was = h->alive;

	if (answered) {
		h->lost_in_row = 0;
		if (h->answered_in_row < UINT8_MAX)
			h->answered_in_row++;
		if (!h->alive && h->answered_in_row >= p->up_after)
			h->alive = true;
	} else {
		h->answered_in_row = 0;
		if (h->lost_in_row < UINT8_MAX)
			h->lost_in_row++;
		if (h->alive && h->lost_in_row >= p->down_after)
			h->alive = false;
	}
	return h->alive != was;
}
