"""No article hangs a build: extraction takes time in proportion to an article's length, and an
article that still runs past its time budget is rejected (`extraction_timeout`), not waited for."""

import shutil
import threading
import time

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.extract.batch as batch
import pipeline.extract.document as document
from pipeline.cli import build
from pipeline.corpus import corpus_facts
from pipeline.extract import extract_article
from pipeline.extract.budget import ExtractionTimeout, budget_seconds, time_budget
from pipeline.extract.text import MAX_SENTENCE_CHARS, split_sentences
from pipeline.ingest import read_raw_folder
from pipeline.tables import tables_from_facts

from .conftest import RAW as SEEDS_DIR

# The shapes that once made extraction take time in the square of an article's length.
HOSTILE_FRAGMENTS = [
    "India and ", "A. B. ", ". ", "U.S. ", "signed an MoU with ", "ABCD EFGH ", "Minister Minister of Mines ",
    "Lithium Cobalt Australia Mining Corporation ", "Keystone Metals Corp (KMC) and ", "Ministry of Mines of India and ",
    "india australia lithium agreement ", "Japan, ", "on 5 March 2025 ", '"Critical Minerals" ', "(", "- ", "\n",
    "Dr. ", "St. ", "the agreement ", "Rare Earths ", "e.g. ", "LITHIUM ", "Mr. Smith ",
]  # fmt: skip
MS_PER_KB = 60  # generous: a linear extraction takes a few milliseconds per kilobyte


@pytest.fixture
def any_language_is_english(monkeypatch):
    """The language check reads the first 20,000 characters; a hostile author can always pass it,
    so the extraction stages behind it are tested as if it always let text through."""
    monkeypatch.setattr(document, "detect_language", lambda text: "en")


fragments = st.one_of(
    st.sampled_from(HOSTILE_FRAGMENTS),
    st.text(alphabet="AB. ,\n()-'\"aIU&", min_size=1, max_size=10),
)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blocks=st.lists(st.tuples(fragments, st.integers(1, 300)), min_size=1, max_size=5))
def test_hostile_text_is_extracted_in_time_proportional_to_its_length(any_language_is_english, blocks):
    unit = "".join(fragment * repeat for fragment, repeat in blocks)
    size = 40 * 1024
    text = " date 2025-03-05\nCritical minerals\n" + (unit * (size // len(unit) + 1))[:size]
    started = time.process_time()
    extract_article("hostile.txt", text)
    ms_per_kb = (time.process_time() - started) * 1000 / 40
    assert ms_per_kb < MS_PER_KB, f"{ms_per_kb:.0f} ms per KB for {blocks!r}"


@pytest.mark.parametrize("fragment", ["A. B. ", "signed an MoU with ", "ABCD EFGH ", "Keystone Metals Corp (KMC) and "])
def test_a_100_kb_run_of_one_hostile_fragment_takes_under_a_tenth_of_the_budget_per_kb(any_language_is_english, fragment):
    text = " date 2025-03-05\nCritical minerals\n" + fragment * (100 * 1024 // len(fragment))
    started = time.process_time()
    extract_article("hostile.txt", text)
    assert (time.process_time() - started) * 1000 / 100 < MS_PER_KB


def test_no_sentence_is_longer_than_the_cap_and_real_sentences_are_not_cut():
    text = "Intro. " + "A. B. " * 2000 + "\nIndia and Australia signed a pact on lithium on Monday."
    sentences = split_sentences(text)
    assert max(s.end - s.start for s in sentences) <= MAX_SENTENCE_CHARS
    assert text[sentences[-1].start : sentences[-1].end] == "India and Australia signed a pact on lithium on Monday."
    assert "".join(text[s.start : s.end] for s in sentences).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_the_budget_interrupts_a_running_extraction():
    with pytest.raises(ExtractionTimeout), time_budget(0.2):
        while True:
            pass


def test_the_budget_comes_from_the_argument_then_the_environment_then_ten_seconds(monkeypatch):
    monkeypatch.delenv("CRITICAL_MINERALS_EXTRACTION_BUDGET", raising=False)
    assert budget_seconds() == 10
    monkeypatch.setenv("CRITICAL_MINERALS_EXTRACTION_BUDGET", "2.5")
    assert budget_seconds() == 2.5 and budget_seconds(4) == 4 and budget_seconds(0) is None
    monkeypatch.setenv("CRITICAL_MINERALS_EXTRACTION_BUDGET", "soon")
    with pytest.raises(ValueError, match="CRITICAL_MINERALS_EXTRACTION_BUDGET='soon' is not a number of seconds"):
        budget_seconds()


def test_an_article_past_its_budget_has_no_facts_and_is_not_cached(tmp_path):
    articles, _ = read_raw_folder(SEEDS_DIR)
    late = batch.extract_corpus(articles[:1], tmp_path, workers=1, budget=1e-6)
    assert late.facts == [] and list(late.timed_out) == [articles[0].content_sha256]
    again = batch.extract_corpus(articles[:1], tmp_path, workers=1, budget=None)
    assert again.from_cache == 0 and len(again.facts) == 1 and not again.timed_out


def test_the_budget_holds_off_the_main_thread_too(tmp_path):
    """A Dagster run or a web server may call from another thread, which no alarm reaches: the
    articles are then extracted in a worker process, where it does."""
    articles, _ = read_raw_folder(SEEDS_DIR)
    results = {}
    thread = threading.Thread(target=lambda: results.update(out=batch.extract_corpus(articles[:2], None, workers=1, budget=1e-6)))
    thread.start()
    thread.join(60)
    assert sorted(results["out"].timed_out) == sorted(a.content_sha256 for a in articles[:2])


def test_articles_past_their_budget_are_rejected_as_extraction_timeout_and_the_rest_published(tmp_path, monkeypatch):
    articles, rejections = read_raw_folder(SEEDS_DIR)
    slow = articles[0].source_file

    def extract_slowly(source_file, text):
        if source_file == slow:
            time.sleep(30)
        return extract_article(source_file, text)

    monkeypatch.setattr(batch, "extract_article", extract_slowly)
    corpus, _ = corpus_facts(articles, tmp_path, workers=1, budget=0.5)
    assert list(corpus.timed_out) == [articles[0].content_sha256] and len(corpus) == len(articles) - 1
    tables = tables_from_facts(articles, rejections, corpus)
    assert slow not in set(tables["articles"]["source_file"]) and len(tables["articles"]) == len(articles) - 1
    rejected = tables["rejected_articles"].set_index("source_file")
    assert rejected.loc[slow, "reason"] == "extraction_timeout"
    assert "past the time budget" in rejected.loc[slow, "detail"]


def test_a_build_rejects_a_slow_article_and_publishes_the_seeds_as_they_are(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS_DIR, raw)
    build(raw, tmp_path / "alone", quiet=True)
    (raw / "slow.txt").write_text(
        " date 2025-03-05\nCritical minerals\n" + "India and Chile signed an MoU with Japan. " * 12000, encoding="utf-8"
    )
    build(raw, tmp_path / "w", quiet=True, time_budget=1.0)
    rows = {}
    for name in ("alone", "w"):
        with duckdb.connect(str(tmp_path / name / "critical_minerals.duckdb"), read_only=True) as con:
            rows[name] = {
                table: sorted(con.sql(f"SELECT * FROM {table}").fetchall())
                for table in ("articles", "partners", "agreements", "events", "mentions")
            }
            rejected = dict(con.sql("SELECT source_file, reason FROM rejected_articles").fetchall())
    assert rejected == {"slow.txt": "extraction_timeout"}  # the last warehouse read, the build with the slow article
    assert rows["alone"] == rows["w"]
