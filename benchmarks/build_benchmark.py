"""Benchmark: a synthetic corpus of N articles built end to end; prints the figures.

    .venv/bin/python benchmarks/build_benchmark.py --articles 1000 10000

Articles are made by recombining sentences of the development articles and substituting
countries, minerals, people and dates, so that entity resolution has real work (many distinct
people and agreements, the same partners recurring). Each size is built into a fresh warehouse
with `python -m pipeline build` in a child process; the benchmark prints articles/s, words/s,
wall time per Dagster step, the peak RSS of the largest process (the build or one of its
extraction workers), and the times of `--rebuilds` consecutive rebuilds, each after one more
article is added (the way the raw-folder sensor sees a feed), with their median: one rebuild is a
few seconds, and on a shared machine a single measurement can be off by a third. `--verify` also
builds the final corpus from scratch and checks that the last rebuild published the same tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tests" / "fixtures" / "dev" / "raw"
COUNTRIES = ["Australia", "Japan", "Chile", "Argentina", "Canada", "Germany", "Brazil", "Indonesia", "Kazakhstan",
             "Mongolia", "Peru", "Zambia", "Namibia", "South Korea", "Vietnam", "France", "Saudi Arabia", "Morocco"]  # fmt: skip
MINERALS = ["lithium", "cobalt", "nickel", "graphite", "rare earths", "gallium", "germanium", "tungsten", "copper",
            "antimony", "vanadium", "manganese", "platinum group metals", "uranium"]  # fmt: skip
FIRST = ["Anna", "Rahul", "Kenji", "Maria", "Lukas", "Amina", "Carlos", "Mei", "David", "Priya", "Omar", "Sofia"]
LAST = ["Tanaka", "Mehta", "Fischer", "Santos", "Okafor", "Lindqvist", "Haddad", "Novak", "Reyes", "Kim", "Brenner"]


def _sentences() -> list[str]:
    out = []
    for path in sorted(SOURCES.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            out += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", line) if len(s.split()) >= 8]
    return out


def synthetic_corpus(n: int, folder: Path, words: int = 600, seed: int = 7) -> int:
    """Write n articles of about `words` words; returns the total word count."""
    rng = random.Random(seed)
    pool = _sentences()
    total = 0
    for i in range(n):
        published = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(540))
        a, b = rng.sample(COUNTRIES, 2)
        person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        lines = [f" date {published.isoformat()} {a} and {b} deepen {rng.choice(MINERALS)} ties"]
        lines.append(
            f"{a} and {b} signed a memorandum of understanding on {rng.choice(MINERALS)} and {rng.choice(MINERALS)} "
            f"on Monday, Minister of Mines {person} said in a statement."
        )
        count = sum(len(x.split()) for x in lines)
        while count < words:
            s = rng.choice(pool)
            s = re.sub(r"\b(?:Australia|Japan|Chile|Canada|Germany|Indonesia|Brazil|Peru)\b", lambda _: rng.choice(COUNTRIES), s)
            s = re.sub(r"\b(?:lithium|cobalt|nickel|copper|graphite)\b", lambda _: rng.choice(MINERALS), s)
            lines.append(s)
            count += len(s.split())
        lines.append(f"Story {i} of the benchmark corpus.")
        (folder / f"bench_{i:06d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        total += count
    return total


def _build(raw: Path, warehouse: Path, home: Path) -> float:
    """Seconds for `python -m pipeline build` in a child process, from start to exit."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--quiet", "--raw", str(raw), "--warehouse", str(warehouse)],
        cwd=ROOT,
        env={"DAGSTER_HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build of {raw} failed: {proc.stderr.strip()[-500:]}")
    return wall


def _same_tables(a: Path, b: Path) -> bool:
    files = sorted(p.name for p in (a / "parquet").glob("*.parquet"))
    return files == sorted(p.name for p in (b / "parquet").glob("*.parquet")) and all(
        (a / "parquet" / f).read_bytes() == (b / "parquet" / f).read_bytes() for f in files
    )


def run(n: int, verify: bool = False, rebuilds: int = 3) -> dict:
    """A full build of n articles; then `rebuilds` times one article added and the rebuild timed (the
    cache at work); with `verify`, a from-scratch build of the final corpus to compare the tables
    byte for byte."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{n}-") as tmp:
        raw, warehouse = Path(tmp) / "raw", Path(tmp) / "warehouse"
        raw.mkdir()
        synthetic_corpus(n + rebuilds, raw)
        held_back = []
        for extra in sorted(raw.glob("*.txt"))[n:]:
            held_back.append((extra, extra.read_bytes()))
            extra.unlink()
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in raw.glob("*.txt"))
        env_home = Path(tmp) / "dagster_home"
        env_home.mkdir()
        (env_home / "dagster.yaml").write_text((ROOT / ".dagster_home" / "dagster.yaml").read_text())
        wall = _build(raw, warehouse, env_home)
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        steps = _step_times(env_home)
        incremental, incremental_steps = [], []
        for extra, data in held_back:
            extra.write_bytes(data)
            incremental.append(_build(raw, warehouse, env_home))
            incremental_steps.append(_step_times(env_home))
        median = statistics.median_low(incremental)  # a rebuild that was measured, whose steps are printed
        result = {"articles": n, "words": words, "wall_s": wall, "peak_rss_mib": peak_kib / 1024, "steps": steps,
                  "incremental_s": median, "incremental_runs_s": incremental,
                  "incremental_steps": incremental_steps[incremental.index(median)]}  # fmt: skip
        if verify:
            scratch = Path(tmp) / "scratch"
            _build(raw, scratch, env_home)
            result["incremental_equals_scratch"] = _same_tables(warehouse, scratch)
        return result


def _step_times(home: Path) -> dict[str, float]:
    """Seconds per Dagster step of the run, read back from the instance's event log."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records(limit=1)
        if not records:
            return {}
        stats = instance.get_run_step_stats(records[0].dagster_run.run_id)
        return {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in stats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rebuilds", type=int, default=3, help="rebuilds timed, each after adding one article")
    parser.add_argument("--verify", action="store_true", help="also build the final corpus from scratch and compare")
    args = parser.parse_args()
    results = []
    for n in args.articles:
        r = run(n, verify=args.verify, rebuilds=args.rebuilds)
        results.append(r)
        print(f"{n} articles, {r['words']} words: {r['wall_s']:.1f} s wall, {n / r['wall_s']:.0f} articles/s, "
              f"{r['words'] / r['wall_s']:.0f} words/s, peak RSS {r['peak_rss_mib']:.0f} MiB")  # fmt: skip
        for step, seconds in sorted(r["steps"].items(), key=lambda t: -t[1])[:8]:
            print(f"    {step:<24} {seconds:7.2f} s")
        runs = ", ".join(f"{t:.1f}" for t in r["incremental_runs_s"])
        line = (f"    rebuild after adding 1 article: median {r['incremental_s']:.1f} s ({r['incremental_s'] / r['wall_s']:.1%} "
                f"of the full build; {len(r['incremental_runs_s'])} rebuilds: {runs} s)")  # fmt: skip
        if "incremental_equals_scratch" in r:
            line += f"; tables identical to a from-scratch build: {'yes' if r['incremental_equals_scratch'] else 'NO'}"
        print(line)
        steps = r["incremental_steps"]
        print("    rebuild steps (the median rebuild): " + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(steps.items(), key=lambda t: -t[1])[:6])
              + f"; outside the steps (start-up, imports, Dagster run bookkeeping) {r['incremental_s'] - sum(steps.values()):.1f} s")  # fmt: skip
    if len(results) >= 2:
        small, large = results[0], results[-1]
        print(f"time ratio {large['articles']}/{small['articles']}: {large['wall_s'] / small['wall_s']:.2f}")
    print(json.dumps([{k: v for k, v in r.items() if not k.endswith("steps")} for r in results]))


if __name__ == "__main__":
    main()
