#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live test: mpgw forwards real kernel traffic between two network namespaces.
#
#   mpgwlive-client --veth-- mpgwlive-gw (mpgw on lan0, wan0) --veth-- mpgwlive-server
#
# (topology: scripts/lib/netns.sh; mpgw configuration: config/demo.ini). It checks ping
# and a two-way TCP transfer over IPv4 and IPv6, through connected and configured routes;
# that traffic with no route is dropped and counted; that the telemetry counters account
# for the traffic; and that SIGTERM stops mpgw cleanly with its summary.
#
# Environment: MPGW, MPGWCTL (the binaries; default build/app/...), MPGW_SRC (source tree).
# Needs root: exits 77 (skipped) otherwise, or when a tool it needs is missing.
# Output: one "ok - ..." or "FAIL - ..." line per assertion, then "N passed, M failed"
# (helpers in live_lib.sh).
# Functions run through check():
# shellcheck disable=SC2317
set -euo pipefail

NAME=live
PREFIX=mpgwlive
# Bytes sent each way by each TCP transfer.
TCP_BYTES=1000000
PINGS=3
# shellcheck source=tests/integration/live_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/live_lib.sh"
CONFIG=$src/config/demo.ini

# --- topology and daemon -------------------------------------------------------------------

if ! netns_create "$PREFIX" >"$tmp/netns.log" 2>&1; then
	not_ok "topology: $(tail -n 1 "$tmp/netns.log")"
	finish
fi
ok "topology: $PREFIX-client, $PREFIX-gw, $PREFIX-server"

netns_mpgw_start "$PREFIX" "$MPGW" "$CONFIG" "$log" --stats "$tmp/stats.json"
if ! netns_mpgw_wait_ready "$PREFIX" "$MPGWCTL" 30; then
	not_ok "mpgw started and answers mpgwctl ports within 30 s"
	show_log
	finish
fi
ok "mpgw started (pid $NETNS_MPGW_PID) and answers mpgwctl ports"

no_route_before=$(json_get "$(ctl --json drops)" no_route)

# --- forwarding ----------------------------------------------------------------------------

check "ping IPv4 client -> server ($NETNS_SERVER4, connected route)" \
	netns_ping "$PREFIX" 4 "$NETNS_SERVER4" "$PINGS" || true
check "ping IPv6 client -> server ($NETNS_SERVER6, connected route)" \
	netns_ping "$PREFIX" 6 "$NETNS_SERVER6" "$PINGS" || true
check "ping IPv4 client -> $NETNS_REMOTE4 (configured route via $NETNS_SERVER4)" \
	netns_ping "$PREFIX" 4 "$NETNS_REMOTE4" "$PINGS" || true
check "ping IPv6 client -> $NETNS_REMOTE6 (configured route via $NETNS_SERVER6)" \
	netns_ping "$PREFIX" 6 "$NETNS_REMOTE6" "$PINGS" || true
forward_pings=$((4 * PINGS))

head -c "$TCP_BYTES" /dev/urandom >"$tmp/up"
head -c "$TCP_BYTES" /dev/urandom >"$tmp/down"
check "TCP IPv4 client <-> server, 1 MB each way" \
	netns_tcp_exchange "$PREFIX" 4 "$NETNS_SERVER4" 5001 "$tmp/up" "$tmp/down" "$tmp" || true
check "TCP IPv6 client <-> server, 1 MB each way" \
	netns_tcp_exchange "$PREFIX" 6 "$NETNS_SERVER6" 5002 "$tmp/up" "$tmp/down" "$tmp" || true
transfers=2
# Each transfer carries TCP_BYTES each way in segments of at most 1460 bytes (no TSO/GRO).
segments=$(((TCP_BYTES + 1459) / 1460))

# --- no route ------------------------------------------------------------------------------

no_reply() {
	local out
	out=$(timeout 15 ip netns exec "$PREFIX-client" ping "-$1" -n -c 2 -i 0.2 -W 1 "$2" 2>&1) ||
		true
	echo "$out" | grep 'packets transmitted' || true
	echo "$out" | grep -q '2 packets transmitted, 0 received'
}
no_connect() {
	if timeout 15 ip netns exec "$PREFIX-client" ncat -4 -w 3 "$1" 80 </dev/null \
		>/dev/null 2>"$tmp/noroute.err"; then
		echo "connected"
		return 1
	fi
	echo "ncat: $(tail -n 1 "$tmp/noroute.err")"
}
check "ping IPv4 to $NETNS_UNROUTED4 (no route) gets no reply" \
	no_reply 4 "$NETNS_UNROUTED4" || true
check "ping IPv6 to $NETNS_UNROUTED6 (no route) gets no reply" \
	no_reply 6 "$NETNS_UNROUTED6" || true
check "TCP to $NETNS_UNROUTED4:80 (no route) does not connect" \
	no_connect "$NETNS_UNROUTED4" || true
# 2 + 2 echo requests and at least one SYN.
unrouted=5
no_route_after=$(json_get "$(ctl --json drops)" no_route)
check "drop counter no_route grew by at least $unrouted" \
	at_least "no_route ${no_route_before:-?} -> ${no_route_after:-?}, growth" \
	$((${no_route_after:-0} - ${no_route_before:-0})) "$unrouted" || true

# --- telemetry -----------------------------------------------------------------------------

# Client to server: echo requests, one direction of each transfer; lan0 also received the
# unrouted packets. Server to client: echo replies, the other direction.
c2s=$((forward_pings + transfers * segments))
s2c=$((forward_pings + transfers * segments))
if ports_json=$(ctl --json ports); then
	ok "mpgwctl --json ports answers"
	check "lan0 rx_packets" at_least "lan0.rx_packets" \
		"$(json_get "$ports_json" lan0 rx_packets)" $((c2s + unrouted)) || true
	check "wan0 tx_packets" at_least "wan0.tx_packets" \
		"$(json_get "$ports_json" wan0 tx_packets)" "$c2s" || true
	check "wan0 rx_packets" at_least "wan0.rx_packets" \
		"$(json_get "$ports_json" wan0 rx_packets)" "$s2c" || true
	check "lan0 tx_packets" at_least "lan0.tx_packets" \
		"$(json_get "$ports_json" lan0 tx_packets)" "$s2c" || true
else
	not_ok "mpgwctl --json ports answers"
fi
# Anything else dropped means mpgw rejected good traffic (checksum, MTU, TTL, parse errors).
unexpected_drops() {
	"$PY" -c '
import json, sys
allowed = {"no_route", "multicast", "not_ip", "tx_full"}
d = json.loads(sys.argv[1])
bad = {k: v for k, v in d.items() if v and k not in allowed}
print(", ".join("%s %s" % kv for kv in sorted(bad.items())) or "none")
sys.exit(1 if bad else 0)' "$1"
}
if drops_json=$(ctl --json drops); then
	check "no drops other than no_route, multicast, not_ip, tx_full" \
		unexpected_drops "$drops_json" || true
else
	not_ok "mpgwctl --json drops answers"
fi
ctl ports >"$tmp/ports.txt" 2>&1 || true
if ctl drops >"$tmp/drops.txt" 2>&1 && grep -q no_route "$tmp/drops.txt"; then
	ok "mpgwctl drops prints a table with no_route"
else
	not_ok "mpgwctl drops prints a table with no_route"
fi
echo "# mpgwctl ports"
sed 's/^/#   /' "$tmp/ports.txt"
echo "# mpgwctl drops"
sed 's/^/#   /' "$tmp/drops.txt"

# --- shutdown ------------------------------------------------------------------------------

stop_mpgw_checked "mpgw"
if grep -q '^mpgw: Terminated, stopping' "$log" && grep -q '^mpgw: port lan0: rx ' "$log" &&
	grep -q '^mpgw: port wan0: rx ' "$log"; then
	ok "mpgw printed its summary: $(grep '^mpgw: drop no_route' "$log" || true)"
else
	not_ok "mpgw printed its summary"
fi
if [ -s "$tmp/stats.json" ] &&
	at_least "stats lan0.rx_packets" \
		"$(json_get "$(cat "$tmp/stats.json")" ports lan0 rx_packets)" "$c2s" >/dev/null; then
	ok "--stats file written with the counters"
else
	not_ok "--stats file written with the counters"
fi
[ "$failed" -eq 0 ] || show_log
finish
