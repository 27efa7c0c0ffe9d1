/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hand-built mbuf chains for tests that run without the EAL (no mempool, no hugepages).
 * Each segment's data lives in its own exactly-sized heap block so that AddressSanitizer
 * catches any read past a segment's end.
 */
#ifndef MPGW_TEST_MBUF_H
#define MPGW_TEST_MBUF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#define TEST_MBUF_MAX_SEGS 16

static inline void test_mbuf_free(struct rte_mbuf *m)
{
	while (m != NULL) {
		struct rte_mbuf *next = m->next;

		free(m->buf_addr);
		free(m);
		m = next;
	}
}

/*
 * A chain holding data[0..len), cut at the ncuts offsets in cuts (ascending, each <= len;
 * equal or boundary cuts give empty segments). Returns NULL on allocation failure.
 */
static inline struct rte_mbuf *test_mbuf_chain(
	const void *data, uint32_t len, const uint32_t *cuts, unsigned int ncuts)
{
	struct rte_mbuf *head = NULL, **link = &head;
	uint32_t start = 0;
	unsigned int i;

	if (ncuts >= TEST_MBUF_MAX_SEGS)
		return NULL;
	for (i = 0; i <= ncuts; i++) {
		uint32_t stop = i < ncuts ? cuts[i] : len;
		uint32_t seg_len;
		struct rte_mbuf *m;

		if (stop < start || stop > len) {
			test_mbuf_free(head);
			return NULL;
		}
		seg_len = stop - start;
		/* struct rte_mbuf is cache-line aligned; keep UBSan's alignment check happy. */
		m = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*m));
		if (m == NULL) {
			test_mbuf_free(head);
			return NULL;
		}
		memset(m, 0, sizeof(*m));
		m->buf_addr = malloc(seg_len ? seg_len : 1);
		if (m->buf_addr == NULL) {
			free(m);
			test_mbuf_free(head);
			return NULL;
		}
		if (seg_len)
			memcpy(m->buf_addr, (const uint8_t *)data + start, seg_len);
		m->buf_len = (uint16_t)(seg_len ? seg_len : 1);
		m->data_off = 0;
		m->data_len = (uint16_t)seg_len;
		m->pkt_len = seg_len;
		m->nb_segs = 1;
		m->next = NULL;
		*link = m;
		link = &m->next;
		start = stop;
	}
	head->nb_segs = (uint16_t)(ncuts + 1);
	head->pkt_len = len;
	return head;
}

/* A single-segment mbuf holding a copy of data. */
static inline struct rte_mbuf *test_mbuf_flat(const void *data, uint32_t len)
{
	return test_mbuf_chain(data, len, NULL, 0);
}

/* A single-segment mbuf holding a copy of data, with `room` bytes of tailroom. */
static inline struct rte_mbuf *test_mbuf_flat_room(const void *data, uint32_t len, uint32_t room)
{
	struct rte_mbuf *m = test_mbuf_flat(data, len);
	uint8_t *buf;

	if (m == NULL || len + room > UINT16_MAX)
		return m;
	buf = realloc(m->buf_addr, len + room ? len + room : 1);
	if (buf == NULL) {
		test_mbuf_free(m);
		return NULL;
	}
	m->buf_addr = buf;
	m->buf_len = (uint16_t)(len + room ? len + room : 1);
	return m;
}

/* The packet's bytes, gathered from its segments into out (pkt_len bytes). */
static inline void test_mbuf_gather(const struct rte_mbuf *m, uint8_t *out)
{
	for (; m != NULL; m = m->next) {
		memcpy(out, (const uint8_t *)m->buf_addr + m->data_off, m->data_len);
		out += m->data_len;
	}
}

#endif
