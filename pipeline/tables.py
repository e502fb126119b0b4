"""From per-article facts to the published tables: entity resolution across the corpus.

The same real-world entity found in several articles becomes one row. Identity comes from
canonical keys (ISO code, vocabulary id, normalised name, agreement parties and subject), and
ids are stable hashes of those keys with a readable prefix (pipeline/extract/facts.py), so an
entity keeps its id when new articles arrive. Each article's own share (ids, mention rows,
evidence sentences) is worked out and cached with its extraction, its records as columns; this
step makes one Arrow table of each kind of record across the corpus, groups it by entity in
DuckDB (hash aggregation, linear in the corpus, no pairwise comparison; the rules for which
record gives a row its name or date are the queries below) and concatenates the mention rows.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline.corpus import CorpusFacts, from_facts, gather_rows
from pipeline.extract.budget import BUDGET_ENV
from pipeline.extract.facts import (
    MentionColumns,
    article_facts,
    partner_id,
    person_id,
    stable_id,
)
from pipeline.extract.records import ArticleExtraction
from pipeline.extract.vocab import load_vocabulary
from pipeline.ingest import RawArticle, Rejection, article_id

__all__ = ["STATUS_ORDER", "build_tables", "partner_id", "stable_id", "tables_from_facts"]

STATUS_ORDER = ["proposed", "negotiating", "approved", "signed", "in_force"]

# Each entity's row from its records across the corpus. `ord, pos` is the records' reading order
# (article by article as the corpus lists them, then within the article): "first" means first there.
_PARTNERS = """
SELECT key,
       first(name ORDER BY ord, pos) AS name,
       first(partner_type ORDER BY ord, pos) AS partner_type,
       first(iso3 ORDER BY ord, pos) AS iso3,
       first(country_iso3 ORDER BY ord, pos) FILTER (WHERE country_iso3 <> '') AS country_iso3,
       CASE WHEN bool_or(method = 'gazetteer') THEN 'gazetteer' ELSE first(method ORDER BY ord, pos) END AS recognized_by,
       first(model ORDER BY confidence DESC, ord, pos) AS extraction_method,
       first(decided_by ORDER BY confidence DESC, ord, pos) AS decided_by,
       max(confidence) AS confidence
FROM partners GROUP BY key
"""

# People: a surname-only record counts after the full names of its group (it joined them), and
# the fullest name (then the surest) names the row.
_PEOPLE = """
WITH grouped AS (
    SELECT p.*, coalesce(s.person_key, p.person_key) AS group_key, (p.surname_only::BIGINT << 62) + (ord << 24) + pos AS rank
    FROM people AS p LEFT JOIN surname_of AS s ON p.surname_only AND s.surname = p.person_key
    WHERE NOT p.surname_only OR s.person_key IS NOT NULL
), countries AS (
    SELECT group_key, country_iso3, count(*) AS n, min(rank) AS first_rank
    FROM grouped WHERE country_iso3 <> '' GROUP BY ALL
)
SELECT g.group_key,
       coalesce(first(name ORDER BY length(name) DESC, confidence DESC, rank) FILTER (WHERE NOT surname_only),
                first(name ORDER BY confidence DESC, rank)) AS name,
       first(role ORDER BY length(role) DESC, rank) FILTER (WHERE role <> '') AS role,
       first(organization ORDER BY rank) FILTER (WHERE organization <> '') AS organization,
       (SELECT first(c.country_iso3 ORDER BY c.n DESC, c.first_rank) FROM countries AS c WHERE c.group_key = g.group_key) AS country_iso3,
       coalesce(first(method ORDER BY length(name) DESC, confidence DESC, rank) FILTER (WHERE NOT surname_only),
                'surname') AS recognized_by,
       first(model ORDER BY confidence DESC, rank) AS extraction_method,
       first(decided_by ORDER BY confidence DESC, rank) AS decided_by,
       max(confidence) AS confidence
FROM grouped AS g GROUP BY g.group_key
"""

# Agreements: the latest report wins (undated reports count as older than dated ones, then the
# further status); its date, or else the first date reported with that status.
_AGREEMENTS = """
WITH latest AS (
    SELECT agreement_id,
           first(status ORDER BY coalesce(published_date, DATE '0001-01-01') DESC, status_rank DESC, ord, pos) AS status,
           first(date ORDER BY coalesce(published_date, DATE '0001-01-01') DESC, status_rank DESC, ord, pos) AS date,
           first(date_precision ORDER BY coalesce(published_date, DATE '0001-01-01') DESC, status_rank DESC, ord, pos) AS date_precision
    FROM agreements GROUP BY agreement_id
), kinds AS (
    SELECT agreement_id, agreement_type, count(*) AS n, min((ord << 24) + pos) AS first_rank FROM agreements GROUP BY ALL
)
SELECT a.agreement_id,
       coalesce(first(a.name ORDER BY a.ord, a.pos) FILTER (WHERE a.method = 'named_instrument'),
                first(a.name ORDER BY a.ord, a.pos)) AS name,
       (SELECT first(k.agreement_type ORDER BY k.n DESC, k.first_rank) FROM kinds AS k WHERE k.agreement_id = a.agreement_id) AS agreement_type,
       l.status AS status,
       coalesce(l.date, first(a.date ORDER BY a.ord, a.pos) FILTER (WHERE a.date IS NOT NULL AND a.status = l.status)) AS status_date,
       CASE WHEN l.date IS NOT NULL THEN l.date_precision
            ELSE first(a.date_precision ORDER BY a.ord, a.pos) FILTER (WHERE a.date IS NOT NULL AND a.status = l.status) END
           AS status_date_precision,
       CASE WHEN bool_or(a.method = 'named_instrument') THEN 'named_instrument' ELSE 'instrument_phrase' END AS recognized_by,
       first(a.model ORDER BY a.confidence DESC, a.ord, a.pos) AS extraction_method,
       first(a.decided_by ORDER BY a.confidence DESC, a.ord, a.pos) AS decided_by,
       max(a.confidence) AS confidence
FROM agreements AS a JOIN latest AS l USING (agreement_id)
GROUP BY a.agreement_id, l.status, l.date, l.date_precision
"""

_EVENTS = """
SELECT event_id,
       first(event_type ORDER BY ord, pos) AS event_type,
       first(name ORDER BY ord, pos) AS name,
       first(date ORDER BY ord, pos) AS start_date,
       first(date_precision ORDER BY ord, pos) AS date_precision,
       first(location ORDER BY ord, pos) FILTER (WHERE location <> '') AS location,
       first(country_iso3 ORDER BY ord, pos) FILTER (WHERE country_iso3 <> '') AS country_iso3,
       first(method ORDER BY ord, pos) AS recognized_by,
       first(model ORDER BY confidence DESC, ord, pos) AS extraction_method,
       first(decided_by ORDER BY confidence DESC, ord, pos) AS decided_by,
       max(confidence) AS confidence
FROM events GROUP BY event_id
"""


def _frame(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Rows in the table's declared column order, sorted by primary key (deterministic output)."""
    spec = schemas.load_tables()[table]
    if df.empty:
        return schemas.empty_frame(table)
    return df[list(spec.column_names)].sort_values(list(spec.primary_key), kind="stable").reset_index(drop=True)


def _from_rows(table: str, rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=schemas.load_tables()[table].column_names)


def _query(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.sql(sql).to_arrow_table().to_pandas()


def _with_article(records: pa.Table, articles: pa.Table) -> pa.Table:
    """Records with their article's id and publication date."""
    return records.append_column("article_id", articles["article_id"].take(records["ord"])).append_column(
        "published_date", articles["published_date"].take(records["ord"])
    )


def _mentions_frame(corpus: CorpusFacts, extra: pa.Table) -> pd.DataFrame:
    """Every mention, article by article (by id) and in reading order within each.

    The corpus keeps its articles' own rows in that order; `extra` (the rows of lone surnames
    whose owner the corpus names, a few per article at most) are merged into their articles'
    rows where the reading order puts them (see _merged_segments). Nothing is copied on the way;
    the whole table is copied once, into one block, at the end."""
    rows = corpus.mentions
    if extra.num_rows:
        ids = corpus.articles["article_id"]
        by_id = pc.sort_indices(ids).to_numpy()
        rank_of = dict(zip(ids.take(by_id).to_pylist(), range(len(by_id)), strict=True))
        own_count = corpus.articles["mentions_count"].to_numpy()[by_id]  # `rows` holds them in this order
        own_start = np.cumsum(own_count) - own_count
        extra_rank = [rank_of[a] for a in extra["article_id"].to_pylist()]
        block, start, count = _merged_segments(rows, own_start, own_count, extra, extra_rank)
        rows = gather_rows([rows, extra], block, start, count)
    if not rows.num_rows:
        return schemas.empty_frame("mentions")
    return rows.combine_chunks().to_pandas()  # one chunk: faster to check and write


def _merged_segments(
    rows: pa.Table, own_start: np.ndarray, own_count: np.ndarray, extra: pa.Table, extra_rank: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each extra row goes among `rows` (articles in rank order, each article's rows in
    reading order), as the segments to gather from [rows, extra]: (block, start, count) each.

    An extra row goes after every row of its article whose reading-order key is smaller or equal
    (an article's own row before an equal extra one), and is left out when one of those is the
    same mention (same id), as is the second of two equal extra rows. Only the few rows whose span
    equals an extra row's are compared beyond their offsets."""
    starts = rows["char_start"].to_numpy()
    ends = rows["char_end"].to_numpy()
    mention_ids = extra["mention_id"].to_pylist()
    # Each extra row's reading-order key: (article rank, start, end, type, id), strings as bytes.
    keys = [
        (rank, start, end, kind.encode(), entity.encode())
        for rank, start, end, kind, entity in zip(
            extra_rank, *(extra[c].to_pylist() for c in ("char_start", "char_end", "entity_type", "entity_id")), strict=True
        )
    ]
    segments: list[tuple[int, int, int]] = []
    cursor = 0  # the next row of `rows` not yet placed
    placed: set[str] = set()
    for i in sorted(range(extra.num_rows), key=keys.__getitem__):
        (rank, start, end, *entity), mid = keys[i], mention_ids[i]
        if mid in placed:
            continue
        lo, hi = int(own_start[rank]), int(own_start[rank] + own_count[rank])
        at = lo + int(np.searchsorted(starts[lo:hi], start, side="left"))
        while at < hi and starts[at] == start and ends[at] < end:
            at += 1
        at = max(at, cursor)
        duplicate = False
        while at < hi and starts[at] == start and ends[at] == end:
            if [rows["entity_type"][at].as_py().encode(), rows["entity_id"][at].as_py().encode()] > entity:
                break
            duplicate |= rows["mention_id"][at].as_py() == mid
            at += 1
        if duplicate:
            continue
        placed.add(mid)
        segments += [(0, cursor, at - cursor), (1, i, 1)]
        cursor = at
    segments.append((0, cursor, rows.num_rows - cursor))
    block, start_at, count = (np.array(column, dtype=np.int64) for column in zip(*segments, strict=True))
    return block, start_at, count


def _surname_owners(people: pa.Table) -> dict[str, str]:
    """Each lone surname's person: the one full name in the corpus that contains it as a word, or,
    when no article names anyone of that surname in full, the surname itself (the annotation guide:
    "President Biden" is "Biden" when the text gives no first name).

    A lone surname that several full names share is dropped: which of them it is cannot be told."""
    full = set(people.filter(pc.invert(people["surname_only"]))["person_key"].to_pylist())
    by_part: dict[str, set[str]] = defaultdict(set)
    for key in full:
        for part in key.split():
            if len(part) > 2:
                by_part[part].add(key)
    surnames = set(people.filter(people["surname_only"])["person_key"].to_pylist())
    owners = {}
    for s in surnames:
        named = by_part.get(s, set())
        if len(named) == 1:
            owners[s] = next(iter(named))
        elif not named:
            owners[s] = s
    return owners


def build_tables(
    raw: list[RawArticle], rejections: list[Rejection], extractions: list[ArticleExtraction]
) -> dict[str, pd.DataFrame]:
    """Every published table from extractions (the facts worked out here; see extract_corpus for the cached path)."""
    by_file = {r.source_file: r for r in raw}
    articles = [by_file[e.source_file] for e in extractions]
    facts = [
        article_facts(e, article_id(a.content_sha256), len(a.text.split())) for e, a in zip(extractions, articles, strict=True)
    ]
    return tables_from_facts(articles, rejections, from_facts(facts, [a.content_sha256 for a in articles]))


def _without_timeouts(
    raw: list[RawArticle], rejections: list[Rejection], timed_out: dict[str, float]
) -> tuple[list[RawArticle], list[Rejection]]:
    """The articles whose extraction ran past its budget move from `raw` to the rejections."""
    if not timed_out:
        return raw, rejections
    late = [
        Rejection(r.source_file, "extraction_timeout",
                  f"extraction stopped after {timed_out[r.content_sha256]:g} s, past the time budget of one article "
                  f"(set {BUDGET_ENV} or `build --time-budget` to allow more)", r.content_sha256)
        for r in raw if r.content_sha256 in timed_out
    ]  # fmt: skip
    return [r for r in raw if r.content_sha256 not in timed_out], rejections + late


def tables_from_facts(raw: list[RawArticle], rejections: list[Rejection], corpus: CorpusFacts) -> dict[str, pd.DataFrame]:
    """Every published table, as frames in the declared column order; the corpus' i-th article is `raw[i]`.

    The corpus holds one Arrow table per kind of record, grouped here by entity in DuckDB."""
    vocab = load_vocabulary()
    raw, rejections = _without_timeouts(raw, rejections, corpus.timed_out)
    listing = corpus.articles
    out: dict[str, pd.DataFrame] = {}
    out["articles"] = pd.DataFrame(
        {
            "article_id": listing["article_id"].to_pylist(),
            "source_file": [r.source_file for r in raw],
            # The source's own headline wins over the one read from the text; its date is in the text's header.
            "title": [r.title or title for r, title in zip(raw, listing["title"].to_pylist(), strict=True)],
            "published_date": listing["published_date"].to_pylist(),
            "content_sha256": [r.content_sha256 for r in raw],
            "word_count": listing["word_count"].to_pylist(),
            "language": listing["language"].to_pylist(),
            "url": [r.url for r in raw],
            "outlet": [r.outlet for r in raw],
            "authors": [r.authors for r in raw],
            "ingest_format": [r.ingest_format for r in raw],
        }
    )
    out["rejected_articles"] = _from_rows(
        "rejected_articles",
        [
            {"source_file": r.source_file, "reason": r.reason, "detail": r.detail, "content_sha256": r.content_sha256}
            for r in rejections
        ],
    )

    partners, minerals, people, events = (corpus.records[kind] for kind in ("partners", "minerals", "people", "events"))
    agreements = _with_article(corpus.records["agreements"], listing)
    agreements = agreements.append_column(
        "status_rank", pa.array([STATUS_ORDER.index(s) for s in agreements["status"].to_pylist()], pa.int64())
    )
    owners = _surname_owners(people)
    surname_of = pa.table(
        {"surname": list(owners), "person_key": list(owners.values())},
        schema=pa.schema([("surname", pa.string()), ("person_key", pa.string())]),
    )

    # The mention rows (mostly copying Arrow buffers, which frees the interpreter) are put together
    # in a second thread while DuckDB groups the records into entity rows.
    pool = ThreadPoolExecutor(max_workers=1)
    mentions = pool.submit(_mentions_frame, corpus, _lone_surname_rows(corpus, owners))
    pool.shutdown(wait=False)
    con = duckdb.connect()
    try:
        for name, rows in [("partners", partners), ("minerals", minerals), ("people", people), ("agreements", agreements),
                           ("events", events), ("surname_of", surname_of)]:  # fmt: skip
            con.register(name, rows)
        partner_rows = _query(con, _PARTNERS)
        partner_rows.insert(0, "partner_id", partner_rows.pop("key").map(partner_id))
        out["partners"] = partner_rows
        people_rows = _query(con, _PEOPLE)
        people_rows.insert(0, "person_id", [person_id(k) for k in people_rows.pop("group_key")])
        out["people"] = people_rows
        out["agreements"] = _query(con, _AGREEMENTS)
        out["agreement_statuses"] = _query(
            con, "SELECT agreement_id, article_id, status, published_date AS as_of_date, evidence FROM agreements"
        )
        for column, table, target in [("parties", "agreement_parties", "partner_id"), ("minerals", "agreement_minerals", "mineral_id"),
                                      ("stages", "agreement_value_chain", "stage")]:  # fmt: skip
            pairs = _query(con, f"SELECT DISTINCT agreement_id, unnest({column}) AS value FROM agreements")
            pairs[target] = pairs.pop("value").map(partner_id) if column == "parties" else pairs.pop("value")
            out[table] = pairs
        out["events"] = _query(con, _EVENTS)
        participants = _query(con, "SELECT DISTINCT event_id, unnest(participants) AS key FROM events")
        participants["partner_id"] = participants.pop("key").map(partner_id)
        out["event_participants"] = participants
        # An agreement's minerals are among its article's (both read from the same mineral hits);
        # one that were not would fail the agreement_minerals foreign-key check, which names it.
        mineral_rows = con.execute(
            "SELECT mineral_id, max(confidence), first(model ORDER BY confidence DESC, ord, pos), "
            "first(decided_by ORDER BY confidence DESC, ord, pos) FROM minerals GROUP BY mineral_id"
        ).fetchall()
    finally:
        con.close()
    out["minerals"] = _from_rows(
        "minerals",
        [
            {
                "mineral_id": mid,
                "name": vocab.minerals[mid].name,
                "symbol": vocab.minerals[mid].symbol,
                "mineral_group": vocab.minerals[mid].group,
                "critical_lists": ";".join(vocab.minerals[mid].lists) or None,
                "recognized_by": "gazetteer",
                "extraction_method": model,
                "decided_by": decided_by,
                "confidence": confidence,
            }
            for mid, confidence, model, decided_by in mineral_rows
        ],
    )

    tables = {name: _frame(name, out[name]) for name in schemas.table_names() if name != "mentions"}
    tables["mentions"] = mentions.result()
    return {name: tables[name] for name in schemas.table_names()}


def _lone_surname_rows(corpus: CorpusFacts, owners: dict[str, str]) -> pa.Table:
    """Mention rows of the lone surnames whose owner the corpus names, as that person's."""
    extra, extra_articles = MentionColumns(), []
    surnames = _with_article(corpus.records["surnames"], corpus.articles)
    surnames = surnames.filter(pc.is_in(surnames["person_key"], pa.array(list(owners), pa.string())))
    for key, article, start, end, surface, sentence in zip(
        *(surnames[c].to_pylist() for c in ("person_key", "article_id", "start", "end", "surface", "sentence")), strict=True
    ):
        extra.add(article, "person", person_id(owners[key]), start, end, surface, sentence)
        extra_articles.append(article)
    return pa.Table.from_batches([extra.rows(extra_articles)])
