/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel MIB reader of the relay's health (lib/relay/netstat_mib.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "netstat_mib.h"

static const char netstat[] =
	"TcpExt: SyncookiesSent SyncookiesRecv\n"
	"TcpExt: 0 7\n"
	"IpExt: InNoRoutes InTruncatedPkts\n"
	"IpExt: 1 2\n"
	"MPTcpExt: MPCapableSYNRX MPCapableSYNTX MPCapableSYNTXDisabled Blackhole\n"
	"MPTcpExt: 4 5 12 3\n";

static int read_mib(const char *text, const char *group, const char *name, uint64_t *v)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(f);
	rc = netstat_mib(f, group, name, v);
	fclose(f);
	return rc;
}

static void test_counters_found(void **state)
{
	uint64_t v = 99;

	(void)state;
	assert_int_equal(read_mib(netstat, "MPTcpExt", "Blackhole", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(read_mib(netstat, "MPTcpExt", "MPCapableSYNTXDisabled", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(read_mib(netstat, "MPTcpExt", "MPCapableSYNRX", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(read_mib(netstat, "TcpExt", "SyncookiesRecv", &v), 0);
	assert_int_equal(v, 7);
}

static void test_absent_or_malformed(void **state)
{
	uint64_t v = 99;

	(void)state;
	/* A kernel without the counter, or without MPTCP. */
	assert_int_equal(read_mib(netstat, "MPTcpExt", "NoSuchCounter", &v), -1);
	assert_int_equal(read_mib("TcpExt: A\nTcpExt: 1\n", "MPTcpExt", "Blackhole", &v), -1);
	/* A prefix of a group's name is not the group. */
	assert_int_equal(read_mib(netstat, "MPTcp", "Blackhole", &v), -1);
	/* Fewer values than names, a value that is no number, a missing values line. */
	assert_int_equal(
		read_mib("MPTcpExt: A Blackhole\nMPTcpExt: 1\n", "MPTcpExt", "Blackhole", &v), -1);
	assert_int_equal(
		read_mib("MPTcpExt: Blackhole\nMPTcpExt: x1\n", "MPTcpExt", "Blackhole", &v), -1);
	assert_int_equal(read_mib("MPTcpExt: Blackhole\n", "MPTcpExt", "Blackhole", &v), -1);
	assert_int_equal(v, 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_found),
		cmocka_unit_test(test_absent_or_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
