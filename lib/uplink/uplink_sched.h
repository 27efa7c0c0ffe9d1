/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Uplink scheduling, the parts that are pure logic (EAL-free, unit-tested alone):
 *
 * - Which uplinks may take new flows: the alive active ones (mode `on` or `master`), and
 *   only when none is left the alive `backup` ones (uplink_usable_weights).
 * - A redirection table of UPLINK_RETA_SIZE slots, each naming an uplink, in proportion to
 *   the usable uplinks' weights (uplink_reta_build). A new flow takes the slot its hash
 *   selects. Rebuilt from the previous table, a slot keeps its uplink while that uplink
 *   still has quota, so removing an uplink moves only the slots it had, and adding one
 *   takes only the slots it needs.
 * - Probe hysteresis (uplink_health_probe): down after `down_after` lost probes in a row, up
 *   again only after `up_after` answered ones in a row, so a flapping link is not promoted
 *   early.
 *
 * The control side (uplink_ctl.c) uses them to build the table the data path reads
 * (uplink_table.h).
 */
#ifndef MPGW_UPLINK_SCHED_H
#define MPGW_UPLINK_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#define UPLINK_MAX	 16
#define UPLINK_RETA_SIZE 1024 /* a power of two: slot = hash & (size - 1) */
#define UPLINK_NONE	 0xff /* a slot of a table with no usable uplink */

enum uplink_mode {
	UPLINK_MODE_OFF = 0, /* never used */
	UPLINK_MODE_ON,	     /* an active member */
	UPLINK_MODE_MASTER,  /* active, and the default for single-uplink traffic */
	UPLINK_MODE_BACKUP,  /* used only when no active uplink is alive */
};

/*
 * The weights new flows are shared by: weights[i] for the alive active uplinks, or, when
 * none is alive, for the alive backups; 0 for every other uplink. Returns how many uplinks
 * have a weight.
 */
unsigned int uplink_usable_weights(const enum uplink_mode *modes, const bool *alive,
	const uint32_t *weights, unsigned int n, uint32_t *out);

/*
 * Fill reta (UPLINK_RETA_SIZE slots) for n uplinks with weights w (0: not usable): each
 * usable uplink gets slots in proportion to its weight (largest remainder), spread over the
 * table. prev, when not NULL, is the table in use: its slots are kept where their uplink
 * still has quota. Returns the number of usable uplinks; with none, every slot is
 * UPLINK_NONE.
 */
unsigned int uplink_reta_build(
	const uint32_t *w, unsigned int n, const uint8_t *prev, uint8_t *reta);

struct uplink_health {
	bool alive;
	uint8_t lost_in_row;
	uint8_t answered_in_row;
};

struct uplink_health_params {
	uint8_t down_after; /* lost probes in a row that take an uplink down (default 3) */
	uint8_t up_after;   /* answered probes in a row that bring it back (default 5) */
};

/* An uplink starts not alive: it is used once up_after probes in a row were answered. */
void uplink_health_init(struct uplink_health *h);

/* Record one probe's outcome; returns true when `alive` changed. */
bool uplink_health_probe(
	struct uplink_health *h, const struct uplink_health_params *p, bool answered);

#endif
