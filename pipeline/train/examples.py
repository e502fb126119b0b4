"""Training rows of every decision model, from one annotated article: its candidates (the same
`gather_candidates` the build runs), their features, and labels aligned from the gold file."""

from __future__ import annotations

from collections import defaultdict

from pipeline.extract import Candidates, gather_candidates, person_inputs
from pipeline.extract.agreement_features import (
    kind_features,
    mention_features,
    party_count_features,
    party_features,
    same_agreement_features,
    status_features,
)
from pipeline.extract.event_features import (
    date_features,
    participant_features,
    place_features,
    same_event_features,
    trigger_features,
    type_features,
)
from pipeline.extract.events import EVENT_TYPES
from pipeline.extract.minerals import mineral_features
from pipeline.extract.model import Features
from pipeline.extract.partners import partner_features
from pipeline.extract.party_sets import party_mix, party_mix_features
from pipeline.train.corpus import GoldArticle
from pipeline.train.labels import GoldView, align_agreements, align_events, dates_compatible, person_label

STATUSES = ("proposed", "negotiating", "approved", "signed", "in_force")
KINDS = ("mou", "joint_declaration", "framework", "investment_partnership", "trade_agreement", "membership",
         "exploration_agreement", "cooperation_agreement", "offtake", "joint_venture", "other")  # fmt: skip
# Each model's classes, the negative class first for binary models.
CLASSES: dict[str, tuple[str, ...]] = {
    "partner": ("not", "partner"),
    "mineral": ("not", "mineral"),
    "person": ("not", "person"),
    "agreement": ("not", "agreement"),
    "party": ("not", "party"),
    "status": STATUSES,
    "kind": KINDS,
    "same_agreement": ("different", "same"),
    "party_count": ("1", "2", "3", "4+"),
    "party_mix": ("states", "orgs", "mixed"),
    "event": ("not", "event"),
    "event_type": EVENT_TYPES,
    "event_date": ("no", "yes"),
    "event_place": ("no", "yes"),
    "participant": ("not", "participant"),
    "same_event": ("different", "same"),
}
Rows = dict[str, list[tuple[Features, str]]]


def _agreement_rows(view: GoldView, c: Candidates, rows: Rows) -> None:
    doc, cands = c.doc, c.instruments
    golds = view.gold["agreements"]
    aligned = align_agreements(view, cands)
    siblings: dict[int, int] = {}
    for cand in cands:
        if cand.member is None:
            siblings[cand.sentence] = siblings.get(cand.sentence, 0) + 1
    parties_of = [frozenset(k for k in view.parties(g["parties"]) if k) for g in golds]
    for cand, g in zip(cands, aligned, strict=True):
        rows["agreement"].append(
            (mention_features(doc, cand, siblings.get(cand.sentence, 1)), "not" if g is None else "agreement")
        )
        if g is None:
            continue
        for entry in cand.pool:
            rows["party"].append((party_features(doc, cand, entry), "party" if entry.key in parties_of[g] else "not"))
        n = len(parties_of[g])
        if n:
            rows["party_count"].append((party_count_features(doc, cand), str(n) if n < 4 else "4+"))
            rows["party_mix"].append((party_mix_features(doc, cand), party_mix(doc, parties_of[g])))
    # Status and kind are the agreement's: one row per gold agreement, from every candidate aligned to it.
    for g, gold in enumerate(golds):
        members = [cand for cand, x in zip(cands, aligned, strict=True) if x == g]
        if members:
            rows["status"].append((status_features(doc, members), gold["status"]))
            if gold["kind"] in KINDS:
                rows["kind"].append((kind_features(doc, members), gold["kind"]))
    pairs = [(cand, g) for cand, g in zip(cands, aligned, strict=True) if g is not None]
    for i, (a, ga) in enumerate(pairs):
        for b, gb in pairs[i + 1 :]:
            if (a.start, a.end) == (b.start, b.end) or parties_of[ga] != parties_of[gb]:
                continue
            rows["same_agreement"].append((same_agreement_features(doc, a, b), "same" if ga == gb else "different"))


def _event_rows(view: GoldView, c: Candidates, rows: Rows) -> None:
    doc, triggers = c.doc, c.triggers
    golds = view.gold["events"]
    aligned = align_events(view, triggers)
    participants_of = [frozenset(k for k in view.parties(g.get("participants") or []) if k) for g in golds]
    for t, g in zip(triggers, aligned, strict=True):
        gold = golds[g] if g is not None and golds[g]["type"] in EVENT_TYPES else None
        rows["event"].append((trigger_features(doc, t), "not" if gold is None else "event"))
        if gold is None:
            continue
        for d in t.dates:
            if d.value is not None:
                rows["event_date"].append(
                    (date_features(doc, t, d), "yes" if dates_compatible(d.value.iso(), gold.get("date")) else "no")
                )
        for p, source in t.places:
            rows["event_place"].append((place_features(doc, t, p, source), "yes" if p.city == gold.get("location") else "no"))
        for entry in t.pool:
            rows["participant"].append(
                (participant_features(doc, t, entry), "participant" if entry.key in participants_of[g] else "not")
            )
    # The type is the occurrence's: one row per gold event, from every trigger aligned to it.
    for g, gold in enumerate(golds):
        members = [t for t, x in zip(triggers, aligned, strict=True) if x == g]
        if members and gold["type"] in EVENT_TYPES:
            rows["event_type"].append((type_features(doc, members), gold["type"]))
    pairs = [(t, g) for t, g in zip(triggers, aligned, strict=True) if g is not None and golds[g]["type"] in EVENT_TYPES]
    for i, (a, ga) in enumerate(pairs):
        for b, gb in pairs[i + 1 :]:
            rows["same_event"].append((same_event_features(doc, a, b), "same" if ga == gb else "different"))


def article_rows(article: GoldArticle) -> Rows:
    """Every model's rows from one annotated article."""
    rows: Rows = defaultdict(list)
    c = gather_candidates(article.source_file, article.text)
    doc = c.doc
    if doc.language != "en":
        return rows
    view = GoldView(doc, article.gold)
    partner_keys = view.partner_keys()
    for cand in c.partners:
        rows["partner"].append((partner_features(doc, cand), "partner" if cand.key in partner_keys else "not"))
    wanted = set(article.gold["minerals"])
    for cand in c.minerals:
        rows["mineral"].append((mineral_features(doc, cand), "mineral" if cand.mineral_id in wanted else "not"))
    for p in c.people:
        rows["person"].append((person_inputs(doc, p), "person" if person_label(p.name, article.gold) else "not"))
    _agreement_rows(view, c, rows)
    _event_rows(view, c, rows)
    return rows
