# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# The variables are for the scripts that source this file:
# shellcheck disable=SC2034
#
# Shared network-namespace topology for the live test (tests/integration/live.sh) and the
# demo (scripts/demo.sh). Source it; it defines variables and functions and runs nothing.
#
#   PREFIX-client                 PREFIX-gw (mpgw)                 PREFIX-server
#   eth0 10.0.1.2/24  <--veth-->  lan0 | mpgw | wan0  <--veth-->  eth0 10.0.2.2/24
#        fd00:1::2/64                                                  fd00:2::2/64
#                                                                 lo   198.51.100.1/32
#                                                                      2001:db8:100::1/128
#
# mpgw owns lan0 and wan0 through net_af_packet (a raw socket on each interface): the gw
# namespace's kernel has no address on them and IPv6 disabled, so it neither answers nor
# emits anything there. mpgw answers neither ARP nor ND yet, so the client and server get
# permanent neighbour entries for their gateway, and mpgw gets static ones from its config.
#
# The MAC addresses and IP addresses here are the ones config/demo.ini uses: change both
# together.

NETNS_CLIENT_MAC=02:00:00:00:01:02
NETNS_GW_LAN_MAC=02:00:00:00:01:01
NETNS_GW_WAN_MAC=02:00:00:00:02:01
NETNS_SERVER_MAC=02:00:00:00:02:02

NETNS_CLIENT4=10.0.1.2
NETNS_CLIENT6=fd00:1::2
NETNS_GW_LAN4=10.0.1.1
NETNS_GW_LAN6=fd00:1::1
NETNS_GW_WAN4=10.0.2.1
NETNS_GW_WAN6=fd00:2::1
NETNS_SERVER4=10.0.2.2
NETNS_SERVER6=fd00:2::2
# On the server's loopback, reached through mpgw's [routes] entries (not connected).
NETNS_REMOTE4=198.51.100.1
NETNS_REMOTE6=2001:db8:100::1
# Documentation prefixes mpgw has no route for (the client's default route sends them to it).
NETNS_UNROUTED4=203.0.113.1
NETNS_UNROUTED6=2001:db8:ffff::1

# Interface names inside the namespaces. The mpgw vdev arguments refer to the gw ones.
NETNS_CLIENT_IF=eth0
NETNS_SERVER_IF=eth0
NETNS_GW_LAN_IF=lan0
NETNS_GW_WAN_IF=wan0

# Tools the topology and the traffic helpers need; prints the missing ones and returns 1 if
# any is.
netns_check_tools() {
	local t missing=()
	for t in ip ethtool sysctl ping ncat ss timeout sha256sum; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	if [ ${#missing[@]} -ne 0 ]; then
		echo "missing tools: ${missing[*]} (scripts/setup-deps.sh installs them)" >&2
		return 1
	fi
}

# netns_exec PREFIX ROLE CMD...: run CMD in PREFIX-ROLE (ROLE: client, gw, server).
netns_exec() {
	local prefix=$1 role=$2
	shift 2
	ip netns exec "$prefix-$role" "$@"
}

# netns_vdev_args PREFIX: the EAL --vdev arguments for mpgw's two ports, one per line
# (net_af_packet0 on lan0, net_af_packet1 on wan0, as config/demo.ini names them).
netns_vdev_args() {
	printf '%s\n' --vdev "net_af_packet0,iface=$NETNS_GW_LAN_IF" \
		--vdev "net_af_packet1,iface=$NETNS_GW_WAN_IF"
}

# Turn off the offloads that would hand mpgw packets a kernel on the far side rejects or
# that mpgw cannot handle: veth transmits TCP/UDP with a partial checksum (completed by
# "hardware" that never runs, since mpgw reads the frame from a raw socket), and TSO/GSO/GRO
# would pass mpgw 64 KB super-frames. RX checksum offload off makes the receiving kernel
# verify every checksum mpgw forwarded rather than trust the veth.
_netns_offloads_off() {
	local ns=$1 ifname=$2
	ip netns exec "$ns" ethtool -K "$ifname" tx off rx off tso off gso off gro off \
		>/dev/null 2>&1 || true
	# The ones that matter must really be off.
	local f
	for f in tx-checksumming generic-segmentation-offload generic-receive-offload; do
		if ip netns exec "$ns" ethtool -k "$ifname" 2>/dev/null | grep -q "^$f: on"; then
			echo "netns: cannot turn $f off on $ns/$ifname" >&2
			return 1
		fi
	done
}

# netns_create PREFIX: build the three namespaces and the two veth pairs, with addresses,
# fixed MACs, routes and offloads set. Removes a previous topology of the same PREFIX first.
netns_create() {
	local p=$1
	netns_teardown "$p"
	ip netns add "$p-client"
	ip netns add "$p-gw"
	ip netns add "$p-server"

	# gw: no IPv6 on any interface, so the kernel sends no RS/MLD/ND on mpgw's links.
	ip netns exec "$p-gw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	# client and server: addresses usable at once (no DAD), no router solicitations.
	local ns
	for ns in "$p-client" "$p-server"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.default.accept_ra=0
	done

	ip link add "$NETNS_CLIENT_IF" netns "$p-client" address "$NETNS_CLIENT_MAC" type veth \
		peer name "$NETNS_GW_LAN_IF" netns "$p-gw" address "$NETNS_GW_LAN_MAC"
	ip link add "$NETNS_SERVER_IF" netns "$p-server" address "$NETNS_SERVER_MAC" type veth \
		peer name "$NETNS_GW_WAN_IF" netns "$p-gw" address "$NETNS_GW_WAN_MAC"

	_netns_offloads_off "$p-client" "$NETNS_CLIENT_IF"
	_netns_offloads_off "$p-server" "$NETNS_SERVER_IF"
	_netns_offloads_off "$p-gw" "$NETNS_GW_LAN_IF"
	_netns_offloads_off "$p-gw" "$NETNS_GW_WAN_IF"

	ip -n "$p-gw" link set lo up
	ip -n "$p-gw" link set "$NETNS_GW_LAN_IF" up
	ip -n "$p-gw" link set "$NETNS_GW_WAN_IF" up

	ip -n "$p-client" link set lo up
	ip -n "$p-client" addr add "$NETNS_CLIENT4/24" dev "$NETNS_CLIENT_IF"
	ip -n "$p-client" addr add "$NETNS_CLIENT6/64" dev "$NETNS_CLIENT_IF" nodad
	ip -n "$p-client" link set "$NETNS_CLIENT_IF" up
	ip -n "$p-client" route add default via "$NETNS_GW_LAN4" dev "$NETNS_CLIENT_IF"
	ip -n "$p-client" -6 route add default via "$NETNS_GW_LAN6" dev "$NETNS_CLIENT_IF"

	ip -n "$p-server" link set lo up
	ip -n "$p-server" addr add "$NETNS_REMOTE4/32" dev lo
	ip -n "$p-server" addr add "$NETNS_REMOTE6/128" dev lo nodad
	ip -n "$p-server" addr add "$NETNS_SERVER4/24" dev "$NETNS_SERVER_IF"
	ip -n "$p-server" addr add "$NETNS_SERVER6/64" dev "$NETNS_SERVER_IF" nodad
	ip -n "$p-server" link set "$NETNS_SERVER_IF" up
	ip -n "$p-server" route add default via "$NETNS_GW_WAN4" dev "$NETNS_SERVER_IF"
	ip -n "$p-server" -6 route add default via "$NETNS_GW_WAN6" dev "$NETNS_SERVER_IF"

	netns_set_neighbours "$p"
}

# netns_set_neighbours PREFIX: permanent neighbour entries for the gateway addresses, since
# mpgw answers neither ARP nor ND.
netns_set_neighbours() {
	local p=$1
	ip -n "$p-client" neigh replace "$NETNS_GW_LAN4" lladdr "$NETNS_GW_LAN_MAC" \
		dev "$NETNS_CLIENT_IF" nud permanent
	ip -n "$p-client" -6 neigh replace "$NETNS_GW_LAN6" lladdr "$NETNS_GW_LAN_MAC" \
		dev "$NETNS_CLIENT_IF" nud permanent
	ip -n "$p-server" neigh replace "$NETNS_GW_WAN4" lladdr "$NETNS_GW_WAN_MAC" \
		dev "$NETNS_SERVER_IF" nud permanent
	ip -n "$p-server" -6 neigh replace "$NETNS_GW_WAN6" lladdr "$NETNS_GW_WAN_MAC" \
		dev "$NETNS_SERVER_IF" nud permanent
}

# netns_teardown PREFIX [ROLES]: end whatever still runs in the PREFIX-ROLE namespaces
# (ROLES: "client gw server" unless given; SIGTERM, then SIGKILL after 5 s) and delete
# them; the veths go with them. Then remove the DPDK runtime directories mpgw left
# (/var/run/dpdk/PREFIX and PREFIX-*: --file-prefix). Safe to call when nothing exists,
# and more than once.
netns_teardown() {
	local p=$1 roles=${2:-client gw server} role ns pids i
	for role in $roles; do
		ns="$p-$role"
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		if [ -n "$pids" ]; then
			# shellcheck disable=SC2086
			kill -TERM $pids 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				pids=$(ip netns pids "$ns" 2>/dev/null || true)
				[ -z "$pids" ] && break
				sleep 0.1
			done
			if [ -n "$pids" ]; then
				# shellcheck disable=SC2086
				kill -KILL $pids 2>/dev/null || true
			fi
		fi
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "/var/run/dpdk/$p" "/var/run/dpdk/$p"-*
}

# ---------------------------------------------------------------------------------------
# mpgw in the gw namespace

# netns_mpgw_start PREFIX MPGW CONFIG LOG [MPGW OPTIONS...]: start mpgw in PREFIX-gw on
# lan0/wan0 with --file-prefix PREFIX, output to LOG. Sets NETNS_MPGW_PID. "ip netns exec"
# execs mpgw, so the PID is mpgw's own and signals reach it.
netns_mpgw_start() {
	local p=$1 mpgw=$2 config=$3 log=$4
	shift 4
	local vdevs
	mapfile -t vdevs < <(netns_vdev_args)
	ip netns exec "$p-gw" "$mpgw" --no-huge -m 512 --no-pci -l 0-1 --file-prefix "$p" \
		"${vdevs[@]}" -- --config "$config" "$@" >"$log" 2>&1 </dev/null &
	NETNS_MPGW_PID=$!
}

# netns_mpgw_wait_ready PREFIX MPGWCTL TIMEOUT_S: wait until "mpgwctl ports" answers.
# Returns 1 if mpgw exited or the time ran out.
netns_mpgw_wait_ready() {
	local p=$1 ctl=$2 timeout=$3 i
	for ((i = 0; i < timeout * 5; i++)); do
		if ! kill -0 "$NETNS_MPGW_PID" 2>/dev/null; then
			return 1
		fi
		if "$ctl" --file-prefix "$p" ports >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# netns_mpgw_stop TIMEOUT_S: SIGTERM mpgw and wait for it; returns its exit status (SIGKILL
# and 124 if it does not stop in time). Clears NETNS_MPGW_PID.
netns_mpgw_stop() {
	local timeout=$1 pid=${NETNS_MPGW_PID:-} i rc=0
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < timeout * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		rc=124
	else
		wait "$pid" 2>/dev/null || rc=$?
	fi
	NETNS_MPGW_PID=
	return "$rc"
}

# ---------------------------------------------------------------------------------------
# Traffic

# netns_ping PREFIX FAMILY(4|6) DEST COUNT: ping from the client, COUNT echo requests 0.2 s
# apart, waiting up to 3 s for each reply. Prints ping's summary line; returns 0 only if
# every request was answered.
netns_ping() {
	local p=$1 fam=$2 dest=$3 count=$4 out
	out=$(timeout $((count + 10)) ip netns exec "$p-client" ping "-$fam" -n -c "$count" \
		-i 0.2 -W 3 "$dest" 2>&1) || true
	echo "$out" | grep 'packets transmitted' || echo "$out" | tail -n 1
	echo "$out" | grep -q "^$count packets transmitted, $count received"
}

# netns_tcp_exchange PREFIX FAMILY DEST PORT TO_SERVER TO_CLIENT DIR: one TCP connection
# from the client to an ncat listening on DEST:PORT in the server namespace; the client
# sends file TO_SERVER, the server sends TO_CLIENT, at the same time. What each side
# received lands in DIR/server.got and DIR/client.got. Returns 0 if both copies are
# byte-identical (sha256) to what was sent; prints why not otherwise.
netns_tcp_exchange() {
	local p=$1 fam=$2 dest=$3 port=$4 up=$5 down=$6 dir=$7
	local spid i rc=0 crc=0
	rm -f "$dir/server.got" "$dir/client.got"
	timeout 60 ip netns exec "$p-server" ncat "-$fam" -l "$dest" "$port" \
		<"$down" >"$dir/server.got" 2>"$dir/server.err" &
	spid=$!
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$p-server" ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	# --no-shutdown: the client's end of input does not end the connection (the server's
	# ncat quits on it, TO_CLIENT maybe not all sent); the server's end does.
	timeout 60 ip netns exec "$p-client" ncat "-$fam" -w 10 --no-shutdown "$dest" "$port" \
		<"$up" >"$dir/client.got" 2>"$dir/client.err" || crc=$?
	wait "$spid" || rc=$?
	if [ "$crc" -ne 0 ] || [ "$rc" -ne 0 ]; then
		echo "ncat exit status: client $crc, server $rc" \
			"($(cat "$dir/client.err" "$dir/server.err" | tr '\n' ' '))"
		return 1
	fi
	local s_up s_down s_got_up s_got_down
	s_up=$(sha256sum <"$up" | cut -d' ' -f1)
	s_down=$(sha256sum <"$down" | cut -d' ' -f1)
	s_got_up=$(sha256sum <"$dir/server.got" | cut -d' ' -f1)
	s_got_down=$(sha256sum <"$dir/client.got" | cut -d' ' -f1)
	if [ "$s_up" != "$s_got_up" ] || [ "$s_down" != "$s_got_down" ]; then
		echo "data differs: client->server $(stat -c %s "$dir/server.got") bytes" \
			"server->client $(stat -c %s "$dir/client.got") bytes"
		return 1
	fi
	echo "$(stat -c %s "$up") bytes each way, sha256 match"
}

# netns_session_begin PREFIX [ROLES]: a scratch directory ($tmp, with $log for mpgw's
# output) and traps that stop mpgw and tear the PREFIX-ROLE namespaces down however the
# calling script ends. Call once, after sourcing this file.
netns_session_begin() {
	local prefix=$1
	NETNS_SESSION_ROLES=${2:-client gw server}
	tmp=$(mktemp -d "/tmp/$prefix.XXXXXX")
	log=$tmp/mpgw.log
	NETNS_MPGW_PID=
	NETNS_SESSION_PREFIX=$prefix
	trap _netns_session_end EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

_netns_session_end() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "${NETNS_MPGW_PID:-}" ]; then
		netns_mpgw_stop 10 || true
	fi
	netns_teardown "$NETNS_SESSION_PREFIX" "$NETNS_SESSION_ROLES"
	rm -rf "$tmp"
	exit "$rc"
}

# netns_twins_only NS IF...: the kernel of namespace NS sees mpgw's ports only through their
# twins, as on a gateway whose NICs DPDK owns. The af_packet veths IF... are kernel
# interfaces too, and a kernel with the ports' addresses would take their traffic (and
# answer ARP) on them directly: drop everything they receive at the netdev ingress hook,
# which runs after af_packet's sockets got it.
netns_twins_only() {
	local ns=$1 i rules=
	shift
	for i in "$@"; do
		rules+="chain in_$i { type filter hook ingress device \"$i\" priority 0; drop; }"$'\n'
	done
	ip netns exec "$ns" nft -f - <<NFT
table netdev mpgw_only {
$rules}
NFT
}
