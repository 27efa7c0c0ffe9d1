#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# See mpgw bond: install what it needs, build it, run a bonding gateway and its VPS.
#
#   scripts/demo.sh            (as root, or as a user with sudo)
#
# It builds the gateway-and-VPS topology in network namespaces (scripts/lib/netns_tunnel.sh)
#
#   client --lan0-[ mpgw gateway ]-wan0-- isp1 --\
#                                 -wan1-- isp2 ---+-- inet --[ mpgw vps ]-- server
#
# with both ISPs limited to 20 Mbit/s each way (tbf), runs mpgw on both ends with kernel
# twins and the relay (config/bond-gateway.ini, config/bond-vps.ini; the kernels set up by
# scripts/relay-kernel.sh; the real proxies, ss-redir and ss-server --mptcp), and shows one
# iperf3 TCP stream over one uplink and over two (IPv4, IPv6, both ways), an IPv6 ping
# through the 6in4 tunnel, an uplink cut in the middle of a download, and mpgwctl's view.
# Everything is removed at the end, and a leftover of an interrupted run first. Exits
# non-zero if bonding did not happen (two uplinks below 1.6 times one) or traffic did not
# flow.
# Functions run through step() and the traps:
# shellcheck disable=SC2317
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$src/build
MPGW=${MPGW:-$build/app/mpgw/mpgw}
MPGWCTL=${MPGWCTL:-$build/app/mpgwctl/mpgwctl}
PREFIX=mpgwdemo

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi

# --- dependencies and build (as the invoking user; setup-deps.sh uses sudo itself) ---------

if [ "${1:-}" != "--no-build" ]; then
	say "Installing missing packages (scripts/setup-deps.sh)"
	"$src/scripts/setup-deps.sh"
	say "Building mpgw"
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build" "$src"
	fi
	ninja -C "$build"
else
	shift
fi

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		echo "demo: network namespaces need root: re-running with sudo"
		exec sudo env MPGW="$MPGW" MPGWCTL="$MPGWCTL" "$src/scripts/demo.sh" --no-build "$@"
	fi
	echo "demo: needs root (network namespaces, veths, raw sockets) and sudo is not" \
		"installed: run it as root" >&2
	exit 1
fi

# shellcheck source=scripts/lib/netns.sh
source "$src/scripts/lib/netns.sh"
# shellcheck source=scripts/lib/netns_tunnel.sh
source "$src/scripts/lib/netns_tunnel.sh"
# shellcheck source=scripts/lib/netns_bond.sh
source "$src/scripts/lib/netns_bond.sh"
netns_check_tools

netns_session_begin "$PREFIX" "$NETNS_TUN_ROLES"

failures=()
step() {
	# step DESCRIPTION CMD...: run CMD, print its output indented and a verdict.
	local desc=$1 out line rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ -n "$out" ]; then
		while IFS= read -r line; do echo "    $line"; done <<<"$out"
	fi
	if [ "$rc" -eq 0 ]; then
		echo "  ok: $desc"
	else
		echo "  FAILED: $desc"
		failures+=("$desc")
	fi
}
gw_ctl() { timeout 10 "$MPGWCTL" --file-prefix "$PREFIX-gw" "$@"; }
vps_ctl() { timeout 10 "$MPGWCTL" --file-prefix "$PREFIX-vps" "$@"; }
# until_ok SECONDS CMD...: CMD until it succeeds, at most SECONDS.
until_ok() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}
counter() { gw_ctl counters --all | awk -v k="$1" '$1 == k { print $2 }'; }

# --- topology, mpgw on both ends, the kernels and the proxies ---------------------------------

say "Creating the namespaces client, gw, isp1, isp2, inet, vps, server ($PREFIX-*)"
netns_tunnel_create "$PREFIX"
echo "  client 10.0.1.2 fd00:1::2 -> gateway, uplinks 100.64.1.2 (isp1) and 100.64.2.2 (isp2)"
echo "  -> VPS 203.0.113.10 -> server $NETNS_TUN_SERVER4 $NETNS_TUN_SERVER6"
bond_configs "$src" "$tmp"

say "Starting mpgw: the gateway (config/bond-gateway.ini) and the VPS (config/bond-vps.ini)"
netns_tunnel_start_mpgw "$PREFIX" gw "$MPGW" "$tmp/gateway.ini" "$log"
NETNS_MPGW_PID=$NETNS_TUN_PID
netns_tunnel_start_mpgw "$PREFIX" vps "$MPGW" "$tmp/vps.ini" "$tmp/vps.log"
if ! until_ok 30 gw_ctl ports || ! until_ok 30 vps_ctl ports; then
	echo "demo: mpgw did not come up; its output:" >&2
	cat "$log" "$tmp/vps.log" >&2
	exit 1
fi
grep '^mpgw:' "$log" | sed 's/^/    gateway: /'

say "The kernels (scripts/relay-kernel.sh up), ss-redir and ss-server --mptcp, ISPs at $BOND_RATE"
bond_kernel "$PREFIX" "$src" "$tmp"
bond_server_start "$PREFIX" "$tmp"
bond_redir_start "$PREFIX" "$tmp"
netns_exec "$PREFIX" server iperf3 -s >/dev/null 2>&1 &
bond_shape "$PREFIX"
ready() {
	[ "$(gw_ctl uplinks | grep -c ' usable ')" -ge 2 ] && gw_ctl relay | grep -q '^state *usable'
}
step "both uplinks usable, the relay usable" until_ok 15 ready

# --- one uplink against two ---------------------------------------------------------------------

say "One iperf3 TCP stream, client <-> server, over one uplink and then over two (4 s each)"
declare -A rate
for n in 1 2; do
	bond_uplinks "$PREFIX" "$src" "$tmp" "$n"
	rate[upload4-$n]=$(bond_iperf "$PREFIX" "$NETNS_TUN_SERVER4" 4 || echo 0)
	rate[download4-$n]=$(bond_iperf "$PREFIX" "$NETNS_TUN_SERVER4" 4 -R || echo 0)
	rate[upload6-$n]=$(bond_iperf "$PREFIX" "$NETNS_TUN_SERVER6" 4 || echo 0)
	rate[download6-$n]=$(bond_iperf "$PREFIX" "$NETNS_TUN_SERVER6" 4 -R || echo 0)
done
rates_table() {
	local k r bad=0
	printf '%-16s %10s %10s %7s\n' "Mbit/s" "1 uplink" "2 uplinks" ratio
	for k in upload4 download4 upload6 download6; do
		r=$(awk -v a="${rate[$k-1]}" -v b="${rate[$k-2]}" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
		printf '%-16s %10s %10s %7s\n' "${k%[46]} IPv${k: -1}" "${rate[$k-1]}" "${rate[$k-2]}" "$r"
		awk -v r="$r" 'BEGIN { exit !(r >= 1.6) }' || bad=1
	done
	return $bad
}
step "bonding: every stream at least 1.6 times one uplink's rate" rates_table

# --- not TCP: the tunnel --------------------------------------------------------------------------

say "IPv6 ping client -> server: not TCP, so through the 6in4 tunnel, never native on a WAN"
enc0=$(counter encap)
step "IPv6 ping to $NETNS_TUN_SERVER6" netns_exec "$PREFIX" client ping -6 -n -c 3 -i 0.2 -W 2 \
	"$NETNS_TUN_SERVER6"
echo "    mpgw's encap counter: ${enc0:-0} -> $(counter encap)"

# --- an uplink cut in the middle of a download ----------------------------------------------------

say "isp2 cut from 3 s to 6 s of a 10 s download (one TCP connection throughout)"
netns_exec "$PREFIX" client iperf3 -c "$NETNS_TUN_SERVER4" -R -t 10 -f m >"$tmp/cut.txt" 2>&1 &
cut_pid=$!
sleep 2
gw_ctl mptcp >"$tmp/mptcp.txt" 2>&1 || true
sleep 1
netns_uplink_cut "$PREFIX-isp2"
sleep 3
netns_uplink_restore "$PREFIX-isp2"
cut_rc=0
wait "$cut_pid" || cut_rc=$?
per_second() {
	grep -E ' sec .* Mbits/sec *$' "$tmp/cut.txt" | awk '{ print $3 " s: " $7 " Mbit/s" }'
	[ "$cut_rc" -eq 0 ] || tail -n 3 "$tmp/cut.txt"
	return "$cut_rc"
}
step "the download carries on through the cut, on both uplinks again after it" per_second

# --- what mpgw saw --------------------------------------------------------------------------------

say "mpgwctl uplinks (gateway)"
gw_ctl uplinks
say "mpgwctl mptcp (gateway, during the download): the proxy's connection, a subflow per uplink"
cat "$tmp/mptcp.txt"
say "mpgwctl tunnels (gateway)"
gw_ctl tunnels
say "mpgwctl relay (gateway)"
gw_ctl relay
say "mpgwctl drops (gateway, then VPS)"
gw_ctl drops
vps_ctl drops

say "Stopping"
bond_redir_stop
rc=0
netns_mpgw_stop 15 || rc=$?
[ "$rc" -eq 0 ] || failures+=("mpgw exit status $rc")

cat <<EOF

What you just saw:
  - mpgw owns the ports of the gateway and of the VPS (DPDK; af_packet here); their kernels
    see them only through twins (TAPs). LAN TCP goes to the gateway's kernel, where
    ss-redir --mptcp makes each connection one MPTCP connection with a subflow per uplink;
    ss-server on the VPS ends it. One TCP stream gets both uplinks' rate.
  - Everything else (the IPv6 ping) goes through mpgw's tunnels: no LAN IPv6 leaves a WAN
    natively.
  - A cut uplink: mpgw's probes find it dead in about 150 ms and flag its MPTCP endpoint
    backup; the connection carries on over the other uplink, and over both once it is back.
Details: doc/operations.md ("The relay"), doc/config.md, doc/telemetry.md.
EOF

if [ ${#failures[@]} -ne 0 ]; then
	printf '\ndemo: FAILED: %s\n' "${failures[@]}" >&2
	exit 1
fi
printf '\ndemo: one TCP connection bonded over two uplinks, IPv4 and IPv6.\n'
