"""The corpus' facts as Arrow tables, one per kind of record, and the snapshot a rebuild reads them from.

Each article's facts (pipeline/extract/facts.py) are cached on their own, one file per article
(pipeline/extract/batch.py). Reading ten thousand of them back and turning their values into
Arrow columns is most of a rebuild's work, so every build also keeps the corpus it combined as
a snapshot: Arrow IPC files under `.cache/extractions/<fingerprint>/corpus-v1/`, memory-mapped on
the next build, which then reads only the articles the snapshot lacks. The snapshot is made of
segments (a folder of one file per kind of record); a build that adds articles adds a small
segment, and one whole segment replaces them when there are more than `MAX_SEGMENTS` or when
more than a fifth of the articles stored are no longer in the corpus.

Rows of every kind carry `ord` (the article's place in the corpus: the order in which "first"
is meant) and `pos` (the record's place in its article). Mention rows are kept in the order the
mentions table publishes them: by article id, then in reading order within the article.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.checksums import altered, write_manifest
from pipeline.extract.batch import CACHE_DIR, Progress, code_fingerprint, extract_corpus
from pipeline.extract.facts import (
    AGREEMENT_COLUMNS,
    EVENT_COLUMNS,
    MENTIONS_SCHEMA,
    MINERAL_COLUMNS,
    PARTNER_COLUMNS,
    PERSON_COLUMNS,
    ArticleFacts,
)

SNAPSHOT_DIR = "corpus-v1"  # the layout's version: a change to how segments are made starts a new snapshot
MAX_SEGMENTS = 8

_LIST = pa.list_(pa.string())
_TYPES = {"confidence": pa.float64(), "date": pa.date32(), "surname_only": pa.bool_(), "start": pa.int64(),
          "end": pa.int64(), **{name: _LIST for name in ("parties", "minerals", "stages", "participants")}}  # fmt: skip
# A lone surname's spans, by the surname (its person key) rather than by its row in the article.
SURNAME_RECORD_COLUMNS = ("person_key", "start", "end", "surface", "sentence")
RECORD_COLUMNS: dict[str, tuple[str, ...]] = {
    "partners": PARTNER_COLUMNS,
    "minerals": MINERAL_COLUMNS,
    "people": PERSON_COLUMNS,
    "surnames": SURNAME_RECORD_COLUMNS,
    "agreements": AGREEMENT_COLUMNS,
    "events": EVENT_COLUMNS,
}
RECORD_SCHEMAS = {
    kind: pa.schema([(name, _TYPES.get(name, pa.string())) for name in names] + [("ord", pa.int64()), ("pos", pa.int64())])
    for kind, names in RECORD_COLUMNS.items()
}
ARTICLE_SCHEMA = pa.schema(
    [("content_sha256", pa.string()), ("article_id", pa.string()), ("title", pa.string()), ("published_date", pa.date32()),
     ("language", pa.string()), ("word_count", pa.int64()),
     ("mentions_start", pa.int64()), ("mentions_count", pa.int64())]  # the article's rows of `mentions`
)  # fmt: skip

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorpusFacts:
    """Every article's facts as one Arrow table per kind; `articles` lists the articles in corpus order.

    `timed_out` holds the articles whose extraction ran past its budget (content hash: seconds):
    they have no facts and are published as rejections."""

    articles: pa.Table
    records: dict[str, pa.Table]
    mentions: pa.Table
    timed_out: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.articles.num_rows

    @property
    def content_hashes(self) -> list[str]:
        return self.articles["content_sha256"].to_pylist()

    def records_per_article(self, kind: str) -> np.ndarray:
        return np.bincount(self.records[kind]["ord"].to_numpy(), minlength=len(self))


def from_facts(facts: Sequence[ArticleFacts], content_hashes: Sequence[str]) -> CorpusFacts:
    """The corpus of `facts` (in corpus order; `content_hashes[i]` is the text hash of `facts[i]`)."""
    records = {kind: _records(facts, kind) for kind in RECORD_COLUMNS}
    by_id = sorted(range(len(facts)), key=lambda i: facts[i].article_id)
    counts = np.array([facts[i].mentions.num_rows for i in by_id], dtype=np.int64)
    starts = np.empty(len(facts), dtype=np.int64)
    starts[by_id] = np.cumsum(counts) - counts
    sizes = np.empty(len(facts), dtype=np.int64)
    sizes[by_id] = counts
    mentions = pa.Table.from_batches([facts[i].mentions for i in by_id], schema=MENTIONS_SCHEMA)
    articles = pa.table(
        {
            "content_sha256": list(content_hashes),
            "article_id": [f.article_id for f in facts],
            "title": [f.title for f in facts],
            "published_date": [f.published_date for f in facts],
            "language": [f.language for f in facts],
            "word_count": [f.word_count for f in facts],
            "mentions_start": starts,
            "mentions_count": sizes,
        },
        schema=ARTICLE_SCHEMA,
    )
    return CorpusFacts(articles, records, mentions.combine_chunks())


def _records(facts: Sequence[ArticleFacts], kind: str) -> pa.Table:
    names = RECORD_COLUMNS[kind]
    columns: dict[str, list] = {name: [] for name in names}
    counts = np.zeros(len(facts), dtype=np.int64)
    for i, f in enumerate(facts):
        if kind == "surnames":
            own = dict(f.surname_evidence)
            keys = f.people["person_key"]
            own["person_key"] = [keys[row] for row in own.pop("person")]
        else:
            own = getattr(f, kind)
        for name in names:
            columns[name] += own[name]
        counts[i] = len(own[names[0]])
    schema = RECORD_SCHEMAS[kind]
    arrays = [pa.array(columns[name], schema.field(name).type) for name in names]
    ord_ = np.repeat(np.arange(len(facts), dtype=np.int64), counts)
    pos = np.arange(len(ord_), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return pa.Table.from_arrays([*arrays, pa.array(ord_), pa.array(pos)], schema=schema)


def combine(parts: Sequence[CorpusFacts], content_hashes: Sequence[str]) -> CorpusFacts:
    """The corpus `content_hashes` lists, in that order, from parts that hold its articles (and maybe others).

    An article is taken from the first part that holds it; the rows of articles the corpus does
    not list are left out. Mention rows are sliced, not copied, where neighbours (by id) come from
    the same part (pipeline/tables.py copies them into one block, once, with the rows it adds)."""
    where = {sha: i for i, sha in enumerate(content_hashes)}
    found = np.zeros(len(content_hashes), dtype=bool)
    records: dict[str, list[pa.Table]] = {kind: [] for kind in RECORD_COLUMNS}
    listings: list[pa.Table] = []
    used: list[CorpusFacts] = []
    for part in parts:
        mapping = np.full(len(part), -1, dtype=np.int64)
        for j, sha in enumerate(part.content_hashes):
            i = where.get(sha, -1)
            if i >= 0 and not found[i]:
                mapping[j] = i
                found[i] = True
        kept = mapping >= 0
        if not kept.any():
            continue
        everything = bool(kept.all())
        ords = pa.array(mapping)
        for kind, table in part.records.items():
            new_ord = pc.take(ords, table["ord"])
            table = table.set_column(table.schema.get_field_index("ord"), "ord", new_ord)
            records[kind].append(table if everything else table.filter(pc.greater_equal(new_ord, 0)))
        listing = part.articles.append_column("ord", ords).append_column("part", pa.array(np.full(len(part), len(used))))
        listings.append(listing if everything else listing.filter(pa.array(kept)))
        used.append(part)
    if not found.all():
        raise KeyError(f"{int((~found).sum())} article(s) in none of the parts, e.g. {content_hashes[int(np.argmin(found))]}")
    if not listings:
        return from_facts([], [])
    listing = pa.concat_tables(listings)
    listing = listing.take(pc.sort_indices(listing["ord"]))  # corpus order
    mentions, starts = _mentions_by_id(listing, used)
    articles = listing.set_column(listing.schema.get_field_index("mentions_start"), "mentions_start", pa.array(starts))
    return CorpusFacts(
        articles.select(ARTICLE_SCHEMA.names),
        {kind: pa.concat_tables(tables) for kind, tables in records.items()},
        mentions,
    )


def _mentions_by_id(listing: pa.Table, parts: list[CorpusFacts]) -> tuple[pa.Table, np.ndarray]:
    """The mention rows of the listed articles, by article id, and where each article's rows start."""
    by_id = pc.sort_indices(listing["article_id"]).to_numpy()
    part = listing["part"].to_numpy()[by_id]
    start = listing["mentions_start"].to_numpy()[by_id]
    count = listing["mentions_count"].to_numpy()[by_id]
    mentions = gather_rows([p.mentions for p in parts], part, start, count)
    new_start = np.empty(len(by_id), dtype=np.int64)
    new_start[by_id] = np.cumsum(count) - count
    return mentions, new_start


def gather_rows(blocks: Sequence[pa.Table], block: np.ndarray, start: np.ndarray, count: np.ndarray) -> pa.Table:
    """Rows `start[i]` to `start[i] + count[i]` of `blocks[block[i]]`, for each i in turn, as one table
    of slices, nothing copied: neighbours that are neighbours in the same block make one slice."""
    if not len(block):
        return blocks[0].slice(0, 0)
    breaks = np.flatnonzero((block[1:] != block[:-1]) | (start[1:] != start[:-1] + count[:-1])) + 1
    return pa.concat_tables(
        [blocks[block[a]].slice(int(start[a]), int(start[b - 1] + count[b - 1] - start[a]))
         for a, b in zip(np.r_[0, breaks], np.r_[breaks, len(block)], strict=True)]
    )  # fmt: skip


def read_snapshot(folder: Path) -> list[CorpusFacts]:
    """The segments of the snapshot in `folder`, memory-mapped (none if there is no snapshot).

    A segment that cannot be read is removed: its articles are then read from their own cache files.
    So is what a killed build left half-written (a hidden folder), once it is an hour old: younger,
    it may be another build's, still under way."""
    for unfinished in Path(folder).glob(".seg-*"):
        if time.time() - unfinished.stat().st_mtime > 3600:
            shutil.rmtree(unfinished, ignore_errors=True)
    segments = []
    for path in sorted(Path(folder).glob("seg-*")):
        try:
            damaged = _damaged_files(path)
            if damaged:
                raise ValueError(f"{', '.join(damaged)} do not match the segment's checksums")
            tables = {name: _read_ipc(path / f"{name}.arrow") for name in ("articles", "mentions", *RECORD_COLUMNS)}
            if tables["articles"].schema != ARTICLE_SCHEMA or any(tables[k].schema != RECORD_SCHEMAS[k] for k in RECORD_COLUMNS):
                raise ValueError("written by another layout")
            segments.append(CorpusFacts(tables["articles"], {k: tables[k] for k in RECORD_COLUMNS}, tables["mentions"]))
        except (OSError, ValueError, pa.ArrowInvalid) as exc:
            log.warning("snapshot segment %s dropped (%s): its articles are read from their own cache files", path.name, exc)
            shutil.rmtree(path, ignore_errors=True)
    return segments


SEGMENT_FILES = ("articles", "mentions", *RECORD_COLUMNS)
SEGMENT_CHECKSUMS = "SHA256SUMS"


def _damaged_files(segment: Path) -> list[str]:
    """The files of a segment that are not byte for byte what was written (all, without a manifest)."""
    return altered(segment, [f"{name}.arrow" for name in SEGMENT_FILES], SEGMENT_CHECKSUMS)


def _read_ipc(path: Path) -> pa.Table:
    return pa.ipc.open_file(pa.memory_map(str(path))).read_all()


def write_segment(folder: Path, corpus: CorpusFacts) -> Path:
    """`corpus` as one segment of the snapshot in `folder`; it appears whole (renamed into place) or not at all."""
    digest = hashlib.sha256("\n".join(sorted(corpus.content_hashes)).encode()).hexdigest()[:16]
    target = Path(folder) / f"seg-{digest}"
    if target.is_dir():
        return target
    Path(folder).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".seg-"))
    try:
        for name, table in [("articles", corpus.articles), ("mentions", corpus.mentions), *corpus.records.items()]:
            with pa.OSFile(str(tmp / f"{name}.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
            with open(tmp / f"{name}.arrow", "rb") as fh:
                os.fsync(fh.fileno())
        write_manifest(tmp, [f"{name}.arrow" for name in SEGMENT_FILES], SEGMENT_CHECKSUMS)
        rename_into_place(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def rename_into_place(tmp: Path, target: Path) -> None:
    """Rename the folder `tmp` to `target`, unless another build got there first: a segment's name
    is the digest of its articles, so the one already in place holds the same facts."""
    try:
        os.replace(tmp, target)
    except OSError:
        if not target.is_dir():
            raise


def remove_segments(folder: Path, keep: Path) -> None:
    for path in Path(folder).glob("seg-*"):
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)


def corpus_facts(
    articles: list,
    warehouse: Path | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    budget: float | None = None,
) -> tuple[CorpusFacts, int]:
    """The facts of `articles` (RawArticle) as one corpus, and how many articles came from the cache.

    Articles in the snapshot of the last builds (see above) are taken from it; the
    others are read from their own cache files or extracted within `budget` seconds each (see
    extract_corpus), then added to the snapshot as a new segment. Articles past their budget are
    left out of the corpus and listed in its `timed_out`."""
    if warehouse is None:
        extracted = extract_corpus(articles, None, workers, progress, budget)
        done = _hashes_in_time(articles, extracted.timed_out)
        return replace(from_facts(extracted.facts, done), timed_out=extracted.timed_out), 0
    folder = Path(warehouse) / CACHE_DIR / code_fingerprint() / SNAPSHOT_DIR
    parts = read_snapshot(folder)
    stored = {sha for part in parts for sha in part.content_hashes}
    rest = [a for a in articles if a.content_sha256 not in stored]
    extracted = extract_corpus(rest, warehouse, workers, progress, budget)
    timed_out, from_files = extracted.timed_out, extracted.from_cache
    if extracted.facts:
        new = from_facts(extracted.facts, _hashes_in_time(rest, timed_out))
        del extracted
        write_segment(folder, new)
        parts.append(new)
    corpus = combine(parts, _hashes_in_time(articles, timed_out))
    stored_articles = sum(len(part) for part in parts)
    if len(parts) > MAX_SEGMENTS or stored_articles > 1.25 * len(corpus):
        remove_segments(folder, keep=write_segment(folder, corpus))
    return replace(corpus, timed_out=timed_out), len(articles) - len(rest) + from_files


def _hashes_in_time(articles: list, timed_out: dict[str, float]) -> list[str]:
    """The content hashes of the articles whose extraction finished within its budget, in order."""
    return [a.content_sha256 for a in articles if a.content_sha256 not in timed_out]
