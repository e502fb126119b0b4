"""Extraction: article text in, records with evidence spans out. No Dagster here.

`extract_article` is the one entry point; each stage lives in its own module
(text, dates, gazetteer, partners, minerals, people, agreements, events).
"""

from __future__ import annotations

import re

from pipeline.extract.agreements import extract_agreements
from pipeline.extract.context import ArticleContext
from pipeline.extract.events import extract_events
from pipeline.extract.gazetteer import Hit, load_gazetteer, select_longest
from pipeline.extract.language import detect_language
from pipeline.extract.minerals import extract_minerals, mineral_hits
from pipeline.extract.partners import (
    GENERIC_ORG_WORDS,
    build_partner_records,
    find_pattern_orgs,
    org_country,
    partner_mentions,
    pattern_org_entry,
)
from pipeline.extract.patterns import word_spans
from pipeline.extract.people import NOT_NAME, extract_people
from pipeline.extract.records import ArticleExtraction
from pipeline.extract.text import body_start, find_published_date, find_title, normalize_text, split_sentences
from pipeline.extract.vocab import Alias, PartnerEntry, load_vocabulary

__all__ = ["extract_article"]

# "Keystone's mining Minister": the short name of a company is not a place's.
_TITLE_OF_RE = re.compile(r"[’']s\s+[a-z]+\s+(?:Minister|President)")


_ACRONYM_AFTER_RE = re.compile(r"\s*\(([A-Z][A-Za-z&]{1,9})\)")


def _pattern_org_hits(text: str, hits: list[Hit], entries: dict[str, PartnerEntry]) -> list[Hit]:
    """Organisations found by name pattern, with their acronyms "(KABIL)" as further names."""
    vocab = load_vocabulary()
    out: list[Hit] = []
    for match in find_pattern_orgs(text, vocab, hits):
        if any(h.start <= match.start and match.end <= h.end and h.target.startswith("org:") for h in hits):
            continue
        acronym = _ACRONYM_AFTER_RE.match(text[match.end : match.end + 14])
        known = next(
            (h.target for h in hits if acronym and h.target.startswith("org:") and text[h.start : h.end] == acronym.group(1)),
            None,
        )
        if known:
            # "Korea Mine Rehabilitation ... Corporation (KOMIR)": a long form of a known organisation.
            out.append(Hit(match.start, match.end, Alias(match.name, known, "alias", True)))
            continue
        entry = pattern_org_entry(match, org_country(match.name, text, match.start, hits, vocab))
        entries.setdefault(entry.key, entry)
        out.append(Hit(match.start, match.end, Alias(match.name, entry.key, "pattern", True)))
        if acronym:
            for start, end in word_spans(text, acronym.group(1)):
                out.append(Hit(start, end, Alias(acronym.group(1), entry.key, "acronym", True)))
        short = _short_name(match.name, hits)
        if short:
            # "Keystone Strategic Metals Corp" is "Keystone" in later sentences.
            for start, end in word_spans(text, short, unless_before=_TITLE_OF_RE):
                if not (match.start <= start < match.end):
                    out.append(Hit(start, end, Alias(short, entry.key, "acronym", True)))
    return out


def _short_name(name: str, hits: list[Hit]) -> str | None:
    """The distinctive first word of a multi-word company name, when it can stand alone."""
    words = name.split()
    first = words[0]
    if len(words) < 2 or len(first) < 4 or not first.isalpha() or not first[0].isupper() or first.isupper():
        return None
    if first in GENERIC_ORG_WORDS or first in NOT_NAME or first in load_vocabulary().partner_surfaces:
        return None
    return first


def extract_article(source_file: str, raw_text: str) -> ArticleExtraction:
    """Everything one article states about critical-minerals partnerships, with evidence."""
    vocab = load_vocabulary()
    text = normalize_text(raw_text)
    published, _ = find_published_date(text)
    start = body_start(text)
    sentences = split_sentences(text[start:], offset=start)
    language = detect_language(text[start:])
    if language != "en":
        # The rules and vocabularies read English: another language yields no entities, not invented ones.
        return ArticleExtraction(source_file, text, find_title(text), published, sentences, [], [], [], [], [], language)
    vocab_hits = load_gazetteer().find(text)
    entries: dict[str, PartnerEntry] = dict(vocab.partners)
    org_hits = _pattern_org_hits(text, vocab_hits, entries)
    hits = select_longest(vocab_hits + org_hits)
    mentions, places = partner_mentions(text, sentences, hits, vocab, entries)
    methods = {h.target: "pattern" for h in org_hits}
    ctx = ArticleContext(
        text=text,
        sentences=sentences,
        published=published,
        vocab=vocab,
        entries=entries,
        mentions=mentions,
        places=places,
        mineral_hits=mineral_hits(text, hits, vocab),
    )
    home = ctx.home
    people = extract_people(text, sentences, hits, entries, vocab, home.split(":")[1] if home else None, ctx.sentence_countries())
    ctx.person_spans = [(s.start, s.end, p.country_iso3) for p in people for s in p.spans]
    partners = build_partner_records(mentions, entries, methods)
    known = {p.key for p in partners}
    agreements = [a for a in extract_agreements(ctx) if all(k in known for k in a.parties)]
    events = extract_events(ctx)
    # A country the article treats as a rival anywhere ("China, which refines 90% of ...") is a
    # partner only where it actually takes part: as a party or a participant.
    rivals = {m.key for m in mentions if m.role == "rival"}
    involved = {k for a in agreements for k in a.parties} | {k for e in events for k in e.participants}
    partners = [p for p in partners if p.key not in rivals or p.key in involved]
    known = {p.key for p in partners}
    for e in events:
        e.participants = [k for k in e.participants if k in known]
    return ArticleExtraction(
        source_file=source_file,
        text=text,
        title=find_title(text),
        published_date=published,
        sentences=sentences,
        partners=partners,
        minerals=extract_minerals(text, sentences, hits, vocab),
        people=people,
        agreements=agreements,
        events=events,
    )
