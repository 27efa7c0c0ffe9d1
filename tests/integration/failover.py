#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic and capture analysis for live_failover.sh.

  failover.py send DST PORT FLOWS SECONDS INTERVAL_MS [FIRST_SPORT]
      FLOWS UDP flows to DST:PORT (IPv4 or IPv6), source ports FIRST_SPORT.. (default
      40000), each sending one datagram every INTERVAL_MS for SECONDS.
  failover.py analyse CUT_TIME DOWN_PCAP OTHER_PCAP...
      From captures of what the gateway sent on each uplink (tunnel packets, inner UDP to
      source ports 40000..): the flows on the uplink of DOWN_PCAP before CUT_TIME (epoch
      seconds), and for each, the delay from CUT_TIME to its first packet on another uplink.
      Prints one line per flow and a summary "affected=N moved=M max_ms=X median_ms=Y
      stayed=K" (stayed: flows of the other uplinks that were still on them after the cut,
      i.e. not moved: they must not be).
"""
import socket
import statistics
import sys
import time

FIRST_PORT = 40000


def send(dst, port, flows, seconds, interval_ms, first_sport=FIRST_PORT):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    socks = []
    for i in range(flows):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", first_sport + i))
        socks.append(s)
    end = time.monotonic() + seconds
    seq = 0
    next_t = time.monotonic()
    while time.monotonic() < end:
        for i, s in enumerate(socks):
            try:
                s.sendto(b"flow %d seq %d" % (i, seq), (dst, port))
            except OSError:
                pass
        seq += 1
        next_t += interval_ms / 1000.0
        delay = next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def inner_flows(path):
    """(time, inner source port) of each tunnel packet carrying a test flow."""
    from scapy.all import IP, IPv6, UDP, PcapReader
    out = []
    for p in PcapReader(path):
        if IP not in p or p[IP].proto not in (4, 41):
            continue
        inner = p[IP].payload
        if UDP not in inner:
            continue
        sport = inner[UDP].sport
        if FIRST_PORT <= sport < FIRST_PORT + 1000:
            out.append((float(p.time), sport))
    return out


def analyse(cut, down_pcap, others):
    down = inner_flows(down_pcap)
    other = sorted(x for o in others for x in inner_flows(o))
    affected = sorted({port for t, port in down if t < cut})
    before_other = {port for t, port in other if t < cut}
    after_down = {port for t, port in down if t >= cut + 1.0}
    delays = []
    for port in affected:
        first = next((t for t, p in other if p == port and t >= cut), None)
        if first is None:
            print("flow %d: never seen on another uplink" % port)
            continue
        delays.append((first - cut) * 1000.0)
        print("flow %d: on another uplink %.1f ms after the cut" % (port, delays[-1]))
    # Flows of the surviving uplinks must stay where they are.
    stayed = len(before_other - set(affected) - after_down)
    print("affected=%d moved=%d max_ms=%.1f median_ms=%.1f stayed=%d other_before=%d" % (
        len(affected), len(delays), max(delays) if delays else -1,
        statistics.median(delays) if delays else -1, stayed, len(before_other)))


def main():
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]),
             float(sys.argv[6]), int(sys.argv[7]) if len(sys.argv) > 7 else FIRST_PORT)
    elif sys.argv[1] == "analyse":
        analyse(float(sys.argv[2]), sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
