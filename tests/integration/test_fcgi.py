"""[fcgi-program:x]: the group's shared listening socket (process.md §11).

Each instance of an fcgi-program gets the group's socket as fd 0.  The
socket is reference-counted by the running processes: created when the
first one is spawned, kept while any runs (so restarting one instance
does not refuse connections), closed after the last one is reaped; at
group creation it is made and closed once to check the address.  A unix
socket file is left on disk when the socket is closed and replaced when
it is made again.

The scenarios run against our supervisord and, where marked [ref],
against Debian's /usr/bin/supervisord with the same configuration, to
show the behaviour copied is Supervisor's.  The served program, written
to the test's directory, accepts on fd 0 and answers each connection
with "<pid> <O_NONBLOCK of fd 0> <SO_REUSEADDR of fd 0>".
"""
import grp
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import threading
import xmlrpc.client

import pytest

from conftest import SUPERVISORD, REF_SUPERVISORD
from daemon_util import Supervisord, UNIX_RPC, wait_for, TIMEOUT, have_reference
from test_rpc import UnixTransport

IMPLS = {"ours": SUPERVISORD, "ref": REF_SUPERVISORD}
BOTH = [pytest.param("ours"),
        pytest.param("ref", marks=pytest.mark.skipif(not have_reference(),
                                                      reason="no reference supervisord"))]

SERVER = r'''
import fcntl, os, signal, socket
s = socket.socket(fileno=0)
nonblock = int(bool(fcntl.fcntl(0, fcntl.F_GETFL) & os.O_NONBLOCK))
reuse = int(bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)))
while True:
    c, _ = s.accept()
    # a stop signal waits until the answer is sent: no client sees a reset
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    c.sendall(b"%d %d %d\n" % (os.getpid(), nonblock, reuse))
    c.close()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
'''

RPC = UNIX_RPC


def fcgi_section(name="f", socket_url="unix://@DIR@/f.sock", numprocs=3, extra=""):
    return """
[fcgi-program:%s]
command=@PY@ @DIR@/server.py
socket=%s
numprocs=%d
process_name=%%(program_name)s_%%(process_num)s
startsecs=1
stopwaitsecs=5
%s
""" % (name, socket_url, numprocs, extra)


def start(sups, tmp_path, impl, body, name="d"):
    sup = Supervisord(tmp_path / name, RPC + body, binary=IMPLS[impl], loglevel="info")
    (sup.dir / "server.py").write_text(SERVER)
    sups.append(sup)
    sup.start()
    return sup


def rpc(sup):
    proxy = xmlrpc.client.ServerProxy(
        "http://localhost", transport=UnixTransport(str(sup.dir / "sup.sock")))
    wait_for(lambda: _try(proxy.supervisor.getPID), what="the RPC server")
    return proxy.supervisor


def _try(fn, *args):
    try:
        return fn(*args)
    except (OSError, xmlrpc.client.Error):
        return None


def ask(addr, timeout=TIMEOUT):
    """Connect to the fcgi socket (path or (host, port)), return the answer
    (pid, nonblock, reuse)."""
    family = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as c:
        c.settimeout(timeout)
        c.connect(addr)
        data = b""
        while not data.endswith(b"\n"):
            chunk = c.recv(100)
            if not chunk:
                raise ConnectionError("connection closed after %r" % data)
            data += chunk
    return tuple(int(x) for x in data.split())


def running_pids(s, group):
    return {i["name"]: i["pid"] for i in s.getAllProcessInfo()
            if i["group"] == group and i["statename"] == "RUNNING"}


def wait_running(s, group, n):
    return wait_for(lambda: len(running_pids(s, group)) == n and running_pids(s, group),
                    what="%d RUNNING processes in %s" % (n, group))


def socket_inode(pid, fd):
    """'socket:[N]' -> N for /proc/<pid>/fd/<fd>, or None."""
    try:
        link = os.readlink("/proc/%d/fd/%d" % (pid, fd))
    except OSError:
        return None
    return int(link[8:-1]) if link.startswith("socket:[") else None


def daemon_socket_fds(pid, inode):
    """The daemon's fds that are the socket with this inode."""
    out = []
    for fd in os.listdir("/proc/%d/fd" % pid):
        if socket_inode(pid, int(fd)) == inode:
            out.append(int(fd))
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def msgs(sup):
    return [(l.level, l.msg) for l in sup.lines()]


class Running:
    """A daemon whose unix fcgi group f has all its instances RUNNING:
    sup, s (the supervisor RPC namespace), pids (name -> pid), path and
    url of the socket, inode (the socket the instances have as fd 0)."""

    def __init__(self, sups, tmp_path, impl, numprocs=3):
        self.sup = start(sups, tmp_path, impl, fcgi_section(numprocs=numprocs))
        self.s = rpc(self.sup)
        self.pids = wait_running(self.s, "f", numprocs)
        self.path = str(self.sup.dir / "f.sock")
        self.url = "unix://" + self.path
        self.inode = socket_inode(self.pids["f_0"], 0)


# --------------------------------------------------------------------------

@pytest.mark.parametrize("impl", BOTH)
def test_instances_share_the_socket(sups, tmp_path, impl):
    r = Running(sups, tmp_path, impl)
    sup, s, pids, path = r.sup, r.s, r.pids, r.path
    assert sorted(pids) == ["f_0", "f_1", "f_2"]
    # every instance has the same listening socket as fd 0, and so has the daemon
    inodes = {socket_inode(pid, 0) for pid in pids.values()}
    assert len(inodes) == 1 and None not in inodes, inodes
    inode, = inodes
    fds = daemon_socket_fds(sup.pid, inode)
    assert len(fds) == 1, fds
    # close-on-exec in the daemon (O_CLOEXEC is 02000000 in fdinfo flags)
    flags = int(open("/proc/%d/fdinfo/%d" % (sup.pid, fds[0])).read().split("flags:")[1].split()[0], 8)
    assert flags & 0o2000000
    served = [ask(path) for _ in range(30)]
    assert {p for p, _, _ in served} <= set(pids.values())
    assert len({p for p, _, _ in served}) >= 2, served
    assert {nb for _, nb, _ in served} == {0}  # children get a blocking socket
    # default socket_mode 0700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    # the socket replaced stdin: nothing to write to
    with pytest.raises(xmlrpc.client.Fault) as e:
        s.sendProcessStdin("f:f_1", "x")
    assert e.value.faultCode == 20 and e.value.faultString == "NO_FILE: f:f_1"
    log = msgs(sup)
    url = "unix://%s" % path
    # checked once when the group is made, then created for the first spawn
    assert [m for m in log if "socket" in m[1]] == [
        ("INFO", "Creating socket " + url), ("INFO", "Closing socket " + url),
        ("INFO", "Creating socket " + url)]
    sup.stop()
    assert ("INFO", "Closing socket " + url) == [m for m in msgs(sup) if "socket" in m[1]][-1]
    assert os.path.exists(path)  # not unlinked at shutdown


@pytest.mark.parametrize("impl", BOTH)
def test_restart_keeps_serving(sups, tmp_path, impl):
    r = Running(sups, tmp_path, impl)
    sup, s, pids, path, inode = r.sup, r.s, r.pids, r.path, r.inode
    errors, lost, answers = [], [], []
    done = threading.Event()

    def client():
        while not done.is_set():
            try:
                answers.append(ask(path)[0])
            except ConnectionError as e:
                # accepted by f_0 just as it was signalled: not the socket's doing
                if isinstance(e, ConnectionRefusedError):
                    errors.append(e)
                else:
                    lost.append(e)
            except OSError as e:
                errors.append(e)

    t = threading.Thread(target=client)
    t.start()
    try:
        wait_for(lambda: len(answers) > 20, what="answers before the restart")
        assert s.stopProcess("f:f_0") is True
        n = len(answers)
        wait_for(lambda: len(answers) > n + 20, what="answers while f_0 is stopped")
        assert s.startProcess("f:f_0") is True
        new = wait_running(s, "f", 3)
        n = len(answers)
        wait_for(lambda: len(answers) > n + 20, what="answers after the restart")
    finally:
        done.set()
        t.join()
    assert errors == []  # never refused: the socket stayed open
    assert len(lost) <= 1, lost
    assert new["f_0"] != pids["f_0"]
    # the same socket before and after, in the new instance too
    assert {socket_inode(p, 0) for p in new.values()} == {inode}
    assert len(daemon_socket_fds(sup.pid, inode)) == 1
    socket_lines = [m for m in msgs(sup) if "socket" in m[1]]
    assert len(socket_lines) == 3  # check, create, no close in between
    sup.stop()


@pytest.mark.parametrize("impl", BOTH)
def test_socket_closed_when_group_stopped(sups, tmp_path, impl):
    r = Running(sups, tmp_path, impl)
    sup, s, pids, path, url, inode = r.sup, r.s, r.pids, r.path, r.url, r.inode
    # two of three stopped: still open
    s.stopProcess("f:f_0")
    s.stopProcess("f:f_1")
    assert daemon_socket_fds(sup.pid, inode)
    assert ask(path)[0] == pids["f_2"]
    s.stopProcess("f:f_2")
    # the last reap closes it, right after its "stopped:" line
    sup.wait_log("Closing socket " + url, count=2)
    log = msgs(sup)
    i = len(log) - 1 - log[::-1].index(("INFO", "Closing socket " + url))
    assert log[i - 1][1].startswith("stopped: f_2 ")
    assert daemon_socket_fds(sup.pid, inode) == []
    assert os.path.exists(path)
    with pytest.raises(ConnectionRefusedError):
        ask(path)
    # starting one instance makes a new socket
    s.startProcess("f:f_1")
    sup.wait_log("Creating socket " + url, count=3)
    new = wait_running(s, "f", 1)
    assert socket_inode(new["f_1"], 0) not in (None, inode)
    assert ask(path)[0] == new["f_1"]
    sup.stop()


@pytest.mark.parametrize("impl", BOTH)
def test_remove_group(sups, tmp_path, impl):
    r = Running(sups, tmp_path, impl)
    sup, s, path, url, inode = r.sup, r.s, r.path, r.url, r.inode
    s.stopProcessGroup("f")
    assert s.removeProcessGroup("f") is True
    assert daemon_socket_fds(sup.pid, inode) == []
    assert [i["group"] for i in s.getAllProcessInfo()] == []
    # Supervisor leaves the file; nothing listens on it
    assert os.path.exists(path)
    with pytest.raises(ConnectionRefusedError):
        ask(path)
    # added again (reloadConfig knows it as "added"): checked once more
    assert s.reloadConfig() == [[["f"], [], []]]
    assert s.addProcessGroup("f") is True
    wait_running(s, "f", 3)
    assert [m[1] for m in msgs(sup) if "socket" in m[1]] == [
        "Creating socket " + url, "Closing socket " + url,   # startup check
        "Creating socket " + url, "Closing socket " + url,   # first run
        "Creating socket " + url, "Closing socket " + url,   # addProcessGroup check
        "Creating socket " + url]
    sup.stop()


@pytest.mark.parametrize("impl", BOTH)
def test_tcp_socket(sups, tmp_path, impl):
    port = free_port()
    sup = start(sups, tmp_path, impl,
                fcgi_section("t", "tcp://LocalHost:%d" % port, numprocs=2, extra="socket_backlog=7"))
    s = rpc(sup)
    pids = wait_running(s, "t", 2)
    served = [ask(("127.0.0.1", port)) for _ in range(20)]
    assert {p for p, _, _ in served} == set(pids.values())
    assert {r for _, _, r in served} == {1}  # SO_REUSEADDR
    # the url in the log has the host lower-cased
    assert ("INFO", "Creating socket tcp://localhost:%d" % port) in msgs(sup)
    if shutil.which("ss"):
        out = subprocess.run(["ss", "-ltnH", "sport = :%d" % port],
                             capture_output=True, text=True).stdout.split()
        assert out[0] == "LISTEN" and out[2] == "7", out  # Send-Q of a listener: the backlog
    assert [(i["group"], i["name"]) for i in s.getAllProcessInfo()] == [("t", "t_0"), ("t", "t_1")]
    sup.stop()


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
@pytest.mark.parametrize("impl", BOTH)
def test_unix_socket_owner_and_mode(sups, tmp_path, impl):
    user = pwd.getpwnam("nobody")
    group = grp.getgrgid(user.pw_gid).gr_name
    sup = start(sups, tmp_path, impl, fcgi_section(
        numprocs=1, extra="socket_mode=0660\nsocket_owner=nobody:%s" % group))
    s = rpc(sup)
    wait_running(s, "f", 1)
    st = os.stat(sup.dir / "f.sock")
    assert stat.S_ISSOCK(st.st_mode)
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o660, user.pw_uid, user.pw_gid)
    sup.stop()


@pytest.mark.skipif(os.geteuid() != 0, reason="user= needs root")
@pytest.mark.parametrize("impl", BOTH)
def test_socket_owner_defaults_to_user(sups, tmp_path, impl):
    user = pwd.getpwnam("nobody")
    sup = start(sups, tmp_path, impl, fcgi_section(numprocs=1, extra="user=nobody"))
    s = rpc(sup)
    wait_for(lambda: (sup.dir / "f.sock").exists(), what="the socket file")
    st = os.stat(sup.dir / "f.sock")
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o700, user.pw_uid, user.pw_gid)
    s.stopProcessGroup("f")
    sup.stop()


def test_stale_socket_file_replaced(sups, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "f.sock").write_text("stale")
    sup = start(sups, tmp_path, "ours", fcgi_section(numprocs=1))
    s = rpc(sup)
    pid = wait_running(s, "f", 1)["f_0"]
    assert ask(str(d / "f.sock"))[0] == pid
    sup.stop()


@pytest.mark.parametrize("impl", BOTH)
def test_address_in_use_at_startup(sups, tmp_path, impl):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        sup = start(sups, tmp_path, impl, fcgi_section("t", "tcp://127.0.0.1:%d" % port))
        rc = sup.proc.wait(TIMEOUT)
    err = sup.stderr_path.read_text()
    want = "Could not create FastCGI socket tcp://127.0.0.1:%d: [Errno 98] Address already in use" % port
    assert rc == 1
    # Supervisor dies with a traceback ending "ValueError: <text>"; we print "Error: <text>"
    assert err.rstrip("\n").split("\n")[-1] == ("Error: " if impl == "ours" else "ValueError: ") + want
    assert [m for m in msgs(sup) if "socket" in m[1]] == [
        ("INFO", "Creating socket tcp://127.0.0.1:%d" % port)]


@pytest.mark.parametrize("impl", BOTH)
def test_unix_directory_missing_at_startup(sups, tmp_path, impl):
    sup = start(sups, tmp_path, impl, fcgi_section(socket_url="unix://@DIR@/nodir/f.sock"))
    assert sup.proc.wait(TIMEOUT) == 1
    last = sup.stderr_path.read_text().rstrip("\n").split("\n")[-1]
    assert last.endswith(": Could not create FastCGI socket unix://%s/nodir/f.sock: "
                         "[Errno 2] No such file or directory" % sup.dir)


def test_socket_error_at_spawn_is_a_spawn_error(sups, tmp_path):
    """Supervisor lets this exception escape (HTTP 500, or a crash from the
    main loop); we make it a spawn error: BACKOFF, retried, then RUNNING
    once the address is free."""
    port = free_port()
    sup = start(sups, tmp_path, "ours",
                fcgi_section("t", "tcp://127.0.0.1:%d" % port, numprocs=1,
                             extra="autostart=false\nstartretries=100"))
    s = rpc(sup)
    busy = socket.socket()
    busy.bind(("127.0.0.1", port))
    busy.listen()
    want = "Could not create FastCGI socket tcp://127.0.0.1:%d: [Errno 98] Address already in use" % port
    try:
        with pytest.raises(xmlrpc.client.Fault) as e:
            s.startProcess("t:t_0")
        assert e.value.faultString == "SPAWN_ERROR: t:t_0"
        info = s.getProcessInfo("t:t_0")
        assert info["statename"] == "BACKOFF" and info["spawnerr"] == want
        assert ("INFO", "spawnerr: " + want) in msgs(sup)
    finally:
        busy.close()
    wait_running(s, "t", 1)
    sup.stop()


def test_socket_error_at_add_group(sups, tmp_path):
    """addProcessGroup makes the socket once, as at startup: when it cannot,
    the group is not added (Supervisor answers HTTP 500; we fault FAILED)."""
    sup = start(sups, tmp_path, "ours", "")
    s = rpc(sup)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        with open(sup.conf, "a") as f:
            f.write(sup.expand(fcgi_section("t", "tcp://127.0.0.1:%d" % port)))
        assert s.reloadConfig() == [[["t"], [], []]]
        with pytest.raises(xmlrpc.client.Fault) as e:
            s.addProcessGroup("t")
        assert e.value.faultString == "FAILED: t"
        assert s.getAllProcessInfo() == []
        assert ("ERRO", "Could not create FastCGI socket tcp://127.0.0.1:%d: "
                "[Errno 98] Address already in use" % port) in msgs(sup)
    finally:
        busy.close()
    assert s.addProcessGroup("t") is True
    wait_running(s, "t", 3)
    sup.stop()


def test_bad_command_creates_and_closes(sups, tmp_path):
    """As in Supervisor, the socket is taken before the command is looked
    up, so a spawn that fails early makes and closes it."""
    sup = start(sups, tmp_path, "ours", """
[fcgi-program:f]
command=/nonexistent/prog
socket=unix://@DIR@/f.sock
startretries=0
""")
    s = rpc(sup)
    wait_for(lambda: s.getProcessInfo("f")["statename"] == "FATAL", what="FATAL")
    url = "unix://%s/f.sock" % sup.dir
    assert [m[1] for m in msgs(sup) if "socket" in m[1] or m[1].startswith("spawnerr")] == [
        "Creating socket " + url, "Closing socket " + url,
        "Creating socket " + url, "spawnerr: can't find command '/nonexistent/prog'",
        "Closing socket " + url]
    sup.stop()


def test_plain_program_does_not_inherit(sups, tmp_path):
    """The daemon's copy is close-on-exec: a plain program has only 0-2."""
    sup = start(sups, tmp_path, "ours", fcgi_section(numprocs=1) + """
[program:plain]
command=@PY@ -c "import time; time.sleep(100)"
startsecs=1
""")
    s = rpc(sup)
    wait_running(s, "f", 1)
    pid = wait_running(s, "plain", 1)["plain"]
    assert sorted(int(fd) for fd in os.listdir("/proc/%d/fd" % pid)) == [0, 1, 2]
    assert socket_inode(pid, 0) is None
    sup.stop()


@pytest.mark.parametrize("impl", BOTH)
def test_daemon_restart_remakes_socket(sups, tmp_path, impl):
    """SIGHUP: the group is stopped (socket closed), the next generation
    checks the socket again and serves on a new one."""
    r = Running(sups, tmp_path, impl, numprocs=2)
    sup, old, path, url, inode = r.sup, r.pids, r.path, r.url, r.inode
    sup.send(signal.SIGHUP)
    sup.wait_log("Creating socket " + url, count=4)
    s = rpc(sup)
    new = wait_for(lambda: _try(running_pids, s, "f") if len(_try(running_pids, s, "f") or {}) == 2 else None,
                   what="2 RUNNING after the restart")
    assert set(new.values()).isdisjoint(old.values())
    assert socket_inode(new["f_0"], 0) not in (None, inode)
    assert ask(path)[0] in new.values()
    assert [m[1] for m in msgs(sup) if "socket" in m[1]] == [
        "Creating socket " + url, "Closing socket " + url, "Creating socket " + url,
        "Closing socket " + url,
        "Creating socket " + url, "Closing socket " + url, "Creating socket " + url]
    sup.stop()
