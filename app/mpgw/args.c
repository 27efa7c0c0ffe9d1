/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

void args_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [EAL options] -- --config FILE [--exit-idle MS] [--stats FILE] "
		"[--help]\n"
		"\n"
		"mpgw: DPDK fast path for multi-WAN bonding gateways.\n"
		"\n"
		"Application options (after \"--\"):\n"
		"  -c, --config FILE   configuration file (INI; see doc/config.md). Required.\n"
		"  -i, --exit-idle MS  exit cleanly, after flushing TX, once no port has received "
		"a\n"
		"                      packet for MS milliseconds (pcap runs, golden tests).\n"
		"  -s, --stats FILE    on exit, write port, drop and data-path counters to FILE as "
		"JSON\n"
		"                      (the same names as /mpgw/ports and /mpgw/drops).\n"
		"  --twin-pcap PORT=FILE\n"
		"                      offline tests: send the frames of FILE (pcap) out of PORT "
		"as if\n"
		"                      the kernel had written them to its twin (leak guard, MSS "
		"clamp);\n"
		"                      with or without [mpgw] twins; once per port.\n"
		"  -h, --help          this text.\n"
		"\n"
		"EAL options: the DPDK ones (\"%s --help\" lists them). The main lcore runs the\n"
		"control thread, every other lcore in -l/--lcores a worker; at least one worker\n"
		"is needed, e.g. -l 0-1. Devices come from -a (PCI) and --vdev (virtual).\n"
		"\n"
		"Exit status: 0 after a clean stop (SIGINT, SIGTERM, --exit-idle), 2 for a bad\n"
		"command line or configuration, 1 for a runtime failure.\n",
		prog, prog);
}

bool args_help_requested(int argc, char **argv)
{
	bool app = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			app = true;
		else if (app && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0))
			return true;
	}
	return false;
}

static int parse_ms(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);

	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v == 0 ||
		v > 24ULL * 3600 * 1000)
		return -1;
	*out = v;
	return 0;
}

/* PORT=FILE of --twin-pcap; the port's name is checked against the config later. */
static int twin_pcap_arg(const char *s, struct mpgw_args *a)
{
	const char *eq = strchr(s, '=');

	if (eq == NULL || eq == s || eq[1] == '\0' || (size_t)(eq - s) >= MPGW_NAME_LEN) {
		fprintf(stderr, "mpgw: --twin-pcap: '%s' is not PORT=FILE\n", s);
		return -1;
	}
	if (a->n_twin_pcaps == MPGW_MAX_PORTS) {
		fprintf(stderr, "mpgw: --twin-pcap: more than %d\n", MPGW_MAX_PORTS);
		return -1;
	}
	memcpy(a->twin_pcaps[a->n_twin_pcaps].port, s, (size_t)(eq - s));
	a->twin_pcaps[a->n_twin_pcaps].port[eq - s] = '\0';
	a->twin_pcaps[a->n_twin_pcaps++].path = eq + 1;
	return 0;
}

int args_parse(int argc, char **argv, struct mpgw_args *a)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"exit-idle", required_argument, NULL, 'i'},
		{"stats", required_argument, NULL, 's'},
		{"twin-pcap", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	int c;

	/* --help never gets here: main() answers it before rte_eal_init(). */
	memset(a, 0, sizeof(*a));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:i:s", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case 'i':
			if (parse_ms(optarg, &a->exit_idle_ms) < 0) {
				fprintf(stderr,
					"mpgw: --exit-idle: '%s' is not a number of milliseconds "
					"in [1, 86400000]\n",
					optarg);
				return -1;
			}
			break;
		case 's':
			a->stats_path = optarg;
			break;
		case 't':
			if (twin_pcap_arg(optarg, a) < 0)
				return -1;
			break;
		case ':':
			fprintf(stderr, "mpgw: option %s needs a value\n", argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "mpgw: unknown option %s (see --help)\n", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mpgw: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -1;
	}
	if (a->config == NULL) {
		fprintf(stderr, "mpgw: --config FILE is required (see --help)\n");
		return -1;
	}
	return 0;
}
