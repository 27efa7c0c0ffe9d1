/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel's MIB counters of /proc/net/netstat, as `nstat` reads them: a header line of
 * names and a line of values per group, e.g. "MPTcpExt: ... Blackhole ..." then
 * "MPTcpExt: ... 3 ...". EAL-free (tests/unit/test_relay.c).
 */
#ifndef MPGW_NETSTAT_MIB_H
#define MPGW_NETSTAT_MIB_H

#include <stdint.h>
#include <stdio.h>

/* The value of counter name of group (without the colon) in f, read from where f is;
 * 0 and *out set, or -1 if the group or the counter is not there (an older kernel). */
int netstat_mib(FILE *f, const char *group, const char *name, uint64_t *out);

#endif
