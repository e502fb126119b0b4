"""Hostile input: a folder of 100 KB articles built to be slow, beside the seed articles.

Each hostile article is an English opening (so the language check lets it through to every
extraction stage) followed by one fragment repeated to 100 KB: runs of names, capitals,
initials, abbreviations, punctuation, dates and agreement cues - the shapes that made extraction
take time in the square of an article's length. The benchmark builds the folder with the
command line's build, then prints the wall time, the slowest articles (each extracted alone, in
this process), whether every file is in `articles` or `rejected_articles`, and whether the seed
articles' own rows (articles, mentions, agreement statuses) are those of a build of the seeds alone.

    .venv/bin/python benchmarks/hostile_benchmark.py [--kb 100] [--time-budget 10]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.cli import build  # noqa: E402
from pipeline.extract import extract_article  # noqa: E402

OPENING = "The minister said that the agreement on lithium and cobalt was signed in the capital of India. " * 220
FRAGMENTS = {
    "country_and": "India and ",
    "initials": "A. B. ",
    "full_stops": ". ",
    "abbreviations": "U.S. ",
    "agreement_cues": "signed an MoU with ",
    "capitals": "ABCD EFGH ",
    "company_names": "Lithium Cobalt Australia Mining Corporation ",
    "titles": "Minister Minister of Mines ",
    "lower_case": "india australia lithium agreement ",
    "commas": "Japan, ",
    "blank_lines": "\n",
    "quotes": '"Critical Minerals" ',
    "dates": "on 5 March 2025 ",
    "dashes": "- ",
    "brackets": "(",
    "acronyms": "Keystone Metals Corp (KMC) and ",
    "ministries": "Ministry of Mines of India and ",
}


def hostile_text(fragment: str, kb: int) -> str:
    body = fragment * max(1, (kb * 1024 - len(OPENING)) // len(fragment))
    return " date 2025-03-05\nCritical minerals\n" + OPENING + body


def seed_rows(warehouse: Path, seed_files: list[str]) -> dict[str, list[tuple]]:
    """The seed articles' own rows: their article rows, every mention in them and every agreement
    status read from them (entity tables aggregate over all articles, so hostile ones may add rows)."""
    with duckdb.connect(str(warehouse / "critical_minerals.duckdb"), read_only=True) as con:
        con.execute("CREATE TEMP TABLE seeds AS SELECT unnest(?::VARCHAR[]) AS source_file", [seed_files])
        ids = "(SELECT article_id FROM articles JOIN seeds USING (source_file))"
        return {
            "articles": sorted(con.sql("SELECT * FROM articles JOIN seeds USING (source_file)").fetchall()),
            "mentions": sorted(con.sql(f"SELECT * FROM mentions WHERE article_id IN {ids}").fetchall()),
            "agreement_statuses": sorted(con.sql(f"SELECT * FROM agreement_statuses WHERE article_id IN {ids}").fetchall()),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=100)
    parser.add_argument("--time-budget", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seeds, raw = Path(tmp) / "seeds", Path(tmp) / "raw"
        seeds.mkdir()
        for path in sorted((ROOT / "raw").glob("*.txt")):
            shutil.copy(path, seeds / path.name)
        shutil.copytree(seeds, raw)
        for name, fragment in FRAGMENTS.items():
            (raw / f"hostile_{name}.txt").write_text(hostile_text(fragment, args.kb), encoding="utf-8")
        build(seeds, Path(tmp) / "w_seeds", quiet=True)
        started = time.perf_counter()
        build(raw, Path(tmp) / "w", quiet=True, time_budget=args.time_budget)
        wall = time.perf_counter() - started
        files = sorted(p.name for p in raw.iterdir())
        with duckdb.connect(str(Path(tmp) / "w" / "critical_minerals.duckdb"), read_only=True) as con:
            published = {r[0] for r in con.sql("SELECT source_file FROM articles").fetchall()}
            rejected = dict(con.sql("SELECT source_file, reason FROM rejected_articles").fetchall())
        seed_files = sorted(p.name for p in seeds.iterdir())
        unchanged = seed_rows(Path(tmp) / "w_seeds", seed_files) == seed_rows(Path(tmp) / "w", seed_files)
        timings = []
        for name, fragment in FRAGMENTS.items():
            text = hostile_text(fragment, args.kb)
            t = time.perf_counter()
            extract_article(f"hostile_{name}.txt", text)
            timings.append((time.perf_counter() - t, name))
    print(f"{len(FRAGMENTS)} hostile articles of {args.kb} KB + 5 seed articles, time budget {args.time_budget:g} s")
    print(f"build (command line, cold cache): {wall:.1f} s")
    print(f"files: {len(files)}; published {len(published)}; rejected {len(rejected)} {sorted(set(rejected.values()))}")
    missing = [f for f in files if f not in published and f not in rejected]
    print(f"every file accounted for: {not missing}" + (f" (missing: {missing})" if missing else ""))
    print(f"seed articles' rows unchanged: {unchanged}")
    print("slowest extractions (one article, one core):")
    for seconds, name in sorted(timings, reverse=True)[:6]:
        print(f"  {name:16s} {seconds:6.2f} s  ({seconds / args.kb * 1000:.1f} ms per KB)")


if __name__ == "__main__":
    main()
