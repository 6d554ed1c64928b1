#!/usr/bin/python3
"""csupervisor vs. Supervisor 4.2.5: one run, the same configurations, ratios.

Run from anywhere (as root, on Linux):

    /usr/bin/python3 bench/bench.py

Python 3 standard library only; everything is observed from outside the
daemons: their activity logs (``spawned:``, ``success:``, ``exited:`` lines,
millisecond timestamps), /proc/<pid>/{smaps_rollup,status,stat,schedstat} and
the sizes of the child log files.  See bench/README.md for what each figure
means and for the environment variables that change sizes and durations.
"""

import ctypes
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def env_int(name, default):
    v = os.environ.get(name)
    return int(v) if v not in (None, "") else default


def env_float(name, default):
    v = os.environ.get(name)
    return float(v) if v not in (None, "") else default


OURS = os.environ.get("BENCH_OURS", os.path.join(ROOT, "build", "supervisord", "supervisord"))
PYTHON = os.environ.get("BENCH_PYTHON", "/usr/bin/supervisord")
N_START = env_int("BENCH_PROGRAMS", 1000)          # programs for start-up / memory
N_IDLE = env_int("BENCH_IDLE_PROGRAMS", 100)       # programs running while idle
IDLE_SECS = env_float("BENCH_IDLE_SECS", 30.0)     # idle window
BIG_MIB = env_int("BENCH_LOG_MIB", 500)            # one program writes this much
MANY_N = env_int("BENCH_MANY_PROGRAMS", 100)       # programs logging at once ...
MANY_MIB = env_int("BENCH_MANY_MIB", 5)            # ... each this much
RESPAWN_SECS = env_float("BENCH_RESPAWN_SECS", 4.0)
TIMEOUT = env_float("BENCH_TIMEOUT", 120.0)        # any single wait
POLL = env_float("BENCH_POLL_MS", 2.0) / 1000   # log-size polling period
REPEAT = env_int("BENCH_REPEAT", 5)                # runs of each test but idle; median shown
ONLY = [t for t in os.environ.get("BENCH_ONLY", "").split(",") if t]
KEEP = os.environ.get("BENCH_KEEP", "") not in ("", "0")
JSON_OUT = os.environ.get("BENCH_JSON", "")

TOKEN = "CSUPBENCH_TOKEN"
TOKEN_VALUE = uuid.uuid4().hex
WORK = os.environ.get("BENCH_DIR") or "/dev/shm/csupervisor-bench-%d" % os.getpid()
CLK_TCK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024

PROBLEMS = []      # anything odd seen from a daemon, printed at the end
LIVE = []          # daemons not yet stopped, for the final clean-up


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def problem(msg):
    PROBLEMS.append(msg)
    log("PROBLEM: " + msg)


# ---------------------------------------------------------------- processes

def make_subreaper():
    """Orphans of a killed daemon are re-parented to us (pid 1 here may
    not reap), so nothing escapes and zombies are collected by reap()."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except OSError:
        pass


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def tagged_pids():
    """Every process carrying this run's token in its environment (the
    daemons and all their children inherit it)."""
    needle = ("%s=%s" % (TOKEN, TOKEN_VALUE)).encode()
    me = os.getpid()
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                if needle in f.read():
                    found.append(int(d))
        except OSError:
            pass
    return found


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_groups(pids, grace=2.0):
    """SIGTERM the process group of each pid, then SIGKILL what is left."""
    mine = os.getpgrp()
    groups = set()
    for pid in pids:
        try:
            pg = os.getpgid(pid)
        except ProcessLookupError:
            continue
        if pg != mine:
            groups.add(pg)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pg in groups:
            try:
                os.killpg(pg, sig)
            except ProcessLookupError:
                pass
        for pid in pids:  # not in any group we may signal: signal it alone
            try:
                if os.getpgid(pid) == mine:
                    os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            reap()
            if not any(alive(p) for p in pids):
                return
            time.sleep(0.02)
    reap()


def cleanup_all():
    for d in list(LIVE):
        d.stop(timeout=5.0)
    left = [p for p in tagged_pids() if alive(p)]
    if left:
        kill_groups(left)
    reap()


def tagged_env():
    env = dict(os.environ)
    env[TOKEN] = TOKEN_VALUE
    return env


# ------------------------------------------------------------- daemon logs

LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) (\w+) (.*)$")


def log_ts(date, ms):
    return time.mktime(time.strptime(date, "%Y-%m-%d %H:%M:%S")) + int(ms) / 1000.0


class Daemon:
    """One supervisord (ours or Python's) on one configuration."""

    def __init__(self, kind, exe, name, conf_text):
        self.kind, self.exe = kind, exe
        self.dir = os.path.join(WORK, name, kind)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "childlogs"))
        self.logfile = os.path.join(self.dir, "supervisord.log")
        self.conf = os.path.join(self.dir, "supervisord.conf")
        header = (
            "[supervisord]\n"
            "logfile=%(d)s/supervisord.log\n"
            "logfile_maxbytes=0\n"
            "pidfile=%(d)s/supervisord.pid\n"
            "childlogdir=%(d)s/childlogs\n"
            "nodaemon=true\n"
            "loglevel=info\n"
        ) % {"d": self.dir}
        with open(self.conf, "w") as f:
            f.write(header + "\n" + conf_text.replace("@DIR@", self.dir))
        self.proc = None
        self.events = []       # (epoch seconds, level, message)
        self._buf = b""
        self._off = 0

    # -- life
    def start(self):
        out = open(os.path.join(self.dir, "stdout.txt"), "wb")
        self.t0 = time.time()
        self.proc = subprocess.Popen([self.exe, "-n", "-c", self.conf], stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, env=tagged_env(),
                                     start_new_session=True, close_fds=True)
        out.close()
        self.pid = self.proc.pid
        LIVE.append(self)

    def check_alive(self):
        if self.proc.poll() is not None:
            raise BenchError("%s daemon exited unexpectedly with status %s (see %s)"
                             % (self.kind, self.proc.returncode, self.dir))

    def stop(self, timeout=60.0):
        """SIGTERM the daemon's process group, wait, then SIGKILL; return
        seconds until it exited.  Children it leaves behind are reported
        and killed by their process groups."""
        if self in LIVE:
            LIVE.remove(self)
        took = None
        t = time.monotonic()
        try:
            os.killpg(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout)
            took = time.monotonic() - t
        except subprocess.TimeoutExpired:
            problem("%s daemon did not exit %.0f s after SIGTERM: SIGKILL" % (self.kind, timeout))
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        time.sleep(0.05)
        reap()
        left = [p for p in tagged_pids() if alive(p)]
        if left:
            if took is not None:
                problem("%s daemon exited but left %d child process(es) running (e.g. pid %d: %s)"
                        % (self.kind, len(left), left[0], cmdline(left[0])))
            kill_groups(left)
        return took

    # -- observation
    def poll_log(self):
        try:
            with open(self.logfile, "rb") as f:
                f.seek(self._off)
                data = f.read()
        except FileNotFoundError:
            return
        self._off += len(data)
        self._buf += data
        *lines, self._buf = self._buf.split(b"\n")
        for raw in lines:
            m = LINE.match(raw.decode("utf-8", "replace"))
            if m:
                self.events.append((log_ts(m.group(1), m.group(2)), m.group(3), m.group(4)))

    def matching(self, prefix):
        return [e for e in self.events if e[2].startswith(prefix)]

    def wait_count(self, prefix, n, timeout=None):
        """Wait until n log lines start with prefix; return them."""
        deadline = time.monotonic() + (timeout or TIMEOUT)
        while True:
            self.poll_log()
            got = self.matching(prefix)
            if len(got) >= n:
                return got
            self.check_alive()
            if time.monotonic() > deadline:
                raise BenchError("%s: only %d of %d '%s' lines after %.0f s"
                                 % (self.kind, len(got), n, prefix, timeout or TIMEOUT))
            time.sleep(0.005)

    def tasks(self):
        try:
            return os.listdir("/proc/%d/task" % self.pid)
        except FileNotFoundError:
            return []

    def cpu(self):
        """CPU seconds of the daemon, all threads, ns precision (schedstat)."""
        total = 0
        for t in self.tasks():
            try:
                with open("/proc/%d/task/%s/schedstat" % (self.pid, t)) as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        return total / 1e9

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK   # utime + stime

    def ctxt(self):
        vol = nonvol = 0
        for t in self.tasks():
            try:
                with open("/proc/%d/task/%s/status" % (self.pid, t)) as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches:"):
                            vol += int(line.split()[1])
                        elif line.startswith("nonvoluntary_ctxt_switches:"):
                            nonvol += int(line.split()[1])
            except OSError:
                pass
        return vol, nonvol

    def mem(self):
        res = {}
        with open("/proc/%d/smaps_rollup" % self.pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Rss", "Pss"):
                    res[k.lower()] = int(v.split()[0]) / 1024.0   # MiB
        return res

    def fds(self):
        try:
            return len(os.listdir("/proc/%d/fd" % self.pid))
        except OSError:
            return None


class BenchError(Exception):
    pass


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


ROUND = [0]   # which repetition: the daemons take turns at going first


def daemons():
    pair = [("ours", OURS), ("python", PYTHON)]
    return pair if ROUND[0] % 2 == 0 else pair[::-1]


def each(name, conf_text, fn):
    """Run fn(daemon) under our daemon, then under Python's; one result per kind."""
    out = {}
    for kind, exe in daemons():
        d = Daemon(kind, exe, name, conf_text)
        log("%s: %s" % (name, kind))
        try:
            d.start()
            out[kind] = fn(d)
        except BenchError as e:
            problem("%s: %s" % (name, e))
            out[kind] = {"error": str(e)}
        finally:
            took = d.stop()
            if isinstance(out.get(kind), dict) and "error" not in out[kind]:
                out[kind]["stop_s"] = took
    return out


# ------------------------------------------------------------ OS baselines

def os_spawn_baseline(n):
    """posix_spawn (vfork+exec in glibc) n `sleep 1000`, each in its own
    process group as supervisord does; seconds until the last exec'd."""
    env = tagged_env()
    pids = []
    t = time.perf_counter()
    try:
        for _ in range(n):
            pids.append(os.posix_spawn("/bin/sleep", ["sleep", "1000"], env, setpgroup=0))
        took = time.perf_counter() - t
    finally:
        kill_groups(pids)
    return took


def os_pipe_baseline(n_procs, nbytes):
    """n_procs parallel `head -c nbytes /dev/zero | cat > file` on tmpfs."""
    d = os.path.join(WORK, "os-pipe-%d" % n_procs)
    os.makedirs(d, exist_ok=True)
    script = ("for i in $(seq 1 %d); do head -c %d /dev/zero | cat > %s/f$i & done; wait"
              % (n_procs, nbytes, d))
    t = time.perf_counter()
    subprocess.run(["/bin/sh", "-c", script], check=True, env=tagged_env())
    took = time.perf_counter() - t
    ok = all(os.path.getsize(os.path.join(d, "f%d" % i)) == nbytes for i in range(1, n_procs + 1))
    shutil.rmtree(d, ignore_errors=True)
    return {"mib_s": n_procs * nbytes / MIB / took, "wall_s": took, "bytes_ok": ok}


def warm_up():
    """A fresh VM pays for the first touch of its memory: do that once
    before anything is measured (spawn N sleeps, write and drop a file of
    the big log's size on the work dir's tmpfs)."""
    os_spawn_baseline(N_START)
    os_pipe_baseline(1, BIG_MIB * MIB)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def aggregate(runs):
    """Per daemon kind: the median of each number over the runs that did
    not fail, all() of booleans; the runs themselves are kept."""
    out = {}
    kinds = sorted({k for r in runs for k in r})
    for kind in kinds:
        ok = [r[kind] for r in runs if isinstance(r.get(kind), dict) and "error" not in r[kind]]
        if not ok:
            out[kind] = {"error": next(r[kind]["error"] for r in runs if kind in r)}
            continue
        agg = {}
        for key in ok[0]:
            vals = [r.get(key) for r in ok]
            if all(isinstance(v, bool) for v in vals):
                agg[key] = all(vals)
            elif all(isinstance(v, (int, float)) for v in vals):
                agg[key] = median(vals)
        agg["runs"] = [r[kind] for r in runs if kind in r]
        agg["failed_runs"] = len(agg["runs"]) - len(ok)
        out[kind] = agg
    return out


# ------------------------------------------------------------------- tests

def sleepers(n, startsecs=1):
    return ("[program:sleep]\n"
            "command=/bin/sleep 1000\n"
            "process_name=%%(program_name)s_%%(process_num)04d\n"
            "numprocs=%d\n"
            "startsecs=%d\n" % (n, startsecs))


def test_startup():
    def fn(d):
        spawned = d.wait_count("spawned: ", 1)
        first = spawned[0][0] - d.t0
        running = d.wait_count("success: ", N_START)
        all_spawned = d.matching("spawned: ")[N_START - 1][0] - d.t0 if len(d.matching("spawned: ")) >= N_START else None
        r = {"first_spawn_s": first, "all_spawned_s": all_spawned,
             "all_running_s": running[N_START - 1][0] - d.t0, "cpu_to_running_s": d.cpu()}
        time.sleep(1.0)
        d.check_alive()
        m = d.mem()
        r.update({"rss_mib": m["rss"], "pss_mib": m["pss"], "fds": d.fds()})
        return r
    return each("startup-%d" % N_START, sleepers(N_START), fn)


def test_mem1():
    def fn(d):
        d.wait_count("success: ", 1)
        time.sleep(1.0)
        d.check_alive()
        m = d.mem()
        return {"rss_mib": m["rss"], "pss_mib": m["pss"]}
    return each("memory-1", sleepers(1), fn)


def test_idle():
    def fn(d):
        d.wait_count("success: ", N_IDLE)
        time.sleep(2.0)
        d.check_alive()
        v0, n0 = d.ctxt()
        c0 = d.cpu()
        k0 = d.cpu_ticks()
        t0 = time.monotonic()
        time.sleep(IDLE_SECS)
        d.check_alive()
        v1, n1 = d.ctxt()
        c1 = d.cpu()
        k1 = d.cpu_ticks()
        secs = time.monotonic() - t0
        return {"window_s": secs, "vol_ctxt": v1 - v0, "nonvol_ctxt": n1 - n0,
                "cpu_ms": (c1 - c0) * 1000, "cpu_ticks_ms": (k1 - k0) * 1000}
    return each("idle-%d" % N_IDLE, sleepers(N_IDLE), fn)


def open_fifos(paths, d, timeout):
    """Open each FIFO for writing once its reader (the program) is there."""
    fds = []
    deadline = time.monotonic() + timeout
    for p in paths:
        while True:
            try:
                fds.append(os.open(p, os.O_WRONLY | os.O_NONBLOCK))
                break
            except OSError:   # ENXIO: no reader yet
                d.check_alive()
                if time.monotonic() > deadline:
                    for fd in fds:
                        os.close(fd)
                    raise BenchError("%s: program never opened %s" % (d.kind, p))
                time.sleep(0.001)
    return fds


def all_zero(path, size):
    zero = bytes(8 * MIB)
    with open(path, "rb") as f:
        while True:
            b = f.read(8 * MIB)
            if not b:
                return True
            if b != zero[:len(b)]:
                return False


def logging_run(d, n, nbytes):
    """Programs 0..n-1 block on their FIFO; closing the FIFOs starts them
    all at once.  Wall time until every log holds nbytes; daemon CPU."""
    fifos = [os.path.join(d.dir, "go_%03d.fifo" % i) for i in range(n)]
    logs = [os.path.join(d.dir, "w_%03d.log" % i) for i in range(n)]
    d.wait_count("spawned: ", n)
    fds = open_fifos(fifos, d, TIMEOUT)
    time.sleep(0.2)            # let the daemon settle after the spawns
    c0 = d.cpu()
    t0 = time.perf_counter()
    for fd in fds:
        os.close(fd)           # EOF on every FIFO: `read` returns, head runs
    pending = set(range(n))
    deadline = time.monotonic() + TIMEOUT
    while pending:
        for i in list(pending):
            try:
                if os.stat(logs[i]).st_size >= nbytes:
                    pending.discard(i)
            except FileNotFoundError:
                pass
        if not pending:
            break
        if time.monotonic() > deadline:
            got = sum(os.path.getsize(logs[i]) if os.path.exists(logs[i]) else 0 for i in range(n))
            raise BenchError("%s: logs hold %d of %d bytes after %.0f s"
                             % (d.kind, got, n * nbytes, TIMEOUT))
        d.check_alive()
        time.sleep(POLL)
    wall = time.perf_counter() - t0
    c1 = d.cpu()
    d.wait_count("exited: ", n)
    time.sleep(0.2)
    sizes = [os.path.getsize(p) for p in logs]
    bad = [(i, s) for i, s in enumerate(sizes) if s != nbytes]
    zero_ok = all(all_zero(p, nbytes) for p in logs)
    if bad:
        problem("%s: %d log file(s) of wrong size, e.g. w_%03d.log has %d bytes, expected %d"
                % (d.kind, len(bad), bad[0][0], bad[0][1], nbytes))
    if not zero_ok:
        problem("%s: a log file holds bytes the program never wrote" % d.kind)
    c2 = d.cpu()
    return {"wall_s": wall, "mib_s": n * nbytes / MIB / wall, "cpu_s": c1 - c0,
            "cpu_total_s": c2 - c0, "bytes_ok": not bad and zero_ok,
            "total_bytes": sum(sizes), "expected_bytes": n * nbytes}


def writers_conf(n, nbytes):
    return ("[program:w]\n"
            "command=/bin/sh -c 'read x < @DIR@/go_%%(process_num)03d.fifo; exec head -c %d /dev/zero'\n"
            "process_name=%%(program_name)s_%%(process_num)03d\n"
            "numprocs=%d\n"
            "startsecs=0\n"
            "autorestart=false\n"
            "redirect_stderr=true\n"
            "stdout_logfile=@DIR@/w_%%(process_num)03d.log\n"
            "stdout_logfile_maxbytes=0\n"
            "stdout_logfile_backups=0\n" % (nbytes, n))


def logging_test(name, n, nbytes):
    conf = writers_conf(n, nbytes)
    # The FIFOs must exist before the daemon starts.
    out = {}
    for kind, exe in daemons():
        d = Daemon(kind, exe, name, conf)
        for i in range(n):
            os.mkfifo(os.path.join(d.dir, "go_%03d.fifo" % i))
        log("%s: %s" % (name, kind))
        try:
            d.start()
            out[kind] = logging_run(d, n, nbytes)
        except BenchError as e:
            problem("%s: %s" % (name, e))
            out[kind] = {"error": str(e)}
        finally:
            d.stop()
            if not KEEP:
                for i in range(n):
                    try:
                        os.unlink(os.path.join(d.dir, "w_%03d.log" % i))
                    except FileNotFoundError:
                        pass
    return out


def test_respawn():
    conf = ("[program:t]\n"
            "command=/bin/true\n"
            "startsecs=0\n"
            "autorestart=true\n"
            "stdout_logfile=NONE\n"
            "stderr_logfile=NONE\n")

    def fn(d):
        d.wait_count("spawned: ", 2, timeout=15)
        time.sleep(max(0.0, RESPAWN_SECS - (time.time() - d.t0)))
        d.poll_log()
        ev = [e for e in d.events if e[2].startswith(("spawned: ", "exited: "))]
        spawns = [e[0] for e in ev if e[2].startswith("spawned: ")]
        first_exit = next(i for i, e in enumerate(ev) if e[2].startswith("exited: "))
        respawn = next(e[0] for e in ev[first_exit:] if e[2].startswith("spawned: "))
        gaps = [(b - a) * 1000 for a, b in zip(spawns, spawns[1:])]
        return {"exit_to_spawn_ms": (respawn - ev[first_exit][0]) * 1000,
                "spawn_to_spawn_ms": gaps[0],
                "spawns_in_window": len(spawns),
                "window_s": time.time() - d.t0,
                "later_gaps_ms": [round(g, 1) for g in gaps[1:6]]}
    return each("respawn", conf, fn)


# ------------------------------------------------------------------ report

def fmt(v, digits):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    return ("%." + str(digits) + "f") % v


def build_rows(R):
    """(metric, ours, python, digits, lower_is_better, ours range, python range)"""
    rows = []

    def get(test, kind, key):
        r = R.get(test, {}).get(kind)
        if not isinstance(r, dict) or "error" in r:
            return "FAIL"
        return r.get(key)

    def spread(test, kind, key, digits):
        r = R.get(test, {}).get(kind)
        vals = [x.get(key) for x in (r or {}).get("runs", []) if "error" not in x]
        vals = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(vals) < 2:
            return "-"
        return "%s .. %s" % (fmt(min(vals), digits), fmt(max(vals), digits))

    def add(label, test, key, digits, lower=True):
        o, p = get(test, "ours", key), get(test, "python", key)
        rows.append((label, o, p, digits, lower,
                     spread(test, "ours", key, digits), spread(test, "python", key, digits)))

    if "startup" in R:
        n = N_START
        add("first child spawned after start (s)", "startup", "first_spawn_s", 3)
        add("%d programs spawned (s)" % n, "startup", "all_spawned_s", 3)
        add("%d programs RUNNING, startsecs=1 (s)" % n, "startup", "all_running_s", 3)
        add("daemon CPU until %d RUNNING (s)" % n, "startup", "cpu_to_running_s", 3)
        add("RSS with %d programs (MiB)" % n, "startup", "rss_mib", 1)
        add("PSS with %d programs (MiB)" % n, "startup", "pss_mib", 1)
        add("stop %d programs: SIGTERM to exit (s)" % n, "startup", "stop_s", 3)
    if "mem1" in R:
        add("RSS with 1 program (MiB)", "mem1", "rss_mib", 1)
        add("PSS with 1 program (MiB)", "mem1", "pss_mib", 1)
    if "idle" in R:
        s = "%.0f s" % IDLE_SECS
        add("idle, %d programs: voluntary ctx switches / %s" % (N_IDLE, s), "idle", "vol_ctxt", 0)
        add("idle, %d programs: CPU ms / %s" % (N_IDLE, s), "idle", "cpu_ms", 2)
    if "biglog" in R:
        add("1 program logs %d MiB: MiB/s" % BIG_MIB, "biglog", "mib_s", 0, lower=False)
        add("1 program logs %d MiB: daemon CPU (s)" % BIG_MIB, "biglog", "cpu_s", 3)
        add("1 program logs %d MiB: every byte in log" % BIG_MIB, "biglog", "bytes_ok", 0, lower=None)
    if "manylog" in R:
        add("%d programs log %d MiB each: total MiB/s" % (MANY_N, MANY_MIB), "manylog", "mib_s", 0, lower=False)
        add("%d programs log %d MiB each: daemon CPU (s)" % (MANY_N, MANY_MIB), "manylog", "cpu_s", 3)
        add("%d programs log %d MiB each: every byte in logs" % (MANY_N, MANY_MIB), "manylog", "bytes_ok", 0, lower=None)
    if "respawn" in R:
        add("respawn: first exit -> next spawn (ms)", "respawn", "exit_to_spawn_ms", 0)
        add("respawn: first spawn -> second spawn (ms)", "respawn", "spawn_to_spawn_ms", 0)
    return rows


def print_table(R):
    rows = build_rows(R)
    head = ("metric", "ours", "python", "ours/python", "better", "ours min .. max", "python min .. max")
    body = []
    for label, o, p, digits, lower, orange, prange in rows:
        if lower is None or not all(isinstance(x, (int, float)) for x in (o, p)):
            ratio, better = "-", ("-" if o == p else "DIFFERENT")
        elif p == 0:
            ratio, better = ("-" if o == 0 else "inf"), ("=" if o == 0 else "python")
        else:
            r = o / p
            ratio = "%.3g" % r
            if abs(r - 1) < 0.05:
                better = "~"
            else:
                better = "ours" if (r < 1) == lower else "python"
        body.append((label, fmt(o, digits) if o != "FAIL" else "FAIL",
                     fmt(p, digits) if p != "FAIL" else "FAIL", ratio, better, orange, prange))
    refs = []
    if "os" in R:
        o = R["os"]

        def ref(label, part, key, digits):
            vals = [r[key] for r in o[part]["runs"]]
            refs.append((label, fmt(o[part][key], digits),
                         "%s .. %s" % (fmt(min(vals), digits), fmt(max(vals), digits))))
        ref("OS alone: posix_spawn %d `sleep 1000` (s)" % N_START, "spawn", "s", 3)
        ref("OS alone: head -c %d MiB /dev/zero | cat > file (MiB/s)" % BIG_MIB, "pipe", "mib_s", 0)
        ref("OS alone: %d x (head -c %d MiB /dev/zero | cat > file) (MiB/s)" % (MANY_N, MANY_MIB),
            "pipes", "mib_s", 0)
    cols = len(head)
    w = [max(len(str(r[i])) for r in [head] + body) for i in range(cols)]
    lines = []
    lines.append("| " + " | ".join(str(head[i]).ljust(w[i]) for i in range(cols)) + " |")
    lines.append("|" + "|".join("-" * (w[i] + 2) for i in range(cols)) + "|")
    for r in body:
        lines.append("| " + r[0].ljust(w[0]) + " | " + " | ".join(str(r[i]).rjust(w[i]) for i in range(1, cols)) + " |")
    if refs:
        lines.append("")
        lines.append("| reference (no supervisor) | median | min .. max |")
        lines.append("|---|---|---|")
        for label, v, rng in refs:
            lines.append("| %s | %s | %s |" % (label, v, rng))
    return "\n".join(lines)


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def cpu_busy():
    """(busy, total) jiffies over all CPUs, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]) - idle, sum(v[:8])


def snapshot_ours():
    """Run a private copy of our binary: the build tree may be rebuilt
    while the bench runs, and every figure should come from one binary."""
    global OURS
    import hashlib
    src = OURS
    dst = os.path.join(WORK, "bin", "supervisord")
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy2(src, dst)
    OURS = dst
    with open(dst, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    mtime = datetime.datetime.fromtimestamp(os.stat(src).st_mtime).astimezone().isoformat(timespec="seconds")
    return {"ours_built_from": src, "ours_mtime": mtime, "ours_sha256": sha[:16], "git": git or "?"}


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    fs = subprocess.run(["stat", "-f", "-c", "%T", WORK], capture_output=True, text=True).stdout.strip()
    return {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "nproc": os.cpu_count(), "kernel": platform.release(), "cpu": cpu,
            "python_supervisord": PYTHON, "ours": OURS, "work_dir": WORK, "work_fs": fs,
            "python": sys.version.split()[0]}


def main():
    if not sys.platform.startswith("linux"):
        sys.exit("Linux only")
    for exe in (OURS, PYTHON):
        if not os.access(exe, os.X_OK):
            sys.exit("not executable: %s (build ours with: cd build && make)" % exe)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    make_subreaper()
    os.makedirs(WORK, exist_ok=True)
    def interrupted(signum, frame):
        raise KeyboardInterrupt()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)

    M = machine()
    M.update(snapshot_ours())
    M["loadavg_start"] = loadavg()
    busy0 = cpu_busy()
    own0 = os.times()
    if M["loadavg_start"] > 0.5:
        log("warning: load average %.2f before the bench: other work on this machine will"
            " disturb the wall-clock figures" % M["loadavg_start"])
    if M["work_fs"] != "tmpfs":
        log("warning: %s is on %s, not tmpfs" % (WORK, M["work_fs"]))
    log("work dir %s (%s), %s cores, kernel %s" % (WORK, M["work_fs"], M["nproc"], M["kernel"]))
    R = {}
    tests = [
        ("os", None),
        ("startup", test_startup),
        ("mem1", test_mem1),
        ("idle", test_idle),
        ("biglog", lambda: logging_test("log-1x%dMiB" % BIG_MIB, 1, BIG_MIB * MIB)),
        ("manylog", lambda: logging_test("log-%dx%dMiB" % (MANY_N, MANY_MIB), MANY_N, MANY_MIB * MIB)),
        ("respawn", test_respawn),
    ]
    t_begin = time.monotonic()
    try:
        for name, fn in tests:
            if ONLY and name not in ONLY:
                continue
            if name == "os":
                log("warm-up")
                warm_up()
                log("OS baselines")
                runs = [{"spawn": {"s": os_spawn_baseline(N_START)},
                         "pipe": os_pipe_baseline(1, BIG_MIB * MIB),
                         "pipes": os_pipe_baseline(MANY_N, MANY_MIB * MIB)} for _ in range(REPEAT)]
                a = aggregate(runs)
                R["os"] = a
            else:
                reps = 1 if name == "idle" else REPEAT
                runs = []
                for i in range(reps):
                    ROUND[0] = i
                    if reps > 1:
                        log("%s: run %d of %d" % (name, i + 1, reps))
                    runs.append(fn())
                R[name] = aggregate(runs)
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        cleanup_all()
        raise
    finally:
        cleanup_all()
        if not KEEP:
            shutil.rmtree(WORK, ignore_errors=True)
    M["bench_seconds"] = round(time.monotonic() - t_begin, 1)
    M["loadavg_end"] = loadavg()
    busy1 = cpu_busy()
    # share of all cores busy during the run, ours and Python's load included
    M["cpu_busy_share"] = round((busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]), 3)
    # CPU used by everything outside this bench's process tree (all of
    # which is reaped by now and so counted in os.times())
    own1 = os.times()
    own = sum(own1[:4]) - sum(own0[:4])
    M["foreign_cpu_s"] = round(max(0.0, (busy1[0] - busy0[0]) / CLK_TCK - own), 1)

    print()
    print("csupervisor vs Supervisor 4.2.5 (%s), %s, %d cores, kernel %s, work dir on %s"
          % (PYTHON, M["date"], M["nproc"], M["kernel"], M["work_fs"]))
    print("ours: %s (built %s, sha256 %s, tree %s)" % (M["ours_built_from"], M["ours_mtime"],
                                                      M["ours_sha256"], M["git"]))
    print("median of %d runs (idle: 1 run); ours/python: below 1 means ours is smaller/faster for times, memory and CPU;"
          " above 1 means ours is faster for MiB/s." % REPEAT)
    print()
    print(print_table(R))
    print()
    print("bench took %.0f s; load average %.2f before, %.2f after; all cores %.0f%% busy during the run"
          % (M["bench_seconds"], M["loadavg_start"], M["loadavg_end"], 100 * M["cpu_busy_share"]))
    print("other work on this machine used %.1f CPU seconds during the run (%.0f%% of one core)"
          % (M["foreign_cpu_s"], 100 * M["foreign_cpu_s"] / M["bench_seconds"]))
    if M["loadavg_start"] > 0.5:
        print("WARNING: the machine was not idle when the bench started (load %.2f): wall-clock"
              " figures are disturbed; CPU seconds, memory and wake-up counts much less so."
              % M["loadavg_start"])
    if "respawn" in R:
        for kind in ("ours", "python"):
            for i, r in enumerate(R["respawn"].get(kind, {}).get("runs", [])):
                if "later_gaps_ms" in r:
                    print("respawn %s, run %d: %d spawns in %.1f s; gaps after the first respawn (ms): %s"
                          % (kind, i + 1, r["spawns_in_window"], r["window_s"], r["later_gaps_ms"]))
    if PROBLEMS:
        print()
        print("PROBLEMS:")
        for p in PROBLEMS:
            print("  - " + p)
    if JSON_OUT:
        with open(JSON_OUT, "w") as f:
            json.dump({"machine": M, "results": R, "problems": PROBLEMS,
                       "config": {"programs": N_START, "idle_programs": N_IDLE, "idle_secs": IDLE_SECS,
                                  "log_mib": BIG_MIB, "many_programs": MANY_N, "many_mib": MANY_MIB,
                                  "repeat": REPEAT}},
                      f, indent=2)
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
