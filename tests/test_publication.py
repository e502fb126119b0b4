"""Publishing is atomic: a reader sees the previous warehouse or the new one, whole, never a mix."""

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pyarrow.parquet as pq

import schemas
from pipeline.cli import build
from pipeline.publish import DUCKDB_NAME, PARQUET_DIR, PUBLICATIONS_DIR, PUBLISHED_MARK

from .conftest import DEV_RAW, RAW, ROOT


def warehouse_state(warehouse) -> frozenset[str]:
    """The set of published source files, checked to be the same in DuckDB and in every Parquet file."""
    con = duckdb.connect(str(warehouse / DUCKDB_NAME), read_only=True)
    try:
        in_duckdb = frozenset(r[0] for r in con.execute("SELECT source_file FROM articles").fetchall())
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in schemas.table_names()}
    finally:
        con.close()
    in_parquet = frozenset(pq.read_table(warehouse / PARQUET_DIR / "articles.parquet")["source_file"].to_pylist())
    assert in_parquet == in_duckdb, "Parquet and DuckDB belong to different publications"
    for table, n in counts.items():
        assert pq.read_metadata(warehouse / PARQUET_DIR / f"{table}.parquet").num_rows == n, table
    return in_duckdb


def test_a_build_killed_at_any_moment_leaves_the_previous_warehouse_whole(tmp_path):
    """Twenty SIGKILLs at random moments of a build; after each, the warehouse reads back whole."""
    warehouse = tmp_path / "w"
    build(RAW, warehouse, quiet=True)
    seeds = warehouse_state(warehouse)
    dev = frozenset(p.name for p in DEV_RAW.iterdir())
    rng = random.Random(20261122)
    env = dict(os.environ)  # DAGSTER_HOME: the tests' throw-away instance
    outcomes = []
    for _ in range(20):
        raw = DEV_RAW if rng.random() < 0.5 else RAW
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "build", "--quiet", "--raw", str(raw), "--warehouse", str(warehouse)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.2, 6.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            outcomes.append("killed")
        else:
            outcomes.append("finished")
        proc.wait()
        assert warehouse_state(warehouse) in {seeds, dev}
    assert outcomes.count("killed") >= 10, outcomes  # most kills really land mid-build
    # The next publication prunes every published folder but itself and the one before. A build killed
    # between making its folder and publishing it leaves that folder unfinished, never current, and
    # removed an hour later (LEFTOVER_AFTER_SECONDS): at most one per killed build.
    build(RAW, warehouse, quiet=True)
    assert warehouse_state(warehouse) == seeds
    folders = [p for p in (warehouse / PUBLICATIONS_DIR).iterdir() if not p.name.startswith("legacy-")]
    published = [p for p in folders if (p / PUBLISHED_MARK).exists()]
    assert len(published) <= 2
    assert len(folders) - len(published) <= outcomes.count("killed")


def test_a_reader_holding_the_duckdb_file_open_does_not_stop_a_publish(tmp_path):
    warehouse = tmp_path / "w"
    build(RAW, warehouse, quiet=True)
    reader = duckdb.connect(str(warehouse / DUCKDB_NAME), read_only=True)
    try:
        before = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
        build(DEV_RAW, warehouse, quiet=True)  # publishes while the reader is open
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == before  # the reader keeps its snapshot
    finally:
        reader.close()
    assert warehouse_state(warehouse) == frozenset(p.name for p in DEV_RAW.iterdir())


def _duckdb_rows(db) -> dict[str, set[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = {t: set(con.execute(f"SELECT * FROM {t}").fetchall()) for t in schemas.table_names()}
        rows["(constraints)"] = set(
            con.execute("SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints()").fetchall()
        )
        rows["(views)"] = set(con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall())
        return rows
    finally:
        con.close()


def test_the_duckdb_file_updated_from_the_previous_publication_holds_what_a_fresh_one_does(tmp_path, monkeypatch):
    """A rebuild brings a copy of the previous DuckDB file up to date (rows added, changed, removed)
    instead of loading every table again; it must end up with the very rows, keys and views of a
    file built from scratch."""
    import shutil

    import pipeline.publish as publish

    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    build(raw, tmp_path / "w", quiet=True)
    seeds = sorted(raw.iterdir())
    seeds[0].unlink()  # an article removed: its rows go
    seeds[1].rename(raw / "renamed.txt")  # the same text under a new name: its row changes
    for path in sorted(DEV_RAW.iterdir())[:12]:  # new articles: rows added, entities' rows changed
        shutil.copy(path, raw / path.name)

    loads = []
    original = publish._load_duckdb
    monkeypatch.setattr(publish, "_load_duckdb", lambda *a: loads.append(a) or original(*a))
    build(raw, tmp_path / "w", quiet=True)
    assert loads == []  # updated, not loaded from scratch
    build(raw, tmp_path / "fresh", quiet=True)
    assert len(loads) == 1

    updated, fresh = _duckdb_rows(tmp_path / "w" / DUCKDB_NAME), _duckdb_rows(tmp_path / "fresh" / DUCKDB_NAME)
    assert updated.keys() == fresh.keys()
    for table in updated:
        assert updated[table] == fresh[table], table
    assert ("renamed.txt",) in {(r[1],) for r in updated["articles"]}


def test_a_schema_change_rebuilds_the_duckdb_file_from_scratch(tmp_path, monkeypatch):
    import pipeline.publish as publish

    build(RAW, tmp_path / "w", quiet=True)
    loads = []
    original = publish._load_duckdb
    monkeypatch.setattr(publish, "_load_duckdb", lambda *a: loads.append(a) or original(*a))
    monkeypatch.setattr(publish, "schema_stamp", lambda: "another schema")
    build(RAW, tmp_path / "w", quiet=True)
    assert len(loads) == 1


def test_a_previous_duckdb_file_that_cannot_be_updated_is_replaced_by_a_fresh_one(tmp_path):
    build(RAW, tmp_path / "w", quiet=True)
    os.chmod((tmp_path / "w" / DUCKDB_NAME).resolve(), 0o644)  # published read-only
    (tmp_path / "w" / DUCKDB_NAME).resolve().write_bytes(b"not a database")
    build(RAW, tmp_path / "w", quiet=True)
    con = duckdb.connect(str(tmp_path / "w" / DUCKDB_NAME), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == len(list(RAW.glob("*.txt")))
    con.close()


def test_mention_rows_are_compared_again_only_when_the_extraction_code_changed(tmp_path):
    """Under the same extraction code a mention's id fixes its values, so an update does not compare
    them; rows from another extraction version are compared and brought up to date."""
    from pipeline.publish import EXTRACTION_STAMP, new_publication, write_checksums, write_publication

    build(RAW, tmp_path / "w", quiet=True)
    previous = (tmp_path / "w" / "current").resolve()
    os.chmod(previous / DUCKDB_NAME, 0o644)  # published read-only
    con = duckdb.connect(str(previous / DUCKDB_NAME))
    mention = con.execute("SELECT mention_id FROM mentions ORDER BY mention_id LIMIT 1").fetchone()[0]
    con.execute("UPDATE mentions SET sentence = 'as another extraction version wrote it' WHERE mention_id = ?", [mention])
    con.close()
    write_checksums(previous)  # as if its build had written it so (an edited file is never the base of an update)
    tables = {t: pq.read_table(previous / PARQUET_DIR / f"{t}.parquet").to_pandas() for t in schemas.table_names()}
    version = (previous / EXTRACTION_STAMP).read_text().strip()

    def sentence_after_update(extraction_version: str) -> str:
        publication = new_publication(tmp_path / "w")
        _, db = write_publication(tables, publication, previous, extraction_version)
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute("SELECT sentence FROM mentions WHERE mention_id = ?", [mention]).fetchone()[0]
        finally:
            con.close()

    assert sentence_after_update(version) == "as another extraction version wrote it"
    assert sentence_after_update("another version") != "as another extraction version wrote it"


def test_a_killed_build_leftover_never_replaces_the_previous_publication_and_is_removed_an_hour_later(tmp_path):
    from pipeline.publish import PUBLICATIONS_DIR, current_publication

    warehouse = tmp_path / "w"
    build(RAW, warehouse, quiet=True)
    previous = current_publication(warehouse)
    leftover = warehouse / PUBLICATIONS_DIR / "29991231T235959-deadbeef"  # what a killed build left, named later
    (leftover / "parquet").mkdir(parents=True)
    (leftover / "parquet" / "partners.parquet").write_bytes(b"half written")
    build(RAW, warehouse, quiet=True)
    assert previous.exists() and current_publication(warehouse) != previous  # the real previous stays
    assert leftover.exists()  # young: it may be a build under way
    an_hour_ago = time.time() - 3700
    os.utime(leftover, (an_hour_ago, an_hour_ago))
    build(RAW, warehouse, quiet=True)
    assert not leftover.exists()
    kept = sorted(p.name for p in (warehouse / PUBLICATIONS_DIR).iterdir())
    assert len(kept) == 2 and current_publication(warehouse).name in kept


def test_a_second_writer_waits_for_the_lock_then_says_who_holds_it(tmp_path):
    from pipeline.lock import warehouse_lock

    warehouse = tmp_path / "w"
    build(RAW, warehouse, quiet=True)
    env = {**os.environ, "CRITICAL_MINERALS_LOCK_WAIT": "1"}
    command = [sys.executable, "-m", "pipeline", "release", "--warehouse", str(warehouse)]
    with warehouse_lock(warehouse, "publish"):
        started = time.time()
        busy = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert busy.returncode == 1 and time.time() - started < 30
        assert "is busy (publish by process" in busy.stderr and "CRITICAL_MINERALS_LOCK_WAIT" in busy.stderr, busy.stderr
    assert subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True).returncode == 0  # free again


def test_a_build_that_read_the_raw_folder_before_the_current_publication_does_not_replace_it(tmp_path, monkeypatch):
    import pipeline.defs.ingest as ingest_assets
    from pipeline.cli import BuildFailed
    from pipeline.publish import current_publication

    warehouse = tmp_path / "w"
    build(RAW, warehouse, quiet=True)
    current = current_publication(warehouse)
    monkeypatch.setattr(ingest_assets.time, "time_ns", lambda: 1)  # as if it had read the folder long ago
    try:
        build(RAW, warehouse, quiet=True)
        raise AssertionError("a stale build published")
    except BuildFailed as exc:
        assert "later reading of the raw folder is already current" in str(exc)
    assert current_publication(warehouse) == current
    assert sorted(p.name for p in (warehouse / PUBLICATIONS_DIR).iterdir()) == [current.name]  # its folder removed


def test_published_files_are_read_only_and_listed_with_their_checksums(tmp_path):
    from pipeline.publish import CHECKSUMS, altered_files, current_publication

    build(RAW, tmp_path / "w", quiet=True)
    publication = current_publication(tmp_path / "w")
    assert (publication / DUCKDB_NAME).stat().st_mode & 0o777 == 0o444
    assert all(p.stat().st_mode & 0o222 == 0 for p in (publication / PARQUET_DIR).iterdir())
    assert subprocess.run(["sha256sum", "-c", CHECKSUMS], cwd=publication, capture_output=True).returncode == 0
    assert altered_files(publication) == []


def test_a_duckdb_file_edited_after_its_build_is_rebuilt_not_carried_into_the_next_publication(tmp_path):
    warehouse = tmp_path / "w"
    build(RAW, warehouse, quiet=True)
    path = (warehouse / DUCKDB_NAME).resolve()
    os.chmod(path, 0o644)  # what a careless user with write access does
    con = duckdb.connect(str(path))
    con.execute("UPDATE agreement_statuses SET status = 'in_force'")
    con.execute("DROP VIEW partner_summary")
    con.execute("CREATE TABLE my_notes AS SELECT 1 AS x")
    con.close()
    build(RAW, warehouse, quiet=True)  # nothing changed in raw/
    con = duckdb.connect(str(warehouse / DUCKDB_NAME), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        in_force = con.execute("SELECT count(*) FROM agreement_statuses WHERE status = 'in_force'").fetchone()[0]
        every = con.execute("SELECT count(*) FROM agreement_statuses").fetchone()[0]
    finally:
        con.close()
    assert "my_notes" not in tables and "partner_summary" in views and in_force < every


def test_two_builds_started_together_leave_one_consistent_publication_and_no_traceback(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    warehouse = tmp_path / "w"
    command = [sys.executable, "-m", "pipeline", "build", "--quiet", "--raw", str(raw), "--warehouse", str(warehouse)]
    runs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert all("Traceback" not in err for _, err in results), results
    assert any(code == 0 for code, _ in results)
    for code, err in results:  # the other publishes too, or says in one line that a newer publication is current
        assert code == 0 or "later reading of the raw folder is already current" in err, err
    assert warehouse_state(warehouse) == {p.name for p in raw.iterdir()}
