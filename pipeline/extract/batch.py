"""Extracting a corpus: cached per article, in parallel across cores.

Each article is extracted and turned into its facts (pipeline/extract/facts.py: its records,
ids and mention rows) in one go, in a worker process. The cache lives in the warehouse, under
`.cache/extractions/<fingerprint>/`, one file of facts per article content hash (facts_codec.py:
no pickle, a checksum and the key each entry was made for; a bad entry is dropped and extracted
again, with a warning). The
fingerprint hashes the extraction code, its rules and models, the vocabularies and the mentions
table's columns, so any change to them starts a fresh cache; the same article text is never extracted twice with the
same code. The caches of older versions are removed, all but the last one used (see
prune_cache_versions).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from multiprocessing import get_context
from pathlib import Path

import pyarrow as pa

from pipeline.extract import extract_article
from pipeline.extract.budget import ExtractionTimeout, can_enforce_here, time_budget
from pipeline.extract.facts import MENTIONS_SCHEMA, ArticleFacts, article_facts
from pipeline.extract.facts_codec import CorruptEntry, decode, encode
from pipeline.extract.model import load_models, models_version
from pipeline.extract.rules import load_rules, rule_files
from pipeline.extract.vocab import load_vocabulary, vocabulary_version
from pipeline.memory import bulk_allocation

CACHE_DIR = Path(".cache") / "extractions"
_PARALLEL_FROM = 64  # below this many articles, starting processes costs more than it saves


@cache
def code_fingerprint() -> str:
    """Changes whenever an extraction module, a rule file, a model, a vocabulary file or the mentions
    table's columns change."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")) + rule_files():
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(models_version().encode())  # the decision models' files
    h.update(vocabulary_version().encode())  # the vocabulary files and libraries
    h.update(str(MENTIONS_SCHEMA).encode())  # the cached mention rows have the table's columns and types
    return h.hexdigest()[:16]


KEEP_VERSIONS = 2  # the current extraction code's cache and the last one used before it (a branch switched back)


def prune_cache_versions(warehouse: Path) -> list[str]:
    """Remove the caches of all but the most recently used extraction versions; returns the removed ones.

    Each version's folder is touched when a build uses it, so "recently used" means by a build,
    not by whoever wrote last. Without this, every change to the extraction code or the
    vocabularies would leave a full copy of the corpus' facts behind (330 MB at 10k articles)."""
    root = Path(warehouse) / CACHE_DIR
    current = root / code_fingerprint()
    if not current.is_dir():
        return []
    os.utime(current)
    others = sorted((p for p in root.iterdir() if p.is_dir() and p != current), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = others[KEEP_VERSIONS - 1 :]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return [p.name for p in removed]


def _cache_path(root: Path, content_sha256: str) -> str:
    # A plain string: ten thousand pathlib joins per build cost more than the lookups themselves.
    return os.path.join(root, code_fingerprint(), content_sha256[:2], f"{content_sha256}.facts")


def cache_key(content_sha256: str) -> str:
    """What a cache entry is for: this article text under this extraction code."""
    return f"{code_fingerprint()}:{content_sha256}"


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimedOut:
    """An article whose extraction ran past its budget, after `seconds`."""

    seconds: float


def _extract_encoded(item: tuple[str, str, str, str | None, str, float | None]) -> bytes | TimedOut:
    """The article's facts encoded once, for the cache file and (from a worker) for the trip to the
    parent; or TimedOut. A timeout is not cached: the next build tries again (on a less loaded
    machine, or with a larger budget, the article may finish)."""
    source_file, text, article_id, cache_path, key, budget = item
    started = time.perf_counter()
    try:
        with time_budget(budget):
            facts = article_facts(extract_article(source_file, text), article_id, len(text.split()))
    except ExtractionTimeout:
        return TimedOut(round(time.perf_counter() - started, 1))
    blob = encode(facts, key)
    if cache_path is not None:
        _store(cache_path, blob)
    return blob


Progress = Callable[[int, int, float], None]  # (articles extracted so far, to extract, seconds)


@dataclass
class Extracted:
    """The facts of the articles that were extracted (in order), how many of them came from the
    cache, and the articles that ran past their budget (content hash: seconds taken)."""

    facts: list[ArticleFacts]
    from_cache: int
    timed_out: dict[str, float]


def extract_corpus(
    articles: list,
    warehouse: Path | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    budget: float | None = None,
) -> Extracted:
    """The facts of `articles` (RawArticle), each extracted within `budget` seconds (None: no limit).

    `progress` is called about every 5% of the articles to extract (not those read from the cache)."""
    root = Path(warehouse) / CACHE_DIR if warehouse is not None else None
    results: list[ArticleFacts | None] = [None] * len(articles)
    todo: list[int] = []
    with bulk_allocation():
        for i, article in enumerate(articles):
            cached = _load(_cache_path(root, article.content_sha256), cache_key(article.content_sha256)) if root else None
            if cached is None:
                todo.append(i)
            else:
                results[i] = cached
    from_cache = len(articles) - len(todo)
    items = [
        (a.source_file, a.text, a.article_id, _cache_path(root, a.content_sha256) if root else None,
         cache_key(a.content_sha256), budget)
        for a in (articles[i] for i in todo)
    ]  # fmt: skip
    workers = workers or os.cpu_count() or 1
    # The budget's alarm reaches only a process's main thread: elsewhere, workers extract.
    in_workers = bool(items) and (
        (workers > 1 and len(items) >= _PARALLEL_FROM) or (budget is not None and not can_enforce_here())
    )
    timed_out: dict[str, float] = {}
    step = max(1, len(items) // 20)
    started = time.perf_counter()
    with ExitStack() as stack:
        blobs: Iterable[bytes | TimedOut] = map(_extract_encoded, items)
        if in_workers:
            load_vocabulary()  # loaded once here, inherited by the forked workers
            load_rules()
            load_models()
            # Workers collect garbage as usual (gc.enable); the parent only gathers their results.
            pool = ProcessPoolExecutor(
                max_workers=min(workers, len(items)), mp_context=get_context("fork"), initializer=gc.enable
            )
            blobs = stack.enter_context(pool).map(_extract_encoded, items, chunksize=32 if len(items) >= _PARALLEL_FROM else 1)
            stack.enter_context(bulk_allocation())
        for n, (i, item, blob) in enumerate(zip(todo, items, blobs, strict=True), start=1):
            if isinstance(blob, TimedOut):
                timed_out[articles[i].content_sha256] = blob.seconds
                log.warning("%s: extraction stopped after %.1f s, past its budget of %g s", item[0], blob.seconds, budget)
            else:
                results[i] = decode(blob, item[4])
            if progress and (n % step == 0 or n == len(items)):
                progress(n, len(items), time.perf_counter() - started)
    return Extracted([r for r in results if r is not None], from_cache, timed_out)


def _load(path: str, key: str) -> ArticleFacts | None:
    """The cached facts, or None: missing, or not what it should be (dropped, with a warning, and
    extracted again - never published, never fatal)."""
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("extraction cache entry %s unreadable (%s): extracting the article again", path, exc)
        return None
    try:
        return decode(blob, key)
    except (CorruptEntry, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        log.warning("extraction cache entry %s dropped (%s): extracting the article again", path, exc)
        with contextlib.suppress(OSError):
            os.remove(path)
        return None


def _store(path: str, blob: bytes) -> None:
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(blob)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
