#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Make the netlink fuzzers' seed corpora from a real kernel (root; python3, iproute2).

    tests/fuzz/corpus/capture.py [OUTDIR]   (default: the folder of this script)

In a namespace of its own (made and deleted here): three veth twins of ifindex 2, 3, 4
(what fuzz_netlink.c maps to its ports), addresses, neighbours, routes (via a gateway,
on-link, blackhole, multipath of both families, one out of ifindex 4), then their deletion
and a twin set down. Written, one file per datagram:
  fuzz_netlink/event-*   the rtnetlink events of those changes, as the mirror's socket gets them
  fuzz_netlink/dump-*    messages of the dumps of routes, neighbours, addresses (one each a
                         file, and one whole datagram of routes)
  fuzz_mptcp_pm/*        the MPTCP path manager's events of a connection with two subflows
                         (created, established, subflow established, priority, subflow
                         closed, closed), and all of them as one datagram
Large link messages (over 2 KiB) are left out: the corpus stays small.
"""
import os
import socket
import struct
import subprocess
import sys
import time

NETLINK_ROUTE = 0
NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
GROUPS = 0x1 | 0x4 | 0x10 | 0x40 | 0x100 | 0x400  # link, neigh, ifaddr, route (v4, v6)
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH = 18, 22, 26, 30
NLMSG_DONE = 3
IPPROTO_MPTCP = 262
MAX_FILE = 2048
RTM_NEWLINK, RTM_NEWROUTE, RTM_DELROUTE = 16, 24, 25
# at most this many files of one message type (the dumps repeat themselves)
MAX_OF_TYPE = {RTM_NEWLINK: 2, RTM_NEWROUTE: 3}
MAX_OF_TYPE_DEFAULT = 10


def run(cmd):
    subprocess.run(cmd, shell=True, check=True)


def messages(data):
    """The messages of a datagram: (type, bytes)."""
    off = 0
    while off + 16 <= len(data):
        length, mtype = struct.unpack_from("=IH", data, off)
        if length < 16 or off + length > len(data):
            break
        yield mtype, data[off:off + length]
        off += (length + 3) & ~3


def drain(s):
    out = []
    s.setblocking(False)
    while True:
        try:
            out.append(s.recv(65536))
        except BlockingIOError:
            return out


written = set()
of_type = {}


def write(folder, name, data, cap=None):
    """data into folder/name, unless too large, written already, or its first message's
    type has enough files (cap, else by MAX_OF_TYPE)."""
    mtype = struct.unpack_from("=H", data, 4)[0] if len(data) >= 6 else 0
    key = (folder, name.split("-")[0], mtype)
    if mtype in (RTM_NEWROUTE, RTM_DELROUTE) and len(data) >= 28:
        family, table, proto, rtype = data[16], data[20], data[21], data[23]
        key += (family, table, proto, rtype)  # of each kind of route a few
        mtype = RTM_NEWROUTE
    if len(data) > MAX_FILE or (folder, data) in written or \
            of_type.get(key, 0) >= (cap or MAX_OF_TYPE.get(mtype, MAX_OF_TYPE_DEFAULT)):
        return
    written.add((folder, data))
    of_type[key] = of_type.get(key, 0) + 1
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def dump(kind, family=socket.AF_UNSPEC):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    s.bind((0, 0))
    req = struct.pack("=IHHII", 20, kind, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    s.send(req + struct.pack("=B3x", family))
    grams = []
    while True:
        d = s.recv(65536)
        grams.append(d)
        if any(t == NLMSG_DONE for t, _ in messages(d)):
            s.close()
            return grams


def rtnetlink(out):
    folder = os.path.join(out, "fuzz_netlink")
    ev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    ev.bind((0, GROUPS))
    run("ip link set lo up")
    for i, name in ((2, "d0"), (3, "d1"), (4, "d2")):
        run(f"ip link add {name} index {i} type veth peer name p{name} index {i + 10}")
        run(f"ip link set {name} up; ip link set p{name} up")
    run("ip addr add 10.0.1.1/24 dev d0; ip addr add fd00:1::1/64 dev d0 nodad")
    run("ip addr add 10.0.2.1/24 dev d1; ip addr add fd00:2::1/64 dev d1 nodad")
    run("ip addr add 10.0.3.1/24 dev d2")
    run("ip neigh add 10.0.2.2 lladdr 02:00:00:00:02:02 dev d1 nud reachable")
    run("ip neigh add fd00:2::2 lladdr 02:00:00:00:02:02 dev d1 nud permanent")
    run("ip route add 198.51.100.0/24 via 10.0.2.2 dev d1")
    run("ip route add 192.0.2.128/25 dev d0 metric 50")
    run("ip route add blackhole 192.0.2.0/24")
    run("ip route add 203.0.113.0/24 nexthop via 10.0.2.2 dev d1 weight 1 "
        "nexthop via 10.0.1.2 dev d0 weight 3")
    run("ip -6 route add 2001:db8::/32 via fd00:2::2 dev d1 metric 100")
    run("ip -6 route add 2001:db8:5::/48 nexthop via fd00:2::2 dev d1 "
        "nexthop via fd00:1::2 dev d0")
    run("ip route add 198.18.0.0/15 via 10.0.3.2 dev d2")
    run("ip route replace 198.51.100.0/24 via 10.0.2.3 dev d1")
    time.sleep(0.2)
    n = 0
    for d in drain(ev):
        write(folder, f"event-{n:03d}", d)
        n += 1
    grams = {k: dump(k) for k in (RTM_GETROUTE, RTM_GETNEIGH, RTM_GETADDR, RTM_GETLINK)}
    # a datagram of several messages: the first of the route dump's, up to MAX_FILE bytes
    several = b""
    for _, m in messages(grams[RTM_GETROUTE][0]):
        if len(several) + len(m) > MAX_FILE:
            break
        several += m + b"\0" * ((4 - len(m) % 4) % 4)
    write(folder, "several-routes", several)
    for kind, gs in grams.items():
        for d in gs:
            for t, m in messages(d):
                if t != NLMSG_DONE:
                    write(folder, f"dump-{kind}-{n:03d}", m)
                    n += 1
    run("ip route del 198.51.100.0/24; ip -6 route del 2001:db8:5::/48")
    run("ip neigh del 10.0.2.2 dev d1; ip addr del 10.0.2.1/24 dev d1")
    run("ip link set d1 down")
    time.sleep(0.2)
    for d in drain(ev):
        write(folder, f"event-{n:03d}", d)
        n += 1
    ev.close()


def genl_family(name):
    """The id of generic netlink family name and its groups' ids by name."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.bind((0, 0))
    attr = name.encode() + b"\0"
    alen = 4 + len(attr)
    body = struct.pack("=BBH", 3, 1, 0) + struct.pack("=HH", alen, 2) + attr
    body += b"\0" * ((4 - alen % 4) % 4)
    s.send(struct.pack("=IHHII", 16 + len(body), 0x10, NLM_F_REQUEST, 1, 0) + body)
    d = s.recv(65536)
    s.close()
    fam, groups, off = None, {}, 20
    while off + 4 <= len(d):
        alen, atype = struct.unpack_from("=HH", d, off)
        if alen < 4:
            break
        payload = d[off + 4:off + alen]
        if atype & 0x3fff == 1:  # CTRL_ATTR_FAMILY_ID
            fam = struct.unpack_from("=H", payload)[0]
        elif atype & 0x3fff == 7:  # CTRL_ATTR_MCAST_GROUPS
            p = 0
            while p + 4 <= len(payload):
                glen = struct.unpack_from("=H", payload, p)[0]
                g, q, gname, gid = payload[p + 4:p + glen], 0, None, None
                while q + 4 <= len(g):
                    l2, t2 = struct.unpack_from("=HH", g, q)
                    v = g[q + 4:q + l2]
                    if t2 == 1:
                        gname = v.rstrip(b"\0").decode()
                    elif t2 == 2:
                        gid = struct.unpack_from("=I", v)[0]
                    q += (l2 + 3) & ~3
                groups[gname] = gid
                p += (glen + 3) & ~3
        off += (alen + 3) & ~3
    return fam, groups


def mptcp(out):
    folder = os.path.join(out, "fuzz_mptcp_pm")
    run("sysctl -qw net.mptcp.enabled=1")
    fam, groups = genl_family("mptcp_pm")
    ev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    ev.bind((0, 0))
    ev.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, groups["mptcp_pm_events"])
    run("ip mptcp limits set subflow 2 add_addr_accepted 2")
    run("ip mptcp endpoint add 10.0.3.1 subflow")  # d2: d1 is down by now
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    srv.bind(("10.0.1.1", 0))
    srv.listen()
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    cli.connect(srv.getsockname())
    conn, _ = srv.accept()
    cli.send(b"x" * 1000)
    conn.recv(1000)
    time.sleep(0.5)
    conn.send(b"y" * 100)
    cli.recv(100)
    time.sleep(0.5)
    run("ip mptcp endpoint change id 1 backup")
    time.sleep(0.2)
    run("ip mptcp endpoint del id 1")  # its subflow closed
    time.sleep(0.2)
    cli.close()
    conn.close()
    srv.close()
    time.sleep(0.3)
    grams = drain(ev)
    for n, d in enumerate(grams):
        write(folder, f"event-{n:03d}", d, cap=100)  # one family: every event
    write(folder, "several", b"".join(grams))  # one datagram of them all
    ev.close()
    print(f"mptcp_pm family {fam}")


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__))
    if os.environ.get("CAPTURE_INSIDE"):
        rtnetlink(out)
        mptcp(out)
        return
    ns = f"mpgw-nlseed-{os.getpid()}"
    run(f"ip netns add {ns}")
    try:
        subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                        out], check=True, env=dict(os.environ, CAPTURE_INSIDE="1"))
    finally:
        run(f"ip netns del {ns}")


if __name__ == "__main__":
    main()
