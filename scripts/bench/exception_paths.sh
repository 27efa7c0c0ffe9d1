#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Candidates for the exception path (issue 17), the same forwarder in front of each: kernel
# TCP and UDP between a "gateway" namespace's kernel and a host, through a kernel interface
# that a DPDK program drives, then DPDK's io forwarding (dpdk-testpmd, one lcore) to a port
# on a veth (net_af_packet) whose peer is the host's; against the same two namespaces over a
# plain veth, in interleaved rounds. The candidates, as a gateway's kernel would see its
# port:
#   tap        a TAP made by net_tap (no virtio-net header: the kernel segments and
#              checksums before the TAP, one read/write per frame in the PMD);
#   veth+af_packet  a veth pair, the kernel on one end, net_af_packet (mmap rings) on the other;
#   veth+af_xdp     the same with net_af_xdp (an XDP program and an AF_XDP socket on the veth).
# mpgw's own twin (a TAP with virtio-net headers, offloads and receive coalescing, serviced
# by its twins' thread) is measured the same way by scripts/twin_tput.sh.
#
#   scripts/bench/exception_paths.sh [ROUNDS [SECONDS]]     default 3 rounds of 5 s each way
#
# Needs root, dpdk-testpmd, iperf3. Prints Markdown tables; ratios are to the plain veth of
# the same run.
set -euo pipefail

rounds=${1:-3}
secs=${2:-5}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
P=mpgwexc
K=$P-k # the gateway's kernel
H=$P-h # the host
TESTPMD=${TESTPMD:-dpdk-testpmd}
# shellcheck source=scripts/lib/netns.sh
source "$src/scripts/lib/netns.sh"
# shellcheck source=scripts/lib/iperf.sh
source "$src/scripts/lib/iperf.sh"

tmp=$(mktemp -d /tmp/exception-paths.XXXXXX)
pmd_pid=
pmd_stop() {
	[ -n "$pmd_pid" ] || return 0
	kill -INT "$pmd_pid" 2>/dev/null || true
	wait "$pmd_pid" 2>/dev/null || true
	pmd_pid=
}
cleanup() {
	pmd_stop
	netns_teardown "$P" "k h" # and what still runs in them (an iperf3 server)
	rm -rf "$tmp" "/var/run/dpdk/$P"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
netns_teardown "$P" "k h"
ip netns add "$K"
ip netns add "$H"
for ns in "$K" "$H"; do ip -n "$ns" link set lo up; done

# The host's link: hd (the gateway's port, driven by DPDK) to hh (the host, a Linux host
# behind a NIC: GSO and GRO on; TSO off so that its veth hands the port 1500-byte frames,
# and checksums done in software, since a raw socket gets a veth's frames with the
# checksum left to "hardware" that never runs, as scripts/lib/netns.sh explains).
ip link add hd netns "$K" type veth peer name hh netns "$H"
ip netns exec "$H" ethtool -K hh tx off tso off gso on gro on >/dev/null
# The plain path: a veth pair between the same namespaces.
ip link add p0 netns "$K" type veth peer name p1 netns "$H"
ip -n "$K" addr add 10.96.0.1/24 dev p0
ip -n "$H" addr add 10.96.0.2/24 dev p1
# One subnet per candidate on the host's link, so that each candidate's kernel interface
# keeps its address while another is measured (only one forwarder runs at a time).
ip -n "$H" addr add 10.97.1.2/24 dev hh
ip -n "$H" addr add 10.97.2.2/24 dev hh
ip -n "$H" addr add 10.97.3.2/24 dev hh
# veth+af_packet: kv0 (the kernel's) to kv1 (DPDK's); veth+af_xdp: kx0 to kx1.
ip link add kv0 netns "$K" type veth peer name kv1 netns "$K"
ip link add kx0 netns "$K" type veth peer name kx1 netns "$K"
ip -n "$K" addr add 10.97.2.1/24 dev kv0
ip -n "$K" addr add 10.97.3.1/24 dev kx0
# The kernel's veths (kv0, kx0) the same way as hh: the DPDK end reads frames of 1500 bytes
# or less, checksums done.
for i in kv0 kx0; do ip netns exec "$K" ethtool -K "$i" tx off tso off gso on gro on >/dev/null; done
for i in hd p0 kv0 kv1 kx0 kx1; do ip -n "$K" link set "$i" up; done
for i in hh p1; do ip -n "$H" link set "$i" up; done
# The DPDK ends must not be the kernel's interfaces too: no addresses, no IPv6.
for i in hd kv1 kx1; do ip netns exec "$K" sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1"; done

# pmd_start NAME VDEV DEST: testpmd's io forwarding between VDEV (port 0) and hd (port 1), its
# forwarding lcore on core 1; returns once both ports forward (DEST, the host, answers ping).
pmd_start() {
	local name=$1 vdev=$2 dest=$3 i
	rm -rf "/var/run/dpdk/$P"
	# testpmd forwards until its standard input ends: a FIFO it holds open itself.
	[ -p "$tmp/stdin" ] || mkfifo "$tmp/stdin"
	ip netns exec "$K" "$TESTPMD" -l 0,1 --no-huge -m 512 --no-pci --file-prefix "$P" \
		--vdev "$vdev" --vdev net_af_packet1,iface=hd -- \
		--forward-mode=io --auto-start --total-num-mbufs=16384 \
		0<>"$tmp/stdin" >"$tmp/$name.log" 2>&1 &
	pmd_pid=$!
	[ "$name" = tap ] && for ((i = 0; i < 100; i++)); do
		ip -n "$K" link show ktap0 >/dev/null 2>&1 && break
		sleep 0.1
	done
	[ "$name" = tap ] && ip -n "$K" addr add 10.97.1.1/24 dev ktap0 2>/dev/null &&
		ip -n "$K" link set ktap0 up
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$K" ping -c1 -W1 -q "$dest" >/dev/null 2>&1 && return 0
		kill -0 "$pmd_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "exception_paths: $name does not forward; testpmd said:" >&2
	tail -n 20 "$tmp/$name.log" >&2
	return 1
}

names=(plain tap veth+af_packet veth+af_xdp)
declare -A dest=([plain]=10.96.0.2 [tap]=10.97.1.2 [veth+af_packet]=10.97.2.2 [veth+af_xdp]=10.97.3.2)
declare -A vdev=([tap]="net_tap0,iface=ktap0" [veth+af_packet]="net_af_packet0,iface=kv1"
	[veth+af_xdp]="net_af_xdp0,iface=kx1")
declare -A res failed
for ((r = 1; r <= rounds; r++)); do
	for n in "${names[@]}"; do
		[ -n "${failed[$n]:-}" ] && continue
		d=${dest[$n]}
		if [ "$n" != plain ] && ! pmd_start "$n" "${vdev[$n]}" "$d"; then
			failed[$n]=1
			pmd_stop
			continue
		fi
		out=$(iperf_mbps "$K" "$H" "$d" "$secs")
		in=$(iperf_mbps "$H" "$K" "${d%.2}.1" "$secs")
		res[$n-out]+="$out "
		res[$n-in]+="$in "
		for len in 18 1472; do
			res[$n-uout-$len]+="$(iperf_kpps "$K" "$H" "$d" "$secs" "$len") "
			res[$n-uin-$len]+="$(iperf_kpps "$H" "$K" "${d%.2}.1" "$secs" "$len") "
		done
		pmd_stop
		echo "round $r $n: kernel->host $out, host->kernel $in Mbit/s" >&2
	done
done

med() {
	local -a v
	read -r -a v <<<"${res[$1]:-}"
	[ ${#v[@]} -gt 0 ] && median "${v[@]}" || echo -
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }
echo "TCP, one stream, Mbit/s, medians of $rounds rounds of $secs s (ratio to the plain veth):"
echo
echo "| path | kernel -> host | host -> kernel |"
echo "|---|---:|---:|"
for n in "${names[@]}"; do
	o=$(med "$n-out") i=$(med "$n-in")
	if [ "$n" = plain ]; then
		echo "| plain veth | $o | $i |"
	else
		echo "| $n + testpmd io | $o ($(ratio "$o" "$(med plain-out)")) | $i ($(ratio "$i" "$(med plain-in)")) |"
	fi
done
echo
echo "UDP, datagrams received a second (thousands), 64 B frames and 1500 B packets:"
echo
echo "| path | kernel -> host, 64 B | kernel -> host, 1500 B | host -> kernel, 64 B | host -> kernel, 1500 B |"
echo "|---|---:|---:|---:|---:|"
for n in "${names[@]}"; do
	echo "| $n | $(med "$n-uout-18") | $(med "$n-uout-1472") | $(med "$n-uin-18") | $(med "$n-uin-1472") |"
done
for n in "${!failed[@]}"; do echo "$n: did not forward (see above)"; done
