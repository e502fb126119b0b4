"""One file of the raw folder, read by its format into the articles it holds and the rejections.

- `.jsonl`: one article a line (pipeline/ingest/jsonl.py); `.warc`, `.warc.gz`: a crawl (warc.py);
- a web page (`.html`, `.htm`, or any text that is HTML): its article, found by trafilatura (html.py);
- any other text (`.txt`, `.md` ...): the article as written, with its front-matter header if it
  has one (frontmatter.py); a first line ` date YYYY-MM-DD` states its date, as ever.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.ingest.files import decode_bytes, is_binary, open_file, read_small
from pipeline.ingest.frontmatter import FrontMatterError, split_front_matter
from pipeline.ingest.html import looks_like_html, page_article
from pipeline.ingest.jsonl import read_jsonl
from pipeline.ingest.records import Citation, Outcome, Rejection, make_article, reject
from pipeline.ingest.warc import is_warc, read_warc


def read_file(path: Path, name: str) -> list[Outcome]:
    """Every article of one file, each with its source (`name`, or `name#L7` / `name#R3` inside
    a JSON Lines or WARC file), or the rejections that say why there is none."""
    fh = open_file(path, name)
    if isinstance(fh, Rejection):
        return [fh]
    with fh:
        if name.lower().endswith(".jsonl") or is_warc(name):
            try:
                outcomes = list(read_jsonl(fh, name) if name.lower().endswith(".jsonl") else read_warc(fh, name))
            except OSError as exc:
                return [reject(name, "unreadable", f"cannot read the file: {exc.strerror}")]
            return outcomes or [reject(name, "empty", "the file holds no article (no line, no record)")]
        data = read_small(fh, name)
    if isinstance(data, Rejection):
        return [data]
    return [read_text(data, name)]


def read_text(data: bytes, name: str) -> Outcome:
    """A one-article file: a web page, or text with or without a front-matter header."""
    if not data.strip():
        return reject(name, "empty", "the file has no content", data)
    if is_binary(data):
        return reject(name, "binary", "the file holds binary data, not text", data)
    text = decode_bytes(data)
    if text is None:
        return reject(name, "not_text_encoding", "not decodable as UTF-8, UTF-16 (with BOM) or Windows-1252 text", data)
    if name.lower().endswith((".html", ".htm")) or looks_like_html(text):
        body, citation = page_article(text)
        if body is None:
            return reject(name, "no_text_after_cleanup", "the page holds no article text (only page chrome, or nothing)", data)
        return make_article(name, body, citation, "html", data)
    try:
        citation, body = split_front_matter(text)
    except FrontMatterError as exc:
        return reject(name, "invalid_front_matter", f"the header between the --- lines is not YAML: {exc}", data)
    if citation is None:
        return make_article(name, text, Citation(), "txt", data)
    return make_article(name, body, citation, "front_matter", data)
