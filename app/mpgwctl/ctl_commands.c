/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpgwctl's commands: one entry each (name, telemetry path, printer, columns, help),
 * and the usage text made from them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "json.h"
#include "mpgwctl.h"

#define COLUMNS(a) .columns = (a), .n_columns = sizeof(a) / sizeof((a)[0])

static const struct column port_columns[] = {
	{NULL, "PORT", false},
	{"port_id", "ID", true},
	{"device", "DEVICE", false},
	{"link", "LINK", false},
	{"speed_mbps", "SPEED", true},
	{"mtu", "MTU", false},
	{"mac", "MAC", true},
	{"rx_packets", "RX_PKTS", false},
	{"rx_bytes", "RX_BYTES", false},
	{"tx_packets", "TX_PKTS", false},
	{"tx_bytes", "TX_BYTES", false},
	{"rx_missed", "RX_MISSED", false},
	{"rx_nombuf", "RX_NOMBUF", true},
	{"rx_errors", "RX_ERR", false},
	{"tx_errors", "TX_ERR", false},
	{"tx_dropped", "TX_DROP", false},
};

static const struct column drop_columns[] = {
	{NULL, "REASON", false},
	{NULL, "PACKETS", false},
};

static const struct column tunnel_columns[] = {
	{NULL, "TUNNEL", false},
	{"port", "PORT", false},
	{"outer", "OUTER", false},
	{"local", "LOCAL", false},
	{"remote", "REMOTE", false},
	{"mtu", "MTU", false},
	{"state", "STATE", false},
};

static const struct column uplink_columns[] = {
	{NULL, "UPLINK", false},
	{"mode", "MODE", false},
	{"weight", "WEIGHT", false},
	{"link", "LINK", false},
	{"probe", "PROBE", false},
	{"state", "STATE", false},
	{"rtt_ms", "RTT_MS", false},
	{"jitter_ms", "JITTER_MS", false},
	{"loss_pct", "LOSS_%", false},
	{"flows", "FLOWS", false},
	{"tx_packets", "TX_PKTS", false},
	{"tx_bytes", "TX_BYTES", false},
	{"state_changes", "CHANGES", false},
	{"since_change_s", "SINCE_S", true},
	{"low_latency", "LOW_LAT", true},
	{"local", "LOCAL", true},
	{"remote", "REMOTE", true},
	{"probes_sent", "PROBES", true},
	{"probes_lost", "LOST", true},
	{"probes_late", "LATE", true},
	{"probes_forged", "FORGED", true},
};

static const struct column flow_columns[] = {
	{NULL, "TABLE", false},
	{"capacity", "CAPACITY", false},
	{"live", "LIVE", false},
	{"created", "CREATED", false},
	{"expired", "EXPIRED", false},
	{"evicted", "EVICTED", false},
	{"memory_bytes", "MEMORY", false},
};

static const struct column twin_columns[] = {
	{NULL, "PORT", false},
	{"twin", "TWIN", false},
	{"ifindex", "IFINDEX", false},
	{"to_kernel", "TO_KERNEL", false},
	{"to_kernel_gso", "TO_K_GSO", false},
	{"to_kernel_errors", "TO_K_ERRORS", false},
	{"from_kernel", "FROM_KERNEL", false},
	{"from_kernel_tso", "FROM_K_TSO", false},
	{"from_kernel_malformed", "FROM_K_BAD", false},
	{"from_kernel_frames", "FROM_K_FRAMES", false},
	{"from_kernel_drops", "FROM_K_DROPS", false},
	{"from_kernel_queue_drops", "FROM_K_QDROPS", false},
};

static const struct column mptcp_columns[] = {
	{NULL, "SUBFLOW", false},
	{"state", "STATE", true},
	{"side", "SIDE", true},
	{"local", "LOCAL", false},
	{"remote", "REMOTE", false},
	{"loc_id", "LOC_ID", false},
	{"rem_id", "REM_ID", false},
	{"backup", "BACKUP", false},
	{"uplink", "UPLINK", false},
	{"tx_packets", "TX_PKTS", false},
	{"tx_bytes", "TX_BYTES", false},
	{"rx_packets", "RX_PKTS", false},
	{"rx_bytes", "RX_BYTES", false},
};

static const struct column neighbour_columns[] = {
	{"address", "ADDRESS", false},
	{"mac", "MAC", false},
	{"port", "PORT", false},
	{"source", "SOURCE", false},
};

static const struct column counter_columns[] = {
	{NULL, "COUNTER", false},
	{NULL, "VALUE", false},
};

static const struct command commands[] = {
	{
		.name = "ports",
		.path = "/mpgw/ports",
		.args = "[--wide]",
		.help = "ports with link state and counters",
		.opts = CMD_OPT_WIDE,
		.print = print_columns,
		COLUMNS(port_columns),
	},
	{
		.name = "drops",
		.path = "/mpgw/drops",
		.args = "[--all]",
		.help = "dropped packets per reason (non-zero ones only)",
		.opts = CMD_OPT_ALL,
		.print = print_counters,
		COLUMNS(drop_columns),
	},
	{
		.name = "counters",
		.path = "/mpgw/counters",
		.args = "[--all]",
		.help = "MSS clamps, ICMP errors sent, fragmentation (non-zero ones only)",
		.opts = CMD_OPT_ALL,
		.print = print_counters,
		COLUMNS(counter_columns),
	},
	{
		.name = "tunnels",
		.path = "/mpgw/tunnels",
		.args = "",
		.help = "tunnel paths: port, outer family, addresses, inner MTU (uplink MTU - "
			"overhead)",
		.print = print_columns,
		COLUMNS(tunnel_columns),
	},
	{
		.name = "uplinks",
		.path = "/mpgw/uplinks",
		.args = "[--wide]",
		.help = "uplinks (tunnel paths): mode, weight, link, probes, RTT, jitter, loss, "
			"flows, traffic",
		.opts = CMD_OPT_WIDE,
		.print = print_columns,
		COLUMNS(uplink_columns),
	},
	{
		.name = "flows",
		.path = "/mpgw/flows",
		.args = "",
		.help = "flow tables per worker: capacity, live flows, created, expired, evicted",
		.print = print_columns,
		COLUMNS(flow_columns),
	},
	{
		.name = "twins",
		.path = "/mpgw/twins",
		.args = "",
		.help = "kernel twins (TAP) per port: frames punted to the kernel and sent by it",
		.print = print_columns,
		COLUMNS(twin_columns),
	},
	{
		.name = "routes",
		.path = "/mpgw/routes",
		.args = "",
		.help = "the mirror of the kernel's routes, neighbours and addresses: sizes, "
			"events, builds",
		.print = print_generic,
	},
	{
		.name = "neighbours",
		.path = "/mpgw/neighbours",
		.args = "",
		.help = "the neighbours the data path uses: address, MAC, port, source (config "
			"or kernel)",
		.print = print_listing,
		COLUMNS(neighbour_columns),
	},
	{
		.name = "mptcp",
		.path = "/mpgw/mptcp",
		.args = "[--wide]",
		.help = "the kernel's MPTCP subflows (TOKEN/N): addresses, ids, backup, uplink, "
			"packets and bytes each way",
		.opts = CMD_OPT_WIDE,
		.print = print_columns,
		COLUMNS(mptcp_columns),
	},
	{
		.name = "mptcp-endpoints",
		.path = "/mpgw/mptcp_endpoints",
		.args = "",
		.help = "the kernel's MPTCP endpoints and their uplinks; limits and event counts",
		.print = print_generic,
	},
	{
		.name = "relay",
		.path = "/mpgw/relay",
		.args = "",
		.help = "the relay to the kernel's MPTCP proxy: state, proxy, VPS, fallback, "
			"packets relayed and fallen back",
		.print = print_generic,
	},
	{
		.name = "show",
		.path = NULL,
		.args = "PATH[,PARAMS]",
		.help = "any telemetry command, shown as a generic table",
		.print = print_generic,
	},
	{
		.name = "raw",
		.path = NULL,
		.args = "PATH[,PARAMS]",
		.help = "any telemetry command, reply JSON printed as received",
		.print = NULL,
	},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void usage(FILE *f)
{
	fputs("Usage: " PROG " [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "Query a running mpgw through its DPDK telemetry socket. Options may come\n"
	      "before or after the command.\n"
	      "\n"
	      "Options:\n"
	      "  --file-prefix PREFIX  the DPDK --file-prefix mpgw runs with (default: rte).\n"
	      "                        The socket is DIR/" SOCKET_NAME ", where DIR is\n"
	      "                        /var/run/dpdk/PREFIX for root, otherwise\n"
	      "                        $XDG_RUNTIME_DIR/dpdk/PREFIX (/tmp/dpdk/PREFIX if unset)\n"
	      "  -j, --json            print the reply's value as compact JSON on one line,\n"
	      "                        exactly as the daemon sent it (never filtered)\n"
	      "  -a, --all             drops, counters: also list those that are zero\n"
	      "  -w, --wide            ports: also show port id, speed, MAC and rx_nombuf;\n"
	      "                        uplinks: also addresses, probe counts, low latency;\n"
	      "                        mptcp: also connection state and side\n"
	      "  -h, --help            show this help and exit\n"
	      "\n"
	      "Commands:\n",
		f);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-20s  %s\n", left, commands[i].help);
	}
	fputs("\n"
	      "Examples:\n"
	      "  " PROG " --file-prefix gw1 ports\n"
	      "  " PROG " drops --all\n"
	      "  " PROG " --json show /eal/params\n"
	      "\n"
	      "Exit status: 0 on success, 1 if the daemon cannot be reached or answers\n"
	      "badly, 2 on bad usage.\n",
		f);
}

int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n");
	usage(stderr);
	return EXIT_USAGE;
}

const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
