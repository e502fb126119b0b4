"""The Dagster code location: every stage, every table, every check."""

import json
import shutil

import dagster as dg

import schemas
from pipeline.definitions import defs
from pipeline.defs.tables import FOREIGN_KEY_CHECK, SCHEMA_CHECK

from .conftest import RAW


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


def test_the_partitioned_extraction_is_a_backfill_job_and_the_asset_graph_has_no_partitions():
    """'Materialize all' on the asset graph must be one plain build: a partitioned asset opens a dialog."""
    job = defs.resolve_job_def("extraction_backfill")
    assert job.partitions_def.get_partition_keys() == list("0123456789abcdef")
    graph = _asset_graph()
    assert all(graph.get(key).partitions_def is None for key in graph.get_all_asset_keys())


def test_every_job_runs_in_one_process():
    for name in ("build", "release", "__ASSET_JOB"):
        assert defs.resolve_job_def(name).executor_def.name == "in_process", name


def test_materialize_all_publishes_but_cuts_no_release_and_the_release_job_does(tmp_path):
    from pipeline.resources import WarehousePaths

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "004_fa55279f4966502b.txt", raw / "a.txt")
    paths = WarehousePaths(raw_dir=str(raw), warehouse_dir=str(tmp_path / "w"))
    instance = dg.DagsterInstance.ephemeral()
    everything = defs.resolve_implicit_global_asset_job_def()
    result = everything.execute_in_process(resources={"paths": paths}, instance=instance)  # what "Materialize all" runs
    assert result.success
    assert (tmp_path / "w" / "critical_minerals.duckdb").exists() and not (tmp_path / "w" / "releases").exists()
    assert not result.asset_materializations_for_node("versioned_release")
    release = defs.resolve_job_def("release").execute_in_process(resources={"paths": paths}, instance=instance)
    assert release.success
    assert len(json.loads((tmp_path / "w" / "releases" / "index.json").read_text())["releases"]) == 1


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
    assert release_keys == build_keys | {"versioned_release"}
    assert "paths" in defs.resources


def test_fetching_is_its_own_job_on_a_schedule_and_never_part_of_a_build():
    """`make run` and the build job stay offline: only the fetch job (and its schedule) reads the web."""
    for job in ("build", "release"):
        assert "fetched_news" not in {k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.selected_asset_keys}
    assert {k.to_user_string() for k in defs.resolve_job_def("fetch").asset_layer.selected_asset_keys} == {"fetched_news"}
    schedule = defs.resolve_schedule_def("fetch_news_hourly")
    assert schedule.job_name == "fetch" and schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_the_code_location_loads_as_the_ui_loads_it():
    """Name clashes between assets, jobs and checks only show when the repository is built."""
    repository = defs.get_repository_def()
    assert {j.name for j in repository.get_all_jobs()} >= {"build", "release"}


def _seed_folders(tmp_path):
    from pipeline.resources import WarehousePaths

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "004_fa55279f4966502b.txt", raw / "a.txt")
    return raw, WarehousePaths(raw_dir=str(raw), warehouse_dir=str(tmp_path / "w"))


def test_the_sensor_builds_a_folder_the_warehouse_was_not_built_from_and_nothing_when_it_is_current(tmp_path):
    from pipeline.cli import build
    from pipeline.defs.automation import raw_folder_sensor

    raw, paths = _seed_folders(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(resources={"paths": paths}, instance=instance)
    assert isinstance(raw_folder_sensor(context), dg.RunRequest)  # nothing published yet
    build(raw, paths.warehouse, quiet=True)
    context = dg.build_sensor_context(cursor=context.cursor, resources={"paths": paths}, instance=instance)
    assert "built from the raw folder as it is now" in raw_folder_sensor(context).skip_message
    fresh = dg.build_sensor_context(resources={"paths": paths}, instance=instance)  # the sensor turned on later
    assert isinstance(raw_folder_sensor(fresh), dg.SkipReason)
    shutil.copy(RAW / "003_1817f6d3619a287d.txt", raw / "b.txt")
    context = dg.build_sensor_context(cursor=context.cursor, resources={"paths": paths}, instance=instance)
    assert isinstance(raw_folder_sensor(context), dg.RunRequest)


def test_a_failed_build_is_retried_after_a_back_off_and_a_running_one_is_not_doubled(tmp_path):
    from pipeline.defs.automation import RETRY_FIRST_SECONDS, raw_folder_sensor

    _, paths = _seed_folders(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(resources={"paths": paths}, instance=instance)
    first = raw_folder_sensor(context)
    assert first.run_key.endswith(":1")

    @dg.asset
    def failing_build():
        raise RuntimeError("disk full")

    dg.materialize([failing_build], instance=instance, tags={"dagster/run_key": first.run_key}, raise_on_error=False)
    context = dg.build_sensor_context(cursor=context.cursor, resources={"paths": paths}, instance=instance)
    waiting = raw_folder_sensor(context)
    assert isinstance(waiting, dg.SkipReason) and "failed; next try in" in waiting.skip_message
    cursor = json.loads(context.cursor)
    cursor["launched"] -= RETRY_FIRST_SECONDS + 1
    context = dg.build_sensor_context(cursor=json.dumps(cursor), resources={"paths": paths}, instance=instance)
    retry = raw_folder_sensor(context)
    assert isinstance(retry, dg.RunRequest) and retry.run_key.endswith(":2")
    instance.add_run(
        dg.DagsterRun(
            job_name="build", run_id="a" * 36, status=dg.DagsterRunStatus.STARTED, tags={"dagster/run_key": retry.run_key}
        )
    )
    context = dg.build_sensor_context(cursor=context.cursor, resources={"paths": paths}, instance=instance)
    assert "still running" in raw_folder_sensor(context).skip_message


def test_the_daily_release_tick_says_when_nothing_changed_since_the_last_release(tmp_path):
    from pipeline.cli import build
    from pipeline.defs.automation import daily_release
    from pipeline.release import make_release

    raw, paths = _seed_folders(tmp_path)
    build(raw, paths.warehouse, quiet=True)
    assert isinstance(daily_release(dg.build_schedule_context(resources={"paths": paths})), dg.RunRequest)  # never released
    released = make_release(paths.warehouse)
    tick = daily_release(dg.build_schedule_context(resources={"paths": paths}))
    assert isinstance(tick, dg.SkipReason) and f"nothing changed since release {released.name}" in tick.skip_message
    shutil.copy(RAW / "003_1817f6d3619a287d.txt", raw / "b.txt")
    assert isinstance(daily_release(dg.build_schedule_context(resources={"paths": paths})), dg.RunRequest)


def test_the_sensor_and_the_daily_release_schedule_are_defined():
    repository = defs.get_repository_def()
    assert repository.has_sensor_def("raw_folder_sensor")
    assert repository.get_schedule_def("daily_release").job_name == "release"
