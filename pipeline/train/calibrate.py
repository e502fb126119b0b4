"""Fitting the calibration of published confidence (pipeline/extract/calibration.py).

The training articles are extracted fold by fold with models fitted without that fold, built into
tables and scored against their gold, so that every published row gets a raw score and an outcome
(it matched a gold item or not) that the models did not see. Per table, a Platt map from the raw
score's log-odds to the outcome is fitted; its expected calibration error before and after is
recorded in the file.
"""

from __future__ import annotations

import math

import numpy as np

from pipeline.evaluate import Report, evaluate_golds
from pipeline.extract import extract_article
from pipeline.extract.calibration import IDENTITY, TABLES, Calibration, calibration_from_dict
from pipeline.extract.model import content_version, model_from_dict
from pipeline.ingest import RawArticle, sha256_text
from pipeline.tables import build_tables
from pipeline.train.corpus import GoldArticle
from pipeline.train.examples import Rows
from pipeline.train.fit import _fit, _round, expected_calibration_error


def extract_and_score(articles: list[GoldArticle], models: dict, calibration: Calibration = IDENTITY) -> Report:
    """Extract `articles` with the given models, build their tables, and score them against their gold."""
    extractions = [extract_article(a.source_file, a.text, models, calibration) for a in articles]
    raw = [RawArticle(a.source_file, a.text, sha256_text(a.text)) for a in articles]
    return evaluate_golds([a.gold for a in articles], build_tables(raw, [], extractions))


def out_of_fold_report(articles: list[GoldArticle], rows: list[Rows], folds: list[int], fit_all) -> Report:
    """Every article scored by models fitted on the other folds (raw, uncalibrated confidence)."""
    total = Report()
    for fold in sorted(set(folds)):
        train = [i for i, f in enumerate(folds) if f != fold]
        test = [i for i, f in enumerate(folds) if f == fold]
        contents = fit_all([rows[i] for i in train], [folds[i] for i in train], {})
        models = {name: model_from_dict(c) for name, c in contents.items()}
        total.merge(extract_and_score([articles[i] for i in test], models))
    return total


def _platt(pairs: list[tuple[float, bool]]) -> tuple[float, float]:
    outcomes = np.array([ok for _, ok in pairs], dtype=int)
    if len(pairs) < 10 or len(set(outcomes)) < 2:
        return 1.0, 0.0
    x = np.array([math.log(min(max(p, 1e-6), 1 - 1e-6) / (1 - min(max(p, 1e-6), 1 - 1e-6))) for p, _ in pairs])
    model = _fit(x.reshape(-1, 1), outcomes, 1.0)
    return float(model.coef_[0][0]), float(model.intercept_[0])


def fit_calibration(report: Report, trained_on: dict) -> dict:
    """The calibration file's content, from out-of-fold outcomes of every table's rows."""
    tables, quality = {}, {}
    for table in TABLES:
        pairs = report.calibration[table]
        a, b = _platt(pairs)
        tables[table] = [_round(a), _round(b)]
        calibrated = Calibration({table: (a, b)}, "fit")
        quality[table] = {
            "rows": len(pairs),
            "matched": int(sum(ok for _, ok in pairs)),
            "ece_raw": _round(expected_calibration_error([p for p, _ in pairs], [ok for _, ok in pairs])),
            "ece_calibrated": _round(
                expected_calibration_error([calibrated(table, p) for p, _ in pairs], [ok for _, ok in pairs])
            ),
        }
    content = {
        "name": "calibration",
        "method": "Platt scaling of each table's raw confidence (log-odds), fitted on out-of-fold rows",
        "tables": tables,
        "trained_on": trained_on,
        "cv": quality,
    }
    content["version"] = content_version(content)
    return content


def calibration_for(
    articles: list[GoldArticle], rows: list[Rows], folds: list[int], fit_all, trained_on: dict
) -> tuple[dict, Calibration]:
    content = fit_calibration(out_of_fold_report(articles, rows, folds, fit_all), trained_on)
    return content, calibration_from_dict(content)
