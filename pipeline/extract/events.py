"""Events: which triggers report an event and of which type, which date and place attach, who takes
part, and which triggers tell the same occurrence.

Each question is answered by its own model (pipeline/models/): event (does a trigger report one),
same_event (which triggers tell one occurrence), event_type (of the occurrence, from all its
triggers), event_date, event_place and participant. This module puts their answers together into records with evidence,
and applies the annotation guide's one hard rule: an occurrence with neither date nor place is an
event only if the text names it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.extract.document import DateExpression, Document
from pipeline.extract.event_features import (
    date_features,
    participant_features,
    place_features,
    same_event_features,
    trigger_features,
    type_features,
)
from pipeline.extract.grouping import group_greedily, mean
from pipeline.extract.model import Decision, LinearModel
from pipeline.extract.places import PlaceMention
from pipeline.extract.records import DateValue, EventRecord, Span, iso_dates_agree
from pipeline.extract.triggers import TriggerCandidate

EVENT_TYPES = ("meeting", "visit", "summit", "conference", "cabinet_decision", "signing", "announcement", "dialogue")
_TYPE_LABEL = {"meeting": "meeting", "visit": "visit", "summit": "summit", "conference": "conference",
               "cabinet_decision": "cabinet decision", "signing": "signing", "announcement": "announcement",
               "dialogue": "dialogue"}  # fmt: skip
_RANK = {"day": 0, "month": 1, "year": 2}


@dataclass
class _Accepted:
    trigger: TriggerCandidate
    decision: Decision
    date: tuple[float, DateExpression] | None
    place: tuple[float, PlaceMention] | None
    participants: dict[str, Decision]


@dataclass
class _Cluster:
    members: list[_Accepted] = field(default_factory=list)


def _best_date(doc: Document, t: TriggerCandidate, model: LinearModel) -> tuple[float, DateExpression] | None:
    best = None
    for d in t.dates:
        if d.value is None:
            continue
        p = model.probability(date_features(doc, t, d))
        if p >= 0.5 and (best is None or (p, -_RANK[d.value.precision]) > (best[0], -_RANK[best[1].value.precision])):
            best = (p, d)
    return best


def _best_place(doc: Document, t: TriggerCandidate, model: LinearModel) -> tuple[float, PlaceMention] | None:
    best = None
    for p, source in t.places:
        probability = model.probability(place_features(doc, t, p, source))
        if probability >= 0.5 and (best is None or probability > best[0]):
            best = (probability, p)
    return best


# A trigger joins the occurrence whose triggers it is, on average, likeliest to report with it, when
# that average reaches this. Above one half: merging two occurrences loses one and mistypes the other,
# splitting one costs a duplicate. Chosen by grouped cross-validation on the real articles (max
# linkage at one half merged chains of triggers into one occurrence).
SAME_EVENT_THRESHOLD = 0.65


def _accept(doc: Document, triggers: list[TriggerCandidate], models: dict[str, LinearModel]) -> list[_Accepted]:
    out = []
    for t in triggers:
        decision = models["event"].decide(trigger_features(doc, t))
        if decision.label != "event":
            continue
        participants = {}
        for e in t.pool:
            verdict = models["participant"].decide(participant_features(doc, t, e))
            if verdict.label == "participant":
                participants[e.key] = verdict
        date, place = _best_date(doc, t, models["event_date"]), _best_place(doc, t, models["event_place"])
        out.append(_Accepted(t, decision, date, place, participants))
    return out


def _dates_conflict(a: _Accepted, b: _Accepted) -> bool:
    """Two triggers whose own dates contradict ("met on 3 May" and "met in June") tell two occurrences."""
    if a.date is None or b.date is None:
        return False
    return not iso_dates_agree(a.date[1].value.iso(), b.date[1].value.iso())


def _mean_unless_vetoed(values: list[float]) -> float:
    return 0.0 if min(values) <= 0.0 else mean(values)


def _cluster(doc: Document, accepted: list[_Accepted], model: LinearModel) -> list[_Cluster]:
    """Triggers of one occurrence grouped by the same-event model (greedy, in text order, average
    linkage); one occurrence has one date, so a trigger never joins members whose date contradicts its own."""

    def same(m: _Accepted, a: _Accepted) -> float:
        if _dates_conflict(m, a):
            return 0.0
        return model.probability(same_event_features(doc, m.trigger, a.trigger))

    return [_Cluster(group) for group in group_greedily(accepted, same, SAME_EVENT_THRESHOLD, _mean_unless_vetoed)]


# A trip or forum reported by its end ("ends a four-day visit", "wrapped up on Sunday a weeklong trip"):
# the day stated is its last. The guide dates a multi-day occurrence by its first day if stated (one
# that follows from the end day and the length counts, guide notes call 56), else by its month.
_ENDED_RE = re.compile(
    r"\b(?:end(?:s|ed|ing)?|conclud(?:es|ed|ing)|wrap(?:s|ped|ping)?\s+up|w(?:ound|inds?)\s+up)\b", re.IGNORECASE
)
_LENGTH_RE = re.compile(r"\b(?:(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)[- ]days?|(week)[- ]?long)\b", re.IGNORECASE)
_NUMBER = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "week": 7}
_MULTI_DAY = ("visit", "conference")


def first_day_of_ended(doc: Document, t: TriggerCandidate, date: DateValue, event_type: str) -> DateValue:
    """The first day of a multi-day occurrence whose stated day is its end (rule `ended_trip_first_day`):
    the end day less the stated length, else the month."""
    if date.precision != "day" or event_type not in _MULTI_DAY:
        return date
    s = doc.sentences[t.sentence]
    lo = max(s.start, t.start - 50)
    ends = list(_ENDED_RE.finditer(doc.text, lo, t.start))
    if not ends:
        return date
    lengths = list(_LENGTH_RE.finditer(doc.text, ends[-1].start(), t.end))
    if not lengths:
        return DateValue(date.value.replace(day=1), "month")
    word = (lengths[-1].group(1) or lengths[-1].group(2)).lower()
    days = int(word) if word.isdigit() else _NUMBER[word]
    return DateValue(date.value - dt.timedelta(days=days - 1), "day")


def _visit_host(doc: Document, members: list[_Accepted]) -> str | None:
    """The country a visit goes to ("visit to Namibia"), when the text names no city."""
    for m in members:
        for mention in doc.mentions_by_sentence.get(m.trigger.sentence, []):
            if "visit_host" in mention.signals and mention.key.startswith("country:"):
                return mention.key.split(":")[1]
    return None


def _describe(doc: Document, event_type: str, participants: list[str], location: str | None) -> str:
    names = "–".join(doc.entry(p).name for p in participants[:4])
    where = f" in {location}" if location else ""
    return f"{names} {_TYPE_LABEL[event_type]}{where}".strip()


def decide_events(
    doc: Document, triggers: list[TriggerCandidate], models: dict[str, LinearModel]
) -> tuple[list[EventRecord], dict[str, Decision]]:
    """The article's events, and the participant model's decision on every participant (each is a partner)."""
    records = []
    participant_decisions: dict[str, Decision] = {}
    for cluster in _cluster(doc, _accept(doc, triggers, models), models["same_event"]):
        members = cluster.members
        typed = models["event_type"].decide(type_features(doc, [m.trigger for m in members]))
        event_type = typed.label
        dated = [(m.date, m) for m in members if m.date]
        date: DateValue | None = None
        if dated:
            (_, expression), dated_by = max(dated, key=lambda x: x[0][0])
            date = first_day_of_ended(doc, dated_by.trigger, expression.value, event_type)
        placed = [m.place for m in members if m.place]
        place = max(placed, key=lambda x: x[0])[1] if placed else None
        participants: list[str] = []
        for m in members:
            participants += [k for k in m.participants if k not in participants]
        name = next((m.trigger.name for m in members if m.trigger.name), None)
        country = place.iso3 if place else _visit_host(doc, members) if event_type == "visit" else None
        if not (date or place or name or country):
            continue  # the guide: with neither date nor place, only a named occurrence is an event
        best = max(members, key=lambda m: m.decision.probability)
        for m in members:
            for key, decision in m.participants.items():
                if key not in participant_decisions or decision.probability > participant_decisions[key].probability:
                    participant_decisions[key] = decision
        spans = sorted({(m.trigger.start, m.trigger.end, m.trigger.sentence) for m in members})
        records.append(
            EventRecord(
                event_type=event_type,
                name=name or _describe(doc, event_type, participants, place.city if place else None),
                named=name is not None,
                date=date,
                location=place.city if place else None,
                country_iso3=country,
                participants=participants,
                confidence=round(best.decision.probability * typed.probability, 4),
                spans=[Span(a, b, s) for a, b, s in spans],
                decided_by=best.decision.explain(),
                model=best.decision.model,
            )
        )
    return _merge_same_day(records), participant_decisions


def _merge_same_day(records: list[EventRecord]) -> list[EventRecord]:
    """Occurrences of one type on one stated day are one occurrence (the guide: one entry per
    distinct occurrence; several instruments signed that day are one signing), told in parts."""
    out: list[EventRecord] = []
    by_day: dict[tuple[str, str], EventRecord] = {}
    for r in records:
        key = (r.event_type, r.date.iso()) if r.date is not None and r.date.precision == "day" else None
        first = by_day.get(key) if key else None
        if first is None:
            if key:
                by_day[key] = r
            out.append(r)
            continue
        first.participants += [k for k in r.participants if k not in first.participants]
        first.spans = sorted(set(first.spans) | set(r.spans), key=lambda sp: (sp.start, sp.end))
        if not first.named and r.named:
            first.name, first.named = r.name, True
        if first.location is None and r.location is not None:
            first.location, first.country_iso3 = r.location, r.country_iso3
        first.country_iso3 = first.country_iso3 or r.country_iso3
        if r.confidence > first.confidence:
            first.confidence, first.decided_by, first.model = r.confidence, r.decided_by, r.model
    return out
