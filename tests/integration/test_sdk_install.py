"""The installed plugin SDK: `make install DESTDIR=<tmp>` from the build
tree puts <csupervisor/plugin.h>, <csupervisor/typed.h> and
csupervisor-plugin.pc in place; plugins/example/site.c (an RPC namespace)
and plugins/example/sitectl.c (supervisorctl commands using it) then build
out of tree with nothing but `pkg-config --cflags csupervisor-plugin` and
the command docs/plugins.md gives, export only sup_plugin_query, and our
supervisord and supervisorctl load them (by path, and by bare name from the
.pc's plugindir).

Run:  CSUP_BUILDDIR=build /usr/bin/python3 -m pytest tests/integration/test_sdk_install.py -q
"""
import os
import re
import shutil
import subprocess
import xmlrpc.client

import pytest

from conftest import BUILDDIR, SRCDIR, run
from daemon_util import Supervisord, wait_for
from test_rpc import UnixTransport

SITE_C = SRCDIR / "plugins" / "example" / "site.c"
SITECTL_C = SRCDIR / "plugins" / "example" / "sitectl.c"
SUPERVISORCTL = BUILDDIR / "supervisorctl" / "supervisorctl"
BUILD_FLAGS = ["-std=c11", "-fPIC", "-fvisibility=hidden", "-shared", "-Wl,-z,defs"]
STRICT = ["-Wall", "-Wextra", "-Werror", "-pedantic"]


@pytest.fixture(scope="module")
def sdk(tmp_path_factory):
    """DESTDIR after `make install`, and the environment that makes
    pkg-config find the SDK there."""
    if not shutil.which("pkg-config"):
        pytest.skip("pkg-config not installed")
    dest = tmp_path_factory.mktemp("destdir")
    rc, out, err = run(["make", "-C", str(BUILDDIR), "install", "DESTDIR=%s" % dest], timeout=600)
    assert rc == 0, "make install failed:\n%s\n%s" % (out[-3000:], err[-3000:])
    pcs = list(dest.rglob("pkgconfig/csupervisor-plugin.pc"))
    assert len(pcs) == 1, "csupervisor-plugin.pc installed %d times: %s" % (len(pcs), pcs)
    env = dict(os.environ, PKG_CONFIG_PATH=str(pcs[0].parent), PKG_CONFIG_SYSROOT_DIR=str(dest),
               PKG_CONFIG_LIBDIR="")
    return dest, env


def pkg_config(env, *args):
    rc, out, err = run(["pkg-config"] + list(args) + ["csupervisor-plugin"], env=env)
    assert rc == 0, err
    return out.strip()


def build_site(tmp_path, env, extra=(), source=SITE_C):
    so = tmp_path / (source.stem + ".so")
    cflags = pkg_config(env, "--cflags").split()
    rc, out, err = run(["cc"] + BUILD_FLAGS + list(extra) + cflags + ["-o", str(so), str(source)], env=env)
    assert rc == 0, "out-of-tree build failed:\n%s" % err
    os.chmod(so, 0o755)
    return so


def exports(so):
    rc, out, err = run(["nm", "-D", "--defined-only", str(so)])
    assert rc == 0, err
    return sorted(line.split()[-1] for line in out.splitlines() if line.strip())


def test_headers_and_pc_file_are_installed(sdk):
    dest, env = sdk
    include = pkg_config(env, "--cflags")
    assert include.startswith("-I%s" % dest)
    incdir = include[2:].split()[0]
    for h in ("plugin.h", "typed.h"):
        installed = open(os.path.join(incdir, "csupervisor", h)).read()
        assert installed == (SRCDIR / "sdk" / "include" / "csupervisor" / h).read_text()
    assert pkg_config(env, "--modversion")


def test_pc_file_names_the_abi_of_the_headers(sdk):
    dest, env = sdk
    header = (SRCDIR / "sdk" / "include" / "csupervisor" / "plugin.h").read_text()
    major = re.search(r"#define SUP_ABI_MAJOR (\d+)", header).group(1)
    minor = re.search(r"#define SUP_ABI_MINOR (\d+)", header).group(1)
    assert pkg_config(env, "--variable=abi") == "%s.%s" % (major, minor)


def test_plugindir_is_where_supervisord_looks(sdk):
    dest, env = sdk
    plugindir = pkg_config(env, "--variable=plugindir")
    assert plugindir.startswith(str(dest))
    assert plugindir.endswith("/lib/csupervisor/plugins")


def test_example_builds_out_of_tree_with_only_the_sdk(sdk, tmp_path):
    dest, env = sdk
    so = build_site(tmp_path, env, STRICT)
    assert exports(so) == ["sup_plugin_query"]
    # and it needs no symbol from anything but libc
    rc, out, err = run(["nm", "-D", "--undefined-only", str(so)])
    assert "sup_" not in out, out


def start_with(tmp_path, factory, env=None, extra=""):
    """Our supervisord with the supervisor and site namespaces (site from
    factory), [program:web] and extra; once site.summary() shows web
    RUNNING: (Supervisord, proxy)."""
    sup = Supervisord(tmp_path / "d", """
[unix_http_server]
file=@DIR@/sup.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[rpcinterface:site]
supervisor.rpcinterface_factory = %s

[program:web]
command=sleep 1000
startsecs=0
""" % factory + extra, env=env)
    sup.start()
    proxy = xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport(str(sup.dir / "sup.sock")))

    def ready():
        try:
            return proxy.site.summary()["states"]["RUNNING"] == 1
        except OSError:
            if not sup.running():
                raise AssertionError("daemon exited: %s" % sup.stderr_path.read_text())
            return False
    try:
        wait_for(ready, what="site.summary() to show web RUNNING")
    except BaseException:
        sup.kill()
        raise
    return sup, proxy


def test_supervisord_loads_the_out_of_tree_build(sdk, tmp_path):
    dest, env = sdk
    so = build_site(tmp_path, env)
    sup, proxy = start_with(tmp_path, so)
    try:
        assert proxy.site.uptime("web") >= 0
        assert proxy.site.restartUnhealthy() == []
        sup.stop()
    finally:
        sup.kill()


def test_supervisord_loads_it_by_name_from_plugindir(sdk, tmp_path):
    dest, env = sdk
    so = build_site(tmp_path, env)
    plugindir = pkg_config(env, "--variable=plugindir")
    os.makedirs(plugindir, exist_ok=True)
    shutil.copyfile(so, os.path.join(plugindir, "site.so"))
    os.chmod(os.path.join(plugindir, "site.so"), 0o644)
    sup, proxy = start_with(tmp_path, "site", env={"CSUP_PLUGIN_DIR": plugindir})
    try:
        assert proxy.site.summary()["total"] == 1
        sup.stop()
    finally:
        sup.kill()


def test_ctl_example_builds_out_of_tree_with_only_the_sdk(sdk, tmp_path):
    dest, env = sdk
    so = build_site(tmp_path, env, STRICT, source=SITECTL_C)
    assert exports(so) == ["sup_plugin_query"]
    rc, out, err = run(["nm", "-D", "--undefined-only", str(so)])
    assert "sup_" not in out, out


def ctl(conf, *args, env=None):
    p = subprocess.run([str(SUPERVISORCTL), "-c", str(conf)] + list(args), capture_output=True, text=True,
                       env=dict({"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}, **(env or {})),
                       stdin=subprocess.DEVNULL, timeout=60)
    return p.returncode, p.stdout, p.stderr


def test_supervisorctl_loads_the_out_of_tree_ctl_build(sdk, tmp_path):
    dest, env = sdk
    site_so = build_site(tmp_path, env)
    sitectl_so = build_site(tmp_path, env, source=SITECTL_C)
    sup, proxy = start_with(tmp_path, site_so)
    try:
        conf = tmp_path / "ctl.conf"
        conf.write_text("[supervisorctl]\nserverurl=unix://%s/sup.sock\n\n[ctlplugin:site]\n"
                        "supervisor.ctl_factory = %s\n" % (sup.dir, sitectl_so))
        assert ctl(conf, "summary") == (0, "1 process: 1 RUNNING\n", "")
        assert ctl(conf, "heal") == (0, "nothing to heal\n", "")
        # by bare name from the .pc's plugindir
        plugindir = pkg_config(env, "--variable=plugindir")
        os.makedirs(plugindir, exist_ok=True)
        shutil.copyfile(sitectl_so, os.path.join(plugindir, "sitectl.so"))
        os.chmod(os.path.join(plugindir, "sitectl.so"), 0o644)
        conf.write_text(conf.read_text().replace(str(sitectl_so), "sitectl"))
        assert ctl(conf, "summary", env={"CSUP_PLUGIN_DIR": plugindir}) == (0, "1 process: 1 RUNNING\n", "")
        sup.stop()
    finally:
        sup.kill()
