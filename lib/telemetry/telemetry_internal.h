/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to lib/telemetry: the command callbacks of telemetry_uplinks.c, registered (and
 * guarded against shutdown) by telemetry.c. */
#ifndef MPGW_TELEMETRY_INTERNAL_H
#define MPGW_TELEMETRY_INTERNAL_H

#include <rte_telemetry.h>

int telemetry_cmd_uplinks(const char *cmd, const char *params, struct rte_tel_data *d);
int telemetry_cmd_flows(const char *cmd, const char *params, struct rte_tel_data *d);
int telemetry_cmd_twins(const char *cmd, const char *params, struct rte_tel_data *d);
int telemetry_cmd_routes(const char *cmd, const char *params, struct rte_tel_data *d);
int telemetry_cmd_neighbours(const char *cmd, const char *params, struct rte_tel_data *d);
int telemetry_cmd_mptcp(const char *cmd, const char *params, struct rte_tel_data *d);
int telemetry_cmd_mptcp_endpoints(const char *cmd, const char *params, struct rte_tel_data *d);
int telemetry_cmd_relay(const char *cmd, const char *params, struct rte_tel_data *d);

#endif
