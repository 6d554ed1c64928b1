"""Helpers for integration tests that run a real supervisord.

A `Supervisord` object owns one private directory (under pytest's tmp_path),
writes a configuration into it, starts the daemon (ours, conftest.SUPERVISORD,
or Debian's reference, conftest.REF_SUPERVISORD) in its own session with
stdout/stderr going to files, and observes it through the activity log
(`logfile=`), which is parsed into `LogLine(ts, level, msg)` records.

Nothing here sleeps for a fixed time: every wait polls a condition with a
generous timeout (the suite also runs under ASan, where everything is slower).

Cleanup: every daemon (and therefore every program it spawns, and their
descendants, since the environment is inherited) carries the environment
variable CSUP_TEST_MARKER=<unique id>.  `Supervisord.kill()` SIGKILLs the
daemon, then every process whose /proc/<pid>/environ contains the marker
together with its process group, until none is left; so no process
survives a test, even a daemonized supervisord or a grandchild that left its
process group.

Config templates may use these placeholders (replaced when written):
    @DIR@    the daemon's private directory (absolute)
    @PY@     /usr/bin/python3
    @PROG@   "/usr/bin/python3 <tests/integration/progs/engine_prog.py>"
"""
import collections
import datetime
import os
import pathlib
import re
import signal
import subprocess
import time
import uuid

from conftest import SUPERVISORD, REF_SUPERVISORD

HERE = pathlib.Path(__file__).resolve().parent
PROGS = HERE / "progs"
PY = "/usr/bin/python3"
PROG = "%s %s" % (PY, PROGS / "engine_prog.py")

# Default timeout of every wait, in seconds.  Generous on purpose.
TIMEOUT = 20.0

LOG_RE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) "
                    r"(CRIT|ERRO|WARN|INFO|DEBG|TRAC|BLAT) (.*)$")

LogLine = collections.namedtuple("LogLine", "ts level msg")
LogLine.__doc__ = """One activity log record: ts = seconds since the epoch
(float, millisecond resolution), level = 'INFO' etc., msg = text (continuation
lines joined with '\\n')."""

CLK_TCK = os.sysconf("SC_CLK_TCK")



# A UNIX-socket HTTP server with the supervisor namespace: what a test that
# talks XML-RPC to the daemon puts in front of its programs.
UNIX_RPC = """
[unix_http_server]
file=@DIR@/sup.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
"""

# --------------------------------------------------------------------------
# log parsing and waiting

def parse_log(text):
    """Parse activity-log text into a list of LogLine.

    Lines that do not start with a timestamp + level are continuation lines
    of the previous message (messages may contain newlines).  A trailing
    partial line (no newline yet) is ignored, so a line is never seen half
    written.
    """
    out = []
    if not text.endswith("\n"):
        text = text[:text.rfind("\n") + 1]
    for line in text.split("\n")[:-1]:
        m = LOG_RE.match(line)
        if m:
            dt = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f")
            out.append(LogLine(dt.timestamp(), m.group(2), m.group(3)))
        elif out:
            last = out[-1]
            out[-1] = last._replace(msg=last.msg + "\n" + line)
    return out


def read_log(path):
    try:
        with open(path, "rb") as f:
            return parse_log(f.read().decode("utf-8", "replace"))
    except FileNotFoundError:
        return []


def wait_for(predicate, timeout=TIMEOUT, interval=0.05, what=None):
    """Poll predicate() until it returns a truthy value, and return that value.

    Raises AssertionError (mentioning `what`) after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s"
                                 % (timeout, what or predicate))
        time.sleep(interval)


def _matcher(pattern):
    """A message matcher: a compiled regex (full match) or an exact string."""
    if isinstance(pattern, re.Pattern):
        return lambda msg: pattern.fullmatch(msg) is not None
    return lambda msg: msg == pattern


# --------------------------------------------------------------------------
# /proc helpers

def proc_stat(pid):
    """Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp,
    session, ...] (index 0 is field 3 of proc(5)), or None if gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read().decode("ascii", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    return data[data.rfind(")") + 2:].split()


def proc_state(pid):
    st = proc_stat(pid)
    return st[0] if st else None


def pid_alive(pid):
    """True if pid exists and is not a zombie (a zombie counts as dead)."""
    return proc_state(pid) not in (None, "Z", "X")


def children_of(pid):
    """[(child pid, state letter)] of the direct children of pid."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = proc_stat(int(entry))
        if st and int(st[1]) == pid:
            out.append((int(entry), st[0]))
    return out


def cpu_seconds(pid):
    """User + system CPU time of pid (not of its children), in seconds."""
    st = proc_stat(pid)
    return (int(st[11]) + int(st[12])) / CLK_TCK


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None


def pids_with_marker(marker):
    needle = ("CSUP_TEST_MARKER=%s\0" % marker).encode()
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open("/proc/%s/environ" % entry, "rb") as f:
                env = f.read()
        except OSError:
            continue
        if needle in env and proc_state(int(entry)) not in (None, "Z", "X"):
            found.append(int(entry))
    return found


# --------------------------------------------------------------------------
# the daemon

class Supervisord:
    """One supervisord on a private directory.

    directory   -- private directory (created); the logfile, pidfile, config
                   and childlogs/ live there
    body        -- config text after the generated [supervisord] section
                   (program sections etc.; placeholders allowed)
    supervisord -- extra lines for the [supervisord] section
    binary      -- the supervisord executable
    loglevel    -- activity log level
    env         -- extra environment variables for the daemon
    """

    def __init__(self, directory, body="", supervisord="", binary=SUPERVISORD,
                 loglevel="info", env=None):
        self.dir = pathlib.Path(directory).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf = self.dir / "supervisord.conf"
        self.logfile = self.dir / "supervisord.log"
        self.pidfile = self.dir / "supervisord.pid"
        self.childlogdir = self.dir / "childlogs"
        self.childlogdir.mkdir(exist_ok=True)
        self.stdout_path = self.dir / "daemon.stdout"
        self.stderr_path = self.dir / "daemon.stderr"
        self.binary = binary
        self.marker = uuid.uuid4().hex
        self.proc = None
        self.daemon_pid = None
        self.env = {
            "PATH": "/usr/bin:/bin",
            "LC_ALL": "C.UTF-8",
            "HOME": str(self.dir),
            "TMPDIR": str(self.dir),
            "CSUP_TEST_MARKER": self.marker,
        }
        if env:
            self.env.update(env)
        self.write_config(body, supervisord, loglevel)

    # ---- configuration

    def expand(self, text):
        return (text.replace("@DIR@", str(self.dir))
                    .replace("@PROG@", PROG)
                    .replace("@PY@", PY))

    def write_config(self, body, supervisord="", loglevel="info"):
        head = ("[supervisord]\n"
                "logfile=%s\n"
                "pidfile=%s\n"
                "childlogdir=%s\n"
                "loglevel=%s\n" % (self.logfile, self.pidfile,
                                   self.childlogdir, loglevel))
        text = head + self.expand(supervisord).strip() + "\n\n" + \
            self.expand(body).strip() + "\n"
        self.conf.write_text(text)

    # ---- running

    def start(self, nodaemon=True, args=(), umask=0o022, ignored=()):
        """ignored: signals the daemon inherits as SIG_IGN (as from a
        background job of a non-interactive shell)."""
        argv = [self.binary]
        if nodaemon:
            argv.append("-n")
        argv += ["-c", str(self.conf)] + list(args)
        self.proc = subprocess.Popen(
            argv, cwd=str(self.dir), env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=open(self.stdout_path, "wb"),
            stderr=open(self.stderr_path, "wb"),
            start_new_session=True, umask=umask,
            preexec_fn=(lambda: [signal.signal(n, signal.SIG_IGN) for n in ignored]) if ignored else None)
        self.daemon_pid = self.proc.pid
        return self

    @property
    def pid(self):
        return self.daemon_pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def send(self, sig):
        os.kill(self.daemon_pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout=TIMEOUT * 1.5, survivors=False):
        """Send sig and wait for a clean exit: assert exit status 0, nothing
        on stderr and (unless survivors) no process of ours left behind."""
        self.send(sig)
        return self.wait_exit(timeout, survivors, sig.name)

    def wait_exit(self, timeout=TIMEOUT * 1.5, survivors=False, why="the signal"):
        """Wait for the (already signalled) daemon to exit; checks as stop()."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("supervisord did not exit within %ss after %s;"
                                 " log tail:\n%s" % (timeout, why,
                                                     self.log_tail()))
        stderr = self.stderr_path.read_text(errors="replace")
        assert rc == 0, "supervisord exited with %r; stderr: %s" % (rc, stderr)
        assert stderr == "", "supervisord wrote to stderr:\n" + stderr
        if not survivors:
            self.assert_nothing_left()
        return rc

    def assert_nothing_left(self, timeout=10):
        """Wait until no process started by this daemon is left."""
        try:
            wait_for(lambda: not pids_with_marker(self.marker), timeout,
                     what="the daemon's processes to be gone")
        except AssertionError:
            left = pids_with_marker(self.marker)
            raise AssertionError("processes left behind: %s" % [
                (pid, _cmdline(pid)) for pid in left])

    def kill(self):
        """Teardown: SIGKILL the daemon and everything it started."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.daemon_pid and self.daemon_pid != getattr(self.proc, "pid", None) \
                and pid_alive(self.daemon_pid):
            try:
                os.kill(self.daemon_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        # every process carrying our marker, and its whole process group
        # (children of supervisord are group leaders; a grandchild that kept
        # the group goes with it)
        mygroup = os.getpgrp()
        left = []
        empty_scans = 0
        for _ in range(200):
            left = pids_with_marker(self.marker)
            if not left:
                # twice in a row: a process caught in the middle of an
                # execve may briefly show an empty environment
                empty_scans += 1
                if empty_scans == 2:
                    break
                time.sleep(0.02)
                continue
            empty_scans = 0
            for pid in left:
                st = proc_stat(pid)
                if st and int(st[2]) not in (0, 1, mygroup):
                    try:
                        os.killpg(int(st[2]), signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        else:
            raise AssertionError("processes survive teardown: %r" % left)

    # ---- the activity log

    def lines(self, path=None):
        return read_log(path or self.logfile)

    def find(self, pattern, level=None, path=None):
        """All log lines whose message matches pattern (exact string or
        compiled regex, full match) and, if given, level."""
        match = _matcher(pattern)
        return [l for l in self.lines(path)
                if match(l.msg) and (level is None or l.level == level)]

    def wait_log(self, pattern, count=1, level=None, timeout=TIMEOUT, path=None):
        """Wait until at least `count` lines match; return the matching lines."""
        def check():
            found = self.find(pattern, level, path)
            if len(found) >= count:
                return found
            if self.proc is not None and self.proc.poll() is not None \
                    and self.daemon_pid == self.proc.pid:
                # the daemon died: one last look, then fail fast
                found = self.find(pattern, level, path)
                if len(found) >= count:
                    return found
                raise AssertionError(
                    "supervisord exited (%r) while waiting for %r; log:\n%s\n"
                    "stderr:\n%s" % (self.proc.returncode, pattern, self.log_tail(),
                                     self.stderr_path.read_text(errors="replace")))
            return None
        try:
            return wait_for(check, timeout, what="%d x %r" % (count, pattern))
        except AssertionError as e:
            raise AssertionError("%s\nlog tail:\n%s" % (e, self.log_tail()))

    def log_tail(self, n=40):
        try:
            text = self.logfile.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log file)"
        return "\n".join(text.splitlines()[-n:])

    def spawned_pids(self, name=None):
        """pids from `spawned: '<name>' with pid N` lines (any name if None)."""
        rx = re.compile(r"spawned: '(.*)' with pid (\d+)")
        out = []
        for l in self.lines():
            m = rx.fullmatch(l.msg)
            if m and (name is None or m.group(1) == name):
                out.append(int(m.group(2)))
        return out

    def wait_spawned(self, name, count=1, timeout=TIMEOUT):
        """Wait for `count` spawns of name; return their pids."""
        self.wait_log(re.compile(r"spawned: '%s' with pid \d+" % re.escape(name)),
                      count=count, timeout=timeout)
        return self.spawned_pids(name)

    def wait_running(self, name, startsecs=1, timeout=TIMEOUT):
        return self.wait_log(
            "success: %s entered RUNNING state, process has stayed up for "
            "> than %d seconds (startsecs)" % (name, startsecs), timeout=timeout)

    def wait_file(self, path, timeout=TIMEOUT, nonempty=True):
        path = pathlib.Path(path)

        def check():
            try:
                return path.stat().st_size > 0 or not nonempty
            except FileNotFoundError:
                return False
        wait_for(check, timeout, what="file %s" % path)
        return path

    def wait_exec(self, pid, program, timeout=TIMEOUT):
        """Wait until pid has exec'd `program` (a path, e.g. /bin/sleep), so a
        signal sent now reaches the program itself."""
        want = os.path.realpath(program)

        def check():
            try:
                return os.readlink("/proc/%d/exe" % pid) == want
            except OSError:
                return False
        wait_for(check, timeout, what="pid %d to exec %s" % (pid, program))

    def children(self):
        return children_of(self.daemon_pid)


# --------------------------------------------------------------------------
# comparing with the reference

_NORMALISE = [
    (re.compile(r"with pid \d+"), "with pid N"),
    (re.compile(r"^killing '(.*)' \(\d+\) with SIGKILL$"), r"killing '\1' (N) with SIGKILL"),
    (re.compile(r"\(pid \d+\)"), "(pid N)"),
]


def normalise(msg, directory):
    msg = msg.replace(str(directory), "@DIR@")
    for rx, repl in _NORMALISE:
        msg = rx.sub(repl, msg)
    return msg


def message_counts(sup, exclude=()):
    """Counter of the normalised messages '<LEVEL> <text>' of sup's log,
    leaving out messages matching any regex in exclude."""
    c = collections.Counter()
    for l in sup.lines():
        if any(re.search(rx, l.msg) for rx in exclude):
            continue
        c["%s %s" % (l.level, normalise(l.msg, sup.dir))] += 1
    return c


def have_reference():
    return os.access(REF_SUPERVISORD, os.X_OK)
