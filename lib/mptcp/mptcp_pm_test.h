/* SPDX-License-Identifier: BSD-3-Clause */
/* The MPTCP path manager's event parser fed without sockets, for the fuzzer
 * (tests/fuzz/fuzz_mptcp_pm.c). */
#ifndef MPGW_MPTCP_PM_TEST_H
#define MPGW_MPTCP_PM_TEST_H

#include <stddef.h>
#include <stdint.h>

/* One datagram of buf's len bytes from the mptcp_pm_events group, of generic netlink family
 * id family (the kernel's is known at run time only), through the event parser from an
 * empty connection table (those before are closed); then the data path's subflow table
 * published, as a poll does. EAL must be up (the table is in its memory). */
void mptcp_pm_test_events(const void *buf, size_t len, uint16_t family);

#endif
