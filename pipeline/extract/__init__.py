"""Extraction: article text in, records with evidence spans out. No Dagster here.

Three stages a reader can follow:
1. candidates (high recall): document.py reads every name, mineral, place and date; partners.py,
   minerals.py, people.py, instruments.py and triggers.py turn them into candidates;
2. features: named signals of each candidate - the pattern rules of pipeline/rules/*.yaml (rules.py)
   and measured facts (*_features.py, partners.py, minerals.py, people.py);
3. decisions: small linear models fitted on real annotated articles (model.py, pipeline/models/)
   decide; agreements.py and events.py put their answers together into records.

`extract_article` is the one entry point; `gather_candidates` is what training reads too.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.extract.agreements import decide_agreements
from pipeline.extract.calibration import Calibration, load_calibration
from pipeline.extract.document import Document, read_document
from pipeline.extract.events import decide_events
from pipeline.extract.instruments import InstrumentCandidate, instrument_candidates
from pipeline.extract.minerals import MineralCandidate, decide_minerals, mineral_candidates
from pipeline.extract.model import Decision, LinearModel, load_models
from pipeline.extract.partners import PartnerCandidate, decide_partners, partner_candidates, partner_records
from pipeline.extract.persons import extract_people, person_features
from pipeline.extract.records import ArticleExtraction, PersonRecord
from pipeline.extract.triggers import TriggerCandidate, trigger_candidates

__all__ = ["Candidates", "extract_article", "gather_candidates"]

MODEL_NAMES = ("partner", "mineral", "person", "agreement", "party", "party_count", "party_mix", "status", "kind", "same_agreement", "event",
               "same_event", "event_type", "event_date", "event_place", "participant")  # fmt: skip


@dataclass
class Candidates:
    """Everything an article could yield, before any model decides."""

    doc: Document
    partners: list[PartnerCandidate]
    minerals: list[MineralCandidate]
    people: list[PersonRecord]
    instruments: list[InstrumentCandidate]
    triggers: list[TriggerCandidate]


def _people(doc: Document) -> list[PersonRecord]:
    sentence_countries: dict[int, list[str]] = {}
    for m in doc.mentions:
        if m.key.startswith("country:"):
            keys = sentence_countries.setdefault(m.sentence, [])
            if m.key[8:] not in keys:
                keys.append(m.key[8:])
    home = doc.home.split(":")[1] if doc.home else None
    return extract_people(doc.text, doc.sentences, doc.hits, doc.entries, doc.vocab, home, sentence_countries)


def _drop_people_taken_for_organisations(doc: Document, people: list[PersonRecord]) -> None:
    """A name the person finder reads as a person ("managing partner Chris Showalter") is no organisation."""
    spans = [(s.start, s.end) for p in people if not p.surname_only for s in p.spans]
    if not spans:
        return
    kept = [m for m in doc.mentions if not (m.key in doc.pattern_orgs and any(a < m.end and m.start < b for a, b in spans))]
    if len(kept) != len(doc.mentions):
        doc.mentions = kept
        doc.__dict__.pop("mentions_by_sentence", None)


# An event's participant and an agreement's party are partners (the guide), so one the partner model
# all but rules out (a quoted analyst's employer, the agency that reported the deal, a rival named
# beside it) is dropped from the event, and the agreement that needs it as a side is not published:
# its party set, the thing the agreement is, would be wrong.
PARTICIPANT_FLOOR = 0.2


def gather_candidates(source_file: str, raw_text: str) -> Candidates:
    doc = read_document(source_file, raw_text)
    if doc.language != "en":
        return Candidates(doc, [], [], [], [], [])
    people = _people(doc)
    _drop_people_taken_for_organisations(doc, people)
    person_countries: dict[int, list[str]] = {}
    for p in people:
        for s in p.spans:
            if p.country_iso3 and p.country_iso3 not in person_countries.get(s.sentence, []):
                person_countries.setdefault(s.sentence, []).append(p.country_iso3)
    return Candidates(
        doc,
        partner_candidates(doc),
        mineral_candidates(doc.text, doc.mineral_hits),
        people,
        instrument_candidates(doc, person_countries),
        trigger_candidates(doc, person_countries),
    )


def person_inputs(doc: Document, p: PersonRecord) -> dict[str, float]:
    first = p.spans[0].sentence
    return person_features(p, doc.text, doc.is_headline(first), doc.sentence_signals(first))


def _decide_people(doc: Document, people: list[PersonRecord], model: LinearModel) -> list[PersonRecord]:
    out = []
    for p in people:
        decision = model.decide(person_inputs(doc, p))
        if decision.label != "person":
            continue
        p.confidence = round(decision.probability, 4)
        p.decided_by, p.model = decision.explain(), decision.model
        out.append(p)
    return out


def extract_article(
    source_file: str, raw_text: str, models: dict[str, LinearModel] | None = None, calibration: Calibration | None = None
) -> ArticleExtraction:
    """Everything one article states about critical-minerals partnerships, with evidence and the
    decision behind every record; `confidence` is each record's calibrated probability of being right."""
    models = models if models is not None else load_models()
    calibration = calibration if calibration is not None else load_calibration()
    c = gather_candidates(source_file, raw_text)
    doc = c.doc
    if doc.language != "en":
        return ArticleExtraction(source_file, doc.text, doc.title, doc.published, doc.sentences, [], [], [], [], [], doc.language)
    missing = [name for name in MODEL_NAMES if name not in models]
    if missing:
        raise RuntimeError(
            f"decision models missing from pipeline/models/: {', '.join(missing)} (run `python -m pipeline train`)"
        )
    agreements, parties = decide_agreements(doc, c.instruments, models)
    events, participants = decide_events(doc, c.triggers, models)
    partner_decisions = decide_partners(doc, c.partners, models["partner"])
    doubtful = {
        k
        for k, d in partner_decisions.items()
        if (d.probability if d.label == "partner" else 1 - d.probability) < PARTICIPANT_FLOOR
    }
    for e in events:
        e.participants = [k for k in e.participants if k not in doubtful]
    agreements = [a for a in agreements if not doubtful & set(a.parties)]
    parties = {k: d for k, d in parties.items() if any(k in a.parties for a in agreements)}  # of published ones
    participants = {k: d for k, d in participants.items() if k not in doubtful}
    also: dict[str, Decision] = dict(participants)
    for key, decision in parties.items():
        if key not in also or decision.probability > also[key].probability:
            also[key] = decision
    partners = partner_records(doc, c.partners, partner_decisions, also)
    minerals = decide_minerals(doc, c.minerals, models["mineral"])
    kept = {m.mineral_id for m in minerals}
    for a in agreements:
        a.minerals = [m for m in a.minerals if m in kept]  # an agreement covers minerals the article is found to name
    people = _decide_people(doc, c.people, models["person"])
    for table, records in (("partners", partners), ("minerals", minerals), ("people", people), ("agreements", agreements),
                           ("events", events)):  # fmt: skip
        for r in records:
            r.confidence = calibration(table, r.confidence)
    return ArticleExtraction(
        source_file=source_file,
        text=doc.text,
        title=doc.title,
        published_date=doc.published,
        sentences=doc.sentences,
        partners=partners,
        minerals=minerals,
        people=people,
        agreements=agreements,
        events=events,
        language=doc.language,
    )
