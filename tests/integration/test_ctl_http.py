"""supervisorctl's HTTP client against servers that answer in unusual but
legal ways (and some that do not answer): a stub server on a UNIX socket
replays XML-RPC replies framed as each test asks, and our supervisorctl
must print what Debian's Python supervisorctl prints, with the same exit
status.

Run:  CSUP_BUILDDIR=build /usr/bin/python3 -m pytest tests/integration/test_ctl_http.py -q
"""
import os
import socket
import threading
import xmlrpc.client

import pytest

from test_ctl import REF_CTL, norm, run_ctl
from daemon_util import have_reference

pytestmark = pytest.mark.skipif(not (have_reference() and os.access(REF_CTL, os.X_OK)),
                                reason="Debian's supervisor (the reference) is not installed")

ANSWERS = {
    "supervisor.getVersion": "3.0",
    "supervisor.getSupervisorVersion": "4.2.5",
    "supervisor.getAllProcessInfo": [
        {"name": "cat", "group": "cat", "statename": "STOPPED", "state": 0, "description": "Not started",
         "pid": 0, "start": 0, "stop": 0, "now": 1700000000, "spawnerr": "", "exitstatus": 0,
         "logfile": "", "stdout_logfile": "", "stderr_logfile": ""}],
}


class Stub:
    """A server speaking just enough HTTP/1.1 to answer XML-RPC calls;
    `frame(sock, body)` writes each reply and says whether the connection
    stays open."""

    def __init__(self, path, frame):
        self.frame = frame
        self.connections = 0
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(16)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        buf = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(buf) < length:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                body, buf = buf[:length], buf[length:]
                if not self.frame(conn, self.reply(body)):
                    return

    @staticmethod
    def reply(body):
        if not body:
            return b""
        params, method = xmlrpc.client.loads(body)
        return xmlrpc.client.dumps((ANSWERS[method],), methodresponse=True).encode()

    def close(self):
        self.sock.close()


def length_framed(conn, body):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s"
                 % (len(body), body))
    return True


def closes_after_each_reply(conn, body):
    # no "Connection: close": the client learns it at its next request
    length_framed(conn, body)
    return False


def chunked(conn, body):
    out = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
    for i in range(0, len(body), 7):
        piece = body[i:i + 7]
        out += b"%x\r\n%s\r\n" % (len(piece), piece)
    conn.sendall(out + b"0\r\n\r\n")
    return True


def byte_by_byte(conn, body):
    for b in b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body):
        conn.sendall(bytes([b]))
    return True


def http10_until_close(conn, body):
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n" + body)
    return False


def server_error(conn, body):
    conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops\n")
    return True


def hangs_up(conn, body):
    return False


def truncated(conn, body):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body) + 100, body))
    return False


FRAMES = [length_framed, closes_after_each_reply, chunked, byte_by_byte, http10_until_close,
          server_error, hangs_up, truncated]


def both(tmp_path, frame, args):
    out = {}
    for which in ("ref", "ours"):
        path = str(tmp_path / ("%s.sock" % which))
        stub = Stub(path, frame)
        try:
            rc, stdout, stderr = run_ctl(which, ["-s", "unix://" + path] + args, tmp_path)
        finally:
            stub.close()
        if which == "ours":
            assert "Sanitizer" not in stderr and "runtime error" not in stderr, stderr
        out[which] = (rc, norm(stdout, tmp_path), stub.connections)
    return out


@pytest.mark.parametrize("args", [["version"], ["status"]])
@pytest.mark.parametrize("frame", FRAMES, ids=[f.__name__ for f in FRAMES])
def test_reply_framing_same_as_reference(tmp_path, frame, args):
    out = both(tmp_path, frame, args)
    assert out["ours"][:2] == out["ref"][:2], "ours:\n%s\nreference:\n%s" % (out["ours"], out["ref"])


def test_one_connection_for_a_command(tmp_path):
    # upcheck and the call itself go over one kept-alive connection
    out = both(tmp_path, length_framed, ["version"])
    assert out["ours"] == (0, "4.2.5\n", 1)


def test_reconnects_when_the_server_closed_between_calls(tmp_path):
    out = both(tmp_path, closes_after_each_reply, ["version"])
    assert out["ours"] == (0, "4.2.5\n", 2)
