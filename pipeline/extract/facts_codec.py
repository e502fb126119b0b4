"""ArticleFacts as bytes for the extraction cache: no pickle (a crafted cache file must not run
code), a checksum of the content and the key the entry was made for, so that a truncated,
flipped or misplaced file is recognised and dropped, never read as facts.

Layout: MAGIC, the SHA-256 of the rest, then a 4-byte header length, the header (JSON: the key,
the scalar fields, the record columns with dates tagged) and the mention rows in Arrow's IPC
stream format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import struct

import pyarrow as pa

from pipeline.extract.facts import ArticleFacts

MAGIC = b"CMFACTS1"
_SCALARS = ("article_id", "title", "language", "word_count")
_COLUMNS = ("partners", "minerals", "people", "surname_evidence", "agreements", "events")


class CorruptEntry(ValueError):
    """A cache entry that is not what it claims to be."""


def _tag(value):
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_tag(v) for v in value]}
    if isinstance(value, list):
        return [_tag(v) for v in value]
    return value


def _untag(value):
    if isinstance(value, dict):
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$tuple" in value:
            return tuple(_untag(v) for v in value["$tuple"])
    if isinstance(value, list):
        return [_untag(v) for v in value]
    return value


def encode(facts: ArticleFacts, key: str) -> bytes:
    header = {
        "key": key,
        **{name: getattr(facts, name) for name in _SCALARS},
        "published_date": facts.published_date.isoformat() if facts.published_date else None,
        "columns": {name: {c: _tag(v) for c, v in getattr(facts, name).items()} for name in _COLUMNS},
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode("utf-8")
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, facts.mentions.schema) as writer:
        writer.write_batch(facts.mentions)
    body = struct.pack(">I", len(head)) + head + sink.getvalue().to_pybytes()
    return MAGIC + hashlib.sha256(body).digest() + body


def decode(blob: bytes, key: str) -> ArticleFacts:
    """The facts in `blob`, made for `key`; CorruptEntry when the bytes are not exactly that."""
    if len(blob) < len(MAGIC) + 36 or not blob.startswith(MAGIC):
        raise CorruptEntry("not an extraction cache entry")
    digest, body = blob[len(MAGIC) : len(MAGIC) + 32], blob[len(MAGIC) + 32 :]
    if hashlib.sha256(body).digest() != digest:
        raise CorruptEntry("its content does not match its checksum")
    (length,) = struct.unpack(">I", body[:4])
    header = json.loads(body[4 : 4 + length].decode("utf-8"))
    if header.get("key") != key:
        raise CorruptEntry(f"made for {header.get('key')!r}, not for {key!r}")
    mentions = pa.ipc.open_stream(pa.py_buffer(body[4 + length :])).read_next_batch()
    return ArticleFacts(
        **{name: header[name] for name in _SCALARS},
        published_date=dt.date.fromisoformat(header["published_date"]) if header["published_date"] else None,
        **{name: {c: _untag(v) for c, v in cols.items()} for name, cols in header["columns"].items()},
        mentions=mentions,
    )
