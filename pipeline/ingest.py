"""Reading the raw folder: every file becomes an article or a rejection with a reason.

Nothing is dropped silently. Text is decoded from UTF-8 (with or without BOM), UTF-16 with
a BOM, or Windows-1252; HTML is reduced to its text; exact duplicates (same normalised
text) are published once and the others listed as duplicates.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import stat
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import charset_normalizer

from pipeline.extract.text import normalize_text

MAX_BYTES = 5 * 1024 * 1024  # a news article is a few kB; anything this big is not one
ARTICLE_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm"}


@dataclass(frozen=True)
class RawArticle:
    source_file: str
    text: str  # normalised (see pipeline.extract.text.normalize_text)
    content_sha256: str

    @property
    def article_id(self) -> str:
        return article_id(self.content_sha256)


@dataclass(frozen=True)
class Rejection:
    source_file: str
    reason: str
    detail: str
    content_sha256: str | None


def article_id(content_sha256: str) -> str:
    return "art_" + content_sha256[:16]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "noscript", "head", "nav", "footer", "svg"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article", "section", "title", "header"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


_HTML_MARKERS = re.compile(r"<!doctype html|<html[\s>]|<body[\s>]|<p[\s>]|<div[\s>]", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return _HTML_MARKERS.search(text, 0, 2000) is not None


def html_to_text(text: str) -> str:
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    raw = html.unescape("".join(parser.parts))
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def decode_bytes(data: bytes) -> str | None:
    """The text of `data`, or None when it is not text in an encoding we can trust.

    UTF-16 and UTF-8 are recognised by their BOM or by decoding cleanly, then Windows-1252;
    anything else is left to charset-normalizer, which weighs every candidate encoding by how
    much the result reads like language.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1252 (a superset of Latin-1's printable range) is what most legacy news
        # CMSs emit; take it when every character reads as text.
        text = data.decode("cp1252")
        if all(ch.isprintable() or ch in "\n\r\t" for ch in text):
            return text
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.chaos > 0.25:
        return None
    return str(best)


_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))  # deleted, what remains are controls


def is_binary(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls / max(1, len(sample)) > 0.05


def _reject(name: str, reason: str, detail: str, data: bytes | None = None) -> Rejection:
    return Rejection(name, reason, detail, hashlib.sha256(data).hexdigest() if data is not None else None)


def read_file(path: Path, name: str) -> RawArticle | Rejection:
    """One file of the raw folder, as an article or a rejection."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return _reject(name, "unreadable", f"cannot stat the file: {exc.strerror}")
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a symbolic link"
            if stat.S_ISLNK(info.st_mode)
            else "a directory"
            if stat.S_ISDIR(info.st_mode)
            else "not a regular file"
        )
        return _reject(name, "not_a_regular_file", f"{kind}; only regular files inside the raw folder are read")
    if info.st_size > MAX_BYTES:
        return _reject(name, "too_large", f"{info.st_size} bytes; the limit for one article is {MAX_BYTES} bytes")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            # Sized by the stat: asking for MAX_BYTES allocates megabytes per file (10k files: 0.75 s).
            data = fh.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since the stat
                data += fh.read(MAX_BYTES + 1 - len(data))
    except OSError as exc:
        return _reject(name, "unreadable", f"cannot read the file: {exc.strerror}")
    if not data.strip():
        return _reject(name, "empty", "the file has no content", data)
    if is_binary(data):
        return _reject(name, "binary", "the file holds binary data, not text", data)
    text = decode_bytes(data)
    if text is None:
        return _reject(name, "not_text_encoding", "not decodable as UTF-8, UTF-16 (with BOM) or Windows-1252 text", data)
    if looks_like_html(text):
        text = html_to_text(text)
    text = normalize_text(text).strip("\n")
    if len(text.split(maxsplit=3)) < 3:
        return _reject(name, "no_text_after_cleanup", "fewer than three words of text remain after cleanup", data)
    return RawArticle(name, text, sha256_text(text))


def read_raw_folder(raw_dir: Path) -> tuple[list[RawArticle], list[Rejection]]:
    """Every file under `raw_dir` (sorted by name), as articles and rejections."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    articles: list[RawArticle] = []
    rejections: list[Rejection] = []
    seen: dict[str, str] = {}
    for path, name in list_raw_files(raw_dir):
        result = read_file(path, name)
        if isinstance(result, Rejection):
            rejections.append(result)
            continue
        if result.content_sha256 in seen:
            rejections.append(
                Rejection(
                    name,
                    "duplicate_of",
                    f"{result.article_id} (same text as {seen[result.content_sha256]})",
                    result.content_sha256,
                )
            )
            continue
        seen[result.content_sha256] = name
        articles.append(result)
    return articles, rejections


# Partitions of the raw folder for a fanned-out extraction: 16 buckets by a hash of the file
# name, so a file stays in its bucket however many other files come and go.
PARTITION_KEYS = tuple("0123456789abcdef")


def file_bucket(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[0]


def list_raw_files(raw_dir: Path, bucket: str | None = None) -> list[tuple[Path, str]]:
    """(path, name relative to raw_dir) of every file under raw_dir, sorted by name; only those of
    `bucket` when one is given."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    files = sorted(_walk(str(raw_dir)), key=lambda t: t[1])
    return [(Path(path), name) for path, name in files if bucket is None or file_bucket(name) == bucket]


def _walk(raw_dir: str) -> list[tuple[str, str]]:
    """(path, relative name) of the files under raw_dir, without following symlinks; hidden files are
    skipped. Plain strings: pathlib's parsing costs more than reading a short article (10k files: 0.2 s)."""
    out: list[tuple[str, str]] = []
    for root, dirs, files in os.walk(raw_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        prefix = os.path.relpath(root, raw_dir).replace(os.sep, "/") + "/" if root != raw_dir else ""
        for d in list(dirs):
            path = os.path.join(root, d)
            if os.path.splitext(d)[1].lower() in ARTICLE_SUFFIXES or os.path.islink(path):
                out.append((path, prefix + d))  # a directory named like an article, or a symlink to one
                dirs.remove(d)
        out.extend((os.path.join(root, f), prefix + f) for f in files if not f.startswith("."))
    return out
