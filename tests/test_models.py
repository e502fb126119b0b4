"""The decision models: committed, fitted on the real gold of tests/fixtures, reproducible, quick to load."""

import json
import subprocess
import sys

import pytest

from pipeline.extract import MODEL_NAMES, extract_article
from pipeline.extract.calibration import CALIBRATION_FILE, load_calibration
from pipeline.extract.model import MODELS_DIR, content_version, load_models
from pipeline.train import training_articles
from pipeline.train.corpus import data_hash

from .conftest import ROOT


def _files() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in MODELS_DIR.glob("*.json")}


def test_every_model_the_extraction_asks_is_committed_with_its_provenance():
    files = _files()
    assert set(MODEL_NAMES) <= set(files), set(MODEL_NAMES) - set(files)
    for name in MODEL_NAMES:
        model = files[name]
        assert model["name"] == name
        assert model["version"] == content_version(model)  # the version names exactly this content
        assert len(model["coef"]) == len(model["intercept"]) and all(len(row) == len(model["features"]) for row in model["coef"])
        assert {"data_sha256", "articles", "rows", "label_counts"} <= set(model["trained_on"])
        assert "folds" in model["cv"]


def test_the_committed_models_were_fitted_on_the_annotated_articles_as_they_are_now():
    """Change a fixture's article or gold and this fails until `python -m pipeline train` is run again."""
    expected = data_hash(training_articles())
    for name, model in _files().items():
        assert model["trained_on"]["data_sha256"] == expected, name


def test_the_models_load_in_under_half_a_second():
    code = (
        "import time; t = time.perf_counter(); from pipeline.extract.model import load_models; "
        "from pipeline.extract.calibration import load_calibration; load_models(); load_calibration(); "
        "print(time.perf_counter() - t)"
    )
    # Measured after the package's own imports, in a fresh process, so that nothing is cached.
    prelude = "import pipeline.extract.model, pipeline.extract.calibration; "
    seconds = float(subprocess.check_output([sys.executable, "-c", prelude + code], cwd=ROOT, text=True).strip())
    assert seconds < 0.5, seconds


def test_inference_is_deterministic():
    text = (ROOT / "tests" / "fixtures" / "seeds" / "raw" / "003_1817f6d3619a287d.txt").read_text(encoding="utf-8")
    first, second = extract_article("a.txt", text), extract_article("a.txt", text)
    assert first == second


def test_the_calibration_lowers_the_calibration_error_it_was_fitted_on():
    calibration = json.loads((MODELS_DIR / CALIBRATION_FILE).read_text(encoding="utf-8"))
    assert calibration["version"] == content_version(calibration)
    for table, quality in calibration["cv"].items():
        assert quality["ece_calibrated"] <= quality["ece_raw"] + 0.01, table
    assert load_calibration().maps


def test_a_published_decision_says_which_features_weighed_most():
    models = load_models()
    decision = models["partner"].decide({"type:country": 1.0, "any:actor": 1.0, "is_home": 1.0})
    assert decision.explain().startswith(models["partner"].tag + ": ")
    assert all(name in {"type:country", "any:actor", "is_home"} for name, _ in decision.reasons)


@pytest.mark.slow
def test_training_again_reproduces_the_committed_models_byte_for_byte():
    result = subprocess.run([sys.executable, "-m", "pipeline", "train", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_status_classes_are_weighed_half_way_to_balanced_so_a_rare_status_does_not_swamp_the_common_one():
    import numpy as np

    from pipeline.train.fit import BALANCED, _class_weight

    y = np.array([0] * 16 + [1] * 4)  # a common status and a rare one, 4 to 1
    weights = _class_weight(y, BALANCED["status"])
    assert weights == pytest.approx({0: (20 / 32) ** 0.5, 1: (20 / 8) ** 0.5})
    assert weights[1] / weights[0] == pytest.approx(2.0)  # fully balanced would be 4
    assert _class_weight(y, BALANCED["kind"]) == "balanced" and _class_weight(y, 0.0) is None
