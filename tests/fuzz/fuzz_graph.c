/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: one packet of arbitrary bytes through the whole data-path graph.
 *
 * Two ports on net_ring (rings we own), a static configuration with routes and neighbours,
 * and one worker whose graph is walked on this thread. Input byte 0 picks the ingress port
 * (bit 0) and where the frame is cut into two segments (the other bits); the rest is the
 * frame. After the walk every mbuf must be back in the pool: forwarded packets are taken
 * off the TX rings and freed here, dropped ones must have been freed by a drop node.
 *
 * Each segment's data ends where its buffer does, everything after it poisoned for ASan
 * (fuzz_mbuf.h), so a read or write past a segment's data is reported like one past a heap
 * block. After the walk the segments get their buffers back whole. (No tailroom means no
 * MSS option is inserted here; fuzz_mss covers that.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_graph_worker.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "config.h"
#include "fib.h"
#include "fuzz_mbuf.h"
#include "pkt_meta.h"
#include "port.h"
#include "uplink_ctl.h"
#include "worker.h"

/* A gateway with one uplink and a VPS behind its next router, so that the policy, the
 * tunnel nodes, the flow table (with a DSCP rule and a flowlet gap) and the leak guard are
 * on the fuzzer's way. */
static const char config_text[] = "[mpgw]\n"
				  "idle_sleep_us = 0\n"
				  "role = gateway\n"
				  "[vps]\n"
				  "address = 10.0.2.2\n"
				  "address = fd00:2::2\n"
				  "[uplinks]\n"
				  "probe_interval_ms = 0\n"
				  "low_latency_dscp = EF\n"
				  "flowlet_gap_ms = 1\n"
				  "[flows]\n"
				  "size = 4096\n"
				  "[policy]\n"
				  "tcp4 = tunnel\n"
				  "bypass = 192.0.2.128/25 port wan0\n"
				  "[port lan0]\n"
				  "device = net_ring_fzlan\n"
				  "mac = 02:00:00:00:01:01\n"
				  "address = 10.0.1.1/24\n"
				  "address = fd00:1::1/64\n"
				  "[port wan0]\n"
				  "device = net_ring_fzwan\n"
				  "mac = 02:00:00:00:02:01\n"
				  "mtu = 1400\n"
				  "uplink = yes\n"
				  "gateway = 10.0.2.2\n"
				  "gateway = fd00:2::2\n"
				  "address = 10.0.2.1/24\n"
				  "address = fd00:2::1/64\n"
				  "[routes]\n"
				  "route = 0.0.0.0/0 via 10.0.2.2\n"
				  "route = ::/0 via fd00:2::2\n"
				  "route = 192.0.2.0/24 blackhole\n"
				  "[neighbours]\n"
				  "neighbour = 10.0.1.2 02:00:00:00:01:02\n"
				  "neighbour = fd00:1::2 02:00:00:00:01:02\n"
				  "neighbour = 10.0.2.2 02:00:00:00:02:02\n"
				  "neighbour = fd00:2::2 02:00:00:00:02:02\n";

/* Bytes at the end of every data room that no mbuf owns (a multiple of ASan's 8). */
static struct fuzz_mbufs mbufs;
static struct rte_ring *rx_ring[2], *tx_ring[2];
static struct worker worker;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_graph: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal_args[] = {"fuzz_graph", "--no-huge", "-m", "256", "--no-pci", "-l", "0",
		"--no-shconf", "--no-telemetry", "--log-level=error", NULL};
	char path[] = "/tmp/fuzz_graph_XXXXXX", err[512];
	/* rte_eth_from_rings() names the devices net_ring_<name>. */
	const char *names[2] = {"fzlan", "fzwan"};

	(void)argc;
	(void)argv;
	if (rte_eal_init(RTE_DIM(eal_args) - 1, eal_args) < 0)
		die("rte_eal_init", "failed");
	for (int i = 0; i < 2; i++) {
		char rn[32];
		snprintf(rn, sizeof(rn), "fz_rx%d", i);
		rx_ring[i] = rte_ring_create(rn, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(rn, sizeof(rn), "fz_tx%d", i);
		tx_ring[i] = rte_ring_create(rn, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rx_ring[i] == NULL || tx_ring[i] == NULL ||
			rte_eth_from_rings(names[i], &rx_ring[i], 1, &tx_ring[i], 1, 0) < 0)
			die("net_ring", names[i]);
	}

	int fd = mkstemp(path);
	if (fd < 0 || write(fd, config_text, sizeof(config_text) - 1) < 0)
		die("config", "cannot write");
	close(fd);
	struct mpgw_config *cfg = config_load(path, err, sizeof(err));
	unlink(path);
	if (cfg == NULL)
		die("config", err);
	if (ports_probe(cfg, 1, err, sizeof(err)) < 0)
		die("ports", err);
	struct fib_port fp[MPGW_MAX_PORTS];
	for (unsigned int i = 0; i < n_ports; i++)
		fp[i] = (struct fib_port){.port_id = ports[i].port_id, .mac = ports[i].mac};
	struct fib *f = fib_build(cfg, fp, 0, err, sizeof(err));
	if (f == NULL)
		die("fib", err);
	/* The uplink table, so that tunnelled packets go through the flow table. */
	if (uplink_ctl_attach(f, cfg, err, sizeof(err)) < 0)
		die("uplinks", err);
	fib_publish(f, NULL);
	if (pkt_meta_register() < 0)
		die("pkt_meta", "register");
	if (!fuzz_mbufs_init(&mbufs, 4096))
		die("pool", "create");
	if (ports_start(cfg, mbufs.pool, 1, err, sizeof(err)) < 0)
		die("ports", err);
	if (worker_setup(&worker, 0, rte_lcore_id(), cfg, err, sizeof(err)) < 0)
		die("worker", err);
	config_free(cfg);
	return 0;
}

/* A segment holding data[0..len) at the end of its buffer, the rest of the room poisoned
 * (len <= the data room less the headroom, where the tunnel header is written). */
static struct rte_mbuf *make_segment(const uint8_t *data, size_t len)
{
	struct rte_mbuf *m = fuzz_mbuf(&mbufs, data, len);

	if (m == NULL)
		die("mbuf", "pool empty");
	return m;
}

/* The frame in one or two segments. */
static struct rte_mbuf *make_packet(const uint8_t *frame, size_t len, size_t cut)
{
	struct rte_mbuf *head;

	if (cut == 0 || cut >= len)
		cut = len;
	head = make_segment(frame, cut);
	if (cut < len && rte_pktmbuf_chain(head, make_segment(frame + cut, len - cut)) != 0)
		die("mbuf", "chain");
	return head;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int before = rte_mempool_avail_count(mbufs.pool);

	if (size < 1 || size - 1 > RTE_MBUF_DEFAULT_DATAROOM)
		return -1;
	unsigned int in = data[0] & 1;
	size_t cut = data[0] >> 1;
	struct rte_mbuf *m = make_packet(data + 1, size - 1, cut);
	m->port = ports[in].port_id;
	if (rte_ring_enqueue(rx_ring[in], m) != 0)
		die("ring", "enqueue");

	rte_graph_walk(worker.graph);

	void *out[64];
	for (int i = 0; i < 2; i++) {
		unsigned int n;
		while ((n = rte_ring_dequeue_burst(tx_ring[i], out, RTE_DIM(out), NULL)) != 0)
			rte_pktmbuf_free_bulk((struct rte_mbuf **)out, n);
	}
	fuzz_mbufs_restore(&mbufs);
	if (rte_mempool_avail_count(mbufs.pool) != before)
		die("leak", "an mbuf was neither sent nor freed");
	return 0;
}
