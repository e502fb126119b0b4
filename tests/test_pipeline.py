"""End to end: raw articles -> Dagster assets -> validated tables -> Parquet + DuckDB."""

import os
import shutil

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import schemas
from pipeline.cli import BuildFailed, build, main
from pipeline.publish import DUCKDB_NAME, PARQUET_DIR

from .conftest import RAW


def test_every_table_is_published_as_parquet_with_its_declared_schema(seed_warehouse):
    for table in schemas.table_names():
        path = seed_warehouse / PARQUET_DIR / f"{table}.parquet"
        assert pq.read_schema(path).remove_metadata().equals(schemas.arrow_schema(table).remove_metadata()), table


def test_the_duckdb_file_has_every_table_with_the_same_rows_as_parquet(seed_warehouse, seed_db):
    for table in schemas.table_names():
        parquet_rows = pq.read_metadata(seed_warehouse / PARQUET_DIR / f"{table}.parquet").num_rows
        assert seed_db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == parquet_rows


def test_the_duckdb_file_keeps_every_declared_primary_and_foreign_key(seed_db):
    """Keys are added after the bulk load (faster); every one declared must still be there."""
    keys = seed_db.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    assert {t: list(c) for t, c in keys} == {t: list(schemas.load_tables()[t].primary_key) for t in schemas.table_names()}
    fks = seed_db.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'").fetchone()[0]
    assert fks == sum(len(schemas.load_tables()[t].foreign_keys) for t in schemas.table_names())


def test_each_seed_article_is_published_once_with_its_date(seed_db):
    rows = dict(seed_db.execute("SELECT source_file, published_date FROM articles").fetchall())
    assert len(rows) == 5
    assert str(rows["002_1e0437848bbfa5aa.txt"]) == "2026-02-24"
    assert rows["000_a0d17a41eb6dd766.txt"] is None


def test_the_same_country_across_articles_is_one_partner(seed_db):
    n = seed_db.execute("SELECT count(*) FROM partners WHERE iso3 = 'CAN'").fetchone()[0]
    articles = seed_db.execute(
        "SELECT count(DISTINCT m.article_id) FROM mentions m JOIN partners p ON m.entity_id = p.partner_id WHERE p.iso3 = 'CAN'"
    ).fetchone()[0]
    assert n == 1 and articles >= 4


def test_every_mention_points_at_its_surface_form_in_the_article(seed_db):
    texts = {}
    for source_file, article_id in seed_db.execute("SELECT source_file, article_id FROM articles").fetchall():
        from pipeline.extract.text import normalize_text

        texts[article_id] = normalize_text((RAW / source_file).read_text(encoding="utf-8")).strip("\n")
    for article_id, start, end, surface, sentence in seed_db.execute(
        "SELECT article_id, char_start, char_end, surface, sentence FROM mentions"
    ).fetchall():
        assert texts[article_id][start:end] == surface
        assert surface in sentence


def test_readme_queries_run(seed_db):
    from .test_readme import readme_queries

    for query in readme_queries():
        result = seed_db.sql(query).fetchall()
        assert result, query


def test_ids_are_stable_across_builds(tmp_path, seed_tables):
    build(RAW, tmp_path, quiet=True)
    again = pd.read_parquet(tmp_path / PARQUET_DIR / "partners.parquet")
    assert sorted(again["partner_id"]) == sorted(seed_tables["partners"]["partner_id"])


def test_a_failing_check_blocks_publication_and_keeps_the_previous_warehouse(tmp_path, monkeypatch, capsys):
    build(RAW, tmp_path, quiet=True)
    before = (tmp_path / DUCKDB_NAME).read_bytes()

    import pipeline.defs.tables as table_defs

    original = table_defs.tables_from_facts

    def corrupt(*args):
        tables = original(*args)
        tables["partners"].loc[0, "partner_type"] = "planet"
        return tables

    monkeypatch.setattr(table_defs, "tables_from_facts", corrupt)
    with pytest.raises(BuildFailed, match="partners.pandera_schema"):
        build(RAW, tmp_path)
    assert "planet" in capsys.readouterr().err  # the failing rows are shown
    assert (tmp_path / DUCKDB_NAME).read_bytes() == before
    con = duckdb.connect(str(tmp_path / DUCKDB_NAME), read_only=True)
    assert con.execute("SELECT count(*) FROM partners WHERE partner_type = 'planet'").fetchone()[0] == 0
    con.close()


def test_the_cli_exits_non_zero_with_a_one_line_reason(tmp_path, capsys):
    assert main(["build", "--raw", str(tmp_path / "missing"), "--warehouse", str(tmp_path / "w"), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("build failed: raw folder not found") and "\n" not in err


def test_bad_files_are_listed_not_lost(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    (raw / "empty.txt").write_text("")
    (raw / "copy.txt").write_bytes((RAW / "004_fa55279f4966502b.txt").read_bytes())
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 4)
    build(raw, tmp_path / "w", quiet=True)
    con = duckdb.connect(str(tmp_path / "w" / DUCKDB_NAME), read_only=True)
    published = {r[0] for r in con.execute("SELECT source_file FROM articles").fetchall()}
    rejected = dict(con.execute("SELECT source_file, reason FROM rejected_articles").fetchall())
    assert published | set(rejected) == {p.name for p in raw.iterdir()}
    assert rejected == {"empty.txt": "empty", "copy.txt": "duplicate_of", "binary.txt": "binary"}


def test_a_rebuild_from_the_extraction_cache_publishes_exactly_what_a_fresh_build_does(tmp_path):
    """Extractions are cached per article content; a renamed file keeps its extraction, not its old name."""
    from pipeline.extract.batch import CACHE_DIR

    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    build(raw, tmp_path / "w", quiet=True)
    assert any((tmp_path / "w" / CACHE_DIR).rglob("*.facts")) and not any((tmp_path / "w" / CACHE_DIR).rglob("*.pickle"))
    (raw / "000_a0d17a41eb6dd766.txt").rename(raw / "renamed.txt")
    build(raw, tmp_path / "w", quiet=True)  # from the cache
    build(raw, tmp_path / "fresh", quiet=True)  # from scratch
    for table in schemas.table_names():
        cached = (tmp_path / "w" / PARQUET_DIR / f"{table}.parquet").read_bytes()
        fresh = (tmp_path / "fresh" / PARQUET_DIR / f"{table}.parquet").read_bytes()
        assert cached == fresh, table
    con = duckdb.connect(str(tmp_path / "w" / DUCKDB_NAME), read_only=True)
    assert con.execute("SELECT count(*) FROM articles WHERE source_file = 'renamed.txt'").fetchone()[0] == 1
    con.close()


def test_a_change_of_extraction_code_leaves_at_most_one_older_cache_behind(tmp_path):
    """Caches of older extraction versions are removed, all but the one a build used last (a
    branch switched back finds it); the current version's cache stays."""
    import os

    from pipeline.extract.batch import CACHE_DIR, code_fingerprint

    root = tmp_path / "w" / CACHE_DIR
    for age, version in enumerate(["older0000000000a", "older0000000000b", "older0000000000c"]):
        (root / version / "ab").mkdir(parents=True)
        (root / version / "ab" / "x.pickle").write_bytes(b"facts of another extraction version")
        os.utime(root / version, (1_000_000 - age * 1000, 1_000_000 - age * 1000))  # "a" used most recently
    build(RAW, tmp_path / "w", quiet=True)
    assert sorted(p.name for p in root.iterdir()) == sorted([code_fingerprint(), "older0000000000a"])


def test_a_failed_step_says_the_real_cause_in_one_line(tmp_path, capsys):
    warehouse = tmp_path / "w"
    warehouse.mkdir()
    (warehouse / ".publications").write_text("a file where the publications folder goes")
    assert main(["build", "--raw", str(RAW), "--warehouse", str(warehouse), "--quiet"]) == 1
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert message.startswith("build failed: step publication failed, nothing published: ")
    assert "FileExistsError" in message and ".publications" in message, message
    assert "Error occurred while executing op" not in message


def test_a_damaged_or_crafted_extraction_cache_entry_is_dropped_and_extracted_again_never_run(tmp_path, caplog):
    """No pickle: a cache file is checked (format, checksum, the key it was made for) before use."""
    import pickle

    from pipeline.extract.batch import CACHE_DIR, code_fingerprint

    warehouse = tmp_path / "w"
    build(RAW, warehouse, quiet=True)
    version = warehouse / CACHE_DIR / code_fingerprint()
    entries = sorted(version.glob("??/*.facts"))
    assert len(entries) == 5

    class Crafted:
        def __reduce__(self):
            return (os.mkdir, (str(tmp_path / "code-ran"),))

    blob = entries[0].read_bytes()
    entries[0].write_bytes(blob[:100] + bytes([blob[100] ^ 1]) + blob[101:])  # a flipped byte
    entries[1].write_bytes(b"")  # an empty file, as a crash leaves it
    entries[2].write_bytes(entries[3].read_bytes())  # another article's entry
    entries[4].write_bytes(pickle.dumps(Crafted()))  # a crafted pickle
    shutil.rmtree(version / "corpus-v1")  # so that the build reads the articles' own entries
    with caplog.at_level("WARNING"):
        build(RAW, warehouse, quiet=True)
    build(RAW, tmp_path / "fresh", quiet=True)
    for table in schemas.table_names():
        damaged = (warehouse / PARQUET_DIR / f"{table}.parquet").read_bytes()
        assert damaged == (tmp_path / "fresh" / PARQUET_DIR / f"{table}.parquet").read_bytes(), table
    assert not (tmp_path / "code-ran").exists()
    dropped = [r.getMessage() for r in caplog.records if "extraction cache entry" in r.getMessage()]
    assert len(dropped) == 4, dropped


def test_debug_prints_the_failing_steps_traceback_before_the_one_line_reason(tmp_path, capsys):
    warehouse = tmp_path / "w"
    warehouse.mkdir()
    (warehouse / ".publications").write_text("a file where the publications folder goes")
    assert main(["build", "--raw", str(RAW), "--warehouse", str(warehouse), "--quiet", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Stack Trace:" in err and "new_publication" in err
    assert err.strip().splitlines()[-1].startswith("build failed: step publication failed")
