"""Asset metadata shared by the stages: row counts, Markdown previews, column schemas."""

from pathlib import Path

import dagster as dg
import pandas as pd

import schemas
from pipeline.publish import DUCKDB_NAME, PARQUET_DIR

PREVIEW_ROWS = 10


def markdown_preview(df: pd.DataFrame, rows: int = PREVIEW_ROWS) -> dg.MetadataValue:
    head = df.head(rows).copy()
    for column in head.columns:
        head[column] = head[column].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)[:80])
    return dg.MetadataValue.md(head.to_markdown(index=False) if len(head) else "_(no rows)_")


def column_schema(table: str) -> dg.TableSchema:
    spec = schemas.load_tables()[table]
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.type,
                description=c.description,
                constraints=dg.TableColumnConstraints(nullable=c.nullable, unique=c.unique or spec.primary_key == (c.name,)),
            )
            for c in spec.columns
        ]
    )


def table_metadata(table: str, df: pd.DataFrame, warehouse: Path) -> dict[str, object]:
    """Row count, columns, a preview, and where the table is published (the `path` Dagster adds is
    its own copy of the step's output, not the published file)."""
    parquet = Path(warehouse) / PARQUET_DIR / f"{table}.parquet"
    return {
        "dagster/row_count": dg.MetadataValue.int(len(df)),
        "dagster/column_schema": column_schema(table),
        "dagster/uri": dg.MetadataValue.path(str(parquet)),
        "dagster/table_name": dg.MetadataValue.text(f"critical_minerals.main.{table}"),
        "published parquet": dg.MetadataValue.path(str(parquet)),
        "published duckdb table": dg.MetadataValue.text(f"{Path(warehouse) / DUCKDB_NAME} → table {table}"),
        "preview": markdown_preview(df),
    }
