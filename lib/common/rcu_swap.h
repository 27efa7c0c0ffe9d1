/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Publishing a table the workers read, one way everywhere (the FIB, the uplinks'
 * scheduling table, the MPTCP subflow table): the control thread swaps the pointer under
 * the lock it is given (the control-side readers', telemetry's, where they have one and
 * the caller does not hold it already), releases that lock, waits for an RCU grace period
 * of the workers, and only then hands the old table back to be freed. The grace period is
 * waited for outside that lock, so that a slow one (or a slow free) does not hold up its
 * readers; a control-side reader holds the lock for as long as it uses what it read, so
 * once the swap is done none can reach the old table.
 */
#ifndef MPGW_RCU_SWAP_H
#define MPGW_RCU_SWAP_H

#include <pthread.h>
#include <stddef.h>

#include <rte_rcu_qsbr.h>

/*
 * *slot = fresh, published to the workers of rcu (NULL: there are none yet) and to the
 * control-side readers of lock (NULL: there are none); the old value, once no worker or
 * reader can hold it, for the caller to free. A macro so that the pointer keeps its type.
 */
#define RCU_SWAP(slot, fresh, rcu, lock)                                                           \
	({                                                                                         \
		__typeof__(*(slot)) rcu_swap_old_;                                                 \
		rcu_swap_lock(lock);                                                               \
		rcu_swap_old_ = __atomic_exchange_n((slot), (fresh), __ATOMIC_ACQ_REL);            \
		rcu_swap_unlock(lock);                                                             \
		if (rcu_swap_old_ != NULL)                                                         \
			rcu_swap_wait(rcu);                                                        \
		rcu_swap_old_;                                                                     \
	})

static inline void rcu_swap_lock(pthread_mutex_t *lock)
{
	if (lock != NULL)
		pthread_mutex_lock(lock);
}

static inline void rcu_swap_unlock(pthread_mutex_t *lock)
{
	if (lock != NULL)
		pthread_mutex_unlock(lock);
}

/* Until every worker of rcu has passed a quiescent state since the call. */
static inline void rcu_swap_wait(struct rte_rcu_qsbr *rcu)
{
	if (rcu != NULL)
		rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
}

#endif
