"""What one article contributes to the published tables, worked out where the article is extracted.

Everything that depends on one article alone is settled here, once, in the extraction workers,
and cached with the article: the ids of partners, minerals, agreements, events and fully named
people (stable hashes of their keys), every mention row with its id, surface and sentence, the
evidence sentence of each agreement status. What needs the whole corpus (one row per entity; a
lone surname joined to the full name another article gives) is left to pipeline/tables.py, which
groups the records of the whole corpus (pipeline/corpus.py: one Arrow table per kind) and
concatenates the mention rows instead of walking a million spans.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline.extract.names import normalize_name
from pipeline.extract.records import ArticleExtraction, EventRecord, Span

# The mentions table's columns and types, without the descriptions (they would travel with every article).
MENTIONS_SCHEMA = pa.schema([pa.field(f.name, f.type, f.nullable) for f in schemas.arrow_schema("mentions")])
# An article's mentions are published in reading order (the same entity at the same span once).
READING_ORDER = [("char_start", "ascending"), ("char_end", "ascending"), ("entity_type", "ascending"), ("entity_id", "ascending")]


def stable_id(prefix: str, *parts: str, length: int = 12) -> str:
    """A readable prefix and a hash of the entity's key: the same key gives the same id in every build."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:length]}"


@cache
def partner_id(key: str) -> str:
    return stable_id("ptr", key)


def person_id(key: str) -> str:
    return stable_id("per", key)


def agreement_id(key: str) -> str:
    return stable_id("agr", key)


def event_key(event: EventRecord, article_id: str) -> tuple[str, ...]:
    """Named events meet across articles by name and month; unnamed ones by type, participants and
    date, and an undated unnamed event stays the article's own."""
    date_key = event.date.iso() if event.date else ""
    if event.named:
        return ("named", event.event_type, event.name.lower(), date_key[:7])
    return ("unnamed", event.event_type, "+".join(sorted(event.participants)), date_key, "" if event.date else article_id)


def mention_id(article_id: str, entity_type: str, entity_id: str, start: int, end: int) -> str:
    return stable_id("men", article_id, entity_type, entity_id, str(start), str(end), length=16)


@dataclass(slots=True)
class MentionColumns:
    """Mention rows of one article, column by column, on their way to an Arrow batch."""

    mention_id: list[str] = field(default_factory=list)
    entity_type: list[str] = field(default_factory=list)
    entity_id: list[str] = field(default_factory=list)
    char_start: list[int] = field(default_factory=list)
    char_end: list[int] = field(default_factory=list)
    surface: list[str] = field(default_factory=list)
    sentence: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.mention_id)

    def add(self, article_id: str, entity_type: str, entity_id: str, start: int, end: int, surface: str, sentence: str) -> None:
        self.mention_id.append(mention_id(article_id, entity_type, entity_id, start, end))
        self.entity_type.append(entity_type)
        self.entity_id.append(entity_id)
        self.char_start.append(start)
        self.char_end.append(end)
        self.surface.append(surface)
        self.sentence.append(sentence)

    def rows(self, article_id: str | list[str]) -> pa.RecordBatch:
        """The rows as they were added, in the mentions table's columns; `article_id` is the article's,
        or each row's."""
        articles = [article_id] * len(self) if isinstance(article_id, str) else article_id
        columns = {name: articles if name == "article_id" else getattr(self, name) for name in MENTIONS_SCHEMA.names}
        return pa.RecordBatch.from_pydict(columns, schema=MENTIONS_SCHEMA)

    def to_batch(self, article_id: str) -> pa.RecordBatch:
        """The rows as the mentions table publishes them (see in_reading_order), converted to Arrow
        once, where they are made."""
        return in_reading_order(self.rows(article_id))


def in_reading_order(rows: pa.RecordBatch) -> pa.RecordBatch:
    """One article's mention rows in reading order, the same entity at the same span once (its
    rows then share an id and sit side by side)."""
    rows = rows.take(pc.sort_indices(rows, sort_keys=READING_ORDER))
    ids = rows.column("mention_id").to_pylist()
    return rows.filter(pa.array([i == 0 or ids[i] != ids[i - 1] for i in range(len(ids))], pa.bool_()))


# An article's records, column by column: plain lists, which unpickle several times faster than
# record objects (a rebuild reads ten thousand articles back) and become Arrow columns for the
# corpus-wide grouping in pipeline/tables.py without a pass over objects.
Columns = dict[str, list]

# `model` is the deciding model ("partner@1a2b3c4d5e"), `decided_by` the features that weighed most in its decision.
PARTNER_COLUMNS = ("key", "name", "partner_type", "iso3", "country_iso3", "method", "confidence", "model", "decided_by")
MINERAL_COLUMNS = ("mineral_id", "confidence", "model", "decided_by")
PERSON_COLUMNS = ("person_key", "name", "role", "organization", "country_iso3", "method", "confidence", "surname_only", "model",
                  "decided_by")  # fmt: skip
SURNAME_COLUMNS = ("person", "start", "end", "surface", "sentence")  # `person`: the row of `people` it belongs to
AGREEMENT_COLUMNS = ("agreement_id", "name", "agreement_type", "status", "date", "date_precision", "method",
                     "confidence", "evidence", "parties", "minerals", "stages", "model", "decided_by")  # fmt: skip
EVENT_COLUMNS = ("event_id", "event_type", "name", "date", "date_precision", "location", "country_iso3", "method",
                 "confidence", "participants", "model", "decided_by")  # fmt: skip


@dataclass(slots=True)
class ArticleFacts:
    """One article's records, as columns, with their spans turned into mention rows and the ids it settles alone.

    Records keep their fields (see *_COLUMNS) but not their spans; a date is split into its value
    and precision. `people["person_key"]` is each person's identity (see normalize_name);
    `surname_evidence` holds the spans of the surname-only people, whose mentions are written
    once the corpus says whose surname it is. `agreements["evidence"]` is the sentence each
    status was read from. `mentions` has the rows of the mentions table, in its column order."""

    article_id: str
    title: str | None
    published_date: dt.date | None
    language: str
    word_count: int
    partners: Columns
    minerals: Columns
    people: Columns
    surname_evidence: Columns
    agreements: Columns
    events: Columns
    mentions: pa.RecordBatch

    def __reduce__(self):
        # The mention rows travel (worker to parent, cache file and back) in Arrow's IPC format:
        # read back ten times faster than a pickled RecordBatch (0.14 s instead of 1.4 s for the
        # ten thousand articles of the benchmark), zero-copy from the pickle's bytes.
        values = tuple(getattr(self, name) for name in _RECORD_FIELDS)
        return (_facts_from_state, (values, _ipc_bytes(self.mentions)))


_RECORD_FIELDS = [name for name in ArticleFacts.__slots__ if name != "mentions"]


def _ipc_bytes(rows: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, rows.schema) as writer:
        writer.write_batch(rows)
    return sink.getvalue().to_pybytes()


def _facts_from_state(values: tuple, mentions_ipc: bytes) -> ArticleFacts:
    return ArticleFacts(
        **dict(zip(_RECORD_FIELDS, values, strict=True)), mentions=pa.ipc.open_stream(mentions_ipc).read_next_batch()
    )


def _columns(names: tuple[str, ...], rows: list[tuple]) -> Columns:
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def article_facts(extraction: ArticleExtraction, article_id: str, word_count: int) -> ArticleFacts:
    """The facts of one extracted article; `article_id` and `word_count` come from ingestion."""
    text = extraction.text
    sentence_texts: dict[int, str] = {}

    def sentence(index: int) -> str:
        found = sentence_texts.get(index)
        if found is None:
            found = sentence_texts[index] = extraction.sentence_text(index)
        return found

    mentions = MentionColumns()

    def add(entity_type: str, entity_id: str, spans: list[Span]) -> None:
        for s in spans:
            mentions.add(article_id, entity_type, entity_id, s.start, s.end, text[s.start : s.end], sentence(s.sentence))

    partners = []
    for p in extraction.partners:
        partners.append((p.key, p.name, p.partner_type, p.iso3, p.country_iso3, p.method, p.confidence, p.model, p.decided_by))
        add("partner", partner_id(p.key), p.spans)
    for m in extraction.minerals:
        add("mineral", m.mineral_id, m.spans)
    people, surnames = [], []
    for i, p in enumerate(extraction.people):
        key = normalize_name(p.name)
        people.append((key, p.name, p.role, p.organization, p.country_iso3, p.method, p.confidence, p.surname_only, p.model,
                       p.decided_by))  # fmt: skip
        if p.surname_only:
            surnames += [(i, s.start, s.end, text[s.start : s.end], sentence(s.sentence)) for s in p.spans]
        else:
            add("person", person_id(key), p.spans)
    agreements = []
    for ag in extraction.agreements:
        aid = agreement_id(ag.key)
        agreements.append(
            (aid, ag.name, ag.agreement_type, ag.status, ag.date.value if ag.date else None,
             ag.date.precision if ag.date else None, ag.method, ag.confidence, sentence(ag.status_evidence),
             ag.parties, ag.minerals, ag.stages, ag.model, ag.decided_by)
        )  # fmt: skip
        add("agreement", aid, ag.spans)
    events = []
    for ev in extraction.events:
        eid = stable_id("evt", *event_key(ev, article_id))
        events.append(
            (eid, ev.event_type, ev.name, ev.date.value if ev.date else None, ev.date.precision if ev.date else None,
             ev.location, ev.country_iso3, ev.method, ev.confidence, ev.participants, ev.model, ev.decided_by)
        )  # fmt: skip
        add("event", eid, ev.spans)
    return ArticleFacts(
        article_id=article_id,
        title=extraction.title,
        published_date=extraction.published_date,
        language=extraction.language,
        word_count=word_count,
        partners=_columns(PARTNER_COLUMNS, partners),
        minerals=_columns(MINERAL_COLUMNS, [(m.mineral_id, m.confidence, m.model, m.decided_by) for m in extraction.minerals]),
        people=_columns(PERSON_COLUMNS, people),
        surname_evidence=_columns(SURNAME_COLUMNS, surnames),
        agreements=_columns(AGREEMENT_COLUMNS, agreements),
        events=_columns(EVENT_COLUMNS, events),
        mentions=mentions.to_batch(article_id),
    )
