"""Minerals named in an article, normalised to canonical ids ("rare earths" -> rare_earth_elements).

Every vocabulary hit is a candidate; the mineral model (pipeline/models/mineral.json) decides which
minerals the article names as something mined, processed, traded or cooperated on, from how and
where they are named (in a list of minerals, inside a company's name, in a figure of speech).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extract.gazetteer import Hit
from pipeline.extract.model import Decision, Features, LinearModel
from pipeline.extract.records import MineralRecord, Span
from pipeline.extract.rules import rules_for
from pipeline.extract.text import sentence_index
from pipeline.extract.vocab import Vocabulary

_LIST_GLUE = re.compile(r"\s*(?:,|and|or|&|/|-|–|,\s*and)\s*")


def mineral_hits(text: str, hits: list[Hit], vocab: Vocabulary) -> list[Hit]:
    """Every hit of a mineral name (phrases that name no mineral, "gold standard", are not minerals)."""
    return [h for h in hits if h.target.startswith("mineral:")]


def _listed_together(text: str, a: Hit, b: Hit) -> bool:
    first, second = (a, b) if a.start < b.start else (b, a)
    return second.start - first.end <= 8 and bool(_LIST_GLUE.fullmatch(text[first.end : second.start]))


@dataclass
class MineralCandidate:
    mineral_id: str
    hits: list[Hit]
    listed: list[bool]  # per hit: named in a list beside another mineral


def mineral_candidates(text: str, hits: list[Hit]) -> list[MineralCandidate]:
    by_id: dict[str, MineralCandidate] = {}
    for i, h in enumerate(hits):
        neighbours = [hits[j] for j in (i - 1, i + 1) if 0 <= j < len(hits)]
        mineral_id = h.target.split(":", 1)[1]
        cand = by_id.setdefault(mineral_id, MineralCandidate(mineral_id, [], []))
        cand.hits.append(h)
        cand.listed.append(any(_listed_together(text, h, n) for n in neighbours))
    return list(by_id.values())


def mineral_features(doc, cand: MineralCandidate) -> Features:
    """What the mineral model sees of one mineral named in the article (`doc`: a Document)."""
    entry = doc.vocab.minerals[cand.mineral_id]
    n = len(cand.hits)
    f: Features = {f"mentions_{min(n, 4)}": 1.0}
    if entry.needs_list_context:
        f["common_word"] = 1.0
    if entry.group:
        f["in_a_group"] = 1.0
    if not entry.lists:
        f["on_no_critical_list"] = 1.0
    if any(cand.listed):
        f["listed_with_others"] = 1.0
    if all(cand.listed):
        f["always_listed"] = 1.0
    forms = {h.alias.form for h in cand.hits}
    for form in forms:
        f["form:" + form] = 1.0
    rules = rules_for("mineral")
    fired: dict[str, int] = {}
    sentences = set()
    for h in cand.hits:
        index = sentence_index(doc.sentences, h.start)
        if index is None:
            continue
        sentences.add(index)
        s = doc.sentences[index]
        for name, value in rules.signals(doc.text, h.start, h.end, s.start, s.end).items():
            fired[name] = fired.get(name, 0) + int(value)
        if doc.text[h.start].isupper() and h.start > s.start and doc.text[h.start - 2 : h.start] != ". ":
            fired["capitalised_mid_sentence"] = fired.get("capitalised_mid_sentence", 0) + 1
    for name, count in fired.items():
        f["any:" + name] = 1.0
        if count == n:
            f["all:" + name] = 1.0
    if sentences and all(doc.is_headline(i) for i in sentences):
        f["only_in_headline"] = 1.0
    for key in ("sent_minerals", "sent_statistics", "sent_instrument", "sent_cooperation"):
        if any(key in doc.sentence_signals(i) for i in sentences):
            f["s:" + key] = 1.0
    return f


def decide_minerals(doc, candidates: list[MineralCandidate], model: LinearModel) -> list[MineralRecord]:
    out = []
    for cand in candidates:
        decision: Decision = model.decide(mineral_features(doc, cand))
        if decision.label != "mineral":
            continue
        spans = []
        for h in cand.hits:
            index = sentence_index(doc.sentences, h.start)
            if index is not None:
                spans.append(Span(h.start, h.end, index))
        out.append(
            MineralRecord(
                cand.mineral_id, round(decision.probability, 4), spans, decided_by=decision.explain(), model=decision.model
            )
        )
    return out
