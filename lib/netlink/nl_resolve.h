/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hops the FIB has no MAC for, resolved by asking the kernel: the gateways of the
 * uplinks and of the routes, where neither the configuration nor the kernel's neighbours
 * give one. For each, once a second while it stays unresolved, the control thread sends
 * the kernel an RTM_NEWNEIGH with NTF_USE on the twin of its port (what a packet to that
 * next hop would do): the kernel sends ARP or neighbour solicitations out of the twin,
 * through mpgw, the answer comes back through the twin, and the mirror of the neighbours
 * (nl_sync_*.c) hands the MAC to the next FIB version. Without this a next hop is resolved
 * only once the kernel itself sends to it, and an uplink's health probes, which mpgw
 * sends, would wait for that.
 */
#ifndef MPGW_NL_RESOLVE_H
#define MPGW_NL_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* How often an unresolved next hop is asked for again. */
#define NL_RESOLVE_INTERVAL_MS 1000
/* Next hops followed at once: gateways are few, even behind a million routes. */
#define NL_RESOLVE_MAX 256

int nl_resolve_start(char *err, size_t errlen);
/* From each FIB build: the next hops of m (the configuration merged with the mirror)
 * without a neighbour in m. */
void nl_resolve_collect(const struct mpgw_config *m);
/* Control thread: ask for those due. */
void nl_resolve_poll(void);
void nl_resolve_stop(void);
/* Requests sent, and next hops waiting now. */
void nl_resolve_stats(uint64_t *requests, uint32_t *waiting);

#endif
