#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""pcap golden suite for the roles: tunnels, traffic policy, leak guard, vps.

Same method as golden.py (whose cases, groups and runner it uses): scapy builds every input
and, independently, every expected output, byte for byte, checksums recomputed from scratch;
each group also checks every drop, data-path and port counter exactly. In addition, every
frame mpgw sends is decoded by tshark, which must not flag it as malformed.

Topology: lan0 (net_pcap0) is the LAN (gateway) or the servers' side (vps); wan0
(net_pcap1) is the uplink (gateway: 100.64.0.2/24, 2001:db8:a::2/64, next router
02:00:00:00:02:02) or the internet side of the vps (203.0.113.10/24, 2001:db8:f::10/64).
The VPS's tunnel addresses are 203.0.113.10 and 2001:db8:f::10.

Run as root with Debian's /usr/bin/python3, $MPGW the mpgw binary. Options: -v, -k PATTERN.
"""
import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden  # noqa: E402
import mpgw_run  # noqa: E402
from golden import (  # noqa: E402
    LAN, LAN_HOST_MAC, WAN, WAN_GW_MAC, WAN_MAC, Case, Group, drop, l2_in, l2_out, payload)
from scapy.all import (  # noqa: E402
    ARP, BOOTP, DHCP, LLC, PPP, ICMPv6EchoReply, ICMPv6EchoRequest, Dot1AD, Dot1Q, Dot3,
    PPPoE, PPPoED,
    ICMP, IP, TCP, UDP, Ether, ICMPv6PacketTooBig, IPv6, IPv6ExtHdrHopByHop, Raw, fragment,
    DHCP6_Solicit, DHCP6OptClientId, DUID_LL, ICMPv6DestUnreach, ICMPv6MLDMultAddrRec,
    ICMPv6MLReport2, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_Redirect, ICMPv6ND_RS,
    ICMPv6NDOptSrcLLAddr, IPv6ExtHdrFragment, RouterAlert, fragment6, in6_getnsmac, inet_pton)
from scapy.contrib.mpls import MPLS  # noqa: E402

VPS4, VPS6 = "203.0.113.10", "2001:db8:f::10"
UP4, UP6 = "100.64.0.2", "2001:db8:a::2"  # the gateway's uplink addresses
ISP_MAC = WAN_GW_MAC  # the uplink's next router (gateway), the internet router (vps)
SERVER4, SERVER6 = "198.51.100.7", "2001:db8:9::7"  # somewhere on the internet
HOST4, HOST6 = "10.0.1.2", "fd00:1::2"  # a LAN host


def gateway_config(vps=(VPS4,), policy="", wan_mtu=1500, ttl=64, neighbours=True, inbound=""):
    return """\
[mpgw]
idle_sleep_us = 100
role = gateway

[port lan0]
device = net_pcap0
mac = 02:00:00:00:01:01
address = 10.0.1.1/24
address = fd00:1::1/64

[port wan0]
device = net_pcap1
mac = 02:00:00:00:02:01
mtu = %d
uplink = yes
address = 100.64.0.2/24
address = 2001:db8:a::2/64
gateway = 100.64.0.1
gateway = 2001:db8:a::1

[vps]
%s
ttl = %d

[policy]
%s

[uplinks]
# No far end answers probes in a pcap: uplinks are alive with their link.
probe_interval_ms = 0

[inbound]
%s

[routes]
# the internet, natively through the uplink (what the leak guard keeps LAN traffic from)
route = 192.0.2.0/24 via 100.64.0.1
route = 2001:db8:100::/48 via 2001:db8:a::1

[neighbours]
%s
neighbour = 10.0.1.2 02:00:00:00:01:02
neighbour = fd00:1::2 02:00:00:00:01:02
""" % (wan_mtu, "\n".join("address = " + a for a in vps), ttl, policy, inbound,
       "neighbour = 100.64.0.1 02:00:00:00:02:02\nneighbour = 2001:db8:a::1 02:00:00:00:02:02"
       if neighbours else "# the uplink's next router is unknown: no tunnel path")


ALL_TUNNEL = "tcp4 = tunnel\ntcp6 = tunnel\nother4 = tunnel\nother6 = tunnel"


# ---------------------------------------------------------------------------- packets

def lan4(dst=SERVER4, tos=0, ttl=64, sport=50000, size=32, df=False):
    return IP(src=HOST4, dst=dst, tos=tos, ttl=ttl, id=0x77, flags="DF" if df else 0) / UDP(
        sport=sport, dport=7) / payload("l4", size)


def lan6(dst=SERVER6, tc=0, hlim=64, sport=50000, size=32):
    return IPv6(src=HOST6, dst=dst, tc=tc, hlim=hlim) / UDP(sport=sport, dport=7) / payload("l6", size)


def dec(p):
    """p with its TTL / hop limit one less, as forwarded."""
    q = p.copy()
    if isinstance(q, IP):
        q.ttl -= 1
        del q.chksum
    else:
        q.hlim -= 1
    return q


def inner_tos(p):
    return p.tos if isinstance(p, IP) else p.tc


def outer_tos(p):
    """DSCP copied; RFC 6040 normal mode copies the ECN field too, CE included."""
    return inner_tos(p)


def encapsulated(inner, outer_v6=False, ttl=64, src=None, dst=None, eth_src=None):
    """The frame mpgw sends into the tunnel for the already-forwarded inner packet."""
    if outer_v6:
        outer = IPv6(src=src or UP6, dst=dst or VPS6, tc=outer_tos(inner), hlim=ttl)
    else:
        outer = IP(src=src or UP4, dst=dst or VPS4, tos=outer_tos(inner), id=0, flags="DF",
                   ttl=ttl)
    return Ether(src=eth_src or golden.WAN_MAC, dst=ISP_MAC) / outer / inner


def encap_case(name, inner, outer_v6=False, ttl=64, counters=None):
    c = {"encap": 1}
    c.update(counters or {})
    return Case(name, [(LAN, bytes(l2_in(LAN) / inner))],
                [(WAN, bytes(encapsulated(dec(inner), outer_v6, ttl)), True)], counters=c)


def from_vps(inner, outer_v6=False, ecn=0, src=None, dst=None, **kw):
    if outer_v6:
        outer = IPv6(src=src or VPS6, dst=dst or UP6, tc=ecn, hlim=60, **kw)
    else:
        outer = IP(src=src or VPS4, dst=dst or UP4, tos=ecn, ttl=60, **kw)
    return l2_in(WAN) / outer / inner


def decap_case(name, inner, outer_v6=False, ecn=0, want_ecn=None):
    """A tunnel packet from the VPS for a LAN host: the inner packet is forwarded to it."""
    out = dec(inner)
    if want_ecn is not None:
        if isinstance(out, IP):
            out.tos = (out.tos & 0xfc) | want_ecn
            del out.chksum
        else:
            out.tc = (out.tc & 0xfc) | want_ecn
    return Case(name, [(WAN, bytes(from_vps(inner, outer_v6, ecn)))],
                [(LAN, bytes(l2_out(LAN, LAN_HOST_MAC) / out), True)], counters={"decap": 1})


# ---------------------------------------------------------------------------- gateway

def group_encap_v4_outer():
    """VPS with IPv4 only: 6in4 and 4in4, DSCP/ECN, TTL, MSS and PMTU inside the tunnel."""
    cases = []
    for tos in (0x00, 0x01, 0x02, 0x03, 0xb8, 0xb9, 0xba, 0xbb):
        cases.append(encap_case("6in4 tc %#04x -> outer tos %#04x" % (tos, outer_tos(lan6(tc=tos))),
                                lan6(tc=tos, sport=51000 + tos)))
        cases.append(encap_case("4in4 tos %#04x -> outer tos %#04x" % (tos, outer_tos(lan4(tos=tos))),
                                lan4(tos=tos, sport=51000 + tos)))
    cases.append(encap_case("6in4 hop limit 2 -> 1 inside", lan6(hlim=2, sport=52000)))
    cases.append(encap_case("4in4 df, ttl 9 -> 8 inside", lan4(ttl=9, df=True, sport=52001)))
    cases.append(drop("inner hop limit 1: ttl_exceeded, not tunnelled", "ttl_exceeded",
                      l2_in(LAN) / lan6(hlim=1, sport=52002), l2_in(LAN) / lan4(ttl=1, sport=52002)))
    # The tunnel's inner MTU is 1500 - 20: a SYN's MSS is clamped to fit it.
    syn6 = lambda mss: IPv6(src=HOST6, dst=SERVER6) / TCP(sport=52003, dport=443, flags="S",
                                                           options=[("MSS", mss), ("WScale", 7)])
    syn4 = lambda mss: IP(src=HOST4, dst=SERVER4, flags="DF") / TCP(
        sport=52004, dport=443, flags="S", options=[("MSS", mss), ("SAckOK", b"")])
    cases.append(Case("tcp6 syn into 6in4: mss 1440 -> 1420 (1480 - 60)",
                      [(LAN, bytes(l2_in(LAN) / syn6(1440)))],
                      [(WAN, bytes(encapsulated(dec(syn6(1420)))), True)],
                      counters={"encap": 1, "mss_clamped": 1}))
    cases.append(Case("tcp4 syn into 4in4: mss 1460 -> 1440 (1480 - 40)",
                      [(LAN, bytes(l2_in(LAN) / syn4(1460)))],
                      [(WAN, bytes(encapsulated(dec(syn4(1440)))), True)],
                      counters={"encap": 1, "mss_clamped": 1}))
    # PMTU: 1481 bytes inside do not fit 1480.
    big6 = lan6(size=1481 - 48, sport=52005)
    big4df = lan4(size=1481 - 28, sport=52006, df=True)
    cases.append(Case("v6 1481 bytes: packet too big 1480 to the LAN host, not tunnelled",
                      [(LAN, bytes(l2_in(LAN) / big6))],
                      [(LAN, bytes(l2_out(LAN, LAN_HOST_MAC) / IPv6(src="fd00:1::1", dst=HOST6, hlim=64) /
                                   ICMPv6PacketTooBig(mtu=1480) / Raw(bytes(big6)[:1232])), True)],
                      counters={"icmp6_packet_too_big": 1}))
    cases.append(Case("v4 df 1481 bytes: frag needed 1480, not tunnelled",
                      [(LAN, bytes(l2_in(LAN) / big4df))],
                      [(LAN, bytes(l2_out(LAN, LAN_HOST_MAC) / IP(src="10.0.1.1", dst=HOST4, tos=0xc0, id=0,
                                                                     flags="DF", ttl=64) /
                                   ICMP(type=3, code=4, nexthopmtu=1480) / Raw(bytes(big4df)[:548])), True)],
                      counters={"icmp4_frag_needed": 1}))
    big4 = lan4(size=1481 - 28, sport=52007)
    frags = fragment(dec(big4), fragsize=1456)
    cases.append(Case("v4 no df 1481 bytes: fragmented inside, each fragment tunnelled",
                      [(LAN, bytes(l2_in(LAN) / big4))],
                      [(WAN, bytes(encapsulated(f)), False) for f in frags],
                      counters={"ip4_fragmented": 1, "ip4_fragments": 2, "encap": 2}))
    return Group("encap_v4_outer", cases, cfg=gateway_config(policy=ALL_TUNNEL))


def group_encap_v6_outer():
    """VPS with IPv6 only: 4in6 and 6in6, outer TTL from the config."""
    cases = []
    for tos in (0x00, 0x01, 0x02, 0x03, 0x28, 0x2b):
        cases.append(encap_case("6in6 tc %#04x" % tos, lan6(tc=tos, sport=53000 + tos), outer_v6=True, ttl=30))
        cases.append(encap_case("4in6 tos %#04x" % tos, lan4(tos=tos, sport=53000 + tos), outer_v6=True, ttl=30))
    return Group("encap_v6_outer", cases, cfg=gateway_config(vps=(VPS6,), policy=ALL_TUNNEL, ttl=30))


def group_decap():
    """Tunnel packets from the VPS (both families): the four kinds, RFC 6040, anti-spoofing."""
    cases = [
        decap_case("6in4 from the vps to a lan host",
                   IPv6(src=SERVER6, dst=HOST6) / UDP(sport=7, dport=50000) / payload("d6")),
        decap_case("4in4", IP(src=SERVER4, dst=HOST4) / UDP(sport=7, dport=50000) / payload("d4")),
        decap_case("6in6", IPv6(src=SERVER6, dst=HOST6) / UDP(sport=8, dport=50000) / payload("e6"),
                   outer_v6=True),
        decap_case("4in6", IP(src=SERVER4, dst=HOST4) / UDP(sport=8, dport=50000) / payload("e4"),
                   outer_v6=True),
    ]
    # RFC 6040 4.2, every combination (4in4, so the inner IPv4 checksum follows the ECN).
    table = {(0, 0): 0, (0, 2): 0, (0, 1): 0, (0, 3): None,
             (2, 0): 2, (2, 2): 2, (2, 1): 1, (2, 3): 3,
             (1, 0): 1, (1, 2): 1, (1, 1): 1, (1, 3): 3,
             (3, 0): 3, (3, 2): 3, (3, 1): 3, (3, 3): 3}
    for (inner, outer), want in sorted(table.items()):
        p = IP(src=SERVER4, dst=HOST4, tos=0x20 | inner) / UDP(sport=9, dport=50000 + 4 * inner + outer) / payload("n")
        name = "ecn inner %d outer %d" % (inner, outer)
        if want is None:
            cases.append(drop(name + ": decap_ecn", "decap_ecn", (WAN, from_vps(p, ecn=outer))))
        else:
            cases.append(decap_case(name + " -> %d" % want, p, ecn=outer, want_ecn=want))
    q = IPv6(src=SERVER6, dst=HOST6, tc=0x02) / UDP(sport=10, dport=50000) / payload("x")
    cases.append(decap_case("6in6 inner ect(0) outer ce -> ce", q, outer_v6=True, ecn=3, want_ecn=3))
    inner6 = IPv6(src=SERVER6, dst=HOST6) / UDP(sport=11, dport=50000)
    inner4 = IP(src=SERVER4, dst=HOST4) / UDP(sport=11, dport=50000)
    cases += [
        drop("6in4 from a source that is not the vps: decap_unknown_peer", "decap_unknown_peer",
             (WAN, from_vps(inner6, src="198.51.100.99")),
             (WAN, from_vps(inner4, outer_v6=True, src="2001:db8:f::99"))),
        drop("protocol 41 with ipv4 inside, protocol 4 with ipv6 inside: decap_family",
             "decap_family",
             (WAN, l2_in(WAN) / IP(src=VPS4, dst=UP4, proto=41) / inner4),
             (WAN, l2_in(WAN) / IPv6(src=VPS6, dst=UP6, nh=4) / inner6)),
        drop("6in4 with 20 bytes of an ipv6 header: ip6_trunc", "ip6_trunc",
             (WAN, l2_in(WAN) / IP(src=VPS4, dst=UP4, proto=41) / Raw(bytes(inner6)[:20]))),
        Case("6in4 whose inner payload length overruns: decapsulated, then ip6_paylen",
             [(WAN, bytes(l2_in(WAN) / IP(src=VPS4, dst=UP4, proto=41) / IPv6(
                 bytes(IPv6(src=SERVER6, dst=HOST6, plen=500) / UDP(sport=12, dport=50000)))))],
             drops={"ip6_paylen": 1}, counters={"decap": 1}),
        drop("fragmented 6in4: decap_fragment", "decap_fragment",
             *[(WAN, l2_in(WAN) / f) for f in fragment(
                 IP(src=VPS4, dst=UP4, proto=41) / IPv6(src=SERVER6, dst=HOST6) / UDP(sport=13, dport=1) /
                 payload("f", 100), fragsize=64)]),
        Case("6in4 from the vps carrying a martian: decapsulated, then martian",
             [(WAN, bytes(from_vps(IPv6(src="::1", dst=HOST6) / UDP(sport=14, dport=1))))],
             drops={"martian": 1}, counters={"decap": 1}),
    ]
    return Group("decap", cases, cfg=gateway_config(vps=(VPS4, VPS6), policy=ALL_TUNNEL))


def policy_group(name, vps, want):
    """want: {class: "tunnel4" | "tunnel6"} with the defaults for these VPS families. Without
    kernel twins and [relay] no class relays (live_bond.sh shows the relay)."""
    pk = {
        "tcp4": IP(src=HOST4, dst=SERVER4) / TCP(sport=54000, dport=80, flags="A"),
        "other4": lan4(sport=54001),
        "tcp6": IPv6(src=HOST6, dst=SERVER6) / TCP(sport=54002, dport=80, flags="A"),
        "other6": lan6(sport=54003),
    }
    cases = []
    for cls, action in want.items():
        p = pk[cls]
        cases.append(encap_case("%s: tunnel, IPv%s outside" % (cls, action[-1]), p,
                                outer_v6=action == "tunnel6"))
    return Group(name, cases, cfg=gateway_config(vps=vps))


def group_policy_vps4():
    return policy_group("policy_vps_v4", (VPS4,), {
        "tcp4": "tunnel4", "other4": "tunnel4", "tcp6": "tunnel4", "other6": "tunnel4"})


def group_policy_vps6():
    # The uplink has both families and the VPS only IPv6: the tunnel is IPv6 outside.
    return policy_group("policy_vps_v6", (VPS6,), {
        "tcp4": "tunnel6", "other4": "tunnel6", "tcp6": "tunnel6", "other6": "tunnel6"})


def group_policy_vps_both():
    # IPv4 outside wherever both ends have it.
    return policy_group("policy_vps_both", (VPS4, VPS6), {
        "tcp4": "tunnel4", "other4": "tunnel4", "tcp6": "tunnel4", "other6": "tunnel4"})


def group_policy_actions():
    """Bypass prefixes, and the direct and drop actions."""
    policy = ("other4 = direct\nother6 = drop\ntcp6 = tunnel\n"
              "bypass = 192.0.2.128/25 port wan0\nbypass = 2001:db8:100:1::/64 port wan0")
    by4 = lambda ttl: IP(src=HOST4, dst="192.0.2.130", ttl=ttl) / TCP(sport=55000, dport=80, flags="A")
    by6 = lambda h: IPv6(src=HOST6, dst="2001:db8:100:1::5", hlim=h) / UDP(sport=55001, dport=53)
    direct4 = lambda ttl: IP(src=HOST4, dst="192.0.2.5", ttl=ttl) / UDP(sport=55002, dport=53)
    out = lambda mk: bytes(l2_out(WAN, ISP_MAC) / mk(63))
    return Group("policy_actions", [
        Case("bypass v4 (a tcp4 flow, whose class says relay): native out of wan0",
             [(LAN, bytes(l2_in(LAN) / by4(64)))], [(WAN, out(by4), True)],
             counters={"policy_bypass": 1}),
        Case("bypass v6: native out of wan0", [(LAN, bytes(l2_in(LAN) / by6(64)))],
             [(WAN, out(by6), True)], counters={"policy_bypass": 1}),
        Case("other4 = direct: native by the route", [(LAN, bytes(l2_in(LAN) / direct4(64)))],
             [(WAN, out(direct4), True)], counters={"policy_direct": 1}),
        drop("other4 = direct without a route: no_route", "no_route",
             l2_in(LAN) / IP(src=HOST4, dst="8.8.8.8") / UDP(sport=55003, dport=53)),
        drop("other6 = drop: policy_drop", "policy_drop", l2_in(LAN) / lan6(sport=55004)),
        encap_case("tcp6 = tunnel", IPv6(src=HOST6, dst=SERVER6) / TCP(sport=55005, dport=80, flags="A")),
        Case("lan -> lan is routed, not policed", [(LAN, bytes(l2_in(LAN) / IP(src="10.0.1.3", dst=HOST4) /
                                                              UDP(sport=55006, dport=7)))],
             [(LAN, bytes(l2_out(LAN, LAN_HOST_MAC) / IP(src="10.0.1.3", dst=HOST4, ttl=63) /
                          UDP(sport=55006, dport=7)), True)]),
    ], cfg=gateway_config(vps=(VPS4,), policy=policy))


def group_leak_guard():
    """What is not a tunnel packet, not bypassed and not from the uplink's own address never
    leaves the uplink: what the WAN edge lets in for the internet (an allow rule) and what
    came out of the tunnel for the internet."""
    wan_in4 = l2_in(WAN) / IP(src="192.0.2.50", dst="192.0.2.60") / UDP(sport=56000, dport=7)
    wan_in6 = l2_in(WAN) / IPv6(src="2001:db8:100::50", dst="2001:db8:100::60") / UDP(sport=56000, dport=7)
    leak6 = from_vps(IPv6(src=SERVER6, dst="2001:db8:100::61") / UDP(sport=56001, dport=7))
    leak4 = from_vps(IP(src=SERVER4, dst="192.0.2.61") / UDP(sport=56001, dport=7))
    inbound = "allow = udp 192.0.2.0/24 7\nallow = udp 2001:db8:100::/48 7"
    return Group("leak_guard", [
        Case("v4 from the internet let in by a rule, routed back out of the uplink: leak_v4",
             [(WAN, bytes(wan_in4))], drops={"leak_v4": 1}, counters={"inbound_allowed": 1}),
        Case("v6 from the internet let in by a rule, routed back out of the uplink: leak_v6",
             [(WAN, bytes(wan_in6))], drops={"leak_v6": 1}, counters={"inbound_allowed": 1}),
        Case("internet v4 and v6 the vps tunnelled back, for the internet: leak_v4, leak_v6",
             [(WAN, bytes(leak4)), (WAN, bytes(leak6))], drops={"leak_v4": 1, "leak_v6": 1},
             counters={"decap": 2}),
    ], cfg=gateway_config(vps=(VPS4,), policy=ALL_TUNNEL, inbound=inbound))


def from_twin(port, l3):
    """A frame the kernel writes to port's twin: from the port's MAC, to its next router."""
    if port == LAN:
        return Ether(src=golden.LAN_MAC, dst=LAN_HOST_MAC) / l3
    return Ether(src=WAN_MAC, dst=ISP_MAC) / l3


def twin_case(name, frame, port=WAN, sent=True, drops=None):
    """frame, written by the kernel to port's twin: sent out of the port unchanged, or
    dropped as drops says."""
    raw = bytes(frame)
    if sent:
        return Case(name, twin=[(port, raw)], out=[(port, raw, True)],
                    counters={"twin_sent": 1})
    return Case(name, twin=[(port, raw)], drops=drops)


def group_twin_output():
    """What the kernel writes to a twin leaves by the port through the output stage
    (node_twin_output.c; mpgw --twin-pcap stands in for the kernel): out of an uplink only
    from the uplink's own addresses (leak guard), SYNs clamped to the port's mss_clamp."""
    syn = lambda mss: from_twin(WAN, IP(src=UP4, dst=VPS4, id=3, flags="DF") / TCP(
        sport=40010, dport=65101, flags="S", options=[("MSS", mss), ("SAckOK", b"")]))
    dhcp = Ether(src=WAN_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(
        src="0.0.0.0", dst="255.255.255.255", id=4) / UDP(sport=68, dport=67) / BOOTP(
        chaddr=bytes.fromhex("020000000201"), xid=7) / DHCP(options=[("message-type", "discover"), "end"])
    return Group("twin_output", [
        twin_case("arp from the uplink's twin: sent",
                  from_twin(WAN, ARP(op=1, hwsrc=WAN_MAC, psrc=UP4, pdst="100.64.0.1"))),
        twin_case("ipv4 from the uplink's own address: sent", from_twin(WAN, IP(
            src=UP4, dst=SERVER4, id=5) / UDP(sport=40011, dport=9) / payload("own4"))),
        twin_case("dhcp discover from 0.0.0.0:68: sent", dhcp),
        Case("syn from the uplink's own address: mss 1460 clamped to 1360 (mtu 1400)",
             twin=[(WAN, bytes(syn(1460)))], out=[(WAN, bytes(syn(1360)), True)],
             counters={"twin_sent": 1, "mss_clamped": 1}),
        twin_case("ipv4 from a lan host (the kernel forwarded it): leak_v4",
                  from_twin(WAN, IP(src=HOST4, dst=SERVER4) / UDP(sport=40012, dport=53)),
                  sent=False, drops={"leak_v4": 1}),
        twin_case("ipv6 from a lan host (the kernel forwarded it): leak_v6",
                  from_twin(WAN, IPv6(src=HOST6, dst=SERVER6) / UDP(sport=40012, dport=53)),
                  sent=False, drops={"leak_v6": 1}),
        twin_case("ipv4 from another host's address to a lan host, by the lan port's twin: sent",
                  from_twin(LAN, IP(src=SERVER4, dst=HOST4, id=6) / UDP(sport=53, dport=40013)),
                  port=LAN),
    ], cfg=gateway_config(vps=(VPS4, VPS6), policy=ALL_TUNNEL, wan_mtu=1400))


def group_twin_ethertypes():
    """What the kernel sends out of an uplink's twin: only untagged ARP, IPv4 and IPv6 leave;
    a VLAN tag, PPPoE or MPLS would carry IP past the leak guard unlooked at, and nothing of
    mpgw's needs them on an uplink: leak_ethertype. The LAN port's twin is no uplink: no leak
    guard there."""
    own6 = IPv6(src=UP6, dst=VPS6) / UDP(sport=40000, dport=9) / payload("t6")
    own4 = IP(src=UP4, dst=VPS4, id=1) / UDP(sport=40000, dport=9) / payload("t4")
    eth = Ether(src=WAN_MAC, dst=ISP_MAC)
    arp = ARP(op=1, hwsrc=WAN_MAC, psrc=UP4, pdst="100.64.0.1")
    leak = lambda name, f: twin_case(name, f, sent=False, drops={"leak_ethertype": 1})
    return Group("twin_ethertypes", [
        twin_case("arp request: sent", eth / arp),
        twin_case("arp reply: sent", eth / ARP(op=2, hwsrc=WAN_MAC, psrc=UP4, hwdst=ISP_MAC,
                                               pdst="100.64.0.1")),
        twin_case("ipv4 from the uplink's own address: sent", eth / own4),
        twin_case("ipv6 from the uplink's own address to the vps: sent", eth / own6),
        leak("802.1q-tagged ipv6 from the uplink's own address: leak_ethertype",
             eth / Dot1Q(vlan=7) / own6),
        leak("802.1q-tagged ipv4 from the uplink's own address: leak_ethertype",
             eth / Dot1Q(vlan=7) / own4),
        leak("qinq (802.1ad + 802.1q) ipv6: leak_ethertype",
             eth / Dot1AD(vlan=10) / Dot1Q(vlan=7) / own6),
        leak("802.1q-tagged arp: leak_ethertype", eth / Dot1Q(vlan=7) / arp),
        leak("pppoe session carrying ipv6: leak_ethertype",
             eth / PPPoE(sessionid=0x11) / PPP(proto=0x0057) / IPv6(
                 src="2001:db8:77::1", dst=SERVER6) / UDP(sport=40001, dport=9)),
        leak("pppoe discovery (padi): leak_ethertype",
             Ether(src=WAN_MAC, dst="ff:ff:ff:ff:ff:ff") / PPPoED(code=0x09)),
        leak("mpls unicast carrying ipv4: leak_ethertype",
             eth / MPLS(label=100, s=1, ttl=64) / IP(src=HOST4, dst=SERVER4) / UDP(
                 sport=40002, dport=9)),
        leak("mpls multicast (0x8848): leak_ethertype",
             Ether(src=WAN_MAC, dst=ISP_MAC, type=0x8848) / MPLS(label=100, s=1, ttl=64) /
             IP(src=HOST4, dst=SERVER4) / UDP(sport=40003, dport=9)),
        leak("lldp: leak_ethertype",
             Ether(src=WAN_MAC, dst="01:80:c2:00:00:0e", type=0x88cc) / Raw(bytes(32))),
        leak("802.3 length frame (stp bpdu): leak_ethertype",
             Dot3(src=WAN_MAC, dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) /
             Raw(bytes(35))),
        twin_case("802.1q-tagged ipv4 by the lan port's twin: sent",
                  from_twin(LAN, Dot1Q(vlan=7) / IP(src="10.0.1.1", dst=HOST4, id=2) / UDP(
                      sport=40004, dport=9)), port=LAN),
    ], cfg=gateway_config(vps=(VPS4, VPS6), policy=ALL_TUNNEL))


def group_twin_ipv6():
    """IPv6 the kernel sends out of an uplink's twin: only what a gateway's kernel needs on
    the uplink (node_twin_output.c). From link-local or :: its neighbour discovery, MLD
    reports and DHCPv6 client; from the uplink's own address what goes to the VPS (the
    relay's subflows), to a bypass prefix, and neighbour discovery, ICMPv6 errors and echo
    replies. Anything else, the kernel's own IPv6 to the internet included (it cannot be
    told from a LAN connection the kernel forwarded and masqueraded), is leak_v6."""
    LL, NET6 = "fe80::2", "2001:db8:100::53"  # the twin's link-local; a host on the internet
    BYPASS6 = "2001:db8:200::53"
    mc = lambda dst, l3: Ether(src=WAN_MAC, dst=in6_getnsmac(inet_pton(socket.AF_INET6, dst))) / l3
    sent = twin_case
    leak = lambda name, *fs: Case(name, twin=[(WAN, bytes(f)) for f in fs],
                                  drops={"leak_v6": len(fs)})
    quote = IPv6(src=NET6, dst=UP6, hlim=50) / UDP(sport=40020, dport=33434) / payload("q")
    big = IPv6(src=UP6, dst=NET6) / IPv6ExtHdrFragment(id=9) / UDP(sport=40021, dport=9) / \
        payload("frag6", 1400)
    return Group("twin_ipv6", [
        sent("neighbour solicitation from link-local: sent",
             mc("ff02::1:ff00:1", IPv6(src=LL, dst="ff02::1:ff00:1", hlim=255) /
                ICMPv6ND_NS(tgt="2001:db8:a::1") / ICMPv6NDOptSrcLLAddr(lladdr=WAN_MAC))),
        sent("duplicate address detection from :: : sent",
             mc("ff02::1:ff00:2", IPv6(src="::", dst="ff02::1:ff00:2", hlim=255) /
                ICMPv6ND_NS(tgt=UP6))),
        sent("router solicitation from link-local: sent",
             mc("ff02::2", IPv6(src=LL, dst="ff02::2", hlim=255) / ICMPv6ND_RS())),
        sent("mldv2 report from link-local (hop-by-hop router alert): sent",
             mc("ff02::16", IPv6(src=LL, dst="ff02::16", hlim=1) /
                IPv6ExtHdrHopByHop(options=[RouterAlert()]) /
                ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(dst="ff02::1:ff00:2")]))),
        sent("mldv2 report from :: : sent",
             mc("ff02::16", IPv6(src="::", dst="ff02::16", hlim=1) /
                IPv6ExtHdrHopByHop(options=[RouterAlert()]) /
                ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(dst="ff02::1:ff00:3")]))),
        sent("dhcpv6 solicit from link-local 546 -> 547: sent",
             mc("ff02::1:2", IPv6(src=LL, dst="ff02::1:2", hlim=1) / UDP(sport=546, dport=547) /
                DHCP6_Solicit(trid=7) / DHCP6OptClientId(duid=DUID_LL(lladdr=WAN_MAC)))),
        sent("neighbour advertisement from the uplink's address: sent",
             from_twin(WAN, IPv6(src=UP6, dst="2001:db8:a::1", hlim=255) /
                       ICMPv6ND_NA(tgt=UP6, R=0, S=1, O=1))),
        sent("tcp from the uplink's address to the vps (a relay subflow): sent",
             from_twin(WAN, IPv6(src=UP6, dst=VPS6) / TCP(sport=40022, dport=65101, flags="A",
                                                         seq=1, ack=1) / payload("mptcp"))),
        sent("udp from the uplink's address to a bypass prefix: sent",
             from_twin(WAN, IPv6(src=UP6, dst=BYPASS6) / UDP(sport=40023, dport=9) /
                       payload("bypass"))),
        sent("port unreachable from the uplink's address: sent",
             from_twin(WAN, IPv6(src=UP6, dst=NET6) / ICMPv6DestUnreach(code=4) / quote)),
        sent("echo reply from the uplink's address: sent",
             from_twin(WAN, IPv6(src=UP6, dst=NET6) / ICMPv6EchoReply(id=5, seq=1) /
                       payload("pong"))),
        leak("udp from the uplink's address to the internet: leak_v6",
             from_twin(WAN, IPv6(src=UP6, dst=NET6) / UDP(sport=40024, dport=53))),
        leak("tcp syn from the uplink's address to the internet: leak_v6",
             from_twin(WAN, IPv6(src=UP6, dst=NET6) / TCP(sport=40025, dport=443, flags="S"))),
        leak("echo request from the uplink's address to the internet: leak_v6",
             from_twin(WAN, IPv6(src=UP6, dst=NET6) / ICMPv6EchoRequest(id=6, seq=1))),
        leak("fragments from the uplink's address to the internet: leak_v6",
             *[from_twin(WAN, f) for f in fragment6(big, 1280)]),
        leak("mdns from link-local: leak_v6",
             mc("ff02::fb", IPv6(src=LL, dst="ff02::fb") / UDP(sport=5353, dport=5353))),
        leak("router advertisement from link-local: leak_v6",
             mc("ff02::1", IPv6(src=LL, dst="ff02::1", hlim=255) / ICMPv6ND_RA())),
        leak("redirect from link-local: leak_v6",
             from_twin(WAN, IPv6(src=LL, dst="fe80::99", hlim=255) /
                       ICMPv6ND_Redirect(tgt="fe80::1", dst=NET6))),
        leak("udp from :: : leak_v6",
             mc("ff02::1", IPv6(src="::", dst="ff02::1") / UDP(sport=40026, dport=9))),
        leak("neighbour solicitation from a lan host's address: leak_v6",
             mc("ff02::1:ff00:1", IPv6(src=HOST6, dst="ff02::1:ff00:1", hlim=255) /
                ICMPv6ND_NS(tgt="2001:db8:a::1"))),
    ], cfg=gateway_config(vps=(VPS4, VPS6),
                          policy=ALL_TUNNEL + "\nbypass = 2001:db8:200::/48 port wan0"))


def group_tunnel_down():
    """The uplink's next router is unknown: no tunnel path. Tunnelled traffic is dropped,
    never sent natively (fail closed)."""
    return Group("tunnel_down", [
        drop("v6 and v4 to be tunnelled, no usable path: tunnel_down", "tunnel_down",
             l2_in(LAN) / lan6(sport=57000), l2_in(LAN) / lan4(sport=57001),
             l2_in(LAN) / IPv6(src=HOST6, dst=SERVER6) / TCP(sport=57002, dport=80, flags="S")),
    ], cfg=gateway_config(vps=(VPS4,), policy=ALL_TUNNEL, neighbours=False))


def group_local():
    """ICMP to the gateway's own addresses (node_local.c): an echo request to the address of
    the port it came in by is answered back out of that port, to the MAC it came from (what
    answers a far end's uplink probes); anything else is a `local` drop until the kernel
    twin exists. A probe answer goes to the control thread, which ignores it when it is no
    answer to one of its probes."""
    def ping4(dst, src=VPS4, **kw):
        return IP(src=src, dst=dst, ttl=50, id=7) / ICMP(type=8, id=0x1234, seq=3, **kw) / \
            payload("ping4", 24)

    def ping6(dst, src=VPS6):
        return IPv6(src=src, dst=dst, hlim=50) / ICMPv6EchoRequest(id=0x1234, seq=4) / \
            payload("ping6", 24)

    def reply4(req):
        ip = req.copy()
        ip.src, ip.dst, ip.ttl = req.dst, req.src, 64
        ip[ICMP].type = 0
        del ip.chksum, ip[ICMP].chksum
        return Ether(src=WAN_MAC, dst=WAN_GW_MAC) / IP(bytes(ip))

    def reply6(req):
        ip = IPv6(src=req.dst, dst=req.src, hlim=64) / ICMPv6EchoReply(id=0x1234, seq=4) / \
            payload("ping6", 24)
        return Ether(src=WAN_MAC, dst=WAN_GW_MAC) / IPv6(bytes(ip))

    # A probe answer's shape (uplink_probe.h: magic, path, gen, seq, pad, nonce, two TSCs),
    # from an address mpgw never probed.
    probe_answer = IP(src="192.0.2.99", dst=UP4) / ICMP(type=0, id=0x6d70, seq=0) / \
        Raw(bytes.fromhex("6d706762") + bytes(36))
    cfg = gateway_config(vps=(VPS4, VPS6), policy=ALL_TUNNEL)
    return Group("local", [
        Case("echo request to the uplink's ipv4 address: answered out of the uplink",
             [(WAN, bytes(l2_in(WAN) / ping4(UP4)))], [(WAN, bytes(reply4(ping4(UP4))), True)],
             counters={"echo_replied": 1}),
        Case("echo request to the uplink's ipv6 address: answered out of the uplink",
             [(WAN, bytes(l2_in(WAN) / ping6(UP6)))], [(WAN, bytes(reply6(ping6(UP6))), True)],
             counters={"echo_replied": 1}),
        drop("echo request by the uplink to the lan port's address: local (never answered "
             "from a lan address out of an uplink)", "local",
             (WAN, l2_in(WAN) / ping4("10.0.1.1")), port=WAN),
        drop("echo reply, timestamp request, udp to the uplink's address: local", "local",
             (WAN, l2_in(WAN) / IP(src=VPS4, dst=UP4) / ICMP(type=0, id=1) / payload("x")),
             (WAN, l2_in(WAN) / IP(src=VPS4, dst=UP4) / ICMP(type=13)),
             (WAN, l2_in(WAN) / IP(src=VPS4, dst=UP4) / UDP(sport=1, dport=2)), port=WAN),
        Case("a probe answer from an address never probed: to the control thread, ignored",
             [(WAN, bytes(l2_in(WAN) / probe_answer))], counters={"probe_replies": 1}),
    ], cfg=cfg)


def group_decap_errors():
    """The gateway's LAN MTU (1400) is below the tunnel's inner MTU (1480): a packet from
    the VPS too big for the LAN gets its Packet Too Big back through the tunnel, sourced
    from the LAN port, never natively. And nothing comes out of the tunnel from the
    gateway's own addresses."""
    big = IPv6(src=SERVER6, dst=HOST6) / UDP(sport=7, dport=58000) / payload("big", 1450 - 48)
    ptb = IPv6(src="fd00:1::1", dst=SERVER6, hlim=64) / ICMPv6PacketTooBig(mtu=1400) / Raw(bytes(big)[:1232])
    spoof = IPv6(src=UP6, dst="2001:db8:100::70") / UDP(sport=58001, dport=7)
    cfg = gateway_config(vps=(VPS4,), policy=ALL_TUNNEL).replace(
        "address = 10.0.1.1/24", "mtu = 1400\naddress = 10.0.1.1/24", 1)
    return Group("decap_errors", [
        Case("6in4 too big for the lan: packet too big 1400 back through the tunnel",
             [(WAN, bytes(from_vps(big)))], [(WAN, bytes(encapsulated(ptb)), True)],
             counters={"decap": 1, "icmp6_packet_too_big": 1, "encap": 1}),
        drop("out of the tunnel, from the uplink's own address: decap_spoofed", "decap_spoofed",
             (WAN, from_vps(spoof))),
    ], cfg=cfg)


# ---------------------------------------------------------------------------- the WAN edge

def group_wan_edge():
    """Default deny from the WAN (node_inbound.c): nothing from an uplink reaches the LAN
    unasked, but what an [inbound] allow rule lets in."""
    inbound = ("allow = tcp 10.0.1.2/32 22\nallow = udp fd00:1::/64 5000-5010\n"
               "allow = icmpv6 fd00:1::2/128")
    w4 = lambda p: l2_in(WAN) / IP(src=SERVER4, dst=HOST4, ttl=50) / p
    w6 = lambda p: l2_in(WAN) / IPv6(src=SERVER6, dst=HOST6, hlim=50) / p
    ssh = lambda ttl: IP(src=SERVER4, dst=HOST4, ttl=ttl) / TCP(sport=40000, dport=22, flags="A")
    u6 = lambda h: IPv6(src=SERVER6, dst=HOST6, hlim=h) / UDP(sport=7, dport=5005) / payload("u6")
    ping6 = lambda h: IPv6(src=SERVER6, dst=HOST6, hlim=h) / ICMPv6EchoRequest(id=9, seq=1)
    to_lan = lambda mk: bytes(l2_out(LAN, LAN_HOST_MAC) / mk(49))
    return Group("wan_edge", [
        drop("native v4 udp, tcp syn, ping from the internet to a lan host: inbound_denied",
             "inbound_denied", (WAN, w4(UDP(sport=7, dport=50000))),
             (WAN, w4(TCP(sport=40001, dport=80, flags="S"))), (WAN, w4(ICMP(type=8)))),
        drop("native v6 udp, tcp syn, ping to another lan host: inbound_denied",
             "inbound_denied", (WAN, w6(UDP(sport=7, dport=50000))),
             (WAN, w6(TCP(sport=40001, dport=80, flags="S"))),
             (WAN, l2_in(WAN) / IPv6(src=SERVER6, dst="fd00:1::3") / ICMPv6EchoRequest())),
        Case("allow tcp 10.0.1.2/32 22: let in", [(WAN, bytes(l2_in(WAN) / ssh(50)))],
             [(LAN, to_lan(ssh), True)], counters={"inbound_allowed": 1}),
        drop("the same host, port 23, and udp to port 22: inbound_denied", "inbound_denied",
             (WAN, w4(TCP(sport=40000, dport=23, flags="S"))),
             (WAN, w4(UDP(sport=40000, dport=22)))),
        Case("allow udp fd00:1::/64 5000-5010: 5005 let in", [(WAN, bytes(l2_in(WAN) / u6(50)))],
             [(LAN, to_lan(u6), True)], counters={"inbound_allowed": 1}),
        drop("udp to 4999 and 5011: inbound_denied", "inbound_denied",
             (WAN, w6(UDP(sport=7, dport=4999))), (WAN, w6(UDP(sport=7, dport=5011)))),
        Case("allow icmpv6 fd00:1::2/128: a ping let in", [(WAN, bytes(l2_in(WAN) / ping6(50)))],
             [(LAN, to_lan(ping6), True)], counters={"inbound_allowed": 1}),
        drop("proto 41 from the lan, outer source the vps: decap_wrong_port", "decap_wrong_port",
             (LAN, l2_in(LAN) / IP(src=VPS4, dst="10.0.1.1", proto=41) /
              IPv6(src=SERVER6, dst=HOST6) / UDP(sport=7, dport=1)),
             (LAN, l2_in(LAN) / IP(src=VPS4, dst=UP4, proto=4) /
              IP(src=SERVER4, dst=HOST4) / UDP(sport=7, dport=1))),
    ], cfg=gateway_config(vps=(VPS4,), policy=ALL_TUNNEL, inbound=inbound))


def group_wan_edge_answers():
    """Answers to the flows the LAN opened natively (direct) are let in, and ICMP errors
    about them to the host that opened them; nothing else. The LAN's frames are read before
    the WAN's (port 0 is polled first), so each flow is open when its answer comes."""
    policy = "other4 = direct\nother6 = direct"
    out4 = IP(src=HOST4, dst="192.0.2.5", ttl=64) / UDP(sport=40000, dport=4000) / payload("q4")
    out6 = IPv6(src=HOST6, dst="2001:db8:100::5", hlim=64) / UDP(sport=40000, dport=4000) / payload("q6")
    ans4 = lambda ttl: IP(src="192.0.2.5", dst=HOST4, ttl=ttl) / UDP(sport=4000, dport=40000) / payload("a4")
    ans6 = lambda h: IPv6(src="2001:db8:100::5", dst=HOST6, hlim=h) / UDP(sport=4000, dport=40000) / payload("a6")
    out_err = IP(src=HOST4, dst="192.0.2.6", ttl=64) / UDP(sport=40001, dport=9) / payload("q")
    unreach = lambda ttl, dst=HOST4: IP(src="100.64.0.1", dst=dst, ttl=ttl) / ICMP(type=3, code=3) / \
        IP(bytes(dec(out_err)))
    to_wan = lambda p: bytes(l2_out(WAN, ISP_MAC) / dec(p))
    to_lan = lambda mk: bytes(l2_out(LAN, LAN_HOST_MAC) / mk(49))
    ping = IP(src=HOST4, dst="192.0.2.7", ttl=64, id=3) / ICMP(type=8, id=11, seq=1)
    pong = lambda ttl: IP(src="192.0.2.7", dst=HOST4, ttl=ttl, id=4) / ICMP(type=0, id=11, seq=1)
    # A datagram the LAN sends in fragments (keyed without ports) opens nothing: a fragment
    # back would otherwise stand for every UDP port of the host.
    frags = fragment(IP(src=HOST4, dst="192.0.2.8", ttl=64, id=0x99) / UDP(sport=40002, dport=9) /
                     payload("fr", 100), fragsize=64)
    back_frag = IP(src="192.0.2.8", dst=HOST4, id=0x55, frag=4, proto=17) / Raw(bytes(32))
    return Group("wan_edge_answers", [
        Case("a lan host's direct ping out, the echo reply in; an echo request back: "
             "inbound_denied",
             [(LAN, bytes(l2_in(LAN) / ping)), (WAN, bytes(l2_in(WAN) / pong(50))),
              (WAN, bytes(l2_in(WAN) / IP(src="192.0.2.7", dst=HOST4) / ICMP(type=8, id=11)))],
             [(WAN, to_wan(ping), True), (LAN, to_lan(pong), True)],
             drops={"inbound_denied": 1}, counters={"policy_direct": 1, "inbound_answers": 1}),
        Case("a lan host's fragmented udp out; a fragment back: inbound_denied",
             [(LAN, bytes(l2_in(LAN) / f)) for f in frags] +
             [(WAN, bytes(l2_in(WAN) / back_frag))],
             [(WAN, to_wan(f), False) for f in frags],
             drops={"inbound_denied": 1}, counters={"policy_direct": len(frags)}),
        Case("a lan host's direct udp (v4, v6) out, and the answers in",
             [(LAN, bytes(l2_in(LAN) / out4)), (LAN, bytes(l2_in(LAN) / out6)),
              (WAN, bytes(l2_in(WAN) / ans4(50))), (WAN, bytes(l2_in(WAN) / ans6(50)))],
             [(WAN, to_wan(out4), True), (WAN, to_wan(out6), True), (LAN, to_lan(ans4), True),
              (LAN, to_lan(ans6), True)],
             counters={"policy_direct": 2, "inbound_answers": 2}),
        drop("from the answering server, to another port of the host: inbound_denied",
             "inbound_denied",
             (WAN, l2_in(WAN) / IP(src="192.0.2.5", dst=HOST4) / UDP(sport=4000, dport=40009))),
        Case("a port unreachable about a direct flow, to its host: let in; to another host: "
             "inbound_denied",
             [(LAN, bytes(l2_in(LAN) / out_err)), (WAN, bytes(l2_in(WAN) / unreach(50))),
              (WAN, bytes(l2_in(WAN) / unreach(50, dst="10.0.1.3")))],
             [(WAN, to_wan(out_err), True), (LAN, to_lan(unreach), False)],
             drops={"inbound_denied": 1}, counters={"policy_direct": 1, "inbound_answers": 1}),
    ], cfg=gateway_config(vps=(VPS4,), policy=policy))


def group_tunnel_end():
    """The gateway's tunnel end: what comes out of the tunnel may not claim the LAN's or
    mpgw's own addresses, and an echo request out of the tunnel is answered through it."""
    def ping4(dst):
        return IP(src=SERVER4, dst=dst, ttl=50, id=7) / ICMP(type=8, id=0x77, seq=1) / payload("t4", 16)

    def ping6(dst):
        return IPv6(src=SERVER6, dst=dst, hlim=50) / ICMPv6EchoRequest(id=0x77, seq=2) / payload("t6", 16)

    def reply(req):
        ip = req.copy()
        if isinstance(ip, IP):
            ip.src, ip.dst, ip.ttl = req.dst, req.src, 64
            ip[ICMP].type = 0
            del ip.chksum, ip[ICMP].chksum
            return IP(bytes(ip))
        ip.src, ip.dst, ip.hlim = req.dst, req.src, 64
        return IPv6(bytes(IPv6(src=req.dst, dst=req.src, hlim=64) /
                          ICMPv6EchoReply(id=0x77, seq=2) / payload("t6", 16)))

    spoofed = [IPv6(src="fd00:1::1", dst=HOST6), IPv6(src="fd00:1::99", dst=HOST6),
               IP(src="10.0.1.1", dst=HOST4), IP(src="10.0.1.77", dst=HOST4),
               IP(src=UP4, dst=HOST4), IPv6(src=UP6, dst=HOST6)]
    return Group("tunnel_end", [
        drop("out of the tunnel, from a lan address, the lan's prefix or the uplink's own "
             "(v4, v6): decap_spoofed", "decap_spoofed",
             *[(WAN, from_vps(p / UDP(sport=7, dport=50000))) for p in spoofed]),
        Case("4in4 echo request to the lan port's address: the reply goes back in 4in4",
             [(WAN, bytes(from_vps(ping4("10.0.1.1"))))],
             [(WAN, bytes(encapsulated(reply(ping4("10.0.1.1")))), True)],
             counters={"decap": 1, "echo_replied": 1, "encap": 1}),
        Case("4in4 echo request to the uplink's address: local (its reply's source would be "
             "spoofed at the vps), never answered out of the uplink as it came",
             [(WAN, bytes(from_vps(ping4(UP4))))], drops={"local": 1}, counters={"decap": 1}),
        Case("6in4 echo request to the lan port's address: the reply goes back in 6in4",
             [(WAN, bytes(from_vps(ping6("fd00:1::1"))))],
             [(WAN, bytes(encapsulated(reply(ping6("fd00:1::1")))), True)],
             counters={"decap": 1, "echo_replied": 1, "encap": 1}),
    ], cfg=gateway_config(vps=(VPS4,), policy=ALL_TUNNEL))


def group_unresolved_policy():
    """A LAN packet routed via a next hop with no MAC yet is the policy's all the same:
    tunnelled when its class says tunnel, a no_neighbour drop when it says direct."""
    policy = "other4 = tunnel\nother6 = direct"
    cfg = gateway_config(vps=(VPS4,), policy=policy).replace(
        "[routes]\n", "[routes]\nroute = 198.51.100.0/24 via 100.64.0.77\n"
        "route = 2001:db8:9::/48 via 2001:db8:a::77\n", 1)
    return Group("unresolved_policy", [
        encap_case("other4 = tunnel, next hop unresolved: tunnelled", lan4(sport=59000)),
        drop("other6 = direct, next hop unresolved: no_neighbour", "no_neighbour",
             l2_in(LAN) / lan6(sport=59001)),
    ], cfg=cfg)


# ---------------------------------------------------------------------------- vps

GW1_UP = "100.64.0.2"
GW2_UP = ("100.65.0.2", "100.66.0.2")


def vps_config():
    return """\
[mpgw]
idle_sleep_us = 100
role = vps

[port lan0]
device = net_pcap0
mac = 02:00:00:00:01:01
mtu = 1400
address = 10.0.1.1/24
address = fd00:1::1/64

[port wan0]
device = net_pcap1
mac = 02:00:00:00:02:01
address = 203.0.113.10/24
address = 2001:db8:f::10/64

[vps]
address = 203.0.113.10
address = 2001:db8:f::10

[uplinks]
probe_interval_ms = 0

[inbound]
# the servers' side may reach gw2's LAN and gw1's IPv4 LAN by UDP; the rest only answers
allow = udp 10.9.2.0/24
allow = udp 10.9.1.0/24
allow = udp fd00:9:1::/64

[gateway gw1]
uplink = 100.64.0.2
lan = 10.9.1.0/24
lan = fd00:9:1::/64

[gateway gw2]
uplink = 100.65.0.2
uplink = 100.66.0.2
lan = 10.9.2.0/24

[routes]
route = 0.0.0.0/0 via 203.0.113.1
route = 198.51.100.0/24 via 10.0.1.254
route = 2001:db8:9::/48 via fd00:1::fe

[neighbours]
neighbour = 203.0.113.1 02:00:00:00:02:02
neighbour = 10.0.1.254 02:00:00:00:01:fe
neighbour = fd00:1::fe 02:00:00:00:01:fe
"""


def crc32c(data, crc=0):
    """rte_hash_crc: CRC32-C, no inversion."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc


def flow_key(inner):
    """struct flow_key of an IPv4 or IPv6 inner packet with ports (flow_table.h)."""
    raw = bytes(inner)
    if raw[0] >> 4 == 4:
        src, dst, proto, fam, l4 = raw[12:16] + bytes(12), raw[16:20] + bytes(12), raw[9], 4, \
            raw[(raw[0] & 15) * 4:]
    else:
        src, dst, proto, fam, l4 = raw[8:24], raw[24:40], raw[6], 6, raw[40:]
    return src + dst + l4[:4] + bytes([proto, fam, 0, 0])


def spread_index(inner, n):
    """The path mpgw gives a new flow among n equal uplinks: the redirection table slot of
    its flow hash, and equal weights fill the table in turn (uplink_sched.c)."""
    slot = (crc32c(flow_key(inner)) >> 16) & 1023
    return slot % n


def group_vps():
    SRV_MAC = "02:00:00:00:01:fe"
    up = lambda inner, src=GW1_UP: l2_in(WAN) / IP(src=src, dst=VPS4, ttl=50) / inner
    out_lan = lambda p: bytes(l2_out(LAN, SRV_MAC) / dec(p))
    c1_in = IP(src="10.9.1.5", dst=SERVER4) / UDP(sport=60000, dport=7) / payload("g1")
    c2_in = IPv6(src="fd00:9:1::5", dst=SERVER6) / UDP(sport=60001, dport=7) / payload("g1v6")
    back4 = IP(src=SERVER4, dst="10.9.1.5") / UDP(sport=7, dport=60000) / payload("b1")
    back6 = IPv6(src=SERVER6, dst="fd00:9:1::5") / UDP(sport=7, dport=60001) / payload("b1v6")
    ping_vps = IP(src="10.9.1.7", dst=VPS4, ttl=64, id=9) / ICMP(type=8, id=5, seq=1) / payload("pv", 16)
    pong_vps = IP(src=VPS4, dst="10.9.1.7", ttl=64, id=9) / ICMP(type=0, id=5, seq=1) / payload("pv", 16)
    cases = [
        Case("4in4 from gw1's uplink: routed to the server side", [(WAN, bytes(up(c1_in)))],
             [(LAN, out_lan(c1_in), True)], counters={"decap": 1}),
        Case("6in4 from gw1's uplink", [(WAN, bytes(up(c2_in)))], [(LAN, out_lan(c2_in), True)],
             counters={"decap": 1}),
        drop("4in4 from an address no gateway has: decap_unknown_peer", "decap_unknown_peer",
             (WAN, up(c1_in, src="100.64.0.99"))),
        drop("from gw1's uplink, an inner source outside gw1's lan (gw2's): decap_spoofed",
             "decap_spoofed",
             (WAN, up(IP(src="10.9.2.5", dst=SERVER4) / UDP(sport=60003, dport=7))),
             (WAN, up(IPv6(src="2001:db8:9::66", dst=SERVER6) / UDP(sport=60003, dport=7)))),
        Case("udp to gw1's lan (v4), an inbound rule: 4in4 to its uplink",
             [(LAN, bytes(l2_in(LAN, src=SRV_MAC) / back4))],
             [(WAN, bytes(encapsulated(dec(back4), src=VPS4, dst=GW1_UP)), True)],
             counters={"encap": 1, "inbound_allowed": 1}),
        Case("udp to gw1's lan (v6), an inbound rule: 6in4 to its uplink",
             [(LAN, bytes(l2_in(LAN, src=SRV_MAC) / back6))],
             [(WAN, bytes(encapsulated(dec(back6), src=VPS4, dst=GW1_UP)), True)],
             counters={"encap": 1, "inbound_allowed": 1}),
        drop("tcp to gw1's lan, no rule and no flow: inbound_denied", "inbound_denied",
             (LAN, l2_in(LAN, src=SRV_MAC) / IP(src=SERVER4, dst="10.9.1.5") /
              TCP(sport=80, dport=33000, flags="S"))),
        Case("tcp from gw2's lan to gw1's, no rule and no flow: decapsulated, inbound_denied",
             [(WAN, bytes(up(IP(src="10.9.2.5", dst="10.9.1.5") / TCP(sport=80, dport=33000, flags="S"),
                             src=GW2_UP[0])))],
             drops={"inbound_denied": 1}, counters={"decap": 1}),
        Case("4in4 echo request from gw1's lan host to the vps: answered through gw1's tunnel",
             [(WAN, bytes(up(ping_vps)))],
             [(WAN, bytes(encapsulated(IP(bytes(pong_vps)), src=VPS4, dst=GW1_UP)), True)],
             counters={"decap": 1, "echo_replied": 1, "encap": 1}),
        drop("4in4 from gw1's uplink in by the servers' side: decap_wrong_port",
             "decap_wrong_port", (LAN, l2_in(LAN, src=SRV_MAC) / IP(src=GW1_UP, dst=VPS4) / c1_in)),
    ]
    # A packet from gw1's LAN too big for the server side (MTU 1400): the Packet Too Big goes
    # back to the LAN host through gw1's tunnel.
    big = IPv6(src="fd00:9:1::5", dst=SERVER6) / UDP(sport=60002, dport=7) / payload("big", 1450 - 48)
    # Sourced from the port the packet was to leave by (it came out of a tunnel).
    ptb = IPv6(src="fd00:1::1", dst="fd00:9:1::5", hlim=64) / ICMPv6PacketTooBig(mtu=1400) / Raw(
        bytes(big)[:1232])
    cases.append(Case("too big for the server side: packet too big 1400 through gw1's tunnel",
                      [(WAN, bytes(up(big)))],
                      [(WAN, bytes(encapsulated(ptb, src=VPS4, dst=GW1_UP)), True)],
                      counters={"decap": 1, "icmp6_packet_too_big": 1, "encap": 1}))
    for i in range(8):
        b = IP(src=SERVER4, dst="10.9.2.%d" % (10 + i)) / UDP(sport=7, dport=61000 + i) / payload("g2")
        dst = GW2_UP[spread_index(dec(b), 2)]
        cases.append(Case("return to gw2's lan, flow %d: over uplink %s" % (i, dst),
                          [(LAN, bytes(l2_in(LAN, src=SRV_MAC) / b))],
                          [(WAN, bytes(encapsulated(dec(b), src=VPS4, dst=dst)), True)],
                          counters={"encap": 1, "inbound_allowed": 1}))
    return Group("vps", cases, cfg=vps_config())


def group_vps_answers():
    """The vps's edge lets in answers to what a gateway's LAN sent out natively. The host is
    behind the default route (wan0), so that the opening packet and its answer are read in
    order from one port, one per burst (the answer must not overtake it in the graph)."""
    up = lambda inner: l2_in(WAN) / IP(src=GW1_UP, dst=VPS4, ttl=50) / inner
    open_tcp = IP(src="10.9.1.6", dst="192.0.2.80", ttl=64) / TCP(sport=33001, dport=443, flags="A")
    answer = lambda ttl, dport=33001: IP(src="192.0.2.80", dst="10.9.1.6", ttl=ttl) / TCP(
        sport=443, dport=dport, flags="A")
    cfg = vps_config().replace("idle_sleep_us = 100", "idle_sleep_us = 100\nburst = 1", 1)
    return Group("vps_answers", [
        Case("gw1's lan host's tcp out by the internet side, and the answer in (4in4); "
             "the same server to another port: inbound_denied",
             [(WAN, bytes(up(open_tcp))), (WAN, bytes(l2_in(WAN) / answer(50))),
              (WAN, bytes(l2_in(WAN) / answer(50, dport=33002)))],
             [(WAN, bytes(l2_out(WAN, ISP_MAC) / dec(open_tcp)), True),
              (WAN, bytes(encapsulated(answer(49), src=VPS4, dst=GW1_UP)), True)],
             drops={"inbound_denied": 1}, counters={"decap": 1, "encap": 1, "inbound_answers": 1}),
    ], cfg=cfg)


GROUPS = [group_encap_v4_outer, group_encap_v6_outer, group_decap, group_decap_errors,
          group_policy_vps4, group_policy_vps6, group_policy_vps_both, group_policy_actions,
          group_leak_guard, group_twin_output, group_twin_ethertypes, group_twin_ipv6,
          group_tunnel_down, group_vps, group_local, group_wan_edge, group_wan_edge_answers,
          group_tunnel_end, group_unresolved_policy, group_vps_answers]


def config_error_cases():
    """Each must exit 2 naming the file, line, section and key (see golden.py)."""
    def sub(text, old, new):
        assert old in text, old
        return text.replace(old, new, 1)

    L_ = golden.line_of
    gw = gateway_config(vps=(VPS4,))
    vps = vps_config()
    out = []
    t = sub(sub(gw, "gateway = 2001:db8:a::1\n", ""), "[policy]\n",
            "[policy]\nbypass = 2001:db8:200::/48 port wan0\n")
    out.append(("bypass out of an uplink without a gateway of its family", t,
                L_(t, "bypass = 2001:db8:200::/48"), "[policy] bypass:"))
    t = sub(gw, "[policy]\n", "[policy]\nbypass = 100.64.0.0/24 port wan0\n")
    out.append(("bypass holding the uplink's own address", t, L_(t, "bypass = 100.64.0.0/24"),
                "[policy] bypass:"))
    t = sub(gw, "[policy]\n", "[policy]\nbypass = 198.51.100.0/24 port lan0\n")
    out.append(("bypass out of a port that is no uplink", t, L_(t, "bypass = 198.51.100.0/24"),
                "[policy] bypass:"))
    t = sub(gw, "[policy]\n", "[policy]\nother4 = relay\n")
    out.append(("relay for a class that is not tcp", t, L_(t, "other4 = relay"), "[policy] other4:"))
    t = sub(gw, "[policy]\n", "[policy]\ntcp4 = relay\n")
    out.append(("relay without twins and [relay]", t, L_(t, "tcp4 = relay"), "[policy] tcp4:"))
    t = gw + "\n[relay]\nport = 1100\n"
    out.append(("[relay] without twins", t, L_(t, "port = 1100"), "[relay] port:"))
    t = gw + "\n[relay]\nfallback = tunnel\n"
    out.append(("[relay] without port", t, L_(t, "[relay]"), "[relay]:"))
    t = gw + "\n[relay]\nport = 1100\nfallback = native\n"
    out.append(("[relay] fallback neither tunnel nor drop", t, L_(t, "fallback = native"),
                "[relay] fallback:"))
    t = sub(gw, "address = 203.0.113.10", "address = 100.64.0.2")
    out.append(("the vps address is the gateway's own", t, L_(t, "address = 100.64.0.2", 1),
                "[vps] address:"))
    t = sub(gw, "role = gateway", "role = router")
    out.append(("unknown role", t, L_(t, "role = router"), "[mpgw] role:"))
    t = sub(gw, "address = 10.0.1.1/24", "address = 10.0.1.1/24\ngateway = 10.0.1.254")
    out.append(("gateway key on a port that is no uplink", t, L_(t, "gateway = 10.0.1.254"),
                "[port lan0] gateway:"))
    # Uplinks and flows (config_uplinks.c).
    t = sub(gw, "uplink = yes", "uplink = yes\nmultipath = sometimes")
    out.append(("multipath not on/master/backup/off", t, L_(t, "multipath = sometimes"),
                "[port wan0] multipath:"))
    t = sub(gw, "uplink = yes", "uplink = yes\nweight = 0")
    out.append(("uplink weight 0", t, L_(t, "weight = 0"), "[port wan0] weight:"))
    t = sub(gw, "address = 10.0.1.1/24", "address = 10.0.1.1/24\nweight = 2")
    out.append(("weight on a port that is no uplink", t, L_(t, "weight = 2"),
                "[port lan0] weight:"))
    t = sub(gw, "probe_interval_ms = 0", "probe_interval_ms = 20000")
    out.append(("probe interval over 10 s", t, L_(t, "probe_interval_ms = 20000"),
                "[uplinks] probe_interval_ms:"))
    t = sub(gw, "probe_interval_ms = 0", "probe_interval_ms = 0\nlow_latency_dscp = EF CS9")
    out.append(("a DSCP name that does not exist", t, L_(t, "low_latency_dscp"),
                "[uplinks] low_latency_dscp:"))
    t = sub(gw, "[uplinks]", "[flows]\nsize = 100\n\n[uplinks]")
    out.append(("flow table below 1024 flows", t, L_(t, "size = 100"), "[flows] size:"))
    t = sub(gw, "[uplinks]", "[flows]\nudp_timeout_s = 0\n\n[uplinks]")
    out.append(("a flow timeout of 0", t, L_(t, "udp_timeout_s = 0"), "[flows] udp_timeout_s:"))
    t = sub(vps, "address = 203.0.113.10/24", "address = 203.0.113.10/24\nmultipath = backup")
    out.append(("vps: multipath on a port", t, L_(t, "multipath = backup"),
                "[port wan0] multipath:"))
    t = sub(vps, "lan = 10.9.2.0/24", "lan = 203.0.113.0/24")
    out.append(("vps: a lan prefix holding the vps's own address", t, L_(t, "lan = 203.0.113.0/24"),
                "[gateway gw2] lan:"))
    t = sub(vps, "lan = 10.9.2.0/24", "lan = 10.9.1.0/24")
    out.append(("vps: a lan prefix of two gateways", t, L_(t, "lan = 10.9.1.0/24", 1),
                "[gateway gw2] lan:"))
    t = sub(vps, "uplink = 100.66.0.2", "uplink = 100.65.0.2")
    out.append(("vps: an uplink address given twice", t, L_(t, "uplink = 100.65.0.2", 1),
                "[gateway gw2] uplink:"))
    t = sub(vps, "[gateway gw2]", "[gateway gw-2]")
    out.append(("vps: a gateway name with a dash", t, L_(t, "[gateway gw-2]"), "[gateway gw-2]"))
    t = sub(vps, "[routes]", "[policy]\nother4 = drop\n\n[routes]")
    out.append(("vps: a [policy] section", t, L_(t, "[policy]"), "[policy]"))
    t = sub(vps, "address = 203.0.113.10\naddress = 2001:db8:f::10\n",
            "address = 203.0.113.99\n")
    out.append(("vps: its tunnel address is none of its ports'", t, L_(t, "address = 203.0.113.99"),
                "[vps] address:"))
    # Nested LAN prefixes of two gateways: gw2 could send as gw1's hosts.
    t = sub(vps, "lan = 10.9.2.0/24", "lan = 10.9.1.128/25")
    out.append(("vps: a lan prefix inside another gateway's", t, L_(t, "lan = 10.9.1.128/25"),
                "[gateway gw2] lan:"))
    t = sub(vps, "lan = 10.9.2.0/24", "lan = 10.9.0.0/16")
    out.append(("vps: a lan prefix holding another gateway's", t, L_(t, "lan = 10.9.0.0/16"),
                "[gateway gw2] lan:"))
    # The WAN edge's rules (config_inbound.c).
    for bad, why in (("sctp 10.0.1.0/24", "an unknown protocol"),
                     ("icmp fd00:1::/64", "icmp to an ipv6 prefix"),
                     ("udp 10.0.1.0/24 70000", "a port over 65535"),
                     ("tcp 10.0.1.0/24 30-20", "a port range backwards"),
                     ("icmp 10.0.1.0/24 22", "a port for icmp"),
                     ("tcp 10.0.1.0/33", "a prefix over /32"),
                     ("tcp", "no prefix")):
        t = sub(gw, "[inbound]\n", "[inbound]\nallow = %s\n" % bad)
        out.append(("[inbound] allow: %s" % why, t, L_(t, "allow = " + bad), "[inbound] allow:"))
    # MTUs: IPv6 needs 1280; a port that tunnels room for 68 bytes inside 40.
    t = sub(gw, "mtu = 1500", "mtu = 1279")
    out.append(("an uplink with an ipv6 address and mtu 1279", t, L_(t, "mtu = 1279"),
                "[port wan0] mtu:"))
    v4_only = gw
    for line in ("address = 2001:db8:a::2/64\n", "gateway = 2001:db8:a::1\n",
                 "route = 2001:db8:100::/48 via 2001:db8:a::1\n",
                 "neighbour = 2001:db8:a::1 02:00:00:00:02:02\n"):
        v4_only = sub(v4_only, line, "")
    t = sub(v4_only, "mtu = 1500", "mtu = 107")
    out.append(("an ipv4-only uplink with mtu 107 (tunnels need 108)", t, L_(t, "mtu = 107"),
                "[port wan0] mtu:"))
    return out


def tshark_check(rep, name, res):
    """Every frame mpgw sent decodes in tshark without a malformed-packet flag."""
    frames = [f for out in (res.outputs or []) if out for f in out]
    if not frames:
        return
    with tempfile.NamedTemporaryFile(suffix=".pcap") as tmp:
        mpgw_run.write_pcap(tmp.name, frames)
        p = subprocess.run(["tshark", "-n", "-r", tmp.name, "-Y", "_ws.malformed || _ws.expert.severity >= error",
                            "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"],
                           capture_output=True, text=True)
    errs = []
    if p.returncode != 0:
        errs.append("tshark failed: %s" % p.stderr.strip()[-200:])
    bad = [line for line in p.stdout.splitlines() if line.strip()]
    if bad:
        errs.append("%d of %d frames malformed for tshark: %s" % (len(bad), len(frames), bad[:3]))
    rep.check(name + ": tshark decodes all %d output frames cleanly" % len(frames), errs)


def main(argv):
    verbose = "-v" in argv
    pattern = argv[argv.index("-k") + 1] if "-k" in argv else None
    if os.geteuid() != 0:
        print("golden_tunnel: needs root (DPDK EAL)")
        return 77
    rep = golden.Report(verbose, pattern)
    for mk in GROUPS:
        g = mk()
        res = golden.run_group(rep, g)
        if res is not None and res.rc == 0:
            tshark_check(rep, g.name, res)
    golden.run_config_errors(rep, config_error_cases())
    print("%d passed, %d failed" % (rep.passed, rep.failed))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
