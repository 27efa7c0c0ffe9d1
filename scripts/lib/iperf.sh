# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# iperf3 between two network namespaces, for the exception-path benchmarks
# (scripts/twin_tput.sh, scripts/bench/exception_paths.sh): a one-shot server in the
# receiving namespace, started again before each run, and the rates read from iperf3's JSON.

# iperf_server NS: an iperf3 server for one test (-1) in NS, listening before it returns.
iperf_server() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$1" ss -Hltn "sport = :5201" | grep -q . && return 0
		ip netns exec "$1" iperf3 -s -D -1 >/dev/null 2>&1 || true
		sleep 0.1
	done
	echo "iperf3 server in $1 is not listening" >&2
}

# iperf_mbps FROM TO DEST SECONDS [IPERF3 OPTIONS...]: one TCP run from namespace FROM to
# DEST (in namespace TO); the receiver's Mbit/s, or 0 if the run failed.
iperf_mbps() {
	local from=$1 to=$2 dest=$3 secs=$4 out
	shift 4
	iperf_server "$to"
	out=$(timeout $((secs + 20)) ip netns exec "$from" iperf3 -J -c "$dest" -t "$secs" "$@") ||
		{ echo 0; return; }
	/usr/bin/python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))' <<<"$out"
}

# iperf_kpps FROM TO DEST SECONDS LEN [IPERF3 OPTIONS...]: one UDP run of LEN-byte
# datagrams as fast as the sender can; the datagrams the receiver got, thousands a second.
iperf_kpps() {
	local from=$1 to=$2 dest=$3 secs=$4 len=$5 out
	shift 5
	iperf_server "$to"
	out=$(timeout $((secs + 20)) ip netns exec "$from" iperf3 -J -u -b 0 -l "$len" \
		-c "$dest" -t "$secs" "$@" 2>/dev/null) || { echo 0; return; }
	/usr/bin/python3 -c '
import json, sys
e = json.load(sys.stdin)["end"]
s = e.get("sum_received") or e["sum"]
got = s["packets"] - s.get("lost_packets", 0) if "lost_packets" in s else s["packets"]
print(round(got / s["seconds"] / 1000, 1))' <<<"$out"
}

# median VALUE...: the middle one (the upper of the two middle ones for an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
