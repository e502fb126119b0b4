"""Reading the raw folder: every file becomes an article or a rejection with a reason.

Nothing is dropped silently. Text is decoded from UTF-8 (with or without BOM), UTF-16 with
a BOM, or Windows-1252; HTML is reduced to its text; exact duplicates (same normalised
text) are published once and the others listed as duplicates.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import stat
import time
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import charset_normalizer
import pyarrow as pa

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
    if is_hidden(name):
        return _reject(
            name,
            "hidden",
            "a hidden file, or one in a hidden folder (a name starting with '.'): not read; rename it to include it",
        )
    try:
        info = os.lstat(path)
    except OSError as exc:
        return _reject(name, "unreadable", f"cannot stat the file: {exc.strerror}")
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a symbolic link"
            if stat.S_ISLNK(info.st_mode)
            else "a directory (the files inside it are read one by one)"
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


def read_raw_folder(raw_dir: Path, cache_dir: Path | None = None) -> tuple[list[RawArticle], list[Rejection]]:
    """Every file under `raw_dir` (sorted by name), as articles and rejections.

    With a `cache_dir`, a file whose size, times and inode are those it had at an earlier build
    is not read again: its article (text and hash) or rejection comes from the cache there (see
    RawFileCache), so that a rebuild reads only the files that are new or changed."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    cache = RawFileCache(cache_dir) if cache_dir is not None else None
    articles: list[RawArticle] = []
    rejections: list[Rejection] = []
    seen: dict[str, str] = {}
    for path, name in list_raw_files(raw_dir):
        result = cache.read(path, name) if cache is not None else read_file(path, name)
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
    if cache is not None:
        cache.save()
    return articles, rejections


RAW_FILES_CACHE = Path(".cache") / "raw-files"  # inside the warehouse
_RAW_CACHE_SCHEMA = pa.schema(
    [("name", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()), ("ctime_ns", pa.int64()), ("inode", pa.int64()),
     ("reason", pa.string()), ("detail", pa.string()), ("content_sha256", pa.string()), ("text", pa.string())]
)  # fmt: skip
_RACY_NS = 2_000_000_000  # a file changed this recently may change again within the same timestamp


@cache
def ingest_fingerprint() -> str:
    """Changes whenever the code that turns a file into an article or a rejection changes."""
    h = hashlib.sha256(str(_RAW_CACHE_SCHEMA).encode())
    for path in (Path(__file__), Path(__file__).parent / "extract" / "text.py"):
        h.update(path.read_bytes())
    h.update(charset_normalizer.__version__.encode())
    return h.hexdigest()[:16]


class RawFileCache:
    """What each regular file of the raw folder was read as at the last build, by name.

    An entry is used only while the file's size, modification and change times (nanoseconds) and
    inode are those it was read with: writing to a file, even with the same size and a restored
    modification time, moves its change time. Files modified less than two seconds before the
    build started are not stored (a second write within the same clock tick could go unseen),
    nor is anything else than a regular file (symbolic links, folders: re-examined every time).
    The cache is one Arrow file per version of the ingest code, `<cache_dir>/<fingerprint>.arrow`,
    replaced whole (renamed into place) when the folder changed."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / f"{ingest_fingerprint()}.arrow"
        self.started_ns = time.time_ns()
        self.old: dict[str, tuple[tuple[int, int, int, int], int]] = {}
        self.table: pa.Table | None = None
        try:
            with open(self.path, "rb") as fh:
                data = fh.read()
            if hashlib.sha256(data).hexdigest() != self.path.with_suffix(".sha256").read_text(encoding="utf-8").strip():
                raise ValueError("its content does not match its checksum")
            self.table = pa.ipc.open_file(pa.py_buffer(data)).read_all()
            if self.table.schema != _RAW_CACHE_SCHEMA:
                raise ValueError("another layout")
        except FileNotFoundError:
            self.table = None
        except (OSError, ValueError, pa.ArrowInvalid) as exc:  # dropped, never fatal: every file is read again
            logging.getLogger(__name__).warning("raw-files cache %s dropped (%s): reading every file again", self.path, exc)
            self.table = None
        self.columns: dict[str, list] = {}
        if self.table is not None:
            self.columns = {name: self.table[name].to_pylist() for name in _RAW_CACHE_SCHEMA.names}
            stamps = zip(*(self.columns[c] for c in ("size", "mtime_ns", "ctime_ns", "inode")), strict=True)
            self.old = {name: (stamp, row) for row, (name, stamp) in enumerate(zip(self.columns["name"], stamps, strict=True))}
        self.rows: list[tuple] = []
        self.reused: list[int] = []
        self.changed = False

    def read(self, path: Path, name: str) -> RawArticle | Rejection:
        try:
            info = os.lstat(path)
        except OSError:
            return read_file(path, name)
        if not stat.S_ISREG(info.st_mode):
            self.changed |= name in self.old
            return read_file(path, name)
        stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        found = self.old.get(name)
        if found is not None and found[0] == stamp:
            self.reused.append(found[1])
            return self._outcome(found[1], name)
        self.changed = True
        result = read_file(path, name)
        if max(info.st_mtime_ns, info.st_ctime_ns) < self.started_ns - _RACY_NS:
            if isinstance(result, RawArticle):
                self.rows.append((name, *stamp, None, None, result.content_sha256, result.text))
            else:
                self.rows.append((name, *stamp, result.reason, result.detail, result.content_sha256, None))
        return result

    def _outcome(self, row: int, name: str) -> RawArticle | Rejection:
        c = self.columns
        if c["reason"][row] is None:
            return RawArticle(name, c["text"][row], c["content_sha256"][row])
        return Rejection(name, c["reason"][row], c["detail"][row], c["content_sha256"][row])

    def save(self) -> None:
        """The cache of this reading of the folder, when it differs from the one read."""
        if not self.changed and len(self.reused) == len(self.old):
            return
        kept = self.table.take(pa.array(self.reused, pa.int64())) if self.reused else _RAW_CACHE_SCHEMA.empty_table()
        new = pa.Table.from_pylist(
            [dict(zip(_RAW_CACHE_SCHEMA.names, r, strict=True)) for r in self.rows], schema=_RAW_CACHE_SCHEMA
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{self.path.name}.{os.getpid()}.tmp"
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, _RAW_CACHE_SCHEMA) as writer:
            writer.write_table(pa.concat_tables([kept, new]))
        with open(tmp, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
            os.fsync(fh.fileno())
        sidecar = self.folder / f".{self.path.stem}.{os.getpid()}.sha256.tmp"
        with open(sidecar, "w", encoding="utf-8") as fh:
            fh.write(digest + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.path.with_suffix(".sha256").unlink(missing_ok=True)  # never a new file beside an old checksum
        os.replace(tmp, self.path)
        os.replace(sidecar, self.path.with_suffix(".sha256"))
        for other in [*self.folder.glob("*.arrow"), *self.folder.glob("*.sha256")]:  # of other versions of the ingest code
            if other.stem != self.path.stem:
                other.unlink(missing_ok=True)
        for stray in self.folder.glob(".*.tmp"):  # left by a build killed while writing
            if time.time() - stray.stat().st_mtime > 3600:
                stray.unlink(missing_ok=True)


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
    """(path, relative name) of every file under raw_dir, hidden ones and those in folders named like
    articles included (read_file says what becomes of them); a folder named like an article and a
    symbolic link to a folder are listed too, and a link is never followed. Plain strings: pathlib's parsing costs more than reading a short article."""
    out: list[tuple[str, str]] = []
    for root, dirs, files in os.walk(raw_dir, followlinks=False):
        dirs.sort()
        prefix = os.path.relpath(root, raw_dir).replace(os.sep, "/") + "/" if root != raw_dir else ""
        for d in list(dirs):
            path = os.path.join(root, d)
            if os.path.islink(path):
                out.append((path, display_name(prefix + d)))
                dirs.remove(d)
            elif os.path.splitext(d)[1].lower() in ARTICLE_SUFFIXES:
                out.append((path, display_name(prefix + d)))  # listed (a folder, not an article), and its files read
        out.extend((os.path.join(root, f), display_name(prefix + f)) for f in files)
    return out


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (which the file system allows) as escapes, `bad\\xffname.txt`."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_hidden(name: str) -> bool:
    return any(part.startswith(".") for part in name.split("/"))


def raw_folder_state(raw_dir: Path) -> str:
    """A digest of every file's name, size and modification time under the raw folder: which state of
    the folder a publication was built from, and whether the folder has changed since."""
    h = hashlib.sha256()
    if Path(raw_dir).is_dir():
        for root, dirs, files in os.walk(raw_dir):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                st = os.lstat(path)
                relative = os.path.relpath(path, raw_dir).encode("utf-8", "surrogateescape")
                h.update(relative + f"\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()
