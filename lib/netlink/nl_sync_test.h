/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mirror's way in for the unit tests (tests/unit/test_nl_sync.c) and the fuzzer
 * (tests/fuzz/fuzz_netlink.c): netlink datagrams fed to its message handlers without
 * sockets or twins. The daemon uses nl_sync_input() and nl_sync_port_of_ifindex() itself;
 * the rest is for them alone.
 */
#ifndef MPGW_NL_SYNC_TEST_H
#define MPGW_NL_SYNC_TEST_H

#include <stddef.h>
#include <stdint.h>

/* One datagram of buf's len bytes as the event socket received it: from the socket of port
 * id sender (0: the kernel), with recvmsg()'s flags (MSG_TRUNC: cut short). */
void nl_sync_input(const void *buf, size_t len, uint32_t sender, int flags);

/* The mpgw port of the twin of ifindex, or -1: twin_port_of_ifindex(). Weak: a test
 * without twins defines its own. */
int nl_sync_port_of_ifindex(int ifindex);

/* The mirror's tables made for max_routes routes, its counters zeroed, without sockets:
 * nl_sync_input() and nl_sync_merged() work, nl_sync_poll() must not be called.
 * nl_sync_stop() undoes it. 0, or -1 when out of memory. */
int nl_sync_test_start(uint32_t max_routes);

/* Forget all the mirror holds, as a resync does before its dump (the counters stay). */
void nl_sync_test_forget(void);

#endif
