"""The Dagster UI as the control room, proven in a real (headless) browser and through its daemon.

Starts the UI the way `make ui` does, launches the build through Dagster's GraphQL API, waits for
success, then loads pages in headless Chromium and reads what a person would see: every table
asset materialised, its checks passed. A screenshot is kept in tests/artifacts/. With the sensor
turned on through the same API, a file dropped into the raw folder is published with no click.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import duckdb
import pytest

import schemas

from .conftest import RAW, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is installed by `make test` (apt package chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _page_text(url: str, profile, screenshot=None, height: int = 1200) -> str:
    args = [
        CHROMIUM,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        f"--window-size=1600,{height}",
        "--virtual-time-budget=30000",
    ]
    if screenshot is not None:
        subprocess.run([*args, f"--screenshot={screenshot}", url], capture_output=True, timeout=180, check=True)
    dom = subprocess.run([*args, "--dump-dom", url], capture_output=True, text=True, timeout=180, check=True).stdout
    text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


@pytest.fixture()
def dagster_ui(tmp_path):
    """`dg dev` on a free port with the project's dagster.yaml in a fresh instance; stopped afterwards."""
    port = _free_port()
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    venv_bin = ROOT / ".venv" / "bin"
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "VIRTUAL_ENV": str(ROOT / ".venv"),
        "PATH": f"{venv_bin}:{os.environ.get('PATH', '')}",
        "CRITICAL_MINERALS_RAW": str(raw),
        "CRITICAL_MINERALS_WAREHOUSE": str(tmp_path / "warehouse"),
    }
    log = open(tmp_path / "dg-dev.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(venv_bin / "dg"), "dev", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so every child stops with it
    )
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                data = _graphql(port, "{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }")
                if data["data"]["repositoriesOrError"].get("nodes"):
                    break
            except OSError:
                pass
            time.sleep(1)
        else:
            pytest.fail("the Dagster UI did not come up: " + (tmp_path / "dg-dev.log").read_text()[-2000:])
        yield port, tmp_path
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=20)
                break
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue
        log.close()


def _repository(port: int) -> dict:
    repo = _graphql(port, "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }")
    return repo["data"]["repositoriesOrError"]["nodes"][0]


def _selector(node: dict, **name: str) -> dict:
    """A GraphQL selector of something in the repository: a job (jobName=), a sensor (sensorName=)."""
    return {"repositoryLocationName": node["location"]["name"], "repositoryName": node["name"], **name}


def _wait_for_run(port: int, run_id: str, timeout: float = 300) -> str:
    status = None
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = _graphql(port, "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id})
        status = status["data"]["runOrError"]["status"]
        if status in {"SUCCESS", "FAILURE", "CANCELED"}:
            break
        time.sleep(2)
    return status


def _sensor_runs(port: int) -> list[dict]:
    data = _graphql(
        port,
        """{ runsOrError(filter: {tags: [{key: "dagster/sensor_name", value: "raw_folder_sensor"}]}) {
             ... on Runs { results { runId status } } } }""",
    )
    return data["data"]["runsOrError"]["results"]


def test_with_the_sensor_on_a_file_dropped_into_raw_is_published_without_a_manual_step(dagster_ui):
    port, tmp_path = dagster_ui
    node = _repository(port)
    started = _graphql(
        port,
        "mutation($s: SensorSelector!) { startSensor(sensorSelector: $s) { __typename ... on Sensor { sensorState { status } } } }",
        {"s": _selector(node, sensorName="raw_folder_sensor")},
    )
    assert started["data"]["startSensor"]["sensorState"]["status"] == "RUNNING"

    def wait_for_sensor_runs(count: int) -> list[dict]:
        deadline = time.time() + 240
        while time.time() < deadline:
            runs = _sensor_runs(port)
            if len(runs) >= count:
                return runs
            time.sleep(3)
        pytest.fail(f"the sensor launched {len(_sensor_runs(port))} run(s), expected {count}")

    first = wait_for_sensor_runs(1)  # the folder's first state: the seeds
    assert _wait_for_run(port, first[0]["runId"]) == "SUCCESS"
    (tmp_path / "raw" / "sensor_dropped_article.txt").write_text(
        "Chile and Japan sign lithium pact\n\nSantiago, 3 March 2026 - Chile and Japan signed a memorandum of "
        "understanding on lithium and copper supply on Tuesday, Chile's Minister of Mining Aurora Williams said.\n",
        encoding="utf-8",
    )
    runs = wait_for_sensor_runs(2)  # no click: the sensor saw the new file
    assert _wait_for_run(port, runs[0]["runId"]) == "SUCCESS"
    con = duckdb.connect(str(tmp_path / "warehouse" / "critical_minerals.duckdb"), read_only=True)
    try:
        published = con.execute("SELECT count(*) FROM articles WHERE source_file = 'sensor_dropped_article.txt'").fetchone()[0]
    finally:
        con.close()
    assert published == 1
    time.sleep(35)  # one more sensor interval: an unchanged folder launches nothing
    assert len(_sensor_runs(port)) == 2


def test_a_build_launched_through_the_ui_succeeds_and_the_browser_shows_assets_and_passed_checks(dagster_ui):
    port, tmp_path = dagster_ui
    node = _repository(port)
    launched = _graphql(
        port,
        "mutation($p: ExecutionParams!) { launchPipelineExecution(executionParams: $p) { __typename ... on LaunchRunSuccess { run { runId } } } }",
        {"p": {"selector": _selector(node, jobName="build")}},
    )
    run_id = launched["data"]["launchPipelineExecution"]["run"]["runId"]
    assert _wait_for_run(port, run_id) == "SUCCESS"
    assert (tmp_path / "warehouse" / "critical_minerals.duckdb").exists()
    _graphql(port, "mutation { setNuxSeen }")  # dismiss the "Join the community" pop-up

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "asset-graph.png"
    profile = tmp_path / "chromium"
    # a tall window: the list renders only the rows it shows
    tables_page = _page_text(
        f"http://127.0.0.1:{port}/locations/critical_minerals/asset-groups/tables?view=list", profile, height=4000
    )
    for table in schemas.table_names():
        assert table in tables_page, table
    assert "Failed" not in tables_page
    lineage = _page_text(
        f"http://127.0.0.1:{port}/locations/critical_minerals/asset-groups/tables", profile, screenshot=shot, height=2600
    )
    assert "Passed" in lineage and "Materialized" in lineage
    checks_page = _page_text(f"http://127.0.0.1:{port}/assets/partners?view=checks", profile)
    assert "pandera_schema" in checks_page and "Passed" in checks_page
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(shot, ROOT / "docs" / "asset-graph.png")


def _all_runs(port: int) -> list[dict]:
    data = _graphql(port, "{ runsOrError { ... on Runs { results { runId status jobName startTime endTime } } } }")
    return data["data"]["runsOrError"]["results"]


def click_materialize_all(port: int, screenshot=None) -> float:
    """Open the asset graph in Chromium and press "Materialize all" as a person does; the click's time."""
    from playwright.sync_api import sync_playwright

    _graphql(port, "mutation { setNuxSeen }")  # the "Join the community" pop-up would cover the button
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/asset-groups", wait_until="networkidle")
            clicked = time.time()
            page.get_by_role("button", name="Materialize all").click()
            deadline = time.time() + 60
            while not _all_runs(port) and time.time() < deadline:
                assert page.get_by_role("dialog").count() == 0, "a dialog opened instead of a run"
                time.sleep(0.5)
            if screenshot is not None:
                page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    return clicked


def test_materialize_all_on_the_asset_graph_publishes_in_one_run_with_no_dialog_and_no_release(dagster_ui):
    port, tmp_path = dagster_ui
    ARTIFACTS.mkdir(exist_ok=True)
    click_materialize_all(port, screenshot=ARTIFACTS / "materialize-all.png")
    [run] = _all_runs(port)
    assert _wait_for_run(port, run["runId"]) == "SUCCESS"
    assert len(_all_runs(port)) == 1  # one run, not one per partition or per step
    warehouse = tmp_path / "warehouse"
    con = duckdb.connect(str(warehouse / "critical_minerals.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == len(list(RAW.glob("*.txt")))
    finally:
        con.close()
    assert not (warehouse / "releases").exists()  # releases are cut by the release job
