#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live MSS clamp and PMTU test with the real kernel:
#
#   mpgwpmtu-client --veth-- mpgwpmtu-gw (mpgw: lan0 MTU 1500, wan0 MTU 1400) --veth-- mpgwpmtu-server
#
# The WAN link has MTU 1400 at both ends (mpgw's wan0 and the server's eth0); the client's
# link stays at 1500 and its kernel knows nothing of the smaller link. It checks that:
# - TCP connections through mpgw negotiate an MSS that fits 1400 (ss -ti on both ends shows
#   mss 1360 for IPv4, 1340 for IPv6: TCP timestamps are off in both namespaces, so the MSS
#   shown is the clamped value itself) and multi-megabyte transfers complete intact;
# - an IPv6 packet too big for the WAN makes the client's kernel learn MTU 1400 for the
#   server (ip -6 route get shows "mtu 1400"), from mpgw's ICMPv6 Packet Too Big;
# - an IPv4 packet with DF does the same through ICMP fragmentation needed (ip route get);
# - IPv4 without DF is fragmented by mpgw and still answered (pings to the server);
# - mpgw's counters account for all of it.
#
# Environment and output as tests/integration/live.sh (MPGW, MPGWCTL, MPGW_SRC; exit 77 when
# not root or a tool is missing; helpers in live_lib.sh).
# Functions run through check():
# shellcheck disable=SC2317
set -euo pipefail

NAME=live_pmtu
PREFIX=mpgwpmtu
WAN_MTU=1400
TCP_BYTES=4000000
# shellcheck source=tests/integration/live_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/live_lib.sh"

# --- topology and daemon -------------------------------------------------------------------

if ! netns_create "$PREFIX" >"$tmp/netns.log" 2>&1; then
	not_ok "topology: $(tail -n 1 "$tmp/netns.log")"
	finish
fi
in_ns server ip link set dev "$NETNS_SERVER_IF" mtu "$WAN_MTU"
for ns in client server; do
	in_ns "$ns" sysctl -qw net.ipv4.tcp_timestamps=0
done
sed "/^\[port wan0\]/,/^\[/ s/^mtu = .*/mtu = $WAN_MTU/" "$src/config/demo.ini" >"$tmp/pmtu.ini"
grep -q "^mtu = $WAN_MTU" "$tmp/pmtu.ini"
ok "topology: WAN link MTU $WAN_MTU (mpgw wan0 and server $NETNS_SERVER_IF), LAN 1500"

netns_mpgw_start "$PREFIX" "$MPGW" "$tmp/pmtu.ini" "$log" --stats "$tmp/stats.json"
if ! netns_mpgw_wait_ready "$PREFIX" "$MPGWCTL" 30; then
	not_ok "mpgw started and answers mpgwctl ports within 30 s"
	show_log
	finish
fi
ok "mpgw started (pid $NETNS_MPGW_PID)"

# --- MSS clamp -----------------------------------------------------------------------------

# tcp_mss FAMILY DEST PORT WANT: a TCP connection client -> server that stays open while
# ss -ti reads the MSS on both ends, then carries TCP_BYTES each way. Prints both MSS.
tcp_mss() {
	local fam=$1 dest=$2 port=$3 want=$4 spid crc=0 c s
	head -c "$TCP_BYTES" /dev/urandom >"$tmp/up"
	head -c "$TCP_BYTES" /dev/urandom >"$tmp/down"
	# The server answers after 2 s, so the connection is open while ss looks at it.
	timeout 60 ip netns exec "$PREFIX-server" sh -c \
		"sleep 2; cat '$tmp/down'" | timeout 60 ip netns exec "$PREFIX-server" \
		ncat "-$fam" -l "$dest" "$port" >"$tmp/server.got" 2>"$tmp/server.err" &
	spid=$!
	for _ in $(seq 50); do
		in_ns server ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.1
	done
	# --no-shutdown: the client's end of input does not end the connection (the server's
	# ncat quits on it, its own data maybe not all sent); the server's end does.
	(sleep 2; cat "$tmp/up") | timeout 60 ip netns exec "$PREFIX-client" \
		ncat "-$fam" -w 10 --no-shutdown "$dest" "$port" >"$tmp/client.got" \
		2>"$tmp/client.err" &
	local cpid=$!
	sleep 1
	c=$(in_ns client ss -Htin "dport = :$port" | grep -o ' mss:[0-9]*' | head -n 1 | cut -d: -f2)
	s=$(in_ns server ss -Htin "sport = :$port" | grep -o ' mss:[0-9]*' | head -n 1 | cut -d: -f2)
	wait "$cpid" || crc=$?
	wait "$spid" || true
	echo "ss -ti: client mss:${c:-?}, server mss:${s:-?}"
	if [ "$c" != "$want" ] || [ "$s" != "$want" ]; then return 1; fi
	[ "$crc" -eq 0 ] || { echo "client ncat exit $crc: $(cat "$tmp/client.err")"; return 1; }
	if ! cmp -s "$tmp/up" "$tmp/server.got" || ! cmp -s "$tmp/down" "$tmp/client.got"; then
		echo "data differs after ss showed mss ${c}/${s}: client->server" \
			"$(stat -c %s "$tmp/server.got") bytes, server->client" \
			"$(stat -c %s "$tmp/client.got") bytes of $TCP_BYTES"
		return 1
	fi
	echo "ss -ti: client mss:$c, server mss:$s; $TCP_BYTES bytes each way intact"
}
check "IPv4 TCP: both ends see MSS $((WAN_MTU - 40)), 4 MB each way" \
	tcp_mss 4 "$NETNS_SERVER4" 5101 $((WAN_MTU - 40)) || true
check "IPv6 TCP: both ends see MSS $((WAN_MTU - 60)), 4 MB each way" \
	tcp_mss 6 "$NETNS_SERVER6" 5102 $((WAN_MTU - 60)) || true

# --- PMTU ----------------------------------------------------------------------------------

# learned_mtu FAMILY DEST: ping with DF and a datagram of 1450 bytes, then the client's
# route to DEST must carry "mtu WAN_MTU".
learned_mtu() {
	local fam=$1 dest=$2 route
	in_ns client ping "-$fam" -n -c 2 -i 0.3 -W 1 -M "do" -s $((1450 - (fam == 4 ? 28 : 48))) \
		"$dest" >/dev/null 2>&1 || true
	route=$(in_ns client ip "-$fam" route get "$dest")
	echo "ip -$fam route get $dest: $(echo "$route" | tr -s ' \n' ' ')"
	echo "$route" | grep -q "mtu $WAN_MTU"
}
check "IPv6: Packet Too Big makes the client's kernel learn mtu $WAN_MTU" \
	learned_mtu 6 "$NETNS_SERVER6" || true
check "IPv4 with DF: fragmentation needed makes the client's kernel learn mtu $WAN_MTU" \
	learned_mtu 4 "$NETNS_SERVER4" || true

# 1500-byte echo requests without DF (whole on the client's 1500 link) must be fragmented by
# mpgw to cross the WAN; the server's kernel reassembles them and fragments its replies,
# which DPDK 22.11's af_packet driver hands to mpgw reassembled (it always sets
# PACKET_FANOUT_FLAG_DEFRAG), 1500 bytes, fitting the LAN again.
frag_ping() {
	local out
	out=$(in_ns client ping -4 -n -c 3 -i 0.3 -W 2 -M dont -s 1472 "$NETNS_REMOTE4" 2>&1) || true
	echo "$out" | grep 'packets transmitted'
	echo "$out" | grep -q '3 received'
}
check "IPv4 1500-byte pings without DF, fragmented by mpgw onto the WAN, are answered" \
	frag_ping || true

counters=$(ctl --json counters || echo '{}')
counter_at_least() {
	at_least "$1" "$(json_get "$counters" "$1")" "$2"
}
# The client's SYNs are clamped; the server's SYN-ACKs already fit its 1400 link.
check "counters: mss_clamped >= 2 (the client's SYN of each connection)" \
	counter_at_least mss_clamped 2 || true
check "counters: icmp6_packet_too_big >= 1" counter_at_least icmp6_packet_too_big 1 || true
check "counters: icmp4_frag_needed >= 1" counter_at_least icmp4_frag_needed 1 || true
check "counters: ip4_fragmented >= 3" counter_at_least ip4_fragmented 3 || true
echo "# mpgwctl counters"
ctl counters 2>&1 | sed 's/^/#   /' || true

stop_mpgw_checked "mpgw"
[ "$failed" -eq 0 ] || show_log
finish
