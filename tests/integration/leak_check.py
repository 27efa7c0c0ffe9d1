#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Classify the frames of captures taken on WAN links: which carry LAN traffic natively
(a leak) and which carry it inside a tunnel.

  leak_check.py LAN4_PREFIX LAN6_PREFIX PCAP...

Prints one line per capture and a total:
  FILE frames=N native6=N native4=N tunnelled6=N tunnelled4=N
where native6 counts IPv6 frames, outside any tunnel, from or to the LAN's IPv6 prefix, and
tunnelled6 IPv6 packets of the LAN inside IPv4 or IPv6 (protocol 41); likewise for IPv4
(protocol 4). Exit status 0; the caller judges the numbers.
"""
import ipaddress
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, Ether, PcapReader  # noqa: E402


def in_net(addr, net):
    try:
        return ipaddress.ip_address(addr) in net
    except ValueError:
        return False


def classify(raw, net4, net6):
    p = Ether(raw)
    outer = p[IP] if IP in p else p[IPv6] if IPv6 in p else None
    if outer is None:
        return None
    lan4 = lambda ip: in_net(ip.src, net4) or in_net(ip.dst, net4)  # noqa: E731
    lan6 = lambda ip: in_net(ip.src, net6) or in_net(ip.dst, net6)  # noqa: E731
    proto = outer.proto if isinstance(outer, IP) else outer.nh
    inner = outer.payload
    if proto == 41 and isinstance(inner, IPv6):
        return "tunnelled6" if lan6(inner) else None
    if proto == 4 and isinstance(inner, IP):
        return "tunnelled4" if lan4(inner) else None
    if isinstance(outer, IPv6):
        return "native6" if lan6(outer) else None
    return "native4" if lan4(outer) else None


def main(argv):
    net4, net6 = ipaddress.ip_network(argv[1]), ipaddress.ip_network(argv[2])
    keys = ("native6", "native4", "tunnelled6", "tunnelled4")
    total = dict.fromkeys(keys, 0)
    total_frames = 0
    for path in argv[3:]:
        counts = dict.fromkeys(keys, 0)
        frames = 0
        try:
            with PcapReader(path) as r:
                for pkt in r:
                    frames += 1
                    k = classify(bytes(pkt), net4, net6)
                    if k:
                        counts[k] += 1
        except (OSError, EOFError):
            pass
        for k in keys:
            total[k] += counts[k]
        total_frames += frames
        print("%s frames=%d %s" % (path, frames, " ".join("%s=%d" % (k, counts[k]) for k in keys)))
    print("total frames=%d %s" % (total_frames, " ".join("%s=%d" % (k, total[k]) for k in keys)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
