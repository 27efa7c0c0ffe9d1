#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The kernel side of mpgw's relay (doc/operations.md, "The relay"), from mpgw's own
# configuration: run it in mpgw's network namespace once mpgw is up (its twins exist).
#
#   relay-kernel.sh up CONFIG            apply what the role in CONFIG needs
#   relay-kernel.sh down CONFIG          take it away again
#   relay-kernel.sh proxy-config CONFIG FILE
#                                        write shadowsocks-libev's JSON for the role (mode
#                                        0600: it holds the secret of [relay] secret_file)
#
# gateway, `up`:
#   - every port's twin up with the port's addresses (IPv6 switched on where it has one);
#   - per uplink N (in file order): routing table 100+N with `default via GATEWAY` and an
#     `unreachable default` of high metric behind it (a subflow from a dead uplink's
#     address must not leave by another uplink) and a rule `from ADDRESS lookup 100+N`.
#     The main table's default routes (the initial subflow's way out) are mpgw's: it keeps
#     one per uplink, at metric 100·(N+1) while the uplink is usable and 10000 more while
#     it is not (lib/relay/relay_routes.h);
#   - one MPTCP endpoint per uplink address (`subflow`, and `backup` for `multipath =
#     backup`; none for `off`), bound to its twin, and the path manager's limits. mpgw
#     owns the endpoints: the others are flushed (no mptcpd);
#   - nftables table `inet mpgw_relay`: TCP that comes in by a LAN twin for an address
#     that is neither the gateway's own nor routed out of a LAN twin is redirected to
#     [relay] port, where ss-redir listens (mpgw's relay action puts such packets on a LAN
#     twin); a connection to that port that was not redirected is dropped, from the LAN
#     and the WANs alike (ss-redir listens on every address).
# vps, `up`: the twins up with the ports' addresses, the [routes] in the kernel, MPTCP on
# with room for the gateways' subflows. The proxies are started by the caller (systemd units
# config/relay/mpgw-ss-redir@.service, mpgw-ss-server@.service, one instance per core
# given to the proxy) with the JSON of `proxy-config`.
set -euo pipefail

usage() {
	sed -n '6,11p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
[ $# -ge 2 ] || usage
cmd=$1 config=$2
[ -r "$config" ] || {
	echo "relay-kernel.sh: cannot read $config" >&2
	exit 2
}

# The configuration as "SECTION<TAB>KEY<TAB>VALUE" lines, comments and blanks gone.
ini=$(awk '
	{ sub(/[ \t]*#.*$/, ""); sub(/^[ \t]+/, "") }
	/^\[.*\]$/ { sec = substr($0, 2, length($0) - 2); next }
	/=/ {
		k = $0; sub(/[ \t]*=.*$/, "", k)
		v = $0; sub(/^[^=]*=[ \t]*/, "", v)
		print sec "\t" k "\t" v
	}' "$config")

# get SECTION KEY [DEFAULT]: the first value, or DEFAULT.
get() {
	local v
	v=$(printf '%s\n' "$ini" | awk -F'\t' -v s="$1" -v k="$2" '$1 == s && $2 == k { print $3; exit }')
	printf '%s' "${v:-${3:-}}"
}
# all SECTION KEY: every value, one a line.
all() { printf '%s\n' "$ini" | awk -F'\t' -v s="$1" -v k="$2" '$1 == s && $2 == k { print $3 }'; }
# The ports, in file order.
ports=$(printf '%s\n' "$ini" | awk -F'\t' '$1 ~ /^port / && !seen[$1]++ { sub(/^port[ \t]+/, "", $1); print $1 }')
role=$(get mpgw role gateway)
relay_port=$(get relay port)
TABLE_BASE=100
RULE_PRIO=1000

need_relay() {
	if [ -z "$relay_port" ] || [ "$(get mpgw twins no)" != yes ]; then
		echo "relay-kernel.sh: $config has no [relay] port or no [mpgw] twins = yes" >&2
		exit 2
	fi
	# mpgw validated the file; these go into nftables and JSON, so check them again.
	local v
	for v in "$relay_port" "$(get relay server_port 65101)"; do
		if ! [[ $v =~ ^[0-9]{1,5}$ ]] || [ "$v" -lt 1 ] || [ "$v" -gt 65535 ]; then
			echo "relay-kernel.sh: $config: [relay] port '$v' is not 1-65535" >&2
			exit 2
		fi
	done
	[[ $(get relay method chacha20-ietf-poly1305) =~ ^[a-z0-9-]+$ ]] || {
		echo "relay-kernel.sh: $config: [relay] method is not a cipher name" >&2
		exit 2
	}
}

is_uplink() { [ "$(get "port $1" uplink no)" = yes ]; }

# The twins with the ports' addresses; IPv6 on only where a port has an IPv6 address.
twins_up() {
	local p a
	for p in $ports; do
		if ! ip link show dev "$p" >/dev/null 2>&1; then
			echo "relay-kernel.sh: no interface $p: is mpgw running with twins?" >&2
			exit 1
		fi
		sysctl -qw "net.ipv4.conf.$p.rp_filter=2"
		while read -r a; do
			[ -n "$a" ] || continue
			case $a in
			*:*)
				sysctl -qw "net.ipv6.conf.$p.disable_ipv6=0"
				ip addr replace "$a" dev "$p" nodad
				;;
			*) ip addr replace "$a" dev "$p" ;;
			esac
		done < <(all "port $p" address)
		ip link set dev "$p" up
	done
}

# The first address of family 4 (or 6) among the port's.
addr_of() {
	all "port $1" address | awk -v six="$2" '(six == 6) == (index($0, ":") > 0) { sub(/\/.*/, ""); print; exit }'
}

gateway_up() {
	local n=0 p addr gw mode flags uplinks=0 lans=()
	sysctl -qw net.mptcp.enabled=1 net.ipv4.conf.all.rp_filter=0
	twins_up
	ip mptcp endpoint flush
	for p in $ports; do
		if ! is_uplink "$p"; then
			lans+=("\"$p\"")
			continue
		fi
		addr=$(addr_of "$p" 4)
		gw=$(all "port $p" gateway | grep -v : | head -n 1 || true)
		mode=$(get "port $p" multipath on)
		local table=$((TABLE_BASE + n))
		if [ -n "$addr" ] && [ -n "$gw" ]; then
			ip route replace default via "$gw" dev "$p" table "$table"
			ip route replace unreachable default metric 4096 table "$table"
			ip rule del priority $((RULE_PRIO + n)) 2>/dev/null || true
			ip rule add from "$addr" lookup "$table" priority $((RULE_PRIO + n))
			if [ "$mode" != off ]; then
				flags=subflow
				[ "$mode" = backup ] && flags="subflow backup"
				# shellcheck disable=SC2086 # two words
				ip mptcp endpoint add "$addr" dev "$p" $flags
				uplinks=$((uplinks + 1))
			fi
		fi
		n=$((n + 1))
	done
	ip mptcp limits set subflows "$((uplinks > 0 ? uplinks : 1))" add_addr_accepted 0
	[ ${#lans[@]} -gt 0 ] || return 0
	local set
	set=$(
		IFS=,
		echo "${lans[*]}"
	)
	nft delete table inet mpgw_relay 2>/dev/null || true
	nft -f - <<NFT
table inet mpgw_relay {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname { $set } fib daddr type local return
		iifname { $set } fib daddr oifname { $set } return
		iifname { $set } meta l4proto tcp redirect to :$relay_port
	}
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport $relay_port ct status dnat accept
		tcp dport $relay_port drop
	}
}
NFT
}

gateway_down() {
	local n=0 p
	nft delete table inet mpgw_relay 2>/dev/null || true
	ip mptcp endpoint flush 2>/dev/null || true
	for p in $ports; do
		is_uplink "$p" || continue
		ip rule del priority $((RULE_PRIO + n)) 2>/dev/null || true
		ip route flush table $((TABLE_BASE + n)) 2>/dev/null || true
		n=$((n + 1))
	done
}

vps_up() {
	sysctl -qw net.mptcp.enabled=1 net.ipv4.conf.all.rp_filter=0
	twins_up
	local words
	while read -r -a words; do
		[ ${#words[@]} -gt 0 ] || continue
		# "PREFIX via ADDR" and the like, as ip route takes it (words, never globbed).
		ip route replace "${words[@]}"
	done < <(all routes route)
	ip mptcp limits set subflows 8 add_addr_accepted 0
}

# secret_json FILE: the secret as the inside of a JSON string: its first line, without
# carriage return, backslashes and quotes escaped.
secret_json() { head -n 1 "$1" | tr -d '\r' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

proxy_config() {
	local out=$1 file secret method ends vps
	file=$(get relay secret_file)
	if [ -z "$file" ] || [ ! -r "$file" ]; then
		echo "relay-kernel.sh: $config: [relay] secret_file '$file' is not readable" >&2
		exit 2
	fi
	secret=$(secret_json "$file")
	method=$(get relay method chacha20-ietf-poly1305)
	if [ "$role" = vps ]; then
		# Where the subflows arrive: the tunnel addresses ([vps] address). A dual-stack
		# "::" would miss IPv4 on a twin whose IPv6 is off.
		ends="\"server\": [$(all vps address | sed 's/.*/"&"/' | paste -sd, -)],
	\"server_port\": $relay_port,"
	else
		vps=$(all vps address | grep -v : | head -n 1 || true)
		[ -n "$vps" ] || vps=$(get vps address)
		ends="\"server\": \"$vps\",
	\"server_port\": $(get relay server_port 65101),
	\"local_address\": \"::\",
	\"local_port\": $relay_port,"
	fi
	# A new file of mode 0600 put in place whole: an older one keeps no other mode, and no
	# reader sees half of it.
	local new
	new=$(mktemp "$out.XXXXXX")
	cat >"$new" <<JSON
{
	$ends
	"password": "$secret",
	"method": "$method",
	"mode": "tcp_only",
	"mptcp": true,
	"timeout": 600
}
JSON
	mv -f "$new" "$out"
}

need_relay
case "$cmd" in
up) if [ "$role" = vps ]; then vps_up; else gateway_up; fi ;;
down) [ "$role" = vps ] || gateway_down ;;
proxy-config)
	[ $# -eq 3 ] || usage
	proxy_config "$3"
	;;
*) usage ;;
esac
