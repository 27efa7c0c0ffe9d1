/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The relay's way out, on a gateway with [relay] and twins: the kernel's main-table default
 * routes, one per uplink with an IPv4 gateway, kept by mpgw in step with the uplinks'
 * health. The proxy's connection to the VPS opens its first subflow by the main table's
 * default route (the others follow from the MPTCP endpoints), so that route must never
 * lead to a dead uplink: the Nth uplink (in file order, from 0) has metric
 * RELAY_ROUTE_STEP·(N+1) while it has a usable path, RELAY_ROUTE_DEAD more while it has
 * none, behind every live one. Its subflows from its own address keep their per-source
 * table (scripts/relay-kernel.sh), whose default route does not move.
 *
 * The routes carry protocol RTPROT_MPGW (`proto 222` in `ip route`), by which mpgw finds
 * its own (a dump of the main table with strict checking) and touches nothing else: a
 * route of another protocol at the same metric is in the way, counted and said. They are
 * checked every RELAY_ROUTES_CHECK_MS and at each change of an uplink's health: one
 * missing is added (again: the kernel drops a route when its gateway's address goes, with
 * no word), one at the wrong metric deleted once its replacement is in.
 */
#ifndef MPGW_RELAY_ROUTES_H
#define MPGW_RELAY_ROUTES_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

#define RTPROT_MPGW	      222
#define RELAY_ROUTE_STEP      100
#define RELAY_ROUTE_DEAD      10000
#define RELAY_ROUTES_CHECK_MS 2000

struct relay_routes_status {
	bool kept;	   /* a gateway with [relay] and twins: mpgw keeps the routes */
	bool in_step;	   /* at the last check, every uplink's route as its health says */
	uint64_t added;	   /* routes added */
	uint64_t removed;  /* routes deleted (a metric left behind) */
	uint64_t errors;   /* refusals other than "no address on the twin yet" */
	uint32_t live;	   /* uplinks whose route has the live metric */
};

/* Start keeping the routes of cfg's uplinks (nothing to do unless a gateway with [relay]
 * and twins). */
int relay_routes_start(const struct mpgw_config *cfg, char *err, size_t errlen);
/* Control thread, from relay_ctl_poll(): check when due or when an uplink's health
 * changed. */
void relay_routes_poll(uint64_t now);
void relay_routes_stop(void);
void relay_routes_status(struct relay_routes_status *out);

#endif
