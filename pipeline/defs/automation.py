"""Freshness: a sensor that builds when the raw folder no longer matches the published warehouse, and
a daily build-and-release that only releases what changed. Both start stopped; turn them on in the UI
(Automation)."""

from __future__ import annotations

import json
import time

import dagster as dg

from pipeline.defs.publish import build_job, release_job
from pipeline.extract.batch import code_fingerprint
from pipeline.ingest import raw_folder_state
from pipeline.publish import EXTRACTION_STAMP, current_publication, published_raw_state, read_stamp
from pipeline.release import unchanged_since
from pipeline.resources import WarehousePaths

RETRY_FIRST_SECONDS = 60  # a failed build is retried after a minute, then after 2, 4, ... minutes
RETRY_MAX_SECONDS = 3600
_UNFINISHED = {
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
}


def published_is_current(paths: WarehousePaths, state: str) -> bool:
    """The published warehouse was built from the raw folder in this state, by this extraction code."""
    current = current_publication(paths.warehouse)
    return (
        current is not None
        and published_raw_state(paths.warehouse) == state
        and read_stamp(current, EXTRACTION_STAMP) == code_fingerprint()
    )


def retry_delay(attempt: int) -> int:
    """Seconds to wait after the `attempt`-th failed build of one state of the folder."""
    return min(RETRY_FIRST_SECONDS * 2 ** max(attempt - 1, 0), RETRY_MAX_SECONDS)


def _last_run_status(instance: dg.DagsterInstance, run_key: str) -> dg.DagsterRunStatus | None:
    runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/run_key": run_key}), limit=1)
    return runs[0].status if runs else None


@dg.sensor(
    job=build_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Launches the build job when the raw folder is not the one the published warehouse was built from "
    "(files added, changed or removed). Nothing is launched while the warehouse is current or a build of the "
    "same folder is running; a build that failed is retried after 1, 2, 4 ... minutes (at most an hour).",
)
def raw_folder_sensor(context: dg.SensorEvaluationContext, paths: WarehousePaths):
    state = raw_folder_state(paths.raw)
    if published_is_current(paths, state):
        context.update_cursor(json.dumps({"state": state, "attempt": 0}))
        return dg.SkipReason("the published warehouse was built from the raw folder as it is now")
    cursor = json.loads(context.cursor) if context.cursor and context.cursor.startswith("{") else {}
    attempt = cursor.get("attempt", 0) if cursor.get("state") == state else 0
    if attempt:
        status = _last_run_status(context.instance, f"{state}:{attempt}")
        if status in _UNFINISHED:
            return dg.SkipReason(f"build {attempt} of this state of the raw folder is still running")
        if status != dg.DagsterRunStatus.SUCCESS:
            wait = cursor.get("launched", 0) + retry_delay(attempt) - time.time()
            if wait > 0:
                return dg.SkipReason(f"build {attempt} of this state of the raw folder failed; next try in {wait:.0f} s")
    attempt += 1
    context.update_cursor(json.dumps({"state": state, "attempt": attempt, "launched": time.time()}))
    return dg.RunRequest(run_key=f"{state}:{attempt}", tags={"raw_folder_state": state, "attempt": str(attempt)})


@dg.schedule(
    job=release_job,
    cron_schedule="0 3 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every day at 03:00: rebuild the warehouse from the raw folder and write a new release - unless the "
    "warehouse is current and its tables are those of the latest release, which the tick then says.",
)
def daily_release(context: dg.ScheduleEvaluationContext, paths: WarehousePaths):
    same = unchanged_since(paths.warehouse)
    if same is not None and published_is_current(paths, raw_folder_state(paths.raw)):
        return dg.SkipReason(f"nothing changed since release {same}: no build, no new release")
    return dg.RunRequest()
