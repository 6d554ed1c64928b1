#!/usr/bin/python3
"""`supervisorctl status` with 1,000 programs: ours against Python's.

    /usr/bin/python3 bench/ctl_status.py [--programs N] [--runs N] [--daemon ours|ref] [--running]

One daemon (ours by default; --daemon ref uses Debian's
/usr/bin/supervisord) is started with N programs (autostart=false unless
--running) on a UNIX socket in a temporary directory. Each supervisorctl
is then run as a whole process, `-c conf status`, stdout read through a
pipe, several times; the table shows the median and the best wall-clock
time of each, and the ratio. Both outputs must be the same (pids and
uptimes aside) with the same exit status.

The figures are measured twice: against the daemon itself, and against
a stub server that replays the daemon's recorded replies at once, which
leaves only the client's own work (process start, reading the config
file, the two calls, parsing 1 MB of XML, printing).

Target: ours <= 20 ms, whole process against the daemon, where Python's
takes about a second.
Python 3 standard library only.
"""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
import http.client
import http.server
import socket
import socketserver
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("CSUP_BUILDDIR", os.path.join(ROOT, "build"))
OURS_CTL = os.path.join(BUILD, "supervisorctl", "supervisorctl")
OURS_D = os.path.join(BUILD, "supervisord", "supervisord")
REF_CTL = "/usr/bin/supervisorctl"
REF_D = "/usr/bin/supervisord"


class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path_ = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path_)


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path):
        super().__init__()
        self.path_ = path

    def make_connection(self, host):
        return UnixConn(self.path_)


def write_config(d, n, running):
    lines = ["[supervisord]", "logfile=%s/sd.log" % d, "pidfile=%s/sd.pid" % d,
             "childlogdir=%s" % d, "minfds=%d" % max(1024, 4 * n + 64), "",
             "[unix_http_server]", "file=%s/sup.sock" % d, "",
             "[rpcinterface:supervisor]",
             "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", "",
             "[supervisorctl]", "serverurl=unix://%s/sup.sock" % d, ""]
    for i in range(n):
        lines += ["[program:prog_%04d]" % i, "command=sleep 100000",
                  "autostart=%s" % ("true" if running else "false"), "startsecs=0",
                  "stdout_logfile=NONE", "stderr_logfile=NONE", ""]
    path = os.path.join(d, "supervisord.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def record(sock, method):
    """The daemon's raw HTTP reply body to one call."""
    body = ("<?xml version='1.0'?>\n<methodCall>\n<methodName>%s</methodName>\n"
            "<params>\n</params>\n</methodCall>\n" % method).encode()
    conn = UnixConn(sock)
    conn.request("POST", "/RPC2", body, {"Content-Type": "text/xml"})
    data = conn.getresponse().read()
    conn.close()
    return data


class Stub(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def stub_handler(replies):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            m = re.search(rb"<methodName>([^<]*)</methodName>", body)
            data = replies.get(m.group(1).decode() if m else "", b"")
            self.send_response(200 if data else 500)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def address_string(self):
            return "stub"

        def log_message(self, *args):
            pass
    return Handler


def norm(text):
    return re.sub(r"pid \d+, uptime \d+:\d\d:\d\d", "pid N, uptime T", text)


def time_runs(argv, runs):
    times, out, rc = [], None, None
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - t0)
        if p.stderr:
            sys.exit("%s wrote to stderr: %s" % (argv[0], p.stderr.decode(errors="replace")))
        out, rc = p.stdout.decode(errors="replace"), p.returncode
    return times, out, rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=20, help="runs of ours (Python's: a quarter)")
    ap.add_argument("--daemon", choices=("ours", "ref"), default="ours")
    ap.add_argument("--running", action="store_true", help="start every program")
    args = ap.parse_args()
    for path in (OURS_CTL, REF_CTL, OURS_D if args.daemon == "ours" else REF_D):
        if not os.access(path, os.X_OK):
            sys.exit("missing %s (build first; Debian's supervisor is the reference)" % path)

    d = tempfile.mkdtemp(prefix="csup-ctl-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    daemon = None
    try:
        conf = write_config(d, args.programs, args.running)
        daemon = subprocess.Popen([OURS_D if args.daemon == "ours" else REF_D, "-n", "-c", conf],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True, cwd=d)
        proxy = xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport(d + "/sup.sock"))
        deadline = time.monotonic() + 120
        while True:
            try:
                infos = proxy.supervisor.getAllProcessInfo()
                if not args.running or all(i["statename"] == "RUNNING" for i in infos):
                    break
            except (OSError, http.client.HTTPException, xmlrpc.client.Error):
                pass
            if time.monotonic() > deadline or daemon.poll() is not None:
                sys.exit("the daemon did not come up")
            time.sleep(0.2)

        sock = d + "/sup.sock"
        replies = {m: record(sock, m) for m in ("supervisor.getVersion", "supervisor.getAllProcessInfo")}
        stub_sock = d + "/stub.sock"
        stub = Stub(stub_sock, stub_handler(replies))
        threading.Thread(target=stub.serve_forever, daemon=True).start()

        ok = True
        print("supervisorctl status, %d programs (%s), %d bytes of getAllProcessInfo"
              % (args.programs, "running" if args.running else "stopped",
                 len(replies["supervisor.getAllProcessInfo"])))
        print("%-34s %11s %11s" % ("", "median", "best"))
        for label, url in (("client only (stub server)", "unix://" + stub_sock),
                           ("whole (%s daemon)" % args.daemon, "unix://" + sock)):
            argv = ["-c", conf, "-s", url, "status"]
            time_runs([OURS_CTL] + argv, 2)  # warm the caches
            ours_t, ours_out, ours_rc = time_runs([OURS_CTL] + argv, args.runs)
            ref_t, ref_out, ref_rc = time_runs([REF_CTL] + argv, max(3, args.runs // 4))
            if (ours_rc, norm(ours_out)) != (ref_rc, norm(ref_out)):
                sys.exit("outputs differ: ours rc %d, %d lines; Python's rc %d, %d lines"
                         % (ours_rc, ours_out.count("\n"), ref_rc, ref_out.count("\n")))

            def ms(x):
                return "%8.1f ms" % (x * 1000)
            print("%s:" % label)
            print("  %-32s %s %s" % ("ours", ms(statistics.median(ours_t)), ms(min(ours_t))))
            print("  %-32s %s %s" % ("python", ms(statistics.median(ref_t)), ms(min(ref_t))))
            print("  %-32s %10.1fx %10.1fx" % ("ratio", statistics.median(ref_t) / statistics.median(ours_t),
                                                min(ref_t) / min(ours_t)))
            # the target is the whole process against a daemon
            if label.startswith("whole"):
                ok = statistics.median(ours_t) <= 0.020
        stub.shutdown()
        print("target (whole <= 20 ms median): %s" % ("met" if ok else "NOT met"))
        return 0 if ok else 1
    finally:
        if daemon and daemon.poll() is None:
            os.killpg(daemon.pid, signal.SIGTERM)
            try:
                daemon.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
                daemon.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
