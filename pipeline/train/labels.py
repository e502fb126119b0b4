"""Labels for candidates, from gold annotations that have no offsets.

A gold file lists what an article says (partners, agreements with their parties, events with their
dates and places), not where. Each candidate is therefore aligned to the gold item it most
plausibly reports: an entity by its canonical name, an agreement candidate by who could be its
parties and the words its sentence shares with the gold item's description, an event trigger by
its type, the dates and places of its sentence, its participants and shared words. The alignment
only teaches the models; the scores that count are computed on the published tables
(pipeline/evaluate.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.evaluate import _alternates, _people_match, canonical_partner
from pipeline.extract.document import Document
from pipeline.extract.instruments import InstrumentCandidate
from pipeline.extract.records import iso_dates_agree
from pipeline.extract.triggers import TriggerCandidate

_TOKEN_RE = re.compile(r"[a-z][a-z0-9]+")
_STOP = {"the", "and", "for", "with", "of", "on", "in", "to", "a", "an", "by", "its", "their", "from", "at", "as", "is",
         "was", "are", "were", "be", "that", "this", "which", "between", "under", "into", "other", "also", "not"}  # fmt: skip


def tokens(text: str) -> set[str]:
    return {t for t in _TOKEN_RE.findall(text.lower()) if t not in _STOP and len(t) > 2}


def dates_compatible(value: str | None, gold: str | None) -> bool:
    """Two ISO dates of any precision that do not contradict each other; never true for a missing gold date."""
    if not value or not gold:
        return False
    return iso_dates_agree(value, gold)


@dataclass
class GoldView:
    """A gold annotation seen through one article's entities: gold names resolved to the article's keys."""

    doc: Document
    gold: dict
    forms: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        text = self.doc.text
        for m in self.doc.mentions:
            forms = self.forms.setdefault(m.key, set())
            forms.add(canonical_partner(text[m.start : m.end]))
        for key, forms in self.forms.items():
            entry = self.doc.entry(key)
            forms.add(canonical_partner(entry.name, entry.iso3))

    def resolve(self, name: str | None, iso3: str | None = None) -> str | None:
        """The article's key for a gold partner name (or ISO3 code), if the article names it."""
        if not name and not iso3:
            return None
        wanted = {canonical_partner(name or iso3, iso3)} | (_alternates(name) if name else set())
        for key, forms in self.forms.items():
            if forms & wanted:
                return key
        return None

    def partner_keys(self) -> set[str]:
        out = set()
        for p in self.gold["partners"]:
            key = self.resolve(p.get("name"), p.get("iso3"))
            if key:
                out.add(key)
        return out

    def parties(self, names: list[str]) -> list[str | None]:
        return [self.resolve(n) for n in names]


def mineral_labels(doc: Document, gold: dict) -> dict[str, bool]:
    wanted = set(gold["minerals"])
    return {h.target.split(":", 1)[1]: h.target.split(":", 1)[1] in wanted for h in doc.mineral_hits}


def person_label(name: str, gold: dict) -> bool:
    return any(_people_match(name, p["name"]) for p in gold["people"])


def _sentence_tokens(doc: Document, index: int) -> set[str]:
    return tokens(doc.sentence_text(index))


_NEAR = 60  # characters either side of a candidate whose words it shares with a gold agreement's name


def align_agreements(view: GoldView, cands: list[InstrumentCandidate]) -> list[int | None]:
    """The gold agreement each candidate reports, by index, or None."""
    golds = view.gold["agreements"]
    resolved = [[k for k in view.parties(g["parties"]) if k] for g in golds]
    wanted = [len(g["parties"]) for g in golds]
    name_tokens = [tokens(g.get("name") or "") for g in golds]
    out: list[int | None] = []
    for c in cands:
        pool = {e.key for e in c.pool}
        words = _sentence_tokens(view.doc, c.sentence)
        # The words around the candidate itself tell apart two agreements of the same parties reported
        # in one sentence ("a memorandum on lithium and a compact on green growth").
        lo, hi = max(c.clause[0], c.start - _NEAR), min(c.clause[1], c.end + _NEAR)
        near = tokens(view.doc.text[lo:hi])
        best, best_score = None, 0.0
        for i, g in enumerate(golds):
            coverage = len(set(resolved[i]) & pool) / wanted[i] if wanted[i] else 0.0
            similarity = len(name_tokens[i] & words) / len(name_tokens[i]) if name_tokens[i] else 0.0
            kind = 0.5 if (c.kind == g["kind"] or (c.cue == "membership" and g["kind"] == "membership")) else 0.0
            if not (coverage >= 0.99 or (coverage >= 0.5 and similarity >= 0.25)):
                continue
            score = 2 * coverage + 2 * similarity + kind
            if score >= 2.2 and name_tokens[i]:
                score += 0.5 * len(name_tokens[i] & near) / len(name_tokens[i])
            if score > best_score:
                best, best_score = i, score
        out.append(best if best_score >= 2.2 else None)
    # A list read as one agreement per name: the joint reading reports none of them.
    split: dict[tuple[int, int], set[int]] = {}
    for c, g in zip(cands, out, strict=True):
        if c.member is not None and g is not None:
            split.setdefault((c.start, c.end), set()).add(g)
    for i, c in enumerate(cands):
        if c.member is None and len(split.get((c.start, c.end), ())) >= 2:
            out[i] = None
    return out


def align_events(view: GoldView, triggers: list[TriggerCandidate]) -> list[int | None]:
    """The gold event each trigger reports, by index, or None."""
    golds = view.gold["events"]
    resolved = [{k for k in view.parties(g.get("participants") or []) if k} for g in golds]
    name_tokens = [tokens(g.get("name") or "") for g in golds]
    out: list[int | None] = []
    for t in triggers:
        pool = {e.key for e in t.pool}
        words = _sentence_tokens(view.doc, t.sentence)
        best, best_score = None, 0.0
        for i, g in enumerate(golds):
            date = any(d.value is not None and dates_compatible(d.value.iso(), g.get("date")) for d in t.dates)
            place = bool(g.get("location")) and any(p.city == g["location"] for p, _ in t.places)
            coverage = len(resolved[i] & pool) / len(resolved[i]) if resolved[i] else 0.0
            similarity = len(name_tokens[i] & words) / len(name_tokens[i]) if name_tokens[i] else 0.0
            same_type = t.lexicon_type == g["type"]
            score = 1.0 * same_type + 1.5 * date + 1.5 * place + 1.0 * coverage + 2.5 * similarity
            if score > best_score:
                best, best_score = i, score
        out.append(best if best_score >= 2.0 else None)
    return out
