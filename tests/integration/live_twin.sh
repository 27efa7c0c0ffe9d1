#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live test of the kernel twins (issue 7, the exception path), on the topology of live.sh
# (scripts/lib/netns.sh) with config/demo.ini's ports renamed tlan0 and twan0 (the gw
# namespace's veths are lan0 and wan0) and `twins = yes`:
# - each port has a TAP of its name in the gw namespace, with the port's MAC and MTU, up;
# - the gw namespace's kernel gets the ports' addresses with iproute2 only, on the twins;
# - the client, without its permanent neighbour entries for the gateway, resolves it by ARP
#   and by IPv6 neighbour discovery: mpgw punts the requests to the twin, the kernel
#   answers through it, and mpgw sends the answers out (the pings are then answered by
#   mpgw itself);
# - the gw kernel pings the client through the twin: it resolves the client by ARP over
#   the twin, and the echo replies, addressed to mpgw's own address, reach the kernel;
# - TCP from the gw kernel to a listener on the client works both ways;
# - mpgwctl twins counts frames each way, and the punted / twin_sent counters agree;
# - mpgwctl neighbours lists a configured neighbour the kernel resolved too once, as
#   `config`;
# - then, as a gateway whose wan port is an uplink with mss_clamp = 1200: the kernel's
#   packets through the twin from the uplink's own addresses (configured, or only on the
#   twin) leave, those from a foreign address (on the gw's lo) do not (leak_v4, and a
#   capture at the server), and its SYNs are clamped;
# - then with routes, neighbours and addresses from the kernel only (the netlink mirror):
#   routes reach the FIB, mpgwctl neighbours shows the neighbours the kernel resolved, an
#   address added on a twin is answered by mpgw within a second and no longer once
#   deleted, route churn and a netlink overrun are survived.
#
# Environment and output as live.sh (helpers in live_lib.sh).
# Functions run through check():
# shellcheck disable=SC2317
set -euo pipefail

NAME=live_twin
PREFIX=mpgwtwin
# shellcheck source=tests/integration/live_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/live_lib.sh"

sed -e 's/^\[port lan0\]/[flows]\nsize = 65536\n[port tlan0]/' -e 's/^\[port wan0\]/[port twan0]/' \
	-e 's/^\[mpgw\]/[mpgw]\ntwins = yes/' "$src/config/demo.ini" >"$tmp/twin.ini"

if ! netns_create "$PREFIX" >"$tmp/netns.log" 2>&1; then
	not_ok "topology: $(tail -n 1 "$tmp/netns.log")"
	finish
fi
ok "topology: $PREFIX-client, $PREFIX-gw, $PREFIX-server"
# The gw kernel must see the ports only through the twins (live_lib.sh).
twins_only gw "$NETNS_GW_LAN_IF" "$NETNS_GW_WAN_IF"
netns_mpgw_start "$PREFIX" "$MPGW" "$tmp/twin.ini" "$log"
if ! netns_mpgw_wait_ready "$PREFIX" "$MPGWCTL" 30; then
	not_ok "mpgw started with twins = yes"
	show_log
	finish
fi
ok "mpgw started with twins = yes (pid $NETNS_MPGW_PID)"

# twin_is IF MAC MTU: the TAP exists in the gw namespace with that MAC and MTU, and is up.
twin_is() {
	local line
	line=$(in_ns gw ip -o link show "$1") || return 1
	echo "$line" | sed 's/^[0-9]*: //; s/ qdisc.*link\/ether/ link\/ether/; s/ brd.*//'
	echo "$line" | grep -q "link/ether $2 " && echo "$line" | grep -q " mtu $3 " &&
		echo "$line" | grep -q "<.*UP.*>"
}
check "twin tlan0: a TAP with lan port's MAC and MTU, up" twin_is tlan0 "$NETNS_GW_LAN_MAC" 1500 ||
	true
check "twin twan0: a TAP with wan port's MAC and MTU, up" twin_is twan0 "$NETNS_GW_WAN_MAC" 1500 ||
	true

# The kernel side, configured with iproute2 only.
in_ns gw sysctl -qw net.ipv6.conf.tlan0.disable_ipv6=0 net.ipv6.conf.tlan0.accept_dad=0
in_ns gw ip addr add "$NETNS_GW_LAN4/24" dev tlan0
in_ns gw ip -6 addr add "$NETNS_GW_LAN6/64" dev tlan0 nodad
check "the kernel has the lan port's addresses on its twin" \
	sh -c "ip netns exec $PREFIX-gw ip -br addr show tlan0 | grep -F '$NETNS_GW_LAN4/24' | grep -F '$NETNS_GW_LAN6/64'" ||
	true

punted0=$(json_get "$(ctl --json counters)" punted)
punted0=${punted0:-0}

# resolved FAMILY ADDR: the client has a neighbour entry for ADDR with the lan port's MAC,
# learnt (not the permanent one netns.sh sets).
resolved() {
	local fam=$1 addr=$2 n
	in_ns client ip "-$fam" neigh del "$addr" dev "$NETNS_CLIENT_IF" 2>/dev/null || true
	in_ns client ping "-$fam" -c 2 -i 0.2 -W 2 "$addr" >/dev/null || {
		echo "no answer to ping $addr"
		return 1
	}
	n=$(in_ns client ip "-$fam" neigh show "$addr" dev "$NETNS_CLIENT_IF")
	echo "client neighbour: $n"
	echo "$n" | grep -q "lladdr $NETNS_GW_LAN_MAC" && ! echo "$n" | grep -q PERMANENT
}
check "ARP through the twin: the client resolves $NETNS_GW_LAN4 and pings it" \
	resolved 4 "$NETNS_GW_LAN4" || true
check "ND through the twin: the client resolves $NETNS_GW_LAN6 and pings it" \
	resolved 6 "$NETNS_GW_LAN6" || true

# The kernel's own traffic through the twin: it resolves the client itself (ARP over the
# twin), and the echo replies to mpgw's address are punted back to it.
kernel_ping() {
	in_ns gw ip neigh flush dev tlan0 >/dev/null 2>&1 || true
	in_ns gw ping -c 3 -i 0.2 -W 2 -I tlan0 "$NETNS_CLIENT4" | tail -n 2 | head -n 1 &&
		in_ns gw ip neigh show "$NETNS_CLIENT4" dev tlan0 | grep -q "lladdr $NETNS_CLIENT_MAC"
}
check "the gw kernel pings the client through its twin (ARP resolved over the twin)" \
	kernel_ping || true

# TCP both ways between the gw kernel and a listener on the client.
kernel_tcp() {
	head -c 200000 /dev/urandom >"$tmp/tcp.in"
	in_ns client timeout 20 ncat -l -p 5001 --recv-only >"$tmp/tcp.out" 2>/dev/null &
	local l=$!
	sleep 0.5
	in_ns gw timeout 20 ncat --send-only "$NETNS_CLIENT4" 5001 <"$tmp/tcp.in" || {
		wait "$l" || true
		echo "connect or send failed"
		return 1
	}
	wait "$l" || true
	echo "sent $(stat -c %s "$tmp/tcp.in") bytes, received $(stat -c %s "$tmp/tcp.out")"
	cmp -s "$tmp/tcp.in" "$tmp/tcp.out"
}
check "TCP from the gw kernel through the twin: 200 kB arrive intact" kernel_tcp || true

# IPv4 broadcast (DHCP, and the like) goes to the kernel: a datagram the client sends to
# 255.255.255.255 reaches a listener on the gw kernel.
broadcast_punted() {
	in_ns gw timeout 5 ncat -u -l -p 9999 --recv-only >"$tmp/bcast.out" 2>/dev/null &
	local l=$!
	sleep 0.5
	in_ns client "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.sendto(b"mpgw-broadcast\n", ("255.255.255.255", 9999))'
	wait "$l" || true
	echo "the gw kernel received: $(head -c 40 "$tmp/bcast.out")"
	grep -q mpgw-broadcast "$tmp/bcast.out"
}
check "a broadcast from the client to 255.255.255.255 reaches the gw kernel" broadcast_punted ||
	true

# mpgwctl twins and the data path's counters account for the exception path.
twins_counted() {
	local j to from punted sent
	j=$(ctl --json twins)
	to=$(json_get "$j" tlan0 to_kernel)
	from=$(json_get "$j" tlan0 from_kernel)
	punted=$(json_get "$(ctl --json counters)" punted)
	sent=$(json_get "$(ctl --json counters)" twin_sent)
	echo "tlan0: to kernel $to, from kernel $from; counters: punted $((punted - punted0)), twin_sent $sent"
	[ "${to:-0}" -ge 10 ] && [ "${from:-0}" -ge 10 ] && [ "$((punted - punted0))" -ge 10 ] &&
		[ "${sent:-0}" -ge "${from:-0}" ]
}
check "mpgwctl twins and the counters count the frames each way" twins_counted || true

# The kernel's count of frames it dropped at tlan0's own queue (its tx_dropped), and what
# it sent through it (tx_packets: the frames mpgw read).
kernel_tx() {
	in_ns gw ip -j -s link show tlan0 | "$PY" -c '
import json, sys
t = json.load(sys.stdin)[0]["stats64"]["tx"]
print(t["packets"], t["dropped"])'
}
# With mpgw stopped (SIGSTOP), the gw kernel sends more datagrams out of tlan0 than the
# TAP's queue holds, and drops the rest there. Once mpgw runs again, every datagram is
# accounted for in its counters: read (from_kernel), or dropped at the queue
# (from_kernel_queue_drops, the kernel's own count).
queue_drops_counted() {
	local j from0 q0 k_tx0 k_drop0 from q k_tx k_drop n=3000 end=$((SECONDS + 10))
	in_ns gw ping -c 1 -W 2 -I tlan0 "$NETNS_CLIENT4" >/dev/null || true
	j=$(ctl --json twins)
	from0=$(json_get "$j" tlan0 from_kernel)
	q0=$(json_get "$j" tlan0 from_kernel_queue_drops)
	read -r k_tx0 k_drop0 <<<"$(kernel_tx)"
	kill -STOP "$NETNS_MPGW_PID"
	in_ns gw "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"q" * 64, (sys.argv[1], 9))' "$NETNS_CLIENT4" "$n"
	kill -CONT "$NETNS_MPGW_PID"
	while [ "$SECONDS" -lt "$end" ]; do
		j=$(ctl --json twins)
		from=$(json_get "$j" tlan0 from_kernel)
		q=$(json_get "$j" tlan0 from_kernel_queue_drops)
		read -r k_tx k_drop <<<"$(kernel_tx)"
		[ "${q:-0}" = "$k_drop" ] && [ "$((k_drop - k_drop0))" -gt 0 ] &&
			[ "$((from - from0))" = "$((k_tx - k_tx0))" ] && break
		sleep 0.2
	done
	echo "$n datagrams sent with mpgw stopped: read by mpgw $((from - from0))" \
		"(the kernel sent $((k_tx - k_tx0))), dropped at the TAP's queue: mpgw" \
		"$((q - q0)), the kernel $((k_drop - k_drop0))"
	[ "${q:-0}" = "$k_drop" ] && [ "$((k_drop - k_drop0))" -gt 0 ] &&
		[ "$((from - from0))" = "$((k_tx - k_tx0))" ] &&
		[ "$((from - from0 + q - q0))" -ge "$n" ] && [ "$((from - from0 + q - q0))" -le "$((n + 20))" ]
}
check "a stalled twin: what the kernel drops at its queue is counted (from_kernel_queue_drops)" \
	queue_drops_counted || true
ctl twins | sed 's/^/    /'

# neighbour_of JSON ADDRESS PORT: "MAC SOURCE" of that entry of /mpgw/neighbours.
neighbour_of() {
	"$PY" -c '
import json, sys
for n in json.loads(sys.argv[1]).values():
    if isinstance(n, dict) and n.get("address") == sys.argv[2] and n.get("port") == sys.argv[3]:
        print(str(n.get("mac")).lower(), n.get("source"))' "$@"
}
# The kernel resolved the client over tlan0 too (above); the configured entry wins, once.
config_wins() {
	local j
	j=$(ctl --json neighbours) || return 1
	echo "mpgwctl neighbours: $NETNS_CLIENT4 on tlan0: $(neighbour_of "$j" "$NETNS_CLIENT4" tlan0 | tr '\n' ';') count $(json_get "$j" count)"
	[ "$(neighbour_of "$j" "$NETNS_CLIENT4" tlan0)" = "$NETNS_CLIENT_MAC config" ]
}
check "mpgwctl neighbours: the configured neighbour wins over the kernel's, listed once" \
	config_wins || true

stop_mpgw_checked mpgw
check "the twins are gone with mpgw" sh -c "! ip netns exec $PREFIX-gw ip link show tlan0 2>/dev/null" ||
	true

# --- the output stage of the kernel's frames, on a gateway's uplink ------------------------

cat >"$tmp/gateway.ini" <<CONF
[mpgw]
role = gateway
twins = yes
idle_sleep_us = 100
[port tlan0]
device = net_af_packet0
address = $NETNS_GW_LAN4/24
address = $NETNS_GW_LAN6/64
[port twan0]
device = net_af_packet1
uplink = yes
address = $NETNS_GW_WAN4/24
gateway = $NETNS_SERVER4
mss_clamp = 1200
[vps]
# nobody: only the kernel's own traffic matters here
address = $NETNS_REMOTE4
[uplinks]
probe_interval_ms = 0
[neighbours]
neighbour = $NETNS_SERVER4 $NETNS_SERVER_MAC
CONF
netns_mpgw_start "$PREFIX" "$MPGW" "$tmp/gateway.ini" "$log"
if ! netns_mpgw_wait_ready "$PREFIX" "$MPGWCTL" 30; then
	not_ok "mpgw started as a gateway with twins"
	show_log
	finish
fi
ok "mpgw started as a gateway with twins, twan0 an uplink with mss_clamp = 1200"
in_ns gw ip addr add "$NETNS_GW_WAN4/24" dev twan0
# 192.0.2.10 only in the kernel, on the uplink's twin: one of the uplink's own addresses
# (the mirror). 192.0.2.9 on lo: foreign to the uplink.
in_ns gw ip addr add 192.0.2.10/32 dev twan0
in_ns gw ip addr add 192.0.2.9/32 dev lo
in_ns server tcpdump -i "$NETNS_SERVER_IF" -n -U --immediate-mode -w "$tmp/server.pcap" ip >/dev/null 2>&1 &
dump=$!
sleep 1

kernel_ping_wan() {
	in_ns gw ping -c 2 -i 0.2 -W 2 -I "$NETNS_GW_WAN4" "$NETNS_SERVER4" | tail -n 2 | head -n 1
}
check "the gw kernel pings the server from the uplink's own address through its twin" \
	kernel_ping_wan || true
# No route back to it at the server: what matters is that it left (the capture below).
in_ns gw ping -c 2 -i 0.2 -W 1 -I 192.0.2.10 "$NETNS_SERVER4" >/dev/null 2>&1 || true

leak0=$(json_get "$(ctl --json drops)" leak_v4)
leak0=${leak0:-0}
in_ns gw ping -c 3 -i 0.2 -W 1 -I 192.0.2.9 "$NETNS_SERVER4" >/dev/null 2>&1 || true
leak1=$(json_get "$(ctl --json drops)" leak_v4)
leak1=${leak1:-0}
leak_counted() {
	echo "leak_v4 $leak0 -> $leak1"
	[ $((leak1 - leak0)) -ge 3 ]
}
check "leak guard: the kernel's packets from a foreign address (192.0.2.9) are kept off the uplink" \
	leak_counted || true

clamped0=$(json_get "$(ctl --json counters)" mss_clamped)
clamped0=${clamped0:-0}
in_ns server timeout 10 ncat -l -p 5002 --recv-only >/dev/null 2>&1 &
listener=$!
sleep 0.5
echo hello | in_ns gw timeout 5 ncat --send-only -s "$NETNS_GW_WAN4" "$NETNS_SERVER4" 5002 || true
wait "$listener" || true
# What a DHCP client sends before it has an address: 0.0.0.0 to 255.255.255.255.
in_ns gw "$PY" -c '
from scapy.all import Ether, IP, UDP, sendp
sendp(Ether(dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") /
      UDP(sport=68, dport=67) / b"mpgw-dhcp", iface="twan0", count=2, verbose=False)'
clamped1=$(json_get "$(ctl --json counters)" mss_clamped)
clamped1=${clamped1:-0}
sleep 1
kill "$dump" 2>/dev/null || true
wait "$dump" 2>/dev/null || true
server_saw() {
	local foreign syn kernel_addr
	foreign=$(tcpdump -nr "$tmp/server.pcap" 'src host 192.0.2.9' 2>/dev/null | wc -l)
	kernel_addr=$(tcpdump -nr "$tmp/server.pcap" 'src host 192.0.2.10' 2>/dev/null | wc -l)
	syn=$(tcpdump -vnr "$tmp/server.pcap" \
		"src host $NETNS_GW_WAN4 and tcp[tcpflags] & tcp-syn != 0" 2>/dev/null |
		grep -o 'mss [0-9]*' | head -n 1)
	echo "at the server: packets from 192.0.2.9: $foreign, from 192.0.2.10: $kernel_addr; the kernel's SYN: ${syn:-none}; mss_clamped $clamped0 -> $clamped1"
	[ "$foreign" -eq 0 ] && [ "$kernel_addr" -ge 2 ] && [ "$syn" = "mss 1200" ] &&
		[ "$clamped1" -gt "$clamped0" ]
}
check "at the server: nothing from the foreign address, the twin's own address's pings, the kernel's SYN clamped to MSS 1200" \
	server_saw || true
dhcp_left() {
	local n
	n=$(tcpdump -nr "$tmp/server.pcap" 'src host 0.0.0.0 and udp dst port 67' 2>/dev/null | wc -l)
	echo "at the server: $n DHCP-style broadcasts from 0.0.0.0"
	[ "$n" -eq 2 ]
}
check "leak guard: a DHCP client's 0.0.0.0 -> 255.255.255.255 leaves the uplink" dhcp_left ||
	true

# A real lease on the uplink's twin: dnsmasq beyond the uplink, busybox's udhcpc on twan0
# without the broadcast flag, so that the server's OFFER and ACK go by unicast to the
# address offered, which is nobody's yet (mpgw hands DHCP replies on an uplink to the twin).
dhcp_lease() {
	if ! command -v dnsmasq >/dev/null || ! command -v udhcpc >/dev/null; then
		echo "dnsmasq or udhcpc missing (scripts/setup-deps.sh installs them)"
		return 1
	fi
	ip netns exec "$PREFIX-server" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
		--interface="$NETNS_SERVER_IF" --bind-interfaces --pid-file= \
		--dhcp-range=10.0.2.100,10.0.2.150,255.255.255.0,1h \
		--dhcp-leasefile="$tmp/dhcp.leases" >"$tmp/dnsmasq.log" 2>&1 &
	local d=$! rc=0
	ip netns exec "$PREFIX-server" tcpdump -i "$NETNS_SERVER_IF" -n -U --immediate-mode \
		-w "$tmp/dhcp.pcap" 'udp src port 67' >/dev/null 2>&1 &
	local cap=$!
	cat >"$tmp/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] && ip addr add "$ip/$mask" dev "$interface" label "$interface"
exit 0
SCRIPT
	chmod +x "$tmp/udhcpc.sh"
	sleep 0.5
	in_ns gw timeout 20 udhcpc -f -q -n -i twan0 -t 5 -T 1 -s "$tmp/udhcpc.sh" >"$tmp/udhcpc.log" 2>&1 ||
		rc=$?
	sleep 0.5
	kill "$d" "$cap" 2>/dev/null || true
	wait "$d" "$cap" 2>/dev/null || true
	local got unicast
	got=$(in_ns gw ip -4 -o addr show dev twan0 | grep -o '10\.0\.2\.1[0-5][0-9]/24' | head -n 1)
	unicast=$(tcpdump -r "$tmp/dhcp.pcap" -n 'not dst host 255.255.255.255' 2>/dev/null | wc -l)
	echo "udhcpc exit $rc; twan0 got ${got:-nothing}; server replies: $(tcpdump -r "$tmp/dhcp.pcap" -n 2>/dev/null | wc -l), $unicast by unicast"
	[ "$rc" -eq 0 ] && [ -n "$got" ] && [ "$unicast" -ge 2 ]
}
check "DHCP on the uplink's twin: a lease by unicast OFFER and ACK, the address on twan0" \
	dhcp_lease || true
in_ns gw ip addr del 192.0.2.9/32 dev lo
stop_mpgw_checked "the gateway"

# A twin that cannot be created stops the start with the port's name and the reason: the
# ports of config/demo.ini are named like the gw namespace's veths.
sed -e 's/^\[mpgw\]/[mpgw]\ntwins = yes/' "$src/config/demo.ini" >"$tmp/clash.ini"
clash() {
	local rc=0
	netns_mpgw_start "$PREFIX" "$MPGW" "$tmp/clash.ini" "$log"
	wait "$NETNS_MPGW_PID" || rc=$?
	NETNS_MPGW_PID=
	grep -m 1 "kernel twin" "$log" || true
	[ "$rc" -ne 0 ] && grep -q "port lan0: kernel twin: cannot create TAP lan0" "$log"
}
check "a twin named like an existing interface: start-up fails, naming the port" clash || true

# --- routes and neighbours from the kernel (netlink mirror) --------------------------------

# No [routes], no [neighbours]: what mpgw forwards with comes from the kernel.
# A small netlink receive buffer: the churn below overruns it (ENOBUFS), and the mirror
# must resynchronise.
sed -e '/^\[routes\]/,$d' -e 's/^twins = yes/twins = yes\nnetlink_rcvbuf = 8192/' \
	"$tmp/twin.ini" >"$tmp/mirror.ini"
netns_mpgw_start "$PREFIX" "$MPGW" "$tmp/mirror.ini" "$log"
if ! netns_mpgw_wait_ready "$PREFIX" "$MPGWCTL" 30; then
	not_ok "mpgw started with twins, no routes and no neighbours configured"
	show_log
	finish
fi
ok "mpgw started with twins, no routes and no neighbours configured"
in_ns gw sysctl -qw net.ipv4.ip_forward=1
in_ns gw ip addr add "$NETNS_GW_LAN4/24" dev tlan0
in_ns gw ip addr add "$NETNS_GW_WAN4/24" dev twan0
mirror() { json_get "$(ctl --json routes)" "$1"; }

# route_mirrored: `ip route add` in the kernel, then the time until the data path's FIB
# version has it.
route_mirrored() {
	local before t0 t1 i b
	# a single change to an idle mirror: wait for the builds of the start to be over
	for ((i = 0; i < 50; i++)); do
		b=$(mirror builds)
		sleep 0.3
		[ "$(mirror builds)" = "$b" ] && break
	done
	before=$(mirror fib_entries4)
	t0=$(date +%s%N)
	in_ns gw ip route add "$NETNS_REMOTE4/32" via "$NETNS_SERVER4" dev twan0
	for ((i = 0; i < 500; i++)); do
		[ "$(mirror fib_entries4)" -gt "$before" ] && break
		sleep 0.002
	done
	t1=$(date +%s%N)
	local sync
	sync=$(mirror last_sync_ms)
	echo "FIB entries $before -> $(mirror fib_entries4): netlink message to data path ${sync} ms; ip route add to mpgwctl seeing it $(((t1 - t0) / 1000000)) ms"
	[ "$(mirror fib_entries4)" -gt "$before" ] && [ "${sync%.*}" -lt 100 ]
}
check "a route added with iproute2 is in the data path's FIB within 100 ms" route_mirrored || true

# The first packets to a neighbour mpgw does not know go through the kernel, which
# resolves it over the twin; then mpgw forwards on its own.
punted_before=$(json_get "$(ctl --json counters)" punted)
first_pings() {
	in_ns client ping -c 5 -i 0.2 -W 2 "$NETNS_REMOTE4" | tail -n 2 | head -n 1
}
check "client -> $NETNS_REMOTE4 by the kernel's route (first packets through the kernel)" \
	first_pings || true
learnt() {
	local n
	n=$(mirror kernel_neighbours)
	echo "kernel neighbours in the mirror: $n; gw kernel: $(in_ns gw ip -4 neigh show | tr '\n' ';')"
	[ "${n:-0}" -ge 2 ]
}
check "the neighbours the kernel resolved over the twins are mirrored" learnt || true
# mpgwctl neighbours: the server, which the kernel resolved over twan0 for the route
# above, with its MAC, from the kernel.
neighbour_listed() {
	local j line
	j=$(ctl --json neighbours) || return 1
	line=$(ctl neighbours | grep -F " twan0 " | grep -F "$NETNS_SERVER4 " || true)
	echo "mpgwctl neighbours: ${line:-no $NETNS_SERVER4 on twan0}; count $(json_get "$j" count), truncated $(json_get "$j" truncated)"
	[ "$(neighbour_of "$j" "$NETNS_SERVER4" twan0)" = "$NETNS_SERVER_MAC kernel" ] &&
		[ "$(json_get "$j" truncated)" = 0 ] &&
		echo "$line" | grep -qi "$NETNS_SERVER_MAC  *twan0  *kernel"
}
check "mpgwctl neighbours: $NETNS_SERVER4 on twan0, its MAC, learnt from the kernel" \
	neighbour_listed || true
ctl neighbours 2>&1 | sed 's/^/    /' || true
fast_path() {
	local p0 p1
	p0=$(json_get "$(ctl --json counters)" punted)
	in_ns client ping -c 20 -i 0.05 -W 2 "$NETNS_REMOTE4" | tail -n 2 | head -n 1
	p1=$(json_get "$(ctl --json counters)" punted)
	echo "punted during 20 pings: $((p1 - p0)) (before: $((p0 - punted_before)))"
	[ $((p1 - p0)) -le 2 ]
}
check "then mpgw forwards on its own: 20 pings, nothing punted" fast_path || true

# Several kernel routes to one prefix: the mirror holds the one the kernel uses (lowest
# metric, the first installed among equals); when it goes (deleted, or dropped silently
# with the address that made its gateway reachable) the next takes its place.
in_ns server ip addr add 198.51.100.77/32 dev lo
# builds_after N: within 3 s, the mirror has published a build after its N-th.
builds_after() {
	local i
	for ((i = 0; i < 60; i++)); do
		[ "$(mirror builds)" -gt "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
# reaches: the client's ping of 198.51.100.77 is answered (a few tries).
reaches() {
	local i
	for ((i = 0; i < 6; i++)); do
		in_ns client ping -c 1 -W 0.5 198.51.100.77 >/dev/null 2>&1 && return 0
	done
	return 1
}
# route_change [-6] CMD...: run `ip route CMD` in the gw kernel, wait for the mirror's
# next build.
route_change() {
	local b fam=-4
	[ "$1" = -6 ] && fam=-6 && shift
	b=$(mirror builds)
	in_ns gw ip "$fam" route "$@"
	builds_after "$b" || echo "no build after: ip $fam route $*"
}
metrics() {
	local n
	route_change add 198.51.100.64/26 via "$NETNS_SERVER4" dev twan0 metric 200
	route_change add 198.51.100.64/26 via 10.0.2.99 dev twan0 metric 100
	n=$(mirror kernel_routes4)
	if in_ns client ping -c 1 -W 1 198.51.100.77 >/dev/null; then
		echo "metric 100 route via 10.0.2.99 (no such host) answered?"
		return 1
	fi
	route_change del 198.51.100.64/26 via 10.0.2.99 dev twan0 metric 100
	if [ "$(mirror kernel_routes4)" != "$n" ] || ! reaches; then
		echo "metric 100 deleted: not through the metric 200 route"
		return 1
	fi
	# a second route of the same metric, appended: the first stays in use
	route_change append 198.51.100.64/26 via 10.0.2.99 dev twan0 metric 200
	reaches || {
		echo "appended route of equal metric took over"
		return 1
	}
	route_change del 198.51.100.64/26 via 10.0.2.99 dev twan0 metric 200
	reaches || {
		echo "deleting the appended route took the prefix away"
		return 1
	}
	echo "metric 100 -> 200 on delete; an appended route of metric 200 neither used nor missed"
}
check "routes of two metrics to one prefix: the lower one is used, the next replaces it when deleted" \
	metrics || true
# kernel_routes: the kernel's IPv4 routes the mirror takes (main table, not its own).
kernel_routes() { in_ns gw ip -4 route show table main | grep -vc 'proto kernel'; }
silent_flush() {
	local r0 b
	route_change add 198.51.100.128/26 via "$NETNS_SERVER4" dev twan0
	r0=$(mirror redumps)
	b=$(mirror builds)
	# The kernel drops every IPv4 route through twan0 with its last address, and says
	# nothing of the routes.
	in_ns gw ip -4 addr flush dev twan0
	builds_after "$b" || true
	echo "after ip addr flush dev twan0: kernel $(kernel_routes) routes, mirror $(mirror kernel_routes4); redumps $r0 -> $(mirror redumps)"
	[ "$(mirror redumps)" -gt "$r0" ] && [ "$(mirror kernel_routes4)" = "$(kernel_routes)" ]
}
check "the kernel drops routes silently (a twin's last address flushed): the mirror follows" \
	silent_flush || true
in_ns gw ip addr add "$NETNS_GW_WAN4/24" dev twan0
in_ns gw ip route replace "$NETNS_REMOTE4/32" via "$NETNS_SERVER4" dev twan0
in_ns gw ip route flush 198.51.100.64/26 2>/dev/null || true

# ECMP: a multipath route, weights 1 and 3, over the server and a second host on its link
# (a macvlan with a MAC of its own). mpgw has the kernel resolve both next hops, then
# spreads flows over them by hash: 64 UDP flows, about three quarters to the second.
in_ns server ip link add link eth0 name mv0 address 02:00:00:00:02:03 type macvlan
# each address answered for by its own interface (MAC) only
in_ns server sysctl -qw net.ipv4.conf.all.arp_ignore=1
in_ns server ip addr add 10.0.2.3/24 dev mv0
in_ns server ip link set mv0 up
in_ns server ip addr add 198.51.100.200/32 dev lo
in_ns gw ip route add 198.51.100.192/26 nexthop via "$NETNS_SERVER4" dev twan0 weight 1 \
	nexthop via 10.0.2.3 dev twan0 weight 3
# flows_by_mac NAME DST: 64 UDP flows from the client to DST, captured at the server;
# prints how many went to the server's MAC and how many to mv0's.
flows_by_mac() {
	in_ns server tcpdump -i eth0 -n -e -U --immediate-mode -w "$tmp/$1.pcap" \
		'udp dst port 9' >/dev/null 2>&1 &
	local dump=$!
	sleep 1
	in_ns client "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
for p in range(64):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 40000 + p))
    s.sendto(b"ecmp", (sys.argv[1], 9))
    s.close()' "$2"
	sleep 1
	kill "$dump" 2>/dev/null || true
	wait "$dump" 2>/dev/null || true
	echo "$(tcpdump -r "$tmp/$1.pcap" -n -e 2>/dev/null | grep -c "> $NETNS_SERVER_MAC" || true)" \
		"$(tcpdump -r "$tmp/$1.pcap" -n -e 2>/dev/null | grep -c '> 02:00:00:00:02:03' || true)"
}
# resolved_all ADDR...: within 5 s, mpgw has the MACs of ADDR... from the kernel.
resolved_all() {
	local i j a missing
	for ((i = 0; i < 50; i++)); do
		j=$(ctl --json neighbours)
		missing=0
		for a in "$@"; do
			echo "$j" | grep -q "\"$a\"" || missing=1
		done
		[ "$missing" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
ecmp_spread() {
	local a b
	resolved_all 10.0.2.3 "$NETNS_SERVER4" || echo "next hops not resolved"
	read -r a b < <(flows_by_mac ecmp 198.51.100.200)
	echo "64 flows: $a to $NETNS_SERVER4 (weight 1), $b to 10.0.2.3 (weight 3)"
	[ $((a + b)) -eq 64 ] && [ "$a" -ge 4 ] && [ "$b" -ge 32 ] && [ "$b" -le 60 ]
}
check "ECMP route of the kernel (weights 1:3): flows spread over both next hops by weight" \
	ecmp_spread || true
in_ns gw ip route del 198.51.100.192/26

# IPv6 keeps the routes of one metric as one group of siblings: an appended route is
# announced as the whole group (RTA_MULTIPATH), a sibling's deletion alone, the rest of the
# group not at all (mpgw then reads the routes again).
in_ns gw sysctl -qw net.ipv6.conf.twan0.disable_ipv6=0 net.ipv6.conf.twan0.accept_dad=0
in_ns gw ip -6 addr add "$NETNS_GW_WAN6/64" dev twan0 nodad
in_ns server ip -6 addr add fd00:2::3/64 dev mv0 nodad
in_ns server ip -6 addr add 2001:db8:77::1/128 dev lo
ecmp6() {
	local a b c d
	route_change -6 add 2001:db8:77::/48 via "$NETNS_SERVER6" dev twan0
	route_change -6 append 2001:db8:77::/48 via fd00:2::3 dev twan0
	resolved_all fd00:2::3 "$NETNS_SERVER6" || echo "next hops not resolved"
	read -r a b < <(flows_by_mac ecmp6a 2001:db8:77::1)
	route_change -6 del 2001:db8:77::/48 via "$NETNS_SERVER6" dev twan0
	read -r c d < <(flows_by_mac ecmp6b 2001:db8:77::1)
	echo "appended: $a flows to $NETNS_SERVER6, $b to fd00:2::3; after deleting the first: $c and $d;" \
		"mirror routes6 $(mirror kernel_routes6), redumps $(mirror redumps)"
	[ $((a + b)) -eq 64 ] && [ "$a" -ge 8 ] && [ "$b" -ge 8 ] && [ "$c" -eq 0 ] && [ "$d" -eq 64 ]
}
check "IPv6 siblings: an appended route makes a group (flows over both), deleting one leaves the other" \
	ecmp6 || true
in_ns gw ip -6 route flush 2001:db8:77::/48 2>/dev/null || true

# Addresses from the kernel: one added on a twin is the port's own within a second (mpgw
# answers echo requests to it: echo_replied, not the kernel), and is no longer once deleted.
# answered ADDR: the client's ping of ADDR is answered, by mpgw.
answered() {
	local fam=4 e0 e1
	case $1 in *:*) fam=6 ;; esac
	e0=$(json_get "$(ctl --json counters)" echo_replied)
	in_ns client ping "-$fam" -c 1 -W 0.3 "$1" >/dev/null 2>&1 || return 1
	e1=$(json_get "$(ctl --json counters)" echo_replied)
	[ "${e1:-0}" -gt "${e0:-0}" ]
}
# kernel_addr ADDR/LEN: `ip addr add` it on tlan0, then `ip addr del`.
kernel_addr() {
	local a=${1%/*} t0 t1 i a4 n4 ok=0 gone=0 fam=4 flags=()
	case $a in *:*) fam=6 flags=(nodad) ;; esac
	a4=$(mirror "kernel_addrs$fam")
	t0=$(date +%s%N)
	in_ns gw ip addr add "$1" dev tlan0 "${flags[@]}"
	for ((i = 0; i < 10; i++)); do
		answered "$a" && { ok=1; break; }
	done
	t1=$(date +%s%N)
	n4=$(mirror "kernel_addrs$fam")
	in_ns gw ip addr del "$1" dev tlan0
	sleep 0.1
	for ((i = 0; i < 5; i++)); do
		answered "$a" || { gone=1; break; }
	done
	echo "ip addr add $1 dev tlan0: answered by mpgw: $ok, after $(((t1 - t0) / 1000000)) ms; kernel_addrs$fam $a4 -> $n4 -> $(mirror "kernel_addrs$fam"); after ip addr del: not answered: $gone"
	[ "$ok" = 1 ] && [ $(((t1 - t0) / 1000000)) -le 1000 ] && [ "$n4" -eq $((a4 + 1)) ] &&
		[ "$gone" = 1 ] && [ "$(mirror "kernel_addrs$fam")" -eq "$a4" ]
}
in_ns gw sysctl -qw net.ipv6.conf.tlan0.disable_ipv6=0 net.ipv6.conf.tlan0.accept_dad=0
check "an address added on a twin (10.0.1.50) is mpgw's within a second, and no longer once deleted" \
	kernel_addr 10.0.1.50/24 || true
check "the same for IPv6 (fd00:1::50)" kernel_addr fd00:1::50/64 || true

# Churn: thousands of routes added and deleted with ip -batch while a ping runs.
churn() {
	local n=2000 i
	for ((i = 0; i < n; i++)); do
		echo "route add 10.$((100 + i / 250)).$((i % 250)).0/24 via $NETNS_SERVER4 dev twan0"
	done >"$tmp/add.batch"
	sed 's/^route add/route del/' "$tmp/add.batch" >"$tmp/del.batch"
	in_ns client ping -c 60 -i 0.05 -W 2 "$NETNS_REMOTE4" >"$tmp/churn.ping" 2>&1 &
	local pinger=$!
	in_ns gw ip -batch "$tmp/add.batch"
	sleep 0.5
	local mid kernel fib0 fib1
	fib0=$(mirror fib_entries4)
	mid=$(mirror kernel_routes4)
	kernel=$(in_ns gw ip -4 route show proto boot dev twan0 | wc -l)
	fib1=$(mirror fib_entries4)
	in_ns gw ip -batch "$tmp/del.batch"
	wait "$pinger" || true
	sleep 0.2
	echo "after adding $n: mirror $mid, kernel $kernel, FIB entries $fib0; after deleting: mirror $(mirror kernel_routes4), kernel $(in_ns gw ip -4 route show proto boot dev twan0 | wc -l); $(grep -o '[0-9]* received, [0-9.]*% packet loss' "$tmp/churn.ping")"
	[ "$mid" -eq "$kernel" ] && [ "$(mirror kernel_routes4)" -eq 1 ] && [ "$fib0" -eq "$fib1" ] &&
		[ "$fib0" -ge "$n" ] &&
		grep -q " 0% packet loss" "$tmp/churn.ping"
}
check "route churn (2000 added, then deleted, with ip -batch): the mirror follows, no ping lost" \
	churn || true
overrun() {
	echo "resyncs $(mirror resyncs), builds $(mirror builds), build errors $(mirror build_errors)"
	[ "$(mirror resyncs)" -ge 1 ] && [ "$(mirror build_errors)" -eq 0 ]
}
check "the churn overran the 8 KiB netlink buffer and the mirror resynchronised (above)" \
	overrun || true
ctl routes | sed 's/^/    /'
stop_mpgw_checked "mpgw (mirror)"
finish
