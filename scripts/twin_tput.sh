#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Kernel TCP through a twin, against the same two hosts over a plain veth (issue 17): on
# live.sh's topology (scripts/lib/netns.sh), mpgw with `twins = yes`, the gw namespace's
# kernel holding the lan port's address on tlan0 only. iperf3 runs between the gw kernel
# and the client (kernel -> host, and -R: host -> kernel), once through tlan0 and mpgw's
# lan port, once over a second veth pair between the same namespaces, in interleaved
# rounds; the medians and their ratio are printed; then UDP datagrams a second at 64 B and
# 1500 B each way, the same way; and mpgw's twin counters.
#
#   scripts/twin_tput.sh [ROUNDS [SECONDS]]     default 3 rounds of 5 s each way
#
# Builds mpgw (release) in build-bench, as scripts/bench.sh does. Needs root and iperf3.
set -euo pipefail

rounds=${1:-3}
secs=${2:-5}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BENCH_BUILD:-$src/build-bench}
PREFIX=mpgwtput
# shellcheck source=scripts/lib/netns.sh
source "$src/scripts/lib/netns.sh"
# shellcheck source=scripts/lib/iperf.sh
source "$src/scripts/lib/iperf.sh"

if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Dbuildtype=release -Dtests=false >/dev/null
else
	meson setup "$build" "$src" -Dbuildtype=release -Dtests=false >/dev/null
fi
ninja -C "$build" >/dev/null
MPGW=$build/app/mpgw/mpgw
MPGWCTL=$build/app/mpgwctl/mpgwctl

netns_session_begin "$PREFIX" "client gw server"
sed -e 's/^\[port lan0\]/[port tlan0]/' -e 's/^\[port wan0\]/[port twan0]/' \
	-e 's/^\[mpgw\]/[mpgw]\ntwins = yes/' "$src/config/demo.ini" >"$tmp/twin.ini"
netns_create "$PREFIX" >"$tmp/netns.log" 2>&1 || { tail -n 3 "$tmp/netns.log"; exit 1; }
netns_twins_only "$PREFIX-gw" "$NETNS_GW_LAN_IF" "$NETNS_GW_WAN_IF"
netns_mpgw_start "$PREFIX" "$MPGW" "$tmp/twin.ini" "$log"
netns_mpgw_wait_ready "$PREFIX" "$MPGWCTL" 30 || { cat "$log"; exit 1; }
ip -n "$PREFIX-gw" addr add "$NETNS_GW_LAN4/24" dev tlan0
# The client as a Linux host behind a NIC is: GSO and GRO on, so that its TCP pays per
# 64 KB, segments cut just before the wire and joined just after it. TSO stays off: a veth
# would hand the lan port's raw socket 64 KB frames, which no NIC puts on a wire.
ip netns exec "$PREFIX-client" ethtool -K "$NETNS_CLIENT_IF" gso on gro on >/dev/null
# The plain path: a veth pair between the same two namespaces, its own subnet.
ip link add plain0 netns "$PREFIX-gw" type veth peer name plain1 netns "$PREFIX-client"
ip -n "$PREFIX-gw" addr add 10.99.0.1/24 dev plain0
ip -n "$PREFIX-client" addr add 10.99.0.2/24 dev plain1
ip -n "$PREFIX-gw" link set plain0 up
ip -n "$PREFIX-client" link set plain1 up

# mbps DEST [-R]: one iperf3 run from the gw kernel, its receiver's Mbit/s.
mbps() { iperf_mbps "$PREFIX-gw" "$PREFIX-client" "$1" "$secs" "${@:2}"; }

declare -a tw_out tw_in pl_out pl_in
for ((r = 0; r < rounds; r++)); do
	tw_out+=("$(mbps "$NETNS_CLIENT4")")
	pl_out+=("$(mbps 10.99.0.2)")
	tw_in+=("$(mbps "$NETNS_CLIENT4" -R)")
	pl_in+=("$(mbps 10.99.0.2 -R)")
	echo "round $((r + 1)): kernel->host twin ${tw_out[r]} plain ${pl_out[r]};" \
		"host->kernel twin ${tw_in[r]} plain ${pl_in[r]} (Mbit/s)"
done
a=$(median "${tw_out[@]}") b=$(median "${pl_out[@]}") c=$(median "${tw_in[@]}") d=$(median "${pl_in[@]}")
echo "medians of $rounds, ${secs} s each (Mbit/s):"
echo "| path | kernel -> host | host -> kernel |"
echo "|---|---:|---:|"
echo "| through a twin and mpgw | $a | $c |"
echo "| the same hosts over a plain veth | $b | $d |"
awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" \
	'BEGIN {printf "| ratio | %.3f | %.3f |\n", (b ? a / b : 0), (d ? c / d : 0)}'

# kpps DEST LEN [-R]: UDP datagrams of LEN bytes the receiver got, thousands a second.
kpps() { iperf_kpps "$PREFIX-gw" "$PREFIX-client" "$1" "$secs" "$2" "${@:3}"; }
# Frames of 64 B (18 bytes of UDP payload) and IP packets of 1500 B, each way, twin and
# plain in turn.
declare -A pps
for ((r = 0; r < rounds; r++)); do
	for len in 18 1472; do
		for dir in out in; do
			opt=()
			[ "$dir" = in ] && opt=(-R)
			pps[tw-$dir-$len]+="$(kpps "$NETNS_CLIENT4" "$len" "${opt[@]}") "
			pps[pl-$dir-$len]+="$(kpps 10.99.0.2 "$len" "${opt[@]}") "
		done
	done
done
pmed() {
	local -a v
	read -r -a v <<<"${pps[$1]}"
	median "${v[@]}"
}
echo
echo "UDP, datagrams received a second (thousands), medians of $rounds, ${secs} s each:"
echo "| path | kernel -> host, 64 B | kernel -> host, 1500 B | host -> kernel, 64 B | host -> kernel, 1500 B |"
echo "|---|---:|---:|---:|---:|"
echo "| through a twin and mpgw | $(pmed tw-out-18) | $(pmed tw-out-1472) | $(pmed tw-in-18) | $(pmed tw-in-1472) |"
echo "| the same hosts over a plain veth | $(pmed pl-out-18) | $(pmed pl-out-1472) | $(pmed pl-in-18) | $(pmed pl-in-1472) |"
"$MPGWCTL" --file-prefix "$PREFIX" twins
"$MPGWCTL" --file-prefix "$PREFIX" drops || true
