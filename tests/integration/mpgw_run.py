# SPDX-License-Identifier: BSD-3-Clause
"""Run mpgw offline on net_pcap ports, for integration tests.

    import mpgw_run
    res = mpgw_run.run(config_text, [lan_frames, wan_frames])
    res.rc, res.stdout, res.stderr, res.timed_out
    res.outputs[0]            # frames (bytes) mpgw sent on net_pcap0, in order
    res.stats["drops"]["no_route"], res.stats["ports"]["lan0"]["tx_packets"]

Device i is "net_pcap{i}", reading in{i}.pcap and writing out{i}.pcap in a fresh temporary
directory, so a config names its ports' devices net_pcap0, net_pcap1, ... Frames are bytes or
anything bytes() accepts (a scapy packet). Everything is removed afterwards (keep=True keeps
the directory, e.g. to look at it after a failure) and each run has a timeout after which mpgw
is killed. Pure standard library: pcap files are read and written here, so scapy is only needed
by the tests that build packets with it.
"""
import itertools
import json
import os
import shutil
import signal
import struct
import subprocess
import tempfile

DEFAULT_EAL = ["--no-huge", "-m", "512", "--no-pci", "-l", "0-1"]
DPDK_RUN_DIR = "/var/run/dpdk"

_counter = itertools.count()


def mpgw_path():
    """The mpgw binary: $MPGW (set by meson test), else $MPGW_SRC/build/app/mpgw/mpgw, else
    build/app/mpgw/mpgw of the checkout this file is in."""
    if os.environ.get("MPGW"):
        return os.environ["MPGW"]
    src = os.environ.get("MPGW_SRC") or os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", ".."))
    return os.path.join(src, "build", "app", "mpgw", "mpgw")


def unique_prefix(tag="mpgwt"):
    """A --file-prefix no other run (of this process or another) uses."""
    return "%s_%d_%d" % (tag, os.getpid(), next(_counter))


# ---------------------------------------------------------------------------- pcap files

_PCAP_HDR = struct.Struct("<IHHiIII")
_PCAP_REC = struct.Struct("<IIII")
LINKTYPE_ETHERNET = 1


def write_pcap(path, frames, snaplen=65535):
    """Write frames (bytes, or anything bytes() takes) as a microsecond Ethernet pcap."""
    with open(path, "wb") as f:
        f.write(_PCAP_HDR.pack(0xA1B2C3D4, 2, 4, 0, 0, snaplen, LINKTYPE_ETHERNET))
        for i, fr in enumerate(frames):
            b = bytes(fr)
            # One frame per microsecond from t=1s: timestamps play no part in mpgw's output.
            f.write(_PCAP_REC.pack(1, i, len(b), len(b)))
            f.write(b)


def read_pcap(path):
    """Frames of a pcap file (either byte order, micro- or nanosecond), as a list of bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < _PCAP_HDR.size:
        raise ValueError("%s: %d bytes, not a pcap file" % (path, len(data)))
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise ValueError("%s: bad pcap magic %#x" % (path, magic))
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError("%s: link type %d, not Ethernet" % (path, linktype))
    rec = struct.Struct(end + "IIII")
    frames, off = [], _PCAP_HDR.size
    while off < len(data):
        if off + rec.size > len(data):
            raise ValueError("%s: truncated record header at %d" % (path, off))
        _, _, caplen, wirelen = rec.unpack_from(data, off)
        off += rec.size
        if off + caplen > len(data):
            raise ValueError("%s: truncated record at %d" % (path, off))
        if caplen != wirelen:
            raise ValueError("%s: frame at %d captured %d of %d bytes"
                             % (path, off, caplen, wirelen))
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


# ---------------------------------------------------------------------------- config

def ini(sections):
    """Config text from [(section, [(key, value), ...]), ...]; a key may repeat."""
    out = []
    for name, entries in sections:
        out.append("[%s]" % name)
        out.extend("%s = %s" % (k, v) for k, v in entries)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- running

class Result:
    """What one mpgw run left behind. outputs[i] is None when out{i}.pcap was not written
    (mpgw stopped before starting its ports) or could not be read (output_errors says why);
    stats is None without a stats file."""

    def __init__(self):
        self.cmd = []
        self.rc = None
        self.timed_out = False
        self.stdout = ""
        self.stderr = ""
        self.outputs = []
        self.stats = None
        self.stats_error = None
        self.output_errors = []
        self.workdir = None
        self.config_path = None

    def drops(self):
        return (self.stats or {}).get("drops", {})

    def port(self, name):
        return (self.stats or {}).get("ports", {}).get(name, {})

    def nonzero_drops(self):
        return {k: v for k, v in self.drops().items() if v}

    def describe(self):
        """A short text for a failure message."""
        tail = lambda s: "\n".join(s.strip().splitlines()[-8:])
        return "rc=%s%s\n--- stdout\n%s\n--- stderr\n%s" % (
            self.rc, " (timed out)" if self.timed_out else "", tail(self.stdout),
            tail(self.stderr))


def run(config, inputs=(), n_devices=None, exit_idle_ms=300, timeout=60, stats=True,
        eal_args=None, app_args=None, vdevs=None, config_name="mpgw.ini", keep=False,
        binary=None, twin_inputs=None):
    """Run mpgw once.

    config: config text (written to config_name in the run's directory), or None for no
        --config option.
    inputs: one list of frames per device; device i is net_pcap{i}. n_devices (default
        len(inputs)) adds devices with empty input.
    vdevs: replaces the generated --vdev arguments (a list of vdev strings; "{dir}" in them
        is the run's directory).
    app_args: replaces the application arguments after "--" entirely ("{dir}" and
        "{config}" are substituted); by default --config, --exit-idle, --stats.
    twin_inputs: {port name: frames}: frames as if the kernel wrote them to that port's twin
        (twin_PORT.pcap, mpgw --twin-pcap), sent out of the port through the twin output
        stage (leak guard, MSS clamp). Ignored with app_args.
    exit_idle_ms: 0 or None runs without --exit-idle, until timeout.
    timeout: seconds; then mpgw gets SIGTERM (and SIGKILL 5 s later) and res.timed_out is set.
    """
    res = Result()
    workdir = tempfile.mkdtemp(prefix="mpgw_run_")
    res.workdir = workdir
    prefix = unique_prefix()
    n = len(inputs) if n_devices is None else n_devices
    try:
        for i in range(n):
            write_pcap(os.path.join(workdir, "in%d.pcap" % i),
                       inputs[i] if i < len(inputs) else [])
        cfg_path = os.path.join(workdir, config_name)
        res.config_path = cfg_path
        if config is not None:
            with open(cfg_path, "w") as f:
                f.write(config)
        stats_path = os.path.join(workdir, "stats.json")

        def subst(s):
            return s.replace("{dir}", workdir).replace("{config}", cfg_path)

        cmd = [binary or mpgw_path()]
        cmd += list(DEFAULT_EAL if eal_args is None else eal_args)
        cmd += ["--file-prefix", prefix]
        if vdevs is None:
            vdevs = ["net_pcap%d,rx_pcap={dir}/in%d.pcap,tx_pcap={dir}/out%d.pcap" % (i, i, i)
                     for i in range(n)]
        for v in vdevs:
            cmd += ["--vdev", subst(v)]
        cmd.append("--")
        if app_args is None:
            if config is not None:
                cmd += ["--config", cfg_path]
            if exit_idle_ms:
                cmd += ["--exit-idle", str(exit_idle_ms)]
            if stats:
                cmd += ["--stats", stats_path]
            for port, frames in sorted((twin_inputs or {}).items()):
                path = os.path.join(workdir, "twin_%s.pcap" % port)
                write_pcap(path, frames)
                cmd += ["--twin-pcap", "%s=%s" % (port, path)]
        else:
            cmd += [subst(a) for a in app_args]
        res.cmd = cmd

        proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGTERM first (mpgw stops cleanly, flushing its pcaps and writing --stats),
            # SIGKILL if that does not work. The process group is mpgw's own session.
            res.timed_out = True
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, None)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    pass
                try:
                    out, err = proc.communicate(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        res.rc = proc.returncode
        res.stdout = out.decode(errors="replace")
        res.stderr = err.decode(errors="replace")

        for i in range(n):
            p = os.path.join(workdir, "out%d.pcap" % i)
            frames = None
            if os.path.exists(p):
                try:
                    frames = read_pcap(p)
                except ValueError as e:  # e.g. killed before the file was flushed
                    res.output_errors.append(str(e))
            res.outputs.append(frames)
        if os.path.exists(stats_path):
            try:
                with open(stats_path) as f:
                    res.stats = json.load(f)
            except ValueError as e:
                res.stats_error = "%s: %s" % (stats_path, e)
        return res
    finally:
        shutil.rmtree(os.path.join(DPDK_RUN_DIR, prefix), ignore_errors=True)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
            res.workdir = None
