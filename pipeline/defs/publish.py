"""Publish: Parquet files written once with the declared schema, and the DuckDB file built from them."""

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

import schemas
from pipeline.publish import DUCKDB_NAME, PARQUET_DIR, build_duckdb, write_parquet
from pipeline.resources import WarehousePaths

TABLES = schemas.table_names()


@dg.asset(
    group_name="publish",
    kinds={"parquet"},
    owners=["team:data-engineering"],
    ins={t: dg.AssetIn(t) for t in TABLES},
    description="One Parquet file per table under warehouse/parquet/, written with the schema declared in "
    "schemas/tables.yaml (types, nullability, column descriptions). Runs only when every table check passed.",
)
def parquet_files(context: dg.AssetExecutionContext, paths: WarehousePaths, **tables: pd.DataFrame) -> dg.Output[dict[str, str]]:
    written = write_parquet(tables, paths.warehouse)
    listing = pd.DataFrame([{"table": t, "rows": len(tables[t]), "path": str(p)} for t, p in written.items()])
    return dg.Output(
        {t: str(p) for t, p in written.items()},
        metadata={
            "path": dg.MetadataValue.path(str(paths.warehouse / PARQUET_DIR)),
            "files": dg.MetadataValue.md(listing.to_markdown(index=False)),
            "total_rows": int(listing["rows"].sum()),
        },
    )


@dg.asset(
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    description=f"warehouse/{DUCKDB_NAME}: one table per Parquet file, with primary and foreign keys and "
    "a comment on every table and column. Built under a temporary name and moved into place.",
)
def duckdb_database(paths: WarehousePaths, parquet_files: dict[str, str]) -> dg.Output[str]:
    db = build_duckdb({t: Path(p) for t, p in parquet_files.items()}, paths.warehouse)
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()
    return dg.Output(
        str(db),
        metadata={
            "path": dg.MetadataValue.path(str(db)),
            "tables": dg.MetadataValue.md(
                pd.DataFrame([{"table": t, "rows": n} for t, n in counts.items()]).to_markdown(index=False)
            ),
        },
    )


build_job = dg.define_asset_job(
    "build",
    selection=dg.AssetSelection.all(),
    description="Everything from the raw folder to the published warehouse (Parquet + DuckDB).",
)
