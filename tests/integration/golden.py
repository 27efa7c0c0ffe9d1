#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""pcap golden suite: mpgw on two net_pcap ports, packets built with scapy.

Every case sends frames into lan0 (net_pcap0) and/or wan0 (net_pcap1) and says exactly what
must come out: the frames on each port (compared byte for byte with a packet scapy builds
independently, its checksums computed from scratch, so an incrementally updated IPv4 checksum
must equal a full recompute) and the drop counter its frames land in. Cases are grouped, one
mpgw run per group; within a group, a drop case is attributed through its reason's counter
(each group's cases mostly use distinct reasons; where two share one, they share the
verdict), a forwarding case through its expected frames. Each group then also checks, as
cases of its own: exit status, every output with nothing extra (in input order within each
flow: packets of different flows take different paths through the graph), every drop
counter, every data-path counter (MSS clamps, ICMP errors, fragmentation) and every port
counter exactly.

Config errors (exit status 2, "FILE:LINE: [section] key:" at the right line) and --help close
the suite. Output: one line per case, "ok NAME" or "FAIL NAME: detail", then
"N passed, M failed"; the exit status is 1 if anything failed.

Run as root with Debian's /usr/bin/python3 (scapy), $MPGW the mpgw binary (meson test sets
it). Options: -v (print mpgw's output of failing runs), -k PATTERN (only groups/cases whose
name contains PATTERN).
"""
import collections
import logging
import os
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (  # noqa: E402
    ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, ICMPv6EchoReply, ICMPv6EchoRequest,
    ICMPv6PacketTooBig, IPerror, IPerror6,
    IPOption_EOL, IPOption_NOP, IPOption_Router_Alert, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
    IPv6ExtHdrRouting, Raw, conf, fragment, fragment6)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mpgw_run  # noqa: E402

conf.verb = 0

LAN, WAN = "lan0", "wan0"
DEV = {LAN: 0, WAN: 1}

LAN_MAC = "02:00:00:00:01:01"  # mpgw's lan0
WAN_MAC = "02:00:00:00:02:01"  # mpgw's wan0
LAN_HOST_MAC = "02:00:00:00:01:02"  # 10.0.1.2 / fd00:1::2
LAN_GW_MAC = "02:00:00:00:01:fe"  # 10.0.1.254 / fd00:1::fe, gateway to 172.16/12
WAN_GW_MAC = "02:00:00:00:02:02"  # 10.0.2.2 / fd00:2::2, gateway to the internet
WAN_HOST_MAC = "02:00:00:00:02:03"  # 10.0.2.3 / fd00:2::3
ONLINK_MAC = "02:00:00:00:02:05"  # 203.0.113.5 / 2001:db8:77::5, on-link routes
OTHER_MAC = "02:00:00:00:09:09"  # nobody mpgw knows

DROP_REASONS = (
    "l2_trunc vlan_depth ip4_trunc ip4_version ip4_ihl ip4_totlen ip6_trunc ip6_version "
    "ip6_paylen ip6_ext_trunc ip6_ext_chain tcp_trunc tcp_doff udp_trunc udp_len icmp_trunc "
    "icmp6_trunc not_ip not_for_us ip4_cksum hdr_split multicast martian l2_broadcast no_route no_neighbour local "
    "probe_ring_full punt_ring_full blackhole ttl_exceeded mtu_exceeded icmp_rate_limited icmp_no_source frag_failed nombuf "
    "tunnel_down relay_unavailable policy_drop leak_v4 leak_v6 leak_ethertype inbound_denied "
    "decap_unknown_peer decap_family decap_fragment decap_spoofed decap_wrong_port decap_ecn "
    "encap_headroom tx_full").split()
COUNTERS = (
    "mss_clamped mss_inserted mss_not_inserted mss_bad_options icmp4_frag_needed "
    "icmp6_packet_too_big ip4_fragmented ip4_fragments encap decap policy_bypass "
    "policy_direct flow_moved flowlet_moved flow_low_latency echo_replied probe_replies relay relay_bytes relay_fallback inbound_answers inbound_allowed punted twin_sent").split()
PORT_COUNTERS = (
    "rx_packets rx_bytes tx_packets tx_bytes rx_missed rx_errors rx_nombuf tx_errors "
    "worker_rx_packets worker_tx_packets tx_dropped").split()


def config(wan_mtu=1500, lan_mtu=1500, wan_mss="auto", lan_mss="auto", icmp="", lan_v6=True):
    return """\
# mpgw golden suite
[mpgw]
idle_sleep_us = 100
%s
[port lan0]
device = net_pcap0
mac = 02:00:00:00:01:01        # pcap devices keep their own MAC; mpgw uses this one
mtu = %d
mss_clamp = %s
address = 10.0.1.1/24
%s
[port wan0]
device = net_pcap1
mac = 02:00:00:00:02:01
mtu = %d
mss_clamp = %s
address = 10.0.2.1/24
address = fd00:2::1/64

[routes]
route = 198.51.100.0/24 via 10.0.2.2
route = 198.51.100.128/25 blackhole      # more specific than the gateway route
route = 2001:db8:9::/48 via fd00:2::2
route = 2001:db8:9:ff::/64 blackhole
route = 203.0.113.0/24 port wan0         # on-link: neighbours per destination
route = 2001:db8:77::/48 port wan0
route = 192.0.2.0/24 blackhole
route = 2001:db8:dead::/48 blackhole
route = 198.18.0.0/15 via 10.0.2.99      # gateway without a neighbour entry
route = 2001:db8:99::/48 via fd00:2::99
route = 100.64.0.0/10 via 10.0.2.2 port wan0
route = 172.16.0.0/12 via 10.0.1.254
route = 2001:db8:1::/48 via fd00:1::fe port lan0
%s
[neighbours]
neighbour = 10.0.2.2 02:00:00:00:02:02
neighbour = fd00:2::2 02:00:00:00:02:02
neighbour = 10.0.2.3 02:00:00:00:02:03
neighbour = fd00:2::3 02:00:00:00:02:03
neighbour = 203.0.113.5 02:00:00:00:02:05 port wan0
neighbour = 2001:db8:77::5 02:00:00:00:02:05 port wan0
neighbour = 10.0.1.2 02:00:00:00:01:02
neighbour = fd00:1::2 02:00:00:00:01:02 port lan0
neighbour = 10.0.1.254 02:00:00:00:01:fe
neighbour = fd00:1::fe 02:00:00:00:01:fe port lan0
""" % (icmp, lan_mtu, lan_mss, "address = fd00:1::1/64" if lan_v6 else "", wan_mtu, wan_mss,
       "" if lan_v6 else "route = fd00:1::/64 port lan0   # no address of lan0's: on-link\n")


# ---------------------------------------------------------------------------- packet helpers

def l2_in(port, dst=None, src=None):
    """The Ethernet header of a frame arriving on port, addressed to mpgw by default."""
    if port == LAN:
        return Ether(src=src or LAN_HOST_MAC, dst=dst or LAN_MAC)
    return Ether(src=src or WAN_GW_MAC, dst=dst or WAN_MAC)


def l2_out(port, nh_mac):
    """The Ethernet header mpgw must write: egress port's MAC to the nexthop's."""
    return Ether(src=LAN_MAC if port == LAN else WAN_MAC, dst=nh_mac)


def v4(dst, src="10.0.1.2", **kw):
    kw.setdefault("id", 0x1234)
    return IP(src=src, dst=dst, **kw)


def v6(dst, src="fd00:1::2", **kw):
    return IPv6(src=src, dst=dst, **kw)


def payload(tag, n=32):
    b = (tag.encode() + b"-") * (n // (len(tag) + 1) + 1)
    return Raw(b[:n])


def ip_with_cksum(target, mk):
    """An IPv4 id that makes mk(id)'s header checksum equal target (edge-value tests)."""
    base = IP(bytes(mk(0)))
    s0 = (~base.chksum) & 0xFFFF  # one's complement sum of the header with id 0
    want = (~target) & 0xFFFF
    guess = (want - s0) % 0xFFFF
    for cand in (guess, guess + 0xFFFF, guess - 0xFFFF, 0, 0xFFFF):
        if 0 <= cand <= 0xFFFF and IP(bytes(mk(cand))).chksum == target:
            return cand
    raise AssertionError("no id gives checksum %#x" % target)


def summary(raw):
    try:
        return "%s (%d bytes)" % (Ether(raw).summary(), len(raw))
    except Exception:  # noqa: BLE001 - malformed frames only need a hex dump
        return "%s (%d bytes)" % (raw[:48].hex(), len(raw))


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b)) if len(a) != len(b) else None


def checksum_problems(raw, l4=True):
    """Rebuild the frame with scapy after deleting its checksums: the IPv4 header checksum
    always, the TCP/UDP/ICMP/ICMPv6 one unless l4 is False. Returns a text or None."""
    p = Ether(raw)
    q = Ether(raw)
    fields = []
    if IP in q:
        del q[IP].chksum
        fields.append("IPv4 header checksum")
    if l4:
        lay = q
        # An ICMP error's quote (IPerror...) is a truncated copy whose checksums stay as the
        # original had them: only the error's own are recomputed.
        while lay is not None and not isinstance(lay, (Raw, IPerror, IPerror6, type(None))) \
                and lay.name != "NoPayload":
            if isinstance(lay, (TCP, UDP, ICMP)) and "chksum" in lay.fields:
                del lay.chksum
                fields.append(lay.name + " checksum")
            elif lay.__class__.__module__.endswith("inet6") and "cksum" in lay.fields:
                del lay.cksum
                fields.append(lay.name + " checksum")
            lay = lay.payload if lay.payload else None
    rebuilt = bytes(q)
    if rebuilt == raw:
        return None
    off = first_diff(rebuilt, raw)
    return "recomputing %s changes byte %s (%s -> %s): %s" % (
        ", ".join(fields) or "nothing", off, raw[off:off + 2].hex(),
        rebuilt[off:off + 2].hex(), p.summary())


# ---------------------------------------------------------------------------- cases

class Case:
    """frames: [(port, frame)]; out: [(port, expected frame, check_l4)]; drops: {reason: n};
    counters: {counter: n} (/mpgw/counters: MSS clamps, ICMP errors, fragmentation);
    twin: [(port, frame)], frames the kernel writes to the port's twin (mpgw --twin-pcap)."""

    def __init__(self, name, frames=(), out=(), drops=None, counters=None, twin=()):
        self.name = name
        self.frames = list(frames)
        self.out = list(out)
        self.drops = dict(drops or {})
        self.counters = dict(counters or {})
        self.twin = list(twin)


def fwd(name, mk, dst_port, nh_mac, in_port=LAN, ttl=64, wrap_in=None, l4=True, pad=b"",
        in_dst=None, out_mk=None, counters=None):
    """A forwarded packet: mk(ttl) is the L3 packet. In: l2_in/[wrap]/mk(ttl) [+ pad];
    out: l2_out/mk(ttl - 1), or l2_out/out_mk(ttl - 1) when the packet is changed."""
    l2 = l2_in(in_port, dst=in_dst)
    frame = l2 / wrap_in / mk(ttl) if wrap_in is not None else l2 / mk(ttl)
    frame = bytes(frame) + pad
    out = (out_mk or mk)(ttl - 1)
    return Case(name, [(in_port, frame)], [(dst_port, bytes(l2_out(dst_port, nh_mac) / out), l4)],
                counters=counters)


def drop(name, reason, *frames, port=LAN):
    fr = [f if isinstance(f, tuple) else (port, f) for f in frames]
    return Case(name, [(p, bytes(f)) for p, f in fr], drops={reason: len(fr)})


def flow_key(frame):
    """Addresses, protocol and ports of a frame (ports only where its L4 header is there)."""
    p = Ether(frame)
    ip = p[IP] if IP in p else p[IPv6] if IPv6 in p else None
    if ip is None:
        return ("non-ip",)
    l4 = p[TCP] if TCP in p else p[UDP] if UDP in p else None
    ports = (l4.sport, l4.dport) if l4 is not None else ()
    return (ip.src, ip.dst, ip.proto if IP in p else ip.nh) + ports


class Group:
    def __init__(self, name, cases, cfg=None):
        self.name = name
        self.cases = cases
        self.config = cfg or config()


def group_v4_forward():
    g = lambda ttl: v4("198.51.100.7", ttl=ttl) / UDP(sport=40001, dport=7000) / payload("udp4")
    syn = lambda ttl: v4("198.51.100.8", ttl=ttl, flags="DF") / TCP(
        sport=40002, dport=443, flags="S", seq=1000,
        options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None),
                 ("WScale", 7)])
    data = lambda ttl: v4("198.51.100.9", ttl=ttl, tos=0x28) / TCP(
        sport=40003, dport=80, flags="PA", seq=5, ack=7) / payload("tcp4", 100)
    icmp = lambda ttl: v4("10.0.2.3", ttl=ttl) / ICMP(type=8, id=7, seq=1) / payload("ping4")
    onlink = lambda ttl: v4("203.0.113.5", ttl=ttl) / UDP(sport=40004, dport=4789) / payload("onl4")
    explicit = lambda ttl: v4("100.64.1.1", ttl=ttl) / UDP(sport=40005, dport=9) / payload("cgn")
    ttl2 = lambda ttl: v4("198.51.100.10", ttl=ttl) / UDP(sport=40006, dport=33434)
    opts = lambda ttl: v4("198.51.100.11", ttl=ttl, options=[IPOption_Router_Alert()]) / UDP(
        sport=40007, dport=7) / payload("opt4")
    badl4 = lambda ttl: v4("198.51.100.12", ttl=ttl) / UDP(sport=40008, dport=7, chksum=0x1234) / payload("bad")
    opts40 = lambda ttl: v4("198.51.100.16", ttl=ttl, options=[IPOption_NOP()] * 39 + [IPOption_EOL()]) / UDP(
        sport=40010, dport=7) / payload("ihl15")
    # SYN whose option list is malformed (an MSS option of length 1): not mpgw's business.
    badopt = lambda ttl: v4("198.51.100.17", ttl=ttl) / TCP(sport=40011, dport=80, flags="S", dataofs=6) / Raw(
        b"\x02\x01\x00\x00")
    gre = lambda ttl: v4("198.51.100.13", ttl=ttl, proto=47) / Raw(b"\x00\x00\x08\x00" + b"x" * 20)
    icmp6in4 = lambda ttl: v4("198.51.100.14", ttl=ttl, proto=58) / Raw(b"\x80\x00")

    def edge(target):
        mk0 = lambda i, ttl=64: v4("198.51.100.15", ttl=ttl, id=i) / UDP(sport=40009, dport=7)
        i = ip_with_cksum(target, mk0)
        return lambda ttl: mk0(i, ttl)

    back_host = lambda ttl: v4("10.0.1.2", src="198.51.100.7", ttl=ttl) / UDP(sport=7000, dport=40001) / payload("back4")
    back_gw = lambda ttl: v4("172.16.5.5", src="198.51.100.8", ttl=ttl) / TCP(sport=443, dport=40002, flags="SA", seq=9, ack=1001)
    back_icmp = lambda ttl: v4("10.0.1.2", src="10.0.2.3", ttl=ttl) / ICMP(type=0, id=7, seq=1) / payload("ping4")
    return Group("v4_forward", [
        fwd("udp via gateway", g, WAN, WAN_GW_MAC),
        fwd("tcp syn with options via gateway", syn, WAN, WAN_GW_MAC),
        fwd("tcp data via gateway", data, WAN, WAN_GW_MAC),
        fwd("icmp echo to a neighbour host", icmp, WAN, WAN_HOST_MAC),
        fwd("udp to an on-link route's neighbour", onlink, WAN, ONLINK_MAC),
        fwd("route via gateway with explicit port", explicit, WAN, WAN_GW_MAC),
        fwd("ttl 2 forwarded with ttl 1", ttl2, WAN, WAN_GW_MAC, ttl=2),
        fwd("ttl 255 forwarded with ttl 254", ttl2, WAN, WAN_GW_MAC, ttl=255),
        fwd("ip options forwarded intact", opts, WAN, WAN_GW_MAC),
        fwd("bad udp checksum forwarded untouched", badl4, WAN, WAN_GW_MAC, l4=False),
        fwd("ihl 15 (40 bytes of options) forwarded intact", opts40, WAN, WAN_GW_MAC),
        fwd("tcp syn with a malformed option list forwarded intact", badopt, WAN, WAN_GW_MAC, l4=False,
            counters={"mss_bad_options": 1}),
        fwd("unknown protocol (gre) forwarded", gre, WAN, WAN_GW_MAC),
        fwd("icmpv6 inside ipv4 is opaque, forwarded", icmp6in4, WAN, WAN_GW_MAC),
        fwd("checksum 0xfeff before ttl-1", edge(0xFEFF), WAN, WAN_GW_MAC),
        fwd("checksum 0xff00 before ttl-1", edge(0xFF00), WAN, WAN_GW_MAC),
        fwd("checksum 0x0000 before ttl-1", edge(0x0000), WAN, WAN_GW_MAC),
        fwd("checksum 0xfffe before ttl-1", edge(0xFFFE), WAN, WAN_GW_MAC),
        fwd("wan->lan udp to a neighbour host", back_host, LAN, LAN_HOST_MAC, in_port=WAN),
        fwd("wan->lan tcp via lan gateway", back_gw, LAN, LAN_GW_MAC, in_port=WAN),
        fwd("wan->lan icmp echo reply", back_icmp, LAN, LAN_HOST_MAC, in_port=WAN),
    ])


def group_v6_forward():
    g = lambda h: v6("2001:db8:9::7", hlim=h) / UDP(sport=41001, dport=7000) / payload("udp6")
    syn = lambda h: v6("2001:db8:9::8", hlim=h) / TCP(
        sport=41002, dport=443, flags="S", seq=1000,
        options=[("MSS", 1440), ("SAckOK", b""), ("WScale", 7)])
    data = lambda h: v6("2001:db8:9::9", hlim=h) / TCP(sport=41003, dport=80, flags="PA") / payload("tcp6", 200)
    icmp = lambda h: v6("fd00:2::3", hlim=h) / ICMPv6EchoRequest(id=7, seq=1, data=b"ping6")
    nb_tcp = lambda h: v6("fd00:2::2", hlim=h) / TCP(sport=41004, dport=22, flags="A")
    onlink = lambda h: v6("2001:db8:77::5", hlim=h) / UDP(sport=41005, dport=4789) / payload("onl6")
    h2 = lambda h: v6("2001:db8:9::a", hlim=h) / UDP(sport=41006, dport=33434)
    tcfl = lambda h: v6("2001:db8:9::b", hlim=h, tc=0xB8, fl=0x12345) / UDP(sport=41007, dport=5004) / payload("rtp")
    ext = lambda h: (v6("2001:db8:9::c", hlim=h) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
                     IPv6ExtHdrRouting(addresses=[]) / IPv6ExtHdrDestOpt() /
                     UDP(sport=41008, dport=7) / payload("ext6"))

    def chain(n):
        def mk(h):
            p = v6("2001:db8:9::d", hlim=h)
            for _ in range(n):
                p = p / IPv6ExtHdrDestOpt()
            return p / UDP(sport=41009, dport=7) / payload("chain")
        return mk

    # AH (next header 51, length in 4-byte units minus 2): 24 bytes, then UDP.
    ah = bytes([17, 4, 0, 0]) + (0x1001).to_bytes(4, "big") + (1).to_bytes(4, "big") + b"\x5a" * 12
    ah_udp = lambda h: v6("2001:db8:9::10", hlim=h, nh=51) / Raw(ah + bytes(UDP(sport=41010, dport=7, chksum=0x4321, len=16)) + b"ah-udp!!")
    icmp4in6 = lambda h: v6("2001:db8:9::e", hlim=h, nh=1) / Raw(b"\x08\x00")
    nonext = lambda h: v6("2001:db8:9::f", hlim=h, nh=59) / Raw(b"opaque bytes")
    back_host = lambda h: v6("fd00:1::2", src="2001:db8:9::7", hlim=h) / UDP(sport=7000, dport=41001) / payload("back6")
    back_gw = lambda h: v6("2001:db8:1::5", src="2001:db8:9::8", hlim=h) / TCP(sport=443, dport=41002, flags="SA")
    back_icmp = lambda h: v6("fd00:1::2", src="fd00:2::3", hlim=h) / ICMPv6EchoReply(id=7, seq=1, data=b"ping6")
    return Group("v6_forward", [
        fwd("udp via gateway", g, WAN, WAN_GW_MAC),
        fwd("tcp syn with options via gateway", syn, WAN, WAN_GW_MAC),
        fwd("tcp data via gateway", data, WAN, WAN_GW_MAC),
        fwd("icmpv6 echo to a neighbour host", icmp, WAN, WAN_HOST_MAC),
        fwd("tcp to the gateway itself (neighbour host)", nb_tcp, WAN, WAN_GW_MAC),
        fwd("udp to an on-link route's neighbour", onlink, WAN, ONLINK_MAC),
        fwd("hop limit 2 forwarded with 1", h2, WAN, WAN_GW_MAC, ttl=2),
        fwd("traffic class and flow label kept", tcfl, WAN, WAN_GW_MAC),
        fwd("extension headers (hbh, dst, rt, dst) forwarded intact", ext, WAN, WAN_GW_MAC),
        fwd("8 extension headers (the cap) forwarded", chain(8), WAN, WAN_GW_MAC),
        fwd("authentication header then udp forwarded intact", ah_udp, WAN, WAN_GW_MAC, l4=False),
        fwd("icmp (v4) inside ipv6 is opaque, forwarded", icmp4in6, WAN, WAN_GW_MAC),
        fwd("no next header forwarded", nonext, WAN, WAN_GW_MAC),
        fwd("wan->lan udp to a neighbour host", back_host, LAN, LAN_HOST_MAC, in_port=WAN),
        fwd("wan->lan tcp via lan gateway", back_gw, LAN, LAN_GW_MAC, in_port=WAN),
        fwd("wan->lan icmpv6 echo reply", back_icmp, LAN, LAN_HOST_MAC, in_port=WAN),
    ])


def group_l2():
    u4 = lambda dst, tag: (lambda ttl: v4(dst, ttl=ttl) / UDP(sport=42000, dport=7) / payload(tag))
    u6 = lambda dst, tag: (lambda h: v6(dst, hlim=h) / UDP(sport=42000, dport=7) / payload(tag))
    ping = lambda ttl: v4("198.51.100.30", ttl=ttl) / ICMP(type=8, id=1, seq=1)  # 42-byte frame
    udp0 = lambda ttl: v4("198.51.100.31", ttl=ttl) / UDP(sport=42001, dport=7)  # 42-byte frame
    tiny6 = lambda h: v6("2001:db8:9::30", hlim=h, nh=59) / Raw(b"ab")  # 56-byte frame
    ping_q = lambda ttl: v4("198.51.100.32", ttl=ttl) / ICMP(type=8, id=2, seq=1)
    garbage = lambda ttl: v4("198.51.100.33", ttl=ttl) / UDP(sport=42002, dport=7) / payload("trail", 58)
    garbage6 = lambda h: v6("2001:db8:9::31", hlim=h) / UDP(sport=42002, dport=7) / payload("trail6", 20)
    q = lambda vid: Dot1Q(vlan=vid)

    arp_req = Ether(dst="ff:ff:ff:ff:ff:ff", src=LAN_HOST_MAC) / ARP(
        op=1, hwsrc=LAN_HOST_MAC, psrc="10.0.1.2", pdst="10.0.1.1")
    arp_rep = Ether(dst=LAN_MAC, src=LAN_HOST_MAC) / ARP(
        op=2, hwsrc=LAN_HOST_MAC, psrc="10.0.1.2", hwdst=LAN_MAC, pdst="10.0.1.1")
    arp_vlan = Ether(dst="ff:ff:ff:ff:ff:ff", src=LAN_HOST_MAC) / Dot1Q(vlan=5) / ARP(
        op=1, hwsrc=LAN_HOST_MAC, psrc="10.0.1.2", pdst="10.0.1.1")
    lldp = Ether(dst="01:80:c2:00:00:0e", src=LAN_HOST_MAC, type=0x88CC) / Raw(b"\x02\x07\x04" + b"\x00" * 40)
    pad_pkt = lambda p: bytes(p) + b"\x00" * (60 - len(bytes(p)))
    three = (l2_in(LAN) / Dot1AD(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) /
             v4("198.51.100.40") / UDP(sport=42003, dport=7))
    short13 = bytes(l2_in(LAN))[:13]
    tag_cut = bytes(l2_in(LAN) / Dot1Q(vlan=7))[:16]
    qinq_cut = bytes(l2_in(LAN) / Dot1AD(vlan=7) / Dot1Q(vlan=8) / v4("198.51.100.41"))[:20]
    return Group("l2", [
        fwd("802.1q v4 -> untagged", u4("198.51.100.20", "q4"), WAN, WAN_GW_MAC, wrap_in=q(10)),
        fwd("802.1q v6 -> untagged", u6("2001:db8:9::20", "q6"), WAN, WAN_GW_MAC, wrap_in=q(10)),
        fwd("qinq 88a8+8100 v4 -> untagged", u4("198.51.100.21", "qq4"), WAN, WAN_GW_MAC,
            wrap_in=Dot1AD(vlan=100) / q(10)),
        fwd("qinq 88a8+8100 v6 -> untagged", u6("2001:db8:9::21", "qq6"), WAN, WAN_GW_MAC,
            wrap_in=Dot1AD(vlan=100) / q(10)),
        fwd("qinq 8100+8100 v4 -> untagged", u4("198.51.100.22", "q44"), WAN, WAN_GW_MAC,
            wrap_in=q(100) / q(10)),
        fwd("priority tag (vid 0) -> untagged", u4("198.51.100.23", "prio"), WAN, WAN_GW_MAC,
            wrap_in=Dot1Q(vlan=0, prio=5)),
        fwd("42-byte icmp frame padded to 60: padding trimmed", ping, WAN, WAN_GW_MAC, pad=b"\x00" * 18),
        fwd("42-byte udp frame padded to 60: padding trimmed", udp0, WAN, WAN_GW_MAC, pad=b"\xaa" * 18),
        fwd("56-byte ipv6 frame padded to 60: padding trimmed", tiny6, WAN, WAN_GW_MAC, pad=b"\x00" * 4),
        fwd("802.1q 46-byte frame padded to 64: trimmed, untagged", ping_q, WAN, WAN_GW_MAC,
            wrap_in=q(20), pad=b"\x00" * 18),
        fwd("v4 trailing bytes after total length trimmed", garbage, WAN, WAN_GW_MAC, pad=b"\xee" * 50),
        fwd("v6 trailing bytes after payload length trimmed", garbage6, WAN, WAN_GW_MAC, pad=b"\xee" * 30),
        drop("broadcast or multicast dst MAC, unicast IP: not forwarded (RFC 1812)", "l2_broadcast",
             l2_in(LAN, dst="ff:ff:ff:ff:ff:ff") / v4("198.51.100.24") / UDP(sport=1, dport=7),
             l2_in(LAN, dst="01:00:5e:00:00:01") / v4("198.51.100.25") / UDP(sport=1, dport=7),
             l2_in(LAN, dst="33:33:00:00:00:01") / v6("2001:db8:9::25") / UDP(sport=1, dport=7)),
        drop("unicast to another MAC (and to wan0's MAC on lan0): not_for_us", "not_for_us",
             l2_in(LAN, dst=OTHER_MAC) / v4("198.51.100.26") / UDP(),
             l2_in(LAN, dst=WAN_MAC) / v4("198.51.100.27") / UDP(),
             l2_in(LAN, dst=OTHER_MAC) / v6("2001:db8:9::27") / UDP()),
        drop("arp request/reply, tagged arp, lldp: not_ip", "not_ip",
             pad_pkt(arp_req), pad_pkt(arp_rep), pad_pkt(arp_vlan), lldp),
        drop("three vlan tags: vlan_depth", "vlan_depth", three),
        drop("13-byte frame, cut vlan tag, cut inner tag: l2_trunc", "l2_trunc",
             short13, tag_cut, qinq_cut),
    ])


def group_route_drops_v4():
    u = lambda dst, ttl=64, **kw: l2_in(LAN) / v4(dst, ttl=ttl, **kw) / UDP(sport=43000, dport=7) / payload("drop4")
    bad = IP(bytes(v4("198.51.100.50") / UDP(sport=43001, dport=7) / payload("cks")))
    bad.chksum ^= 0x0101
    return Group("route_drops_v4", [
        drop("no route (8.8.8.8): no_route", "no_route", u("8.8.8.8"), u("100.128.0.1", ttl=1)),
        drop("connected subnet, gateway and on-link route without neighbour: no_neighbour",
             "no_neighbour", u("10.0.2.77"), u("198.18.0.1"), u("203.0.113.9")),
        drop("own addresses (lan0, wan0, ttl 1 too): local", "local",
             u("10.0.1.1"), u("10.0.2.1"), u("10.0.1.1", ttl=1)),
        drop("blackhole route and its more specific /25: blackhole", "blackhole",
             u("192.0.2.1"), u("198.51.100.200")),
        drop("ttl 1 and ttl 0 (gateway and neighbour host): ttl_exceeded, no icmp", "ttl_exceeded",
             u("198.51.100.51", ttl=1), u("198.51.100.52", ttl=0), u("10.0.2.3", ttl=1)),
        drop("224.0.0.5, 239.1.1.1, 255.255.255.255: multicast", "multicast",
             l2_in(LAN, dst="01:00:5e:00:00:05") / v4("224.0.0.5", ttl=1) / UDP(),
             l2_in(LAN, dst="01:00:5e:01:01:01") / v4("239.1.1.1") / UDP(),
             l2_in(LAN, dst="ff:ff:ff:ff:ff:ff") / v4("255.255.255.255") / UDP(sport=68, dport=67)),
        drop("bad header checksum: ip4_cksum", "ip4_cksum", l2_in(LAN) / bad),
        drop("dst 127.0.0.1, 0.1.2.3, 240.0.0.1; src 127.0.0.1, 224.0.0.1, 0.0.0.0: martian",
             "martian", u("127.0.0.1"), u("0.1.2.3"), u("240.0.0.1"),
             l2_in(LAN) / v4("198.51.100.61", src="127.0.0.1") / UDP(sport=1, dport=7),
             l2_in(LAN) / v4("198.51.100.62", src="224.0.0.1") / UDP(sport=1, dport=7),
             l2_in(LAN) / v4("198.51.100.63", src="0.0.0.0") / UDP(sport=1, dport=7)),
    ])


def group_route_drops_v6():
    u = lambda dst, h=64: l2_in(LAN) / v6(dst, hlim=h) / UDP(sport=44000, dport=7) / payload("drop6")
    return Group("route_drops_v6", [
        drop("no route (2001:db8:ffff::1): no_route", "no_route", u("2001:db8:ffff::1"), u("3fff::1")),
        drop("connected subnet, gateway and on-link route without neighbour: no_neighbour",
             "no_neighbour", u("fd00:2::77"), u("2001:db8:99::1"), u("2001:db8:77::9")),
        drop("own addresses (lan0, wan0, hop limit 1 too): local", "local",
             u("fd00:1::1"), u("fd00:2::1"), u("fd00:1::1", h=1)),
        drop("blackhole route and its more specific /64: blackhole", "blackhole",
             u("2001:db8:dead::1"), u("2001:db8:9:ff::1")),
        drop("hop limit 1 and 0: ttl_exceeded, no icmpv6", "ttl_exceeded",
             u("2001:db8:9::51", h=1), u("2001:db8:9::52", h=0), u("fd00:2::3", h=1)),
        drop("ff02::1, ff05::1:3: multicast", "multicast",
             l2_in(LAN, dst="33:33:00:00:00:01") / v6("ff02::1", src="fe80::2", hlim=1) / ICMPv6EchoRequest(),
             l2_in(LAN, dst="33:33:00:01:00:03") / v6("ff05::1:3") / UDP(sport=546, dport=547)),
        drop("dst ::1, ::, fe80::1; src ::1, ff02::1, fe80::2: martian", "martian",
             u("::1"), u("::"), u("fe80::1"),
             l2_in(LAN) / v6("2001:db8:9::61", src="::1") / UDP(sport=1, dport=7),
             l2_in(LAN) / v6("2001:db8:9::63", src="fe80::2") / UDP(sport=1, dport=7),
             l2_in(LAN) / v6("2001:db8:9::62", src="ff02::1") / UDP(sport=1, dport=7)),
    ])


def raw_ip4(body, **kw):
    """Ether/IP with a valid header checksum, then body bytes (as given, lengths auto)."""
    return l2_in(LAN) / v4("198.51.100.60", **kw) / Raw(body)


def fix_ip4_cksum(frame):
    """Recompute the IPv4 header checksum of an Ethernet frame built with explicit fields."""
    b = bytearray(bytes(frame))
    ihl = (b[14] & 0x0F) * 4
    b[24:26] = b"\x00\x00"
    s = 0
    for i in range(14, min(14 + max(ihl, 20), len(b) - 1), 2):
        s += (b[i] << 8) | b[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    b[24:26] = ((~s) & 0xFFFF).to_bytes(2, "big")
    return bytes(b)


def group_malformed_v4():
    e = bytes(l2_in(LAN))[:12] + b"\x08\x00"  # Ethernet header, IPv4 ethertype
    hdr = bytes(v4("198.51.100.61") / UDP(sport=45000, dport=7) / payload("m4", 20))
    return Group("malformed_v4", [
        drop("19 bytes of ip header; ihl 6 with 20 bytes: ip4_trunc", "ip4_trunc",
             e + hdr[:19],
             fix_ip4_cksum(e + bytes([0x46]) + hdr[1:2] + (20).to_bytes(2, "big") + hdr[4:20])),
        drop("version 5 in an ipv4 ethertype: ip4_version", "ip4_version",
             fix_ip4_cksum(e + bytes([0x55]) + hdr[1:])),
        drop("ihl 4: ip4_ihl", "ip4_ihl", fix_ip4_cksum(e + bytes([0x44]) + hdr[1:])),
        drop("total length beyond the data, below the header: ip4_totlen", "ip4_totlen",
             fix_ip4_cksum(e + hdr[:2] + (200).to_bytes(2, "big") + hdr[4:]),
             fix_ip4_cksum(e + hdr[:2] + (19).to_bytes(2, "big") + hdr[4:])),
        drop("tcp with 12 bytes: tcp_trunc", "tcp_trunc", raw_ip4(b"\x00\x50" * 6, proto=6)),
        drop("tcp data offset 4, and 15 beyond the segment: tcp_doff", "tcp_doff",
             l2_in(LAN) / v4("198.51.100.62") / TCP(dataofs=4),
             l2_in(LAN) / v4("198.51.100.63") / TCP(dataofs=15)),
        drop("udp with 6 bytes: udp_trunc", "udp_trunc", raw_ip4(b"\x00\x35\x00\x35\x00\x06", proto=17)),
        drop("udp length 7, and beyond the ip payload: udp_len", "udp_len",
             l2_in(LAN) / v4("198.51.100.64") / UDP(len=7) / payload("x", 8),
             l2_in(LAN) / v4("198.51.100.65") / UDP(len=100) / payload("x", 8)),
        drop("icmp with 4 bytes: icmp_trunc", "icmp_trunc", raw_ip4(b"\x08\x00\xf7\xff", proto=1)),
    ])


def ip6_raw(nh, body, dst="2001:db8:9::60", plen=None):
    return l2_in(LAN) / IPv6(src="fd00:1::2", dst=dst, nh=nh, plen=plen) / Raw(body)


def group_malformed_v6():
    e = l2_in(LAN)
    hdr = bytes(v6("2001:db8:9::61") / UDP(sport=46000, dport=7) / payload("m6", 20))
    chain9 = v6("2001:db8:9::62")
    for _ in range(9):
        chain9 = chain9 / IPv6ExtHdrDestOpt()
    chain9 = chain9 / UDP(sport=46001, dport=7)
    return Group("malformed_v6", [
        drop("39 bytes of ipv6 header: ip6_trunc", "ip6_trunc", bytes(e)[:12] + b"\x86\xdd" + hdr[:39]),
        drop("version 4 in an ipv6 ethertype: ip6_version", "ip6_version",
             bytes(e)[:12] + b"\x86\xdd" + bytes([0x40]) + hdr[1:]),
        drop("payload length beyond the data, and 0: ip6_paylen", "ip6_paylen",
             ip6_raw(17, bytes(UDP(sport=1, dport=2) / payload("p", 12)), plen=200),
             ip6_raw(59, b"\x00" * 16, plen=0)),
        drop("hop-by-hop longer than the payload, cut fragment header: ip6_ext_trunc", "ip6_ext_trunc",
             ip6_raw(0, bytes([59, 3]) + b"\x01\x04\x00\x00\x00\x00"),
             ip6_raw(44, bytes([17, 0, 0, 0]))),
        drop("9 extension headers: ip6_ext_chain", "ip6_ext_chain", e / chain9),
        drop("tcp with 10 bytes: tcp_trunc", "tcp_trunc", ip6_raw(6, b"\x00" * 10)),
        drop("tcp data offset 3: tcp_doff", "tcp_doff", e / v6("2001:db8:9::63") / TCP(dataofs=3)),
        drop("udp with 4 bytes: udp_trunc", "udp_trunc", ip6_raw(17, b"\x00\x35\x00\x35")),
        drop("udp length 4: udp_len", "udp_len", e / v6("2001:db8:9::64") / UDP(len=4) / payload("y", 8)),
        drop("icmpv6 with 4 bytes: icmp6_trunc", "icmp6_trunc", ip6_raw(58, b"\x80\x00\x00\x00")),
    ])


def group_fragments():
    def frag4(i, proto="udp"):
        def mk(ttl):
            if proto == "udp":
                l4 = UDP(sport=47001, dport=7) / payload("fragudp", 1500)
            elif proto == "tcp":
                l4 = TCP(sport=47002, dport=80, flags="PA") / payload("fragtcp", 1500)
            else:
                l4 = ICMP(type=8, id=9, seq=1) / payload("fragicmp", 1500)
            return fragment(v4("198.51.100.70", ttl=ttl, id=0x4242) / l4, fragsize=1000)[i]
        return mk

    def frag6(i):
        def mk(h):
            p = v6("2001:db8:9::70", hlim=h) / IPv6ExtHdrFragment(id=0xabcdef) / UDP(
                sport=47003, dport=7) / payload("frag6", 1500)
            return fragment6(p, 1000)[i]
        return mk

    later6_hbh = lambda h: (v6("2001:db8:9::71", hlim=h) / IPv6ExtHdrHopByHop() /
                            IPv6ExtHdrFragment(nh=17, offset=100, m=0, id=77) / payload("tail", 40))
    later4_tiny = lambda ttl: v4("198.51.100.71", ttl=ttl, proto=6, frag=185, flags=0) / payload("t", 4)
    return Group("fragments", [
        fwd("v4 udp first fragment forwarded", frag4(0), WAN, WAN_GW_MAC, l4=False),
        fwd("v4 udp last fragment forwarded", frag4(1), WAN, WAN_GW_MAC, l4=False),
        fwd("v4 tcp first fragment forwarded", frag4(0, "tcp"), WAN, WAN_GW_MAC, l4=False),
        fwd("v4 icmp first fragment forwarded", frag4(0, "icmp"), WAN, WAN_GW_MAC, l4=False),
        fwd("v4 4-byte non-first tcp fragment forwarded", later4_tiny, WAN, WAN_GW_MAC, l4=False),
        fwd("v6 udp first fragment forwarded", frag6(0), WAN, WAN_GW_MAC, l4=False),
        fwd("v6 udp last fragment forwarded", frag6(1), WAN, WAN_GW_MAC, l4=False),
        fwd("v6 hop-by-hop + non-first fragment forwarded", later6_hbh, WAN, WAN_GW_MAC, l4=False),
    ])


def group_mtu():
    """wan0 MTU 1280, lan0 1500: the MTU bounds the IP datagram, not the frame."""
    def u4(dst, size, tag):
        return lambda ttl: v4(dst, ttl=ttl) / UDP(sport=48000, dport=7) / payload(tag, size - 28)

    def u6(dst, size, tag):
        return lambda h: v6(dst, hlim=h) / UDP(sport=48000, dport=7) / payload(tag, size - 48)

    return Group("mtu", [
        fwd("v4 1280-byte datagram on mtu 1280 forwarded", u4("198.51.100.80", 1280, "m4"), WAN, WAN_GW_MAC),
        fwd("v6 1280-byte datagram on mtu 1280 forwarded", u6("2001:db8:9::80", 1280, "m6"), WAN, WAN_GW_MAC),
        fwd("qinq-tagged 1280-byte datagram forwarded", u4("198.51.100.81", 1280, "mq"), WAN, WAN_GW_MAC,
            wrap_in=Dot1AD(vlan=3) / Dot1Q(vlan=4)),
        fwd("1280-byte datagram plus trailing bytes forwarded, trimmed", u4("198.51.100.82", 1280, "mt"),
            WAN, WAN_GW_MAC, pad=b"\xee" * 8),
        fwd("wan->lan 1500-byte datagram on mtu 1500 forwarded", lambda ttl: v4(
            "10.0.1.2", src="198.51.100.7", ttl=ttl) / UDP(sport=48002, dport=7) / payload("l", 1472),
            LAN, LAN_HOST_MAC, in_port=WAN),
    ], cfg=config(wan_mtu=1280))


def group_jumbo():
    """Both ports at MTU 9000: a 9000-byte datagram (a 9022-byte QinQ frame) is one segment."""
    big4 = lambda dst, size, tag, src="10.0.1.2": (lambda ttl: v4(dst, src=src, ttl=ttl) / UDP(
        sport=49000, dport=7) / payload(tag, size - 28))
    big6 = lambda dst, size, tag: (lambda h: v6(dst, hlim=h) / UDP(sport=49000, dport=7) / payload(tag, size - 48))
    return Group("jumbo", [
        fwd("v4 9000-byte datagram forwarded", big4("198.51.100.90", 9000, "j4"), WAN, WAN_GW_MAC),
        fwd("v6 9000-byte datagram forwarded", big6("2001:db8:9::90", 9000, "j6"), WAN, WAN_GW_MAC),
        fwd("qinq 9000-byte datagram forwarded untagged", big4("198.51.100.91", 9000, "jq"), WAN, WAN_GW_MAC,
            wrap_in=Dot1AD(vlan=3) / Dot1Q(vlan=4)),
        fwd("wan->lan 9000-byte datagram forwarded", big4("10.0.1.2", 9000, "jb", src="198.51.100.7"),
            LAN, LAN_HOST_MAC, in_port=WAN),
        frag("9001-byte datagram without DF: two fragments of at most 9000",
             big4("198.51.100.92", 9001, "x"), 9000),
    ], cfg=config(wan_mtu=9000, lan_mtu=9000))


# ---------------------------------------------------------------------------- MSS and PMTU

def frag(name, mk, mtu, dst_port=WAN, nh_mac=WAN_GW_MAC, in_port=LAN):
    """An IPv4 datagram without DF, too big for the egress MTU: it leaves as the fragments
    scapy makes of mk(ttl - 1), each at most mtu bytes (payloads a multiple of 8)."""
    size = (mtu - 20) // 8 * 8
    frame = bytes(l2_in(in_port) / mk(64))
    out = [(dst_port, bytes(l2_out(dst_port, nh_mac) / f), False)
           for f in fragment(mk(63), fragsize=size)]
    return Case(name, [(in_port, frame)], out,
                counters={"ip4_fragmented": 1, "ip4_fragments": len(out)})


def icmp_error(name, mk, in_port=LAN, mtu=1280, counters=None):
    """A datagram too big for the egress, IPv6 or IPv4 with DF: the error goes back to its
    source out of the ingress port (from that port's address, TTL 64), quoting it as it
    arrived: 548 bytes at most (IPv4), 1232 (IPv6)."""
    frame = bytes(l2_in(in_port) / mk(64))
    orig = mk(64)
    raw = bytes(orig)
    if IPv6 in orig:
        err = IPv6(src="fd00:1::1" if in_port == LAN else "fd00:2::1", dst=orig[IPv6].src,
                   hlim=64) / ICMPv6PacketTooBig(mtu=mtu) / Raw(raw[:1232])
        counters = counters or {"icmp6_packet_too_big": 1}
    else:
        err = IP(src="10.0.1.1" if in_port == LAN else "10.0.2.1", dst=orig[IP].src, tos=0xc0,
                 id=0, flags="DF", ttl=64) / ICMP(type=3, code=4, nexthopmtu=mtu) / Raw(raw[:548])
        counters = counters or {"icmp4_frag_needed": 1}
    back_mac = LAN_HOST_MAC if in_port == LAN else WAN_GW_MAC
    return Case(name, [(in_port, frame)], [(in_port, bytes(l2_out(in_port, back_mac) / err), True)],
                counters=counters)


LINUX_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]


def syn4(dst, opts, src="10.0.1.2", flags="S", data=b"", sport=43000, **kw):
    return lambda ttl: v4(dst, src=src, ttl=ttl, flags="DF", **kw) / TCP(
        sport=sport, dport=443, flags=flags, seq=1000, ack=0 if flags == "S" else 77,
        options=opts) / (Raw(data) if data else b"")


def syn6(dst, opts, src="fd00:1::2", flags="S", data=b"", sport=43000, ext=None):
    def mk(h):
        ip = v6(dst, src=src, hlim=h)
        if ext is not None:
            ip = ip / ext
        return ip / TCP(sport=sport, dport=443, flags=flags, seq=1000,
                        ack=0 if flags == "S" else 77, options=opts) / (Raw(data) if data else b"")
    return mk


def with_mss(opts, mss):
    return [("MSS", mss) if k == "MSS" else (k, v) for k, v in opts]


def clamped(name, mk_in, mk_out, dst_port=WAN, nh_mac=WAN_GW_MAC, in_port=LAN, wrap_in=None,
            counter="mss_clamped", l4=True):
    return fwd(name, mk_in, dst_port, nh_mac, in_port=in_port, wrap_in=wrap_in, out_mk=mk_out,
               counters={counter: 1} if counter else None, l4=l4)


def group_mss():
    """wan0 MTU 1400: IPv4 SYNs crossing it clamp to 1360, IPv6 to 1340; lan0 stays at 1500."""
    mptcp = (30, bytes.fromhex("0081") + bytes(range(1, 9)))  # MP_CAPABLE v1, key
    tfo = (34, bytes.fromhex("0102030405060708"))
    orders = [
        [("SAckOK", b""), ("Timestamp", (1, 0)), ("MSS", 1460), ("NOP", None), ("WScale", 7)],
        [("NOP", None), ("MSS", 1460), ("NOP", None), ("WScale", 7), ("SAckOK", b"")],  # odd
        [("WScale", 7), ("MSS", 1460), ("NOP", None)],  # the value at offset 5: odd
        [("MSS", 1460)],
        [("NOP", None), ("NOP", None), ("NOP", None), ("MSS", 1460), ("EOL", None)],
    ]
    cases = [
        clamped("v4 syn lan->wan: 1460 -> 1360", syn4("198.51.100.40", LINUX_OPTS),
                syn4("198.51.100.40", with_mss(LINUX_OPTS, 1360))),
        clamped("v4 syn-ack wan->lan clamps to the wan it came by: 1460 -> 1360",
                syn4("10.0.1.2", LINUX_OPTS, src="198.51.100.40", flags="SA"),
                syn4("10.0.1.2", with_mss(LINUX_OPTS, 1360), src="198.51.100.40", flags="SA"),
                dst_port=LAN, nh_mac=LAN_HOST_MAC, in_port=WAN),
        clamped("v6 syn lan->wan: 1440 -> 1340", syn6("2001:db8:9::40", with_mss(LINUX_OPTS, 1440)),
                syn6("2001:db8:9::40", with_mss(LINUX_OPTS, 1340))),
        clamped("v6 syn-ack wan->lan: 1440 -> 1340",
                syn6("fd00:1::2", with_mss(LINUX_OPTS, 1440), src="2001:db8:9::40", flags="SA"),
                syn6("fd00:1::2", with_mss(LINUX_OPTS, 1340), src="2001:db8:9::40", flags="SA"),
                dst_port=LAN, nh_mac=LAN_HOST_MAC, in_port=WAN),
        fwd("v4 syn with mss 1200 (below the clamp) untouched",
            syn4("198.51.100.41", with_mss(LINUX_OPTS, 1200)), WAN, WAN_GW_MAC),
        fwd("v4 syn with mss exactly 1360 untouched",
            syn4("198.51.100.41", with_mss(LINUX_OPTS, 1360), sport=43001), WAN, WAN_GW_MAC),
        fwd("v4 syn without mss option untouched (536 is implied)",
            syn4("198.51.100.42", [("SAckOK", b""), ("WScale", 7)]), WAN, WAN_GW_MAC),
        fwd("v6 syn without options untouched", syn6("2001:db8:9::42", []), WAN, WAN_GW_MAC),
        clamped("v4 mptcp mp_capable syn: mss clamped, mptcp option intact",
                syn4("198.51.100.43", [("MSS", 1460), ("SAckOK", b""), mptcp]),
                syn4("198.51.100.43", [("MSS", 1360), ("SAckOK", b""), mptcp])),
        clamped("v6 mptcp mp_capable syn-ack",
                syn6("fd00:1::2", [("MSS", 1440), mptcp], src="2001:db8:9::43", flags="SA"),
                syn6("fd00:1::2", [("MSS", 1340), mptcp], src="2001:db8:9::43", flags="SA"),
                dst_port=LAN, nh_mac=LAN_HOST_MAC, in_port=WAN),
        clamped("v4 tcp fast open syn with data: mss clamped, cookie and data intact",
                syn4("198.51.100.44", [("MSS", 1460), tfo, ("NOP", None), ("NOP", None)],
                     data=b"GET / HTTP/1.1\r\n"),
                syn4("198.51.100.44", [("MSS", 1360), tfo, ("NOP", None), ("NOP", None)],
                     data=b"GET / HTTP/1.1\r\n")),
        clamped("v6 tfo syn with data", syn6("2001:db8:9::44", [("MSS", 1440), tfo], data=b"x" * 100),
                syn6("2001:db8:9::44", [("MSS", 1340), tfo], data=b"x" * 100)),
        clamped("v4 syn in an 802.1q tag: clamped, sent untagged",
                syn4("198.51.100.45", LINUX_OPTS), syn4("198.51.100.45", with_mss(LINUX_OPTS, 1360)),
                wrap_in=Dot1Q(vlan=7)),
        clamped("v4 syn in qinq tags", syn4("198.51.100.46", LINUX_OPTS),
                syn4("198.51.100.46", with_mss(LINUX_OPTS, 1360)), wrap_in=Dot1AD(vlan=3) / Dot1Q(vlan=4)),
        clamped("v6 syn after hop-by-hop and destination options headers",
                syn6("2001:db8:9::46", with_mss(LINUX_OPTS, 1440),
                     ext=IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()),
                syn6("2001:db8:9::46", with_mss(LINUX_OPTS, 1340),
                     ext=IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt())),
        fwd("v4 syn with a malformed option list after the mss: untouched",
            lambda ttl: v4("198.51.100.47", ttl=ttl) / TCP(sport=43002, dport=80, flags="S", dataofs=7) /
            Raw(b"\x02\x04\x05\xb4\x08\x01\x00\x00"), WAN, WAN_GW_MAC, l4=False,
            counters={"mss_bad_options": 1}),
        fwd("v4 syn whose mss option overruns the header: untouched",
            lambda ttl: v4("198.51.100.47", ttl=ttl) / TCP(sport=43003, dport=80, flags="S", dataofs=6) /
            Raw(b"\x01\x01\x02\x04"), WAN, WAN_GW_MAC, l4=False, counters={"mss_bad_options": 1}),
        clamped("v4 first fragment of a syn with data: clamped (the checksum covers all fragments)",
                lambda ttl: fragment(syn4("198.51.100.48", LINUX_OPTS, data=b"d" * 600)(ttl),
                                     fragsize=200)[0],
                lambda ttl: fragment(syn4("198.51.100.48", with_mss(LINUX_OPTS, 1360),
                                          data=b"d" * 600)(ttl), fragsize=200)[0], l4=False),
        fwd("v4 non-first fragment holding syn-like bytes: untouched",
            lambda ttl: v4("198.51.100.48", ttl=ttl, proto=6, frag=4, flags=0) / Raw(
                bytes(TCP(sport=1, dport=2, flags="S", options=[("MSS", 1460)]))), WAN, WAN_GW_MAC,
            l4=False),
        fwd("v4 ack with an mss option is not a syn: untouched",
            lambda ttl: v4("198.51.100.49", ttl=ttl) / TCP(sport=43004, dport=80, flags="A",
                                                           options=[("MSS", 1460)]), WAN, WAN_GW_MAC),
    ]
    for i, o in enumerate(orders):
        cases.append(clamped("v4 options order %d: %s" % (i, ",".join(k for k, _ in o)),
                             syn4("198.51.100.50", o, sport=43100 + i),
                             syn4("198.51.100.50", with_mss(o, 1360), sport=43100 + i)))
        cases.append(clamped("v6 options order %d" % i, syn6("2001:db8:9::50", o, sport=43100 + i),
                             syn6("2001:db8:9::50", with_mss(o, 1340), sport=43100 + i)))
    return Group("mss", cases, cfg=config(wan_mtu=1400))


def group_mss_fixed():
    """wan0 mss_clamp = 500 (below both defaults: options get inserted), lan0 off."""
    tfo = (34, bytes.fromhex("0102030405060708"))
    ins4 = lambda o, **kw: syn4("198.51.100.60", [("MSS", 500)] + o, **kw)
    ins6 = lambda o, **kw: syn6("2001:db8:9::60", [("MSS", 500)] + o, **kw)
    rest = [("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]
    return Group("mss_fixed", [
        clamped("v4 syn 1460 -> 500", syn4("198.51.100.61", LINUX_OPTS),
                syn4("198.51.100.61", with_mss(LINUX_OPTS, 500))),
        clamped("v4 syn without mss: one inserted first", syn4("198.51.100.60", rest),
                ins4(rest), counter="mss_inserted"),
        clamped("v4 syn without options: mss inserted", syn4("198.51.100.60", [], sport=43001),
                ins4([], sport=43001), counter="mss_inserted"),
        clamped("v4 syn-ack without mss, wan->lan: inserted",
                syn4("10.0.1.2", rest, src="198.51.100.60", flags="SA"),
                syn4("10.0.1.2", [("MSS", 500)] + rest, src="198.51.100.60", flags="SA"),
                dst_port=LAN, nh_mac=LAN_HOST_MAC, in_port=WAN, counter="mss_inserted"),
        clamped("v6 syn without mss: inserted (500 < 1220)", syn6("2001:db8:9::60", rest),
                ins6(rest), counter="mss_inserted"),
        clamped("v6 syn with hop-by-hop, without mss: inserted",
                syn6("2001:db8:9::60", [], ext=IPv6ExtHdrHopByHop(), sport=43002),
                syn6("2001:db8:9::60", [("MSS", 500)], ext=IPv6ExtHdrHopByHop(), sport=43002),
                counter="mss_inserted"),
        fwd("v4 tfo syn with data and no mss: left as is",
            syn4("198.51.100.62", [tfo], data=b"hello"), WAN, WAN_GW_MAC,
            counters={"mss_not_inserted": 1}),
        fwd("v4 syn with 40 bytes of options and no mss: no room, left as is",
            syn4("198.51.100.63", [("NOP", None)] * 40), WAN, WAN_GW_MAC,
            counters={"mss_not_inserted": 1}),
        fwd("v4 syn lan->lan (both ports off): untouched",
            syn4("172.16.0.9", LINUX_OPTS), LAN, LAN_GW_MAC),
    ], cfg=config(wan_mss="500", lan_mss="off"))


def group_mss_off():
    """mss_clamp = off on both ports: nothing is clamped, even over a small MTU."""
    return Group("mss_off", [
        fwd("v4 syn 1460 over mtu 1400 with clamping off: untouched",
            syn4("198.51.100.64", LINUX_OPTS), WAN, WAN_GW_MAC),
        fwd("v6 syn 1460 over mtu 1400 with clamping off: untouched",
            syn6("2001:db8:9::64", LINUX_OPTS), WAN, WAN_GW_MAC),
    ], cfg=config(wan_mtu=1400, wan_mss="off", lan_mss="off"))


def group_pmtu():
    """wan0 MTU 1280, lan0 1500."""
    u4 = lambda dst, size, tag, df=False, src="10.0.1.2": (lambda ttl: v4(
        dst, src=src, ttl=ttl, flags="DF" if df else 0) / UDP(sport=48001, dport=7) / payload(tag, size - 28))
    u6 = lambda dst, size, tag, src="fd00:1::2", ext=None: (lambda h: (
        v6(dst, src=src, hlim=h) / ext if ext is not None else v6(dst, src=src, hlim=h)) / UDP(
        sport=48001, dport=7) / payload(tag, size - 48 - (len(ext) if ext is not None else 0)))
    tcp4 = lambda ttl: v4("198.51.100.84", ttl=ttl, flags="DF") / TCP(
        sport=48002, dport=80, flags="PA") / payload("tcpdf", 1400)
    ping4 = lambda ttl: v4("198.51.100.85", ttl=ttl, flags="DF") / ICMP(type=8, id=5, seq=1) / payload("p", 1300)
    ping6 = lambda h: v6("2001:db8:9::85", hlim=h) / ICMPv6EchoRequest(id=5, seq=1, data=b"p" * 1300)
    err4 = lambda ttl: v4("198.51.100.86", ttl=ttl, flags="DF") / ICMP(type=3, code=1) / payload("e", 1300)
    err6 = lambda h: v6("2001:db8:9::86", hlim=h) / ICMPv6PacketTooBig(mtu=1000) / payload("e", 1300)
    frag_later = lambda ttl: v4("198.51.100.87", ttl=ttl, proto=17, frag=100, flags="DF") / payload("f", 1300)
    return Group("pmtu", [
        icmp_error("v6 1281 bytes: packet too big 1280, quoting 1232 bytes", u6("2001:db8:9::80", 1281, "b6")),
        icmp_error("v6 2000 bytes: packet too big, quote cut at 1232", u6("2001:db8:9::81", 2000, "c6")),
        icmp_error("v6 with a hop-by-hop header", u6("2001:db8:9::82", 1400, "h6", ext=IPv6ExtHdrHopByHop())),
        icmp_error("v4 DF 1281 bytes: frag needed, mtu 1280, quoting 548 bytes", u4("198.51.100.80", 1281, "b4", df=True)),
        icmp_error("v4 DF tcp", tcp4),
        icmp_error("v4 DF echo request (not an error: gets one)", ping4),
        icmp_error("v6 echo request", ping6),
        frag("v4 no DF 1281 bytes: two fragments", u4("198.51.100.81", 1281, "f4"), 1280),
        frag("v4 no DF 1500 bytes (lan0's MTU): two fragments", u4("198.51.100.82", 1500, "g4"), 1280),
        frag("v4 no DF wan->lan 1501 bytes on mtu 1500", u4("10.0.1.2", 1501, "l4", src="198.51.100.7"),
             1500, dst_port=LAN, nh_mac=LAN_HOST_MAC, in_port=WAN),
        icmp_error("v6 wan->lan 1501 bytes: packet too big 1500 from wan0's address",
                   u6("fd00:1::2", 1501, "l6", src="2001:db8:9::7"), in_port=WAN, mtu=1500),
        drop("too-big icmp error (v4 DF) gets no error: mtu_exceeded", "mtu_exceeded",
             l2_in(LAN) / err4(64)),
        drop("too-big icmpv6 error gets no error: mtu_exceeded", "mtu_exceeded", l2_in(LAN) / err6(64)),
        drop("too-big v4 non-first fragment with DF gets no error: mtu_exceeded", "mtu_exceeded",
             l2_in(LAN) / frag_later(64)),
    ], cfg=config(wan_mtu=1280))


def group_icmp_limits():
    """icmp_rate 1/s with a burst of 3: of 6 too-big packets 3 get an error. lan0 has no IPv6
    address: a too-big IPv6 packet from the LAN cannot get one."""
    big6 = lambda i: l2_in(LAN) / v6("2001:db8:9::90", src="fd00:1::2") / UDP(
        sport=48100 + i, dport=7) / payload("r", 1300)
    u6 = lambda i: (lambda h: v6("2001:db8:9::90", hlim=h) / UDP(sport=48100 + i, dport=7) / payload("r", 1300))
    big4 = lambda i: l2_in(LAN) / v4("198.51.100.90", flags="DF") / UDP(sport=48200 + i, dport=7) / payload("r", 1300)
    u4 = lambda i: (lambda ttl: v4("198.51.100.90", ttl=ttl, flags="DF") / UDP(sport=48200 + i, dport=7) / payload("r", 1300))
    cases = [icmp_error("v4 too big #%d: error sent (within the burst)" % i, u4(i)) for i in range(3)]
    cases.append(drop("v4 too big #3-5: over the rate limit", "icmp_rate_limited", *[big4(i) for i in range(3, 6)]))
    cases.append(drop("v6 too big from lan0, which has no IPv6 address: icmp_no_source", "icmp_no_source",
                      big6(0), big6(1)))
    return Group("icmp_limits", cases,
                 cfg=config(wan_mtu=1280, icmp="icmp_rate = 1\nicmp_burst = 3\n", lan_v6=False))


GROUPS = [group_v4_forward, group_v6_forward, group_l2, group_route_drops_v4,
          group_route_drops_v6, group_malformed_v4, group_malformed_v6, group_fragments,
          group_mtu, group_jumbo, group_mss, group_mss_fixed, group_mss_off, group_pmtu,
          group_icmp_limits]


# ---------------------------------------------------------------------------- runner

class Report:
    def __init__(self, verbose=False, pattern=None):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose
        self.pattern = pattern

    def check(self, name, errors):
        errors = [e for e in errors if e]
        if errors:
            self.failed += 1
            print("FAIL %s: %s" % (name, "; ".join(errors)))
        else:
            self.passed += 1
            print("ok %s" % name)
        sys.stdout.flush()
        return not errors


def find_close(expected, candidates):
    """Describe how the unmatched output most like expected (same length first, then fewest
    differing bytes) differs from it."""
    def distance(c):
        return (len(c) != len(expected), sum(x != y for x, y in zip(c, expected)))

    if not candidates:
        return "no unmatched output on that port"
    best = min(candidates, key=distance)
    n = first_diff(expected, best)
    return "closest output %s differs at byte %s (%s vs expected %s)" % (
        summary(best), n, best[n:n + 4].hex(), expected[n:n + 4].hex())


def run_group(rep, g):
    cases = g.cases
    if rep.pattern and rep.pattern not in g.name:
        cases = [c for c in cases if rep.pattern in c.name]
        if not cases:
            return
    inputs = [[], []]
    twin_inputs = {}
    for c in cases:
        for port, fr in c.frames:
            inputs[DEV[port]].append(fr)
        for port, fr in c.twin:
            twin_inputs.setdefault(port, []).append(fr)
    res = mpgw_run.run(g.config, inputs, timeout=60, twin_inputs=twin_inputs)
    prefix = g.name + ": "
    failed_before = rep.failed

    ok = rep.check(prefix + "mpgw exits 0 and writes outputs and stats", [
        res.timed_out and "timed out after 60 s",
        res.rc != 0 and "exit status %s: %s" % (res.rc, res.stderr.strip().splitlines()[-1:] or ""),
        res.rc == 0 and None in res.outputs and "an output pcap is missing %s" % res.output_errors,
        res.rc == 0 and res.stats is None and "no stats file (%s)" % res.stats_error,
    ])
    if not ok:
        if rep.verbose:
            print(res.describe())
        for c in cases:
            rep.check(prefix + c.name, ["mpgw run failed"])
        return res
    outputs = {LAN: res.outputs[0], WAN: res.outputs[1]}
    drops = res.drops()
    want_drops = collections.Counter()
    for c in cases:
        want_drops.update(c.drops)
    unexpected_drops = {k: v for k, v in drops.items() if v and not want_drops.get(k)}

    remaining = {p: list(v) for p, v in outputs.items()}
    for c in cases:
        errs = []
        for port, exp, l4 in c.out:
            if exp in remaining[port]:
                remaining[port].remove(exp)
                errs.append(checksum_problems(exp, l4))
            else:
                hint = " (drops seen in this run: %s)" % unexpected_drops if unexpected_drops else ""
                errs.append("expected on %s: %s; not found; %s%s" % (
                    port, summary(exp), find_close(exp, remaining[port]), hint))
        for reason, n in c.drops.items():
            got = drops.get(reason)
            if got != want_drops[reason]:
                errs.append("drops[%s] = %s, expected %d%s (other drops: %s)" % (
                    reason, got, want_drops[reason],
                    " (shared with other cases of the group)" if want_drops[reason] != n else "",
                    unexpected_drops or "none"))
        rep.check(prefix + c.name, errs)

    # Whole-run checks: exact outputs in order, nothing extra, every counter.
    errs = []
    for port in (LAN, WAN):
        want = [exp for c in cases for p, exp, _ in c.out if p == port]
        got = outputs[port]
        if sorted(got) != sorted(want):
            extra = [summary(f) for f in remaining[port]]
            errs.append("%s sent %d frames, expected %d%s" % (
                port, len(got), len(want),
                "; unexpected: " + ", ".join(extra[:4]) if extra else ""))
        else:
            # Packets take different paths through the graph (IPv4 and IPv6, SYNs through
            # the MSS clamp, ICMP errors and fragments through their own nodes), so the
            # order kept is the order within a flow.
            for key in {flow_key(f) for f in want}:
                w = [f for f in want if flow_key(f) == key]
                gf = [f for f in got if flow_key(f) == key]
                if gf != w:
                    errs.append("%s: frames of flow %s reordered (first difference at #%d)" % (
                        port, key, next(i for i, (x, y) in enumerate(zip(gf, w)) if x != y)))
        for f in outputs[port]:
            if f not in [e for c in cases for p, e, l4 in c.out if not l4]:
                problem = checksum_problems(f)
                if problem:
                    errs.append("%s output %s" % (port, problem))
    rep.check(prefix + "outputs exact and in order", errs)

    errs = []
    if set(drops) != set(DROP_REASONS):
        errs.append("drop reasons in stats: missing %s, unknown %s" % (
            sorted(set(DROP_REASONS) - set(drops)), sorted(set(drops) - set(DROP_REASONS))))
    for r in DROP_REASONS:
        if drops.get(r) != want_drops.get(r, 0):
            errs.append("%s = %s, expected %d" % (r, drops.get(r), want_drops.get(r, 0)))
    rep.check(prefix + "drop counters exact", errs)

    errs = []
    want_counters = collections.Counter()
    for c in cases:
        want_counters.update(c.counters)
    counters = res.stats.get("counters", {})
    if set(counters) != set(COUNTERS):
        errs.append("counters in stats: missing %s, unknown %s" % (
            sorted(set(COUNTERS) - set(counters)), sorted(set(counters) - set(COUNTERS))))
    for k in COUNTERS:
        if counters.get(k) != want_counters.get(k, 0):
            errs.append("%s = %s, expected %d" % (k, counters.get(k), want_counters.get(k, 0)))
    rep.check(prefix + "counters exact (MSS, ICMP, fragmentation)", errs)

    errs = []
    for port in (LAN, WAN):
        got = res.port(port)
        rx = inputs[DEV[port]]
        tx = [exp for c in cases for p, exp, _ in c.out if p == port]
        want = dict.fromkeys(PORT_COUNTERS, 0)
        want.update(rx_packets=len(rx), rx_bytes=sum(len(f) for f in rx),
                    worker_rx_packets=len(rx), tx_packets=len(tx),
                    tx_bytes=sum(len(f) for f in tx), worker_tx_packets=len(tx))
        if set(got) != set(PORT_COUNTERS):
            errs.append("%s counters: missing %s, unknown %s" % (
                port, sorted(set(PORT_COUNTERS) - set(got)), sorted(set(got) - set(PORT_COUNTERS))))
        for k, v in want.items():
            if got.get(k) != v:
                errs.append("%s.%s = %s, expected %d" % (port, k, got.get(k), v))
    if set(res.stats.get("ports", {})) != {LAN, WAN}:
        errs.append("ports in stats: %s" % sorted(res.stats.get("ports", {})))
    rep.check(prefix + "port counters exact", errs)
    if rep.verbose and rep.failed > failed_before:
        print(res.describe())
    return res


# ---------------------------------------------------------------------------- config errors

def line_of(text, needle, nth=0):
    """1-based line number of the nth line containing needle."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth]


def edit(text, old, new, nth=0):
    """Replace the nth line containing old with new (None: delete it)."""
    lines = text.splitlines()
    idx = [i for i, line in enumerate(lines) if old in line][nth]
    if new is None:
        del lines[idx]
    else:
        lines[idx] = new
    return "\n".join(lines) + "\n"


def insert_after(text, after, new):
    lines = text.splitlines()
    idx = [i for i, line in enumerate(lines) if line.strip() == after][0]
    lines.insert(idx + 1, new)
    return "\n".join(lines) + "\n"


def config_error_cases():
    """(name, config text, the line's needle, nth, expected 'section] key:' text)."""
    base = config()
    out = []

    t = insert_after(base, "[port lan0]", "colour = blue")
    out.append(("unknown key in a port", t, line_of(t, "colour = blue"), "[port lan0] colour:"))
    t = insert_after(base, "[mpgw]", "colour = blue")
    out.append(("unknown key in [mpgw]", t, line_of(t, "colour = blue"), "[mpgw] colour:"))
    t = edit(base, "address = fd00:1::1/64", "address = fd00:1::1/129")
    out.append(("bad address (second address line)", t, line_of(t, "fd00:1::1/129"),
                "[port lan0] address:"))
    t = edit(base, "address = 10.0.2.1/24", "address = 10.0.2.300/24")
    out.append(("bad ipv4 address", t, line_of(t, "10.0.2.300"), "[port wan0] address:"))
    t = edit(base, "route = 2001:db8:9::/48 via fd00:2::2", "route = 2001:db8:9::/48 via fd00:9::2")
    out.append(("route via an address on no subnet (third route)", t, line_of(t, "via fd00:9::2"),
                "[routes] route:"))
    t = edit(base, "mtu = 1500", "mtu = 67", nth=1)
    out.append(("mtu below 68", t, line_of(t, "mtu = 67"), "[port wan0] mtu:"))
    t = edit(base, "mtu = 1500", "mtu = 1279", nth=1)
    out.append(("mtu below 1280 on a port with an IPv6 address", t, line_of(t, "mtu = 1279"),
                "[port wan0] mtu:"))
    t = edit(base, "mtu = 1500", "mtu = 15oo", nth=0)
    out.append(("mtu not a number", t, line_of(t, "mtu = 15oo"), "[port lan0] mtu:"))
    t = edit(base, "neighbour = 10.0.1.254", "neighbour = 10.9.9.9 02:00:00:00:01:fe")
    out.append(("neighbour on no subnet", t, line_of(t, "10.9.9.9"), "[neighbours] neighbour:"))
    t = edit(base, "device = net_pcap1", None)
    out.append(("missing device", t, line_of(t, "[port wan0]"), "[port wan0]"))
    t = edit(base, "device = net_pcap1", "device = net_pcap7")
    out.append(("device not passed with --vdev", t, line_of(t, "net_pcap7"), "[port wan0] device:"))
    t = edit(base, "mtu = 1500", "mtu = 0x5dc", nth=0)
    out.append(("mtu in hex", t, line_of(t, "mtu = 0x5dc"), "[port lan0] mtu:"))
    t = insert_after(base, "[port lan0]", "mtu = 1400")
    out.append(("mtu given twice: the second line", t, line_of(t, "mtu = 1500"),
                "[port lan0] mtu:"))
    t = insert_after(base, "[mpgw]", "twins = maybe")
    out.append(("twins neither yes nor no", t, line_of(t, "twins = maybe"), "[mpgw] twins:"))
    t = insert_after(base, "[mpgw]", "mptcp_follow_uplinks = 1")
    out.append(("mptcp_follow_uplinks neither yes nor no", t,
                line_of(t, "mptcp_follow_uplinks = 1"), "[mpgw] mptcp_follow_uplinks:"))
    return out


def run_config_errors(rep, cases=None):
    for name, text, line, where in (config_error_cases() if cases is None else cases):
        name = "config error: " + name
        if rep.pattern and rep.pattern not in name:
            continue
        res = mpgw_run.run(text, [[], []], timeout=60, config_name="bad.ini")
        want = "%s:%d: %s" % (res.config_path, line, where)
        lines = [ln for ln in res.stderr.splitlines() if ln.startswith("mpgw:")]
        errs = [res.timed_out and "timed out",
                res.rc != 2 and "exit status %s, expected 2" % res.rc]
        if not any(want in ln for ln in lines):
            errs.append("expected %r on stderr, got %r" % (want, lines))
        if where == "[port wan0]" and not any("device" in ln for ln in lines):
            errs.append("message does not name the missing key 'device'")
        if res.stats is not None:
            errs.append("a stats file was written")
        rep.check(name, errs)


def run_cli(rep):
    if not rep.pattern or rep.pattern in "cli --help":
        res = mpgw_run.run(None, [], app_args=["--help"], timeout=60)
        errs = [res.rc != 0 and "exit status %s" % res.rc]
        for opt in ("--config", "--exit-idle", "--stats"):
            if opt not in res.stdout:
                errs.append("%s not documented" % opt)
        rep.check("cli: mpgw -- --help exits 0 and documents --config, --exit-idle, --stats", errs)
    if not rep.pattern or rep.pattern in "cli missing --config":
        res = mpgw_run.run(None, [[], []], timeout=60, app_args=["--exit-idle", "300"])
        rep.check("cli: no --config exits 2", [
            res.rc != 2 and "exit status %s" % res.rc,
            "--config" not in res.stderr and "stderr does not mention --config: %r" % res.stderr[-200:]])


def main(argv):
    verbose = "-v" in argv
    pattern = None
    if "-k" in argv:
        pattern = argv[argv.index("-k") + 1]
    if os.geteuid() != 0:
        print("golden: needs root (DPDK EAL)")
        return 77
    mp = mpgw_run.mpgw_path()
    if not os.access(mp, os.X_OK):
        print("golden: no mpgw binary at %s (set MPGW)" % mp)
        return 1
    rep = Report(verbose, pattern)
    for mk in GROUPS:
        run_group(rep, mk())
    run_config_errors(rep)
    run_cli(rep)
    print("%d passed, %d failed" % (rep.passed, rep.failed))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
