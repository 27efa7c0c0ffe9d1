/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary bytes as one datagram of the kernel's on the route mirror's
 * event socket (lib/netlink/nl_sync_*.c): a run of netlink messages, each through the
 * handlers of routes, neighbours, addresses and links, from an empty mirror. The ports and
 * twins are test_mirror.h's, which the seed corpus (tests/fuzz/corpus/fuzz_netlink,
 * captured from a kernel) names. After each input every route the mirror hands to the FIB
 * builder must be one it takes (fib_route_check()): else the process aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "config.h"
#include "fib.h"
#include "nl_sync.h"
#include "nl_sync_test.h"
#include "port.h"
#include "test_config.h"
#include "test_mirror.h"

static struct mpgw_config *cfg;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_netlink: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal_args[] = {"fuzz_netlink", "--no-huge", "-m", "256", "--no-pci", "-l", "0",
		"--no-shconf", "--no-telemetry", "--log-level=error", NULL};
	char err[512];

	(void)argc;
	(void)argv;
	if (rte_eal_init(RTE_DIM(eal_args) - 1, eal_args) < 0)
		die("rte_eal_init", "failed");
	cfg = test_config_load(TEST_MIRROR_CONFIG, err, sizeof(err));
	if (cfg == NULL)
		die("config", err);
	n_ports = cfg->n_ports;
	/* Few routes: a resync's reset of the route index, done for every input, is quick. */
	if (nl_sync_test_start(4096) < 0)
		die("mirror", "out of memory");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	nl_sync_test_forget();
	nl_sync_input(data, size, 0, 0);
	struct mpgw_config *m = nl_sync_merged(cfg);
	if (m == NULL)
		die("merged", "out of memory");
	for (unsigned int i = 0; i < m->n_routes; i++)
		if (fib_route_check(
			    &m->routes[i], m->ecmp, m->n_ecmp, m->n_ports, err, sizeof(err)) < 0)
			die("a route the FIB builder refuses is in the mirror", err);
	nl_sync_merged_free(m);
	return 0;
}
