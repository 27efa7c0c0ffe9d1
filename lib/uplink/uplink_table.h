/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The uplink scheduling table as the data path reads it: per tunnel path, whether flows
 * may be on it; per tunnel group, the redirection table new flows are placed by and the
 * path of lowest RTT (for DSCP rules). The control thread (uplink_ctl.c) builds a new one
 * whenever an uplink's state changes and swaps it into the live FIB version
 * (fib->sched); workers load it once per graph walk, and the old one is freed after an
 * RCU grace period. One table belongs to one FIB version: its path indices are that
 * version's.
 */
#ifndef MPGW_UPLINK_TABLE_H
#define MPGW_UPLINK_TABLE_H

#include <stdint.h>

#include "uplink_sched.h"

#define UPLINK_NO_PATH UINT16_MAX

struct uplink_group_sched {
	/* Offsets into the group's paths, UPLINK_NONE where no path is usable. */
	uint8_t reta[UPLINK_RETA_SIZE];
	uint16_t fast;	   /* the usable path of lowest RTT, or UPLINK_NO_PATH */
	uint16_t n_usable; /* paths new flows go to */
};

struct uplink_sched {
	uint32_t gen; /* of this table, for telemetry */
	uint32_t n_paths;
	uint32_t n_groups;
	uint32_t flowlet_gap_ms; /* 0: flows stay while their path is usable */
	uint64_t low_latency_dscp;
	uint8_t *usable; /* [n_paths]: 1 where flows may be (new ones and old ones) */
	struct uplink_group_sched groups[];
};

/* The slot of a flow hash in a redirection table (high bits: the low ones pick the flow
 * table bucket). */
static inline uint32_t uplink_reta_slot(uint32_t hash)
{
	return (hash >> 16) & (UPLINK_RETA_SIZE - 1);
}

#endif
