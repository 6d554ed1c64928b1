"""supervisorctl (ours) side by side with Debian's /usr/bin/supervisorctl
(Supervisor 4.2.5), against the same daemon: ours (conftest.SUPERVISORD)
and the reference (/usr/bin/supervisord).

Most tests are table driven: for each case the daemon's processes are put
into a known state over XML-RPC, the reference supervisorctl runs the
command, the state is set again, ours runs it, and stdout + exit status
must be the same after normalising what cannot be (pids, uptimes, dates,
and the Python file/line of "error:" lines). A few cases also pin the
expected text itself (ctl.md) so the table cannot drift with both sides.

Interactive mode is driven through a pseudo-terminal (completion of a
command, a process, a group and a plugin command; history across two
sessions; Ctrl-C in tail -f; authentication prompts) and through a pipe.

Run:  CSUP_BUILDDIR=build /usr/bin/python3 -m pytest tests/integration/test_ctl.py -q
"""
import os
import pathlib
import pty
import re
import select
import signal
import socket
import subprocess
import time
import xmlrpc.client

import pytest

from conftest import BUILDDIR, SRCDIR, SUPERVISORD, REF_SUPERVISORD
from daemon_util import Supervisord, have_reference, wait_for

CTL = os.environ.get("CSUP_SUPERVISORCTL", str(BUILDDIR / "supervisorctl" / "supervisorctl"))
REF_CTL = "/usr/bin/supervisorctl"
CTLS = {"ours": CTL, "ref": REF_CTL}
DAEMONS = {"ours": SUPERVISORD, "ref": REF_SUPERVISORD}

pytestmark = pytest.mark.skipif(not (have_reference() and os.access(REF_CTL, os.X_OK)),
                                reason="Debian's supervisor (the reference) is not installed")

BODY = """
[unix_http_server]
file=@DIR@/sup.sock
@AUTH@

[inet_http_server]
port=127.0.0.1:@PORT@
@AUTH@

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://@DIR@/sup.sock
@CTLAUTH@

[group:grp]
programs=ga,gb

[program:ga]
command=sleep 1000
autostart=false
startsecs=0

[program:gb]
command=sleep 1000
autostart=false
startsecs=0

[program:cat]
command=cat
autostart=false
startsecs=0

[program:hello]
command=sh -c 'printf "hello world\\nline2\\n"; printf "oops\\n" >&2; exec sleep 1000'
stdout_logfile=@DIR@/hello.out
stderr_logfile=@DIR@/hello.err
autostart=false
startsecs=0

[program:sleeper]
command=sleep 1000
autostart=false
startsecs=1
stdout_logfile=NONE
stderr_logfile=NONE

[program:fast]
command=/bin/true
autostart=false
startretries=0
; exits long before this: always BACKOFF then FATAL, however slow the loop
startsecs=10

[program:nofile]
command=/nonexistent/x
autostart=false

[program:a_rather_long_program_name_here]
command=sleep 1000
autostart=false
startsecs=0
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ctl_env(home):
    return {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": str(home)}


def run_ctl(which, args, home, stdin=None, timeout=60):
    """(exit status, stdout, stderr) of one supervisorctl run."""
    p = subprocess.run([CTLS[which]] + list(args), input=stdin, capture_output=True,
                       text=True, env=ctl_env(home), timeout=timeout,
                       stdin=None if stdin is not None else subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def norm(text, directory=None):
    """What may differ between two runs (or the two programs)."""
    if directory:
        text = text.replace(str(directory), "@DIR@")
    text = re.sub(r"pid \d+, uptime \d+:\d\d:\d\d", "pid N, uptime T", text)
    text = re.sub(r"[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M|Not started", "DATE", text)
    # the Python source location of a generic error line
    text = re.sub(r"(error: [^\n]*?): file: [^\n]* line: \d+", r"\1", text)
    text = text.replace(REF_CTL, "supervisorctl").replace(CTL, "supervisorctl")
    return text


class Env:
    """One daemon (ours or the reference) with the common configuration."""

    def __init__(self, directory, impl, auth=None):
        self.impl = impl
        self.port = free_port()
        body = BODY.replace("@PORT@", str(self.port))
        if auth:
            body = body.replace("@AUTH@", "username=%s\npassword=%s" % auth)
            body = body.replace("@CTLAUTH@", "")
        else:
            body = body.replace("@AUTH@", "").replace("@CTLAUTH@", "")
        self.auth = auth
        self.sup = Supervisord(directory, body, binary=DAEMONS[impl])
        self.dir = self.sup.dir
        self.conf = str(self.sup.conf)
        self.sock = str(self.dir / "sup.sock")

    def start(self):
        self.sup.start()
        wait_for(self._ready, what="the daemon's RPC server")
        return self

    def _ready(self):
        try:
            return self.rpc().supervisor.getPID()
        except (OSError, xmlrpc.client.ProtocolError):
            if not self.sup.running():
                raise AssertionError("daemon exited: %s" % self.sup.stderr_path.read_text())
            return None

    def rpc(self):
        user, pw = self.auth or (None, None)
        url = "http://%s127.0.0.1:%d/RPC2" % ("%s:%s@" % (user, pw) if user else "", self.port)
        return xmlrpc.client.ServerProxy(url)

    def reset(self, running=(), fatal=(), clear=False):
        """Stop everything, then start `running` (and try `fatal`)."""
        s = self.rpc().supervisor
        s.stopAllProcesses()
        # a process that was STARTING or BACKOFF may need another look
        busy = ("STARTING", "RUNNING", "BACKOFF", "STOPPING")

        def stopped():
            infos = s.getAllProcessInfo()
            for i in infos:
                if i["statename"] in ("RUNNING", "BACKOFF", "STARTING"):
                    try:
                        s.stopProcess("%s:%s" % (i["group"], i["name"]))
                    except xmlrpc.client.Fault:
                        pass
            return not any(i["statename"] in busy for i in infos)
        wait_for(stopped, what="every process to be stopped")
        if clear:
            # (clearAllProcessLogs does not clear a stopped process's logs)
            for name in ("hello.out", "hello.err"):
                with open(self.dir / name, "w"):
                    pass
        for name in running:
            s.startProcess(name)
        for name in fatal:
            try:
                s.startProcess(name)
            except xmlrpc.client.Fault:
                pass
        if "hello" in running:
            wait_for(lambda: s.readProcessStdoutLog("hello", 0, 0).count("\n") >= 2
                     and s.readProcessStderrLog("hello", 0, 0), what="hello's output")

    def ctl(self, which, *args, stdin=None, conf=True):
        argv = (["-c", self.conf] if conf else []) + list(args)
        return run_ctl(which, argv, self.dir, stdin=stdin)

    def both(self, args, running=(), fatal=(), clear=False, stdin=None, conf=True):
        """Run the reference, then ours, each from the same state; return
        {which: (status, normalised stdout)}."""
        out = {}
        for which in ("ref", "ours"):
            self.reset(running, fatal, clear)
            rc, stdout, stderr = self.ctl(which, *args, stdin=stdin, conf=conf)
            if which == "ours":
                assert "Sanitizer" not in stderr and "runtime error" not in stderr, stderr
            out[which] = (rc, norm(stdout, self.dir))
        return out

    def stop(self):
        self.sup.kill()
        stderr = self.sup.stderr_path.read_text(errors="replace")
        assert "Sanitizer" not in stderr and "runtime error" not in stderr, stderr


@pytest.fixture(scope="module", params=["ours", "ref"])
def env(request, tmp_path_factory):
    e = Env(tmp_path_factory.mktemp("ctl-" + request.param), request.param).start()
    yield e
    e.stop()


@pytest.fixture(scope="module")
def ref_env(tmp_path_factory):
    e = Env(tmp_path_factory.mktemp("ctl-refonly"), "ref").start()
    yield e
    e.stop()


def same(result):
    assert result["ours"] == result["ref"], "ours:\n%s\nreference:\n%s" % (result["ours"], result["ref"])
    return result["ours"]


# --------------------------------------------------------------------------
# one-shot commands, compared with the reference

RUN = ("cat", "grp:ga", "hello")

# (id, args, running, fatal, clear)
CASES = [
    ("status_mixed", ["status"], RUN, ("fast",), False),
    ("status_running_only", ["status", "cat", "grp:ga"], RUN, (), False),
    ("status_names", ["status", "cat", "nosuch", "grp:*", "grp:", "nogrp:*", "grp:nosuch"], RUN, (), False),
    ("status_all_word", ["status", "nosuch", "all"], RUN, (), False),
    ("status_long_name", ["status", "a_rather_long_program_name_here", "cat"],
     ("a_rather_long_program_name_here",), (), False),
    ("status_dup", ["status", "cat", "cat"], RUN, (), False),
    ("start_noargs", ["start"], (), (), False),
    ("start_one", ["start", "sleeper"], (), (), False),
    ("start_already", ["start", "cat"], RUN, (), False),
    ("start_unknown", ["start", "nosuch"], (), (), False),
    ("start_group", ["start", "grp:*"], (), (), False),
    ("start_group_colon", ["start", "grp:"], ("grp:ga",), (), False),
    ("start_unknown_group", ["start", "nogrp:*"], (), (), False),
    ("start_unknown_in_group", ["start", "grp:nosuch"], (), (), False),
    ("start_nofile", ["start", "nofile"], (), (), False),
    ("start_spawn_error", ["start", "fast"], (), (), False),
    ("start_all", ["start", "all"], (), (), False),
    ("start_many", ["start", "cat", "nosuch", "grp:*", "nogrp:*"], ("cat",), (), False),
    ("stop_noargs", ["stop"], (), (), False),
    ("stop_one", ["stop", "cat"], RUN, (), False),
    ("stop_not_running", ["stop", "sleeper"], RUN, (), False),
    ("stop_unknown", ["stop", "nosuch"], (), (), False),
    ("stop_group", ["stop", "grp:*"], ("grp:ga", "grp:gb"), (), False),
    ("stop_unknown_group", ["stop", "nogrp:*"], (), (), False),
    ("stop_all", ["stop", "all"], RUN, (), False),
    ("restart_noargs", ["restart"], (), (), False),
    ("restart_stopped", ["restart", "cat"], (), (), False),
    ("restart_running", ["restart", "cat", "grp:*"], RUN, (), False),
    ("restart_unknown", ["restart", "nosuch"], (), (), False),
    ("signal_noargs", ["signal"], (), (), False),
    ("signal_one_arg", ["signal", "HUP"], (), (), False),
    ("signal_one", ["signal", "HUP", "cat"], RUN, (), False),
    ("signal_bad", ["signal", "NOSUCHSIG", "cat"], RUN, (), False),
    ("signal_not_running", ["signal", "HUP", "sleeper"], RUN, (), False),
    ("signal_unknown", ["signal", "HUP", "nosuch"], RUN, (), False),
    ("signal_group", ["signal", "USR1", "grp:*"], ("grp:ga", "grp:gb"), (), False),
    ("signal_unknown_group", ["signal", "HUP", "nogrp:*"], (), (), False),
    ("signal_all", ["signal", "USR2", "all"], (), (), False),
    ("pid_all", ["pid", "all"], (), (), False),
    ("pid_not_running", ["pid", "sleeper"], (), (), False),
    ("pid_unknown", ["pid", "nosuch", "sleeper"], (), (), False),
    ("tail_default", ["tail", "hello"], ("hello",), (), True),
    ("tail_bytes", ["tail", "-8", "hello"], ("hello",), (), True),
    ("tail_stderr", ["tail", "hello", "stderr"], ("hello",), (), True),
    ("tail_stderr_upper", ["tail", "-3", "hello", "STDERR"], ("hello",), (), True),
    ("tail_three_words", ["tail", "hello", "x", "stdout"], ("hello",), (), True),
    ("tail_noargs", ["tail"], (), (), False),
    ("tail_too_many", ["tail", "a", "b", "c", "d"], (), (), False),
    ("tail_only_modifier", ["tail", "-f"], (), (), False),
    ("tail_bad_channel", ["tail", "hello", "Foo"], (), (), False),
    ("tail_bad_modifier", ["tail", "-x", "hello"], (), (), False),
    ("tail_unknown", ["tail", "nosuch"], (), (), False),
    ("tail_no_logfile", ["tail", "sleeper"], (), (), False),
    ("tail_follow_unknown", ["tail", "-f", "nosuch"], (), (), False),
    ("maintail_too_many", ["maintail", "a", "b"], (), (), False),
    ("maintail_bad", ["maintail", "x"], (), (), False),
    ("maintail_bad_dash", ["maintail", "-x"], (), (), False),
    ("clear_noargs", ["clear"], (), (), False),
    ("clear_one", ["clear", "hello"], (), (), False),
    ("clear_many", ["clear", "hello", "nosuch", "grp:*", "grp:ga"], (), (), False),
    ("clear_all", ["clear", "all"], (), (), False),
    ("avail", ["avail"], RUN, (), False),
    ("avail_args", ["avail", "x"], (), (), False),
    ("version", ["version"], (), (), False),
    ("version_args", ["version", "x"], (), (), False),
    ("help", ["help"], (), (), False),
    ("help_help", ["help", "help"], (), (), False),
    ("help_eof", ["help", "EOF"], (), (), False),
    ("help_unknown", ["help", "nosuch"], (), (), False),
    ("help_two_words", ["help", "start", "stop"], (), (), False),
    ("question_mark", ["?", "start"], (), (), False),
    ("question_mark_glued", ["?status"], (), (), False),
    ("unknown_command", ["nosuch", "a", "b"], (), (), False),
    ("bang", ["!ls"], (), (), False),
    ("not_ident", ["-x"], (), (), False),
    ("empty_line", [""], (), (), False),
    ("case_matters", ["STATUS"], (), (), False),
    ("glued_colon", ["status:cat"], RUN, (), False),
    ("quit", ["quit"], (), (), False),
    ("exit", ["exit"], (), (), False),
    ("eof", ["EOF"], (), (), False),
    ("shutdown_args", ["shutdown", "now"], (), (), False),
    ("reload_args", ["reload", "now"], (), (), False),
    ("open_bad_scheme", ["open", "ftp://x"], (), (), False),
    ("open_nothing", ["open"], (), (), False),
    ("open_no_such_socket", ["open", "unix:///nonexistent/sock"], (), (), False),
    ("fg_noargs", ["fg"], (), (), False),
    ("fg_too_many", ["fg", "a", "b"], (), (), False),
    ("fg_unknown", ["fg", "nosuch"], (), (), False),
    ("fg_not_running", ["fg", "sleeper"], (), (), False),
    ("reread_args", ["reread", "x"], (), (), False),
    ("add_nothing", ["add"], (), (), False),
    ("remove_nothing", ["remove"], (), (), False),
]
CASES += [("help_" + c, ["help", c], (), (), False) for c in (
    "add", "avail", "clear", "exit", "fg", "maintail", "open", "pid", "quit", "reload",
    "remove", "reread", "restart", "shutdown", "signal", "start", "status", "stop", "tail",
    "update", "version")]


# The daemon reports these results in completion order, which varies.
UNORDERED = {"start_all", "stop_all", "signal_all", "restart_running", "start_many", "stop_group",
             "start_group", "signal_group", "clear_all"}


def comparable(name, result):
    if name in ("start_spawn_error", "start_all"):
        # /bin/true: which of the two a daemon answers depends on its
        # timing (Python's too), and with it the exit status (1 or 7);
        # for start_all also whether fast's error comes before or after
        # nofile's (the last error sets the status)
        result = {w: ("1|7" if rc in (1, 7) else rc, out.replace("(abnormal termination)", "(spawn error)"))
                  for w, (rc, out) in result.items()}
    if name in UNORDERED:
        result = {w: (rc, sorted(out.splitlines())) for w, (rc, out) in result.items()}
    return result


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_same_as_reference(env, case):
    name, args, running, fatal, clear = case
    same(comparable(name, env.both(args, running, fatal, clear)))


@pytest.fixture(scope="module")
def ours_env(tmp_path_factory):
    e = Env(tmp_path_factory.mktemp("ctl-oursonly"), "ours").start()
    yield e
    e.stop()


# Cases that never reach the daemon (help, parse errors, local commands)
# are left out here: they are covered above.
LOCAL_ONLY = {"question_mark", "question_mark_glued", "unknown_command", "bang", "not_ident",
              "empty_line", "case_matters", "quit", "exit", "eof", "open_bad_scheme",
              "open_nothing", "open_no_such_socket", "tail_noargs", "tail_too_many",
              "tail_only_modifier", "tail_bad_channel", "tail_bad_modifier", "avail_args",
              "version_args", "reread_args", "shutdown_args", "reload_args"}
DAEMON_CASES = [c for c in CASES if not c[0].startswith("help") and c[0] not in LOCAL_ONLY]


@pytest.mark.parametrize("case", DAEMON_CASES, ids=[c[0] for c in DAEMON_CASES])
def test_reference_ctl_same_on_both_daemons(ours_env, ref_env, case):
    # Debian's own supervisorctl, run against our daemon and against
    # Debian's supervisord from the same state: same output, same status
    name, args, running, fatal, clear = case
    result = {}
    for which, e in (("ref", ref_env), ("ours", ours_env)):
        e.reset(running, fatal, clear)
        rc, stdout, _ = e.ctl("ref", *args)
        # pids differ between the two daemons' children
        result[which] = (rc, re.sub(r"(?m)^\d+$", "PID", norm(stdout, e.dir)))
    same(comparable(name, result))


# A few outputs pinned (ctl.md), so both sides cannot drift together.
def test_status_text(env):
    env.reset(RUN, ("fast",))
    rc, out, _ = env.ctl("ours", "status", "cat", "sleeper", "fast", "nosuch")
    assert rc == 3
    lines = norm(out).splitlines()
    assert lines[0] == "nosuch: ERROR (no such process)"
    assert lines[1] == "cat                              RUNNING   pid N, uptime T"
    assert lines[2] == "sleeper                          STOPPED   DATE"  # "Not started"
    assert lines[3].startswith("fast                             FATAL     ")
    env.reset(RUN)
    rc, out, _ = env.ctl("ours", "status", "cat")
    assert rc == 0 and out.startswith("cat" + " " * 30 + "RUNNING   pid ")
    rc, out, _ = env.ctl("ours", "status", "nosuch")
    assert (rc, out) == (4, "nosuch: ERROR (no such process)\n")


def test_help_text(env):
    rc, out, _ = env.ctl("ours", "help")
    assert rc == 0
    assert out == ("\n"
                   "default commands (type help <topic>):\n"
                   "=====================================\n"
                   "add    exit      open  reload  restart   start   tail   \n"
                   "avail  fg        pid   remove  shutdown  status  update \n"
                   "clear  maintail  quit  reread  signal    stop    version\n"
                   "\n")
    assert env.ctl("ours", "help", "maintail")[1].endswith("main log file\n\n")


def test_exit_statuses(env):
    env.reset(RUN)
    assert env.ctl("ours", "start")[0] == 2
    assert env.ctl("ours", "start", "nogrp:*")[0] == 2
    assert env.ctl("ours", "start", "fast")[0] == 7
    assert env.ctl("ours", "start", "nosuch")[0] == 1
    assert env.ctl("ours", "start", "cat")[0] == 0  # already started is ignored
    assert env.ctl("ours", "stop", "sleeper")[0] == 0  # not running is ignored
    assert env.ctl("ours", "signal", "HUP", "sleeper")[0] == 7
    assert env.ctl("ours", "pid", "sleeper")[0] == 7
    assert env.ctl("ours", "nosuch")[0] == 1


def test_pid(env):
    env.reset(RUN)
    s = env.rpc().supervisor
    for which in ("ref", "ours"):
        rc, out, _ = env.ctl(which, "pid")
        assert (rc, out) == (0, "%d\n" % s.getPID())
        rc, out, _ = env.ctl(which, "pid", "cat", "grp:ga")
        assert (rc, out) == (0, "%d\n%d\n" % (s.getProcessInfo("cat")["pid"],
                                              s.getProcessInfo("grp:ga")["pid"]))
        rc, out, _ = env.ctl(which, "pid", "all")
        assert out == "".join("%d\n" % i["pid"] for i in s.getAllProcessInfo())


def test_maintail(env):
    env.reset()
    for which in ("ref", "ours"):
        rc, out, _ = env.ctl(which, "maintail", "-50")
        assert rc == 0 and len(out) == 51 and out.endswith("\n")
        rc, out, _ = env.ctl(which, "maintail")
        log = env.rpc().supervisor.readLog(-1600, 0)
        assert rc == 0 and out[:-1] in log + env.rpc().supervisor.readLog(-1600, 0)


def test_command_line_action_is_joined(env):
    env.reset(RUN)
    same(env.both(["status cat", "grp:ga"]))


# --------------------------------------------------------------------------
# reread / update / add / remove (each daemon of its own: the test edits
# the config)

def edit_config(env, old, new):
    path = pathlib.Path(env.conf)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture(params=["ours", "ref"])
def config_env(request, tmp_path):
    e = Env(tmp_path, request.param).start()
    yield e
    e.stop()


def test_reread_update_add_remove(config_env):
    e = config_env
    e.reset()
    same(e.both(["reread"]))
    same(e.both(["update"]))
    same(e.both(["update", "all"]))
    same(e.both(["update", "nosuch", "cat"]))
    same(e.both(["add", "cat"]))
    same(e.both(["add", "nosuch"]))
    same(e.both(["remove", "nosuch"]))
    same(e.both(["remove", "cat"], running=("cat",)))
    # a new program, a changed one, a removed one
    original = pathlib.Path(e.conf).read_text()
    try:
        edit_config(e, "[program:fast]", "[program:newprog]\ncommand=sleep 1000\nautostart=false\n\n"
                    "[program:fast]")
        edit_config(e, "command=cat\n", "command=cat -u\n")
        edit_config(e, "[program:nofile]\ncommand=/nonexistent/x\nautostart=false\n", "")
        out = {}
        for which in ("ref", "ours"):
            rc, stdout, _ = e.ctl(which, "reread")
            out[which] = (rc, stdout)
        same(out)
        assert out["ours"] == (0, "cat: changed\nnewprog: available\nnofile: disappeared\n")
        # update one group, then the rest
        rc, stdout, _ = e.ctl("ours", "update", "newprog")
        assert (rc, stdout) == (0, "newprog: added process group\n")
        rc, stdout, _ = e.ctl("ref", "remove", "newprog")
        assert (rc, stdout) == (0, "newprog: removed process group\n")
        rc, stdout, _ = e.ctl("ours", "add", "newprog")
        assert (rc, stdout) == (0, "newprog: added process group\n")
        rc, stdout, _ = e.ctl("ours", "add", "newprog")
        assert (rc, stdout) == (0, "ERROR: process group already active\n")
        e.reset(("newprog",))
        rc, stdout, _ = e.ctl("ours", "remove", "newprog")
        assert (rc, stdout) == (1, "ERROR: process/group still running: newprog\n")
        e.reset(("cat",))
        rc, stdout, _ = e.ctl("ours", "update")
        assert (rc, stdout) == (0, "nofile: stopped\nnofile: removed process group\n"
                                   "cat: stopped\ncat: updated process group\n")
        assert e.ctl("ours", "reread")[1] == "No config updates to processes\n"
        # a broken file: CANT_REREAD
        pathlib.Path(e.conf).write_text(pathlib.Path(e.conf).read_text() + "\n[program:bad]\n")
        same({w: e.ctl(w, "reread")[:2] for w in ("ref", "ours")})
    finally:
        pathlib.Path(e.conf).write_text(original)
        e.ctl("ref", "update")


# --------------------------------------------------------------------------
# shutdown and reload (each on its own daemon)

@pytest.mark.parametrize("impl", ["ours", "ref"])
def test_shutdown(tmp_path, impl):
    e = Env(tmp_path / "d", impl).start()
    try:
        rc, out, _ = e.ctl("ours", "shutdown")
        assert (rc, out) == (0, "Shut down\n")
        wait_for(lambda: not e.sup.running(), what="the daemon to exit")
        # both say the same once it is gone (the socket file is removed)
        same({w: e.ctl(w, "shutdown")[:2] for w in ("ref", "ours")})
        same({w: e.ctl(w, "status")[:2] for w in ("ref", "ours")})
    finally:
        e.stop()


@pytest.mark.parametrize("impl", ["ours", "ref"])
def test_reload(tmp_path, impl):
    e = Env(tmp_path / "d", impl).start()
    try:
        pid = e.rpc().supervisor.getPID()
        rc, out, _ = e.ctl("ours", "reload")
        assert (rc, out) == (0, "Restarted supervisord\n")
        wait_for(e._ready, what="the daemon to come back")
        assert e.rpc().supervisor.getPID() == pid
    finally:
        e.stop()


def test_shutdown_confirmation(tmp_path):
    e = Env(tmp_path / "d", "ours").start()
    try:
        for which in ("ref", "ours"):
            rc, out, _ = e.ctl(which, "-i", "shutdown", stdin="n\n")
            assert (rc, out) == (0, "Really shut the remote supervisord process down y/N? ")
            rc, out, _ = e.ctl(which, "-i", "reload", stdin="")
            assert rc == 1
            assert norm(out) == ("Really restart the remote supervisord process y/N? "
                                 "error: <class 'EOFError'>, EOF when reading a line\n")
        rc, out, _ = e.ctl("ours", "-i", "shutdown", stdin="Yes\n")
        assert (rc, out) == (0, "Really shut the remote supervisord process down y/N? Shut down\n")
    finally:
        e.stop()


# --------------------------------------------------------------------------
# no server

def bound_unix_socket(path):
    """A socket file nobody accepts on: connect() is refused."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    return s


DOWN_COMMANDS = [["status"], ["status", "cat"], ["version"], ["avail"], ["pid"], ["pid", "all"],
                 ["start", "cat"], ["stop", "all"], ["restart", "x"], ["signal", "HUP", "x"],
                 ["tail", "x"], ["tail", "-f", "x"], ["maintail"], ["clear", "x"], ["fg", "x"],
                 ["shutdown"], ["reload"], ["reread"], ["update"], ["add", "x"], ["remove", "x"],
                 ["open", "http://127.0.0.1:1"], ["help"], ["quit"]]


@pytest.mark.parametrize("kind", ["nofile", "refused_unix", "refused_http", "badhost", "badport", "badscheme"])
def test_server_down(tmp_path, kind):
    holder = None
    if kind == "nofile":
        url = "unix://%s/nosuch.sock" % tmp_path
    elif kind == "refused_unix":
        holder = bound_unix_socket(tmp_path / "dead.sock")
        url = "unix://%s/dead.sock" % tmp_path
    elif kind == "refused_http":
        url = "http://127.0.0.1:%d" % free_port()
    elif kind == "badhost":
        url = "http://nosuchhost.invalid:9001"
    elif kind == "badport":
        url = "http://127.0.0.1:x9001"
    else:
        url = "ftp://127.0.0.1:9001"
    try:
        for args in DOWN_COMMANDS:
            out = {w: run_ctl(w, ["-s", url] + args, tmp_path)[:2] for w in ("ref", "ours")}
            out = {w: (rc, norm(o)) for w, (rc, o) in out.items()}
            same(out)
    finally:
        if holder:
            holder.close()


def test_server_down_texts(tmp_path):
    url = "unix://%s/nosuch.sock" % tmp_path
    assert run_ctl("ours", ["-s", url, "status"], tmp_path)[:2] == (4, url + " no such file\n")
    assert run_ctl("ours", ["-s", url, "version"], tmp_path)[:2] == (7, url + " no such file\n")
    rc, out, _ = run_ctl("ours", ["-s", url, "avail"], tmp_path)
    assert (rc, out) == (1, "error: <class 'FileNotFoundError'>, [Errno 2] No such file or directory\n")
    assert run_ctl("ours", ["-s", url, "shutdown"], tmp_path)[:2] == \
        (1, "ERROR: %s no such file (already shut down?)\n" % url)
    url = "http://127.0.0.1:%d" % free_port()
    assert run_ctl("ours", ["-s", url, "status"], tmp_path)[:2] == (4, url + " refused connection\n")


# --------------------------------------------------------------------------
# authentication

@pytest.fixture(scope="module", params=["ours", "ref"])
def auth_env(request, tmp_path_factory):
    e = Env(tmp_path_factory.mktemp("ctl-auth-" + request.param), request.param,
            auth=("user", "s3cret")).start()
    yield e
    e.stop()


@pytest.mark.parametrize("creds", [[], ["-u", "user"], ["-u", "user", "-p", "wrong"],
                                   ["-u", "user", "-p", "s3cret"]],
                         ids=["none", "no_password", "wrong", "right"])
@pytest.mark.parametrize("args", [["status"], ["version"], ["avail"], ["shutdown", "x"],
                                  ["tail", "-f", "cat"], ["help", "pid"]],
                         ids=["status", "version", "avail", "args_error", "tailf", "help"])
def test_authentication(auth_env, creds, args):
    if args == ["tail", "-f", "cat"] and creds[-1:] == ["s3cret"]:
        pytest.skip("follows forever")
    same(auth_env.both(creds + args))


def test_authentication_texts(auth_env):
    rc, out, _ = auth_env.ctl("ours", "-u", "user", "-p", "wrong", "version")
    assert rc == 1
    assert out == ("Server requires authentication\n"
                   "error: <class 'xmlrpc.client.ProtocolError'>, "
                   "<ProtocolError for 127.0.0.1/RPC2: 401 Unauthorized>\n")
    assert auth_env.ctl("ours", "-u", "user", "-p", "s3cret", "version")[:2] == (0, "4.2.5\n")
    # over TCP too
    url = "http://127.0.0.1:%d" % auth_env.port
    assert auth_env.ctl("ours", "-s", url, "-u", "user", "-p", "s3cret", "version")[:2] == (0, "4.2.5\n")


# --------------------------------------------------------------------------
# command line and configuration

def test_usage(tmp_path):
    for args in (["-h"], ["--help"], ["-?"], ["-c", "/nonexistent", "-h"]):
        out = {w: run_ctl(w, args, tmp_path) for w in ("ref", "ours")}
        assert out["ours"][0] == out["ref"][0] == 0
        assert norm(out["ours"][1]) == norm(out["ref"][1])
    rc, out, _ = run_ctl("ours", ["-h"], tmp_path)
    assert out.startswith("supervisorctl -- control applications run by supervisord from the cmd line.\n\n"
                          "Usage: %s [options] [action [arguments]]\n" % CTL)


BAD_OPTIONS = [["-x"], ["--nosuch"], ["-c"], ["-s", "foo"], ["-s", "http://"], ["--serverurl=x"],
               ["-s", "unix:///a", "-s", "unix:///b"], ["-i", "-i", "status"], ["-u", "a", "--user=b"],
               ["--history-file=x"], ["-c", "/nonexistent/supervisord.conf"], ["--interactive=1"]]


@pytest.mark.parametrize("args", BAD_OPTIONS, ids=[" ".join(a) for a in BAD_OPTIONS])
def test_bad_options(tmp_path, args):
    out = {}
    for w in ("ref", "ours"):
        rc, stdout, stderr = run_ctl(w, args, tmp_path)
        out[w] = (rc, stdout, norm(stderr))
    same(out)
    assert out["ours"][0] == 2


def write_conf(tmp_path, text):
    path = tmp_path / "ctl.conf"
    path.write_text(text)
    return str(path)


def test_config_file_errors(tmp_path):
    for text in ("[supervisord]\n",
                 "[supervisorctl]\n[ctlplugin:x]\nfoo=bar\n",
                 "[supervisorctl]\n[ctlplugin:x]\nsupervisor.ctl_factory = nosuch.module:make\n"):
        conf = write_conf(tmp_path, text)
        out = {}
        for w in ("ref", "ours"):
            rc, stdout, stderr = run_ctl(w, ["-c", conf, "status"], tmp_path)
            out[w] = (rc, stdout, norm(stderr, tmp_path))
        same(out)


def test_config_values(env, tmp_path):
    """serverurl from the file (made absolute), -s over it, the prompt."""
    rel = os.path.relpath(env.sock, tmp_path)
    conf = write_conf(tmp_path, "[supervisorctl]\nserverurl=unix://%s\nprompt=mine\n" % rel)
    # relative to the current directory, as Python's normalize_path
    for w in ("ref", "ours"):
        p = subprocess.run([CTLS[w], "-c", conf, "version"], capture_output=True, text=True,
                           cwd=str(tmp_path), env=ctl_env(tmp_path))
        assert (p.returncode, p.stdout) == (0, "4.2.5\n")
    rc, out, _ = run_ctl("ours", ["-c", conf, "-s", "unix://%s" % env.sock, "version"], tmp_path)
    assert (rc, out) == (0, "4.2.5\n")
    out = {w: run_ctl(w, ["-c", conf, "-s", "unix://" + env.sock], tmp_path, stdin="version\n")[:2]
           for w in ("ref", "ours")}
    same({w: (rc, norm(o)) for w, (rc, o) in out.items()})
    assert out["ours"][1].endswith("mine> 4.2.5\nmine> \n")


# --------------------------------------------------------------------------
# interactive mode through a pipe (no terminal: the prompt is still printed)

PIPED = [
    "version\nstatus cat\nnosuch\n\n  \nhelp stop\n",
    "start sleeper\nstop sleeper\nquit\nversion\n",
    "?\n",
    "tail hello\ntail -5 hello stderr\n",
    "EOF\nversion\n",
    "shutdown x\nopen ftp://x\n",
]


@pytest.mark.parametrize("stdin", PIPED, ids=range(len(PIPED)))
def test_piped_session(env, stdin):
    out = env.both([], RUN, clear=True, stdin=stdin)
    same(out)
    assert out["ours"][0] == 0


def test_piped_session_status_is_zero(env):
    # a failing command does not change the exit status of a session
    env.reset()
    for w in ("ref", "ours"):
        rc, out, _ = env.ctl(w, stdin="start nosuch\nstatus\n")
        assert rc == 0


def test_piped_shutdown_asks(tmp_path):
    e = Env(tmp_path / "d", "ours").start()
    try:
        out = {w: e.ctl(w, stdin="shutdown\nno\nversion\n")[:2] for w in ("ref", "ours")}
        out = {w: (rc, norm(o, e.dir)) for w, (rc, o) in out.items()}
        same(out)
        assert "Really shut the remote supervisord process down y/N? supervisor> 4.2.5" in out["ours"][1]
    finally:
        e.stop()


# --------------------------------------------------------------------------
# interactive mode through a pseudo-terminal

class Pty:
    """A program on a pseudo-terminal: send keys, wait for output."""

    def __init__(self, argv, env, cwd=None):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            try:
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.out = b""

    def read(self, timeout=0.2):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return
            if not data:
                return
            self.out += data

    def expect(self, text, timeout=20):
        if isinstance(text, str):
            text = text.encode()
        end = time.monotonic() + timeout
        while text not in self.out:
            if time.monotonic() > end:
                raise AssertionError("timed out waiting for %r; got %r" % (text, self.out))
            self.read(0.1)
        return self.out

    def expect_screen(self, text, timeout=20):
        """Wait until the current terminal line reads `text` (prompt
        included)."""
        end = time.monotonic() + timeout
        while screen(self.out) != text:
            if time.monotonic() > end:
                raise AssertionError("timed out waiting for the line %r; it is %r (raw %r)"
                                     % (text, screen(self.out), self.out))
            self.read(0.1)

    def send(self, keys):
        if keys[:1] in ("\x04", b"\x04"):
            # libedit prints the prompt before it turns canonical mode off:
            # a ^D typed in between is the line discipline's end of file,
            # which becomes a NUL once the mode changes. People type
            # slower than this.
            self.read(0.3)
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    def mark(self):
        """Forget what was read so far."""
        self.out = b""

    def close(self, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.read(0.2)  # what is still buffered
                os.close(self.fd)
                self.pid = 0
                return os.waitstatus_to_exitcode(status)
            self.read(0.05)
        self.kill()
        raise AssertionError("the program did not exit; output %r" % self.out)

    def kill(self):
        if self.pid > 0:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            os.close(self.fd)
            self.pid = 0


def screen(data):
    """The last line of a terminal after data: carriage returns,
    backspaces, libedit's cursor moves (ESC [ n G) and erases (ESC [ K)."""
    line, col = [], 0
    text = data.decode(errors="replace")
    i = 0
    while i < len(text):
        c = text[i]
        m = re.match(r"\x1b\[(\d*)([A-Za-z])", text[i:])
        if m:
            if m.group(2) == "G":
                col = int(m.group(1) or 1) - 1
            elif m.group(2) == "K":
                del line[col:]
            i += m.end()
            continue
        if c == "\x1b":  # another escape sequence: skip it
            i += 2
            continue
        if c == "\n":
            line, col = [], 0
        elif c == "\r":
            col = 0
        elif c == "\b":
            col = max(col - 1, 0)
        elif c >= " ":
            while len(line) < col:
                line.append(" ")
            if col < len(line):
                line[col] = c
            else:
                line.append(c)
            col += 1
        i += 1
    text = "".join(line)
    # libedit erases with spaces: what is past both the text and the
    # cursor is blank
    return text[:max(col, len(text.rstrip()))]


def start_shell(which, conf, home, *extra):
    return Pty([CTLS[which], "-c", conf] + list(extra), ctl_env(home))


@pytest.mark.parametrize("which", ["ours", "ref"])
def test_completion(env, which):
    env.reset(RUN)
    p = start_shell(which, env.conf, env.dir)
    try:
        p.expect("supervisor> ")
        # a command
        p.send("vers\t")
        p.expect_screen("supervisor> version ")
        p.send("\n")
        p.expect("4.2.5\r\n")
        p.expect_screen("supervisor> ")
        # a process: the common prefix of a group's names, then one
        p.send("stop gr\t")
        p.expect_screen("supervisor> stop grp:")
        p.send("ga\t")
        p.expect_screen("supervisor> stop grp:ga ")
        p.send("\x15")  # kill the line
        p.expect_screen("supervisor> ")
        # ambiguous: TAB TAB lists the candidates
        p.mark()
        p.send("start grp:\t\t")
        p.expect("grp:*")
        p.expect("grp:gb")
        p.send("\x15")
        p.expect_screen("supervisor> ")
        # a lone process name
        p.send("status ca\t")
        p.expect_screen("supervisor> status cat ")
        p.send("\n")
        p.expect("RUNNING")
        p.expect_screen("supervisor> ")
        # a group name (update, add, remove)
        p.send("remove hel\t")
        p.expect_screen("supervisor> remove hello ")
        p.send("\x15")
        p.expect_screen("supervisor> ")
        # nothing for a command without names
        p.send("version x\t")
        p.read(0.3)
        p.expect_screen("supervisor> version x")
        p.send("\x15")
        p.expect_screen("supervisor> ")
        # help completes command names
        p.send("help mainta\t")
        p.expect_screen("supervisor> help maintail ")
        p.send("\n")
        p.expect("maintail -f")
        p.expect_screen("supervisor> ")
        p.send("\x04")
        assert p.close() == 0
    finally:
        p.kill()


@pytest.mark.parametrize("which", ["ours", "ref"])
def test_history_across_sessions(env, which, tmp_path):
    hist = tmp_path / "history"
    conf = write_conf(tmp_path, "[supervisorctl]\nserverurl=unix://%s\nhistory_file=%s\n"
                      % (env.sock, hist))
    p = start_shell(which, conf, tmp_path)
    p.expect_screen("supervisor> ")
    p.send("version\n")
    p.expect("4.2.5")
    p.expect_screen("supervisor> ")
    p.send("status   cat\n")
    p.expect("cat ")
    p.expect_screen("supervisor> ")
    p.send("\x04")
    assert p.close() == 0
    # plain lines, as GNU readline writes them
    assert hist.read_text() == "version\nstatus   cat\n"
    p = start_shell(which, conf, tmp_path)
    p.expect_screen("supervisor> ")
    p.send("\x1b[A")
    p.expect_screen("supervisor> status   cat")
    p.send("\x1b[A")  # up, up: "version"
    p.expect_screen("supervisor> version")
    p.send("\n")
    p.expect("4.2.5\r\n")
    p.expect_screen("supervisor> ")
    p.send("\x04")
    assert p.close() == 0
    assert hist.read_text() == "version\nstatus   cat\nversion\n"


def test_history_option(env, tmp_path):
    # -r works in ours (Python 4.2.5 ignores it: a documented difference)
    hist = tmp_path / "h"
    p = start_shell("ours", env.conf, env.dir, "-r", str(hist))
    p.expect_screen("supervisor> ")
    p.send("version\n")
    p.expect("4.2.5")
    p.expect_screen("supervisor> ")
    p.send("\x04")
    assert p.close() == 0
    assert hist.read_text() == "version\n"


@pytest.mark.parametrize("which", ["ours", "ref"])
def test_ctrl_c(env, which):
    env.reset(RUN)
    p = start_shell(which, env.conf, env.dir)
    p.expect("supervisor> ")
    p.send("tail -f hello\n")
    p.expect("==> Press Ctrl-C to exit <==")
    p.read(0.5)
    p.send("\x03")
    p.expect("supervisor> ")
    p.mark()
    p.send("version\n")
    p.expect("4.2.5\r\nsupervisor> ")
    # at the prompt: an empty line, and the shell ends with status 0
    p.mark()
    p.send("\x03")
    assert p.close() == 0
    assert p.out.endswith(b"\r\n")


def test_ctrl_c_oneshot_tailf(env):
    env.reset(("hello",), clear=True)
    for which in ("ref", "ours"):
        p = Pty([CTLS[which], "-c", env.conf, "tail", "-f", "hello"], ctl_env(env.dir))
        p.expect("==> Press Ctrl-C to exit <==\r\n")
        p.expect("line2")
        p.send("\x03")
        assert p.close() == 0
        assert p.out.endswith(b"line2\r\n^C\r\n") or p.out.endswith(b"line2\r\n\r\n")


def test_tailf_streams_new_output(env):
    env.reset(("cat",), clear=True)
    p = Pty([CTL, "-c", env.conf, "tail", "-f", "cat"], ctl_env(env.dir))
    try:
        p.expect("==> Press Ctrl-C to exit <==\r\n")
        env.rpc().supervisor.sendProcessStdin("cat", "first line\n")
        p.expect("first line")
        env.rpc().supervisor.sendProcessStdin("cat", "second line\n")
        p.expect("second line")
        p.send("\x03")
        assert p.close() == 0
    finally:
        p.kill()


@pytest.mark.parametrize("impl", ["ours", "ref"])
def test_tailf_ends_when_the_daemon_goes(tmp_path, impl):
    # the stream closes under the client: Python's ends without a word
    out = {}
    for which in ("ref", "ours"):
        e = Env(tmp_path / which, impl).start()
        try:
            e.reset(("hello",))
            p = subprocess.Popen([CTLS[which], "-c", e.conf, "tail", "-f", "hello"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=ctl_env(e.dir))
            assert p.stdout.readline() == b"==> Press Ctrl-C to exit <==\n"
            while p.stdout.readline() not in (b"line2\n", b""):
                pass  # the stream is flowing
            e.rpc().supervisor.shutdown()
            stdout, stderr = p.communicate(timeout=30)
            out[which] = (p.returncode, stdout.decode(), stderr.decode())
        finally:
            e.stop()
    assert out["ours"] == out["ref"]


def test_maintail_follow(env):
    env.reset()
    p = Pty([CTL, "-c", env.conf, "maintail", "-f"], ctl_env(env.dir))
    p.expect("==> Press Ctrl-C to exit <==\r\n")
    env.rpc().supervisor.startProcess("cat")
    p.expect("spawned: 'cat'")
    p.send("\x03")
    assert p.close() == 0


@pytest.mark.parametrize("which", ["ours", "ref"])
def test_fg(env, which):
    env.reset(("cat",), clear=True)
    p = start_shell(which, env.conf, env.dir)
    p.expect("supervisor> ")
    p.send("fg cat\n")
    p.expect("==> Press Ctrl-C to exit <==\r\n")
    p.read(0.3)
    p.send("ping\n")
    # the terminal echoes the line, then cat's output comes back
    wait_for(lambda: (p.read(0.1), p.out.count(b"ping") >= 2)[1], what="cat's echo")
    p.send("\x03")
    p.expect("Exiting foreground")
    p.expect("supervisor> ")
    # the process gone while in the foreground
    p.mark()
    p.send("fg cat\n")
    p.expect("==> Press Ctrl-C to exit <==\r\n")
    p.read(0.3)
    env.rpc().supervisor.stopProcess("cat")
    p.send("x\n")
    p.expect("Process got killed")
    p.expect("Exiting foreground")
    p.expect_screen("supervisor> ")
    if which == "ref":
        p.kill()  # Python's fg thread outlives the command: it never exits
        return
    p.send("\x04")
    assert p.close() == 0


@pytest.mark.parametrize("which", ["ours", "ref"])
def test_auth_prompt(auth_env, which):
    p = start_shell(which, auth_env.conf, auth_env.dir)
    p.expect("Server requires authentication\r\n")
    p.expect("Username:")
    p.send("user\n")
    p.expect("Password:")
    p.send("s3cret\n")
    p.expect("supervisor> ")
    assert b"s3cret" not in p.out  # not echoed
    assert re.search(rb"cat +STOPPED", p.out)
    p.mark()
    p.send("version\n")
    p.expect("4.2.5\r\n")
    p.expect_screen("supervisor> ")
    p.send("\x04")
    assert p.close() == 0


# --------------------------------------------------------------------------
# ctl plugins

PLUGIN_SRC = r"""
#include <csupervisor/plugin.h>
#include <string.h>

static int
hello(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	const char *greeting = ud;
	sup_ctl_printf(ctl, "%s", greeting);
	for (int i = 1; i < argc; i++)
		sup_ctl_printf(ctl, " %s", argv[i]);
	sup_ctl_printf(ctl, "\n");
	sup_value *pid = NULL;
	int rc = sup_api_->ctl_call(ctl, "supervisor.getPID", NULL, &pid, NULL);
	if (rc != 0)
		return SUP_ERR;
	int64_t v = 0;
	sup_api_->get_int(pid, &v);
	sup_api_->unref(pid);
	sup_ctl_printf(ctl, "daemon pid %lld\n", (long long)v);
	sup_api_->ctl_set_status(ctl, argc - 1);
	return SUP_OK;
}

static void
complete_words(sup_ctl *ctl, int argc, char **argv, const char *word, void *ud)
{
	(void)argc, (void)argv, (void)word, (void)ud;
	sup_api_->ctl_match(ctl, "world");
	sup_api_->ctl_match(ctl, "wide");
	sup_api_->ctl_match(ctl, "other");
}

static int
fail(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argc, (void)argv, (void)ud;
	return sup_ctl_error(ctl, "it went wrong");
}

static int
bye(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argc, (void)argv, (void)ud;
	sup_ctl_printf(ctl, "bye\n");
	return SUP_CTL_QUIT;
}

static const struct sup_command cmds[] = {
	{"hello", hello, "hello <word> ...", "hello <word> ...\tGreet the words", SUP_COMPLETE_CUSTOM, complete_words},
	{"hgroup", hello, NULL, NULL, SUP_COMPLETE_GROUP, NULL},
	{"fail", fail, "fail", NULL, SUP_COMPLETE_NONE, NULL},
	{"bye", bye, "bye", NULL, SUP_COMPLETE_NONE, NULL},
#ifdef DUPLICATE
	{"status", hello, NULL, NULL, SUP_COMPLETE_NONE, NULL},
#endif
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {"greeting", NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	const char *g = sup_api_->config_get(cfg, "greeting");
	return sup_ctl_commands(p, cmds, (void *)(g ? g : "hello"));
}

SUP_PLUGIN_DEFINE(ctltest, SUP_KIND_CTL, "1.0", init, NULL)
"""


def build_plugin(directory, name="ctltest", defines=()):
    directory.mkdir(exist_ok=True)
    src = directory / "ctltest.c"
    src.write_text(PLUGIN_SRC)
    so = directory / (name + ".so")
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fPIC", "-fvisibility=hidden",
                    "-shared", "-Wl,-z,defs", "-I", str(SRCDIR / "sdk" / "include")]
                   + ["-D" + d for d in defines] + ["-o", str(so), str(src)], check=True)
    os.chmod(so, 0o755)
    return so


@pytest.fixture(scope="module")
def plugin_so(tmp_path_factory):
    return build_plugin(tmp_path_factory.mktemp("plugin"))


def plugin_conf(tmp_path, env, so, extra=""):
    return write_conf(tmp_path, "[supervisorctl]\nserverurl=unix://%s\n\n"
                      "[ctlplugin:mine]\nsupervisor.ctl_factory = %s\n%s" % (env.sock, so, extra))


def test_plugin_commands(env, plugin_so, tmp_path):
    conf = plugin_conf(tmp_path, env, plugin_so, "greeting = hi there\n")
    pid = env.rpc().supervisor.getPID()
    rc, out, err = run_ctl("ours", ["-c", conf, "hello", "a", "b"], tmp_path)
    assert (rc, out, err) == (2, "hi there a b\ndaemon pid %d\n" % pid, "")
    rc, out, _ = run_ctl("ours", ["-c", conf, "fail"], tmp_path)
    assert (rc, out) == (1, "error: it went wrong\n")
    rc, out, _ = run_ctl("ours", ["-c", conf, "help"], tmp_path)
    assert rc == 0
    assert out.endswith("\nmine commands (type help <topic>):\n"
                        "==================================\n"
                        "bye  fail  hello\n\n")
    assert out.startswith("\ndefault commands (type help <topic>):\n")
    rc, out, _ = run_ctl("ours", ["-c", conf, "help", "hello"], tmp_path)
    assert out == "*** No help on hello\nhello <word> ...\tGreet the words\n"
    rc, out, _ = run_ctl("ours", ["-c", conf, "help", "status"], tmp_path)
    assert out.startswith("status <name>") and out.endswith("*** No help on status\n")
    rc, out, _ = run_ctl("ours", ["-c", conf, "help", "hgroup"], tmp_path)
    assert out == "*** No help on hgroup\n*** No help on hgroup\n"
    # a plugin command ends a piped session
    rc, out, _ = run_ctl("ours", ["-c", conf], tmp_path, stdin="bye\nversion\n")
    assert rc == 0 and out.endswith("supervisor> bye\n") and "4.2.5" not in out


def test_plugin_completion(env, plugin_so, tmp_path):
    env.reset(RUN)
    conf = plugin_conf(tmp_path, env, plugin_so)
    p = start_shell("ours", conf, tmp_path)
    try:
        p.expect_screen("supervisor> ")
        p.send("hel\t")  # help, hello
        p.expect_screen("supervisor> hel")
        p.send("lo\t")
        p.expect_screen("supervisor> hello ")
        p.send("o\t")
        p.expect_screen("supervisor> hello other ")
        p.send("w\t")
        p.expect_screen("supervisor> hello other w")
        p.mark()
        p.send("\t\t")
        p.expect("wide")
        p.expect("world")
        p.send("o\t")
        p.expect_screen("supervisor> hello other world ")
        p.send("\x15hgroup gr\t")
        p.expect_screen("supervisor> hgroup grp ")
        p.send("\x15")
        p.expect_screen("supervisor> ")
        p.send("\x04")
        assert p.close() == 0
    finally:
        p.kill()


def test_plugin_load_errors(env, plugin_so, tmp_path):
    dup = build_plugin(tmp_path / "dup", "dup", ["DUPLICATE"])
    conf = plugin_conf(tmp_path, env, dup)
    rc, out, err = run_ctl("ours", ["-c", conf, "version"], tmp_path)
    assert rc == 2 and out == ""
    assert err == ("Error: [ctlplugin:mine] plugin %s: command 'status' is already defined by "
                   "plugin 'default'\nFor help, use %s -h\n" % (dup, CTL))
    # the same plugin twice: its commands clash with themselves
    conf = write_conf(tmp_path, "[supervisorctl]\n[ctlplugin:one]\nsupervisor.ctl_factory = %s\n"
                      "[ctlplugin:two]\nsupervisor.ctl_factory = %s\n" % (plugin_so, plugin_so))
    rc, out, err = run_ctl("ours", ["-c", conf, "version"], tmp_path)
    assert rc == 2 and "[ctlplugin:two]" in err and "already defined by plugin 'one'" in err
    conf = plugin_conf(tmp_path, env, plugin_so, "colour = blue\n")
    rc, out, err = run_ctl("ours", ["-c", conf, "version"], tmp_path)
    assert rc == 2 and "unknown key 'colour'" in err
    conf = plugin_conf(tmp_path, env, tmp_path / "nosuch.so")
    rc, out, err = run_ctl("ours", ["-c", conf, "version"], tmp_path)
    assert rc == 2 and "cannot load" in err
    # a bare name is looked up in the plugin directory
    env_vars = dict(ctl_env(tmp_path), CSUP_PLUGIN_DIR=str(plugin_so.parent))
    conf = plugin_conf(tmp_path, env, "ctltest")
    p = subprocess.run([CTL, "-c", conf, "hello"], capture_output=True, text=True, env=env_vars)
    assert p.returncode == 0 and p.stdout.startswith("hello\n")
