"""From per-article facts to the published tables: entity resolution across the corpus.

The same real-world entity found in several articles becomes one row. Identity comes from
canonical keys (ISO code, vocabulary id, normalised name, agreement parties and subject), and
ids are stable hashes of those keys with a readable prefix (pipeline/extract/facts.py), so an
entity keeps its id when new articles arrive. Each article's own share (ids, mention rows,
evidence sentences) is worked out and cached with its extraction; this step only groups the
records by key and concatenates the mention columns, linear in the corpus (dictionary grouping,
no pairwise comparison).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pandas as pd
import pyarrow as pa

import schemas
from pipeline.extract.facts import (
    ArticleFacts,
    MentionColumns,
    agreement_id,
    article_facts,
    in_reading_order,
    partner_id,
    person_id,
    stable_id,
)
from pipeline.extract.records import ArticleExtraction, DateValue, PersonRecord
from pipeline.extract.vocab import load_vocabulary
from pipeline.ingest import RawArticle, Rejection, article_id

__all__ = ["STATUS_ORDER", "build_tables", "partner_id", "stable_id", "tables_from_facts"]

STATUS_ORDER = ["proposed", "negotiating", "approved", "signed", "in_force"]


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows in the table's declared column order, sorted by primary key (deterministic output)."""
    spec = schemas.load_tables()[table]
    if not rows:
        return schemas.empty_frame(table)
    df = pd.DataFrame(rows, columns=spec.column_names)
    return df.sort_values(list(spec.primary_key), kind="stable").reset_index(drop=True)


def _mentions_frame(facts: list[ArticleFacts], surname_mentions: dict[str, MentionColumns]) -> pd.DataFrame:
    """Every mention, article by article (by id) and in reading order within each; the rows
    stay in Arrow, as the workers made them, until the end."""
    batches = []
    for f in sorted(facts, key=lambda f: f.article_id):
        batch = f.mentions
        extra = surname_mentions.get(f.article_id)
        if extra is not None:  # merged into the article's own rows, in reading order
            batch = in_reading_order(pa.concat_batches([batch, extra.rows(f.article_id)]))
        batches.append(batch)
    if not sum(b.num_rows for b in batches):
        return schemas.empty_frame("mentions")
    return pa.Table.from_batches([pa.concat_batches(batches)]).to_pandas()  # one chunk: faster to check and write


def _date(value: DateValue | None) -> dt.date | None:
    return value.value if value else None


PersonGroups = dict[str, list[tuple[ArticleFacts, PersonRecord, int]]]


def _resolve_people(facts: list[ArticleFacts]) -> PersonGroups:
    """People grouped by identity; a surname-only mention joins the one full name containing it."""
    full: PersonGroups = defaultdict(list)
    surname_only: list[tuple[ArticleFacts, PersonRecord, int]] = []
    for f in facts:
        for i, (p, key) in enumerate(zip(f.people, f.person_keys, strict=True)):
            if p.surname_only:
                surname_only.append((f, p, i))
            else:
                full[key].append((f, p, i))
    by_last: dict[str, set[str]] = defaultdict(set)
    for key in full:
        for part in key.split():
            if len(part) > 2:
                by_last[part].add(key)
    for f, p, i in surname_only:
        candidates = by_last.get(f.person_keys[i], set())
        if len(candidates) == 1:
            full[next(iter(candidates))].append((f, p, i))
        # A lone surname that no article names in full is dropped: "Minister Seal" may be a
        # headline verb, and a person row needs a name a reader can look up.
    return full


def build_tables(
    raw: list[RawArticle], rejections: list[Rejection], extractions: list[ArticleExtraction]
) -> dict[str, pd.DataFrame]:
    """Every published table from extractions (the facts worked out here; see extract_corpus for the cached path)."""
    by_file = {r.source_file: r for r in raw}
    facts = [
        article_facts(e, article_id(by_file[e.source_file].content_sha256), len(by_file[e.source_file].text.split()))
        for e in extractions
    ]
    return tables_from_facts([by_file[e.source_file] for e in extractions], rejections, facts)


def tables_from_facts(raw: list[RawArticle], rejections: list[Rejection], facts: list[ArticleFacts]) -> dict[str, pd.DataFrame]:
    """Every published table, as frames in the declared column order; `facts[i]` belongs to `raw[i]`."""
    vocab = load_vocabulary()
    tables: dict[str, list[dict]] = defaultdict(list)

    # articles and rejections
    for r, f in zip(raw, facts, strict=True):
        tables["articles"].append(
            {
                "article_id": f.article_id,
                "source_file": r.source_file,
                "title": f.title,
                "published_date": f.published_date,
                "content_sha256": r.content_sha256,
                "word_count": f.word_count,
                "language": f.language,
            }
        )
    for rej in rejections:
        tables["rejected_articles"].append(
            {"source_file": rej.source_file, "reason": rej.reason, "detail": rej.detail, "content_sha256": rej.content_sha256}
        )

    # mentions: every article's own rows, then those of surname-only people once resolved below
    surname_mentions: dict[str, MentionColumns] = defaultdict(MentionColumns)

    # partners
    partners: dict[str, dict] = {}
    for f in facts:
        for p in f.partners:
            pid = partner_id(p.key)
            row = partners.get(pid)
            if row is None:
                partners[pid] = {
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

    # minerals (every mineral an article or an agreement names)
    mineral_ids: set[str] = set()
    mineral_confidence: dict[str, float] = {}
    for f in facts:
        for m in f.minerals:
            mineral_ids.add(m.mineral_id)
            mineral_confidence[m.mineral_id] = max(mineral_confidence.get(m.mineral_id, 0.0), m.confidence)
        for ag in f.agreements:
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
    for key, group in _resolve_people(facts).items():
        pid = person_id(key)
        full = [p for _, p, _ in group if not p.surname_only]
        best = max(full or [p for _, p, _ in group], key=lambda p: (len(p.name), p.confidence))
        roles = [p.role for _, p, _ in group if p.role]
        countries = Counter(p.country_iso3 for _, p, _ in group if p.country_iso3)
        orgs = [p.organization for _, p, _ in group if p.organization]
        tables["people"].append(
            {
                "person_id": pid,
                "name": best.name,
                "role": max(roles, key=len) if roles else None,
                "organization": orgs[0] if orgs else None,
                "country_iso3": countries.most_common(1)[0][0] if countries else None,
                "extraction_method": best.method,
                "confidence": max(p.confidence for _, p, _ in group) if full else best.confidence,
            }
        )
        for f, _, i in group:
            for ev in f.surname_evidence[i]:
                surname_mentions[f.article_id].add(f.article_id, "person", pid, ev.start, ev.end, ev.surface, ev.sentence)

    # agreements, merged across articles by key; status history per article
    agreement_groups: dict[str, list[tuple[ArticleFacts, int]]] = defaultdict(list)
    for f in facts:
        for i, ag in enumerate(f.agreements):
            agreement_groups[ag.key].append((f, i))
    for key, members in agreement_groups.items():
        aid = agreement_id(key)
        group = [f.agreements[i] for f, i in members]
        history = []
        for f, i in members:
            ag = f.agreements[i]
            history.append((f.published_date, ag))
            tables["agreement_statuses"].append(
                {
                    "agreement_id": aid,
                    "article_id": f.article_id,
                    "status": ag.status,
                    "as_of_date": f.published_date,
                    "evidence": f.status_evidence[i],
                }
            )
        # The latest report wins; undated reports count as older than dated ones.
        latest_date, latest = max(history, key=lambda t: (t[0] or dt.date.min, STATUS_ORDER.index(t[1].status)))
        named = [ag for ag in group if ag.method == "named_instrument"]
        kinds = Counter(ag.agreement_type for ag in group)
        date = latest.date or next((ag.date for ag in group if ag.date and ag.status == latest.status), None)
        tables["agreements"].append(
            {
                "agreement_id": aid,
                "name": (named[0] if named else group[0]).name,
                "agreement_type": kinds.most_common(1)[0][0],
                "status": latest.status,
                "status_date": _date(date),
                "status_date_precision": date.precision if date else None,
                "extraction_method": "named_instrument" if named else "instrument_phrase",
                "confidence": max(ag.confidence for ag in group),
            }
        )
        parties = {pk for ag in group for pk in ag.parties}
        tables["agreement_parties"] += [{"agreement_id": aid, "partner_id": partner_id(pk)} for pk in sorted(parties)]
        minerals = {m for ag in group for m in ag.minerals}
        tables["agreement_minerals"] += [{"agreement_id": aid, "mineral_id": m} for m in sorted(minerals)]
        stages = {st for ag in group for st in ag.stages}
        tables["agreement_value_chain"] += [{"agreement_id": aid, "stage": st} for st in sorted(stages)]

    # events, merged across articles when named (same name and month) or otherwise per article
    events: dict[str, dict] = {}
    participants: set[tuple[str, str]] = set()
    for f in facts:
        for eid, ev in zip(f.event_ids, f.events, strict=True):
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
    tables["events"] = list(events.values())
    tables["event_participants"] = [{"event_id": e, "partner_id": p} for e, p in sorted(participants)]
    tables["partners"] = list(partners.values())
    out = {name: _frame(name, tables.get(name, [])) for name in schemas.table_names() if name != "mentions"}
    out["mentions"] = _mentions_frame(facts, surname_mentions)
    return {name: out[name] for name in schemas.table_names()}
