"""What reading the raw folder yields: articles with their citation, and rejections with a reason."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from pipeline.extract.text import normalize_text

# Where an article came from: plain text, a text with a front-matter header, a saved web page, a line of
# JSON Lines or a record of a WARC crawl (the values of `articles.ingest_format`).
INGEST_FORMATS = ("txt", "front_matter", "html", "jsonl", "warc")
# The header line by which an article states its own date (`pipeline.extract.text` reads it).
_DATE_HEADER_RE = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Citation:
    """What a source says about an article besides its text: where it was published, by whom, when."""

    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    authors: str | None = None  # "; "-separated, as given
    published: dt.date | None = None
    language: str | None = None  # declared by the source (front matter, page), not detected

    def over(self, fallback: Citation) -> Citation:
        """These values, with `fallback`'s where these are missing."""
        return Citation(**{k: getattr(self, k) or getattr(fallback, k) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class RawArticle:
    source_file: str  # a file of the raw folder, or one article inside it: `feed.jsonl#L7`, `crawl.warc.gz#R3`
    text: str  # normalised (see pipeline.extract.text.normalize_text)
    content_sha256: str
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    authors: str | None = None
    published: dt.date | None = None
    language: str | None = None
    ingest_format: str = "txt"

    @property
    def article_id(self) -> str:
        return article_id(self.content_sha256)


@dataclass(frozen=True)
class Rejection:
    source_file: str
    reason: str
    detail: str
    content_sha256: str | None


Outcome = RawArticle | Rejection


def article_id(content_sha256: str) -> str:
    return "art_" + content_sha256[:16]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reject(source: str, reason: str, detail: str, data: bytes | None = None) -> Rejection:
    return Rejection(source, reason, detail, hashlib.sha256(data).hexdigest() if data is not None else None)


def make_article(source: str, body: str, citation: Citation, ingest_format: str, data: bytes) -> Outcome:
    """The article of `body`, or why there is none.

    A date the source gives (front matter, page metadata, feed) is written into the text as the
    ` date YYYY-MM-DD` header that plain `.txt` articles use, so that extraction resolves relative
    dates ("on Friday") from it as it does for them; a text that already starts with one keeps it."""
    text = normalize_text(body).strip("\n")
    if len(text.split(maxsplit=3)) < 3:
        return reject(source, "no_text_after_cleanup", "fewer than three words of article text remain after cleanup", data)
    if citation.published is not None and not _DATE_HEADER_RE.match(text):
        text = f" date {citation.published.isoformat()} {text}"
    c = citation
    return RawArticle(
        source, text, sha256_text(text), c.url, c.title, c.outlet, c.authors, c.published, c.language, ingest_format
    )


def parse_date(value: object) -> dt.date | None:
    """A publication date from what sources write: a date, ISO 8601 (`2026-02-24T08:00:00+05:30`) or RFC 2822."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def clean_str(value: object) -> str | None:
    """A metadata value as one line of text, or None."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return "; ".join(s for v in value if (s := clean_str(v))) or None
    if isinstance(value, dict):
        return clean_str(value.get("name"))
    text = " ".join(str(value).split())
    return text or None


def normalize_url(url: str | None) -> str | None:
    """An address as a key: scheme and host in lower case, without the fragment; None when it is not http(s)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def host_of(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None
