/* SPDX-License-Identifier: BSD-3-Clause */
/* /mpgw/relay: the relay's state (lib/relay), its fallback and the data path's counters. */
#include <rte_telemetry.h>

#include "relay_ctl.h"
#include "relay_routes.h"
#include "telemetry_internal.h"
#include "worker.h"

static const char *relay_state(const struct relay_status *s)
{
	if (!s->configured)
		return "off";
	if (!s->gateway)
		return s->listening ? "listening" : "no_proxy";
	if (s->usable)
		return "usable";
	if (!s->listening)
		return "no_proxy";
	return !s->lans_addressed ? "no_kernel" : "no_vps";
}

int telemetry_cmd_relay(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct relay_status s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	relay_ctl_status(&s);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state", relay_state(&s));
	if (!s.configured)
		return 0;
	rte_tel_data_add_dict_int(d, "port", s.port);
	rte_tel_data_add_dict_string(d, "proxy", s.listening ? "listening" : "not listening");
	rte_tel_data_add_dict_u64(d, "checks", s.checks);
	rte_tel_data_add_dict_u64(d, "check_errors", s.check_errors);
	if (!s.gateway)
		return 0;
	rte_tel_data_add_dict_int(d, "server_port", s.server_port);
	rte_tel_data_add_dict_string(d, "vps", s.vps_reachable ? "reachable" : "unreachable");
	rte_tel_data_add_dict_string(d, "lan_twins", s.lans_addressed ? "addressed" : "bare");
	rte_tel_data_add_dict_string(d, "fallback", config_action_name(s.fallback));
	rte_tel_data_add_dict_string(
		d, "in_use", s.usable ? "relay" : config_action_name(s.fallback));
	rte_tel_data_add_dict_u64(d, "changes", s.changes);
	rte_tel_data_add_dict_u64(d, "since_change_ms", (uint64_t)(s.since_change_s * 1000));
	rte_tel_data_add_dict_u64(d, "relayed_packets", workers_counter(CNT_relay));
	rte_tel_data_add_dict_u64(d, "relayed_bytes", workers_counter(CNT_relay_bytes));
	rte_tel_data_add_dict_u64(d, "fallback_packets", workers_counter(CNT_relay_fallback));
	rte_tel_data_add_dict_u64(d, "fallback_drops", workers_drops(DROP_relay_unavailable));
	rte_tel_data_add_dict_u64(d, "mptcp_blackholes", s.mptcp_blackholes);
	rte_tel_data_add_dict_u64(d, "mptcp_plain_syns", s.mptcp_plain_syns);
	struct relay_routes_status r;
	relay_routes_status(&r);
	rte_tel_data_add_dict_string(d, "default_routes", !r.kept ? "not kept"
							  : r.in_step	? "in step"
									: "out of step");
	rte_tel_data_add_dict_u64(d, "default_routes_live", r.live);
	rte_tel_data_add_dict_u64(d, "default_routes_added", r.added);
	rte_tel_data_add_dict_u64(d, "default_routes_removed", r.removed);
	rte_tel_data_add_dict_u64(d, "default_routes_errors", r.errors);
	return 0;
}
