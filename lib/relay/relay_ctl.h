/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The relay's health, on the control thread. The relay is LAN TCP handed to the kernel's
 * MPTCP proxy (ss-redir --mptcp on a gateway, terminated by ss-server --mptcp on the VPS;
 * doc/operations.md "The relay"). On a gateway it is usable while a socket listens on
 * [relay] port in mpgw's network namespace (read from the kernel with sock_diag), at least
 * one uplink reaches the VPS (its probes are answered), and the kernel has an IPv4 address
 * on every LAN twin (scripts/relay-kernel.sh ran since mpgw made the twins). Every RELAY_CHECK_MS the
 * state is checked and told to the workers (workers_set_relay_usable()); while it is
 * unusable, mpgw_policy sends relay classes to [relay] fallback. A vps with [relay] only
 * reports whether its proxy listens.
 */
#ifndef MPGW_RELAY_CTL_H
#define MPGW_RELAY_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* How often the proxy's listener and the uplinks are checked. */
#define RELAY_CHECK_MS 200

struct relay_status {
	bool configured;	   /* [relay] and twins */
	bool gateway;		   /* the gateway role: the policy relays */
	uint16_t port;		   /* the proxy's listening port */
	uint16_t server_port;	   /* gateway: the VPS's proxy */
	uint8_t fallback;	   /* enum cfg_action */
	bool listening;		   /* a socket listens on port (IPv4 or IPv6) */
	bool vps_reachable;	   /* gateway: an uplink to the VPS is usable */
	bool lans_addressed;	   /* gateway: the kernel has an IPv4 address on every LAN twin */
	bool usable;		   /* what the workers are told */
	uint64_t mptcp_blackholes; /* gateway: times the kernel turned MPTCP off since start */
	uint64_t mptcp_plain_syns; /* and the SYNs it sent without MPTCP since */
	uint64_t checks;	   /* listener checks made */
	uint64_t check_errors;	   /* sock_diag dumps that failed (the state is kept) */
	uint32_t changes;	   /* times usable changed */
	double since_change_s;
};

/* Start following the relay (nothing to do without [relay] or twins). */
int relay_ctl_start(const struct mpgw_config *cfg, char *err, size_t errlen);
/* Control loop: check when due. */
void relay_ctl_poll(void);
void relay_ctl_stop(void);
/* For telemetry (any thread). */
void relay_ctl_status(struct relay_status *out);

#endif
