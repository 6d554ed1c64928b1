"""The `supervisor` XML-RPC namespace (plugins/default) and system.*, over
the wire: Python's xmlrpc.client against a real daemon, over its UNIX socket
and over TCP.

Every behavioural test is parametrized over `impl`: "ours"
(conftest.SUPERVISORD) and "ref" (Debian's Supervisor 4.2.5,
conftest.REF_SUPERVISORD; skipped when not installed), with the same
configuration and the same exact expectations, so the expectations
themselves are checked against Supervisor. Tests of what only csupervisor
does (its own help texts, BAD_ARGUMENTS for wrongly typed arguments where
Supervisor answers HTTP 500, ) run on ours only.

Expected values: rpc.md §4-§11 (Supervisor 4.2.5).

Run:  CSUP_BUILDDIR=build /usr/bin/python3 -m pytest tests/integration/test_rpc.py -q
"""
import http.client
import re
import socket
import threading
import time
import xmlrpc.client

import pytest

from conftest import SUPERVISORD, REF_SUPERVISORD
from daemon_util import Supervisord, TIMEOUT, have_reference, proc_state, wait_for

IMPLS = {"ours": SUPERVISORD, "ref": REF_SUPERVISORD}

ALL_METHODS = [
    "supervisor.addProcessGroup", "supervisor.clearAllProcessLogs", "supervisor.clearLog",
    "supervisor.clearProcessLog", "supervisor.clearProcessLogs", "supervisor.getAPIVersion",
    "supervisor.getAllConfigInfo", "supervisor.getAllProcessInfo", "supervisor.getIdentification",
    "supervisor.getPID", "supervisor.getProcessInfo", "supervisor.getState",
    "supervisor.getSupervisorVersion", "supervisor.getVersion", "supervisor.readLog",
    "supervisor.readMainLog", "supervisor.readProcessLog", "supervisor.readProcessStderrLog",
    "supervisor.readProcessStdoutLog", "supervisor.reloadConfig", "supervisor.removeProcessGroup",
    "supervisor.restart", "supervisor.sendProcessStdin", "supervisor.sendRemoteCommEvent",
    "supervisor.shutdown", "supervisor.signalAllProcesses", "supervisor.signalProcess",
    "supervisor.signalProcessGroup", "supervisor.startAllProcesses", "supervisor.startProcess",
    "supervisor.startProcessGroup", "supervisor.stopAllProcesses", "supervisor.stopProcess",
    "supervisor.stopProcessGroup", "supervisor.tailProcessLog", "supervisor.tailProcessStderrLog",
    "supervisor.tailProcessStdoutLog", "system.listMethods", "system.methodHelp",
    "system.methodSignature", "system.multicall",
]

S, I, B, A, ST = "string", "int", "boolean", "array", "struct"
SIGNATURES = {
    "getAPIVersion": [S], "getVersion": [S], "getSupervisorVersion": [S],
    "getIdentification": [S], "getState": [ST], "getPID": [I],
    "readLog": [S, I, I], "readMainLog": [S, I, I], "clearLog": [B],
    "shutdown": [B], "restart": [B], "reloadConfig": [A],
    "addProcessGroup": [B, S], "removeProcessGroup": [B, S],
    "startProcess": [B, S, B], "startProcessGroup": [A, S, B], "startAllProcesses": [A, B],
    "stopProcess": [B, S, B], "stopProcessGroup": [A, S, B], "stopAllProcesses": [A, B],
    "signalProcess": [B, S, S], "signalProcessGroup": [A, S, S], "signalAllProcesses": [A, S],
    "getAllConfigInfo": [A], "getProcessInfo": [ST, S], "getAllProcessInfo": [A],
    "readProcessStdoutLog": [S, S, I, I], "readProcessLog": [S, S, I, I],
    "readProcessStderrLog": [S, S, I, I],
    "tailProcessStdoutLog": [A, S, I, I], "tailProcessLog": [A, S, I, I],
    "tailProcessStderrLog": [A, S, I, I],
    "clearProcessLogs": [B, S], "clearProcessLog": [B, S], "clearAllProcessLogs": [A],
    "sendProcessStdin": [B, S, S], "sendRemoteCommEvent": [B, S, S],
}
SYSTEM_SIGNATURES = {
    "system.listMethods": [A], "system.methodHelp": [S, S],
    "system.methodSignature": [A, S], "system.multicall": [A, A],
}

INFO_TYPES = {
    "name": str, "group": str, "start": int, "stop": int, "now": int, "state": int,
    "statename": str, "spawnerr": str, "exitstatus": int, "logfile": str,
    "stdout_logfile": str, "stderr_logfile": str, "pid": int, "description": str,
}

# Programs of the common configuration. Everything is started by the tests.
# grp's priorities make the group order gb, ga (config order is ga, gb).
BODY = """
[unix_http_server]
file=@DIR@/sup.sock

[inet_http_server]
port=127.0.0.1:@PORT@

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[group:grp]
programs=ga,gb

[program:ga]
command=sleep 1000
priority=20
autostart=false
startsecs=0

[program:gb]
command=sleep 1000
priority=10
autostart=false
startsecs=0

[program:hello]
command=sh -c 'printf "hello world\\n"; printf "oops\\n" >&2; exec sleep 1000'
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

[program:nofile]
command=/nonexistent/x
autostart=false

[program:isdir]
command=@DIR@
autostart=false

[program:cat]
command=cat
stdout_logfile=@DIR@/cat.out
autostart=false
startsecs=0

[program:trapper]
command=sh -c 'trap "echo got USR1" USR1; trap "echo got HUP" HUP; echo ready; while :; do sleep 0.1; done'
stdout_logfile=@DIR@/trap.out
autostart=false
startsecs=0

[program:unstarted]
command=sleep 1000
stdout_logfile=@DIR@/unstarted.out
autostart=false
"""

# getAllProcessInfo order: group name, then process name
ALL_NAMES = [("cat", "cat"), ("fast", "fast"), ("grp", "ga"), ("grp", "gb"), ("hello", "hello"),
             ("isdir", "isdir"), ("nofile", "nofile"), ("sleeper", "sleeper"),
             ("trapper", "trapper"), ("unstarted", "unstarted")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# transports

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


class UnixTransport(xmlrpc.client.Transport):
    """Like supervisor.xmlrpc.SupervisorTransport for unix:// URLs."""

    def __init__(self, path, timeout=TIMEOUT * 3):
        super().__init__()
        self.unix_path = path
        self.timeout = timeout

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        conn = UnixHTTPConnection(self.unix_path, self.timeout)
        self._connection = host, conn
        return conn


class TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout=TIMEOUT * 3):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


class Rpc:
    """A daemon with both HTTP servers, and proxies to it."""

    def __init__(self, sup, port, impl):
        self.sup = sup
        self.port = port
        self.impl = impl
        self.sock = str(sup.dir / "sup.sock")
        self.unix = self.proxy("unix")
        self.tcp = self.proxy("tcp")
        self.s = self.unix.supervisor

    def proxy(self, how="unix"):
        if how == "unix":
            return xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport(self.sock))
        return xmlrpc.client.ServerProxy("http://127.0.0.1:%d/RPC2" % self.port,
                                         transport=TimeoutTransport())

    def wait_ready(self):
        def ready():
            try:
                return self.proxy("unix").supervisor.getPID()
            except (OSError, http.client.HTTPException):
                if not self.sup.running():
                    raise AssertionError("daemon exited: %s" % self.sup.stderr_path.read_text())
                return None
        wait_for(ready, what="the RPC server")
        return self

    def state(self, name):
        return self.s.getProcessInfo(name)["statename"]

    def wait_state(self, name, statename):
        wait_for(lambda: self.state(name) == statename, what="%s to be %s" % (name, statename))


@pytest.fixture(params=["ours", "ref"])
def impl(request):
    if request.param == "ref" and not have_reference():
        pytest.skip("reference supervisord not installed")
    return request.param


@pytest.fixture
def make_rpc(tmp_path):
    made = []

    def make(impl, body=BODY, supervisord="identifier=testid", name=None):
        port = free_port()
        sup = Supervisord(tmp_path / (name or impl), body.replace("@PORT@", str(port)),
                          supervisord, binary=IMPLS[impl])
        made.append(sup)
        sup.start()
        return Rpc(sup, port, impl).wait_ready()
    yield make
    errors = []
    for sup in made:
        try:
            sup.kill()
        except AssertionError as e:
            errors.append(str(e))
        # sanitizer builds report on stderr
        stderr = sup.stderr_path.read_text(errors="replace")
        if "Sanitizer" in stderr or "runtime error" in stderr:
            errors.append(stderr)
    assert not errors, errors


@pytest.fixture
def rpc(make_rpc, impl):
    return make_rpc(impl)


def fault(fn, *args):
    """(faultCode, faultString) of a call that must fault."""
    with pytest.raises(xmlrpc.client.Fault) as e:
        fn(*args)
    return e.value.faultCode, e.value.faultString


def result(group, name, status=80, description="OK"):
    return {"name": name, "group": group, "status": status, "description": description}


def by_name(results):
    return sorted(results, key=lambda r: (r["group"], r["name"]))


def file_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode()
    except FileNotFoundError:
        return ""


def wait_file_text(path, text, count=1):
    return wait_for(lambda: file_text(path).count(text) >= count and file_text(path),
                    what="%d x %r in %s" % (count, text, path))


# --------------------------------------------------------------------------
# daemon information

def test_daemon_info(rpc):
    for proxy in (rpc.unix, rpc.tcp):
        s = proxy.supervisor
        assert s.getAPIVersion() == "3.0"
        assert s.getVersion() == "3.0"
        assert s.getSupervisorVersion() == "4.2.5"
        assert s.getIdentification() == "testid"
        assert s.getState() == {"statecode": 1, "statename": "RUNNING"}
        pid = s.getPID()
        assert type(pid) is int and pid == rpc.sup.pid


def test_default_identification(make_rpc, impl):
    assert make_rpc(impl, supervisord="").s.getIdentification() == "supervisor"


def test_send_remote_comm_event(rpc):
    # csupervisor: no REMOTE_COMMUNICATION event is emitted yet (no events)
    assert rpc.s.sendRemoteCommEvent("mytype", "some data") is True


# --------------------------------------------------------------------------
# system.*

def test_list_methods(rpc):
    assert rpc.unix.system.listMethods() == ALL_METHODS
    assert rpc.tcp.system.listMethods() == ALL_METHODS


def test_method_signatures(rpc):
    for name, sig in SIGNATURES.items():
        assert rpc.unix.system.methodSignature("supervisor." + name) == sig, name
    for name, sig in SYSTEM_SIGNATURES.items():
        assert rpc.unix.system.methodSignature(name) == sig, name
    assert fault(rpc.unix.system.methodSignature, "supervisor.nope") == (4, "SIGNATURE_UNSUPPORTED")


def test_method_help(rpc):
    for name in ALL_METHODS:
        help = rpc.unix.system.methodHelp(name)
        assert isinstance(help, str) and help.strip(), name
    assert fault(rpc.unix.system.methodHelp, "supervisor.nope") == (4, "SIGNATURE_UNSUPPORTED")


def test_method_help_texts_ours(make_rpc):
    rpc = make_rpc("ours")
    for name in ALL_METHODS:
        if name.startswith("supervisor."):
            assert "@return" in rpc.unix.system.methodHelp(name), name
    # aliases share their method's text
    h = rpc.unix.system.methodHelp
    assert h("supervisor.getVersion") == h("supervisor.getAPIVersion")
    assert h("supervisor.readMainLog") == h("supervisor.readLog")
    assert h("supervisor.readProcessLog") == h("supervisor.readProcessStdoutLog")
    assert h("supervisor.tailProcessLog") == h("supervisor.tailProcessStdoutLog")
    assert h("supervisor.clearProcessLog") == h("supervisor.clearProcessLogs")


def _post_raw(rpc, body):
    conn = UnixHTTPConnection(rpc.sock, TIMEOUT)
    conn.request("POST", "/RPC2", body, {"Content-Type": "text/xml"})
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.status


def _call_doc(param):
    return ("<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getPID</methodName>\n"
            "<params>\n<param><value>%s</value></param>\n</params>\n</methodCall>\n" % param).encode()


def test_malformed_requests(rpc):
    # each gets 400 ("XML-RPC request data ... is invalid") and the daemon
    # keeps serving
    bad = [b"not xml at all", b"<?xml version='1.0'?><methodCall><methodName>x",
           b"<methodCall>" * 5000, _call_doc("<array><data>" * 3000)]
    for body in bad:
        assert _post_raw(rpc, body) == 400, body[:60]
        assert rpc.s.getPID() == rpc.sup.pid
    # libxmlrpc 1.59 crashes on an <i8> that is not a plain integer: ours
    # refuses those before parsing (400); Python's int() takes "1  "
    for junk in ("1  ", "1x", "-", "99999999999999999999", "+"):
        status = _post_raw(rpc, _call_doc("<i8>%s</i8>" % junk))
        if rpc.impl == "ours":
            assert status == 400, junk
        assert rpc.s.getPID() == rpc.sup.pid, junk
    assert _post_raw(rpc, _call_doc("<i8>-9223372036854775808</i8>")) == 200


def test_dispatch_faults(rpc):
    p = rpc.unix
    assert fault(p.supervisor.nope) == (1, "UNKNOWN_METHOD")
    assert fault(getattr(p, "nope")) == (1, "UNKNOWN_METHOD")
    assert fault(getattr(p, "a.b.c")) == (1, "UNKNOWN_METHOD")
    assert fault(p.supervisor._update, "x") == (1, "UNKNOWN_METHOD")
    assert fault(p.nons.getPID) == (1, "UNKNOWN_METHOD")
    assert fault(p.supervisor.getPID, 1) == (2, "INCORRECT_PARAMETERS")
    assert fault(p.supervisor.getProcessInfo) == (2, "INCORRECT_PARAMETERS")
    assert fault(p.supervisor.startProcess, "sleeper", True, 3) == (2, "INCORRECT_PARAMETERS")
    assert fault(p.supervisor.readLog, 0) == (2, "INCORRECT_PARAMETERS")


def test_wrong_types_ours(make_rpc):
    # Supervisor answers HTTP 500 for most of these; csupervisor checks the
    # declared signature: BAD_ARGUMENTS
    rpc = make_rpc("ours")
    s = rpc.s
    assert fault(s.getProcessInfo, 1) == (3, "BAD_ARGUMENTS")
    assert fault(s.startProcess, ["x"]) == (3, "BAD_ARGUMENTS")
    assert fault(s.startProcess, "sleeper", "yes") == (3, "BAD_ARGUMENTS")
    assert fault(s.readProcessStdoutLog, 5, 0, 0) == (3, "BAD_ARGUMENTS")
    # offsets that are not numbers or numeric strings (Supervisor: 500)
    s.startProcess("hello")
    wait_for(lambda: file_text(rpc.sup.dir / "hello.out") == "hello world\n", what="hello.out")
    assert fault(s.readProcessStdoutLog, "hello", "x", 0) == (3, "BAD_ARGUMENTS")
    assert fault(s.tailProcessStdoutLog, "hello", 0, [1]) == (3, "BAD_ARGUMENTS")
    assert fault(s.readLog, "1.5", 0) == (3, "BAD_ARGUMENTS")


def test_multicall(rpc):
    calls = [
        {"methodName": "supervisor.getAPIVersion", "params": []},
        {"methodName": "supervisor.getProcessInfo", "params": ["nope"]},
        {"params": []},
        {"methodName": "system.multicall", "params": [[]]},
        {"methodName": "supervisor.startProcess", "params": ["sleeper"]},  # deferred
        {"methodName": "supervisor.getProcessInfo", "params": ["sleeper"]},
        {"methodName": "supervisor.getPID"},
        {"methodName": "supervisor.startProcessGroup", "params": ["grp"]},
        {"methodName": "supervisor.nope", "params": []},
    ]
    t0 = time.monotonic()
    r = rpc.unix.system.multicall(calls)
    assert time.monotonic() - t0 >= 0.9  # waited for sleeper's startsecs
    assert len(r) == len(calls)
    assert r[0] == "3.0"  # plain values, not wrapped in arrays (quirk)
    assert r[1] == {"faultCode": 10, "faultString": "BAD_NAME: nope"}
    assert r[2] == {"faultCode": 2, "faultString": "INCORRECT_PARAMETERS: No methodName"}
    assert r[3] == {"faultCode": 2,
                    "faultString": "INCORRECT_PARAMETERS: Recursive system.multicall forbidden"}
    assert r[4] is True
    assert r[5]["statename"] == "RUNNING"  # the deferred call finished first
    assert r[6] == rpc.sup.pid
    assert r[7] == [result("grp", "gb"), result("grp", "ga")]
    assert r[8] == {"faultCode": 1, "faultString": "UNKNOWN_METHOD"}


# --------------------------------------------------------------------------
# process information

def test_process_info(rpc):
    s = rpc.s
    d = str(rpc.sup.dir)
    info = s.getProcessInfo("hello")
    assert {k: type(v) for k, v in info.items()} == INFO_TYPES
    now = int(time.time())
    assert abs(info["now"] - now) <= 2
    assert info == {"name": "hello", "group": "hello", "start": 0, "stop": 0, "now": info["now"],
                    "state": 0, "statename": "STOPPED", "spawnerr": "", "exitstatus": 0,
                    "logfile": d + "/hello.out", "stdout_logfile": d + "/hello.out",
                    "stderr_logfile": d + "/hello.err", "pid": 0, "description": "Not started"}
    assert s.getProcessInfo("hello:hello") == dict(info, now=s.getProcessInfo("hello")["now"])
    sl = s.getProcessInfo("sleeper")
    assert (sl["logfile"], sl["stdout_logfile"], sl["stderr_logfile"]) == ("", "", "")
    ga = s.getProcessInfo("grp:ga")
    assert (ga["name"], ga["group"]) == ("ga", "grp")
    for bad in ("nope", "grp", "grp:", "grp:*", "grp:nope", "hello:", "hello:*", "ga", ":ga"):
        assert fault(s.getProcessInfo, bad) == (10, "BAD_NAME: " + bad)

    s.startProcess("hello")
    info = s.getProcessInfo("hello")
    assert info["statename"] == "RUNNING" and info["state"] == 20
    assert info["pid"] > 0 and info["start"] > 0
    assert re.fullmatch(r"pid %d, uptime 0:00:0\d" % info["pid"], info["description"])
    s.stopProcess("hello")
    info = s.getProcessInfo("hello")
    assert info["statename"] == "STOPPED" and info["pid"] == 0 and info["stop"] >= info["start"]
    assert time.strftime("%b %d %I:%M %p", time.localtime(info["stop"])) == info["description"]


def test_empty_name(rpc):
    # RPCError(BAD_NAME, "") renders as "BAD_NAME: " (an empty detail still
    # gets the separator)
    s = rpc.s
    assert fault(s.getProcessInfo, "") == (10, "BAD_NAME: ")
    assert fault(s.startProcess, "") == (10, "BAD_NAME: ")
    assert fault(s.stopProcessGroup, "") == (10, "BAD_NAME: ")
    assert fault(s.signalProcessGroup, "", "HUP") == (10, "BAD_NAME: ")
    assert fault(s.readProcessStdoutLog, "", 0, 0) == (10, "BAD_NAME: ")
    s.startProcess("sleeper", False)
    assert fault(s.signalProcess, "sleeper", "") == (11, "BAD_SIGNAL: ")
    assert fault(s.signalProcess, "sleeper", "  ") == (11, "BAD_SIGNAL:   ")


def test_all_process_info(rpc):
    all_info = rpc.s.getAllProcessInfo()
    assert [(i["group"], i["name"]) for i in all_info] == ALL_NAMES
    for i in all_info:
        assert {k: type(v) for k, v in i.items()} == INFO_TYPES
        assert i["statename"] == "STOPPED"


def normalise_config(infos, directory):
    out = []
    for i in infos:
        i = dict(i)
        for k in ("stdout_logfile", "stderr_logfile"):
            v = i[k].replace(str(directory), "@DIR@")
            i[k] = re.sub(r"-(stdout|stderr)---testid-\w+\.log$", r"-\1---testid-X.log", v)
        i["command"] = i["command"].replace(str(directory), "@DIR@")
        out.append(i)
    return out


def test_all_config_info(make_rpc, impl):
    rpc = make_rpc(impl)
    infos = rpc.s.getAllConfigInfo()
    assert [i["name"] for i in infos] == sorted(n for _, n in ALL_NAMES)
    ga = [i for i in infos if i["name"] == "ga"][0]
    assert ga["group"] == "grp" and ga["process_prio"] == 20 and ga["inuse"] is True
    assert ga["command"] == "sleep 1000" and ga["exitcodes"] == [0]
    assert ga["stopsignal"] == 15 and ga["autostart"] is False
    assert ga["directory"] == "none" and ga["uid"] == "none" and ga["serverurl"] == "none"
    sl = [i for i in infos if i["name"] == "sleeper"][0]
    assert sl["stdout_logfile"] == "none" and sl["startsecs"] == 1
    if impl == "ours" and have_reference():
        ref = make_rpc("ref", name="ref")
        assert normalise_config(infos, rpc.sup.dir) == \
            normalise_config(ref.s.getAllConfigInfo(), ref.sup.dir)


# --------------------------------------------------------------------------
# start / stop

def test_start_wait_and_stop(rpc):
    s = rpc.s
    t0 = time.monotonic()
    assert s.startProcess("sleeper") is True
    elapsed = time.monotonic() - t0
    assert elapsed >= 0.9, elapsed  # answered after startsecs=1
    assert rpc.state("sleeper") == "RUNNING"
    assert fault(s.startProcess, "sleeper") == (60, "ALREADY_STARTED: sleeper")
    assert fault(s.startProcess, "sleeper:sleeper") == (60, "ALREADY_STARTED: sleeper:sleeper")
    pid = s.getProcessInfo("sleeper")["pid"]
    assert rpc.tcp.supervisor.stopProcess("sleeper") is True  # deferred, over TCP
    info = s.getProcessInfo("sleeper")
    assert info["statename"] == "STOPPED" and info["pid"] == 0
    wait_for(lambda: not _alive(pid), what="sleeper gone")
    assert fault(s.stopProcess, "sleeper") == (70, "NOT_RUNNING: sleeper")
    assert fault(s.stopProcess, "sleeper:sleeper") == (70, "NOT_RUNNING: sleeper:sleeper")

    # without waiting: answered at once, still STARTING
    t0 = time.monotonic()
    assert s.startProcess("sleeper", False) is True
    assert time.monotonic() - t0 < 0.9
    assert rpc.state("sleeper") == "STARTING"
    rpc.wait_state("sleeper", "RUNNING")
    assert s.stopProcess("sleeper", False) is True
    assert rpc.state("sleeper") in ("STOPPING", "STOPPED")
    rpc.wait_state("sleeper", "STOPPED")


def _alive(pid):
    return proc_state(pid) not in (None, "Z", "X")


def test_start_faults(rpc):
    s = rpc.s
    d = str(rpc.sup.dir)
    assert fault(s.startProcess, "nofile") == (20, "NO_FILE: can't find command '/nonexistent/x'")
    assert fault(s.startProcess, "isdir") == (21, "NOT_EXECUTABLE: command at '%s' is a directory" % d)
    got = fault(s.startProcess, "fast")
    if rpc.impl == "ref":
        # the reference polls once a second: a quick exit is sometimes
        # seen only after its state check, and then reads as abnormal
        assert got in ((50, "SPAWN_ERROR: fast"), (40, "ABNORMAL_TERMINATION: fast"))
    else:
        assert got == (50, "SPAWN_ERROR: fast")
    info = s.getProcessInfo("fast")
    allowed = ("BACKOFF", "FATAL", "EXITED") if rpc.impl == "ref" else ("BACKOFF", "FATAL")
    assert info["statename"] in allowed
    if info["statename"] != "EXITED":
        assert info["spawnerr"] == "Exited too quickly (process log may have details)"
    for bad in ("nope", "grp", "grp:nope", "nope:*", "nope:", "ga"):
        assert fault(s.startProcess, bad) == (10, "BAD_NAME: " + bad)
        assert fault(s.stopProcess, bad) == (10, "BAD_NAME: " + bad)


def test_start_abnormal_termination(rpc):
    # a stop while startProcess waits for startsecs
    box = {}

    def starter():
        try:
            box["r"] = rpc.proxy().supervisor.startProcess("sleeper")
        except xmlrpc.client.Fault as e:
            box["r"] = (e.faultCode, e.faultString)
    t = threading.Thread(target=starter)
    t.start()
    wait_for(lambda: rpc.state("sleeper") == "STARTING", what="sleeper STARTING")
    assert rpc.s.stopProcess("sleeper") is True
    t.join(TIMEOUT)
    assert box["r"] == (40, "ABNORMAL_TERMINATION: sleeper")


STUBBORN = BODY + """
[program:stubborn]
command=sh -c 'trap "" TERM; exec sleep 1000'
autostart=false
startsecs=0
stopwaitsecs=2
"""


def _send_and_drop(rpc, method, args, until):
    """POST a call, wait until until() holds (the call is in progress),
    then close the connection without reading the answer."""
    body = xmlrpc.client.dumps(args, method).encode()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(rpc.sock)
    s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    wait_for(until, what="%s in progress" % method)
    s.close()


def _start_stubborn(rpc):
    rpc.s.startProcess("stubborn")
    pid = rpc.s.getProcessInfo("stubborn")["pid"]

    def execd():  # TERM is ignored once the shell has exec'd sleep
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                return f.read().startswith(b"sleep\0")
        except OSError:
            return False
    wait_for(execd, what="stubborn to exec sleep")


def test_client_gone_during_deferred_calls(make_rpc, impl):
    # the client disconnects while a deferred call waits: the daemon carries on
    rpc = make_rpc(impl, body=STUBBORN)
    _send_and_drop(rpc, "supervisor.startProcess", ("sleeper",),
                   lambda: rpc.state("sleeper") == "STARTING")
    rpc.wait_state("sleeper", "RUNNING")
    assert rpc.s.getPID() == rpc.sup.pid
    _start_stubborn(rpc)
    _send_and_drop(rpc, "supervisor.stopProcess", ("stubborn",),
                   lambda: rpc.state("stubborn") == "STOPPING")
    rpc.wait_state("stubborn", "STOPPED")
    _start_stubborn(rpc)
    _send_and_drop(rpc, "supervisor.stopAllProcesses", (),
                   lambda: rpc.state("stubborn") == "STOPPING")
    rpc.wait_state("stubborn", "STOPPED")
    rpc.wait_state("sleeper", "STOPPED")
    _start_stubborn(rpc)
    _send_and_drop(rpc, "system.multicall",
                   ([{"methodName": "supervisor.stopProcess", "params": ["stubborn"]},
                     {"methodName": "supervisor.startProcess", "params": ["sleeper"]}],),
                   lambda: rpc.state("stubborn") == "STOPPING")
    rpc.wait_state("stubborn", "STOPPED")
    assert rpc.s.getState()["statename"] == "RUNNING"
    assert rpc.state("sleeper") == "STOPPED"  # the multicall went no further


# --------------------------------------------------------------------------
# group and all operations

def test_group_operations(rpc):
    s = rpc.s
    assert s.startProcessGroup("grp") == [result("grp", "gb"), result("grp", "ga")]
    assert rpc.state("grp:ga") == rpc.state("grp:gb") == "RUNNING"
    assert s.startProcessGroup("grp") == []  # nothing that is not running
    assert s.startProcess("grp:*") == []
    assert s.startProcess("grp:") == []
    assert s.stopProcessGroup("grp") == [result("grp", "gb"), result("grp", "ga")]
    assert rpc.state("grp:ga") == rpc.state("grp:gb") == "STOPPED"
    assert s.stopProcessGroup("grp") == []
    assert s.startProcess("grp:*", False) == [result("grp", "gb"), result("grp", "ga")]
    assert s.stopProcess("grp:", True) == [result("grp", "gb"), result("grp", "ga")]
    assert s.startProcessGroup("grp", False) == [result("grp", "gb"), result("grp", "ga")]
    assert s.stopProcessGroup("grp", False) == [result("grp", "gb"), result("grp", "ga")]
    for bad in ("nope", "grp:*", "grp:ga", "ga"):
        assert fault(s.startProcessGroup, bad) == (10, "BAD_NAME: " + bad)
        assert fault(s.stopProcessGroup, bad) == (10, "BAD_NAME: " + bad)
    # a single-process group through the group forms
    assert s.startProcessGroup("sleeper") == [result("sleeper", "sleeper")]
    assert s.stopProcess("sleeper:*") == [result("sleeper", "sleeper")]


MIX = BODY + """
[group:mix]
programs=m1,m2,m3

[program:m1]
command=sleep 1000
priority=1
startsecs=1
autostart=false

[program:m2]
command=sleep 1000
priority=2
startsecs=0
autostart=false

[program:m3]
command=/nonexistent/y
priority=3
autostart=false
"""


def test_group_result_order(make_rpc, impl):
    # results: synchronous ones (and faults) first, then deferred ones
    rpc = make_rpc(impl, body=MIX)
    r = rpc.s.startProcessGroup("mix")
    assert r == [result("mix", "m2"),
                 result("mix", "m3", 20, "NO_FILE: can't find command '/nonexistent/y'"),
                 result("mix", "m1")]


def test_all_operations(rpc):
    s = rpc.s
    d = str(rpc.sup.dir)
    r = s.startAllProcesses()
    expected = [result(g, n) for g, n in ALL_NAMES]
    for e in expected:
        if e["name"] == "nofile":
            e.update(status=20, description="NO_FILE: can't find command '/nonexistent/x'")
        elif e["name"] == "isdir":
            e.update(status=21, description="NOT_EXECUTABLE: command at '%s' is a directory" % d)
        elif e["name"] == "fast":
            e.update(status=50, description="SPAWN_ERROR: fast")
    assert by_name(r) == expected
    running = [n for g, n in ALL_NAMES if n not in ("nofile", "isdir", "fast")]
    for g, n in ALL_NAMES:
        if n in running:
            assert rpc.state("%s:%s" % (g, n)) == "RUNNING", n
    # fast is in FATAL (startretries=0): "not running", so started again
    # the failed ones are "not running": tried again
    r = by_name(s.startAllProcesses())
    assert [(x["name"], x["status"]) for x in r] in (
        [("fast", 50), ("isdir", 21), ("nofile", 20)],
        [("fast", 40), ("isdir", 21), ("nofile", 20)])
    if rpc.impl == "ref":
        # the reference polls once a second: /bin/true may be seen only once
        # it counts as having run, and then ends EXITED instead of FATAL
        wait_for(lambda: rpc.state("fast") in ("FATAL", "EXITED"), what="fast to stop")
    else:
        rpc.wait_state("fast", "FATAL")
    r = s.stopAllProcesses()
    assert by_name(r) == [result(g, n) for g, n in ALL_NAMES if n in running]
    for g, n in ALL_NAMES:
        assert rpc.state("%s:%s" % (g, n)) in ("STOPPED", "FATAL", "EXITED", "BACKOFF"), n
    assert s.stopAllProcesses() == []
    assert s.startAllProcesses(False) != []
    # (fast may still be STARTING, and then is stopped too)
    assert [x for x in by_name(s.stopAllProcesses(True)) if x["name"] != "fast"] == \
        [result(g, n) for g, n in ALL_NAMES if n in running]


# --------------------------------------------------------------------------
# signals

def test_signal_process(rpc):
    s = rpc.s
    d = str(rpc.sup.dir)
    out = d + "/trap.out"
    assert fault(s.signalProcess, "trapper", "USR1") == (70, "NOT_RUNNING: trapper")
    assert fault(s.signalProcess, "trapper", "FOO") == (11, "BAD_SIGNAL: FOO")
    assert fault(s.signalProcess, "nope", "FOO") == (10, "BAD_NAME: nope")
    assert fault(s.signalProcess, "nope:*", "HUP") == (10, "BAD_NAME: nope:*")
    s.startProcess("trapper")
    wait_file_text(out, "ready\n")
    count = 0
    for sig in ("USR1", "SIGUSR1", "usr1", " sigusr1 ", 10, "10", " 10 "):
        assert s.signalProcess("trapper", sig) is True, sig
        count += 1
        wait_file_text(out, "got USR1\n", count)
    assert s.signalProcess("trapper:trapper", "HUP") is True
    wait_file_text(out, "got HUP\n")
    assert s.signalProcess("trapper", 0) is True  # SIG_DFL: a valid number in Supervisor
    assert s.signalProcess("trapper", "CONT") is True
    assert rpc.state("trapper") == "RUNNING"
    for bad in ("FOO", "SIGFOO", "99", 99, -1, 32, "1.5", "SIG"):
        assert fault(s.signalProcess, "trapper", bad) == (11, "BAD_SIGNAL: %s" % bad), bad
    assert fault(s.signalProcess, "trapper:trapper", "NOPE") == (11, "BAD_SIGNAL: NOPE")
    assert fault(s.signalProcess, "sleeper", "HUP") == (70, "NOT_RUNNING: sleeper")
    assert fault(s.signalProcess, "sleeper:sleeper", "HUP") == (70, "NOT_RUNNING: sleeper:sleeper")


def test_signal_groups(rpc):
    s = rpc.s
    assert s.signalProcessGroup("grp", "CONT") == []
    assert s.signalProcess("grp:*", "CONT") == []
    s.startProcessGroup("grp")
    assert s.signalProcessGroup("grp", "CONT") == [result("grp", "gb"), result("grp", "ga")]
    assert s.signalProcess("grp:", 18) == [result("grp", "gb"), result("grp", "ga")]
    assert s.signalProcessGroup("grp", "FOO") == [result("grp", "gb", 11, "BAD_SIGNAL: FOO"),
                                                  result("grp", "ga", 11, "BAD_SIGNAL: FOO")]
    assert s.signalProcessGroup("grp", 99) == [result("grp", "gb", 11, "BAD_SIGNAL: 99"),
                                               result("grp", "ga", 11, "BAD_SIGNAL: 99")]
    for bad in ("nope", "grp:*", "grp:ga"):
        assert fault(s.signalProcessGroup, bad, "HUP") == (10, "BAD_NAME: " + bad)
    s.startProcess("sleeper")
    r = s.signalAllProcesses("CONT")
    assert r == [result("grp", "gb"), result("grp", "ga"), result("sleeper", "sleeper")]
    assert s.signalAllProcesses("NOPE") == [result("grp", "gb", 11, "BAD_SIGNAL: NOPE"),
                                            result("grp", "ga", 11, "BAD_SIGNAL: NOPE"),
                                            result("sleeper", "sleeper", 11, "BAD_SIGNAL: NOPE")]
    # TERM through the group: the processes exit (and are restarted)
    pids = [s.getProcessInfo(n)["pid"] for n in ("grp:ga", "grp:gb")]
    assert s.signalProcessGroup("grp", "TERM") == [result("grp", "gb"), result("grp", "ga")]
    for pid in pids:
        wait_for(lambda: not _alive(pid), what="pid %d to exit" % pid)


# --------------------------------------------------------------------------
# logs

def test_read_process_logs(rpc):
    s = rpc.s
    d = str(rpc.sup.dir)
    s.startProcess("hello")
    wait_for(lambda: file_text(d + "/hello.out") == "hello world\n", what="hello.out")
    wait_for(lambda: file_text(d + "/hello.err") == "oops\n", what="hello.err")
    for read in (s.readProcessStdoutLog, s.readProcessLog):
        assert read("hello", 0, 0) == "hello world\n"
        assert read("hello", 0, 5) == "hello"
        assert read("hello", 6, 0) == "world\n"
        assert read("hello", 6, 100) == "world\n"
        assert read("hello", 12, 0) == ""
        assert read("hello", 100, 0) == ""
        assert read("hello", 100, 5) == ""
        assert read("hello", -6, 0) == "world\n"
        assert read("hello", -100, 0) == "hello world\n"
        assert read("hello:hello", "0", "5") == "hello"  # numeric strings
        assert read("hello", " -3 ", 0) == "ld\n"
        assert fault(read, "hello", -1, 1) == (3, "BAD_ARGUMENTS")
        assert fault(read, "hello", -1, -1) == (3, "BAD_ARGUMENTS")
        assert fault(read, "hello", 0, -1) == (3, "BAD_ARGUMENTS")
        for bad in ("nope", "hello:", "hello:*", "grp", "grp:*"):
            assert fault(read, bad, 0, 0) == (10, "BAD_NAME: " + bad)
        assert fault(read, "sleeper", 0, 0) == (20, "NO_FILE")  # stdout_logfile=NONE
        assert fault(read, "unstarted", 0, 0) == (20, "NO_FILE: %s/unstarted.out" % d)
    assert s.readProcessStderrLog("hello", 0, 0) == "oops\n"
    assert s.readProcessStderrLog("hello", -2, 0) == "s\n"
    assert fault(s.readProcessStderrLog, "sleeper", 0, 0) == (20, "NO_FILE")
    assert fault(s.readProcessStderrLog, "nope", 0, 0) == (10, "BAD_NAME: nope")


def test_tail_process_logs(rpc):
    s = rpc.s
    d = str(rpc.sup.dir)
    s.startProcess("hello")
    wait_for(lambda: file_text(d + "/hello.out") == "hello world\n", what="hello.out")
    wait_for(lambda: file_text(d + "/hello.err") == "oops\n", what="hello.err")
    for tail in (s.tailProcessStdoutLog, s.tailProcessLog):
        assert tail("hello", 0, 100) == ["hello world\n", 12, False]
        assert tail("hello", 0, 5) == ["orld\n", 12, True]
        assert tail("hello", 100, 5) == ["", 12, False]
        assert tail("hello", 12, 100) == ["", 12, False]
        assert tail("hello", 10, 2) == ["d\n", 12, False]
        assert tail("hello", 5, 0) == ["", 12, True]
        assert tail("hello", 0, 12) == ["hello world\n", 12, False]
        assert tail("hello", -5, 3) == ["ld\n", 12, True]
        assert tail("hello:hello", "0", "5") == ["orld\n", 12, True]
        for bad in ("nope", "hello:", "grp:*"):
            assert fault(tail, bad, 0, 5) == (10, "BAD_NAME: " + bad)
        assert tail("sleeper", 0, 100) == ["", 0, False]  # no log
        assert tail("unstarted", 0, 100) == ["", 0, False]  # log file missing
    assert s.tailProcessStderrLog("hello", 0, 100) == ["oops\n", 5, False]
    assert s.tailProcessStderrLog("hello", 0, 2) == ["s\n", 5, True]
    assert s.tailProcessStderrLog("sleeper", 3, 100) == ["", 0, False]


def test_read_main_log(rpc):
    s = rpc.s
    logfile = rpc.sup.logfile

    def raw():
        with open(logfile, "rb") as f:
            return f.read().decode()
    for read in (s.readLog, s.readMainLog):
        assert read(0, 20) == raw()[:20]
        assert read(5, 10) == raw()[5:15]
        start = raw()
        assert read(0, 0).startswith(start)
        assert read(-10, 0) == raw()[-10:]
        assert read(10 ** 6, 0) == ""
        assert read("0", "20") == raw()[:20]
        assert fault(read, -1, 1) == (3, "BAD_ARGUMENTS")
        assert fault(read, 0, -1) == (3, "BAD_ARGUMENTS")


def test_clear_logs(rpc):
    s = rpc.s
    d = str(rpc.sup.dir)
    out = d + "/cat.out"
    s.startProcess("cat")
    s.sendProcessStdin("cat", "one\n")
    wait_file_text(out, "one\n")
    assert s.clearProcessLogs("cat") is True
    wait_for(lambda: "one" not in file_text(out), what="cat.out cleared")
    s.sendProcessStdin("cat", "two\n")
    wait_file_text(out, "two\n")
    assert s.readProcessStdoutLog("cat", 0, 0) == "two\n"
    assert s.clearProcessLog("cat") is True
    assert s.readProcessStdoutLog("cat", 0, 0) == ""
    for bad in ("nope", "cat:", "cat:*", "grp"):
        assert fault(s.clearProcessLogs, bad) == (10, "BAD_NAME: " + bad)
    # quirk: a process that is not running has no open log: nothing removed
    s.startProcess("hello")
    wait_for(lambda: file_text(d + "/hello.out") == "hello world\n", what="hello.out")
    s.stopProcess("hello")
    assert s.clearProcessLogs("hello") is True
    assert file_text(d + "/hello.out") == "hello world\n"

    r = s.clearAllProcessLogs()
    expected = [result(g, n) for g, n in ALL_NAMES]
    assert by_name(r) == expected
    # priority order: grp's processes by priority (gb before ga)
    names = [x["name"] for x in r]
    assert names.index("gb") < names.index("ga")

    assert s.clearLog() is True
    # "reopening log file" went to the removed file, before the reopen
    assert rpc.sup.logfile.exists()
    assert "supervisord started" not in file_text(rpc.sup.logfile)


def test_clear_log_missing(rpc):
    import os
    os.unlink(rpc.sup.logfile)
    assert fault(rpc.s.clearLog) == (20, "NO_FILE")
    assert fault(rpc.s.readLog, 0, 0) == (20, "NO_FILE: %s" % rpc.sup.logfile)


def test_read_log_syslog(make_rpc, impl):
    # Supervisor keeps "syslog" as the log file's name and looks it up as a path
    r = make_rpc(impl, supervisord="identifier=testid\nlogfile=syslog")
    assert fault(r.s.readLog, 0, 0) == (20, "NO_FILE: syslog")
    assert fault(r.s.clearLog) == (20, "NO_FILE")


TERM_IGNORER = BODY + """
[program:stubborn]
command=sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done'
stdout_logfile=@DIR@/stubborn.out
autostart=false
startsecs=0
stopwaitsecs=60
"""


def test_start_while_stopping(make_rpc, impl):
    # STOPPING is not a running state: the spawn only warns, and a waiting
    # start ends ABNORMAL_TERMINATION while the old process keeps stopping
    r = make_rpc(impl, body=TERM_IGNORER)
    s = r.s
    assert s.startProcess("stubborn") is True
    wait_for(lambda: "ready" in file_text(r.sup.dir / "stubborn.out"), what="trap set")
    pid = s.getProcessInfo("stubborn")["pid"]
    assert s.stopProcess("stubborn", False) is True
    r.wait_state("stubborn", "STOPPING")
    assert s.startProcess("stubborn", False) is True
    assert fault(s.startProcess, "stubborn") == (40, "ABNORMAL_TERMINATION: stubborn")
    info = s.getProcessInfo("stubborn")
    assert info["statename"] == "STOPPING" and info["pid"] == pid
    assert "WARN process 'stubborn' already running" in file_text(r.sup.logfile)
    assert s.signalProcess("stubborn", "KILL") is True
    r.wait_state("stubborn", "STOPPED")


# --------------------------------------------------------------------------
# stdin

def test_send_process_stdin(rpc):
    s = rpc.s
    d = str(rpc.sup.dir)
    out = d + "/cat.out"
    assert fault(s.sendProcessStdin, "cat", "x") == (70, "NOT_RUNNING: cat")
    assert fault(s.sendProcessStdin, "cat:cat", "x") == (70, "NOT_RUNNING: cat:cat")
    assert fault(s.sendProcessStdin, "nope", "x") == (10, "BAD_NAME: nope")
    assert fault(s.sendProcessStdin, "cat:*", "x") == (10, "BAD_NAME: cat:*")
    # the type check comes first
    assert fault(s.sendProcessStdin, "nope", 5) == (2, "INCORRECT_PARAMETERS: 5")
    assert fault(s.sendProcessStdin, "cat", [1, "a", 2.0, True]) == \
        (2, "INCORRECT_PARAMETERS: [1, 'a', 2.0, True]")
    assert fault(s.sendProcessStdin, "cat", 1e20) == (2, "INCORRECT_PARAMETERS: 1e+20")
    assert fault(s.sendProcessStdin, "cat", 0.5) == (2, "INCORRECT_PARAMETERS: 0.5")
    assert fault(s.sendProcessStdin, "cat", False) == (2, "INCORRECT_PARAMETERS: False")
    s.startProcess("cat")
    assert s.sendProcessStdin("cat", "hello cat\n") is True
    wait_file_text(out, "hello cat\n")
    assert s.sendProcessStdin("cat:cat", "h\u00e9llo \u2603\n") is True
    wait_file_text(out, "h\u00e9llo \u2603\n")
    assert s.sendProcessStdin("cat", "") is True
    with open(out, "rb") as f:
        assert f.read() == "hello cat\nh\u00e9llo \u2603\n".encode()


# --------------------------------------------------------------------------
# configuration changes

def test_reload_and_groups(rpc):
    s = rpc.s
    assert s.reloadConfig() == [[[], [], []]]
    assert fault(s.addProcessGroup, "nope") == (10, "BAD_NAME: nope")
    assert fault(s.addProcessGroup, "grp") == (90, "ALREADY_ADDED: grp")
    assert fault(s.removeProcessGroup, "nope") == (10, "BAD_NAME: nope")
    s.startProcess("sleeper")
    assert fault(s.removeProcessGroup, "sleeper") == (91, "STILL_RUNNING: sleeper")


def test_reread_reports_added_changed_removed_and_update_applies_them(rpc):
    s = rpc.s
    conf = rpc.sup.conf
    text = open(conf).read()
    # change one program, add one, remove one
    text = text.replace("[program:sleeper]", "[program:sleeper]\nstartretries=7", 1)
    text += "\n[program:fresh]\ncommand=/bin/sleep 300\nstartsecs=0\n"
    start = text.index("[program:cat]")
    end = text.find("\n[", start + 1)
    text = text[:start] + (text[end + 1:] if end >= 0 else "")
    with open(conf, "w") as f:
        f.write(text)
    [[added, changed, removed]] = s.reloadConfig()
    assert added == ["fresh"]
    assert "sleeper" in changed
    assert removed == ["cat"]
    names = {p["name"] for p in s.getAllProcessInfo()}
    assert "fresh" not in names and "cat" in names  # nothing applied yet
    assert s.addProcessGroup("fresh") is True
    assert fault(s.addProcessGroup, "fresh") == (90, "ALREADY_ADDED: fresh")
    s.stopProcess("cat") if s.getProcessInfo("cat")["statename"] in ("RUNNING", "STARTING") else None
    assert s.removeProcessGroup("cat") is True
    assert fault(s.getProcessInfo, "cat") == (10, "BAD_NAME: cat")
    assert any(c["name"] == "fresh" and c["inuse"] for c in s.getAllConfigInfo())
    # the added group autostarts
    deadline = time.time() + 15
    while s.getProcessInfo("fresh")["statename"] != "RUNNING":
        assert time.time() < deadline, s.getProcessInfo("fresh")
        time.sleep(0.05)


def test_reread_with_a_broken_config_is_cant_reread(rpc):
    s = rpc.s
    with open(rpc.sup.conf, "a") as f:
        f.write("\n[program:broken]\nstartsecs=notanumber\ncommand=/bin/true\n")
    code, text = fault(s.reloadConfig)
    assert code == 92
    assert text.startswith("CANT_REREAD: invalid literal for int() with base 10: 'notanumber'"), text


# --------------------------------------------------------------------------
# shutdown / restart

def test_shutdown(rpc):
    s = rpc.s
    s.startProcess("sleeper")
    pid = s.getProcessInfo("sleeper")["pid"]
    assert s.shutdown() is True
    rc = rpc.sup.proc.wait(TIMEOUT)
    assert rc == 0
    assert not _alive(pid)


def test_shutdown_in_multicall(rpc):
    r = rpc.unix.system.multicall([
        {"methodName": "supervisor.shutdown", "params": []},
        {"methodName": "supervisor.getPID", "params": []},
        {"methodName": "supervisor.sendRemoteCommEvent", "params": ["t", "d"]},
        {"methodName": "system.listMethods", "params": []},
    ])
    assert r[0] is True
    assert r[1] == {"faultCode": 6, "faultString": "SHUTDOWN_STATE"}
    assert r[2] is True  # never checks the state
    assert r[3] == ALL_METHODS
    assert rpc.sup.proc.wait(TIMEOUT) == 0


def test_restart(rpc):
    pid = rpc.s.getPID()
    assert rpc.s.restart() is True
    rpc.sup.wait_log(re.compile(r"supervisord started with pid \d+"), count=2)
    rpc.wait_ready()
    assert rpc.proxy().supervisor.getPID() == pid
    assert rpc.proxy().supervisor.getState() == {"statecode": 1, "statename": "RUNNING"}
