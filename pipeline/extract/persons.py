"""Person candidates of an article: the names people.py finds, one record per person with every
mention, lone surnames linked to the full name ("Minister Hodgson"), and the features the person
model (pipeline/models/person.json) decides on.
"""

from __future__ import annotations

import re

from pipeline.extract.gazetteer import Coverage, Hit
from pipeline.extract.names import (
    _NATIONAL_TITLES,
    _PARTICLES,
    NOT_NAME,
    Token,
    _is_initial,
    normalize_name,
    strip_titles_of_address,
)
from pipeline.extract.people import Found, find_in_sentence, span_text
from pipeline.extract.records import PersonRecord, Sentence, Span
from pipeline.extract.vocab import PartnerEntry, Vocabulary

_CAPITALISED_WORD_RE = re.compile(r"\b[A-Z][\w'’-]+\b")


def _surname_mentions(
    text: str, sentence: Sentence, index: int, surnames: dict[str, int], vocab: Vocabulary, named: Coverage
) -> list[tuple[int, Span]]:
    """Bare surnames ("Gor said", "Minister Hodgson") of people named in full elsewhere, outside
    vocabulary names (`named`: the coverage of the gazetteer's hits)."""
    out = []
    for m in _CAPITALISED_WORD_RE.finditer(text[sentence.start : sentence.end]):
        word = m.group(0)
        key = word.lower()
        if key in surnames:
            start = sentence.start + m.start()
            if named.covers(start):
                continue
            out.append((surnames[key], Span(start, start + len(word), index)))
    return out


def extract_people(
    text: str,
    sentences: list[Sentence],
    hits: list[Hit],
    entries: dict[str, PartnerEntry],
    vocab: Vocabulary,
    home_country: str | None,
    sentence_countries: dict[int, list[str]],
) -> list[PersonRecord]:
    """People named in the article, one record per person, with every mention's span."""
    found: list[Found] = []
    for index, sentence in enumerate(sentences):
        found.extend(find_in_sentence(text, index, sentence, hits, entries, vocab))

    records: dict[str, PersonRecord] = {}
    single: list[Found] = []
    for f in found:
        f.name_tokens = strip_titles_of_address(f.name_tokens)
        if len(f.name_tokens) < 2:
            single.append(f)
            continue
        name = span_text(f.name_tokens, text)
        key = normalize_name(name)
        country = f.country
        confidence = {"title": 0.9, "apposition": 0.85, "reporting_verb": 0.75, "byline": 0.8}[f.method]
        if country is None and f.role and f.role.lower().split()[-1:] and any(t in f.role.lower() for t in _NATIONAL_TITLES):
            candidates = sentence_countries.get(f.sentence, [])
            country = candidates[0] if len(candidates) == 1 else home_country
            confidence -= 0.1
        record = records.get(key)
        span = Span(f.name_tokens[0].start, f.name_tokens[-1].end, f.sentence)
        if record is None:
            records[key] = PersonRecord(name, f.role, f.organization, country, f.method, confidence, spans=[span])
        else:
            record.spans.append(span)
            if f.role and (not record.role or len(f.role) > len(record.role)):
                record.role = f.role
            record.organization = record.organization or f.organization
            record.country_iso3 = record.country_iso3 or country
            record.confidence = max(record.confidence, confidence)

    # Surnames: link "Minister Kumaraswamy", "Gor said" to the full name.
    by_surname: dict[str, str] = {}
    ambiguous: set[str] = set()
    for key in records:
        for part in key.split():
            if len(part) > 2 and part not in _PARTICLES:
                if part in by_surname and by_surname[part] != key:
                    ambiguous.add(part)
                by_surname[part] = key
    for part in ambiguous:
        by_surname.pop(part, None)
    keys = list(records)
    surname_index = {part: keys.index(key) for part, key in by_surname.items()}
    seen = {(s.start, s.end) for r in records.values() for s in r.spans}
    named = Coverage(hits)
    for index, sentence in enumerate(sentences if surname_index else ()):  # no full name, no surname to look for
        for person_index, span in _surname_mentions(text, sentence, index, surname_index, vocab, named):
            if (span.start, span.end) in seen or any(s.start <= span.start < s.end for r in records.values() for s in r.spans):
                continue
            records[keys[person_index]].spans.append(span)
            seen.add((span.start, span.end))
    # A title + lone surname never named in full in this article stays, flagged, for
    # resolution against other articles ("Prime Minister Carney").
    single += _leaders_by_government(text, sentences, vocab)
    for f in single:
        word = f.name_tokens[0].text
        if word.lower() in by_surname or len(word) < 3:
            continue
        key = normalize_name(word)
        if key in records:
            records[key].spans.append(Span(f.name_tokens[0].start, f.name_tokens[0].end, f.sentence))
            continue
        records[key] = PersonRecord(
            word,
            f.role,
            f.organization,
            f.country,
            "surname",
            0.4,
            surname_only=True,
            spans=[Span(f.name_tokens[0].start, f.name_tokens[0].end, f.sentence)],
        )
    for r in records.values():
        r.spans.sort(key=lambda s: s.start)
    return list(records.values())


# "the Trump administration", "the Modi government": a leader named only through their government.
_GOVERNMENT_OF_RE = re.compile(r"\b([A-Z][a-z]{2,})(?:['’]s)?\s+(?:administration|government|presidency)\b")


def _leaders_by_government(text: str, sentences: list[Sentence], vocab: Vocabulary) -> list[Found]:
    out = []
    surfaces = vocab.partner_surfaces
    for index, s in enumerate(sentences):
        for m in _GOVERNMENT_OF_RE.finditer(text, s.start, s.end):
            word = m.group(1)
            if word in surfaces or word in NOT_NAME or m.start(1) == s.start:
                continue
            out.append(Found([Token(word, m.start(1), m.end(1))], None, None, None, "surname", index))
    return out


_ROLE_KINDS = {
    "commentator": re.compile(r"\b(?:analyst|economist|researcher|professor|fellow|scholar|strategist|consultant|expert)\b", re.I),
    "official": re.compile(r"\b(?:minister|president|secretary|ambassador|envoy|commissioner|governor|premier|chancellor|king|prince|senator|official|spokes\w+)\b", re.I),
    "executive": re.compile(r"\b(?:ceo|chief|chair\w*|director|executive|founder|head|manager|officer|partner)\b", re.I),
    "author": re.compile(r"\bauthor\b", re.I),
}  # fmt: skip


def person_features(p: PersonRecord, text: str, headline: bool, sentence_signals: dict[str, float]) -> dict[str, float]:
    """What the person model sees of one name the finder proposed."""
    f: dict[str, float] = {"method:" + p.method: 1.0}
    if p.role:
        f["has_role"] = 1.0
        for kind, pattern in _ROLE_KINDS.items():
            if pattern.search(p.role):
                f["role:" + kind] = 1.0
    if p.surname_only:
        f["surname_only"] = 1.0
    n = len(p.spans)
    f[f"mentions_{min(n, 3)}"] = 1.0
    words = p.name.split()
    f[f"name_words_{min(len(words), 4)}"] = 1.0
    if any(_is_initial(w.rstrip(".")) for w in words):
        f["has_initial"] = 1.0
    if any(w.lower() in _PARTICLES for w in words):
        f["has_particle"] = 1.0
    if p.country_iso3:
        f["country_known"] = 1.0
    if p.organization:
        f["organisation_known"] = 1.0
    if headline:
        f["in_headline"] = 1.0
    for key in ("sent_quote", "sent_reporting", "sent_meeting", "sent_signed"):
        if key in sentence_signals:
            f["s:" + key] = 1.0
    return f
