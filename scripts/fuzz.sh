#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A fuzzing campaign: builds the fuzz build (clang, libFuzzer, ASan + UBSan, every library
# instrumented) in build-fuzz, runs every target found there (build-fuzz/tests/fuzz/fuzz_*)
# one after the other, merges what each found into tests/fuzz/corpus/<target> (-merge=1:
# only inputs that add coverage), prints per target executions, coverage and crashes, and
# writes the results to doc/fuzzing.md.
#
#   scripts/fuzz.sh                        every target FUZZ_SECONDS (default 600) seconds
#   FUZZ_HOURS=4 scripts/fuzz.sh           4 hours shared equally among the targets
#   scripts/fuzz.sh fuzz_parse=1800 fuzz_graph=900
#                                          those targets that long, the others FUZZ_SECONDS
#   scripts/fuzz.sh --only fuzz_mss=60     only the targets named (doc/fuzzing.md untouched)
#   --out FILE                             write the results there instead of doc/fuzzing.md
#
# Crashes, leaks, timeouts and out-of-memory inputs go to FUZZ_ARTIFACTS (default
# /tmp/mpgw-fuzz/artifacts, outside the repository); any of them makes the exit status 1.
# Runs under nice, one fuzzer process at a time. Logs: /tmp/mpgw-fuzz/<target>.log.
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$src"
build=${FUZZ_BUILD:-$src/build-fuzz}
work=${FUZZ_WORK:-/tmp/mpgw-fuzz}
artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
default_seconds=${FUZZ_SECONDS:-600}
out=$src/doc/fuzzing.md
only=false
declare -A seconds=()
cmdline="scripts/fuzz.sh${*:+ $*}"
[ -n "${FUZZ_HOURS:-}" ] && cmdline="FUZZ_HOURS=$FUZZ_HOURS $cmdline"
[ -n "${FUZZ_SECONDS:-}" ] && cmdline="FUZZ_SECONDS=$FUZZ_SECONDS $cmdline"
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=true ;;
	--out) out=$2; shift ;;
	fuzz_*=*) seconds[${1%%=*}]=${1#*=} ;;
	*) echo "fuzz: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

echo "fuzz: building in $build" >&2
if [ -f "$build/build.ninja" ]; then
	meson configure "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
else
	CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
fi || exit 1
nice -n 10 ninja -C "$build" >"$build.log" 2>&1 || { cat "$build.log"; exit 1; }

# The targets are what the build made: a new tests/fuzz/fuzz_*.c needs no change here.
targets=()
for bin in "$build"/tests/fuzz/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	t=$(basename "$bin")
	if $only && [ -z "${seconds[$t]:-}" ]; then
		continue
	fi
	targets+=("$t")
done
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no target in $build/tests/fuzz" >&2
	exit 1
fi
if [ -n "${FUZZ_HOURS:-}" ]; then
	default_seconds=$(awk -v h="$FUZZ_HOURS" -v n=${#targets[@]} 'BEGIN {printf "%d", h * 3600 / n}')
fi

mkdir -p "$work" "$artifacts"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
start_s=$(date +%s)
rows=()
total_execs=0
total_crashes=0

for t in "${targets[@]}"; do
	secs=${seconds[$t]:-$default_seconds}
	corpus=$src/tests/fuzz/corpus/$t
	new=$work/$t.new
	log=$work/$t.log
	mkdir -p "$corpus"
	rm -rf "$new"
	mkdir -p "$new"
	before=$(find "$corpus" -type f | wc -l)
	echo "fuzz: $t for ${secs}s (corpus: $before files)" >&2
	# New inputs go to the first directory; the repository's corpus is only read here.
	nice -n 10 "$build/tests/fuzz/$t" -max_total_time="$secs" -rss_limit_mb=4096 -timeout=25 \
		-print_final_stats=1 -artifact_prefix="$artifacts/$t-" "$new" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(awk '/^stat::number_of_executed_units:/ {print $2}' "$log" | tail -1)
	rate=$(awk '/^stat::average_exec_per_sec:/ {print $2}' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	crashes=$(find "$artifacts" -maxdepth 1 -type f -name "$t-*" -newermt "@$start_s" | wc -l)
	if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
		crashes=1 # died without an artifact (e.g. in LLVMFuzzerInitialize): count it
	fi
	# Merge what it found: only inputs that add coverage to what the corpus has.
	nice -n 10 "$build/tests/fuzz/$t" -merge=1 -rss_limit_mb=4096 -timeout=25 \
		"$corpus" "$new" >"$work/$t.merge.log" 2>&1 || echo "fuzz: $t: merge failed" >&2
	rm -rf "$new"
	after=$(find "$corpus" -type f | wc -l)
	printf 'fuzz: %-12s %12s execs  %8s exec/s  cov %6s  ft %6s  corpus %d -> %d  crashes %d\n' \
		"$t" "${execs:-0}" "${rate:-0}" "${cov:-?}" "${ft:-?}" "$before" "$after" "$crashes" >&2
	[ "$crashes" -eq 0 ] || { echo "fuzz: $t: see $log and $artifacts" >&2; tail -30 "$log" >&2; }
	rows+=("| \`$t\` | $secs | ${execs:-0} | ${rate:-0} | ${cov:-?} | ${ft:-?} | $before → $after | $crashes |")
	total_execs=$((total_execs + ${execs:-0}))
	total_crashes=$((total_crashes + crashes))
done

elapsed=$(($(date +%s) - start_s))
echo "fuzz: $total_execs executions in ${elapsed}s, $total_crashes crashes" >&2

if $only; then
	exit $((total_crashes != 0))
fi

machine="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(awk '/MemTotal/ {printf "%d GiB", $2 / 1048576 + 0.5}' /proc/meminfo) RAM, Linux $(uname -r)"
commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- lib app tests/fuzz/*.c tests/common meson.build 2>/dev/null || commit+="-dirty"
{
	cat <<'EOF'
# mpgw fuzzing

This file is written by `scripts/fuzz.sh`. Everything below "Results" is the output of one
real campaign; rerun it to refresh.

## Targets

libFuzzer targets in `tests/fuzz/`, each built with AddressSanitizer and UndefinedBehavior-
Sanitizer. In the fuzz build every library is compiled with the fuzzer's coverage
instrumentation, the sanitizers and `-fno-sanitize-recover=all`, so undefined behaviour in
library code aborts the run like an assertion in a harness.

| target | what it feeds | what it checks |
|---|---|---|
| `fuzz_parse` | the packet parser (`lib/pkt`), the frame cut into 1–3 exactly-sized segments | segmentation never changes the result; the fast path agrees with the full parse; offsets and flow key consistent |
| `fuzz_graph` | one frame through the whole data-path graph (net_ring ports, a gateway with a tunnel, policy, flow table), in one or two segments | no out-of-bounds access (the data area past each segment is poisoned for ASan), every mbuf sent or freed |
| `fuzz_mss` | the MSS clamp (`lib/mss`) on SYNs cut into 1–8 segments, any limit, with or without tailroom and checksum offload | a checksum right before is right after; nothing else changes; segmented and flat give the same packet |
| `fuzz_config` | the configuration loader (`lib/config`) on arbitrary INI text | an error names the file, an accepted configuration is consistent; no leak |
| `fuzz_json` | mpgwctl's JSON parser on arbitrary telemetry replies | malformed text is refused with a message; accepted text round-trips through `json_write` |
| `fuzz_netlink` | the route mirror's netlink handlers (`lib/netlink/nl_sync_*.c`) on arbitrary datagrams of RTM_* messages, seeds captured from a kernel (`corpus/capture.py`) | no read past the datagram or an attribute; what is accepted builds a FIB |
| `fuzz_mptcp_pm` | the MPTCP path manager's event parser (`lib/mptcp/mptcp_pm_events.c`) on arbitrary genetlink datagrams | no read past the datagram or an attribute |

Any other target that `tests/fuzz/meson.build` builds (named `fuzz_*`) is run by the script
too: it finds them in the build directory. Describe it in this table, in `scripts/fuzz.sh`.

## How to run

    scripts/fuzz.sh                              # every target FUZZ_SECONDS (600) seconds
    FUZZ_HOURS=8 scripts/fuzz.sh                 # 8 hours shared among the targets
    scripts/fuzz.sh fuzz_parse=3600 fuzz_graph=1800   # per-target times, others FUZZ_SECONDS
    scripts/fuzz.sh --only fuzz_mss=300          # one target; this file is not rewritten

One fuzzer process at a time, under `nice`. New inputs are merged into
`tests/fuzz/corpus/<target>/` with `-merge=1` (only those that add coverage); commit them.
The hand-made seeds there come from `tests/fuzz/make_corpus.py` (scapy). Crash, leak and
timeout inputs are written to `/tmp/mpgw-fuzz/artifacts` (`FUZZ_ARTIFACTS`) and make the
script exit 1; reproduce one with `build-fuzz/tests/fuzz/<target> <artifact>`.
`scripts/test.sh` runs each target for `FUZZ_SECONDS` (20) seconds on a copy of its corpus.

EOF
	echo "## Results ($started)"
	echo
	echo "- Machine: $machine"
	echo "- $(clang --version | head -1), DPDK $(pkg-config --modversion libdpdk), mpgw $commit"
	echo "- Command: \`$cmdline\`; ${elapsed} s in all"
	echo "- Executions: $total_execs in all; crashes: $total_crashes"
	echo
	echo "Coverage is libFuzzer's at the end of the run: \`cov\` edges, \`ft\` features. Corpus: files"
	echo "in \`tests/fuzz/corpus/<target>\` before and after the merge."
	echo
	echo "| target | seconds | executions | exec/s | cov | ft | corpus | crashes |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rows[@]}"
} >"$out"
echo "fuzz: results in $out" >&2
exit $((total_crashes != 0))
