"""Freshness: a sensor that builds when files in the raw folder are added or changed, and a daily
build-and-release. Both start stopped; turn them on in the UI (Automation)."""

import hashlib
import os

import dagster as dg

from pipeline.defs.publish import build_job, release_job
from pipeline.resources import WarehousePaths


def raw_folder_state(paths: WarehousePaths) -> str:
    """A digest of every file's name, size and modification time in the raw folder."""
    h = hashlib.sha256()
    if paths.raw.is_dir():
        for root, dirs, files in os.walk(paths.raw):
            dirs.sort()
            for name in sorted(files):
                st = os.lstat(os.path.join(root, name))
                h.update(f"{os.path.relpath(os.path.join(root, name), paths.raw)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@dg.sensor(
    job=build_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Launches the build job when files in the raw folder are added, changed or removed. "
    "The cursor is the folder's digest, so each state of the folder is built once.",
)
def raw_folder_sensor(context: dg.SensorEvaluationContext, paths: WarehousePaths):
    state = raw_folder_state(paths)
    if context.cursor == state:
        return dg.SkipReason("no file added, changed or removed since the last build")
    context.update_cursor(state)
    return dg.RunRequest(run_key=state)


daily_release = dg.ScheduleDefinition(
    name="daily_release",
    job=release_job,
    cron_schedule="0 3 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every day at 03:00: rebuild the warehouse from the raw folder and write a new release.",
)
