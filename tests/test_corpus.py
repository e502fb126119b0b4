"""The corpus snapshot: a rebuild reads the last build's facts in one go and must publish exactly
what a build from nothing publishes, whatever the snapshot holds."""

from pathlib import Path

import pandas as pd
import pytest

from pipeline.corpus import MAX_SEGMENTS, SNAPSHOT_DIR, corpus_facts, rename_into_place
from pipeline.extract.batch import CACHE_DIR, code_fingerprint
from pipeline.ingest import read_raw_folder
from pipeline.tables import tables_from_facts

DEV = Path(__file__).parent / "fixtures" / "dev" / "raw"


@pytest.fixture(scope="module")
def articles():
    found, rejected = read_raw_folder(DEV)
    assert not rejected and len(found) >= 12
    return found[:12]


def _snapshot(warehouse: Path) -> Path:
    return warehouse / CACHE_DIR / code_fingerprint() / SNAPSHOT_DIR


def _assert_same_tables(articles, corpus):
    expected = tables_from_facts(articles, [], corpus_facts(articles)[0])  # no warehouse: extracted afresh
    got = tables_from_facts(articles, [], corpus)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(got[name], frame, obj=name)


def test_articles_added_removed_and_reordered_give_the_tables_of_a_fresh_build(tmp_path, articles):
    corpus_facts(articles[:8], tmp_path)
    later = [articles[10], *articles[2:8][::-1], articles[11], articles[9]]  # two gone, three new, another order
    corpus, from_cache = corpus_facts(later, tmp_path)
    assert from_cache == 6
    assert corpus.content_hashes == [a.content_sha256 for a in later]
    assert len(list(_snapshot(tmp_path).glob("seg-*"))) == 2  # the first build's segment and the new articles'
    _assert_same_tables(later, corpus)


def test_a_segment_that_cannot_be_read_is_replaced_from_the_articles_own_cache_files(tmp_path, articles):
    corpus_facts(articles[:6], tmp_path)
    (segment,) = _snapshot(tmp_path).glob("seg-*")
    (segment / "mentions.arrow").write_bytes(b"not an Arrow file")
    corpus, from_cache = corpus_facts(articles[:6], tmp_path)
    assert from_cache == 6
    assert (segment / "mentions.arrow").read_bytes() != b"not an Arrow file"  # written again, whole
    _assert_same_tables(articles[:6], corpus)


def test_small_segments_are_compacted_into_one(tmp_path, articles):
    corpus_facts(articles[:2], tmp_path)
    for n in range(3, 3 + MAX_SEGMENTS):  # one more article per build
        corpus, _ = corpus_facts(articles[:n], tmp_path)
        assert len(list(_snapshot(tmp_path).glob("seg-*"))) <= MAX_SEGMENTS
    _assert_same_tables(articles[: 2 + MAX_SEGMENTS], corpus)


def test_a_corpus_that_lost_most_of_its_articles_keeps_one_segment_of_what_is_left(tmp_path, articles):
    corpus_facts(articles[:12], tmp_path)
    corpus, from_cache = corpus_facts(articles[:4], tmp_path)
    assert from_cache == 4
    (segment,) = _snapshot(tmp_path).glob("seg-*")
    assert segment.name != "seg-" and len(corpus_facts(articles[:4], tmp_path)[0]) == 4
    _assert_same_tables(articles[:4], corpus)


def test_what_a_killed_build_left_half_written_is_removed_once_it_is_an_hour_old(tmp_path, articles):
    import os

    corpus_facts(articles[:2], tmp_path)
    old, young = _snapshot(tmp_path) / ".seg-killed", _snapshot(tmp_path) / ".seg-running"
    for folder in (old, young):
        folder.mkdir()
        (folder / "mentions.arrow").write_bytes(b"half")
    os.utime(old, (0, 0))
    corpus_facts(articles[:2], tmp_path)
    assert not old.exists() and young.exists()


def test_a_segment_with_a_flipped_byte_that_still_reads_as_arrow_is_dropped_not_published(tmp_path, articles, caplog):
    corpus_facts(articles[:6], tmp_path)
    (segment,) = _snapshot(tmp_path).glob("seg-*")
    data = bytearray((segment / "mentions.arrow").read_bytes())
    data[len(data) // 2] ^= 0x01  # inside the column data: Arrow itself would not notice
    (segment / "mentions.arrow").write_bytes(bytes(data))
    with caplog.at_level("WARNING"):
        corpus, from_cache = corpus_facts(articles[:6], tmp_path)
    assert from_cache == 6  # from the articles' own cache files
    assert any("do not match the segment's checksums" in r.getMessage() for r in caplog.records)
    _assert_same_tables(articles[:6], corpus)


def test_a_segment_another_build_put_in_place_first_is_kept_not_an_error(tmp_path):
    """Two builds started together may write the same segment; the second rename finds it there."""
    target, tmp = tmp_path / "seg-abc", tmp_path / ".seg-tmp"
    target.mkdir()
    (target / "articles.arrow").write_bytes(b"first")
    tmp.mkdir()
    (tmp / "articles.arrow").write_bytes(b"second")
    rename_into_place(tmp, target)
    assert (target / "articles.arrow").read_bytes() == b"first"
    with pytest.raises(OSError):
        rename_into_place(tmp_path / "missing", tmp_path / "elsewhere")
