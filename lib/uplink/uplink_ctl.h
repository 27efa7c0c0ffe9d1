/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control side of the uplinks, on the main lcore: the state of every tunnel path
 * (admin mode and weight, ethdev link, probe liveness with hysteresis, RTT, jitter and
 * loss), the health probes, and the scheduling table (uplink_table.h) rebuilt and
 * swapped into the live FIB version whenever what it says changes.
 *
 * A path is usable when its mode is not off, its port's link is up and, with probes on,
 * its far end answered probe_up_after probes in a row since it last missed
 * probe_down_after in a row. A path starts not alive until probes say so; with probes
 * off ([uplinks] probe_interval_ms = 0) it is alive while its link is up.
 */
#ifndef MPGW_UPLINK_CTL_H
#define MPGW_UPLINK_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "config.h"
#include "fib.h"
#include "uplink_sched.h"

/*
 * Build f's scheduling table from the state of its paths (carried over from the version
 * in use, path by path, where port and addresses match) and set it as f->sched. Call
 * before fib_publish(f); f becomes the version probes are sent for. 0, or -1 with err.
 */
int uplink_ctl_attach(struct fib *f, const struct mpgw_config *cfg, char *err, size_t errlen);

/* Start probing: the answer ring, and the pool probes are built from. */
int uplink_ctl_start(struct rte_mempool *pool, char *err, size_t errlen);

/* One step of the control loop: answers, timeouts, link states, probes due; swaps in a
 * new scheduling table when something changed. */
void uplink_ctl_tick(void);

/* Release the ring and the path states (at exit, workers stopped). */
void uplink_ctl_stop(void);

/* One path as telemetry shows it. */
struct uplink_info {
	uint32_t path;
	char name[64]; /* "FAR_END/PORT" on a gateway, "FAR_END/N" on a vps */
	char group[MPGW_NAME_LEN];
	char port[MPGW_NAME_LEN];
	struct ipaddr local, remote;
	enum uplink_mode mode;
	uint32_t weight;
	bool link_up;
	bool probing;			       /* probes on ([uplinks] probe_interval_ms > 0) */
	bool alive;			       /* by the probes (or the link, without probes) */
	bool usable;			       /* new and existing flows may use it */
	bool low_latency;		       /* the path DSCP rules send new flows to */
	double rtt_ms, jitter_ms, last_rtt_ms; /* < 0: no answer yet */
	double loss_pct;		       /* over the last 64 probes */
	uint64_t probes_sent, probes_answered, probes_lost, probes_late;
	uint64_t probes_forged; /* answers with their probe's sequence number, not its nonce */
	uint32_t state_changes;
	double since_change_s;	       /* since alive last changed */
	uint64_t tx_packets, tx_bytes; /* tunnel packets sent by the workers on this path */
};

/* How many paths are usable now (a gateway: paths to its VPS whose probes it answers). */
unsigned int uplink_ctl_usable_paths(void);

/* Per port index: has it a usable path now? */
void uplink_ctl_ports_usable(bool usable[MPGW_MAX_PORTS]);

/* What the control plane needs of a path (lib/mptcp follows them): no names, no figures. */
struct uplink_path_state {
	unsigned int port; /* index of the port the path leaves by */
	struct ipaddr remote;
	enum uplink_mode mode;
	bool usable;
};

/* Copy up to max paths' states into out; returns how many there are. */
unsigned int uplink_ctl_path_states(struct uplink_path_state *out, unsigned int max);

/* Copy up to max paths into out (telemetry's view); returns how many there are. Also the
 * table's generation. */
unsigned int uplink_ctl_snapshot(struct uplink_info *out, unsigned int max, uint32_t *sched_gen);

#endif
