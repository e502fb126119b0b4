"""Writing the warehouse atomically: Parquet files with the declared schema, and the DuckDB file
holding the same rows.

Every build writes a complete publication into its own folder under
`warehouse/.publications/`; only when it is complete does one atomic rename point
`warehouse/current` at it. The public paths `warehouse/parquet/` and
`warehouse/critical_minerals.duckdb` are fixed symbolic links through `current`, so a reader
sees either the previous publication or the new one, whole - whatever moment a build is
killed at - and a reader holding the DuckDB file open keeps reading the publication it opened.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import schemas
from pipeline.checksums import altered, write_manifest

DUCKDB_NAME = "critical_minerals.duckdb"
PARQUET_DIR = "parquet"
PUBLICATIONS_DIR = ".publications"
CURRENT = "current"
SCHEMA_STAMP = "schema.sha256"  # beside the DuckDB file: the schema it was built with
EXTRACTION_STAMP = "extraction.version"  # and the extraction code its rows came from
RAW_SNAPSHOT_STAMP = "raw.read_at_ns"  # and when it read the folder
RAW_STATE_STAMP = "raw.state"  # and the state of the raw folder it was built from (pipeline.ingest.raw_folder_state)
# A mention's id hashes its article's text, its entity and its span: under the same extraction
# code, a row with that id can only have the same values. An update then only deletes and inserts.
ROWS_FIXED_BY_KEY = ("mentions",)
KEEP_PUBLICATIONS = 2  # the current one and the one before, for readers still holding it
CHECKSUMS = "SHA256SUMS"  # of the published files, as the build wrote them (`sha256sum -c` reads it)
PUBLISHED_MARK = "published"  # written into a publication as it is made current: a folder without it is unfinished
LEFTOVER_AFTER_SECONDS = 3600  # an unfinished folder this old is what a killed or failed build left
# The DuckDB file is written in the storage format of DuckDB 1.1, which every DuckDB since reads
# (the 1.x command-line tools people have included), not only DuckDB >= 2.0.
STORAGE_VERSION = "v1.1.0"


def to_arrow(table: str, df: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table with exactly the declared schema (types, nullability, descriptions)."""
    schema = schemas.arrow_schema(table)
    return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)


def new_publication(warehouse: Path) -> Path:
    """An empty folder for one build's complete output, named so that names sort by time."""
    root = Path(warehouse) / PUBLICATIONS_DIR
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    return folder


def write_parquet(tables: dict[str, pa.Table], publication: Path) -> dict[str, Path]:
    """One Parquet file per table (Arrow tables with the declared schema: see to_arrow) inside the
    (not yet published) publication folder."""
    out_dir = Path(publication) / PARQUET_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table in schemas.table_names():
        path = out_dir / f"{table}.parquet"
        pq.write_table(tables[table], path, compression="zstd")
        paths[table] = path
    return paths


def write_publication(
    tables: dict[str, pd.DataFrame], publication: Path, previous: Path | None = None, extraction_version: str = ""
) -> tuple[dict[str, Path], Path]:
    """The Parquet files and the DuckDB file of a publication, from the same Arrow tables.

    The files are written (compressed) in a second thread while DuckDB takes the rows: each
    waits on its own work, not on the other's, and neither holds the interpreter lock."""
    arrow = {table: to_arrow(table, tables[table]) for table in schemas.table_names()}
    with ThreadPoolExecutor(max_workers=1) as pool:
        files = pool.submit(write_parquet, arrow, publication)
        db = build_duckdb(arrow, publication, previous, extraction_version)
        return files.result(), db


def schema_stamp() -> str:
    """A hash of every table's and view's DDL: a DuckDB file may be updated in place only by a
    build that declares the same tables, keys and views."""
    ddl = [STORAGE_VERSION, schemas.duckdb_types_ddl()]
    ddl += [schemas.duckdb_ddl(t) for t in schemas.table_names()] + [schemas.duckdb_view_ddl(v) for v in schemas.load_views()]
    return hashlib.sha256("\n".join(ddl).encode("utf-8")).hexdigest()


def build_duckdb(
    tables: dict[str, pa.Table], publication: Path, previous: Path | None = None, extraction_version: str = ""
) -> Path:
    """The DuckDB file, with keys and comments from the schema, holding exactly the rows of `tables`
    (Arrow tables with the declared schemas, the ones the Parquet files are written from).

    With the `previous` publication's file at hand (same schema, and byte for byte what its build
    wrote), a copy of it is brought up to date with the rows that changed: on a rebuild after a few new articles that is a fraction of
    loading every table again. Otherwise the file is built from scratch. When the previous rows
    came from the same `extraction_version`, the rows of ROWS_FIXED_BY_KEY are not compared."""
    path = Path(publication) / DUCKDB_NAME
    stamp = schema_stamp()
    base = Path(previous) / DUCKDB_NAME if previous is not None else None
    updated = False
    if (
        base is not None
        and base.is_file()
        and read_stamp(Path(previous), SCHEMA_STAMP) == stamp
        and not altered_files(Path(previous), [DUCKDB_NAME])  # a file edited after its build is never the base
    ):
        same_rows = bool(extraction_version) and read_stamp(Path(previous), EXTRACTION_STAMP) == extraction_version
        try:
            shutil.copyfile(base, path)
            _apply_changes(path, tables, fixed=ROWS_FIXED_BY_KEY if same_rows else ())
            updated = True
        except (duckdb.Error, OSError):  # a previous file that cannot be read or updated: start afresh
            path.unlink(missing_ok=True)
    if not updated:
        _load_duckdb(path, tables)
    (Path(publication) / SCHEMA_STAMP).write_text(stamp + "\n", encoding="utf-8")
    (Path(publication) / EXTRACTION_STAMP).write_text(extraction_version + "\n", encoding="utf-8")
    return path


def published_files(publication: Path) -> list[str]:
    """The files a publication publishes, relative to it: the DuckDB file and the Parquet files."""
    return [DUCKDB_NAME] + [f"{PARQUET_DIR}/{t}.parquet" for t in schemas.table_names()]


def write_checksums(publication: Path) -> None:
    write_manifest(publication, published_files(publication), CHECKSUMS)


def altered_files(publication: Path, names: list[str] | None = None) -> list[str]:
    """Published files (all, or `names`) that are not byte for byte what the build wrote; every file
    when the publication has no checksums."""
    return altered(publication, names or published_files(publication), CHECKSUMS)


def read_stamp(publication: Path, name: str) -> str | None:
    try:
        return (publication / name).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


def _apply_changes(path: Path, tables: dict[str, pa.Table], fixed: tuple[str, ...] = ()) -> None:
    """Rows gone are deleted (children before parents, for the foreign keys), rows whose values
    changed are updated (except in the `fixed` tables, where a key's values cannot change), new
    rows inserted (parents before children); keys decide identity."""
    con = _connect(path)
    try:
        specs = schemas.load_tables()
        same_key = {t: " AND ".join(f"n.{k} = t.{k}" for k in spec.primary_key) for t, spec in specs.items()}
        for table in schemas.table_names():
            con.register(f"new_{table}", tables[table])  # read in place, not copied
        for table in reversed(schemas.table_names()):
            con.execute(f"DELETE FROM {table} AS t WHERE NOT EXISTS (SELECT 1 FROM new_{table} AS n WHERE {same_key[table]})")
        for table in schemas.table_names():
            spec, keys = specs[table], same_key[table]
            values = [c for c in spec.column_names if c not in spec.primary_key]
            if values and table not in fixed:
                assignments = ", ".join(f"{c} = n.{c}" for c in values)
                changed = " OR ".join(f"t.{c} IS DISTINCT FROM n.{c}" for c in values)
                con.execute(f"UPDATE {table} AS t SET {assignments} FROM new_{table} AS n WHERE {keys} AND ({changed})")
            columns = ", ".join(f"n.{c}" for c in spec.column_names)
            con.execute(
                f"INSERT INTO {table} SELECT {columns} FROM new_{table} AS n WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {keys})"
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})


def _load_duckdb(path: Path, tables: dict[str, pa.Table]) -> None:
    con = _connect(path)
    try:
        con.execute(schemas.duckdb_types_ddl())
        for table in schemas.table_names():  # parents (keyed) before children, for the foreign keys
            con.execute(schemas.duckdb_ddl(table, primary_key=False))
            con.register(f"new_{table}", tables[table])
            columns = ", ".join(schemas.load_tables()[table].column_names)
            con.execute(f"INSERT INTO {table} SELECT {columns} FROM new_{table}")
            con.execute(schemas.duckdb_primary_key(table))
        for view in schemas.load_views():
            con.execute(schemas.duckdb_view_ddl(view))
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ensure_public_links(warehouse: Path) -> None:
    """warehouse/parquet -> current/parquet and warehouse/critical_minerals.duckdb -> current/...; fixed forever."""
    for name in (PARQUET_DIR, DUCKDB_NAME):
        link = warehouse / name
        target = Path(CURRENT) / name
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        tmp = warehouse / f".{name}.link-{uuid.uuid4().hex[:8]}"
        os.symlink(target, tmp)
        if link.exists() and not link.is_symlink():
            # A warehouse written by an older layout: move it aside, then link.
            os.replace(link, warehouse / PUBLICATIONS_DIR / f"legacy-{name}-{uuid.uuid4().hex[:8]}")
        os.replace(tmp, link)


def publish(publication: Path, warehouse: Path) -> Path:
    """Make `publication` the warehouse's current one in a single atomic rename."""
    warehouse = Path(warehouse)
    write_checksums(publication)
    for name in published_files(publication):
        os.chmod(Path(publication) / name, 0o444)  # published files are read-only: a reader cannot alter them by accident
    for f in Path(publication).rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    mark = Path(publication) / PUBLISHED_MARK
    mark.write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z") + "\n", encoding="utf-8")
    with open(mark, "rb") as fh:
        os.fsync(fh.fileno())
    _fsync_dir(publication)
    tmp = warehouse / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
    os.symlink(Path(PUBLICATIONS_DIR) / Path(publication).name, tmp)
    os.replace(tmp, warehouse / CURRENT)
    _ensure_public_links(warehouse)
    _fsync_dir(warehouse)
    prune(warehouse)
    return warehouse / CURRENT


def current_publication(warehouse: Path) -> Path | None:
    link = Path(warehouse) / CURRENT
    return (Path(warehouse) / os.readlink(link)).resolve() if link.is_symlink() else None


def write_raw_state(publication: Path, state: str, read_at_ns: int) -> None:
    (Path(publication) / RAW_STATE_STAMP).write_text(state + "\n", encoding="utf-8")
    (Path(publication) / RAW_SNAPSHOT_STAMP).write_text(f"{read_at_ns}\n", encoding="utf-8")


def superseded(warehouse: Path, read_at_ns: int) -> bool:
    """Whether the current publication was made from a later reading of the raw folder than one made
    at `read_at_ns` (a slower build that started earlier must not republish what was deleted since)."""
    current = current_publication(warehouse)
    stamp = read_stamp(current, RAW_SNAPSHOT_STAMP) if current is not None else None
    return stamp is not None and stamp.isdigit() and int(stamp) > read_at_ns


def published_raw_state(warehouse: Path) -> str | None:
    """The state of the raw folder the current publication was built from (None: nothing published,
    or published by a build that did not record it)."""
    current = current_publication(warehouse)
    return read_stamp(current, RAW_STATE_STAMP) if current is not None else None


def prune(warehouse: Path) -> None:
    """Remove publications that are neither current nor the one before it, what killed or failed
    builds left (folders never made current, an hour old), and stray temporary links. Only a folder
    that was made current can be "the one before": a leftover never takes its place."""
    root = Path(warehouse) / PUBLICATIONS_DIR
    current = current_publication(warehouse)
    if current is not None:
        folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith("legacy-") and p != current]
        published = sorted(p for p in folders if (p / PUBLISHED_MARK).exists() and p.name < current.name)
        unfinished = [p for p in folders if not (p / PUBLISHED_MARK).exists()]  # under way, or a build that died
        now = time.time()
        stale = [p for p in unfinished if now - p.stat().st_mtime > LEFTOVER_AFTER_SECONDS]
        for folder in published[: len(published) - (KEEP_PUBLICATIONS - 1)] + stale:
            shutil.rmtree(folder, ignore_errors=True)
    for stray in Path(warehouse).glob(".*.*"):
        if stray.is_symlink() and stray.name.startswith((f".{CURRENT}.", f".{PARQUET_DIR}.link-", f".{DUCKDB_NAME}.link-")):
            stray.unlink(missing_ok=True)
