"""Extract: entities, relations, dates and evidence spans from each article.

`article_extractions` extracts the whole corpus in one step (in parallel across cores, each
article once: results are cached by content hash). The `extraction_backfill` job is the same work
cut into 16 partitions by a hash of the file name, so that a backfill fans out over Dagster's run
workers; `article_extractions` then only combines what the partitions left in the cache. It is a
job, not an asset, so that "Materialize all" on the asset graph is one plain build.
"""

import dagster as dg
import pandas as pd

from pipeline.corpus import CorpusFacts, corpus_facts
from pipeline.defs.ingest import RawCorpus
from pipeline.defs.metadata import markdown_preview
from pipeline.extract.batch import code_fingerprint, extract_corpus, prune_cache_versions
from pipeline.extract.vocab import vocabulary_usage
from pipeline.ingest import PARTITION_KEYS, RawArticle, list_raw_files, read_file
from pipeline.memory import kept_for_the_run
from pipeline.resources import WarehousePaths

extraction_partitions = dg.StaticPartitionsDefinition(list(PARTITION_KEYS))


@dg.op(
    description="Fills the per-article extraction cache (warehouse/.cache/extractions/) for one partition: the "
    "articles whose file name hashes to bucket k. Returns how many articles it extracted (not from the cache)."
)
def fill_extraction_cache(context: dg.OpExecutionContext, paths: WarehousePaths) -> dg.Output[int]:
    bucket = context.partition_key
    articles = []
    for path, name in list_raw_files(paths.raw, bucket=bucket):
        # Rejections (and duplicates across files) are reported by raw_articles, for the whole folder.
        articles += [r for r in read_file(path, name) if isinstance(r, RawArticle)]
    extracted = extract_corpus(articles, paths.warehouse, progress=_progress_logger(context), budget=paths.extraction_budget)
    from_cache = extracted.from_cache
    return dg.Output(
        len(articles) - from_cache - len(extracted.timed_out),
        metadata={
            "articles": len(articles),
            "from cache": from_cache,
            "past the time budget": len(extracted.timed_out),
            "extractor_version": code_fingerprint(),
        },  # fmt: skip
    )


@dg.job(
    partitions_def=extraction_partitions,
    description="A backfill tool for large corpora: launch a backfill of all 16 partitions (one run each, spread over "
    "run workers) to fill the extraction cache; the build then only combines what they extracted.",
)
def extraction_backfill():
    fill_extraction_cache()


def _progress_logger(context: dg.OpExecutionContext):
    def report(done: int, total: int, seconds: float) -> None:
        rate = done / seconds if seconds else 0.0
        eta = (total - done) / rate if rate else 0.0
        context.log.info(f"extracted {done}/{total} articles ({done / total:.0%}), {rate:.0f} articles/s, ~{eta:.0f} s left")

    return report


@dg.asset(
    group_name="extract",
    kinds={"python"},
    owners=["team:data-engineering"],
    description="Rule- and gazetteer-based extraction from each article: partners, minerals, people, agreements "
    "(parties, status, date, minerals, value-chain stages) and events, each with its evidence spans. Articles "
    "already in the extraction cache (same text, same extraction code) are read back, not extracted again.",
)
def article_extractions(
    context: dg.AssetExecutionContext, raw_articles: RawCorpus, paths: WarehousePaths
) -> dg.Output[CorpusFacts]:
    total = len(raw_articles.articles)
    with kept_for_the_run():
        corpus, from_cache = corpus_facts(
            raw_articles.articles, paths.warehouse, progress=_progress_logger(context), budget=paths.extraction_budget
        )
    late = len(corpus.timed_out)
    context.log.info(
        f"extracted {total} articles ({from_cache} from the cache, {total - from_cache - late} extracted now"
        + (f", {late} stopped past the time budget of {paths.extraction_budget:g} s and rejected)" if late else ")")
    )
    removed = prune_cache_versions(paths.warehouse)
    if removed:
        context.log.info(f"removed the extraction caches of older versions: {', '.join(removed)}")
    kinds = ["partners", "minerals", "people", "agreements", "events"]
    per_article = pd.DataFrame(
        {"source_file": [a.source_file for a in raw_articles.articles if a.content_sha256 not in corpus.timed_out][:20],
         **{kind: corpus.records_per_article(kind)[:20] for kind in kinds}}
    )  # fmt: skip
    usage = vocabulary_usage(corpus)
    unmatched_list = usage.unmatched_organizations.most_common()
    if unmatched_list:  # one warning, not one per name: each log line is an event the run must store
        listed = "; ".join(f"{name} ({n})" for name, n in unmatched_list[:30])
        more = f"; ... and {len(unmatched_list) - 30} more" if len(unmatched_list) > 30 else ""
        context.log.warning(
            f"{len(unmatched_list)} organisation(s) not in the vocabulary, found by name pattern "
            f"(articles in brackets; all in this asset's metadata): {listed}{more}"
        )
    unmatched = pd.DataFrame(
        usage.unmatched_organizations.most_common(), columns=["organisation (not in vocabulary)", "articles"]
    )
    never = pd.DataFrame(
        [{"kind": k, "never matched": len(v), "examples": ", ".join(v[:8])} for k, v in usage.never_used.items()]
    )
    return dg.Output(
        corpus,
        metadata={
            "articles": len(corpus),
            "extractor_version": code_fingerprint(),
            "cache": dg.MetadataValue.md(f"{from_cache} of {total} articles from `.cache/extractions/{code_fingerprint()}/`"),
            "organisations not in the vocabulary": markdown_preview(unmatched, rows=30),
            "vocabulary entries never matched": markdown_preview(never),
            **{f"{kind} found (per-article sum)": corpus.records[kind].num_rows for kind in kinds},
            "preview": markdown_preview(per_article, rows=20),
        },
    )
