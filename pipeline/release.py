"""Versioned releases people can download, cite and verify.

A release is an immutable folder `warehouse/releases/<version>/` made from the current
publication: every table as Parquet (with table and column descriptions in its metadata) and
as CSV, the DuckDB file (views and comments included), a Frictionless `datapackage.json`, a
dataset card, a changelog against the previous release (`CHANGELOG.md`, `changes.json`), an
HTML report with charts, and `SHA256SUMS`; plus a `.zip` of the folder beside it, and
`releases/index.json` listing every release with its files, sizes, row counts and checksums.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

import schemas
from pipeline.checksums import MANIFEST, altered, file_sha256
from pipeline.lock import WarehouseBusy, warehouse_lock
from pipeline.publish import DUCKDB_NAME, PARQUET_DIR, altered_files, current_publication
from pipeline.release_docs import TITLE, changelog_markdown, changes, datapackage, dataset_card
from pipeline.report import report_html

RELEASES_DIR = "releases"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: the same release zips to the same bytes
VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
RESERVED_NAMES = {"latest", "index.json"}  # names the releases folder already uses
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets take as the start of a formula


class ReleaseError(Exception):
    """The release could not be made; the message says why in one line."""


class ReleaseUnchanged(ReleaseError):
    """The published tables are byte for byte those of the latest release: a new version would repeat it."""

    def __init__(self, version: str):
        super().__init__(f"the published tables are those of release {version}: no new release (--force makes one anyway)")
        self.version = version


def check_version(version: str) -> str:
    """A version becomes a folder and a file name and lands in HTML: letters, digits, '.', '_', '-' only."""
    if not VERSION_PATTERN.fullmatch(version) or version in RESERVED_NAMES or version.endswith((".zip", ".tmp")):
        raise ReleaseError(
            f"invalid release version {version!r}: use letters, digits, '.', '_' and '-' (starting with a letter or "
            f"digit, at most 100 characters), not {', '.join(sorted(RESERVED_NAMES))} and not ending in .zip or .tmp"
        )
    return version


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (OWASP's CSV-injection advice).
    Only the CSV copies change: the Parquet and DuckDB files keep every value as published."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return out


def default_version(releases: Path, today: dt.date | None = None) -> str:
    """A sortable date-based id: 2026.11.22, then 2026.11.22-2 for a second release that day."""
    base = (today or dt.date.today()).strftime("%Y.%m.%d")
    version, n = base, 1
    while (releases / version).exists():
        n += 1
        version = f"{base}-{n}"
    return version


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def _load(parquet_dir: Path) -> dict[str, pd.DataFrame]:
    return {t: pq.read_table(parquet_dir / f"{t}.parquet").to_pandas() for t in schemas.table_names()}


# ------------------------------------------------------------------ the release


def _deterministic_zip(folder: Path, target: Path) -> None:
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    os.replace(tmp, target)


def verifies(folder: Path) -> bool:
    """Whether a release folder passes `sha256sum -c SHA256SUMS`."""
    return (folder / MANIFEST).is_file() and bool((folder / MANIFEST).read_text(encoding="utf-8").strip()) and not altered(folder)


def unchanged_since(warehouse: Path) -> str | None:
    """The latest release, when the published Parquet files are byte for byte its own (builds are
    reproducible, so the same tables give the same bytes); None when they differ or there is none."""
    publication = current_publication(Path(warehouse))
    index_path = Path(warehouse) / RELEASES_DIR / "index.json"
    if publication is None or not index_path.exists():
        return None
    releases = json.loads(index_path.read_text(encoding="utf-8"))["releases"]
    if not releases:
        return None
    latest = releases[-1]
    released = {f["path"]: f["sha256"] for f in latest["files"]}
    for t in schemas.table_names():
        if released.get(f"{latest['version']}/{PARQUET_DIR}/{t}.parquet") != file_sha256(
            publication / PARQUET_DIR / f"{t}.parquet"
        ):
            return None
    return latest["version"]


def make_release(warehouse: Path, version: str | None = None, today: dt.date | None = None, force: bool = False) -> Path:
    """Write an immutable release of the current publication; return its folder. When the tables are
    those of the latest release, no version is added (ReleaseUnchanged) unless `force`. One writer
    at a time: the warehouse is locked meanwhile (pipeline/lock.py)."""
    warehouse = Path(warehouse)
    if warehouse.exists() and not warehouse.is_dir():
        raise ReleaseError(f"the warehouse {warehouse} is a file, not a folder")
    if version is not None:
        check_version(version)
    try:
        with warehouse_lock(warehouse, "release"):
            return _make_release(warehouse, version, today, force)
    except WarehouseBusy as exc:
        raise ReleaseError(str(exc)) from None


def _make_release(warehouse: Path, version: str | None, today: dt.date | None, force: bool) -> Path:
    publication = current_publication(warehouse)
    if publication is None:
        raise ReleaseError(f"nothing published in {warehouse}: run `python -m pipeline build` first")
    releases = warehouse / RELEASES_DIR
    releases.mkdir(parents=True, exist_ok=True)
    version = check_version(version) if version is not None else default_version(releases, today)
    folder = releases / version
    if folder.exists():
        raise ReleaseError(f"release {version} already exists: releases are immutable")
    if not force and (same := unchanged_since(warehouse)) is not None:
        raise ReleaseUnchanged(same)
    altered = altered_files(publication)
    if altered:
        raise ReleaseError(
            f"the published {', '.join(altered)} changed after the build wrote it (its SHA256SUMS no longer match): "
            "run `python -m pipeline build`, then release"
        )
    index_path = releases / "index.json"
    index = json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else {"releases": []}
    # The changelog compares with the newest release whose files still match its SHA256SUMS.
    versions = [r["version"] for r in index["releases"]]
    previous = next((v for v in reversed(versions) if verifies(releases / v)), None)
    skipped = versions[versions.index(previous) + 1 :] if previous else versions

    staging = releases / f".{version}.{os.getpid()}-{os.urandom(4).hex()}.tmp"  # one per process
    shutil.rmtree(staging, ignore_errors=True)
    (staging / PARQUET_DIR).mkdir(parents=True)
    (staging / "csv").mkdir()
    tables = _load(publication / PARQUET_DIR)
    for t in schemas.table_names():
        shutil.copyfile(publication / PARQUET_DIR / f"{t}.parquet", staging / PARQUET_DIR / f"{t}.parquet")
        spreadsheet_safe(tables[t]).to_csv(staging / "csv" / f"{t}.csv", index=False, lineterminator="\n", date_format="%Y-%m-%d")
    shutil.copyfile(publication / DUCKDB_NAME, staging / DUCKDB_NAME)
    with duckdb.connect(str(staging / DUCKDB_NAME), read_only=True) as con:  # every fact with its citation, as files too
        evidence = con.sql("SELECT * FROM evidence").to_arrow_table()
    pq.write_table(evidence, staging / PARQUET_DIR / "evidence.parquet", compression="zstd")
    spreadsheet_safe(evidence.to_pandas()).to_csv(
        staging / "csv" / "evidence.csv", index=False, lineterminator="\n", date_format="%Y-%m-%d"
    )
    _write_json(staging / "datapackage.json", datapackage(version, tables))
    old_tables = _load(releases / previous / PARQUET_DIR) if previous else None
    diff = changes(old_tables, tables)
    _write_json(staging / "changes.json", {"version": version, "previous": previous, **diff})
    changelog = changelog_markdown(version, previous, diff)
    if skipped:
        changelog += f"\nNot compared with {', '.join(skipped)}: their files do not match their SHA256SUMS.\n"
    (staging / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (staging / "README.md").write_text(dataset_card(version, tables, previous), encoding="utf-8")
    (staging / "report.html").write_text(report_html(version, TITLE, tables), encoding="utf-8")
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    sums = {p.relative_to(staging).as_posix(): file_sha256(p) for p in files}
    (staging / "SHA256SUMS").write_text("".join(f"{h}  {name}\n" for name, h in sorted(sums.items())), encoding="utf-8")
    os.replace(staging, folder)
    _deterministic_zip(folder, releases / f"{version}.zip")

    entry = {
        "version": version,
        "previous": previous,
        "zip": {
            "path": f"{version}.zip",
            "bytes": (releases / f"{version}.zip").stat().st_size,
            "sha256": file_sha256(releases / f"{version}.zip"),
        },
        "files": [{"path": f"{version}/{n}", "bytes": (folder / n).stat().st_size, "sha256": h} for n, h in sorted(sums.items())],
        "rows": {t: len(df) for t, df in tables.items()},
    }
    index["releases"].append(entry)
    index["latest"] = version
    tmp_index = releases / ".index.json.tmp"
    _write_json(tmp_index, index)
    os.replace(tmp_index, index_path)
    tmp_link = releases / f".latest.{version}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(version, tmp_link)
    os.replace(tmp_link, releases / "latest")
    return folder


def upload_release(folder: Path, uri: str) -> str:
    """Copy a release (its folder, its zip and the updated index.json) to object storage.

    `uri` is anything pyarrow's filesystem layer opens: `s3://bucket/prefix`, `gs://bucket/prefix`,
    `abfs://container@account.dfs.core.windows.net/prefix`, `hdfs://...` or `file:///path`; credentials
    come from the usual environment (AWS_*, GOOGLE_APPLICATION_CREDENTIALS, ...). The release lands
    under `<uri>/<version>/`, beside `<uri>/<version>.zip`, and `<uri>/index.json` (merged with the index already there) is written last, so a
    reader that follows the index never sees a half-uploaded release. Returns the release's URI.
    """
    import pyarrow.fs as pafs

    folder = Path(folder)
    filesystem, root = pafs.FileSystem.from_uri(uri)
    root = root.rstrip("/")
    target = f"{root}/{folder.name}"
    if filesystem.get_file_info(target).type != pafs.FileType.NotFound:
        raise ReleaseError(f"{uri.rstrip('/')}/{folder.name} already exists: releases are immutable")
    local = pafs.LocalFileSystem()
    filesystem.create_dir(target, recursive=True)
    pafs.copy_files(str(folder), target, source_filesystem=local, destination_filesystem=filesystem)
    zip_path = folder.parent / f"{folder.name}.zip"
    if zip_path.exists():
        pafs.copy_files(str(zip_path), f"{root}/{zip_path.name}", source_filesystem=local, destination_filesystem=filesystem)
    # The remote index keeps what other machines released there: merged, never replaced.
    local_index = json.loads((folder.parent / "index.json").read_text(encoding="utf-8"))
    remote_index = {"releases": []}
    if filesystem.get_file_info(f"{root}/index.json").type == pafs.FileType.File:
        with filesystem.open_input_stream(f"{root}/index.json") as fh:
            remote_index = json.loads(fh.read().decode("utf-8"))
    known = {r["version"] for r in remote_index["releases"]}
    merged = {
        **local_index,
        "releases": remote_index["releases"] + [r for r in local_index["releases"] if r["version"] not in known],
    }
    merged["latest"] = folder.name
    with filesystem.open_output_stream(f"{root}/index.json") as fh:
        fh.write((json.dumps(merged, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode("utf-8"))
    return f"{uri.rstrip('/')}/{folder.name}"
