"""Extract: entities, relations, dates and evidence spans from each article."""

from collections import Counter

import dagster as dg
import pandas as pd

from pipeline.defs.ingest import RawCorpus
from pipeline.defs.metadata import markdown_preview
from pipeline.extract.batch import code_fingerprint, extract_corpus
from pipeline.extract.records import ArticleExtraction
from pipeline.extract.vocab import vocabulary_usage
from pipeline.resources import WarehousePaths


@dg.asset(
    group_name="extract",
    kinds={"python"},
    owners=["team:data-engineering"],
    description="Rule- and gazetteer-based extraction from each article: partners, minerals, people, agreements "
    "(parties, status, date, minerals, value-chain stages) and events, each with its evidence spans.",
)
def article_extractions(
    context: dg.AssetExecutionContext, raw_articles: RawCorpus, paths: WarehousePaths
) -> dg.Output[list[ArticleExtraction]]:
    total = len(raw_articles.articles)
    extractions, from_cache = extract_corpus(raw_articles.articles, paths.warehouse)
    context.log.info(f"extracted {total} articles ({from_cache} from the cache, {total - from_cache} extracted now)")
    counts = Counter()
    for e in extractions:
        counts.update(
            partners=len(e.partners),
            minerals=len(e.minerals),
            people=len(e.people),
            agreements=len(e.agreements),
            events=len(e.events),
        )
    per_article = pd.DataFrame(
        [{"source_file": e.source_file, "partners": len(e.partners), "minerals": len(e.minerals),
          "people": len(e.people), "agreements": len(e.agreements), "events": len(e.events)} for e in extractions]
    )  # fmt: skip
    usage = vocabulary_usage(extractions)
    unmatched_list = usage.unmatched_organizations.most_common()
    for name, n in unmatched_list[:50]:
        context.log.warning(f"organisation not in the vocabulary, found by name pattern in {n} article(s): {name}")
    if len(unmatched_list) > 50:
        context.log.warning(f"... and {len(unmatched_list) - 50} more organisations not in the vocabulary (see metadata)")
    unmatched = pd.DataFrame(
        usage.unmatched_organizations.most_common(), columns=["organisation (not in vocabulary)", "articles"]
    )
    never = pd.DataFrame(
        [{"kind": k, "never matched": len(v), "examples": ", ".join(v[:8])} for k, v in usage.never_used.items()]
    )
    return dg.Output(
        extractions,
        metadata={
            "articles": len(extractions),
            "extractor_version": code_fingerprint(),
            "cache": dg.MetadataValue.md(f"{from_cache} of {total} articles from `.cache/extractions/{code_fingerprint()}/`"),
            "organisations not in the vocabulary": markdown_preview(unmatched, rows=30),
            "vocabulary entries never matched": markdown_preview(never),
            **{f"{k} found (per-article sum)": v for k, v in counts.items()},
            "preview": markdown_preview(per_article, rows=20),
        },
    )
