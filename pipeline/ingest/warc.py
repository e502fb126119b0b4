"""WARC crawls (`.warc`, `.warc.gz`): each HTML response a web page article, `crawl.warc.gz#R3`.

Records are numbered from 1 in the order of the file. Every record that is not an article says
why: request, warcinfo and metadata records are not responses; a response may be an HTTP error,
not HTML, or hold no article text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from pipeline.ingest.files import MAX_BYTES, decode_bytes
from pipeline.ingest.html import page_article
from pipeline.ingest.records import Outcome, make_article, reject

HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_warc(name: str) -> bool:
    return name.lower().endswith((".warc", ".warc.gz"))


def read_warc(fh: BinaryIO, name: str) -> Iterator[Outcome]:
    number = 0
    try:
        for record in ArchiveIterator(fh):
            number += 1
            yield record_article(record, f"{name}#R{number}")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        where = f"{name}#R{number + 1}"
        yield reject(where, "invalid_archive", f"the WARC file cannot be read from record {number + 1} on: {exc}")


def record_article(record, source: str) -> Outcome:
    url = record.rec_headers.get_header("WARC-Target-URI")
    if record.rec_type != "response":
        return reject(source, "not_a_response", f"a WARC {record.rec_type} record ({url or 'no address'}), not a response")
    status = record.http_headers.get_statuscode() if record.http_headers else None
    if status is None or not status.startswith("2"):
        return reject(source, "http_error", f"the crawl received HTTP {status or 'nothing'} for {url}")
    content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    payload = record.content_stream().read(MAX_BYTES + 1)
    if len(payload) > MAX_BYTES:
        return reject(source, "too_large", f"more than {MAX_BYTES} bytes at {url}")
    if content_type and content_type not in HTML_TYPES:
        return reject(source, "not_html", f"{content_type} at {url}, not a web page", payload)
    page = decode_bytes(payload)
    if page is None:
        return reject(source, "not_text_encoding", f"the page at {url} is not decodable text", payload)
    body, citation = page_article(page, url)
    if body is None:
        return reject(source, "no_text_after_cleanup", f"no article text in the page at {url}", payload)
    return make_article(source, body, citation, "warc", payload)
