"""A rebuild reads only the raw files that are new or changed, and gets what a fresh read gets."""

import os
import time

from pipeline.ingest import RawFileCache, read_raw_folder

ENGLISH = "India and Chile signed a memorandum of understanding on lithium and copper exploration on Monday.\n"
AN_HOUR_AGO = time.time() - 3600


def _write(path, data: bytes, age: float | None = AN_HOUR_AGO) -> None:
    path.write_bytes(data)
    if age is not None:
        os.utime(path, (age, age))


def _age_change_times(monkeypatch, seconds: float = 3600) -> None:
    """Files written by the test are seconds old; the cache trusts only files older than two seconds.
    Here the build starts an hour later, as far as the cache can tell."""
    real = time.time_ns
    monkeypatch.setattr("pipeline.ingest.cache.time.time_ns", lambda: real() + int(seconds * 1e9))


def _folder(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(raw / "a.txt", ENGLISH.encode())
    _write(raw / "b.txt", ("Japan and Australia agreed on gallium supplies on Friday.\n" * 2).encode("cp1252"))
    _write(raw / "copy_of_a.txt", ENGLISH.encode("utf-16"))
    _write(raw / "empty.txt", b"  \n")
    _write(raw / "binary.txt", b"\x00\x01\x02" * 50)
    _write(raw / "page.html", b"<html><body><p>" + ENGLISH.encode() + b"</p></body></html>")
    _write(
        raw / "cited.md",
        b"---\nurl: https://news.example/a\nauthors: [A, B]\npublished: 2026-02-24\n---\nIndonesia and Korea discussed nickel.\n",
    )
    lines = ['{"url": "https://news.example/b", "title": "T", "text": "Peru and China agreed on copper mining."}', "{broken", ""]
    _write(raw / "wire.jsonl", "\n".join(lines).encode())
    os.symlink(raw / "a.txt", raw / "link.txt")
    return raw


def test_a_cached_read_gives_exactly_the_articles_and_rejections_of_a_fresh_read(tmp_path, monkeypatch):
    _age_change_times(monkeypatch)
    raw, cache = _folder(tmp_path), tmp_path / "cache"
    fresh = read_raw_folder(raw)
    first = read_raw_folder(raw, cache)
    assert len(list(cache.glob("*.arrow"))) == 1
    again = read_raw_folder(raw, cache)
    assert fresh == first == again
    assert {r.reason for r in fresh[1]} == {"duplicate_of", "empty", "binary", "not_a_regular_file", "invalid_line"}
    assert {a.source_file: a.url for a in again[0] if a.url} == {
        "cited.md": "https://news.example/a",
        "wire.jsonl#L1": "https://news.example/b",
    }


def test_files_unchanged_since_the_last_build_are_not_read_again(tmp_path, monkeypatch):
    _age_change_times(monkeypatch)
    raw, cache = _folder(tmp_path), tmp_path / "cache"
    read_raw_folder(raw, cache)
    opened = []
    real_open = os.open
    monkeypatch.setattr(
        "pipeline.ingest.files.os.open", lambda path, *a: opened.append(os.path.basename(path)) or real_open(path, *a)
    )
    _write(raw / "c.txt", b"Chile and Germany discussed copper smelting in Berlin on 3 March 2026.\n")
    articles, _ = read_raw_folder(raw, cache)
    assert opened == ["c.txt"]  # only the new file
    assert "c.txt" in {a.source_file for a in articles}


def test_a_file_rewritten_with_the_same_size_and_restored_time_is_read_again(tmp_path, monkeypatch):
    _age_change_times(monkeypatch)
    raw, cache = _folder(tmp_path), tmp_path / "cache"
    before = {a.source_file: a for a in read_raw_folder(raw, cache)[0]}
    stat = os.stat(raw / "a.txt")
    (raw / "a.txt").write_bytes(ENGLISH.replace("Chile", "Peru!").encode())  # same size
    os.utime(raw / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old modification time
    assert os.stat(raw / "a.txt").st_size == stat.st_size
    after = {a.source_file: a for a in read_raw_folder(raw, cache)[0]}
    assert "Peru!" in after["a.txt"].text and after["a.txt"].content_sha256 != before["a.txt"].content_sha256


def test_a_file_written_moments_before_the_build_is_not_trusted_to_the_cache(tmp_path):
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    raw.mkdir()
    _write(raw / "fresh.txt", ENGLISH.encode(), age=None)  # modified now: the same clock tick may see another write
    read_raw_folder(raw, cache)
    assert RawFileCache(cache).old == {}


def test_removed_files_leave_the_cache_and_other_ingest_versions_are_ignored(tmp_path, monkeypatch):
    _age_change_times(monkeypatch)
    raw, cache = _folder(tmp_path), tmp_path / "cache"
    read_raw_folder(raw, cache)
    (raw / "b.txt").unlink()
    articles, rejections = read_raw_folder(raw, cache)
    assert "b.txt" not in {a.source_file for a in articles} | {r.source_file for r in rejections}
    assert "b.txt" not in RawFileCache(cache).old
    monkeypatch.setattr("pipeline.ingest.cache.ingest_fingerprint", lambda: "another-version")
    assert RawFileCache(cache).old == {}  # a cache written by other ingest code is not read
    read_raw_folder(raw, cache)
    assert [p.name for p in cache.glob("*.arrow")] == ["another-version.arrow"]


def test_a_damaged_raw_files_cache_is_dropped_with_a_warning_and_every_file_read_again(tmp_path, monkeypatch, caplog):
    _age_change_times(monkeypatch)
    raw, cache = _folder(tmp_path), tmp_path / "cache"
    fresh = read_raw_folder(raw)
    read_raw_folder(raw, cache)
    (path,) = cache.glob("*.arrow")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # a flipped byte inside an article's cached text
    path.write_bytes(bytes(data))
    with caplog.at_level("WARNING"):
        assert read_raw_folder(raw, cache) == fresh
    assert any("does not match its checksum" in r.getMessage() for r in caplog.records)
    path.write_bytes(b"")  # an empty file, as a crash leaves it
    assert read_raw_folder(raw, cache) == fresh
    assert read_raw_folder(raw, cache) == fresh  # and the cache written again works
