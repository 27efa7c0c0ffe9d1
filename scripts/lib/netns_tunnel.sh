# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The gateway-and-VPS topology, for config/gateway.ini and config/vps.ini:
#
#   client --lan0-[ mpgw gateway ]-wan0-- isp1 --\
#                                 -wan1-- isp2 ---+-- inet --wan0-[ mpgw vps ]-lan0-- server
#
# client: 10.0.1.2/24 and fd00:1::2/64 (IPv6 is what must never leave a WAN natively).
# isp1, isp2: IPv4-only (CGNAT-style) kernel routers, 100.64.1.1/24 and 100.64.2.1/24 towards
# the gateway's uplinks 100.64.1.2 and 100.64.2.2. inet: a kernel router joining them to the
# VPS's 203.0.113.10/24. server: 198.51.100.7/24 and 2001:db8:9::7/64 behind the VPS.
# mpgw answers neither ARP nor ND, so the kernels get permanent neighbour entries for it.
#
# Source scripts/lib/netns.sh first (for _netns_offloads_off and netns_teardown).

NETNS_TUN_ROLES="client gw isp1 isp2 inet vps server"
NETNS_TUN_CLIENT4=10.0.1.2
NETNS_TUN_CLIENT6=fd00:1::2
NETNS_TUN_SERVER4=198.51.100.7
NETNS_TUN_SERVER6=2001:db8:9::7
NETNS_TUN_VPS4=203.0.113.10

# _tun_link NS1 IF1 MAC1 NS2 IF2 MAC2: a veth pair between two namespaces, offloads off.
_tun_link() {
	ip link add "$2" netns "$1" address "$3" type veth peer name "$5" netns "$4" address "$6"
	_netns_offloads_off "$1" "$2"
	_netns_offloads_off "$4" "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

# netns_tunnel_create PREFIX: the namespaces PREFIX-{client,gw,isp1,isp2,inet,vps,server}.
netns_tunnel_create() {
	local p=$1 r
	netns_teardown "$p" "$NETNS_TUN_ROLES"
	for r in $NETNS_TUN_ROLES; do
		ip netns add "$p-$r"
		ip -n "$p-$r" link set lo up
	done
	# mpgw's namespaces: no kernel IPv6 (no RS/MLD/ND on mpgw's links).
	for r in gw vps; do
		ip netns exec "$p-$r" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	for r in client server isp1 isp2 inet; do
		ip netns exec "$p-$r" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.default.accept_ra=0
	done
	for r in isp1 isp2 inet; do
		ip netns exec "$p-$r" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done

	_tun_link "$p-client" eth0 02:00:00:00:01:02 "$p-gw" lan0 02:00:00:00:01:01
	_tun_link "$p-isp1" eth0 02:00:00:00:0a:02 "$p-gw" wan0 02:00:00:00:0a:01
	_tun_link "$p-isp2" eth0 02:00:00:00:0b:02 "$p-gw" wan1 02:00:00:00:0b:01
	_tun_link "$p-isp1" eth1 02:00:00:00:1a:01 "$p-inet" eth1 02:00:00:00:1a:02
	_tun_link "$p-isp2" eth1 02:00:00:00:1b:01 "$p-inet" eth2 02:00:00:00:1b:02
	_tun_link "$p-inet" eth3 02:00:00:00:0c:02 "$p-vps" wan0 02:00:00:00:0c:01
	_tun_link "$p-server" eth0 02:00:00:00:0d:02 "$p-vps" lan0 02:00:00:00:0d:01

	ip -n "$p-client" addr add "$NETNS_TUN_CLIENT4/24" dev eth0
	ip -n "$p-client" addr add "$NETNS_TUN_CLIENT6/64" dev eth0 nodad
	ip -n "$p-client" route add default via 10.0.1.1
	ip -n "$p-client" -6 route add default via fd00:1::1
	ip -n "$p-client" neigh replace 10.0.1.1 lladdr 02:00:00:00:01:01 dev eth0 nud permanent
	ip -n "$p-client" -6 neigh replace fd00:1::1 lladdr 02:00:00:00:01:01 dev eth0 nud permanent

	ip -n "$p-isp1" addr add 100.64.1.1/24 dev eth0
	ip -n "$p-isp1" addr add 10.255.1.1/30 dev eth1
	ip -n "$p-isp1" route add default via 10.255.1.2
	ip -n "$p-isp1" neigh replace 100.64.1.2 lladdr 02:00:00:00:0a:01 dev eth0 nud permanent
	ip -n "$p-isp2" addr add 100.64.2.1/24 dev eth0
	ip -n "$p-isp2" addr add 10.255.2.1/30 dev eth1
	ip -n "$p-isp2" route add default via 10.255.2.2
	ip -n "$p-isp2" neigh replace 100.64.2.2 lladdr 02:00:00:00:0b:01 dev eth0 nud permanent

	ip -n "$p-inet" addr add 10.255.1.2/30 dev eth1
	ip -n "$p-inet" addr add 10.255.2.2/30 dev eth2
	ip -n "$p-inet" addr add 203.0.113.1/24 dev eth3
	ip -n "$p-inet" route add 100.64.1.0/24 via 10.255.1.1
	ip -n "$p-inet" route add 100.64.2.0/24 via 10.255.2.1
	ip -n "$p-inet" neigh replace "$NETNS_TUN_VPS4" lladdr 02:00:00:00:0c:01 dev eth3 nud permanent

	ip -n "$p-server" addr add "$NETNS_TUN_SERVER4/24" dev eth0
	ip -n "$p-server" addr add "$NETNS_TUN_SERVER6/64" dev eth0 nodad
	ip -n "$p-server" route add default via 198.51.100.1
	ip -n "$p-server" -6 route add default via 2001:db8:9::1
	ip -n "$p-server" neigh replace 198.51.100.1 lladdr 02:00:00:00:0d:01 dev eth0 nud permanent
	ip -n "$p-server" -6 neigh replace 2001:db8:9::1 lladdr 02:00:00:00:0d:01 dev eth0 \
		nud permanent
}

# netns_tunnel_start_mpgw PREFIX ROLE MPGW CONFIG LOG [OPTIONS...]: mpgw in PREFIX-ROLE
# (gw or vps) with file prefix PREFIX-ROLE, in the background of the calling shell (so that
# it can wait for it); sets NETNS_TUN_PID. The af_packet devices follow config/gateway.ini
# and config/vps.ini.
netns_tunnel_start_mpgw() {
	local p=$1 role=$2 mpgw=$3 config=$4 log=$5
	shift 5
	local vdevs=() ifaces=(wan0 lan0) i
	[ "$role" = gw ] && ifaces=(lan0 wan0 wan1)
	for i in "${!ifaces[@]}"; do
		vdevs+=(--vdev "net_af_packet$i,iface=${ifaces[$i]}")
	done
	ip netns exec "$p-$role" "$mpgw" --no-huge -m 512 --no-pci -l 0-1 --file-prefix "$p-$role" \
		"${vdevs[@]}" -- --config "$config" "$@" >"$log" 2>&1 </dev/null &
	# shellcheck disable=SC2034 # for the caller
	NETNS_TUN_PID=$!
}

# netns_uplink_cut NS: 100 % loss both ways on the link of ISP namespace NS to the gateway
# (its eth0), with nftables netdev hooks: the link stays up, as when an ISP fails upstream.
# netns_uplink_restore NS ends it.
netns_uplink_cut() {
	ip netns exec "$1" nft -f - <<'NFT'
table netdev cut {
	chain in { type filter hook ingress device "eth0" priority 0; policy drop; }
	chain out { type filter hook egress device "eth0" priority 0; policy drop; }
}
NFT
}
netns_uplink_restore() { ip netns exec "$1" nft delete table netdev cut; }
