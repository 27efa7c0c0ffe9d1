/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel mirror's world for its unit tests and fuzz target (lib/netlink/nl_sync_*.c):
 * two ports, lan0 and wan0, whose twins have ifindex 2 and 3; ifindex 4 is a twin of a
 * port the FIB does not have (a route out of it is one fib_build() refuses); any other
 * ifindex is no twin. The first interfaces after lo in a fresh namespace are 2, 3, 4: the
 * seed corpus captured there names them (tests/fuzz/corpus/capture.py).
 *
 * Defines nl_sync_port_of_ifindex(), in place of the library's weak one: include it in
 * one file of a program.
 */
#ifndef MPGW_TEST_MIRROR_H
#define MPGW_TEST_MIRROR_H

#include "nl_sync_test.h"

#define TEST_IF_LAN	2
#define TEST_IF_WAN	3
#define TEST_IF_NO_PORT 4

#define TEST_MIRROR_CONFIG                                                                         \
	"[port lan0]\n"                                                                            \
	"device = net_null0\n"                                                                     \
	"mac = 02:00:00:00:01:01\n"                                                                \
	"address = 10.0.1.1/24\n"                                                                  \
	"address = fd00:1::1/64\n"                                                                 \
	"[port wan0]\n"                                                                            \
	"device = net_null1\n"                                                                     \
	"mac = 02:00:00:00:02:01\n"                                                                \
	"address = 10.0.2.1/24\n"                                                                  \
	"address = fd00:2::1/64\n"

int nl_sync_port_of_ifindex(int ifindex)
{
	switch (ifindex) {
	case TEST_IF_LAN:
		return 0;
	case TEST_IF_WAN:
		return 1;
	case TEST_IF_NO_PORT:
		return 7;
	default:
		return -1;
	}
}

#endif
