"""The Dagster code location: everything under pipeline/defs, loaded by folder.

Runs execute in one process (the in-process executor): the steps of a build are sequential anyway,
and a process per step costs far more than the seed articles take to build."""

from pathlib import Path

import dagster as dg

defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(executor=dg.in_process_executor),
)
