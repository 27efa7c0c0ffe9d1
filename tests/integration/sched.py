#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic, delay and capture analysis for live_sched.sh.

  sched.py delay IN OUT DST_IP DST_MAC SRC_MAC MS READY_FILE
      A one-way delay line for a kernel router (the kernel has no netem here): IPv4
      frames to DST_IP that arrive on interface IN are sent out of OUT MS milliseconds
      later, in order, with Ethernet destination DST_MAC and source SRC_MAC. The caller
      drops the originals (an nftables netdev ingress hook on IN: packet sockets see a frame
      before that hook does). Creates READY_FILE once listening; runs until killed.
  sched.py send DST PORT FIRST_SPORT FLOWS COUNT INTERVAL_MS TCLASS
      FLOWS IPv6 UDP flows to DST:PORT from source ports FIRST_SPORT.., traffic class
      TCLASS (0xb8: DSCP EF), COUNT datagrams each, one round every INTERVAL_MS.
  sched.py dscp WAN0_PCAP WAN1_PCAP EF_SPORT BE_SPORT FLOWS
      From captures of what the gateway sent on each uplink: which uplinks carried each
      flow of the two groups (FLOWS flows from EF_SPORT.., FLOWS from BE_SPORT..), and
      whether each tunnel packet's outer IPv4 TOS equals its inner traffic class. Prints
      "ef_flows=N ef_wan1_only=N be_flows=N be_wan0=N be_wan1=N packets=N tos_copied=N".
  sched.py flowlet DST PORT A_SPORT B_SPORT FLOWS INTERVAL_MS CTL_DIR
      Two groups of FLOWS IPv6 UDP flows (A from A_SPORT, B from B_SPORT), one datagram
      per flow every INTERVAL_MS, "flow SPORT seq N" in each. The caller steers them with
      files in CTL_DIR: group G pauses while G.pause exists and G.resume does not; all stop
      at "stop".
  sched.py flowlet_analyse WAN0_PCAP WAN1_PCAP SERVER_PCAP A_SPORT B_SPORT FLOWS CUT RESTORE
          B_PAUSE B_RESUME A_PAUSE A_RESUME
      The times are epoch seconds (cut and restore of wan0, the pauses and resumes). Prints
      one line per flow and a summary:
        a_wan0_before_cut, b_wan0_before_cut: flows of each group on wan0 before the cut;
        a_wan0_steady: A flows with a packet on wan0 between RESTORE and A_PAUSE (sticky:
          must be 0); a_max_gap_ms: the longest gap between two packets of an A flow then;
        b_moved: B flows on wan1 only before their pause, then on wan0 only after it;
        b_split: B flows on both uplinks after their pause (must be 0);
        a_moved: A flows on wan1 only before their pause, then on wan0 only after it;
        server: datagrams of both groups at the server; reordered: flows whose sequence
          numbers there are not increasing.
"""
import collections
import heapq
import os
import select
import socket
import struct
import sys
import time

WAN0, WAN1 = 0, 1


def delay(iface_in, iface_out, dst_ip, dst_mac, src_mac, ms, ready):
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
    rx.bind((iface_in, 0))
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((iface_out, 0))
    want = socket.inet_aton(dst_ip)
    eth = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", ""))
    queue, n, d = [], 0, ms / 1000.0
    open(ready, "w").close()
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
        if select.select([rx], [], [], timeout)[0]:
            while True:
                try:
                    data, addr = rx.recvfrom(65535, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                if (addr[2] != socket.PACKET_OUTGOING and len(data) >= 34 and
                        data[12:14] == b"\x08\x00" and data[30:34] == want):
                    n += 1
                    heapq.heappush(queue, (time.monotonic() + d, n, eth + data[12:]))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            try:
                tx.send(heapq.heappop(queue)[2])
            except OSError:
                pass


def sockets(first_sport, flows, tclass=0):
    out = []
    for i in range(flows):
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tclass)
        s.bind(("::", first_sport + i))
        out.append((first_sport + i, s))
    return out


def send(dst, port, first_sport, flows, count, interval_ms, tclass):
    socks = sockets(first_sport, flows, tclass)
    next_t = time.monotonic()
    for seq in range(count):
        for sport, s in socks:
            try:
                s.sendto(b"flow %d seq %d" % (sport, seq), (dst, port))
            except OSError:
                pass
        next_t += interval_ms / 1000.0
        time.sleep(max(0.0, next_t - time.monotonic()))


def flowlet(dst, port, a_sport, b_sport, flows, interval_ms, ctl):
    groups = {"A": sockets(a_sport, flows), "B": sockets(b_sport, flows)}
    seq = collections.Counter()
    has = lambda name: os.path.exists(os.path.join(ctl, name))  # noqa: E731
    next_t = time.monotonic()
    while not has("stop"):
        for g, socks in groups.items():
            if has(g + ".pause") and not has(g + ".resume"):
                continue
            for sport, s in socks:
                try:
                    s.sendto(b"flow %d seq %d" % (sport, seq[sport]), (dst, port))
                except OSError:
                    pass
                seq[sport] += 1
        next_t += interval_ms / 1000.0
        now = time.monotonic()
        if next_t < now:  # late (a busy machine): no burst to catch up
            next_t = now
        time.sleep(next_t - now)


def pcap(path):
    """(time, frame) of each record of a classic pcap file (what tcpdump -w writes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
              b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if endian is None:
        sys.exit("%s: not a pcap file" % path)
    frac = 1e-9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e-6
    off = 24
    rec = struct.Struct(endian + "IIII")
    while off + 16 <= len(data):
        sec, sub, caplen, _ = rec.unpack_from(data, off)
        off += 16
        yield sec + sub * frac, data[off:off + caplen]
        off += caplen


def udp6(frame, off):
    """(traffic class, sport, payload) of the IPv6 UDP packet at frame[off:], or None."""
    if len(frame) < off + 48 or frame[off] >> 4 != 6 or frame[off + 6] != 17:
        return None
    tclass = ((frame[off] & 0x0f) << 4) | (frame[off + 1] >> 4)
    sport = struct.unpack_from("!H", frame, off + 40)[0]
    return tclass, sport, frame[off + 48:]


def tunnelled(path):
    """(time, outer TOS, inner traffic class, inner sport) of each 6in4 packet carrying UDP."""
    out = []
    for t, fr in pcap(path):
        if len(fr) < 34 or fr[12:14] != b"\x08\x00" or fr[23] != 41:
            continue
        ihl = (fr[14] & 0x0f) * 4
        u = udp6(fr, 14 + ihl)
        if u is not None:
            out.append((t, fr[15], u[0], u[1]))
    return out


def at_server(path):
    """(time, sport, seq) of each test datagram in a capture at the server."""
    out = []
    for t, fr in pcap(path):
        if len(fr) < 14 or fr[12:14] != b"\x86\xdd":
            continue
        u = udp6(fr, 14)
        if u is None or not u[2].startswith(b"flow "):
            continue
        try:
            out.append((t, u[1], int(u[2].split()[3])))
        except (IndexError, ValueError):
            pass
    return out


def dscp(wan0, wan1, ef_sport, be_sport, flows):
    ef = range(ef_sport, ef_sport + flows)
    be = range(be_sport, be_sport + flows)
    where = collections.defaultdict(set)
    packets = copied = 0
    for uplink, path in ((WAN0, wan0), (WAN1, wan1)):
        for _, tos, tclass, sport in tunnelled(path):
            if sport not in ef and sport not in be:
                continue
            where[sport].add(uplink)
            packets += 1
            expect = 0xb8 if sport in ef else 0
            copied += tos == tclass == expect
    for sport in list(ef) + list(be):
        print("flow %d (%s): %s" % (sport, "EF" if sport in ef else "DSCP 0",
                                    " ".join("wan%d" % u for u in sorted(where[sport])) or
                                    "not seen"))
    print("ef_flows=%d ef_wan1_only=%d be_flows=%d be_wan0=%d be_wan1=%d packets=%d "
          "tos_copied=%d" % (
              sum(1 for s in ef if where[s]), sum(1 for s in ef if where[s] == {WAN1}),
              sum(1 for s in be if where[s]), sum(1 for s in be if WAN0 in where[s]),
              sum(1 for s in be if WAN1 in where[s]), packets, copied))


def moved(pkts, pause, resume):
    """Whether a flow's packets (time, uplink) were on wan1 only before pause (and after
    the restore, as the caller filtered) and on wan0 only after resume; and whether they
    were on both after resume."""
    before = {u for t, u in pkts if t < pause}
    after = {u for t, u in pkts if t >= resume}
    return before == {WAN1} and after == {WAN0}, len(after) > 1


def flowlet_analyse(wan0, wan1, server, a_sport, b_sport, flows, cut, restore, b_pause,
                    b_resume, a_pause, a_resume):
    a = range(a_sport, a_sport + flows)
    b = range(b_sport, b_sport + flows)
    pkts = collections.defaultdict(list)
    for uplink, path in ((WAN0, wan0), (WAN1, wan1)):
        for t, _, _, sport in tunnelled(path):
            if sport in a or sport in b:
                pkts[sport].append((t, uplink))
    for p in pkts.values():
        p.sort()
    wan0_before = lambda g: sum(  # noqa: E731
        1 for s in g if any(u == WAN0 for t, u in pkts[s] if t < cut))
    a_steady_wan0 = max_gap = a_moved = b_moved = b_split = 0
    for s in a:
        steady = [(t, u) for t, u in pkts[s] if restore <= t < a_pause]
        a_steady_wan0 += any(u == WAN0 for t, u in steady)
        times = [t for t, _ in steady]
        gaps = [y - x for x, y in zip(times, times[1:])]
        max_gap = max([max_gap] + gaps)
        m, _ = moved([(t, u) for t, u in pkts[s] if t >= restore], a_pause, a_resume)
        a_moved += m
        print("flow %d (steady): %d packets after the restore, %s, %s" % (
            s, len(steady), "on wan0 while steady" if any(u == WAN0 for _, u in steady)
            else "on wan1 only while steady", "then moved to wan0" if m else "not moved"))
    for s in b:
        m, split = moved([(t, u) for t, u in pkts[s] if t >= restore], b_pause, b_resume)
        b_moved += m
        b_split += split
        print("flow %d (paused): %s" % (s, "moved from wan1 to wan0" if m else
                                        "on both uplinks after its pause" if split else
                                        "not moved"))
    seen, reordered, last = 0, set(), {}
    for _, sport, seq in at_server(server):  # in the order they arrived
        if sport not in a and sport not in b:
            continue
        seen += 1
        if sport in last and seq <= last[sport]:
            reordered.add(sport)
        last[sport] = seq
    for s in sorted(reordered):
        print("flow %d: out of order at the server" % s)
    print("a_wan0_before_cut=%d b_wan0_before_cut=%d a_wan0_steady=%d a_max_gap_ms=%.0f "
          "b_moved=%d b_split=%d a_moved=%d server=%d reordered=%d" % (
              wan0_before(a), wan0_before(b), a_steady_wan0, max_gap * 1000.0, b_moved,
              b_split, a_moved, seen, len(reordered)))


def main():
    a = sys.argv
    cmd = a[1] if len(a) > 1 else ""
    if cmd == "delay" and len(a) == 9:
        delay(a[2], a[3], a[4], a[5], a[6], float(a[7]), a[8])
    elif cmd == "send" and len(a) == 9:
        send(a[2], int(a[3]), int(a[4]), int(a[5]), int(a[6]), float(a[7]), int(a[8], 0))
    elif cmd == "dscp" and len(a) == 7:
        dscp(a[2], a[3], int(a[4]), int(a[5]), int(a[6]))
    elif cmd == "flowlet" and len(a) == 9:
        flowlet(a[2], int(a[3]), int(a[4]), int(a[5]), int(a[6]), float(a[7]), a[8])
    elif cmd == "flowlet_analyse" and len(a) == 14:
        flowlet_analyse(a[2], a[3], a[4], int(a[5]), int(a[6]), int(a[7]),
                        *(float(x) for x in a[8:14]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
