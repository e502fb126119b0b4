"""The Dagster code location: every stage, every table, every check."""

import dagster as dg

import schemas
from pipeline.definitions import defs
from pipeline.defs.tables import FOREIGN_KEY_CHECK, SCHEMA_CHECK


def _asset_graph():
    return defs.resolve_asset_graph()


def test_every_published_table_is_an_asset_in_the_tables_group():
    graph = _asset_graph()
    for table in schemas.table_names():
        node = graph.get(dg.AssetKey(table))
        assert node.group_name == "tables"
        assert node.description


def test_stages_are_grouped_and_described():
    graph = _asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups["raw_articles"] == "ingest"
    assert groups["article_extractions"] == "extract"
    assert groups["parquet_files"] == groups["duckdb_database"] == "publish"
    assert all(graph.get(key).description for key in graph.get_all_asset_keys())


def test_extraction_is_partitioned_into_sixteen_buckets_that_article_extractions_combines():
    graph = _asset_graph()
    cache = graph.get(dg.AssetKey("extraction_cache"))
    assert cache.group_name == "extract"
    assert cache.partitions_def.get_partition_keys() == list("0123456789abcdef")
    assert dg.AssetKey("extraction_cache") in graph.get(dg.AssetKey("article_extractions")).parent_keys


def test_every_table_has_a_blocking_schema_check_and_foreign_key_checks_where_it_has_keys():
    checks = {(k.asset_key.to_user_string(), k.name): spec for k, spec in _check_specs().items()}
    for table in schemas.table_names():
        assert checks[(table, SCHEMA_CHECK)].blocking
        spec = schemas.load_tables()[table]
        if spec.foreign_keys:
            assert checks[(table, FOREIGN_KEY_CHECK)].blocking


def _check_specs():
    specs = {}
    for asset in defs.assets:
        for spec in getattr(asset, "check_specs", []):
            specs[spec.key] = spec
    return specs


def test_the_build_and_release_jobs_and_paths_resource_are_defined():
    build_keys = {k.to_user_string() for k in defs.resolve_job_def("build").asset_layer.selected_asset_keys}
    release_keys = {k.to_user_string() for k in defs.resolve_job_def("release").asset_layer.selected_asset_keys}
    assert "duckdb_database" in build_keys and "versioned_release" not in build_keys
    assert "extraction_cache" not in build_keys  # filled by backfills; the build extracts what is not cached
    assert release_keys == build_keys | {"versioned_release"}
    assert "paths" in defs.resources


def test_the_code_location_loads_as_the_ui_loads_it():
    """Name clashes between assets, jobs and checks only show when the repository is built."""
    repository = defs.get_repository_def()
    assert {j.name for j in repository.get_all_jobs()} >= {"build", "release"}


def test_the_raw_folder_sensor_builds_once_per_state_of_the_folder(tmp_path):
    from pipeline.defs.automation import raw_folder_sensor
    from pipeline.resources import WarehousePaths

    (tmp_path / "a.txt").write_text("India and Chile signed a lithium pact.")
    paths = WarehousePaths(raw_dir=str(tmp_path), warehouse_dir=str(tmp_path / "w"))
    context = dg.build_sensor_context(resources={"paths": paths})
    first = raw_folder_sensor(context)
    assert isinstance(first, dg.RunRequest)
    context = dg.build_sensor_context(cursor=context.cursor, resources={"paths": paths})
    assert isinstance(raw_folder_sensor(context), dg.SkipReason)
    (tmp_path / "b.txt").write_text("Japan and Australia signed a gallium pact.")
    context = dg.build_sensor_context(cursor=context.cursor, resources={"paths": paths})
    assert isinstance(raw_folder_sensor(context), dg.RunRequest)


def test_the_sensor_and_the_daily_release_schedule_are_defined():
    repository = defs.get_repository_def()
    assert repository.has_sensor_def("raw_folder_sensor")
    assert repository.get_schedule_def("daily_release").job_name == "release"
