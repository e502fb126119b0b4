"""Ingest: news fetched into the raw folder (on a schedule), and the raw folder read into articles and rejections."""

import time
from collections import Counter
from dataclasses import dataclass

import dagster as dg
import pandas as pd

from pipeline.defs.metadata import markdown_preview
from pipeline.fetch import FETCH_LOG, fetch, load_feeds
from pipeline.ingest import RAW_FILES_CACHE, RawArticle, Rejection, raw_folder_state, read_raw_folder
from pipeline.resources import WarehousePaths


@dataclass
class RawCorpus:
    articles: list[RawArticle]
    rejections: list[Rejection]
    folder_state: str = ""  # raw_folder_state() taken before the files were read
    read_at_ns: int = 0  # when: a publication never replaces one made from a later reading


@dg.asset(
    group_name="ingest",
    kinds={"python"},
    owners=["team:data-engineering"],
    description="Every article in the raw folder - text and front-matter files, saved web pages, JSON Lines lines, WARC "
    "records - decoded, normalised and cited (URL, outlet, authors), or rejected with a reason (empty, binary, "
    "undecodable, too large, duplicate text or URL, not a response, ...). Nothing is dropped silently. Files unchanged since "
    "the last build (same size, times and inode) are taken from warehouse/.cache/raw-files/, not read again.",
)
def raw_articles(context: dg.AssetExecutionContext, paths: WarehousePaths) -> dg.Output[RawCorpus]:
    read_at, state = time.time_ns(), raw_folder_state(paths.raw)  # before reading: a file changed meanwhile makes the next build
    articles, rejections = read_raw_folder(paths.raw, cache_dir=paths.warehouse / RAW_FILES_CACHE)
    if rejections:  # one warning, not one per file: each log line is an event the run stores (10k files: seconds)
        counts = ", ".join(f"{reason}: {n}" for reason, n in Counter(r.reason for r in rejections).most_common())
        listed = "; ".join(f"{r.source_file}: {r.reason} ({r.detail})" for r in rejections[:20])
        more = f"; ... and {len(rejections) - 20} more (all in rejected_articles)" if len(rejections) > 20 else ""
        context.log.warning(f"{len(rejections)} file(s) rejected ({counts}): {listed}{more}")
    # Only the preview's rows are listed: counting the words of ten thousand articles costs time.
    listing = pd.DataFrame(
        [{"source_file": r.source_file, "article_id": f"rejected: {r.reason}", "words": None} for r in rejections[:20]]
        + [{"source_file": a.source_file, "article_id": a.article_id, "words": len(a.text.split())} for a in articles[:20]]
    )
    return dg.Output(
        RawCorpus(articles, rejections, state, read_at),
        metadata={
            "raw_dir": dg.MetadataValue.path(str(paths.raw)),
            "articles": len(articles),
            "rejected": len(rejections),
            "preview": markdown_preview(listing, rows=20),
        },
    )


@dg.asset(
    group_name="fetch",
    kinds={"python"},
    owners=["team:data-engineering"],
    description="The articles of the feeds listed in feeds.yaml, downloaded into the raw folder (fetched/) as "
    "front-matter texts; robots.txt obeyed, addresses fetched before skipped, every attempt appended to "
    "warehouse/fetch_log.jsonl. Not part of the build: the raw-folder sensor builds what arrives.",
)
def fetched_news(context: dg.AssetExecutionContext, paths: WarehousePaths) -> dg.MaterializeResult:
    feeds, politeness = load_feeds(paths.feeds_file)
    if not feeds:
        context.log.info(f"no feeds listed in {paths.feeds_file}: nothing fetched")
    summary = fetch(paths.raw, paths.warehouse / FETCH_LOG, feeds, politeness=politeness)
    context.log.info(f"{len(summary.files)} new file(s) in {paths.raw}: {summary.line()}")
    return dg.MaterializeResult(
        metadata={"feeds": len(feeds), "new files": len(summary.files), "attempts": dg.MetadataValue.md(summary.line())}
    )


fetch_job = dg.define_asset_job("fetch", selection=[fetched_news], description="Fetch the feeds of feeds.yaml.")

fetch_news_hourly = dg.ScheduleDefinition(
    name="fetch_news_hourly",
    job=fetch_job,
    cron_schedule="17 * * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every hour: fetch the feeds listed in feeds.yaml into the raw folder (the raw-folder sensor then builds).",
)
