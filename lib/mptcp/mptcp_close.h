/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Closing the kernel's MPTCP subflows over a path that died (sock_diag's SOCK_DESTROY, as
 * `ss -K` does). What a sender had in flight on a dead subflow is otherwise sent again only
 * at that subflow's retransmission timeout, and the whole connection waits for it (up to a
 * second of nothing, seen on the relay's live test); a closed subflow's data is sent again
 * at once over the others. The VPS closes its subflows to a gateway's uplink address when
 * its probes to it fail (the gateway's backup flag cannot reach it over the dead path); a
 * gateway closes its own on an uplink that died, and opens them again when the uplink is
 * back (mptcp_pm_follow.c: its endpoint added again).
 */
#ifndef MPGW_MPTCP_CLOSE_H
#define MPGW_MPTCP_CLOSE_H

#include <stdbool.h>

#include <libmnl/libmnl.h>

#include "ipaddr.h"

/* Close every MPTCP subflow (TCP socket of the "mptcp" ULP) whose local (local) or remote
 * address is addr, over the sock_diag socket diag (seq: its sequence counter). Returns how
 * many were closed, or -1 if the kernel would not list them (no sock_diag, or no
 * CONFIG_INET_DIAG_DESTROY: then none is). */
int mptcp_subflows_close(
	struct mnl_socket *diag, unsigned int *seq, const struct ipaddr *addr, bool local);

#endif
