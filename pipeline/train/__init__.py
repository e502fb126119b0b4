"""Fitting the decision models from the gold annotations of real articles (`python -m pipeline train`).

The training sets are fixture folders (raw/, gold/, sources.csv): the real articles and the seed
articles (corpus.TRAINING_SETS). Every model is fitted on rows drawn from the same candidates the
build produces (examples.py), its regularisation chosen by cross-validation grouped by story, and
written to pipeline/models/<name>.json with the hash of the data, its features and its scores. The
same data give byte-identical files.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.extract.calibration import CALIBRATION_FILE
from pipeline.extract.model import MODELS_DIR
from pipeline.train.corpus import TRAINING_SETS, GoldArticle, data_hash, load_training_set, story_folds
from pipeline.train.examples import CLASSES, Rows, article_rows
from pipeline.train.fit import Dataset, fit_model

FOLDS = 5


def training_articles(sets: list[Path] | None = None) -> list[GoldArticle]:
    out: list[GoldArticle] = []
    for folder in sets or TRAINING_SETS:
        out += load_training_set(folder)
    return out


def datasets(rows: list[Rows], folds: list[int]) -> dict[str, Dataset]:
    """One dataset per model from the rows of every article (`folds`: each article's fold)."""
    out = {name: Dataset(name, classes) for name, classes in CLASSES.items()}
    for article_rows_, fold in zip(rows, folds, strict=True):
        for name, items in article_rows_.items():
            for features, label in items:
                out[name].add(features, label, fold)
    return out


def fit_all(rows: list[Rows], folds: list[int], trained_on: dict) -> dict[str, dict]:
    """Every model's file content, fitted on `rows`."""
    return {name: fit_model(data, trained_on) for name, data in datasets(rows, folds).items()}


def model_json(content: dict) -> str:
    return json.dumps(content, indent=1, ensure_ascii=False) + "\n"


def train(sets: list[Path] | None = None, out_dir: Path = MODELS_DIR, log=print) -> dict[str, dict]:
    """Fit every model on the training sets and write them to `out_dir`."""
    articles = training_articles(sets)
    folds = story_folds(articles, FOLDS)
    log(f"reading {len(articles)} annotated articles ({len({a.story for a in articles})} stories)")
    rows = [article_rows(a) for a in articles]
    root = Path(__file__).resolve().parents[2]
    trained_on = {
        "data_sha256": data_hash(articles),
        "articles": len(articles),
        "sets": [
            str(Path(s).resolve().relative_to(root)) if Path(s).resolve().is_relative_to(root) else str(s)
            for s in (sets or TRAINING_SETS)
        ],
    }
    models = fit_all(rows, folds, trained_on)
    log("calibrating confidence on out-of-fold extractions")
    calibration, _ = calibration_for(articles, rows, folds, fit_all, trained_on)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / CALIBRATION_FILE).write_text(model_json(calibration), encoding="utf-8")
    for table, quality in calibration["cv"].items():
        log(f"calibration {table:<11} {quality['rows']:>5} rows  ECE {quality['ece_raw']:.3f} -> {quality['ece_calibrated']:.3f}")
    for name, content in models.items():
        (out_dir / f"{name}.json").write_text(model_json(content), encoding="utf-8")
        cv = content["cv"]
        quality = ", ".join(f"{k} {v}" for k, v in cv.items() if k not in {"folds"})
        log(f"{name:<15} {content['trained_on']['rows']:>6} rows {len(content['features']):>5} features  cv: {quality}")
    return {**models, "calibration": calibration}


from pipeline.train.calibrate import calibration_for  # noqa: E402  (it is handed fit_all, defined above)
