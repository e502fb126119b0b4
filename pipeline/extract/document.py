"""Reading an article: its text, sentences, date, and every name, mineral, place and date in it.

This is the first stage of extraction. It finds things and says where they are; it decides
nothing about who takes part in what. Every later stage (candidates, features, decisions) reads
the Document built here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property

from pipeline.extract.dates import DateMention, find_dates
from pipeline.extract.gazetteer import Coverage, Hit, load_gazetteer, select_longest
from pipeline.extract.language import detect_language
from pipeline.extract.minerals import mineral_hits
from pipeline.extract.orgs import find_pattern_orgs, org_country, pattern_org_entry
from pipeline.extract.patterns import word_spans
from pipeline.extract.places import PlaceMention, find_places
from pipeline.extract.records import DateValue, Sentence
from pipeline.extract.rules import rules_for
from pipeline.extract.text import body_start, find_published_date, find_title, normalize_text, sentence_index, split_sentences
from pipeline.extract.vocab import Alias, PartnerEntry, Vocabulary, load_vocabulary

# Organisation kinds the annotation guide folds into their country (a ministry acts for its state).
GOVERNMENT_KINDS = {"government", "ministry"}
_ACRONYM_AFTER_RE = re.compile(r"\s*\(([A-Z][A-Za-z&]{1,9})\)")
_TITLE_OF_RE = re.compile(r"[’']s\s+[a-z]+\s+(?:Minister|President)")


@dataclass
class EntityMention:
    """One occurrence of a country, bloc, region or organisation, with what the rules say around it.

    `form`: how the text names it (name, demonym, capital, acronym, alias, pattern, government ...);
    a government body ("Australia's Department of Industry") is a mention of its country."""

    key: str
    start: int
    end: int
    sentence: int
    form: str
    signals: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DateExpression:
    start: int
    end: int
    sentence: int
    value: DateValue | None
    text: str


@dataclass
class Document:
    source_file: str
    text: str
    title: str | None
    published: dt.date | None
    sentences: list[Sentence]
    language: str
    vocab: Vocabulary
    entries: dict[str, PartnerEntry]
    mentions: list[EntityMention] = field(default_factory=list)
    mineral_hits: list[Hit] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    pattern_orgs: set[str] = field(default_factory=set)
    _dates: dict[int, list[DateExpression]] = field(default_factory=dict)
    memo: dict[str, dict] = field(default_factory=dict)  # what later stages work out once per article
    _sentence_signals: dict[int, dict[str, float]] = field(default_factory=dict)

    def sentence_text(self, index: int) -> str:
        s = self.sentences[index]
        return self.text[s.start : s.end]

    def entry(self, key: str) -> PartnerEntry:
        return self.entries[key]

    def kind(self, key: str) -> str:
        return self.entries[key].partner_type

    @cached_property
    def mentions_by_sentence(self) -> dict[int, list[EntityMention]]:
        out: dict[int, list[EntityMention]] = {}
        for m in self.mentions:
            out.setdefault(m.sentence, []).append(m)
        return out

    @cached_property
    def country_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.mentions:
            if m.key.startswith("country:"):
                counts[m.key] = counts.get(m.key, 0) + 1
        return counts

    @cached_property
    def nationality_share(self) -> dict[str, float]:
        """Per entity, the share of its mentions that only give a company's nationality or owner
        ("Canadian lithium miner", "Korea's POSCO"): a country named only so is seldom a side of a deal,
        though an unnamed company of it makes the country look like the missing side."""
        counts: dict[str, list[int]] = {}
        for m in self.mentions:
            c = counts.setdefault(m.key, [0, 0])
            c[0] += "attribute" in m.signals or "owner" in m.signals
            c[1] += 1
        return {k: n / total for k, (n, total) in counts.items() if n}

    @cached_property
    def home(self) -> str | None:
        """The article's own country: the one it names most (the first named on a tie)."""
        counts = self.country_counts
        if not counts:
            return None
        best = max(counts.values())
        return next(m.key for m in self.mentions if counts.get(m.key) == best)

    @cached_property
    def top_countries(self) -> list[str]:
        order = {}
        for i, m in enumerate(self.mentions):
            order.setdefault(m.key, i)
        return sorted(self.country_counts, key=lambda k: (-self.country_counts[k], order[k]))

    def dates_in(self, index: int) -> list[DateExpression]:
        found = self._dates.get(index)
        if found is None:
            s = self.sentences[index]
            mentions: list[DateMention] = find_dates(self.text[s.start : s.end], self.published)
            found = self._dates[index] = [
                DateExpression(s.start + d.start, s.start + d.end, index, d.date, d.text) for d in mentions
            ]
        return found

    def sentence_signals(self, index: int) -> dict[str, float]:
        """What the sentence-wide rules (pipeline/rules/sentence.yaml) say of sentence `index`."""
        found = self._sentence_signals.get(index)
        if found is None:
            s = self.sentences[index]
            found = self._sentence_signals[index] = rules_for("sentence").signals(self.text, s.start, s.end, s.start, s.end)
        return found

    def sentence_has(self, pattern: re.Pattern[str], index: int) -> bool:
        """Whether `pattern` occurs in sentence `index`: searched once per sentence, not once per
        candidate of the sentence."""
        cache = self.memo.setdefault("sentence_has", {})
        found = cache.get((pattern, index))
        if found is None:
            s = self.sentences[index]
            found = cache[(pattern, index)] = pattern.search(self.text, s.start, s.end) is not None
        return found

    def span_signals(self, scope: str, start: int, end: int, index: int) -> dict[str, float]:
        """What the rules of `scope` say of the words text[start:end] of sentence `index`, worked out once
        per span (the readings of one list share their words)."""
        cache = self.memo.setdefault(scope + "_signals", {})
        found = cache.get((start, end))
        if found is None:
            s = self.sentences[index]
            found = cache[(start, end)] = rules_for(scope).signals(self.text, start, end, s.start, s.end)
        return found

    def is_headline(self, index: int) -> bool:
        """The opening line when it is a headline: no full stop, not too long, a line of its own."""
        if index != 0 or not self.sentences:
            return False
        s = self.sentences[0]
        line = self.text[s.start : s.end]
        return (
            not line.rstrip().endswith((".", "!", "?", '"', "”"))
            and len(line.split()) <= 25
            and (s.end >= len(self.text) or self.text[s.end] == "\n")
        )


def _pattern_org_hits(text: str, hits: list[Hit], entries: dict[str, PartnerEntry], vocab: Vocabulary) -> list[Hit]:
    """Organisations found by name pattern, with their acronyms "(KABIL)" and short names as further names.

    Linear in the article: known organisations are looked up by bisect (Coverage) and by surface, and each
    further name is searched for once, whatever the number of organisations that give it."""
    out: list[Hit] = []
    known_orgs = Coverage(h for h in hits if h.target.startswith("org:"))
    known_by_surface: dict[str, str] = {}
    for h in hits:
        if h.target.startswith("org:"):
            known_by_surface.setdefault(text[h.start : h.end], h.target)
    spans_of: dict[tuple[str, bool], list[tuple[int, int]]] = {}
    keys_of_name: dict[str, set[str]] = {}

    def further_name(word: str, key: str, title_check: bool) -> list[tuple[int, int]]:
        keys = keys_of_name.setdefault(word, set())
        if key in keys or len(keys) >= _MAX_BODIES_PER_FURTHER_NAME:
            return []  # given already; or a word so many bodies share that it singles out none
        keys.add(key)
        found = spans_of.get((word, title_check))
        if found is None:
            found = spans_of[(word, title_check)] = list(word_spans(text, word, _TITLE_OF_RE if title_check else None))
        return found

    for match in find_pattern_orgs(text, vocab, hits):
        if known_orgs.contains(match.start, match.end):
            continue  # inside a known organisation's name
        acronym = _ACRONYM_AFTER_RE.match(text, match.end, match.end + 14)
        known = known_by_surface.get(acronym.group(1)) if acronym else None
        if known:  # "Korea Mine Rehabilitation ... Corporation (KOMIR)": a long form of a known organisation
            out.append(Hit(match.start, match.end, Alias(match.name, known, "alias", True)))
            continue
        entry = pattern_org_entry(match, org_country(match.name, text, match.start, hits, vocab))
        entries.setdefault(entry.key, entry)
        form = "government" if match.government else "acronym_pattern" if match.acronym else "pattern"
        out.append(Hit(match.start, match.end, Alias(match.name, entry.key, form, True)))
        if acronym:
            for start, end in further_name(acronym.group(1), entry.key, False):
                out.append(Hit(start, end, Alias(acronym.group(1), entry.key, "acronym", True)))
        short = _short_name(match.name, vocab)
        if short and not match.government:
            for start, end in further_name(short, entry.key, True):
                if not (match.start <= start < match.end):
                    out.append(Hit(start, end, Alias(short, entry.key, "short", True)))
    return out


# Past this many organisations sharing one short name or acronym, it names none of them.
_MAX_BODIES_PER_FURTHER_NAME = 4


_GENERIC_FIRST = {"Mining", "Minerals", "Mineral", "Resources", "Metals", "Energy", "Global", "International", "National",
                  "Strategic", "Critical", "Rare", "State", "Federal", "Joint", "New", "Green", "Clean", "United"}  # fmt: skip


def _short_name(name: str, vocab: Vocabulary) -> str | None:
    """The distinctive first word of a multi-word company name ("Keystone" of "Keystone Strategic Metals Corp")."""
    words = name.split()
    first = words[0]
    if len(words) < 2 or len(first) < 4 or not first.isalpha() or not first[0].isupper() or first.isupper():
        return None
    if first in _GENERIC_FIRST or first in vocab.partner_surfaces:
        return None
    return first


def _fold_government(hit: Hit, entries: dict[str, PartnerEntry]) -> tuple[str, str]:
    """A government body is its country ("Peru's Ministry of Energy" -> PER); the key and form to record."""
    entry = entries.get(hit.target)
    if (
        entry is not None
        and entry.partner_type == "organization"
        and (entry.kind in GOVERNMENT_KINDS or hit.alias.form == "government")
    ):
        if entry.country_iso3:
            return f"country:{entry.country_iso3}", "government"
        return "government:unknown", "government"
    return hit.target, hit.alias.form


def read_document(source_file: str, raw_text: str) -> Document:
    """Every name, mineral, place and date of an article, with the rules' signals around each name."""
    vocab = load_vocabulary()
    text = normalize_text(raw_text)
    published, _ = find_published_date(text)
    start = body_start(text)
    sentences = split_sentences(text[start:], offset=start)
    language = detect_language(text[start:])
    doc = Document(source_file, text, find_title(text), published, sentences, language, vocab, dict(vocab.partners))
    if language != "en":
        return doc  # the rules and vocabularies read English: another language yields no entities
    vocab_hits = load_gazetteer().find(text)
    org_hits = _pattern_org_hits(text, vocab_hits, doc.entries, vocab)
    hits = select_longest(vocab_hits + org_hits)
    doc.hits = hits
    doc.pattern_orgs = {h.target for h in org_hits}
    doc.mineral_hits = mineral_hits(text, hits, vocab)
    doc.places = find_places(text, sentences)
    entity_rules = rules_for("entity")
    pending_government: list[EntityMention] = []
    for hit in hits:
        if not hit.target.startswith(("country:", "bloc:", "region:", "org:")):
            continue
        index = sentence_index(sentences, hit.start)
        if index is None:
            continue
        key, form = _fold_government(hit, doc.entries)
        s = sentences[index]
        mention = EntityMention(
            key, hit.start, hit.end, index, form, entity_rules.signals(text, hit.start, hit.end, s.start, s.end)
        )
        if key == "government:unknown":
            pending_government.append(mention)
            continue
        doc.mentions.append(mention)
    # A ministry that names no country ("the Ministry of Mines said") acts for the article's own country.
    home = doc.home
    for m in pending_government:
        if home:
            m.key, m.form = home, "government_home"
            doc.mentions.append(m)
    doc.mentions.sort(key=lambda m: (m.start, m.end))
    return doc
