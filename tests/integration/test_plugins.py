"""Plugins in our supervisord: the test plugins of tests/plugins/ (one per
SDK area) and the example plugins/example/site.c, loaded through
`[rpcinterface:x] supervisor.rpcinterface_factory = <path>` and driven over
XML-RPC with Python's xmlrpc.client.

Startup refusals are checked verbatim (supervisord/plugins.c): stderr is
exactly

    Error: [rpcinterface:x] plugin <path>: <what>
    For help, use <argv0> -h

and the exit status 2. Every daemon that starts must stop cleanly (status
0, nothing on stderr: ASan and UBSan report there).

The .so files are built by `make check` into <builddir>/tests/plugins/.libs
and <builddir>/plugins/example/.libs.

Run:  CSUP_BUILDDIR=build /usr/bin/python3 -m pytest tests/integration/test_plugins.py -q
"""
import os
import pathlib
import re
import shutil
import socket
import threading
import time
import xmlrpc.client

import pytest

from conftest import BUILDDIR, SUPERVISORD, run
from daemon_util import Supervisord, TIMEOUT, UNIX_RPC, wait_for
from test_rpc import UnixTransport

PLUGINS = BUILDDIR / "tests" / "plugins" / ".libs"
SITE = BUILDDIR / "plugins" / "example" / ".libs" / "site.so"
ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}


HEADER = (pathlib.Path(__file__).resolve().parents[2] / "sdk" / "include" / "csupervisor"
          / "plugin.h").read_text()
ABI_MAJOR = int(re.search(r"#define SUP_ABI_MAJOR (\d+)", HEADER).group(1))
ABI_MINOR = int(re.search(r"#define SUP_ABI_MINOR (\d+)", HEADER).group(1))


def plugin(name):
    return built(PLUGINS / (name + ".so"))


def built(path):
    if not path.is_file():
        pytest.fail("plugin not built: %s (run make check)" % path, pytrace=False)
    if path.stat().st_mode & 0o022:
        pytest.fail("%s is writable by group or others (built with umask 002?): supervisord"
                    " refuses such plugins" % path, pytrace=False)
    return path


def section(name, factory, **keys):
    text = "[rpcinterface:%s]\nsupervisor.rpcinterface_factory = %s\n" % (name, factory)
    return text + "".join("%s = %s\n" % kv for kv in keys.items())


# --------------------------------------------------------------------------
# startup refusals

def start_refused(tmp_path, body, env=None):
    """Run supervisord -n on [supervisord] + body; return (status, stdout,
    stderr, activity log)."""
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[supervisord]\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\n\n%s"
                    % (tmp_path, tmp_path, body))
    e = dict(ENV)
    e.update(env or {})
    rc, out, err = run([SUPERVISORD, "-n", "-c", str(conf)], cwd=str(tmp_path), env=e)
    log_path = tmp_path / "supervisord.log"
    return rc, out, err, log_path.read_text() if log_path.exists() else ""


def assert_refused(tmp_path, body, message, env=None):
    rc, out, err, log = start_refused(tmp_path, body, env)
    expected = "Error: %s\nFor help, use %s -h\n" % (message, SUPERVISORD)
    assert (rc, err) == (2, expected), "expected exit 2 and\n%s\ngot %r and\n%s" % (expected, rc, err)
    return log


def test_missing_file_is_refused(tmp_path):
    path = tmp_path / "nosuch" / "site.so"
    assert_refused(tmp_path, section("x", path),
                   "[rpcinterface:x] plugin %s: cannot load: No such file or directory" % path)


def test_bare_name_is_looked_up_in_the_plugin_dir(tmp_path):
    d = tmp_path / "plugins"
    d.mkdir()
    assert_refused(tmp_path, section("x", "site"),
                   "[rpcinterface:x] plugin %s/site.so: cannot load: No such file or directory" % d,
                   env={"CSUP_PLUGIN_DIR": str(d)})


def copy_plugin(name, directory, mode=0o644):
    directory.mkdir(exist_ok=True)
    dest = directory / (name + ".so")
    shutil.copyfile(plugin(name), dest)
    os.chmod(dest, mode)
    return dest


@pytest.mark.parametrize("mode", [0o666, 0o646, 0o664, 0o620])
def test_file_writable_by_group_or_others_is_refused(tmp_path, mode):
    path = copy_plugin("abi_ok", tmp_path / "p", mode)
    assert_refused(tmp_path, section("x", path),
                   "[rpcinterface:x] plugin %s: writable by group or others (mode %04o)" % (path, mode))


def test_directory_writable_by_others_is_refused(tmp_path):
    d = tmp_path / "p"
    path = copy_plugin("abi_ok", d)
    os.chmod(d, 0o777)
    assert_refused(tmp_path, section("x", path),
                   "[rpcinterface:x] plugin %s: its directory %s is writable by others" % (path, d))


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_file_owned_by_another_user_is_refused(tmp_path):
    path = copy_plugin("abi_ok", tmp_path / "p")
    os.chown(path, 65534, 65534)
    assert_refused(tmp_path, section("x", path),
                   "[rpcinterface:x] plugin %s: owned by uid 65534, not by root or uid 0" % path)


def test_directory_is_not_a_plugin(tmp_path):
    d = tmp_path / "dir.so"
    d.mkdir()
    assert_refused(tmp_path, section("x", d), "[rpcinterface:x] plugin %s: not a regular file" % d)


def test_file_that_is_not_a_shared_object_is_refused(tmp_path):
    path = tmp_path / "p" / "text.so"
    path.parent.mkdir()
    path.write_text("not an ELF file\n" * 100)
    os.chmod(path, 0o644)
    rc, out, err, log = start_refused(tmp_path, section("x", path))
    prefix = "Error: [rpcinterface:x] plugin %s: dlopen failed: %s: " % (path, path)
    assert rc == 2 and err.startswith(prefix) and err.count("\n") == 2, (rc, err)


@pytest.mark.parametrize("name, what", [
    ("abi_nosym", "no sup_plugin_query symbol: not a csupervisor plugin (build it with SUP_PLUGIN_DEFINE)"),
    ("abi_magic", "magic is 0x12345678, expected 0x53555031: not a csupervisor plugin"),
    ("abi_major", "abi_major is 2, this host provides 1: rebuild the plugin for ABI 1"),
    ("abi_minor", "abi_minor is %d, this host provides %d.%d: upgrade supervisord"
                  " or build the plugin with SUP_TARGET_MINOR=%d"
     % (ABI_MINOR + 1, ABI_MAJOR, ABI_MINOR, ABI_MINOR)),
    ("abi_ctl", "kinds is 0x2: not an RPC (supervisord) plugin"),
])
def test_bad_magic_block_is_refused_before_any_plugin_code_runs(tmp_path, name, what):
    # these plugins' init() writes to stderr: the exact match proves it never ran
    path = plugin(name)
    assert_refused(tmp_path, section("x", path), "[rpcinterface:x] plugin %s: %s" % (path, what))


def test_system_namespace_is_reserved(tmp_path):
    path = plugin("abi_ok")
    assert_refused(tmp_path, section("system", path),
                   "[rpcinterface:system] plugin %s: the namespace 'system' is reserved" % path)


def test_unknown_config_key_names_section_and_key(tmp_path):
    path = plugin("configkey")
    assert_refused(tmp_path, section("cfg", path, greeting="hi", gretting="typo"),
                   "[rpcinterface:cfg] unknown key 'gretting' (plugin %s accepts: greeting, punctuation)"
                   % path)


def test_plugin_without_keys_refuses_any_key(tmp_path):
    path = plugin("deferred")
    assert_refused(tmp_path, section("d", path, color="red"),
                   "[rpcinterface:d] unknown key 'color' (plugin %s accepts: no keys)" % path)


def test_init_failure_stops_the_daemon_naming_the_section(tmp_path):
    path = plugin("initfail")
    log = assert_refused(tmp_path, section("broken", path),
                         "[rpcinterface:broken] plugin %s: init failed" % path)
    # init ran (and registered broken.ping), then fini: in this order; that
    # broken.ping is gone again is checked in process by tests/plugins/loader_test.c
    lines = [l.split(" ", 3)[2:] for l in log.splitlines()]
    mine = [" ".join(l) for l in lines if len(l) == 2 and l[1].startswith("broken: ")]
    assert mine == ["INFO broken: registered ping, now failing on purpose",
                    "INFO broken: fini ran"], log


def test_init_failure_frees_plugin_data_before_unloading_it(tmp_path):
    # set_data()'s free function is in the .so: it must run before dlclose
    path = plugin("initfail")
    assert_refused(tmp_path, section("broken", path, data="yes"),
                   "[rpcinterface:broken] plugin %s: init failed" % path)


@pytest.mark.parametrize("case, logged", [
    ("duplicate", "ERRO plugin r: method r.ping is already registered"),
    ("name", "ERRO plugin r: invalid method name 'r.bad-name'"),
    ("signature", "ERRO plugin r: method r.ping: bad signature 'x:y'"),
])
def test_refused_registration_fails_init(tmp_path, case, logged):
    path = plugin("badreg")
    log = assert_refused(tmp_path, section("r", path, case=case),
                         "[rpcinterface:r] plugin %s: init failed" % path)
    assert any(l.endswith(" " + logged) for l in log.splitlines()), log


# --------------------------------------------------------------------------
# running daemons

class Daemon:
    """A supervisord with a unix socket, the supervisor namespace and the
    given plugin sections; proxies to it."""

    def __init__(self, sup):
        self.sup = sup
        self.sock = str(sup.dir / "sup.sock")

    def proxy(self):
        return xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport(self.sock))

    def wait_ready(self):
        def ready():
            try:
                return self.proxy().supervisor.getPID()
            except OSError:
                if not self.sup.running():
                    raise AssertionError("daemon exited: %s" % self.sup.stderr_path.read_text())
                return None
        wait_for(ready, what="the RPC server")
        return self

    def raw_call(self, method, params=()):
        """Send one request and return the connected socket, unread."""
        body = xmlrpc.client.dumps(tuple(params), method).encode()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.sock)
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        return s


BASE = UNIX_RPC


@pytest.fixture
def daemon(tmp_path):
    made = []

    def make(body, env=None, name="d"):
        sup = Supervisord(tmp_path / name, BASE + body, env=env)
        made.append(sup)
        sup.start()
        return Daemon(sup).wait_ready()
    yield make
    errors = []
    for sup in made:
        try:
            if sup.running():
                sup.stop()  # exit status 0 and an empty stderr, or it fails
        except AssertionError as e:
            errors.append(str(e))
        finally:
            sup.kill()
        stderr = sup.stderr_path.read_text(errors="replace")
        if "Sanitizer" in stderr or "runtime error" in stderr:
            errors.append(stderr)
    assert not errors, "\n".join(errors)


def fault_of(fn, *args):
    with pytest.raises(xmlrpc.client.Fault) as e:
        fn(*args)
    return e.value.faultCode, e.value.faultString


def test_bare_name_loads_from_the_plugin_dir(daemon, tmp_path):
    d = tmp_path / "plugins"
    copy_plugin("deferred", d)
    dm = daemon(section("d", "deferred"), env={"CSUP_PLUGIN_DIR": str(d)})
    assert dm.proxy().d.now() == "now"
    dm.sup.wait_log("RPC interface 'd' initialized")


def test_sticky_world_writable_directory_is_accepted(daemon, tmp_path):
    d = tmp_path / "sticky"
    path = copy_plugin("abi_ok", d)
    os.chmod(d, 0o1777)
    assert daemon(section("x", path)).proxy().x.ping() == "pong"


def test_plugin_without_methods_loads_with_a_warning(daemon):
    dm = daemon(section("empty", plugin("badreg"), case="none"))
    dm.sup.wait_log("RPC interface 'empty' registered no methods", level="WARN")


def test_plugin_methods_are_listed_with_help_and_signature(daemon):
    p = daemon(section("d", plugin("deferred")) + section("t", plugin("typed"))).proxy()
    names = p.system.listMethods()
    assert [n for n in names if n.startswith(("d.", "t."))] == [
        "d.failLater", "d.later", "d.now", "t.add", "t.answer", "t.cancelTimer", "t.echo", "t.greet",
        "t.half", "t.later", "t.mix", "t.negate", "t.refuse"]
    assert names == sorted(names)
    assert p.system.methodHelp("d.later") == "Answer text after ms milliseconds"
    assert p.system.methodSignature("d.later") == ["string", "int", "string"]
    assert p.system.methodSignature("t.mix") == ["string", "int", "boolean", "double", "string"]
    assert p.system.methodSignature("t.echo") == ["undef", "undef"]
    assert fault_of(p.d.nosuch) == (1, "UNKNOWN_METHOD")
    assert fault_of(p.system.methodHelp, "d.nosuch") == (4, "SIGNATURE_UNSUPPORTED")


def test_config_keys_reach_the_plugin_expanded(daemon):
    dm = daemon(section("cfg", plugin("configkey"), greeting="hello %(ENV_WHO)s", punctuation="!"),
                env={"WHO": "world"})
    assert dm.proxy().cfg.hello() == "hello world!"


# ---- deferred replies

def test_deferred_reply_comes_from_a_timer(daemon):
    p = daemon(section("d", plugin("deferred"))).proxy()
    t0 = time.monotonic()
    assert p.d.later(300, "hi") == "hi"
    assert time.monotonic() - t0 >= 0.25  # the loop clock has ms steps
    assert fault_of(p.d.failLater, 50) == (1001, "failed after 50 ms")


def test_a_plugin_cannot_delete_another_plugins_timer(daemon):
    dm = daemon(section("d", plugin("deferred")) + section("t", plugin("typed")))
    slow = {}
    t = threading.Thread(target=lambda: slow.update(answer=dm.proxy().d.later(600, "kept")))
    t.start()
    p = dm.proxy()
    tries = 0
    # timer ids are small sequential numbers: try them all while d's runs
    while t.is_alive() and tries < 200:
        assert not any(p.t.cancelTimer(i) for i in range(1, 20))
        tries += 1
    t.join(10)
    assert slow.get("answer") == "kept"


def test_deferred_call_does_not_block_other_clients(daemon):
    dm = daemon(section("d", plugin("deferred")))
    slow = {}

    def call_slow():
        slow["answer"] = dm.proxy().d.later(2000, "slow")
        slow["at"] = time.monotonic()
    t = threading.Thread(target=call_slow)
    t0 = time.monotonic()
    t.start()
    time.sleep(0.2)  # let the slow call reach the daemon first
    assert dm.proxy().d.now() == "now"
    fast_at = time.monotonic()
    t.join(TIMEOUT)
    assert slow["answer"] == "slow"
    assert fast_at < slow["at"], "the quick call waited for the deferred one"
    assert slow["at"] - t0 >= 1.9


def test_multicall_waits_for_deferred_sub_calls_in_order(daemon):
    p = daemon(section("d", plugin("deferred"))).proxy()
    results = p.system.multicall([
        {"methodName": "d.later", "params": [200, "a"]},
        {"methodName": "d.now", "params": []},
        {"methodName": "d.later", "params": [0, "b"]},
        {"methodName": "d.failLater", "params": [0]},
        {"methodName": "supervisor.getState", "params": []},
    ])
    assert results == ["a", "now", "b", {"faultCode": 1001, "faultString": "failed after 0 ms"},
                       {"statecode": 1, "statename": "RUNNING"}]


# ---- cancelled replies

def test_client_going_away_cancels_a_deferred_call(daemon):
    dm = daemon(section("c", plugin("cancelled")))
    s = dm.raw_call("c.hang")
    dm.sup.wait_log("c: hang() deferred (1 hanging)")
    s.close()
    dm.sup.wait_log("c: hang() cancelled (1 so far)", level="INFO")
    assert dm.proxy().c.cancels() == 1


def test_client_going_away_cancels_a_deferred_sub_call_of_a_multicall(daemon):
    dm = daemon(section("c", plugin("cancelled")))
    s = dm.raw_call("system.multicall", ([{"methodName": "c.cancels", "params": []},
                                          {"methodName": "c.hang", "params": []},
                                          {"methodName": "c.hang", "params": []}],))
    dm.sup.wait_log("c: hang() deferred (1 hanging)")
    s.close()
    dm.sup.wait_log("c: hang() cancelled (1 so far)")
    assert dm.proxy().c.cancels() == 1
    # the multicall stopped there: its second hang() never ran
    assert not dm.sup.find("c: hang() deferred (2 hanging)")


def test_stopping_daemon_cancels_pending_calls(daemon):
    dm = daemon(section("c", plugin("cancelled")))
    socks = [dm.raw_call("c.hang") for _ in range(2)]
    dm.sup.wait_log("c: hang() deferred (2 hanging)")
    dm.sup.stop()  # exit status 0, nothing on stderr
    msgs = [l.msg for l in dm.sup.lines() if l.msg.startswith("c: ")]
    assert msgs == ["c: hang() deferred (1 hanging)", "c: hang() deferred (2 hanging)",
                    "c: hang() cancelled (1 so far)", "c: hang() cancelled (2 so far)",
                    "c: fini: 0 hanging, 2 cancelled"], msgs
    for s in socks:
        s.close()


# ---- events

def test_subscriber_sees_every_process_state_change(daemon):
    dm = daemon(section("ev", plugin("events")) +
                "[program:web]\ncommand=sleep 1000\nstartsecs=0\nautostart=false\n")
    p = dm.proxy()
    p.supervisor.startProcess("web")
    p.supervisor.stopProcess("web")
    assert p.ev.seen() == [
        "PROCESS_STATE_STARTING web:web from STOPPED",
        "PROCESS_STATE_RUNNING web:web from STARTING",
        "PROCESS_STATE_STOPPING web:web from RUNNING",
        "PROCESS_STATE_STOPPED web:web from STOPPING",
    ]


def test_subscriber_of_one_state_sees_only_that_one(daemon):
    dm = daemon(section("ev", plugin("events"), subscribe="PROCESS_STATE_RUNNING") +
                "[program:web]\ncommand=sleep 1000\nstartsecs=0\nautostart=false\n")
    p = dm.proxy()
    p.supervisor.startProcess("web")
    p.supervisor.stopProcess("web")
    assert p.ev.seen() == ["PROCESS_STATE_RUNNING web:web from STARTING"]


# ---- typed methods (libffi)

def test_typed_methods_convert_arguments_and_results(daemon):
    t = daemon(section("t", plugin("typed"))).proxy().t
    assert t.add(2, 40) == 42
    assert t.add(-5, 2) == -3
    assert t.negate(True) is False
    assert t.half(5.0) == 2.5
    assert t.greet("bob") == "hello, bob"
    assert t.answer() == 42
    assert t.echo({"a": [1, "x", True]}) == {"a": [1, "x", True]}
    assert t.echo("plain") == "plain"
    assert t.mix(7, False, 1.25, "end") == "7 false 1.25 end"


def test_typed_methods_accept_what_the_signature_allows(daemon):
    t = daemon(section("t", plugin("typed"))).proxy().t
    assert t.half(3) == 1.5          # int for a double
    assert t.add(True, 2) == 3       # boolean for an int
    assert t.negate(0) is True       # int for a boolean
    assert fault_of(t.add, 1) == (2, "INCORRECT_PARAMETERS")
    assert fault_of(t.add, 1, 2, 3) == (2, "INCORRECT_PARAMETERS")
    assert fault_of(t.add, "1", 2) == (3, "BAD_ARGUMENTS")
    assert fault_of(t.greet, 5) == (3, "BAD_ARGUMENTS")


def test_typed_method_may_fault_or_defer(daemon):
    t = daemon(section("t", plugin("typed"))).proxy().t
    assert fault_of(t.refuse, 7) == (1002, "refused 7")
    assert t.later(150) == 150


# ---- API misuse

def test_handler_without_answer_gets_failed_and_a_log_line(daemon):
    dm = daemon(section("n", plugin("noreply")))
    p = dm.proxy()
    assert fault_of(p.n.forget) == (30, "FAILED: plugin did not answer")
    dm.sup.wait_log("API misuse: n.forget returned without a reply, a fault or defer()", level="ERRO")
    # in a multicall: a fault in its slot, and the next sub-call still runs
    assert p.system.multicall([{"methodName": "n.forget", "params": []},
                               {"methodName": "n.twice", "params": []}]) == [
        {"faultCode": 30, "faultString": "FAILED: plugin did not answer"}, "first"]
    assert p.supervisor.getState()["statename"] == "RUNNING"


def test_second_reply_is_refused(daemon):
    dm = daemon(section("n", plugin("noreply")))
    assert dm.proxy().n.twice() == "first"
    dm.sup.wait_log("n: second reply returned -1")


def test_registration_after_init_is_refused(daemon):
    dm = daemon(section("n", plugin("noreply")))
    p = dm.proxy()
    assert p.n.lateRegister() is False
    dm.sup.wait_log("n: late registration returned -1 (EBUSY)")
    assert "n.extra" not in p.system.listMethods()


# --------------------------------------------------------------------------
# plugins/example/site.c

SITE_BODY = """
[rpcinterface:site]
supervisor.rpcinterface_factory = %s
exclude = skipme

[program:web]
command=sleep 1000
startsecs=0

[program:crashy]
command=sh -c 'test -f @DIR@/healthy && exec sleep 1000; exit 3'
startsecs=1
startretries=0

[program:flaky]
command=sh -c 'test -f @DIR@/healthy && exec sleep 1000; sleep 0.2; exit 5'
startsecs=0
autorestart=false

[program:done]
command=sh -c 'exit 0'
startsecs=0
autorestart=false

[program:idle]
command=sleep 1000
autostart=false

[program:skipme]
command=sh -c 'exit 3'
startsecs=1
startretries=0
"""

SETTLED = {"web": "RUNNING", "crashy": "FATAL", "flaky": "EXITED", "done": "EXITED",
           "idle": "STOPPED", "skipme": "FATAL"}


@pytest.fixture
def site(daemon):
    dm = daemon(SITE_BODY % built(SITE))
    p = dm.proxy()

    def settled():
        return {i["name"]: i["statename"] for i in p.supervisor.getAllProcessInfo()} == SETTLED
    wait_for(settled, what="the processes to settle: %s" % SETTLED)
    return dm


def test_site_summary(site):
    s = site.proxy().site.summary()
    assert s["total"] == 6
    assert s["states"] == {"STOPPED": 1, "STARTING": 0, "RUNNING": 1, "BACKOFF": 0,
                           "STOPPING": 0, "EXITED": 2, "FATAL": 2, "UNKNOWN": 0}
    assert [(e["name"], e["statename"]) for e in s["notRunning"]] == [
        ("crashy:crashy", "FATAL"), ("done:done", "EXITED"), ("flaky:flaky", "EXITED"),
        ("idle:idle", "STOPPED"), ("skipme:skipme", "FATAL")]
    crashy = s["notRunning"][0]
    assert crashy["description"] == "Exited too quickly (process log may have details)"
    site.sup.wait_log("site: site tools ready (1 exclusion)")


def test_site_restart_unhealthy_waits_until_running(site):
    (site.sup.dir / "healthy").write_text("")
    p = site.proxy()
    t0 = time.monotonic()
    results = p.site.restartUnhealthy()
    assert results == [
        {"name": "crashy", "group": "crashy", "status": 80, "description": "OK"},
        {"name": "flaky", "group": "flaky", "status": 80, "description": "OK"},
    ]
    assert time.monotonic() - t0 >= 0.9, "answered before crashy's startsecs=1"
    states = {i["name"]: i["statename"] for i in p.supervisor.getAllProcessInfo()}
    assert states == dict(SETTLED, crashy="RUNNING", flaky="RUNNING")


def test_site_restart_unhealthy_reports_failures(site):
    p = site.proxy()
    results = p.site.restartUnhealthy(True)
    # crashy exits within startsecs again: Supervisor's SPAWN_ERROR
    assert results == [
        {"name": "crashy", "group": "crashy", "status": 50, "description": "crashy"},
        {"name": "flaky", "group": "flaky", "status": 80, "description": "OK"},
    ]


def test_site_restart_unhealthy_without_wait(site):
    (site.sup.dir / "healthy").write_text("")
    p = site.proxy()
    results = p.site.restartUnhealthy(False)
    assert [(r["name"], r["status"]) for r in results] == [("crashy", 80), ("flaky", 80)]
    assert p.supervisor.getProcessInfo("crashy")["statename"] == "STARTING"
    site.sup.wait_running("crashy")


def test_site_restart_unhealthy_survives_the_client_leaving(site):
    (site.sup.dir / "healthy").write_text("")
    s = site.raw_call("site.restartUnhealthy", (True,))
    site.sup.wait_spawned("crashy", count=2)
    s.close()  # crashy is still STARTING (startsecs=1): the call is pending
    site.sup.wait_running("crashy")
    assert site.proxy().site.summary()["states"]["RUNNING"] == 3


def test_site_uptime_is_a_typed_method(site):
    p = site.proxy()
    assert 0 <= p.site.uptime("web") < 600
    assert p.site.uptime("web:web") >= 0
    assert fault_of(p.site.uptime, "idle") == (70, "NOT_RUNNING: idle")
    assert fault_of(p.site.uptime, "nosuch") == (10, "BAD_NAME: nosuch")
    assert fault_of(p.site.uptime, 1) == (3, "BAD_ARGUMENTS")
    assert p.system.methodSignature("site.uptime") == ["int", "string"]


# --------------------------------------------------------------------------
# the typed-method prototype check is a compile error

TYPED_PROTO = pathlib.Path(__file__).resolve().parents[1] / "plugins" / "typed_proto.c"
SDK_INCLUDE = pathlib.Path(__file__).resolve().parents[2] / "sdk" / "include"


def compile_typed_proto(tmp_path, *defines, werror=True):
    argv = ["cc", "-std=c11", "-fPIC", "-fvisibility=hidden", "-shared", "-Wl,-z,defs",
            "-I%s" % SDK_INCLUDE, "-o", str(tmp_path / "t.so"), str(TYPED_PROTO)]
    if werror:
        argv[1:1] = ["-Wall", "-Wextra", "-Werror"]
    return run(argv + list(defines))


def test_typed_method_with_the_right_prototypes_compiles(tmp_path):
    rc, out, err = compile_typed_proto(tmp_path)
    assert rc == 0, err


@pytest.mark.parametrize("wrong", ["WRONG_RETURN", "WRONG_ARGUMENT", "WRONG_COUNT"])
def test_typed_method_with_a_wrong_prototype_does_not_compile(tmp_path, wrong):
    # an error even without -Werror: the SUP_SAME_ check's negative array
    rc, out, err = compile_typed_proto(tmp_path, "-D" + wrong, werror=False)
    assert rc != 0, "compiled although %s" % wrong
    assert "size of unnamed array is negative" in err, err


def test_typed_method_with_an_unsupported_type_does_not_compile(tmp_path):
    rc, out, err = compile_typed_proto(tmp_path, "-DWRONG_CONST", werror=False)
    assert rc != 0
    assert "_Generic" in err, err


# --------------------------------------------------------------------------
# ABI 1.1: an older plugin, call_peer, call_ud, fd watches, rollback

def test_plugin_built_for_an_older_minor_loads(daemon):
    assert ABI_MINOR >= 1
    assert daemon(section("old", plugin("abi_old"))).proxy().old.ping() == "pong"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_call_peer_names_the_unix_socket_or_the_tcp_client(daemon):
    port = free_port()
    dm = daemon(section("c", plugin("calls")) + "\n[inet_http_server]\nport=127.0.0.1:%d\n" % port)
    assert dm.proxy().c.peer() == "unix"
    tcp = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/RPC2" % port)
    assert tcp.c.peer() == "inet:127.0.0.1"
    # sub-calls of a multicall have their caller's
    assert tcp.system.multicall([{"methodName": "c.peer", "params": []}]) == ["inet:127.0.0.1"]
    assert dm.proxy().system.multicall([{"methodName": "c.peer", "params": []}]) == ["unix"]


def test_call_ud_gives_a_typed_function_its_instance(daemon):
    p = daemon(section("a", plugin("calls")) + section("b", plugin("calls"))).proxy()
    assert (p.a.whoami(), p.b.whoami()) == ("a", "b")
    assert [p.a.count(), p.a.count(), p.b.count(), p.a.count()] == [1, 2, 1, 3]
    assert p.a.udOf() == "same"


def echo(path, *lines):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect(path)
    return s


def read_lines(s, n):
    data = b""
    while data.count(b"\n") < n:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode()


def test_fd_watch_serves_a_plugin_socket_from_the_daemon_loop(daemon):
    dm = daemon(section("e", plugin("fdwatch"), socket="@DIR@/e.sock"))
    path = str(dm.sup.dir / "e.sock")
    dm.sup.wait_log("e: listening on %s" % path)
    a = echo(path)
    b = echo(path)
    wait_for(lambda: dm.proxy().e.clients() == 2, what="two clients")
    # a line in two pieces, and two lines at once
    a.sendall(b"hel")
    b.sendall(b"one\ntwo\n")
    assert read_lines(b, 2) == "echo: one\necho: two\n"
    # an idle half-line blocks nobody: RPC still answers
    assert dm.proxy().supervisor.getState()["statename"] == "RUNNING"
    a.sendall(b"lo\n")
    assert read_lines(a, 1) == "echo: hello\n"
    a.close()
    dm.sup.wait_log("e: client gone (hang-up)")
    assert dm.proxy().e.clients() == 1
    assert dm.proxy().e.close() is True
    with pytest.raises(OSError):
        echo(path).sendall(b"x\n")
    b.close()
    wait_for(lambda: dm.proxy().e.clients() == 0, what="the last client to go")


def test_fd_watch_refuses_an_fd_someone_else_watches(daemon):
    dm = daemon(section("e", plugin("fdwatch"), socket="@DIR@/e.sock") +
                section("f", plugin("fdwatch"), socket="@DIR@/f.sock"))
    p = dm.proxy()
    assert p.f.tryWatch(p.e.fd()) == "EEXIST"
    assert p.e.tryWatch(p.e.fd()) == "ok"  # its own: events and callback replaced
    assert p.e.tryWatch(-1) == "EINVAL"
    # the daemon's own (its signalfd, its socket's listener...) too
    pid = p.supervisor.getPID()
    mine = {p.e.fd(), p.f.fd()}
    answers = {int(fd): p.e.tryWatch(int(fd)) for fd in os.listdir("/proc/%d/fd" % pid)
               if int(fd) not in mine}
    assert list(answers.values()).count("EEXIST") >= 2, answers
    # e still accepts after that
    s = echo(str(dm.sup.dir / "e.sock"))
    s.sendall(b"still\n")
    assert read_lines(s, 1) == "echo: still\n"
    s.close()


def test_fd_watches_end_with_the_daemon(daemon):
    dm = daemon(section("e", plugin("fdwatch"), socket="@DIR@/e.sock"))
    s = echo(str(dm.sup.dir / "e.sock"))
    wait_for(lambda: dm.proxy().e.clients() == 1, what="the client")
    dm.sup.stop()  # status 0, nothing on stderr: fini closed the client
    assert s.recv(10) == b""
    s.close()


def test_init_failure_after_subscribing_watching_and_arming_a_timer(tmp_path):
    # the in-process check that nothing is left is loader_test's; here the
    # daemon refuses as usual and the plugin's callbacks never run (abort())
    path = plugin("initfail")
    log = assert_refused(tmp_path, section("broken", path, hooks="yes"),
                         "[rpcinterface:broken] plugin %s: init failed" % path)
    assert "broken: subscribed, timer armed, fd " in log


def test_default_section_keys_reach_every_rpcinterface(tmp_path):
    # as Python passes them to the factory as keyword arguments
    path = plugin("deferred")
    assert_refused(tmp_path, "[DEFAULT]\ncolor = red\n\n" + section("d", path),
                   "[rpcinterface:d] unknown key 'color' (plugin %s accepts: no keys)" % path)
