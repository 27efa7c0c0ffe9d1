#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The two ends of an MPTCP connection for tests/integration/live_mptcp.sh.

  mptcp_peer.py server ADDR PORT OUT    accept one connection, write what arrives to OUT,
                                        then the byte count and SHA-256 to OUT.done
  mptcp_peer.py client ADDR PORT STOP   send pseudo-random data at about 2 MB/s until the
                                        file STOP exists (or 60 s pass), then close; print
                                        the byte count and SHA-256. Nothing is sent while
                                        STOP.pause exists.

Both sockets are IPPROTO_MPTCP (262): the kernel's path manager adds subflows on its own.
"""
import hashlib
import os
import socket
import sys
import time

IPPROTO_MPTCP = 262


def server(addr, port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    conn, _ = s.accept()
    h = hashlib.sha256()
    n = 0
    with open(out, "wb") as f:
        while True:
            b = conn.recv(65536)
            if not b:
                break
            f.write(b)
            h.update(b)
            n += len(b)
    conn.close()
    with open(out + ".done", "w") as f:
        f.write(f"{n} {h.hexdigest()}\n")


def client(addr, port, stop):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.connect((addr, port))
    h = hashlib.sha256()
    n = 0
    rnd = hashlib.sha256(b"mpgw").digest() * 1024  # 32 KiB
    end = time.monotonic() + 60
    while not os.path.exists(stop) and time.monotonic() < end:
        if os.path.exists(stop + ".pause"):
            time.sleep(0.05)
            continue
        s.sendall(rnd)
        h.update(rnd)
        n += len(rnd)
        time.sleep(0.015)
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()
    print(f"{n} {h.hexdigest()}")


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("server", "client"):
        sys.exit(__doc__)
    (server if sys.argv[1] == "server" else client)(sys.argv[2], int(sys.argv[3]), sys.argv[4])
