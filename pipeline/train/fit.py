"""Fitting one decision model: L2-regularised logistic regression (scikit-learn), its strength chosen
by cross-validation grouped by story, a Platt calibration of its scores fitted on out-of-fold
predictions, and the model written as a small JSON file that inference reads without scikit-learn.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from pipeline.extract.model import Features, content_version

C_GRID = (0.05, 0.1, 0.3, 1.0, 3.0)
MIN_FEATURE_ROWS = 2  # a feature seen in fewer rows is dropped: it would only memorise an article
_DIGITS = 6


@dataclass
class Dataset:
    """Rows of one model: features, label, and the fold of the row's article (by story)."""

    name: str
    classes: tuple[str, ...]  # the negative class first for binary models
    features: list[Features] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    folds: list[int] = field(default_factory=list)

    def add(self, features: Features, label: str, fold: int) -> None:
        if label not in self.classes:
            raise ValueError(f"{self.name}: label {label!r} is not one of {self.classes}")
        self.features.append(features)
        self.labels.append(label)
        self.folds.append(fold)

    def __len__(self) -> int:
        return len(self.labels)


def _vectorizer(rows: list[Features]) -> DictVectorizer:
    counts: dict[str, int] = {}
    for r in rows:
        for k, v in r.items():
            if v:
                counts[k] = counts.get(k, 0) + 1
    kept = sorted(k for k, n in counts.items() if n >= MIN_FEATURE_ROWS)
    vec = DictVectorizer(sparse=True, sort=True)
    vec.fit([dict.fromkeys(kept, 1.0)])
    return vec


# Decisions whose classes are weighed alike (kind, event type): their rarer classes are the ones the data
# most often gets wrong otherwise. Status is weighed half-way (each class by the square root of the
# balanced weight): fully balanced, its three "approved" rows pulled every agreement without a status
# cue away from "signed", the status most agreements have. The others keep the data's own shares,
# which their calibration, or their use as a prior (party_count, party_mix), relies on.
BALANCED = {"status": 0.5, "kind": 1.0, "event_type": 1.0}


def _class_weight(y: np.ndarray, power: float) -> dict[int, float] | str | None:
    """Balanced class weights raised to `power` (1: sklearn's "balanced", 0: none)."""
    if not power:
        return None
    if power == 1.0:
        return "balanced"
    classes, counts = np.unique(y, return_counts=True)
    return {int(c): float((len(y) / (len(classes) * n)) ** power) for c, n in zip(classes, counts, strict=True)}


def _fit(X, y: np.ndarray, C: float, power: float = 0.0) -> LogisticRegression:
    estimator = LogisticRegression(C=C, solver="lbfgs", max_iter=5000, tol=1e-8, class_weight=_class_weight(y, power))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _weight_name(power: float) -> str | None:
    return None if not power else "balanced" if power == 1.0 else f"balanced^{power:g}"


def _oof_scores(data: Dataset, vec: DictVectorizer, C: float) -> np.ndarray | None:
    """Out-of-fold decision scores (binary) or probabilities (multiclass), folds by story."""
    X = vec.transform(data.features)
    y = np.array([data.classes.index(label) for label in data.labels])
    folds = np.array(data.folds)
    binary = len(data.classes) == 2
    out = np.zeros(len(y)) if binary else np.zeros((len(y), len(data.classes)))
    for k in sorted(set(data.folds)):
        train, test = folds != k, folds == k
        present = sorted(set(y[train]))
        if len(present) < 2:
            return None
        model = _fit(X[train], y[train], C, BALANCED.get(data.name, 0.0))
        if binary:
            out[test] = model.decision_function(X[test])
        else:
            probs = model.predict_proba(X[test])
            full = np.full((test.sum(), len(data.classes)), 1e-6)
            full[:, model.classes_] = probs
            out[test] = full / full.sum(axis=1, keepdims=True)
    return out


def _log_loss(data: Dataset, scores: np.ndarray, calibration: tuple[float, float] = (1.0, 0.0)) -> float:
    y = np.array([data.classes.index(label) for label in data.labels])
    if scores.ndim == 1:
        p = 1 / (1 + np.exp(-(calibration[0] * scores + calibration[1])))
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    p = np.clip(scores[np.arange(len(y)), y], 1e-6, 1.0)
    return float(-np.mean(np.log(p)))


def _platt(scores: np.ndarray, data: Dataset) -> tuple[float, float]:
    y = np.array([data.classes.index(label) for label in data.labels])
    if len(set(y)) < 2:
        return 1.0, 0.0
    model = _fit(scores.reshape(-1, 1), y, 1e4)
    return float(model.coef_[0][0]), float(model.intercept_[0])


def expected_calibration_error(probabilities: list[float], outcomes: list[bool], bins: int = 10) -> float:
    """ECE: the mean gap between confidence and accuracy over equal-width bins, weighted by bin size."""
    if not probabilities:
        return 0.0
    p = np.array(probabilities)
    o = np.array(outcomes, dtype=float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() * abs(p[mask].mean() - o[mask].mean())
    return float(total / len(p))


def _round(x: float) -> float:
    value = round(float(x), _DIGITS)
    return 0.0 if value == 0 else value


def fit_model(data: Dataset, trained_on: dict) -> dict:
    """The model file's content: weights, calibration, provenance and cross-validated scores."""
    if len(set(data.labels)) < 2 or not any(data.features):
        return _constant_model(data, trained_on)  # one class, or no features: the classes' shares
    vec = _vectorizer(data.features)
    binary = len(data.classes) == 2
    results = {}
    for C in C_GRID:
        scores = _oof_scores(data, vec, C)
        if scores is None:
            continue
        calibration = _platt(scores, data) if binary else (1.0, 0.0)
        results[C] = (_log_loss(data, scores, calibration), scores, calibration)
    if results:
        C = min(results, key=lambda c: (round(results[c][0], 9), c))
        loss, scores, calibration = results[C]
    else:
        C, loss, scores, calibration = 1.0, math.nan, None, (1.0, 0.0)
    X = vec.transform(data.features)
    y = np.array([data.classes.index(label) for label in data.labels])
    model = _fit(X, y, C, BALANCED.get(data.name, 0.0))
    names = list(vec.get_feature_names_out())
    if binary:
        coef = [[_round(w) for w in model.coef_[0]]]
        intercept = [_round(model.intercept_[0])]
    else:
        coef_full = np.zeros((len(data.classes), len(names)))
        intercept_full = np.full(len(data.classes), -30.0)
        coef_full[model.classes_] = model.coef_
        intercept_full[model.classes_] = model.intercept_
        coef = [[_round(w) for w in row] for row in coef_full]
        intercept = [_round(b) for b in intercept_full]
    cv: dict = {"folds": len(set(data.folds)), "log_loss": _round(loss) if not math.isnan(loss) else None, "C": C}
    if scores is not None:
        cv.update(_cv_quality(data, scores, calibration))
    content = {
        "name": data.name,
        "kind": "binary" if binary else "multiclass",
        "classes": list(data.classes),
        "features": names,
        "coef": coef,
        "intercept": intercept,
        "calibration": [_round(calibration[0]), _round(calibration[1])] if binary else None,
        "params": {
            "estimator": "sklearn.linear_model.LogisticRegression",
            "penalty": "l2",
            "solver": "lbfgs",
            "C": C,
            "class_weight": _weight_name(BALANCED.get(data.name, 0.0)),
            "min_feature_rows": MIN_FEATURE_ROWS,
            "C_grid": list(C_GRID),
        },  # fmt: skip
        "trained_on": {**trained_on, "rows": len(data), "label_counts": {c: data.labels.count(c) for c in data.classes}},
        "cv": cv,
    }
    content["version"] = content_version(content)
    return content


def _constant_model(data: Dataset, trained_on: dict) -> dict:
    """Data of one class only, or without features: a model that gives each class its smoothed share."""
    counts = [data.labels.count(c) for c in data.classes]
    shares = [(n + 1) / (len(data) + len(data.classes)) for n in counts]
    intercept = [_round(math.log(shares[1] / shares[0]))] if len(data.classes) == 2 else [_round(math.log(p)) for p in shares]
    content = {
        "name": data.name,
        "kind": "binary" if len(data.classes) == 2 else "multiclass",
        "classes": list(data.classes),
        "features": [],
        "coef": [[] for _ in intercept],
        "intercept": intercept,
        "calibration": [1.0, 0.0] if len(data.classes) == 2 else None,
        "params": {"estimator": "constant: each class's share, add-one smoothed"},
        "trained_on": {**trained_on, "rows": len(data), "label_counts": dict(zip(data.classes, counts, strict=True))},
        "cv": {"folds": len(set(data.folds))},
    }
    content["version"] = content_version(content)
    return content


def _cv_quality(data: Dataset, scores: np.ndarray, calibration: tuple[float, float]) -> dict:
    y = np.array([data.classes.index(label) for label in data.labels])
    if scores.ndim == 1:
        p = 1 / (1 + np.exp(-(calibration[0] * scores + calibration[1])))
        predicted = (p >= 0.5).astype(int)
        tp = int(((predicted == 1) & (y == 1)).sum())
        fp = int(((predicted == 1) & (y == 0)).sum())
        fn = int(((predicted == 0) & (y == 1)).sum())
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        ece = expected_calibration_error(list(p), list(y == 1))
        return {"precision": _round(precision), "recall": _round(recall), "f1": _round(f1), "ece": _round(ece)}
    predicted = scores.argmax(axis=1)
    confidence = scores.max(axis=1)
    ece = expected_calibration_error(list(confidence), list(predicted == y))
    return {"accuracy": _round(float((predicted == y).mean())), "ece": _round(ece)}
