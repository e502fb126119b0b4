"""The partitioned extraction: a backfill of its partitions, then the build, publishes exactly
what one in-process build publishes, and the build extracts nothing the partitions already did."""

import shutil

import dagster as dg

import schemas
from pipeline.cli import build
from pipeline.defs.extract import extraction_backfill
from pipeline.ingest import PARTITION_KEYS, file_bucket, list_raw_files
from pipeline.publish import PARQUET_DIR
from pipeline.resources import WarehousePaths

from .conftest import DEV_RAW, RAW


def _corpus(folder):
    folder.mkdir()
    for source in (RAW, DEV_RAW):
        for path in sorted(source.glob("*.txt")):
            shutil.copy(path, folder / path.name)
    return folder


def test_every_file_falls_in_exactly_one_partition_and_keeps_it(tmp_path):
    raw = _corpus(tmp_path / "raw")
    everything = [name for _, name in list_raw_files(raw)]
    by_partition = [name for key in PARTITION_KEYS for _, name in list_raw_files(raw, bucket=key)]
    assert sorted(by_partition) == sorted(everything)
    assert len({file_bucket(name) for name in everything}) > 8  # the buckets are actually used
    (raw / "zz_new_article.txt").write_text("A new article.\n", encoding="utf-8")
    assert all(file_bucket(name) == key for key in PARTITION_KEYS for _, name in list_raw_files(raw, bucket=key))


def test_a_partitioned_backfill_then_the_build_publishes_what_one_build_publishes(tmp_path):
    raw = _corpus(tmp_path / "raw")
    single, fanned = tmp_path / "single", tmp_path / "fanned"
    build(raw, single, quiet=True)

    instance = dg.DagsterInstance.get()
    paths = WarehousePaths(raw_dir=str(raw), warehouse_dir=str(fanned))
    extracted = 0
    for key in PARTITION_KEYS:  # what a backfill does: one run per partition
        result = extraction_backfill.execute_in_process(partition_key=key, resources={"paths": paths}, instance=instance)
        assert result.success, key
        extracted += result.output_for_node("fill_extraction_cache")
    assert extracted == len(list(raw.glob("*.txt")))

    build(raw, fanned, quiet=True)
    combined = instance.get_latest_materialization_event(dg.AssetKey("article_extractions")).asset_materialization
    articles = combined.metadata["articles"].value
    assert combined.metadata["cache"].value.startswith(f"{articles} of {articles} articles from")  # nothing re-extracted
    for table in schemas.table_names():
        name = f"{table}.parquet"
        assert (fanned / PARQUET_DIR / name).read_bytes() == (single / PARQUET_DIR / name).read_bytes(), table
