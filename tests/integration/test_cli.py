"""supervisord's informational options and echo_supervisord_conf, compared
with Debian's reference where it makes sense."""
import os
import subprocess
import time

import pytest

from conftest import BUILDDIR, REF_SUPERVISORD, SUPERVISORD, run

ECHO_CONF = str(BUILDDIR / "echo_supervisord_conf")
need_ref = pytest.mark.skipif(not os.path.exists(REF_SUPERVISORD), reason="reference not installed")


def test_version_prints_supervisor_version():
    rc, out, err = run([SUPERVISORD, "-v"])
    assert (rc, out, err) == (0, "4.2.5\n", "")


@need_ref
def test_version_matches_reference():
    assert run([SUPERVISORD, "--version"])[:2] == run([REF_SUPERVISORD, "--version"])[:2]


@need_ref
@pytest.mark.parametrize("flag", ["-h", "--help", "-?", "--he"])
def test_help_text_matches_reference_with_argv0(flag):
    rc, out, _ = run([SUPERVISORD, flag])
    ref_rc, ref_out, _ = run([REF_SUPERVISORD, flag])
    assert rc == ref_rc == 0
    assert out == ref_out.replace(REF_SUPERVISORD, SUPERVISORD)


def test_help_wins_over_later_bad_option_values():
    # options are handled left to right: -h exits before -m is converted
    rc, out, _ = run([SUPERVISORD, "-h", "-m", "99"])
    assert rc == 0 and out.startswith("supervisord -- run a set of applications as daemons.")


def test_valid_config_in_foreground_starts_and_stops(tmp_path):
    conf = tmp_path / "s.conf"
    conf.write_text("[supervisord]\nlogfile=%(here)s/s.log\npidfile=%(here)s/s.pid\n")
    p = subprocess.Popen([SUPERVISORD, "-n", "-c", str(conf)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    pidfile = tmp_path / "s.pid"
    try:
        deadline = time.monotonic() + 20
        while not pidfile.exists() and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert pidfile.read_text() == "%d\n" % p.pid
        p.terminate()
        assert p.wait(timeout=10) == 0
        assert not (tmp_path / "s.pid").exists()
        log = (tmp_path / "s.log").read_text()
        assert "INFO supervisord started with pid %d" % p.pid in log
        assert "WARN received SIGTERM indicating exit request" in log
    finally:
        if p.poll() is None:
            p.kill()


def test_echo_supervisord_conf_prints_a_config_both_daemons_accept(tmp_path):
    rc, out, err = run([ECHO_CONF])
    assert rc == 0 and err == ""
    assert "[supervisord]" in out and "[unix_http_server]" in out
    conf = tmp_path / "sample.conf"
    conf.write_text(out)
    # the sample config must load in our loader without error
    confdump = str(BUILDDIR / "tests" / "confdump")
    rc, dump, err = run([confdump, "-c", str(conf)])
    assert rc == 0, err
    assert "supervisord.logfile=/tmp/supervisord.log" in dump
    if os.path.exists("/usr/bin/python3"):
        code = ("from supervisor.options import ServerOptions; o=ServerOptions(); "
                "o.realize(args=['-c', %r])" % str(conf))
        rc, _, err = run(["/usr/bin/python3", "-c", code])
        assert rc == 0, err
