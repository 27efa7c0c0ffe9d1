/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpgw daemon: EAL launch, configuration, ports, tables, workers; the main lcore then runs
 * the control loop (signals, --exit-idle) until told to stop.
 *
 * Start-up order: everything that can be wrong with the command line or configuration is
 * checked before any port is configured, so a bad start leaves nothing half-started.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "args.h"
#include "commit.h"
#include "config.h"
#include "fib.h"
#include "pkt_meta.h"
#include "port.h"
#include "stats.h"
#include "telemetry.h"
#include "mptcp_pm.h"
#include "nl_sync.h"
#include "twin.h"
#include "relay_ctl.h"
#include "reload.h"
#include "uplink_ctl.h"
#include "worker.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE   2
/* How often the control loop runs the probes: their timing is to this grain. With kernel
 * twins it wakes up every TWIN_TICK_US to read the kernel's events (routes, neighbours,
 * MPTCP) soon after they come; the twins' frames have their own thread (twin.h). */
#define CONTROL_TICK_US 5000
#define TWIN_TICK_US	1000

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reload_requested;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void on_hangup(int sig)
{
	RTE_SET_USED(sig);
	reload_requested = 1;
}

static void eal_usage_hook(const char *prog)
{
	args_usage(stdout, prog);
}

static struct rte_mempool *create_pool(const struct mpgw_config *cfg, unsigned int workers_n)
{
	unsigned int n = cfg->mbufs ? cfg->mbufs : ports_mbufs_needed(cfg, workers_n);
	uint16_t max_mtu = 0;

	for (unsigned int i = 0; i < cfg->n_ports; i++)
		max_mtu = RTE_MAX(max_mtu, cfg->ports[i].mtu);
	/* A whole frame (two VLAN tags, CRC) fits one segment. */
	uint32_t room = RTE_MAX((uint32_t)RTE_MBUF_DEFAULT_DATAROOM,
		(uint32_t)max_mtu + RTE_ETHER_HDR_LEN + 2 * RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN);
	return rte_pktmbuf_pool_create(
		"mpgw_mbufs", n, 256, 0, RTE_PKTMBUF_HEADROOM + room, rte_socket_id());
}

static void write_stats(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "mpgw: --stats %s: %s\n", path, strerror(errno));
		return;
	}
	stats_write_json(f);
	fclose(f);
}

static void print_summary(void)
{
	for (unsigned int i = 0; i < n_ports; i++) {
		struct port_counters c;
		stats_port_read(i, &c);
		printf("mpgw: port %s: rx %" PRIu64 " tx %" PRIu64 " tx_dropped %" PRIu64 "\n",
			ports[i].name, c.rx_packets, c.tx_packets, c.tx_dropped);
	}
	for (int r = DROP_NONE + 1; r < DROP_MAX; r++) {
		uint64_t n = workers_drops(r);
		if (n != 0)
			printf("mpgw: drop %s: %" PRIu64 "\n", drop_reason_name(r), n);
	}
	for (int c = 0; c < CNT_MAX; c++) {
		uint64_t n = workers_counter(c);
		if (n != 0)
			printf("mpgw: counter %s: %" PRIu64 "\n", counter_name(c), n);
	}
}

/* Control loop of the main lcore: until a signal, or --exit-idle without traffic. SIGHUP
 * reloads the configuration's tables (reload.h). */
static void control_loop(const struct mpgw_args *args, struct mpgw_config **cfg)
{
	uint64_t idle_cycles = args->exit_idle_ms * (rte_get_tsc_hz() / 1000);
	uint64_t tick = rte_get_tsc_hz() / 1000000 * CONTROL_TICK_US, next_tick = 0;
	char err[1024];

	while (stop_signal == 0) {
		rte_delay_us_sleep(twins_enabled() ? TWIN_TICK_US : CONTROL_TICK_US);
		twins_poll();
		nl_sync_poll(*cfg);
		mptcp_pm_poll();
		relay_ctl_poll();
		if (rte_rdtsc() < next_tick)
			continue;
		next_tick = rte_rdtsc() + tick - tick / 10; /* a sleep's oversleep is slack */
		uplink_ctl_tick();
		if (reload_requested) {
			reload_requested = 0;
			if (reload_config(cfg, err, sizeof(err)) == 0) {
				nl_sync_invalidate(); /* the kernel's routes again, soon */
				printf("mpgw: reloaded %s: route table generation %u\n",
					(*cfg)->path, fib_current()->gen);
			} else
				printf("mpgw: reload refused, the running tables stay: %s\n", err);
			fflush(stdout);
		}
		/* Signed: another core's TSC may be a little ahead of this one's. */
		int64_t idle = (int64_t)(rte_rdtsc() - workers_last_rx_tsc());
		if (idle_cycles != 0 && idle > (int64_t)idle_cycles && !twins_replaying()) {
			printf("mpgw: no packet for %" PRIu64 " ms, exiting\n", args->exit_idle_ms);
			break;
		}
	}
	if (stop_signal != 0)
		printf("mpgw: %s, stopping\n", strsignal(stop_signal));
}

static int fail_usage(const char *msg)
{
	fprintf(stderr, "mpgw: %s\n", msg);
	rte_eal_cleanup();
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct mpgw_args args;
	struct mpgw_config *cfg;
	char err[512];
	int ret;

	if (args_help_requested(argc, argv)) {
		args_usage(stdout, argv[0]);
		return 0;
	}
	/* A telemetry client that hangs up before its reply must not kill mpgw. */
	signal(SIGPIPE, SIG_IGN);
	rte_set_application_usage_hook(eal_usage_hook);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "mpgw: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_USAGE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_hangup);
	argc -= ret;
	argv += ret;
	argv[0] = "mpgw";
	if (args_parse(argc, argv, &args) < 0) {
		rte_eal_cleanup();
		return EXIT_USAGE;
	}

	cfg = config_load(args.config, err, sizeof(err));
	if (cfg == NULL)
		return fail_usage(err);
	unsigned int nw = workers_count_lcores();
	if (nw == 0 || nw > MPGW_MAX_WORKERS) {
		snprintf(err, sizeof(err),
			"%u worker lcores: need 1 to %d besides the main lcore (e.g. -l 0-1)", nw,
			MPGW_MAX_WORKERS);
		config_free(cfg);
		return fail_usage(err);
	}
	if (ports_probe(cfg, nw, err, sizeof(err)) < 0) {
		config_free(cfg);
		return fail_usage(err);
	}
	enum commit_fault fault;
	struct fib *fib = commit_build(cfg, &fault, err, sizeof(err));
	if (fib == NULL && fault == COMMIT_TABLES) {
		char msg[sizeof(err) + sizeof(cfg->path) + 4];
		snprintf(msg, sizeof(msg), "%s: %s", cfg->path, err);
		config_free(cfg);
		return fail_usage(msg);
	}
	if (fib == NULL) {
		fprintf(stderr, "mpgw: %s\n", err);
		config_free(cfg);
		rte_eal_cleanup();
		return EXIT_RUNTIME;
	}
	fib_publish(fib, NULL);

	/* From here on, failures are runtime failures. */
	ret = EXIT_RUNTIME;
	struct rte_mempool *pool = NULL;
	if (pkt_meta_register() < 0) {
		fprintf(stderr, "mpgw: cannot register the mbuf metadata field\n");
		goto out;
	}
	pool = create_pool(cfg, nw);
	if (pool == NULL) {
		fprintf(stderr, "mpgw: cannot create the mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	if (ports_start(cfg, pool, nw, err, sizeof(err)) < 0 ||
		workers_init(cfg, err, sizeof(err)) < 0 ||
		uplink_ctl_start(pool, err, sizeof(err)) < 0 ||
		twins_start(cfg, pool, err, sizeof(err)) < 0 ||
		nl_sync_start(cfg->netlink_rcvbuf, err, sizeof(err)) < 0 ||
		mptcp_pm_start(cfg, err, sizeof(err)) < 0 ||
		relay_ctl_start(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "mpgw: %s\n", err);
		goto out;
	}
	for (unsigned int i = 0; i < args.n_twin_pcaps; i++)
		if (twins_replay_add(pool, args.twin_pcaps[i].port, args.twin_pcaps[i].path, err,
			    sizeof(err)) < 0) {
			fprintf(stderr, "mpgw: %s\n", err);
			goto out;
		}
	if (twins_launch(err, sizeof(err)) < 0) {
		fprintf(stderr, "mpgw: %s\n", err);
		goto out;
	}
	if (telemetry_register() != 0)
		fprintf(stderr, "mpgw: warning: telemetry commands not registered\n");
	/* Needs multi-process support: not available with --in-memory. */
	if (rte_pdump_init() != 0)
		printf("mpgw: packet capture (dpdk-dumpcap) unavailable: %s\n",
			rte_strerror(rte_errno));

	ports_log_link();
	if (stop_signal != 0) {
		printf("mpgw: %s during start-up, stopping\n", strsignal(stop_signal));
		ret = 0;
		goto out;
	}
	if (workers_launch() != 0) {
		fprintf(stderr, "mpgw: cannot launch the workers\n");
		workers_stop();
		goto out;
	}
	printf("mpgw: running: %u worker(s), %u port(s)\n", n_workers, n_ports);
	fflush(stdout);
	control_loop(&args, &cfg);
	workers_stop();
	print_summary();
	if (args.stats_path != NULL)
		write_stats(args.stats_path);
	ret = 0;
out:
	telemetry_close();
	nl_sync_stop();
	relay_ctl_stop();
	mptcp_pm_stop();
	twins_stop();
	uplink_ctl_stop();
	ports_stop();
	rte_pdump_uninit();
	workers_free();
	fib_publish(NULL, NULL);
	rte_mempool_free(pool);
	config_free(cfg);
	rte_eal_cleanup();
	return ret;
}
