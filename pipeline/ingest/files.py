"""The raw folder's files: which there are, opening them safely, and decoding their bytes as text.

Only regular files inside the folder are read (a symbolic link is never followed); text is decoded
from UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252, and other encodings are
detected with charset-normalizer.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

import charset_normalizer

from pipeline.ingest.records import Rejection, reject

MAX_BYTES = 5 * 1024 * 1024  # a news article is a few kB; anything this big is not one
MAX_ARCHIVE_BYTES = 4 * 1024**3  # a JSON Lines or WARC file holds many articles and is read as a stream
ARTICLE_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".jsonl", ".warc"}


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


def is_archive(name: str) -> bool:
    """A file of many articles (JSON Lines, WARC), read as a stream."""
    return name.lower().endswith((".jsonl", ".warc", ".warc.gz"))


def open_file(path: Path, name: str) -> BinaryIO | Rejection:
    """The file opened for reading, or why it is not read: hidden, not a regular file, too large, unreadable."""
    if is_hidden(name):
        return reject(
            name,
            "hidden",
            "a hidden file, or one in a hidden folder (a name starting with '.'): not read; rename it to include it",
        )
    try:
        info = os.lstat(path)
    except OSError as exc:
        return reject(name, "unreadable", f"cannot stat the file: {exc.strerror}")
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a symbolic link"
            if stat.S_ISLNK(info.st_mode)
            else "a directory (the files inside it are read one by one)"
            if stat.S_ISDIR(info.st_mode)
            else "not a regular file"
        )
        return reject(name, "not_a_regular_file", f"{kind}; only regular files inside the raw folder are read")
    limit = MAX_ARCHIVE_BYTES if is_archive(name) else MAX_BYTES
    if info.st_size > limit:
        return reject(
            name,
            "too_large",
            f"{info.st_size} bytes; the limit for {'such a file' if is_archive(name) else 'one article'} is {limit} bytes",
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        return os.fdopen(fd, "rb")
    except OSError as exc:
        return reject(name, "unreadable", f"cannot read the file: {exc.strerror}")


def read_small(fh: BinaryIO, name: str) -> bytes | Rejection:
    """The whole of a one-article file; sized by its stat (asking for MAX_BYTES allocates megabytes per file)."""
    try:
        size = os.fstat(fh.fileno()).st_size
        data = fh.read(size + 1)
        if len(data) > size:  # it grew since the stat
            data += fh.read(MAX_BYTES + 1 - len(data))
    except OSError as exc:
        return reject(name, "unreadable", f"cannot read the file: {exc.strerror}")
    if len(data) > MAX_BYTES:
        return reject(name, "too_large", f"more than {MAX_BYTES} bytes; the limit for one article is {MAX_BYTES} bytes")
    return data


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
