"""Benchmark: the seed articles built from the Dagster UI's "Materialize all" against the command line.

    .venv/bin/python benchmarks/ui_benchmark.py [--repeats 3]

Each repeat builds the seeds into a fresh warehouse twice: with `python -m pipeline build` in a
child process (wall time, interpreter start included, as a user types it), and by pressing
"Materialize all" on the asset graph of a running `dg dev` (from the click to the run's end, as
Dagster records it). Prints every time, the medians and their ratio. Needs Chromium
(`make browser`) and the dev dependencies (playwright).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


def _runs(port: int) -> list[dict]:
    return _graphql(port, "{ runsOrError { ... on Runs { results { runId status endTime } } } }")["runsOrError"]["results"]


def cli_build(raw: Path, warehouse: Path, home: Path) -> float:
    start = time.time()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--quiet", "--raw", str(raw), "--warehouse", str(warehouse)],
        cwd=ROOT, env={**os.environ, "DAGSTER_HOME": str(home)}, check=True, capture_output=True,
    )  # fmt: skip
    return time.time() - start


def ui_build(port: int, page) -> float:
    """Press "Materialize all" and wait for the run it launches; seconds from the click to the run's end."""
    before = len(_runs(port))
    clicked = time.time()
    page.get_by_role("button", name="Materialize all").click()
    while True:
        runs = _runs(port)
        if len(runs) > before and runs[0]["status"] in {"SUCCESS", "FAILURE", "CANCELED"}:
            if runs[0]["status"] != "SUCCESS":
                raise RuntimeError(f"the UI build ended {runs[0]['status']}")
            return runs[0]["endTime"] - clicked
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory(prefix="ui-benchmark-") as tmp:
        tmp = Path(tmp)
        raw = tmp / "raw"
        shutil.copytree(ROOT / "raw", raw)
        for home in (tmp / "home-cli", tmp / "home-ui"):
            home.mkdir()
            shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
        port = _free_port()
        env = {**os.environ, "DAGSTER_HOME": str(tmp / "home-ui"), "VIRTUAL_ENV": str(VENV_BIN.parent),
               "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}", "CRITICAL_MINERALS_RAW": str(raw),
               "CRITICAL_MINERALS_WAREHOUSE": str(tmp / "ui-warehouse")}  # fmt: skip
        ui = subprocess.Popen(
            [str(VENV_BIN / "dg"), "dev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.time() + 180
            while True:
                try:
                    if _graphql(port, "{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }")[
                        "repositoriesOrError"
                    ].get("nodes"):
                        break
                except OSError:
                    if time.time() > deadline:
                        raise
                time.sleep(1)
            _graphql(port, "mutation { setNuxSeen }")
            cli, clicks = [], []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/asset-groups", wait_until="networkidle")
                for i in range(args.repeats):
                    cli.append(cli_build(raw, tmp / f"cli-warehouse-{i}", tmp / "home-cli"))
                    shutil.rmtree(tmp / "ui-warehouse", ignore_errors=True)  # a fresh warehouse, as for the CLI
                    clicks.append(ui_build(port, page))
                    print(f"repeat {i + 1}: command line {cli[-1]:.1f} s, UI 'Materialize all' {clicks[-1]:.1f} s", flush=True)
                browser.close()
        finally:
            os.killpg(ui.pid, signal.SIGTERM)
            ui.wait(timeout=30)
    c, u = statistics.median(cli), statistics.median(clicks)
    print(f"median: command line {c:.1f} s, UI {u:.1f} s, UI / command line {u / c:.2f}")


if __name__ == "__main__":
    main()
