/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary bytes as one datagram of the kernel's MPTCP path manager
 * events (generic netlink, group mptcp_pm_events) through the event parser of
 * lib/mptcp/mptcp_pm_events.c: connections and subflows made, changed and closed, the data path's
 * subflow table published after each input.
 *
 * The family's id is the kernel's choice at run time: the first message's type is taken
 * for it, so that any input reaches the parser (the seed corpus,
 * tests/fuzz/corpus/fuzz_mptcp_pm, was captured from a kernel).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include <rte_common.h>
#include <rte_eal.h>

#include "mptcp_pm_test.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal_args[] = {"fuzz_mptcp_pm", "--no-huge", "-m", "256", "--no-pci", "-l", "0",
		"--no-shconf", "--no-telemetry", "--log-level=error", NULL};

	(void)argc;
	(void)argv;
	if (rte_eal_init(RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "fuzz_mptcp_pm: rte_eal_init failed\n");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t family = 0;

	if (size >= offsetof(struct nlmsghdr, nlmsg_type) + sizeof(family))
		memcpy(&family, data + offsetof(struct nlmsghdr, nlmsg_type), sizeof(family));
	mptcp_pm_test_events(data, size, family);
	return 0;
}
