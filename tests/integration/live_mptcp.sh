#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live test of the MPTCP path manager's mirror (issue 7), on the gateway-and-VPS topology
# (scripts/lib/netns_tunnel.sh) with config/gateway.ini's ports renamed tlan0, twan0 and
# twan1 (the gw namespace's veths keep lan0, wan0 and wan1), `twins = yes`, and a flow
# table small enough for two FIB versions in mpgw's 512 MiB:
# - the uplinks' routers are in no [neighbours] entry: mpgw has the kernel resolve them
#   (NTF_USE), and both uplinks become usable;
# - the gateway's kernel is configured with iproute2 only: the uplinks' addresses on their
#   twins, a default route per uplink (metrics 100 and 200), an MPTCP endpoint for wan1's
#   address bound to its twin (`subflow`), and the path manager's limits;
# - an MPTCP client on the gateway's kernel sends to an MPTCP server in the inet
#   namespace (203.0.113.1, beyond both ISPs): the initial subflow leaves by twan0, the
#   kernel adds a second one from twan1's address, and captures at both ISPs see each
#   subflow on its own uplink, carrying data (MPTCP options intact);
# - mpgwctl mptcp shows the connection with both subflows, their ids, uplinks and
#   traffic, and the counts agree with the captures;
# - isp2 cut: mpgw's probes find wan1 down and mpgw flags its endpoint backup in the
#   kernel, which moves the data to the twan0 subflow; when the link comes back the flag
#   is taken back;
# - removing the endpoint closes its subflow and the table follows; adding it back as a
#   backup endpoint opens a subflow flagged backup; the data arrives intact; closing the
#   connection empties the table.
#
# Environment and output as live.sh (helpers in live_lib.sh, live_tunnel_lib.sh).
# Functions run through check():
# shellcheck disable=SC2317
set -euo pipefail

NAME=live_mptcp
PREFIX=mpgwmp
ROLES="client gw isp1 isp2 inet vps server"
SERVER=203.0.113.1
SPORT=5201
# shellcheck source=tests/integration/live_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/live_lib.sh"
NEEDS=nft
# shellcheck source=tests/integration/live_tunnel_lib.sh
source "$src/tests/integration/live_tunnel_lib.sh"

sed -e 's/^\[port lan0\]/[port tlan0]/' -e 's/^\[port wan0\]/[port twan0]/' \
	-e 's/^\[port wan1\]/[port twan1]/' -e '/^neighbour = 100\.64\./d' -e 's/^\[mpgw\]/[flows]\nsize = 65536\n[mpgw]\ntwins = yes/' \
	"$src/config/gateway.ini" >"$tmp/gateway.ini"
tunnel_pair_start "$tmp/gateway.ini" "$src/config/vps.ini"
twins_only gw lan0 wan0 wan1

# --- the gateway's kernel, with iproute2 only ----------------------------------------------

in_ns gw sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.mptcp.enabled=1
in_ns gw ip addr add 100.64.1.2/24 dev twan0
in_ns gw ip addr add 100.64.2.2/24 dev twan1
in_ns gw ip route add default via 100.64.1.1 dev twan0 metric 100
in_ns gw ip route add default via 100.64.2.1 dev twan1 metric 200
in_ns gw ip mptcp limits set subflows 2 add_addr_accepted 0
in_ns gw ip mptcp endpoint add 100.64.2.2 dev twan1 subflow

# The uplinks' routers are in no [neighbours] entry: mpgw asks the kernel to resolve them
# (NTF_USE) and takes their MACs from its neighbours, and the probes then go out.
check "both uplinks usable, their routers resolved through the kernel" uplinks_usable gw_ctl 2 ||
	true
resolved_by_kernel() {
	local j
	j=$(gw_ctl --json neighbours) || return 1
	"$PY" -c '
import json, sys
rows = [r for r in json.loads(sys.argv[1]).values()
        if isinstance(r, dict) and r.get("address", "").startswith("100.64.")]
print("; ".join("%s %s on %s from the %s" % (r["address"], r["mac"], r["port"], r["source"])
                for r in rows), "; resolve_requests", sys.argv[2])
sys.exit(0 if sorted((r["address"], r["source"]) for r in rows) ==
         [("100.64.1.1", "kernel"), ("100.64.2.1", "kernel")] else 1)' \
		"$j" "$(json_get "$(gw_ctl --json routes)" resolve_requests)"
}
check "mpgwctl neighbours: both routers learnt from the kernel" resolved_by_kernel || true
in_ns inet sysctl -qw net.mptcp.enabled=1
# isp1 forwards 1 MB/s towards the server, half what the client sends: the kernel's MPTCP
# scheduler must put data on both subflows.
in_ns isp1 tc qdisc add dev eth1 root tbf rate 8mbit burst 32kbit latency 100ms
in_ns inet ip mptcp limits set subflows 2 add_addr_accepted 0

endpoint_id=$(in_ns gw ip mptcp endpoint show | awk '/100\.64\.2\.2/ { for (i = 1; i < NF; i++) if ($i == "id") print $(i + 1) }')

# endpoints_seen: within 3 s (endpoints are dumped every second), mpgwctl mptcp-endpoints
# has the endpoint, on uplink twan1, and the limits.
endpoints_seen() {
	local i j
	for ((i = 0; i < 30; i++)); do
		j=$(gw_ctl --json mptcp-endpoints 2>/dev/null || true)
		[ "$(json_get "$j" "id/$endpoint_id" uplink)" = twan1 ] && break
		sleep 0.1
	done
	echo "id/$endpoint_id: $(json_get "$j" "id/$endpoint_id" address)" \
		"flags $(json_get "$j" "id/$endpoint_id" flags)" \
		"uplink $(json_get "$j" "id/$endpoint_id" uplink);" \
		"limits: subflows $(json_get "$j" limits subflows)"
	[ "$(json_get "$j" "id/$endpoint_id" address)" = 100.64.2.2 ] &&
		[ "$(json_get "$j" "id/$endpoint_id" uplink)" = twan1 ] &&
		[ "$(json_get "$j" "id/$endpoint_id" flags)" = subflow ] &&
		[ "$(json_get "$j" limits subflows)" = 2 ]
}
check "mpgwctl mptcp-endpoints: the kernel's endpoint on twan1 and its limits" endpoints_seen ||
	true

# --- an MPTCP connection from the gateway's kernel -------------------------------------------

capture_start mptcp
in_ns inet "$PY" "$src/tests/integration/mptcp_peer.py" server "$SERVER" "$SPORT" "$tmp/rx" &
server_pid=$!
sleep 0.5
rm -f "$tmp/stop"
in_ns gw "$PY" "$src/tests/integration/mptcp_peer.py" client "$SERVER" "$SPORT" "$tmp/stop" \
	>"$tmp/client.out" 2>&1 &
client_pid=$!

# subflows N: the rows of mpgwctl mptcp (JSON) and their count, waiting up to 5 s for N.
mptcp_rows() { gw_ctl --json mptcp 2>/dev/null || echo '{}'; }
row_count() { "$PY" -c 'import json,sys; print(len(json.loads(sys.argv[1])))' "$1"; }
wait_rows() {
	local i j
	for ((i = 0; i < 50; i++)); do
		j=$(mptcp_rows)
		[ "$(row_count "$j")" = "$1" ] && break
		sleep 0.1
	done
	echo "$j"
}
# sf_of JSON ADDR FIELD: FIELD of the subflow whose local address is ADDR.
sf_of() {
	"$PY" -c '
import json, sys
for r in json.loads(sys.argv[1]).values():
    if r.get("local", "").split(":")[0] == sys.argv[2]:
        print(r.get(sys.argv[3], ""))
        break' "$@"
}

two_subflows() {
	local j
	j=$(wait_rows 2)
	sleep 2 # data on both
	j=$(mptcp_rows)
	echo "subflows: $(row_count "$j");" \
		"100.64.1.2 id $(sf_of "$j" 100.64.1.2 loc_id) on $(sf_of "$j" 100.64.1.2 uplink)," \
		"100.64.2.2 id $(sf_of "$j" 100.64.2.2 loc_id) on $(sf_of "$j" 100.64.2.2 uplink)"
	[ "$(row_count "$j")" = 2 ] &&
		[ "$(sf_of "$j" 100.64.1.2 uplink)" = twan0 ] &&
		[ "$(sf_of "$j" 100.64.1.2 loc_id)" = 0 ] &&
		[ "$(sf_of "$j" 100.64.2.2 uplink)" = twan1 ] &&
		[ "$(sf_of "$j" 100.64.2.2 loc_id)" = "$endpoint_id" ] &&
		[ "$(sf_of "$j" 100.64.1.2 token)" = "$(sf_of "$j" 100.64.2.2 token)" ]
}
check "mpgwctl mptcp: one connection, subflows from 100.64.1.2 (id 0) on twan0 and 100.64.2.2 (id $endpoint_id) on twan1" \
	two_subflows || true

both_carry() {
	local j a b
	j=$(mptcp_rows)
	a=$(sf_of "$j" 100.64.1.2 tx_bytes)
	b=$(sf_of "$j" 100.64.2.2 tx_bytes)
	echo "tx bytes: twan0 ${a:-?}, twan1 ${b:-?};" \
		"rx packets: twan0 $(sf_of "$j" 100.64.1.2 rx_packets), twan1 $(sf_of "$j" 100.64.2.2 rx_packets)"
	[ "${a:-0}" -ge 200000 ] && [ "${b:-0}" -ge 200000 ] &&
		[ "$(sf_of "$j" 100.64.1.2 rx_packets)" -ge 5 ] &&
		[ "$(sf_of "$j" 100.64.2.2 rx_packets)" -ge 5 ]
}
check "data on both subflows, counted by the data path each way" both_carry || true
gw_ctl mptcp | sed 's/^/    /'
gw_ctl mptcp-endpoints | sed 's/^/    /'

# segments_at ISP SRC: TCP segments from SRC to the server in the capture at ISP so far.
segments_at() {
	tcpdump -n -r "$tmp/mptcp-$1-eth0.pcap" \
		"src host $2 and dst host $SERVER and tcp dst port $SPORT" 2>/dev/null | wc -l
}
# With the sender paused, mpgw's count of each subflow's segments equals what its ISP
# captured, but for the few the kernel sent before announcing the subflow (its handshake).
counts_agree() {
	local j t0 t1 c0 c1
	touch "$tmp/stop.pause"
	sleep 1
	j=$(mptcp_rows)
	t0=$(sf_of "$j" 100.64.1.2 tx_packets)
	t1=$(sf_of "$j" 100.64.2.2 tx_packets)
	c0=$(segments_at isp1 100.64.1.2)
	c1=$(segments_at isp2 100.64.2.2)
	rm -f "$tmp/stop.pause"
	echo "twan0: mpgw ${t0:-?}, isp1 $c0; twan1: mpgw ${t1:-?}, isp2 $c1"
	[ -n "$t0" ] && [ -n "$t1" ] && [ "$c0" -ge "$t0" ] && [ "$((c0 - t0))" -le 4 ] &&
		[ "$c1" -ge "$t1" ] && [ "$((c1 - t1))" -le 4 ]
}
check "mpgw's per-subflow segment counts match the ISPs' captures" counts_agree || true

# --- an uplink fails, and comes back ---------------------------------------------------------

# endpoint_flags: the kernel's flags of the endpoint, as ip mptcp endpoint show lists them.
endpoint_flags() {
	in_ns gw ip mptcp endpoint show id "$endpoint_id" | sed 's/.* id [0-9]* //; s/ dev.*//'
}
# flag_within MS WANT: within MS ms, the endpoint's flags do (yes) or do not (no) hold
# backup; says after how long.
flag_within() {
	local t0 t now has
	t0=$(date +%s%N)
	while :; do
		has=no
		endpoint_flags | grep -qw backup && has=yes
		now=$(date +%s%N)
		t=$(((now - t0) / 1000000))
		[ "$has" = "$2" ] && break
		[ "$t" -ge "$1" ] && break
		sleep 0.01
	done
	echo "endpoint flags: $(endpoint_flags), $t ms after the change"
	[ "$has" = "$2" ]
}
tx0=$(sf_of "$(mptcp_rows)" 100.64.1.2 tx_bytes)
uplink_cut isp2
check "isp2 cut: mpgw flags the endpoint on twan1 backup in the kernel" flag_within 1000 yes ||
	true
on_twan0() {
	local j b
	sleep 1
	j=$(mptcp_rows)
	b=$(sf_of "$j" 100.64.1.2 tx_bytes)
	echo "twan0 subflow: $((b - tx0)) more bytes; twan1 subflow backup $(sf_of "$j" 100.64.2.2 backup)"
	[ "$((b - tx0))" -ge 200000 ] && [ "$(sf_of "$j" 100.64.2.2 backup)" = 1 ]
}
check "the data goes on over twan0; mpgwctl mptcp shows the twan1 subflow as backup" on_twan0 ||
	true
uplink_restore isp2
check "isp2 back: mpgw takes the backup flag back once wan1's probes answer" flag_within 3000 no ||
	true
j=$(gw_ctl --json mptcp-endpoints) || true
check "mpgwctl mptcp-endpoints counts one flag set, one taken back" \
	test "$(json_get "$j" limits backup_set)/$(json_get "$j" limits backup_cleared)" = 1/1 || true

# --- the endpoint goes ----------------------------------------------------------------------

in_ns gw ip mptcp endpoint delete id "$endpoint_id"
one_left() {
	local j
	j=$(wait_rows 1)
	echo "subflows: $(row_count "$j"), left: $(sf_of "$j" 100.64.1.2 local) on $(sf_of "$j" 100.64.1.2 uplink)"
	[ "$(row_count "$j")" = 1 ] && [ "$(sf_of "$j" 100.64.1.2 uplink)" = twan0 ]
}
check "endpoint deleted: its subflow closes and mpgwctl mptcp follows" one_left || true
closed=$(json_get "$(gw_ctl --json mptcp-endpoints)" limits subflows_closed) || true
check "the path manager's table counts the closed subflow" at_least subflows_closed "${closed:-}" 1 ||
	true

# A backup endpoint: the kernel opens a subflow from it at once, flagged backup.
in_ns gw ip mptcp endpoint add 100.64.2.2 dev twan1 subflow backup
backup_subflow() {
	local j i
	for ((i = 0; i < 30; i++)); do
		j=$(wait_rows 2)
		[ "$(sf_of "$j" 100.64.2.2 backup)" = 1 ] && break
		sleep 0.1
	done
	echo "subflows: $(row_count "$j"); 100.64.2.2 on $(sf_of "$j" 100.64.2.2 uplink)," \
		"backup $(sf_of "$j" 100.64.2.2 backup)"
	[ "$(row_count "$j")" = 2 ] && [ "$(sf_of "$j" 100.64.2.2 uplink)" = twan1 ] &&
		[ "$(sf_of "$j" 100.64.2.2 backup)" = 1 ]
}
check "backup endpoint added: a new subflow on twan1, flagged backup" backup_subflow || true
flags=$(json_get "$(gw_ctl --json mptcp-endpoints)" "id/$endpoint_id" flags) || true
check "mpgwctl mptcp-endpoints shows the endpoint's backup flag" test "$flags" = subflow,backup ||
	true
sleep 1
touch "$tmp/stop"
wait "$client_pid" || true
wait "$server_pid" || true
capture_stop

intact() {
	local sent got
	sent=$(cat "$tmp/client.out")
	got=$(cat "$tmp/rx.done" 2>/dev/null || echo "nothing")
	echo "sent: ${sent%% *} bytes, received: ${got%% *} bytes"
	[ -n "$sent" ] && [ "$sent" = "$got" ]
}
check "the server received every byte, intact" intact || true

table_empty() {
	local j
	j=$(wait_rows 0)
	echo "rows: $(row_count "$j")"
	[ "$(row_count "$j")" = 0 ]
}
check "connection closed: mpgwctl mptcp is empty" table_empty || true

# --- what the ISPs saw ------------------------------------------------------------------------

# mptcp_at ISP SRC: how many of those carry an MPTCP option (tcpdump decodes option 30 as
# "mptcp").
mptcp_at() {
	tcpdump -n -r "$tmp/mptcp-$1-eth0.pcap" \
		"src host $2 and dst host $SERVER and tcp dst port $SPORT" 2>/dev/null |
		grep -c mptcp || true
}
captured() {
	local a b c d x y
	a=$(segments_at isp1 100.64.1.2)
	b=$(mptcp_at isp1 100.64.1.2)
	c=$(segments_at isp2 100.64.2.2)
	d=$(mptcp_at isp2 100.64.2.2)
	x=$(segments_at isp1 100.64.2.2)
	y=$(segments_at isp2 100.64.1.2)
	echo "isp1: $a segments from 100.64.1.2 ($b with MPTCP options), $x from 100.64.2.2;" \
		"isp2: $c from 100.64.2.2 ($d with MPTCP options), $y from 100.64.1.2"
	[ "$a" -ge 20 ] && [ "$c" -ge 20 ] && [ "$b" -ge 1 ] && [ "$d" -ge 1 ] &&
		[ "$x" = 0 ] && [ "$y" = 0 ]
}
check "captures: each subflow on its own uplink, with MPTCP options" captured || true
leak=$(gw_counter drops leak_v4)
check "no kernel packet dropped by the leak guard" test "${leak:-0}" = 0 || true

stop_mpgw_checked "the gateway"
finish
