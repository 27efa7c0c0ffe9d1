# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Shared by the live tests (live.sh, live_pmtu.sh, live_tunnel.sh): preflight, one run at a
# time, the namespace session, and the assertion helpers. Source it with NAME (the test's
# name, for messages) and PREFIX (namespace and DPDK file prefix) set, and ROLES (the
# namespaces, default "client gw server"); it sets src, MPGW, MPGWCTL, PY, tmp and log,
# and exits 77 (skipped) when not root or a tool is missing.
#
# Output of the test: one "ok - ..." or "FAIL - ..." line per assertion, then
# "N passed, M failed" (finish).
# Functions run through check() and the traps:
# shellcheck disable=SC2317,SC2034,SC2153

live_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${MPGW_SRC:-$(cd "$live_here/../.." && pwd)}
MPGW=${MPGW:-$src/build/app/mpgw/mpgw}
MPGWCTL=${MPGWCTL:-$src/build/app/mpgwctl/mpgwctl}
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

if [ "$(id -u)" -ne 0 ]; then
	echo "$NAME: skipped: needs root (network namespaces, veths, raw sockets)"
	exit 77
fi
# shellcheck source=scripts/lib/netns.sh
source "$src/scripts/lib/netns.sh"
if ! netns_check_tools 2>&1 || ! command -v flock >/dev/null || ! command -v "$PY" >/dev/null; then
	echo "$NAME: skipped: a tool is missing (flock, $PY or the above)"
	exit 77
fi
for b in "$MPGW" "$MPGWCTL"; do
	if [ ! -x "$b" ]; then
		echo "$NAME: $b is not built (ninja -C build)" >&2
		exit 1
	fi
done

# One run of a test at a time on this machine: the namespace names are fixed.
lockdir=/run/lock
[ -d "$lockdir" ] || lockdir=/tmp
exec 9>"$lockdir/$PREFIX.lock"
if ! flock -w 240 9; then
	echo "$NAME: another run holds $lockdir/$PREFIX.lock" >&2
	exit 1
fi

netns_session_begin "$PREFIX" "${ROLES:-client gw server}"

passed=0
failed=0
ok() {
	echo "ok - $*"
	passed=$((passed + 1))
}
not_ok() {
	echo "FAIL - $*"
	failed=$((failed + 1))
}
# check DESCRIPTION CMD...: one assertion; CMD's output (its last line) goes in the line.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc${out:+: $(echo "$out" | tail -n 1)}"
	else
		not_ok "$desc${out:+: $(echo "$out" | tail -n 1)}"
		return 1
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	if [ "$failed" -eq 0 ]; then
		exit 0
	fi
	exit 1
}
show_log() {
	echo "--- mpgw log ($log)"
	sed 's/^/    /' "$log" 2>/dev/null || true
	echo "---"
}
# json_get JSON KEY...: the value at KEY/KEY/... of a JSON text, or "" if absent.
json_get() {
	"$PY" -c '
import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2:]:
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)' "$@"
}
ctl() {
	timeout 10 "$MPGWCTL" --file-prefix "$PREFIX" "$@"
}
# at_least WHAT VALUE MIN: succeeds if VALUE >= MIN, saying so.
at_least() {
	local what=$1 v=$2 min=$3
	if [ -z "$v" ]; then
		echo "$what missing"
		return 1
	fi
	echo "$what = $v (>= $min)"
	[ "$v" -ge "$min" ]
}
# stop_mpgw_checked WHO: SIGTERM the mpgw of NETNS_MPGW_PID; asserts it exits with 0.
stop_mpgw_checked() {
	local rc=0
	netns_mpgw_stop 15 || rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "SIGTERM stops $1 with exit status 0"
	else
		not_ok "SIGTERM stops $1 with exit status 0 (got $rc)"
	fi
}

# in_ns ROLE CMD...: run CMD in the PREFIX-ROLE namespace.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$PREFIX-$ns" "$@"
}

# twins_only ROLE IF...: the kernel of the PREFIX-ROLE namespace sees mpgw's ports only
# through their twins (netns_twins_only, scripts/lib/netns.sh).
twins_only() {
	local ns=$1
	shift
	netns_twins_only "$PREFIX-$ns" "$@"
}
