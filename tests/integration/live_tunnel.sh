#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live tunnel test: two mpgw instances, the gateway of config/gateway.ini and the VPS of
# config/vps.ini, with real kernels around them (topology: scripts/lib/netns_tunnel.sh):
#
#   client --[ mpgw gateway ]== isp1, isp2 (IPv4 only) == inet ==[ mpgw vps ]-- server
#
# It checks that an IPv6 LAN client reaches the server through the 6in4 tunnel (ping, and a
# TCP transfer each way) and IPv4 UDP goes through the tunnel too (4in4), that captures on
# both ISP links show every LAN packet inside protocol 41 or 4 and none natively, and that
# under faults - the VPS stopped (its probes unanswered), both uplinks down, the VPS removed from the gateway's
# configuration at run time (SIGHUP) - still no LAN packet leaves natively while the
# fail-closed counters rise.
# Then, with twins and no address configured on one uplink: the address the kernel has on
# its twin becomes the tunnel's outer source, and a new address replaces it (DHCP).
#
# Environment and output as live.sh (helpers in live_lib.sh).
# Functions run through check():
# shellcheck disable=SC2317
set -euo pipefail

NAME=live_tunnel
PREFIX=mpgwtun
ROLES="client gw isp1 isp2 inet vps server"
TCP_BYTES=1000000
# shellcheck source=tests/integration/live_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/live_lib.sh"
# shellcheck source=tests/integration/live_tunnel_lib.sh
source "$src/tests/integration/live_tunnel_lib.sh"

# LAN traffic for the fault phases: IPv6 echo requests and UDP, IPv4 UDP.
lan_traffic() {
	in_ns client ping -6 -n -c 3 -i 0.2 -W 1 "$NETNS_TUN_SERVER6" >/dev/null 2>&1 || true
	for i in 1 2 3; do
		echo "probe $i" | in_ns client ncat -6 -u -w 1 "$NETNS_TUN_SERVER6" 9 2>/dev/null || true
		echo "probe $i" | in_ns client ncat -4 -u -w 1 "$NETNS_TUN_SERVER4" 9 2>/dev/null || true
	done
}

# --- topology and daemons ------------------------------------------------------------------

cp "$src/config/gateway.ini" "$tmp/gateway.ini"
tunnel_pair_start "$tmp/gateway.ini" "$src/config/vps.ini"

tunnels_usable() {
	local out
	out=$(gw_ctl tunnels)
	echo "$out" | tr -s ' ' | grep usable | tr '\n' ';'
	[ "$(echo "$out" | grep -c ' usable')" -eq 2 ] && echo "$out" | grep -q ' 1480 '
}
check "gateway: two 4in4/6in4 paths to the VPS, inner MTU 1480 (mpgwctl tunnels)" \
	tunnels_usable || true
check "gateway: both uplinks usable once the VPS answers their probes (mpgwctl uplinks)" \
	uplinks_usable gw_ctl 2 || true
check "vps: both of the gateway's uplink addresses usable (its own probes)" \
	uplinks_usable vps_ctl 2 || true

# --- through the tunnel --------------------------------------------------------------------

capture_start through
check "IPv6 LAN client pings the server through the tunnel" \
	netns_ping "$PREFIX" 6 "$NETNS_TUN_SERVER6" 3 || true
head -c "$TCP_BYTES" /dev/urandom >"$tmp/up"
head -c "$TCP_BYTES" /dev/urandom >"$tmp/down"
check "IPv6 TCP client <-> server through the tunnel, 1 MB each way" \
	netns_tcp_exchange "$PREFIX" 6 "$NETNS_TUN_SERVER6" 5201 "$tmp/up" "$tmp/down" "$tmp" ||
	true
udp4() {
	local got
	rm -f "$tmp/udp4.got"
	# The listener ends by itself (idle 2 s): one client, five datagrams.
	ip netns exec "$PREFIX-server" ncat -4 -u -l -i 2 "$NETNS_TUN_SERVER4" 5301 \
		>"$tmp/udp4.got" 2>/dev/null &
	local spid=$!
	sleep 0.5
	for i in 1 2 3 4 5; do
		echo "udp over 4in4 $i"
		sleep 0.1
	done | in_ns client ncat -4 -u -w 1 "$NETNS_TUN_SERVER4" 5301 || true
	wait "$spid" 2>/dev/null || true
	got=$(grep -c "udp over 4in4" "$tmp/udp4.got" || true)
	echo "server received $got of 5 IPv4 UDP datagrams"
	[ "$got" -eq 5 ]
}
check "IPv4 UDP client -> server through the tunnel" udp4 || true
capture_stop
through=$(leaks through)
no_leak_and_tunnelled() {
	echo "ISP links: $through"
	[ "$(field "$through" native6)" -eq 0 ] && [ "$(field "$through" native4)" -eq 0 ] &&
		[ "$(field "$through" tunnelled6)" -gt 0 ] && [ "$(field "$through" tunnelled4)" -gt 0 ]
}
check "captures on both ISP links: LAN IPv6 only inside protocol 41, IPv4 only inside 4" \
	no_leak_and_tunnelled || true
both_links() {
	local a b
	a=$("$PY" "$src/tests/integration/leak_check.py" 10.0.1.0/24 fd00:1::/64 \
		"$tmp/through-isp1-eth0.pcap" | head -n 1)
	b=$("$PY" "$src/tests/integration/leak_check.py" 10.0.1.0/24 fd00:1::/64 \
		"$tmp/through-isp2-eth0.pcap" | head -n 1)
	echo "isp1: $(echo "$a" | cut -d' ' -f2-); isp2: $(echo "$b" | cut -d' ' -f2-)"
	[ $(($(field "$a" tunnelled6) + $(field "$a" tunnelled4))) -gt 0 ] ||
		[ $(($(field "$b" tunnelled6) + $(field "$b" tunnelled4))) -gt 0 ]
}
check "tunnel packets seen on the ISP links (received by the ISPs)" both_links || true

# --- faults --------------------------------------------------------------------------------

# Tunnel packets sent, plus those dropped for want of a live uplink: whichever the gateway
# does while a fault lasts (until its probes find the uplinks dead it still tunnels; then it
# drops), nothing may leave natively.
tunnelled_or_dropped() {
	echo $(($(gw_counter counters encap) + $(gw_counter drops tunnel_down)))
}

# 1. The VPS stops: its probes go unanswered, the uplinks go down, never native.
kill -TERM "$vps_pid" 2>/dev/null || true
wait "$vps_pid" 2>/dev/null || true
encap_before=$(tunnelled_or_dropped)
capture_start vps_down
lan_traffic
capture_stop
r=$(leaks vps_down)
vps_down() {
	local encap
	encap=$(tunnelled_or_dropped)
	echo "vps stopped: $r; encap + tunnel_down ${encap_before:-?} -> ${encap:-?}"
	[ "$(field "$r" native6)" -eq 0 ] && [ "$(field "$r" native4)" -eq 0 ] &&
		[ "${encap:-0}" -gt "${encap_before:-0}" ]
}
check "fault 1, VPS stopped: LAN traffic tunnelled or dropped, zero native" vps_down || true

# 2. Both uplinks down (at the ISPs' end of the links).
in_ns isp1 ip link set eth0 down
in_ns isp2 ip link set eth0 down
encap_before=$(tunnelled_or_dropped)
capture_start links_down
lan_traffic
capture_stop
in_ns isp1 ip link set eth0 up
in_ns isp2 ip link set eth0 up
r2=$(leaks links_down)
links_down() {
	local encap
	encap=$(tunnelled_or_dropped)
	echo "uplinks down: $r2; encap + tunnel_down ${encap_before:-?} -> ${encap:-?}"
	[ "$(field "$r2" native6)" -eq 0 ] && [ "$(field "$r2" native4)" -eq 0 ] &&
		[ "${encap:-0}" -gt "${encap_before:-0}" ]
}
check "fault 2, both uplinks down: tunnelled or dropped, zero native on the links" \
	links_down || true

# 3. The VPS removed from the gateway's configuration while it runs: fail closed.
sed -i 's/^address = 203.0.113.10$/# (removed by the test)/' "$tmp/gateway.ini"
down_before=$(gw_counter drops tunnel_down)
kill -HUP "$NETNS_MPGW_PID"
# logged PATTERN: waits up to 5 s for a line of the gateway's log; prints the last match.
logged() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q "$1" "$log" && break
		sleep 0.1
	done
	grep "$1" "$log" | tail -n 1
	grep -q "$1" "$log"
}
check "SIGHUP reloads the gateway's configuration without the VPS" logged "^mpgw: reloaded" ||
	true
capture_start peer_removed
lan_traffic
capture_stop
r3=$(leaks peer_removed)
peer_removed() {
	local down
	down=$(gw_counter drops tunnel_down)
	echo "vps removed: $r3; tunnel_down ${down_before:-?} -> ${down:-?}"
	[ "$(field "$r3" native6)" -eq 0 ] && [ "$(field "$r3" native4)" -eq 0 ] &&
		[ "$(field "$r3" tunnelled6)" -eq 0 ] && [ "${down:-0}" -gt "${down_before:-0}" ]
}
check "fault 3, VPS removed at run time: nothing leaves, tunnel_down counts it" peer_removed ||
	true
no_paths() {
	local out
	out=$(gw_ctl tunnels)
	echo "$out" | tail -n +2 | tr -s ' ' | tr '\n' ';'
	! echo "$out" | grep -q ' usable'
}
check "mpgwctl tunnels shows no usable path" no_paths || true

# A reload that would change a port is refused; the running tables stay.
sed -i '/^\[port wan0\]/a mtu = 1400' "$tmp/gateway.ini"
kill -HUP "$NETNS_MPGW_PID"
check "SIGHUP with a port changed: reload refused, mpgw keeps running" \
	logged "^mpgw: reload refused.*\[port\] section changed" || true

echo "# gateway: mpgwctl drops; mpgwctl counters"
gw_ctl drops 2>&1 | sed 's/^/#   /' || true
gw_ctl counters 2>&1 | sed 's/^/#   /' || true

stop_mpgw_checked "the gateway"
[ "$failed" -eq 0 ] || { show_log; sed 's/^/    vps: /' "$vps_log"; }

# --- the uplink's address from the kernel --------------------------------------------------

# The gateway again, with twins (its ports renamed: the veths hold their names) and no
# address configured on twan0: the address the kernel has on the twin (as DHCP would put
# it there) is the uplink's, and the tunnel's outer source; a new one replaces it. twan1 is
# a backup, so that the LAN's traffic takes twan0 while it is alive.
kernel_source_phase() {
	local failed0=$failed
	sed -e 's/^\[port lan0\]/[port tlan0]/' -e 's/^\[port wan0\]/[port twan0]/' \
		-e 's/^\[port wan1\]/[port twan1]\nmultipath = backup/' \
		-e 's/^\[mpgw\]/[mpgw]\ntwins = yes/' \
		-e 's/^neighbour = 100.64.1.1 \(.*\)$/neighbour = 100.64.1.1 \1 port twan0/' \
		"$src/config/gateway.ini" | sed '/^\[port twan0\]/,/^\[/{/^address = /d}' \
		>"$tmp/gateway_twins.ini"
	# Room in -m 512 for a second FIB version beside the live one (the kernel's changes).
	printf '[flows]\nsize = 65536\n' >>"$tmp/gateway_twins.ini"
	# The gw namespace's kernel sees the ports through the twins only (live_lib.sh).
	twins_only gw lan0 wan0 wan1
	vps_log=$tmp/vps2.log
	log=$tmp/gw_twins.log
	netns_tunnel_start_mpgw "$PREFIX" vps "$MPGW" "$src/config/vps.ini" "$vps_log"
	vps_pid=$NETNS_TUN_PID
	netns_tunnel_start_mpgw "$PREFIX" gw "$MPGW" "$tmp/gateway_twins.ini" "$log"
	NETNS_MPGW_PID=$NETNS_TUN_PID
	if ! wait_ready "$PREFIX-gw" "$NETNS_MPGW_PID" || ! wait_ready "$PREFIX-vps" "$vps_pid"; then
		not_ok "the gateway with twins and no address on twan0, and the vps, start"
		return
	fi
	ok "the gateway with twins and no address on twan0 (pid $NETNS_MPGW_PID), and the vps, running"
	# With twins the kernel answers ARP for the ports (fault 2 took the ISPs' permanent
	# entries for the gateway away): twan1's configured address on its twin too.
	in_ns gw ip addr add 100.64.2.2/24 dev twan1
	# twan0_local: the local address of twan0's tunnel path, or its state.
	twan0_local() { gw_ctl tunnels | awk '$2 == "twan0" {print ($7 == "usable" ? $4 : $7 " " $8 " " $9 " " $10 " " $11)}'; }
	no_address() {
		local t
		t=$(twan0_local)
		echo "twan0: ${t:-no path}"
		echo "$t" | grep -q "no IPv4 address"
	}
	check "without an address in the kernel, twan0 has no tunnel path" no_address || true
	# kernel_source ADDR: `ip addr add ADDR/24` on twan0's twin; within 2 s the tunnel path
	# of twan0 is sourced from it.
	kernel_source() {
		local i t
		in_ns gw ip addr add "$1/24" dev twan0
		for ((i = 0; i < 20; i++)); do
			t=$(twan0_local)
			[ "$t" = "$1" ] && break
			sleep 0.1
		done
		echo "ip addr add $1/24 dev twan0: twan0's path from ${t:-nothing} after $((i * 100)) ms; mpgwctl routes: kernel_addrs4 $(json_get "$(gw_ctl --json routes)" kernel_addrs4)"
		[ "$t" = "$1" ]
	}
	check "ip addr add 100.64.1.2 on twan0: the tunnel's outer source" \
		kernel_source 100.64.1.2 || true
	check "the vps's probes of 100.64.1.2 answered: both uplinks usable" \
		uplinks_usable vps_ctl 2 || true
	check "IPv6 LAN client pings the server through the tunnel from the kernel's address" \
		netns_ping "$PREFIX" 6 "$NETNS_TUN_SERVER6" 3 || true
	# DHCP gives another address: the outer headers follow. The vps knows only 100.64.1.2
	# (its [gateway] uplinks), so the packets are seen at isp1, not answered.
	in_ns gw ip addr del 100.64.1.2/24 dev twan0
	check "ip addr del 100.64.1.2, add 100.64.1.3: the tunnel's outer source follows" \
		kernel_source 100.64.1.3 || true
	capture_start renumbered
	in_ns client ping -6 -n -c 3 -i 0.2 -W 1 "$NETNS_TUN_SERVER6" >/dev/null 2>&1 || true
	capture_stop
	renumbered() {
		local new old
		new=$(tcpdump -nr "$tmp/renumbered-isp1-eth0.pcap" 'ip proto 41 and src host 100.64.1.3' 2>/dev/null | wc -l)
		old=$(tcpdump -nr "$tmp/renumbered-isp1-eth0.pcap" 'src host 100.64.1.2' 2>/dev/null | wc -l)
		echo "at isp1: 6in4 packets from 100.64.1.3: $new, packets from 100.64.1.2: $old"
		[ "$new" -ge 3 ] && [ "$old" -eq 0 ]
	}
	check "at isp1: the LAN's IPv6 in 6in4 from 100.64.1.3, nothing from 100.64.1.2" renumbered ||
		true
	# A change of the kernel's routes makes a new FIB version with the same tunnel paths:
	# the flows placed on them stay placed (counted per path), not re-placed.
	flows_on_paths() {
		"$PY" -c '
import json, sys
print(sum(r.get("flows", 0) for r in json.loads(sys.argv[1]).values() if isinstance(r, dict)))' \
			"$(gw_ctl --json uplinks)"
	}
	flows_stay() {
		local f0 f1 g0 i
		in_ns client "$PY" "$src/tests/integration/sched.py" send "$NETNS_TUN_SERVER6" 9 \
			41000 16 3 20 0 || true
		f0=$(flows_on_paths)
		g0=$(json_get "$(gw_ctl --json routes)" fib_generation)
		in_ns gw ip route add 192.0.2.0/24 via 100.64.2.1 dev twan1
		for ((i = 0; i < 60; i++)); do
			[ "$(json_get "$(gw_ctl --json routes)" fib_generation)" -gt "$g0" ] && break
			sleep 0.05
		done
		f1=$(flows_on_paths)
		in_ns gw ip route del 192.0.2.0/24 via 100.64.2.1 dev twan1
		echo "FIB generation $g0 -> $(json_get "$(gw_ctl --json routes)" fib_generation); flows on the paths: $f0 -> $f1"
		[ "$f0" -ge 16 ] && [ "$f1" = "$f0" ]
	}
	check "a kernel route added: a new FIB version, the tunnelled flows stay on their paths" \
		flows_stay || true
	# A reload builds its version with the kernel's address too: twan0's path stays, alive.
	kill -HUP "$NETNS_MPGW_PID"
	reload_keeps() {
		logged "^mpgw: reloaded" >/dev/null || { echo "no reload in the log"; return 1; }
		local t u
		t=$(twan0_local)
		u=$(gw_ctl uplinks | awk '$1 == "vps/twan0" {print $6}')
		echo "after SIGHUP: twan0's path from ${t:-nothing}, uplink ${u:-missing}"
		[ "$t" = 100.64.1.3 ] && [ "$u" = usable ]
	}
	check "SIGHUP: twan0's path keeps the kernel's address and stays usable" reload_keeps || true
	stop_mpgw_checked "the gateway with twins"
	kill -TERM "$vps_pid" 2>/dev/null || true
	wait "$vps_pid" 2>/dev/null || true
	[ "$failed" -eq "$failed0" ] || { show_log; sed 's/^/    vps: /' "$vps_log"; }
}
if command -v nft >/dev/null; then
	kernel_source_phase
else
	echo "# the uplink's address from the kernel: skipped, nft is missing"
fi
finish
