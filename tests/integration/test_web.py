"""The web status page (rpc.md §13, docs/webui.md) of our supervisord.

Two halves:
- plain HTTP from Python: headers (CSP & co.), escaping of an odd program
  name, actions only from a POST with the page's CSRF token (a GET with
  action= or a forged POST changes nothing), the redirect and its message,
  the tail page, static files, auth, and the unix socket;
- a real browser: Debian's chromium, headless, driven by playwright-core
  through tests/web/webui.mjs (one scenario per test; screenshots under
  the test's tmp dir, copied to $CSUP_ARTIFACTS when set).

The browser tests are skipped when node, npm's playwright-core or chromium
is missing -- except under CI (CI=true), where that is a failure.

Run:  CSUP_BUILDDIR=build /usr/bin/python3 -m pytest tests/integration/test_web.py -q
"""
import base64
import http.client
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import urllib.parse
import xmlrpc.client

import pytest

from daemon_util import Supervisord, TIMEOUT, wait_for

HERE = pathlib.Path(__file__).resolve().parent
WEBDIR = HERE.parent / "web"
IN_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")
CHROMIUM = os.environ.get("CSUP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

ODD = "we<i>rd&\"x'+%25"  # a valid program name, with everything to escape
USER, PASSWORD = "web", "s3cret"

BODY = """
[unix_http_server]
file=@DIR@/sup.sock

[inet_http_server]
port=127.0.0.1:@PORT@
@AUTH@

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:hello]
command=sh -c 'echo "web-marker <b>out</b> & more"; echo "err-marker <i>oops</i>" >&2; exec sleep 1000'
stdout_logfile=@DIR@/hello.out
stderr_logfile=@DIR@/hello.err
startsecs=0

[program:sleeper]
command=sleep 1000
startsecs=1

[program:idle]
command=sleep 1000
autostart=false

[program:%s]
command=sleep 1000
startsecs=0
""" % ODD


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Web:
    """A running daemon and plain-HTTP access to its web page."""

    def __init__(self, sup, port, auth):
        self.sup, self.port, self.auth = sup, port, auth

    def headers(self, extra=None, auth=True):
        h = {}
        if auth and self.auth:
            h["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % (USER, PASSWORD)).encode()).decode()
        h.update(extra or {})
        return h

    def request(self, method, path, body=None, headers=None, auth=True, unix=False):
        if unix:
            conn = UnixConnection(str(self.sup.dir / "sup.sock"))
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        h = self.headers(headers, auth)
        if body is not None and not isinstance(body, bytes):
            body = urllib.parse.urlencode(body).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r, data.decode("utf-8", "replace")

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, fields, path="/index.html", **kw):
        return self.request("POST", path, body=fields, **kw)

    def token(self):
        r, page = self.get("/index.html")
        assert r.status == 200, page
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert m, "no CSRF token in the page:\n" + page
        return m.group(1)

    def rpc(self):
        url = "http://%s127.0.0.1:%d/RPC2" % ("%s:%s@" % (USER, PASSWORD) if self.auth else "", self.port)
        return xmlrpc.client.ServerProxy(url)

    def state(self, name):
        return self.rpc().supervisor.getProcessInfo(name)["statename"]

    def wait_state(self, name, want):
        wait_for(lambda: self.state(name) == want, what="%s to be %s" % (name, want))


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=TIMEOUT)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(self.path)


def start_web(tmp_path, auth):
    port = free_port()
    body = BODY.replace("@PORT@", str(port)).replace(
        "@AUTH@", "username=%s\npassword=%s" % (USER, PASSWORD) if auth else "")
    sup = Supervisord(tmp_path / "d", body)
    sup.start()
    web = Web(sup, port, auth)
    sup.wait_log(re.compile(r"supervisord started with pid \d+"))
    for name in ("hello", "sleeper", ODD):
        web.wait_state(name, "RUNNING")
    return web


def finish(w):
    """Stop the daemon cleanly if it still runs (exit 0, empty stderr: under
    ASan that means no leak and no UB report), then make sure of it."""
    try:
        if w.sup.running():
            w.sup.stop()
    finally:
        w.sup.kill()


@pytest.fixture
def web(tmp_path):
    w = start_web(tmp_path, auth=False)
    yield w
    finish(w)


@pytest.fixture
def authweb(tmp_path):
    w = start_web(tmp_path, auth=True)
    yield w
    finish(w)


def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


# --------------------------------------------------------------------------
# plain HTTP

@pytest.mark.parametrize("path", ["/", "/index.html", "//index.html"])
def test_status_page_lists_programs_with_states(web, path):
    r, page = web.get(path)
    assert r.status == 200, page
    assert r.getheader("Content-Type") == "text/html;charset=utf-8"
    assert r.getheader("Cache-Control") == "no-cache"
    rows = re.findall(r'<tr data-process="([^"]*)">\s*<td class="status"><span class="([^"]*)">([^<]*)</span>', page)
    got = {name: (cls.split()[0], state) for name, cls, state in rows}
    assert got == {
        "hello": ("statusrunning", "running"),
        "sleeper": ("statusrunning", "running"),
        "idle": ("statusnominal", "stopped"),
        esc(ODD): ("statusrunning", "running"),
    }, page


def test_security_headers_on_pages_and_files(web):
    for path in ("/index.html", "/tail.html?processname=hello", "/stylesheets/supervisor.css",
                 "/scripts/refresh.js", "/images/icon.svg"):
        r, body = web.get(path)
        assert r.status == 200, (path, body)
        csp = r.getheader("Content-Security-Policy") or ""
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, (path, csp)
        assert "unsafe-inline" not in csp
        assert r.getheader("X-Content-Type-Options") == "nosniff", path
        assert r.getheader("X-Frame-Options") == "DENY", path


def test_pages_have_no_inline_script_or_style(web):
    for path in ("/index.html", "/tail.html?processname=hello", "/index.html?action=stop&processname=hello"):
        _, page = web.get(path)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), page
        assert " style=" not in page and "<style" not in page, page
        assert not re.search(r"<[^>]+\son[a-z]+=", page), page


def test_static_files_are_served_and_unknown_are_404(web):
    r, css = web.get("/stylesheets/supervisor.css")
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/css") and ".statusrunning" in css
    r, js = web.get("/scripts/refresh.js")
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/javascript") and "fetch(" in js
    r, _ = web.get("/images/icon.svg")
    assert r.status == 200 and r.getheader("Content-Type") == "image/svg+xml"
    r, body = web.get("/images/nothing.gif")
    assert r.status == 404 and "Error code 404" in body
    r, _ = web.request("POST", "/stylesheets/supervisor.css", body=b"x")
    assert r.status == 400
    r, _ = web.request("PUT", "/index.html", body=b"x")
    assert r.status == 400


def test_ok_html(web):
    r, body = web.get("/ok.html")
    assert (r.status, r.getheader("Content-Type"), body) == (200, "text/plain", "OK")


def test_odd_program_name_is_escaped_everywhere(web):
    _, page = web.get("/index.html")
    assert ODD not in page
    assert "we<i>" not in page
    assert esc(ODD) in page
    quoted = urllib.parse.quote(ODD, safe="")
    assert 'href="tail.html?processname=%s"' % quoted in page, page
    assert 'href="logtail/%s/stderr"' % quoted in page
    r, tail = web.get("/tail.html?processname=" + quoted)
    assert r.status == 200
    assert "<title>Supervisor tail of process %s</title>" % esc(ODD) in tail
    assert ODD not in tail
    # the link given for the odd name leads to its log (a stream: headers only)
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=TIMEOUT)
    conn.request("GET", "/logtail/" + quoted)
    assert conn.getresponse().status == 200
    conn.close()


def test_message_is_escaped(web):
    _, page = web.get("/index.html?message=" + urllib.parse.quote("<script>alert(1)</script>"))
    assert "<script>alert" not in page
    assert '<div id="statusmessage" class="statusmessage" role="status">&lt;script&gt;alert(1)&lt;/script&gt;</div>' in page


def test_tail_page_shows_escaped_output(web):
    web.sup.wait_file(web.sup.dir / "hello.out")
    r, page = web.get("/tail.html?processname=hello")
    assert r.status == 200
    assert "<title>Supervisor tail of process hello</title>" in page
    assert "web-marker &lt;b&gt;out&lt;/b&gt; &amp; more" in page, page
    assert 'href="tail.html?processname=hello&amp;limit=1024"' in page
    web.sup.wait_file(web.sup.dir / "hello.err")
    _, page = web.get("/tail.html?processname=hello&channel=stderr")
    assert "err-marker &lt;i&gt;oops&lt;/i&gt;" in page, page


def test_tail_page_shows_last_1024_bytes_or_limit(web):
    out = web.sup.dir / "hello.out"
    web.sup.wait_file(out)
    with open(out, "a") as f:
        f.write("A" * 3000 + "END\n")
    _, page = web.get("/tail.html?processname=hello")
    text = re.search(r'<pre id="tail"[^>]*>(.*)</pre>', page, re.S).group(1)
    assert text == "A" * 1020 + "END\n", len(text)
    _, page = web.get("/tail.html?processname=hello&limit=2000")
    text = re.search(r'<pre id="tail"[^>]*>(.*)</pre>', page, re.S).group(1)
    assert len(text) == 2000 and text.endswith("END\n")


def test_tail_page_shows_text_after_nul_bytes(web):
    out = web.sup.dir / "hello.out"
    web.sup.wait_file(out)
    with open(out, "ab") as f:
        f.write(b"before\0\0after <nul>\n")
    _, page = web.get("/tail.html?processname=hello")
    assert "before\ufffd\ufffdafter &lt;nul&gt;\n</pre>" in page, page


def test_tail_page_errors(web):
    _, page = web.get("/tail.html")
    assert "No process name found" in page
    _, page = web.get("/tail.html?processname=nosuch")
    assert "ERROR: unexpected rpc fault [10] BAD_NAME: nosuch" in page


@pytest.mark.parametrize("action", ["stop", "restart", "clearlog"])
def test_get_with_action_changes_nothing_and_asks_for_confirmation(web, action):
    out = web.sup.dir / "hello.out"
    web.sup.wait_file(out)
    pid = web.rpc().supervisor.getProcessInfo("hello")["pid"]
    r, page = web.get("/index.html?action=%s&processname=hello" % action)
    assert r.status == 200
    assert 'id="confirm"' in page
    # the confirmation is a form posting the token
    assert re.search(r'<form method="post" action="index.html" class="confirm"><input type="hidden" '
                     r'name="csrf" value="[0-9a-f]{64}"><input type="hidden" name="processname" value="hello">',
                     page), page
    assert '<button type="submit" name="action" value="%s"' % action in page
    info = web.rpc().supervisor.getProcessInfo("hello")
    assert (info["statename"], info["pid"]) == ("RUNNING", pid)
    assert out.stat().st_size > 0  # not cleared


def test_get_stopall_changes_nothing(web):
    r, page = web.get("/index.html?action=stopall")
    assert r.status == 200 and 'id="confirm"' in page
    for name in ("hello", "sleeper", ODD):
        assert web.state(name) == "RUNNING"


@pytest.mark.parametrize("token", [None, "", "0" * 64, "wrong"])
def test_post_without_the_right_token_is_403_and_changes_nothing(web, token):
    fields = {"action": "stop", "processname": "hello"}
    if token is not None:
        fields["csrf"] = token
    r, page = web.post(fields, headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert r.status == 403, page
    assert "refused" in page
    r, page = web.post({"action": "stopall", "csrf": token or ""})
    assert r.status == 403
    assert web.state("hello") == "RUNNING"
    assert web.state("sleeper") == "RUNNING"


def test_token_in_query_string_is_not_enough_for_a_get(web):
    token = web.token()
    web.get("/index.html?action=stop&processname=hello&csrf=" + token)
    assert web.state("hello") == "RUNNING"


def test_post_stop_and_start_redirect_with_supervisors_messages(web):
    token = web.token()
    r, _ = web.post({"csrf": token, "action": "stop", "processname": "hello"})
    assert r.status == 303
    assert r.getheader("Location") == "index.html?message=Process%20hello%20stopped"
    assert web.state("hello") == "STOPPED"
    r, _ = web.post({"csrf": token, "action": "start", "processname": "sleeper"})
    assert r.getheader("Location") == "index.html?message=" + urllib.parse.quote(
        "ERROR: Process sleeper: already started", safe="")
    # start waits for startsecs=1 without holding the daemon up meanwhile
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=TIMEOUT)
    body = urllib.parse.urlencode({"csrf": token, "action": "restart", "processname": "sleeper"})
    conn.request("POST", "/index.html", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    r2, page = web.get("/index.html")  # served while the restart waits
    assert r2.status == 200
    r = conn.getresponse()
    assert (r.status, r.getheader("Location")) == (303, "index.html?message=Process%20sleeper%20restarted")
    assert web.state("sleeper") == "RUNNING"
    r, _ = web.post({"csrf": token, "action": "start", "processname": "hello"})
    assert r.getheader("Location") == "index.html?message=Process%20hello%20started"
    r, _ = web.post({"csrf": token, "action": "stop", "processname": "nosuch"})
    assert r.getheader("Location") == "index.html?message=No%20such%20process%20named%20nosuch"
    r, _ = web.post({"csrf": token, "action": "stop", "processname": "idle"})
    assert r.getheader("Location") == "index.html?message=" + urllib.parse.quote(
        "unexpected rpc fault [70] NOT_RUNNING: idle", safe="")


def test_post_clearlog(web):
    out = web.sup.dir / "hello.out"
    web.sup.wait_file(out)
    r, _ = web.post({"csrf": web.token(), "action": "clearlog", "processname": "hello"})
    assert r.getheader("Location") == "index.html?message=Log%20for%20hello%20cleared"
    assert out.stat().st_size == 0


def test_post_odd_name_and_message_round_trip(web):
    r, _ = web.post({"csrf": web.token(), "action": "stop", "processname": ODD})
    loc = r.getheader("Location")
    assert loc == "index.html?message=" + urllib.parse.quote("Process %s stopped" % ODD, safe="")
    assert web.state(ODD) == "STOPPED"
    _, page = web.get("/" + loc)
    assert esc("Process %s stopped" % ODD) in page


def test_stopall_and_restartall(web):
    token = web.token()
    r, _ = web.post({"csrf": token, "action": "stopall"})
    assert r.status == 303
    assert re.fullmatch(r"index\.html\?message=All%20stopped%20at%20\w{3}%20\w{3}%20[ \d%0-9A-F]+", r.getheader("Location"))
    for name in ("hello", "sleeper", ODD, "idle"):
        assert web.state(name) == "STOPPED"
    r, _ = web.post({"csrf": token, "action": "restartall"})
    assert "All%20restarted%20at%20" in r.getheader("Location")
    for name in ("hello", "sleeper", ODD, "idle"):
        assert web.state(name) == "RUNNING"


def test_refresh_and_unknown_action(web):
    r, _ = web.get("/index.html?action=refresh")
    assert r.status == 303 and "message=Page%20refreshed%20at%20" in r.getheader("Location")
    r, _ = web.post({"csrf": web.token(), "action": "explode"})
    assert r.status == 500


def test_client_leaving_during_a_wait_leaves_the_daemon_well(web):
    token = web.token()
    s = socket.create_connection(("127.0.0.1", web.port))
    body = urllib.parse.urlencode({"csrf": token, "action": "restart", "processname": "sleeper"})
    s.sendall(("POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               "Content-Length: %d\r\n\r\n%s" % (len(body), body)).encode())
    # the stop is done and the start waits for startsecs: leave now
    web.sup.wait_log(re.compile(r"spawned: 'sleeper' with pid \d+"), count=2)
    s.close()
    web.wait_state("sleeper", "RUNNING")
    r, _ = web.get("/index.html")
    assert r.status == 200
    web.sup.stop()


def test_daemon_stopping_during_a_wait_exits_cleanly(web):
    token = web.token()
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=TIMEOUT)
    body = urllib.parse.urlencode({"csrf": token, "action": "restartall"})
    conn.request("POST", "/index.html", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    # sleeper (startsecs=1) is being waited for
    web.sup.wait_log(re.compile(r"spawned: 'sleeper' with pid \d+"), count=2)
    web.sup.stop()  # exit status 0, nothing on stderr (ASan: no leak)
    # the run ends with the shutdown: answered so, or the connection dropped
    try:
        r = conn.getresponse()
        got = (r.status, r.getheader("Location"))
    except (http.client.HTTPException, OSError):
        got = "closed"
    assert got in ("closed", (303, "index.html?message=" + urllib.parse.quote(
        "unexpected rpc fault [6] SHUTDOWN_STATE", safe=""))), got


def test_restart_cut_by_shutdown_does_not_start_again(tmp_path):
    port = free_port()
    sup = Supervisord(tmp_path / "s", """
[inet_http_server]
port=127.0.0.1:%d

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:stubborn]
command=sh -c 'trap "echo ignored TERM" TERM; echo up; while :; do sleep 0.1; done'
stdout_logfile=@DIR@/stubborn.out
startsecs=0
stopwaitsecs=2
""" % port)
    sup.start()
    w = Web(sup, port, auth=False)
    try:
        sup.wait_log(re.compile(r"supervisord started with pid \d+"))
        w.wait_state("stubborn", "RUNNING")
        sup.wait_file(sup.dir / "stubborn.out")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        body = urllib.parse.urlencode({"csrf": w.token(), "action": "restart", "processname": "stubborn"})
        conn.request("POST", "/index.html", body=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        wait_for(lambda: "ignored TERM" in (sup.dir / "stubborn.out").read_text(), what="the TERM to be ignored")
        sup.stop()  # the stop ends in SIGKILL; the restart must not start it again
        assert len(sup.spawned_pids("stubborn")) == 1, sup.log_tail()
        conn.close()
    finally:
        finish(w)


def test_unix_socket_serves_the_page(web):
    r, page = web.get("/index.html", unix=True)
    assert r.status == 200 and '<tr data-process="hello">' in page
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    r, _ = web.post({"csrf": token, "action": "stop", "processname": "hello"}, unix=True)
    assert r.getheader("Location") == "index.html?message=Process%20hello%20stopped"
    assert web.state("hello") == "STOPPED"


@pytest.mark.parametrize("path", ["/", "/index.html", "/tail.html?processname=hello", "/ok.html",
                                  "/stylesheets/supervisor.css"])
def test_auth_required_when_a_password_is_configured(authweb, path):
    r, _ = authweb.get(path, auth=False)
    assert r.status == 401
    assert r.getheader("WWW-Authenticate") == 'Basic realm="default"'
    r, _ = authweb.request("GET", path, headers={"Authorization": "Basic " + base64.b64encode(b"web:nope").decode()},
                           auth=False)
    assert r.status == 401
    r, _ = authweb.get(path)
    assert r.status == 200


def test_auth_is_checked_before_the_action(authweb):
    token = authweb.token()
    r, _ = authweb.post({"csrf": token, "action": "stop", "processname": "hello"}, auth=False)
    assert r.status == 401
    assert authweb.state("hello") == "RUNNING"


def test_no_programs_to_manage(tmp_path):
    port = free_port()
    sup = Supervisord(tmp_path / "empty", "[inet_http_server]\nport=127.0.0.1:%d\n" % port)
    sup.start()
    w = Web(sup, port, auth=False)
    try:
        sup.wait_log(re.compile(r"supervisord started with pid \d+"))
        r, page = w.get("/")
        assert r.status == 200
        assert '<p id="proctable" class="empty" data-refresh>No programs to manage</p>' in page
        assert "<table" not in page
    finally:
        finish(w)


def test_token_is_per_daemon(tmp_path):
    a = start_web(tmp_path / "a", auth=False)
    b = start_web(tmp_path / "b", auth=False)
    try:
        ta, tb = a.token(), b.token()
        assert ta != tb and len(ta) == 64
        assert a.token() == ta  # stable while the daemon runs
        r, _ = b.post({"csrf": ta, "action": "stop", "processname": "hello"})
        assert r.status == 403
        assert b.state("hello") == "RUNNING"
    finally:
        finish(a)
        finish(b)


# --------------------------------------------------------------------------
# the browser

def browser_missing():
    """Why the browser tests cannot run here, or None."""
    node = shutil.which("node")
    if not node:
        return "node is not installed (apt-get install nodejs npm)"
    if not CHROMIUM:
        return "chromium is not installed (apt-get install chromium)"
    if not (WEBDIR / "node_modules" / "playwright-core").is_dir():
        npm = shutil.which("npm")
        if not npm:
            return "tests/web/node_modules is missing and npm is not installed"
        p = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=str(WEBDIR), capture_output=True,
                           text=True, timeout=600)
        if p.returncode != 0:
            return "npm ci in tests/web failed:\n" + p.stdout + p.stderr
    return None


@pytest.fixture(scope="session")
def browser_ready():
    why = browser_missing()
    if why:
        if IN_CI:
            pytest.fail("browser tests cannot run under CI: " + why)
        pytest.skip("browser tests skipped: " + why)


@pytest.fixture
def browserweb(tmp_path, browser_ready):
    w = start_web(tmp_path, auth=True)
    w.sup.wait_file(w.sup.dir / "hello.out")
    w.sup.wait_file(w.sup.dir / "hello.err")
    yield w
    finish(w)


def run_scenario(web, tmp_path, scenario, **extra):
    shots = tmp_path / "screenshots"
    shots.mkdir(exist_ok=True)
    cfg = {"scenario": scenario, "base": "http://127.0.0.1:%d" % web.port, "chromium": CHROMIUM,
           "shots": str(shots), "user": USER, "password": PASSWORD}
    cfg.update(extra)
    p = subprocess.run([shutil.which("node"), str(WEBDIR / "webui.mjs"), json.dumps(cfg)], cwd=str(WEBDIR),
                       capture_output=True, text=True, timeout=120)
    artifacts = os.environ.get("CSUP_ARTIFACTS")
    if artifacts:
        dest = pathlib.Path(artifacts) / "web-screenshots"
        dest.mkdir(parents=True, exist_ok=True)
        for png in shots.glob("*.png"):
            shutil.copy(png, dest / png.name)
    assert p.returncode == 0 and p.stdout.strip().endswith("PASS " + scenario), \
        "browser scenario %s failed (exit %d):\n%s\n%s" % (scenario, p.returncode, p.stdout, p.stderr)
    return sorted(x.name for x in shots.glob("*.png"))


def test_browser_table_lists_programs_with_states(browserweb, tmp_path):
    shots = run_scenario(browserweb, tmp_path, "table", program="hello", expect_states={
        "hello": "running", "sleeper": "running", "idle": "stopped", ODD: "running"})
    assert shots == ["table-status.png"]


def test_browser_stop_then_start(browserweb, tmp_path):
    run_scenario(browserweb, tmp_path, "stopstart", program=ODD)
    assert browserweb.state(ODD) == "RUNNING"
    assert browserweb.sup.find("stopped: %s (terminated by SIGTERM)" % ODD)


def test_browser_tail_page_shows_output(browserweb, tmp_path):
    run_scenario(browserweb, tmp_path, "tail", program="hello",
                 stdout_text="web-marker <b>out</b> & more", stderr_text="err-marker <i>oops</i>")


def test_browser_table_refreshes_without_reload(browserweb, tmp_path):
    run_scenario(browserweb, tmp_path, "autorefresh", program="sleeper")
    assert browserweb.state("sleeper") == "STOPPED"


def test_browser_works_without_javascript(browserweb, tmp_path):
    pid = browserweb.rpc().supervisor.getProcessInfo("sleeper")["pid"]
    run_scenario(browserweb, tmp_path, "nojs", program="sleeper")
    info = browserweb.rpc().supervisor.getProcessInfo("sleeper")
    assert info["statename"] == "RUNNING" and info["pid"] != pid


def test_browser_forged_cross_site_post_is_refused(browserweb, tmp_path):
    run_scenario(browserweb, tmp_path, "forged", program="hello")
    assert browserweb.state("hello") == "RUNNING"
