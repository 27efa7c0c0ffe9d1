# SPDX-License-Identifier: BSD-3-Clause
"""mpgw benchmark orchestrator: testpmd io, l3fwd (LPM), mpgw and the Linux kernel on the
same core and the same packets, in one run. Started by scripts/bench.sh (which builds mpgw
and l3fwd); run with /usr/bin/python3 as root.

Each DPDK program replays a pcap from memory (net_pcap, infinite_rx=1) into a sink
(net_null, no-rx=1); its one forwarding lcore is core 1. The rate is the sink port's
`opackets` from DPDK's telemetry (/ethdev/stats,1), the same for all three programs, over
N windows after a warm-up. The kernel figure uses testpmd as a generator (core 1) into a
veth of a router namespace whose packets are processed on core 0 (RPS), and counts the
router's egress veth tx_packets.

The `-churn` mix runs mpgw alone, with kernel twins in a network namespace: the kernel
gets a full table on the twins, then the rate is measured twice, with the table still
(the mix's figure) and while a churn loop adds and deletes routes (churn.py).
"""
import argparse
import datetime
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import churn  # noqa: E402
import pcapgen  # noqa: E402
import telemetry  # noqa: E402

WORKER_CORE = 1
SINK_MAC = "02:00:00:00:02:02"
MBUF_BYTES = 4200  # per mbuf: with --no-huge (4 KiB pages) an object may not cross a page
MBUF_HEADROOM = 16384  # mbufs beyond the pcap's: rings, per-lcore caches, bursts in flight

MPGW_CONFIG = """[mpgw]
idle_sleep_us = 0
mbufs = {mbufs}
[port lan0]
device = {source_dev}
mac = 02:00:00:00:01:01
address = 10.0.1.1/24
address = fd00:1::1/64
[port wan0]
device = net_null0
# below the SYN mixes' MSS 1460: every SYN is clamped (a fixed clamp touches no other packet)
mss_clamp = 1400
address = 10.0.2.1/24
address = fd00:2::1/64
[routes]
# the same destinations as l3fwd's built-in LPM routes to port 1
route = 198.18.0.0/15 via 10.0.2.2
route = 2001:200::/48 via fd00:2::2
[neighbours]
neighbour = 10.0.2.2 02:00:00:00:02:02
neighbour = fd00:2::2 02:00:00:00:02:02
"""


# The gateway mixes. Encap: the plain IPv6 64 B traffic arrives on a gateway's LAN port and
# leaves as 6in4 by an uplink (l3fwd and testpmd forward the same packets plainly: the
# ratio to l3fwd is the design's "gateway mix against plain forwarding"). Decap: 6in4
# from the VPS arrives on the uplink and its inner IPv6 leaves by the LAN port (l3fwd
# routes the same packets on their outer address).
MPGW_GATEWAY_CONFIG = """[mpgw]
idle_sleep_us = 0
mbufs = {mbufs}
role = gateway
[port {first}]
device = {source_dev}
mac = 02:00:00:00:01:01
{first_keys}
[port {second}]
device = net_null0
{second_keys}
[vps]
address = 203.0.113.10
[uplinks]
# net_null answers no health probe: the uplink is alive with its link.
probe_interval_ms = 0
[routes]
{routes}
[neighbours]
neighbour = 198.18.1.254 02:00:00:00:02:02
neighbour = fd00:1::fe 02:00:00:00:02:02
"""
LAN_KEYS = "address = 10.0.1.1/24\naddress = fd00:1::1/64"
UPLINK_KEYS = "uplink = yes\naddress = 198.18.1.1/24\ngateway = 198.18.1.254"


class Mix:
    def __init__(self, family, size, flows, role=None, source="pcap", churn=False):
        """role: None (plain routing), "encap" or "decap" (the gateway mixes). source: "pcap"
        (net_pcap replays a pcap of one packet per flow) or "flowgen" (mpgw-flowgen writes
        the flow number into the 1k-flow pcap's packets as it sends them, through memif).
        churn: mpgw alone, with kernel twins, a full table and route churn (churn.py)."""
        self.family, self.size, self.flows, self.role = family, size, flows, role
        self.source, self.churn = source, churn

    @property
    def template(self):
        """The flowgen source's template mix: the same traffic with 1k flows."""
        return Mix(self.family, self.size, 1000, self.role)

    @property
    def pcap_name(self):
        size = "6in4" if self.role == "decap" else self.size
        return "ipv%d-%s-%s" % (self.family, size, human(self.flows))

    @property
    def name(self):
        return (self.pcap_name + ("-" + self.role if self.role else "") +
                ("-flowgen" if self.source == "flowgen" else "") + ("-churn" if self.churn else ""))

    @property
    def label(self):
        if self.role == "encap":
            return "IPv6 64 B into 6in4 (gateway%s)" % (
                ", flowgen" if self.source == "flowgen" else "")
        if self.role == "decap":
            return "6in4 to IPv6 (gateway)"
        return "IPv%d %s" % (self.family, {"64": "64 B", "imix": "IMIX", "syn": "TCP SYN"}[self.size])


def human(n):
    return "%dM" % (n // 1000000) if n >= 1000000 else "%dk" % (n // 1000)


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


class Proc:
    """A program under test, started in its own session, always stopped."""

    def __init__(self, name, cmd, logdir, env=None):
        self.name = name
        self.logpath = os.path.join(logdir, name + ".log")
        self.logfh = open(self.logpath, "w")
        self.logfh.write("$ %s\n" % " ".join(shlex.quote(c) for c in cmd))
        self.logfh.flush()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=self.logfh,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     env=env)

    def alive(self):
        return self.proc.poll() is None

    def tail(self, n=15):
        with open(self.logpath) as fh:
            return "".join(fh.readlines()[-n:])

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                log("%s did not stop on SIGINT: killing it" % self.name)
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.logfh.close()
        return self.proc.returncode


class Bench:
    def __init__(self, args):
        self.a = args
        self.results = {}  # (mix.name, program) -> dict
        self.tsc_hz = None
        self.procs = []
        os.makedirs(args.workdir, exist_ok=True)
        self.pcapdir = os.path.join(args.workdir, "pcaps")
        self.logdir = os.path.join(args.workdir, "logs")
        os.makedirs(self.pcapdir, exist_ok=True)
        os.makedirs(self.logdir, exist_ok=True)

    # --- traffic -----------------------------------------------------------------------

    def pcap(self, mix):
        if mix.source == "flowgen":
            return self.pcap(mix.template)
        path = os.path.join(self.pcapdir, mix.pcap_name + ".pcap")
        if not os.path.exists(path):
            t = time.monotonic()
            size = "6in4" if mix.role == "decap" else mix.size
            n = pcapgen.write(path + ".tmp", mix.family, size, mix.flows)
            os.rename(path + ".tmp", path)
            log("wrote %s: %d packets in %.1f s" % (path, n, time.monotonic() - t))
        return path

    # --- the DPDK programs ---------------------------------------------------------------

    def eal(self, prefix, source, mbufs, pools=1, lcores="0-1", extra_mb=0):
        """source: a pcap to replay, or a memif socket to receive from. extra_mb: memory
        beyond the mbufs' without hugepages."""
        if source.endswith(".sock"):
            # Zero-copy (the receiver's mbufs are the shared buffers) needs hugepages.
            vdev = "net_memif0,role=client,socket=%s,socket-abstract=no%s" % (
                source, ",zero-copy=yes" if self.a.huge else "")
        else:
            vdev = "net_pcap0,rx_pcap=%s,infinite_rx=1" % source
        if self.a.huge:
            # 2 MiB pages, as a production gateway runs: a 1M-flow working set on 4 KiB
            # pages is mostly TLB misses. Hugepage memory is taken as needed (-m unset).
            mem = ["--huge-dir", self.a.huge, "--single-file-segments"]
        else:
            mem = ["--no-huge", "-m",
                   str(int(pools * mbufs * MBUF_BYTES / (1 << 20)) + 512 + extra_mb)]
        return mem + ["--no-pci", "-l", lcores, "--file-prefix", prefix, "--vdev", vdev,
                "--vdev", "net_null0,no-rx=1"]

    def cmd_testpmd(self, source, mbufs, mix):
        prefix = "mpgwbench-testpmd"
        return prefix, [self.a.testpmd] + self.eal(prefix, source, mbufs) + [
            "--", "--forward-mode=io", "--auto-start", "--total-num-mbufs=%d" % mbufs], None

    def cmd_l3fwd(self, source, mbufs, mix):
        # l3fwd opens one TX queue per lcore and net_pcap has one: run it on the worker
        # core alone (its main lcore forwards), the same core 1 as the others' worker.
        prefix = "mpgwbench-l3fwd"
        env = dict(os.environ, L3FWD_BENCH_NB_MBUF=str(mbufs))
        return prefix, [self.a.l3fwd] + self.eal(prefix, source, mbufs, pools=2,
                                                  lcores=str(WORKER_CORE)) + [
            "--", "-p", "0x3", "--lookup=lpm", "--parse-ptype",
            "--config=(0,0,%d),(1,0,%d)" % (WORKER_CORE, WORKER_CORE),
            "--eth-dest=1,%s" % SINK_MAC], env

    def cmd_mpgw(self, source, mbufs, mix):
        prefix = "mpgwbench-mpgw"
        conf = os.path.join(self.a.workdir, "mpgw-bench.ini")
        if mix.role == "encap":
            # No route: the policy tunnels everything from the LAN.
            text = MPGW_GATEWAY_CONFIG.format(mbufs=mbufs, first="lan0", first_keys=LAN_KEYS,
                                              source_dev=self.source_dev(mix),
                                              second="wan0", second_keys=UPLINK_KEYS, routes="")
        elif mix.role == "decap":
            # The inner destinations are behind a LAN router.
            text = MPGW_GATEWAY_CONFIG.format(mbufs=mbufs, first="wan0", first_keys=UPLINK_KEYS,
                                              source_dev=self.source_dev(mix),
                                              second="lan0", second_keys=LAN_KEYS,
                                              routes="route = 2001:200::/48 via fd00:1::fe")
        else:
            text = MPGW_CONFIG.format(mbufs=mbufs, source_dev=self.source_dev(mix))
        if mix.churn:
            # Twins (TAPs named after the ports) in the churn namespace: two FIB versions
            # of the full table (600 MiB each at 1M + 200k routes) live during a publish.
            text = text.replace("[mpgw]\n", "[mpgw]\ntwins = yes\nnetlink_rcvbuf = %d\n"
                                % churn.RCVBUF, 1)
            with open(conf, "w") as fh:
                fh.write(text)
            return prefix, ["ip", "netns", "exec", churn.NS, self.a.mpgw] + self.eal(
                prefix, source, mbufs, extra_mb=3072) + ["--", "--config", conf], None
        with open(conf, "w") as fh:
            fh.write(text)
        return prefix, [self.a.mpgw] + self.eal(prefix, source, mbufs) + [
            "--", "--config", conf], None

    @staticmethod
    def source_dev(mix):
        return "net_memif0" if mix.source == "flowgen" else "net_pcap0"

    def start_flowgen(self, program, mix):
        """mpgw-flowgen on core 0 (the programs' main lcore, idle), serving a memif socket."""
        prefix = "mpgwbench-flowgen"
        sock = os.path.join(self.a.workdir, "flowgen.sock")
        for path in (sock, "/var/run/dpdk/" + prefix):
            subprocess.run(["rm", "-rf", path])
        mem = (["--huge-dir", self.a.huge, "--single-file-segments", "-m", "256"] if self.a.huge
               else ["--no-huge", "-m", "256"])
        cmd = [self.a.flowgen] + mem + [
            "--no-pci", "-l", "0", "--file-prefix", prefix,
            "--vdev", "net_memif0,role=server,socket=%s,socket-abstract=no" % sock,
            "--", "--pcap", self.pcap(mix.template), "--flows", str(mix.flows)]
        self.cmdlines.setdefault("flowgen", cmd)
        g = Proc("flowgen-%s-%s" % (program, mix.name), cmd, self.logdir)
        self.procs.append(g)
        # A memif client connects once, at start: the socket must be there first.
        t0 = time.monotonic()
        while not os.path.exists(sock):
            if not g.alive() or time.monotonic() - t0 > 60:
                g.stop()
                self.procs.remove(g)
                raise RuntimeError("flowgen did not start:\n%s" % g.tail())
            time.sleep(0.05)
        return g, sock

    def measure_dpdk(self, program, mix):
        gen = None
        if mix.source == "flowgen":
            try:
                gen, source = self.start_flowgen(program, mix)
            except RuntimeError as e:
                log("flowgen for %s on %s failed: %s" % (program, mix.name, e))
                self.results[(mix.name, program)] = {"ok": False, "error": "flowgen: " + str(e)}
                return
            mbufs = MBUF_HEADROOM
        else:
            source = self.pcap(mix)
            mbufs = pcapgen.packet_count(mix.flows, mix.size) + MBUF_HEADROOM
        prefix, cmd, env = getattr(self, "cmd_" + program)(source, mbufs, mix)
        self.cmdlines.setdefault(program + (" (churn)" if mix.churn else ""), cmd)
        subprocess.run(["rm", "-rf", "/var/run/dpdk/" + prefix])
        if mix.churn:
            churn.ns_up()
        p = Proc("%s-%s" % (program, mix.name), cmd, self.logdir, env)
        self.procs.append(p)
        res = {"ok": False}
        try:
            t0 = time.monotonic()
            tel = None
            while tel is None:
                if not p.alive():
                    raise RuntimeError("%s exited during start-up:\n%s" % (program, p.tail()))
                try:
                    tel = telemetry.Telemetry(prefix, timeout=1)
                except RuntimeError:
                    if time.monotonic() - t0 > 120:
                        raise
            # Wait for traffic to flow (the ports come up after the telemetry socket, late
            # with a 1M-packet pcap to load), then warm up.
            while (tel.ethdev_stats(1) or {}).get("opackets", 0) == 0:
                if not p.alive() or time.monotonic() - t0 > 120:
                    raise RuntimeError("%s forwards nothing:\n%s" % (program, p.tail()))
                time.sleep(0.1)
            res["startup_s"] = time.monotonic() - t0
            if mix.churn:
                v4, v6 = self.a.churn_table
                res["table_s"] = churn.load_table(tel, self.a.workdir, v4, v6, SINK_MAC)
                log("mpgw     %-18s the kernel's %d + %d routes in the FIB in %.1f s" % (
                    mix.name, v4, v6, res["table_s"]))
            time.sleep(self.a.warmup)
            if program == "mpgw":
                info = tel.query("/mpgw/info")["/mpgw/info"]
                self.tsc_hz = int(info["tsc_hz"])
                graph0 = tel.query("/mpgw/graph")["/mpgw/graph"]
                drops0 = tel.query("/mpgw/drops")["/mpgw/drops"]
                flows0 = tel.query("/mpgw/flows")["/mpgw/flows"]["total"]
            res["rates"], res["fwd_ratio"] = self.windows(tel)
            if program == "mpgw":
                graph1 = tel.query("/mpgw/graph")["/mpgw/graph"]
                drops1 = tel.query("/mpgw/drops")["/mpgw/drops"]
                flows1 = tel.query("/mpgw/flows")["/mpgw/flows"]["total"]
                # flow table churn over the windows: a table too small for the flows
                # evicts live ones and creates them again on their next packet
                res["flows"] = {"live": flows1["live"], "capacity": flows1["capacity"],
                                "created": flows1["created"] - flows0["created"],
                                "evicted": flows1["evicted"] - flows0["evicted"]}
                res["drops"] = {k: drops1[k] - drops0.get(k, 0) for k in drops1
                                if drops1[k] - drops0.get(k, 0)}
                # graph snapshots bracket the windows (plus a few telemetry round trips)
                pkts = sum(v["objs"] - graph0[n]["objs"] for n, v in graph1.items()
                           if n == "mpgw_tx")
                nodes = {}
                for n, v in graph1.items():
                    objs = v["objs"] - graph0[n]["objs"]
                    cyc = v["cycles"] - graph0[n]["cycles"]
                    calls = v["calls"] - graph0[n]["calls"]
                    if objs or cyc:
                        nodes[n] = {"objs": objs, "calls": calls, "cycles": cyc,
                                    "per_obj": cyc / objs if objs else 0.0,
                                    "per_fwd": cyc / pkts if pkts else 0.0}
                res["nodes"] = nodes
            if mix.churn:
                self.measure_churn(tel, res)
            tel.close()
            res["ok"] = True
        except Exception as e:  # one broken figure must not lose the others
            res["error"] = str(e).strip().splitlines()[0] if str(e).strip() else repr(e)
            log("%s on %s failed: %s" % (program, mix.name, e))
        finally:
            if gen:  # first: a memif peer that goes away under a sender may crash it
                gen.stop()
                self.procs.remove(gen)
            rc = p.stop()
            self.procs.remove(p)
            subprocess.run(["rm", "-rf", "/var/run/dpdk/" + prefix])
            if mix.churn:
                churn.ns_down()
        if res["ok"] and rc != 0:
            log("%s exited with status %s (see %s)" % (program, rc, p.logpath))
        if res["ok"]:
            log("%-8s %-18s %7.2f Mpps (startup %.1f s, fwd/rx %.3f)%s%s" % (
                program, mix.name, statistics.median(res["rates"]) / 1e6, res["startup_s"],
                res["fwd_ratio"],
                (" drops %s" % res["drops"]) if res.get("drops") else "",
                (" flows %s" % res["flows"]) if res.get("flows") else ""))
        self.results[(mix.name, program)] = res

    def windows(self, tel, whole=False):
        """The forwarding rate over the measurement windows, and the least share of what
        port 0 received that port 1 sent in any of them (whole: over all of them, when the
        two ports' counters may be read far apart, as with the control core busy)."""
        rates, fwd = [], []
        first = tel.ethdev_stats(1), tel.ethdev_stats(0)
        for _ in range(self.a.windows):
            s0, r0, c0 = tel.ethdev_stats(1), tel.ethdev_stats(0), time.monotonic()
            time.sleep(self.a.window)
            s1, r1, c1 = tel.ethdev_stats(1), tel.ethdev_stats(0), time.monotonic()
            tx = s1["opackets"] - s0["opackets"]
            rx = r1["ipackets"] - r0["ipackets"]
            rates.append(tx / (c1 - c0))
            fwd.append(tx / rx if rx else 0.0)
        if whole:
            tx, rx = s1["opackets"] - first[0]["opackets"], r1["ipackets"] - first[1]["ipackets"]
            return rates, tx / rx if rx else 0.0
        return rates, min(fwd)

    def measure_churn(self, tel, res):
        """The same windows again while the kernel's routes churn."""
        c = churn.Churn(self.a.workdir, self.a.churn_routes)
        r0 = churn.routes(tel)
        drops0 = tel.query("/mpgw/drops")["/mpgw/drops"]
        c.start()
        try:
            time.sleep(1.0)  # the first builds of the churn
            b0 = churn.routes(tel)
            res["churn_rates"], res["churn_fwd_ratio"] = self.windows(tel, whole=True)
            b1 = churn.routes(tel)
        finally:
            res["churn_per_s"] = c.stop()
        if c.error:
            raise RuntimeError("churn: " + c.error)
        drops1 = tel.query("/mpgw/drops")["/mpgw/drops"]
        res["churn_drops"] = {k: drops1[k] - drops0.get(k, 0) for k in drops1
                              if drops1[k] - drops0.get(k, 0)}
        res["churn_builds"] = b1["builds"] - b0["builds"]
        res["churn_resyncs"] = b1["resyncs"] - r0["resyncs"]
        res["churn_errors"] = b1["build_errors"] - r0["build_errors"]
        res["churn_build_ms"] = float(b1["last_build_ms"])
        res["churn_sync_ms"] = float(b1["last_sync_ms"])
        res["churn_window_s"] = self.a.windows * self.a.window
        log("mpgw     %-18s %7.2f Mpps during churn (windows %s; %.0f routes/s, %d builds in "
            "%.0f s, last %.0f ms)" % (
                "", statistics.median(res["churn_rates"]) / 1e6,
                " ".join("%.1f" % (r / 1e6) for r in res["churn_rates"]), res["churn_per_s"],
                res["churn_builds"], res["churn_window_s"], res["churn_build_ms"]))

    # --- the Linux kernel --------------------------------------------------------------

    NS = ("mpgwbench-gen", "mpgwbench-rt", "mpgwbench-sink")

    def sh(self, *cmd, ns=None, check=True):
        full = (["ip", "netns", "exec", ns] if ns else []) + list(cmd)
        r = subprocess.run(full, capture_output=True, text=True)
        if check and r.returncode:
            raise RuntimeError("%s: %s" % (" ".join(full), r.stderr.strip()))
        return r.stdout

    def netns_down(self):
        for ns in self.NS:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def netns_up(self):
        self.netns_down()
        gen, rt, sink = self.NS
        for ns in self.NS:
            self.sh("ip", "netns", "add", ns)
        self.sh("ip", "link", "add", "gen0", "netns", gen, "address", "02:00:00:00:00:01",
                "type", "veth", "peer", "name", "rt0", "netns", rt, "address", "02:00:00:00:01:01")
        self.sh("ip", "link", "add", "rt1", "netns", rt, "address", "02:00:00:00:01:02",
                "type", "veth", "peer", "name", "sink0", "netns", sink, "address", SINK_MAC)
        for ns, dev in ((gen, "gen0"), (rt, "rt0"), (rt, "rt1"), (sink, "sink0")):
            self.sh("ip", "link", "set", dev, "up", ns=ns)
        for key in ("net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                    "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                    "net.ipv4.conf.rt0.rp_filter=0"):
            self.sh("sysctl", "-qw", key, ns=rt)
        self.sh("ip", "addr", "add", "10.0.1.1/24", "dev", "rt0", ns=rt)
        self.sh("ip", "addr", "add", "fd00:1::1/64", "dev", "rt0", "nodad", ns=rt)
        self.sh("ip", "addr", "add", "10.0.2.1/24", "dev", "rt1", ns=rt)
        self.sh("ip", "addr", "add", "fd00:2::1/64", "dev", "rt1", "nodad", ns=rt)
        self.sh("ip", "neigh", "replace", "10.0.2.2", "lladdr", SINK_MAC, "dev", "rt1",
                "nud", "permanent", ns=rt)
        self.sh("ip", "neigh", "replace", "fd00:2::2", "lladdr", SINK_MAC, "dev", "rt1",
                "nud", "permanent", ns=rt)
        self.sh("ip", "route", "add", "198.18.0.0/15", "via", "10.0.2.2", ns=rt)
        self.sh("ip", "-6", "route", "add", "2001:200::/48", "via", "fd00:2::2", ns=rt)
        nft = ("table inet mpgwbench {\n chain forward {\n"
               "  type filter hook forward priority 0; policy accept;\n"
               "  tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu\n }\n}\n")
        r = subprocess.run(["ip", "netns", "exec", rt, "nft", "-f", "-"], input=nft,
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("nft: " + r.stderr.strip())
        # Process the router's packets on core 0 (the generator busy-polls core 1).
        self.sh("sh", "-c", "echo 1 > /sys/class/net/rt0/queues/rx-0/rps_cpus", ns=rt)
        # The sink drops at ingress (nftables netdev hook), as early as the kernel can.
        r = subprocess.run(["ip", "netns", "exec", sink, "nft", "-f", "-"], input=(
            "table netdev mpgwbench {\n chain in {\n"
            "  type filter hook ingress device sink0 priority 0; policy drop;\n }\n}\n"),
            capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("nft (sink): " + r.stderr.strip())

    def cpu0(self):
        with open("/proc/stat") as fh:
            for line in fh:
                if line.startswith("cpu0 "):
                    v = [int(x) for x in line.split()[1:]]
                    return sum(v), v[3] + v[4]  # total, idle + iowait
        raise RuntimeError("no cpu0 in /proc/stat")

    def measure_kernel(self, mix):
        pcap = self.pcap(mix)
        mbufs = pcapgen.packet_count(mix.flows, mix.size) + MBUF_HEADROOM
        prefix = "mpgwbench-kgen"
        res = {"ok": False}
        p = None
        try:
            self.netns_up()
            mem = int(mbufs * MBUF_BYTES / (1 << 20)) + 512
            cmd = ["ip", "netns", "exec", self.NS[0], self.a.testpmd, "--no-huge", "-m", str(mem),
                   "--no-pci", "-l", "0-1", "--file-prefix", prefix,
                   "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap,
                   "--vdev", "net_af_packet0,iface=gen0",
                   "--", "--forward-mode=io", "--auto-start", "--total-num-mbufs=%d" % mbufs]
            self.cmdlines.setdefault("kernel (generator)", cmd)
            subprocess.run(["rm", "-rf", "/var/run/dpdk/" + prefix])
            p = Proc("kernel-%s" % mix.name, cmd, self.logdir)
            self.procs.append(p)
            stat = "/sys/class/net/rt1/statistics/tx_packets"

            def txp():
                return int(self.sh("cat", stat, ns=self.NS[1]))
            # The router sends a few packets of its own (IPv6 ND) on link up: wait until
            # the generator transmits and the router forwards, then warm up.
            t0 = time.monotonic()
            tel = None
            base = txp()
            while True:
                if not p.alive() or time.monotonic() - t0 > 120:
                    raise RuntimeError("kernel forwards nothing:\n%s" % p.tail())
                try:
                    tel = tel or telemetry.Telemetry(prefix, timeout=1)
                    sent = (tel.ethdev_stats(1) or {}).get("opackets", 0)
                except RuntimeError:
                    sent = 0
                if sent > 0 and txp() > base + 1000:
                    break
                time.sleep(0.2)
            tel.close()
            res["startup_s"] = time.monotonic() - t0
            time.sleep(self.a.warmup)
            rates, busy = [], []
            for _ in range(self.a.windows):
                n0, (tot0, idle0), c0 = txp(), self.cpu0(), time.monotonic()
                time.sleep(self.a.window)
                n1, (tot1, idle1), c1 = txp(), self.cpu0(), time.monotonic()
                rates.append((n1 - n0) / (c1 - c0))
                busy.append(1.0 - (idle1 - idle0) / max(1, tot1 - tot0))
            res["rates_raw"] = rates
            res["busy"] = busy
            # per core: the rate core 0 would reach fully busy at the measured cost
            res["rates"] = [r / max(b, 0.01) for r, b in zip(rates, busy)]
            if statistics.median(rates) <= 0:
                raise RuntimeError("the kernel forwarded nothing during the windows")
            res["ok"] = True
        except Exception as e:
            res["error"] = str(e).strip().splitlines()[0]
            log("kernel on %s failed: %s" % (mix.name, e))
        finally:
            if p:
                p.stop()
                self.procs.remove(p)
            subprocess.run(["rm", "-rf", "/var/run/dpdk/" + prefix])
            self.netns_down()
        if res["ok"]:
            log("%-8s %-18s %7.2f Mpps at %.0f%% of core 0 -> %.2f Mpps per core" % (
                "kernel", mix.name, statistics.median(res["rates_raw"]) / 1e6,
                100 * statistics.median(res["busy"]), statistics.median(res["rates"]) / 1e6))
        self.results[(mix.name, "kernel")] = res

    # --- run and report ------------------------------------------------------------------

    def run(self, mixes, kernel_mixes):
        self.cmdlines = {}
        t = time.monotonic()
        for mix in mixes:
            self.pcap(mix)
        for mix in mixes:
            for program in self.a.programs:
                if not mix.churn or program == "mpgw":
                    self.measure_dpdk(program, mix)
            if mix.name in kernel_mixes:
                self.measure_kernel(mix)
        self.elapsed = time.monotonic() - t

    def cleanup(self):
        for p in list(self.procs):
            p.stop()
        self.netns_down()
        churn.ns_down()


def med(res):
    return statistics.median(res["rates"])


def spread(res):
    r = res["rates"]
    m = statistics.median(r)
    return 100.0 * (max(r) - min(r)) / m if m else 0.0


def machine():
    model = "?"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    hv = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    hyper = ""
    for line in hv.splitlines():
        if line.startswith("Hypervisor vendor"):
            hyper = " under " + line.split(":", 1)[1].strip()
    with open("/proc/meminfo") as fh:
        mem = int(fh.readline().split()[1]) / (1 << 20)
    dpdk = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "dpdk"], capture_output=True,
                          text=True).stdout or "?"
    rev = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe",
                          "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
    return {"cpu": model + hyper, "cores": os.cpu_count(), "mem": "%.0f GiB" % mem,
            "kernel": platform.release(), "dpdk": dpdk, "rev": rev or "?"}


def report(b, mixes, args):
    R = b.results
    hz = b.tsc_hz
    m = machine()
    out = []
    w = out.append

    def cell(res, ratio_of=None):
        if not res or not res.get("ok"):
            return "n/a" if not res else "failed"
        s = "%.2f ±%.0f%%" % (med(res) / 1e6, spread(res))
        if hz:
            s += " (%.0f cyc)" % (hz / med(res))
        return s

    def ratio(a, b_):
        if a and b_ and a.get("ok") and b_.get("ok"):
            return "%.2f" % (med(a) / med(b_))
        return "n/a"

    w("| mix | flows | testpmd io | l3fwd LPM | mpgw | Linux + nft | mpgw / testpmd | mpgw / l3fwd |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for mix in (x for x in mixes if not x.churn):
        g = lambda p: R.get((mix.name, p))  # noqa: E731
        w("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            mix.label, human(mix.flows), cell(g("testpmd")), cell(g("l3fwd")), cell(g("mpgw")),
            cell(g("kernel")) if g("kernel") else "—", ratio(g("mpgw"), g("testpmd")),
            ratio(g("mpgw"), g("l3fwd"))))
    table = "\n".join(out)

    out.clear()
    w("| goal | measured | met |")
    w("|---|---:|:---:|")
    v4 = [x for x in mixes if x.family == 4 and x.size == "64"]
    for mix in v4[:1]:
        a, l3 = R.get((mix.name, "mpgw")), R.get((mix.name, "l3fwd"))
        if a and l3 and a.get("ok") and l3.get("ok"):
            r = med(a) / med(l3)
            w("| plain IPv4 64 B %s flows: mpgw ≥ 1.0 × l3fwd | %.2f | %s |" % (
                human(mix.flows), r, "yes" if r >= 1.0 else "**no**"))
    for fam in (4, 6):
        lo = R.get(("ipv%d-64-1k" % fam, "mpgw"))
        hi = R.get(("ipv%d-64-1M" % fam, "mpgw"))
        if lo and hi and lo.get("ok") and hi.get("ok"):
            r = med(hi) / med(lo)
            w("| IPv%d 64 B: mpgw 1M flows ≥ 0.85 × 1k flows | %.2f | %s |" % (
                fam, r, "yes" if r >= 0.85 else "**no**"))
        for p in ("testpmd", "l3fwd"):
            lo2, hi2 = R.get(("ipv%d-64-1k" % fam, p)), R.get(("ipv%d-64-1M" % fam, p))
            if lo2 and hi2 and lo2.get("ok") and hi2.get("ok"):
                w("| (for reference) IPv%d 64 B: %s 1M / 1k flows | %.2f | |" % (
                    fam, p, med(hi2) / med(lo2)))
    enc = R.get(("ipv6-64-1k-encap", "mpgw"))
    plain = R.get(("ipv6-64-1k-encap", "l3fwd"))
    if enc and plain and enc.get("ok") and plain.get("ok"):
        r = med(enc) / med(plain)
        w("| gateway mix (IPv6 into 6in4, 1k flows): mpgw ≥ 0.8 × l3fwd's plain forwarding | %.2f | %s |"
          % (r, "yes" if r >= 0.8 else "**no**"))
    # The flow table (issue 6): tunnelled flows each have an entry, placed and kept there.
    # Measured with mpgw-flowgen, whose cost is the same at 1k and 1M flows.
    for p in ("mpgw", "testpmd"):
        lo = R.get(("ipv6-64-1k-encap-flowgen", p))
        for n in ("100k", "1M"):
            hi = R.get(("ipv6-64-%s-encap-flowgen" % n, p))
            if lo and hi and lo.get("ok") and hi.get("ok"):
                r = med(hi) / med(lo)
                if p == "mpgw":
                    w("| gateway mix, flow table (flowgen): mpgw %s flows ≥ 0.85 × 1k flows | "
                      "%.2f | %s |" % (n, r, "yes" if r >= 0.85 else "**no**"))
                else:
                    w("| (for reference) the flowgen source: testpmd %s / 1k flows | %.2f | |"
                      % (n, r))
    goals = "\n".join(out)

    # per-node cycles per forwarded packet
    out.clear()
    mm = [x for x in mixes if not x.churn and R.get((x.name, "mpgw"), {}).get("nodes")]
    nodes = []
    for x in mm:
        for n in R[(x.name, "mpgw")]["nodes"]:
            if n not in nodes:
                nodes.append(n)
    order = ["mpgw_rx", "mpgw_eth_input", "mpgw_ip4_input", "mpgw_ip6_input", "mpgw_ip4_lookup",
             "mpgw_ip6_lookup", "mpgw_rewrite", "mpgw_tx"]
    nodes.sort(key=lambda n: (order.index(n) if n in order else len(order), n))
    if mm:
        w("| node | " + " | ".join("%s %s" % (x.label, human(x.flows)) for x in mm) + " |")
        w("|---|" + "---:|" * len(mm))
        for n in nodes:
            row = []
            for x in mm:
                d = R[(x.name, "mpgw")]["nodes"].get(n)
                row.append("%.1f" % d["per_fwd"] if d else "")
            w("| %s | %s |" % (n, " | ".join(row)))
        tot = [sum(d["per_fwd"] for d in R[(x.name, "mpgw")]["nodes"].values()) for x in mm]
        w("| **sum of nodes** | %s |" % " | ".join("**%.1f**" % t for t in tot))
        if hz:
            w("| whole loop (TSC Hz / rate) | %s |" % " | ".join(
                "%.1f" % (hz / med(R[(x.name, "mpgw")])) for x in mm))
        w("| packets per call (rx burst) | %s |" % " | ".join(
            "%.1f" % (R[(x.name, "mpgw")]["nodes"]["mpgw_rx"]["objs"] /
                      max(1, R[(x.name, "mpgw")]["nodes"]["mpgw_rx"]["calls"]))
            if "mpgw_rx" in R[(x.name, "mpgw")]["nodes"] else "" for x in mm))
    nodetable = "\n".join(out)

    out.clear()
    for mix in mixes:
        k = R.get((mix.name, "kernel"))
        if k and k.get("ok"):
            w("| %s %s | %.3f ±%.0f%% | %.0f%% | %.3f | %s |" % (
                mix.label, human(mix.flows), statistics.median(k["rates_raw"]) / 1e6,
                spread({"rates": k["rates_raw"]}),
                100 * statistics.median(k["busy"]), med(k) / 1e6,
                "%.0f" % (hz / med(k)) if hz else "?"))
    ktable = ""
    if out:
        ktable = ("| mix | forwarded Mpps | core 0 busy | Mpps per core (rate / busy) | cycles/pkt |\n"
                  "|---|---:|---:|---:|---:|\n" + "\n".join(out))

    out.clear()
    for mix in (x for x in mixes if x.churn):
        c = R.get((mix.name, "mpgw"))
        if not c or not c.get("ok"):
            continue
        still, moving = med(c), statistics.median(c["churn_rates"])
        w("| %s %s | %d + %d | %.1f s | %.2f ±%.0f%% | %.2f ±%.0f%% | %.2f | %.2f | %.0f | %d | "
          "%.0f ms | %.0f ms | %d |" % (
              mix.label, human(mix.flows), args.churn_table[0], args.churn_table[1],
              c["table_s"], still / 1e6, spread(c), moving / 1e6,
              spread({"rates": c["churn_rates"]}), moving / still if still else 0,
              min(c["churn_rates"]) / still if still else 0, c["churn_per_s"],
              c["churn_builds"], c["churn_build_ms"], c["churn_sync_ms"], c["churn_resyncs"]))
    ctable = ""
    if out:
        ctable = ("| mix | kernel routes (IPv4 + IPv6) | into the FIB | Mpps, table still | "
                  "Mpps, routes churning | churning / still | worst churning window / still | "
                  "routes changed /s | FIB versions published in the windows | "
                  "last build and publish | last batch: first change to data path | "
                  "resyncs |\n"
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n" +
                  "\n".join(out))

    problems = []
    for (mixname, prog), res in sorted(R.items()):
        if not res.get("ok"):
            problems.append("- %s on %s: %s" % (prog, mixname, res.get("error", "failed")))
        else:
            if res.get("drops"):
                problems.append("- mpgw dropped packets on %s: %s" % (mixname, res["drops"]))
            if prog != "kernel" and res.get("fwd_ratio", 1) < 0.99:
                problems.append("- %s on %s forwarded only %.1f%% of what it received" % (
                    prog, mixname, 100 * res["fwd_ratio"]))
            if res.get("churn_drops"):
                problems.append("- mpgw dropped packets on %s during churn: %s" % (
                    mixname, res["churn_drops"]))
            if res.get("churn_fwd_ratio", 1) < 0.99:
                problems.append("- mpgw on %s forwarded only %.1f%% of what it received "
                                "during churn" % (mixname, 100 * res["churn_fwd_ratio"]))
            if res.get("churn_errors"):
                problems.append("- %d FIB build errors on %s during churn" % (
                    res["churn_errors"], mixname))

    cmds = "\n".join("%s: %s" % (k, " ".join(shlex.quote(c) for c in v))
                     for k, v in b.cmdlines.items())
    return {"machine": m, "table": table, "goals": goals, "nodes": nodetable,
            "kernel": ktable, "churn": ctable, "problems": "\n".join(problems) or "- none",
            "cmds": cmds, "elapsed": b.elapsed, "tsc_hz": hz}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mpgw", required=True)
    ap.add_argument("--l3fwd", required=True)
    ap.add_argument("--testpmd", default="/usr/bin/dpdk-testpmd")
    ap.add_argument("--flowgen", required=True, help="mpgw-flowgen (tools/flowgen)")
    ap.add_argument("--workdir", required=True, help="pcaps (cached) and logs")
    ap.add_argument("--smoke", action="store_true", help="1k-flow mixes, short windows")
    ap.add_argument("--windows", type=int)
    ap.add_argument("--window", type=float, help="seconds")
    ap.add_argument("--warmup", type=float, help="seconds")
    ap.add_argument("--no-kernel", action="store_true")
    ap.add_argument("--programs", default="testpmd,l3fwd,mpgw",
                    help="the DPDK programs to run (comma-separated; default all three)")
    ap.add_argument("--huge", metavar="DIR", help="a hugetlbfs mount: run the DPDK programs "
                    "on 2 MiB pages (default: --no-huge)")
    ap.add_argument("--mixes", help="only these mixes (comma-separated names, e.g. "
                    "ipv6-64-1k-encap,ipv6-64-1M-encap)")
    ap.add_argument("--churn-table", help="the -churn mix's table in the kernel: IPv4 /24s and "
                    "IPv6 /48s, e.g. 1000000,200000 (default; 20000,4000 with --smoke)")
    ap.add_argument("--churn-routes", type=int, help="routes the -churn mix adds and deletes "
                    "per loop (default 10000; 2000 with --smoke)")
    ap.add_argument("--out", help="write the markdown report here")
    ap.add_argument("--command", default="", help="the command line to record in the report")
    a = ap.parse_args()
    if a.smoke:
        a.windows, a.window, a.warmup = a.windows or 2, a.window or 1.0, a.warmup or 1.0
        mixes = [Mix(4, "64", 1000), Mix(6, "64", 1000), Mix(4, "imix", 1000), Mix(4, "syn", 1000),
                 Mix(6, "64", 1000, "encap"), Mix(6, "64", 1000, "decap"),
                 Mix(6, "64", 1000, "encap", "flowgen"), Mix(4, "64", 1000, churn=True)]
        kernel = {"ipv4-64-1k"}
        table, routes = (20000, 4000), 2000
    else:
        a.windows, a.window, a.warmup = a.windows or 5, a.window or 2.0, a.warmup or 2.0
        mixes = [Mix(4, "64", 1000), Mix(4, "64", 100000), Mix(4, "64", 1000000),
                 Mix(6, "64", 1000), Mix(6, "64", 100000), Mix(6, "64", 1000000),
                 Mix(4, "imix", 1000), Mix(6, "imix", 1000), Mix(4, "syn", 1000),
                 Mix(6, "syn", 1000), Mix(6, "64", 1000, "encap"), Mix(6, "64", 1000, "decap")]
        # The flow table's scaling, from a source whose cost does not grow with the flows.
        mixes += [Mix(6, "64", n, "encap", "flowgen") for n in (1000, 100000, 1000000)]
        # Forwarding while a full table churns in the kernel (issue 7).
        mixes += [Mix(4, "64", 1000, churn=True)]
        kernel = {"ipv4-64-1k", "ipv6-64-1k", "ipv4-64-1M"}
        table, routes = (1000000, 200000), 10000
    a.churn_table = tuple(int(x) for x in a.churn_table.split(",")) if a.churn_table else table
    a.churn_routes = a.churn_routes or routes
    if a.mixes:
        want = set(a.mixes.split(","))
        unknown = want - {m.name for m in mixes}
        if unknown:
            sys.exit("bench: unknown mix %s (known: %s)" % (
                ", ".join(sorted(unknown)), ", ".join(m.name for m in mixes)))
        mixes = [m for m in mixes if m.name in want]
    if a.no_kernel:
        kernel = set()
    a.programs = a.programs.split(",")
    if set(a.programs) - {"testpmd", "l3fwd", "mpgw"}:
        sys.exit("bench: --programs: testpmd, l3fwd, mpgw")
    if os.geteuid() != 0:
        sys.exit("bench: needs root (namespaces, DPDK telemetry under /var/run/dpdk)")

    b = Bench(a)

    def on_signal(sig, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    try:
        b.run(mixes, kernel)
    finally:
        b.cleanup()
    r = report(b, mixes, a)
    text = render(r, a, mixes)
    print(text)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(HEADER + "\n" + text)
        log("wrote %s" % a.out)
    bad = [k for k, v in b.results.items() if not v.get("ok")]
    return 1 if bad else 0


HEADER = """# mpgw performance

This file is written by `scripts/bench.sh` (a full run; `--smoke` prints a short run on
stdout instead and `scripts/test.sh` runs it so that the harness does not rot). Everything
below "Results" is the output of one real run; rerun it to refresh. The sections from "The
relay" on were written from runs of the scripts a full run ends with
(`scripts/bench/relay.sh`, `scripts/twin_tput.sh`, `scripts/bench/exception_paths.sh`),
whose tables a full run appends.

## Method

- **Same machine, same core, same packets, one run.** For every traffic mix, three DPDK
  programs are started one after the other, each with its one forwarding lcore on core 1:
  1. `dpdk-testpmd --forward-mode=io`: receive and send, nothing else: the I/O floor, the
     most any forwarder can do with these devices on this core;
  2. DPDK's `l3fwd` in LPM mode (`--lookup=lpm --parse-ptype`), built by the script from
     Debian's `dpdk-doc` examples in a temporary directory with two changes, both documented
     in `scripts/bench.sh`: no RX checksum offload request (virtual devices have none) and
     a larger mbuf pool (the pcap is held in mbufs);
  3. mpgw (`idle_sleep_us = 0`, routes covering the same destinations as l3fwd's built-in
     LPM routes to port 1, static neighbours).
- **Traffic.** Prebuilt pcaps (`scripts/bench/pcapgen.py`) replayed from memory by
  `net_pcap` with `infinite_rx=1` on port 0, forwarded to a `net_null` sink (`no-rx=1`) on
  port 1. UDP; IPv4 to 198.18.1.0/24, IPv6 to 2001:200:0:1::/64 (l3fwd's port-1 routes);
  flows differ in source address and port; one packet per flow (IMIX: 12,000 packets).
  64 B = 60-byte frames in the pcap (64 on the wire with the FCS); IPv6's smallest UDP
  frame is 62 bytes. IMIX = 7:4:1 of 64/594/1518-byte wire frames.
- **Flow-table mixes (`-flowgen`).** A pcap replay slows down with its flow count (1M
  flows are 1M mbufs cycled through), which hides the forwarder's own scaling. These mixes
  come from `mpgw-flowgen` (`tools/flowgen`) on core 0 instead: it holds the 1k-flow pcap's
  frames and writes the flow number into each packet's source address as it sends it, so
  its cost is the same for 1k and 1M flows (testpmd's own 1M / 1k is shown as the check).
  It sends through `net_memif` (zero-copy on the receiver's side with hugepages, copies
  without), and it waits when the ring is full, so the program under test sets the pace.
- **Route churn (the `-churn` mix).** mpgw alone, with kernel twins in a network
  namespace of its own (`scripts/bench/churn.py`, `netlink_rcvbuf` 128 MiB): the kernel
  first gets a full table on the twins (1M IPv4 /24 and 200k IPv6 /48 routes; 20k + 4k
  with `--smoke`; `--churn-table`), then the rate is measured over the same windows twice,
  the table still, then while a loop adds and deletes 10,000 other IPv4 /24s with
  `ip -batch` (2,000 with `--smoke`; `--churn-routes`), pinned to core 0 (the control
  thread's; the worker is on core 1). Each batch of changes makes mpgw build and publish
  a FIB version of the whole table.
- **Memory.** With 2 MiB hugepages when `scripts/bench.sh` can reserve 5 GiB of them (as a
  gateway runs in production), else `--no-huge` (4 KiB pages); the command lines below
  say which.
- **Rate.** The sink port's `opackets` from DPDK's own telemetry (`/ethdev/stats,1`), read
  the same way for all three programs, over N windows after a warm-up; the figure is the
  median, the spread is (max − min) / median. Port 0's `ipackets` over the same windows is
  checked: every program must forward what it receives (else listed under Problems);
  mpgw's `/mpgw/drops` must not move.
- **Cycles per packet** = TSC Hz / rate: the whole cost of one packet on the one busy core,
  I/O included. mpgw's per-node cost comes from `/mpgw/graph` (rte_graph's statistics,
  diffed over the windows) divided by the packets forwarded.
- **Linux kernel.** Three namespaces `mpgwbench-gen` → `mpgwbench-rt` → `mpgwbench-sink`
  joined by veths. The router has `ip_forward`, rp_filter off, the same routes and
  permanent neighbours, and an nftables forward chain with
  `tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu` (the MSS clamp
  OpenMPTCProuter users run today). A testpmd on core 1 replays the same pcap into
  `net_af_packet` on the generator's veth; RPS sends the router's receive processing to
  core 0, so core 0 does the forwarding (and the sink's nftables ingress drop). The rate is
  the router's egress veth `tx_packets`; core 0's busy share from `/proc/stat` turns it into
  a per-core rate (rate / busy) and cycles per packet (busy × TSC Hz / rate).

## Limits and noise

- A 2-vCPU KVM guest: other guests share the host; windows vary by several percent and a
  run-to-run difference of 10 % is not a signal. Compare the **ratios** within one run.
- Both TX and RX are software devices: `net_pcap` in infinite mode copies every packet
  into a fresh mbuf (a memcpy per packet the real NIC does by DMA), so the I/O floor here
  is far lower than a NIC's and it weighs on every program the same way. Ratios to testpmd
  therefore understate what a forwarder's own work costs on real hardware.
- With 1M flows the pcap itself is 1M mbufs cycled through; the cache misses on those
  (and on the packet data) hit every program, testpmd included: the 1M/1k ratio of
  testpmd and l3fwd is shown next to mpgw's for that reason.
- The kernel figure is an estimate of a per-core rate from a core that may not be fully
  busy; it includes veth and sink costs a real NIC path does not have. It shows the order
  of magnitude, not a precise ratio.
"""


def render(r, a, mixes):
    m = r["machine"]
    hz = r["tsc_hz"]
    s = []
    s.append("## Results (%s, %s)\n" % (
        "smoke" if a.smoke else "full run",
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")))
    s.append("- Machine: %s, %d cores, TSC %s, %s RAM, Linux %s" % (
        m["cpu"], m["cores"], ("%.3f GHz" % (hz / 1e9)) if hz else "?", m["mem"], m["kernel"]))
    s.append("- DPDK %s (Debian packages), mpgw %s" % (m["dpdk"], m["rev"]))
    s.append("- Command: `%s`" % (a.command or " ".join(sys.argv)))
    s.append("- %d windows of %.0f s after %.0f s of warm-up per figure; %.0f s in all\n" % (
        a.windows, a.window, a.warmup, r["elapsed"]))
    s.append("Mpps on one core (core 1), median of the windows ± spread (max − min over the "
             "median), and (cycles per packet = TSC Hz / rate):\n")
    s.append(r["table"] + "\n")
    if r["goals"]:
        s.append("Goals:\n")
        s.append(r["goals"] + "\n")
    if r["nodes"]:
        s.append("mpgw per-node cost, TSC cycles per forwarded packet (rte_graph statistics "
                 "over the measured windows):\n")
        s.append(r["nodes"] + "\n")
    if r["kernel"]:
        s.append("Linux kernel detail (router namespace on core 0, generator on core 1):\n")
        s.append(r["kernel"] + "\n")
    if r["churn"]:
        s.append("Forwarding while the kernel's routes churn (mpgw with kernel twins, "
                 "`netlink_rcvbuf = %d`, and the table below in the kernel; %d IPv4 /24s "
                 "added then deleted with `ip -batch` in a loop on core 0; the same windows, "
                 "table still, then churning):\n" % (churn.RCVBUF, a.churn_routes))
        s.append(r["churn"] + "\n")
    s.append("Problems seen in this run:\n")
    s.append(r["problems"] + "\n")
    s.append("Exact program command lines (first mix; the pcap and pool sizes change per mix):\n")
    s.append("```\n" + r["cmds"] + "\n```\n")
    return "\n".join(s)


if __name__ == "__main__":
    sys.exit(main())
