#!/usr/bin/python3
"""XML-RPC figures: ours against Python's supervisord 4.2.5, in one run.

    /usr/bin/python3 bench/rpc.py [--latency-programs N] [--calls N]
                                  [--clients N] [--load-programs N] [--seconds S]

1. Latency: a daemon with 1,000 programs (autostart=false); one client on
   the UNIX socket calls supervisor.getAllProcessInfo repeatedly over one
   keep-alive connection and times each call until the last byte of the
   reply is read (the reply is not parsed: only the server is measured).
2. Throughput: a daemon with 100 programs; curl(1) in parallel mode keeps
   16 calls of getAllProcessInfo in flight until a fixed number of calls
   is done. Every reply must be HTTP 200 and whole; the daemon must still
   answer afterwards. The daemon's CPU time per call is shown too: it
   does not depend on how much CPU the clients leave it.

Each daemon runs in the foreground in a temporary directory, started and
stopped by this script. Python 3 standard library and curl(1).
Targets (issue "HTTP server and XML-RPC API"): latency <= 10 ms with
1,000 programs; throughput >= 10x Python's.
"""
import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("CSUP_BUILDDIR", os.path.join(os.path.dirname(HERE), "build"))
DAEMONS = {"ours": os.path.join(os.path.abspath(BUILD), "supervisord", "supervisord"),
           "python": "/usr/bin/supervisord"}
BODY = (b"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getAllProcessInfo"
        b"</methodName>\n<params>\n</params>\n</methodCall>\n")


class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=120)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def call(conn):
    """One getAllProcessInfo; True if the reply is a whole methodResponse."""
    conn.request("POST", "/RPC2", BODY, {"Content-Type": "text/xml"})
    r = conn.getresponse()
    data = r.read()
    return r.status == 200 and data.rstrip().endswith(b"</methodResponse>")


class Daemon:
    def __init__(self, impl, programs):
        self.dir = tempfile.mkdtemp(prefix="csup-rpcbench-")
        self.sock = os.path.join(self.dir, "sup.sock")
        lines = ["[supervisord]", "logfile=%s/sd.log" % self.dir, "pidfile=%s/sd.pid" % self.dir,
                 "childlogdir=%s" % self.dir, "minfds=1024", "",
                 "[unix_http_server]", "file=%s" % self.sock, "",
                 "[rpcinterface:supervisor]",
                 "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", ""]
        for i in range(programs):
            lines += ["[program:prog_%04d]" % i, "command=sleep 100000", "autostart=false", ""]
        conf = os.path.join(self.dir, "supervisord.conf")
        with open(conf, "w") as f:
            f.write("\n".join(lines))
        self.proc = subprocess.Popen([DAEMONS[impl], "-n", "-c", conf], cwd=self.dir,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(UnixConn(self.sock)):
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("%s supervisord did not come up" % impl)
            time.sleep(0.05)

    def alive(self):
        try:
            return self.proc.poll() is None and call(UnixConn(self.sock))
        except OSError:
            return False

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def latency(impl, programs, calls):
    d = Daemon(impl, programs)
    try:
        conn = UnixConn(d.sock)
        call(conn)  # warm up
        times = []
        for _ in range(calls):
            t0 = time.perf_counter()
            if not call(conn):
                sys.exit("%s: a reply was not a whole methodResponse" % impl)
            times.append(time.perf_counter() - t0)
        return statistics.median(times), min(times)
    finally:
        d.stop()


def daemon_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(impl, programs, clients, calls):
    """calls/s, failed calls, daemon alive after, daemon CPU ms per call.
    The load comes from curl(1) in parallel mode (C, one process, one
    keep-alive connection per parallel slot), so that on a small machine
    the clients do not take the CPU the daemon is measured with."""
    d = Daemon(impl, programs)
    try:
        expect = len(raw_reply(d.sock))
        cfg = os.path.join(d.dir, "urls.cfg")
        with open(cfg, "w") as f:
            f.write('url = "http://localhost/RPC2"\noutput = "/dev/null"\n' * calls)
        body = os.path.join(d.dir, "body.xml")
        with open(body, "wb") as f:
            f.write(BODY)
        cpu0 = daemon_cpu(d.proc.pid)
        t0 = time.perf_counter()
        out = subprocess.run(["curl", "-s", "--unix-socket", d.sock, "--parallel",
                              "--parallel-max", str(clients), "-H", "Content-Type: text/xml",
                              "--data-binary", "@" + body, "-K", cfg,
                              "-w", "%{http_code} %{size_download}\n"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        wall = time.perf_counter() - t0
        cpu = daemon_cpu(d.proc.pid) - cpu0
        # getAllProcessInfo's "now" field may gain a digit, never lose one
        good = sum(1 for line in out.splitlines()
                   if line.split()[0] == "200" and int(line.split()[1]) >= expect)
        return good / wall, calls - good, d.alive(), cpu / calls * 1e3
    finally:
        d.stop()


def raw_reply(sock):
    conn = UnixConn(sock)
    conn.request("POST", "/RPC2", BODY, {"Content-Type": "text/xml"})
    return conn.getresponse().read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--latency-programs", type=int, default=1000)
    ap.add_argument("--calls", type=int, default=30, help="latency calls (Python's: a third)")
    ap.add_argument("--load-programs", type=int, default=100)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--load-calls", type=int, default=20000, help="calls to ours (Python's: a twentieth)")
    args = ap.parse_args()
    for impl, path in DAEMONS.items():
        if not os.access(path, os.X_OK):
            sys.exit("missing %s supervisord: %s" % (impl, path))
    print("load average at start: %s" % open("/proc/loadavg").read().split()[0])

    lat = {"ours": latency("ours", args.latency_programs, args.calls),
           "python": latency("python", args.latency_programs, max(3, args.calls // 3))}
    if not shutil.which("curl"):
        sys.exit("curl(1) is needed for the load (Debian package curl)")
    thr = {"ours": throughput("ours", args.load_programs, args.clients, args.load_calls),
           "python": throughput("python", args.load_programs, args.clients, max(100, args.load_calls // 20))}

    print("getAllProcessInfo, %d programs, one client (ms)   median      best"
          % args.latency_programs)
    for impl in DAEMONS:
        print("  %-44s %8.1f  %8.1f" % (impl, lat[impl][0] * 1e3, lat[impl][1] * 1e3))
    print("  %-44s %7.1fx  %7.1fx" % ("ratio (python / ours)", lat["python"][0] / lat["ours"][0],
                                       lat["python"][1] / lat["ours"][1]))
    print("getAllProcessInfo, %d programs, %d parallel clients   calls/s  failed  alive  daemon CPU ms/call"
          % (args.load_programs, args.clients))
    for impl in DAEMONS:
        rate, bad, alive, cpu = thr[impl]
        print("  %-44s %8.0f  %6d  %-5s  %8.2f" % (impl, rate, bad, "yes" if alive else "NO", cpu))
    print("  %-44s %7.1fx                 %7.1fx" % ("ratio (ours / python; CPU python / ours)",
                                                   thr["ours"][0] / thr["python"][0],
                                                   thr["python"][3] / max(thr["ours"][3], 1e-9)))
    ok = lat["ours"][0] <= 0.010 and thr["ours"][0] >= 10 * thr["python"][0] and \
        thr["ours"][1] == 0 and thr["ours"][2]
    print("targets (latency <= 10 ms, >= 10x calls/s, none failed, alive): %s" % ("met" if ok else "NOT met"))
    print("load average at end: %s" % open("/proc/loadavg").read().split()[0])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
