"""Where the pipeline reads and writes: configured once, here.

Defaults are the project's raw/ and warehouse/ folders; the environment variables
CRITICAL_MINERALS_RAW and CRITICAL_MINERALS_WAREHOUSE point a Dagster UI session elsewhere
(the CLI takes --raw and --warehouse), CRITICAL_MINERALS_FEEDS at another list of feeds to follow
(feeds.yaml by default); CRITICAL_MINERALS_RELEASE_URI, when set, is where the
release job also uploads each release (object storage: s3://, gs://, abfs://, file://);
CRITICAL_MINERALS_EXTRACTION_BUDGET sets the seconds one article's extraction may take (default 10,
0 for no limit; the CLI takes --time-budget).
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipeline.extract.budget import budget_seconds

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = Path(os.environ.get("CRITICAL_MINERALS_RAW", PROJECT_ROOT / "raw"))
DEFAULT_WAREHOUSE_DIR = Path(os.environ.get("CRITICAL_MINERALS_WAREHOUSE", PROJECT_ROOT / "warehouse"))
DEFAULT_FEEDS_FILE = Path(os.environ.get("CRITICAL_MINERALS_FEEDS", PROJECT_ROOT / "feeds.yaml"))


class WarehousePaths(dg.ConfigurableResource):
    """The raw articles folder and the warehouse folder."""

    raw_dir: str = str(DEFAULT_RAW_DIR)
    warehouse_dir: str = str(DEFAULT_WAREHOUSE_DIR)
    # Where the release job also copies each release (s3://, gs://, abfs://, file://); empty: nowhere.
    release_uri: str = os.environ.get("CRITICAL_MINERALS_RELEASE_URI", "")
    feeds_file: str = str(DEFAULT_FEEDS_FILE)  # the feeds the fetch schedule follows
    # Seconds one article's extraction may take before it is rejected (extraction_timeout); 0: no limit.
    extraction_budget_seconds: float = budget_seconds() or 0.0

    @property
    def extraction_budget(self) -> float | None:
        return budget_seconds(self.extraction_budget_seconds)

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def warehouse(self) -> Path:
        path = Path(self.warehouse_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path
