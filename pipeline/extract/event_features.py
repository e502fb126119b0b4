"""Features of event candidates: what the event-type, date, place, participant and same-event
models see. Every feature is a named signal: a rule of pipeline/rules/ that fired, or a measured
fact about the trigger, the date or place it could take, and the names around it.
"""

from __future__ import annotations

import re

from pipeline.extract.document import DateExpression, Document
from pipeline.extract.instruments import PoolEntry
from pipeline.extract.model import Features
from pipeline.extract.partners import SENTENCE_SIGNALS
from pipeline.extract.places import PlaceMention
from pipeline.extract.triggers import TriggerCandidate

_WORD_BEFORE_RE = re.compile(r"(\w+)\W*$")
_BREAK_RE = re.compile(r";|\bwhile\b|\bbut\b|\bwhereas\b|\balthough\b")
_DATE_PREPOSITIONS = {"on", "in", "since", "by", "until", "from", "last", "this", "next", "through", "till", "before", "after",
                      "during", "of", "early", "late", "mid", "end", "and", "to", "between"}  # fmt: skip
_PLACE_PREPOSITIONS = {"in", "at", "to", "from", "near", "of", "visit", "visited", "visiting", "arrived", "hosted", "host"}
_ENTITY_FAMILIES = ("rival", "background", "place", "visit_host", "leader", "attribute", "owner", "observer", "venue",
                    "gathering", "former", "counterpart", "pair_name", "actor", "caption")  # fmt: skip


def trigger_signals(doc: Document, t: TriggerCandidate) -> Features:
    """The trigger rules' signals for the trigger's words."""
    return doc.span_signals("trigger", t.start, t.end, t.sentence)


def date_relation(doc: Document, d: DateExpression) -> str:
    """How a date stands to the article's own date: same_day, past_week, past_two_months, past_year,
    older, future, or unknown."""
    if d.value is None or doc.published is None:
        return "unknown"
    days = (doc.published - d.value.value).days
    if d.value.precision != "day":  # a month or year: compare with the period's end
        if d.value.precision == "month":
            same = (d.value.value.year, d.value.value.month) == (doc.published.year, doc.published.month)
        else:
            same = d.value.value.year == doc.published.year
        if same:
            return "same_period"
    if days == 0:
        return "same_day"
    if days < 0:
        return "future"
    return "past_week" if days <= 7 else "past_two_months" if days <= 62 else "past_year" if days <= 400 else "older"


def _word_before(text: str, lo: int, pos: int) -> str:
    m = _WORD_BEFORE_RE.search(text[max(lo, pos - 25) : pos])
    return m.group(1).lower() if m else ""


def trigger_features(doc: Document, t: TriggerCandidate) -> Features:
    """Whether the trigger reports an event (the event model)."""
    f: Features = {"lex:" + t.lexicon_type: 1.0, "word:" + t.word: 1.0}
    if t.name:
        f["named"] = 1.0
        f["named_lex:" + t.lexicon_type] = 1.0
    if doc.is_headline(t.sentence):
        f["in_headline"] = 1.0
    f[f"sentence_{min(t.sentence, 6)}"] = 1.0
    f.update(trigger_signals(doc, t))
    signals = doc.sentence_signals(t.sentence)
    f.update({"s:" + k: 1.0 for k in SENTENCE_SIGNALS if k in signals})
    for d in t.dates:
        if d.value is not None:
            f["date:" + d.value.precision] = 1.0
            f["date_rel:" + date_relation(doc, d)] = 1.0
    for p, source in t.places:
        f[f"place:{source}:{p.kind}"] = 1.0
    explicit = doc.mentions_by_sentence.get(t.sentence, [])
    keys = {m.key for m in explicit}
    f[f"entities_in_sentence_{min(len(keys), 3)}"] = 1.0
    if any("visit_host" in m.signals for m in explicit):
        f["visit_host_named"] = 1.0
    return f


def type_features(doc: Document, triggers: list[TriggerCandidate]) -> Features:
    """Which type of event the triggers of one occurrence report (the event-type model): what each
    trigger's words say, aggregated - whether any says it, what share do, what the first says."""
    per = [trigger_features(doc, t) for t in sorted(triggers, key=lambda t: t.start)]
    f: Features = {f"triggers_{min(len(per), 4)}": 1.0}
    counts: dict[str, int] = {}
    for features in per:
        for key in features:
            counts[key] = counts.get(key, 0) + 1
    for key in counts:
        f["any:" + key] = 1.0
    return f


def date_features(doc: Document, t: TriggerCandidate, d: DateExpression) -> Features:
    """Whether date `d` is the date of the event `t` reports (the event-date model)."""
    f: Features = {"precision:" + d.value.precision if d.value else "precision:none": 1.0, "rel:" + date_relation(doc, d): 1.0}
    before = d.end <= t.start
    distance = t.start - d.end if before else d.start - t.end
    side = "before" if before else "after"
    f["side:" + side] = 1.0
    for edge in (15, 40, 80):
        if distance < edge:
            f[f"dist_{side}_lt{edge}"] = 1.0
    s = doc.sentences[t.sentence]
    word = _word_before(doc.text, s.start, d.start)
    f["prep:" + (word if word in _DATE_PREPOSITIONS else "other")] = 1.0
    f[f"lex_rel:{t.lexicon_type}&{date_relation(doc, d)}"] = 1.0
    real = [x for x in t.dates if x.value is not None]
    f[f"dates_in_sentence_{min(len(real), 3)}"] = 1.0
    nearest = min(real, key=lambda x: max(0, x.start - t.end, t.start - x.end), default=None)
    if nearest is d:
        f["nearest_date"] = 1.0
    lo, hi = (d.end, t.start) if before else (t.end, d.start)
    if _BREAK_RE.search(doc.text, lo, hi):
        f["break_between"] = 1.0
    if "trig_history" in trigger_signals(doc, t):
        f["trigger_history"] = 1.0
    if "trig_future" in trigger_signals(doc, t):
        f["trigger_future"] = 1.0
    return f


def place_features(doc: Document, t: TriggerCandidate, p: PlaceMention, source: str) -> Features:
    """Whether place `p` is where the event `t` reports took place (the event-place model)."""
    f: Features = {"source:" + source: 1.0, "kind:" + p.kind: 1.0}
    if p.capital:
        f["capital"] = 1.0
    if source == "sentence":
        before = p.end <= t.start
        side = "before" if before else "after"
        distance = t.start - p.end if before else p.start - t.end
        f["side:" + side] = 1.0
        for edge in (15, 40, 80):
            if distance < edge:
                f[f"dist_{side}_lt{edge}"] = 1.0
        s = doc.sentences[t.sentence]
        word = _word_before(doc.text, s.start, p.start)
        prep = word if word in _PLACE_PREPOSITIONS else "other"
        f["prep:" + prep] = 1.0
        f[f"lex_prep:{t.lexicon_type}&{prep}"] = 1.0
        same = [q for q, src in t.places if src == "sentence"]
        nearest = min(same, key=lambda q: max(0, q.start - t.end, t.start - q.end), default=None)
        if nearest is p:
            f["nearest_place"] = 1.0
        lo, hi = (p.end, t.start) if before else (t.end, p.start)
        if _BREAK_RE.search(doc.text, lo, hi):
            f["break_between"] = 1.0
    else:
        f["lex_dateline:" + t.lexicon_type] = 1.0
        if "sent_reporting" in doc.sentence_signals(t.sentence):
            f["dateline_reported_sentence"] = 1.0
    if p.iso3 and f"country:{p.iso3}" == doc.home:
        f["home_country_place"] = 1.0
    return f


def participant_features(doc: Document, t: TriggerCandidate, entry: PoolEntry) -> Features:
    """Whether a pool entity takes part in the event `t` reports (the participant model)."""
    kind = doc.kind(entry.key)
    f: Features = {"src:" + entry.source: 1.0, "kind:" + kind: 1.0, f"lex_kind:{t.lexicon_type}&{kind}": 1.0}
    if entry.key == doc.home:
        f["is_home"] = 1.0
    if any(entry.key == f"country:{p.iso3}" for p, src in t.places if src == "sentence"):
        f["country_of_a_place"] = 1.0
    m = entry.mention
    if m is None:
        return f
    f["form:" + m.form] = 1.0
    for family in _ENTITY_FAMILIES:
        if family in m.signals:
            f["e:" + family] = 1.0
            f[f"lex_e:{t.lexicon_type}&{family}"] = 1.0
    before = m.end <= t.start
    distance = t.start - m.end if before else max(0, m.start - t.end)
    side = "before" if before else "after"
    f["side:" + side] = 1.0
    for edge in (20, 60, 120):
        if distance < edge:
            f[f"dist_{side}_lt{edge}"] = 1.0
    if t.start <= m.start and m.end <= t.end:
        f["inside_name"] = 1.0
    return f


def _date_values(t: TriggerCandidate) -> set[str]:
    return {d.value.iso() for d in t.dates if d.value is not None}


def same_event_features(doc: Document, a: TriggerCandidate, b: TriggerCandidate) -> Features:
    """Whether two accepted triggers tell the same event (the merge model); `a` comes first."""
    type_a, type_b = a.lexicon_type, b.lexicon_type
    f: Features = {f"types:{min(type_a, type_b)}&{max(type_a, type_b)}": 1.0}
    if type_a == type_b:
        f["same_type"] = 1.0
    gap = b.sentence - a.sentence
    f[
        "same_sentence" if gap == 0 else "adjacent_sentences" if gap == 1 else "near_sentences" if gap <= 4 else "far_sentences"
    ] = 1.0
    if a.name and b.name:
        f["both_named_same" if a.name.lower() == b.name.lower() else "both_named_different"] = 1.0
    elif a.name or b.name:
        f["one_named"] = 1.0
    da, db = _date_values(a), _date_values(b)
    if da and db:
        f["dates_shared" if da & db else "dates_differ"] = 1.0
    elif da or db:
        f["one_dated"] = 1.0
    pa = {p.city for p, src in a.places if src == "sentence"}
    pb = {p.city for p, src in b.places if src == "sentence"}
    if pa and pb:
        f["places_shared" if pa & pb else "places_differ"] = 1.0
    ka = {m.key for m in doc.mentions_by_sentence.get(a.sentence, [])}
    kb = {m.key for m in doc.mentions_by_sentence.get(b.sentence, [])}
    if ka and kb:
        overlap = len(ka & kb) / len(ka | kb)
        f["entities_shared_most" if overlap >= 0.5 else "entities_shared_some" if overlap > 0 else "entities_disjoint"] = 1.0
    sa, sb = trigger_signals(doc, a), trigger_signals(doc, b)
    if ("trig_future" in sa) != ("trig_future" in sb):
        f["future_differs"] = 1.0
    if ("trig_history" in sa) != ("trig_history" in sb):
        f["history_differs"] = 1.0
    if re.search(r"\b(?:the|this|that)\s+(?:[\w-]+\s+)?$", doc.text[max(0, b.start - 25) : b.start], re.IGNORECASE):
        f["second_definite"] = 1.0
    return f
