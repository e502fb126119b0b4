"""The raw-files cache: what each file of the raw folder was read as at the last build.

A rebuild reads only the files that are new or changed; the others' articles (text, hash and
citation) and rejections come from here.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import time
from functools import cache
from pathlib import Path

import charset_normalizer
import pyarrow as pa
import trafilatura
import warcio

from pipeline.ingest.formats import read_file
from pipeline.ingest.records import Outcome, RawArticle, Rejection

RAW_FILES_CACHE = Path(".cache") / "raw-files"  # inside the warehouse
_RAW_CACHE_SCHEMA = pa.schema(
    [("name", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()), ("ctime_ns", pa.int64()), ("inode", pa.int64()),
     ("source", pa.string()), ("reason", pa.string()), ("detail", pa.string()), ("content_sha256", pa.string()),
     ("text", pa.string()), ("url", pa.string()), ("title", pa.string()), ("outlet", pa.string()), ("authors", pa.string()),
     ("published", pa.date32()), ("language", pa.string()), ("ingest_format", pa.string())]
)  # fmt: skip
_RACY_NS = 2_000_000_000  # a file changed this recently may change again within the same timestamp


@cache
def ingest_fingerprint() -> str:
    """Changes whenever the code that turns a file into an article or a rejection changes."""
    h = hashlib.sha256(str(_RAW_CACHE_SCHEMA).encode())
    package = Path(__file__).parent
    for path in [*sorted(package.glob("*.py")), package.parent / "extract" / "text.py"]:
        h.update(path.read_bytes())
    for module in (charset_normalizer, trafilatura, warcio):
        h.update(getattr(module, "__version__", "").encode())
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
        self.old: dict[str, tuple[tuple[int, int, int, int], list[int]]] = {}
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
            for row, (name, stamp) in enumerate(zip(self.columns["name"], stamps, strict=True)):
                self.old.setdefault(name, (stamp, []))[1].append(row)
        self.rows: list[tuple] = []
        self.reused: list[int] = []
        self.files_reused = 0
        self.changed = False

    def read(self, path: Path, name: str) -> list[Outcome]:
        """What the file is read as: from the cache while it is unchanged, else read now."""
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
            self.reused.extend(found[1])
            self.files_reused += 1
            return [self._outcome(row) for row in found[1]]
        self.changed = True
        results = read_file(path, name)
        if max(info.st_mtime_ns, info.st_ctime_ns) < self.started_ns - _RACY_NS:
            for r in results:
                if isinstance(r, RawArticle):
                    self.rows.append((name, *stamp, r.source_file, None, None, r.content_sha256, r.text, r.url, r.title,
                                      r.outlet, r.authors, r.published, r.language, r.ingest_format))  # fmt: skip
                else:
                    self.rows.append((name, *stamp, r.source_file, r.reason, r.detail, r.content_sha256, *[None] * 8))
        return results

    def _outcome(self, row: int) -> Outcome:
        c = self.columns
        if c["reason"][row] is None:
            fields = ("url", "title", "outlet", "authors", "published", "language", "ingest_format")
            return RawArticle(c["source"][row], c["text"][row], c["content_sha256"][row], *(c[f][row] for f in fields))
        return Rejection(c["source"][row], c["reason"][row], c["detail"][row], c["content_sha256"][row])

    def save(self) -> None:
        """The cache of this reading of the folder, when it differs from the one read."""
        if not self.changed and self.files_reused == len(self.old):
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
