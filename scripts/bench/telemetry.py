# SPDX-License-Identifier: BSD-3-Clause
"""Minimal client of DPDK's telemetry socket (dpdk_telemetry.v2, SOCK_SEQPACKET)."""
import json
import os
import socket
import time


class Telemetry:
    def __init__(self, prefix, timeout=30.0):
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        deadline = time.monotonic() + timeout
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                s.connect(path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise RuntimeError("telemetry socket %s not up after %.0f s" % (path, timeout))
                time.sleep(0.2)
        self.sock = s
        info = json.loads(s.recv(16384).decode())
        self.bufsize = max(int(info.get("max_output_len", 16384)), 16384)

    def query(self, cmd):
        self.sock.send(cmd.encode())
        return json.loads(self.sock.recv(self.bufsize).decode())

    def ethdev_stats(self, port):
        """The port's counters, or None while the port is not set up yet."""
        return self.query("/ethdev/stats,%d" % port).get("/ethdev/stats")

    def close(self):
        self.sock.close()


def socket_path(prefix):
    return "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix


def exists(prefix):
    return os.path.exists(socket_path(prefix))
