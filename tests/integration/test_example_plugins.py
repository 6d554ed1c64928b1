"""The example plugins together, as a site would use them: our supervisord
with `[rpcinterface:site]` (plugins/example/site.c) and our supervisorctl
with `[ctlplugin:site] supervisor.ctl_factory = <path>`
(plugins/example/sitectl.c), one-shot and interactive on a pty: output,
exit statuses, the help listing and tab completion.

The .so files are built by `make check` into <builddir>/plugins/example/.libs.

Run:  CSUP_BUILDDIR=build /usr/bin/python3 -m pytest tests/integration/test_example_plugins.py -q
"""
import re

import pytest

from conftest import BUILDDIR
from daemon_util import wait_for
from test_ctl import CTL, Pty, ctl_env, run_ctl, write_conf
from test_sdk_install import start_with

LIBS = BUILDDIR / "plugins" / "example" / ".libs"

CRASHY = """
[program:crashy]
command=sh -c 'test -f @DIR@/healthy && exec sleep 1000; exit 3'
startsecs=1
startretries=0
"""


def built(name):
    path = LIBS / name
    if not path.is_file():
        pytest.fail("plugin not built: %s (run make check)" % path, pytrace=False)
    return path


@pytest.fixture
def site(tmp_path):
    """A daemon with web RUNNING and crashy FATAL, and a supervisorctl
    config with the sitectl plugin: (daemon, ctl config path)."""
    sup, proxy = start_with(tmp_path, built("site.so"), extra=CRASHY)
    try:
        wait_for(lambda: proxy.supervisor.getProcessInfo("crashy")["statename"] == "FATAL",
                 what="crashy FATAL")
        conf = write_conf(tmp_path, "[supervisorctl]\nserverurl=unix://%s/sup.sock\n\n"
                          "[ctlplugin:site]\nsupervisor.ctl_factory = %s\n" % (sup.dir, built("sitectl.so")))
        yield sup, conf
        sup.stop()  # exit status 0, nothing on stderr
    finally:
        sup.kill()


def ctl(conf, home, *args, stdin=None):
    return run_ctl("ours", ["-c", conf] + list(args), home, stdin=stdin)


def test_summary_lists_what_is_not_running_and_exits_3(site, tmp_path):
    sup, conf = site
    rc, out, err = ctl(conf, tmp_path, "summary")
    assert (rc, err) == (3, "")
    assert out == ("2 processes: 1 RUNNING, 1 FATAL\n"
                   "%-32s %-10s %s\n" % ("crashy:crashy", "FATAL",
                                         "Exited too quickly (process log may have details)"))


def test_heal_starts_the_unhealthy_and_waits(site, tmp_path):
    sup, conf = site
    (sup.dir / "healthy").write_text("")
    assert ctl(conf, tmp_path, "heal") == (0, "crashy: started\n", "")
    # all RUNNING now: summary exits 0
    assert ctl(conf, tmp_path, "summary") == (0, "2 processes: 2 RUNNING\n", "")
    assert ctl(conf, tmp_path, "heal") == (0, "nothing to heal\n", "")


def test_heal_reports_a_failure_with_status_1(site, tmp_path):
    sup, conf = site
    assert ctl(conf, tmp_path, "heal") == (1, "crashy: ERROR (spawn error)\n", "")


def test_heal_nowait_answers_before_the_process_is_running(site, tmp_path):
    sup, conf = site
    (sup.dir / "healthy").write_text("")
    assert ctl(conf, tmp_path, "heal", "nowait") == (0, "crashy: started\n", "")
    rc, out, _ = ctl(conf, tmp_path, "status", "crashy")
    assert "STARTING" in out
    sup.wait_running("crashy")
    rc, out, _ = ctl(conf, tmp_path, "heal", "later")
    assert (rc, out) == (1, "error: usage: heal [nowait]\n")


def test_uptime_and_its_exit_statuses(site, tmp_path):
    sup, conf = site
    rc, out, err = ctl(conf, tmp_path, "uptime", "web")
    assert rc == 0 and re.fullmatch(r"web: 0:0\d:\d\d\n", out), (rc, out, err)
    rc, out, err = ctl(conf, tmp_path, "uptime", "web", "crashy")
    assert rc == 3 and out.endswith("\ncrashy: ERROR (not running)\n"), (rc, out)
    rc, out, err = ctl(conf, tmp_path, "uptime", "crashy", "nosuch")
    assert (rc, out) == (4, "crashy: ERROR (not running)\nnosuch: ERROR (no such process)\n")
    rc, out, err = ctl(conf, tmp_path, "uptime")
    assert (rc, out) == (1, "error: usage: uptime <name> [...]\n")


def test_help_lists_the_plugin_commands(site, tmp_path):
    sup, conf = site
    rc, out, _ = ctl(conf, tmp_path, "help")
    assert rc == 0
    assert out.startswith("\ndefault commands (type help <topic>):\n")
    assert out.endswith("\nsite commands (type help <topic>):\n"
                        "==================================\n"
                        "heal  summary  uptime\n\n")
    rc, out, _ = ctl(conf, tmp_path, "help", "heal")
    assert out == ("*** No help on heal\n"
                   "heal\t\tStart every FATAL process and every EXITED one whose exit status\n"
                   "\t\twas not expected, and wait until each is RUNNING or has failed\n"
                   "heal nowait\tStart them without waiting\n")


def test_namespace_key_and_a_daemon_without_it(site, tmp_path):
    sup, conf = site
    text = open(conf).read() + "namespace = other\n"
    conf2 = write_conf(tmp_path, text)
    rc, out, err = ctl(conf2, tmp_path, "summary")
    assert (rc, out) == (1, "error: the server has no other namespace: add [rpcinterface:other] with the"
                            " site plugin to supervisord.conf\n")
    conf3 = write_conf(tmp_path, text.replace("namespace = other", "colour = blue"))
    rc, out, err = ctl(conf3, tmp_path, "summary")
    assert rc == 2 and "[ctlplugin:site] unknown key 'colour'" in err


def test_server_down_is_reported_like_the_default_commands(tmp_path):
    conf = write_conf(tmp_path, "[supervisorctl]\nserverurl=unix://%s/nosuch.sock\n\n"
                      "[ctlplugin:site]\nsupervisor.ctl_factory = %s\n" % (tmp_path, built("sitectl.so")))
    rc_site = ctl(conf, tmp_path, "summary")
    rc_default = ctl(conf, tmp_path, "pid")
    assert rc_site[0] == rc_default[0] != 0
    assert rc_site[1] == rc_default[1] == "unix://%s/nosuch.sock no such file\n" % tmp_path


def test_interactive_completion_and_commands(site, tmp_path):
    sup, conf = site
    p = Pty([CTL, "-c", conf], ctl_env(tmp_path))
    try:
        p.expect_screen("supervisor> ")
        p.send("hea\t")
        p.expect_screen("supervisor> heal ")
        p.send("n\t")
        p.expect_screen("supervisor> heal nowait ")
        p.send("\x15uptime w\t")  # a process name
        p.expect_screen("supervisor> uptime web ")
        p.send("\n")
        p.expect("web: 0:0")
        p.expect_screen("supervisor> ")
        p.send("sum\t")
        p.expect_screen("supervisor> summary ")
        p.send("\n")
        p.expect("2 processes: 1 RUNNING, 1 FATAL\r\n")
        p.expect_screen("supervisor> ")
        p.mark()
        p.send("help\n")
        p.expect("site commands (type help <topic>):")
        p.expect("heal  summary  uptime")
        p.expect_screen("supervisor> ")
        p.send("help upt\t")
        p.expect_screen("supervisor> help uptime ")
        p.send("\n")
        p.expect("uptime <name> <name>\tThe same for several processes")
        p.expect_screen("supervisor> ")
        p.send("\x04")
        assert p.close() == 0
    finally:
        p.kill()
