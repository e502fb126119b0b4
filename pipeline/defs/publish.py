"""Publish: Parquet files written once with the declared schema, the DuckDB file holding the same
rows, and both made current in one atomic step (see pipeline/publish.py)."""

import json
import shutil

import dagster as dg
import duckdb
import pandas as pd

import schemas
from pipeline.defs.ingest import RawCorpus
from pipeline.extract.batch import code_fingerprint
from pipeline.lock import warehouse_lock
from pipeline.publish import (
    DUCKDB_NAME,
    PARQUET_DIR,
    current_publication,
    new_publication,
    publish,
    superseded,
    write_publication,
    write_raw_state,
)
from pipeline.release import RELEASES_DIR, ReleaseUnchanged, make_release, upload_release
from pipeline.resources import WarehousePaths

TABLES = schemas.table_names()


@dg.multi_asset(
    outs={
        "parquet_files": dg.AssetOut(
            group_name="publish",
            kinds={"parquet"},
            owners=["team:data-engineering"],
            description="One Parquet file per table (zstd), written with the schema declared in schemas/tables.yaml "
            "(types, nullability, column descriptions) into a new publication folder, made current together with "
            "duckdb_database. Runs only when every table check passed.",
        ),
        "duckdb_database": dg.AssetOut(
            group_name="publish",
            kinds={"duckdb"},
            owners=["team:data-engineering"],
            description=f"warehouse/{DUCKDB_NAME}: one table per Parquet file, with the same rows, primary and foreign "
            "keys and a comment on every table and column; a copy of the previous publication's file brought up to "
            "date with the rows that changed when the schema is the same, else loaded afresh.",
        ),
    },
    ins={"raw_articles": dg.AssetIn("raw_articles"), **{t: dg.AssetIn(t) for t in TABLES}},
    can_subset=False,
)
def publication(paths: WarehousePaths, raw_articles: RawCorpus, **tables: pd.DataFrame):
    """The Parquet files and the DuckDB file, made from the same Arrow tables in one step (the files
    written while DuckDB takes the rows), then made current together in one atomic rename: readers
    never see a half-written warehouse, nor Parquet and DuckDB from different builds."""
    folder = new_publication(paths.warehouse)
    previous = current_publication(paths.warehouse)  # its DuckDB file is updated, not rebuilt, when it can be
    written, db = write_publication(tables, folder, previous=previous, extraction_version=code_fingerprint())
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()
    write_raw_state(folder, raw_articles.folder_state, raw_articles.read_at_ns)  # the sensor and schedule compare it
    with warehouse_lock(paths.warehouse, "publish"):
        if superseded(paths.warehouse, raw_articles.read_at_ns):
            shutil.rmtree(folder, ignore_errors=True)
            raise dg.Failure(
                "a publication made from a later reading of the raw folder is already current: "
                "this build's tables are discarded, not published"
            )
        publish(folder, paths.warehouse)
    public = paths.warehouse / DUCKDB_NAME
    listing = pd.DataFrame([{"table": t, "rows": len(tables[t]), "file": f"{PARQUET_DIR}/{p.name}"} for t, p in written.items()])
    yield dg.Output(
        {"publication": str(folder), **{t: str(p) for t, p in written.items()}},
        output_name="parquet_files",
        metadata={
            "publication": dg.MetadataValue.path(str(folder)),
            "files": dg.MetadataValue.md(listing.to_markdown(index=False)),
            "total_rows": int(listing["rows"].sum()),
        },
    )
    yield dg.Output(
        str(public),
        output_name="duckdb_database",
        metadata={
            "path": dg.MetadataValue.path(str(public)),
            "parquet": dg.MetadataValue.path(str(paths.warehouse / PARQUET_DIR)),
            "publication": dg.MetadataValue.path(str(folder)),
            "tables": dg.MetadataValue.md(
                pd.DataFrame([{"table": t, "rows": n} for t, n in counts.items()]).to_markdown(index=False)
            ),
        },
    )


@dg.asset(
    group_name="release",
    kinds={"parquet", "duckdb", "csv"},
    owners=["team:data-engineering"],
    output_required=False,
    description="An immutable, verifiable release of the published warehouse under warehouse/releases/<version>/: "
    "Parquet and CSV tables, the DuckDB file, a Frictionless datapackage.json, a dataset card, CHANGELOG.md and "
    "changes.json against the previous release, an HTML report with charts, SHA256SUMS, and a .zip beside it. "
    "When the tables are those of the latest release, no new version is written (new_release: false).",
)
def versioned_release(context: dg.AssetExecutionContext, paths: WarehousePaths, duckdb_database: str):
    selection = context.run.asset_selection or set()
    if context.run.job_name != RELEASE_JOB and selection != {context.asset_key}:
        # "Materialize all" on the asset graph builds and publishes; releases are cut on purpose.
        context.log.info("no release: releases are cut by the release job (or by materialising this asset alone)")
        return
    try:
        folder, new = make_release(paths.warehouse), True
    except ReleaseUnchanged as unchanged:  # the same tables as the latest release: no second copy of them
        context.log.info(str(unchanged))
        folder, new = paths.warehouse / RELEASES_DIR / unchanged.version, False
    index = (folder.parent / "index.json").read_text(encoding="utf-8")
    uploaded = {}
    if paths.release_uri and new:
        uploaded["uploaded to"] = dg.MetadataValue.url(upload_release(folder, paths.release_uri))
    yield dg.Output(
        str(folder),
        metadata={
            "version": folder.name,
            "new_release": new,
            "path": dg.MetadataValue.path(str(folder)),
            "zip": dg.MetadataValue.path(str(folder) + ".zip"),
            "report": dg.MetadataValue.path(str(folder / "report.html")),
            "changelog": dg.MetadataValue.md((folder / "CHANGELOG.md").read_text(encoding="utf-8")),
            "releases": len(json.loads(index)["releases"]),
            **uploaded,
        },
    )


RELEASE_JOB = "release"

build_job = dg.define_asset_job(
    "build",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("release", "fetch"),
    description="Everything from the raw folder to the published warehouse (Parquet + DuckDB).",
)

release_job = dg.define_asset_job(
    RELEASE_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("fetch"),
    description="Build everything, then write a new versioned release of the warehouse.",
)
