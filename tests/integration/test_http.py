"""The HTTP layer (supervisord/http.c) through tests/http_echo: listeners,
routing, Basic auth, limits against bad clients, deferred replies and their
cancellation, /logtail streaming.

http_echo echoes POST /RPC2 bodies ("DEFER": answered after 200 ms from a
timer, "HOLD": after 60 s, "ORPHAN": after 300 ms with no cancel callback,
"FAIL": 500, "WHO": the section its server_init stored), serves /logtail/x from
$HTTP_ECHO_TAIL and /mainlogtail from its activity log, prints "ready" when
serving and exits 0 on SIGTERM (under ASan, leaks make that exit non-zero).
"""
import base64
import hashlib
import http.client
import os
import pathlib
import re
import resource
import select
import signal
import socket
import stat
import subprocess
import time

import pytest

from conftest import BUILDDIR

HTTP_ECHO = os.environ.get("CSUP_HTTP_ECHO", str(BUILDDIR / "tests" / "http_echo"))
TIMEOUT = 20.0

ERROR_PAGE = ("<head>\r\n<title>Error response</title>\r\n</head>\r\n<body>\r\n"
              "<h1>Error response</h1>\r\n<p>Error code %d.\r\n<p>Message: %s.\r\n</body>\r\n")
IN_USE = ("Another program is already listening on a port that one of our HTTP servers "
          "is configured to use.  Shut this program down first before starting supervisord.")

pytestmark = pytest.mark.skipif(not os.path.exists(HTTP_ECHO), reason="tests/http_echo not built")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout=TIMEOUT, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=TIMEOUT):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path)
        self.sock = s


class Echo:
    """One http_echo process with its own directory and config."""

    def __init__(self, tmp_path, unix=True, inet=True, auth=None, extra="", tail=None):
        self.dir = tmp_path
        self.sock = str(tmp_path / "s.sock")
        self.port = free_port()
        self.log = tmp_path / "sd.log"
        self.tail = tail
        auth_lines = ""
        if auth:
            auth_lines = "username=%s\npassword=%s\n" % auth
        conf = "[supervisord]\nlogfile=%s\nloglevel=trace\n" % self.log
        if unix:
            conf += "[unix_http_server]\nfile=%s\nchmod=0600\n%s" % (self.sock, auth_lines)
        if inet:
            conf += "[inet_http_server]\nport=127.0.0.1:%d\n%s" % (self.port, auth_lines)
        conf += extra
        self.conf = tmp_path / "echo.conf"
        self.conf.write_text(conf)
        self.proc = None

    def start(self, expect_ready=True, env=None, preexec_fn=None):
        env = dict(os.environ, **(env or {}))
        if self.tail:
            env["HTTP_ECHO_TAIL"] = str(self.tail)
        self.errfile = open(self.dir / "stderr", "w+")
        self.proc = subprocess.Popen([HTTP_ECHO, "-c", str(self.conf)], stdout=subprocess.PIPE,
                                     stderr=self.errfile, stdin=subprocess.DEVNULL, env=env,
                                     start_new_session=True, preexec_fn=preexec_fn)
        if expect_ready:
            r, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
            line = self.proc.stdout.readline() if r else b""
            assert line == b"ready\n", "http_echo did not start: %r %s" % (line, self.stderr())
        return self

    def stderr(self):
        self.errfile.flush()
        return (self.dir / "stderr").read_text()

    def log_text(self):
        return self.log.read_text() if self.log.exists() else ""

    def wait_log(self, text):
        return wait_for(lambda: text in self.log_text(), what="%r in the log" % text)

    def tcp(self, timeout=TIMEOUT):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def unix(self, timeout=TIMEOUT):
        return UnixHTTPConnection(self.sock, timeout=timeout)

    def raw(self, timeout=TIMEOUT):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return s

    def stop(self):
        """SIGTERM; returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(TIMEOUT)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
            self.errfile.close()


@pytest.fixture
def echo_factory(tmp_path):
    made = []

    def make(sub="a", **kw):
        d = tmp_path / sub
        d.mkdir(exist_ok=True)
        e = Echo(d, **kw)
        made.append(e)
        return e
    yield make
    # every server that is still up must stop cleanly: exit 0, and nothing
    # from the sanitizers (leaks make an ASan build exit non-zero)
    problems = []
    for e in made:
        if e.proc and e.proc.poll() is None:
            try:
                rc = e.stop()
            except subprocess.TimeoutExpired:
                rc = "no exit after SIGTERM"
            err = e.stderr()
            if rc != 0 or "Sanitizer" in err or "runtime error" in err:
                problems.append("%s: exit %s, stderr:\n%s" % (e.dir.name, rc, err[-3000:]))
        e.kill()
    assert not problems, "\n".join(problems)


@pytest.fixture
def echo(echo_factory):
    return echo_factory().start()


def post(conn, body, headers=None):
    conn.request("POST", "/RPC2", body=body, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read(), r


def read_response(sock, timeout=TIMEOUT):
    """Read one HTTP response with a Content-Length from a raw socket:
    (status, headers dict lower-cased, body)."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed before a response; got %r" % data)
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for l in lines[1:]:
        k, v = l.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


# --------------------------------------------------------------------------
# listeners and basic serving

def test_echo_post_over_tcp(echo):
    status, body, r = post(echo.tcp(), b"<hello/>")
    assert (status, body) == (200, b"<hello/>")
    assert r.getheader("Content-Type") == "text/xml"
    assert r.getheader("Server") == "Medusa/1.12"
    assert r.getheader("Date").endswith(" GMT")


def test_echo_post_over_unix_socket(echo):
    status, body, _ = post(echo.unix(), b"over unix")
    assert (status, body) == (200, b"over unix")


def test_large_body_is_echoed_whole(echo):
    # any bytes, but lower-cased so that no echo keyword (DEFER, WHO...) shows up
    data = os.urandom(3 << 20).translate(bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                                         b"abcdefghijklmnopqrstuvwxyz"))
    status, body, _ = post(echo.unix(), data)
    assert status == 200 and body == data


@pytest.mark.parametrize("kind", ["tcp", "unix"])
def test_keepalive_three_requests_on_one_connection(echo, kind):
    conn = getattr(echo, kind)()
    socks = set()
    for i in range(3):
        status, body, _ = post(conn, b"req %d" % i)
        assert (status, body) == (200, b"req %d" % i)
        socks.add(id(conn.sock))
        assert conn.sock is not None
    assert len(socks) == 1, "the connection was not kept alive"


def test_http10_request_is_answered_and_closed(echo):
    s = echo.raw()
    s.sendall(b"POST /RPC2 HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc")
    status, _, body = read_response(s)
    assert (status, body) == (200, b"abc")
    assert s.recv(1) == b""


def test_unix_socket_mode_and_removal_at_stop(echo):
    assert stat.S_ISSOCK(os.stat(echo.sock).st_mode)
    assert stat.S_IMODE(os.stat(echo.sock).st_mode) == 0o600
    assert not os.path.exists("%s.%d" % (echo.sock, echo.proc.pid)), "temp name left behind"
    assert echo.stop() == 0
    assert not os.path.exists(echo.sock)


def test_every_fd_is_close_on_exec(echo):
    # a tail and a connection open as well, so their fds are checked too
    conn = echo.tcp()
    conn.request("GET", "/mainlogtail")
    r = conn.getresponse()
    assert r.status == 200
    held = echo.unix()
    held.connect()
    time.sleep(0.2)
    pid = echo.proc.pid
    inherited = {0, 1, 2}
    bad = []
    for n in os.listdir("/proc/%d/fd" % pid):
        if int(n) in inherited:
            continue
        with open("/proc/%d/fdinfo/%s" % (pid, n)) as f:
            flags = int(next(l for l in f if l.startswith("flags")).split()[1], 8)
        if not flags & 0o2000000:
            bad.append((n, os.readlink("/proc/%d/fd/%s" % (pid, n))))
    assert not bad, "fds without O_CLOEXEC: %r" % bad


def test_crit_for_servers_without_auth(echo):
    text = echo.wait_log("running without any HTTP authentication checking")
    assert "CRIT Server 'unix_http_server' running without any HTTP authentication checking" in echo.log_text()
    assert "CRIT Server 'inet_http_server' running without any HTTP authentication checking" in echo.log_text()
    assert text


def test_no_crit_with_auth(echo_factory):
    e = echo_factory(auth=("user", "123")).start()
    post(e.tcp(), b"x", {"Authorization": basic("user", "123")})
    e.wait_log('"POST /RPC2 HTTP/1.1" 200')
    assert "without any HTTP authentication" not in e.log_text()


def test_server_init_runs_per_server_between_start_and_auth_warning(echo):
    assert post(echo.unix(), b"WHO")[:2] == (200, b"unix_http_server")
    assert post(echo.tcp(), b"WHO")[:2] == (200, b"inet_http_server")
    text = echo.log_text()
    order = [m.group(0) for m in re.finditer(
        r"Medusa \(V1\.12\) started|echo interface initialized for \w+|CRIT Server '\w+'", text)]
    # servers in the loader's order (inet first, as Supervisor), each one
    # bound, then initialized, then warned about
    assert order == ["Medusa (V1.12) started", "echo interface initialized for inet_http_server",
                     "CRIT Server 'inet_http_server'",
                     "Medusa (V1.12) started", "echo interface initialized for unix_http_server",
                     "CRIT Server 'unix_http_server'"], order


def test_server_init_failure_fails_start_and_cleans_up(echo_factory):
    e = echo_factory()
    e.start(expect_ready=False, env={"HTTP_ECHO_INIT_FAIL": "inet_http_server"})
    assert e.proc.wait(TIMEOUT) == 2
    assert e.stderr() == "Error: Could not make echo rpc interface\n"
    assert not os.path.exists(e.sock)


def test_access_log_lines_at_trace(echo):
    post(echo.tcp(), b"abc")
    post(echo.unix(), b"abcd")
    echo.wait_log('"POST /RPC2 HTTP/1.1" 200 4')
    text = echo.log_text()
    assert re.search(r'TRAC 127\.0\.0\.1:\d+ - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
                     r'"POST /RPC2 HTTP/1\.1" 200 3', text), text
    assert re.search(r'TRAC localhost:0 - - \[.*\] "POST /RPC2 HTTP/1\.1" 200 4', text), text


# --------------------------------------------------------------------------
# startup failures and the unix socket dance

def test_stale_socket_is_replaced(echo_factory):
    e = echo_factory(inet=False)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(e.sock)
    s.close()  # the file stays, nobody listens
    e.start()
    assert e.stderr() == "Unlinking stale socket %s\n" % e.sock
    assert post(e.unix(), b"fresh")[:2] == (200, b"fresh")


def test_live_unix_socket_is_address_in_use(echo_factory):
    first = echo_factory("first", inet=False).start()
    second = echo_factory("second", inet=False)
    second.sock = first.sock
    second.conf.write_text(second.conf.read_text().replace(str(second.dir / "s.sock"), first.sock))
    second.start(expect_ready=False)
    assert second.proc.wait(TIMEOUT) == 2
    assert second.stderr() == "Error: %s\n" % IN_USE
    # the first one still owns and serves its socket
    assert post(first.unix(), b"still")[:2] == (200, b"still")


def test_tcp_port_in_use(echo_factory):
    first = echo_factory("first", unix=False).start()
    second = echo_factory("second", unix=False)
    second.conf.write_text(second.conf.read_text().replace(":%d" % second.port, ":%d" % first.port))
    second.start(expect_ready=False)
    assert second.proc.wait(TIMEOUT) == 2
    assert second.stderr() == "Error: %s\n" % IN_USE


def test_unix_socket_in_missing_directory(echo_factory):
    e = echo_factory(inet=False)
    e.conf.write_text(e.conf.read_text().replace(e.sock, str(e.dir / "nodir" / "s.sock")))
    e.start(expect_ready=False)
    assert e.proc.wait(TIMEOUT) == 2
    assert e.stderr() == "Error: Cannot open an HTTP server: socket.error reported errno.ENOENT (2)\n"


def test_failed_start_removes_sockets_it_made(echo_factory):
    # the unix server binds first, then the TCP one fails
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    e = echo_factory()
    e.conf.write_text(e.conf.read_text().replace(":%d" % e.port, ":%d" % blocker.getsockname()[1]))
    e.start(expect_ready=False)
    assert e.proc.wait(TIMEOUT) == 2
    assert IN_USE in e.stderr()
    assert not os.path.exists(e.sock)
    blocker.close()


# --------------------------------------------------------------------------
# authentication

@pytest.mark.parametrize("stored", ["s3cret", "{SHA}" + hashlib.sha1(b"s3cret").hexdigest()])
@pytest.mark.parametrize("kind", ["tcp", "unix"])
def test_basic_auth(echo_factory, stored, kind):
    e = echo_factory(auth=("alice", stored)).start()
    conn = lambda: getattr(e, kind)()
    status, body, r = post(conn(), b"x")
    assert status == 401
    assert body == (ERROR_PAGE % (401, "Unauthorized")).encode()
    assert r.getheader("WWW-Authenticate") == 'Basic realm="default"'
    assert r.getheader("Connection") == "close"
    assert post(conn(), b"x", {"Authorization": basic("alice", "wrong")})[0] == 401
    assert post(conn(), b"x", {"Authorization": basic("bob", "s3cret")})[0] == 401
    assert post(conn(), b"x", {"Authorization": basic("alice", stored)})[0] == (401 if stored.startswith("{SHA}") else 200)
    assert post(conn(), b"ok", {"Authorization": basic("alice", "s3cret")})[:2] == (200, b"ok")
    # every handler is behind the check
    c = conn()
    c.request("GET", "/logtail/x")
    assert c.getresponse().status == 401


def test_auth_keepalive_after_success(echo_factory):
    e = echo_factory(auth=("alice", "pw")).start()
    conn = e.tcp()
    for i in range(3):
        assert post(conn, b"%d" % i, {"Authorization": basic("alice", "pw")})[:2] == (200, b"%d" % i)
        if i == 0:
            first = conn.sock
    assert conn.sock is first


@pytest.mark.parametrize("header,status", [
    ("Digest abc", 401),                                   # other scheme
    ("basic " + base64.b64encode(b"alice:pw").decode(), 200),  # scheme is case-insensitive
    ("Basic a", 400),                                      # not base64 (padding)
    ("Basic " + base64.b64encode(b"\xff\xfe:pw").decode(), 400),  # not UTF-8
    ("Basic " + base64.b64encode(b"alicepw").decode(), 500),      # no colon (Supervisor quirk)
    ("Basic", 401),                                        # no credentials
])
def test_auth_header_variants(echo_factory, header, status):
    e = echo_factory(auth=("alice", "pw")).start()
    assert post(e.tcp(), b"x", {"Authorization": header})[0] == status


def test_auth_failure_with_body_still_answers(echo_factory):
    e = echo_factory(auth=("alice", "pw")).start()
    status, body, _ = post(e.tcp(), b"z" * (1 << 20), {"Authorization": basic("alice", "nope")})
    assert status == 401


# --------------------------------------------------------------------------
# routing and HTTP-level errors

def test_get_rpc2_is_400(echo):
    conn = echo.tcp()
    conn.request("GET", "/RPC2")
    r = conn.getresponse()
    assert r.status == 400
    assert r.read() == (ERROR_PAGE % (400, "Bad Request")).encode()
    assert r.getheader("Content-Type") == "text/html"
    # and the connection is still usable
    assert post(conn, b"after")[:2] == (200, b"after")


def test_rpc2_prefix_match(echo):
    conn = echo.tcp()
    conn.request("POST", "/RPC2/whatever?x=1", body=b"pfx")
    r = conn.getresponse()
    assert (r.status, r.read()) == (200, b"pfx")


@pytest.mark.parametrize("path", ["/", "/index.html", "/nothing/here", "/RPC"])
def test_unknown_path_is_404_with_supervisors_page(echo, path):
    conn = echo.tcp()
    conn.request("GET", path)
    r = conn.getresponse()
    assert r.status == 404
    assert r.read() == (ERROR_PAGE % (404, "Not Found")).encode()
    assert r.getheader("Server") == "Medusa/1.12"
    assert r.getheader("Content-Type") == "text/html"
    assert r.getheader("Connection") != "close"


def test_post_to_unknown_path_is_400(echo):
    conn = echo.tcp()
    conn.request("POST", "/nothing", body=b"x")
    assert conn.getresponse().status == 400


def test_missing_content_length_is_411(echo):
    s = echo.raw()
    s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n")
    status, headers, body = read_response(s)
    assert status == 411
    assert body == (ERROR_PAGE % (411, "Length Required")).encode()


def test_huge_content_length_is_413_at_once(echo):
    s = echo.raw()
    t0 = time.monotonic()
    s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
    status, headers, _ = read_response(s)
    assert status == 413
    assert headers.get("connection", "").lower() == "close"
    assert time.monotonic() - t0 < 5


def test_rpc_handler_error_status_gets_error_page(echo):
    status, body, _ = post(echo.tcp(), b"FAIL")
    assert status == 500
    assert body == (ERROR_PAGE % (500, "Internal Server Error")).encode()


# (a line starting with NUL reads as empty to MHD, which then waits for a
# request line: that client is just slow, see the slowloris test)
@pytest.mark.parametrize("junk", [b"GARBAGE\r\n\r\n", b"\x01\x02\xff\xfe junk\r\n\r\n",
                                  b"GET / HTTP/9.9\r\n\r\n", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n"])
def test_garbage_gets_an_error_and_server_keeps_serving(echo, junk):
    s = echo.raw()
    try:
        s.sendall(junk)
        s.settimeout(TIMEOUT)
        data = s.recv(65536)
        assert data == b"" or data.startswith(b"HTTP/1.1 4") or data.startswith(b"HTTP/1.1 5"), data[:200]
    except (ConnectionResetError, BrokenPipeError):
        pass
    s.close()
    assert post(echo.tcp(), b"alive")[:2] == (200, b"alive")


def test_slow_clients_do_not_block_others(echo):
    slow = []
    for i in range(20):
        s = echo.raw() if i % 2 else socket.socket(socket.AF_UNIX)
        if not i % 2:
            s.connect(echo.sock)
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Le" if i % 3 else b"\x00\x01")  # then nothing
        slow.append(s)
    half = echo.raw()
    half.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
    slow.append(half)
    t0 = time.monotonic()
    for kind in ("tcp", "unix"):
        assert post(getattr(echo, kind)(), b"fast")[:2] == (200, b"fast")
    assert time.monotonic() - t0 < 5
    for s in slow:
        s.close()


# --------------------------------------------------------------------------
# deferred replies and cancellation

def test_deferred_reply_arrives_and_others_are_served_meanwhile(echo):
    a = echo.raw()
    t0 = time.monotonic()
    a.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nDEFER")
    # served while the deferred request waits (over both transports)
    assert post(echo.unix(), b"quick")[:2] == (200, b"quick")
    assert post(echo.tcp(), b"quick2")[:2] == (200, b"quick2")
    status, _, body = read_response(a)
    elapsed = time.monotonic() - t0
    assert (status, body) == (200, b"DEFER")
    assert elapsed >= 0.19
    # keep-alive survives the suspension
    a.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nnext")
    assert read_response(a)[::2] == (200, b"next")


def test_deferred_replies_in_parallel(echo):
    socks = []
    for i in range(10):
        s = echo.raw()
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\nDEFER%02d" % i)
        socks.append(s)
    for i, s in enumerate(socks):
        assert read_response(s)[::2] == (200, b"DEFER%02d" % i)


def test_client_leaving_a_held_request_cancels_it(echo):
    s = echo.raw()
    s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nHOLD-1")
    time.sleep(0.2)
    s.close()
    echo.wait_log("INFO cancelled HOLD-1")
    assert post(echo.tcp(), b"after")[:2] == (200, b"after")
    # the unix transport too
    u = socket.socket(socket.AF_UNIX)
    u.connect(echo.sock)
    u.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nHOLD-2")
    time.sleep(0.2)
    u.close()
    echo.wait_log("INFO cancelled HOLD-2")


def test_reply_after_client_left_without_cancel_callback(echo):
    s = echo.raw()
    s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nORPHAN")
    time.sleep(0.1)
    s.close()
    time.sleep(0.5)  # the reply to nobody has been made by now
    assert post(echo.tcp(), b"ORPHAN kept")[:2] == (200, b"ORPHAN kept")
    # (the fixture's clean stop checks nothing leaked)


def test_stop_cancels_pending_requests(echo):
    s = echo.raw()
    s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nHOLD-3")
    conn = echo.tcp()
    conn.request("GET", "/mainlogtail")
    assert conn.getresponse().status == 200
    time.sleep(0.3)
    assert echo.stop() == 0
    text = echo.log_text()
    assert "INFO cancelled HOLD-3" in text
    assert text.index("cancelled HOLD-3") < text.index("INFO stopped")
    s.settimeout(TIMEOUT)
    assert s.recv(100) == b""  # closed without a reply


def test_out_of_fds_pauses_accepting_without_spinning(echo_factory):
    e = echo_factory(unix=False)
    lim = 24
    e.start(preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (lim, lim)))
    held = []
    for i in range(lim + 8):  # more than the server has fds for; the rest wait in the backlog
        s = e.raw()
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nHOLD%02d" % i)
        held.append(s)
    e.wait_log("error accepting a connection on inet_http_server: Too many open files")
    before = cpu_ticks(e.proc.pid)
    time.sleep(1.5)
    assert cpu_ticks(e.proc.pid) - before <= 5, "accept spins on EMFILE"
    for s in held:
        s.close()
    # fds come back: the server accepts and serves again
    assert post(e.tcp(), b"back")[:2] == (200, b"back")


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_idle_with_suspended_connections_uses_no_cpu(echo_factory, tmp_path):
    tail = tmp_path / "t.log"
    tail.write_text("x\n")
    e = echo_factory(tail=tail).start()
    held = e.raw()
    held.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nHOLD")
    conn = e.tcp()
    conn.request("GET", "/logtail/x")
    r = conn.getresponse()
    assert r.read1(100) == b"x\n"
    time.sleep(0.3)
    before = cpu_ticks(e.proc.pid)
    time.sleep(1.5)
    assert cpu_ticks(e.proc.pid) - before <= 2, "the server is busy while idle"


# --------------------------------------------------------------------------
# /logtail and /mainlogtail

def read_until(resp, needle, timeout=TIMEOUT):
    """Read a streamed body until needle shows up; returns all read."""
    got = b""
    deadline = time.monotonic() + timeout
    while needle not in got:
        if time.monotonic() > deadline:
            raise AssertionError("never got %r; got %r" % (needle, got[-300:]))
        chunk = resp.read1(65536)
        if not chunk:
            raise AssertionError("stream ended; got %r" % got[-300:])
        got += chunk
    return got


def open_tail(e, path="/logtail/x"):
    conn = e.tcp()
    conn.request("GET", path)
    return conn, conn.getresponse()


def test_logtail_sends_last_1024_bytes_then_follows(echo_factory, tmp_path):
    tail = tmp_path / "t.log"
    content = b"".join(b"line %04d\n" % i for i in range(300))  # 3000 bytes
    tail.write_bytes(content)
    e = echo_factory(tail=tail).start()
    conn, r = open_tail(e)
    assert r.status == 200
    assert r.getheader("Content-Type") == "text/plain;charset=utf-8"
    assert r.getheader("X-Accel-Buffering") == "no"
    assert r.getheader("Transfer-Encoding") == "chunked"
    assert r.getheader("Content-Length") is None
    assert r.getheader("Last-Modified").endswith(" GMT")
    got = read_until(r, content[-10:])
    assert got == content[-1024:]
    for i in range(3):
        t0 = time.monotonic()
        with open(tail, "ab") as f:
            f.write(b"appended %d\n" % i)
        assert read_until(r, b"appended %d\n" % i, timeout=5) == b"appended %d\n" % i
        assert time.monotonic() - t0 < 1.0


def test_logtail_small_file_is_sent_whole(echo_factory, tmp_path):
    tail = tmp_path / "t.log"
    tail.write_bytes(b"short\n")
    e = echo_factory(tail=tail).start()
    _, r = open_tail(e)
    assert read_until(r, b"short\n") == b"short\n"


def test_logtail_reports_truncation(echo_factory, tmp_path):
    tail = tmp_path / "t.log"
    tail.write_bytes(b"a" * 100 + b"\n")
    e = echo_factory(tail=tail).start()
    _, r = open_tail(e)
    read_until(r, b"\n")
    with open(tail, "wb") as f:
        f.write(b"new\n")
    got = read_until(r, b"new\n", timeout=5)
    assert got == b"==> File truncated <==\nnew\n"
    with open(tail, "ab") as f:
        f.write(b"more\n")
    assert read_until(r, b"more\n", timeout=5) == b"more\n"


def test_logtail_follows_rotation(echo_factory, tmp_path):
    tail = tmp_path / "t.log"
    tail.write_bytes(b"old file\n")
    e = echo_factory(tail=tail).start()
    _, r = open_tail(e)
    read_until(r, b"old file\n")
    with open(tail, "ab") as f:
        f.write(b"last old line\n")
    os.rename(tail, str(tail) + ".1")
    time.sleep(0.1)
    tail.write_bytes(b"first new line\n")
    got = read_until(r, b"first new line\n", timeout=5)
    assert got == b"last old line\nfirst new line\n"
    with open(tail, "ab") as f:
        f.write(b"second new line\n")
    assert read_until(r, b"second new line\n", timeout=5) == b"second new line\n"


def test_logtail_follows_unlink_and_recreate(echo_factory, tmp_path):
    tail = tmp_path / "t.log"
    tail.write_bytes(b"before\n")
    e = echo_factory(tail=tail).start()
    _, r = open_tail(e)
    read_until(r, b"before\n")
    os.unlink(tail)
    tail.write_bytes(b"recreated\n")
    assert read_until(r, b"recreated\n", timeout=5) == b"recreated\n"


def test_two_tails_on_one_file(echo_factory, tmp_path):
    tail = tmp_path / "t.log"
    tail.write_bytes(b"")
    e = echo_factory(tail=tail).start()
    _, r1 = open_tail(e)
    _, r2 = open_tail(e, "/logtail/x/stdout")
    with open(tail, "ab") as f:
        f.write(b"both\n")
    assert read_until(r1, b"both\n", timeout=5) == b"both\n"
    assert read_until(r2, b"both\n", timeout=5) == b"both\n"
    r1.close()
    with open(tail, "ab") as f:
        f.write(b"again\n")
    assert read_until(r2, b"again\n", timeout=5) == b"again\n"


@pytest.mark.parametrize("path", ["/logtail/nosuch", "/logtail/x/stderr", "/logtail/x/other", "/logtail/"])
def test_logtail_unknown_is_404(echo_factory, tmp_path, path):
    tail = tmp_path / "t.log"
    tail.write_bytes(b"x")
    e = echo_factory(tail=tail).start()
    conn = e.tcp()
    conn.request("GET", path)
    r = conn.getresponse()
    assert r.status == 404
    assert r.read() == (ERROR_PAGE % (404, "Not Found")).encode()


def test_logtail_missing_file_is_404(echo_factory, tmp_path):
    e = echo_factory(tail=tmp_path / "absent.log").start()
    conn = e.tcp()
    conn.request("GET", "/logtail/x")
    assert conn.getresponse().status == 404


def test_logtail_post_is_400(echo_factory, tmp_path):
    tail = tmp_path / "t.log"
    tail.write_bytes(b"x")
    e = echo_factory(tail=tail).start()
    conn = e.tcp()
    conn.request("POST", "/logtail/x", body=b"")
    assert conn.getresponse().status == 400


def test_client_leaving_a_tail_frees_it(echo_factory, tmp_path):
    tail = tmp_path / "t.log"
    tail.write_bytes(b"x\n")
    e = echo_factory(tail=tail).start()
    pid = e.proc.pid

    def fds():
        # sockets and open copies of the tailed file (not the inotify fd,
        # which is made once and kept)
        links = []
        for n in os.listdir("/proc/%d/fd" % pid):
            try:
                links.append(os.readlink("/proc/%d/fd/%s" % (pid, n)))
            except FileNotFoundError:
                pass
        return len([l for l in links if l.startswith("socket:") or l == str(tail)])
    base = fds()
    conns = []
    for _ in range(5):
        conn, r = open_tail(e)
        read_until(r, b"x\n")
        conns.append((conn, r))
    assert fds() > base
    for conn, r in conns:
        r.close()
        conn.close()
    # disconnects are seen while suspended, without new data in the file
    wait_for(lambda: fds() == base, what="tail fds to be closed")


def test_mainlogtail_streams_the_activity_log(echo):
    conn, r = open_tail(echo, "/mainlogtail")
    assert r.status == 200
    assert r.getheader("Content-Type") == "text/plain;charset=utf-8"
    assert r.getheader("X-Accel-Buffering") is None
    read_until(r, b"running without any HTTP authentication checking")
    # new activity-log lines (access log of another request) show up
    post(echo.unix(), b"marker")
    read_until(r, b'"POST /RPC2 HTTP/1.1" 200 6', timeout=5)
