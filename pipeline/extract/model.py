"""The decision models at inference: small linear models read from pipeline/models/*.json.

Each model was fitted by `python -m pipeline train` (pipeline/train/) from the gold annotations of
real articles. A model file holds its feature weights, its classes, a calibration of its scores,
the hash of the data it was fitted on and its cross-validated scores. Inference is a sparse dot
product in plain Python - deterministic, no scikit-learn import at build time - and every decision
can say which features weighed most in it.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

Features = dict[str, float]


@dataclass(frozen=True)
class Decision:
    """A model's answer for one candidate: the chosen label and its probability. Which features
    pushed hardest toward it is worked out only when asked (most decisions publish nothing)."""

    label: str
    probability: float
    model: str  # "<name>@<version>"
    features: Features = field(default_factory=dict, compare=False, repr=False)
    source: LinearModel | None = field(default=None, compare=False, repr=False)

    @property
    def reasons(self) -> tuple[tuple[str, float], ...]:
        return self.source.reasons(self.features, self.label) if self.source is not None else ()

    def explain(self, n: int = 4) -> str:
        shown = ", ".join(f"{name} {weight:+.2f}" for name, weight in self.reasons[:n])
        return f"{self.model}: {shown}" if shown else self.model


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression (binary or multinomial) with a Platt calibration of its scores."""

    name: str
    version: str
    classes: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]  # feature -> one weight per score (1 for binary, else per class)
    intercept: tuple[float, ...]
    calibration: tuple[float, float]  # (a, b): p = sigmoid(a * score + b), binary only
    meta: dict

    @property
    def binary(self) -> bool:
        return len(self.intercept) == 1

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.version}"

    def scores(self, features: Features) -> list[float]:
        out = list(self.intercept)
        for name, value in features.items():
            w = self.weights.get(name)
            if w is not None and value:
                for i, wi in enumerate(w):
                    out[i] += wi * value
        return out

    def probabilities(self, features: Features) -> dict[str, float]:
        scores = self.scores(features)
        if self.binary:
            a, b = self.calibration
            p = _sigmoid(a * scores[0] + b)
            return {self.classes[0]: 1.0 - p, self.classes[1]: p}
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def probability(self, features: Features) -> float:
        """Binary models: the probability of the positive class."""
        return self.probabilities(features)[self.classes[-1]]

    def decide(self, features: Features) -> Decision:
        probs = self.probabilities(features)
        label = max(self.classes, key=lambda c: (probs[c], -self.classes.index(c)))
        return Decision(label, probs[label], self.tag, features, self)

    def reasons(self, features: Features, label: str, n: int = 6) -> tuple[tuple[str, float], ...]:
        """The features whose weight times value pushed most toward `label` (or against it, negative)."""
        if self.binary:
            sign = 1.0 if label == self.classes[-1] else -1.0
            index = 0
        else:
            sign, index = 1.0, self.classes.index(label)
        contributions = []
        for name, value in features.items():
            w = self.weights.get(name)
            if w is not None and value:
                contributions.append((name, round(sign * w[index] * value, 4)))
        contributions.sort(key=lambda t: (-abs(t[1]), t[0]))
        return tuple(contributions[:n])


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def model_from_dict(data: dict) -> LinearModel:
    classes = tuple(data["classes"])
    features = data["features"]
    coef = data["coef"]  # one row per score
    weights = {f: tuple(row[i] for row in coef) for i, f in enumerate(features)}
    return LinearModel(
        name=data["name"],
        version=data["version"],
        classes=classes,
        weights=weights,
        intercept=tuple(data["intercept"]),
        calibration=tuple(data.get("calibration") or (1.0, 0.0)),
        meta={k: data[k] for k in ("trained_on", "cv", "params") if k in data},
    )


def content_version(data: dict) -> str:
    """A model's version: a hash of everything in its file but the version itself."""
    payload = json.dumps({k: v for k, v in data.items() if k != "version"}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:10]


def model_files() -> list[Path]:
    return sorted(MODELS_DIR.glob("*.json"))


@cache
def load_models(folder: str | None = None) -> dict[str, LinearModel]:
    """Every model of pipeline/models/ (or `folder`), by name."""
    root = Path(folder) if folder else MODELS_DIR
    out = {}
    for path in sorted(root.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "coef" in data:
            out[data["name"]] = model_from_dict(data)
    return out


def models_version(folder: str | None = None) -> str:
    """Changes whenever a model file changes (for the extraction cache's fingerprint)."""
    root = Path(folder) if folder else MODELS_DIR
    h = hashlib.sha256()
    for path in sorted(root.glob("*.json")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
