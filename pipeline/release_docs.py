"""The documents inside a release that describe it: the Frictionless data package, the dataset card and
the changelog against the previous release (pipeline/release.py assembles and writes them)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

import schemas
from pipeline.publish import DUCKDB_NAME

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
TITLE = "Critical-minerals diplomacy dataset"


# ------------------------------------------------------------------ data package and card


def datapackage(version: str, tables: dict[str, pd.DataFrame]) -> dict:
    specs = schemas.load_tables()
    return {
        "profile": "data-package",
        "name": "critical-minerals-diplomacy",
        "title": TITLE,
        "version": version,
        "description": "Who partners with whom on which critical minerals, through which agreements (and at what "
        "status), which people and which events - extracted from news articles, with the evidence sentence for every fact.",
        "licenses": [LICENSE],
        "sources": [
            {"title": "News articles (see the articles table: url, outlet, source_file, content_sha256; the evidence view)"}
        ],
        "resources": [
            {
                "name": t,
                "path": f"csv/{t}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": specs[t].description,
                "schema": schemas.table_schema_descriptor(t),
                "stats": {"rows": len(tables[t])},
            }
            for t in schemas.table_names()
        ],
    }


def dataset_card(version: str, tables: dict[str, pd.DataFrame], previous: str | None) -> str:
    articles = tables["articles"]
    dates = pd.to_datetime(articles["published_date"]).dropna()
    coverage = f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}" if len(dates) else "no dated articles"
    counts = "\n".join(f"| `{t}` | {len(df)} |" for t, df in tables.items())
    return f"""# {TITLE} - release {version}

An open dataset of critical-minerals diplomacy: **who partners with whom** (countries, blocs,
regions, organisations), **on which minerals**, **through which agreements** (and at what status),
**which people**, **at which events** - extracted from news articles (rules and gazetteers propose candidates; small models
fitted on annotated real articles decide, deterministically), with the evidence sentence of every fact
in `mentions`.

## Coverage

- {len(articles)} articles published from {coverage} ({(articles["language"] == "en").sum()} in English);
  {len(tables["rejected_articles"])} input files not published (see `rejected_articles`).
- Previous release: {previous or "none (first release)"}; see `CHANGELOG.md`.

| table | rows |
|---|---|
{counts}

## Files

- `parquet/<table>.parquet` (zstd; table and column descriptions in the Parquet metadata) and
  `csv/<table>.csv` (UTF-8) - the same tables; a text cell that begins with `=`, `+`, `-`, `@`, a tab or a
  carriage return is written with a leading `'` so that spreadsheets read it as text, not as a formula.
- `{DUCKDB_NAME}` - every table with primary and foreign keys, comments on every table, column and
  view, and the views `partner_minerals`, `agreement_timeline`, `partner_summary`, `evidence`. Opens in DuckDB >= 1.1 (`pip install duckdb-cli`).
- `parquet/evidence.parquet`, `csv/evidence.csv` - the `evidence` view: every agreement status and every event with
  its sentence and the article that says it (URL, outlet, date); cite a fact by its URL (null for an article read
  from a text file that gives none).
- `datapackage.json` - Frictionless Data Package (Table Schemas, keys, descriptions, licence).
- `report.html` - partners x minerals (the partner most articles are about shown apart), status reports over time (undated ones included), the partners named most, and every agreement with its parties, status, last report and evidence.
- `CHANGELOG.md`, `changes.json` - what changed since the previous release.
- `SHA256SUMS` - verify with `sha256sum -c SHA256SUMS`.

## How to cite

> {TITLE}, release {version}. Licensed CC-BY-4.0.

## Licence

Data: Creative Commons Attribution 4.0 (CC-BY-4.0). The articles' full text is not redistributed:
a release carries each article's metadata, a SHA-256 of its text, and the sentences that evidence
each fact.

## Known limitations

- Extraction reads English only. On real articles unseen while it was built it finds most partners,
  minerals and people but misses or misreads a large share of agreements and events (the project's
  README gives the measured figures); judgement calls such as "partner or rival?" are decided by models
  from cue words and context. Every row carries `extraction_method` and a calibrated `confidence`;
  every fact can be checked against its sentence.
- An article's date is the one its source states (front matter, page metadata) or the article
  itself; relative dates in undated articles stay unresolved, and dates are never more precise than
  the text (`date_precision`).
"""


# ------------------------------------------------------------------ changes between releases

_KEYS = {"partners": "partner_id", "minerals": "mineral_id", "people": "person_id", "agreements": "agreement_id",
         "events": "event_id", "articles": "article_id"}  # fmt: skip


def changes(old: dict[str, pd.DataFrame] | None, new: dict[str, pd.DataFrame]) -> dict:
    """Entities added, removed and changed since `old`, and agreements whose status changed."""
    out: dict = {"tables": {}, "agreement_status_changes": []}
    for table, key in _KEYS.items():
        new_df = new[table].set_index(key)
        old_df = old[table].set_index(key) if old is not None else new_df.iloc[0:0]
        added = sorted(set(new_df.index) - set(old_df.index))
        removed = sorted(set(old_df.index) - set(new_df.index))
        common = sorted(set(new_df.index) & set(old_df.index))
        changed = []
        for k in common:
            a, b = old_df.loc[k], new_df.loc[k]
            diff = {
                c: {"from": _plain(a[c]), "to": _plain(b[c])}
                for c in new_df.columns
                if c in old_df.columns and _plain(a[c]) != _plain(b[c])
            }
            if diff:
                changed.append({"id": k, "changes": diff})
        out["tables"][table] = {"added": added, "removed": removed, "changed": changed}
        if table == "agreements":
            for item in changed:
                if "status" in item["changes"]:
                    out["agreement_status_changes"].append(
                        {"agreement_id": item["id"], "name": new_df.loc[item["id"], "name"], **item["changes"]["status"]}
                    )
    return out


def _plain(v: object) -> object:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return None
    if isinstance(v, (dt.date, pd.Timestamp)):
        return str(v)[:10]
    if hasattr(v, "item"):
        return v.item()
    return v


def changelog_markdown(version: str, previous: str | None, diff: dict) -> str:
    lines = [f"# Changelog: release {version}", "", f"Compared with: {previous or 'nothing (first release)'}", ""]
    lines += ["| table | added | removed | changed |", "|---|---|---|---|"]
    for table, d in diff["tables"].items():
        lines.append(f"| `{table}` | {len(d['added'])} | {len(d['removed'])} | {len(d['changed'])} |")
    lines += ["", "## Agreement status changes", ""]
    if diff["agreement_status_changes"]:
        lines += [f"- {c['name']} (`{c['agreement_id']}`): {c['from']} → {c['to']}" for c in diff["agreement_status_changes"]]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
