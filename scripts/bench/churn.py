# SPDX-License-Identifier: BSD-3-Clause
"""The kernel's side of the route-churn mix (bench.py, `-churn` mixes): mpgw forwards with
kernel twins (`twins = yes`) in a network namespace of its own; the kernel first gets a
full table on the twins (IPv4 /24s and IPv6 /48s, as in route_sync.py), then, while the
forwarding rate is measured, a churn loop adds and deletes a block of other routes with
`ip -batch`, pinned to core 0 (the control thread's; the worker is on core 1). Every batch
makes mpgw build and publish a FIB version of the whole table.
"""
import os
import subprocess
import threading
import time

import route_sync

NS = "mpgwbench-churn"
GW4, GW6 = "10.0.2.2", "fd00:2::2"  # bench.py's MPGW_CONFIG: wan0's neighbours
CHURN_FIRST4 = 60  # the churned block: 60.0.0.0/24 on, away from the table and the traffic
TABLE_FIRST4, TABLE_FIRST6 = 11, 0x2400
# mpgw's netlink_rcvbuf: the changes that come while a build runs (a second at a full
# table) must fit, else each build overruns the socket and a dump of the table follows.
RCVBUF = 128 << 20


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode:
        raise RuntimeError("%s: %s" % (" ".join(cmd), r.stderr.strip()))
    return r.stdout


def in_ns(*cmd, check=True):
    return sh("ip", "netns", "exec", NS, *cmd, check=check)


def ns_up():
    ns_down()
    sh("ip", "netns", "add", NS)


def ns_down():
    sh("ip", "netns", "del", NS, check=False)


def routes(tel):
    return tel.query("/mpgw/routes")["/mpgw/routes"]


def load_table(tel, workdir, v4, v6, sink_mac, timeout=300):
    """The twins' addresses and the gateways' neighbours, then the table: returns once the
    live FIB version holds it (seconds taken)."""
    for cmd in (["ip", "link", "set", "lo", "up"],
                ["ip", "addr", "add", "10.0.2.1/24", "dev", "wan0"],
                ["ip", "-6", "addr", "add", "fd00:2::1/64", "dev", "wan0", "nodad"]):
        in_ns(*cmd)
    for gw in (GW4, GW6):
        in_ns("ip", "neigh", "replace", gw, "lladdr", sink_mac, "dev", "wan0", "nud", "permanent")
    add = route_sync.batch_file(os.path.join(workdir, "churn-table.batch"), v4, v6,
                                via4=(GW4, "wan0"), via6=(GW6, "wan0"),
                                first4=TABLE_FIRST4, first6=TABLE_FIRST6)
    base = routes(tel)
    t0 = time.monotonic()
    in_ns("ip", "-force", "-batch", add)
    while True:
        r = routes(tel)
        if (r.get("fib_entries4", 0) >= base.get("fib_entries4", 0) + v4 and
                r.get("fib_entries6", 0) >= base.get("fib_entries6", 0) + v6):
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise RuntimeError("the kernel's %d + %d routes not in mpgw's FIB after %.0f s: %s"
                               % (v4, v6, timeout, r))
        time.sleep(0.2)


class Churn:
    """Adds then deletes `n` IPv4 /24s in a loop until stopped; counts the routes changed."""

    def __init__(self, workdir, n):
        self.add = route_sync.batch_file(os.path.join(workdir, "churn-add.batch"), n, 0,
                                         via4=(GW4, "wan0"), first4=CHURN_FIRST4)
        self.dele = route_sync.batch_file(os.path.join(workdir, "churn-del.batch"), n, 0,
                                          via4=(GW4, "wan0"), first4=CHURN_FIRST4, verb="del")
        self.n = n
        self.changed = 0
        self.error = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        try:
            while not self.stopping.is_set():
                for batch in (self.add, self.dele):
                    sh("taskset", "-c", "0", "ip", "netns", "exec", NS,
                       "ip", "-force", "-batch", batch)
                    self.changed += self.n
        except Exception as e:  # reported with the figure
            self.error = str(e)

    def start(self):
        self.t0 = time.monotonic()
        self.thread.start()

    def stop(self):
        """Routes changed per second while it ran."""
        self.stopping.set()
        self.thread.join()
        return self.changed / max(1e-9, time.monotonic() - self.t0)
