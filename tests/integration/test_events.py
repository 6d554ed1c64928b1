"""Events and event listener pools (docs: /work/shared/spec/events.md).

Listeners are (a) written against Debian's supervisor.childutils
(progs/events_listener.py) and (b) plain bash (progs/events_listener.sh).
What they receive is checked against events.md and, for deterministic
scenarios, against what Debian's /usr/bin/supervisord sends for the same
configuration (serials, pids and timestamps normalised).
"""
import json
import os
import re
import time
import xmlrpc.client

import pytest

from conftest import SUPERVISORD, REF_SUPERVISORD
from daemon_util import Supervisord, wait_for, PROGS, PY, TIMEOUT
from test_rpc import UnixTransport

LISTENER = "%s %s" % (PY, PROGS / "events_listener.py")
SH_LISTENER = str(PROGS / "events_listener.sh")

IMPLS = {"ours": SUPERVISORD, "ref": REF_SUPERVISORD}

HEADER_RE = re.compile(r"ver:3\.0 server:(\S+) serial:(\d+) pool:(\S+) "
                       r"poolserial:(\d+) eventname:([A-Z0-9_]+) len:(\d+)")


def have_reference():
    return os.access(REF_SUPERVISORD, os.X_OK)


def start(sups, tmp_path, name, body, impl="ours", supervisord="identifier=testid", loglevel="debug"):
    sup = Supervisord(tmp_path / name, body, supervisord, binary=IMPLS[impl], loglevel=loglevel)
    sups.append(sup)
    sup.start()
    return sup


def records(path):
    """Events a childutils listener recorded: [(headers, payload)]."""
    try:
        text = open(path).read()
    except FileNotFoundError:
        return []
    out = []
    for line in text.splitlines():
        d = json.loads(line)
        out.append((d["headers"], d["payload"]))
    return out


def wait_records(path, pred, what):
    return wait_for(lambda: pred(records(path)) and records(path), what=what)


def names(recs, prefix=""):
    return [h["eventname"] for h, _ in recs if h["eventname"].startswith(prefix)]


def normalise(payload):
    return re.sub(r"pid:\d+", "pid:N", payload)


def proc_events(recs, proc):
    """(eventname, payload) of the PROCESS_STATE events of one process."""
    return [(h["eventname"], normalise(p)) for h, p in recs
            if h["eventname"].startswith("PROCESS_STATE")
            and p.startswith("processname:%s " % proc)]


# --------------------------------------------------------------------------
# envelope and payloads

def run_lifecycle(sups, tmp_path, impl):
    rec = tmp_path / ("%s.jsonl" % impl)
    body = """
[eventlistener:lis]
command=%s %s
events=EVENT
buffer_size=50

[program:prog]
command=/bin/sh -c 'sleep 1.3; exit 3'
startsecs=1
exitcodes=3
autorestart=false

[program:bad]
command=/bin/false
startsecs=1
startretries=1
""" % (LISTENER, rec)
    sup = start(sups, tmp_path, impl, body, impl)
    wait_records(rec, lambda r: ("PROCESS_STATE_EXITED" in names(r)
                                 and "PROCESS_STATE_FATAL" in names(r)),
                 "EXITED and FATAL events")
    sup.stop()
    return records(rec)


def test_lifecycle_events(sups, tmp_path):
    recs = run_lifecycle(sups, tmp_path, "ours")
    for h, p in recs:
        assert h["ver"] == "3.0" and h["server"] == "testid" and h["pool"] == "lis"
        assert int(h["len"]) == len(p)
    serials = [int(h["serial"]) for h, _ in recs]
    assert serials == sorted(serials)
    evs = names(recs)
    # startup: the groups, then the daemon is RUNNING, then the starts
    assert evs.index("SUPERVISOR_STATE_CHANGE_RUNNING") < evs.index("PROCESS_STATE_STARTING")
    assert ("PROCESS_GROUP_ADDED", "groupname:prog\n") in [(h["eventname"], p) for h, p in recs]
    assert proc_events(recs, "prog") == [
        ("PROCESS_STATE_STARTING", "processname:prog groupname:prog from_state:STOPPED tries:0"),
        ("PROCESS_STATE_RUNNING", "processname:prog groupname:prog from_state:STARTING pid:N"),
        ("PROCESS_STATE_EXITED", "processname:prog groupname:prog from_state:RUNNING expected:1 pid:N"),
    ]
    assert proc_events(recs, "bad") == [
        ("PROCESS_STATE_STARTING", "processname:bad groupname:bad from_state:STOPPED tries:0"),
        ("PROCESS_STATE_BACKOFF", "processname:bad groupname:bad from_state:STARTING tries:1"),
        ("PROCESS_STATE_STARTING", "processname:bad groupname:bad from_state:BACKOFF tries:1"),
        ("PROCESS_STATE_BACKOFF", "processname:bad groupname:bad from_state:STARTING tries:2"),
        ("PROCESS_STATE_FATAL", "processname:bad groupname:bad from_state:BACKOFF"),
    ]
    # the real pid of prog
    sup = sups[0]
    pid = sup.spawned_pids("prog")[0]
    running = [p for h, p in recs if h["eventname"] == "PROCESS_STATE_RUNNING" and "prog" in p]
    assert running[0].endswith("pid:%d" % pid)


@pytest.mark.skipif(not have_reference(), reason="reference supervisord not installed")
def test_lifecycle_events_match_reference(sups, tmp_path):
    ours = run_lifecycle(sups, tmp_path, "ours")
    ref = run_lifecycle(sups, tmp_path, "ref")
    for proc in ("prog", "bad"):
        assert proc_events(ours, proc) == proc_events(ref, proc)
    first = lambda recs: [n for n in names(recs) if not n.startswith("PROCESS_STATE")
                          and not n.startswith("TICK")][:1]
    assert "SUPERVISOR_STATE_CHANGE_RUNNING" in names(ours)
    assert "SUPERVISOR_STATE_CHANGE_RUNNING" in names(ref)
    assert first(ours) == first(ref) == ["PROCESS_GROUP_ADDED"]


def test_shell_listener_envelope(sups, tmp_path):
    """A bash listener (printf READY; read header; read -N len) gets exact
    envelopes; poolserials count from 0 per pool."""
    out = tmp_path / "sh.txt"
    body = """
[eventlistener:shl]
command=%s %s
events=PROCESS_STATE_RUNNING,PROCESS_GROUP_ADDED

[program:prog]
command=/bin/sleep 30
startsecs=0
""" % (SH_LISTENER, out)
    sup = start(sups, tmp_path, "sh", body)

    def parse():
        try:
            text = out.read_text()
        except FileNotFoundError:
            return []
        evs = []
        for chunk in text.split("\n--END--\n")[:-1]:
            header, _, payload = chunk.partition("\n")
            m = HEADER_RE.fullmatch(header)
            assert m, header
            evs.append((m.groups(), payload))
        return evs
    evs = wait_for(lambda: len(parse()) >= 3 and parse(), what="3 events")
    groups = [e[0] for e in evs]
    assert [g[4] for g in groups[:3]] == ["PROCESS_GROUP_ADDED", "PROCESS_GROUP_ADDED",
                                          "PROCESS_STATE_RUNNING"]
    assert [g[3] for g in groups[:3]] == ["0", "1", "2"]
    assert all(g[0] == "testid" and g[2] == "shl" for g in groups)
    assert evs[0][1] == "groupname:shl\n"
    assert evs[1][1] == "groupname:prog\n"
    pid = sup.spawned_pids("prog")[0]
    assert evs[2][1] == "processname:prog groupname:prog from_state:STARTING pid:%d" % pid
    for g, payload in evs:
        assert int(g[5]) == len(payload)
    sup.stop()


def test_tick_5(sups, tmp_path):
    rec = tmp_path / "tick.jsonl"
    body = """
[eventlistener:tick]
command=%s %s
events=TICK_5
startsecs=0
""" % (LISTENER, rec)
    sup = start(sups, tmp_path, "tick", body, loglevel="info")
    t0 = time.time()
    recs = wait_records(rec, lambda r: len(r) >= 1, "a TICK_5")
    h, p = recs[0]
    assert h["eventname"] == "TICK_5"
    when = int(p.split(":")[1])
    assert when % 5 == 0 and t0 - 6 <= when <= time.time()
    sup.stop()


def test_log_and_communication_events(sups, tmp_path):
    rec = tmp_path / "out.jsonl"
    body = """
[eventlistener:lis]
command=%s %s
events=PROCESS_LOG,PROCESS_COMMUNICATION
startsecs=0

[program:talker]
command=%s -c "import sys,time; time.sleep(1.5); sys.stdout.write('plain line\\n<!--XSUPERVISOR:BEGIN-->captured data<!--XSUPERVISOR:END-->after the end, a longer line\\n'); sys.stdout.flush(); time.sleep(30)"
stdout_events_enabled=true
stdout_capture_maxbytes=1MB
stdout_logfile=@DIR@/talker.log
startsecs=0
""" % (LISTENER, rec, PY)
    sup = start(sups, tmp_path, "comm", body)
    recs = wait_records(rec, lambda r: len(r) >= 4, "4 output events")
    pid = sup.spawned_pids("talker")[0]
    head = "processname:talker groupname:talker pid:%d" % pid
    assert [(h["eventname"], p) for h, p in recs[:4]] == [
        ("PROCESS_LOG_STDOUT", head + " channel:stdout\nplain line\n"),
        ("PROCESS_LOG_STDOUT", head + " channel:stdout\ncaptured data"),
        ("PROCESS_COMMUNICATION_STDOUT", head + "\ncaptured data"),
        ("PROCESS_LOG_STDOUT", head + " channel:stdout\nafter the end, a longer line\n"),
    ]
    # the tokens and the captured text are not in the log
    assert (sup.dir / "talker.log").read_text() == "plain line\nafter the end, a longer line\n"
    sup.wait_log("'talker' stdout emitted a comm event", level="DEBG")
    sup.stop()


def test_remote_communication(sups, tmp_path):
    rec = tmp_path / "remote.jsonl"
    body = """
[unix_http_server]
file=@DIR@/sup.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[eventlistener:lis]
command=%s %s
events=REMOTE_COMMUNICATION,PROCESS_GROUP
startsecs=0
""" % (LISTENER, rec)
    sup = start(sups, tmp_path, "remote", body)
    proxy = xmlrpc.client.ServerProxy("http://localhost",
                                      transport=UnixTransport(str(sup.dir / "sup.sock")))
    s = wait_for(lambda: _try(lambda: proxy.supervisor.getPID()) and proxy.supervisor,
                 what="the RPC server")
    assert s.sendRemoteCommEvent("mytype", "hello\nw\u00f6rld") is True
    recs = wait_records(rec, lambda r: "REMOTE_COMMUNICATION" in names(r), "REMOTE_COMMUNICATION")
    (h, p), = [r for r in recs if r[0]["eventname"] == "REMOTE_COMMUNICATION"]
    assert p == "type:mytype\nhello\nw\u00f6rld"
    assert int(h["len"]) == len(p)  # characters, not bytes
    sup.stop()


def _try(fn):
    try:
        return fn()
    except OSError:
        return None


# --------------------------------------------------------------------------
# the pool: buffering, rejection, crashes, protocol violations

def test_buffer_overflow(sups, tmp_path):
    rec = tmp_path / "slow.jsonl"
    body = """
[eventlistener:slow]
command=%s %s slow
events=PROCESS_STATE
buffer_size=1

[program:a]
command=/bin/sleep 30
startsecs=0
[program:b]
command=/bin/sleep 30
startsecs=0
""" % (LISTENER, rec)
    sup = start(sups, tmp_path, "overflow", body)
    lines = sup.wait_log(re.compile(r"pool slow event buffer overflowed, discarding event \d+"),
                         level="ERRO")
    assert lines
    wait_records(rec, lambda r: len(r) >= 1, "an event")
    sup.stop()


@pytest.mark.skipif(not have_reference(), reason="reference supervisord not installed")
def test_buffer_overflow_reference(sups, tmp_path):
    rec = tmp_path / "slowref.jsonl"
    body = """
[eventlistener:slow]
command=%s %s slow
events=PROCESS_STATE
buffer_size=1

[program:a]
command=/bin/sleep 30
startsecs=0
[program:b]
command=/bin/sleep 30
startsecs=0
""" % (LISTENER, rec)
    sup = start(sups, tmp_path, "overflowref", body, "ref")
    sup.wait_log(re.compile(r"pool slow event buffer overflowed, discarding event \d+"), level="ERRO")
    sup.stop()


def test_rejected_event_is_sent_again(sups, tmp_path):
    rec = tmp_path / "fail.jsonl"
    body = """
[eventlistener:failer]
command=%s %s failfirst
events=SUPERVISOR_STATE_CHANGE_RUNNING
startsecs=0
""" % (LISTENER, rec)
    sup = start(sups, tmp_path, "fail", body)
    recs = wait_records(rec, lambda r: len(r) >= 2, "the event twice")
    assert recs[0] == recs[1]
    assert recs[0][0]["eventname"] == "SUPERVISOR_STATE_CHANGE_RUNNING"
    sup.wait_log("failer: event was rejected", level="WARN")
    sup.wait_log(re.compile(r"rebuffering event \d+ for pool failer \(buf size=\d+, max=10\)"))
    sup.stop()


def test_crashed_listener_gets_event_again(sups, tmp_path):
    rec = tmp_path / "crash.jsonl"
    body = """
[eventlistener:crasher]
command=%s %s crashfirst
events=SUPERVISOR_STATE_CHANGE_RUNNING
startsecs=0
""" % (LISTENER, rec)
    sup = start(sups, tmp_path, "crash", body)
    wait_for(lambda: len(records(rec)) >= 2, what="the event after the restart")
    recs = records(rec)
    pids = [json.loads(l)["pid"] for l in open(rec)]
    assert pids[0] != pids[1]
    assert recs[0] == recs[1]
    assert len(sup.spawned_pids("crasher")) >= 2
    sup.stop()


def test_garbage_listener_does_not_stall(sups, tmp_path):
    rec = tmp_path / "good.jsonl"
    rec2 = tmp_path / "mix.jsonl"
    body = """
[eventlistener:bad]
command=/bin/sh -c 'printf "HELLO THERE\\n"; exec sleep 60'
events=PROCESS_STATE
startsecs=0

[eventlistener:good]
command=%s %s
events=PROCESS_STATE_RUNNING
startsecs=0

[eventlistener:mix]
command=/bin/sh -c 'if [ %%(process_num)d = 0 ]; then printf "garbage!"; exec sleep 60; else exec %s %s; fi'
process_name=mix_%%(process_num)d
numprocs=2
events=PROCESS_STATE_RUNNING
startsecs=0

[program:prog]
command=/bin/sleep 30
startsecs=1
""" % (LISTENER, rec, LISTENER, rec2)
    sup = start(sups, tmp_path, "garbage", body)
    sup.wait_log("bad: has entered the UNKNOWN state and will no longer receive events, "
                 "this usually indicates the process violated the eventlistener protocol",
                 level="WARN")
    sup.wait_log("mix_0: ACKNOWLEDGED -> UNKNOWN", level="DEBG")
    for r in (rec, rec2):
        wait_records(r, lambda x: any("processname:prog " in p for _, p in x), "prog RUNNING")
    sup.stop()


# ---- result_handler
# Supervisor imports result_handler= as a Python entry point. A C daemon
# cannot run Python, so only the default (the OK/FAIL protocol built in)
# loads; any other value is refused at load time with the message
# Supervisor gives an unresolvable entry point, as for rpcinterface
# factories (test_config_errors.py has the unresolvable case).

def test_result_handler_default_written_out(sups, tmp_path):
    rec = tmp_path / "default.jsonl"
    body = """
[eventlistener:lis]
command=%s %s
events=SUPERVISOR_STATE_CHANGE
result_handler = supervisor.dispatchers:default_handler
startsecs=0
""" % (LISTENER, rec)
    sup = start(sups, tmp_path, "default_handler", body)
    wait_records(rec, lambda r: "SUPERVISOR_STATE_CHANGE_RUNNING" in names(r),
                 "SUPERVISOR_STATE_CHANGE_RUNNING")
    sup.stop()


@pytest.mark.parametrize("impl", ["ours", "ref"])
def test_result_handler_python_callable(sups, tmp_path, impl):
    """A resolvable Python callable: the reference runs it, we refuse the
    configuration (exit 2) rather than silently use the default."""
    if impl == "ref" and not have_reference():
        pytest.skip("no reference supervisord")
    body = """
[eventlistener:lis]
command=/bin/cat
events=TICK_5
result_handler=os:getcwd
"""
    sup = start(sups, tmp_path, "custom_handler", body, impl=impl)
    if impl == "ref":
        sup.wait_log("supervisord started with pid %d" % sup.pid)
        sup.stop()
        return
    assert sup.proc.wait(TIMEOUT) == 2
    assert sup.stderr_path.read_text().split("\n")[0] == \
        "Error: os:getcwd cannot be resolved within [eventlistener:lis]"
