"""A newcomer's first command works with the Python their operating system ships."""

import shutil
import subprocess
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
def test_setup_with_the_systems_own_python3_installs_nothing_system_wide(tmp_path):
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
