"""Minerals named in an article, normalised to canonical ids ("rare earths" -> rare_earth_elements)."""

from __future__ import annotations

import re

from pipeline.extract.gazetteer import Hit
from pipeline.extract.records import MineralRecord, Sentence, Span
from pipeline.extract.text import sentence_index
from pipeline.extract.vocab import Vocabulary

_CONFIDENCE = {"name": 0.95, "alias": 0.9}
_LIST_GLUE = re.compile(r"\s*(?:,|and|or|&|/|-|–|,\s*and)\s*")


def mineral_hits(text: str, hits: list[Hit], vocab: Vocabulary) -> list[Hit]:
    """Mineral hits, minus phrases that name no mineral and common words ("lead") outside a list."""
    minerals = [h for h in hits if h.target.startswith("mineral:")]
    kept = []
    for i, h in enumerate(minerals):
        entry = vocab.minerals[h.target.split(":", 1)[1]]
        if entry.needs_list_context:
            neighbours = [minerals[j] for j in (i - 1, i + 1) if 0 <= j < len(minerals)]
            if not any(_listed_together(text, h, n) for n in neighbours):
                continue
        kept.append(h)
    return kept


def _listed_together(text: str, a: Hit, b: Hit) -> bool:
    first, second = (a, b) if a.start < b.start else (b, a)
    return second.start - first.end <= 8 and bool(_LIST_GLUE.fullmatch(text[first.end : second.start]))


def extract_minerals(text: str, sentences: list[Sentence], hits: list[Hit], vocab: Vocabulary) -> list[MineralRecord]:
    records: dict[str, MineralRecord] = {}
    for h in mineral_hits(text, hits, vocab):
        index = sentence_index(sentences, h.start)
        if index is None:
            continue
        mineral_id = h.target.split(":", 1)[1]
        record = records.setdefault(mineral_id, MineralRecord(mineral_id, confidence=0.0))
        record.spans.append(Span(h.start, h.end, index))
        record.confidence = max(record.confidence, _CONFIDENCE.get(h.alias.form, 0.85) if not h.alias.case_sensitive else 0.85)
    return list(records.values())
