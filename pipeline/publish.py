"""Writing the warehouse: Parquet files with the declared schema, and the DuckDB file built
from them. Files are written under temporary names and moved into place only when complete,
so a reader never sees a half-written file."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import schemas

DUCKDB_NAME = "critical_minerals.duckdb"
PARQUET_DIR = "parquet"


def to_arrow(table: str, df: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table with exactly the declared schema (types, nullability, descriptions)."""
    schema = schemas.arrow_schema(table)
    return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)


def write_parquet(tables: dict[str, pd.DataFrame], warehouse: Path) -> dict[str, Path]:
    """One Parquet file per table, each written to a temporary name and renamed into place."""
    out_dir = Path(warehouse) / PARQUET_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: dict[str, Path] = {}
    try:
        for table in schemas.table_names():
            fd, tmp = tempfile.mkstemp(prefix=f".{table}.", suffix=".parquet.tmp", dir=out_dir)
            os.close(fd)
            pq.write_table(to_arrow(table, tables[table]), tmp, compression="zstd")
            staged[table] = Path(tmp)
        paths = {}
        for table, tmp in staged.items():
            final = out_dir / f"{table}.parquet"
            os.replace(tmp, final)
            paths[table] = final
        return paths
    finally:
        for tmp in staged.values():
            if tmp.exists():
                tmp.unlink()


def build_duckdb(parquet_paths: dict[str, Path], warehouse: Path) -> Path:
    """The DuckDB file, with keys and comments from the schema, loaded from the Parquet files."""
    warehouse = Path(warehouse)
    final = warehouse / DUCKDB_NAME
    tmp_dir = Path(tempfile.mkdtemp(prefix=".duckdb-build.", dir=warehouse))
    tmp = tmp_dir / DUCKDB_NAME
    try:
        con = duckdb.connect(str(tmp))
        try:
            for table in schemas.table_names():  # parents before children, for the foreign keys
                con.execute(schemas.duckdb_ddl(table))
                columns = ", ".join(schemas.load_tables()[table].column_names)
                con.execute(f"INSERT INTO {table} SELECT {columns} FROM read_parquet(?)", [str(parquet_paths[table])])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return final
