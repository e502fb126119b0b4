"""The annotated articles models are fitted on: raw text, gold annotation, and the story each
article reports (articles of one story always fall in the same cross-validation fold)."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest import decode_bytes

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The real articles and their gold (guide 2.1) the committed models are fitted on.
TRAINING_SETS = [PROJECT_ROOT / "tests" / "fixtures" / "real", PROJECT_ROOT / "tests" / "fixtures" / "seeds"]
FOLD_SEED = "critical-minerals-folds-v1"


@dataclass(frozen=True)
class GoldArticle:
    source_file: str
    text: str
    gold: dict
    story: str
    raw_bytes: bytes
    gold_bytes: bytes


def read_stories(folder: Path) -> dict[str, str]:
    """file name -> story id, from the folder's sources.csv (an article is its own story otherwise)."""
    path = Path(folder) / "sources.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        return {row["file"]: row["story"] for row in csv.DictReader(fh) if row.get("story")}


def load_gold_articles(raw_dir: Path, gold_dir: Path, stories: dict[str, str] | None = None) -> list[GoldArticle]:
    """Every gold file of `gold_dir` with its article from `raw_dir`, in file-name order."""
    out = []
    stories = stories or {}
    for gold_path in sorted(Path(gold_dir).glob("*.json")):
        gold_bytes = gold_path.read_bytes()
        gold = json.loads(gold_bytes)
        raw_path = Path(raw_dir) / gold["article"]
        raw_bytes = raw_path.read_bytes()
        text = decode_bytes(raw_bytes)
        if text is None:
            raise ValueError(f"{raw_path}: not text")
        name = gold["article"]
        out.append(GoldArticle(name, text, gold, stories.get(name, Path(name).stem), raw_bytes, gold_bytes))
    return out


def load_training_set(folder: Path) -> list[GoldArticle]:
    """A fixture folder with raw/, gold/ and (optionally) sources.csv."""
    folder = Path(folder)
    return load_gold_articles(folder / "raw", folder / "gold", read_stories(folder))


def data_hash(articles: list[GoldArticle]) -> str:
    """What the models were fitted on: every article's bytes and its gold's bytes."""
    h = hashlib.sha256()
    for a in sorted(articles, key=lambda a: a.source_file):
        for part in (a.source_file.encode(), a.raw_bytes, a.gold_bytes):
            h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def story_folds(articles: list[GoldArticle], k: int, seed: str = FOLD_SEED) -> list[int]:
    """The fold of each article: whole stories to a fold, stories in a fixed pseudo-random order,
    each to the fold with the fewest articles so far (folds of nearly equal size)."""
    sizes: dict[str, int] = {}
    for a in articles:
        sizes[a.story] = sizes.get(a.story, 0) + 1
    order = sorted(sizes, key=lambda s: hashlib.sha256(f"{seed}:{s}".encode()).hexdigest())
    fold_of: dict[str, int] = {}
    counts = [0] * k
    for story in sorted(order, key=lambda s: -sizes[s]):  # big stories first, then the hashed order (stable sort)
        best = min(range(k), key=lambda i: (counts[i], i))
        fold_of[story] = best
        counts[best] += sizes[story]
    return [fold_of[a.story] for a in articles]
