#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Benchmark mpgw side by side with dpdk-testpmd (io forwarding: the I/O floor), DPDK's l3fwd
# (LPM) and the Linux kernel (namespaces, nftables MSS clamp), in one run, on the same core
# and the same packets. See doc/performance.md for the method and the last full run.
#
#   scripts/bench.sh                 full run (~10 min), writes doc/performance.md
#   scripts/bench.sh --out FILE      full run, writes FILE instead
#   scripts/bench.sh --smoke         a few seconds per 1k-flow mix, report on stdout only
#   scripts/bench.sh --smoke --out FILE
#   extra options go to the orchestrator (scripts/bench/bench.py): --no-kernel,
#   --windows N, --window S, --warmup S, --mixes, --programs
# After the forwarding mixes, scripts/bench/route_sync.py times mirroring 1M IPv4 + 200k
# IPv6 routes from the kernel (20k + 4k with --smoke; not with --mixes). Among the mixes,
# ipv4-64-1k-churn measures mpgw's rate with that table in the kernel, still then churning
# (scripts/bench/churn.py; --churn-table, --churn-routes).
# A full run then measures the relay and the exception path (not with --smoke or --mixes):
# scripts/bench/relay.sh (mpgw on both ends against the kernel-only OpenMPTCProuter stack,
# one and eight streams, CPU per Gbit/s), scripts/twin_tput.sh (kernel TCP and UDP through a
# twin against a plain veth) and scripts/bench/exception_paths.sh (the other candidates).
#
# Needs root (DPDK telemetry sockets, network namespaces). Builds mpgw in build-bench
# (release) and l3fwd in a temporary directory from Debian's dpdk-doc examples; pcaps are
# cached in build-bench/bench/pcaps, logs of every program in build-bench/bench/logs.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$src"
build=${BENCH_BUILD:-$src/build-bench}
smoke=false
out=
out_given=
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=true ;;
	--out) out=$2; out_given=1; shift ;;
	--out=*) out=${1#--out=}; out_given=1 ;;
	*) extra+=("$1") ;;
	esac
	shift
done
if ! $smoke && [ -z "$out" ]; then
	out=$src/doc/performance.md
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (DPDK telemetry sockets, network namespaces)" >&2
	exit 1
fi

scripts/setup-deps.sh

echo "bench: building mpgw (release) in $build" >&2
if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Dbuildtype=release -Dtests=false >/dev/null
else
	meson setup "$build" -Dbuildtype=release -Dtests=false >/dev/null
fi
ninja -C "$build" >"$build.log" 2>&1 || { cat "$build.log"; exit 1; }

# l3fwd: Debian ships its source in dpdk-doc. Build a copy in a temporary directory, with
# exactly these changes to the copy (nothing of it is kept):
#   1. main.c: port_conf.rxmode.offloads RTE_ETH_RX_OFFLOAD_CHECKSUM -> 0: virtual devices
#      (net_pcap, net_null) have no RX checksum offload and rte_eth_dev_configure refuses it;
#   2. main.c: NB_MBUF's floor of 8192 mbufs per port pool -> $L3FWD_BENCH_NB_MBUF when set:
#      net_pcap's infinite_rx holds the whole pcap in mbufs of the RX pool (1M packets
#      for the 1M-flow mixes).
# Everything else (LPM routes, SSE path, burst sizes, RFC 1812 checks) is stock.
tmp=$(mktemp -d /tmp/mpgw-bench-l3fwd.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r /usr/share/dpdk/examples/l3fwd /usr/share/dpdk/examples/common "$tmp/"
sed -i 's/\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/.offloads = 0,/' "$tmp/l3fwd/main.c"
sed -i 's/(unsigned)8192)/(unsigned)(getenv("L3FWD_BENCH_NB_MBUF") ? atoi(getenv("L3FWD_BENCH_NB_MBUF")) : 8192))/' \
	"$tmp/l3fwd/main.c"
if ! grep -q 'offloads = 0,' "$tmp/l3fwd/main.c" || ! grep -q L3FWD_BENCH_NB_MBUF "$tmp/l3fwd/main.c"; then
	echo "bench: patching l3fwd failed (DPDK examples changed?)" >&2
	exit 1
fi
echo "bench: building l3fwd in $tmp" >&2
make -C "$tmp/l3fwd" -j"$(nproc)" >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; exit 1; }

cmdline="scripts/bench.sh"
$smoke && cmdline+=" --smoke"
[ -n "$out_given" ] && cmdline+=" --out $out"
[ ${#extra[@]} -gt 0 ] && cmdline+=" ${extra[*]}"

# 2 MiB pages, as a gateway runs in production (a 1M-flow working set on 4 KiB pages is
# mostly TLB misses): 5 GiB of them on a hugetlbfs mount (a 1M-packet pcap is 1M mbufs),
# reserved here when the machine lets us and given back at exit; else everything runs
# with --no-huge (BENCH_HUGE=no forces that).
huge_dir=/dev/hugepages
huge=()
if [ "${BENCH_HUGE:-yes}" != no ]; then
	mkdir -p "$huge_dir"
	mountpoint -q "$huge_dir" || mount -t hugetlbfs nodev "$huge_dir" 2>/dev/null || true
	# DPDK keeps its hugepage files after a program stops: those of earlier runs hold pages.
	rm -f "$huge_dir"/mpgwbench-*
	want=2560
	have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
	if [ "$have" -lt "$want" ]; then
		# the pages go back once the files of this run that hold them are gone
		trap 'rm -rf "$tmp"; rm -f "$huge_dir"/mpgwbench-*; echo "$have" >/proc/sys/vm/nr_hugepages' EXIT
		# free 2 MiB blocks first: page cache fragments memory
		sync
		echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
		echo 1 >/proc/sys/vm/compact_memory 2>/dev/null || true
		echo "$want" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
	fi
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	if mountpoint -q "$huge_dir" && [ "${free:-0}" -ge "$want" ]; then
		huge=(--huge "$huge_dir")
	else
		echo "bench: no $want free 2 MiB hugepages: running with --no-huge" >&2
	fi
fi

args=(--mpgw "$build/app/mpgw/mpgw" --l3fwd "$tmp/l3fwd/build/l3fwd"
	--flowgen "$build/tools/flowgen/mpgw-flowgen" --workdir "$build/bench"
	--command "$cmdline" "${huge[@]}")
$smoke && args+=(--smoke)
[ -n "$out" ] && args+=(--out "$out")
rc=0
/usr/bin/python3 scripts/bench/bench.py "${args[@]}" "${extra[@]}" || rc=$?

# Route sync (issue 7): a full table mirrored from the kernel; a small one for --smoke.
# Skipped with --mixes (a run of chosen forwarding mixes only).
if [[ " ${extra[*]} " != *" --mixes"* ]]; then
	rs=(--mpgw "$build/app/mpgw/mpgw" --mpgwctl "$build/app/mpgwctl/mpgwctl")
	[ ${#huge[@]} -gt 0 ] && rs+=(--huge "$huge_dir")
	if $smoke; then rs+=(--v4 20000 --v6 4000); else rs+=(--timeout 300); fi
	echo "bench: route sync" >&2
	if [ -n "$out" ] && ! $smoke; then
		{ echo; /usr/bin/python3 scripts/bench/route_sync.py "${rs[@]}"; } >>"$out" || rc=1
	else
		/usr/bin/python3 scripts/bench/route_sync.py "${rs[@]}" || rc=1
	fi
fi

# The relay and the exception path, appended to the report of a full run.
if ! $smoke && [[ " ${extra[*]} " != *" --mixes"* ]]; then
	for b in "relay, no rate limit|scripts/bench/relay.sh 3 5 8" \
		"kernel TCP through a twin|scripts/twin_tput.sh 3 5" \
		"exception path candidates|scripts/bench/exception_paths.sh 3 5"; do
		echo "bench: ${b%%|*}" >&2
		read -r -a cmd <<<"${b#*|}"
		{
			# shellcheck disable=SC2016 # the backquotes are Markdown's
			printf '\n## The %s (`%s`)\n\n' "${b%%|*}" "${b#*|}"
			MPGW=$build/app/mpgw/mpgw MPGWCTL=$build/app/mpgwctl/mpgwctl "${cmd[@]}"
		} >>"$out" || rc=1
	done
fi
exit $rc
