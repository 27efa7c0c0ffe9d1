#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live failover test (issue 6): the gateway of config/gateway.ini with its two uplinks
# through isp1 and isp2 to the VPS of config/vps.ini (topology: scripts/lib/netns_tunnel.sh),
# health probes at their defaults (50 ms, 3 lost -> down, 5 answered -> up).
#
# While FLOWS IPv6 UDP flows run from the client to the server through the 6in4 tunnel, one
# datagram per flow every INTERVAL_MS, isp1 starts dropping everything on its link to the
# gateway (100 % loss both ways, nftables netdev hooks). From captures of what the gateway
# sent on each uplink, taken at the ISPs before the loss (failover.py):
# - every flow that was on wan0 shows up on wan1, and the time from the cut to its first
#   packet there is below LIMIT_MS (the 170 ms the probes allow, with room for a busy
#   machine);
# - the flows that were on wan1 stay on wan1 (sticky: only the flows that must move move);
# - no LAN packet leaves either uplink natively.
# Then the loss stops, and wan0 becomes usable again only after probe_up_after answered
# probes in a row (hysteresis), with one state change each way, and takes new flows again.
#
# Environment and output as live.sh (helpers in live_lib.sh, live_tunnel_lib.sh).
# Functions run through check():
# shellcheck disable=SC2317
set -euo pipefail

NAME=live_failover
PREFIX=mpgwfo
ROLES="client gw isp1 isp2 inet vps server"
FLOWS=16
INTERVAL_MS=5
# By construction at most 170 ms with the default probes (doc/config.md, "Failover time"):
# 50 ms to the first lost probe, 2 more intervals, its 10 ms timeout, a 5 ms tick, the
# flow's next datagram. The limit leaves room for a busy 2-core runner, where the control
# thread and the sender wait their turn (206 ms was seen once so); the figure is printed.
LIMIT_MS=300
# shellcheck source=tests/integration/live_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/live_lib.sh"
NEEDS=nft
# shellcheck source=tests/integration/live_tunnel_lib.sh
source "$src/tests/integration/live_tunnel_lib.sh"

# uplink_field NAME FIELD: a field of one uplink in the gateway's /mpgw/uplinks.
uplink_field() { json_get "$(gw_ctl --json uplinks)" "vps/$1" "$2"; }

cp "$src/config/gateway.ini" "$tmp/gateway.ini"
tunnel_pair_start "$tmp/gateway.ini" "$src/config/vps.ini"
check "gateway: both uplinks usable once their probes are answered" uplinks_usable gw_ctl 2 ||
	true
check "vps: both of the gateway's uplink addresses usable" uplinks_usable vps_ctl 2 || true
# The server drops the test datagrams silently (no ICMP errors back through the tunnel).
in_ns server nft -f - <<'NFT'
table inet sink {
	chain in { type filter hook input priority 0; udp dport 9 drop; }
}
NFT

# --- the cut -------------------------------------------------------------------------------

capture_start cut
ip netns exec "$PREFIX-client" "$PY" "$src/tests/integration/failover.py" send \
	"$NETNS_TUN_SERVER6" 9 "$FLOWS" 5 "$INTERVAL_MS" &
sender=$!
sleep 2
moved_before=$(gw_counter counters flow_moved)
changes_before=$(uplink_field wan0 state_changes)
cut=$(date +%s.%N)
uplink_cut isp1
sleep 1
down_state=$(uplink_field wan0 state)
gw_ctl uplinks >"$tmp/uplinks-cut.txt" 2>&1 || true

# --- the repair ----------------------------------------------------------------------------

restored=$(date +%s.%N)
uplink_restore isp1
up_ms=-1
for ((i = 0; i < 200; i++)); do
	if [ "$(uplink_field wan0 state)" = usable ]; then
		up_ms=$("$PY" -c "import time; print(int((time.time() - $restored) * 1000))")
		break
	fi
	sleep 0.01
done
wait "$sender" || true
capture_stop
gw_ctl uplinks >"$tmp/uplinks-after.txt" 2>&1 || true

# --- what the captures and the counters say ------------------------------------------------

# The ISPs' captures: taken before their netdev hooks drop, they show all the gateway sends
# (af_packet's own transmissions bypass a capture on the gateway's side).
"$PY" "$src/tests/integration/failover.py" analyse "$cut" "$tmp/cut-isp1-eth0.pcap" \
	"$tmp/cut-isp2-eth0.pcap" >"$tmp/failover.txt" 2>&1 || true
summary=$(tail -n 1 "$tmp/failover.txt")
sed 's/^/#   /' "$tmp/failover.txt"
val() { echo "$summary" | grep -o "$1=[-0-9.]*" | cut -d= -f2; }

failover_time() {
	echo "$summary"
	local affected moved max
	affected=$(val affected)
	moved=$(val moved)
	max=$(val max_ms)
	[ "${affected:-0}" -gt 0 ] && [ "$moved" = "$affected" ] &&
		"$PY" -c "import sys; sys.exit(0 if 0 <= $max < $LIMIT_MS else 1)"
}
check "100 % loss on wan0: each of its flows reaches wan1 within $LIMIT_MS ms of the cut" \
	failover_time || true
sticky() {
	echo "flows on wan1 before the cut: $(val other_before), still only there after: $(val stayed)"
	[ "$(val other_before)" -gt 0 ] && [ "$(val stayed)" = "$(val other_before)" ]
}
check "flows already on wan1 are not moved (sticky)" sticky || true
counted() {
	local moved
	moved=$(gw_counter counters flow_moved)
	echo "flow_moved ${moved_before:-?} -> ${moved:-?}; wan0 state 1 s after the cut: $down_state"
	[ "$down_state" = down ] && [ "${moved:-0}" -gt "${moved_before:-0}" ]
}
check "wan0 down in mpgwctl uplinks, flow_moved counts the moves" counted || true
r=$(leaks cut)
no_leak() {
	echo "uplinks during the cut: $r"
	[ "$(field "$r" native6)" -eq 0 ] && [ "$(field "$r" native4)" -eq 0 ] &&
		[ "$(field "$r" tunnelled6)" -gt 0 ]
}
check "no LAN packet natively on either uplink during the cut" no_leak || true

hysteresis() {
	local changes
	changes=$(uplink_field wan0 state_changes)
	echo "wan0 usable again ${up_ms} ms after the loss stopped; state changes since the" \
		"cut: $((changes - changes_before))"
	# 5 answered probes 50 ms apart: at least 4 intervals after the first answer.
	[ "$up_ms" -ge 200 ] && [ "$up_ms" -lt 2000 ] && [ $((changes - changes_before)) -eq 2 ]
}
check "loss stops: wan0 usable again only after 5 answered probes, no flapping" hysteresis ||
	true
new_flows() {
	local f
	ip netns exec "$PREFIX-client" "$PY" "$src/tests/integration/failover.py" send \
		"$NETNS_TUN_SERVER6" 9 "$FLOWS" 0.5 20 41000 || true
	f=$(uplink_field wan0 flows)
	echo "flows on wan0 after new flows started: $f"
	[ "${f:-0}" -gt 0 ]
}
check "the restored uplink takes new flows" new_flows || true

echo "# gateway: mpgwctl uplinks 1 s after the cut, then at the end"
sed 's/^/#   /' "$tmp/uplinks-cut.txt"
gw_ctl uplinks 2>&1 | sed 's/^/#   /' || true
gw_ctl counters 2>&1 | sed 's/^/#   /' || true

stop_mpgw_checked "the gateway"
[ "$failed" -eq 0 ] || { show_log; sed 's/^/    vps: /' "$vps_log"; }
finish
