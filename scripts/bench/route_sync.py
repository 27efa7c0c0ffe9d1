# SPDX-License-Identifier: BSD-3-Clause
"""Route-sync benchmark (issue 7): how long mpgw takes to mirror a full table from the
kernel. Run by scripts/bench.sh (as root, with /usr/bin/python3).

mpgw runs in a network namespace of its own with two net_null ports and kernel twins
(`twins = yes`). The kernel gets V4 IPv4 /24 routes and V6 IPv6 /48 routes on the twins
with `ip -batch` (the kernel's own time to take them is measured too). The figures:
- kernel: how long `ip -batch` takes;
- mirror: from the start of the batch until mpgw's mirror holds every route
  (`mpgwctl routes`: kernel_routes4 / kernel_routes6);
- FIB: until the live FIB version holds them (fib_entries4 / fib_entries6), i.e. until the
  data path forwards by them; and the last build's own time.
Overruns (ENOBUFS: the kernel announced faster than mpgw read) and the resulting dumps are
reported. Prints a markdown section on stdout; exits 1 only if the mirror never filled.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

NS = "mpgwbench-rs"
PREFIX = "mpgwbench-rs"

CONFIG = """[mpgw]
twins = yes
idle_sleep_us = 100
[flows]
size = 1024
[port rsa]
device = net_null0
address = 10.200.0.1/16
address = fd00:200::1/64
[port rsb]
device = net_null1
address = 10.201.0.1/16
address = fd00:201::1/64
"""


def sh(*cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def routes(ctl):
    out = subprocess.run([ctl, "--file-prefix", PREFIX, "--json", "routes"],
                         capture_output=True, text=True, timeout=30)
    return json.loads(out.stdout) if out.returncode == 0 else {}


def batch_file(path, v4, v6, via4=("10.200.0.2", "rsa"), via6=("fd00:201::2", "rsb"),
               first4=11, first6=0x2400, verb="add"):
    """An `ip -batch` file of v4 distinct IPv4 /24s from first4.0.0.0 on and v6 distinct
    IPv6 /48s in first6::/16, through the gateways and twins via4 and via6."""
    with open(path, "w") as fh:
        for i in range(v4):
            fh.write("route %s %d.%d.%d.0/24 via %s dev %s\n" % (
                (verb, first4 + (i >> 16), (i >> 8) & 255, i & 255) + via4))
        for i in range(v6):
            fh.write("route %s %x:%x:%x::/48 via %s dev %s\n" % (
                (verb, first6, i >> 16, i & 0xFFFF) + via6))
    return path


def one_change(ctl):
    """One more route once the table is in and the builds are over: the time from `ip route
    add` until the live FIB has it, and mpgw's own last_sync_ms for it."""
    t0 = time.monotonic()
    b = routes(ctl).get("builds")
    while time.monotonic() - t0 < 60:
        time.sleep(2)
        b, b0 = routes(ctl).get("builds"), b
        if b == b0:
            break
    base = routes(ctl).get("fib_entries4", 0)
    t0 = time.monotonic()
    sh("ip", "netns", "exec", NS, "ip", "route", "add", "9.9.9.0/24", "via", "10.200.0.2",
       "dev", "rsa")
    while time.monotonic() - t0 < 60:
        r = routes(ctl)
        if r.get("fib_entries4", 0) > base:
            return {"s": time.monotonic() - t0, "sync_ms": r.get("last_sync_ms"),
                    "build_ms": r.get("last_build_ms")}
        time.sleep(0.01)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mpgw", required=True)
    ap.add_argument("--mpgwctl", required=True)
    ap.add_argument("--v4", type=int, default=1000000)
    ap.add_argument("--v6", type=int, default=200000)
    ap.add_argument("--huge", help="hugetlbfs mount (else --no-huge)")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--rcvbuf", type=int, default=0,
                    help="mpgw's netlink_rcvbuf in bytes (default 0: the system's)")
    a = ap.parse_args()

    def on_signal(sig, frame):
        raise KeyboardInterrupt  # through the finally below: mpgw and the namespace go
    signal.signal(signal.SIGTERM, on_signal)

    tmp = tempfile.mkdtemp(prefix="mpgw-rs.")
    conf = os.path.join(tmp, "rs.ini")
    with open(conf, "w") as fh:
        fh.write(CONFIG.replace("twins = yes\n", "twins = yes\nnetlink_rcvbuf = %d\n" % a.rcvbuf))
    sh("ip", "netns", "del", NS, check=False)
    sh("ip", "netns", "add", NS)
    mem = (["--huge-dir", a.huge] if a.huge else ["--no-huge", "-m", "4096"])
    log = open(os.path.join(tmp, "mpgw.log"), "w")
    p = subprocess.Popen(["ip", "netns", "exec", NS, a.mpgw] + mem + [
        "--no-pci", "-l", "0-1", "--file-prefix", PREFIX, "--vdev", "net_null0,no-rx=1",
        "--vdev", "net_null1,no-rx=1", "--", "--config", conf],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    res = {}
    try:
        t0 = time.monotonic()
        while routes(a.mpgwctl).get("mirror") != "on":
            if p.poll() is not None or time.monotonic() - t0 > 60:
                raise RuntimeError("mpgw did not start: see %s" % log.name)
            time.sleep(0.2)
        for cmd in (["ip", "link", "set", "lo", "up"],
                    ["ip", "addr", "add", "10.200.0.1/16", "dev", "rsa"],
                    ["ip", "-6", "addr", "add", "fd00:201::1/64", "dev", "rsb", "nodad"]):
            sh("ip", "netns", "exec", NS, *cmd)
        # The gateways must be resolvable for the kernel to accept the routes' nexthops.
        sh("ip", "netns", "exec", NS, "ip", "neigh", "replace", "10.200.0.2", "lladdr",
           "02:00:00:00:99:01", "dev", "rsa", "nud", "permanent")
        sh("ip", "netns", "exec", NS, "ip", "-6", "neigh", "replace", "fd00:201::2", "lladdr",
           "02:00:00:00:99:02", "dev", "rsb", "nud", "permanent")
        add = batch_file(os.path.join(tmp, "add.batch"), a.v4, a.v6)
        base = routes(a.mpgwctl)
        t0 = time.monotonic()
        k = subprocess.Popen(["ip", "netns", "exec", NS, "ip", "-force", "-batch", add])
        t_kernel = t_mirror = t_fib = None
        while time.monotonic() - t0 < a.timeout:
            if t_kernel is None and k.poll() is not None:
                t_kernel = time.monotonic() - t0
            r = routes(a.mpgwctl)
            now = time.monotonic() - t0
            if t_mirror is None and r.get("kernel_routes4", 0) >= a.v4 and \
                    r.get("kernel_routes6", 0) >= a.v6:
                t_mirror = now
            if t_fib is None and r.get("fib_entries4", 0) >= base.get("fib_entries4", 0) + a.v4 \
                    and r.get("fib_entries6", 0) >= base.get("fib_entries6", 0) + a.v6:
                t_fib = now
            if t_kernel is not None and t_fib is not None:
                break
            time.sleep(0.05)
        k.wait()
        res = {"kernel_s": t_kernel, "mirror_s": t_mirror, "fib_s": t_fib, "last": routes(a.mpgwctl)}
        if t_fib is not None:
            res["one"] = one_change(a.mpgwctl)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGINT)
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        sh("ip", "netns", "del", NS, check=False)
        subprocess.run(["rm", "-rf", tmp, "/var/run/dpdk/" + PREFIX])

    def s(v):
        return "%.1f s" % v if v is not None else "not within %.0f s" % a.timeout
    last = res.get("last", {})
    print("## Route sync: mirroring the kernel's table (issue 7)\n")
    print("`scripts/bench/route_sync.py --v4 %d --v6 %d%s` (%s): %d IPv4 /24 and %d IPv6 /48 "
          "routes added to the twins with `ip -batch`, timed from the batch's start.\n" % (
              a.v4, a.v6, " --rcvbuf %d" % a.rcvbuf if a.rcvbuf else "",
              "2 MiB hugepages" if a.huge else "--no-huge", a.v4, a.v6))
    print("| step | time |\n|---|---:|")
    print("| the kernel takes them (`ip -batch` returns) | %s |" % s(res.get("kernel_s")))
    print("| mpgw's mirror holds them all | %s |" % s(res.get("mirror_s")))
    print("| the live FIB version holds them all (the data path forwards by them) | %s |" % s(
        res.get("fib_s")))
    print("| the last FIB build and publish | %s ms |" % last.get("last_build_ms", "?"))
    one = res.get("one")
    if one:
        print("| then one more route: `ip route add` until the live FIB has it | %.0f ms |" % (
            1000 * one["s"]))
        print("| its batch: first change to the data path (`last_sync_ms`); its build and "
              "publish | %s ms; %s ms |" % (one["sync_ms"], one["build_ms"]))
    print("\nMirror: %s events, %s builds, %s build errors, %s resyncs (overruns answered by a "
          "new dump)." % (last.get("events"), last.get("builds"), last.get("build_errors"),
                          last.get("resyncs")))
    # A figure, not a pass: only a mirror that never filled means the harness is broken.
    return 0 if res.get("mirror_s") is not None else 1


if __name__ == "__main__":
    sys.exit(main())
