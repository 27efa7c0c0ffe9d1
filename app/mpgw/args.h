/* SPDX-License-Identifier: BSD-3-Clause */
/* Application options: what follows "--" on mpgw's command line. */
#ifndef MPGW_ARGS_H
#define MPGW_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mpgw_limits.h"

struct mpgw_args {
	const char *config;	/* --config FILE */
	uint64_t exit_idle_ms;	/* --exit-idle MS; 0 = run until a signal */
	const char *stats_path; /* --stats FILE: counters as JSON on exit */
	/* --twin-pcap PORT=FILE (tests): frames as if the kernel wrote them to PORT's twin */
	unsigned int n_twin_pcaps;
	struct {
		char port[MPGW_NAME_LEN];
		const char *path;
	} twin_pcaps[MPGW_MAX_PORTS];
};

/* True when the application part of argv asks for --help / -h. */
bool args_help_requested(int argc, char **argv);
void args_usage(FILE *f, const char *prog);

/* Parse the arguments left after rte_eal_init(). Returns 0, or -1 after printing why. */
int args_parse(int argc, char **argv, struct mpgw_args *a);

#endif
