/* SPDX-License-Identifier: BSD-3-Clause */
#include "flow_table.h"

uint32_t flow_table_capacity(uint32_t want)
{
	uint32_t c = FLOW_SIZE_MIN;

	while (c < want && c < FLOW_SIZE_MAX)
		c <<= 1;
	return c;
}

size_t flow_table_memsize(uint32_t capacity)
{
	return (size_t)(capacity / FLOW_WAYS) * sizeof(struct flow_bucket) +
	       (size_t)capacity * sizeof(struct flow_entry);
}

void flow_table_init(
	struct flow_table *t, void *mem, uint32_t capacity, const uint32_t timeout_ms[FLOW_TO_MAX])
{
	uint32_t n_buckets = capacity / FLOW_WAYS;

	memset(t, 0, sizeof(*t));
	t->buckets = mem;
	t->entries = (struct flow_entry *)(t->buckets + n_buckets);
	t->bucket_mask = n_buckets - 1;
	memcpy(t->timeout_ms, timeout_ms, sizeof(t->timeout_ms));
}

uint32_t flow_table_count(
	const struct flow_table *t, uint32_t now, uint16_t gen, uint32_t *paths, uint32_t n_paths)
{
	uint32_t live = 0;

	for (uint32_t b = 0; b <= t->bucket_mask; b++) {
		const struct flow_bucket *bk = &t->buckets[b];
		for (unsigned int i = 0; i < FLOW_WAYS; i++) {
			if (bk->sig[i] == 0 || !flow_time_before(now, bk->expire[i]))
				continue;
			live++;
			const struct flow_entry *e = &t->entries[(size_t)b * FLOW_WAYS + i];
			if (paths != NULL && e->gen == gen && e->path < n_paths)
				paths[e->path]++;
		}
	}
	return live;
}
