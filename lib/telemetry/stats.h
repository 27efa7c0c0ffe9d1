/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counter snapshots, shared by the telemetry commands and the summary mpgw writes when it
 * exits (--stats FILE), so both report the same names.
 */
#ifndef MPGW_STATS_H
#define MPGW_STATS_H

#include <stdint.h>
#include <stdio.h>

/* ethdev statistics first, then mpgw's own per-worker counts. */
#define PORT_COUNTERS(X)                                                                           \
	X(rx_packets)                                                                              \
	X(rx_bytes)                                                                                \
	X(tx_packets)                                                                              \
	X(tx_bytes)                                                                                \
	X(rx_missed)                                                                               \
	X(rx_errors)                                                                               \
	X(rx_nombuf)                                                                               \
	X(tx_errors)                                                                               \
	X(worker_rx_packets)                                                                       \
	X(worker_tx_packets)                                                                       \
	X(tx_dropped)

struct port_counters {
#define PORT_COUNTER_FIELD(name) uint64_t name;
	PORT_COUNTERS(PORT_COUNTER_FIELD)
#undef PORT_COUNTER_FIELD
};

void stats_port_read(unsigned int port, struct port_counters *c);

/* Write {"ports": {NAME: {...}}, "drops": {REASON: N}} as JSON. */
void stats_write_json(FILE *f);

#endif
