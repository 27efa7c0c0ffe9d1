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
#   twins, a default route per uplink (metrics 100 and 200) and one per source address
#   (policy routing), an MPTCP endpoint for wan1's
#   address bound to its twin (`subflow`), one for wan0's (the primary uplink: no flags, it
#   only names the initial subflow's address), and the path manager's limits;
# - an MPTCP client on the gateway's kernel sends to an MPTCP server in the inet
#   namespace (203.0.113.1, beyond both ISPs): the initial subflow leaves by twan0, the
#   kernel adds a second one from twan1's address, and captures at both ISPs see each
#   subflow on its own uplink, carrying data (MPTCP options intact);
# - mpgwctl mptcp shows the connection with both subflows, their ids, uplinks and
#   traffic, and the counts agree with the captures (once they stand still);
# - isp2 cut: mpgw's probes find wan1 down, mpgw flags its endpoint backup in the kernel
#   and closes its subflow (a `subflow` endpoint's: what it had in flight is sent again at
#   once over twan0, which carries the data); when the link comes back mpgw adds the
#   endpoint again, without the flag, and the kernel opens a subflow on twan1 again;
# - isp1 cut, the same for the primary uplink: its endpoint is flagged, the kernel sends
#   MP_PRIO for the initial subflow (it matches subflows by local address) and the data
#   goes on over twan1;
# - removing the endpoint closes its subflow and the table follows; adding it back as a
#   backup endpoint opens a subflow flagged backup; the data arrives intact; closing the
#   connection empties the table;
# - connections the kernel had before mpgw started (a loopback one, across a restart of
#   the gateway's mpgw) are found by its dump of the kernel's sockets (sock_diag), with
#   their tokens and sides, marked from_dump; their CLOSED events empty the table.
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
# Each uplink's address leaves by its uplink (what scripts/relay-kernel.sh sets up): a
# subflow's segments, and the kernel's resets for a subflow mpgw closed, which answer the
# far end's late retransmissions.
in_ns gw ip route add default via 100.64.1.1 dev twan0 table 101
in_ns gw ip route add default via 100.64.2.1 dev twan1 table 102
in_ns gw ip rule add from 100.64.1.2 lookup 101
in_ns gw ip rule add from 100.64.2.2 lookup 102
in_ns gw ip mptcp limits set subflows 2 add_addr_accepted 0
in_ns gw ip mptcp endpoint add 100.64.2.2 dev twan1 subflow
in_ns gw ip mptcp endpoint add 100.64.1.2 dev twan0

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

# endpoint_of ADDR: the id of the kernel's endpoint of ADDR.
endpoint_of() {
	in_ns gw ip mptcp endpoint show | awk -v a="$1" '$1 == a { for (i = 1; i < NF; i++) if ($i == "id") print $(i + 1) }'
}
endpoint_id=$(endpoint_of 100.64.2.2)
primary_id=$(endpoint_of 100.64.1.2)

# endpoints_seen: within 3 s (endpoints are dumped every second), mpgwctl mptcp-endpoints
# has both endpoints, on uplinks twan1 and twan0, and the limits.
endpoints_seen() {
	local i j
	for ((i = 0; i < 30; i++)); do
		j=$(gw_ctl --json mptcp-endpoints 2>/dev/null || true)
		[ "$(json_get "$j" "id/$endpoint_id" uplink)" = twan1 ] &&
			[ "$(json_get "$j" "id/$primary_id" uplink)" = twan0 ] && break
		sleep 0.1
	done
	echo "id/$endpoint_id: $(json_get "$j" "id/$endpoint_id" address)" \
		"flags $(json_get "$j" "id/$endpoint_id" flags)" \
		"uplink $(json_get "$j" "id/$endpoint_id" uplink);" \
		"id/$primary_id: $(json_get "$j" "id/$primary_id" address)" \
		"flags '$(json_get "$j" "id/$primary_id" flags)'" \
		"uplink $(json_get "$j" "id/$primary_id" uplink);" \
		"limits: subflows $(json_get "$j" limits subflows)"
	[ "$(json_get "$j" "id/$endpoint_id" address)" = 100.64.2.2 ] &&
		[ "$(json_get "$j" "id/$endpoint_id" uplink)" = twan1 ] &&
		[ "$(json_get "$j" "id/$endpoint_id" flags)" = subflow ] &&
		[ "$(json_get "$j" "id/$primary_id" address)" = 100.64.1.2 ] &&
		[ "$(json_get "$j" "id/$primary_id" uplink)" = twan0 ] &&
		[ -z "$(json_get "$j" "id/$primary_id" flags)" ] &&
		[ "$(json_get "$j" limits subflows)" = 2 ]
}
check "mpgwctl mptcp-endpoints: the kernel's endpoints on twan1 and twan0 and its limits" \
	endpoints_seen || true

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

# both_carry: within 10 s, both subflows have carried 200 kB and received 5 packets (a
# condition waited for, not a rate).
both_carry() {
	local i j a b
	for ((i = 0; i < 100; i++)); do
		j=$(mptcp_rows)
		a=$(sf_of "$j" 100.64.1.2 tx_bytes)
		b=$(sf_of "$j" 100.64.2.2 tx_bytes)
		[ "${a:-0}" -ge 200000 ] && [ "${b:-0}" -ge 200000 ] &&
			[ "$(sf_of "$j" 100.64.1.2 rx_packets)" -ge 5 ] &&
			[ "$(sf_of "$j" 100.64.2.2 rx_packets)" -ge 5 ] && break
		sleep 0.1
	done
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
# still EVERY CMD...: run CMD (it prints a line) until two runs EVERY seconds apart print
# the same, within 15 s; prints that line, fails if it never stood still.
still() {
	local every=$1 now prev='' end=$((SECONDS + 15))
	shift
	while [ "$SECONDS" -lt "$end" ]; do
		now=$("$@")
		[ "$now" = "$prev" ] && break
		prev=$now
		sleep "$every"
	done
	echo "$now"
	[ "$now" = "$prev" ]
}
mpgw_counts() {
	local j
	j=$(mptcp_rows)
	echo "$(sf_of "$j" 100.64.1.2 tx_packets) $(sf_of "$j" 100.64.2.2 tx_packets)"
}
isp_counts() { echo "$(segments_at isp1 100.64.1.2) $(segments_at isp2 100.64.2.2)"; }
# paused_counts: pause the sender; once mpgw's counts stand still (the kernel empties its
# send buffer first), and then the captures (tcpdump gets what it captured within a
# second), print "mpgw-twan0 mpgw-twan1 isp1 isp2". Fails if they never stood still.
paused_counts() {
	local t c rc=0
	touch "$tmp/stop.pause"
	t=$(still 0.3 mpgw_counts) || rc=1
	c=$(still 1.2 isp_counts) || rc=1
	echo "$t $c"
	return "$rc"
}
# Between two pauses, each subflow's segments as mpgw counted them equal those its ISP
# captured, exactly. (Totals differ by the few the kernel sends before it announces a
# subflow, which mpgw cannot know yet; hence the difference of two pauses.)
counts_agree() {
	local a b rc=0 t0 t1 c0 c1 u0 u1 d0 d1 end=$((SECONDS + 10))
	a=$(paused_counts) || rc=1
	read -r t0 t1 c0 c1 <<<"$a"
	rm -f "$tmp/stop.pause"
	while [ "$SECONDS" -lt "$end" ]; do
		read -r u0 u1 <<<"$(mpgw_counts)"
		[ "$((${u0:-0} + ${u1:-0}))" -ge "$((${t0:-0} + ${t1:-0} + 100))" ] && break
		sleep 0.2
	done
	b=$(paused_counts) || rc=1
	rm -f "$tmp/stop.pause"
	read -r u0 u1 d0 d1 <<<"$b"
	if [ -z "$t0" ] || [ -z "$t1" ] || [ -z "$u0" ] || [ -z "$u1" ]; then
		echo "no counts: first pause '$a', second '$b'"
		return 1
	fi
	echo "between two pauses: twan0: mpgw $((u0 - t0)), isp1 $((d0 - c0));" \
		"twan1: mpgw $((u1 - t1)), isp2 $((d1 - c1)) (totals: $b)" \
		"$([ "$rc" = 0 ] || echo "(did not stand still)")"
	[ "$rc" = 0 ] && [ "$((u0 - t0 + u1 - t1))" -ge 100 ] &&
		[ "$((u0 - t0))" = "$((d0 - c0))" ] && [ "$((u1 - t1))" = "$((d1 - c1))" ]
}
check "mpgw's per-subflow segment counts match the ISPs' captures" counts_agree || true

# --- an uplink fails, and comes back ---------------------------------------------------------

# endpoint_flags ID: the kernel's flags of endpoint ID, as ip mptcp endpoint show lists them.
endpoint_flags() {
	in_ns gw ip mptcp endpoint show id "$1" | sed 's/.* id [0-9]* *//; s/ *dev .*//'
}
# flag_within MS WANT ID: within MS ms, endpoint ID's flags do (yes) or do not (no) hold
# backup; says after how long.
flag_within() {
	local t0 t now has
	t0=$(date +%s%N)
	while :; do
		has=no
		endpoint_flags "$3" | grep -qw backup && has=yes
		now=$(date +%s%N)
		t=$(((now - t0) / 1000000))
		[ "$has" = "$2" ] && break
		[ "$t" -ge "$1" ] && break
		sleep 0.01
	done
	echo "endpoint $3 flags: '$(endpoint_flags "$3")', $t ms after the change"
	[ "$has" = "$2" ]
}
# sent_in_1s: what the connection's subflows sent in one second, in bytes: the rate the
# checks after a cut compare with, measured in this run.
sent_in_1s() {
	local j0 j1
	j0=$(mptcp_rows)
	sleep 1
	j1=$(mptcp_rows)
	"$PY" -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(sum(int(r["tx_bytes"]) - int(a[k]["tx_bytes"]) for k, r in b.items() if k in a))' "$j0" "$j1"
}
# moved_off FLAGGED OTHER BEFORE: what the backup flag is for. Over the second after it,
# the subflow from FLAGGED (shown backup) sends at most a twentieth of what the one from
# OTHER sends, and that is at least a quarter of BEFORE, the connection's bytes in a second
# before the cut (the one uplink left is half of the two, or more). (With mptcp_follow_uplinks = no the same second looks
# alike but for the backup column: the dead subflow's congestion window, full of
# unacknowledged data, stops new data by itself at first; 3000 bytes of retransmissions
# both ways, and 0.5-3.0 MB on the other subflow either way, in the runs of this test.)
moved_off() {
	local j0 j1 f0 f1 o0 o1
	j0=$(mptcp_rows)
	sleep 1
	j1=$(mptcp_rows)
	f0=$(sf_of "$j0" "$1" tx_bytes)
	f1=$(sf_of "$j1" "$1" tx_bytes)
	o0=$(sf_of "$j0" "$2" tx_bytes)
	o1=$(sf_of "$j1" "$2" tx_bytes)
	if [ -z "$f0" ] || [ -z "$f1" ] || [ -z "$o0" ] || [ -z "$o1" ]; then
		echo "subflows missing"
		return 1
	fi
	echo "in 1 s: $1 (backup $(sf_of "$j1" "$1" backup)) sent $((f1 - f0)) bytes," \
		"$2 sent $((o1 - o0)) bytes; both sent $3 in a second before the cut"
	[ "$(sf_of "$j1" "$1" backup)" = 1 ] && [ "$((4 * (o1 - o0)))" -ge "$3" ] &&
		[ "$((20 * (f1 - f0)))" -le "$((o1 - o0))" ]
}
# closed_moved CLOSED OTHER BEFORE: within 1 s the subflow from CLOSED is gone from the
# table (mpgw closed it: its endpoint is a `subflow` one, which mpgw adds again when the
# uplink is back), and over the next second the one from OTHER sends at least a quarter of
# BEFORE (as moved_off).
closed_moved() {
	local i j0 j1 o0 o1
	for ((i = 0; i < 10; i++)); do
		j0=$(mptcp_rows)
		[ -z "$(sf_of "$j0" "$1" tx_bytes)" ] && break
		sleep 0.1
	done
	sleep 1
	j1=$(mptcp_rows)
	o0=$(sf_of "$j0" "$2" tx_bytes)
	o1=$(sf_of "$j1" "$2" tx_bytes)
	echo "subflow from $1: $([ -z "$(sf_of "$j0" "$1" tx_bytes)" ] && echo closed || echo open);" \
		"in 1 s $2 sent $((${o1:-0} - ${o0:-0})) bytes (both $3 before the cut);" \
		"closed by mpgw: $(json_get "$(gw_ctl --json mptcp-endpoints)" limits subflows_closed_dead)"
	[ -z "$(sf_of "$j0" "$1" tx_bytes)" ] && [ -n "$o0" ] && [ -n "$o1" ] &&
		[ "$((4 * (o1 - o0)))" -ge "$3" ]
}
# reopened ADDR UPLINK: within 5 s a subflow from ADDR is back, on UPLINK.
reopened() {
	local i j
	for ((i = 0; i < 50; i++)); do
		j=$(mptcp_rows)
		[ "$(sf_of "$j" "$1" uplink)" = "$2" ] && break
		sleep 0.1
	done
	echo "subflow from $1 on $(sf_of "$j" "$1" uplink), endpoints added again:" \
		"$(json_get "$(gw_ctl --json mptcp-endpoints)" limits endpoints_readded)"
	[ "$(sf_of "$j" "$1" uplink)" = "$2" ]
}
before=$(sent_in_1s)
uplink_cut isp2
check "isp2 cut: mpgw flags the endpoint on twan1 backup in the kernel" \
	flag_within 1000 yes "$endpoint_id" || true
check "and closes its subflow; the data goes on over twan0" \
	closed_moved 100.64.2.2 100.64.1.2 "$before" || true
uplink_restore isp2
check "isp2 back: mpgw adds the endpoint again, without the backup flag, once wan1's probes answer" \
	flag_within 3000 no "$endpoint_id" || true
check "the connection has a subflow on twan1 again" reopened 100.64.2.2 twan1 || true

# The primary uplink: its endpoint (no `subflow` flag) names the initial subflow's address.
# mpgw cannot open that subflow again, so it only flags it.
before=$(sent_in_1s)
uplink_cut isp1
check "isp1 cut: mpgw flags the primary's endpoint (twan0) backup in the kernel" \
	flag_within 1000 yes "$primary_id" || true
check "the data goes on over twan1; the initial subflow, shown backup, sends next to nothing" \
	moved_off 100.64.1.2 100.64.2.2 "$before" || true
uplink_restore isp1
check "isp1 back: mpgw takes the primary's backup flag back" \
	flag_within 3000 no "$primary_id" || true
j=$(gw_ctl --json mptcp-endpoints) || true
check "mpgwctl mptcp-endpoints counts two flags set, two taken back" \
	test "$(json_get "$j" limits backup_set)/$(json_get "$j" limits backup_cleared)" = 2/2 || true

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
endpoint_id=$(endpoint_of 100.64.2.2) # a new id: the kernel hands ids out in turn
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

# --- connections older than mpgw ----------------------------------------------------------------

# A loopback MPTCP connection on the gateway's kernel (no endpoints: no other subflow),
# seen first from its events, then, after a restart of mpgw, from the dump at start.
in_ns gw ip mptcp endpoint flush
in_ns gw "$PY" "$src/tests/integration/mptcp_peer.py" server 127.0.0.1 5202 "$tmp/lo.rx" &
lo_server=$!
sleep 0.5
in_ns gw "$PY" "$src/tests/integration/mptcp_peer.py" client 127.0.0.1 5202 "$tmp/lo.stop" \
	>"$tmp/lo.out" 2>&1 &
lo_client=$!
# loopback_rows WANT_FROM_DUMP: within 5 s, two rows, both ends of the loopback connection
# (a server side on port 5202, a client side), from_dump as wanted; prints their tokens.
loopback_rows() {
	local j
	j=$(wait_rows 2)
	"$PY" -c '
import json, sys
rows = list(json.loads(sys.argv[1]).values())
ends = sorted((r.get("side"), r.get("local", "").endswith(":5202"), r.get("from_dump"),
               r.get("uplink")) for r in rows)
print("tokens", " ".join(sorted(r.get("token", "?") for r in rows)), "; ends", ends)
want = int(sys.argv[2])
sys.exit(0 if ends == [("client", False, want, "-"), ("server", True, want, "-")] else 1)' \
		"$j" "$1"
}
check "a loopback MPTCP connection, from its events: both ends, not from_dump" \
	loopback_rows 0 || true
before=$(loopback_rows 0) || true
before=${before%% ;*}
stop_mpgw_checked "the gateway"
log=$tmp/gateway2.log
netns_tunnel_start_mpgw "$PREFIX" gw "$MPGW" "$tmp/gateway.ini" "$log"
NETNS_MPGW_PID=$NETNS_TUN_PID
if wait_ready "$PREFIX-gw" "$NETNS_MPGW_PID"; then
	ok "mpgw gateway restarted (pid $NETNS_MPGW_PID)"
else
	not_ok "mpgw gateway restarted"
	show_log
fi
dumped_as_before() {
	local out
	out=$(loopback_rows 1) || {
		echo "$out"
		return 1
	}
	echo "$out"
	[ "${out%% ;*}" = "$before" ]
}
check "after the restart: the connection found by the dump at start, tokens as before" \
	dumped_as_before || true
j=$(gw_ctl --json mptcp-endpoints) || true
check "mpgwctl mptcp-endpoints counts the dump" at_least dumps "$(json_get "$j" limits dumps)" 1 ||
	true
touch "$tmp/lo.stop"
wait "$lo_client" || true
wait "$lo_server" || true
check "the dumped connection's CLOSED events empty the table" table_empty || true
stop_mpgw_checked "the restarted gateway"
finish
