"""Agreement candidates: every phrase that may report an instrument, deal or partnership, with the
stretch of its sentence that belongs to it and every entity that could be one of its parties.

Candidate generation aims at recall. An instrument noun from the vocabulary ("memorandum of
understanding", "offtake agreement", "pact"), a membership ("joined the Minerals Security
Partnership") or talks with a named side ("in talks with Congo") each make a candidate; its party
pool holds the entities of its sentence and those the sentence leaves implicit (the article's own
country, "the two countries", the previous sentence's names). Whether a candidate reports an
agreement, who its parties are, its status and kind are decided by the models
(pipeline/extract/agreements.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache

from pipeline.extract.document import Document, EntityMention
from pipeline.extract.literal_gates import GatedPattern
from pipeline.extract.patterns import all_phrases, dispatch_alternation
from pipeline.extract.records import Sentence

GENERIC_KINDS = {"cooperation_agreement", "other"}
_MEMBERSHIP_RE = re.compile(
    r"\b(?:join(?:ed|s|ing)?|became\s+(?:a\s+|the\s+)?(?:full\s+|newest\s+|\w+\s+)?members?\s+of|accession\s+to|admitted\s+to|"
    r"membership\s+(?:of|in)|signed\s+up\s+to|(?:new\s+|newest\s+|full\s+)?members?\s+of)\b",
    re.IGNORECASE,
)
_TALKS_RE = re.compile(
    r"\b(?:(?:held|holding|hold|in|opened|begin|began|start(?:ed)?|resume[ds]?|launched)\s+)?(?:talks|negotiations|discussions|consultations)\s+(?:\w+\s+){0,2}?(?:with|between)\b|\b(?:talking|negotiat(?:e|es|ed|ing))\s+(?:\w+\s+){0,2}?with\b",
    re.IGNORECASE,
)
# A deal the text reports only by its verb ("Zenith will buy Norvale", "invested $50 million in Arlo",
# "will supply copper concentrate to", "co-owners of the project"): the verb -> (word, kind).
_DEAL_VERB_RE = re.compile(
    r"\b(?:(?P<acquire>(?:buy|buys|bought|buying|acquire[sd]?|acquiring|purchase[sd]?|purchasing)\b)"
    r"|(?P<invest>invest(?:s|ed|ing)?\s+(?:[^\s.;,]+\s+){0,5}?in\b)"
    r"|(?P<finance>financed\b|(?:to|will|would|could)\s+(?:help\s+)?(?:finance|lend)\b|(?:lends|lent)\b)"
    r"|(?P<sell>(?:sell|sells|selling|sold)\s+(?:[^\s.;,]+\s+){0,6}?to\b)"
    r"|(?P<supply>(?:(?:will|would|to|shall|could|can)\s+supply|supplied|supplying)\s+(?:[^\s.;,]+\s+){0,6}?to\b)"
    r"|(?P<co_own>co-own(?:s|ed|ers?|ership)?\b|(?:minority|majority)\s+(?:partner|shareholder|stake)\b)"
    r"|(?P<partner>partner(?:ed|ing|s)?\s+with\b))",
    re.IGNORECASE,
)
_DEAL_VERB_KINDS = {"acquire": "investment_partnership", "invest": "investment_partnership", "finance": "investment_partnership",
                    "sell": "investment_partnership", "supply": "offtake", "co_own": "joint_venture",
                    "partner": "cooperation_agreement"}  # fmt: skip
_BREAK_RE = re.compile(
    r";|:|\s[–—]\s|\(|\)|\bwhile\b|\bwhereas\b|\bbut\b|\balthough\b|\bthough\b|\bhowever\b|\bmeanwhile\b", re.IGNORECASE
)
_BOTH_RE = re.compile(
    r"\b(?:both\s+(?:sides|countries|nations|governments|leaders|parties|ministers|companies|firms)|the\s+two\s+(?:sides|countries|nations|governments|leaders|economies|companies|firms|ministers|partners)|two\s+countries|each\s+other|bilateral)\b",
    re.IGNORECASE,
)
_NAME_TOKEN_RE = re.compile(r"\(?[\w’'&.-]+\)?")
_HEAD_WORDS_RE = re.compile(
    r"(?:Initiative|Agreement|Partnership|Framework|Alliance|Pact|Accord|Treaty|Memorandum|Declaration|Dialogue|Compact|Deal)s?"
)
_NAME_OPENER_RE = re.compile(r"(?:(?:of|on|for|and|the|&|The|Under|Today['’]s|This|That|A|An|In|On|At|By|With|\S+['’]s)\s+)+")


@dataclass
class PoolEntry:
    """A possible party: an entity named in the sentence (`mention`), or one the sentence leaves
    implicit (`source`: home, both, previous, person)."""

    key: str
    mention: EntityMention | None
    source: str  # explicit | home | both | previous | person


@dataclass
class InstrumentCandidate:
    start: int
    end: int
    sentence: int
    kind: str  # from the vocabulary's instrument lexicon (a hint; the kind model decides)
    cue: str  # noun | membership | talks | deal (a verb: "will buy", "invested in", "will supply ... to")
    word: str  # the instrument words as written, lower-case
    name: str | None  # the instrument's own capitalised name, when it has one
    clause: tuple[int, int]
    pool: list[PoolEntry] = field(default_factory=list)
    fixed_party: str | None = None  # the bloc a membership joins
    # "MoUs with Malawi, Mali and Zambia": besides the joint reading, one variant per listed name
    # (`member`), whose pool keeps that name and drops the rest of the list (`group`).
    member: str | None = None
    group: tuple[str, ...] = ()

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


@cache
def _instrument_pattern(instruments: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[GatedPattern, dict[str, str]]:
    groups, kinds = [], {}
    for n, (kind, patterns) in enumerate(instruments):
        for m, p in enumerate(patterns):
            name = f"k{n}_{m}"
            kinds[name] = kind
            groups.append((len(p), name, p))
    groups.sort(key=lambda g: -g[0])
    alternation = dispatch_alternation((name, p) for _, name, p in groups)
    pattern = re.compile(rf"\b(?:{alternation})(?![\w-])", re.IGNORECASE)
    return GatedPattern(pattern, all_phrases(instruments)), kinds


def _named_prefix(text: str, start: int, lo: int) -> int:
    """Start of a capitalised name that ends at an instrument word ("India-Australia Critical Minerals Investment")."""
    pos = start
    # The words just before the instrument word, not the whole sentence again for each instrument.
    if start - lo > _NAME_REACH:
        space = text.find(" ", start - _NAME_REACH, start)
        lo = space + 1 if space >= 0 else start - _NAME_REACH
    words = list(_NAME_TOKEN_RE.finditer(text[lo:start]))
    for w in reversed(words):
        token = w.group(0)
        if text[lo + w.end() : pos].strip() not in {"", "-", "–"}:
            break
        if _HEAD_WORDS_RE.fullmatch(token):
            break
        if (
            token[:1].isupper()
            or (token[:1] == "(" and token[1:2].isupper())
            or token.lower() in {"of", "on", "for", "and", "the", "&"}
        ):
            pos = lo + w.start()
        else:
            break
    m = _NAME_OPENER_RE.match(text[pos:start])
    return pos + m.end() if m else pos


_NAME_REACH = 240  # characters: longer than any instrument's name
_DEAL_REACH = 60  # characters around an instrument noun within which a deal verb is that instrument's


def _clause(breaks: list[tuple[int, int]], sentence: Sentence, start: int, end: int) -> tuple[int, int]:
    """The stretch of the sentence between the clause breaks around [start, end) (`breaks`: the
    sentence's, in order, found once for all its instruments)."""
    i = bisect_right(breaks, start, key=lambda b: b[1])
    lo = breaks[i - 1][1] if i else sentence.start
    j = bisect_left(breaks, end, key=lambda b: b[0])
    hi = breaks[j][0] if j < len(breaks) else sentence.end
    return lo, hi


def _overlaps_entity(doc: Document, index: int, start: int, end: int) -> bool:
    """The words are part of a bloc's or organisation's name ("Minerals Security Partnership")."""
    return any(
        m.start <= start and end <= m.end and doc.kind(m.key) in {"bloc", "organization"}
        for m in doc.mentions_by_sentence.get(index, [])
    )


def _sentence_instruments(doc: Document, index: int) -> list[InstrumentCandidate]:
    text = doc.text
    s = doc.sentences[index]
    pattern, kinds = _instrument_pattern(tuple((k, tuple(v)) for k, v in doc.vocab.cues["instruments"].items()))
    headline = doc.is_headline(index)
    found: list[InstrumentCandidate] = []
    for m in pattern.finditer(text, s.start, s.end):
        if _overlaps_entity(doc, index, m.start(), m.end()):
            continue
        kind = kinds[m.lastgroup]
        start, name = m.start(), None
        if text[m.start()].isupper() and m.start() > s.start and not headline:
            name_start = _named_prefix(text, m.start(), s.start)
            if name_start < m.start():
                start, name = name_start, text[name_start : m.end()]
        if found and re.fullmatch(r"[\s-]*", text[found[-1].end : start]) and not name:
            prev = found[-1]  # "joint venture agreement": one instrument, the more specific kind
            prev.end = m.end()
            prev.word = text[prev.start : prev.end].lower() if not prev.name else prev.word
            if prev.kind in GENERIC_KINDS:
                prev.kind = kind
            continue
        found.append(InstrumentCandidate(start, m.end(), index, kind, "noun", m.group(0).lower(), name, (s.start, s.end)))
    for m in _MEMBERSHIP_RE.finditer(text, s.start, s.end):
        blocs = [
            e for e in doc.mentions_by_sentence.get(index, []) if m.end() <= e.start <= m.end() + 70 and doc.kind(e.key) == "bloc"
        ]
        if blocs:
            cand = InstrumentCandidate(
                m.start(), blocs[0].end, index, "membership", "membership", m.group(0).lower(), None, (s.start, s.end)
            )
            cand.fixed_party = blocs[0].key
            found.append(cand)
    for m in _TALKS_RE.finditer(text, s.start, s.end):
        if any(c.start <= m.start() < c.end + 40 for c in found):
            continue
        found.append(
            InstrumentCandidate(
                m.start(), m.end(), index, "cooperation_agreement", "talks", m.group(0).lower(), None, (s.start, s.end)
            )
        )
    nouns = [(c.start, c.end) for c in found]
    for m in _DEAL_VERB_RE.finditer(text, s.start, s.end):
        if any(a - _DEAL_REACH <= m.start() < b + _DEAL_REACH for a, b in nouns):
            continue  # the deal's own noun is near: that candidate reports it
        word = m.lastgroup or "deal"
        found.append(InstrumentCandidate(m.start(), m.end(), index, _DEAL_VERB_KINDS[word], "deal", word, None, (s.start, s.end)))
    found.sort(key=lambda c: c.start)
    breaks = [(m.start(), m.end()) for m in _BREAK_RE.finditer(text, s.start, s.end)]
    for c in found:
        c.clause = _clause(breaks, s, c.start, c.end)
    return found


def party_pool(doc: Document, index: int, start: int, end: int, person_countries: dict[int, list[str]]) -> list[PoolEntry]:
    """Who could take part in what text[start:end] of sentence `index` reports: the entities the
    sentence names (each at its mention nearest the span) and those it leaves implicit."""
    nearest: dict[str, EntityMention] = {}
    for m in doc.mentions_by_sentence.get(index, []):
        best = nearest.get(m.key)
        distance = max(0, m.start - end, start - m.end)
        if best is None or distance < max(0, best.start - end, start - best.end):
            nearest[m.key] = m
    pool = [PoolEntry(k, m, "explicit") for k, m in sorted(nearest.items(), key=lambda kv: kv[1].start)]
    keys = set(nearest)

    def add(key: str, source: str) -> None:
        if key not in keys:
            keys.add(key)
            pool.append(PoolEntry(key, None, source))

    if doc.sentence_has(_BOTH_RE, index):
        for key in doc.top_countries[:2]:
            add(key, "both")
    for iso3 in person_countries.get(index, []):
        if f"country:{iso3}" in doc.entries:
            add(f"country:{iso3}", "person")
    if len(keys) < 2 and index > 0:
        for m in doc.mentions_by_sentence.get(index - 1, []):
            add(m.key, "previous")
    if doc.home:
        add(doc.home, "home")
    return pool


_LIST_GAP_RE = re.compile(r"\s*(?:\([^()]{1,16}\)\s*)?(?:,|and|&|or|, and)\s*(?:and\s+)?(?:the\s+)?")
_LIST_FOLLOWS_RE = re.compile(r"(?:These|They|Those|Among\s+them|Such\s+\w+|This\s+includes?)\b")


def list_groups(doc: Document, index: int, after: int = -1) -> list[tuple[str, ...]]:
    """Runs of two or more names of one kind in a list ("Malawi, Mali, Morocco and Zambia"), those
    starting after offset `after` only."""
    cache = doc.memo.setdefault("list_groups", {})
    found = cache.get((index, after))
    if found is None:
        found = cache[(index, after)] = _list_groups(doc, index, after)
    return found


def _list_groups(doc: Document, index: int, after: int) -> list[tuple[str, ...]]:
    groups: list[list[EntityMention]] = []
    for m in doc.mentions_by_sentence.get(index, []):
        last = groups[-1][-1] if groups else None
        if last is not None and m.key == last.key and re.fullmatch(r"\s*\(", doc.text[last.end : m.start]):
            continue  # "Democratic Republic of the Congo (DRC)": the same name again
        if (
            last is not None
            and doc.kind(last.key) == doc.kind(m.key)
            and m.key not in {x.key for x in groups[-1]}
            and _LIST_GAP_RE.fullmatch(doc.text, last.end, m.start)
        ):
            groups[-1].append(m)
        else:
            groups.append([m])
    return [tuple(m.key for m in g) for g in groups if len(g) >= 2 and g[0].start > after]


def _list_variants(cand: InstrumentCandidate, groups: list[tuple[str, ...]]) -> list[InstrumentCandidate]:
    out = []
    pool_keys = {e.key for e in cand.pool}
    for group in groups:
        if not set(group) <= pool_keys:
            continue
        for member in group:
            variant = InstrumentCandidate(
                cand.start, cand.end, cand.sentence, cand.kind, cand.cue, cand.word, cand.name, cand.clause,
                [e for e in cand.pool if e.key == member or e.key not in group], cand.fixed_party, member, group,
            )  # fmt: skip
            out.append(variant)
    return out


def instrument_candidates(doc: Document, person_countries: dict[int, list[str]] | None = None) -> list[InstrumentCandidate]:
    """Every agreement candidate of the article, in text order, each with its party pool (and, for a
    candidate whose sentence lists names, its one-agreement-per-name variants)."""
    out: list[InstrumentCandidate] = []
    for index in range(len(doc.sentences)):
        following: list[tuple[str, ...]] = []
        if index + 1 < len(doc.sentences) and _LIST_FOLLOWS_RE.match(doc.text, doc.sentences[index + 1].start):
            following = list_groups(doc, index + 1)  # "... strategic partnerships with the EU. These include Canada, ..."
        for cand in _sentence_instruments(doc, index):
            # Only a list after the instrument is read one agreement per name ("MoUs with Mali and Zambia");
            # "The United States and Japan signed a framework" is one agreement. Joiners are listed
            # before what they join ("Ecuador and Serbia became members of the MSP"): one membership each.
            groups = list_groups(doc, index, after=-1 if cand.cue == "membership" else cand.start)
            cand.pool = party_pool(doc, index, cand.start, cand.end, person_countries or {})
            if following and cand.word.endswith("s"):
                known = {e.key for e in cand.pool}
                cand.pool += [PoolEntry(k, None, "next") for g in following for k in g if k not in known]
            out.append(cand)
            if groups or following:
                out.extend(_list_variants(cand, groups + following))
    return out
