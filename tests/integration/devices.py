# SPDX-License-Identifier: BSD-3-Clause
"""Every kind of virtual device mpgw supports comes up as a port and forwards.

net_tap, net_null, net_ring and net_pcap in one run (net_af_packet is the live suite's):
mpgw must configure and start them all, including net_tap, which needs as many TX as RX
queues, then forward a packet from the pcap port out of the net_null port and exit cleanly.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mpgw_run  # noqa: E402

from scapy.all import IP, UDP, Ether  # noqa: E402

CONFIG = """
[port tap0]
device = net_tap0
address = 10.7.0.1/24
[port null0]
device = net_null0
address = 10.8.0.1/24
[port ring0]
device = net_ring0
[port pcap0]
device = net_pcap0
mac = 02:00:00:00:09:01
address = 10.9.0.1/24
[neighbours]
neighbour = 10.8.0.2 02:00:00:00:08:02
"""

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def main():
    frames = [Ether(dst="02:00:00:00:09:01", src="02:00:00:00:09:02") /
              IP(src="10.9.0.2", dst="10.8.0.2") / UDP(sport=1, dport=2)] * 5
    tap = "mpgwdev%d" % os.getpid()
    res = mpgw_run.run(CONFIG, [frames], exit_idle_ms=500, vdevs=[
        "net_tap0,iface=%s" % tap, "net_null0,no-rx=1", "net_ring0",
        "net_pcap0,rx_pcap={dir}/in0.pcap,tx_pcap={dir}/out0.pcap"])
    check("exit status 0", res.rc == 0, "rc=%s\n%s" % (res.rc, res.stderr))
    ports = (res.stats or {}).get("ports", {})
    check("all four ports up", sorted(ports) == ["null0", "pcap0", "ring0", "tap0"],
          str(sorted(ports)))
    if ports:
        check("pcap0 received 5", ports["pcap0"]["rx_packets"] == 5, str(ports["pcap0"]))
        check("null0 sent 5", ports["null0"]["tx_packets"] == 5, str(ports["null0"]))
    check("tap interface gone after exit", not os.path.exists("/sys/class/net/" + tap))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
