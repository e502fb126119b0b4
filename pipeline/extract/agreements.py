"""Agreements: instruments, their parties, status, date, minerals and value-chain stages.

An agreement is found at an instrument phrase ("a joint declaration of intent", "the
India-Australia Critical Minerals Investment Partnership", "joined Pax Silica", "talking to
France and Brazil"). Its parties come from its own clause - the stretch of the sentence
between neighbouring instruments and clause breaks - not from the whole sentence; its
status from the cue phrase nearest to it ("may approve" -> proposed, "nearing finalisation"
-> negotiating, "signed" -> signed). Mentions of the same agreement within an article are
merged; the most advanced explicit status wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from pipeline.extract.context import ArticleContext
from pipeline.extract.patterns import (
    GatedPattern,
    all_phrases,
    cached_by_identity,
    dispatch_alternation,
    gated_phrases,
)
from pipeline.extract.records import AgreementRecord, DateValue, Span
from pipeline.extract.text import sentence_index
from pipeline.extract.vocab import Vocabulary

STATUS_ORDER = ["proposed", "negotiating", "approved", "signed", "in_force"]
_KIND_PRIORITY = ["mou", "joint_declaration", "exploration_agreement", "offtake", "joint_venture", "investment_partnership",
                  "trade_agreement", "membership", "framework", "cooperation_agreement", "other"]  # fmt: skip
_GENERIC_KINDS = {"cooperation_agreement", "other"}
_OUT_OF_SCOPE_RE = GatedPattern(
    re.compile(
        r"\b(?:defen[cs]e|military|security pact|mutual defen[cs]e|nuclear submarine|arms|troops|forces|peace (?:accord|deal|agreement|treaty)|ceasefire|visa|extradition)\b",
        re.IGNORECASE,
    )
)
_BETWEEN_BOTH_RE = re.compile(
    r"^\s*(?:\w+\s+){0,3}?between\s+(?:the\s+two|both)\s+(?:countries|nations|sides|governments)", re.IGNORECASE
)
# "the deal", "this pact", "Today's MoU" (but not "indicated that an interim agreement").
_DEFINITE_RE = re.compile(r"(?:\b(?:the|this|these|its|their)|\S+['’]s)\s+(?!an?\s)(?:[\w–-]+\s+){0,3}$", re.IGNORECASE)
# "KABIL, a joint venture of NALCO and HCL,": the noun describes an organisation, it reports no agreement.
_DESCRIPTIVE_BEFORE_RE = re.compile(r"(?:,|\bis|\bwas|\bare|\bwere|\bremains)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}$")
_DESCRIPTIVE_AFTER_RE = re.compile(r"^\s+(?:of|between|among|owned|formed|set up)\b")
# "offtake rights", "deal flow": the instrument word used as a modifier.
_NOT_AN_INSTRUMENT_AFTER_RE = re.compile(
    r"^\s+(?:rights?|prices?|volumes?|markets?|flows?|terms|talks|negotiations|structure)\b", re.IGNORECASE
)
_BREAK_RE = GatedPattern(
    re.compile(
        r";|:|\s[–—]\s|\bwhile\b|\bwhereas\b|\bbut\b|\bas well as\b|\balthough\b|\bthough\b|\bhowever\b|\bbesides\b|\bbeyond\b",
        re.IGNORECASE,
    )
)
_MEMBERSHIP_RE = re.compile(
    r"\b(?:join(?:ed|s|ing)?|became (?:a |the )?(?:full |newest |\w+ )?members? of|accession to|admitted to|membership (?:of|in)|signed up to)\b",
    re.IGNORECASE,
)
_TALKS_RE = re.compile(
    r"\b(?:(?:held |holding |in |hold )?talks|talking|negotiat(?:e|es|ed|ing)|in discussions?)\s+(?:to|with)\s+",
    re.IGNORECASE,
)
_TALKS_ON_RE = re.compile(
    r"\b(?:are|were|is|was)\s+(?:also\s+)?(?:in|holding)\s+(?:advanced\s+)?(?:talks|negotiations|discussions)\s+(?=on|over|about|for|regarding)",
    re.IGNORECASE,
)
_ABOUT_RE = re.compile(
    r"\s*(?:over|on|about|for|regarding|to\s+(?:sign|conclude|finali[sz]e|agree))\s+(?:a|an|the|its|their)?\s*(?:[\w-]+\s+){0,4}",
    re.IGNORECASE,
)
_FORMALISE_RE = re.compile(
    r"\bformali[sz](?:e|es|ed|ing)\s+(?:\w+\s+){0,3}?(?:cooperation|co-operation|partnership|ties)\b", re.IGNORECASE
)
# Any of the four above: most sentences have none.
_OTHER_CUES = (_MEMBERSHIP_RE, _TALKS_RE, _TALKS_ON_RE, _FORMALISE_RE)
_OTHER_CUES_RE = GatedPattern(
    re.compile("|".join(r.pattern for r in _OTHER_CUES), re.IGNORECASE), [r.pattern for r in _OTHER_CUES]
)
_MEMBERSHIP, _TALKS, _TALKS_ON, _FORMALISE = (GatedPattern(r) for r in _OTHER_CUES)
_STAKE_WORD_RE = re.compile(r"stakes?", re.IGNORECASE)
# "... to take / acquire / earn up to a 35% stake": a stake as the object of what precedes it.
_STAKE_OBJECT_RE = re.compile(
    r"\bto\s+(?:\w+\s+)?(?:take|acquire|buy|earn|hold|purchase|gain|secure|increase|raise)\s+(?:up\s+to\s+)?(?:a|an|its|their)?\s*(?:[\w%.,-]+\s+){0,3}\Z",
    re.IGNORECASE,
)
# "builds on the ...", "complements the ...": the instrument named next is a different one.
_BUILDS_ON_RE = GatedPattern(
    re.compile(
        r"\b(?:builds?|building|built|expands?|expanding|expanded)\s+on\s+(?:the|an?|their|its)\s+(?:[\w–-]+\s+){0,4}$"
        r"|\b(?:complements?|complementing|supersedes?|replaces?|succeeds?|modell?ed\s+on|implements?|implementing|execut(?:es|ing)"
        r"|operationali[sz](?:es|ing)|(?:is\s+|are\s+)?based\s+on|amends?|amending)\s+(?:the|an?|their|its)\s+(?:[\w–-]+\s+){0,4}$",
        re.IGNORECASE,
    )
)
_TRAVEL_FOR_RE = re.compile(
    r"\b(?:travel(?:s|led|ed|ling|ing)?|visit(?:s|ed|ing)?|fl(?:y|ies|ew)|head(?:s|ed|ing)?|arriv(?:e|es|ed|ing)|trip|tour)\b[^.;]{0,60}\bfor\s+\Z",
    re.IGNORECASE,
)
# "welcomed the protocol", "criticised this deal": someone's verdict on an agreement already told.
_VERDICT_RE = re.compile(
    r"\b(?:welcom|prais|hail|criticis|criticiz|condemn|applaud|lauded|laud|slam|question|describ)\w*\s+(?:the|this|that)\s+(?:new\s+|latest\s+)?\Z",
    re.IGNORECASE,
)
# "a new agreement", "an upcoming pact": an agreement other than those already in force.
_NOVEL_RE = GatedPattern(
    re.compile(r"\b(?:a|an)\s+(?:new|fresh|upcoming|proposed|planned|future)\s+(?:[\w–-]+\s+){0,3}\Z", re.IGNORECASE)
)
_INDEFINITE_RE = re.compile(r"\b(?:a|an)\s+(?:[\w–-]+\s+){0,3}\Z", re.IGNORECASE)
_UPGRADED_TIES_RE = GatedPattern(
    re.compile(
        r"\b(?:upgrad|elevat|rais|lift)\w*\s+(?:\w+\s+){0,2}(?:ties|relations|relationship)\s+to\s+(?:an?|the)\s+(?:[\w-]+\s+){0,3}\Z",
        re.IGNORECASE,
    )
)
# "strategic partnerships with 14 countries", "MoUs with several nations": a tally of agreements.
_COUNTED_PARTNERS_RE = re.compile(
    r"(?<=s)\s+(?:(?:on|in|for|covering)\s+(?:[\w-]+\s+){1,4})?(?:with|among|involving)\s+"
    r"(?:more\s+than\s+|over\s+|about\s+|around\s+|nearly\s+|at\s+least\s+|some\s+|a\s+number\s+of\s+|dozens\s+of\s+)?"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many|numerous|various|multiple)\s+"
    r"(?:[\w-]+\s+)?(?:countries|nations|partners|economies|governments|states)\b",
    re.IGNORECASE,
)
# "a separate arrangement", "another deal", "a second MoU": not the agreement just discussed.
_SEPARATE_RE = GatedPattern(
    re.compile(
        r"\b(?:separate|another|second|third|further|different|parallel|distinct|additional)\s+(?:[\w-]+\s+){0,3}$",
        re.IGNORECASE,
    )
)
_HEAD_WORD_RE = re.compile(
    r"(?:Initiative|Agreement|Partnership|Framework|Alliance|Pact|Accord|Treaty|Memorandum|Declaration|Dialogue|Compact|Deal)s?"
)
_TOPIC_LABEL = {"trade": "trade", "nuclear": "uranium and nuclear", "energy": "energy", "investment": "investment",
                "exploration": "exploration", "technology": "technology", "minerals": "critical minerals"}  # fmt: skip
_KIND_LABEL = {"mou": "MoU", "joint_declaration": "joint declaration", "framework": "framework",
               "investment_partnership": "investment partnership", "trade_agreement": "trade agreement",
               "membership": "membership", "exploration_agreement": "exploration agreement",
               "cooperation_agreement": "cooperation agreement", "offtake": "offtake agreement",
               "joint_venture": "joint venture", "other": "initiative"}  # fmt: skip


@dataclass
class _Instrument:
    start: int
    end: int
    kind: str
    weak: bool
    name: str | None = None  # the instrument's own name, if capitalised
    parties: list[str] = field(default_factory=list)  # fixed parties (membership bloc, talks partner)
    topic: str | None = None
    status: str | None = None  # fixed status (talks -> negotiating)


def _instrument_re(instruments: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    groups = []
    kinds = {}
    for n, (kind, patterns) in enumerate(instruments):
        for m, p in enumerate(patterns):
            name = f"k{n}_{m}"
            kinds[name] = kind
            groups.append((len(p), name, p))
    groups.sort(key=lambda g: -g[0])
    alternation = dispatch_alternation((name, p) for _, name, p in groups)
    return re.compile(rf"\b(?:{alternation})(?![\w-])", re.IGNORECASE), kinds


class _Cues(NamedTuple):
    """The vocabulary's agreement cues, compiled."""

    instruments: GatedPattern
    kinds: dict[str, str]  # instrument group name -> agreement kind
    weak: re.Pattern[str]
    status: list[tuple[str, GatedPattern]]
    topics: list[tuple[str, GatedPattern]]
    stages: list[tuple[str, GatedPattern]]


@cached_by_identity
def _cues(vocab: Vocabulary) -> _Cues:
    """Compiled once per vocabulary: these are asked for at every sentence and every instrument."""
    cues = vocab.cues
    instruments, kinds = _instrument_re(_as_tuple(cues["instruments"]))
    return _Cues(
        instruments=GatedPattern(instruments, all_phrases(cues["instruments"].items())),
        kinds=kinds,
        weak=re.compile(rf"^(?:{'|'.join(cues['weak_instruments'])})$", re.IGNORECASE),
        status=[(name, gated_phrases(p, right_boundary="")) for name, p in cues["status"].items()],
        topics=[(topic, gated_phrases(words)) for topic, words in cues["topics"].items()],
        stages=[(stage, gated_phrases(words)) for stage, words in cues["value_chain"].items()],
    )


def _as_tuple(d: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((k, tuple(v)) for k, v in d.items())


def _is_title_line(ctx: ArticleContext, index: int) -> bool:
    """The article's opening line when it is a headline (short, no full stop)."""
    if index != 0:
        return False
    s = ctx.sentences[0]
    line = ctx.text[s.start : s.end]
    return (
        not line.rstrip().endswith((".", "!", "?", '"', "”"))
        and len(line.split()) <= 22
        and (s.end >= len(ctx.text) or ctx.text[s.end : s.end + 1] == "\n")
    )


_HEADLINE_WORD_RE = re.compile(r"[A-Za-z][\w'’-]*")


@lru_cache(maxsize=64)  # asked twice of every sentence that names an instrument
def _is_headline(sentence: str) -> bool:
    """Title Case Headline Without A Full Stop: capitals there do not make names."""
    words = _HEADLINE_WORD_RE.findall(sentence)
    if len(words) < 3 or sentence.rstrip().endswith("."):
        return False
    long_words = [w for w in words if len(w) > 3]
    return sum(w[0].isupper() for w in long_words) >= 0.7 * max(1, len(long_words))


_NAME_TOKEN_RE = re.compile(r"\(?[\w’'&.-]+\)?")
_NAME_OPENER_RE = re.compile(r"(?:(?:of|on|for|and|the|&|The|Under|Today['’]s|This|That|A|An|In|On|At|By|With|\S+['’]s)\s+)+")


def _named_prefix(ctx: ArticleContext, start: int, lo: int) -> int:
    """Start of a capitalised name ending at an instrument word ("India-Australia Critical Minerals Investment")."""
    text = ctx.text
    pos = start
    words = list(_NAME_TOKEN_RE.finditer(text[lo:start]))
    for w in reversed(words):
        token = w.group(0)
        if text[lo + w.end() : pos].strip() not in {"", "-", "–"}:
            break
        if _HEAD_WORD_RE.fullmatch(token):
            break  # "X Initiative and the Y Initiative": two names
        if (
            token[:1].isupper()
            or token[:1] == "("
            and token[1:2].isupper()
            or token.lower() in {"of", "on", "for", "and", "the", "&"}
        ):
            pos = lo + w.start()
        else:
            break
    # Do not start a name with a connector, an article, a possessive or a sentence opener.
    m = _NAME_OPENER_RE.match(text[pos:start])
    if m:
        pos += m.end()
    return pos


_LAW_AFTER_RE = re.compile(r"\s+(?:Act|Bill|Law|Regulation)\b")
_OPEN_ACRONYM_RE = re.compile(r"\s*\(\s*[\w-]*")
_JOINER_GAP_RE = re.compile(r"[\s-]*")
_FRAMEWORK_FOR_RE = re.compile(r"\s+(?:for|of)\s+(?:a|an|the)?\s*")
_TALKS_LIST_GAP_RE = re.compile(r"\s*(?:,|and|&|the|,\s*and)?\s*(?:the\s+)?")


def _find_instruments(ctx: ArticleContext, index: int) -> list[_Instrument]:
    s = ctx.sentences[index]
    text = ctx.text
    cues = _cues(ctx.vocab)
    kinds = cues.kinds
    words = list(cues.instruments.finditer(text, s.start, s.end))
    if not words and not _OTHER_CUES_RE.search(text, s.start, s.end):
        return []  # most sentences name no instrument at all
    weak_re = cues.weak
    named_orgs = [(m.start, m.end) for m in ctx.mentions_in_sentence(index)]
    headline = _is_headline(text[s.start : s.end])
    found: list[_Instrument] = []
    for m in words:
        if any(a <= m.start() < b or a < m.end() <= b for a, b in named_orgs):
            continue  # the word is part of a bloc or organisation name ("Minerals Security Partnership")
        kind = kinds[m.lastgroup]
        word = m.group(0)
        instrument = _Instrument(m.start(), m.end(), kind, bool(weak_re.match(word)))
        if word[:1].isupper() and m.start() > s.start and not headline:
            name_start = _named_prefix(ctx, m.start(), s.start)
            if name_start < m.start():
                instrument.name = text[name_start : m.end()]
                instrument.start = name_start
                instrument.weak = False
        after = text[m.end() : min(s.end, m.end() + 20)]
        if _LAW_AFTER_RE.match(after) or _NOT_AN_INSTRUMENT_AFTER_RE.match(after):
            continue
        if _UPGRADED_TIES_RE.search(text, max(s.start, instrument.start - 80), instrument.start):
            continue  # "upgraded their ties to a comprehensive strategic partnership": a level of relations
        if _COUNTED_PARTNERS_RE.match(text, m.end(), s.end):
            continue  # "partnerships on raw materials with 14 countries": a tally, not one agreement
        # (The anchored look after the word first: it rarely holds, and fails at once.)
        if _DESCRIPTIVE_AFTER_RE.match(after) and _DESCRIPTIVE_BEFORE_RE.search(
            text[max(s.start, instrument.start - 30) : instrument.start]
        ):
            continue
        if found and _OPEN_ACRONYM_RE.fullmatch(text[found[-1].end : m.start()]):
            continue  # "(IK-CEPA)": the acronym of the instrument just named
        if found and not instrument.name and _JOINER_GAP_RE.fullmatch(text[found[-1].end : instrument.start]):
            # "joint venture agreement", "partnership agreement": one instrument, the more specific kind.
            found[-1].end = instrument.end
            found[-1].weak = found[-1].weak and instrument.weak
            if found[-1].kind in _GENERIC_KINDS:
                found[-1].kind = instrument.kind
            continue
        found.append(instrument)
    # A stake is reported as what another instrument of the sentence does ("signed an agreement to
    # take a 35% stake"); alone, the word more often describes a holding than a deal.
    others = [i for i in found if not _STAKE_WORD_RE.fullmatch(text, i.start, i.end)]
    found = [i for i in found if i in others or (others and _STAKE_OBJECT_RE.search(text, others[-1].end, i.start))]
    # "sign an agreement next month to take a 35% stake in X": the stake is what the agreement does.
    merged_stakes: list[_Instrument] = []
    for inst in found:
        if (
            merged_stakes
            and inst.kind == "investment_partnership"
            and _STAKE_OBJECT_RE.search(text, merged_stakes[-1].end, inst.start)
            and not _BREAK_RE.search(text, merged_stakes[-1].end, inst.start)
        ):
            if merged_stakes[-1].kind in _GENERIC_KINDS:
                merged_stakes[-1].kind = inst.kind
            continue
        merged_stakes.append(inst)
    found = merged_stakes
    # "framework for a Bilateral Trade Agreement": one instrument, a framework about trade.
    merged: list[_Instrument] = []
    for inst in found:
        if merged and merged[-1].kind == "framework" and _FRAMEWORK_FOR_RE.fullmatch(text[merged[-1].end : inst.start] + " "):
            merged[-1].end = inst.end
            merged[-1].topic = "framework_of:" + text[inst.start : inst.end]
            merged[-1].weak = False
            continue
        merged.append(inst)
    found = merged

    # Membership: "joined the US-led grouping called Pax Silica".
    for m in _MEMBERSHIP.finditer(text, s.start, s.end):
        blocs = [p for p in ctx.partners_in(m.end(), min(s.end, m.end() + 70)) if ctx.entries[p.key].partner_type == "bloc"]
        if blocs:
            found.append(_Instrument(m.start(), blocs[0].end, "membership", False, parties=[blocs[0].key], topic="membership"))
    # Talks with named partners: one negotiation per partner ("talking to France, Netherlands and Brazil");
    # "X is in talks with Y over an offtake deal": the deal is what is negotiated, between X and Y.
    for m in _TALKS.finditer(text, s.start, s.end):
        end = s.end
        br = _BREAK_RE.search(text, m.end(), s.end)
        if br:
            end = br.start()
        partners = []
        pos = m.end()
        for p in ctx.partners_in(m.end(), end):
            gap = text[pos : p.start]
            if not _TALKS_LIST_GAP_RE.fullmatch(gap):
                break
            partners.append(p)
            pos = p.end
        if not partners or any(i.start <= m.start() < i.end + 40 for i in found):
            continue
        if _TRAVEL_FOR_RE.search(text, max(s.start, m.start() - 80), m.start()):
            continue  # "will travel to Tokyo for talks with Japanese officials": a visit, not a negotiation
        subject = [p.key for p in ctx.partners_in(s.start, m.start()) if ctx.entries[p.key].partner_type != "bloc"][-1:]
        subject_kind = ctx.entries[subject[0]].partner_type if subject else None
        about = next((i for i in found if i.start >= pos and _ABOUT_RE.fullmatch(text[pos : i.start])), None)
        if about is not None:
            about.parties = subject + [p.key for p in partners]
            about.status = "negotiating"
            about.weak = False
            continue
        for p in partners:
            # An organisation negotiates for itself; a country's talks are the home country's.
            parties = (
                subject + [p.key]
                if subject_kind == "organization" or ctx.entries[p.key].partner_type == "organization"
                else [p.key]
            )
            found.append(_Instrument(m.start(), m.end(), "cooperation_agreement", False, parties=parties, status="negotiating"))
    # "X and Y are in talks on a joint project": the negotiators are the subjects.
    for m in _TALKS_ON.finditer(text, s.start, s.end):
        subjects = [p.key for p in ctx.partners_in(s.start, m.start())]
        if len(subjects) < 2 or any(i.start <= m.start() < i.end + 40 for i in found):
            continue
        about = next((i for i in found if i.start >= m.end() and _ABOUT_RE.fullmatch(" " + text[m.end() : i.start])), None)
        if about is not None:
            about.parties, about.status, about.weak = subjects, "negotiating", False
        else:
            found.append(_Instrument(m.start(), m.end(), "cooperation_agreement", False, parties=subjects, status="negotiating"))
    # "formalise cooperation": a proposed agreement.
    for m in _FORMALISE.finditer(text, s.start, s.end):
        if not any(i.start <= m.start() < i.end for i in found):
            found.append(_Instrument(m.start(), m.end(), "cooperation_agreement", False, status="proposed"))
    return sorted(found, key=lambda i: i.start)


_TOPIC_AFTER_RE = re.compile(r"\s+(?:on|for|in|over|covering|concerning|regarding)\s+(?:the\s+)?(?:[\w-]+\s*){1,5}")


def _topic(ctx: ArticleContext, inst: _Instrument, lo: int, hi: int) -> str | None:
    """The instrument's subject: modifiers just before it, or "on/for X" just after, within its clause."""
    if inst.topic and inst.topic.startswith("framework_of:"):
        inner = inst.topic.split(":", 1)[1]
        for topic, pattern in _cues(ctx.vocab).topics:
            if pattern.pattern.search(inner):
                return topic + "_framework"
        return "minerals_framework"
    if inst.topic:
        return inst.topic
    start = max(lo, inst.start - 40)
    after = _TOPIC_AFTER_RE.match(ctx.text[inst.end : min(hi, inst.end + 50)])
    end = inst.end + (after.end() if after else 0)
    window = ctx.text[start:end]  # searched on its own: its first word opens a word even after a hyphen
    for topic, pattern in _cues(ctx.vocab).topics:
        if pattern.gate.admits(ctx.text, start, end) and pattern.pattern.search(window):
            return topic
    return None


_CLAUSE_COMMA_RE = re.compile(r",\s*(?:and\s+)?(?:the\s+)?")
_LIST_JOIN_RE = re.compile(r",\s|\band\s")


def _clause(ctx: ArticleContext, index: int, instruments: list[_Instrument], k: int) -> tuple[int, int]:
    """The stretch of the sentence that belongs to instrument k."""
    s = ctx.sentences[index]
    text = ctx.text
    inst = instruments[k]
    lo = instruments[k - 1].end if k > 0 and instruments[k - 1].end <= inst.start else s.start
    hi = instruments[k + 1].start if k + 1 < len(instruments) and instruments[k + 1].start >= inst.end else s.end
    for br in _BREAK_RE.finditer(text, lo, inst.start):
        lo = br.end()
    # A comma ends the left clause unless it separates two partner names (a list).
    ends = {m.end for m in ctx.mentions_in_sentence(index)}
    starts = {m.start for m in ctx.mentions_in_sentence(index)}
    base = lo
    for c in _CLAUSE_COMMA_RE.finditer(text[base : inst.start]):
        pos = base + c.start()
        if not (pos in ends and base + c.end() in starts):
            lo = pos + 1
    br = _BREAK_RE.search(text, inst.end, hi)
    if br:
        hi = br.start()
    if k + 1 < len(instruments):
        # "... signed in July 2021, the EU-Greenland partnership in ...": the names just before the
        # next instrument are that instrument's own.
        last = None
        for m in _LIST_JOIN_RE.finditer(text[inst.end : hi]):
            last = m
        if last is not None:
            hi = inst.end + last.start()
    return lo, hi


def _status(ctx: ArticleContext, inst: _Instrument, lo: int, hi: int) -> str | None:
    """The status cue nearest the instrument in its clause; modal phrases beat bare verbs."""
    cues = _cues(ctx.vocab).status
    matches: list[tuple[int, int, str]] = []
    for status, pattern in cues:
        for m in pattern.finditer(ctx.text, lo, hi):
            if m.end() > m.start():
                matches.append((m.start(), m.end(), status))
    # Longest match wins where cues overlap ("may approve" over "approve").
    matches.sort(key=lambda t: -(t[1] - t[0]))
    chosen: list[tuple[int, int, str]] = []
    for a, b, st in matches:
        if all(b <= x or a >= y for x, y, _ in chosen):
            chosen.append((a, b, st))
    if not chosen:
        return None

    def distance(t: tuple[int, int, str]) -> int:
        return max(0, t[0] - inst.end, inst.start - t[1])

    return min(chosen, key=lambda t: (distance(t), STATUS_ORDER.index(t[2])))[2]


_INTRODUCED_BEFORE_RE = re.compile(r"\b(?:with|between|to|from|and|for)\s+(?:\S+\s+){0,5}$")
_PARTY_GAP_RE = re.compile(r"\s*(?:,|and|&|or)?\s*(?:and\s+)?(?:the\s+)?")
_LIST_CONTINUES_RE = re.compile(r"\s*(?:,|and\b|or\b|\.|\)|$)")


def _party_mentions(ctx: ArticleContext, inst: _Instrument, lo: int, hi: int) -> list:
    """Partners in the instrument's clause: all of the left part; on the right, those named
    right after it or introduced by with / between / to ("agreement with Brazil", "supply
    platinum to German catalyst maker X"), and the lists they start. When the left part names
    nobody, the sentence's subject (before an apposition) stands in."""
    text = ctx.text
    out = ctx.partners_in(lo, inst.end)  # the left part and the instrument's own name
    sentence = ctx.sentences[sentence_index(ctx.sentences, inst.start)]
    if not out and not inst.weak:
        # "X, the company formerly known as Y, signed an agreement": the sentence's subject signs.
        before = [m for m in ctx.partners_in(sentence.start, lo) if ctx.entries[m.key].partner_type != "region"]
        out = before[:1]
    pos = inst.end
    for m in ctx.partners_in(inst.end, hi):
        gap = text[pos : m.start]
        introduced = _INTRODUCED_BEFORE_RE.search(text[inst.end : m.start])
        listed = _PARTY_GAP_RE.fullmatch(gap) and _LIST_CONTINUES_RE.match(text[m.end : m.end + 6])
        if m.start - inst.end <= 60 or listed or (introduced and m.start - inst.end <= 120):
            out.append(m)
            pos = m.end
        else:
            break
    return out


def _tidy_parties(ctx: ArticleContext, parties: list[str]) -> list[str]:
    """An organisation stands for itself: its home country is not a further party when the
    organisation signs ("Codelco signed with Hessenkupfer AG"); a region is a party only when
    nobody more specific is."""
    parties = list(dict.fromkeys(parties))
    orgs = [p for p in parties if ctx.entries[p].partner_type == "organization"]
    homes = {f"country:{ctx.entries[p].country_iso3}" for p in orgs if ctx.entries[p].country_iso3}
    out = [p for p in parties if p not in homes]
    specific = [p for p in out if ctx.entries[p].partner_type != "region"]
    if len(specific) >= 2:
        out = specific
    return out


def _stages(ctx: ArticleContext, lo: int, hi: int) -> list[str]:
    out = []
    for stage, pattern in _cues(ctx.vocab).stages:
        if pattern.search(ctx.text, lo, hi):
            out.append(stage)
    return out


@dataclass
class _Draft:
    parties: list[str]
    topic: str | None  # None: not stated (a critical-minerals agreement by default)
    kind: str
    name: str | None
    statuses: list[tuple[str, int]]  # (status, sentence) from explicit cues
    default_status: str
    date: DateValue | None
    minerals: list[str]
    stages: list[str]
    spans: list[Span]

    kind_in_key: bool = False  # set when another kind of instrument already holds the plain key
    year_in_key: bool = False  # set when an agreement of another year already holds the plain key
    separate: bool = False  # "a separate arrangement", "builds on the 2019 pact": never one with the others
    novel: bool = False  # "a new agreement": one with the other new ones, not with the older agreements
    indefinite: bool = False  # "a mutual recognition arrangement": introduced, not referred back to

    @property
    def key(self) -> str:
        if self.name:
            return "name:" + _name_key(self.name)
        key = "parties:" + "+".join(sorted(self.parties)) + "|" + (self.topic or "minerals")
        key = key + "|" + self.kind if self.kind_in_key else key
        key = key + "|" + str(self.spans[0].start) if self.separate else key
        key = key + "|new" if self.novel else key
        return key + "|" + str(self.date.value.year) if self.year_in_key and self.date else key


_NON_WORD_RUN_RE = re.compile(r"[^\w]+")


def _name_key(name: str) -> str:
    """ "The U.S.-Congo Strategic Partnership Agreement" = "US-Congo Strategic Partnership"."""
    words = _NON_WORD_RUN_RE.sub(" ", name.lower().replace(".", "")).split()
    words = [w for w in words if w not in {"the", "a", "an"}]
    while len(words) > 2 and words[-1] in {"agreement", "agreements"}:
        words.pop()
    return " ".join(words)


def _display_name(ctx: ArticleContext, d: _Draft) -> str:
    if d.name:
        return d.name
    names = [ctx.entries[p].name for p in d.parties]
    subject = d.topic or "minerals"
    topic = _TOPIC_LABEL.get(subject.replace("_framework", ""), "critical minerals")
    if subject == "membership":
        members = [n for p, n in zip(d.parties, names, strict=False) if ctx.entries[p].partner_type != "bloc"]
        blocs = [n for p, n in zip(d.parties, names, strict=False) if ctx.entries[p].partner_type == "bloc"]
        return f"{' and '.join(members) or 'Membership'} membership of {', '.join(blocs)}"
    kind = _KIND_LABEL[d.kind]
    if subject.endswith("_framework"):
        kind = "framework agreement"
    if kind.split()[0] == topic.split()[-1]:
        topic = ""
    return " ".join(f"{'–'.join(names)} {topic} {kind}".split())


_UNDER_DEFINITE_RE = re.compile(r"\bunder\s+(?:the|this|that|its)\s+(?:[\w-]+\s+){0,2}$")
_UNDER_ARTICLE_RE = re.compile(r"\bunder\s+(?:the|an?)\s*$")


def extract_agreements(ctx: ArticleContext) -> list[AgreementRecord]:
    drafts: list[_Draft] = []
    headline_drafts: list[_Draft] = []
    for index, s in enumerate(ctx.sentences):
        instruments = _find_instruments(ctx, index)
        if not instruments:
            continue
        headline = _is_headline(ctx.text[s.start : s.end]) or _is_title_line(ctx, index)
        stages = _stages(ctx, s.start, s.end)  # value-chain stages are read from the whole sentence
        consumed_blocs = {p for i in instruments if i.kind == "membership" for p in i.parties}
        for k, inst in enumerate(instruments):
            lo, hi = _clause(ctx, index, instruments, k)
            if _OUT_OF_SCOPE_RE.search(ctx.text, max(s.start, inst.start - 25), min(s.end, inst.end + 60)):
                continue  # a defence or security pact is not a minerals agreement
            status = inst.status or _status(ctx, inst, lo, hi)
            topic = _topic(ctx, inst, lo, hi)
            definite = bool(_DEFINITE_RE.search(ctx.text[max(s.start, inst.start - 30) : inst.start]))
            parties = _parties(ctx, inst, lo, hi, consumed_blocs)
            antecedent = (
                None
                if inst.name
                # The body tells its agreements in full: a body mention refers back to the body, not the headline.
                else _antecedent(
                    ctx, drafts + headline_drafts if headline else drafts, inst, index, parties, topic, definite, weak=inst.weak
                )
            )
            if antecedent is not None and _another_agreement(ctx, inst, index, lo, hi, antecedent):
                antecedent = None
            if antecedent is None and _speculative(ctx, inst, index):
                continue
            if antecedent is not None:
                antecedent.spans.append(Span(inst.start, inst.end, index))
                under = _UNDER_DEFINITE_RE.search(ctx.text[max(s.start, inst.start - 30) : inst.start])
                if definite and status and not (under and status == "in_force"):
                    antecedent.statuses.append((status, index))
                antecedent.minerals += [x for x in ctx.minerals_in(lo, hi) if x not in antecedent.minerals]
                antecedent.stages += [x for x in stages if x not in antecedent.stages]
                continue
            parties = _complete_parties(ctx, inst, index, parties, status)
            if parties is None or ((inst.weak or inst.kind == "other") and not status):
                continue
            if inst.kind == "membership":
                topic = "membership"
            date = None
            if status not in {"proposed", "negotiating"}:
                date = ctx.nearest_date(index, inst.start, inst.end, lo, hi)
            under = _UNDER_ARTICLE_RE.search(ctx.text[max(s.start, inst.start - 12) : inst.start])
            draft = _Draft(
                parties=parties,
                topic=topic,
                kind=inst.kind,
                name=inst.name,
                statuses=[(status, index)] if status else [],
                default_status="in_force" if under else "signed",
                date=date,
                minerals=ctx.minerals_in(lo, hi),
                stages=list(stages),
                spans=[Span(inst.start, inst.end, index)],
                novel=not inst.name and bool(_NOVEL_RE.search(ctx.text, max(s.start, inst.start - 30), inst.start)),
                indefinite=not inst.name and bool(_INDEFINITE_RE.search(ctx.text, max(s.start, inst.start - 40), inst.start)),
                separate=not inst.name
                and bool(
                    _SEPARATE_RE.search(ctx.text, max(s.start, inst.start - 30), inst.start)
                    or _BUILDS_ON_RE.search_alone(ctx.text, max(s.start, inst.start - 60), inst.start)
                ),
            )
            (headline_drafts if headline else drafts).append(draft)
    return _merge(ctx, drafts + _headline_support(ctx, drafts, headline_drafts))


def _parties(ctx: ArticleContext, inst: _Instrument, lo: int, hi: int, consumed_blocs: set[str]) -> list[str]:
    """The partners the instrument's own clause names as its parties."""
    if inst.parties:
        subjects = [
            m.key
            for m in ctx.partners_in(lo, inst.start)
            if m.key not in inst.parties and ctx.entries[m.key].partner_type != "bloc"
        ]
        return list(dict.fromkeys(subjects[:1] + list(inst.parties)))
    after = ctx.text[inst.end : min(hi, inst.end + 40)]
    if _BETWEEN_BOTH_RE.match(after):
        return ctx.top_countries(2)  # "the 2022 agreement between the two countries"
    parties = list(
        dict.fromkeys(
            m.key for m in _party_mentions(ctx, inst, lo, hi) if not (inst.kind != "membership" and m.key in consumed_blocs)
        )
    )
    if len(parties) < 2:
        parties += [k for k in ctx.both_sides(lo, hi) if k not in parties]
    return parties


_INTRODUCED_AFTER_RE = re.compile(r"\s*(?:\w+\s+){0,2}(?:with|between|among|by)\b")


def _antecedent(
    ctx: ArticleContext,
    drafts: list[_Draft],
    inst: _Instrument,
    index: int,
    parties: list[str],
    topic: str | None,
    definite: bool,
    weak: bool,
) -> _Draft | None:
    """The agreement an unnamed mention refers back to ("the deal", "the agreement comes as ..."), if any."""
    if not (definite or weak):
        return None
    recent = [d for d in drafts if d.spans[-1].sentence >= index - 5]
    if not recent:
        return None
    # "the Joint Declaration of Intent" does not refer back to an agreement of another kind.
    recent = [d for d in recent if _kinds_compatible(d.kind, inst.kind)]
    if not recent:
        return None
    # "The new MOU" refers back to the last MoU, not to a generic agreement mentioned since; best
    # to the last one called by the same word, even a few paragraphs back.
    word = _last_word(ctx.text[inst.start : inst.end])
    same_word = [
        d
        for d in drafts
        if _kinds_compatible(d.kind, inst.kind) and any(_last_word(ctx.text[sp.start : sp.end]) == word for sp in d.spans)
    ]
    if same_word and word not in _GENERIC_HEADS and (definite or weak) and not parties:
        return same_word[-1]
    recent = [d for d in recent if d.kind == inst.kind] or recent
    if topic:
        recent = [d for d in recent if (d.topic or "minerals").split("_")[0] == topic] or recent
    if not parties:
        return recent[-1]
    if definite and _VERDICT_RE.search(ctx.text, max(ctx.sentences[index].start, inst.start - 40), inst.start):
        return recent[-1]  # "The African Union welcomed the protocol": a verdict on the agreement just told
    if not definite:
        return None
    s = ctx.sentences[index]
    left_named = ctx.partners_in(s.start, inst.start)
    introduced = _INTRODUCED_AFTER_RE.match(ctx.text[inst.end : inst.end + 30])
    if not left_named and not introduced:
        return recent[-1]  # "The agreement comes as India and Chile move towards ..."
    home = ctx.home
    named = {p for p in parties if p != home}
    for d in reversed([d for d in drafts if d.spans[-1].sentence >= index - 6 and _kinds_compatible(d.kind, inst.kind)]):
        covered = set(d.parties) | {f"country:{ctx.entries[p].country_iso3}" for p in d.parties if ctx.entries[p].country_iso3}
        if named and named <= covered:
            return d  # "..., chief executive of Hessenkupfer AG, said the agreement ..."
    return None


def _another_agreement(ctx: ArticleContext, inst: _Instrument, index: int, lo: int, hi: int, antecedent: _Draft) -> bool:
    """A definite mention that is not the agreement just discussed: one it builds on ("The agreement
    builds on the joint declaration of intent signed in 2022"), or one of another year ("The 2022
    cooperation agreement" after a protocol signed this week)."""
    s = ctx.sentences[index]
    if _BUILDS_ON_RE.search_alone(ctx.text, max(s.start, inst.start - 60), inst.start):
        return True
    if _SEPARATE_RE.search(ctx.text, max(s.start, inst.start - 30), inst.start):
        return True  # "a separate arrangement on stockpiles", "another agreement"
    # Only a date right beside the instrument is its own ("the 2022 agreement", "the pact of May 2019").
    own = ctx.nearest_date(index, inst.start, inst.end, max(lo, inst.start - 12), min(hi, inst.end + 25))
    if own is None or own.precision == "day" or ctx.published is None:
        return False
    if antecedent.date is not None:
        return own.value.year != antecedent.date.value.year
    return (ctx.published - own.value).days > 365 and index not in {sp.sentence for sp in antecedent.spans}


_INDEFINITE_NEAR_RE = re.compile(r"\b(?:a|an|any|some|no)\s+(?:[\w-]+\s+){0,2}$")


def _speculative(ctx: ArticleContext, inst: _Instrument, index: int) -> bool:
    """An indefinite instrument inside a quotation ("We are pricing in a deal") reports no agreement."""
    s = ctx.sentences[index]
    before = ctx.text[s.start : inst.start]
    quoted = before.count("“") > before.count("”") or before.count('"') % 2 == 1
    indefinite = _INDEFINITE_NEAR_RE.search(ctx.text[max(s.start, inst.start - 25) : inst.start])
    return bool(quoted and indefinite and not inst.name)


def _complete_parties(
    ctx: ArticleContext, inst: _Instrument, index: int, parties: list[str], status: str | None
) -> list[str] | None:
    """Fill in the parties a clause leaves implicit (the home country, the paragraph's subject);
    None when the instrument has no partner to speak of."""
    home = ctx.home
    s = ctx.sentences[index]
    if not parties and (status or inst.name):
        # "Minister Moreland and Secretary Venkataraman signed a letter of intent": the signatories' countries.
        parties = list(
            dict.fromkeys(
                f"country:{c}" for a, _, c in ctx.person_spans if c and s.start <= a < s.end and f"country:{c}" in ctx.entries
            )
        )
    if not parties:
        topic_partner = ctx.paragraph_topic(index)
        if inst.weak or topic_partner is None or not (status or inst.name):
            return None
        parties = [topic_partner]
    parties = _tidy_parties(ctx, parties)
    own_country_orgs = [
        p
        for p in parties
        if ctx.entries[p].partner_type == "organization" and home and f"country:{ctx.entries[p].country_iso3}" == home
    ]
    foreign = [p for p in parties if p != home and p not in own_country_orgs]
    if not foreign and not own_country_orgs and (status or inst.name):
        # The clause names only the home country ("India Energy Week"): the partner is
        # the one the sentence, or else the paragraph, is about.
        in_sentence = [
            m.key
            for m in ctx.partners_in(s.start, s.end)
            if m.key != home and ctx.entries[m.key].partner_type in {"country", "bloc"}
        ]
        topic_partner = in_sentence[0] if in_sentence else ctx.paragraph_topic(index)
        if topic_partner is None and any(c and s.start <= a < s.end for a, _, c in ctx.person_spans):
            # Named signatories and no foreign name in sight: the article's other main country.
            topic_partner = next((k for k in ctx.top_countries(2) if k != home), None)
        if topic_partner:
            foreign = [topic_partner]
            parties = [p for p in parties if p == home] + [topic_partner]
    lone_bloc = len(parties) == 1 and ctx.entries[parties[0]].partner_type == "bloc" and inst.name
    if home and home not in parties and not own_country_orgs and len(parties) == 1 and not lone_bloc:
        parties = [home] + parties
    if not foreign and not own_country_orgs:
        return None  # a domestic matter
    if len(parties) < 2 and not inst.name:
        return None
    return parties


def _headline_support(ctx: ArticleContext, drafts: list[_Draft], headline_drafts: list[_Draft]) -> list[_Draft]:
    """A headline summarises the body: its agreements only add to body agreements sharing a party."""
    home = ctx.home
    for h in headline_drafts:
        mine = {p for p in h.parties if p != home}
        for d in drafts:
            theirs = set(d.parties) | {f"country:{ctx.entries[p].country_iso3}" for p in d.parties if ctx.entries[p].country_iso3}
            if mine & theirs:
                d.spans += h.spans
                d.statuses += h.statuses
                break
    return []


def _kinds_compatible(a: str, b: str) -> bool:
    return a == b or bool({a, b} & _GENERIC_KINDS)


def _years_differ(a: _Draft, b: _Draft) -> bool:
    return a.date is not None and b.date is not None and a.date.value.year != b.date.value.year


_GENERIC_HEADS = {"agreement", "deal", "pact", "partnership", "accord", "arrangement", "initiative", "cooperation"}


def _last_word(phrase: str) -> str:
    """The phrase's last word, lower-case and singular ("MoUs" -> "mou")."""
    words = phrase.lower().split()
    word = words[-1] if words else ""
    return word[:-1] if word.endswith("s") and len(word) > 4 else word


def _head_word(ctx: ArticleContext, d: _Draft) -> str:
    """The noun an unnamed mention first used ("roadmap", "partnership"), singular and lower-case:
    "the roadmap" is not the "Advanced Framework Agreement" between the same parties."""
    return _last_word(ctx.text[d.spans[0].start : d.spans[0].end])


def _stage(status: str) -> str:
    """Before or after signature: "proposed" and "negotiating" can be one agreement's story, not "signed"."""
    return "before" if status in {"proposed", "negotiating"} else "after"


def _stages_differ(a: _Draft, b: _Draft) -> bool:
    """One is only told before signature, the other only after (an agreement with no explicit
    status counts as signed): two agreements, not one."""
    stages_a = {_stage(st) for st, _ in a.statuses} or {_stage(a.default_status)}
    stages_b = {_stage(st) for st, _ in b.statuses} or {_stage(b.default_status)}
    return not stages_a & stages_b


def _merge(ctx: ArticleContext, drafts: list[_Draft]) -> list[AgreementRecord]:
    merged: dict[str, _Draft] = {}
    for d in drafts:
        target = merged.get(d.key)
        if target is not None and not d.name and not _kinds_compatible(target.kind, d.kind):
            d.kind_in_key = True
            target = merged.get(d.key)
        if target is not None and d.indefinite and _stages_differ(target, d):
            # "agreed to begin talks on a mutual recognition arrangement" after a signed partnership.
            d.separate = True
            target = merged.get(d.key)
        if target is not None and not d.name and _years_differ(target, d):
            d.year_in_key = True  # "the 2022 cooperation agreement" is not this week's protocol
            target = merged.get(d.key)
        if target is None and not d.name and d.topic is None:
            # An unspecific mention joins an agreement between the same parties, unless both
            # name different kinds of instrument (an MoU is not a framework).
            same = [
                m
                for m in merged.values()
                if sorted(m.parties) == sorted(d.parties)
                and _kinds_compatible(m.kind, d.kind)
                and not _years_differ(m, d)
                and not (m.separate or d.separate)
                and not (d.indefinite and _stages_differ(m, d))
            ]
            if same:
                target = same[-1]
        if target is None:
            merged[d.key] = d
            continue
        target.spans += d.spans
        target.statuses += d.statuses
        target.minerals += [m for m in d.minerals if m not in target.minerals]
        target.stages += [s for s in d.stages if s not in target.stages]
        target.date = target.date or d.date
        if _KIND_PRIORITY.index(d.kind) < _KIND_PRIORITY.index(target.kind):
            target.kind = d.kind
    # A named instrument and an unnamed mention of the same kind between the same parties are one.
    for key, d in list(merged.items()):
        if d.name or d.separate:
            continue
        head = _head_word(ctx, d)
        named = [
            m
            for m in merged.values()
            if m.name and sorted(m.parties) == sorted(d.parties) and m.kind == d.kind and head in m.name.lower()
        ]
        if named:
            target = named[0]
            target.spans += d.spans
            target.statuses += d.statuses
            target.minerals += [m for m in d.minerals if m not in target.minerals]
            target.stages += [x for x in d.stages if x not in target.stages]
            target.date = target.date or d.date
            del merged[key]
    records = []
    for d in merged.values():
        if d.statuses:
            status, evidence = max(d.statuses, key=lambda t: (STATUS_ORDER.index(t[0]), -t[1]))
            confidence = 0.75
        else:
            status, evidence = d.default_status, d.spans[0].sentence
            confidence = 0.5
        if d.name:
            confidence += 0.1
        if status == "signed" and d.date and ctx.published and (ctx.published - d.date.value).days > 400:
            status = "in_force"  # signed more than a year before the article and still cited: in force
        if status in {"proposed", "negotiating"} and d.date and d.date.precision == "day":
            d.date = None
        records.append(
            AgreementRecord(
                key=d.key,
                name=_display_name(ctx, d),
                agreement_type=d.kind,
                status=status,
                status_evidence=evidence,
                date=d.date,
                parties=d.parties,
                minerals=d.minerals,
                stages=d.stages,
                method="named_instrument" if d.name else "instrument_phrase",
                confidence=round(min(confidence, 1.0), 2),
                spans=sorted(d.spans, key=lambda s: s.start),
            )
        )
    return records
