"""Shared fixtures for the integration tests: where the built binaries are.

The build directory is taken from CSUP_BUILDDIR (set by `make check`, which
also makes VPATH builds and `make distcheck` work); without it, the source
tree itself is assumed to be the build tree.
"""
import os
import pathlib
import subprocess

import pytest

SRCDIR = pathlib.Path(__file__).resolve().parents[2]
BUILDDIR = pathlib.Path(os.environ.get("CSUP_BUILDDIR", SRCDIR)).resolve()

SUPERVISORD = os.environ.get("CSUP_SUPERVISORD", str(BUILDDIR / "supervisord" / "supervisord"))
CONFDUMP = os.environ.get("CSUP_CONFDUMP", str(BUILDDIR / "tests" / "confdump"))
# Debian's Python supervisor 4.2.5: the reference implementation.
REF_SUPERVISORD = "/usr/bin/supervisord"


def run(argv, cwd=None, env=None, timeout=20):
    """Run argv, return (exit code, stdout, stderr) as text."""
    p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def supervisord():
    return SUPERVISORD


@pytest.fixture
def confdump():
    return CONFDUMP


@pytest.fixture
def sups():
    """Daemons a test starts (daemon_util.Supervisord): killed at the end."""
    made = []
    yield made
    for s in made:
        s.kill()
