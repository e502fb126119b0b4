"""Calibrating a published row's confidence: the probability that the row is right.

A record's raw score combines the decisions behind it (an agreement: the agreement model's
probability times that of its least sure party; an event: the event model's times the type's).
Raw scores rank records well but are not probabilities of being right as the dataset scores them
(a whole agreement is right only with exactly its parties). `python -m pipeline train` therefore
fits, per table, a Platt map from the raw score's log-odds to the share of rows that matched the
gold in cross-validation (pipeline/train/calibrate.py); it is stored in pipeline/models/calibration.json.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.extract.model import MODELS_DIR, _sigmoid

CALIBRATION_FILE = "calibration.json"
TABLES = ("partners", "minerals", "people", "agreements", "events")


@dataclass(frozen=True)
class Calibration:
    maps: dict[str, tuple[float, float]]  # table -> (a, b): p = sigmoid(a * logit(raw) + b)
    version: str

    def __call__(self, table: str, raw: float) -> float:
        a, b = self.maps.get(table, (1.0, 0.0))
        raw = min(max(raw, 1e-6), 1 - 1e-6)
        return round(_sigmoid(a * math.log(raw / (1 - raw)) + b), 4)


IDENTITY = Calibration({}, "none")


def calibration_from_dict(data: dict) -> Calibration:
    return Calibration({t: (float(a), float(b)) for t, (a, b) in data["tables"].items()}, data["version"])


@cache
def load_calibration(folder: str | None = None) -> Calibration:
    path = Path(folder or MODELS_DIR) / CALIBRATION_FILE
    if not path.exists():
        return IDENTITY
    return calibration_from_dict(json.loads(path.read_text(encoding="utf-8")))
