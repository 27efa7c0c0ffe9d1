/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A doorbell between producers that queue work on rings (workers) and a consumer thread
 * that sleeps in poll() when there is none (the twins' service thread). The consumer arms
 * the bell, looks at its rings once more, and sleeps on fd (an eventfd); a producer that
 * has queued something rings the bell only if it is armed, and only the first one to see
 * it armed writes. A busy consumer costs a producer one fence and one load per burst, and
 * no system call; a sleeping one, one write per wake-up.
 */
#ifndef MPGW_DOORBELL_H
#define MPGW_DOORBELL_H

#include <stdint.h>
#include <unistd.h>

#include <rte_branch_prediction.h>

struct doorbell {
	uint32_t armed;
	int fd; /* eventfd the consumer polls */
};

/* Producer, after its enqueue: wake the consumer if it sleeps. The fence orders the
 * enqueue before the load of armed (the consumer orders its store of armed before it
 * looks at the rings): one of the two sees the other. */
static inline void doorbell_ring(struct doorbell *d)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (likely(!__atomic_load_n(&d->armed, __ATOMIC_RELAXED)))
		return;
	if (__atomic_exchange_n(&d->armed, 0, __ATOMIC_ACQ_REL)) {
		uint64_t one = 1;
		if (write(d->fd, &one, sizeof(one)) < 0) {
			/* the counter at its maximum: the consumer is awake anyway */
		}
	}
}

/* Consumer: arm before the last look at the rings; disarm when awake. */
static inline void doorbell_arm(struct doorbell *d)
{
	__atomic_store_n(&d->armed, 1, __ATOMIC_SEQ_CST);
}

static inline void doorbell_disarm(struct doorbell *d)
{
	__atomic_store_n(&d->armed, 0, __ATOMIC_RELAXED);
}

#endif
