"""Publish: Parquet files written once with the declared schema, the DuckDB file built from them,
and both made current in one atomic step (see pipeline/publish.py)."""

import json
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

import schemas
from pipeline.extract.batch import code_fingerprint
from pipeline.publish import (
    DUCKDB_NAME,
    PARQUET_DIR,
    build_duckdb,
    current_publication,
    new_publication,
    publish,
    write_parquet,
)
from pipeline.release import make_release, upload_release
from pipeline.resources import WarehousePaths

TABLES = schemas.table_names()


@dg.asset(
    group_name="publish",
    kinds={"parquet"},
    owners=["team:data-engineering"],
    ins={t: dg.AssetIn(t) for t in TABLES},
    description="One Parquet file per table (zstd), written with the schema declared in schemas/tables.yaml "
    "(types, nullability, column descriptions) into a new publication folder. Runs only when every table "
    "check passed; readers see the files once duckdb_database has made the publication current.",
)
def parquet_files(paths: WarehousePaths, **tables: pd.DataFrame) -> dg.Output[dict[str, str]]:
    publication = new_publication(paths.warehouse)
    written = write_parquet(tables, publication)
    listing = pd.DataFrame([{"table": t, "rows": len(tables[t]), "file": f"{PARQUET_DIR}/{p.name}"} for t, p in written.items()])
    return dg.Output(
        {"publication": str(publication), **{t: str(p) for t, p in written.items()}},
        metadata={
            "publication": dg.MetadataValue.path(str(publication)),
            "files": dg.MetadataValue.md(listing.to_markdown(index=False)),
            "total_rows": int(listing["rows"].sum()),
        },
    )


@dg.asset(
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    description=f"warehouse/{DUCKDB_NAME}: one table per Parquet file, with primary and foreign keys and a "
    "comment on every table and column; a copy of the previous publication's file brought up to date with the "
    "rows that changed when the schema is the same, else loaded afresh. Once it is built, the whole publication "
    "(Parquet + DuckDB) becomes current in one atomic rename: readers never see a half-written warehouse.",
)
def duckdb_database(paths: WarehousePaths, parquet_files: dict[str, str]) -> dg.Output[str]:
    publication = Path(parquet_files["publication"])
    previous = current_publication(paths.warehouse)  # its DuckDB file is updated, not rebuilt, when it can be
    db = build_duckdb(
        {t: Path(parquet_files[t]) for t in TABLES}, publication, previous=previous, extraction_version=code_fingerprint()
    )
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()
    publish(publication, paths.warehouse)
    public = paths.warehouse / DUCKDB_NAME
    return dg.Output(
        str(public),
        metadata={
            "path": dg.MetadataValue.path(str(public)),
            "parquet": dg.MetadataValue.path(str(paths.warehouse / PARQUET_DIR)),
            "publication": dg.MetadataValue.path(str(publication)),
            "tables": dg.MetadataValue.md(
                pd.DataFrame([{"table": t, "rows": n} for t, n in counts.items()]).to_markdown(index=False)
            ),
        },
    )


@dg.asset(
    group_name="release",
    kinds={"parquet", "duckdb", "csv"},
    owners=["team:data-engineering"],
    description="An immutable, verifiable release of the published warehouse under warehouse/releases/<version>/: "
    "Parquet and CSV tables, the DuckDB file, a Frictionless datapackage.json, a dataset card, CHANGELOG.md and "
    "changes.json against the previous release, an HTML report with charts, SHA256SUMS, and a .zip beside it.",
)
def versioned_release(paths: WarehousePaths, duckdb_database: str) -> dg.Output[str]:
    folder = make_release(paths.warehouse)
    index = (folder.parent / "index.json").read_text(encoding="utf-8")
    uploaded = {}
    if paths.release_uri:
        uploaded["uploaded to"] = dg.MetadataValue.url(upload_release(folder, paths.release_uri))
    return dg.Output(
        str(folder),
        metadata={
            "version": folder.name,
            "path": dg.MetadataValue.path(str(folder)),
            "zip": dg.MetadataValue.path(str(folder) + ".zip"),
            "report": dg.MetadataValue.path(str(folder / "report.html")),
            "changelog": dg.MetadataValue.md((folder / "CHANGELOG.md").read_text(encoding="utf-8")),
            "releases": len(json.loads(index)["releases"]),
            **uploaded,
        },
    )


# The partitioned extraction cache is filled by backfills, not by these jobs: they extract what is
# not cached yet in one step (see pipeline/defs/extract.py).
_UNPARTITIONED = dg.AssetSelection.all() - dg.AssetSelection.assets("extraction_cache")

build_job = dg.define_asset_job(
    "build",
    selection=_UNPARTITIONED - dg.AssetSelection.groups("release"),
    description="Everything from the raw folder to the published warehouse (Parquet + DuckDB).",
)

release_job = dg.define_asset_job(
    "release",
    selection=_UNPARTITIONED,
    description="Build everything, then write a new versioned release of the warehouse.",
)
