"""JSON Lines: one article a line, the shape news APIs and crawl exports deliver.

    {"url": "https://...", "title": "...", "published": "2026-02-24", "text": "..."}
    {"url": "https://...", "html": "<!doctype html>..."}

A line may also give `outlet` (or `source`, `site_name`), `authors` (or `author`) and `language`.
Each line is its own article, `feed.jsonl#L7`; a line that is not a JSON object, or that has neither
`text` nor `html`, is rejected on its own and the rest of the file still counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from pipeline.ingest.files import MAX_BYTES, decode_bytes
from pipeline.ingest.html import page_article
from pipeline.ingest.records import Citation, Outcome, clean_str, host_of, make_article, normalize_url, parse_date, reject


def read_jsonl(fh: BinaryIO, name: str) -> Iterator[Outcome]:
    for number, line in enumerate(fh, start=1):
        if not line.strip():
            continue  # a blank line holds no article
        source = f"{name}#L{number}"
        if len(line) > MAX_BYTES:
            yield reject(source, "too_large", f"{len(line)} bytes on one line; the limit for one article is {MAX_BYTES}", line)
            continue
        text = decode_bytes(line)
        try:
            record = json.loads(text) if text is not None else None
        except json.JSONDecodeError as exc:
            yield reject(source, "invalid_line", f"not JSON: {exc.msg} at column {exc.colno}", line)
            continue
        if not isinstance(record, dict):
            yield reject(source, "invalid_line", "the line is not a JSON object with the article's fields", line)
            continue
        yield line_article(record, source, line)


def line_article(record: dict, source: str, data: bytes) -> Outcome:
    """One line's article: its `text`, or the article found in its `html`, cited by its fields."""
    url = normalize_url(clean_str(record.get("url")))
    language = clean_str(record.get("language"))
    given = Citation(
        url=url,
        title=clean_str(record.get("title")),
        outlet=clean_str(record.get("outlet") or record.get("source") or record.get("site_name")),
        authors=clean_str(record.get("authors") or record.get("author")),
        published=parse_date(record.get("published") or record.get("date")),
        language=language.lower()[:2] if language else None,
    )
    text, html = record.get("text"), record.get("html")
    if isinstance(text, str) and text.strip():
        return make_article(source, text, given.over(Citation(outlet=host_of(url))), "jsonl", data)
    if isinstance(html, str) and html.strip():
        body, found = page_article(html, url)
        if body is None:
            return reject(source, "no_text_after_cleanup", "the line's html holds no article text", data)
        return make_article(source, body, given.over(found), "jsonl", data)
    return reject(source, "invalid_line", "the line has neither a `text` nor an `html` field with content", data)
