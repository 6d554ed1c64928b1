"""Effective configuration values: csupervisor vs. the reference.

For every good configuration (tests/integration/good_configs/*.conf plus a
few generated ones, see GENERATED below) the reference implementation
(Debian's Supervisor 4.2.5, via pyconfdump.py run by /usr/bin/python3) and
our dump program (conftest.CONFDUMP, run as `<CONFDUMP> -c <file>`) print the
effective configuration in the canonical dump format documented in
pyconfdump.py; the two outputs must be identical.

Every case runs in a fresh directory layout under pytest's tmp_path:

    tmp_path/conf/     copy of good_configs/ (so %(here)s is this directory),
                       plus empty logs/ run/ childlogs/ subdirectories
    tmp_path/work/     the CWD of both programs; has a relative/ subdirectory
    tmp_path/home/     $HOME (for ~ expansion); has a logs/ subdirectory
    tmp_path/tmp/      $TMPDIR (the default childlogdir)

and both programs get the same, fully controlled environment (ENV below):
only PATH, HOME, TMPDIR, LANG, LC_ALL and the CSUP_TEST_* variables.

Run:  /usr/bin/python3 -m pytest tests/integration/test_config_values.py -q
"""
import difflib
import os
import pathlib
import shutil

import pytest

from conftest import CONFDUMP, run

HERE = pathlib.Path(__file__).resolve().parent
PYCONFDUMP = HERE / "pyconfdump.py"
GOOD = HERE / "good_configs"
# Debian's interpreter: has the reference `supervisor` package (and pytest).
PY = "/usr/bin/python3"

# Test variables available as %(ENV_x)s in the configs.
TEST_VARS = {
    "CSUP_TEST_VAR": "hello",
    "CSUP_TEST_NUM": "42",
    "CSUP_TEST_SPACE": "two words",
    "CSUP_TEST_PCT": "50%",
    "CSUP_TEST_ESC": "back\\slash\ttab\nnewline",
    "CSUP_TEST_UTF8": "gr\u00fc\u00dfe",
}


class Layout:
    def __init__(self, tmp_path):
        self.root = tmp_path
        self.conf = tmp_path / "conf"
        self.work = tmp_path / "work"
        self.home = tmp_path / "home"
        self.tmp = tmp_path / "tmp"
        shutil.copytree(GOOD, self.conf)
        for d in (self.conf / "logs", self.conf / "run",
                  self.conf / "childlogs", self.work / "relative",
                  self.home / "logs", self.tmp):
            d.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        self.env.update(TEST_VARS)


# --------------------------------------------------------------------------
# generated cases: each returns (config argument for -c, environment)

def gen_big_command(lay):
    """A command= line longer than 4 KiB (and 8 KiB), with a continuation."""
    args = " ".join("arg%04d" % i for i in range(1200))  # ~9.6 KB
    assert len(args) > 8192
    text = ("[supervisord]\n"
            "[program:big]\n"
            "command=/bin/echo %s\n"
            "  %s\n" % (args, args[:4100]))
    p = lay.conf / "gen_big_command.conf"
    p.write_text(text)
    return str(p), lay.env


def gen_big_environment(lay):
    """A 64 KiB+ environment= line in [supervisord] and in a program."""
    def pairs(n, tag):
        return ",".join('K%05d="%s%05d,%s"' % (i, tag, i, "x" * 40)
                        for i in range(n))
    glob, prog = pairs(1400, "g"), pairs(1200, "p")
    assert len(glob) > 65536 and len(prog) > 65536
    text = ("[supervisord]\n"
            "environment=%s\n"
            "[program:bigenv]\n"
            "command=/usr/bin/env\n"
            "environment=%s,K00007=program\n" % (glob, prog))
    p = lay.conf / "gen_big_environment.conf"
    p.write_text(text)
    return str(p), lay.env


def gen_crlf(lay):
    """sample_doc.conf and ini_syntax.conf with CRLF line endings."""
    for name in ("sample_doc.conf", "ini_syntax.conf"):
        src = (lay.conf / name).read_bytes()
        (lay.conf / ("crlf_" + name)).write_bytes(src.replace(b"\n", b"\r\n"))
    text = ("[supervisord]\r\n"
            "[include]\r\n"
            "files = crlf_*.conf\r\n")
    p = lay.conf / "gen_crlf.conf"
    p.write_bytes(text.encode())
    return str(p), lay.env


def gen_lone_cr(lay):
    """Old-Mac line endings: the reference reads text files with universal
    newlines, so a lone CR ends a line exactly like LF."""
    text = ("[supervisord]\r"
            "loglevel=debug\r"
            "[program:cr]\r"
            "command=/bin/cat\r"
            "  continued\r"
            "\r"
            "  after blank\r"
            "priority=5\r\n"
            "autostart=false\n")
    p = lay.conf / "gen_lone_cr.conf"
    p.write_bytes(text.encode())
    return str(p), lay.env


def gen_relative_c(lay):
    """-c given as a relative path (from the CWD): %(here)s and include
    globs must still be absolute."""
    return os.path.join("..", "conf", "include_basic.conf"), lay.env


def gen_tempdir_fallback(lay):
    """Default childlogdir = Python's tempfile.gettempdir(): $TMPDIR is
    skipped when unusable, then $TEMP (normalised: trailing slash and ..
    removed), then $TMP, /tmp, /var/tmp, /usr/tmp, CWD."""
    env = dict(lay.env)
    env["TMPDIR"] = str(lay.root / "does-not-exist")
    temp = lay.root / "tmp2"
    temp.mkdir()
    env["TEMP"] = str(lay.root / "tmp2" / ".." / "tmp2") + "/"
    return str(lay.conf / "minimal.conf"), env


def gen_no_tmpdir(lay):
    """No TMPDIR/TEMP/TMP at all: childlogdir defaults to /tmp."""
    env = dict(lay.env)
    del env["TMPDIR"]
    return str(lay.conf / "minimal.conf"), env


GENERATED = {
    "gen_big_command": gen_big_command,
    "gen_big_environment": gen_big_environment,
    "gen_crlf": gen_crlf,
    "gen_lone_cr": gen_lone_cr,
    "gen_relative_c": gen_relative_c,
    "gen_tempdir_fallback": gen_tempdir_fallback,
    "gen_no_tmpdir": gen_no_tmpdir,
}

GOOD_NAMES = sorted(p.name for p in GOOD.glob("*.conf"))
CASES = GOOD_NAMES + sorted(GENERATED)


def prepare(case, tmp_path):
    lay = Layout(tmp_path)
    if case in GENERATED:
        cfg, env = GENERATED[case](lay)
    else:
        cfg, env = str(lay.conf / case), lay.env
    return lay, cfg, env


def oracle(cfg, cwd, env):
    rc, out, err = run([PY, "-B", str(PYCONFDUMP), cfg], cwd=str(cwd), env=env)
    assert rc == 0, "reference rejected the config (exit %d):\n%s" % (rc, err)
    assert out.startswith("supervisord.logfile="), out[:500]
    return out


def parse_dump(text):
    d = {}
    for line in text.splitlines():
        k, sep, v = line.partition("=")
        assert sep, "bad dump line %r" % line
        d[k] = v
    return d


# --------------------------------------------------------------------------
# the comparison

def test_enough_cases():
    assert len(GOOD_NAMES) >= 25


@pytest.mark.parametrize("case", CASES)
def test_config_values_match_reference(case, tmp_path):
    lay, cfg, env = prepare(case, tmp_path)
    expected = oracle(cfg, lay.work, env)
    if not os.path.exists(CONFDUMP):
        pytest.fail("binary not built: %s" % CONFDUMP)
    rc, out, err = run([CONFDUMP, "-c", cfg], cwd=str(lay.work), env=env)
    assert rc == 0, "confdump failed (exit %d):\n%s" % (rc, err)
    if out != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(True), out.splitlines(True),
            "reference (pyconfdump.py)", "csupervisor (confdump)"))
        pytest.fail("effective configuration differs for %s:\n%s%s" % (
            case, diff, ("\nconfdump stderr:\n" + err) if err else ""))


# --------------------------------------------------------------------------
# the oracle itself: every case is accepted, and well-known values are right
# (so that a broken oracle cannot make the comparison pass vacuously)

@pytest.mark.parametrize("case", CASES)
def test_oracle_accepts(case, tmp_path):
    lay, cfg, env = prepare(case, tmp_path)
    d = parse_dump(oracle(cfg, lay.work, env))
    assert "supervisord.identifier" in d


KNOWN = """\
[supervisord]
logfile_maxbytes = 50MB
umask = 022
environment = GLOBAL="g 1"

[inet_http_server]
port = 9001

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:web]
command = /bin/web %(ENV_CSUP_TEST_VAR)s %(here)s
numprocs = 3
numprocs_start = 8
process_name = %(program_name)s_%(process_num)02d
stdout_logfile_maxbytes = 1GB
stderr_logfile_maxbytes = 1 KB
exitcodes = 0, 2
autorestart = TRUE
user = root
umask = 0o77
environment = LOCAL=%(process_num)d

[eventlistener:ev]
command = /bin/listener
events = tick_5, PROCESS_STATE, TICK_5

[fcgi-program:fc]
command = /bin/fc
socket = unix://%(here)s/run/../run/%(program_name)s.sock

[group:g]
programs = a
priority = 5

[program:a]
command = /bin/a
stopsignal = sigkill
redirect_stderr = true
stdout_logfile = none
"""


def test_oracle_known_values(tmp_path):
    lay = Layout(tmp_path)
    cfg = lay.conf / "known.conf"
    cfg.write_text(KNOWN)
    d = parse_dump(oracle(str(cfg), lay.work, lay.env))
    conf = str(lay.conf)

    assert d["supervisord.logfile_maxbytes"] == "52428800"
    assert d["supervisord.umask"] == "18"
    assert d["supervisord.loglevel"] == "20"
    assert d["supervisord.logfile"] == os.path.join(str(lay.work), "supervisord.log")
    assert d["supervisord.pidfile"] == os.path.join(str(lay.work), "supervisord.pid")
    assert d["supervisord.childlogdir"] == str(lay.tmp)
    assert d["supervisord.identifier"] == "supervisor"
    assert d["supervisord.minfds"] == "1024"
    assert d["supervisord.environment"] == "GLOBAL=g 1"
    assert d["supervisord.serverurl"] == "http://localhost:9001"
    assert d["server.0.family"] == "inet"
    assert d["server.0.host"] == ""
    assert d["server.0.port"] == "9001"
    assert d["rpcinterface.supervisor.factory"] == \
        "supervisor.rpcinterface:make_main_rpcinterface"

    # group order: (priority, name)
    kinds = [(k.split(".")[1], v) for k, v in parse_pairs(d, ".kind")]
    assert kinds == [("ev", "eventlistener"), ("g", "group"),
                     ("fc", "fcgi-program"), ("web", "program")]
    assert d["group.ev.priority"] == "-1"
    assert d["process.ev:ev.priority"] == "999"
    assert d["group.ev.events"] == "PROCESS_STATE,TICK_5"
    assert d["group.ev.buffer_size"] == "10"
    assert d["group.g.priority"] == "5"
    assert d["group.web.priority"] == "999"
    assert d["group.fc.socket"] == "unix://%s/run/fc.sock" % conf
    assert d["group.fc.socket_mode"] == "448"
    assert d["group.fc.socket_backlog"] == "None"
    assert d["group.fc.socket_owner"] == "None"

    procs = [k[len("process."):-len(".command")]
             for k, _ in parse_pairs(d, ".command")]
    assert procs == ["ev:ev", "g:a", "fc:fc", "web:web_08", "web:web_09",
                     "web:web_10"]
    w = "process.web:web_09."
    assert d[w + "command"] == "/bin/web hello %s" % conf
    assert d[w + "priority"] == "999"
    assert d[w + "stopsignal"] == "15"
    assert d[w + "stdout_logfile"] == "AUTO"
    assert d[w + "stdout_logfile_maxbytes"] == "1073741824"
    assert d[w + "stderr_logfile_maxbytes"] == "1024"
    assert d[w + "stdout_logfile_backups"] == "10"
    assert d[w + "exitcodes"] == "0,2"
    assert d[w + "autorestart"] == "true"
    assert d[w + "autostart"] == "1"
    assert d[w + "uid"] == "0"
    assert d[w + "umask"] == "63"
    assert d[w + "startsecs"] == "1"
    assert d[w + "startretries"] == "3"
    assert d[w + "stopwaitsecs"] == "10"
    assert d[w + "environment"] == "GLOBAL=g 1,LOCAL=9"
    assert d[w + "serverurl"] == "AUTO"
    a = "process.g:a."
    assert d[a + "stopsignal"] == "9"
    assert d[a + "autorestart"] == "unexpected"
    assert d[a + "uid"] == "None"
    assert d[a + "umask"] == "None"
    assert d[a + "directory"] == "None"
    assert d[a + "stdout_logfile"] == "NONE"
    assert d[a + "stderr_logfile"] == "NONE"
    assert d[a + "redirect_stderr"] == "1"


def parse_pairs(d, suffix):
    # dicts keep insertion order = dump order
    return [(k, v) for k, v in d.items() if k.endswith(suffix)]


def test_oracle_sample_doc_values(tmp_path):
    lay = Layout(tmp_path)
    cfg = str(lay.conf / "sample_doc.conf")
    d = parse_dump(oracle(cfg, lay.work, lay.env))
    conf = str(lay.conf)
    p = "process.theprogramname:theprogramname."
    assert d["supervisord.logfile"] == conf + "/logs/supervisord.log"
    assert d["server.0.family"] == "unix"
    assert d["server.0.file"] == conf + "/run/supervisor.sock"
    assert d["server.0.chmod"] == "448"
    assert d["server.0.chown"] == "-1:-1"
    assert d["supervisord.serverurl"] == "unix://" + conf + "/run/supervisor.sock"
    assert d[p + "command"] == "/bin/cat"
    assert d[p + "stopsignal"] == "3"
    assert d[p + "stdout_logfile_maxbytes"] == "1048576"
    assert d[p + "stdout_capture_maxbytes"] == "1048576"
    assert d[p + "environment"] == "A=1,B=2"
    assert d[p + "stderr_logfile"] == "NONE"
    assert d["group.theeventlistenername.events"] == "EVENT"
    assert d["group.thegroupname.kind"] == "group"
    assert d["process.thegroupname:progname2.command"] == "/bin/sleep 2000"


def test_oracle_escaping(tmp_path):
    lay = Layout(tmp_path)
    cfg = lay.conf / "esc.conf"
    cfg.write_text("[supervisord]\n"
                   "[program:e]\n"
                   "command=/bin/echo %(ENV_CSUP_TEST_ESC)s\n"
                   "  second line\n")
    d = parse_dump(oracle(str(cfg), lay.work, lay.env))
    assert d["process.e:e.command"] == \
        "/bin/echo back\\\\slash\\ttab\\nnewline\\nsecond line"
