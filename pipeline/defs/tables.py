"""Tables: entity resolution into the published tables, each validated by its pandera
schema and its foreign keys as blocking asset checks (a failure stops publication)."""

import dagster as dg
import pandas as pd

import schemas
from pipeline.checks import CheckOutcome, foreign_key_failures, has_foreign_keys, validate_table
from pipeline.defs.ingest import RawCorpus
from pipeline.defs.metadata import column_schema, markdown_preview, table_metadata
from pipeline.extract.records import ArticleExtraction
from pipeline.memory import bulk_allocation
from pipeline.tables import build_tables

SCHEMA_CHECK = "pandera_schema"
FOREIGN_KEY_CHECK = "foreign_keys"


@dg.asset(
    group_name="tables",
    kinds={"pandas"},
    owners=["team:data-engineering"],
    description="All tables before validation: the same real-world entity across articles resolved to one row with a stable id.",
)
def resolved_tables(raw_articles: RawCorpus, article_extractions: list[ArticleExtraction]) -> dg.Output[dict[str, pd.DataFrame]]:
    with bulk_allocation():
        tables = build_tables(raw_articles.articles, raw_articles.rejections, article_extractions)
    return dg.Output(tables, metadata={name: len(df) for name, df in tables.items()})


def _check_result(check_name: str, table: str, outcome: CheckOutcome) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=check_name,
        asset_key=table,
        passed=outcome.passed,
        description=outcome.summary,
        metadata={
            "failing_rows": dg.MetadataValue.int(len(outcome.failures)),
            "failures": markdown_preview(outcome.failures, rows=50),
        },
    )


def build_table_asset(table: str) -> dg.AssetsDefinition:
    """One published table: validated, with its checks, its column schema and a preview."""
    spec = schemas.load_tables()[table]
    check_specs = [
        dg.AssetCheckSpec(SCHEMA_CHECK, asset=table, blocking=True,
                          description=f"Every row of {table} passes its pandera schema (types, nulls, enums, patterns, keys).")
    ]  # fmt: skip
    if has_foreign_keys(table):
        check_specs.append(
            dg.AssetCheckSpec(FOREIGN_KEY_CHECK, asset=table, blocking=True,
                              description=f"Every foreign key of {table} resolves to a row of the table it references.")
        )  # fmt: skip

    @dg.asset(
        name=table,
        group_name="tables",
        kinds={"pandas"},
        owners=["team:data-engineering"],
        description=spec.description,
        check_specs=check_specs,
        metadata={"dagster/column_schema": column_schema(table), "primary_key": ", ".join(spec.primary_key)},
    )
    def _table(resolved_tables: dict[str, pd.DataFrame]):
        validated, outcome = validate_table(table, resolved_tables[table])
        yield dg.Output(validated, metadata=table_metadata(table, validated))
        yield _check_result(SCHEMA_CHECK, table, outcome)
        if has_foreign_keys(table):
            yield _check_result(FOREIGN_KEY_CHECK, table, foreign_key_failures(table, resolved_tables))

    return _table


table_assets = [build_table_asset(t) for t in schemas.table_names()]
