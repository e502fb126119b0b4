"""Event candidates: every word or name that may report a meeting, visit, summit, conference,
cabinet decision, signing, announcement or dialogue, with every date and place it could attach to.

Candidate generation aims at recall: a trigger from the vocabulary's event lexicon ("met",
"visit", "summit", "signed"), or a capitalised event name ("India Energy Week", "PDAC 2026").
Each carries the date expressions of its sentence and the places of its sentence (cities, and
venues resolved to their city), plus the article's dateline place. Whether a trigger reports an
event, of which type, which date and place attach and which triggers tell the same event are
decided by the models (pipeline/extract/events.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from pipeline.extract.document import DateExpression, Document
from pipeline.extract.instruments import PoolEntry, party_pool
from pipeline.extract.literal_gates import GatedPattern
from pipeline.extract.patterns import all_phrases, dispatch_alternation
from pipeline.extract.places import PlaceMention

# A dateline opens the article: "TOKYO (dpa-AFX) -", "Windhoek [Namibia], July 10 (ANI):", "NEW DELHI, March 3 (Reuters) -".
_DATELINE_RE = re.compile(
    r"[A-Z][A-Za-z .'’-]{1,40}?(?:\s*\[[^\]]{1,30}\])?\s*(?:,\s*[A-Z][a-z]+\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*(?:\([^)]{1,30}\))?\s*[-–—:]"
)


@dataclass
class TriggerCandidate:
    start: int
    end: int
    sentence: int
    lexicon_type: str  # the event type the vocabulary gives the word (a hint; the type model decides)
    word: str  # lower-case
    name: str | None  # a capitalised event name the trigger heads ("G20 Summit", "PDAC 2026")
    dates: list[DateExpression] = field(default_factory=list)
    places: list[tuple[PlaceMention, str]] = field(default_factory=list)  # (place, source: sentence | dateline)
    pool: list[PoolEntry] = field(default_factory=list)  # who could take part (see instruments.party_pool)


@cache
def _trigger_pattern(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[GatedPattern, dict[str, str]]:
    branches, types = [], {}
    for n, (event_type, phrases) in enumerate(groups):
        for m, p in enumerate(phrases):
            name = f"t{n}_{m}"
            types[name] = event_type
            branches.append((len(p), name, p))
    branches.sort(key=lambda b: -b[0])
    alternation = dispatch_alternation((name, p) for _, name, p in branches)
    return GatedPattern(re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE), all_phrases(groups)), types


@cache
def _name_pattern(heads: tuple[str, ...]) -> re.Pattern[str]:
    head = "|".join(heads)
    word = r"(?:[A-Z0-9][\w'’&.–-]*|of|on|for|and|the|de|&|[-–])"
    # A name opens a word (the look-behind): tried inside a long word, it would read the word again from each letter.
    return re.compile(
        rf"(?<![\w'’&.–-])(?:[A-Z][\w'’&.–-]*\s+)(?:{word}\s+){{0,8}}?(?:{head})\b(?:\s+(?:19|20)\d{{2}})?|\b(?:{head})\s+(?:19|20)\d{{2}}\b"
    )


_NAME_LEAD_RE = re.compile(r"(?:(?:The|A|An|At|In|During|On|After|Before|Following|Ahead|Of)\s+)+")


def _event_names(doc: Document, index: int) -> list[tuple[int, int, str]]:
    s = doc.sentences[index]
    out = []
    for m in _name_pattern(tuple(doc.vocab.cues["event_name_heads"])).finditer(doc.text, s.start, s.end):
        lead = _NAME_LEAD_RE.match(m.group(0))
        start = m.start() + (lead.end() if lead else 0)
        out.append((start, m.end(), doc.text[start : m.end()]))
    return out


def dateline_places(doc: Document) -> list[PlaceMention]:
    """The place of the article's dateline ("NEW DELHI, March 3 (Reuters) -"), if it has one."""
    for index in range(min(3, len(doc.sentences))):
        s = doc.sentences[index]
        m = _DATELINE_RE.match(doc.text, s.start, s.end)
        if not m:
            continue
        found = [p for p in doc.places if s.start <= p.start < m.end()]
        if found:
            return found[:1]
        head = _DATELINE_CITY_RE.match(doc.text, s.start, m.end())
        city = doc.vocab.cities.get(head.group(1).title()) if head else None  # written in capitals
        if city is not None:
            return [PlaceMention(head.start(1), head.end(1), index, city.name, city.iso3, "city", False)]
    return []


_DATELINE_CITY_RE = re.compile(r"([A-Z][A-Za-z'’.-]+(?:\s+[A-Z][A-Za-z'’.-]+){0,2})")


def trigger_candidates(doc: Document, person_countries: dict[int, list[str]] | None = None) -> list[TriggerCandidate]:
    """Every event candidate of the article, in text order, with its candidate dates and places."""
    cues = doc.vocab.cues
    groups = tuple((t, tuple(p)) for t, p in cues["events"].items()) + (("signing", tuple(cues["signing_verbs"])),)
    pattern, types = _trigger_pattern(groups)
    dateline = dateline_places(doc)
    places_by_sentence: dict[int, list[PlaceMention]] = {}
    for p in doc.places:
        places_by_sentence.setdefault(p.sentence, []).append(p)
    out: list[TriggerCandidate] = []
    for index, s in enumerate(doc.sentences):
        names = _event_names(doc, index)
        found: list[TriggerCandidate] = []
        for m in pattern.finditer(doc.text, s.start, s.end):
            name = next((n for a, b, n in names if a <= m.start() < b), None)
            found.append(TriggerCandidate(m.start(), m.end(), index, types[m.lastgroup], m.group(0).lower(), name))
        for a, b, name in names:
            if not any(a <= t.start < b for t in found):
                found.append(TriggerCandidate(a, b, index, "conference", name.split()[-1].lower(), name))
        if not found:
            continue
        dates = doc.dates_in(index)
        places = [(p, "sentence") for p in places_by_sentence.get(index, [])]
        # The dateline's city is a candidate only for the events its own lede reports ("TOKYO - Japan and
        # Chile held talks on Monday"): the guide takes it only when the text reports the event as held there.
        places += [(p, "dateline") for p in dateline if p.sentence == index and all(q.start != p.start for q, _ in places)]
        for t in sorted(found, key=lambda t: t.start):
            t.dates = list(dates)
            t.places = list(places)
            t.pool = party_pool(doc, index, t.start, t.end, person_countries or {})
            out.append(t)
    return out
