#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# See mpgw work: install what it needs, build it, and forward real traffic through it.
#
#   scripts/demo.sh            (as root, or as a user with sudo)
#
# It builds three network namespaces (scripts/lib/netns.sh):
#
#   mpgwdemo-client --veth-- mpgwdemo-gw (mpgw on lan0, wan0) --veth-- mpgwdemo-server
#
# starts mpgw in the middle one with config/demo.ini, sends ping, TCP and UDP from the
# client to the server through it, shows mpgw's counters, stops it and removes everything.
# Idempotent: a leftover topology from an interrupted run is removed first. Exits non-zero
# if traffic did not flow.
# Functions run through step() and the traps:
# shellcheck disable=SC2317
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$src/build
MPGW=${MPGW:-$build/app/mpgw/mpgw}
MPGWCTL=${MPGWCTL:-$build/app/mpgwctl/mpgwctl}
CONFIG=$src/config/demo.ini
PREFIX=mpgwdemo
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

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
netns_check_tools

netns_session_begin "$PREFIX"

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

# --- topology and mpgw ---------------------------------------------------------------------

say "Creating the namespaces $PREFIX-client, $PREFIX-gw, $PREFIX-server"
netns_create "$PREFIX"
echo "  client eth0 $NETNS_CLIENT4 $NETNS_CLIENT6 -> gateway $NETNS_GW_LAN4 $NETNS_GW_LAN6"
echo "  server eth0 $NETNS_SERVER4 $NETNS_SERVER6 (lo $NETNS_REMOTE4 $NETNS_REMOTE6)"
echo "  mpgw will own lan0 ($NETNS_GW_LAN_MAC) and wan0 ($NETNS_GW_WAN_MAC) in $PREFIX-gw"

say "Starting mpgw with config/demo.ini"
netns_mpgw_start "$PREFIX" "$MPGW" "$CONFIG" "$log"
if ! netns_mpgw_wait_ready "$PREFIX" "$MPGWCTL" 30; then
	echo "demo: mpgw did not come up; its output:" >&2
	cat "$log" >&2
	exit 1
fi
grep '^mpgw:' "$log" | sed 's/^/    /'

# --- traffic -------------------------------------------------------------------------------

say "ping: client -> server through mpgw"
step "IPv4 ping to $NETNS_SERVER4" netns_ping "$PREFIX" 4 "$NETNS_SERVER4" 3
step "IPv6 ping to $NETNS_SERVER6" netns_ping "$PREFIX" 6 "$NETNS_SERVER6" 3
step "IPv4 ping to $NETNS_REMOTE4 (route 198.51.100.0/24 via $NETNS_SERVER4)" \
	netns_ping "$PREFIX" 4 "$NETNS_REMOTE4" 3
step "IPv6 ping to $NETNS_REMOTE6 (route 2001:db8:100::/48 via $NETNS_SERVER6)" \
	netns_ping "$PREFIX" 6 "$NETNS_REMOTE6" 3

say "TCP: 1 MB each way over one connection (ncat), checked with sha256"
head -c 1000000 /dev/urandom >"$tmp/up"
head -c 1000000 /dev/urandom >"$tmp/down"
step "TCP over IPv4" netns_tcp_exchange "$PREFIX" 4 "$NETNS_SERVER4" 5001 "$tmp/up" \
	"$tmp/down" "$tmp"
step "TCP over IPv6" netns_tcp_exchange "$PREFIX" 6 "$NETNS_SERVER6" 5002 "$tmp/up" \
	"$tmp/down" "$tmp"

# A plain-socket UDP burst: the server counts what arrives until 2 s pass without any.
udp_burst() {
	local fam=$1 dest=$2 port=$3 n=$4 spid got
	netns_exec "$PREFIX" server timeout 30 "$PY" -c '
import socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
s.bind((sys.argv[2], int(sys.argv[3])))
s.settimeout(10)
n = 0
try:
    while True:
        s.recv(2048)
        n += 1
        s.settimeout(2)
except socket.timeout:
    pass
print(n)' "$fam" "$dest" "$port" >"$tmp/udp.count" &
	spid=$!
	sleep 0.5
	netns_exec "$PREFIX" client timeout 30 "$PY" -c '
import socket, sys, time
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
payload = bytes(512)
for i in range(int(sys.argv[4])):
    s.sendto(payload, (sys.argv[2], int(sys.argv[3])))
    if i % 32 == 31:
        time.sleep(0.002)' "$fam" "$dest" "$port" "$n"
	wait "$spid" || true
	got=$(cat "$tmp/udp.count")
	echo "$n datagrams of 512 bytes sent, ${got:-0} received"
	# Best effort by nature: call it flowing if nearly all arrived.
	[ "${got:-0}" -ge $((n * 9 / 10)) ]
}
say "UDP: bursts of 2000 datagrams from client to server (plain sockets)"
step "UDP over IPv4" udp_burst 4 "$NETNS_SERVER4" 5003 2000
step "UDP over IPv6" udp_burst 6 "$NETNS_SERVER6" 5004 2000

say "No route: mpgw drops what it cannot route, and counts it"
nr() {
	local out
	out=$(netns_exec "$PREFIX" client timeout 10 ping -n -c 2 -i 0.2 -W 1 "$1" 2>&1) || true
	echo "$out" | grep 'packets transmitted' || true
	echo "$out" | grep -q ', 0 received'
}
step "ping $NETNS_UNROUTED4 gets no answer" nr "$NETNS_UNROUTED4"

# --- what mpgw saw -------------------------------------------------------------------------

say "mpgwctl --file-prefix $PREFIX ports"
"$MPGWCTL" --file-prefix "$PREFIX" ports
say "mpgwctl --file-prefix $PREFIX drops"
"$MPGWCTL" --file-prefix "$PREFIX" drops

say "Stopping mpgw (SIGTERM)"
rc=0
netns_mpgw_stop 15 || rc=$?
sed -n '/stopping$/,$p' "$log" | sed 's/^/    /'
if [ "$rc" -ne 0 ]; then
	failures+=("mpgw exit status $rc")
fi

cat <<EOF

What you just saw:
  - mpgw is a user-space router: the kernel in $PREFIX-gw has no address and no route; mpgw
    read every frame from lan0 and wan0 through DPDK's af_packet driver, looked the
    destination up in its own table (config/demo.ini: the two connected subnets and two
    static routes), rewrote the Ethernet header, decremented the TTL / hop limit and
    sent the frame out of the other port.
  - The ports table counts frames per port: RX on lan0 is what the client sent, TX on
    wan0 is what mpgw forwarded to the server, and the other way round for the replies.
  - The drops table gives every packet mpgw did not forward a reason: no_route for
    $NETNS_UNROUTED4, multicast for the IPv6 chatter of the hosts' kernels.
  - mpgw has no ARP/ND yet, so client and server got permanent neighbour entries for it,
    and it got static ones for them ([neighbours] in config/demo.ini).
Try it yourself: run mpgw the same way (see netns_mpgw_start in scripts/lib/netns.sh) and
query it with "mpgwctl --file-prefix $PREFIX ports", "drops", or "--json ports".
EOF

if [ ${#failures[@]} -ne 0 ]; then
	printf '\ndemo: FAILED: %s\n' "${failures[@]}" >&2
	exit 1
fi
printf '\ndemo: traffic flowed through mpgw over IPv4 and IPv6.\n'
