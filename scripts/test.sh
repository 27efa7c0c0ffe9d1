#!/usr/bin/env bash
# Run every test suite of mpgw: does its own setup (packages, builds), then
#   unit         cmocka suites (parser, MSS clamp, uplink scheduling, JSON), built normally and
#                again under ASan + UBSan
#   integration  pcap golden runs of the daemon, live netns test with real kernel peers
#   bench smoke  scripts/bench.sh --smoke: testpmd, l3fwd, mpgw and the kernel, briefly
#   fuzz         libFuzzer under ASan + UBSan: the parser, the whole graph, the MSS clamp,
#                the configuration loader, mpgwctl's JSON parser, the netlink messages (the
#                route mirror's, the MPTCP path manager's events), the twins' offloaded
#                frames (virtio-net header), each from its seed corpus
#                (tests/fuzz/corpus; scripts/fuzz.sh runs a long campaign)
# and ends with one "N passed, M failed" line. Needs root (namespaces, raw sockets).
# FUZZ_SECONDS (default 20 per target) shortens or lengthens the fuzz runs.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds=${FUZZ_SECONDS:-20}
werror=false
[ "${CI:-}" = true ] && werror=true

scripts/setup-deps.sh || exit 1

# meson setup, or reconfigure an existing build directory with the same options.
build() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null || return 1
	else
		meson setup "$dir" "$@" >/dev/null || return 1
	fi
	ninja -C "$dir" >"$dir.log" 2>&1 || { cat "$dir.log"; return 1; }
}

passed=0
failed=0
failures=()

# Count the Ok:/Fail: lines of a meson test run.
meson_suite() {
	local dir=$1 suite=$2 log
	log=$(mktemp)
	meson test -C "$dir" --suite "$suite" --print-errorlogs --no-rebuild 2>&1 | tee "$log"
	local ok fail
	ok=$(awk '/^Ok:/ {print $2}' "$log")
	fail=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {s += $2} END {print s + 0}' "$log")
	rm -f "$log"
	passed=$((passed + ${ok:-0}))
	failed=$((failed + fail))
	if [ "${ok:-0}" -eq 0 ] && [ "$fail" -eq 0 ]; then
		failed=$((failed + 1))
		failures+=("$dir/$suite: no test ran")
	fi
	[ "$fail" -eq 0 ] || failures+=("$dir/$suite")
}

step() {
	local name=$1
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

echo "=== build (werror=$werror)"
if ! build build -Dwerror="$werror"; then
	echo "0 passed, 1 failed"
	exit 1
fi
meson_suite build unit

echo "=== build under ASan + UBSan"
if build build-asan -Dwerror="$werror" -Db_sanitize=address,undefined -Db_lundef=false; then
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson_suite build-asan unit
else
	failed=$((failed + 1))
	failures+=("asan build")
fi

meson_suite build integration

# A few seconds per traffic mix of scripts/bench.sh, no thresholds: it must keep working.
step "bench smoke" scripts/bench.sh --smoke

# A target from a copy of its seed corpus, so that the run leaves the repository alone.
fuzz() {
	local target=$1 corpus
	corpus=$(mktemp -d)
	if [ -d "tests/fuzz/corpus/$target" ]; then
		cp -r "tests/fuzz/corpus/$target/." "$corpus/"
	fi
	"build-fuzz/tests/fuzz/$target" -max_total_time="$fuzz_seconds" -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="build-fuzz/$target-" "$corpus" \
		>"build-fuzz/$target.log" 2>&1
	local rc=$?
	rm -rf "$corpus"
	grep -E "^(stat::number_of_executed_units|Done)" "build-fuzz/$target.log"
	[ $rc -eq 0 ] || tail -40 "build-fuzz/$target.log"
	return $rc
}

echo "=== build fuzz targets (clang, ASan + UBSan)"
if CC=clang build build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false; then
	step "fuzz_parse ${fuzz_seconds}s" fuzz fuzz_parse
	step "fuzz_graph ${fuzz_seconds}s" fuzz fuzz_graph
	step "fuzz_mss ${fuzz_seconds}s" fuzz fuzz_mss
	step "fuzz_config ${fuzz_seconds}s" fuzz fuzz_config
	step "fuzz_json ${fuzz_seconds}s" fuzz fuzz_json
	step "fuzz_netlink ${fuzz_seconds}s" fuzz fuzz_netlink
	step "fuzz_mptcp_pm ${fuzz_seconds}s" fuzz fuzz_mptcp_pm
	step "fuzz_twin_vnet ${fuzz_seconds}s" fuzz fuzz_twin_vnet
	step "fuzz_twin_gro ${fuzz_seconds}s" fuzz fuzz_twin_gro
else
	failed=$((failed + 1))
	failures+=("fuzz build")
fi

echo
if [ ${#failures[@]} -ne 0 ]; then
	printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
