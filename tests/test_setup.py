"""A newcomer's first command works with the Python their operating system ships."""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

SYSTEM_PYTHON = Path("/usr/bin/python3")
LEFT_OUT = shutil.ignore_patterns(".venv", ".git", ".dagster_home", "warehouse", "__pycache__", "*.egg-info", "scratch")


def _system_python_is_usable() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    return subprocess.run([str(SYSTEM_PYTHON), "-c", "import sys; sys.exit(sys.version_info < (3, 11))"]).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _system_python_is_usable(), reason="no /usr/bin/python3 >= 3.11 on this machine")
def test_setup_with_the_systems_own_python3_installs_nothing_system_wide_and_builds(tmp_path):
    """Debian's and Ubuntu's python3 refuse `pip install` outside a virtual environment (PEP 668)."""
    clone = tmp_path / "clone"
    shutil.copytree(ROOT, clone, ignore=LEFT_OUT, symlinks=True)
    had_uv = subprocess.run([str(SYSTEM_PYTHON), "-c", "import uv"], capture_output=True).returncode == 0

    setup = subprocess.run(["make", "setup", f"PYTHON={SYSTEM_PYTHON}"], cwd=clone, capture_output=True, text=True)

    assert setup.returncode == 0, setup.stderr[-3000:]
    venv_python = clone / ".venv" / "bin" / "python"
    check = subprocess.run(
        [str(venv_python), "-c", "import sys, dagster, duckdb, pipeline; print(sys.base_prefix)"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr[-3000:]
    assert check.stdout.strip() == "/usr"
    build = subprocess.run(  # the whole build runs on that Python too (its re module is older than pyenv's)
        [str(venv_python), "-m", "pipeline", "build", "--quiet", "--warehouse", str(tmp_path / "w")],
        cwd=clone, capture_output=True, text=True,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-3000:]
    assert "agreements" in build.stdout
    if not had_uv:
        assert subprocess.run([str(SYSTEM_PYTHON), "-c", "import uv"], capture_output=True).returncode != 0


def test_setup_with_a_python_that_is_not_there_says_what_to_do(tmp_path):
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy(ROOT / "Makefile", clone / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", clone / "pyproject.toml")
    setup = subprocess.run(["make", "setup", "PYTHON=/nonexistent/python3"], cwd=clone, capture_output=True, text=True)
    assert setup.returncode != 0
    assert "setup needs Python >= 3.11" in setup.stderr
    assert not (clone / ".venv").exists()


def _session(sid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid=,sid=,args="], capture_output=True, text=True, check=True).stdout.splitlines()
    return [line for line in out if int(line.split()[1]) == sid]


@pytest.mark.slow
def test_sigterm_to_make_ui_stops_the_web_server_daemon_and_code_servers_within_ten_seconds(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DAGSTER_HOME": str(home), "CRITICAL_MINERALS_WAREHOUSE": str(tmp_path / "w")}
    make = subprocess.Popen(
        ["make", "ui", f"PORT={port}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("make ui did not serve the UI")
        time.sleep(3)  # the daemon and the code server are up too
        candidates = subprocess.run(["pgrep", "-f", f"dg dev --host 127.0.0.1 --port {port}"], capture_output=True, text=True)
        sid = next(int(p) for p in candidates.stdout.split() if os.getsid(int(p)) == int(p))
        assert len(_session(sid)) >= 3  # dg dev, the web server, the daemon (and code servers)
        stopped = time.time()
        make.send_signal(signal.SIGTERM)
        while _session(sid) and time.time() - stopped < 30:
            time.sleep(0.2)
        assert not _session(sid), _session(sid)
        assert time.time() - stopped <= 10
    finally:
        if make.poll() is None:
            make.kill()
