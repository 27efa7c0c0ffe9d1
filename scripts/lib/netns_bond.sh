# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Bonding on the gateway-and-VPS topology (scripts/lib/netns_tunnel.sh): mpgw on both ends
# with twins and the relay (config/bond-gateway.ini, config/bond-vps.ini), the kernel side
# from scripts/relay-kernel.sh, and the real proxies: ss-redir --mptcp in the gateway's
# namespace, ss-server --mptcp in the VPS's. Used by scripts/demo.sh and
# tests/integration/live_bond.sh. Source netns.sh and netns_tunnel.sh first.

# The ISPs' rate limit per direction, for the rate comparisons: low enough that this
# 2-core machine (two mpgw, two proxies, iperf3) is not what limits a stream.
BOND_RATE=${BOND_RATE:-20mbit}

# bond_configs SRC DIR: DIR/gateway.ini, DIR/vps.ini and their secret DIR/secret. The ports
# are renamed tlan0, twan0, twan1 (the vps's twan0, tlan0): their twins would clash with
# the namespaces' veths of the same names.
bond_configs() {
	local src=$1 dir=$2
	(
		umask 077
		head -c 32 /dev/urandom | base64 >"$dir/secret"
	)
	local renames=(-e 's/^\[port lan0\]/[port tlan0]/' -e 's/^\[port wan0\]/[port twan0]/'
		-e 's/^\[port wan1\]/[port twan1]/' -e "s|^secret_file = .*|secret_file = $dir/secret|")
	sed "${renames[@]}" "$src/config/bond-gateway.ini" >"$dir/gateway.ini"
	sed "${renames[@]}" "$src/config/bond-vps.ini" >"$dir/vps.ini"
}

# bond_kernel PREFIX SRC DIR: with both mpgw running, their kernels as relay-kernel.sh
# makes them, seeing the ports only through the twins.
bond_kernel() {
	local p=$1 src=$2 dir=$3
	netns_twins_only "$p-gw" lan0 wan0 wan1
	netns_twins_only "$p-vps" wan0 lan0
	ip netns exec "$p-gw" "$src/scripts/relay-kernel.sh" up "$dir/gateway.ini"
	ip netns exec "$p-vps" "$src/scripts/relay-kernel.sh" up "$dir/vps.ini"
	"$src/scripts/relay-kernel.sh" proxy-config "$dir/gateway.ini" "$dir/ss-redir.json"
	"$src/scripts/relay-kernel.sh" proxy-config "$dir/vps.ini" "$dir/ss-server.json"
	ip netns exec "$p-inet" sysctl -qw net.mptcp.enabled=1
}

# bond_shape PREFIX: tbf at BOND_RATE on both ISPs, both directions (eth0 towards the
# gateway, eth1 towards the internet).
bond_shape() {
	local isp dev
	for isp in isp1 isp2; do
		for dev in eth0 eth1; do
			ip netns exec "$1-$isp" tc qdisc replace dev "$dev" root tbf rate "$BOND_RATE" \
				burst 32kbit latency 50ms
		done
	done
}

# bond_server_start PREFIX DIR [N] / bond_redir_start PREFIX DIR [N]: the proxies, in the
# background, N instances each (default 1) sharing the listening port (--reuse-port: the
# kernel spreads connections over them, one core's crypto is not the cap); their PIDs in
# BOND_SERVER_PIDS and BOND_REDIR_PIDS, the first also in BOND_SERVER_PID and
# BOND_REDIR_PID. Their output in DIR/ss-*.log.
bond_server_start() {
	_bond_proxies "$1-vps" ss-server "$2" "${3:-1}"
	BOND_SERVER_PIDS=("${_BOND_PIDS[@]}")
	# shellcheck disable=SC2034 # for the caller
	BOND_SERVER_PID=${BOND_SERVER_PIDS[0]}
}
bond_redir_start() {
	_bond_proxies "$1-gw" ss-redir "$2" "${3:-1}"
	BOND_REDIR_PIDS=("${_BOND_PIDS[@]}")
	# shellcheck disable=SC2034 # for the caller
	BOND_REDIR_PID=${BOND_REDIR_PIDS[0]}
}
# _bond_proxies NS PROGRAM DIR N: N instances of PROGRAM with DIR/PROGRAM.json in NS;
# their PIDs in _BOND_PIDS.
_bond_proxies() {
	local i
	_BOND_PIDS=()
	for ((i = 0; i < $4; i++)); do
		ip netns exec "$1" "$2" -c "$3/$2.json" --mptcp --reuse-port >>"$3/$2.log" 2>&1 &
		_BOND_PIDS+=($!)
	done
}
bond_redir_stop() {
	kill "${BOND_REDIR_PIDS[@]}" 2>/dev/null || true
	wait "${BOND_REDIR_PIDS[@]}" 2>/dev/null || true
}

# bond_uplinks PREFIX SRC DIR N: the relay over the first N uplinks only (the others
# `multipath = off` for relay-kernel.sh: no MPTCP endpoint), for new connections.
bond_uplinks() {
	local p=$1 src=$2 dir=$3 n=$4
	awk -v n="$n" '
		/^\[port twan/ { k++ }
		{ print }
		/^\[port twan/ && k > n { print "multipath = off" }' "$dir/gateway.ini" >"$dir/gateway-$n.ini"
	ip netns exec "$p-gw" "$src/scripts/relay-kernel.sh" up "$dir/gateway-$n.ini"
}

# bond_iperf PREFIX TARGET SECONDS [IPERF3 OPTIONS...]: iperf3 TCP from the client to
# TARGET, one stream or what -P asks (the server runs iperf3 -s), its first second omitted;
# prints the receiver's Mbit/s with one decimal, or why it failed on stderr.
bond_iperf() {
	local p=$1 target=$2 secs=$3 out
	shift 3
	out=$(ip netns exec "$p-client" timeout $((secs + 20)) iperf3 -c "$target" -t "$secs" -O 1 \
		-J "$@" 2>&1) || true
	/usr/bin/python3 -c '
import json, sys
j = None
try:
    j = json.loads(sys.argv[1])
    print("%.1f" % (j["end"]["sum_received"]["bits_per_second"] / 1e6))
except (ValueError, KeyError):
    print("iperf3 failed:", (j.get("error") if isinstance(j, dict) else None) or sys.argv[1][-200:],
          file=sys.stderr)
    sys.exit(1)' "$out"
}
