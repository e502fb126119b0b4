"""Where the pipeline reads and writes: configured once, here."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = PROJECT_ROOT / "raw"
DEFAULT_WAREHOUSE_DIR = PROJECT_ROOT / "warehouse"


class WarehousePaths(dg.ConfigurableResource):
    """The raw articles folder and the warehouse folder."""

    raw_dir: str = str(DEFAULT_RAW_DIR)
    warehouse_dir: str = str(DEFAULT_WAREHOUSE_DIR)

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def warehouse(self) -> Path:
        path = Path(self.warehouse_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path
