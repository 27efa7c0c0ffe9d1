# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Shared by the live tests of the gateway-and-VPS topology (live_tunnel.sh, live_sched.sh,
# live_failover.sh), sourced after live_lib.sh: the topology of scripts/lib/netns_tunnel.sh
# with both mpgw instances started, their CLIs, captures on the uplinks and their leak
# classification (leak_check.py). Exits 77 (skipped) without tcpdump, or without any other
# program a test names in NEEDS (e.g. NEEDS=nft).
# Functions run through check():
# shellcheck disable=SC2317,SC2034

# shellcheck source=scripts/lib/netns_tunnel.sh
source "$src/scripts/lib/netns_tunnel.sh"
for cmd in tcpdump ${NEEDS:-}; do
	if ! command -v "$cmd" >/dev/null; then
		echo "$NAME: skipped: $cmd is missing"
		exit 77
	fi
done

# uplink_cut ISP / uplink_restore ISP: netns_uplink_cut (scripts/lib/netns_tunnel.sh).
uplink_cut() { netns_uplink_cut "$PREFIX-$1"; }
uplink_restore() { netns_uplink_restore "$PREFIX-$1"; }

gw_ctl() { timeout 10 "$MPGWCTL" --file-prefix "$PREFIX-gw" "$@"; }
vps_ctl() { timeout 10 "$MPGWCTL" --file-prefix "$PREFIX-vps" "$@"; }
gw_counter() { json_get "$(gw_ctl --json "$1")" "$2"; }

wait_ready() {
	local file_prefix=$1 pid=$2 i
	for ((i = 0; i < 150; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		"$MPGWCTL" --file-prefix "$file_prefix" ports >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# capture_start NAME: tcpdump on both ends of both uplinks, into $tmp/NAME-NS-IF.pcap: the
# ISPs' eth0, which sees all the gateway sends (before any netdev hook drops it), and the
# gateway's wan0 and wan1, which see what arrives from the ISPs (af_packet's own
# transmissions bypass the capture point there).
capture_start() {
	local at
	cap_pids=()
	for at in isp1:eth0 isp2:eth0 gw:wan0 gw:wan1; do
		# Not through in_ns: "ip netns exec" execs tcpdump, so $! is tcpdump itself.
		ip netns exec "$PREFIX-${at%%:*}" tcpdump -i "${at#*:}" -n -U -s 256 \
			-w "$tmp/$1-${at%%:*}-${at#*:}.pcap" >/dev/null 2>&1 &
		cap_pids+=($!)
	done
	sleep 1
}
capture_stop() {
	sleep 0.5
	kill -INT "${cap_pids[@]}" 2>/dev/null || true
	wait "${cap_pids[@]}" 2>/dev/null || true
}
# leaks NAME: the classification of the captures (leak_check.py), total line.
leaks() {
	"$PY" "$src/tests/integration/leak_check.py" 10.0.1.0/24 fd00:1::/64 "$tmp/$1"-*.pcap |
		tail -n 1
}
field() { echo "$1" | grep -o "$2=[0-9]*" | cut -d= -f2; }

# uplinks_usable CTL N: within 5 s, N uplinks are usable (their probes answered).
uplinks_usable() {
	local i out
	for ((i = 0; i < 50; i++)); do
		out=$("$1" uplinks 2>/dev/null || true)
		[ "$(echo "$out" | grep -c ' usable ')" -ge "$2" ] && break
		sleep 0.1
	done
	echo "$out" | tail -n +2 | awk '{print $1, $6, "rtt", $7 " ms"}' | tr '\n' ';'
	[ "$(echo "$out" | grep -c ' usable ')" -ge "$2" ]
}

# tunnel_pair_start GATEWAY_INI VPS_INI: the topology, then the gateway (NETNS_MPGW_PID, log
# $log) and the vps (vps_pid, log $vps_log); ends the test when either does not start.
tunnel_pair_start() {
	if ! netns_tunnel_create "$PREFIX" >"$tmp/netns.log" 2>&1; then
		not_ok "topology: $(tail -n 1 "$tmp/netns.log")"
		finish
	fi
	ok "topology: client, gateway, isp1, isp2, inet, vps, server"
	netns_tunnel_start_mpgw "$PREFIX" gw "$MPGW" "$1" "$log"
	NETNS_MPGW_PID=$NETNS_TUN_PID
	vps_log=$tmp/vps.log
	netns_tunnel_start_mpgw "$PREFIX" vps "$MPGW" "$2" "$vps_log"
	vps_pid=$NETNS_TUN_PID
	if ! wait_ready "$PREFIX-gw" "$NETNS_MPGW_PID" || ! wait_ready "$PREFIX-vps" "$vps_pid"; then
		not_ok "both mpgw instances start"
		show_log
		sed 's/^/    vps: /' "$vps_log"
		finish
	fi
	ok "mpgw gateway (pid $NETNS_MPGW_PID) and mpgw vps (pid $vps_pid) running"
}
