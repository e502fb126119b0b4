"""Releases people can download, cite and trust: immutable, verifiable, self-describing, comparable."""

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import schemas
from pipeline.cli import build
from pipeline.publish import DUCKDB_NAME, PARQUET_DIR
from pipeline.release import ReleaseError, ReleaseUnchanged, make_release

from .conftest import RAW, ROOT

DAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """Seeds released once, then one more article and a second release."""
    warehouse = tmp_path_factory.mktemp("w")
    raw = tmp_path_factory.mktemp("raw")
    for seed in sorted(RAW.iterdir())[:4]:
        shutil.copy(seed, raw / seed.name)
    build(raw, warehouse, quiet=True)
    first = make_release(warehouse, today=DAY)
    shutil.copy(RAW / "004_fa55279f4966502b.txt", raw / "004_fa55279f4966502b.txt")
    build(raw, warehouse, quiet=True)
    second = make_release(warehouse, today=DAY)
    return warehouse, first, second


def test_versions_are_sortable_dates_and_releases_are_immutable(released):
    warehouse, first, second = released
    assert (first.name, second.name) == ("2026.11.22", "2026.11.22-2")
    assert sorted([first.name, second.name]) == [first.name, second.name]
    with pytest.raises(ReleaseError, match="immutable"):
        make_release(warehouse, version=first.name)


def test_a_release_passes_frictionless_validate(released):
    _, _, second = released
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "frictionless"), "validate", "--json", "datapackage.json"],
        cwd=second,
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    assert report["valid"], result.stdout[:2000]
    package = json.loads((second / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    agreement_parties = next(r for r in package["resources"] if r["name"] == "agreement_parties")
    assert agreement_parties["schema"]["primaryKey"] == ["agreement_id", "partner_id"]
    assert {fk["reference"]["resource"] for fk in agreement_parties["schema"]["foreignKeys"]} == {"agreements", "partners"}


def test_sha256sum_verifies_every_file(released):
    _, _, second = released
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=second, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = {line.split("  ", 1)[1] for line in (second / "SHA256SUMS").read_text().splitlines()}
    on_disk = {p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file() and p.name != "SHA256SUMS"}
    assert listed == on_disk


def test_the_changelog_reports_the_added_article_and_status_changes(released):
    _, first, second = released
    changes = json.loads((second / "changes.json").read_text())
    assert changes["previous"] == first.name
    assert len(changes["tables"]["articles"]["added"]) == 1
    assert changes["tables"]["articles"]["removed"] == []
    assert changes["tables"]["partners"]["removed"] == []
    first_changes = json.loads((first / "changes.json").read_text())
    assert first_changes["previous"] is None
    assert "| `articles` | 1 | 0 | 0 |" in (second / "CHANGELOG.md").read_text()


def test_the_index_lists_every_release_and_latest_points_at_the_newest(released):
    warehouse, first, second = released
    index = json.loads((warehouse / "releases" / "index.json").read_text())
    assert [r["version"] for r in index["releases"]] == [first.name, second.name]
    assert index["latest"] == second.name
    assert (warehouse / "releases" / "latest").resolve() == second.resolve()
    entry = index["releases"][1]
    assert entry["rows"]["articles"] == 5
    assert all(f["sha256"] and f["bytes"] > 0 for f in entry["files"])
    with zipfile.ZipFile(warehouse / "releases" / f"{second.name}.zip") as zf:
        assert f"{second.name}/datapackage.json" in zf.namelist()


def test_the_duckdb_file_documents_every_table_column_and_view(released):
    _, _, second = released
    con = duckdb.connect(str(second / DUCKDB_NAME), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM duckdb_columns() WHERE NOT internal AND comment IS NULL").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE comment IS NULL").fetchone()[0] == 0
        views = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
        assert set(views) == {"partner_minerals", "agreement_timeline", "partner_summary", "evidence"} and all(views.values())
        assert con.execute("SELECT count(*) FROM partner_summary").fetchone()[0] > 0
    finally:
        con.close()


def test_parquet_carries_table_and_column_descriptions(released):
    import pyarrow.parquet as pq

    _, _, second = released
    schema = pq.read_schema(second / PARQUET_DIR / "partners.parquet")
    assert schema.metadata[b"description"].decode() == schemas.load_tables()["partners"].description
    assert schema.field("iso3").metadata[b"description"]


def test_no_release_redistributes_full_article_text(released):
    _, _, second = released
    article = (RAW / "003_1817f6d3619a287d.txt").read_text()
    paragraph = max(article.split("\n"), key=len)
    for path in second.rglob("*"):
        if path.is_file() and path.suffix in {".csv", ".json", ".md", ".html"}:
            assert paragraph not in path.read_text(errors="ignore"), path


def test_the_report_shows_legends_numbers_undated_reports_and_every_agreement(released):
    _, _, second = released
    page = (second / "report.html").read_text()
    tables = {t: pd.read_parquet(second / PARQUET_DIR / f"{t}.parquet") for t in ("agreements", "agreement_statuses", "articles")}
    assert page.count("<svg") == 4  # the focus partner's matrix, the others', the status timeline, the partners
    assert "India</b> is named in 5 of 5 articles" in page and "Partners × minerals, without India" in page
    for status in ("proposed", "negotiating", "approved", "signed", "in_force"):
        n = int((tables["agreement_statuses"]["status"] == status).sum())
        assert f">{status} ({n})</text>" in page, status  # the legend, with its count
    undated = int(tables["agreement_statuses"]["as_of_date"].isna().sum())
    assert undated > 0 and f"{undated} of {len(tables['agreement_statuses'])} reports come from articles with no date" in page
    assert ">undated</text>" in page  # its own bar, not dropped
    assert re.search(r'text-anchor="middle" fill="#[0-9a-f]{6}">\d+</text>', page)  # numbers in the matrix cells
    assert "status reports</text>" in page and "articles naming the partner</text>" in page  # axes
    assert page.count("<tr><td>") - len(schemas.table_names()) == len(tables["agreements"])
    assert "max-width:960px" not in page  # the full width of the page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is installed by `make test` (apt package chromium)")
def test_the_report_renders_in_headless_chromium(released, tmp_path):
    _, _, second = released
    shot = tmp_path / "report.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1400,3800", f"--screenshot={shot}", (second / "report.html").as_uri()],
        capture_output=True, timeout=180, check=True,
    )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 100_000
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(shot, ROOT / "docs" / "report.png")


def test_two_builds_of_the_same_articles_are_byte_identical(tmp_path):
    build(RAW, tmp_path / "a", quiet=True)
    build(RAW, tmp_path / "b", quiet=True)
    for table in schemas.table_names():
        a = (tmp_path / "a" / PARQUET_DIR / f"{table}.parquet").read_bytes()
        b = (tmp_path / "b" / PARQUET_DIR / f"{table}.parquet").read_bytes()
        assert a == b, table


def test_the_committed_data_dictionary_is_generated_from_the_schema():
    assert (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8") == schemas.data_dictionary_markdown()


def test_the_release_command_fails_clearly_without_a_warehouse(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "release", "--warehouse", str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("release failed: nothing published")


def test_a_release_uploads_to_object_storage_whole_verifiable_and_queryable(released, tmp_path):
    """A file:// URI goes through the same pyarrow filesystem code as s3:// or gs://."""
    from pipeline.release import upload_release

    _, first, second = released
    bucket = tmp_path / "bucket"
    uri = f"file://{bucket}/critical-minerals"
    assert upload_release(first, uri) == f"{uri}/{first.name}"
    assert upload_release(second, uri) == f"{uri}/{second.name}"
    uploaded = bucket / "critical-minerals" / second.name
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=uploaded, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (bucket / "critical-minerals" / f"{second.name}.zip").read_bytes() == (
        second.parent / f"{second.name}.zip"
    ).read_bytes()
    index = json.loads((bucket / "critical-minerals" / "index.json").read_text())
    assert index["latest"] == second.name and len(index["releases"]) == 2
    rows = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{uploaded}/parquet/articles.parquet')").fetchone()[0]
    assert rows == index["releases"][-1]["rows"]["articles"]
    with pytest.raises(ReleaseError, match="immutable"):
        upload_release(second, uri)


def test_the_release_command_uploads_when_given_a_uri(released, tmp_path):
    warehouse, _, _ = released
    target = tmp_path / "remote"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "release", "--warehouse", str(warehouse), "--version", "cli-upload",
         "--force", "--upload", f"file://{target}"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (target / "cli-upload" / "SHA256SUMS").exists() and "uploaded to file://" in result.stdout


@pytest.mark.parametrize("version", ["../../x", "/tmp/abs", "latest", "index.json", "<b>v1</b>", "", ".hidden", "v1.zip", "a b"])
def test_a_release_version_that_is_not_a_plain_name_is_refused_and_writes_nothing(released, version):
    warehouse, _, _ = released
    before = sorted(p.name for p in (warehouse / "releases").iterdir())
    with pytest.raises(ReleaseError, match="invalid release version"):
        make_release(warehouse, version=version)
    assert sorted(p.name for p in (warehouse / "releases").iterdir()) == before
    assert not (warehouse.parent / "x").exists()


def test_a_warehouse_that_is_a_file_is_a_clear_error_for_build_and_release(tmp_path):
    not_a_folder = tmp_path / "warehouse"
    not_a_folder.write_text("")
    for command in (["build", "--raw", str(RAW)], ["release"]):
        result = subprocess.run(
            [sys.executable, "-m", "pipeline", *command, "--warehouse", str(not_a_folder)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 1, command
        assert "is a file, not a folder" in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_released_as_text_in_csv_and_as_is_in_parquet(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    formula_name = "=HYPERLINK(1,2) india.txt"
    shutil.copy(RAW / "004_fa55279f4966502b.txt", raw / formula_name)
    build(raw, tmp_path / "w", quiet=True)
    folder = make_release(tmp_path / "w", today=DAY)
    with open(folder / "csv" / "articles.csv", encoding="utf-8") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert "'" + formula_name in cells and formula_name not in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    released_parquet = pd.read_parquet(folder / PARQUET_DIR / "articles.parquet")
    assert formula_name in set(released_parquet["source_file"])


def test_the_duckdb_command_line_tool_of_duckdb_1_5_opens_the_published_and_the_released_file(released):
    """People open the file with the DuckDB CLI they have (duckdb-cli on PyPI, 1.5.x), not only with DuckDB 2."""
    from .test_readme import readme_queries

    warehouse, _, second = released
    cli = Path(sys.executable).parent / "duckdb"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.5."), version
    for db in (warehouse / DUCKDB_NAME, second / DUCKDB_NAME):
        for query in readme_queries():
            result = subprocess.run([str(cli), "-readonly", "-csv", str(db), "-c", query], capture_output=True, text=True)
            assert result.returncode == 0 and not result.stderr, (db, query, result.stderr)
            assert len(result.stdout.splitlines()) > 1, (db, query)
        statuses = subprocess.run(
            [
                str(cli),
                "-readonly",
                "-csv",
                "-noheader",
                str(db),
                "-c",
                "SELECT DISTINCT status FROM agreement_statuses ORDER BY status",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        lifecycle = ["proposed", "negotiating", "approved", "signed", "in_force"]
        assert statuses == [s for s in lifecycle if s in statuses] and len(statuses) >= 3


def one_article_built(tmp_path):
    """A raw folder of one seed article (a.txt) built into tmp_path/w."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "004_fa55279f4966502b.txt", raw / "a.txt")
    build(raw, tmp_path / "w", quiet=True)
    return raw, tmp_path / "w"


def test_two_releases_in_a_row_with_no_change_leave_one_version(tmp_path):
    raw, warehouse = one_article_built(tmp_path)
    first = make_release(warehouse, today=DAY)
    build(raw, warehouse, quiet=True)  # rebuilt, same tables
    with pytest.raises(ReleaseUnchanged) as unchanged:
        make_release(warehouse, today=DAY)
    assert unchanged.value.version == first.name
    command = [sys.executable, "-m", "pipeline", "release", "--warehouse", str(warehouse)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert (
        result.returncode == 0 and f"nothing to release: the published tables are those of release {first.name}" in result.stdout
    )
    index = json.loads((warehouse / "releases" / "index.json").read_text())
    assert [r["version"] for r in index["releases"]] == [first.name]
    assert sorted(p.name for p in (warehouse / "releases").iterdir() if not p.name.startswith(".")) == [
        first.name, f"{first.name}.zip", "index.json", "latest",
    ]  # fmt: skip
    forced = subprocess.run([*command, "--force", "--version", "tagged"], cwd=ROOT, capture_output=True, text=True)
    assert forced.returncode == 0 and (warehouse / "releases" / "tagged" / "SHA256SUMS").exists()


def test_the_build_command_ends_with_a_first_query_that_runs(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "004_fa55279f4966502b.txt", raw / "a.txt")
    command = [sys.executable, "-m", "pipeline", "build", "--quiet", "--raw", str(raw), "--warehouse", str(tmp_path / "w")]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    query = out[out.index("try a query:") + 1].strip()
    result = subprocess.run(query, shell=True, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "status" in result.stdout and "signed" in result.stdout, (query, result.stderr)


def test_uploads_from_two_machines_to_one_place_keep_both_in_the_remote_index(tmp_path):
    from pipeline.release import upload_release

    remote = tmp_path / "remote"
    for machine, seed in (("a", "004_fa55279f4966502b.txt"), ("b", "003_1817f6d3619a287d.txt")):
        raw = tmp_path / f"raw-{machine}"
        raw.mkdir()
        shutil.copy(RAW / seed, raw / seed)
        build(raw, tmp_path / f"w-{machine}", quiet=True)
        upload_release(
            make_release(tmp_path / f"w-{machine}", version=f"2026.12.0{1 if machine == 'a' else 2}"), f"file://{remote}"
        )
    index = json.loads((remote / "index.json").read_text())
    assert [r["version"] for r in index["releases"]] == ["2026.12.01", "2026.12.02"] and index["latest"] == "2026.12.02"


def test_a_release_refuses_published_files_edited_after_the_build(tmp_path):
    raw, warehouse = one_article_built(tmp_path)
    parquet = (warehouse / PARQUET_DIR / "agreement_statuses.parquet").resolve()
    table = pd.read_parquet(parquet).assign(status="in_force")
    os.chmod(parquet, 0o644)
    table.to_parquet(parquet)
    with pytest.raises(ReleaseError, match="agreement_statuses.parquet changed after the build wrote it"):
        make_release(warehouse, today=DAY)
    assert not (warehouse / "releases" / "index.json").exists()
    build(raw, warehouse, quiet=True)  # a build publishes what it built again
    assert make_release(warehouse, today=DAY).exists()


def test_the_changelog_compares_with_the_newest_release_that_passes_its_checksums(tmp_path):
    raw, warehouse = one_article_built(tmp_path)
    first = make_release(warehouse, version="r1")
    shutil.copy(RAW / "003_1817f6d3619a287d.txt", raw / "b.txt")
    build(raw, warehouse, quiet=True)
    second = make_release(warehouse, version="r2")
    (second / "csv" / "agreements.csv").write_text("tampered\n")  # the second release no longer verifies
    shutil.copy(RAW / "002_1e0437848bbfa5aa.txt", raw / "c.txt")
    build(raw, warehouse, quiet=True)
    third = make_release(warehouse, version="r3")
    changes = json.loads((third / "changes.json").read_text())
    assert changes["previous"] == first.name
    assert "Not compared with r2: their files do not match their SHA256SUMS." in (third / "CHANGELOG.md").read_text()
