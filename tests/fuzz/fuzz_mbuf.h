/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mbufs for the fuzz targets (fuzz_graph, fuzz_twin_gro) with no room after their data, so
 * that ASan reports a read or write past a frame like one past a heap block.
 *
 * A pool mbuf has room after its data, where a read past the packet would go unnoticed.
 * Here each mbuf's data starts cache-line aligned, as a NIC puts it, and ends where the
 * mbuf says its buffer does (buf_len: no tailroom); everything after it is poisoned. The
 * pool's data rooms are FUZZ_REDZONE bytes longer than the mbufs say, poisoned for good, so
 * that there is always something poisoned after the data. fuzz_mbufs_restore() gives the
 * mbufs taken their buffers back whole once they are freed.
 */
#ifndef MPGW_FUZZ_MBUF_H
#define MPGW_FUZZ_MBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define FUZZ_REDZONE	 64
#define FUZZ_MBUFS_TAKEN 64 /* mbufs one input may take */

struct fuzz_mbufs {
	struct rte_mempool *pool;
	uint16_t buf_len; /* what each mbuf of the pool says its buffer holds */
	struct rte_mbuf *taken[FUZZ_MBUFS_TAKEN]; /* this input's, to give their buffers back */
	unsigned int n_taken;
};

/* rte_mempool_obj_iter callback: the end of each data room cut off and poisoned. */
static void fuzz_mbuf_redzone(struct rte_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	struct rte_mbuf *m = obj;
	uint16_t buf_len = *(const uint16_t *)opaque;

	(void)mp;
	(void)idx;
	m->buf_len = buf_len;
	ASAN_POISON_MEMORY_REGION((char *)m->buf_addr + buf_len, FUZZ_REDZONE);
}

/* A pool of n such mbufs (EAL up); false if it cannot be made. */
static inline bool fuzz_mbufs_init(struct fuzz_mbufs *f, unsigned int n)
{
	f->pool = rte_pktmbuf_pool_create(
		"fuzz_pool", n, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE + FUZZ_REDZONE, 0);
	if (f->pool == NULL)
		return false;
	f->buf_len = RTE_MBUF_DEFAULT_BUF_SIZE;
	f->n_taken = 0;
	rte_mempool_obj_iter(f->pool, fuzz_mbuf_redzone, &f->buf_len);
	return true;
}

/* A mbuf holding data[0..len) at the end of its buffer, the rest poisoned; NULL if the
 * pool is empty or the input took FUZZ_MBUFS_TAKEN already. */
static inline struct rte_mbuf *fuzz_mbuf(struct fuzz_mbufs *f, const uint8_t *data, size_t len)
{
	struct rte_mbuf *m;

	if (f->n_taken == FUZZ_MBUFS_TAKEN || (m = rte_pktmbuf_alloc(f->pool)) == NULL)
		return NULL;
	m->data_off = (uint16_t)RTE_ALIGN_FLOOR(f->buf_len - len, RTE_CACHE_LINE_SIZE);
	m->buf_len = (uint16_t)(m->data_off + len);
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	ASAN_POISON_MEMORY_REGION((char *)m->buf_addr + m->buf_len, f->buf_len - m->buf_len);
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), data, len);
	f->taken[f->n_taken++] = m;
	return m;
}

/* The buffers of the mbufs taken whole again, for whoever allocates them next (all must be
 * free: the pool hands out the least recently freed mbuf, so none was taken again since). */
static inline void fuzz_mbufs_restore(struct fuzz_mbufs *f)
{
	for (unsigned int i = 0; i < f->n_taken; i++) {
		struct rte_mbuf *m = f->taken[i];

		ASAN_UNPOISON_MEMORY_REGION(
			(char *)m->buf_addr + m->buf_len, f->buf_len - m->buf_len);
		m->buf_len = f->buf_len;
	}
	f->n_taken = 0;
}

#endif
