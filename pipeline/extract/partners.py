"""Partners: countries, blocs, regions and organisations named in an article.

A name counts as a partner mention unless the text uses it as a place ("talks in Tokyo"),
as a rival ("reduce dependence on China"), or it names a body that only reports or hosts
(news agencies, think tanks). Organisations missing from the vocabulary are found by name
pattern ("Andes Lithium Corp", "Ministry of Mines").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pipeline.extract.gazetteer import Hit
from pipeline.extract.records import PartnerRecord, Sentence, Span
from pipeline.extract.text import sentence_index
from pipeline.extract.vocab import PartnerEntry, Vocabulary, org_key

_LOCATIVE_RE = re.compile(r"(?:\b(?:in|at|from|near|to|into|outside|across)\s+(?:the\s+)?)$", re.IGNORECASE)
_LED_RE = re.compile(r"^\s*[-–]\s*led\b|^\s+led\b", re.IGNORECASE)
_METONYM_FORMS = {"capital", "metonym"}


@dataclass(frozen=True)
class PartnerMention:
    """One occurrence of a partner in the text, with how it is used there."""

    key: str
    start: int
    end: int
    sentence: int
    form: str
    rival: bool = False
    led_by: bool = False  # "United States-led grouping": the leader, not a party


@cache
def _rival_re(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(cues) + r")\b", re.IGNORECASE)


def is_rival_context(text: str, start: int, end: int, sentence: Sentence, vocab: Vocabulary) -> bool:
    """A rival/risk cue within a few words of the name ("dependence on China", "China's export controls")."""
    pattern = _rival_re(tuple(vocab.cues["rival_cues"]))
    before = text[max(sentence.start, start - 32) : start]
    after = text[end : min(sentence.end, end + 32)]
    for m in pattern.finditer(before):
        between = before[m.end() :]
        if not re.search(r"[.;]", between):
            return True
    m = pattern.search(after)
    return bool(m and not re.search(r"[.;,]", after[: m.start()]) and m.start() <= 24)


def partner_mentions(
    text: str, sentences: list[Sentence], hits: list[Hit], vocab: Vocabulary
) -> tuple[list[PartnerMention], list[tuple[Hit, int]]]:
    """Partner mentions, and the place names used as locations (for events)."""
    mentions: list[PartnerMention] = []
    places: list[tuple[Hit, int]] = []
    for hit in hits:
        if not hit.target.startswith(("country:", "bloc:", "region:", "org:")):
            continue
        index = sentence_index(sentences, hit.start)
        if index is None:
            continue
        sentence = sentences[index]
        if hit.alias.form in _METONYM_FORMS and _LOCATIVE_RE.search(text[max(sentence.start, hit.start - 16) : hit.start]):
            places.append((hit, index))
            continue
        rival = hit.target.startswith("country:") and is_rival_context(text, hit.start, hit.end, sentence, vocab)
        led_by = bool(_LED_RE.match(text[hit.end : hit.end + 8]))
        mentions.append(PartnerMention(hit.target, hit.start, hit.end, index, hit.alias.form, rival, led_by))
    return mentions, places


# ---------------------------------------------------------------- organisations by pattern

_CAP = r"(?:[A-Z][\w'’&.-]*|[A-Z]{2,})"
_CONNECT = r"(?:of|and|for|the|de|del|&)"


@cache
def _org_pattern(suffixes: tuple[str, ...], bodies: tuple[str, ...]) -> re.Pattern[str]:
    suffix = "|".join(re.escape(s) for s in sorted(suffixes, key=len, reverse=True))
    body = "|".join(bodies)
    named = rf"(?P<named>{_CAP}(?:\s+(?:{_CAP}|{_CONNECT}(?=\s+[A-Z])))*\s+(?:{suffix}))(?![\w])"
    government = (
        rf"(?P<gov>(?:{body})\s+(?:of|for)\s+(?:the\s+)?{_CAP}(?:,?\s+(?:{_CAP}|and|&|of)(?=\s*[A-Z&]|\s+and))*(?:\s+{_CAP})?)"
    )
    return re.compile(rf"{named}|{government}")


_ORG_STOP_FIRST = {"The", "A", "An", "This", "That", "These", "Its", "Their", "His", "Her", "Our", "In", "On", "At", "By", "For", "With", "And", "But", "As", "Both", "Senior", "While", "When", "During", "After", "Under", "From"}  # fmt: skip
# Words that say what a body does but not which body it is: a name made only of these
# (plus countries) is a topic ("India Critical Minerals"), not an organisation.
_GENERIC_ORG_WORDS = {
    "Mining", "Minerals", "Mineral", "Resources", "Metals", "Materials", "Energy", "Lithium", "Exploration", "Refining",
    "Battery", "Batteries", "Group", "Company", "Industries", "Industry", "Holdings", "Fund", "Bank", "Council",
    "Commission", "Agency", "Authority", "Institute", "Survey", "Critical", "Raw", "Rare", "Earth", "Earths",
    "Strategic", "Natural", "National", "Global", "International", "Annual", "Joint", "Ministerial", "Union",
    "Heavy", "Steel", "Clean", "Green", "Renewable", "New", "Advanced", "Technology", "Technologies", "Security",
    "Supply", "Chain", "Chains", "Investment", "Development", "Trade", "Economic", "Bilateral", "Federal", "State",
}  # fmt: skip
_WEAK_SUFFIXES = {"Mining", "Minerals", "Resources", "Metals", "Materials", "Energy", "Lithium", "Industries", "Exploration", "Refining", "Battery", "Batteries", "Group", "Fund", "Bank", "Council", "Commission", "Agency", "Authority", "Institute", "Survey", "Partners", "Ventures", "Enterprises"}  # fmt: skip
_PERSON_TITLE_RE = re.compile(
    r"\b(?:Minister|President|Ambassador|Secretary|Chancellor|Premier|Prince|King|Governor|Chairman|CEO|Director)\b"
)
_NAME_CONTINUES_RE = re.compile(
    r"^\s+(?:[A-Z][a-z]+\s+){0,2}(?:Dialogue|Week|Summit|Conference|Convention|Forum|Partnership|Initiative|Agreement|Act|Alliance|Framework|Strategy|Mission|Policy|Programme|Program|Plan|Roadmap|Club|Compact|Corridor|Accord|Declaration)\b"
)


@dataclass(frozen=True)
class OrgMatch:
    start: int
    end: int
    name: str
    government: bool


def find_pattern_orgs(text: str, vocab: Vocabulary, hits: list[Hit] | None = None) -> list[OrgMatch]:
    """Organisation names not in the vocabulary: "Andes Lithium Corp", "Ministry of Mines"."""
    pattern = _org_pattern(tuple(vocab.cues["org_suffixes"]), tuple(vocab.cues["government_bodies"]))
    place_words = {text[h.start : h.end] for h in hits or [] if h.target.startswith(("country:", "region:", "bloc:"))}
    found: list[OrgMatch] = []
    for m in pattern.finditer(text):
        government = m.group("gov") is not None
        start = m.start()
        words = m.group(0).split()
        while words and words[0] in _ORG_STOP_FIRST:
            start += len(words[0]) + 1
            words = words[1:]
        if not words:
            continue
        name = " ".join(words).rstrip(".,")
        if _PERSON_TITLE_RE.search(name) or _NAME_CONTINUES_RE.match(text[m.end() : m.end() + 40]):
            continue
        if re.match(r"(?:Ministr(?:y|ies)|Departments?|Offices?|Directorates?)\b", name):
            government = True
        if not government:
            if len(words) < 2:
                continue
            distinctive = [
                w for w in words
                if w not in _GENERIC_ORG_WORDS and w.lower() not in {"of", "and", "for", "the", "&", "de", "del"}
                and w.rstrip(".,") not in vocab.cues["org_suffixes"] and w not in place_words
                and not all(part in place_words for part in re.split(r"[-–]", w))
            ]  # fmt: skip
            if not distinctive:
                continue
        found.append(OrgMatch(start, start + len(name), name, government))
    return found


def org_country(name: str, text: str, start: int, hits: list[Hit], vocab: Vocabulary) -> str | None:
    """An unknown organisation's home country: from its name, or a possessive just before it."""
    for h in hits:
        if start <= h.start and h.end <= start + len(name) and h.target.startswith("country:"):
            return h.target.split(":")[1]
    for h in hits:
        if start - 40 <= h.start and h.end <= start and h.target.startswith("country:"):
            tail = text[h.end : start]
            if (
                re.fullmatch(
                    r"(?:['’]s)?\s+(?:(?:state|state-owned|state-run|national|government|public|private|mining|firm|company|miner|giant)[\s,-]*)*",
                    tail,
                )
                or h.alias.form == "demonym"
                and re.fullmatch(r"\s+(?:(?:state|state-owned|state-run|mining|firm|company|miner)[\s,-]*)*", tail)
            ):
                return h.target.split(":")[1]
    return None


def pattern_org_entry(match: OrgMatch, country: str | None) -> PartnerEntry:
    return PartnerEntry(
        org_key(match.name),
        match.name,
        "organization",
        country_iso3=country,
        kind="ministry" if match.government else "company",
        is_partner=not match.government,
    )


def build_partner_records(
    mentions: list[PartnerMention], entries: dict[str, PartnerEntry], methods: dict[str, str]
) -> list[PartnerRecord]:
    """One record per partner with at least one non-rival mention, in order of first mention."""
    records: dict[str, PartnerRecord] = {}
    for m in mentions:
        entry = entries[m.key]
        if m.rival or not entry.is_partner:
            continue
        method = methods.get(m.key, "gazetteer")
        record = records.get(m.key)
        if record is None:
            confidence = 0.9 if method == "gazetteer" else 0.7
            if m.form in {"demonym", "adjective", "capital", "metonym"}:
                confidence -= 0.1
            record = PartnerRecord(m.key, entry.name, entry.partner_type, entry.iso3, entry.country_iso3, method, confidence)
            records[m.key] = record
        elif m.form not in {"demonym", "adjective", "capital", "metonym"}:
            record.confidence = max(record.confidence, 0.9 if method == "gazetteer" else 0.7)
        record.spans.append(Span(m.start, m.end, m.sentence))
    for record in records.values():
        if len(record.spans) > 1:
            record.confidence = min(1.0, round(record.confidence + 0.05, 2))
    return list(records.values())
