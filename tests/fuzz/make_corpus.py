#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seed corpus of the fuzz targets: tests/fuzz/corpus/<target>/.

Writes the hand-made seeds, named by what they are; files of other names in those folders
(what scripts/fuzz.sh merged back, named by libFuzzer after their SHA-1) are left alone.
Run with Debian's /usr/bin/python3 (python3-scapy):

    /usr/bin/python3 tests/fuzz/make_corpus.py

Packets are addressed as in fuzz_graph.c's configuration (a gateway: lan0 10.0.1.1 with
the LAN host 10.0.1.2; wan0 10.0.2.1, its router and the VPS 10.0.2.2), so that the graph
target forwards, tunnels and decapsulates them rather than dropping them at once. Each
target's input starts with a few bytes of its own (segment cuts, port, limit): see the
comment at the top of each tests/fuzz/fuzz_*.c.
"""
import logging
import os
import shutil
import struct
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (  # noqa: E402
    ARP, BOOTP, DHCP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, ICMPv6EchoRequest,
    ICMPv6ND_NS, IPOption_RR, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw, fragment, fragment6)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")

LAN = dict(src="02:00:00:00:01:02", dst="02:00:00:00:01:01")
WAN = dict(src="02:00:00:00:02:02", dst="02:00:00:00:02:01")
HOST4, HOST6 = "10.0.1.2", "fd00:1::2"
FAR4, FAR6 = "198.51.100.7", "2001:db8::7"
VPS4, VPS6, GW4, GW6 = "10.0.2.2", "fd00:2::2", "10.0.2.1", "fd00:2::1"

LINUX_SYN = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None),
             ("WScale", 7)]
# MPTCP (kind 30): MP_CAPABLE v1 with the sender's key, and a DSS with a data ACK.
MP_CAPABLE = (30, b"\x00\x81" + bytes(range(1, 9)))
MP_DSS = (30, b"\x20\x01" + struct.pack(">I", 1000))


def frames():
    """(name, ingress: 0 LAN / 1 WAN, Ethernet frame bytes)."""
    out = []

    def add(name, port, pkt):
        out.append((name, port, bytes(pkt)))

    lan, wan = Ether(**LAN), Ether(**WAN)
    add("udp4", 0, lan / IP(src=HOST4, dst=FAR4) / UDP(sport=40000, dport=53) / b"query")
    add("tcp4-syn-opts", 0, lan / IP(src=HOST4, dst=FAR4, flags="DF") /
        TCP(sport=40001, dport=443, flags="S", seq=1, options=LINUX_SYN))
    add("tcp4-syn-mptcp", 0, lan / IP(src=HOST4, dst=FAR4, flags="DF") /
        TCP(sport=40002, dport=443, flags="S", options=LINUX_SYN + [MP_CAPABLE]))
    add("tcp4-syn-nomss", 0, lan / IP(src=HOST4, dst=FAR4) /
        TCP(sport=40003, dport=80, flags="S", options=LINUX_SYN[1:]))
    add("tcp4-syn-bare", 0, lan / IP(src=HOST4, dst=FAR4) / TCP(sport=40004, dport=22, flags="S"))
    # NOP first: the MSS value at an odd offset from the TCP header.
    add("tcp4-synack-odd", 1, wan / IP(src=FAR4, dst=HOST4) /
        TCP(sport=443, dport=40001, flags="SA", options=[("NOP", None), ("MSS", 1460),
                                                         ("WScale", 7), ("SAckOK", b"")]))
    add("tcp4-syn-tfo", 0, lan / IP(src=HOST4, dst=FAR4) /
        TCP(sport=40005, dport=443, flags="S",
            options=[("MSS", 1460), (34, b"\x11" * 8), ("NOP", None), ("NOP", None)]) /
        b"GET / HTTP/1.1\r\n")
    add("tcp4-ack-sack", 0, lan / IP(src=HOST4, dst=FAR4) /
        TCP(sport=40001, dport=443, flags="A", options=[
            ("NOP", None), ("NOP", None), ("Timestamp", (12346, 777)),
            ("NOP", None), ("NOP", None), ("SAck", (1000, 2000, 3000, 4000))]))
    add("tcp4-mptcp-dss", 0, lan / IP(src=HOST4, dst=FAR4) /
        TCP(sport=40002, dport=443, flags="PA", options=[MP_DSS]) / b"data")
    add("tcp4-fin", 0, lan / IP(src=HOST4, dst=FAR4) / TCP(sport=40001, dport=443, flags="FA"))
    add("icmp4-echo", 0, lan / IP(src=HOST4, dst=FAR4) / ICMP(id=7, seq=1) / b"ping")
    add("icmp4-echo-gw", 0, lan / IP(src=HOST4, dst="10.0.1.1") / ICMP(id=7, seq=2))
    add("ip4-options", 0, lan / IP(src=HOST4, dst=FAR4, options=[IPOption_RR()]) /
        UDP(sport=40006, dport=123) / b"ntp")
    for i, f in enumerate(fragment(IP(src=HOST4, dst=FAR4, id=99) /
                                   UDP(sport=40007, dport=4500) / (b"x" * 1200), fragsize=600)):
        add("ip4-frag%d" % i, 0, lan / f)
    add("ip4-mcast", 0, lan / IP(src=HOST4, dst="224.0.0.251", ttl=255) /
        UDP(sport=5353, dport=5353) / b"mdns")
    add("ip4-bcast", 0, Ether(src=LAN["src"], dst="ff:ff:ff:ff:ff:ff") /
        IP(src=HOST4, dst="255.255.255.255") / UDP(sport=40008, dport=9) / b"wol")
    add("ip4-bypass", 0, lan / IP(src=HOST4, dst="192.0.2.200") /
        TCP(sport=40009, dport=443, flags="S", options=LINUX_SYN))
    add("ip4-ttl1", 0, lan / IP(src=HOST4, dst=FAR4, ttl=1) / UDP(sport=40010, dport=33434))
    add("ip4-big-df", 0, lan / IP(src=HOST4, dst=FAR4, flags="DF") /
        UDP(sport=40011, dport=9) / (b"y" * 1420))
    add("dhcp-offer", 1, wan / IP(src=VPS4, dst="255.255.255.255") / UDP(sport=67, dport=68) /
        BOOTP(op=2, yiaddr=GW4, chaddr=b"\x02\0\0\0\x02\x01") /
        DHCP(options=[("message-type", "offer"), "end"]))
    add("arp-request", 0, Ether(src=LAN["src"], dst="ff:ff:ff:ff:ff:ff") /
        ARP(hwsrc=LAN["src"], psrc=HOST4, pdst="10.0.1.1"))
    add("vlan-udp4", 0, lan / Dot1Q(vlan=10) / IP(src=HOST4, dst=FAR4) /
        UDP(sport=40012, dport=53) / b"q")
    add("qinq-tcp6", 0, Ether(**LAN, type=0x88a8) / Dot1AD(vlan=100) / Dot1Q(vlan=10) /
        IPv6(src=HOST6, dst=FAR6) / TCP(sport=40013, dport=443, flags="S", options=LINUX_SYN))

    add("udp6", 0, lan / IPv6(src=HOST6, dst=FAR6) / UDP(sport=40014, dport=53) / b"query")
    add("tcp6-syn-opts", 0, lan / IPv6(src=HOST6, dst=FAR6) /
        TCP(sport=40015, dport=443, flags="S", options=LINUX_SYN + [MP_CAPABLE]))
    add("tcp6-syn-nomss", 0, lan / IPv6(src=HOST6, dst=FAR6) /
        TCP(sport=40016, dport=443, flags="S", options=LINUX_SYN[1:]))
    add("icmp6-echo", 0, lan / IPv6(src=HOST6, dst=FAR6) / ICMPv6EchoRequest(id=7, seq=1))
    add("icmp6-ns", 0, Ether(src=LAN["src"], dst="33:33:ff:00:00:01") /
        IPv6(src=HOST6, dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt="fd00:1::1"))
    add("ip6-ext-syn", 0, lan / IPv6(src=HOST6, dst=FAR6) / IPv6ExtHdrHopByHop() /
        IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting(addresses=[]) /
        TCP(sport=40017, dport=443, flags="S", options=LINUX_SYN))
    for i, f in enumerate(fragment6(IPv6(src=HOST6, dst=FAR6) / IPv6ExtHdrFragment(id=5) /
                                    UDP(sport=40018, dport=4500) / (b"z" * 1200), 600)):
        add("ip6-frag%d" % i, 0, lan / f)

    # Tunnels from the VPS, to the LAN host.
    add("tun-4in4", 1, wan / IP(src=VPS4, dst=GW4, proto=4) / IP(src=FAR4, dst=HOST4) /
        TCP(sport=443, dport=40001, flags="SA", options=LINUX_SYN))
    add("tun-6in4", 1, wan / IP(src=VPS4, dst=GW4, proto=41) / IPv6(src=FAR6, dst=HOST6) /
        UDP(sport=53, dport=40014) / b"answer")
    add("tun-4in6", 1, wan / IPv6(src=VPS6, dst=GW6, nh=4) / IP(src=FAR4, dst=HOST4) /
        UDP(sport=53, dport=40000) / b"answer")
    add("tun-6in6", 1, wan / IPv6(src=VPS6, dst=GW6, nh=41) / IPv6(src=FAR6, dst=HOST6) /
        TCP(sport=443, dport=40015, flags="SA", options=LINUX_SYN))
    add("tun-4in4-frag", 1, wan / IP(src=VPS4, dst=GW4, proto=4, flags="MF") /
        IP(src=FAR4, dst=HOST4) / UDP(sport=53, dport=40000) / b"part")
    add("native-wan-udp4", 1, wan / IP(src=FAR4, dst=GW4) / UDP(sport=53, dport=40000) / b"a")
    return out


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def packet_seeds():
    for name, port, frame in frames():
        # fuzz_parse: segments 1 + b0 % 3, then two cut offsets.
        write("fuzz_parse", name, b"\x00\x00\x00" + frame)
        # fuzz_graph: bit 0 the ingress port, the other bits a cut (0: one segment).
        write("fuzz_graph", name, bytes([port]) + frame)
        pkt = Ether(frame)
        # The SYNs, not in a tunnel (the clamp sees the outer headers).
        if not name.startswith("tun-") and TCP in pkt and pkt[TCP].flags.S:
            # fuzz_mss: one segment with 4 bytes of tailroom (flags 4 << 2), limit 1360;
            # and limit 500 (an insertion where no MSS option is).
            write("fuzz_mss", name, b"\x00\x10" + struct.pack(">H", 1360) + frame)
            write("fuzz_mss", name + "-500", b"\x00\x10" + struct.pack(">H", 500) + frame)
    # A few segmented ones: the headers and the MSS option across segments.
    segmented = {"tcp4-syn-opts": (37, 58), "tcp6-syn-opts": (55, 76), "ip6-ext-syn": (50, 100),
                 "tcp4-synack-odd": (20, 59)}
    for name, port, frame in frames():
        if name in segmented:
            a, b = segmented[name]
            write("fuzz_parse", name + "-seg3", bytes([2, a, b]) + frame)
            write("fuzz_graph", name + "-seg2", bytes([(a << 1) | port]) + frame)
            # fuzz_mss: 3 segments, limit 1000.
            write("fuzz_mss", name + "-seg3", b"\x02\x00" + struct.pack(">HHH", 1000, a, b) + frame)


BROKEN_CONFIGS = {
    "broken-header.ini": "[mpgw\nrole = gateway\n",
    "broken-outside.ini": "role = gateway\n[port lan0]\ndevice = net_null0\n",
    "broken-noport.ini": "[mpgw]\nrole = vps\n",
    "broken-repeat.ini": "[port a]\ndevice = x\n[port a]\ndevice = y\n",
    "broken-values.ini": ("[port lan0]\ndevice = net_null0\nmtu = 99999\nmss_clamp = 12\n"
                          "address = 10.0.0.1/33\nmac = 01:00:5e:00:00:01\n"),
    "broken-route.ini": ("[port lan0]\ndevice = net_null0\naddress = 10.0.0.1/24\n[routes]\n"
                         "route = 0.0.0.0/0 via 192.168.1.1\nroute = ::/0 blackhole extra\n"),
    "broken-neighbour.ini": ("[port lan0]\ndevice = net_null0\naddress = fd00::1/64\n"
                             "[neighbours]\nneighbour = fd00::2 zz:00:00:00:00:01\n"),
    "broken-gateway.ini": ("[mpgw]\nrole = vps\n[port wan0]\ndevice = net_null0\n"
                           "address = 203.0.113.10/24\n[gateway g1]\nuplink = 100.64.1.2\n"
                           "lan = 10.0.1.0/24\nlan = 10.0.1.0/24\n"),
    "broken-policy.ini": ("[mpgw]\nrole = gateway\n[vps]\naddress = 203.0.113.10\n"
                          "[port wan0]\ndevice = net_null0\nuplink = yes\n"
                          "[policy]\ntcp4 = relay\nother6 = sideways\n[relay]\nport = 0\n"),
    "broken-long.ini": "[port lan0]\ndevice = " + "d" * 400 + "\n",
}


def config_seeds():
    cfg = os.path.join(ROOT, "config")
    for name in sorted(os.listdir(cfg)):
        if name.endswith(".ini"):
            shutil.copyfile(os.path.join(cfg, name),
                            os.path.join(CORPUS, "fuzz_config", "shipped-" + name))
    for name, text in BROKEN_CONFIGS.items():
        write("fuzz_config", name, text.encode())


# Replies of the telemetry socket as mpgwctl reads them (DPDK's framing: one object with the
# command as its only key), and the socket's greeting.
JSON_SEEDS = {
    "greeting.json": '{"version": "DPDK 22.11.4", "pid": 4242, "max_output_len": 16384}',
    "ports.json": ('{"/mpgw/ports": {"lan0": {"port_id": 0, "device": "net_af_packet0", '
                   '"link": "up", "speed_mbps": 10000, "mtu": 1500, "mac": "02:00:00:00:01:01",'
                   ' "rx_queues": 1, "tx_queues": 1, "rx_packets": 18446744073709551615, '
                   '"rx_bytes": 1268502, "tx_packets": 977, "tx_bytes": 70990, "rx_missed": 0, '
                   '"rx_errors": 0, "tx_errors": 0, "rx_nombuf": 0, "tx_dropped": 0}}}'),
    "drops.json": ('{"/mpgw/drops": {"l2_trunc": 0, "ip4_cksum": 3, "martian": 12, '
                   '"no_route": 0, "leak_v4": 1}}'),
    "uplinks.json": ('{"/mpgw/uplinks": {"wan0": {"state": "up", "rtt_us": 12500, '
                     '"loss_pct": 0.5, "weight": 1, "multipath": "master", "flows": 42, '
                     '"probes": [1, 2, 3]}, "wan1": {"state": "down", "rtt_us": null, '
                     '"since_s": -1.5e3}}}'),
    "relay.json": ('{"/mpgw/relay": {"usable": true, "proxy": false, "vps_reachable": true, '
                   '"fallback": "tunnel", "mptcp_blackholes": 0, "note": '
                   '"caf\\u00e9 \\ud83d\\ude00 \\"quoted\\" \\\\ \\/ \\b\\f\\n\\r\\t"}}'),
    "routes.json": ('{"/mpgw/routes": [{"prefix": "0.0.0.0/0", "via": "10.0.2.2", '
                    '"port": "wan0"}, {"prefix": "::/0", "ecmp": [{"via": "fd00:2::2", '
                    '"weight": 256}]}, []]}'),
    "nested.json": "[[[[[[[[{\"a\": [[[[{}]]]]}]]]]]]]]",
    "empty.json": '{"/mpgw/flows": {}}',
    "broken-trailing.json": '{"/mpgw/ports": {}} x',
    "broken-escape.json": '{"a": "\\ud800 \\x"}',
    "broken-number.json": '{"a": -01.e5}',
    "broken-unclosed.json": '{"a": [1, 2, {"b": ',
}


def json_seeds():
    for name, text in JSON_SEEDS.items():
        write("fuzz_json", name, text.encode())


def main():
    for t in ("fuzz_parse", "fuzz_graph", "fuzz_mss", "fuzz_config", "fuzz_json"):
        os.makedirs(os.path.join(CORPUS, t), exist_ok=True)
    packet_seeds()
    config_seeds()
    json_seeds()
    for t in sorted(os.listdir(CORPUS)):
        print("%-12s %d files" % (t, len(os.listdir(os.path.join(CORPUS, t)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
