# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark traffic: pcaps written with struct (scapy is far too slow for 1M packets).

Every packet is UDP, Ethernet dst 02:00:00:00:01:01 (mpgw's lan0 MAC, and the MAC of the
kernel router's ingress veth), and goes to a destination that every forwarder under test
sends to its port 1 / egress:
  IPv4  198.18.1.0/24        (l3fwd's built-in LPM route to port 1)
  IPv6  2001:200:0:1::/64    (l3fwd's built-in LPM route to port 1)
Flow i (0 <= i < flows) differs in source address and source port; destinations cycle
through 254 hosts of the port-1 prefix. Packet i belongs to flow i % flows.

Sizes are Ethernet frames as in the pcap, without the 4-byte FCS:
  64     IPv4: 60 bytes (64 on the wire); IPv6: 62 bytes, the smallest IPv6/UDP frame
  imix   simple IMIX 7:4:1 of 64/594/1518-byte wire frames (60/590/1514 in the pcap),
         the smallest IPv6 frame being 62 bytes
  syn    TCP SYNs instead of UDP, with Linux's options (MSS 1460, SACK permitted,
         timestamps, NOP, window scale): 74 bytes (IPv4), 94 (IPv6); the MSS clamp's work
  6in4   (family 6) the 62-byte IPv6 frames inside IPv4 protocol 41, from the VPS
         203.0.113.10 to a gateway uplink 198.18.1.1 (l3fwd's port-1 route too): 82 bytes
"""
import struct

ETH_DST = bytes.fromhex("020000000101")
ETH_SRC = bytes.fromhex("020000000001")
IMIX = [64] * 7 + [594] * 4 + [1518]


def _fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def _sum16(b):
    if len(b) % 2:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def frame_sizes(family, size, count):
    """Frame length (pcap, no FCS) of each of `count` packets."""
    floor = 62 if family == 6 else 60
    if size in ("64", "syn", "6in4"):  # syn and 6in4 frames are sized by their builders
        return [floor] * count
    return [max(floor, IMIX[i % len(IMIX)] - 4) for i in range(count)]


def packet_count(flows, size):
    # One packet per flow; IMIX needs at least one full 12-packet cycle per 1000 flows.
    return max(flows, 12 * 1000) if size == "imix" else flows


# MSS 1460, SACK permitted, timestamps, NOP, window scale 7
SYN_OPTS = bytes.fromhex("020405b40402080a000000010000000001030307")


def syn_frame(family, f, sport, dhost):
    """A TCP SYN of flow f with a correct checksum."""
    tcp_len = 20 + len(SYN_OPTS)
    if family == 4:
        src = struct.pack("!I", ((10 << 24) | (64 << 16)) + f + 1)
        dst = bytes([198, 18, 1, dhost])
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + tcp_len, 0, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", (~_fold(_sum16(ip))) & 0xFFFF) + ip[12:]
        pseudo = _sum16(src + dst) + 6 + tcp_len
        et = b"\x08\x00"
    else:
        src = bytes.fromhex("fd000064000000000000000000000000")[:12] + struct.pack("!I", f + 1)
        dst = bytes.fromhex("20010200000000010000000000000000")[:15] + bytes([dhost])
        ip = struct.pack("!IHBB16s16s", 0x60000000, tcp_len, 6, 64, src, dst)
        pseudo = _sum16(src + dst) + 6 + tcp_len
        et = b"\x86\xdd"
    tcp = struct.pack("!HHIIBBHHH", sport, 443, 1000 + f, 0, (tcp_len // 4) << 4, 0x02, 64240, 0,
                      0) + SYN_OPTS
    ck = (~_fold(pseudo + _sum16(tcp))) & 0xFFFF
    tcp = tcp[:16] + struct.pack("!H", ck) + tcp[18:]
    return ETH_DST + ETH_SRC + et + ip + tcp


def tunnel_frame(f, sport, dhost):
    """6in4: a 48-byte IPv6/UDP packet of flow f in IPv4 from the VPS to the uplink."""
    src6 = bytes.fromhex("20010db8ffff00000000000000000000")[:12] + struct.pack("!I", f + 1)
    dst6 = bytes.fromhex("20010200000000010000000000000000")[:15] + bytes([dhost])
    inner = struct.pack("!IHBB16s16s", 0x60000000, 8, 17, 64, src6, dst6)
    ck = (~_fold(_sum16(src6 + dst6) + 8 + 17 + sport + 9 + 8)) & 0xFFFF or 0xFFFF
    inner += struct.pack("!HHHH", sport, 9, 8, ck)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(inner), 0, 0x4000, 64, 41, 0,
                     bytes([203, 0, 113, 10]), bytes([198, 18, 1, 1]))
    ip = ip[:10] + struct.pack("!H", (~_fold(_sum16(ip))) & 0xFFFF) + ip[12:]
    return ETH_DST + ETH_SRC + b"\x08\x00" + ip + inner


def write(path, family, size, flows):
    count = packet_count(flows, size)
    sizes = frame_sizes(family, size, count)
    out = bytearray()
    out += struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    cache = {}
    for i in range(count):
        flen = sizes[i]
        f = i % flows
        sport = 1024 + (f * 7919) % 64000
        dhost = 1 + (i % 254)
        if size == "syn":
            pkt = syn_frame(family, f, sport, dhost)
            flen = len(pkt)
        elif size == "6in4":
            pkt = tunnel_frame(f, sport, dhost)
            flen = len(pkt)
        elif family == 4:
            iplen = flen - 14
            key = (flen, dhost)
            base = cache.get(key)
            if base is None:
                dst = bytes([198, 18, 1, dhost])
                hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, iplen, 0, 0x4000, 64, 17, 0, b"\0" * 4, dst)
                base = cache[key] = (hdr, _sum16(hdr))
            hdr, s = base
            src = ((10 << 24) | (64 << 16)) + f + 1  # 10.64.0.0/10: up to 4M flows
            s += (src >> 16) + (src & 0xFFFF)
            ck = (~_fold(s)) & 0xFFFF
            ip = hdr[:10] + struct.pack("!HI", ck, src) + hdr[16:]
            udp = struct.pack("!HHHH", sport, 9, iplen - 20, 0)
            pkt = ETH_DST + ETH_SRC + b"\x08\x00" + ip + udp + bytes(iplen - 28)
        else:
            plen = flen - 54
            key = (flen, dhost)
            base = cache.get(key)
            if base is None:
                dst = bytes.fromhex("20010200000000010000000000000000")[:15] + bytes([dhost])
                hdr = struct.pack("!IHBB16s16s", 0x60000000, plen, 17, 64, b"\0" * 16, dst)
                # pseudo-header: dst, length, next header; UDP: dport, length (sport, src later)
                base = cache[key] = (hdr, _sum16(dst) + plen + 17 + 9 + plen)
            hdr, s = base
            src = bytes.fromhex("fd000064000000000000000000000000")[:12] + struct.pack("!I", f + 1)
            s += _sum16(src) + sport
            ck = (~_fold(s)) & 0xFFFF or 0xFFFF
            ip = hdr[:8] + src + hdr[24:]
            udp = struct.pack("!HHHH", sport, 9, plen, ck)
            pkt = ETH_DST + ETH_SRC + b"\x86\xdd" + ip + udp + bytes(plen - 8)
        out += struct.pack("<IIII", 0, 0, flen, flen)
        out += pkt
    with open(path, "wb") as fh:
        fh.write(out)
    return count


if __name__ == "__main__":
    import sys

    write(sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
