#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Short TCP connections for tests/integration/live_bond.sh: many connections through the
relay, half of them reset by the server (a reset from the peer ends an MPTCP connection
without a CLOSED event at the gateway's kernel).

  churn_peer.py server ADDR PORT N     accept N connections; answer each with 1 KB, then
                                       close it, every second one with a reset (SO_LINGER 0)
  churn_peer.py client ADDR PORT N     open N connections one after the other, send a line,
                                       read to the end; print how many got the 1 KB and
                                       how many were reset
  churn_peer.py half-server ADDR PORT S  accept one connection, read it to its end (the
                                       client's FIN), keep it open S seconds, then close
  churn_peer.py half-client ADDR PORT S  connect, send a line and shut the sending side down
                                       (a half-closed connection), then read until the
                                       server closes or S seconds pass
"""
import socket
import struct
import sys
import time


def server(addr, port, n):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    s.settimeout(120)
    for i in range(n):
        c, _ = s.accept()
        c.settimeout(10)
        try:
            c.recv(64)
            c.sendall(b"x" * 1024)
            if i % 2:
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        c.close()


def client(addr, port, n):
    got = reset = failed = 0
    for _ in range(n):
        try:
            c = socket.create_connection((addr, port), timeout=10)
        except OSError:
            failed += 1
            continue
        data = b""
        try:
            c.sendall(b"hello\n")
            while True:
                b = c.recv(4096)
                if not b:
                    break
                data += b
        except ConnectionResetError:
            reset += 1
        except OSError:
            failed += 1
        c.close()
        got += len(data) >= 1024
    print("connections=%d got=%d reset=%d failed=%d" % (n, got, reset, failed))


def half_server(addr, port, secs):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(60)
    c, _ = s.accept()
    c.settimeout(secs)
    try:
        while c.recv(4096):
            pass
        time.sleep(secs)
    except OSError:
        pass
    c.close()


def half_client(addr, port, secs):
    c = socket.create_connection((addr, port), timeout=10)
    c.sendall(b"hello\n")
    c.shutdown(socket.SHUT_WR)
    c.settimeout(secs)
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()


if __name__ == "__main__":
    role, addr, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    {"server": server, "client": client, "half-server": half_server,
     "half-client": half_client}[role](addr, port, n)
