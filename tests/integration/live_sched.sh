#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live uplink scheduling test: DSCP rules and flowlets (doc/config.md, "Uplink scheduling
# and failover"), on the topology of live_failover.sh: the gateway of config/gateway.ini
# with wan0 through isp1 and wan1 through isp2, the VPS of config/vps.ini, IPv6 UDP from
# the client to the server through the 6in4 tunnel. What the gateway sends on each uplink
# is read from captures at the ISPs (sched.py; af_packet's own transmissions bypass a
# capture on the gateway's side).
#
# 1. DSCP rule, `low_latency_dscp = EF`. isp1 delays what the VPS sends to wan0 by
#    DELAY_MS (sched.py's delay line: this kernel may have no netem), until mpgwctl uplinks
#    shows wan0's RTT clearly above wan1's and wan1 as the low-latency uplink. Then FLOWS
#    flows marked EF and FLOWS flows with DSCP 0 start:
#    - every EF flow leaves by wan1 only, and flow_low_latency rises by exactly FLOWS (the
#      gateway tunnels nothing else, and no flow has to leave an unusable uplink);
#    - the DSCP 0 flows are spread by the redirection table (weights 1:1): at least one on
#      each uplink, each on one uplink only;
#    - the outer IPv4 header of each tunnel packet carries the inner traffic class (EF:
#      TOS 0xb8, else 0).
# 2. Flowlets: a reload (SIGHUP) with `flowlet_gap_ms = GAP_MS` and no DSCP rule; isp2
#    delays what wan1 sends to the VPS by WAN1_DELAY_MS, so that a flow moving from wan1 to
#    wan0 without a pause would overtake its own packets. Two groups of FL_FLOWS flows,
#    steady (A) and paused (B), one datagram each every FL_INTERVAL_MS. wan0 is cut (100 %
#    loss, as in live_failover.sh): its flows move to wan1 (flow_moved counts them), then it
#    is restored and becomes usable again. Then:
#    - B pauses for PAUSE_MS (more than the gap) and goes on: the B flows whose table slot
#      is on wan0 now move back to wan0, each from wan1 to wan0 cleanly, and flowlet_moved
#      rises by exactly their number (more than 0);
#    - A keeps sending throughout: no A packet leaves by wan0 after the restore (sticky),
#      although some of them have their slot on wan0: when A later pauses too, those move,
#      and flowlet_moved rises by exactly their number (more than 0);
#    - at the server, every flow's sequence numbers arrive in order.
#
# Environment and output as live.sh (helpers in live_lib.sh, live_tunnel_lib.sh).
# Functions run through check():
# shellcheck disable=SC2317
set -euo pipefail

NAME=live_sched
PREFIX=mpgwsch
ROLES="client gw isp1 isp2 inet vps server"
FLOWS=16
DELAY_MS=30
GAP_MS=200
PAUSE_MS=600
FL_FLOWS=10
FL_INTERVAL_MS=10
WAN1_DELAY_MS=20
EF_SPORT=44000
BE_SPORT=45000
A_SPORT=46000
B_SPORT=47000
# shellcheck source=tests/integration/live_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/live_lib.sh"
NEEDS=nft
# shellcheck source=tests/integration/live_tunnel_lib.sh
source "$src/tests/integration/live_tunnel_lib.sh"
SCHED=$src/tests/integration/sched.py

# uplink_field NAME FIELD: a field of one uplink in the gateway's /mpgw/uplinks.
uplink_field() { json_get "$(gw_ctl --json uplinks)" "vps/$1" "$2"; }
# counter NAME: one of the gateway's /mpgw/counters, 0 if absent.
counter() {
	local v
	v=$(gw_counter counters "$1")
	echo "${v:-0}"
}
now() { date +%s.%N; }
# captures_flushed: tcpdump hands packets over a block at a time, at the latest 1 s after the
# block's first (TPACKET_V3), and loses the block being filled when it is stopped: give the
# last one time to be read.
captures_flushed() { sleep 1; }
# summary_val SUMMARY KEY: the number after KEY= in a summary line.
summary_val() { echo "$1" | grep -o "$2=[-0-9.]*" | cut -d= -f2; }

# delay_start NS IN OUT DST_IP DST_MAC SRC_MAC MS: in PREFIX-NS, frames to DST_IP arriving on
# IN leave OUT MS ms later (sched.py delay); a netdev hook drops the originals.
declare -A delay_pids
delay_start() {
	local ns=$1 ready=$tmp/delay-$1.ready i
	ip netns exec "$PREFIX-$ns" "$PY" "$SCHED" delay "$2" "$3" "$4" "$5" "$6" "$7" "$ready" \
		>"$tmp/delay-$ns.log" 2>&1 &
	delay_pids[$ns]=$!
	for ((i = 0; i < 100; i++)); do
		[ -e "$ready" ] && break
		sleep 0.1
	done
	in_ns "$ns" nft -f - <<NFT
table netdev delay {
	chain in { type filter hook ingress device "$2" priority 0; ip daddr $4 drop; }
}
NFT
}
delay_stop() {
	in_ns "$1" nft delete table netdev delay
	kill "${delay_pids[$1]}" 2>/dev/null || true
	wait "${delay_pids[$1]}" 2>/dev/null || true
}

cp "$src/config/gateway.ini" "$tmp/gateway.ini"
printf '\n[uplinks]\nlow_latency_dscp = EF\n' >>"$tmp/gateway.ini"
tunnel_pair_start "$tmp/gateway.ini" "$src/config/vps.ini"
check "gateway: both uplinks usable once their probes are answered" uplinks_usable gw_ctl 2 ||
	true
# The server drops the test datagrams silently (no ICMP errors back through the tunnel).
in_ns server nft -f - <<'NFT'
table inet sink {
	chain in { type filter hook input priority 0; udp dport 9 drop; }
}
NFT

# --- 1. DSCP rule ---------------------------------------------------------------------------

delay_start isp1 eth1 eth0 100.64.1.2 02:00:00:00:0a:01 02:00:00:00:0a:02 "$DELAY_MS"
# rtt_apart: within 10 s, wan0's RTT is DELAY_MS / 2 above wan1's, both usable, and wan1 the
# DSCP rules' uplink.
rtt_apart() {
	local i r0 r1 ll s0 s1
	for ((i = 0; i < 100; i++)); do
		r0=$(uplink_field wan0 rtt_ms)
		r1=$(uplink_field wan1 rtt_ms)
		ll=$(uplink_field wan1 low_latency)
		s0=$(uplink_field wan0 state)
		s1=$(uplink_field wan1 state)
		if [ "$s0 $s1 $ll" = "usable usable yes" ] &&
			"$PY" -c "import sys; sys.exit(0 if $r0 > $r1 + $DELAY_MS / 2 else 1)"; then
			break
		fi
		sleep 0.1
	done
	echo "wan0 $s0, rtt $r0 ms; wan1 $s1, rtt $r1 ms, low latency: $ll"
	[ "$s0 $s1 $ll" = "usable usable yes" ] &&
		"$PY" -c "import sys; sys.exit(0 if $r0 > $r1 + $DELAY_MS / 2 else 1)"
}
check "wan0 delayed by $DELAY_MS ms: its RTT above wan1's, wan1 the low-latency uplink" \
	rtt_apart || true
gw_ctl uplinks --wide >"$tmp/uplinks-dscp.txt" 2>&1 || true

ll_before=$(counter flow_low_latency)
capture_start dscp
in_ns client "$PY" "$SCHED" send "$NETNS_TUN_SERVER6" 9 "$EF_SPORT" "$FLOWS" 10 20 0xb8 &
ef_sender=$!
in_ns client "$PY" "$SCHED" send "$NETNS_TUN_SERVER6" 9 "$BE_SPORT" "$FLOWS" 10 20 0 || true
wait "$ef_sender" || true
captures_flushed
capture_stop
ll_after=$(counter flow_low_latency)
"$PY" "$SCHED" dscp "$tmp/dscp-isp1-eth0.pcap" "$tmp/dscp-isp2-eth0.pcap" "$EF_SPORT" \
	"$BE_SPORT" "$FLOWS" >"$tmp/dscp.txt" 2>&1 || true
sed 's/^/#   /' "$tmp/dscp.txt"
dscp=$(tail -n 1 "$tmp/dscp.txt")

ef_on_wan1() {
	echo "EF flows seen: $(summary_val "$dscp" ef_flows), on wan1 only:" \
		"$(summary_val "$dscp" ef_wan1_only)"
	[ "$(summary_val "$dscp" ef_flows)" = "$FLOWS" ] &&
		[ "$(summary_val "$dscp" ef_wan1_only)" = "$FLOWS" ]
}
check "DSCP EF: each of the $FLOWS EF flows leaves by the low-RTT uplink (wan1) only" \
	ef_on_wan1 || true
be_spread() {
	local n0 n1
	n0=$(summary_val "$dscp" be_wan0)
	n1=$(summary_val "$dscp" be_wan1)
	echo "DSCP 0 flows seen: $(summary_val "$dscp" be_flows), on wan0: $n0, on wan1: $n1"
	[ "$(summary_val "$dscp" be_flows)" = "$FLOWS" ] && [ "$n0" -gt 0 ] && [ "$n1" -gt 0 ] &&
		[ $((n0 + n1)) -eq "$FLOWS" ]
}
check "DSCP 0: spread over both uplinks by the table, each flow on one" be_spread || true
ll_counted() {
	echo "flow_low_latency $ll_before -> $ll_after"
	[ $((ll_after - ll_before)) -eq "$FLOWS" ]
}
check "flow_low_latency rises by exactly the $FLOWS EF flows" ll_counted || true
tos_copied() {
	echo "tunnel packets of the test flows: $(summary_val "$dscp" packets), outer TOS = inner" \
		"traffic class (0xb8 / 0): $(summary_val "$dscp" tos_copied)"
	[ "$(summary_val "$dscp" packets)" -gt 0 ] &&
		[ "$(summary_val "$dscp" tos_copied)" = "$(summary_val "$dscp" packets)" ]
}
check "the outer IPv4 header carries the inner DSCP" tos_copied || true

# --- 2. flowlets ----------------------------------------------------------------------------

delay_stop isp1
cp "$src/config/gateway.ini" "$tmp/gateway.ini"
printf '\n[uplinks]\nflowlet_gap_ms = %s\n' "$GAP_MS" >>"$tmp/gateway.ini"
gen_before=$(json_get "$(gw_ctl --json show /mpgw/info)" fib_generation)
kill -HUP "$NETNS_MPGW_PID"
reloaded() {
	local i gen
	for ((i = 0; i < 50; i++)); do
		gen=$(json_get "$(gw_ctl --json show /mpgw/info)" fib_generation)
		# the new version is live a little before mpgw logs it (it frees the old first)
		[ "${gen:-0}" -gt "${gen_before:-0}" ] && grep -q "^mpgw: reloaded" "$log" && break
		sleep 0.1
	done
	grep "^mpgw: reload" "$log" | tail -n 1
	[ "${gen:-0}" -gt "${gen_before:-0}" ] && grep -q "^mpgw: reloaded" "$log"
}
check "SIGHUP reloads the gateway with flowlet_gap_ms = $GAP_MS, no DSCP rule" reloaded ||
	true
delay_start isp2 eth0 eth1 "$NETNS_TUN_VPS4" 02:00:00:00:1b:02 02:00:00:00:1b:01 \
	"$WAN1_DELAY_MS"
wan1_slow() {
	local i r1 s0 s1
	for ((i = 0; i < 100; i++)); do
		r1=$(uplink_field wan1 rtt_ms)
		s0=$(uplink_field wan0 state)
		s1=$(uplink_field wan1 state)
		if [ "$s0 $s1" = "usable usable" ] &&
			"$PY" -c "import sys; sys.exit(0 if $r1 > $WAN1_DELAY_MS / 2 else 1)"; then
			break
		fi
		sleep 0.1
	done
	echo "wan0 $s0, rtt $(uplink_field wan0 rtt_ms) ms; wan1 $s1, rtt $r1 ms"
	[ "$s0 $s1" = "usable usable" ] &&
		"$PY" -c "import sys; sys.exit(0 if $r1 > $WAN1_DELAY_MS / 2 else 1)"
}
check "wan1 delayed by $WAN1_DELAY_MS ms towards the VPS, both uplinks usable" wan1_slow ||
	true

ctl_dir=$tmp/ctl
pause_s=$(awk "BEGIN { print $PAUSE_MS / 1000 }")
mkdir -p "$ctl_dir"
# The server's capture shows the order the datagrams arrive in.
ip netns exec "$PREFIX-server" tcpdump -i eth0 -n -U -s 256 -w "$tmp/flowlet-server.pcap" \
	udp >/dev/null 2>&1 &
server_cap=$!
capture_start flowlet
cap_pids+=("$server_cap")
moved0=$(counter flow_moved)
fl0=$(counter flowlet_moved)
ip netns exec "$PREFIX-client" "$PY" "$SCHED" flowlet "$NETNS_TUN_SERVER6" 9 "$A_SPORT" \
	"$B_SPORT" "$FL_FLOWS" "$FL_INTERVAL_MS" "$ctl_dir" &
sender=$!
sleep 1.5
cut=$(now)
uplink_cut isp1
sleep 1
down_state=$(uplink_field wan0 state)
moved1=$(counter flow_moved)
restored=$(now)
uplink_restore isp1
for ((i = 0; i < 300; i++)); do
	[ "$(uplink_field wan0 state)" = usable ] && break
	sleep 0.01
done
up_state=$(uplink_field wan0 state)
sleep 0.3
fl1=$(counter flowlet_moved)
b_pause=$(now)
touch "$ctl_dir/B.pause"
sleep "$pause_s"
b_resume=$(now)
touch "$ctl_dir/B.resume"
sleep 1
fl2=$(counter flowlet_moved)
a_pause=$(now)
touch "$ctl_dir/A.pause"
sleep "$pause_s"
a_resume=$(now)
touch "$ctl_dir/A.resume"
sleep 0.5
touch "$ctl_dir/stop"
wait "$sender" || true
fl3=$(counter flowlet_moved)
captures_flushed
capture_stop
delay_stop isp2
gw_ctl uplinks >"$tmp/uplinks-flowlet.txt" 2>&1 || true

"$PY" "$SCHED" flowlet_analyse "$tmp/flowlet-isp1-eth0.pcap" "$tmp/flowlet-isp2-eth0.pcap" \
	"$tmp/flowlet-server.pcap" "$A_SPORT" "$B_SPORT" "$FL_FLOWS" "$cut" "$restored" \
	"$b_pause" "$b_resume" "$a_pause" "$a_resume" >"$tmp/flowlet.txt" 2>&1 || true
sed 's/^/#   /' "$tmp/flowlet.txt"
fl=$(tail -n 1 "$tmp/flowlet.txt")

cut_restore() {
	local before
	before=$(($(summary_val "$fl" a_wan0_before_cut) + $(summary_val "$fl" b_wan0_before_cut)))
	echo "wan0 $down_state 1 s after the cut, then $up_state; flows on wan0 before the cut:" \
		"$before, flow_moved $moved0 -> $moved1"
	[ "$down_state" = down ] && [ "$up_state" = usable ] && [ "$before" -gt 0 ] &&
		[ $((moved1 - moved0)) -eq "$before" ]
}
check "wan0 cut: its flows move to wan1 (flow_moved), then it is usable again" cut_restore ||
	true
steady() {
	echo "steady flows on wan0 after the restore: $(summary_val "$fl" a_wan0_steady)" \
		"(longest gap $(summary_val "$fl" a_max_gap_ms) ms); with their slot on wan0, seen" \
		"when they paused later: $(summary_val "$fl" a_moved); flowlet_moved $fl2 -> $fl3"
	[ "$(summary_val "$fl" a_wan0_steady)" = 0 ] && [ "$(summary_val "$fl" a_moved)" -gt 0 ] &&
		[ $((fl3 - fl2)) -eq "$(summary_val "$fl" a_moved)" ]
}
check "flows sending without a pause stay on wan1 after wan0 returns (sticky)" steady || true
paused() {
	local m
	m=$(summary_val "$fl" b_moved)
	echo "paused flows moved from wan1 to wan0: $m, on both uplinks after the pause:" \
		"$(summary_val "$fl" b_split); flowlet_moved $fl0 -> $fl1 before the pause, -> $fl2"
	[ "$m" -gt 0 ] && [ "$(summary_val "$fl" b_split)" = 0 ] && [ "$fl1" -eq "$fl0" ] &&
		[ $((fl2 - fl1)) -eq "$m" ]
}
check "flows pausing $PAUSE_MS ms (gap $GAP_MS ms) go back to their slot on wan0, counted" \
	paused || true
in_order() {
	echo "datagrams at the server: $(summary_val "$fl" server), flows out of order:" \
		"$(summary_val "$fl" reordered)"
	[ "$(summary_val "$fl" server)" -gt 0 ] && [ "$(summary_val "$fl" reordered)" = 0 ]
}
check "no reordering: each flow's datagrams reach the server in order" in_order || true

echo "# gateway: mpgwctl uplinks with wan0 delayed (part 1), then after the flowlets (part 2)"
sed 's/^/#   /' "$tmp/uplinks-dscp.txt"
sed 's/^/#   /' "$tmp/uplinks-flowlet.txt"
gw_ctl counters 2>&1 | sed 's/^/#   /' || true

stop_mpgw_checked "the gateway"
[ "$failed" -eq 0 ] || { show_log; sed 's/^/    vps: /' "$vps_log"; }
finish
