#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live test of bonding (issue 15): LAN TCP relayed over MPTCP on every uplink, with the
# real components, on the gateway-and-VPS topology (scripts/lib/netns_tunnel.sh,
# scripts/lib/netns_bond.sh): mpgw on both ends with twins and the relay
# (config/bond-gateway.ini, config/bond-vps.ini), the kernels set up by
# scripts/relay-kernel.sh, ss-redir --mptcp on the gateway, ss-server --mptcp on the VPS,
# both ISPs rate-limited by tbf to the same rate, unmodified iperf3 between the client and
# the server beyond the VPS. Every rate is compared with another measured in this run:
# - one TCP stream, IPv4 and IPv6, up and down (-R): with both uplinks at least 1.6 times
#   the rate with one (the other `multipath = off`: no MPTCP endpoint);
# - mpgwctl mptcp shows the proxy's connection with a subflow on each uplink, both
#   carrying data; the ISPs' captures see LAN TCP only inside MPTCP subflows from the
#   uplinks' addresses to the VPS's proxy port, each on its own uplink, MPTCP options
#   intact, and no LAN address or native LAN IPv6 (leak_check.py);
# - isp2 cut in the middle of a download, and of an upload, isp1 (the first subflow's)
#   in the middle of a download: the connection carries on,
#   every second at least a fifth of one uplink's rate, and within 3 s of the link's
#   return the rate is 1.6 times one uplink's again; both mpgw closed the subflows over
#   the dead path;
# - isp1 cut: mpgw moves the main table's default route out of twan0 (the initial
#   subflow's way) behind twan1's, and a connection opened then is relayed and completes;
# - the VPS's kernel failing its router's ARP entry takes no tunnel path away;
# - ss-redir's port is not reachable from a WAN, nor from the LAN but by the redirect;
# - a host on isp1's segment scanning the LAN host (ICMP, TCP, UDP, IPv4 and IPv6) gets
#   nothing through the WAN edge;
# - a LAN host's own MPTCP connection is relayed like any other;
# - the proxy stopped: within 1 s mpgwctl relay says so and new connections take the
#   tunnel (counted); started again: relayed again, while a connection that began in the
#   tunnel carries on there; a LAN twin without its address makes the relay unusable too;
# - 500 short relayed connections, half reset by the server: mpgw's MPTCP table then
#   holds exactly the connections the kernel has (ss -M);
# - both uplinks saturated both ways for BOND_SATURATE seconds (60; the upload at least
#   1.6 times one uplink's rate beside the download): no uplink marked down, no endpoint
#   flagged backup.
#
# Environment and output as live.sh (helpers in live_lib.sh, live_tunnel_lib.sh).
# Functions run through check():
# shellcheck disable=SC2317
set -euo pipefail

NAME=live_bond
PREFIX=mpgwbd
ROLES="client gw isp1 isp2 inet vps server"
# shellcheck source=tests/integration/live_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/live_lib.sh"
NEEDS="nft iperf3 ss-redir ss-server tc"
# shellcheck source=tests/integration/live_tunnel_lib.sh
source "$src/tests/integration/live_tunnel_lib.sh"
# shellcheck source=scripts/lib/netns_bond.sh
source "$src/scripts/lib/netns_bond.sh"

# listening NS PORT: within 5 s, a TCP socket listens on PORT in NS.
listening() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ -n "$(in_ns "$1" ss -Hltn "sport = :$2")" ] && return 0
		sleep 0.1
	done
	return 1
}
# BOND_PHASES: the phases to run, for work on one of them (default: all).
phase() { [[ " ${BOND_PHASES:-all} " == *" all "* || " ${BOND_PHASES:-} " == *" $1 "* ]]; }
S4=$NETNS_TUN_SERVER4
S6=$NETNS_TUN_SERVER6
SECS=${BOND_SECS:-4}

bond_configs "$src" "$tmp"
tunnel_pair_start "$tmp/gateway.ini" "$tmp/vps.ini"
if ! bond_kernel "$PREFIX" "$src" "$tmp" >"$tmp/kernel.log" 2>&1; then
	not_ok "relay-kernel.sh up on both ends: $(tail -n 3 "$tmp/kernel.log")"
	finish
fi
ok "relay-kernel.sh up on both ends"
bond_server_start "$PREFIX" "$tmp"
server_pid=$BOND_SERVER_PID
bond_redir_start "$PREFIX" "$tmp"
in_ns server iperf3 -s -J >"$tmp/iperf3-server.log" 2>&1 &
iperf_pid=$!
# A second server, for a stream the other way at the same time.
in_ns server iperf3 -s -J -p 5202 >"$tmp/iperf3-server2.log" 2>&1 &
iperf2_pid=$!
bond_shape "$PREFIX"

check "both uplinks usable at the gateway" uplinks_usable gw_ctl 2 || true

# relay_state CTL WANT: within 3 s, mpgwctl relay says state WANT.
relay_state() {
	local i j
	for ((i = 0; i < 30; i++)); do
		j=$("$1" --json relay 2>/dev/null || true)
		[ "$(json_get "$j" state)" = "$2" ] && break
		sleep 0.1
	done
	echo "state $(json_get "$j" state), proxy $(json_get "$j" proxy), vps $(json_get "$j" vps)," \
		"in use: $(json_get "$j" in_use)"
	[ "$(json_get "$j" state)" = "$2" ]
}
# relay_state_within MS WANT: within MS milliseconds, the gateway's mpgwctl relay says
# state WANT; prints how long it took.
relay_state_within() {
	local start now j
	start=$(date +%s%N)
	while :; do
		j=$(gw_ctl --json relay 2>/dev/null || true)
		now=$(date +%s%N)
		[ "$(json_get "$j" state)" = "$2" ] && break
		[ $(((now - start) / 1000000)) -lt "$1" ] || break
		sleep 0.05
	done
	echo "after $(((now - start) / 1000000)) ms: state $(json_get "$j" state), proxy $(json_get "$j" proxy), in use: $(json_get "$j" in_use)"
	[ "$(json_get "$j" state)" = "$2" ]
}
check "gateway: relay usable (ss-redir listening, the VPS answering)" relay_state gw_ctl usable || true
check "vps: ss-server listening" relay_state vps_ctl listening || true

# router_failed: the VPS's kernel loses its entry for its router in the middle of pings
# from the LAN through the tunnel (what a lost ARP answer does: FAILED); the mirror keeps
# the router's MAC, so the VPS's paths back to the gateway, which all go through that
# router, stay: every ping answered, no tunnel_down at the vps. (Before, the whole way back
# was gone until the kernel asked again: tunnel_down at the vps while both ends had both
# uplinks usable.)
router_failed() {
	local before after out
	before=$(json_get "$(vps_ctl --json drops --all)" tunnel_down)
	in_ns client ping -6 -i 0.1 -c 30 -W 1 "$S6" >"$tmp/ping-failed.txt" 2>&1 &
	local pp=$!
	sleep 1
	in_ns vps ip neigh replace 203.0.113.1 dev twan0 nud failed
	wait "$pp" || true
	after=$(json_get "$(vps_ctl --json drops --all)" tunnel_down)
	out=$(grep 'packets transmitted' "$tmp/ping-failed.txt")
	echo "vps kernel: $(in_ns vps ip neigh show 203.0.113.1 dev twan0 | xargs); $out;" \
		"tunnel_down at the vps +$((after - before))"
	[ "$after" -eq "$before" ] && echo "$out" | grep -q '30 received'
}
check "the VPS's kernel fails its router's entry: the tunnel's way back stays" router_failed ||
	true

# refused NS ADDR: a TCP connection from NS to ADDR:1100 (ss-redir's port, reached without
# the redirect) does not open.
refused() {
	if in_ns "$1" timeout 5 ncat -z -w 2 "$2" 1100 2>/dev/null; then
		echo "connected to $2:1100 from $1"
		return 1
	fi
	echo "no connection to $2:1100 from $1"
}
check "ss-redir is not reachable from a WAN (isp1 -> the uplink's address)" refused isp1 100.64.1.2 ||
	true
check "nor directly from the LAN (client -> the gateway's LAN address)" refused client 10.0.1.1 ||
	true

# wan_scan: a host on isp1's segment scans the LAN host, IPv4 and IPv6 (ICMP echo, TCP SYNs,
# UDP, to a few ports), its frames straight to the uplink's MAC: the WAN edge denies every
# one (inbound_denied), and none reaches the client (its capture sees nothing from them).
wan_scan() {
	local mac before after seen sent
	in_ns isp1 ping -c 1 -W 2 100.64.1.2 >/dev/null
	mac=$(in_ns isp1 ip neigh show 100.64.1.2 dev eth0 | awk '{print $3}')
	before=$(json_get "$(gw_ctl --json drops --all)" inbound_denied)
	in_ns client timeout 15 tcpdump -i eth0 -n -U -w "$tmp/scan.pcap" \
		"host 100.64.1.1 or net 2001:db8:66::/48" 2>/dev/null &
	local cap=$! i
	# tcpdump writes the file's header once it captures
	for ((i = 0; i < 50; i++)); do
		[ -s "$tmp/scan.pcap" ] && break
		sleep 0.1
	done
	sent=$(in_ns isp1 "$PY" - "$mac" "$NETNS_TUN_CLIENT4" "$NETNS_TUN_CLIENT6" <<'PYEOF'
import sys
from scapy.all import ICMP, IP, TCP, UDP, Ether, ICMPv6EchoRequest, IPv6, sendp
mac, c4, c6 = sys.argv[1:4]
l4 = [ICMP(), TCP(sport=41000, dport=22, flags="S"), TCP(sport=41000, dport=80, flags="S"),
      TCP(sport=41000, dport=443, flags="S"), UDP(sport=41000, dport=53),
      UDP(sport=41000, dport=5000)]
frames = [Ether(dst=mac) / IP(src="100.64.1.1", dst=c4) / p for p in l4]
frames += [Ether(dst=mac) / IPv6(src="2001:db8:66::7", dst=c6) /
           (ICMPv6EchoRequest() if isinstance(p, ICMP) else p) for p in l4]
# and a transit packet, for the internet behind the gateway's other uplink
frames += [Ether(dst=mac) / IP(src="100.64.1.1", dst="100.64.2.1") / UDP(sport=41000, dport=7),
           Ether(dst=mac) / IP(src="100.64.1.1", dst="10.0.1.77") / TCP(sport=41000, dport=22, flags="S")]
sendp(frames, iface="eth0", verbose=False)
print(len(frames))
PYEOF
)
	for ((i = 0; i < 50; i++)); do
		after=$(json_get "$(gw_ctl --json drops --all)" inbound_denied)
		[ "$after" -ge $((before + sent)) ] && break
		sleep 0.1
	done
	# what mpgw let through would be at the client well within this
	sleep 0.5
	kill "$cap" 2>/dev/null || true
	wait "$cap" 2>/dev/null || true
	after=$(json_get "$(gw_ctl --json drops --all)" inbound_denied)
	seen=$(tcpdump -n -r "$tmp/scan.pcap" 2>/dev/null | wc -l)
	echo "$sent frames from isp1's segment: inbound_denied +$((after - before)); the client saw $seen"
	[ $((after - before)) -eq "$sent" ] && [ "$seen" -eq 0 ]
}
check "a scan from isp1's segment reaches no LAN host (the WAN edge)" wan_scan || true

# --- one uplink, then two ------------------------------------------------------------------
if phase rates; then

# rate NAME TARGET [OPTIONS]: an iperf3 stream's Mbit/s into rates[NAME].
declare -A rates
rate() {
	local name=$1 r
	shift
	if r=$(bond_iperf "$PREFIX" "$@" 2>"$tmp/iperf.err"); then
		rates[$name]=$r
	else
		rates[$name]=0
		echo "    $name: $(cat "$tmp/iperf.err")"
	fi
}
measure_all() {
	rate "up4-$1" "$S4" "$SECS"
	rate "down4-$1" "$S4" "$SECS" -R
	rate "up6-$1" "$S6" "$SECS"
	rate "down6-$1" "$S6" "$SECS" -R
}
bond_uplinks "$PREFIX" "$src" "$tmp" 1
measure_all one
bond_uplinks "$PREFIX" "$src" "$tmp" 2
measure_all two

# bonded WHAT: rates[WHAT-two] >= 1.6 x rates[WHAT-one].
bonded() {
	local one=${rates[$1-one]} two=${rates[$1-two]}
	echo "one uplink $one Mbit/s, two $two Mbit/s, ratio $(awk -v a="$two" -v b="$one" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
	awk -v a="$two" -v b="$one" 'BEGIN { exit !(b > 0 && a >= 1.6 * b) }'
}
check "IPv4 up (client -> server): one stream over both uplinks" bonded up4 || true
check "IPv4 down (server -> client, -R)" bonded down4 || true
check "IPv6 up (the relay carries it over the IPv4 subflows)" bonded up6 || true
check "IPv6 down" bonded down6 || true
single=${rates[down4-one]}
fi

# --- what mpgw and the ISPs see of a bonded stream ------------------------------------------
if phase capture; then

capture_start bond
ip netns exec "$PREFIX-client" iperf3 -c "$S4" -t 6 >"$tmp/iperf-bg.out" 2>&1 &
bg=$!
sleep 4
mptcp_json=$(gw_ctl --json mptcp || echo '{}')
gw_ctl mptcp | sed 's/^/    /'
wait "$bg" || true
capture_stop
# both_subflows: one connection of the proxy with a subflow from each uplink's address on
# its uplink, both having carried data.
both_subflows() {
	"$PY" -c '
import json, sys
rows = [r for r in json.loads(sys.argv[1]).values() if r.get("remote", "").startswith("203.0.113.10:")]
by = {}
for r in rows:
    by.setdefault(r["token"], []).append(r)
ok = False
for t, sf in by.items():
    ups = {r["local"].split(":")[0]: (r["uplink"], int(r["tx_bytes"]), int(r["rx_bytes"])) for r in sf}
    print("connection", t, ups)
    ok |= (ups.get("100.64.1.2", ("",))[0] == "twan0" and ups.get("100.64.2.2", ("",))[0] == "twan1"
           and all(v[1] > 100000 for v in ups.values()))
sys.exit(0 if ok else 1)' "$mptcp_json"
}
check "mpgwctl mptcp: the proxy's connection with a subflow on twan0 and on twan1, both carrying data" \
	both_subflows || true

# only_subflows ISP ADDR: at ISP, every TCP segment is between ADDR and the VPS's proxy
# port, and they carry MPTCP options.
only_subflows() {
	local f=$tmp/bond-$1-eth0.pcap all other mp
	all=$(tcpdump -n -r "$f" tcp 2>/dev/null | wc -l)
	other=$(tcpdump -n -r "$f" "tcp and not (host $2 and host 203.0.113.10 and port 65101)" 2>/dev/null | wc -l)
	mp=$(tcpdump -n -r "$f" "tcp and src host $2" 2>/dev/null | grep -c mptcp || true)
	echo "tcp segments $all, other than $2 <-> 203.0.113.10:65101: $other, with MPTCP options from $2: $mp"
	[ "$all" -gt 1000 ] && [ "$other" -eq 0 ] && [ "$mp" -gt 1000 ]
}
check "isp1 sees TCP only in the subflow from 100.64.1.2 to the VPS's proxy" only_subflows isp1 100.64.1.2 || true
check "isp2 sees TCP only in the subflow from 100.64.2.2" only_subflows isp2 100.64.2.2 || true
no_leak() {
	local l
	l=$(leaks bond)
	echo "$l"
	[ "$(field "$l" native4)" = 0 ] && [ "$(field "$l" native6)" = 0 ]
}
check "no LAN address and no native LAN IPv6 on either WAN" no_leak || true
fi

# --- a LAN host's own MPTCP connection -------------------------------------------------------
if phase lanmptcp; then
rel=$(json_get "$(gw_ctl --json relay)" relayed_packets)
in_ns server "$PY" "$src/tests/integration/mptcp_peer.py" server "$S4" 5400 "$tmp/lan-mptcp" &
mp_server=$!
listening server 5400 || true
in_ns client "$PY" "$src/tests/integration/mptcp_peer.py" client "$S4" 5400 "$tmp/lan-mptcp.stop" \
	>"$tmp/lan-mptcp.out" 2>&1 &
mp_client=$!
sleep 2
touch "$tmp/lan-mptcp.stop"
wait "$mp_client" || true
wait "$mp_server" || true
# lan_mptcp_relayed: what the client sent over MPTCP arrived whole, through the relay (the
# proxy's listener is plain TCP: the client's MPTCP falls back to TCP there).
lan_mptcp_relayed() {
	local sent got rel2
	sent=$(cat "$tmp/lan-mptcp.out")
	got=$(cat "$tmp/lan-mptcp.done" 2>/dev/null || echo nothing)
	rel2=$(json_get "$(gw_ctl --json relay)" relayed_packets)
	echo "sent ${sent%% *} bytes, received ${got%% *}; relayed packets +$((rel2 - rel))"
	[ -n "$sent" ] && [ "$sent" = "$got" ] && [ $((rel2 - rel)) -gt 100 ]
}
check "a LAN host's own MPTCP connection is relayed like any other (the proxy ends it)" \
	lan_mptcp_relayed || true
fi

# --- an uplink cut in the middle of a download ----------------------------------------------
if phase cut; then
if [ -z "${single:-}" ]; then
	bond_uplinks "$PREFIX" "$src" "$tmp" 1
	single=$(bond_iperf "$PREFIX" "$S4" "$SECS" -R || echo 0)
	bond_uplinks "$PREFIX" "$src" "$tmp" 2
fi
# cut_round ISP [-R]: a 12 s stream (-R: a download), ISP cut from 3 s to 6 s; the
# receiver's intervals (the server's, of an upload) are judged.
cut_round() {
	local isp=$1
	shift
	ip netns exec "$PREFIX-client" iperf3 -c "$S4" "$@" -t 12 -J --get-server-output \
		>"$tmp/cut.json" 2>&1 &
	bg=$!
	sleep 3
	uplink_cut "$isp"
	sleep 3
	uplink_restore "$isp"
	cut_rc=0
	wait "$bg" || cut_rc=$?
}
# survived: iperf3 completed; every 1 s interval >= a fifth of one uplink, the second of
# the cut included; one of the intervals 7-9 (1-3 s after the link's return at about 6 s)
# >= 1.6 x one uplink. The second of the cut holds up because mpgw closes the dead
# subflows at both ends as soon as its probes find the path dead, so what was in flight
# on them is sent again at once; without that it dropped to 0.7-17 Mbit/s here
# (lib/mptcp/mptcp_close.h).
survived() {
	"$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
if "error" in j:
    print("iperf3:", j["error"]); sys.exit(1)
receiver = j if j["start"].get("test_start", {}).get("reverse") else j["server_output_json"]
iv = [i["sum"]["bits_per_second"] / 1e6 for i in receiver["intervals"]]
one = float(sys.argv[2])
print("per second:", " ".join("%.1f" % v for v in iv), "; one uplink %.1f" % one)
ok = (len(iv) >= 12 and min(iv) >= one / 5 and max(iv[7:10]) >= 1.6 * one and
      sys.argv[3] == "0")
sys.exit(0 if ok else 1)' "$tmp/cut.json" "$single" "$cut_rc"
}
closed_dead() {
	local g v
	g=$(json_get "$(gw_ctl --json mptcp-endpoints)" limits subflows_closed_dead)
	v=$(json_get "$(vps_ctl --json mptcp-endpoints)" limits subflows_closed_dead)
	echo "subflows closed over the dead path: gateway ${g:-?}, vps ${v:-?}"
	[ "${g:-0}" -ge 1 ] && [ "${v:-0}" -ge 1 ]
}
cut_round isp2 -R
check "isp2 cut for 3 s mid-download: the connection carries on and comes back to both uplinks" \
	survived || true
check "both ends closed their subflows over the dead path" closed_dead || true
sleep 2
cut_round isp2
check "the same mid-upload" survived || true
sleep 2
cut_round isp1 -R
check "isp1 cut mid-download (the uplink of the connection's first subflow)" survived || true

# route_metric_within MS PORT METRIC: within MS milliseconds the gateway's kernel has mpgw's
# default route out of PORT at METRIC (and only there).
route_metric_within() {
	local start now got
	start=$(date +%s%N)
	while :; do
		got=$(in_ns gw ip -4 route show default dev "$2" proto 222 |
			awk '{ for (i = 1; i < NF; i++) if ($i == "metric") print $(i + 1) }' | xargs)
		now=$(date +%s%N)
		[ "$got" = "$3" ] && break
		[ $(((now - start) / 1000000)) -lt "$1" ] || break
		sleep 0.1
	done
	echo "after $(((now - start) / 1000000)) ms: mpgw's default route on $2 at metric ${got:-none}"
	[ "$got" = "$3" ]
}
# relayed_new: a new connection (a 2 s stream) completes and is relayed.
relayed_new() {
	local before after rate
	before=$(json_get "$(gw_ctl --json counters)" relay)
	rate=$(bond_iperf "$PREFIX" "$S4" 2) || return 1
	after=$(json_get "$(gw_ctl --json counters)" relay)
	echo "$rate Mbit/s, relayed packets +$((after - before))"
	[ $((after - before)) -gt 100 ]
}
# isp1 is the first uplink: the main table's default route out of it is the one the
# initial subflow of a new connection takes. Dead, it must go behind twan1's.
sleep 2
both_live() { route_metric_within 5000 twan0 100 && route_metric_within 0 twan1 200; }
check "mpgw's default routes: twan0 at metric 100, twan1 at 200" both_live || true
uplink_cut isp1
check "isp1 cut: its default route goes behind twan1's within 5 s" \
	route_metric_within 5000 twan0 10100 || true
check "a connection opened during the cut is relayed and completes (over twan1)" relayed_new ||
	true
uplink_restore isp1
check "isp1 back: its default route at metric 100 again within 5 s" \
	route_metric_within 5000 twan0 100 || true
# BOND_CUT_ROUNDS: more rounds, to see how a cut varies.
for ((round = 2; round <= ${BOND_CUT_ROUNDS:-1}; round++)); do
	for isp in isp2 isp1; do
		sleep 2
		cut_round "$isp" -R
		check "$isp cut mid-download, round $round" survived || true
		sleep 2
		cut_round "$isp"
		check "$isp cut mid-upload, round $round" survived || true
	done
done
fi

# --- the proxy stopped, then started again ---------------------------------------------------
if phase fallback; then

counter() { json_get "$(gw_ctl --json counters)" "$1"; }
relay_counter() { json_get "$(gw_ctl --json relay)" "$1"; }
bond_redir_stop
check "ss-redir stopped: within 1 s mpgwctl relay says no proxy, fallback tunnel in use" \
	relay_state_within 1000 no_proxy || true
fb=$(relay_counter fallback_packets)
rel=$(relay_counter relayed_packets)
enc=$(counter encap)
fell_back() {
	local r
	r=$(bond_iperf "$PREFIX" "$S4" 2) || return 1
	local fb2 rel2 enc2
	fb2=$(relay_counter fallback_packets)
	rel2=$(relay_counter relayed_packets)
	enc2=$(counter encap)
	echo "$r Mbit/s; fallback_packets +$((fb2 - fb)), relayed +$((rel2 - rel)), encap +$((enc2 - enc))"
	[ $((fb2 - fb)) -gt 100 ] && [ $((rel2 - rel)) -eq 0 ] && [ $((enc2 - enc)) -ge $((fb2 - fb)) ]
}
check "a new connection meanwhile goes through the tunnel" fell_back || true
# A connection begun in the tunnel stays there when the relay comes back.
ip netns exec "$PREFIX-client" iperf3 -c "$S4" -p 5202 -t 5 -J >"$tmp/kept.json" 2>&1 &
kept_pid=$!
sleep 1.5
bond_redir_start "$PREFIX" "$tmp"
check "ss-redir started again: within 1 s the relay is usable" relay_state_within 1000 usable || true
fb_back=$(relay_counter fallback_packets)
kept_rc=0
wait "$kept_pid" || kept_rc=$?
kept_in_tunnel() {
	local kept=$(($(relay_counter fallback_packets) - fb_back))
	"$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
if "error" in j:
    print("iperf3:", j["error"]); sys.exit(1)
iv = [i["sum"]["bits_per_second"] / 1e6 for i in j["intervals"]]
print("per second:", " ".join("%.1f" % v for v in iv),
      "; fallback_packets since the relay is back: +%s" % sys.argv[3])
sys.exit(0 if sys.argv[2] == "0" and len(iv) >= 5 and min(iv) > 0 and int(sys.argv[3]) > 100 else 1)' \
		"$tmp/kept.json" "$kept_rc" "$kept"
}
check "a connection begun in the tunnel carries on there once the relay is back" kept_in_tunnel ||
	true
rel=$(relay_counter relayed_packets)
fb=$(relay_counter fallback_packets)
relayed_again() {
	local r rel2 fb2
	r=$(bond_iperf "$PREFIX" "$S4" 2) || return 1
	rel2=$(relay_counter relayed_packets)
	fb2=$(relay_counter fallback_packets)
	echo "$r Mbit/s; relayed +$((rel2 - rel)), fallback_packets +$((fb2 - fb))"
	[ $((rel2 - rel)) -gt 100 ] && [ $((fb2 - fb)) -eq 0 ]
}
check "new connections are relayed again" relayed_again || true
# A LAN twin without its address (as after a restart of mpgw, before relay-kernel.sh runs):
# the kernel could not answer the LAN, so the relay is unusable until it is back.
in_ns gw ip -4 addr flush dev tlan0
check "tlan0's address gone: within 1 s the relay is unusable (no_kernel)" \
	relay_state_within 1000 no_kernel || true
in_ns gw "$src/scripts/relay-kernel.sh" up "$tmp/gateway.ini" >/dev/null
check "relay-kernel.sh up again: within 1 s the relay is usable" relay_state_within 1000 usable ||
	true
fi

# --- short connections, half reset -------------------------------------------------------
if phase churn; then
pm_stat() { json_get "$(gw_ctl --json mptcp-endpoints)" limits "$1"; }
events_before=$(pm_stat events)
# Alongside the churn: a relayed connection carrying data all along, and a half-closed one
# (the client's sending side shut), both open when the tables are compared.
ip netns exec "$PREFIX-client" iperf3 -c "$S4" -p 5202 -t 60 -b 2M >/dev/null 2>&1 &
long_pid=$!
in_ns server "$PY" "$src/tests/integration/churn_peer.py" half-server "$S4" 5301 60 &
half_server=$!
listening server 5301 || true
in_ns client "$PY" "$src/tests/integration/churn_peer.py" half-client "$S4" 5301 60 &
half_client=$!
in_ns server "$PY" "$src/tests/integration/churn_peer.py" server "$S4" 5300 500 &
churn_server=$!
listening server 5300 || true
churn=$(in_ns client "$PY" "$src/tests/integration/churn_peer.py" client "$S4" 5300 500 2>&1 || true)
wait "$churn_server" || true
# same_as_kernel: within 10 s, the connections of mpgwctl mptcp are those ss -M shows in
# the gateway's namespace (tokens compared as numbers: ss does not pad them), at least
# the two long ones.
same_as_kernel() {
	local i out rc=1
	for ((i = 0; i < 100; i++)); do
		out=$("$PY" -c '
import json, re, sys
kernel = {int(t, 16) for t in re.findall(r"token:([0-9a-f]+)", sys.argv[1])}
mpgw = {int(r["token"], 16) for r in json.loads(sys.argv[2] or "{}").values()}
print("kernel: %d connections, mpgw: %d, only in the kernel: %d, only in mpgw: %d"
      % (len(kernel), len(mpgw), len(kernel - mpgw), len(mpgw - kernel)))
sys.exit(0 if kernel == mpgw and len(kernel) >= 2 else 1)' \
			"$(in_ns gw ss -HniM 2>/dev/null)" "$(gw_ctl --json mptcp 2>/dev/null)") && {
			rc=0
			break
		}
		sleep 0.1
	done
	local events=$(($(pm_stat events) - events_before))
	echo "$churn; MPTCP events $events; $out"
	[ "$rc" -eq 0 ] && echo "$churn" | grep -q "got=500" && [ "$events" -ge 1000 ]
}
check "500 short relayed connections, half reset, beside a long and a half-closed one: mpgw's table is the kernel's (ss -M)" \
	same_as_kernel || true
kill "$long_pid" "$half_client" "$half_server" 2>/dev/null || true
wait "$long_pid" "$half_client" "$half_server" 2>/dev/null || true
fi

# --- both uplinks saturated -----------------------------------------------------------------
if phase saturate; then

changes() {
	gw_ctl --json uplinks | "$PY" -c '
import json, sys
print(" ".join("%s=%s" % (k, v.get("state_changes", v.get("changes"))) for k, v in sorted(json.load(sys.stdin).items()) if isinstance(v, dict)))'
}
backup_set() { json_get "$(gw_ctl --json mptcp-endpoints)" limits backup_set; }
before_changes=$(changes)
before_backup=$(backup_set)
sat=${BOND_SATURATE:-60}
ip netns exec "$PREFIX-client" iperf3 -c "$S4" -R -t "$sat" >"$tmp/sat.out" 2>&1 &
bg=$!
sleep 1
up_sat=$(bond_iperf "$PREFIX" "$S4" $((sat - 4)) -p 5202 2>&1 || true)
wait "$bg" || true
not_flapped() {
	local after_changes after_backup
	after_changes=$(changes)
	after_backup=$(backup_set)
	echo "upload $up_sat Mbit/s with the download; state changes before: $before_changes, after: $after_changes; endpoints flagged backup: $before_backup -> $after_backup"
	[ "$(echo "$after_changes" | grep -o '=[0-9]' | wc -l)" -eq 2 ] && [ -n "$after_backup" ] &&
		[ "$before_changes" = "$after_changes" ] && [ "$before_backup" = "$after_backup" ] &&
		awk -v u="$up_sat" -v one="${single:-0}" 'BEGIN { exit !(u + 0 > 0 && u >= 1.6 * one) }'
}
check "both uplinks saturated both ways for $sat s: no uplink down, no endpoint flagged backup" \
	not_flapped || true
fi

# no_drops CTL [REASON=N ...]: mpgw dropped nothing but what is listed, exactly (the cut
# was at the ISP; the fallback tunnelled).
no_drops() {
	local ctl=$1
	shift
	"$ctl" --json drops | "$PY" -c '
import json, sys
d = {k: v for k, v in json.load(sys.stdin).items() if v}
want = {k: int(v) for k, v in (a.split("=") for a in sys.argv[1:])}
print("drops:", d or "none", "expected:", want or "none")
sys.exit(0 if d == want else 1)' "$@"
}
check "the gateway dropped nothing but the scan (punt_ring_full among the rest)" \
	no_drops gw_ctl inbound_denied=14 || true
check "the vps dropped nothing" no_drops vps_ctl || true
# BOND_HOLD: seconds to keep everything up before stopping, for work by hand.
[ -z "${BOND_HOLD:-}" ] || sleep "$BOND_HOLD"
kill "$iperf_pid" "$iperf2_pid" "$server_pid" 2>/dev/null || true
bond_redir_stop
stop_mpgw_checked "the gateway"
finish
