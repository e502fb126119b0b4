"""Command line: `python -m pipeline build | fetch | evaluate | train | release | docs`.

`build` materialises every asset in-process (the multiprocess executor costs seconds per
step on a small machine) and exits 0 only when the warehouse was published.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from pipeline.resources import DEFAULT_FEEDS_FILE, DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE_DIR, PROJECT_ROOT

DEFAULT_GOLD_DIR = PROJECT_ROOT / "tests" / "fixtures" / "seeds" / "gold"
REAL_DIR = PROJECT_ROOT / "tests" / "fixtures" / "real"


class BuildFailed(Exception):
    """The warehouse was not published; the message says why in one line (`traceback`: the details)."""

    def __init__(self, message: str, traceback: str = ""):
        super().__init__(message)
        self.traceback = traceback


def _instance():
    """The project's Dagster instance (DAGSTER_HOME, by default .dagster_home/), shared with `make ui`,
    so that runs started here show in the UI's run history."""
    import dagster as dg

    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))
    _run_history_without_fsync()
    return dg.DagsterInstance.get()


def _run_history_without_fsync() -> None:
    """Dagster's SQLite run history, written by this process without waiting for the disk.

    Dagster stores each of a build's ~190 events in its own SQLite transaction, and by default
    each commit waits for the disk (fsync): about 0.45 s per build here, a tenth of a rebuild's
    time. Without it a crash of this process still loses nothing; a power cut or kernel crash
    during a build may lose or damage that run's history (never the warehouse, whose publication
    is synced before it becomes current: pipeline/publish.py). Connections opened by the UI and
    the daemon keep SQLite's default."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _no_fsync):
        event.listen(Engine, "connect", _no_fsync)


def _no_fsync(dbapi_connection, _connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def build(raw_dir: Path, warehouse_dir: Path, quiet: bool = False, time_budget: float | None = None) -> dict[str, int]:
    """Materialise everything from `raw_dir` into `warehouse_dir`; row counts per published table.

    `time_budget`: seconds one article's extraction may take (0: no limit; None: the environment's
    CRITICAL_MINERALS_EXTRACTION_BUDGET, else 10)."""
    import dagster as dg

    from pipeline.definitions import defs
    from pipeline.memory import imports_settled
    from pipeline.resources import WarehousePaths

    imports_settled()

    raw_dir = Path(raw_dir).resolve()
    if not raw_dir.is_dir():
        raise BuildFailed(f"raw folder not found: {raw_dir}")
    warehouse_dir = Path(warehouse_dir).resolve()
    if warehouse_dir.exists() and not warehouse_dir.is_dir():
        raise BuildFailed(f"the warehouse {warehouse_dir} is a file, not a folder: give --warehouse a folder")
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    assets = [
        a
        for a in (defs.assets or [])
        if a.partitions_def is None and not {"versioned_release", "fetched_news"} & {k.to_user_string() for k in a.keys}
    ]
    checks = list(defs.asset_checks or [])
    result = dg.materialize(
        [*assets, *checks],
        resources={
            "paths": WarehousePaths(
                raw_dir=str(raw_dir),
                warehouse_dir=str(warehouse_dir),
                **({} if time_budget is None else {"extraction_budget_seconds": time_budget}),
            ),
            "io_manager": dg.mem_io_manager,
        },
        instance=_instance(),
        raise_on_error=False,
        tags={"launched_by": "cli"},
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}}},
    )
    failed_checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.asset_check_evaluation_data.passed
    ]
    if failed_checks:
        first = failed_checks[0]
        details = [f"{c.asset_key.to_user_string()}.{c.check_name}: {c.description}" for c in failed_checks]
        failures = first.metadata.get("failures")
        if not quiet and failures is not None:
            print(f"failing rows of {first.asset_key.to_user_string()} ({first.check_name}):\n{failures.value}", file=sys.stderr)
        raise BuildFailed("validation failed, nothing published: " + "; ".join(details))
    if not result.success:
        failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        reason = root_cause(failures[0].step_failure_data.error) if failures else "run failed"
        step = failures[0].step_key if failures else "?"
        details = failures[0].step_failure_data.error.to_string() if failures else ""
        raise BuildFailed(f"step {step} failed, nothing published: {reason}", details)
    tables = result.output_for_node("resolved_tables")
    return {name: len(df) for name, df in tables.items()}


def root_cause(error) -> str:
    """The first line of the innermost error (ENOSPC, EPERM, the exception the step raised), not
    Dagster's "Error occurred while executing op" that wraps it."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    lines = (error.message or "").strip().splitlines()
    return lines[0] if lines else "unknown error"


def _cmd_build(args: argparse.Namespace) -> int:
    try:
        counts = build(Path(args.raw), Path(args.warehouse), quiet=args.quiet, time_budget=args.time_budget)
    except BuildFailed as exc:
        if args.debug and exc.traceback:
            print(exc.traceback, file=sys.stderr)
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    warehouse = Path(args.warehouse).resolve()
    print(f"published {warehouse / 'critical_minerals.duckdb'} and {warehouse / 'parquet'}/<table>.parquet")
    width = max(len(t) for t in counts)
    for table, n in counts.items():
        print(f"  {table:<{width}}  {n:>7} rows")
    print(f"try a query:\n  {first_query_command(warehouse / 'critical_minerals.duckdb')}")
    return 0


FIRST_QUERY = "SELECT name, status, status_date FROM agreements ORDER BY status DESC, status_date DESC NULLS LAST LIMIT 10"


def first_query_command(db: Path) -> str:
    """A command that runs a first query on the published file with what this environment has:
    the DuckDB command-line tool when it is installed beside this Python, else Python itself."""
    cli = Path(sys.executable).parent / "duckdb"
    if cli.exists():
        return f'{_relative(cli)} -readonly {_relative(db)} -c "{FIRST_QUERY}"'
    return (
        f'{_relative(Path(sys.executable))} -c "import duckdb; '
        f"duckdb.connect('{_relative(db)}', read_only=True).sql('{FIRST_QUERY}').show()\""
    )


def _relative(path: Path) -> str:
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from pipeline.evaluate import evaluate, load_warehouse
    from pipeline.publish import PARQUET_DIR

    if args.cv:
        return _cmd_cross_validate(args)
    with tempfile.TemporaryDirectory(prefix="evaluate-") as tmp:
        try:
            build(Path(args.raw or DEFAULT_RAW_DIR), Path(tmp), quiet=True, time_budget=0)  # scores must not depend on load
        except BuildFailed as exc:
            print(f"evaluate failed: {exc}", file=sys.stderr)
            return 1
        report = evaluate(Path(args.gold or DEFAULT_GOLD_DIR), load_warehouse(Path(tmp) / PARQUET_DIR))
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report.format())
        if args.details:
            for d in report.details:
                print(json.dumps(d, ensure_ascii=False))
    return 0 if report.articles else 1


def _cmd_cross_validate(args: argparse.Namespace) -> int:
    from pipeline.train.corpus import load_gold_articles, read_stories
    from pipeline.train.cv import cross_validate, format_cv

    raw = Path(args.raw) if args.raw else REAL_DIR / "raw"
    gold = Path(args.gold) if args.gold else REAL_DIR / "gold"
    articles = load_gold_articles(raw, gold, read_stories(raw.parent))
    cv = cross_validate(articles, args.cv, log=lambda line: print(line, file=sys.stderr))
    if args.json:
        print(json.dumps({**cv.report.as_dict(), "folds": cv.folds, "stories": cv.stories, "data_sha256": cv.data_sha256,
                          "candidate_recall": {t: cv.recall.recall(t) for t in cv.recall.total}}, indent=2))  # fmt: skip
    else:
        print(format_cv(cv))
        if args.details:
            for d in cv.report.details:
                print(json.dumps(d, ensure_ascii=False))
    return 0 if cv.report.articles else 1


def _cmd_train(args: argparse.Namespace) -> int:
    import filecmp

    from pipeline.extract.model import MODELS_DIR
    from pipeline.train import train

    if not args.check:
        out = Path(args.out) if args.out else MODELS_DIR
        train(out_dir=out, log=print)
        print(f"wrote the models to {out.resolve()}")
        return 0
    with tempfile.TemporaryDirectory(prefix="train-") as tmp:
        train(out_dir=Path(tmp), log=lambda *_: None)
        names = sorted(p.name for p in Path(tmp).glob("*.json"))
        committed = sorted(p.name for p in MODELS_DIR.glob("*.json"))
        differ = [
            n for n in names if not (MODELS_DIR / n).exists() or not filecmp.cmp(Path(tmp) / n, MODELS_DIR / n, shallow=False)
        ]
    if differ or names != committed:
        print(f"the committed models differ from a fresh training: {', '.join(differ or sorted(set(names) ^ set(committed)))}")
        return 1
    print(f"a fresh training reproduces the {len(names)} committed models byte for byte")
    return 0


def _cmd_release(args: argparse.Namespace) -> int:
    from pipeline.release import ReleaseError, ReleaseUnchanged, make_release, upload_release

    try:
        folder = make_release(Path(args.warehouse), args.version, force=args.force)
    except ReleaseUnchanged as exc:
        print(f"nothing to release: {exc}")
        return 0
    except ReleaseError as exc:
        print(f"release failed: {exc}", file=sys.stderr)
        return 1
    print(f"released {folder} (and {folder}.zip); verify with: cd {folder} && sha256sum -c SHA256SUMS")
    if args.upload:
        try:
            print(f"uploaded to {upload_release(folder, args.upload)}")
        except (ReleaseError, OSError) as exc:
            print(f"upload failed: {exc}", file=sys.stderr)
            return 1
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from pipeline.fetch import FETCH_LOG, Politeness, fetch, load_feeds, read_url_list

    feeds = list(args.feed or [])
    urls = read_url_list(Path(args.urls)) if args.urls else []
    if not feeds and not urls:
        feeds, _ = load_feeds(Path(args.feeds))  # the politeness flags below apply, not the file's settings
        if not feeds:
            print(f"nothing to fetch: give --feed URL or --urls FILE, or list feeds in {args.feeds}", file=sys.stderr)
            return 2
    log = Path(args.log) if args.log else Path(args.warehouse) / FETCH_LOG
    polite = Politeness(delay=args.delay, timeout=args.timeout, retries=args.retries, max_bytes=args.max_bytes)
    summary = fetch(Path(args.raw), log, feeds, urls, polite, refresh=args.refresh)
    print(f"fetched into {args.raw}: {len(summary.files)} new file(s) ({summary.line()}); every attempt in {log}")
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    import schemas

    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(schemas.data_dictionary_markdown(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="materialise every asset: raw articles -> validated tables -> Parquet + DuckDB")
    b.add_argument("--raw", default=str(DEFAULT_RAW_DIR), help="folder of raw articles (default: raw/)")
    b.add_argument("--warehouse", default=str(DEFAULT_WAREHOUSE_DIR), help="output folder (default: warehouse/)")
    b.add_argument("--quiet", action="store_true", help="print only warnings and the summary")
    b.add_argument("--debug", action="store_true", help="on failure, also print the failing step's traceback")
    b.add_argument(
        "--time-budget",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds one article's extraction may take before it is rejected as extraction_timeout "
        "(default: $CRITICAL_MINERALS_EXTRACTION_BUDGET, else 10; 0: no limit)",
    )
    b.set_defaults(func=_cmd_build)
    f = sub.add_parser("fetch", help="download news from feeds and address lists into the raw folder (front-matter texts)")
    f.add_argument("--feed", action="append", metavar="URL", help="an RSS or Atom feed whose articles to fetch (repeatable)")
    f.add_argument("--urls", metavar="FILE", help="a file of article addresses, one a line")
    f.add_argument(
        "--feeds", default=str(DEFAULT_FEEDS_FILE), help="YAML list of feeds, used without --feed/--urls (default: feeds.yaml)"
    )
    f.add_argument("--raw", default=str(DEFAULT_RAW_DIR), help="folder to save articles into, under fetched/ (default: raw/)")
    f.add_argument("--warehouse", default=str(DEFAULT_WAREHOUSE_DIR), help="where fetch_log.jsonl is kept (default: warehouse/)")
    f.add_argument("--log", default=None, help="the fetch log (default: <warehouse>/fetch_log.jsonl)")
    f.add_argument("--refresh", action="store_true", help="download addresses fetched before again")
    f.add_argument("--delay", type=float, default=1.0, help="seconds between two requests to one host (default: 1)")
    f.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for a connection or for data (default: 20)")
    f.add_argument("--retries", type=int, default=3, help="retries after a time-out, lost connection, 429 or 5xx (default: 3)")
    f.add_argument("--max-bytes", type=int, default=5 * 1024 * 1024, help="largest page read, in bytes (default: 5 MB)")
    f.set_defaults(func=_cmd_fetch)
    e = sub.add_parser("evaluate", help="precision / recall / F1 per table against gold annotations")
    e.add_argument(
        "--gold",
        default=None,
        help="folder of gold JSON files (default: tests/fixtures/seeds/gold/; with --cv tests/fixtures/real/gold/)",
    )
    e.add_argument(
        "--raw", default=None, help="folder holding the gold files' articles (default: raw/; with --cv tests/fixtures/real/raw/)"
    )
    e.add_argument(
        "--cv",
        type=int,
        default=None,
        metavar="K",
        help="cross-validate: K folds grouped by story, each scored by models fitted without it",
    )
    e.add_argument("--json", action="store_true", help="print the scores as JSON")
    e.add_argument("--details", action="store_true", help="also print what was missed and what was extra, per article")
    e.set_defaults(func=_cmd_evaluate)
    t = sub.add_parser("train", help="fit the decision models from the gold annotations of real articles")
    t.add_argument("--out", default=None, help="folder to write the models to (default: pipeline/models/)")
    t.add_argument("--check", action="store_true", help="only check that a fresh training reproduces the committed models")
    t.set_defaults(func=_cmd_train)
    r = sub.add_parser("release", help="write an immutable, verifiable release of the published warehouse")
    r.add_argument("--version", default=None, help="release id (default: date-based, e.g. 2026.11.22)")
    r.add_argument(
        "--upload",
        default=os.environ.get("CRITICAL_MINERALS_RELEASE_URI"),
        metavar="URI",
        help="also copy the release to object storage (s3://, gs://, abfs://, file://; default: $CRITICAL_MINERALS_RELEASE_URI)",
    )
    r.add_argument("--warehouse", default=str(DEFAULT_WAREHOUSE_DIR), help="warehouse folder (default: warehouse/)")
    r.add_argument("--force", action="store_true", help="release even when the tables are those of the latest release")
    r.set_defaults(func=_cmd_release)
    d = sub.add_parser("docs", help="regenerate the data dictionary from schemas/")
    d.add_argument("--output", default=str(PROJECT_ROOT / "docs" / "data-dictionary.md"))
    d.set_defaults(func=_cmd_docs)
    args = parser.parse_args(argv)
    return args.func(args)
