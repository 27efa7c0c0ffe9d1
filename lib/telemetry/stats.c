/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>

#include <rte_ethdev.h>

#include "port.h"
#include "stats.h"
#include "worker.h"

void stats_port_read(unsigned int port, struct port_counters *c)
{
	struct rte_eth_stats st = {0};
	struct worker_port_stats ws;

	rte_eth_stats_get(ports[port].port_id, &st);
	workers_port_stats(port, &ws);
	*c = (struct port_counters){
		.rx_packets = st.ipackets,
		.rx_bytes = st.ibytes,
		.tx_packets = st.opackets,
		.tx_bytes = st.obytes,
		.rx_missed = st.imissed,
		.rx_errors = st.ierrors,
		.rx_nombuf = st.rx_nombuf,
		.tx_errors = st.oerrors,
		.worker_rx_packets = ws.rx_packets,
		.worker_tx_packets = ws.tx_packets,
		.tx_dropped = ws.tx_dropped,
	};
}

void stats_write_json(FILE *f)
{
	fprintf(f, "{\"ports\": {");
	for (unsigned int i = 0; i < n_ports; i++) {
		struct port_counters c;
		const char *sep = "";

		stats_port_read(i, &c);
		fprintf(f, "%s\"%s\": {", i ? ", " : "", ports[i].name);
#define PORT_COUNTER_JSON(name)                                                                    \
	fprintf(f, "%s\"" #name "\": %" PRIu64, sep, c.name);                                      \
	sep = ", ";
		PORT_COUNTERS(PORT_COUNTER_JSON)
#undef PORT_COUNTER_JSON
		fprintf(f, "}");
	}
	fprintf(f, "}, \"drops\": {");
	for (int r = DROP_NONE + 1; r < DROP_MAX; r++)
		fprintf(f, "%s\"%s\": %" PRIu64, r > 1 ? ", " : "", drop_reason_name(r),
			workers_drops(r));
	fprintf(f, "}, \"counters\": {");
	for (int c = 0; c < CNT_MAX; c++)
		fprintf(f, "%s\"%s\": %" PRIu64, c > 0 ? ", " : "", counter_name(c),
			workers_counter(c));
	fprintf(f, "}}\n");
}
