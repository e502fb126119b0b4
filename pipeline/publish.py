"""Writing the warehouse atomically: Parquet files with the declared schema, and the DuckDB file
built from them.

Every build writes a complete publication into its own folder under
`warehouse/.publications/`; only when it is complete does one atomic rename point
`warehouse/current` at it. The public paths `warehouse/parquet/` and
`warehouse/critical_minerals.duckdb` are fixed symbolic links through `current`, so a reader
sees either the previous publication or the new one, whole - whatever moment a build is
killed at - and a reader holding the DuckDB file open keeps reading the publication it opened.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import schemas

DUCKDB_NAME = "critical_minerals.duckdb"
PARQUET_DIR = "parquet"
PUBLICATIONS_DIR = ".publications"
CURRENT = "current"
KEEP_PUBLICATIONS = 2  # the current one and the one before, for readers still holding it


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


def write_parquet(tables: dict[str, pd.DataFrame], publication: Path) -> dict[str, Path]:
    """One Parquet file per table inside the (not yet published) publication folder."""
    out_dir = Path(publication) / PARQUET_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table in schemas.table_names():
        path = out_dir / f"{table}.parquet"
        pq.write_table(to_arrow(table, tables[table]), path, compression="zstd")
        paths[table] = path
    return paths


def build_duckdb(parquet_paths: dict[str, Path], publication: Path) -> Path:
    """The DuckDB file, with keys and comments from the schema, loaded from the Parquet files."""
    path = Path(publication) / DUCKDB_NAME
    con = duckdb.connect(str(path))
    try:
        for table in schemas.table_names():  # parents (keyed) before children, for the foreign keys
            con.execute(schemas.duckdb_ddl(table, primary_key=False))
            columns = ", ".join(schemas.load_tables()[table].column_names)
            con.execute(f"INSERT INTO {table} SELECT {columns} FROM read_parquet(?)", [str(parquet_paths[table])])
            con.execute(schemas.duckdb_primary_key(table))
        for view in schemas.load_views():
            con.execute(schemas.duckdb_view_ddl(view))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


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
    for f in Path(publication).rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
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


def prune(warehouse: Path) -> None:
    """Remove publications that are neither current nor the one before it, and stray temporary links."""
    root = Path(warehouse) / PUBLICATIONS_DIR
    current = current_publication(warehouse)
    if current is not None:
        # Folders named after the current one are builds still under way (or killed): left alone.
        older = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("legacy-") and p.name < current.name)
        for folder in older[: len(older) - (KEEP_PUBLICATIONS - 1)]:
            shutil.rmtree(folder, ignore_errors=True)
    for stray in Path(warehouse).glob(".*.*"):
        if stray.is_symlink() and stray.name.startswith((f".{CURRENT}.", f".{PARQUET_DIR}.link-", f".{DUCKDB_NAME}.link-")):
            stray.unlink(missing_ok=True)
