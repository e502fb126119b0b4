"""Reading the raw folder: every article becomes a cited article or a rejection with a reason.

Nothing is dropped silently. A file holds one article (text, front-matter text, a saved web page)
or many (JSON Lines, WARC); see pipeline/ingest/formats.py. Exact duplicates (same normalised
text) and second copies of one address (same URL) are published once and the others listed as
duplicates.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.ingest.cache import RAW_FILES_CACHE, RawFileCache, ingest_fingerprint
from pipeline.ingest.files import (
    ARTICLE_SUFFIXES,
    MAX_BYTES,
    PARTITION_KEYS,
    decode_bytes,
    display_name,
    file_bucket,
    is_binary,
    is_hidden,
    list_raw_files,
    raw_folder_state,
)
from pipeline.ingest.formats import read_file
from pipeline.ingest.records import INGEST_FORMATS, Citation, Outcome, RawArticle, Rejection, article_id, sha256_text

__all__ = [
    "ARTICLE_SUFFIXES", "INGEST_FORMATS", "MAX_BYTES", "PARTITION_KEYS", "RAW_FILES_CACHE", "Citation", "Outcome",
    "RawArticle", "RawFileCache", "Rejection", "article_id", "decode_bytes", "display_name", "file_bucket",
    "ingest_fingerprint", "is_binary", "is_hidden", "list_raw_files", "raw_folder_state", "read_file",
    "read_raw_folder", "sha256_text",
]  # fmt: skip


def read_raw_folder(raw_dir: Path, cache_dir: Path | None = None) -> tuple[list[RawArticle], list[Rejection]]:
    """Every article under `raw_dir` (files sorted by name, then in their order inside a file), and every rejection.

    With a `cache_dir`, a file whose size, times and inode are those it had at an earlier build
    is not read again: its articles and rejections come from the cache there (see RawFileCache),
    so that a rebuild reads only the files that are new or changed."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    cache = RawFileCache(cache_dir) if cache_dir is not None else None
    articles: list[RawArticle] = []
    rejections: list[Rejection] = []
    same_text: dict[str, str] = {}
    same_url: dict[str, RawArticle] = {}
    for path, name in list_raw_files(raw_dir):
        for result in cache.read(path, name) if cache is not None else read_file(path, name):
            if isinstance(result, Rejection):
                rejections.append(result)
            elif result.content_sha256 in same_text:
                first = same_text[result.content_sha256]
                rejections.append(
                    Rejection(
                        result.source_file, "duplicate_of", f"{result.article_id} (same text as {first})", result.content_sha256
                    )
                )
            elif result.url is not None and result.url in same_url:
                first = same_url[result.url]
                rejections.append(
                    Rejection(
                        result.source_file,
                        "duplicate_url",
                        f"{first.article_id} (same address as {first.source_file}: {result.url})",
                        result.content_sha256,
                    )
                )
            else:
                same_text[result.content_sha256] = result.source_file
                if result.url is not None:
                    same_url[result.url] = result
                articles.append(result)
    if cache is not None:
        cache.save()
    return articles, rejections
