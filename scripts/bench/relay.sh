#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The relay's rate, no rate limit: mpgw on both ends (twins, the relay of
# config/bond-gateway.ini and config/bond-vps.ini) against the same topology with the kernel
# forwarding in mpgw's place (OpenMPTCProuter's own stack: the same nftables redirect,
# ss-redir and ss-server --mptcp, the same routing, the ports' veths instead of twins). Both
# topologies stand side by side; rounds alternate between them and the medians are
# reported, for one TCP stream and for STREAMS parallel ones (iperf3 -P), with the CPU
# each part took per Gbit/s relayed. Each end runs as many proxy instances as the machine
# has cores (INSTANCES), sharing the listening port (--reuse-port), as an operator would.
#
#   scripts/bench/relay.sh [ROUNDS] [SECONDS] [STREAMS]   (default 3 rounds of 5 s, 8 streams)
#
# Needs root, a built mpgw (build/), iperf3, shadowsocks-libev. Prints a Markdown table.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rounds=${1:-3}
secs=${2:-5}
streams=${3:-8}
instances=${INSTANCES:-$(nproc)}
MPGW=${MPGW:-$src/build/app/mpgw/mpgw}
MPGWCTL=${MPGWCTL:-$src/build/app/mpgwctl/mpgwctl}
A=mpgwrla # mpgw
B=mpgwrlb # the kernel
# shellcheck source=scripts/lib/netns.sh
source "$src/scripts/lib/netns.sh"
# shellcheck source=scripts/lib/netns_tunnel.sh
source "$src/scripts/lib/netns_tunnel.sh"
# shellcheck source=scripts/lib/netns_bond.sh
source "$src/scripts/lib/netns_bond.sh"

tmp=$(mktemp -d /tmp/relay-bench.XXXXXX)
cleanup() {
	netns_teardown "$A" "$NETNS_TUN_ROLES"
	netns_teardown "$B" "$NETNS_TUN_ROLES"
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/a" "$tmp/b"

# --- A: mpgw on both ends ---------------------------------------------------------------------
netns_tunnel_create "$A" >/dev/null
bond_configs "$src" "$tmp/a"
netns_tunnel_start_mpgw "$A" gw "$MPGW" "$tmp/a/gateway.ini" "$tmp/a/gw.log"
a_gw=$NETNS_TUN_PID
netns_tunnel_start_mpgw "$A" vps "$MPGW" "$tmp/a/vps.ini" "$tmp/a/vps.log"
a_vps=$NETNS_TUN_PID
for p in "$A-gw" "$A-vps"; do
	for ((i = 0; i < 150; i++)); do
		"$MPGWCTL" --file-prefix "$p" ports >/dev/null 2>&1 && break
		sleep 0.2
	done
done
bond_kernel "$A" "$src" "$tmp/a"
bond_server_start "$A" "$tmp/a" "$instances"
a_server=("${BOND_SERVER_PIDS[@]}")
bond_redir_start "$A" "$tmp/a" "$instances"
a_redir=("${BOND_REDIR_PIDS[@]}")

# --- B: the kernel, with the same files -------------------------------------------------------
netns_tunnel_create "$B" >/dev/null
# The ports' own names: the veths are the kernel's interfaces here.
sed "s|^secret_file = .*|secret_file = $tmp/a/secret|" "$src/config/bond-gateway.ini" >"$tmp/b/gateway.ini"
sed "s|^secret_file = .*|secret_file = $tmp/a/secret|" "$src/config/bond-vps.ini" >"$tmp/b/vps.ini"
for r in gw vps; do
	ip netns exec "$B-$r" sysctl -qw net.ipv4.ip_forward=1
done
ip netns exec "$B-gw" "$src/scripts/relay-kernel.sh" up "$tmp/b/gateway.ini"
ip netns exec "$B-vps" "$src/scripts/relay-kernel.sh" up "$tmp/b/vps.ini"
# The main table's default routes, one per uplink at metric 100*(N+1): mpgw keeps them at
# A (lib/relay/relay_routes.h); with the kernel alone they are set here, as OMR sets them.
n=0
while read -r port gw; do
	n=$((n + 1))
	ip -n "$B-gw" route replace default via "$gw" dev "$port" metric $((100 * n))
done < <(awk '/^\[port / { p = $2; sub(/\]/, "", p) } /^gateway *=/ { print p, $3 }' "$tmp/b/gateway.ini")
ip netns exec "$B-inet" sysctl -qw net.mptcp.enabled=1
"$src/scripts/relay-kernel.sh" proxy-config "$tmp/b/gateway.ini" "$tmp/b/ss-redir.json"
"$src/scripts/relay-kernel.sh" proxy-config "$tmp/b/vps.ini" "$tmp/b/ss-server.json"
bond_server_start "$B" "$tmp/b" "$instances"
b_server=("${BOND_SERVER_PIDS[@]}")
bond_redir_start "$B" "$tmp/b" "$instances"
b_redir=("${BOND_REDIR_PIDS[@]}")

for p in "$A" "$B"; do
	ip netns exec "$p-server" iperf3 -s >/dev/null 2>&1 &
done
# Both uplinks usable at A's gateway (the relay needs the VPS to answer).
for ((i = 0; i < 100; i++)); do
	"$MPGWCTL" --file-prefix "$A-gw" relay 2>/dev/null | grep -q '^state *usable' && break
	sleep 0.1
done
sleep 1

# cpu PID...: CPU time (user + system, all threads) the processes used so far, in ticks.
cpu() {
	local t=0 p
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}
# busy: ticks all cores spent busy so far (everything but idle and iowait): the kernel's
# forwarding, iperf3 and softirqs included.
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
hz=$(getconf CLK_TCK)
# The parts whose CPU is reported, each a list of PIDs; B has no mpgw.
parts=(redir server gw vps machine)
ticks() { # SIDE: the ticks of each part so far, space-separated
	if [ "$1" = a ]; then
		echo "$(cpu "${a_redir[@]}") $(cpu "${a_server[@]}") $(cpu "$a_gw") $(cpu "$a_vps") $(busy)"
	else
		echo "$(cpu "${b_redir[@]}") $(cpu "${b_server[@]}") 0 0 $(busy)"
	fi
}
declare -A res
for ((r = 1; r <= rounds; r++)); do
	for n in 1 "$streams"; do
		for side in a b; do
			p=$A
			[ "$side" = b ] && p=$B
			for dir in up down; do
				opt=(-P "$n")
				[ "$dir" = down ] && opt+=(-R)
				before=$(ticks "$side")
				t0=$(date +%s%N)
				rate=$(bond_iperf "$p" "$NETNS_TUN_SERVER4" "$secs" "${opt[@]}" || echo 0)
				t1=$(date +%s%N)
				after=$(ticks "$side")
				# % of one core per Gbit/s, per part, over the whole iperf3 run.
				per=$(paste -d' ' <(echo "$before" | tr ' ' '\n') <(echo "$after" | tr ' ' '\n') |
					awk -v hz="$hz" -v ns="$((t1 - t0))" -v mb="$rate" \
						'{ printf "%.0f ", (mb > 0 ? 100 * ($2 - $1) / hz / (ns / 1e9) / (mb / 1000) : 0) }')
				k=$side-$dir-$n
				res[$k]+="$rate "
				j=0
				for part in $per; do
					res[$k-${parts[$j]}]+="$part "
					j=$((j + 1))
				done
				echo "round $r $side $dir -P $n: $rate Mbit/s, % of a core per Gbit/s (${parts[*]}): $per" >&2
			done
		done
	done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "| direction | streams | mpgw on both ends (Mbit/s) | kernel only (Mbit/s) | ratio |"
echo "|---|---:|---:|---:|---:|"
for n in 1 "$streams"; do
	for dir in up down; do
		a=$(echo "${res[a-$dir-$n]}" | median)
		b=$(echo "${res[b-$dir-$n]}" | median)
		echo "| $dir | $n | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') |"
	done
done
echo
echo "CPU per Gbit/s relayed, % of one core, medians ($instances instances of each proxy;"
echo "machine: all cores' busy time, iperf3 and the kernel included):"
echo
echo "| stack | direction | streams | ss-redir | ss-server | mpgw gateway | mpgw vps | machine |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for side in a b; do
	name="mpgw on both ends"
	[ "$side" = b ] && name="kernel only"
	for n in 1 "$streams"; do
		for dir in up down; do
			row="| $name | $dir | $n |"
			for part in "${parts[@]}"; do
				v=$(echo "${res[$side-$dir-$n-$part]}" | median)
				[ "$side" = b ] && { [ "$part" = gw ] || [ "$part" = vps ]; } && v=-
				row+=" $v |"
			done
			echo "$row"
		done
	done
done
echo
echo "mpgw gateway twins at the end:"
"$MPGWCTL" --file-prefix "$A-gw" twins
"$MPGWCTL" --file-prefix "$A-gw" drops
kill "${a_redir[@]}" "${a_server[@]}" "${b_redir[@]}" "${b_server[@]}" 2>/dev/null || true
