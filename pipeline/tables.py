"""From per-article extractions to the published tables: entity resolution and ids.

The same real-world entity found in several articles becomes one row. Identity comes
from canonical keys (ISO code, vocabulary id, normalised name, agreement parties and
subject), and ids are stable hashes of those keys with a readable prefix, so an entity
keeps its id when new articles arrive. Everything here is linear in the number of
mentions (dictionary grouping, no pairwise comparison).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

import schemas
from pipeline.extract.people import normalize_name
from pipeline.extract.records import ArticleExtraction, DateValue, PersonRecord
from pipeline.extract.vocab import load_vocabulary
from pipeline.ingest import RawArticle, Rejection, article_id

STATUS_ORDER = ["proposed", "negotiating", "approved", "signed", "in_force"]


def stable_id(prefix: str, *parts: str, length: int = 12) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:length]}"


@cache
def partner_id(key: str) -> str:
    return stable_id("ptr", key)


@dataclass
class _Article:
    article_id: str
    extraction: ArticleExtraction
    _sentences: dict[int, str] = field(default_factory=dict)

    def sentence(self, index: int) -> str:
        """The sentence's text, one string per sentence however many mentions quote it."""
        text = self._sentences.get(index)
        if text is None:
            text = self._sentences[index] = self.extraction.sentence_text(index)
        return text


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows in the table's declared column order, sorted by primary key (deterministic output)."""
    spec = schemas.load_tables()[table]
    if not rows:
        return schemas.empty_frame(table)
    df = pd.DataFrame(rows, columns=spec.column_names)
    return df.sort_values(list(spec.primary_key), kind="stable").reset_index(drop=True)


def _date(value: DateValue | None) -> dt.date | None:
    return value.value if value else None


def _resolve_people(articles: list[_Article]) -> dict[str, list[tuple[_Article, PersonRecord]]]:
    """People grouped by identity; a surname-only mention joins the one full name containing it."""
    full: dict[str, list[tuple[_Article, PersonRecord]]] = defaultdict(list)
    surname_only: list[tuple[_Article, PersonRecord]] = []
    for a in articles:
        for p in a.extraction.people:
            if p.surname_only:
                surname_only.append((a, p))
            else:
                full[normalize_name(p.name)].append((a, p))
    by_last: dict[str, set[str]] = defaultdict(set)
    for key in full:
        for part in key.split():
            if len(part) > 2:
                by_last[part].add(key)
    for a, p in surname_only:
        word = normalize_name(p.name)
        candidates = by_last.get(word, set())
        if len(candidates) == 1:
            full[next(iter(candidates))].append((a, p))
        # A lone surname that no article names in full is dropped: "Minister Seal" may be a
        # headline verb, and a person row needs a name a reader can look up.
    return full


def build_tables(
    raw: list[RawArticle], rejections: list[Rejection], extractions: list[ArticleExtraction]
) -> dict[str, pd.DataFrame]:
    """Every published table, as frames in the declared column order."""
    vocab = load_vocabulary()
    by_file = {r.source_file: r for r in raw}
    articles = [_Article(article_id(by_file[e.source_file].content_sha256), e) for e in extractions]
    tables: dict[str, list[dict]] = defaultdict(list)
    mentions: dict[str, dict] = {}

    def add_mention(a: _Article, entity_type: str, entity_id: str, start: int, end: int, sentence: int) -> None:
        mention_id = stable_id("men", a.article_id, entity_type, entity_id, str(start), str(end), length=16)
        text = a.extraction.text
        mentions[mention_id] = {
            "mention_id": mention_id,
            "article_id": a.article_id,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "char_start": start,
            "char_end": end,
            "surface": text[start:end],
            "sentence": a.sentence(sentence),
        }

    # articles and rejections
    for a in articles:
        r = by_file[a.extraction.source_file]
        tables["articles"].append(
            {
                "article_id": a.article_id,
                "source_file": r.source_file,
                "title": a.extraction.title,
                "published_date": a.extraction.published_date,
                "content_sha256": r.content_sha256,
                "word_count": len(r.text.split()),
                "language": a.extraction.language,
            }
        )
    for rej in rejections:
        tables["rejected_articles"].append(
            {"source_file": rej.source_file, "reason": rej.reason, "detail": rej.detail, "content_sha256": rej.content_sha256}
        )

    # partners
    partners: dict[str, dict] = {}
    for a in articles:
        for p in a.extraction.partners:
            pid = partner_id(p.key)
            row = partners.get(pid)
            if row is None:
                partners[pid] = row = {
                    "partner_id": pid,
                    "name": p.name,
                    "partner_type": p.partner_type,
                    "iso3": p.iso3,
                    "country_iso3": p.country_iso3,
                    "extraction_method": p.method,
                    "confidence": p.confidence,
                }
            else:
                row["confidence"] = max(row["confidence"], p.confidence)
                row["country_iso3"] = row["country_iso3"] or p.country_iso3
                if p.method == "gazetteer":
                    row["extraction_method"] = "gazetteer"
            for s in p.spans:
                add_mention(a, "partner", pid, s.start, s.end, s.sentence)

    # minerals (every mineral an article or an agreement names)
    mineral_ids: set[str] = set()
    mineral_confidence: dict[str, float] = {}
    for a in articles:
        for m in a.extraction.minerals:
            mineral_ids.add(m.mineral_id)
            mineral_confidence[m.mineral_id] = max(mineral_confidence.get(m.mineral_id, 0.0), m.confidence)
            for s in m.spans:
                add_mention(a, "mineral", m.mineral_id, s.start, s.end, s.sentence)
        for ag in a.extraction.agreements:
            mineral_ids.update(ag.minerals)
    for mid in mineral_ids:
        entry = vocab.minerals[mid]
        tables["minerals"].append(
            {
                "mineral_id": mid,
                "name": entry.name,
                "symbol": entry.symbol,
                "mineral_group": entry.group,
                "critical_lists": ";".join(entry.lists) or None,
                "extraction_method": "gazetteer",
                "confidence": mineral_confidence[mid],
            }
        )

    # people
    groups = _resolve_people(articles)
    for key, group in groups.items():
        pid = stable_id("per", key)
        full = [p for _, p in group if not p.surname_only]
        best = max(full or [p for _, p in group], key=lambda p: (len(p.name), p.confidence))
        roles = [p.role for _, p in group if p.role]
        countries = Counter(p.country_iso3 for _, p in group if p.country_iso3)
        orgs = [p.organization for _, p in group if p.organization]
        tables["people"].append(
            {
                "person_id": pid,
                "name": best.name,
                "role": max(roles, key=len) if roles else None,
                "organization": orgs[0] if orgs else None,
                "country_iso3": countries.most_common(1)[0][0] if countries else None,
                "extraction_method": best.method,
                "confidence": max(p.confidence for _, p in group) if full else best.confidence,
            }
        )
        for a, p in group:
            for s in p.spans:
                add_mention(a, "person", pid, s.start, s.end, s.sentence)

    # agreements, merged across articles by key; status history per article
    agreement_groups: dict[str, list[tuple[_Article, object]]] = defaultdict(list)
    for a in articles:
        for ag in a.extraction.agreements:
            agreement_groups[ag.key].append((a, ag))
    for key, group in agreement_groups.items():
        aid = stable_id("agr", key)
        history = []
        for a, ag in group:
            as_of = a.extraction.published_date
            history.append((as_of, ag))
            tables["agreement_statuses"].append(
                {
                    "agreement_id": aid,
                    "article_id": a.article_id,
                    "status": ag.status,
                    "as_of_date": as_of,
                    "evidence": a.sentence(ag.status_evidence),
                }
            )
            for sp in ag.spans:
                add_mention(a, "agreement", aid, sp.start, sp.end, sp.sentence)
        # The latest report wins; undated reports count as older than dated ones.
        latest_date, latest = max(history, key=lambda t: (t[0] or dt.date.min, STATUS_ORDER.index(t[1].status)))
        named = [ag for _, ag in group if ag.method == "named_instrument"]
        kinds = Counter(ag.agreement_type for _, ag in group)
        date = latest.date or next((ag.date for _, ag in group if ag.date and ag.status == latest.status), None)
        tables["agreements"].append(
            {
                "agreement_id": aid,
                "name": (named[0] if named else group[0][1]).name,
                "agreement_type": kinds.most_common(1)[0][0],
                "status": latest.status,
                "status_date": _date(date),
                "status_date_precision": date.precision if date else None,
                "extraction_method": "named_instrument" if named else "instrument_phrase",
                "confidence": max(ag.confidence for _, ag in group),
            }
        )
        parties = {pk for _, ag in group for pk in ag.parties}
        tables["agreement_parties"] += [{"agreement_id": aid, "partner_id": partner_id(pk)} for pk in sorted(parties)]
        minerals = {m for _, ag in group for m in ag.minerals}
        tables["agreement_minerals"] += [{"agreement_id": aid, "mineral_id": m} for m in sorted(minerals)]
        stages = {st for _, ag in group for st in ag.stages}
        tables["agreement_value_chain"] += [{"agreement_id": aid, "stage": st} for st in sorted(stages)]

    # events, merged across articles when named (same name and date) or otherwise per article
    events: dict[str, dict] = {}
    participants: set[tuple[str, str]] = set()
    for a in articles:
        for ev in a.extraction.events:
            date_key = ev.date.iso() if ev.date else ""
            if ev.named:
                key = ("named", ev.event_type, ev.name.lower(), date_key[:7])
            else:
                key = ("unnamed", ev.event_type, "+".join(sorted(ev.participants)), date_key, "" if ev.date else a.article_id)
            eid = stable_id("evt", *key)
            row = events.get(eid)
            if row is None:
                events[eid] = {
                    "event_id": eid,
                    "event_type": ev.event_type,
                    "name": ev.name,
                    "start_date": _date(ev.date),
                    "date_precision": ev.date.precision if ev.date else None,
                    "location": ev.location,
                    "country_iso3": ev.country_iso3,
                    "extraction_method": ev.method,
                    "confidence": ev.confidence,
                }
            else:
                row["location"] = row["location"] or ev.location
                row["country_iso3"] = row["country_iso3"] or ev.country_iso3
                row["confidence"] = max(row["confidence"], ev.confidence)
            participants.update((eid, partner_id(pk)) for pk in ev.participants)
            for sp in ev.spans:
                add_mention(a, "event", eid, sp.start, sp.end, sp.sentence)
    tables["events"] = list(events.values())
    tables["event_participants"] = [{"event_id": e, "partner_id": p} for e, p in sorted(participants)]
    tables["partners"] = list(partners.values())
    tables["mentions"] = list(mentions.values())
    return {name: _frame(name, tables.get(name, [])) for name in schemas.table_names()}
