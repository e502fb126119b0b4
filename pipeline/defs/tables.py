"""Tables: entity resolution into the published tables, each validated by its pandera
schema and its foreign keys as blocking asset checks (a failure stops publication)."""

from concurrent.futures import ThreadPoolExecutor

import dagster as dg
import pandas as pd

import schemas
from pipeline.checks import CheckOutcome, foreign_key_failures, has_foreign_keys, validate_table
from pipeline.corpus import CorpusFacts
from pipeline.defs.ingest import RawCorpus
from pipeline.defs.metadata import column_schema, markdown_preview, table_metadata
from pipeline.memory import bulk_allocation
from pipeline.resources import WarehousePaths
from pipeline.tables import tables_from_facts

SCHEMA_CHECK = "pandera_schema"
FOREIGN_KEY_CHECK = "foreign_keys"


@dg.asset(
    group_name="tables",
    kinds={"pandas"},
    owners=["team:data-engineering"],
    description="All tables before validation: the same real-world entity across articles resolved to one row with a stable id.",
)
def resolved_tables(raw_articles: RawCorpus, article_extractions: CorpusFacts) -> dg.Output[dict[str, pd.DataFrame]]:
    with bulk_allocation():
        tables = tables_from_facts(raw_articles.articles, raw_articles.rejections, article_extractions)
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


def _check_specs(table: str) -> list[dg.AssetCheckSpec]:
    specs = [
        dg.AssetCheckSpec(SCHEMA_CHECK, asset=table, blocking=True,
                          description=f"Every row of {table} passes its pandera schema (types, nulls, enums, patterns, keys).")
    ]  # fmt: skip
    if has_foreign_keys(table):
        specs.append(
            dg.AssetCheckSpec(FOREIGN_KEY_CHECK, asset=table, blocking=True,
                              description=f"Every foreign key of {table} resolves to a row of the table it references.")
        )  # fmt: skip
    return specs


def _table_out(table: str) -> dg.AssetOut:
    spec = schemas.load_tables()[table]
    return dg.AssetOut(
        group_name="tables",
        kinds={"pandas"},
        owners=["team:data-engineering"],
        description=spec.description,
        metadata={"dagster/column_schema": column_schema(table), "primary_key": ", ".join(spec.primary_key)},
    )


@dg.multi_asset(
    name="validated_tables",
    outs={t: _table_out(t) for t in schemas.table_names()},
    check_specs=[c for t in schemas.table_names() for c in _check_specs(t)],
    can_subset=False,
)
def validated_tables(resolved_tables: dict[str, pd.DataFrame], paths: WarehousePaths):
    """Every published table validated by its pandera schema and its foreign keys, in one step
    (a step per table costs more in Dagster bookkeeping than the smaller tables take to check).
    The largest table is checked in a second thread meanwhile (its checks run mostly in Arrow,
    outside the interpreter lock), the others and the results' bookkeeping in this one."""
    largest = max(schemas.table_names(), key=lambda t: len(resolved_tables[t]))
    with bulk_allocation(), ThreadPoolExecutor(max_workers=1) as pool:
        ahead = pool.submit(_validated, largest, resolved_tables)
        for table in schemas.table_names():
            validated, outcome, keys = ahead.result() if table == largest else _validated(table, resolved_tables)
            yield dg.Output(validated, output_name=table, metadata=table_metadata(table, validated, paths.warehouse))
            yield _check_result(SCHEMA_CHECK, table, outcome)
            if keys is not None:
                yield _check_result(FOREIGN_KEY_CHECK, table, keys)


def _validated(table: str, tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, CheckOutcome, CheckOutcome | None]:
    validated, outcome = validate_table(table, tables[table])
    return validated, outcome, foreign_key_failures(table, tables) if has_foreign_keys(table) else None
