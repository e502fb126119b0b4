"""Article text: normalisation, publication date and title, sentences with offsets."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from pipeline.extract.records import Sentence

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"


def normalize_text(text: str) -> str:
    """The canonical text every offset refers to: NFC, LF line endings, no BOM, no NULs."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# Patterns that state the article's own publication date, most explicit first. Each
# yields (year, month, day) groups by name.
_DAY_MONTH_YEAR = rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{MONTH_RE}),?\s+(?P<y>\d{{4}})"
_MONTH_DAY_YEAR = rf"(?P<m>{MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"
_PUBLISHED_PATTERNS = [
    re.compile(r"^\s*date\s+(?P<y>\d{4})-(?P<mn>\d{2})-(?P<d>\d{2})\b", re.IGNORECASE),
    re.compile(
        rf"(?:Published|Updated|Last Updated|Posted(?: on)?|Dated?)\s*(?:on)?\s*[:\-–—]?\s*(?:{_MONTH_DAY_YEAR}|{_DAY_MONTH_YEAR.replace('?P<', '?P<x')})",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:Published|Updated|Last Updated|Posted(?: on)?|Dated?)\s*(?:on)?\s*[:\-–—]?\s*(?P<y>\d{4})[/-](?P<mn>\d{1,2})[/-](?P<d>\d{1,2})",
        re.IGNORECASE,
    ),
]
# A line that is only a date (byline style), or a date followed by a dash opening the text.
_LEADING_DATE_PATTERNS = [
    re.compile(rf"^\s*(?:\w+day,?\s+)?{_MONTH_DAY_YEAR}\s*(?:$|[—–-]|\d{{1,2}}:\d{{2}})", re.IGNORECASE | re.MULTILINE),
    re.compile(rf"^\s*(?:\w+day,?\s+)?{_DAY_MONTH_YEAR}\s*(?:$|[—–-]|\d{{1,2}}:\d{{2}})", re.IGNORECASE | re.MULTILINE),
    re.compile(r"^\s*(?P<y>20\d{2})-(?P<mn>\d{2})-(?P<d>\d{2})\s*$", re.MULTILINE),
]


def _date_from_match(m: re.Match[str]) -> dt.date | None:
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    groups = {k.lstrip("x"): v for k, v in groups.items()}
    year = int(groups["y"])
    month = int(groups["mn"]) if "mn" in groups else MONTHS[groups["m"].lower().rstrip(".")]
    return _make_date(year, month, int(groups["d"]))


def find_published_date(text: str) -> tuple[dt.date | None, tuple[int, int] | None]:
    """The publication date the article states about itself, and the span stating it."""
    for pattern in _PUBLISHED_PATTERNS:
        m = pattern.search(text)
        if m:
            d = _date_from_match(m)
            if d:
                return d, m.span()
    head = text[:400]
    for pattern in _LEADING_DATE_PATTERNS:
        m = pattern.search(head)
        if m:
            d = _date_from_match(m)
            if d:
                return d, m.span()
    return _byline_date(text)


_ANY_FULL_DATE = [
    re.compile(rf"\b{_MONTH_DAY_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY_MONTH_YEAR}\b", re.IGNORECASE),
    re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>20\d{2})\b"),
]
_BYLINE_LINE_RE = re.compile(
    r"[|•·]|^\s*(?:By|Published|Updated|Last Updated|Posted|Dated?)\b|^\s*(?:\w+day,?\s+)?\d", re.IGNORECASE
)


def _byline_date(text: str) -> tuple[dt.date | None, tuple[int, int] | None]:
    """A date in a short header line: "By Chanda Mwila | Lusaka | 22 January 2026",
    "Last Updated: Thu, 05 Mar 2026 19:40 IST", "18/04/2026 | Business Desk"."""
    pos = 0
    for n, line in enumerate(text.split("\n")):
        if n >= 8 or pos > 800:
            break
        start, pos = pos, pos + len(line) + 1
        if not line.strip() or len(line) > 120 or not _BYLINE_LINE_RE.search(line):
            continue
        for pattern in _ANY_FULL_DATE:
            m = pattern.search(line)
            if not m:
                continue
            if "a" in m.groupdict():
                a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
                d = _make_date(y, b, a) or _make_date(y, a, b)  # day first, as most of the world writes it
            else:
                d = _date_from_match(m)
            if d:
                return d, (start + m.start(), start + m.end())
    return None, None


_HEADER_RE = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s*", re.IGNORECASE)


def body_start(text: str) -> int:
    """Offset where the article body begins, after a ` date YYYY-MM-DD` header if any."""
    m = _HEADER_RE.match(text)
    return m.end() if m else 0


def find_title(text: str) -> str | None:
    """A headline line when the article has one, else its first sentence (shortened)."""
    start = body_start(text)
    for line in text[start:].split("\n"):
        line = line.strip()
        if not line:
            continue
        words = line.split()
        if len(words) <= 20 and not line.endswith((".", "!", "?", ":")) or len(words) <= 14:
            return line
        first = split_sentences(line)[0]
        sentence = line[first.start : first.end]
        return sentence if len(sentence) <= 160 else sentence[:157].rsplit(" ", 1)[0] + "..."
    return None


# Sentence splitting: a sentence ends at . ! ? (and closing quotes) followed by space and
# an upper-case letter, a digit or an opening quote; never after an abbreviation or an initial.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "no", "vs", "etc", "inc", "ltd", "corp", "co",
    "gen", "col", "lt", "sen", "rep", "gov", "hon", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.u", "a.m", "p.m", "approx", "est",
    "dept", "govt", "min", "max", "fig", "al", "rs", "sh", "smt", "shri", "eng", "engr", "lic", "amb",
}  # fmt: skip
# (The look-behind: a run of full stops is tried from its first only, not again from each of them.)
_BOUNDARY_RE = re.compile(r"(?<![.!?])[.!?]+[\"'”’)\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9₹$€£])")


_LAST_TOKEN_RE = re.compile(r"([\w.]+)[.!?]+[\"'”’)\]]*$")
_SINGLE_LETTER_RE = re.compile(r"[a-z]")


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Sentences with character offsets; newlines always end a sentence."""
    sentences: list[Sentence] = []
    paragraph = 0
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            paragraph += 1 if sentences and sentences[-1].paragraph == paragraph else 0
            continue
        start = line_start
        for m in _BOUNDARY_RE.finditer(line):
            end = line_start + m.end()
            # Only the sentence's last few characters: searching all of it from each skipped
            # abbreviation would take time in the square of a run of initials ("A. B. C. ...").
            token = _LAST_TOKEN_RE.search(text, max(start, end - _LAST_TOKEN_REACH), end)
            word = token.group(1).lower() if token else ""
            if "." in m.group(0) and (word.rstrip(".") in _ABBREVIATIONS or _SINGLE_LETTER_RE.fullmatch(word)):
                continue
            sentences += _capped(text, start, end, paragraph, offset)
            start = end
        if text[start : line_start + len(line)].strip():
            sentences += _capped(text, start, line_start + len(line), paragraph, offset)
        paragraph += 1
    return [s for s in sentences if s.end > s.start]


# No sentence of real news comes near this; a longer "sentence" (a run of initials, a page with no
# full stop) is cut at a space below it, so the work each sentence takes stays bounded.
MAX_SENTENCE_CHARS = 1000
_LAST_TOKEN_REACH = 64


def _capped(text: str, start: int, end: int, paragraph: int, offset: int) -> list[Sentence]:
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut + 1 if cut > 0 else start + MAX_SENTENCE_CHARS
        pieces.append(_trimmed(text, start, cut, paragraph, offset))
        start = cut
    pieces.append(_trimmed(text, start, end, paragraph, offset))
    return pieces


def _trimmed(text: str, start: int, end: int, paragraph: int, offset: int) -> Sentence:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start + offset, end + offset, paragraph)


def word_count(text: str) -> int:
    return len(text.split())


def sentence_index(sentences: list[Sentence], pos: int) -> int | None:
    """The index of the sentence containing offset `pos` (binary search), or None."""
    lo, hi = 0, len(sentences) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        s = sentences[mid]
        if pos < s.start:
            hi = mid - 1
        elif pos >= s.end:
            lo = mid + 1
        else:
            return mid
    return None
